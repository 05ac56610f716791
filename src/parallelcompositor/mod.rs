//! `parallelcompositor`: composites N video inputs with several frames in flight, on the GPU
//! (wgpu) or on the CPU backend; output leaves in timestamp order and is byte-identical whatever
//! the parallelism.
//!
//! A `GstVideoAggregator` subclass: the base class picks each output timestamp's input frames
//! (framerates, segments, QoS, EOS); this element turns them into a frame job with the pad
//! properties of that timestamp and renders up to `max-frames-in-flight` jobs at once on
//! `workers` threads. Inputs may each be I420, NV12, RGBA, BGRA, RGBx or BGRx; the output is
//! RGBA, BGRA, I420 or NV12 as downstream asks, converted with the caps' colorimetry, so an
//! encoder needs no `videoconvert` in front.
//!
//! ## Example pipeline
//! The one example the docs and `gst-inspect-1.0` (the element metadata) show:
//! ```text
#![doc = include_str!("example-pipeline.txt")]
//! ```
//!
//! ## Seeking and input frames
//! A render that starts at a seek gives exactly the frames a render from the start gives there
//! (what chunked export with `gst-render-range` rests on): a flushing seek at rate 1 to the start
//! of output frame F renders, timestamps and pushes from F on the output's frame grid (see
//! [`crate::frame_grid`]), and each output frame shows, of each input, the frame on screen at the
//! output frame's start, whatever frames came before.
//!
//! ## Compositing rules
//! Positions and sizes are doubles in output pixels: a layer at a fractional position moves
//! smoothly (edge pixels are weighted by covered area, the source is sampled at float
//! coordinates: bilinearly when magnified, area-averaged over each output pixel's footprint when
//! minified, so downscaled text and fine patterns do not alias). An opaque, unscaled layer at
//! whole pixels in the output's own format is copied exactly. Layers stack by `zorder`;
//! `operator` is over, source or add on premultiplied colour. See [`crate::compose`].
//!
//! Chroma siting comes from each pad's caps (`chroma-site`, e.g. `mpeg2` or `jpeg`) and the
//! output caps; caps without it are taken as MPEG-2 siting (co-sited horizontally, centred
//! vertically), GStreamer's default for 4:2:0.

use gst::glib;
use gst::prelude::*;

/// The element's example pipeline (a picture-in-picture export): the one the documentation and
/// `gst-inspect-1.0` (the element metadata) show; `tests/parallelcompositor.rs` checks it parses.
pub const EXAMPLE_PIPELINE: &str = include_str!("example-pipeline.txt");

mod backend;
mod frame;
mod imp;
mod job;
mod pad;
mod scheduler;
mod settings;
mod transitions;

pub use job::fault;
#[doc(hidden)]
pub use transitions::parse_transitions_for_fuzzing;

/// What lies under the inputs. The first four values are the stock `compositor`'s
/// (GstCompositorBackground: checker 0, black 1, white 2, transparent 3), so code that sets
/// `background` by number gets the same result; ours follow.
#[derive(Debug, Eq, PartialEq, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstParallelCompositorBackground")]
pub enum BackgroundKind {
    /// A grey checkerboard of 8 × 8 pixel squares.
    #[enum_value(name = "Checker pattern", nick = "checker")]
    Checker = 0,
    /// Opaque black.
    #[default]
    #[enum_value(name = "Black", nick = "black")]
    Black = 1,
    /// Opaque white.
    #[enum_value(name = "White", nick = "white")]
    White = 2,
    /// Fully transparent (alpha 0).
    #[enum_value(name = "Transparent", nick = "transparent")]
    Transparent = 3,
    /// The colour of `background-color`.
    #[enum_value(name = "The colour in background-color", nick = "color")]
    Color = 4,
    /// A linear gradient from `background-color` to `background-color-end` at `background-angle`.
    #[enum_value(
        name = "Linear gradient: background-color to background-color-end at background-angle",
        nick = "gradient"
    )]
    Gradient = 5,
    /// The image file `background-image`, scaled to cover the frame.
    #[enum_value(
        name = "The image in background-image, covering the frame",
        nick = "image"
    )]
    Image = 6,
    /// A blurred copy of the input `background-pad` covering the frame.
    #[enum_value(
        name = "A copy of the input background-pad, covering the frame, blurred by background-blur",
        nick = "blurred"
    )]
    Blurred = 7,
}

/// How a pad's `width` and `height` apply to its source.
#[derive(Debug, Eq, PartialEq, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstParallelCompositorSizingPolicy")]
pub enum SizingPolicy {
    /// Stretch to width × height.
    #[default]
    #[enum_value(name = "None: stretch to width x height", nick = "none")]
    None = 0,
    /// Fit inside width × height keeping the display aspect ratio, centred.
    #[enum_value(
        name = "Keep aspect ratio: fit inside width x height, centred",
        nick = "keep-aspect-ratio"
    )]
    KeepAspectRatio = 1,
}

/// How a pad is blended onto what lies below; numbered as the stock `compositor`'s
/// GstCompositorOperator (source 0, over 1, add 2).
#[derive(Debug, Eq, PartialEq, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstParallelCompositorOperator")]
pub enum Operator {
    /// The source replaces the destination, alpha included.
    #[enum_value(name = "Source: the source replaces the destination", nick = "source")]
    Source = 0,
    /// Source over destination.
    #[default]
    #[enum_value(name = "Over: source over destination", nick = "over")]
    Over = 1,
    /// Source and destination summed (premultiplied), clamped at the output.
    #[enum_value(name = "Add: source and destination summed", nick = "add")]
    Add = 2,
}

/// The shape of a card's corners.
#[derive(Debug, Eq, PartialEq, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstParallelCompositorCornerShape")]
pub enum CornerShape {
    /// Quarter circles.
    #[default]
    #[enum_value(name = "Circular corners", nick = "circular")]
    Circular = 0,
    /// Superellipse corners, curvature-continuous with the edges.
    #[enum_value(name = "Squircle (superellipse) corners", nick = "squircle")]
    Squircle = 1,
}

/// Which GPU adapter renders.
#[derive(Debug, Eq, PartialEq, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstParallelCompositorAdapter")]
pub enum Adapter {
    /// A hardware GPU if there is one; else the CPU backend, with a shader transition's
    /// program alone on the software rasteriser (lavapipe): the hybrid route.
    #[default]
    #[enum_value(
        name = "Auto: a hardware GPU, else the CPU backend (shader transition programs on the software adapter)",
        nick = "auto"
    )]
    Auto = 0,
    /// A hardware GPU only.
    #[enum_value(name = "Hardware GPU only", nick = "hardware")]
    Hardware = 1,
    /// The software rasteriser only.
    #[enum_value(name = "Software adapter (lavapipe) only", nick = "software")]
    Software = 2,
    /// The CPU backend: no wgpu, SIMD-friendly Rust on the worker threads.
    #[enum_value(name = "CPU backend (no GPU API)", nick = "cpu")]
    Cpu = 3,
    /// wgpu on any adapter: a hardware GPU, else the software rasteriser.
    #[enum_value(
        name = "wgpu: a hardware GPU, else the software adapter",
        nick = "wgpu"
    )]
    Wgpu = 4,
}

/// Each glib enum converts to its pure twin, variant by variant of the same name.
macro_rules! into_pure {
    ($($from:ident => $to:ty { $($variant:ident),* })*) => {$(
        impl From<$from> for $to {
            fn from(v: $from) -> Self {
                match v {
                    $($from::$variant => <$to>::$variant,)*
                }
            }
        }
    )*};
}

into_pure! {
    SizingPolicy => crate::compose::SizingPolicy { None, KeepAspectRatio }
    Operator => crate::compose::Operator { Over, Source, Add }
    CornerShape => crate::effects::CornerShape { Circular, Squircle }
}

glib::wrapper! {
    /// The `parallelcompositor` element.
    pub struct ParallelCompositor(ObjectSubclass<imp::ParallelCompositor>)
        @extends gst_video::VideoAggregator, gst_base::Aggregator, gst::Element, gst::Object,
        @implements gst::ChildProxy;
}

glib::wrapper! {
    /// A sink pad of `parallelcompositor`, carrying the per-input properties.
    pub struct ParallelCompositorPad(ObjectSubclass<pad::ParallelCompositorPad>)
        @extends gst_video::VideoAggregatorPad, gst_base::AggregatorPad, gst::Pad, gst::Object;
}

/// Registers `parallelcompositor` with `plugin`.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    #[cfg(feature = "doc")]
    {
        BackgroundKind::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        SizingPolicy::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        Operator::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        CornerShape::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        Adapter::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        ParallelCompositorPad::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    }
    gst::Element::register(
        Some(plugin),
        "parallelcompositor",
        gst::Rank::NONE,
        ParallelCompositor::static_type(),
    )
}

//! The sink pad: per-input placement and blending, all controllable (synced per output
//! timestamp by the base class before each frame is aggregated).

use std::sync::Mutex;

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::subclass::prelude::*;
use once_cell::sync::Lazy;

use super::{CornerShape, Operator, SizingPolicy};
use crate::{compose, effects};

/// The pad properties as plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PadSettings {
    pub xpos: f64,
    pub ypos: f64,
    pub width: f64,
    pub height: f64,
    /// Whether width / height are animated (a control binding or timeline keyframes): then
    /// 0 means an empty card, not the input size.
    pub animated_size: (bool, bool),
    pub alpha: f64,
    pub sizing: SizingPolicy,
    pub operator: Operator,
    pub crop: compose::Crop,
    pub zoom: f64,
    pub zoom_centre: (f64, f64),
    pub corner_radius: f64,
    pub corner_shape: CornerShape,
    pub border_width: f64,
    pub border_color: u32,
    pub shadow: effects::Shadow,
    pub blur: f64,
}

impl Default for PadSettings {
    fn default() -> Self {
        PadSettings {
            xpos: 0.0,
            ypos: 0.0,
            width: 0.0,
            height: 0.0,
            animated_size: (false, false),
            alpha: 1.0,
            sizing: SizingPolicy::None,
            operator: Operator::Over,
            crop: compose::Crop::default(),
            zoom: 1.0,
            zoom_centre: (0.5, 0.5),
            corner_radius: 0.0,
            corner_shape: CornerShape::Circular,
            border_width: 0.0,
            border_color: DEFAULT_BORDER_COLOR,
            shadow: effects::Shadow {
                color: DEFAULT_SHADOW_COLOR,
                ..Default::default()
            },
            blur: 0.0,
        }
    }
}

const DEFAULT_BORDER_COLOR: u32 = 0xffff_ffff;
const DEFAULT_SHADOW_COLOR: u32 = 0x9900_0000;
const EXTENT: f64 = 65536.0;

/// A controllable number property of the pad: its spec and where it lives in the settings.
pub(super) struct NumberProperty {
    pub name: &'static str,
    nick: &'static str,
    blurb: &'static str,
    pub min: f64,
    pub max: f64,
    default: f64,
    pub get: fn(&PadSettings) -> f64,
    pub set: fn(&mut PadSettings, f64),
}

macro_rules! number {
    ($name:literal, $nick:literal, $blurb:literal, $min:expr, $max:expr, $default:expr, |$s:ident| $field:expr) => {
        NumberProperty {
            name: $name,
            nick: $nick,
            blurb: $blurb,
            min: $min,
            max: $max,
            default: $default,
            get: |$s| $field,
            set: |$s, v| $field = v,
        }
    };
}

/// Every animatable number of a pad: what GstController and the timeline can drive.
pub(super) static NUMBERS: &[NumberProperty] = &[
    number!("xpos", "X Position", "Left edge in output pixels (fractions place the input between pixels)",
        -EXTENT, EXTENT, 0.0, |s| s.xpos),
    number!("ypos", "Y Position", "Top edge in output pixels (fractions place the input between pixels)",
        -EXTENT, EXTENT, 0.0, |s| s.ypos),
    number!("width", "Width", "Width in output pixels; 0 = the (cropped) input width",
        0.0, EXTENT, 0.0, |s| s.width),
    number!("height", "Height", "Height in output pixels; 0 = the (cropped) input height",
        0.0, EXTENT, 0.0, |s| s.height),
    number!("alpha", "Alpha", "Opacity of the input (and its shadow), multiplied with its own alpha",
        0.0, 1.0, 1.0, |s| s.alpha),
    number!("crop-left", "Crop left", "Input pixels cut from the left (fractions allowed)",
        0.0, EXTENT, 0.0, |s| s.crop.left),
    number!("crop-right", "Crop right", "Input pixels cut from the right (fractions allowed)",
        0.0, EXTENT, 0.0, |s| s.crop.right),
    number!("crop-top", "Crop top", "Input pixels cut from the top (fractions allowed)",
        0.0, EXTENT, 0.0, |s| s.crop.top),
    number!("crop-bottom", "Crop bottom", "Input pixels cut from the bottom (fractions allowed)",
        0.0, EXTENT, 0.0, |s| s.crop.bottom),
    number!("zoom", "Zoom", "Magnification of the content inside the card, sampled from the full-resolution input (1 = none)",
        1.0, 64.0, 1.0, |s| s.zoom),
    number!("zoom-center-x", "Zoom centre x", "Point of the (cropped) input that stays in place while zooming, 0 = left, 1 = right",
        0.0, 1.0, 0.5, |s| s.zoom_centre.0),
    number!("zoom-center-y", "Zoom centre y", "Point of the (cropped) input that stays in place while zooming, 0 = top, 1 = bottom",
        0.0, 1.0, 0.5, |s| s.zoom_centre.1),
    number!("corner-radius", "Corner radius", "Radius of the card's corners in output pixels (anti-aliased)",
        0.0, EXTENT, 0.0, |s| s.corner_radius),
    number!("border-width", "Border width", "Border drawn inside the card's edge, output pixels",
        0.0, EXTENT, 0.0, |s| s.border_width),
    number!("shadow-offset-x", "Shadow offset x", "Shadow offset to the right, output pixels",
        -EXTENT, EXTENT, 0.0, |s| s.shadow.offset_x),
    number!("shadow-offset-y", "Shadow offset y", "Shadow offset downwards, output pixels",
        -EXTENT, EXTENT, 0.0, |s| s.shadow.offset_y),
    number!("shadow-blur", "Shadow blur", "Softness of the shadow: gaussian standard deviation in output pixels (CSS blur radius / 2)",
        0.0, 1024.0, 0.0, |s| s.shadow.sigma),
    number!("shadow-spread", "Shadow spread", "Grows (or, negative, shrinks) the shadow's shape on every side, output pixels",
        -EXTENT, EXTENT, 0.0, |s| s.shadow.spread),
    number!("blur", "Blur", "Gaussian blur of the input's content: standard deviation in output pixels (0 = none)",
        0.0, 256.0, 0.0, |s| s.blur),
];

/// Names of the properties a timeline may animate.
pub(super) fn animatable() -> Vec<&'static str> {
    NUMBERS.iter().map(|n| n.name).collect()
}

impl PadSettings {
    /// The layer of a `src_w` × `src_h` source (pixel aspect `par`); `None` when nothing shows.
    pub fn layer(&self, src_w: u32, src_h: u32, par: f64) -> Option<compose::LayerParams> {
        let placement = compose::Placement {
            xpos: self.xpos,
            ypos: self.ypos,
            width: self.width,
            height: self.height,
            sizing: self.sizing.into(),
            literal_size: self.animated_size,
        };
        let dst = placement.resolve(src_w, src_h, par, &self.crop)?;
        let mut params =
            compose::LayerParams::placed(dst, self.crop, self.alpha, self.operator.into());
        params.zoom = effects::Zoom {
            scale: self.zoom,
            centre: self.zoom_centre,
        };
        params.card = effects::CardStyle {
            radius: self.corner_radius,
            shape: self.corner_shape.into(),
            border_width: self.border_width,
            border_color: self.border_color,
            shadow: self.shadow,
            blur: self.blur,
        };
        Some(params)
    }
}

#[derive(Default)]
pub struct ParallelCompositorPad {
    settings: Mutex<PadSettings>,
    /// The frames the base class picked for the last two distinct output frames (previous,
    /// current): see [`crate::frame_grid::shows_previous`].
    picked: Mutex<(Option<gst::Buffer>, Option<gst::Buffer>)>,
}

impl ParallelCompositorPad {
    pub(super) fn settings(&self) -> PadSettings {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The span of `buffer` in this pad's running time, clipped to its segment.
    fn span(&self, buffer: &gst::BufferRef) -> Option<crate::frame_grid::Span> {
        let segment = gst_base::prelude::AggregatorPadExtManual::segment(&*self.obj());
        let segment = segment.downcast_ref::<gst::ClockTime>()?;
        let pts = buffer.pts()?;
        let start = segment.to_running_time(pts.max(segment.start()?))?;
        let end = buffer.duration().and_then(|d| {
            let end = pts + d;
            segment.to_running_time(segment.stop().map_or(end, |s| end.min(s)))
        });
        Some(crate::frame_grid::Span {
            start: start.nseconds(),
            end: end.map(|e| e.nseconds()),
        })
    }

    /// The frame shown by the output frame starting at running time `at`, given the frame the
    /// base class picked: the one on screen at `at`, so that the choice does not depend on
    /// where the render started.
    pub(super) fn shown(&self, picked: gst::Buffer, at: Option<gst::ClockTime>) -> gst::Buffer {
        let mut memory = self.picked.lock().unwrap_or_else(|e| e.into_inner());
        let same = memory
            .1
            .as_ref()
            .is_some_and(|c| c.as_ptr() == picked.as_ptr());
        if !same {
            memory.0 = memory.1.replace(picked.clone());
        }
        let (Some(at), Some(current)) = (at, self.span(&picked)) else {
            return picked;
        };
        let previous = memory.0.as_ref().and_then(|p| Some((p, self.span(p)?)));
        match previous {
            Some((p, span))
                if crate::frame_grid::shows_previous(at.nseconds(), Some(span), current) =>
            {
                p.clone()
            }
            _ => picked,
        }
    }

    /// Forgets the frames picked (flush: what comes next is not their continuation).
    pub(super) fn forget(&self) {
        *self.picked.lock().unwrap_or_else(|e| e.into_inner()) = (None, None);
    }
}

#[glib::object_subclass]
impl ObjectSubclass for ParallelCompositorPad {
    const NAME: &'static str = "GstParallelCompositorPad";
    type Type = super::ParallelCompositorPad;
    type ParentType = gst_video::VideoAggregatorPad;
}

impl ObjectImpl for ParallelCompositorPad {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: Lazy<Vec<glib::ParamSpec>> = Lazy::new(|| {
            let controllable = glib::ParamFlags::READWRITE | gst::PARAM_FLAG_CONTROLLABLE;
            let mut props: Vec<glib::ParamSpec> = NUMBERS
                .iter()
                .map(|n| {
                    glib::ParamSpecDouble::builder(n.name)
                        .nick(n.nick)
                        .blurb(n.blurb)
                        .minimum(n.min)
                        .maximum(n.max)
                        .default_value(n.default)
                        .flags(controllable)
                        .mutable_playing()
                        .build()
                })
                .collect();
            let colour = |name: &str, nick: &str, blurb: &str, default: u32| {
                glib::ParamSpecUInt::builder(name)
                    .nick(nick)
                    .blurb(blurb)
                    .default_value(default)
                    .flags(controllable)
                    .mutable_playing()
                    .build()
            };
            props.extend([
                glib::ParamSpecEnum::builder_with_default("sizing-policy", SizingPolicy::None)
                    .nick("Sizing policy")
                    .blurb("none: stretch to width x height; keep-aspect-ratio: fit inside it, centred")
                    .flags(controllable)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("operator", Operator::Over)
                    .nick("Operator")
                    .blurb("Blending onto the layers below: over, source (replace) or add")
                    .flags(controllable)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("corner-shape", CornerShape::Circular)
                    .nick("Corner shape")
                    .blurb("circular: quarter circles; squircle: superellipse corners (|x|^4 + |y|^4 = r^4)")
                    .flags(controllable)
                    .mutable_playing()
                    .build(),
                colour("border-color", "Border colour", "Colour of the border, 0xAARRGGBB", DEFAULT_BORDER_COLOR),
                colour("shadow-color", "Shadow colour", "Colour of the shadow with its opacity, 0xAARRGGBB; the shadow shows once shadow-blur, an offset or shadow-spread is set",
                    DEFAULT_SHADOW_COLOR),
            ]);
            props
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let name = pspec.name();
        // The param specs bound every value, so `get` cannot fail on a value GObject accepted.
        if let Some(n) = NUMBERS.iter().find(|n| n.name == name) {
            (n.set)(&mut s, value.get::<f64>().unwrap_or(n.default));
            return;
        }
        match name {
            "sizing-policy" => s.sizing = value.get().unwrap_or_default(),
            "operator" => s.operator = value.get().unwrap_or_default(),
            "corner-shape" => s.corner_shape = value.get().unwrap_or_default(),
            "border-color" => s.border_color = value.get().unwrap_or(DEFAULT_BORDER_COLOR),
            "shadow-color" => s.shadow.color = value.get().unwrap_or(DEFAULT_SHADOW_COLOR),
            _ => unimplemented!(),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let name = pspec.name();
        if let Some(n) = NUMBERS.iter().find(|n| n.name == name) {
            return (n.get)(&s).to_value();
        }
        match name {
            "sizing-policy" => s.sizing.to_value(),
            "operator" => s.operator.to_value(),
            "corner-shape" => s.corner_shape.to_value(),
            "border-color" => s.border_color.to_value(),
            "shadow-color" => s.shadow.color.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for ParallelCompositorPad {}
impl PadImpl for ParallelCompositorPad {}
impl AggregatorPadImpl for ParallelCompositorPad {}

impl VideoAggregatorPadImpl for ParallelCompositorPad {
    /// The frame is mapped on a worker thread, not here: nothing to prepare.
    fn prepare_frame(
        &self,
        _aggregator: &gst_video::VideoAggregator,
        _token: &gst_video::subclass::AggregateFramesToken,
        _buffer: &gst::Buffer,
    ) -> Option<gst_video::VideoFrame<gst_video::video_frame::Readable>> {
        None
    }

    fn clean_frame(
        &self,
        _aggregator: &gst_video::VideoAggregator,
        _token: &gst_video::subclass::AggregateFramesToken,
        _frame: Option<gst_video::VideoFrame<gst_video::video_frame::Readable>>,
    ) {
    }
}

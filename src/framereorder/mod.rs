//! `framereorder`: restores ascending timestamp order of frames that arrive out of order.
//!
//! Frames leave parallel branches (`roundrobin` → N branches → `funnel`), worker pools or several
//! sources in whatever order they finish; encoders and muxers need them in order. `framereorder`
//! holds them in a bounded window (see [`crate::reorder`]) until the next expected frame is present.
//!
//! With one sink pad it restores the order of one stream (e.g. behind `funnel`); with several it
//! merges them into one ordered stream, whether each pad is in order or not.
//!
//! ## Example pipeline
//! The one example the docs and `gst-inspect-1.0` (the element metadata) show:
//! ```text
#![doc = include_str!("example-pipeline.txt")]
//! ```
//!
//! ## Policies
//! - When waiting cannot bring the next frame (the window is full and every pad that could deliver it is
//!   itself waiting, a live deadline passed, or EOS), progress is forced: `missing-policy` says whether a
//!   GAP event covers the skipped range or the element just moves on.
//! - A frame older than what has already left follows `late-policy` (`drop` or `forward`).
//! - A frame whose timestamp is held or has just left is a duplicate and is dropped.
//!
//! Every frame not output is counted in the read-only `stats` structure.

use gst::glib;
use gst::prelude::*;

mod imp;

/// The element's example pipeline: two parallel branches merged in order.
pub const EXAMPLE_PIPELINE: &str = include_str!("example-pipeline.txt");

/// What happens when progress is forced past frames that never arrived.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstFrameReorderMissingPolicy")]
pub enum MissingPolicy {
    /// Move on to the next frame held.
    #[default]
    #[enum_value(name = "Skip: continue with the next frame held", nick = "skip")]
    Skip = 0,
    /// Push a GAP event covering the missing range, then the next frame held.
    #[enum_value(
        name = "Gap event: push a GAP event for the missing range",
        nick = "gap-event"
    )]
    GapEvent = 1,
}

/// What happens to a frame older than one that has already left.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstFrameReorderLatePolicy")]
pub enum LatePolicy {
    /// Drop it (counted as late).
    #[default]
    #[enum_value(name = "Drop: discard it and count it as late", nick = "drop")]
    Drop = 0,
    /// Push it at once, out of order (counted as late).
    #[enum_value(name = "Forward: push it at once, out of order", nick = "forward")]
    Forward = 1,
}

glib::wrapper! {
    /// The `framereorder` element.
    pub struct FrameReorder(ObjectSubclass<imp::FrameReorder>) @extends gst::Element, gst::Object;
}

/// Registers `framereorder` with `plugin`.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    #[cfg(feature = "doc")]
    {
        MissingPolicy::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
        LatePolicy::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    }
    gst::Element::register(
        Some(plugin),
        "framereorder",
        gst::Rank::NONE,
        FrameReorder::static_type(),
    )
}

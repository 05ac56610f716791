//! parallelcompositor: GStreamer elements that make a video export parallel.
//!
//! - `parallelcompositor`: composites N inputs on the GPU (wgpu) with frames in flight, output
//!   ordered and byte-identical whatever the parallelism.
//! - `framereorder`: restores ascending timestamp order of frames that arrive out of order.
//!
//! One frame flows in one direction: pads → [`compose::FramePlan`] (validated, every derived
//! parameter computed once) → the element's frame scheduler ([`pool`]) → a backend implementing
//! [`render::Renderer`] ([`cpu`] or [`gpu`]) → output in order.
//!
//! Pure modules shared by the elements: [`reorder`] (the reorder window), [`pool`] (worker
//! threads with results in submission order), [`compose`] and [`render`] (the frame contract),
//! [`frame_grid`] (frame times, shared with the range renderer `gst-render-range`).

use gst::glib;

pub mod compose;
pub mod cpu;
pub mod effects;
pub mod files;
pub mod frame_grid;
pub mod framereorder;
pub mod gpu;
pub mod parallelcompositor;
pub mod pool;
pub mod render;
pub mod reorder;
pub(crate) mod simd;
pub mod timeline;
pub mod transition;

fn plugin_init(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    framereorder::register(plugin)?;
    parallelcompositor::register(plugin)?;
    Ok(())
}

gst::plugin_define!(
    parallelcompositor,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    concat!(env!("CARGO_PKG_VERSION"), "-", env!("COMMIT_ID")),
    "MPL",
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_REPOSITORY"),
    env!("BUILD_REL_DATE")
);

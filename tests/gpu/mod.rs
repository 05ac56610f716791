//! Helpers of the renderer tests: the shared context, reference images as renderer inputs, and a
//! render into tightly packed RGBA.

#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use gstparallelcompositor::compose::{
    Background, LayerSource, OutputTarget, PixelFormat, PlaneMut, YuvColorimetry,
};
use gstparallelcompositor::gpu::{AdapterChoice, GpuContext, GpuRenderer};
use gstparallelcompositor::render::Renderer;

use gstparallelcompositor::transition::TransitionDraw;

pub fn context() -> Arc<GpuContext> {
    static CTX: OnceLock<Arc<GpuContext>> = OnceLock::new();
    CTX.get_or_init(|| match GpuContext::new(AdapterChoice::Auto) {
        Ok(ctx) => ctx,
        Err(e) => panic!("{e}"),
    })
    .clone()
}

#[allow(unused_imports)]
pub use crate::scene::{format_of, source};

/// Renders with `renderer` into tightly packed RGBA of `width` × `height`.
pub fn render_with(
    renderer: &mut GpuRenderer,
    background: &Background,
    sources: &[LayerSource<'_>],
    width: u32,
    height: u32,
) -> Vec<u8> {
    render_transitions(renderer, background, sources, &[], width, height)
}

/// Renders with `renderer` and `transitions` into tightly packed RGBA of `width` × `height`.
pub fn render_transitions(
    renderer: &mut GpuRenderer,
    background: &Background,
    sources: &[LayerSource<'_>],
    transitions: &[TransitionDraw],
    width: u32,
    height: u32,
) -> Vec<u8> {
    // A padded stride checks that rows land where the stride says.
    let stride = (width * 4 + 12) as usize;
    let mut buf = vec![0u8; stride * height as usize];
    let mut out = OutputTarget {
        format: PixelFormat::Rgba,
        width,
        height,
        planes: vec![PlaneMut {
            data: &mut buf,
            stride,
        }],
        colorimetry: YuvColorimetry::default(),
    };
    if let Err(e) = renderer.render_layers(background, sources, transitions, &mut out) {
        panic!("render: {e}");
    }
    buf.chunks(stride)
        .flat_map(|row| row[..(width * 4) as usize].to_vec())
        .collect()
}

/// Renders with a fresh renderer.
pub fn render(
    background: &Background,
    sources: &[LayerSource<'_>],
    width: u32,
    height: u32,
) -> Vec<u8> {
    render_with(
        &mut GpuRenderer::new(context()),
        background,
        sources,
        width,
        height,
    )
}

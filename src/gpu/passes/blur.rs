//! The blur pass (blur.wgsl): one direction of a separable gaussian between float textures.

use bytemuck::{Pod, Zeroable};

pub(crate) use super::FullscreenPass;

/// The shader text (compiled with common.wgsl prepended).
pub(crate) const WGSL: &str = include_str!("../shaders/blur.wgsl");

/// The WGSL `Blur` block.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Blur {
    /// One texel along the blurred axis.
    pub(crate) direction: [i32; 2],
    pub(crate) sigma: f32,
    /// Taps on each side.
    pub(crate) radius: i32,
}

/// Taps on each side of a gaussian of `sigma`: past 3σ the weights are below 1 %.
pub(crate) fn blur_radius(sigma: f64) -> i32 {
    if sigma <= 0.0 {
        0
    } else {
        ((3.0 * sigma).ceil() as i32 + 1).min(255)
    }
}

impl Blur {
    /// The block of a blur of `sigma`: horizontal when `horizontal`, else vertical.
    pub(crate) fn new(sigma: f64, horizontal: bool) -> Blur {
        Blur {
            direction: if horizontal { [1, 0] } else { [0, 1] },
            sigma: sigma.max(1e-3) as f32,
            radius: blur_radius(sigma),
        }
    }
}

/// The blur pass's pipeline on `device`: a full-screen pass over `blur.wgsl`.
pub(crate) fn pass(device: &wgpu::Device) -> FullscreenPass {
    FullscreenPass::new(device, "blur", "blur.wgsl", WGSL, "fs_blur")
}

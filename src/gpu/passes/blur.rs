//! The blur pass (blur.wgsl): one direction of a separable gaussian between float textures.

use bytemuck::{Pod, Zeroable};

use super::{
    color_target, pipeline, uniform_texture_group, uniform_texture_layout, with_common,
    PipelineDesc, Slot, COMPOSITE_FORMAT,
};

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

/// The blur pass's pipeline and bind group layout.
pub(crate) struct BlurPass {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
}

impl BlurPass {
    /// Builds the pass's pipeline on `device`.
    pub(crate) fn new(device: &wgpu::Device) -> BlurPass {
        let layout = uniform_texture_layout(device, "blur");
        let module = with_common(device, "blur.wgsl", WGSL);
        let pipeline = pipeline(
            device,
            PipelineDesc {
                label: "blur",
                layout: &layout,
                module: &module,
                vs: "vs_fullscreen",
                fs: "fs_blur",
                targets: &[color_target(COMPOSITE_FORMAT, None)],
            },
        );
        BlurPass { layout, pipeline }
    }

    /// A bind group blurring `source` as `slot` of `uniforms` says.
    pub(crate) fn bind_group(
        &self,
        device: &wgpu::Device,
        uniforms: &wgpu::Buffer,
        slot: Slot,
        source: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        uniform_texture_group(device, &self.layout, uniforms, slot, source)
    }

    /// Draws the full-screen triangle with `group`.
    pub(crate) fn draw(&self, pass: &mut wgpu::RenderPass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

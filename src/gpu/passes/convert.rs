//! The convert pass (convert.wgsl): the premultiplied float composite → the output format's
//! planes.

use bytemuck::{Pod, Zeroable};

use super::{begin, UniformTextureLayout};
use crate::compose::{PixelFormat, YuvColorimetry};

/// The shader text (compiled alone: it has its own vertex shader).
pub(crate) const WGSL: &str = include_str!("../shaders/convert.wgsl");

/// The WGSL `Convert` block.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Convert {
    /// Rows of the RGB → YUV affine transform.
    pub(crate) m0: [f32; 4],
    pub(crate) m1: [f32; 4],
    pub(crate) m2: [f32; 4],
    /// 1 when chroma sits on even luma columns / rows.
    pub(crate) cosited_h: u32,
    pub(crate) cosited_v: u32,
    pub(crate) _pad0: u32,
    pub(crate) _pad1: u32,
}

impl Convert {
    /// The block converting to `colorimetry`.
    pub(crate) fn new(colorimetry: &YuvColorimetry) -> Convert {
        let [m0, m1, m2] = colorimetry.rgb_to_yuv();
        Convert {
            m0,
            m1,
            m2,
            cosited_h: colorimetry.chroma_cosited_h as u32,
            cosited_v: colorimetry.chroma_cosited_v as u32,
            _pad0: 0,
            _pad1: 0,
        }
    }
}

/// The convert pass's pipelines (one per kind of output plane) and bind group layout.
pub(crate) struct ConvertPass {
    /// What its bind groups are made for.
    pub(crate) layout: UniformTextureLayout,
    to_rgba: wgpu::RenderPipeline,
    to_bgra: wgpu::RenderPipeline,
    to_y: wgpu::RenderPipeline,
    to_uv: wgpu::RenderPipeline,
    to_u_v: wgpu::RenderPipeline,
}

impl ConvertPass {
    /// Builds the pass's pipelines on `device`.
    pub(crate) fn new(device: &wgpu::Device) -> ConvertPass {
        let layout = UniformTextureLayout::new(device, "convert");
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("convert.wgsl"),
            source: wgpu::ShaderSource::Wgsl(WGSL.into()),
        });
        use wgpu::TextureFormat as T;
        let build = |label, fs, formats: &[T]| {
            layout.fullscreen_pipeline(device, label, &module, fs, formats)
        };
        ConvertPass {
            to_rgba: build("to-rgba", "fs_rgba", &[T::Rgba8Unorm]),
            to_bgra: build("to-bgra", "fs_rgba", &[T::Bgra8Unorm]),
            to_y: build("to-y", "fs_y", &[T::R8Unorm]),
            to_uv: build("to-uv", "fs_uv", &[T::Rg8Unorm]),
            to_u_v: build("to-u-v", "fs_u_v", &[T::R8Unorm, T::R8Unorm]),
            layout,
        }
    }

    /// Records the conversion into `planes`, the output planes of `format`.
    pub(crate) fn record(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        group: &wgpu::BindGroup,
        format: PixelFormat,
        planes: &[&wgpu::TextureView],
    ) {
        let mut convert = |pipeline: &wgpu::RenderPipeline, views: &[&wgpu::TextureView]| {
            let mut pass = begin(encoder, "convert", views);
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, group, &[]);
            pass.draw(0..3, 0..1);
        };
        let p = planes;
        match format {
            PixelFormat::Rgba | PixelFormat::Rgbx => convert(&self.to_rgba, &p[..1]),
            PixelFormat::Bgra | PixelFormat::Bgrx => convert(&self.to_bgra, &p[..1]),
            PixelFormat::I420 => {
                convert(&self.to_y, &p[..1]);
                convert(&self.to_u_v, &p[1..3]);
            }
            PixelFormat::Nv12 => {
                convert(&self.to_y, &p[..1]);
                convert(&self.to_uv, &p[1..2]);
            }
        }
    }
}

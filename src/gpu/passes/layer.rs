//! The layer pass (composite.wgsl): draws a layer as a card into the composite, and prepares a
//! source for blurring (fs_decode at its own size, fs_downsample reduced to cover the frame).

use bytemuck::{Pod, Zeroable};

use super::{
    blend, block_entry, color_target, pipeline, texture_entry, with_common, PipelineDesc, Slot,
    COMPOSITE_FORMAT,
};
use crate::compose::{DrawSample, LayerSource, PixelFormat, RoundedBox};
use crate::effects::{premultiplied, CardStyle, CornerShape};

/// The shader text (compiled with common.wgsl prepended).
pub(crate) const WGSL: &str = include_str!("../shaders/composite.wgsl");

/// Most motion samples one layer draw averages (the length of `Layer.samples`).
pub const MAX_SAMPLES: usize = crate::compose::MAX_MOTION_SAMPLES;

/// How the shader reads a source: `Layer.kind`, the cases of the switch in `content()` in
/// composite.wgsl.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// RGBA or BGRA with straight alpha.
    Rgba = 0,
    /// RGBx or BGRx: the alpha byte is ignored.
    Rgb = 1,
    /// Y, U and V planes.
    I420 = 2,
    /// Y and interleaved UV planes.
    Nv12 = 3,
    /// A premultiplied float copy (a blurred layer).
    Premultiplied = 4,
}

impl SourceKind {
    /// The kind of a source in `format`.
    pub(crate) fn of(format: PixelFormat) -> SourceKind {
        match format {
            PixelFormat::Rgba | PixelFormat::Bgra => SourceKind::Rgba,
            PixelFormat::Rgbx | PixelFormat::Bgrx => SourceKind::Rgb,
            PixelFormat::I420 => SourceKind::I420,
            PixelFormat::Nv12 => SourceKind::Nv12,
        }
    }
}

/// The WGSL `Sample`: one motion sample, every shape derived by the frame plan.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct Sample {
    /// The card, x0, y0, x1, y1 in output pixels.
    pub(crate) rect: [f32; 4],
    /// Source texel position = src.xy + (output position − rect.xy) · src.zw.
    pub(crate) src: [f32; 4],
    /// The border's inner edge, x0, y0, x1, y1.
    pub(crate) inner: [f32; 4],
    /// The shadow's rectangle, x0, y0, x1, y1.
    pub(crate) shadow_rect: [f32; 4],
    /// Corner radii of the card, the inner edge and the shadow; 0.
    pub(crate) radii: [f32; 4],
    /// 1 when there is a border; 1 when the shadow shows; 0, 0.
    pub(crate) flags: [u32; 4],
}

impl Sample {
    /// A sample that only maps `rect` (x0, y0, x1, y1) to the source (`src`): for the passes
    /// that read a source without a card (decode, downsample).
    pub(crate) fn mapping(rect: [f32; 4], src: [f32; 4]) -> Sample {
        Sample {
            rect,
            src,
            ..Default::default()
        }
    }

    /// A planned motion sample.
    pub(crate) fn of(s: &DrawSample) -> Sample {
        let empty = RoundedBox {
            rect: [0.0; 4],
            radius: 0.0,
        };
        let inner = s.inner.unwrap_or(empty);
        let shadow = s.shadow.unwrap_or(empty);
        Sample {
            inner: inner.rect,
            shadow_rect: shadow.rect,
            radii: [s.card.radius, inner.radius, shadow.radius, 0.0],
            flags: [s.inner.is_some() as u32, s.shadow.is_some() as u32, 0, 0],
            ..Sample::mapping(s.rect.map(|v| v as f32), s.src.map(|v| v as f32))
        }
    }
}

/// The WGSL `Layer` block.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Layer {
    /// The pixels drawn, x0, y0, x1, y1.
    pub(crate) bounds: [f32; 4],
    pub(crate) target_size: [f32; 2],
    /// Chroma texel position = luma position · 0.5 + chroma_bias.
    pub(crate) chroma_bias: [f32; 2],
    /// A [`SourceKind`].
    pub(crate) kind: u32,
    pub(crate) alpha: f32,
    pub(crate) n_samples: u32,
    /// 0: circular corners, 1: squircle.
    pub(crate) shape: u32,
    /// Rows of the YUV → RGB affine transform.
    pub(crate) m0: [f32; 4],
    pub(crate) m1: [f32; 4],
    pub(crate) m2: [f32; 4],
    /// 0, 0, shadow σ, 0.
    pub(crate) card: [f32; 4],
    /// Premultiplied.
    pub(crate) border_color: [f32; 4],
    /// Premultiplied.
    pub(crate) shadow_color: [f32; 4],
    /// fs_downsample: reduction factor, taps per side, output pixels per tap (the footprint's
    /// scale; 0 or 1 for a card).
    pub(crate) aux: [f32; 4],
    pub(crate) samples: [Sample; MAX_SAMPLES],
}

/// What one layer-shaped draw shows.
pub(crate) struct LayerArgs<'s> {
    /// The pixels to draw, x0, y0, x1, y1.
    pub(crate) bounds: [f32; 4],
    /// Size of the render target.
    pub(crate) target: (u32, u32),
    /// How the source is read.
    pub(crate) kind: SourceKind,
    /// Layer alpha.
    pub(crate) alpha: f32,
    /// The card's look; `None` for the plain passes (decode, downsample).
    pub(crate) card: Option<&'s CardStyle>,
    /// fs_downsample's reduction factor and taps.
    pub(crate) aux: [f32; 4],
    /// Motion samples (at least one; those past MAX_SAMPLES are dropped).
    pub(crate) samples: &'s [Sample],
}

impl Layer {
    /// The block of `layer` drawn as `args` says.
    pub(crate) fn new(layer: &LayerSource<'_>, args: &LayerArgs<'_>) -> Layer {
        // Chroma sample j sits at luma position 2j + 0.5 (cosited) or 2j + 1 (centred); as a
        // texel position with centres at j + 0.5 that is luma · 0.5 + 0.25 or luma · 0.5.
        let bias = |cosited: bool| if cosited { 0.25 } else { 0.0 };
        let plain = CardStyle::default();
        let card = args.card.unwrap_or(&plain);
        let shape = match args.card.map(|c| c.shape) {
            Some(CornerShape::Squircle) => 1,
            _ => 0,
        };
        let [m0, m1, m2] = layer.colorimetry.yuv_to_rgb();
        let mut samples = [Sample::default(); MAX_SAMPLES];
        for (to, from) in samples.iter_mut().zip(args.samples) {
            *to = *from;
        }
        Layer {
            bounds: args.bounds,
            target_size: [args.target.0 as f32, args.target.1 as f32],
            chroma_bias: [
                bias(layer.colorimetry.chroma_cosited_h),
                bias(layer.colorimetry.chroma_cosited_v),
            ],
            kind: args.kind as u32,
            alpha: args.alpha,
            n_samples: args.samples.len().clamp(1, MAX_SAMPLES) as u32,
            shape,
            m0,
            m1,
            m2,
            card: [0.0, 0.0, card.shadow.sigma.max(0.0) as f32, 0.0],
            border_color: premultiplied(card.border_color),
            shadow_color: premultiplied(card.shadow.color),
            aux: args.aux,
            samples,
        }
    }
}

/// Which blend a card draw uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayerBlend {
    /// Premultiplied "over".
    Over,
    /// Additive.
    Add,
    /// Removes what the card covers (the first half of the "source" operator).
    Erase,
}

/// Which pipeline a layer-shaped draw runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayerPipeline {
    /// A card, blended into the composite.
    Card(LayerBlend),
    /// A source → premultiplied float copy at its own size (before a content blur).
    Decode,
    /// A source → reduced premultiplied copy covering the frame (before a background blur).
    Downsample,
}

/// The layer pass's pipelines and bind group layout.
pub(crate) struct LayerPass {
    layout: wgpu::BindGroupLayout,
    over: wgpu::RenderPipeline,
    add: wgpu::RenderPipeline,
    erase: wgpu::RenderPipeline,
    decode: wgpu::RenderPipeline,
    downsample: wgpu::RenderPipeline,
}

impl LayerPass {
    /// Builds the pass's pipelines on `device`.
    pub(crate) fn new(device: &wgpu::Device) -> LayerPass {
        let uniform = block_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT);
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("layer"),
            entries: &[
                uniform,
                texture_entry(1, false),
                texture_entry(2, false),
                texture_entry(3, false),
            ],
        });
        let module = with_common(device, "composite.wgsl", WGSL);
        let build = |label, fs, blend| {
            pipeline(
                device,
                PipelineDesc {
                    label,
                    layout: &layout,
                    vs: (&module, "vs_layer"),
                    fs: (&module, fs),
                    targets: &[color_target(COMPOSITE_FORMAT, blend)],
                },
            )
        };
        use wgpu::BlendFactor as F;
        LayerPass {
            over: build("layer", "fs_layer", blend(F::One, F::OneMinusSrcAlpha)),
            add: build("layer", "fs_layer", blend(F::One, F::One)),
            erase: build("layer", "fs_erase", blend(F::Zero, F::OneMinusSrcAlpha)),
            decode: build("decode", "fs_decode", None),
            downsample: build("downsample", "fs_downsample", None),
            layout,
        }
    }

    /// A bind group reading `slot` of `uniforms` and the source planes `views`.
    pub(crate) fn bind_group(
        &self,
        device: &wgpu::Device,
        uniforms: &wgpu::Buffer,
        slot: Slot,
        views: [&wgpu::TextureView; 3],
    ) -> wgpu::BindGroup {
        let plane = |binding: u32, view| wgpu::BindGroupEntry {
            binding,
            resource: wgpu::BindingResource::TextureView(view),
        };
        super::new_bind_group(
            device,
            &wgpu::BindGroupDescriptor {
                label: Some("layer"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: slot.binding(uniforms),
                    },
                    plane(1, views[0]),
                    plane(2, views[1]),
                    plane(3, views[2]),
                ],
            },
        )
    }

    /// Draws the quad over `Layer.bounds` with `which` and `group`.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        which: LayerPipeline,
        group: &wgpu::BindGroup,
    ) {
        let pipeline = match which {
            LayerPipeline::Card(LayerBlend::Over) => &self.over,
            LayerPipeline::Card(LayerBlend::Add) => &self.add,
            LayerPipeline::Card(LayerBlend::Erase) => &self.erase,
            LayerPipeline::Decode => &self.decode,
            LayerPipeline::Downsample => &self.downsample,
        };
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, group, &[]);
        // Two triangles (vs_layer).
        pass.draw(0..6, 0..1);
    }
}

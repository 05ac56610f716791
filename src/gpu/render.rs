//! One worker's rendering: upload the input planes, composite, convert to the output format,
//! read back into the output planes. Textures and staging buffers are kept between frames and
//! rebuilt only when a size or format changes.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use super::context::{GpuContext, LayerBlend, COMPOSITE_FORMAT};
use super::transition::FRAME_UNIFORM_SIZE;
use super::uniforms::{
    backdrop_block, blur_block, convert_block, layer_block, mapping_words, sample_words,
    source_kind, BackdropPicture, LayerPass, UniformBytes, BACKDROP_SIZE, BLUR_SIZE, CONVERT_SIZE,
    KIND_PREMULTIPLIED, LAYER_SIZE,
};
use super::GpuError;
use crate::compose::{
    Background, FramePlan, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, Plane,
    PlaneMut, Timings, YuvColorimetry,
};
use crate::effects::{blur_reduction, cover, reduced_sigma, RgbaImage};
use crate::render::{RenderError, Renderer};
use crate::transition::TransitionDraw;

struct SourceTextures {
    key: (PixelFormat, u32, u32),
    textures: Vec<wgpu::Texture>,
    views: Vec<wgpu::TextureView>,
}

struct OutputPlane {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    width: u32,
    height: u32,
    bytes_per_pixel: u32,
    padded_row: u32,
    offset: u64,
}

struct Targets {
    key: (PixelFormat, u32, u32),
    composite: wgpu::TextureView,
    planes: Vec<OutputPlane>,
    staging: wgpu::Buffer,
}

/// Two float textures of one size: a blur reads one and writes the other.
struct Scratch {
    size: (u32, u32),
    views: [wgpu::TextureView; 2],
}

/// Per-worker GPU state: textures, targets and the uniform buffer.
#[derive(Default)]
pub(super) struct RenderCache {
    sources: Vec<SourceTextures>,
    targets: Option<Targets>,
    uniforms: Option<(wgpu::Buffer, u64)>,
    /// Blur scratch textures: one pair per layer index, and BACKGROUND_SCRATCH.
    scratch: std::collections::HashMap<usize, Scratch>,
    /// The background image as uploaded.
    image: Option<(Arc<RgbaImage>, wgpu::TextureView)>,
}

const BACKGROUND_SCRATCH: usize = usize::MAX;
/// Transition `t`'s card textures are scratch pair `TRANSITION_SCRATCH - t`.
const TRANSITION_SCRATCH: usize = usize::MAX - 1;

fn texture_format(format: PixelFormat, plane: usize) -> wgpu::TextureFormat {
    use wgpu::TextureFormat as T;
    match (format, plane) {
        (PixelFormat::I420, _) | (PixelFormat::Nv12, 0) => T::R8Unorm,
        (PixelFormat::Nv12, _) => T::Rg8Unorm,
        (PixelFormat::Rgba | PixelFormat::Rgbx, _) => T::Rgba8Unorm,
        (PixelFormat::Bgra | PixelFormat::Bgrx, _) => T::Bgra8Unorm,
    }
}

fn extent(width: u32, height: u32) -> wgpu::Extent3d {
    wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    }
}

fn new_texture(
    device: &wgpu::Device,
    label: &str,
    format: wgpu::TextureFormat,
    width: u32,
    height: u32,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: extent(width, height),
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}

impl RenderCache {
    fn sources_for(&mut self, ctx: &GpuContext, index: usize, layer: &LayerSource<'_>) {
        let key = (layer.format, layer.width, layer.height);
        if self.sources.get(index).is_some_and(|s| s.key == key) {
            return;
        }
        let textures: Vec<wgpu::Texture> = (0..layer.format.n_planes())
            .map(|plane| {
                let (w, h, _) = layer.format.plane_size(plane, layer.width, layer.height);
                new_texture(
                    &ctx.device,
                    "input plane",
                    texture_format(layer.format, plane),
                    w,
                    h,
                    wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                )
            })
            .collect();
        let views = textures
            .iter()
            .map(|t| t.create_view(&Default::default()))
            .collect();
        let entry = SourceTextures {
            key,
            textures,
            views,
        };
        if index < self.sources.len() {
            self.sources[index] = entry;
        } else {
            self.sources.push(entry);
        }
    }

    fn targets_for(&mut self, ctx: &GpuContext, format: PixelFormat, width: u32, height: u32) {
        let key = (format, width, height);
        if self.targets.as_ref().is_some_and(|t| t.key == key) {
            return;
        }
        use wgpu::TextureFormat as T;
        let formats: Vec<T> = match format {
            PixelFormat::Rgba | PixelFormat::Rgbx => vec![T::Rgba8Unorm],
            PixelFormat::Bgra | PixelFormat::Bgrx => vec![T::Bgra8Unorm],
            PixelFormat::I420 => vec![T::R8Unorm, T::R8Unorm, T::R8Unorm],
            PixelFormat::Nv12 => vec![T::R8Unorm, T::Rg8Unorm],
        };
        let mut offset = 0u64;
        let planes = formats
            .into_iter()
            .enumerate()
            .map(|(i, tf)| {
                let (w, h, bpp) = format.plane_size(i, width, height);
                let texture = new_texture(
                    &ctx.device,
                    "output plane",
                    tf,
                    w,
                    h,
                    wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                );
                let padded_row = (w * bpp).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
                let plane = OutputPlane {
                    view: texture.create_view(&Default::default()),
                    texture,
                    width: w,
                    height: h,
                    bytes_per_pixel: bpp,
                    padded_row,
                    offset,
                };
                offset += (padded_row as u64 * h as u64).next_multiple_of(256);
                plane
            })
            .collect();
        let composite = new_texture(
            &ctx.device,
            "composite",
            COMPOSITE_FORMAT,
            width,
            height,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: offset,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.targets = Some(Targets {
            key,
            composite,
            planes,
            staging,
        });
    }

    fn uniform_buffer(&mut self, ctx: &GpuContext, size: u64) -> wgpu::Buffer {
        if let Some((buf, cap)) = &self.uniforms {
            if *cap >= size {
                return buf.clone();
            }
        }
        let cap = size.next_power_of_two().max(4096);
        let buf = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("uniforms"),
            size: cap,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.uniforms = Some((buf.clone(), cap));
        buf
    }

    fn scratch_for(
        &mut self,
        ctx: &GpuContext,
        key: usize,
        w: u32,
        h: u32,
    ) -> [wgpu::TextureView; 2] {
        if let Some(s) = self.scratch.get(&key) {
            if s.size == (w, h) {
                return s.views.clone();
            }
        }
        let view = || {
            new_texture(
                &ctx.device,
                "blur scratch",
                COMPOSITE_FORMAT,
                w,
                h,
                wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            )
            .create_view(&Default::default())
        };
        let views = [view(), view()];
        self.scratch.insert(
            key,
            Scratch {
                size: (w, h),
                views: views.clone(),
            },
        );
        views
    }

    fn image_view(&mut self, ctx: &GpuContext, image: &Arc<RgbaImage>) -> wgpu::TextureView {
        if let Some((held, view)) = &self.image {
            if Arc::ptr_eq(held, image) {
                return view.clone();
            }
        }
        let texture = new_texture(
            &ctx.device,
            "background image",
            wgpu::TextureFormat::Rgba8Unorm,
            image.width,
            image.height,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        ctx.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &image.data,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(image.width * 4),
                rows_per_image: Some(image.height),
            },
            extent(image.width, image.height),
        );
        let view = texture.create_view(&Default::default());
        self.image = Some((image.clone(), view.clone()));
        view
    }

    fn upload(&mut self, ctx: &GpuContext, layers: &[LayerSource<'_>]) -> Result<(), GpuError> {
        for (i, layer) in layers.iter().enumerate() {
            if layer.planes.len() != layer.format.n_planes() {
                return Err(GpuError::Render(format!(
                    "{:?} input with {} planes",
                    layer.format,
                    layer.planes.len()
                )));
            }
            self.sources_for(ctx, i, layer);
            let src = &self.sources[i];
            for (plane, (texture, data)) in src.textures.iter().zip(&layer.planes).enumerate() {
                let (w, h, bpp) = layer.format.plane_size(plane, layer.width, layer.height);
                let needed = data.stride * (h as usize - 1) + (w * bpp) as usize;
                if data.data.len() < needed || data.stride < (w * bpp) as usize {
                    return Err(GpuError::Render(format!(
                        "input plane {plane} too small: {} bytes, stride {}, need {needed}",
                        data.data.len(),
                        data.stride
                    )));
                }
                ctx.queue.write_texture(
                    wgpu::TexelCopyTextureInfo {
                        texture,
                        mip_level: 0,
                        origin: wgpu::Origin3d::ZERO,
                        aspect: wgpu::TextureAspect::All,
                    },
                    &data.data[..needed],
                    wgpu::TexelCopyBufferLayout {
                        offset: 0,
                        bytes_per_row: Some(data.stride as u32),
                        rows_per_image: Some(h),
                    },
                    extent(w, h),
                );
            }
        }
        Ok(())
    }

    /// Renders one planned frame.
    pub(super) fn render(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, GpuError> {
        if let Some(why) = ctx.lost() {
            return Err(GpuError::DeviceLost(why));
        }
        let (width, height) = (output.width, output.height);
        let (background, layers, transitions) =
            (plan.background(), plan.layers(), plan.transitions());
        let transition_pipelines = transitions
            .iter()
            .map(|t| ctx.transition_pipeline(&t.kind))
            .collect::<Result<Vec<_>, _>>()?;

        // Every source is uploaded: a hidden layer may still be the blurred background.
        let start = Instant::now();
        self.upload(ctx, layers)?;
        let upload = start.elapsed();

        let start = Instant::now();
        let target = (width, height);
        let mut uniforms = UniformBytes::new(ctx.uniform_align);
        let convert_at = uniforms.push(&convert_block(&output.colorimetry));

        // The layers drawn, on their own or through a transition, with their samples.
        let drawn: Vec<(usize, &crate::compose::LayerDraw, Vec<_>)> = (0..layers.len())
            .filter_map(|i| {
                plan.draw(i)
                    .map(|d| (i, d, d.samples.iter().map(sample_words).collect()))
            })
            .collect();

        // Blur passes: (uniform offset, source view) → target view, in order.
        struct Pass {
            pipeline: Pipeline,
            group: wgpu::BindGroup,
            target: wgpu::TextureView,
        }
        #[derive(Clone, Copy)]
        enum Pipeline {
            Decode,
            Downsample,
            Blur,
        }
        let mut prep: Vec<(Pipeline, u64, PrepInput, wgpu::TextureView)> = Vec::new();
        enum PrepInput {
            Planes(usize),
            View(wgpu::TextureView),
        }
        // A blurred layer's content: decode, blur across, blur down; the result is views[0].
        let mut blurred: std::collections::HashMap<usize, wgpu::TextureView> = Default::default();
        for (i, draw, _) in &drawn {
            let layer = &layers[*i];
            let Some((sx, sy)) = draw.content_blur else {
                continue;
            };
            let views = self.scratch_for(ctx, *i, layer.width, layer.height);
            let identity = mapping_words(
                [0.0, 0.0, layer.width as f32, layer.height as f32],
                [0.0, 0.0, 1.0, 1.0],
            );
            let decode = layer_block(
                layer,
                &LayerPass {
                    bounds: [0.0, 0.0, layer.width as f32, layer.height as f32],
                    target: (layer.width, layer.height),
                    kind: source_kind(layer.format),
                    alpha: 1.0,
                    card: None,
                    aux: [0.0; 4],
                    samples: &[identity],
                },
            );
            prep.push((
                Pipeline::Decode,
                uniforms.push(&decode),
                PrepInput::Planes(*i),
                views[0].clone(),
            ));
            prep.push((
                Pipeline::Blur,
                uniforms.push(&blur_block(sx, true)),
                PrepInput::View(views[0].clone()),
                views[1].clone(),
            ));
            prep.push((
                Pipeline::Blur,
                uniforms.push(&blur_block(sy, false)),
                PrepInput::View(views[1].clone()),
                views[0].clone(),
            ));
            blurred.insert(*i, views[0].clone());
        }

        // The background's picture, if it has one.
        let (picture, picture_view) = match background {
            Background::Image(image) => (
                BackdropPicture::Image(image.width, image.height),
                Some(self.image_view(ctx, image)),
            ),
            Background::Blurred { layer: k, sigma } => {
                let layer = &layers[*k];
                let factor = blur_reduction(*sigma);
                let (lw, lh) = (width.div_ceil(factor), height.div_ceil(factor));
                let views = self.scratch_for(ctx, BACKGROUND_SCRATCH, lw, lh);
                let (x, y, s) = cover(
                    layer.width as f64,
                    layer.height as f64,
                    width as f64,
                    height as f64,
                );
                let mapping = mapping_words(
                    [
                        x as f32,
                        y as f32,
                        (x + layer.width as f64 * s) as f32,
                        (y + layer.height as f64 * s) as f32,
                    ],
                    [0.0, 0.0, (1.0 / s) as f32, (1.0 / s) as f32],
                );
                let down = layer_block(
                    layer,
                    &LayerPass {
                        bounds: [0.0, 0.0, lw as f32, lh as f32],
                        target: (lw, lh),
                        kind: source_kind(layer.format),
                        alpha: 1.0,
                        card: None,
                        aux: [factor as f32, factor.min(4) as f32, 0.0, 0.0],
                        samples: &[mapping],
                    },
                );
                let low_sigma = reduced_sigma(*sigma, factor);
                prep.push((
                    Pipeline::Downsample,
                    uniforms.push(&down),
                    PrepInput::Planes(*k),
                    views[0].clone(),
                ));
                if low_sigma > 0.0 {
                    prep.push((
                        Pipeline::Blur,
                        uniforms.push(&blur_block(low_sigma, true)),
                        PrepInput::View(views[0].clone()),
                        views[1].clone(),
                    ));
                    prep.push((
                        Pipeline::Blur,
                        uniforms.push(&blur_block(low_sigma, false)),
                        PrepInput::View(views[1].clone()),
                        views[0].clone(),
                    ));
                }
                (BackdropPicture::Reduced(factor), Some(views[0].clone()))
            }
            _ => (BackdropPicture::None, None),
        };
        let backdrop_at = uniforms.push(&backdrop_block(background, picture, target));

        let layer_at: Vec<u64> = drawn
            .iter()
            .map(|(i, draw, samples)| {
                let layer = &layers[*i];
                let kind = if blurred.contains_key(i) {
                    KIND_PREMULTIPLIED
                } else {
                    source_kind(layer.format)
                };
                uniforms.push(&layer_block(
                    layer,
                    &LayerPass {
                        bounds: [
                            draw.cols.start,
                            draw.rows.start,
                            draw.cols.end,
                            draw.rows.end,
                        ]
                        .map(|v| v as f32),
                        target,
                        kind,
                        alpha: draw.alpha,
                        card: Some(&layer.params.card),
                        aux: [0.0; 4],
                        samples,
                    },
                ))
            })
            .collect();

        let transition_at: Vec<u64> = transitions
            .iter()
            .map(|t| {
                let words = [
                    width as f32,
                    height as f32,
                    t.progress.clamp(0.0, 1.0),
                    width as f32 / height as f32,
                ];
                let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
                uniforms.push(&bytes)
            })
            .collect();
        // Each transition's two cards, each drawn alone onto a transparent frame.
        let card_views: Vec<[wgpu::TextureView; 2]> = (0..transitions.len())
            .map(|t| self.scratch_for(ctx, TRANSITION_SCRATCH - t, width, height))
            .collect();

        let size = uniforms.bytes.len() as u64;
        let buffer = self.uniform_buffer(ctx, size);
        ctx.queue.write_buffer(&buffer, 0, &uniforms.bytes);
        let binding = |offset: u64, size: u64| {
            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &buffer,
                offset,
                size: wgpu::BufferSize::new(size),
            })
        };
        let planes_group = |offset: u64, index: usize, own: Option<&wgpu::TextureView>| {
            let views = &self.sources[index].views;
            let view = |p: usize| match own {
                Some(v) if p == 0 => v,
                Some(_) => &ctx.dummy_view,
                None => views.get(p).unwrap_or(&ctx.dummy_view),
            };
            ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("layer"),
                layout: &ctx.layer_layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: binding(offset, LAYER_SIZE),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(view(0)),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: wgpu::BindingResource::TextureView(view(1)),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: wgpu::BindingResource::TextureView(view(2)),
                    },
                ],
            })
        };
        let view_group =
            |layout: &wgpu::BindGroupLayout, offset: u64, size: u64, view: &wgpu::TextureView| {
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("uniform + texture"),
                    layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: binding(offset, size),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: wgpu::BindingResource::TextureView(view),
                        },
                    ],
                })
            };
        let passes: Vec<Pass> = prep
            .into_iter()
            .map(|(pipeline, offset, input, target)| {
                let group = match input {
                    PrepInput::Planes(i) => planes_group(offset, i, None),
                    PrepInput::View(v) => view_group(&ctx.convert_layout, offset, BLUR_SIZE, &v),
                };
                Pass {
                    pipeline,
                    group,
                    target,
                }
            })
            .collect();
        let backdrop_group = view_group(
            &ctx.backdrop_layout,
            backdrop_at,
            BACKDROP_SIZE,
            picture_view.as_ref().unwrap_or(&ctx.dummy_view),
        );
        let layer_groups: std::collections::HashMap<usize, wgpu::BindGroup> = drawn
            .iter()
            .zip(&layer_at)
            .map(|((i, _, _), offset)| (*i, planes_group(*offset, *i, blurred.get(i))))
            .collect();
        let transition_groups: Vec<wgpu::BindGroup> = transition_pipelines
            .iter()
            .zip(&transition_at)
            .zip(&card_views)
            .map(|((tp, offset), views)| {
                let mut entries = vec![
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: binding(*offset, FRAME_UNIFORM_SIZE),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(&views[0]),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: wgpu::BindingResource::TextureView(&views[1]),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: wgpu::BindingResource::Sampler(&ctx.linear_sampler),
                    },
                ];
                if let Some(params) = &tp.params {
                    entries.push(wgpu::BindGroupEntry {
                        binding: 4,
                        resource: params.as_entire_binding(),
                    });
                }
                for (k, view) in tp.images.iter().enumerate() {
                    entries.push(wgpu::BindGroupEntry {
                        binding: 5 + k as u32,
                        resource: wgpu::BindingResource::TextureView(view),
                    });
                }
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("transition"),
                    layout: &tp.layout,
                    entries: &entries,
                })
            })
            .collect();

        self.targets_for(ctx, output.format, width, height);
        let Some(targets) = self.targets.as_ref() else {
            return Err(GpuError::Render("no render targets".into()));
        };
        let convert_group = view_group(
            &ctx.convert_layout,
            convert_at,
            CONVERT_SIZE,
            &targets.composite,
        );

        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        for pass in &passes {
            let mut rp = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("prepare"),
                color_attachments: &[attachment(&pass.target)],
                ..Default::default()
            });
            let (pipeline, vertices) = match pass.pipeline {
                Pipeline::Decode => (&ctx.decode, 6),
                Pipeline::Downsample => (&ctx.downsample, 6),
                Pipeline::Blur => (&ctx.blur, 3),
            };
            rp.set_pipeline(pipeline);
            rp.set_bind_group(0, &pass.group, &[]);
            rp.draw(0..vertices, 0..1);
        }
        for (tr, views) in transitions.iter().zip(&card_views) {
            for (layer, view) in [(tr.from, &views[0]), (tr.to, &views[1])] {
                let mut rp = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("transition card"),
                    color_attachments: &[attachment(view)],
                    ..Default::default()
                });
                // On a transparent target every operator gives the card itself.
                if let Some(group) = layer_groups.get(&layer) {
                    rp.set_pipeline(ctx.layer_pipeline(LayerBlend::Over));
                    rp.set_bind_group(0, group, &[]);
                    rp.draw(0..6, 0..1);
                }
            }
        }
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("composite"),
                color_attachments: &[attachment(&targets.composite)],
                ..Default::default()
            });
            pass.set_pipeline(&ctx.background);
            pass.set_bind_group(0, &backdrop_group, &[]);
            pass.draw(0..3, 0..1);
            for (i, layer) in layers.iter().enumerate() {
                if let Some(t) = plan.transition_of(i) {
                    // Drawn once, where the upper of its two layers would be.
                    if i == plan.transition_z(t) {
                        pass.set_pipeline(&transition_pipelines[t].pipeline);
                        pass.set_bind_group(0, &transition_groups[t], &[]);
                        pass.draw(0..3, 0..1);
                    }
                    continue;
                }
                let Some(group) = layer_groups.get(&i) else {
                    continue;
                };
                pass.set_bind_group(0, group, &[]);
                let blends: &[LayerBlend] = match layer.params.operator {
                    Operator::Over => &[LayerBlend::Over],
                    Operator::Add => &[LayerBlend::Add],
                    Operator::Source => &[LayerBlend::Erase, LayerBlend::Add],
                };
                for blend in blends {
                    pass.set_pipeline(ctx.layer_pipeline(*blend));
                    pass.draw(0..6, 0..1);
                }
            }
        }
        let mut convert = |pipeline: &wgpu::RenderPipeline, views: &[&wgpu::TextureView]| {
            let attachments: Vec<_> = views.iter().map(|v| attachment(v)).collect();
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("convert"),
                color_attachments: &attachments,
                ..Default::default()
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &convert_group, &[]);
            pass.draw(0..3, 0..1);
        };
        let p = &targets.planes;
        match output.format {
            PixelFormat::Rgba | PixelFormat::Rgbx => convert(&ctx.to_rgba, &[&p[0].view]),
            PixelFormat::Bgra | PixelFormat::Bgrx => convert(&ctx.to_bgra, &[&p[0].view]),
            PixelFormat::I420 => {
                convert(&ctx.to_y, &[&p[0].view]);
                convert(&ctx.to_u_v, &[&p[1].view, &p[2].view]);
            }
            PixelFormat::Nv12 => {
                convert(&ctx.to_y, &[&p[0].view]);
                convert(&ctx.to_uv, &[&p[1].view]);
            }
        }
        for plane in &targets.planes {
            encoder.copy_texture_to_buffer(
                wgpu::TexelCopyTextureInfo {
                    texture: &plane.texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                wgpu::TexelCopyBufferInfo {
                    buffer: &targets.staging,
                    layout: wgpu::TexelCopyBufferLayout {
                        offset: plane.offset,
                        bytes_per_row: Some(plane.padded_row),
                        rows_per_image: Some(plane.height),
                    },
                },
                extent(plane.width, plane.height),
            );
        }
        let submission = ctx.queue.submit([encoder.finish()]);
        let (tx, rx) = mpsc::channel();
        targets
            .staging
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r);
            });
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout: None,
            })
            .map_err(|e| GpuError::Render(format!("waiting for the GPU: {e}")))?;
        let render = start.elapsed();

        let start = Instant::now();
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(GpuError::Render(format!("mapping the readback: {e}"))),
            Err(_) => return Err(GpuError::Render("readback was never mapped".into())),
        }
        if output.planes.len() != targets.planes.len() {
            return Err(GpuError::Render(format!(
                "{:?} output with {} planes",
                output.format,
                output.planes.len()
            )));
        }
        {
            let mapped = targets
                .staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Render(format!("reading the readback: {e}")))?;
            for (plane, out) in targets.planes.iter().zip(output.planes.iter_mut()) {
                let row = (plane.width * plane.bytes_per_pixel) as usize;
                for y in 0..plane.height as usize {
                    let src = plane.offset as usize + y * plane.padded_row as usize;
                    let dst = y * out.stride;
                    let Some(dst_row) = out.data.get_mut(dst..dst + row) else {
                        return Err(GpuError::Render(format!(
                            "output plane too small for row {y} (stride {})",
                            out.stride
                        )));
                    };
                    dst_row.copy_from_slice(&mapped[src..src + row]);
                }
            }
        }
        targets.staging.unmap();
        let readback = start.elapsed();
        Ok(Timings {
            upload,
            render,
            readback,
        })
    }
}

fn attachment(view: &wgpu::TextureView) -> Option<wgpu::RenderPassColorAttachment<'_>> {
    Some(wgpu::RenderPassColorAttachment {
        view,
        depth_slice: None,
        resolve_target: None,
        ops: wgpu::Operations {
            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
            store: wgpu::StoreOp::Store,
        },
    })
}

/// Renders tiny frames that use every pipeline once.
pub(super) fn warm_up(ctx: &GpuContext) -> Result<(), GpuError> {
    use crate::compose::{Crop, Rect};
    use crate::effects::{CardStyle, CornerShape, LayerGeometry, Shadow};
    let (w, h) = (8u32, 8u32);
    static RGBA: [u8; 8 * 8 * 4] = [128; 8 * 8 * 4];
    static LUMA: [u8; 8 * 8] = [100; 8 * 8];
    // Large enough for both a U/V plane and NV12's interleaved UV plane.
    static CHROMA: [u8; 8 * 8 / 2] = [120; 8 * 8 / 2];
    let (rgba, luma, chroma): (&'static [u8], &'static [u8], &'static [u8]) =
        (&RGBA, &LUMA, &CHROMA);
    // The first layer also carries every card effect and motion blur, so that each branch
    // of the card shader is compiled now.
    let params = |operator| {
        let mut p = LayerParams::placed(
            Rect {
                x: 0.5,
                y: 0.5,
                w: 6.0,
                h: 6.0,
            },
            Crop::default(),
            0.5,
            operator,
        );
        if operator == Operator::Over {
            p.card = CardStyle {
                radius: 2.0,
                shape: CornerShape::Squircle,
                border_width: 1.0,
                border_color: 0xffff_ffff,
                shadow: Shadow {
                    offset_y: 1.0,
                    sigma: 1.0,
                    color: 0x8000_0000,
                    ..Default::default()
                },
                blur: 1.0,
            };
            p.motion = vec![LayerGeometry {
                dst: Rect { x: 1.0, ..p.dst },
                crop: p.crop,
                zoom: p.zoom,
            }];
        }
        p
    };
    // Tightly packed planes of a `w` × `h` image.
    let tight = |format: PixelFormat, data: &[&'static [u8]]| -> Vec<Plane<'static>> {
        data.iter()
            .enumerate()
            .map(|(p, d)| {
                let (pw, _, bpp) = format.plane_size(p, w, h);
                Plane {
                    data: d,
                    stride: (pw * bpp) as usize,
                }
            })
            .collect()
    };
    let layer = |format, data: &[&'static [u8]], operator| LayerSource {
        format,
        width: w,
        height: h,
        planes: tight(format, data),
        colorimetry: YuvColorimetry::default(),
        params: params(operator),
    };
    let layers = [
        layer(PixelFormat::Rgba, &[rgba], Operator::Over),
        layer(PixelFormat::I420, &[luma, chroma, chroma], Operator::Source),
        layer(PixelFormat::Nv12, &[luma, chroma], Operator::Add),
    ];
    let mut cache = RenderCache::default();
    for format in [
        PixelFormat::Rgba,
        PixelFormat::Bgra,
        PixelFormat::I420,
        PixelFormat::Nv12,
    ] {
        // (stride, rows) of each tightly packed output plane.
        let shapes: Vec<(usize, usize)> = (0..format.n_planes())
            .map(|p| {
                let (pw, ph, bpp) = format.plane_size(p, w, h);
                ((pw * bpp) as usize, ph as usize)
            })
            .collect();
        let mut bufs: Vec<Vec<u8>> = shapes.iter().map(|(s, r)| vec![0u8; s * r]).collect();
        let mut output = OutputTarget {
            format,
            width: w,
            height: h,
            planes: bufs
                .iter_mut()
                .zip(&shapes)
                .map(|(b, (stride, _))| PlaneMut {
                    stride: *stride,
                    data: b.as_mut_slice(),
                })
                .collect(),
            colorimetry: YuvColorimetry::default(),
        };
        // The background passes: the blurred copy of a layer, then the plain kinds (one
        // pipeline, so compiling it once suffices).
        let background = if format == PixelFormat::Rgba {
            Background::Blurred {
                layer: 1,
                sigma: 4.0,
            }
        } else {
            Background::Checker
        };
        let plan = FramePlan::new(background, layers.to_vec(), Vec::new(), &output)
            .map_err(|e| GpuError::Render(e.to_string()))?;
        cache.render(ctx, &plan, &mut output)?;
    }
    Ok(())
}

/// One worker's renderer: the shared context and this worker's textures.
pub struct GpuRenderer {
    ctx: Arc<GpuContext>,
    cache: RenderCache,
}

impl std::fmt::Debug for GpuRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuRenderer")
            .field("ctx", &self.ctx)
            .finish()
    }
}

impl GpuRenderer {
    /// A renderer drawing with `ctx`.
    pub fn new(ctx: Arc<GpuContext>) -> Self {
        GpuRenderer {
            ctx,
            cache: RenderCache::default(),
        }
    }
}

impl Renderer for GpuRenderer {
    fn render(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        // Allocation failures are reported through the error scope, not as a panic.
        let scope = self
            .ctx
            .device
            .push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let result = self.cache.render(&self.ctx, plan, output);
        let oom = super::block_on(scope.pop());
        if let Some(e) = oom {
            return Err(RenderError::OutOfMemory(format!(
                "{} ({})",
                e,
                self.ctx.info().name
            )));
        }
        result.map_err(|e| match e {
            GpuError::DeviceLost(why) => {
                RenderError::DeviceLost(format!("{} ({why})", self.ctx.info().name))
            }
            other => RenderError::Failed(other.to_string()),
        })
    }
}

impl GpuContext {
    /// Builds `kind`'s pipeline and draws it once on a tiny frame, so that a driver which
    /// compiles at first draw (lavapipe) does it before the first real frame.
    pub fn prepare_transition(
        &self,
        kind: &crate::transition::TransitionKind,
    ) -> Result<(), GpuError> {
        use crate::compose::{Crop, Rect};
        let (w, h) = (4u32, 4u32);
        static RGBA: [u8; 4 * 4 * 4] = [200; 4 * 4 * 4];
        let layer = LayerSource {
            format: PixelFormat::Rgba,
            width: w,
            height: h,
            planes: vec![Plane {
                data: &RGBA,
                stride: 16,
            }],
            colorimetry: YuvColorimetry::default(),
            params: LayerParams::placed(
                Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 4.0,
                    h: 4.0,
                },
                Crop::default(),
                1.0,
                Operator::Over,
            ),
        };
        let mut out = vec![0u8; 64];
        let mut target = OutputTarget {
            format: PixelFormat::Rgba,
            width: w,
            height: h,
            planes: vec![PlaneMut {
                data: &mut out,
                stride: 16,
            }],
            colorimetry: YuvColorimetry::default(),
        };
        let draw = TransitionDraw {
            from: 0,
            to: 1,
            progress: 0.5,
            kind: kind.clone(),
        };
        let plan = FramePlan::new(
            Background::Solid(0),
            vec![layer.clone(), layer],
            vec![draw],
            &target,
        )
        .map_err(|e| GpuError::Render(e.to_string()))?;
        RenderCache::default().render(self, &plan, &mut target)?;
        Ok(())
    }
}

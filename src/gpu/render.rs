//! One worker's rendering: upload the input planes, composite, convert to the output format,
//! read back into the output planes. Textures and staging buffers are kept between frames and
//! rebuilt only when a size or format changes.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::context::{GpuContext, LayerBlend, COMPOSITE_FORMAT};
use super::GpuError;
use crate::compose::{Background, LayerParams, Operator, PixelFormat, YuvColorimetry};

/// One plane of an input image.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The bytes, from the first pixel of the first row.
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// One plane of the output image.
#[derive(Debug)]
pub struct PlaneMut<'a> {
    /// The bytes, from the first pixel of the first row.
    pub data: &'a mut [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// One input of a frame.
#[derive(Debug, Clone)]
pub struct LayerSource<'a> {
    /// Pixel layout of `planes`.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The planes, as many as the format has.
    pub planes: Vec<Plane<'a>>,
    /// How YUV values map to RGB (ignored for RGB formats).
    pub colorimetry: YuvColorimetry,
    /// Placement and blending.
    pub params: LayerParams,
}

/// Where a frame is written.
#[derive(Debug)]
pub struct OutputTarget<'a> {
    /// Pixel layout of `planes`.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The planes, as many as the format has.
    pub planes: Vec<PlaneMut<'a>>,
    /// How RGB maps to YUV (ignored for RGB formats).
    pub colorimetry: YuvColorimetry,
}

/// Where one frame's time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Copying the input planes to the GPU.
    pub upload: Duration,
    /// Recording, submitting and waiting for the passes and the copy to the staging buffer.
    pub render: Duration,
    /// Mapping the staging buffer and copying rows into the output planes.
    pub readback: Duration,
}

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

/// Per-worker GPU state: textures, targets and the uniform buffer.
#[derive(Default)]
pub(super) struct RenderCache {
    sources: Vec<SourceTextures>,
    targets: Option<Targets>,
    uniforms: Option<(wgpu::Buffer, u64)>,
}

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

/// Appends `words` (f32 or u32 bit patterns) to a uniform slot.
fn push_words(out: &mut Vec<u8>, words: &[u32]) {
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

fn f(v: f32) -> u32 {
    v.to_bits()
}

fn layer_uniform(layer: &LayerSource<'_>, target: (u32, u32)) -> Vec<u8> {
    let p = &layer.params;
    let mut out = Vec::with_capacity(112);
    // Callers skip layers whose crop leaves nothing, so the window exists.
    let (cx, cy, cw, ch) = p.crop.window(layer.width, layer.height).unwrap_or((
        0.0,
        0.0,
        layer.width as f64,
        layer.height as f64,
    ));
    let kind = match layer.format {
        PixelFormat::Rgba | PixelFormat::Bgra => 0u32,
        PixelFormat::Rgbx | PixelFormat::Bgrx => 1,
        PixelFormat::I420 => 2,
        PixelFormat::Nv12 => 3,
    };
    // Chroma sample j sits at luma position 2j + 0.5 (cosited) or 2j + 1 (centred); as a texel
    // position with centres at j + 0.5 that is luma · 0.5 + 0.25 or luma · 0.5.
    let bias = |cosited: bool| if cosited { 0.25 } else { 0.0 };
    let m = layer.colorimetry.yuv_to_rgb();
    push_words(
        &mut out,
        &[
            f(p.dst.x as f32),
            f(p.dst.y as f32),
            f((p.dst.x + p.dst.w) as f32),
            f((p.dst.y + p.dst.h) as f32),
            f(cx as f32),
            f(cy as f32),
            f((cw / p.dst.w) as f32),
            f((ch / p.dst.h) as f32),
            f(bias(layer.colorimetry.chroma_cosited_h)),
            f(bias(layer.colorimetry.chroma_cosited_v)),
            f(target.0 as f32),
            f(target.1 as f32),
            kind,
            f(p.alpha.clamp(0.0, 1.0) as f32),
            0,
            0,
        ],
    );
    for row in m {
        push_words(&mut out, &row.map(f));
    }
    out
}

fn backdrop_uniform(background: &Background) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    match background {
        Background::Solid(_) => {
            let c = background.premultiplied_at(0, 0);
            push_words(
                &mut out,
                &[f(c[0]), f(c[1]), f(c[2]), f(c[3]), 0, f(1.0), 0, 0],
            );
        }
        Background::Checker => {
            let g = crate::compose::CHECKER_GREYS.map(|g| g as f32 / 255.0);
            let size = crate::compose::CHECKER_SIZE as f32;
            push_words(&mut out, &[f(g[0]), f(g[1]), 0, 0, 1, f(size), 0, 0]);
        }
    }
    out
}

fn convert_uniform(colorimetry: &YuvColorimetry) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    for row in colorimetry.rgb_to_yuv() {
        push_words(&mut out, &row.map(f));
    }
    push_words(
        &mut out,
        &[
            colorimetry.chroma_cosited_h as u32,
            colorimetry.chroma_cosited_v as u32,
            0,
            0,
        ],
    );
    out
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

    /// Renders one frame. Layers come bottom first.
    pub(super) fn render(
        &mut self,
        ctx: &GpuContext,
        background: &Background,
        layers: &[LayerSource<'_>],
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, GpuError> {
        if let Some(why) = ctx.lost() {
            return Err(GpuError::DeviceLost(why));
        }
        let (width, height) = (output.width, output.height);
        if width == 0 || height == 0 {
            return Err(GpuError::Render(format!(
                "empty output size {width}x{height}"
            )));
        }
        let layers: Vec<&LayerSource<'_>> = layers
            .iter()
            .filter(|l| {
                let p = &l.params;
                l.params.crop.window(l.width, l.height).is_some()
                    && p.dst.w > 0.0
                    && p.dst.h > 0.0
                    && (p.alpha > 0.0 || p.operator == Operator::Source)
            })
            .collect();

        // Upload.
        let start = Instant::now();
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
        let upload = start.elapsed();

        // Uniforms: slot 0 backdrop, slot 1 conversion, then one per layer.
        let start = Instant::now();
        let align = ctx.uniform_align;
        let slots = 2 + layers.len() as u64;
        let mut bytes = vec![0u8; (slots * align) as usize];
        let mut put = |slot: u64, data: Vec<u8>| {
            let at = (slot * align) as usize;
            bytes[at..at + data.len()].copy_from_slice(&data);
        };
        put(0, backdrop_uniform(background));
        put(1, convert_uniform(&output.colorimetry));
        for (i, layer) in layers.iter().enumerate() {
            put(2 + i as u64, layer_uniform(layer, (width, height)));
        }
        let uniforms = self.uniform_buffer(ctx, slots * align);
        ctx.queue.write_buffer(&uniforms, 0, &bytes);
        let binding = |slot: u64, size: u64| {
            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &uniforms,
                offset: slot * align,
                size: wgpu::BufferSize::new(size),
            })
        };

        self.targets_for(ctx, output.format, width, height);
        let Some(targets) = self.targets.as_ref() else {
            return Err(GpuError::Render("no render targets".into()));
        };
        let backdrop_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("backdrop"),
            layout: &ctx.backdrop_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: binding(0, 32),
            }],
        });
        let layer_groups: Vec<wgpu::BindGroup> = layers
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let views = &self.sources[i].views;
                let view = |p: usize| views.get(p).unwrap_or(&ctx.dummy_view);
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("layer"),
                    layout: &ctx.layer_layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: binding(2 + i as u64, 112),
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
            })
            .collect();
        let convert_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("convert"),
            layout: &ctx.convert_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: binding(1, 64),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&targets.composite),
                },
            ],
        });

        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("composite"),
                color_attachments: &[attachment(&targets.composite)],
                ..Default::default()
            });
            pass.set_pipeline(&ctx.background);
            pass.set_bind_group(0, &backdrop_group, &[]);
            pass.draw(0..3, 0..1);
            for (layer, group) in layers.iter().zip(&layer_groups) {
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
    let (w, h) = (8u32, 8u32);
    static RGBA: [u8; 8 * 8 * 4] = [128; 8 * 8 * 4];
    static LUMA: [u8; 8 * 8] = [100; 8 * 8];
    // Large enough for both a U/V plane and NV12's interleaved UV plane.
    static CHROMA: [u8; 8 * 8 / 2] = [120; 8 * 8 / 2];
    let (rgba, luma, chroma): (&'static [u8], &'static [u8], &'static [u8]) =
        (&RGBA, &LUMA, &CHROMA);
    let params = |operator| LayerParams {
        dst: Rect {
            x: 0.5,
            y: 0.5,
            w: 6.0,
            h: 6.0,
        },
        crop: Crop::default(),
        alpha: 0.5,
        operator,
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
        cache.render(ctx, &Background::Checker, &layers, &mut output)?;
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

    /// Renders one frame: `background`, then `layers` bottom first, into `output`.
    pub fn render(
        &mut self,
        background: &Background,
        layers: &[LayerSource<'_>],
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, GpuError> {
        self.cache.render(&self.ctx, background, layers, output)
    }
}

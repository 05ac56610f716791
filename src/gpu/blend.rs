//! The hybrid route's shader blender: the CPU backend draws a shader transition's two cards,
//! and only the transition program runs here, on a wgpu device (the software adapter when
//! there is no GPU), over those two images at the output size; the result comes back as
//! premultiplied 8-bit RGBA for the CPU's composite. One pass, the wgpu backend's program, so
//! both draw the same picture within its tolerance; the pipeline writes without blending, and
//! onto what the target held when the program writes every pixel (else onto transparent).
//! Cards and result are 8-bit (`HYBRID_FORMAT`), not the wgpu backend's f16: half the bytes
//! to convert, copy and read on a software adapter, for at most half a code of rounding each
//! way (the output is 8-bit anyway). The CPU draws the cards straight into mapped upload
//! buffers, kept between frames: no staging copy of wgpu's own, allocated every frame.

use std::ops::Range;
use std::sync::Arc;

use super::context::GpuContext;
use super::passes::staging::PendingMap;
use super::passes::transition::{PcFrame, TransitionPipeline};
use super::passes::{extent, new_buffer, new_texture, Slot, UniformBytes, HYBRID_FORMAT};
use super::GpuError;
use crate::cpu::RowSink;
use crate::transition::TransitionKind;

/// Bytes of one texel (`HYBRID_FORMAT`).
const TEXEL: usize = 4;

/// Runs shader transitions for one CPU renderer (one worker): its textures, kept between
/// frames of the same size, on a device shared with the other workers.
pub struct ShaderBlender {
    ctx: Arc<GpuContext>,
    targets: Option<Targets>,
    /// A transparent frame, to clear a card's texture when its area moves.
    zeros: Vec<u8>,
}

impl std::fmt::Debug for ShaderBlender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShaderBlender")
            .field("adapter", &self.ctx.info().name)
            .finish()
    }
}

/// The textures and buffers of one output size.
struct Targets {
    size: [usize; 2],
    /// FROM and TO, and the box each last received (outside it they hold transparent).
    cards: [(wgpu::Texture, Option<[Range<usize>; 2]>); 2],
    views: [wgpu::TextureView; 2],
    /// The cards' upload buffers (rows of `padded_row` bytes), mapped between frames: the CPU
    /// draws a card straight into one (no copy into a staging buffer of wgpu's own, which
    /// `write_texture` would allocate every frame).
    uploads: [wgpu::Buffer; 2],
    output: wgpu::Texture,
    output_view: wgpu::TextureView,
    /// Bytes per row of `staging` and `uploads` (copies take rows aligned to 256 bytes).
    padded_row: usize,
    staging: wgpu::Buffer,
    uniforms: wgpu::Buffer,
    slot: Slot,
    /// The bind group of the last pipeline used (pipelines are cached by the context, so the
    /// same transition finds it again).
    group: Option<(Arc<TransitionPipeline>, wgpu::BindGroup)>,
}

/// Where the CPU draws a card: rows of `stride` bytes of mapped upload memory (written, never
/// read), the area's first row first, each row's pixels from byte `x0` on (interleaved
/// premultiplied RGBA, 8-bit codes).
pub struct CardTarget<'a> {
    rows: wgpu::WriteOnly<'a, [u8]>,
    stride: usize,
    x0: usize,
}

// SAFETY: a `WriteOnly<'a, [u8]>` is a `&'a mut [u8]` that may only be written, and `&mut [u8]`
// is `Send`; wgpu's `WriteOnly<T>` is `Send` only for sized `T` because its impl is written
// `T: Send` (implying `Sized`), not for a reason of its own. Each `CardTarget` holds rows no
// other holds (`split` cuts them apart), and threads drawing into them end before the mapping
// they borrow does.
unsafe impl Send for CardTarget<'_> {}

impl RowSink for CardTarget<'_> {
    fn split(self, rows: usize) -> (Self, Self) {
        let at = (rows * self.stride).min(self.rows.len());
        let (head, tail) = self.rows.split_at(at);
        let part = |rows| CardTarget {
            rows,
            stride: self.stride,
            x0: self.x0,
        };
        (part(head), part(tail))
    }

    fn put(&mut self, i: usize, pixels: &[u8]) {
        let start = i * self.stride + self.x0;
        if start + pixels.len() <= self.rows.len() {
            self.rows
                .slice(start..start + pixels.len())
                .copy_from_slice(pixels);
        }
    }
}

impl ShaderBlender {
    /// A blender on `ctx`'s device.
    pub fn new(ctx: Arc<GpuContext>) -> Self {
        ShaderBlender {
            ctx,
            targets: None,
            zeros: Vec::new(),
        }
    }

    /// Builds `kind`'s pipeline and runs it once on a tiny frame, so that a driver which
    /// compiles at first draw (lavapipe) does it before the first real frame.
    pub fn prepare(ctx: &Arc<GpuContext>, kind: &TransitionKind) -> Result<(), GpuError> {
        let mut out = Vec::new();
        let area = [0..0, 0..0];
        ShaderBlender::new(ctx.clone()).blend_drawn(kind, 0.5, [4, 4], area, &mut |_| {}, &mut out)
    }

    /// Runs `kind` at `progress` over two cards that `draw` draws (FROM, TO: interleaved
    /// premultiplied RGBA, 8-bit codes, over `area` (columns, rows) of a `size` frame,
    /// transparent elsewhere) straight into the memory they are uploaded from, into `out`: the
    /// whole frame, interleaved premultiplied RGBA (8-bit), the transition drawn over
    /// transparent.
    pub fn blend_drawn(
        &mut self,
        kind: &TransitionKind,
        progress: f32,
        size: [usize; 2],
        area: [Range<usize>; 2],
        draw: &mut dyn FnMut([CardTarget<'_>; 2]),
        out: &mut Vec<u8>,
    ) -> Result<(), GpuError> {
        let result = self.try_blend(kind, progress, size, area, draw, out);
        if result.is_err() {
            // Buffers may be left unmapped or mid-map: the next frame starts afresh.
            self.targets = None;
        }
        result
    }

    fn try_blend(
        &mut self,
        kind: &TransitionKind,
        progress: f32,
        [w, h]: [usize; 2],
        area: [Range<usize>; 2],
        draw: &mut dyn FnMut([CardTarget<'_>; 2]),
        out: &mut Vec<u8>,
    ) -> Result<(), GpuError> {
        if w == 0 || h == 0 {
            out.clear();
            return Ok(());
        }
        let size = [w, h];
        let ctx = self.ctx.clone();
        let (device, queue) = (&ctx.device, &ctx.queue);
        let pipeline = ctx.transitions.pipeline(device, queue, kind, false)?;
        if self.targets.as_ref().is_some_and(|t| t.size != size) {
            self.targets = None;
        }
        let t = self.targets.get_or_insert_with(|| Targets::new(&ctx, size));
        let [cols, rows] = &area;
        let area = if cols.end <= w && rows.end <= h && !cols.is_empty() && !rows.is_empty() {
            area.clone()
        } else {
            [0..0, 0..0]
        };
        let [cols, rows] = &area;
        let stride = t.padded_row;
        if !cols.is_empty() {
            let span = rows.start * stride..rows.end * stride;
            let map = |k: usize| {
                t.uploads[k]
                    .slice(..)
                    .get_mapped_range_mut()
                    .map_err(|e| GpuError::Render(format!("writing a card upload: {e}")))
            };
            let (mut a, mut b) = (map(0)?, map(1)?);
            let target = |rows| CardTarget {
                rows,
                stride,
                x0: cols.start * TEXEL,
            };
            draw([target(a.slice(span.clone())), target(b.slice(span))]);
        }
        for k in 0..2 {
            t.uploads[k].unmap();
        }
        let mut encoder = device.create_command_encoder(&Default::default());
        for k in 0..2 {
            clear_outside(queue, &mut t.cards[k], size, &area, &mut self.zeros);
            if !cols.is_empty() {
                encoder.copy_buffer_to_texture(
                    wgpu::TexelCopyBufferInfo {
                        buffer: &t.uploads[k],
                        layout: wgpu::TexelCopyBufferLayout {
                            offset: (rows.start * stride + cols.start * TEXEL) as u64,
                            bytes_per_row: Some(stride as u32),
                            rows_per_image: Some(rows.len() as u32),
                        },
                    },
                    wgpu::TexelCopyTextureInfo {
                        texture: &t.cards[k].0,
                        mip_level: 0,
                        origin: wgpu::Origin3d {
                            x: cols.start as u32,
                            y: rows.start as u32,
                            z: 0,
                        },
                        aspect: wgpu::TextureAspect::All,
                    },
                    extent(cols.len() as u32, rows.len() as u32),
                );
            }
        }
        let mut block = UniformBytes::new(ctx.uniform_align);
        block.push(&PcFrame::new(w as u32, h as u32, progress));
        queue.write_buffer(&t.uniforms, 0, &block.bytes);
        if !t
            .group
            .as_ref()
            .is_some_and(|(p, _)| Arc::ptr_eq(p, &pipeline))
        {
            t.group = None;
        }
        let (uniforms, slot, views) = (&t.uniforms, t.slot, &t.views);
        let (pipeline, group) = &*t.group.get_or_insert_with(|| {
            let group = ctx
                .transitions
                .bind_group(device, &pipeline, uniforms, slot, views);
            (pipeline, group)
        });
        {
            // What the target held is overwritten when the program writes every pixel.
            let load = if pipeline.writes_every_pixel() {
                wgpu::LoadOp::Load
            } else {
                wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)
            };
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("shader transition"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &t.output_view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load,
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..Default::default()
            });
            pipeline.draw(&mut pass, group);
        }
        encoder.copy_texture_to_buffer(
            t.output.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &t.staging,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(t.padded_row as u32),
                    rows_per_image: Some(h as u32),
                },
            },
            extent(w as u32, h as u32),
        );
        let submission = queue.submit([encoder.finish()]);
        // The uploads are mapped again for the next frame once this one's copies are done.
        let maps = [0, 1]
            .map(|k| PendingMap::request(&t.uploads[k], wgpu::MapMode::Write, submission.clone()));
        t.read(&ctx, submission, out)?;
        for map in maps {
            map.wait(&ctx, "hybrid card upload")?;
        }
        Ok(())
    }
}

impl Targets {
    /// Waits for `submission`, then converts the result from the staging buffer into `out`.
    fn read(
        &self,
        ctx: &GpuContext,
        submission: wgpu::SubmissionIndex,
        out: &mut Vec<u8>,
    ) -> Result<(), GpuError> {
        let [w, h] = self.size;
        PendingMap::request(&self.staging, wgpu::MapMode::Read, submission)
            .wait(ctx, "hybrid readback")?;
        {
            let mapped = self
                .staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Render(format!("reading the readback: {e}")))?;
            out.resize(w * h * 4, 0);
            let stride = self.padded_row;
            for (y, row) in out.chunks_exact_mut(w * 4).enumerate() {
                row.copy_from_slice(&mapped[y * stride..][..w * 4]);
            }
        }
        self.staging.unmap();
        Ok(())
    }

    fn new(ctx: &GpuContext, [w, h]: [usize; 2]) -> Targets {
        let device = &ctx.device;
        use wgpu::TextureUsages as U;
        let card = || {
            let t = new_texture(
                device,
                "hybrid card",
                HYBRID_FORMAT,
                w as u32,
                h as u32,
                U::TEXTURE_BINDING | U::COPY_DST,
            );
            (t, None)
        };
        let cards = [card(), card()];
        let padded_row = (w * TEXEL).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize);
        let uploads = [0, 1].map(|_| {
            new_buffer(
                device,
                "hybrid card upload",
                (padded_row * h) as u64,
                wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                true,
            )
        });
        let views = [0, 1].map(|k| cards[k].0.create_view(&Default::default()));
        let output = new_texture(
            device,
            "hybrid transition",
            HYBRID_FORMAT,
            w as u32,
            h as u32,
            U::RENDER_ATTACHMENT | U::COPY_SRC,
        );
        let staging = new_buffer(
            device,
            "hybrid readback",
            (padded_row * h) as u64,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            false,
        );
        let mut block = UniformBytes::new(ctx.uniform_align);
        let slot = block.push(&PcFrame::new(w as u32, h as u32, 0.0));
        let uniforms = new_buffer(
            device,
            "hybrid frame block",
            block.bytes.len() as u64,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            false,
        );
        Targets {
            size: [w, h],
            output_view: output.create_view(&Default::default()),
            output,
            cards,
            views,
            uploads,
            padded_row,
            staging,
            uniforms,
            slot,
            group: None,
        }
    }
}

/// Clears `card` when its area moved (outside its area it must hold transparent, and only
/// the area is copied each frame); a card whose area is the whole frame needs no clearing.
fn clear_outside(
    queue: &wgpu::Queue,
    card: &mut (wgpu::Texture, Option<[Range<usize>; 2]>),
    [w, h]: [usize; 2],
    area: &[Range<usize>; 2],
    zeros: &mut Vec<u8>,
) {
    let whole = area[0].len() == w && area[1].len() == h;
    if card.1.as_ref() != Some(area) && !whole {
        zeros.clear();
        zeros.resize(w * h * TEXEL, 0);
        queue.write_texture(
            card.0.as_image_copy(),
            zeros,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some((w * TEXEL) as u32),
                rows_per_image: Some(h as u32),
            },
            extent(w as u32, h as u32),
        );
    }
    card.1 = Some(area.clone());
}

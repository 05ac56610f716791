//! The hybrid route's shader blender: the CPU backend draws a shader transition's two cards,
//! and only the transition program runs here, on a wgpu device (the software adapter when
//! there is no GPU), over those two images at the output size; the result comes back as
//! premultiplied 8-bit RGBA for the CPU's composite. One pass, the wgpu backend's program, so
//! both draw the same picture within its tolerance; the pipeline writes without blending (its
//! target starts transparent, so blending would change nothing but cost). Cards and result
//! are 8-bit (`HYBRID_FORMAT`), not the wgpu backend's f16: half the bytes to convert, copy and
//! read on a software adapter, for at most half a code of rounding each way (the output is
//! 8-bit anyway).

use std::ops::Range;
use std::sync::Arc;

use super::context::GpuContext;
use super::passes::staging::PendingMap;
use super::passes::transition::{PcFrame, TransitionPipeline};
use super::passes::{extent, new_buffer, new_texture, Slot, UniformBytes, HYBRID_FORMAT};
use super::GpuError;
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
    output: wgpu::Texture,
    output_view: wgpu::TextureView,
    /// Bytes per row of `staging` (copies take rows aligned to 256 bytes).
    padded_row: usize,
    staging: wgpu::Buffer,
    uniforms: wgpu::Buffer,
    slot: Slot,
    /// The bind group of the last pipeline used (pipelines are cached by the context, so the
    /// same transition finds it again).
    group: Option<(Arc<TransitionPipeline>, wgpu::BindGroup)>,
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
        ShaderBlender::new(ctx.clone()).blend(kind, 0.5, [4, 4], (&[], &[]), [0..0, 0..0], &mut out)
    }

    /// Runs `kind` at `progress` over `from` and `to` (interleaved premultiplied RGBA, 8-bit
    /// codes, over `cols` × `rows` of a `size` frame, transparent elsewhere) into
    /// `out`: the whole frame, interleaved premultiplied RGBA (8-bit), the transition drawn over
    /// transparent.
    pub fn blend(
        &mut self,
        kind: &TransitionKind,
        progress: f32,
        size: [usize; 2],
        (from, to): (&[u8], &[u8]),
        area: [Range<usize>; 2],
        out: &mut Vec<u8>,
    ) -> Result<(), GpuError> {
        let [w, h] = size;
        if w == 0 || h == 0 {
            out.clear();
            return Ok(());
        }
        let ctx = self.ctx.clone();
        let (device, queue) = (&ctx.device, &ctx.queue);
        let pipeline = ctx.transitions.pipeline(device, queue, kind, false)?;
        if self.targets.as_ref().is_some_and(|t| t.size != size) {
            self.targets = None;
        }
        let t = self.targets.get_or_insert_with(|| Targets::new(&ctx, size));
        for (k, buf) in [from, to].into_iter().enumerate() {
            upload(queue, &mut t.cards[k], size, buf, &area, &mut self.zeros);
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
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("shader transition"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &t.output_view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
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
        t.read(&ctx, submission, out)
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
        let views = [0, 1].map(|k| cards[k].0.create_view(&Default::default()));
        let output = new_texture(
            device,
            "hybrid transition",
            HYBRID_FORMAT,
            w as u32,
            h as u32,
            U::RENDER_ATTACHMENT | U::COPY_SRC,
        );
        let padded_row = (w * TEXEL).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize);
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
            padded_row,
            staging,
            uniforms,
            slot,
            group: None,
        }
    }
}

/// Writes `buf` (over `area` of a `size` frame) into `card`. Only the area is written when the
/// texture already holds transparent everywhere else (the same area as last time); else the
/// frame is cleared first.
fn upload(
    queue: &wgpu::Queue,
    card: &mut (wgpu::Texture, Option<[Range<usize>; 2]>),
    [w, h]: [usize; 2],
    buf: &[u8],
    area: &[Range<usize>; 2],
    zeros: &mut Vec<u8>,
) {
    // A buffer that does not cover its area (never planned so) uploads as transparent.
    let [cols, rows] = area;
    let fits = cols.end <= w && rows.end <= h && buf.len() >= cols.len() * rows.len() * 4;
    let area = if fits { area.clone() } else { [0..0, 0..0] };
    let [cols, rows] = &area;
    let (bw, bh) = (cols.len(), rows.len());
    let write = |data: &[u8], [x, y, uw, uh]: [usize; 4]| {
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &card.0,
                mip_level: 0,
                origin: wgpu::Origin3d {
                    x: x as u32,
                    y: y as u32,
                    z: 0,
                },
                aspect: wgpu::TextureAspect::All,
            },
            data,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some((uw * TEXEL) as u32),
                rows_per_image: Some(uh as u32),
            },
            extent(uw as u32, uh as u32),
        );
    };
    // The whole frame is written when the area covers it; else it is cleared when the area
    // moved (outside it the texture must hold transparent).
    let whole = bw == w && bh == h;
    if card.1.as_ref() != Some(&area) && !whole {
        zeros.clear();
        zeros.resize(w * h * 4, 0);
        write(zeros, [0, 0, w, h]);
    }
    card.1 = Some(area.clone());
    if bw > 0 && bh > 0 {
        write(&buf[..bw * bh * 4], [cols.start, rows.start, bw, bh]);
    }
}

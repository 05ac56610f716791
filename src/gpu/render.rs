//! One worker's rendering of a planned frame: upload the input planes, lay out every pass's
//! uniform block, bind, record the passes (prepare, transition cards, composite, convert),
//! submit and read back into the output planes. Textures, staging buffers, the uniform buffer
//! and the bind groups are kept between frames and rebuilt only when a size, format or the
//! frame's layout of blocks changes: a steady stream creates none of them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::context::GpuContext;
use super::passes::background::{Backdrop, BackdropPicture};
use super::passes::blur::Blur;
use super::passes::convert::Convert;
use super::passes::copy;
use super::passes::layer::{Layer, LayerArgs, LayerBlend, LayerPipeline, Sample, SourceKind};
use super::passes::readback::{read_rows, Targets};
use super::passes::staging::StagingRing;
use super::passes::transition::{PcFrame, TransitionPipeline};
use super::passes::upload::Uploads;
use super::passes::{begin, new_buffer, new_texture, Slot, UniformBytes, COMPOSITE_FORMAT};
use super::{GpuError, UploadPath};
use crate::compose::{Background, FramePlan, Operator, OutputTarget, PixelFormat, Timings};
use crate::effects::{blur_reduction, cover, reduced_sigma};
use crate::render::{RenderError, Renderer, Submitted};

/// Two float textures of one size: a blur reads one and writes the other.
struct Scratch {
    size: (u32, u32),
    views: [wgpu::TextureView; 2],
}

/// Per-worker GPU state: textures, targets, the uniform buffer and the staging ring.
#[derive(Default)]
pub(super) struct RenderCache {
    uploads: Uploads,
    /// One slot per frame this worker may have in flight.
    ring: StagingRing,
    targets: Option<Targets>,
    uniforms: Option<(wgpu::Buffer, u64)>,
    /// Blur scratch textures: one pair per layer index, and BACKGROUND_SCRATCH.
    scratch: HashMap<usize, Scratch>,
    /// The last frame's bind groups and everything they were made from.
    groups: Option<(BindKey, FrameGroups)>,
    /// Per staging slot: the exact copies its frame makes on the CPU (`copy::gather`).
    cpu_copies: Vec<Vec<copy::Gathered>>,
}

/// What a frame's bind groups read: when a frame's key equals the last one's, its groups are
/// the last frame's (the uniform buffer is rewritten in place with `write_buffer`, which the
/// queue orders after every earlier submission, so frames in flight keep their bytes).
#[derive(PartialEq)]
struct BindKey {
    blocks: FrameBlocks,
    buffer: wgpu::Buffer,
    composite: wgpu::TextureView,
    /// Each layer's plane views as uploaded.
    uploads: Vec<Vec<wgpu::TextureView>>,
    transitions: Vec<SamePipeline>,
}

/// A transition pipeline compared by identity (held, so its address is not reused).
struct SamePipeline(Arc<TransitionPipeline>);

impl PartialEq for SamePipeline {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

const BACKGROUND_SCRATCH: usize = usize::MAX;
/// Transition `t`'s card textures are scratch pair `TRANSITION_SCRATCH - t`.
const TRANSITION_SCRATCH: usize = usize::MAX - 1;

/// A pass that prepares a texture before the composite.
#[derive(PartialEq)]
enum Prep {
    /// Decode or downsample layer `layer`'s source into `target`.
    Source {
        pipeline: LayerPipeline,
        layer: usize,
        slot: Slot,
        target: wgpu::TextureView,
    },
    /// One direction of a blur of `source` into `target`.
    Blur {
        source: wgpu::TextureView,
        slot: Slot,
        target: wgpu::TextureView,
    },
}

/// Where a frame's uniform blocks lie and what each is drawn with, before any bind group exists.
#[derive(PartialEq)]
struct FrameBlocks {
    convert: Slot,
    /// The prepare passes, in order.
    prep: Vec<Prep>,
    /// The blurred copy of each layer with a content blur (premultiplied).
    blurred: HashMap<usize, wgpu::TextureView>,
    backdrop: Slot,
    /// The background's texture, if it samples one.
    picture: Option<wgpu::TextureView>,
    /// The block of each layer drawn, on its own or through a transition.
    layers: Vec<(usize, Slot)>,
    /// Each transition's frame block.
    transitions: Vec<Slot>,
    /// Each transition's two cards, each drawn alone onto a transparent texture.
    cards: Vec<[wgpu::TextureView; 2]>,
}

/// Which pass a prepare pass runs.
#[derive(Clone, Copy)]
enum PrepPass {
    /// The layer pass (decode or downsample).
    Layer(LayerPipeline),
    /// The blur pass.
    Blur,
}

/// The bind groups of one frame.
struct FrameGroups {
    /// Each prepare pass's pass, bind group and target.
    prep: Vec<(PrepPass, wgpu::BindGroup, wgpu::TextureView)>,
    backdrop: wgpu::BindGroup,
    layers: HashMap<usize, wgpu::BindGroup>,
    transitions: Vec<wgpu::BindGroup>,
    convert: wgpu::BindGroup,
}

impl RenderCache {
    fn targets_for(&mut self, ctx: &GpuContext, format: PixelFormat, width: u32, height: u32) {
        if !self
            .targets
            .as_ref()
            .is_some_and(|t| t.fits(format, width, height))
        {
            self.targets = Some(Targets::new(&ctx.device, format, width, height));
        }
    }

    fn uniform_buffer(&mut self, ctx: &GpuContext, size: u64) -> wgpu::Buffer {
        if let Some((buf, cap)) = &self.uniforms {
            if *cap >= size {
                return buf.clone();
            }
        }
        let cap = size.next_power_of_two().max(4096);
        let buf = new_buffer(
            &ctx.device,
            "uniforms",
            cap,
            // Storage for the built-in passes, uniform for the transitions' frame block.
            wgpu::BufferUsages::UNIFORM
                | wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST,
            false,
        );
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

    /// Renders one planned frame: [`RenderCache::submit`], then [`RenderCache::finish`].
    pub(super) fn render(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, GpuError> {
        let (slot, timings) = self.submit(ctx, plan, output)?;
        self.finish(ctx, slot, timings, output)
    }

    /// Uploads, records and submits one planned frame through a free slot of the staging ring;
    /// returns the slot and the time upload and recording took.
    pub(super) fn submit(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        output: &OutputTarget<'_>,
    ) -> Result<(usize, Timings), GpuError> {
        if let Some(why) = ctx.lost() {
            return Err(GpuError::DeviceLost(why));
        }
        let slot = self.ring.acquire()?;
        match self.submit_into(ctx, plan, output, slot) {
            Ok(timings) => Ok((slot, timings)),
            Err(e) => {
                // Nothing was submitted: give the slot back, its buffers made anew.
                let _ = self.ring.complete(ctx, slot, |_, _| Ok(()));
                Err(e)
            }
        }
    }

    fn submit_into(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        output: &OutputTarget<'_>,
        slot: usize,
    ) -> Result<Timings, GpuError> {
        let transitions = plan
            .transitions()
            .iter()
            .map(|t| {
                ctx.transitions
                    .pipeline(&ctx.device, &ctx.queue, &t.kind, true)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });

        let start = Instant::now();
        self.uploads.prepare(&ctx.device, plan.layers());
        match ctx.upload {
            UploadPath::Staged => {
                let size = Uploads::staged_size(plan.layers());
                if size > 0 {
                    let staging = self.ring.upload_buffer(ctx, slot, size)?;
                    self.uploads.stage(&mut encoder, plan.layers(), staging)?;
                }
            }
            UploadPath::WriteTexture => self.uploads.write(&ctx.queue, plan.layers()),
        }
        let upload = start.elapsed();

        let start = Instant::now();
        let (uniforms, blocks) = self.plan_blocks(ctx, plan, output);
        let buffer = self.uniform_buffer(ctx, uniforms.bytes.len() as u64);
        ctx.queue.write_buffer(&buffer, 0, &uniforms.bytes);
        self.targets_for(ctx, output.format, output.width, output.height);
        let Some(targets) = self.targets.as_ref() else {
            return Err(GpuError::Render("no render targets".into()));
        };
        let key = BindKey {
            blocks,
            buffer,
            composite: targets.composite.clone(),
            uploads: (0..plan.layers().len())
                .map(|i| self.uploads.views(i).to_vec())
                .collect(),
            transitions: transitions.iter().cloned().map(SamePipeline).collect(),
        };
        if !self.groups.as_ref().is_some_and(|(last, _)| *last == key) {
            let groups = self.bind(ctx, &key.blocks, &key.buffer, &transitions, &key.composite);
            self.groups = Some((key, groups));
        }
        let Some((BindKey { blocks, .. }, groups)) = self.groups.as_ref() else {
            return Err(GpuError::Render("no bind groups".into()));
        };
        record_prepare(ctx, &mut encoder, groups);
        record_cards(ctx, &mut encoder, plan, &blocks.cards, groups);
        record_composite(ctx, &mut encoder, plan, groups, &transitions, targets);
        let planes = targets.plane_views();
        ctx.scene()
            .convert
            .record(&mut encoder, &groups.convert, output.format, &planes);
        let copies = copy::exact_copies(plan, output);
        let (on_gpu, on_cpu): (Vec<_>, Vec<_>) = copies
            .into_iter()
            .partition(|c| copy::on_gpu(plan, output, c));
        let uploads = &self.uploads;
        copy::record(
            &mut encoder,
            &on_gpu,
            |i| uploads.textures(i),
            &targets.plane_textures(),
        );
        let readback = self
            .ring
            .readback_buffer(&ctx.device, slot, targets.staging_size());
        targets.record_copy(&mut encoder, readback);
        // The frame's uniform bytes and bind groups are reused by the next frame while this
        // one may still run: the queue orders the next `write_buffer` after this submission.
        let submission = ctx.queue.submit([encoder.finish()]);
        self.ring.submitted(slot, submission, targets.rows())?;
        // The inputs are let go after submission: what the frame copies on the CPU is taken now.
        if self.cpu_copies.len() <= slot {
            self.cpu_copies.resize_with(slot + 1, Vec::new);
        }
        copy::gather(plan, &on_cpu, output.format, &mut self.cpu_copies[slot]);
        Ok(Timings {
            upload,
            render: start.elapsed(),
            readback: Default::default(),
        })
    }

    /// Waits for the frame in staging slot `slot` and copies it into `output`; `timings` are
    /// those [`RenderCache::submit`] returned.
    pub(super) fn finish(
        &mut self,
        ctx: &GpuContext,
        slot: usize,
        timings: Timings,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, GpuError> {
        let start = Instant::now();
        self.ring.complete(ctx, slot, |mapped, planes| {
            read_rows(mapped, planes, output)
        })?;
        if let Some(copies) = self.cpu_copies.get(slot) {
            copy::scatter(copies, output);
        }
        Ok(Timings {
            readback: start.elapsed(),
            ..timings
        })
    }

    /// Lays out every block `plan` draws with, in the order the passes run.
    fn plan_blocks(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        output: &OutputTarget<'_>,
    ) -> (UniformBytes, FrameBlocks) {
        let (width, height) = (output.width, output.height);
        let layers = plan.layers();
        let mut uniforms = UniformBytes::new(ctx.uniform_align);
        let convert = uniforms.push(&Convert::new(&output.colorimetry));
        let mut prep = Vec::new();
        // A blurred layer's content: decode, blur across, blur down.
        let mut blurred = HashMap::new();
        for (i, layer) in layers.iter().enumerate() {
            let Some((sx, sy)) = plan.draw(i).and_then(|d| d.content_blur) else {
                continue;
            };
            let views = self.scratch_for(ctx, i, layer.width, layer.height);
            let (w, h) = (layer.width as f32, layer.height as f32);
            let identity = Sample::mapping([0.0, 0.0, w, h], [0.0, 0.0, 1.0, 1.0]);
            let decode = LayerArgs {
                bounds: [0.0, 0.0, w, h],
                target: (layer.width, layer.height),
                kind: SourceKind::of(layer.format),
                alpha: 1.0,
                card: None,
                aux: [0.0; 4],
                samples: &[identity],
            };
            prep.push(Prep::Source {
                pipeline: LayerPipeline::Decode,
                layer: i,
                slot: uniforms.push(&Layer::new(layer, &decode)),
                target: views[0].clone(),
            });
            push_blur(&mut uniforms, &mut prep, (sx, sy), &views);
            blurred.insert(i, views[0].clone());
        }
        let target = (width, height);
        let (picture, picture_view) =
            self.plan_background(ctx, plan, target, &mut uniforms, &mut prep);
        let backdrop = uniforms.push(&Backdrop::new(plan.background(), picture, target));
        let layer_slots = (0..layers.len())
            .filter_map(|i| plan.draw(i).map(|d| (i, d)))
            .map(|(i, draw)| {
                let layer = &layers[i];
                let samples: Vec<Sample> = draw.samples.iter().map(Sample::of).collect();
                let kind = if blurred.contains_key(&i) {
                    SourceKind::Premultiplied
                } else {
                    SourceKind::of(layer.format)
                };
                let args = LayerArgs {
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
                    samples: &samples,
                };
                (i, uniforms.push(&Layer::new(layer, &args)))
            })
            .collect();
        let transitions = plan
            .transitions()
            .iter()
            .map(|t| uniforms.push(&PcFrame::new(width, height, t.progress)))
            .collect();
        let cards = (0..plan.transitions().len())
            .map(|t| self.scratch_for(ctx, TRANSITION_SCRATCH - t, width, height))
            .collect();
        let blocks = FrameBlocks {
            convert,
            prep,
            blurred,
            backdrop,
            picture: picture_view,
            layers: layer_slots,
            transitions,
            cards,
        };
        (uniforms, blocks)
    }

    /// The background's picture, if it has one, and the passes that prepare it.
    fn plan_background(
        &mut self,
        ctx: &GpuContext,
        plan: &FramePlan<'_>,
        target: (u32, u32),
        uniforms: &mut UniformBytes,
        prep: &mut Vec<Prep>,
    ) -> (BackdropPicture, Option<wgpu::TextureView>) {
        let (width, height) = target;
        match plan.background() {
            Background::Image(image) => (
                BackdropPicture::Image(image.width, image.height),
                Some(self.uploads.image_view(&ctx.device, &ctx.queue, image)),
            ),
            Background::Blurred { layer: k, sigma } => {
                let layer = &plan.layers()[*k];
                let factor = blur_reduction(*sigma);
                let (lw, lh) = (width.div_ceil(factor), height.div_ceil(factor));
                let views = self.scratch_for(ctx, BACKGROUND_SCRATCH, lw, lh);
                let (x, y, s) = cover(
                    layer.width as f64,
                    layer.height as f64,
                    width as f64,
                    height as f64,
                );
                let mapping = Sample::mapping(
                    [
                        x as f32,
                        y as f32,
                        (x + layer.width as f64 * s) as f32,
                        (y + layer.height as f64 * s) as f32,
                    ],
                    [0.0, 0.0, (1.0 / s) as f32, (1.0 / s) as f32],
                );
                let down = LayerArgs {
                    bounds: [0.0, 0.0, lw as f32, lh as f32],
                    target: (lw, lh),
                    kind: SourceKind::of(layer.format),
                    alpha: 1.0,
                    card: None,
                    // Each of taps × taps points reads factor / taps output pixels' footprint.
                    aux: [
                        factor as f32,
                        factor.min(4) as f32,
                        factor as f32 / factor.min(4) as f32,
                        0.0,
                    ],
                    samples: &[mapping],
                };
                prep.push(Prep::Source {
                    pipeline: LayerPipeline::Downsample,
                    layer: *k,
                    slot: uniforms.push(&Layer::new(layer, &down)),
                    target: views[0].clone(),
                });
                let low_sigma = reduced_sigma(*sigma, factor);
                if low_sigma > 0.0 {
                    push_blur(uniforms, prep, (low_sigma, low_sigma), &views);
                }
                (BackdropPicture::Reduced(factor), Some(views[0].clone()))
            }
            _ => (BackdropPicture::None, None),
        }
    }

    /// A layer pass's bind group reading layer `index`'s planes, or `own` instead when given.
    fn planes_group(
        &self,
        ctx: &GpuContext,
        buffer: &wgpu::Buffer,
        slot: Slot,
        index: usize,
        own: Option<&wgpu::TextureView>,
    ) -> wgpu::BindGroup {
        let views = self.uploads.views(index);
        let view = |p: usize| match own {
            Some(v) if p == 0 => v,
            Some(_) => &ctx.dummy_view,
            None => views.get(p).unwrap_or(&ctx.dummy_view),
        };
        ctx.scene()
            .layer
            .bind_group(&ctx.device, buffer, slot, [view(0), view(1), view(2)])
    }

    /// The bind groups of `blocks`, whose bytes are in `buffer`.
    fn bind(
        &self,
        ctx: &GpuContext,
        blocks: &FrameBlocks,
        buffer: &wgpu::Buffer,
        transitions: &[Arc<TransitionPipeline>],
        composite: &wgpu::TextureView,
    ) -> FrameGroups {
        let device = &ctx.device;
        let prep = blocks
            .prep
            .iter()
            .map(|p| match p {
                Prep::Source {
                    pipeline,
                    layer,
                    slot,
                    target,
                } => (
                    PrepPass::Layer(*pipeline),
                    self.planes_group(ctx, buffer, *slot, *layer, None),
                    target.clone(),
                ),
                Prep::Blur {
                    source,
                    slot,
                    target,
                } => (
                    PrepPass::Blur,
                    ctx.scene()
                        .blur
                        .layout
                        .bind_group(device, buffer, *slot, source),
                    target.clone(),
                ),
            })
            .collect();
        let picture = blocks.picture.as_ref().unwrap_or(&ctx.dummy_view);
        let layers = blocks
            .layers
            .iter()
            .map(|(i, slot)| {
                let own = blocks.blurred.get(i);
                (*i, self.planes_group(ctx, buffer, *slot, *i, own))
            })
            .collect();
        let transitions = transitions
            .iter()
            .zip(&blocks.transitions)
            .zip(&blocks.cards)
            .map(|((tp, slot), cards)| ctx.transitions.bind_group(device, tp, buffer, *slot, cards))
            .collect();
        FrameGroups {
            prep,
            backdrop: ctx.scene().background.layout.bind_group(
                device,
                buffer,
                blocks.backdrop,
                picture,
            ),
            layers,
            transitions,
            convert: ctx.scene().convert.layout.bind_group(
                device,
                buffer,
                blocks.convert,
                composite,
            ),
        }
    }
}

/// Queues a blur of `sigma` (across, down) from `views[0]` back into it, through `views[1]`.
fn push_blur(
    uniforms: &mut UniformBytes,
    prep: &mut Vec<Prep>,
    sigma: (f64, f64),
    views: &[wgpu::TextureView; 2],
) {
    prep.push(Prep::Blur {
        source: views[0].clone(),
        slot: uniforms.push(&Blur::new(sigma.0, true)),
        target: views[1].clone(),
    });
    prep.push(Prep::Blur {
        source: views[1].clone(),
        slot: uniforms.push(&Blur::new(sigma.1, false)),
        target: views[0].clone(),
    });
}

/// Records the prepare passes, each into its own target.
fn record_prepare(ctx: &GpuContext, encoder: &mut wgpu::CommandEncoder, groups: &FrameGroups) {
    for (which, group, target) in &groups.prep {
        let mut pass = begin(encoder, "prepare", &[target]);
        match which {
            PrepPass::Layer(p) => ctx.scene().layer.draw(&mut pass, *p, group),
            PrepPass::Blur => ctx.scene().blur.draw(&mut pass, group),
        }
    }
}

/// Records each transition's two cards, each alone on a transparent texture.
fn record_cards(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    plan: &FramePlan<'_>,
    cards: &[[wgpu::TextureView; 2]],
    groups: &FrameGroups,
) {
    for (tr, views) in plan.transitions().iter().zip(cards) {
        for (layer, view) in [(tr.from, &views[0]), (tr.to, &views[1])] {
            let mut pass = begin(encoder, "transition card", &[view]);
            // On a transparent target every operator gives the card itself.
            if let Some(group) = groups.layers.get(&layer) {
                ctx.scene()
                    .layer
                    .draw(&mut pass, LayerPipeline::Card(LayerBlend::Over), group);
            }
        }
    }
}

/// Records the composite: the background, then each layer or transition bottom to top.
fn record_composite(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    plan: &FramePlan<'_>,
    groups: &FrameGroups,
    transitions: &[Arc<TransitionPipeline>],
    targets: &Targets,
) {
    let mut pass = begin(encoder, "composite", &[&targets.composite]);
    ctx.scene().background.draw(&mut pass, &groups.backdrop);
    for (i, layer) in plan.layers().iter().enumerate() {
        if let Some(t) = plan.transition_of(i) {
            // Drawn once, where the upper of its two layers would be.
            if i == plan.transition_z(t) {
                transitions[t].draw(&mut pass, &groups.transitions[t]);
            }
            continue;
        }
        let Some(group) = groups.layers.get(&i) else {
            continue;
        };
        let blends: &[LayerBlend] = match layer.params.operator {
            Operator::Over => &[LayerBlend::Over],
            Operator::Add => &[LayerBlend::Add],
            Operator::Source => &[LayerBlend::Erase, LayerBlend::Add],
        };
        for blend in blends {
            ctx.scene()
                .layer
                .draw(&mut pass, LayerPipeline::Card(*blend), group);
        }
    }
}

/// One worker's renderer: the context and this worker's textures and staging ring.
pub struct GpuRenderer {
    ctx: Arc<GpuContext>,
    cache: RenderCache,
}

impl std::fmt::Debug for GpuRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuRenderer")
            .field("ctx", &self.ctx)
            .field("depth", &self.cache.ring.depth())
            .finish()
    }
}

impl GpuRenderer {
    /// A renderer drawing with `ctx`, one frame at a time.
    pub fn new(ctx: Arc<GpuContext>) -> Self {
        Self::with_depth(ctx, 1)
    }

    /// A renderer drawing with `ctx` that holds up to `depth` frames submitted and not read
    /// back (its staging ring's slots).
    pub fn with_depth(ctx: Arc<GpuContext>, depth: usize) -> Self {
        GpuRenderer {
            ctx,
            cache: RenderCache {
                ring: StagingRing::new(depth),
                ..Default::default()
            },
        }
    }

    /// The error a backend reports for `e`.
    fn error(&self, e: GpuError) -> RenderError {
        match e {
            GpuError::DeviceLost(why) => {
                RenderError::DeviceLost(format!("{} ({why})", self.ctx.info().name))
            }
            other => RenderError::Failed(other.to_string()),
        }
    }
}

impl Renderer for GpuRenderer {
    fn render(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        let submitted = self.submit(plan, output)?;
        self.finish(submitted, output)
    }

    fn depth(&self) -> usize {
        self.cache.ring.depth()
    }

    fn submit(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Submitted, RenderError> {
        // Allocation failures are reported through the error scope, not as a panic.
        let scope = self
            .ctx
            .device
            .push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let result = self.cache.submit(&self.ctx, plan, output);
        let oom = super::block_on(scope.pop());
        if let Some(e) = oom {
            if let Ok((slot, _)) = result {
                // Submitted all the same: wait it out so that its slot comes back.
                let _ = self
                    .cache
                    .finish(&self.ctx, slot, Timings::default(), output);
            }
            return Err(RenderError::OutOfMemory(format!(
                "{} ({})",
                e,
                self.ctx.info().name
            )));
        }
        match result {
            Ok((slot, timings)) => Ok(Submitted::InFlight { slot, timings }),
            Err(e) => Err(self.error(e)),
        }
    }

    fn finish(
        &mut self,
        submitted: Submitted,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        match submitted {
            Submitted::Done(timings) => Ok(timings),
            Submitted::InFlight { slot, timings } => self
                .cache
                .finish(&self.ctx, slot, timings, output)
                .map_err(|e| self.error(e)),
        }
    }
}

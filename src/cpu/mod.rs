//! The CPU backend: renders the frame description of [`crate::compose`] (background, layers
//! with every card effect, transitions) into the output planes, in plain Rust on the CPU, no
//! GPU and no GStreamer. The wgpu backend (src/gpu) is the specification: this renderer follows
//! its passes and arithmetic (coverage with exact edge areas, the analytic shadow, the blurred
//! background at reduced size, the output's chroma kernels) and differs from it only within
//! the tolerances tests/cpu_render.rs states.
//!
//! Two paths render a frame:
//! - the RGB path (`rgb`) composites premultiplied float RGBA a row at a time, then converts:
//!   every format, background, operator, effect and transition;
//! - the YUV path (`yuv`) composites Y'CbCr directly when the output and every drawn layer are
//!   YUV with the same matrix and range, layers blend `over` an opaque background, no content is
//!   blurred and transitions are built-ins `transition::split` routes (the export's case): luma
//!   at full resolution, chroma at half, no RGB round trip. Blending is affine, so the arithmetic is the same, except that
//!   out-of-gamut source colours are not clamped to RGB and chroma is composited at chroma
//!   resolution (see `yuv`).
//!
//! A frame is split into bands of rows, one per thread (`std::thread::scope`); every row is
//! computed from the frame's inputs alone, so the output does not depend on the split.
//! Timings: `upload` is the preparation (cards' tables, the reduced blurred background, blurred
//! contents, transition buffers), `render` the compositing, `readback` the writing of bytes.

mod background;
mod blur;
mod card;
mod convert;
mod frame;
mod par;
mod reduced;
mod resample;
mod rgb;
mod sample;
mod shape;
mod taps;
mod transition;
mod yuv;

use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use background::Backdrop;
use convert::ChromaKernel;
use frame::CardLayer;
use par::{bands, run_bands, split_output};
pub(crate) use par::{par_bands, par_rows};
use reduced::Reduced;
use rgb::{rgb_band, Item, RgbScene, RowScratch};
use sample::Pixels;
pub(crate) use transition::RowSink;
use transition::{Pictures, TransitionLayer};

use crate::compose::{Background, FramePlan, OutputTarget, Timings};
use crate::gpu::{CardTarget, GpuContext, GpuError, ShaderBlender};
use crate::render::{RenderError, Renderer};
use crate::transition::{split, TransitionKind, XfadeKind};

/// A built-in transition's two cards drawn alone (from, to): interleaved premultiplied RGBA, in
/// f32. (A shader's are drawn where the hybrid route uploads them from.)
#[derive(Debug, Default)]
struct CardBuffers {
    float: (Vec<f32>, Vec<f32>),
}

/// Renders frames on the CPU. Scratch buffers (the blurred background, blurred contents,
/// transition buffers, per-thread rows) are kept between frames.
#[derive(Debug)]
pub struct CpuRenderer {
    threads: usize,
    reduced: Reduced,
    /// Blurred premultiplied copies of layer contents, by layer index.
    blurred: Vec<[Vec<f32>; 4]>,
    blur_tmp: Vec<f32>,
    /// Transition buffers (from, to), by transition index.
    transitions: Vec<CardBuffers>,
    rows: Vec<RowScratch>,
    yuv_rows: Vec<yuv::YuvScratch>,
    shadows: shape::ShadowCache,
    yuv_path: bool,
    /// Whether the last frame took the YUV path (for tests).
    took_yuv_path: bool,
    generic_transitions: bool,
    /// Whether cards of transitions that read whole rows are drawn row by row as read.
    pictures_on_demand: bool,
    /// Runs shader transitions on a wgpu device (the hybrid route); without it they are an
    /// invalid frame.
    shader: Option<ShaderBlender>,
    /// Each shader transition's result over the whole frame, by transition index.
    shaded: Vec<Vec<u8>>,
}

impl CpuRenderer {
    /// A renderer splitting each frame across `threads` threads (1: no split).
    pub fn new(threads: usize) -> Self {
        CpuRenderer {
            threads: threads.max(1),
            reduced: Reduced::default(),
            blurred: Vec::new(),
            blur_tmp: Vec::new(),
            transitions: Vec::new(),
            rows: Vec::new(),
            yuv_rows: Vec::new(),
            shadows: Default::default(),
            yuv_path: true,
            took_yuv_path: false,
            generic_transitions: false,
            pictures_on_demand: true,
            shader: None,
            shaded: Vec::new(),
        }
    }

    /// A renderer that also runs shader transitions, their program alone on `ctx`'s device
    /// (the software adapter when there is no GPU); everything else stays on the CPU.
    pub fn with_shader_device(threads: usize, ctx: Arc<GpuContext>) -> Self {
        CpuRenderer {
            shader: Some(ShaderBlender::new(ctx)),
            ..Self::new(threads)
        }
    }

    /// Whether frames that allow it are composited directly in Y'CbCr (the default), or always
    /// in RGB: for comparing the two paths.
    pub fn set_yuv_path(&mut self, allow: bool) {
        self.yuv_path = allow;
    }

    /// Whether the last frame rendered took the YUV path (for tests).
    #[doc(hidden)]
    pub fn took_yuv_path(&self) -> bool {
        self.took_yuv_path
    }

    /// Whether transitions read their two pictures through the bilinear sampler at every pixel
    /// (the plain evaluation of `XfadeKind::evaluate`) instead of loading whole pixels directly
    /// and skipping what they leave transparent: for tests that the two give the same bytes.
    #[doc(hidden)]
    pub fn set_generic_transitions(&mut self, generic: bool) {
        self.generic_transitions = generic;
    }

    /// Whether transitions that read whole rows draw their cards' rows as they read them (the
    /// default) or draw both cards whole first: for tests that the two give the same bytes.
    #[doc(hidden)]
    pub fn set_pictures_on_demand(&mut self, on_demand: bool) {
        self.pictures_on_demand = on_demand;
    }
}

impl Renderer for CpuRenderer {
    fn render(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        self.render_frame(plan, output).map_err(|e| match e {
            Unsupported::Gpu(GpuError::DeviceLost(why)) => RenderError::DeviceLost(why),
            Unsupported::Gpu(e) => RenderError::Failed(e.to_string()),
            Unsupported::Shader(origin) => RenderError::invalid(format!(
                "transition {origin} is a shader: the CPU backend cannot run it; it needs \
                     the wgpu backend (adapter=auto, hardware or software)"
            )),
        })
    }
}

/// Why the CPU backend did not render a valid frame.
enum Unsupported {
    /// A shader transition (named): only the wgpu backend runs those.
    Shader(String),
    /// The device running a shader transition failed.
    Gpu(GpuError),
}

impl CpuRenderer {
    fn render_frame(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, Unsupported> {
        let start = Instant::now();
        let (background, layers, transitions) =
            (plan.background(), plan.layers(), plan.transitions());
        // `None`: a shader, run on the blender's device.
        let xfades = transitions
            .iter()
            .map(|t| match &t.kind {
                TransitionKind::Xfade(k) => Ok(Some(*k)),
                TransitionKind::Shader(_) if self.shader.is_some() => Ok(None),
                TransitionKind::Shader(s) => Err(Unsupported::Shader(s.origin.clone())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut cards: Vec<Option<CardLayer<'_>>> = Vec::with_capacity(layers.len());
        for (i, l) in layers.iter().enumerate() {
            cards.push(match plan.draw(i) {
                Some(draw) => Some(CardLayer::new(i, l, draw, &mut self.shadows)),
                None => None,
            });
        }
        let use_yuv =
            self.yuv_path && yuv::eligible(background, layers, &cards, transitions, output);
        self.took_yuv_path = use_yuv;
        if use_yuv {
            // The squeezes and zoomin draw FROM's rows or columns from elsewhere
            // (`split::squeeze_lines`, `split::zoom_lines`).
            for t in transitions {
                let (Some(Some(card)), TransitionKind::Xfade(kind)) =
                    (cards.get_mut(t.from), &t.kind)
                else {
                    continue;
                };
                match kind {
                    XfadeKind::SqueezeH => {
                        let rows: Arc<[u32]> =
                            split::squeeze_lines(t.progress, output.height as usize).into();
                        for smp in &mut card.samples {
                            smp.rows_from = Some(rows.clone());
                        }
                    }
                    XfadeKind::SqueezeV => card.draw_columns_from(&split::squeeze_lines(
                        t.progress,
                        output.width as usize,
                    )),
                    XfadeKind::ZoomIn => {
                        let (w, h) = (output.width as usize, output.height as usize);
                        let rows: Arc<[u32]> = split::zoom_lines(t.progress, h).into();
                        card.draw_columns_from(&split::zoom_lines(t.progress, w));
                        for smp in &mut card.samples {
                            smp.rows_from = Some(rows.clone());
                        }
                    }
                    _ => {}
                }
            }
            // Slides, covers and reveals move their cards by whole pixels: drawn moved.
            for t in transitions {
                let Some(yuv::Route::Select(sel)) = yuv::route(t, output) else {
                    continue;
                };
                for (i, shift) in [(t.from, sel.shift[0]), (t.to, sel.shift[1])] {
                    if shift == [0, 0] {
                        continue;
                    }
                    if let (Some(draw), Some(slot)) = (plan.draw(i), cards.get_mut(i)) {
                        let moved = draw.moved(shift, output.width, output.height);
                        *slot = (!moved.cols.is_empty() && !moved.rows.is_empty())
                            .then(|| CardLayer::new(i, &layers[i], &moved, &mut self.shadows));
                    }
                }
            }
        }
        self.shadows.end_frame();

        // Preparation: the reduced blurred background, blurred contents, transition cards.
        if let Background::Blurred { layer, sigma } = background {
            let l = &layers[*layer];
            self.reduced.prepare(
                &Pixels::of(l),
                l.width as usize,
                l.height as usize,
                output.width as usize,
                output.height as usize,
                *sigma,
                use_yuv.then(|| yuv::centroid(output.colorimetry.chroma_cosited_h)),
                self.threads,
            );
        }
        blur_contents(
            &mut self.blurred,
            &mut self.blur_tmp,
            &cards,
            layers.len(),
            self.threads,
        );
        for card in cards.iter_mut().flatten() {
            if card.blur.is_some() {
                card.pixels = Pixels::Float {
                    planes: &self.blurred[card.index],
                };
            }
        }
        // The YUV path draws a fade's two cards directly; the RGB path draws them alone first,
        // or row by row as the transition reads them (`on_demand`).
        let size = [plan.width() as usize, plan.height() as usize];
        let on_demand: Vec<bool> = transitions
            .iter()
            .zip(&xfades)
            .map(|(t, kind)| {
                kind.is_some_and(|kind| {
                    self.pictures_on_demand
                        && t.from != t.to
                        && TransitionLayer::reads_rows(
                            kind,
                            t.progress,
                            size,
                            self.generic_transitions,
                        )
                })
            })
            .collect();
        let boxes = if use_yuv {
            Vec::new()
        } else {
            let draw = (&xfades[..], &on_demand[..]);
            draw_transition_cards(&mut self.transitions, &cards, plan, draw, self.threads)
        };
        if let Some(blender) = self.shader.as_mut() {
            run_shaders(
                blender,
                plan,
                &cards,
                &boxes,
                self.threads,
                &mut self.shaded,
            )
            .map_err(Unsupported::Gpu)?;
        }
        let upload = start.elapsed();

        let start = Instant::now();
        let convert_time = if use_yuv {
            let scene = yuv::YuvScene::new(background, &self.reduced, cards, transitions, output);
            if self.yuv_rows.len() < self.threads {
                self.yuv_rows.resize_with(self.threads, Default::default);
            }
            let bands = bands(output.height.div_ceil(2) as usize, self.threads);
            let parts = split_output(&mut output.planes, output.format, &bands);
            run_bands(&bands, parts, &mut self.yuv_rows, |band, planes, s| {
                scene.band(band, planes, s)
            })
        } else {
            let generic = self.generic_transitions;
            let buffers = (&self.transitions[..], &self.shaded[..]);
            let items = rgb_items(plan, cards, (&xfades, &on_demand), boxes, buffers, generic);
            let (width, height) = (output.width as usize, output.height as usize);
            let scene = RgbScene {
                backdrop: Backdrop::new(background, &self.reduced, width, height),
                items,
                width,
            };
            if self.rows.len() < self.threads {
                self.rows.resize_with(self.threads, Default::default);
            }
            composite_rgb(&scene, output, &mut self.rows, self.threads)
        };
        let total = start.elapsed();
        let readback = convert_time.min(total);
        Ok(Timings {
            upload,
            render: total - readback,
            readback,
        })
    }
}

/// Blurs the content of every card that asks for it into `blurred` (by layer index).
fn blur_contents(
    blurred: &mut Vec<[Vec<f32>; 4]>,
    tmp: &mut Vec<f32>,
    cards: &[Option<CardLayer<'_>>],
    layers: usize,
    threads: usize,
) {
    if blurred.len() < layers {
        blurred.resize_with(layers, Default::default);
    }
    for card in cards.iter().flatten() {
        if let Some((sx, sy)) = card.blur {
            blur::decode_and_blur(card, &mut blurred[card.index], tmp, sx, sy, threads);
        }
    }
}

/// The pixels each transition covers (`None`: neither card shows), with its two cards drawn
/// alone into `buffers` (from, to), unless they are drawn `on_demand`.
fn draw_transition_cards(
    buffers: &mut Vec<CardBuffers>,
    cards: &[Option<CardLayer<'_>>],
    plan: &FramePlan<'_>,
    (xfades, on_demand): (&[Option<XfadeKind>], &[bool]),
    threads: usize,
) -> Vec<Option<(Range<usize>, Range<usize>)>> {
    let transitions = plan.transitions();
    if buffers.len() < transitions.len() {
        buffers.resize_with(transitions.len(), Default::default);
    }
    transitions
        .iter()
        .zip(buffers.iter_mut())
        .zip(xfades.iter().zip(on_demand))
        .map(|((t, bufs), (xfade, &on_demand))| {
            // A card that shows nothing is a transparent buffer.
            let (a, b) = (cards[t.from].as_ref(), cards[t.to].as_ref());
            let (cols, rows) = transition::union(a, b)?;
            // Nothing drawn now for cards drawn on demand (the buffers keep their memory for
            // frames that need it), nor for a shader's, drawn where they are uploaded from.
            if xfade.is_some() && !on_demand {
                for (card, buf) in [(a, &mut bufs.float.0), (b, &mut bufs.float.1)] {
                    transition::draw_alone(card, cols.clone(), rows.clone(), buf, threads);
                }
            }
            Some((cols, rows))
        })
        .collect()
}

/// Runs each shader transition's program on `blender`'s device over its two cards, drawn
/// over `boxes` straight into the memory they are uploaded from, its result over the whole
/// frame into `shaded`.
fn run_shaders(
    blender: &mut ShaderBlender,
    plan: &FramePlan<'_>,
    cards: &[Option<CardLayer<'_>>],
    boxes: &[Option<(Range<usize>, Range<usize>)>],
    threads: usize,
    shaded: &mut Vec<Vec<u8>>,
) -> Result<(), GpuError> {
    let transitions = plan.transitions();
    if shaded.len() < transitions.len() {
        shaded.resize_with(transitions.len(), Vec::new);
    }
    let size = [plan.width() as usize, plan.height() as usize];
    for (ti, t) in transitions.iter().enumerate() {
        if !matches!(t.kind, TransitionKind::Shader(_)) {
            continue;
        }
        // Neither card shows: the program still runs, over two transparent pictures.
        let [cols, rows] = match boxes.get(ti).cloned().flatten() {
            Some((cols, rows)) => [cols, rows],
            None => [0..0, 0..0],
        };
        let (a, b) = (cards[t.from].as_ref(), cards[t.to].as_ref());
        let area = [cols.clone(), rows.clone()];
        let mut draw = |[from, to]: [CardTarget<'_>; 2]| {
            for (card, target) in [(a, from), (b, to)] {
                transition::draw_alone_to(card, cols.clone(), rows.clone(), target, threads);
            }
        };
        blender.blend_drawn(&t.kind, t.progress, size, area, &mut draw, &mut shaded[ti])?;
    }
    Ok(())
}

/// What the RGB path draws over the backdrop, bottom first: cards, and each transition at the
/// z position of its upper layer.
fn rgb_items<'a>(
    plan: &FramePlan<'_>,
    mut cards: Vec<Option<CardLayer<'a>>>,
    (xfades, on_demand): (&[Option<XfadeKind>], &[bool]),
    boxes: Vec<Option<(Range<usize>, Range<usize>)>>,
    (buffers, shaded): (&'a [CardBuffers], &'a [Vec<u8>]),
    generic: bool,
) -> Vec<Item<'a>> {
    let size = [plan.width() as usize, plan.height() as usize];
    // The cards of transitions drawn on demand go with their transitions.
    let mut taken: Vec<Option<[Option<CardLayer<'a>>; 2]>> = plan
        .transitions()
        .iter()
        .zip(on_demand)
        .map(|(t, &on_demand)| {
            on_demand.then(|| {
                let from = cards.get_mut(t.from).and_then(Option::take);
                (from, cards.get_mut(t.to).and_then(Option::take))
            })
        })
        .map(|c| c.map(|(a, b)| [a, b]))
        .collect();
    let mut items: Vec<(usize, Item<'a>)> = cards
        .into_iter()
        .enumerate()
        .filter(|(i, _)| plan.transition_of(*i).is_none())
        .filter_map(|(i, c)| c.map(|c| (i, Item::Card(Box::new(c)))))
        .collect();
    for (ti, ((t, kind), (bx, bufs))) in plan
        .transitions()
        .iter()
        .zip(xfades)
        .zip(boxes.into_iter().zip(buffers))
        .enumerate()
    {
        let layer = match (kind, bx) {
            (Some(kind), Some((cols, rows))) => {
                let pictures = match taken.get_mut(ti).and_then(Option::take) {
                    Some(cards) => Pictures::Cards(Box::new(cards), ti),
                    None => Pictures::Buffers(&bufs.float.0, &bufs.float.1),
                };
                TransitionLayer::new(*kind, t.progress, pictures, (cols, rows), size, generic)
            }
            // A built-in over two cards that show nothing draws nothing.
            (Some(_), None) => continue,
            // A shader may draw anywhere, even without cards (as on the wgpu backend).
            (None, _) => match shaded.get(ti) {
                Some(result) => TransitionLayer::finished(result, size),
                None => continue,
            },
        };
        items.push((plan.transition_z(ti), Item::Transition(Box::new(layer))));
    }
    // Stable: a transition follows the cards at its own index.
    items.sort_by_key(|(z, _)| *z);
    items.into_iter().map(|(_, item)| item).collect()
}

/// Composites `scene` row band by row band into `output` (converting to its format); returns
/// the time spent converting.
fn composite_rgb(
    scene: &RgbScene<'_>,
    output: &mut OutputTarget<'_>,
    rows: &mut [RowScratch],
    threads: usize,
) -> std::time::Duration {
    let height = output.height as usize;
    let kernel = ChromaKernel::new(&output.colorimetry, output.width as usize, height);
    let format = output.format;
    let colorimetry = output.colorimetry;
    let units = if format.is_yuv() {
        height.div_ceil(2)
    } else {
        height
    };
    let bands = bands(units, threads);
    let parts = split_output(&mut output.planes, format, &bands);
    run_bands(&bands, parts, rows, |band, planes, s| {
        rgb_band(
            scene,
            format,
            &colorimetry,
            &kernel,
            height,
            band,
            planes,
            s,
        )
    })
}

//! The YUV path: YUV inputs composited straight into a YUV output of the same matrix and range,
//! the export's case. Over an opaque background, `over` gives `D' = S + D (1 − Sa)` with every
//! colour premultiplied by its alpha; the Y'CbCr transform is affine, so the same combination
//! of Y'CbCr values (offsets premultiplied too) is the Y'CbCr of the RGB result. Luma is drawn
//! at full resolution; chroma at half, where each chroma sample stands for the luma-resolution
//! pixels the wgpu backend's conversion combines (`ChromaKernel`): the card's weights and the
//! source's chroma are averaged over those pixels, so only the product of the two at the card's
//! edge differs from averaging the products.
//!
//! Not the same as the RGB path in one respect: source colours outside the RGB gamut are not
//! clamped to it (the RGB path, like the wgpu backend, clamps each decoded sample).

mod backdrop;
mod layer;

use std::ops::Range;
use std::time::{Duration, Instant};

use super::convert::{code, quantise, ChromaKernel};
use super::frame::CardLayer;
use super::reduced::Reduced;
use super::rgb::around;
use super::sample::Pixels;
use crate::compose::{
    Affine3, Background, LayerSource, Operator, OutputTarget, PixelFormat, PlaneMut,
};
pub(crate) use crate::transition::split::Route;
use crate::transition::split::{self, Part};
use crate::transition::{TransitionDraw, TransitionKind, XfadeKind};
use backdrop::YuvBackdrop;
use layer::{Direct, Mode, Work, YuvCard, YuvItem};

pub(crate) use backdrop::centroid;

/// Whether the frame can take the YUV path: YUV output; every drawn layer YUV with the output's
/// matrix and range, drawn `over`, without content blur; an opaque background that is not an
/// image; transitions only built-ins that `split::route` draws without their pictures.
pub(crate) fn eligible(
    background: &Background,
    layers: &[LayerSource<'_>],
    cards: &[Option<CardLayer<'_>>],
    transitions: &[TransitionDraw],
    output: &OutputTarget<'_>,
) -> bool {
    let out = &output.colorimetry;
    let same = |l: &LayerSource<'_>| {
        l.format.is_yuv()
            && l.colorimetry.matrix == out.matrix
            && l.colorimetry.full_range == out.full_range
    };
    let opaque = |argb: u32| argb >> 24 == 0xff;
    let bg_ok = match background {
        Background::Solid(c) => opaque(*c),
        Background::Checker => true,
        Background::Gradient { from, to, .. } => opaque(*from) && opaque(*to),
        Background::Image(_) => false,
        Background::Blurred { layer, .. } => layers.get(*layer).is_some_and(same),
    };
    let in_transition = |i: usize| transitions.iter().any(|t| t.from == i || t.to == i);
    // The squeezes and zoomin draw FROM's rows or columns from elsewhere (`Sample::rows_from`,
    // `Sample::cols_from`): only a card that covers the frame as a plain rectangle, which has
    // no shape of its own to move with them.
    let (w, h) = (output.width as usize, output.height as usize);
    let plain_frame = |c: &CardLayer<'_>| {
        c.samples.len() == 1
            && c.cols == (0..w)
            && c.rows == (0..h)
            && (0..h).all(|y| c.interior_span(y) == (0..w))
    };
    // hblur averages whole rows of both pictures: only cards that are their content alone
    // across the frame (`YuvItem::blur_luma`).
    let plain_ok = transitions.iter().all(|t| {
        let plain = |i: usize| {
            cards
                .get(i)
                .and_then(Option::as_ref)
                .is_none_or(plain_frame)
        };
        match t.kind {
            TransitionKind::Xfade(
                XfadeKind::SqueezeH | XfadeKind::SqueezeV | XfadeKind::ZoomIn,
            ) => plain(t.from),
            TransitionKind::Xfade(XfadeKind::HBlur) => plain(t.from) && plain(t.to),
            _ => true,
        }
    });
    output.format.is_yuv()
        && bg_ok
        && plain_ok
        && transitions.iter().all(|t| route(t, output).is_some())
        && cards.iter().flatten().all(|c| {
            (c.op == Operator::Over || in_transition(c.index))
                && c.blur.is_none()
                && matches!(c.pixels, Pixels::Yuv { .. })
                && same(&layers[c.index])
        })
}

/// How the YUV path draws transition `t` on `output`, when it can.
pub(crate) fn route(t: &TransitionDraw, output: &OutputTarget<'_>) -> Option<Route> {
    match t.kind {
        TransitionKind::Xfade(kind) => split::route(
            kind,
            t.progress,
            [output.width as usize, output.height as usize],
        ),
        TransitionKind::Shader(_) => None,
    }
}

/// Quantises `d` into `out` except the columns `direct` copies (sorted here by column).
fn quantise_around(d: &[f32], out: &mut [u8], direct: &mut [Direct]) {
    direct.sort_by_key(|c| c.cols.start);
    let mut x = 0;
    for c in direct.iter() {
        if c.cols.start > x {
            quantise(&d[x..c.cols.start], &mut out[x..c.cols.start]);
        }
        x = x.max(c.cols.end);
    }
    if x < d.len() {
        quantise(&d[x..], &mut out[x..]);
    }
}

/// Up to eight rows of a plane with weights.
#[derive(Debug, Clone, Copy, Default)]
struct RowList {
    n: usize,
    rows: [usize; 8],
    weights: [f32; 8],
}

impl RowList {
    fn push(&mut self, row: usize, w: f32) {
        if w == 0.0 {
            return;
        }
        if let Some(i) = self.rows[..self.n].iter().position(|&r| r == row) {
            self.weights[i] += w;
        } else if self.n < 8 {
            self.rows[self.n] = row;
            self.weights[self.n] = w;
            self.n += 1;
        }
    }

    fn weights(&self) -> &[f32] {
        &self.weights[..self.n]
    }

    /// The rows (all eight slots; the first `n` are used).
    fn rows(&self) -> [usize; 8] {
        self.rows
    }
}

/// Premultiplied RGBA → premultiplied Y'CbCr (offsets times alpha) + alpha.
fn premultiplied_yuv(m: &Affine3, c: [f32; 4]) -> [f32; 4] {
    let f = |r: &[f32; 4]| r[0] * c[0] + r[1] * c[1] + r[2] * c[2] + r[3] * c[3];
    [f(&m[0]), f(&m[1]), f(&m[2]), c[3]]
}

fn sized(v: &mut Vec<f32>, n: usize) -> &mut [f32] {
    if v.len() < n {
        v.resize(n, 0.0);
    }
    &mut v[..n]
}

/// Scratch of one thread.
#[derive(Debug, Default)]
pub(crate) struct YuvScratch {
    d: Vec<f32>,
    du: Vec<f32>,
    dv: Vec<f32>,
    acc: [Vec<f32>; 3],
    tmp: [Vec<f32>; 2],
    work: Work,
    /// A transition's per-pixel weights (FROM, TO, colour) through the kernel, for a chroma
    /// row.
    wts: [Vec<f32>; 3],
    ctmp: Vec<f32>,
    /// A mix's weights on the luma rows just drawn.
    mix_rows: layer::MixRows,
    /// A selection's FROM, TO and colour weights on those rows.
    sel_weights: [[Vec<f32>; 3]; 3],
    /// Which part each chroma sample of a selection reads (see `YuvItem::select_chroma`).
    labels: Vec<u8>,
    row_labels: Vec<u8>,
    /// The item being drawn, when nothing above it touches its columns on this row: its parts
    /// may then leave columns to be copied byte for byte (`direct`).
    direct_item: Option<usize>,
    direct: Vec<Direct>,
    blur: BlurScratch,
    exact: ExactScratch,
}

/// A mix's chroma row formed whole (see `YuvItem::exact_row`): sums at luma resolution, a
/// part's chroma there, and the sums through the kernel.
#[derive(Debug, Default)]
struct ExactScratch {
    lines: [Vec<f32>; 5],
    sums: [Vec<f32>; 3],
}

/// hblur's rows (see `YuvItem::blur_luma`): mixed rows and a part's rows at luma resolution,
/// and the prefix sums of one.
#[derive(Debug, Default)]
struct BlurScratch {
    lines: [Vec<f32>; 4],
    sums: Vec<f64>,
}

/// The frame of the YUV path.
#[derive(Debug)]
pub(crate) struct YuvScene<'a> {
    width: usize,
    height: usize,
    cw: usize,
    nv12: bool,
    kernel: ChromaKernel,
    backdrop: YuvBackdrop<'a>,
    items: Vec<YuvItem<'a>>,
}

impl<'a> YuvScene<'a> {
    /// The scene of a frame `eligible` accepted: `cards` by layer index; a transition's two
    /// cards become one item at the z position of the upper one.
    pub(crate) fn new(
        background: &Background,
        reduced: &'a Reduced,
        cards: Vec<Option<CardLayer<'a>>>,
        transitions: &[TransitionDraw],
        output: &OutputTarget<'_>,
    ) -> Self {
        let (width, height) = (output.width as usize, output.height as usize);
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        let c = &output.colorimetry;
        let m = c.rgb_to_yuv();
        let kernel = ChromaKernel::new(c, width, height);
        let backdrop = YuvBackdrop::new(background, reduced, &m, c, width, height);
        let mut cards: Vec<Option<CardLayer<'a>>> = cards;
        let mut items: Vec<(usize, YuvItem<'a>)> = Vec::new();
        let card = |i: usize, share: f32, cards: &mut Vec<Option<CardLayer<'a>>>| {
            cards
                .get_mut(i)
                .and_then(Option::take)
                .and_then(|c| YuvCard::new(c, share, &m, &kernel))
        };
        let (size, csize) = ([width, height], [cw, ch]);
        for t in transitions {
            let Some(route) = route(t, output) else {
                continue;
            };
            let (shares, mode, colour) = match route {
                Route::Mix(mix) => match mix.constant {
                    Some([a, b, c]) => ([a, b], Mode::Sum { colour_k: c }, mix.colour),
                    None => ([1.0, 1.0], Mode::Mix(mix), [0.0, 0.0, 0.0, 1.0]),
                },
                Route::Select(sel) => {
                    let colour = sel.colour;
                    ([1.0, 1.0], Mode::Select(sel), colour)
                }
                Route::Blur(blur) => ([1.0, 1.0], Mode::Blur(blur), [0.0, 0.0, 0.0, 1.0]),
            };
            let parts: Vec<(YuvCard<'a>, Part)> = [
                card(t.from, shares[0], &mut cards).map(|c| (c, Part::From)),
                card(t.to, shares[1], &mut cards).map(|c| (c, Part::To)),
            ]
            .into_iter()
            .flatten()
            .collect();
            let colour = premultiplied_yuv(&m, colour);
            if let Some(item) = YuvItem::new(parts, mode, colour, size, csize) {
                items.push((t.from.max(t.to), item));
            }
        }
        for i in 0..cards.len() {
            let sum = Mode::Sum { colour_k: 0.0 };
            if let Some(item) = card(i, 1.0, &mut cards)
                .and_then(|c| YuvItem::new(vec![(c, Part::From)], sum, [0.0; 4], size, csize))
            {
                items.push((i, item));
            }
        }
        // Stable: a transition follows the card at its own index.
        items.sort_by_key(|(z, _)| *z);
        YuvScene {
            width,
            height,
            cw,
            nv12: output.format == PixelFormat::Nv12,
            kernel,
            backdrop,
            items: items.into_iter().map(|(_, item)| item).collect(),
        }
    }

    /// Whether the item hiding `hole` blends onto what it hides (see `luma_row`).
    fn blends_in_hole(&self, at: usize, hole: &Range<usize>) -> bool {
        !hole.is_empty()
            && self
                .items
                .get(at)
                .is_some_and(YuvItem::blends_where_it_hides)
    }

    /// The topmost item hiding what lies below on luma row `y`: (its index, the columns).
    fn hole(&self, y: usize) -> (usize, Range<usize>) {
        for (i, item) in self.items.iter().enumerate().rev() {
            let span = item.hides(y);
            if !span.is_empty() {
                return (i, span);
            }
        }
        (0, 0..0)
    }

    /// The same for chroma row `j`: hidden on every luma row it reads.
    fn chroma_hole(&self, j: usize) -> (usize, Range<usize>) {
        let rows = self.kernel.rows(j);
        for (i, item) in self.items.iter().enumerate().rev() {
            let mut span: Option<Range<usize>> = None;
            for &(y, w) in &rows {
                if w == 0.0 {
                    continue;
                }
                let s = item.hides(y);
                span = Some(match span {
                    None => s,
                    Some(p) => p.start.max(s.start)..p.end.min(s.end),
                });
            }
            let inside = self.kernel.inside(span.unwrap_or(0..0));
            if !inside.is_empty() {
                return (i, inside);
            }
        }
        (0, 0..0)
    }

    /// Composites luma row `y` into `s.d`.
    fn luma_row(&self, y: usize, s: &mut YuvScratch) {
        let w = self.width;
        let mut d = std::mem::take(&mut s.d);
        d.resize(w, 0.0);
        let (hole_at, hole) = self.hole(y);
        for cols in around(0..w, &hole) {
            if !cols.is_empty() {
                self.backdrop.luma(y, cols.clone(), &mut d[cols]);
            }
        }
        if self.blends_in_hole(hole_at, &hole) {
            // Weighed by (nearly) nothing, but what the last row left there must not count.
            d[hole.clone()].fill(0.0);
        }
        for (i, item) in self.items.iter().enumerate() {
            if !item.rows.contains(&y) {
                continue;
            }
            let hide = if i < hole_at { hole.clone() } else { 0..0 };
            let topmost = !self.items[i + 1..].iter().any(|a| {
                a.rows.contains(&y) && a.cols.start < item.cols.end && item.cols.start < a.cols.end
            });
            s.direct_item = topmost.then_some(i);
            for cols in around(item.cols.clone(), &hide) {
                if !cols.is_empty() {
                    item.luma(y, cols, &mut d, s);
                }
            }
        }
        s.direct_item = None;
        s.d = d;
    }

    /// Composites chroma row `j` into `s.du`, `s.dv`.
    fn chroma_row(&self, j: usize, s: &mut YuvScratch) {
        let cw = self.cw;
        let (mut du, mut dv) = (std::mem::take(&mut s.du), std::mem::take(&mut s.dv));
        du.resize(cw, 0.0);
        dv.resize(cw, 0.0);
        let (hole_at, hole) = self.chroma_hole(j);
        for cols in around(0..cw, &hole) {
            if !cols.is_empty() {
                let (u, v) = (&mut du[cols.clone()], &mut dv[cols.clone()]);
                self.backdrop
                    .chroma(&self.kernel, j, cols, &mut s.tmp, u, v);
            }
        }
        if self.blends_in_hole(hole_at, &hole) {
            du[hole.clone()].fill(0.0);
            dv[hole.clone()].fill(0.0);
        }
        for (i, item) in self.items.iter().enumerate() {
            if !item.crows.contains(&j) {
                continue;
            }
            let hide = if i < hole_at { hole.clone() } else { 0..0 };
            let topmost = !self.items[i + 1..].iter().any(|a| {
                a.crows.contains(&j)
                    && a.ccols.start < item.ccols.end
                    && item.ccols.start < a.ccols.end
            });
            s.direct_item = topmost.then_some(i);
            for cols in around(item.ccols.clone(), &hide) {
                if !cols.is_empty() {
                    item.chroma(&self.kernel, j, cols, &mut du, &mut dv, s);
                }
            }
        }
        s.direct_item = None;
        s.du = du;
        s.dv = dv;
    }

    /// Renders chroma rows `band` (and their luma rows) into the band's planes; returns the time
    /// spent writing bytes.
    pub(crate) fn band(
        &self,
        band: Range<usize>,
        planes: &mut [PlaneMut<'_>],
        s: &mut YuvScratch,
    ) -> Duration {
        let mut convert = Duration::ZERO;
        s.mix_rows.clear();
        let (w, cw) = (self.width, self.cw);
        let j0 = band.start;
        for j in band {
            for y in [2 * j, 2 * j + 1] {
                if y >= self.height {
                    continue;
                }
                s.direct.clear();
                self.luma_row(y, s);
                let t = Instant::now();
                let stride = planes[0].stride;
                let out = &mut planes[0].data[(y - 2 * j0) * stride..][..w];
                quantise_around(&s.d[..w], out, &mut s.direct);
                for c in &s.direct {
                    let part = &self.items[c.item].parts[c.part];
                    let (src, _) = part.source(0, c.at, c.cols.len());
                    out[c.cols.clone()].copy_from_slice(src);
                }
                convert += t.elapsed();
            }
            s.direct.clear();
            self.chroma_row(j, s);
            let t = Instant::now();
            let r = j - j0;
            if self.nv12 {
                let stride = planes[1].stride;
                let out = &mut planes[1].data[r * stride..][..cw * 2];
                for ((px, u), v) in out.chunks_exact_mut(2).zip(&s.du).zip(&s.dv) {
                    px[0] = code(*u);
                    px[1] = code(*v);
                }
            } else {
                for (p, src) in [(1, &s.du), (2, &s.dv)] {
                    let stride = planes[p].stride;
                    let out = &mut planes[p].data[r * stride..][..cw];
                    quantise_around(&src[..cw], out, &mut s.direct);
                }
            }
            for c in &s.direct {
                let part = &self.items[c.item].parts[c.part];
                let n = c.cols.len();
                for channel in [1, 2] {
                    let (src, step) = part.source(channel, c.at, n);
                    let (plane, first, out_step) = if self.nv12 {
                        (1, 2 * c.cols.start + channel - 1, 2)
                    } else {
                        (channel, c.cols.start, 1)
                    };
                    let stride = planes[plane].stride;
                    let row = &mut planes[plane].data[r * stride..];
                    if (out_step, step) == (1, 1) {
                        // Planar into planar: a plain copy.
                        row[first..first + n].copy_from_slice(&src[..n]);
                        continue;
                    }
                    for (o, v) in row[first..]
                        .iter_mut()
                        .step_by(out_step)
                        .zip(src.iter().step_by(step))
                        .take(n)
                    {
                        *o = *v;
                    }
                }
            }
            convert += t.elapsed();
        }
        convert
    }
}

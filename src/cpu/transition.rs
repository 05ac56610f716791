//! Transitions between two layers: each card is drawn alone (every effect, its alpha) onto a
//! transparent premultiplied picture covering the union of the two layers' bounds; the
//! transition's function then combines the two pictures per output pixel, and the result is
//! drawn over what lies below, at the z position of the upper layer. Kinds that read their
//! pictures as whole rows have each card's rows drawn as they are read (`Pictures::Cards`);
//! the others (and shader transitions, whose program needs whole textures) read frame-sized
//! buffers drawn beforehand.

use std::ops::Range;

use super::frame::CardLayer;
use super::par::{bands, par_parts};
use super::par_rows;
use super::rgb::{around, draw_card_row_onto_clear, CardScratch, Rgba};
use crate::transition::split::{prefix_sums, Blur, Solid};
use crate::transition::xfade::{
    by_kind, distance_of, fadegrays_of, mix4, pixelize_centre, smoothstep, squeeze, zoomed,
};
use crate::transition::{Picture, XfadeKind};

/// One transition ready to draw.
#[derive(Debug)]
pub(crate) struct TransitionLayer<'a> {
    pub(crate) kind: XfadeKind,
    pub(crate) progress: f32,
    /// The two cards, interleaved premultiplied RGBA over `cols` × `rows` (empty when
    /// `cards` draws their rows on demand).
    pub(crate) from: &'a [f32],
    pub(crate) to: &'a [f32],
    /// The two cards themselves, when their rows are drawn as the transition reads them (see
    /// `Pictures::Cards`), and the transition's slot in `PictureRows`.
    cards: Option<(Box<[Option<CardLayer<'a>>; 2]>, usize)>,
    pub(crate) cols: Range<usize>,
    pub(crate) rows: Range<usize>,
    /// The frame's size.
    pub(crate) size: [usize; 2],
    /// Whether the transition reads its buffers directly where `exact` allows.
    direct: bool,
    /// A shader transition's result, run on the GPU (interleaved premultiplied RGBA, 8-bit
    /// codes over the whole frame), drawn as is; empty for the others.
    shaded: &'a [u8],
    /// Whether the layer is such a result.
    done: bool,
    /// Per column and per row: whether a read at that pixel's centre is a direct load (see
    /// `exact_centres`).
    exact: [Vec<bool>; 2],
    /// Whether every column and row is (`exact`).
    all_exact: bool,
    /// fadefast's and fadeslow's weight as a function of a channel's difference (see
    /// `fade_pow_lut`), when the kind is one of them.
    lut: Vec<f32>,
    /// squeezev's, zoomin's and pixelize's FROM column for each output column (`NONE`: TO
    /// shows there),
    /// found once a frame (see `remap_row`).
    columns: Vec<u32>,
    /// hblur's window and weights, found once a frame (see `hblur_row`).
    blur: Option<Blur>,
}

/// No column (see `TransitionLayer::columns`).
const NONE: u32 = u32::MAX;

/// The columns and rows covering both cards (either may be missing: it shows nothing).
pub(crate) fn union(
    a: Option<&CardLayer<'_>>,
    b: Option<&CardLayer<'_>>,
) -> Option<(Range<usize>, Range<usize>)> {
    let u = |p: &Range<usize>, q: &Range<usize>| p.start.min(q.start)..p.end.max(q.end);
    match (a, b) {
        (Some(a), Some(b)) => Some((u(&a.cols, &b.cols), u(&a.rows, &b.rows))),
        (Some(c), None) | (None, Some(c)) => Some((c.cols.clone(), c.rows.clone())),
        (None, None) => None,
    }
}

/// Draws `layer` alone onto `buf` (interleaved RGBA over `cols` × `rows`, cleared here; left
/// transparent without a layer).
pub(crate) fn draw_alone<T: Texel>(
    layer: Option<&CardLayer<'_>>,
    cols: Range<usize>,
    rows: Range<usize>,
    buf: &mut Vec<T>,
    threads: usize,
) {
    let w = cols.len();
    let Some(layer) = layer.filter(|_| w > 0) else {
        buf.clear();
        buf.resize(w * rows.len() * 4, T::default());
        return;
    };
    // Every row is written whole below: no need to clear what the last frame left.
    buf.resize(w * rows.len() * 4, T::default());
    par_rows(threads, buf, w * 4, |r0, band| {
        let mut dst = Rgba::default();
        let mut scratch = CardScratch::default();
        let mut line = Vec::new();
        for (i, out) in band.chunks_exact_mut(w * 4).enumerate() {
            draw_row_alone(layer, &cols, rows.start + r0 + i, &mut dst, &mut scratch);
            T::store(&dst.c, out, &mut line);
        }
    });
}

/// Where [`draw_alone_to`] puts a card's rows (8-bit codes): memory the card is uploaded from,
/// which may be written but not read, cut into bands for threads.
pub(crate) trait RowSink: Send + Sized {
    /// The first `rows` rows, and the rest.
    fn split(self, rows: usize) -> (Self, Self);
    /// Writes `pixels` as row `i` (counted from this sink's first).
    fn put(&mut self, i: usize, pixels: &[u8]);
}

/// [`draw_alone`] (8-bit) into `sink`: each row drawn into a row of scratch, then written.
pub(crate) fn draw_alone_to<S: RowSink>(
    layer: Option<&CardLayer<'_>>,
    cols: Range<usize>,
    rows: Range<usize>,
    sink: S,
    threads: usize,
) {
    let w = cols.len();
    let bands = bands(rows.len(), threads);
    let mut sinks = Vec::with_capacity(bands.len());
    let mut rest = sink;
    for band in &bands {
        let (head, tail) = rest.split(band.len());
        sinks.push(head);
        rest = tail;
    }
    let draw = |band: Range<usize>, mut sink: S| {
        let mut pixels = vec![0u8; w * 4];
        let mut dst = Rgba::default();
        let mut scratch = CardScratch::default();
        let mut line = Vec::new();
        for (i, y) in band.clone().enumerate() {
            if let Some(layer) = layer {
                draw_row_alone(layer, &cols, rows.start + y, &mut dst, &mut scratch);
                u8::store(&dst.c, &mut pixels, &mut line);
            }
            sink.put(i, &pixels);
        }
    };
    par_parts(bands.into_iter().zip(sinks), draw);
}

/// Draws row `y` of `layer` alone onto `dst` (cleared here), over `cols` (index 0 is
/// `cols.start`).
fn draw_row_alone(
    layer: &CardLayer<'_>,
    cols: &Range<usize>,
    y: usize,
    dst: &mut Rgba,
    scratch: &mut CardScratch,
) {
    dst.resize(cols.len());
    for c in &mut dst.c {
        c.fill(0.0);
    }
    let lc = layer.cols.start.max(cols.start)..layer.cols.end.min(cols.end);
    draw_card_row_onto_clear(layer, y, lc, dst, cols.start, scratch);
}

/// Where a transition's two pictures come from.
#[derive(Debug)]
pub(crate) enum Pictures<'a> {
    /// Drawn alone beforehand (`draw_alone`), interleaved over the transition's area.
    Buffers(&'a [f32], &'a [f32]),
    /// The cards themselves, each row drawn when the transition first reads it (into
    /// `PictureRows`, slot `.1`): for kinds that read whole rows (`TransitionLayer::reads_rows`),
    /// which then never hold a frame-sized picture. The same arithmetic as `draw_alone`, so the
    /// same bits.
    Cards(Box<[Option<CardLayer<'a>>; 2]>, usize),
}

/// One thread's rows of transition pictures drawn on demand (see `Pictures::Cards`): the last
/// row drawn of each picture of each transition, kept for the rows that read it again.
#[derive(Debug, Default)]
pub(crate) struct PictureRows {
    /// By slot: FROM's and TO's last row.
    cached: Vec<[CachedRow; 2]>,
    card: CardScratch,
    work: Work,
}

/// Scratch of a transition forming a row of its result before drawing it over.
#[derive(Debug, Default)]
struct Work {
    /// The result row, over some columns.
    mixed: Rgba,
    /// What `mixed` holds when it may serve again (pixelize: slot, source row, columns).
    holds: Option<(usize, usize, Range<usize>)>,
    /// hblur's mixed row of one channel, and its prefix sums.
    line: Vec<f32>,
    sums: Vec<f64>,
}

/// A picture's row drawn on demand, over the transition's columns.
#[derive(Debug, Default)]
struct CachedRow {
    /// Which row it is (`None`: none yet this band).
    y: Option<usize>,
    planar: Rgba,
    /// It interleaved, once something reads it so (`interleaved`).
    line: Vec<f32>,
    interleaved: bool,
}

impl Work {
    /// The result row, to be overwritten.
    fn mixed(&mut self) -> &mut Rgba {
        self.holds = None;
        &mut self.mixed
    }
}

impl PictureRows {
    /// Forgets every row (a new frame, or a new band of one).
    pub(crate) fn forget(&mut self) {
        for row in self.cached.iter_mut().flatten() {
            row.y = None;
        }
        self.work.holds = None;
    }
}

/// A channel type of the interleaved buffers a card is drawn alone into: f32 for the CPU's
/// transitions, f16 for the textures of the hybrid route's shader transitions.
pub(crate) trait Texel: Copy + Default + Send {
    /// Interleaves the planes `c` (R, G, B, A) into `out`; `line` is scratch.
    fn store(c: &[Vec<f32>; 4], out: &mut [Self], line: &mut Vec<f32>);
}

impl Texel for f32 {
    fn store(c: &[Vec<f32>; 4], out: &mut [f32], _: &mut Vec<f32>) {
        #[inline(always)]
        fn interleave([r, g, b, a]: &[Vec<f32>; 4], out: &mut [f32]) {
            for ((((px, r), g), b), a) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b).zip(a) {
                px.copy_from_slice(&[*r, *g, *b, *a]);
            }
        }
        crate::simd::dispatch!(interleave(c, out));
    }
}

impl Texel for u8 {
    fn store(c: &[Vec<f32>; 4], out: &mut [u8], _: &mut Vec<f32>) {
        #[inline(always)]
        fn interleave([r, g, b, a]: &[Vec<f32>; 4], out: &mut [u8]) {
            use super::convert::code;
            for ((((px, r), g), b), a) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b).zip(a) {
                px.copy_from_slice(&[code(*r), code(*g), code(*b), code(*a)]);
            }
        }
        crate::simd::dispatch!(interleave(c, out));
    }
}

/// ⌊x⌋ without a libm call (the baseline x86-64 target has no rounding instruction).
#[inline]
fn floor(x: f32) -> i64 {
    let i = x as i64;
    if (i as f32) > x {
        i - 1
    } else {
        i
    }
}

/// The texel before `f` (a texel coordinate, centres at integers) and the weight of the next
/// one, snapped: within 1e-4 of a texel centre reads that texel alone (the other weight would
/// change less than 0.03 of a code).
#[inline]
fn snap(f: f32) -> (i64, f32) {
    let i = floor(f);
    let w = f - i as f32;
    if w < 1e-4 {
        (i, 0.0)
    } else if w > 1.0 - 1e-4 {
        (i + 1, 0.0)
    } else {
        (i, w)
    }
}

/// Per pixel i of an axis of `n` pixels: whether `sample` reads the centre of pixel i
/// ((i + ½)/n) as texel i alone, and `XfadeKind::evaluate` finds pixel i there (⌊uv · n⌋ = i)
/// and at no other centre: then a read at that centre is a direct load. True for every pixel
/// up to 2048; beyond, f32 leaves some centres more than 1e-4 off, and those are sampled.
fn exact_centres(n: usize) -> Vec<bool> {
    let nf = n as f32;
    let at = |i: usize| {
        let uv = (i as f32 + 0.5) / nf;
        let f = uv * nf - 0.5;
        let snapped = f.is_finite() && snap(f) == (i as i64, 0.0);
        (snapped, (uv * nf).floor())
    };
    let mut exact: Vec<bool> = (0..n)
        .map(|i| {
            let (snapped, found) = at(i);
            snapped && found == i as f32
        })
        .collect();
    for i in 0..n {
        let (_, found) = at(i);
        if found != i as f32 && found >= 0.0 && (found as usize) < n {
            exact[found as usize] = false;
        }
    }
    exact
}

/// Whether `kind` reads FROM and TO only at the output pixel itself and makes transparent of
/// two transparent pixels (for progress in 0..=1 and frames of at least 2 × 2): then only the
/// union of the two cards needs evaluating. Not the crops (black around), fadeblack and
/// fadewhite (black, white in between), nor those that read elsewhere (slides, covers,
/// reveals, pixelize, hblur, squeezes, zoomin).
fn local_and_clear(kind: XfadeKind) -> bool {
    use XfadeKind as K;
    matches!(
        kind,
        K::Fade
            | K::WipeLeft
            | K::WipeRight
            | K::WipeUp
            | K::WipeDown
            | K::Distance
            | K::Radial
            | K::SmoothLeft
            | K::SmoothRight
            | K::SmoothUp
            | K::SmoothDown
            | K::CircleOpen
            | K::CircleClose
            | K::VertOpen
            | K::VertClose
            | K::HorzOpen
            | K::HorzClose
            | K::Dissolve
            | K::DiagTl
            | K::DiagTr
            | K::DiagBl
            | K::DiagBr
            | K::HlSlice
            | K::HrSlice
            | K::VuSlice
            | K::VdSlice
            | K::FadeGrays
            | K::WipeTl
            | K::WipeTr
            | K::WipeBl
            | K::WipeBr
            | K::FadeFast
            | K::FadeSlow
            | K::HlWind
            | K::HrWind
            | K::VuWind
            | K::VdWind
    )
}

/// Whether `kind` only mixes the two pictures at the same place by progress (a cross-fade):
/// then only the union of the two cards needs evaluating.
fn mixes_in_place(kind: XfadeKind) -> bool {
    matches!(kind, XfadeKind::Fade)
}

/// One of a transition's two buffers as the transition reads it: whole pixels are loaded
/// directly (what `sample` gives there, see `exact_centres`), anything else is sampled.
struct Texels<'a> {
    layer: &'a TransitionLayer<'a>,
    buf: &'a [f32],
}

impl Picture for Texels<'_> {
    #[inline]
    fn at(&self, uv: [f32; 2]) -> [f32; 4] {
        self.layer.sample(self.buf, uv)
    }

    #[inline(always)]
    fn at_pixel(&self, px: f32, py: f32, centre: [f32; 2]) -> [f32; 4] {
        let [w, h] = self.layer.size;
        let (ix, iy) = (px as usize, py as usize);
        let [ex, ey] = &self.layer.exact;
        if ix < w && iy < h && ix as f32 == px && iy as f32 == py && ex[ix] && ey[iy] {
            self.layer.texel(self.buf, ix, iy)
        } else {
            self.at(centre)
        }
    }
}

impl<'a> TransitionLayer<'a> {
    /// A transition of `kind` at `progress` between the buffers `from` and `to` over `cols` ×
    /// `rows` of a frame of `size`; `generic` forces every read through `sample` (for tests).
    pub(crate) fn new(
        kind: XfadeKind,
        progress: f32,
        pictures: Pictures<'a>,
        (cols, rows): (Range<usize>, Range<usize>),
        size: [usize; 2],
        generic: bool,
    ) -> Self {
        let exact = if generic {
            Default::default()
        } else {
            size.map(exact_centres)
        };
        let ((from, to), cards) = match pictures {
            Pictures::Buffers(from, to) => ((from, to), None),
            Pictures::Cards(cards, slot) => {
                debug_assert!(Self::reads_rows(kind, progress, size, generic));
                ((&[][..], &[][..]), Some((cards, slot)))
            }
        };
        TransitionLayer {
            kind,
            progress,
            from,
            to,
            cards,
            cols,
            rows,
            size,
            direct: !generic,
            shaded: &[],
            done: false,
            all_exact: !generic && exact.iter().all(|e| e.iter().all(|&x| x)),
            exact,
            lut: match kind {
                XfadeKind::FadeFast | XfadeKind::FadeSlow
                    if !generic && (0.0..=1.0).contains(&progress) =>
                {
                    fade_pow_lut(kind == XfadeKind::FadeSlow, 1.0 - progress)
                }
                _ => Vec::new(),
            },
            columns: if generic || !(0.0..=1.0).contains(&progress) {
                Vec::new()
            } else {
                remap_columns(kind, progress, size)
            },
            blur: (kind == XfadeKind::HBlur && (0.0..=1.0).contains(&progress))
                .then(|| Blur::new(progress, size[0])),
        }
    }
}

impl<'a> TransitionLayer<'a> {
    /// Whether a transition of `kind` at `progress` over a frame of `size` reads its pictures
    /// only as whole rows, at pixel centres that are whole texels (see `exact_centres`): then
    /// `Pictures::Cards` may serve them.
    pub(crate) fn reads_rows(
        kind: XfadeKind,
        progress: f32,
        [w, h]: [usize; 2],
        generic: bool,
    ) -> bool {
        use XfadeKind as K;
        let rows_alone = local_and_clear(kind)
            || matches!(
                kind,
                K::HBlur | K::Pixelize | K::SqueezeH | K::SqueezeV | K::ZoomIn
            );
        !generic
            && rows_alone
            && (0.0..=1.0).contains(&progress)
            && w > 1
            && h > 1
            && [w, h]
                .into_iter()
                .all(|n| exact_centres(n).into_iter().all(|e| e))
    }

    /// Row `want[0]` of FROM and row `want[1]` of TO (`None`: not wanted), each over the
    /// transition's columns, interleaved; `None` for a row outside its rows.
    fn rows<'s>(
        &'s self,
        s: &'s mut PictureRows,
        want: [Option<usize>; 2],
    ) -> [Option<&'s [f32]>; 2] {
        self.rows_and_work(s, want).0
    }

    /// `rows`, and the scratch to form a result row in.
    fn rows_and_work<'s>(
        &'s self,
        s: &'s mut PictureRows,
        want: [Option<usize>; 2],
    ) -> ([Option<&'s [f32]>; 2], &'s mut Work) {
        let Some((_, slot)) = &self.cards else {
            let rows = [
                want[0].and_then(|y| self.buffer_row(self.from, y)),
                want[1].and_then(|y| self.buffer_row(self.to, y)),
            ];
            return (rows, &mut s.work);
        };
        self.draw_rows(s, want);
        let cached = &mut s.cached[*slot];
        for (row, y) in cached.iter_mut().zip(want) {
            if y.is_some() && !row.interleaved {
                row.line.resize(self.cols.len() * 4, 0.0);
                f32::store(&row.planar.c, &mut row.line, &mut Vec::new());
                row.interleaved = true;
            }
        }
        let cached = &s.cached[*slot];
        let rows = std::array::from_fn(|i| {
            want[i]
                .filter(|y| self.rows.contains(y))
                .map(|_| &cached[i].line[..])
        });
        (rows, &mut s.work)
    }

    /// Row `y` of FROM and of TO, planar over the transition's columns, and the scratch: when
    /// they are drawn on demand and `y` lies in the transition's rows.
    fn planar_rows<'s>(
        &'s self,
        s: &'s mut PictureRows,
        y: usize,
    ) -> Option<([&'s Rgba; 2], &'s mut Work)> {
        match self.planar_pictures(s, [Some(y); 2])? {
            ([Some(a), Some(b)], work) => Some(([a, b], work)),
            _ => None,
        }
    }

    /// Row `want[0]` of FROM and `want[1]` of TO, planar over the transition's columns (`None`:
    /// not wanted, or outside the transition's rows: transparent), and scratch rows to form the
    /// result in; `None` unless the cards are drawn on demand.
    fn planar_pictures<'s>(
        &'s self,
        s: &'s mut PictureRows,
        want: [Option<usize>; 2],
    ) -> Option<([Option<&'s Rgba>; 2], &'s mut Work)> {
        let (_, slot) = self.cards.as_ref()?;
        self.draw_rows(s, want);
        let cached = &s.cached[*slot];
        let rows = std::array::from_fn(|i| {
            want[i]
                .filter(|y| self.rows.contains(y))
                .map(|_| &cached[i].planar)
        });
        Some((rows, &mut s.work))
    }

    /// Draws row `want[0]` of FROM and `want[1]` of TO into `s`, unless already there.
    fn draw_rows(&self, s: &mut PictureRows, want: [Option<usize>; 2]) {
        let Some((cards, slot)) = &self.cards else {
            return;
        };
        if s.cached.len() <= *slot {
            s.cached.resize_with(slot + 1, Default::default);
        }
        for ((row, card), y) in s.cached[*slot].iter_mut().zip(cards.iter()).zip(want) {
            let Some(y) = y.filter(|y| row.y != Some(*y) && self.rows.contains(y)) else {
                continue;
            };
            match card {
                Some(card) => draw_row_alone(card, &self.cols, y, &mut row.planar, &mut s.card),
                None => {
                    row.planar.resize(self.cols.len());
                    for c in &mut row.planar.c {
                        c.fill(0.0);
                    }
                }
            }
            row.y = Some(y);
            row.interleaved = false;
        }
    }
}

/// squeezev's, zoomin's and pixelize's FROM column of every output column (empty for other
/// kinds).
fn remap_columns(kind: XfadeKind, progress: f32, [w, h]: [usize; 2]) -> Vec<u32> {
    let (wf, pp) = (w as f32, 1.0 - progress);
    let zf = smoothstep(0.5, 1.0, pp);
    let column = |x: usize| match kind {
        XfadeKind::SqueezeV => squeeze(x as f32, wf, pp).map_or(NONE, |c| c as u32),
        XfadeKind::Pixelize => pixelize_centre(progress, x as f32, [wf, h as f32], wf) as u32,
        _ => zoomed(x as f32, wf, zf) as u32,
    };
    match kind {
        XfadeKind::SqueezeV | XfadeKind::ZoomIn | XfadeKind::Pixelize => {
            (0..w).map(column).collect()
        }
        _ => Vec::new(),
    }
}

impl<'a> TransitionLayer<'a> {
    /// A transition already evaluated into `result` (interleaved premultiplied RGBA, 8-bit
    /// codes, over the whole `size` frame), to be drawn as is.
    pub(crate) fn finished(result: &'a [u8], size: [usize; 2]) -> Self {
        TransitionLayer {
            kind: XfadeKind::Fade,
            progress: 1.0,
            from: &[],
            to: &[],
            shaded: result,
            cards: None,
            cols: 0..size[0],
            rows: 0..size[1],
            size,
            direct: true,
            done: true,
            exact: Default::default(),
            all_exact: false,
            lut: Vec::new(),
            columns: Vec::new(),
            blur: None,
        }
    }
}

impl TransitionLayer<'_> {
    /// Texel (x, y) of `buf` (x < W, y < H): transparent outside the buffer's area.
    #[inline(always)]
    fn texel(&self, buf: &[f32], x: usize, y: usize) -> [f32; 4] {
        let (dx, dy) = (
            x.wrapping_sub(self.cols.start),
            y.wrapping_sub(self.rows.start),
        );
        let bw = self.cols.len();
        if dx >= bw || dy >= self.rows.len() {
            return [0.0; 4];
        }
        let at = (dy * bw + dx) * 4;
        match buf.get(at..at + 4) {
            Some(p) => [p[0], p[1], p[2], p[3]],
            None => [0.0; 4],
        }
    }

    /// Bilinear sample of `buf` at `uv` (0..1 of the frame; texel centres at (i + ½)/W, edges
    /// clamped); transparent outside the buffer's area. A position within 1e-4 of a texel
    /// centre reads that texel alone.
    #[inline]
    fn sample(&self, buf: &[f32], uv: [f32; 2]) -> [f32; 4] {
        let (w, h) = (self.size[0], self.size[1]);
        let fx = uv[0] * w as f32 - 0.5;
        let fy = uv[1] * h as f32 - 0.5;
        if !(fx.is_finite() && fy.is_finite()) {
            return [0.0; 4];
        }
        let ((ix, wx), (iy, wy)) = (snap(fx), snap(fy));
        let texel = |x: i64, y: i64| -> [f32; 4] {
            let x = x.clamp(0, w as i64 - 1) as usize;
            let y = y.clamp(0, h as i64 - 1) as usize;
            self.texel(buf, x, y)
        };
        let t00 = texel(ix, iy);
        if wx == 0.0 && wy == 0.0 {
            return t00;
        }
        let (t10, t01, t11) = (texel(ix + 1, iy), texel(ix, iy + 1), texel(ix + 1, iy + 1));
        std::array::from_fn(|c| {
            let top = t00[c] * (1.0 - wx) + t10[c] * wx;
            let bottom = t01[c] * (1.0 - wx) + t11[c] * wx;
            top * (1.0 - wy) + bottom * wy
        })
    }

    /// Draws row `y` over `dst` (the whole width), except the columns of `hide`.
    pub(crate) fn row(&self, y: usize, hide: &Range<usize>, dst: &mut Rgba, s: &mut PictureRows) {
        let [w, h] = self.size;
        let p = self.progress;
        let [dr, dg, db, da] = &mut dst.c;
        let mut put = |x: usize, t: [f32; 4]| {
            over(t, [&mut dr[x], &mut dg[x], &mut db[x], &mut da[x]]);
        };
        if self.done {
            if let Some(row) = self.shaded.get(y * w * 4..(y + 1) * w * 4) {
                for part in around(0..w, hide) {
                    draw_codes(&row[part.start * 4..part.end * 4], part.start, dst);
                }
            }
            return;
        }
        if mixes_in_place(self.kind) {
            let [Some(a), Some(b)] = self.rows(s, [Some(y), Some(y)]) else {
                return;
            };
            let x0 = self.cols.start;
            // xfade's fade: from · (1 − p) + to · (1 − (1 − p)), as `XfadeKind::evaluate`.
            let pp = 1.0 - p;
            for part in around(self.cols.clone(), hide) {
                let at = (part.start - x0) * 4..(part.end - x0) * 4;
                let (a, b) = (&a[at.clone()], &b[at]);
                for ((x, a), b) in part.zip(a.chunks_exact(4)).zip(b.chunks_exact(4)) {
                    put(x, std::array::from_fn(|c| a[c] * pp + b[c] * (1.0 - pp)));
                }
            }
            return;
        }
        let size = [w as f32, h as f32];
        let v = (y as f32 + 0.5) / h as f32;
        if !self.direct {
            let from = |uv: [f32; 2]| self.sample(self.from, uv);
            let to = |uv: [f32; 2]| self.sample(self.to, uv);
            for x in 0..w {
                if hide.contains(&x) {
                    continue;
                }
                let uv = [(x as f32 + 0.5) / w as f32, v];
                let t = self.kind.evaluate(uv, p, size, &from, &to);
                if t != [0.0; 4] {
                    put(x, t);
                }
            }
            return;
        }
        // Outside both cards such a transition gives transparent pixels, which change nothing.
        let cols = if local_and_clear(self.kind) && (0.0..=1.0).contains(&p) && w > 1 && h > 1 {
            if !self.rows.contains(&y) {
                return;
            }
            self.cols.clone()
        } else {
            0..w
        };
        if self.blur.is_some() {
            self.hblur_row(y, &cols, hide, dst, s);
            return;
        }
        if !self.lut.is_empty() {
            self.fade_pow_row(y, &cols, hide, dst, s);
            return;
        }
        if self.kind == XfadeKind::Pixelize {
            self.pixelize_row(y, &cols, hide, dst, s);
            return;
        }
        if matches!(
            self.kind,
            XfadeKind::SqueezeH | XfadeKind::SqueezeV | XfadeKind::ZoomIn
        ) && (0.0..=1.0).contains(&p)
        {
            self.remap_row(y, &cols, hide, dst, s);
            return;
        }
        // A kind that reads only the pixel itself, inside both buffers where every centre is a
        // whole texel: each pixel's two texels are handed over as they are.
        let here = local_and_clear(self.kind)
            && (0.0..=1.0).contains(&p)
            && w > 1
            && h > 1
            && self.all_exact;
        let pp = 1.0 - p;
        let planar = matches!(self.kind, XfadeKind::Distance | XfadeKind::FadeGrays);
        if let Some((rows, _)) = (here && planar).then(|| self.planar_rows(s, y)).flatten() {
            // Each in its own loop, the formula inlined.
            if self.kind == XfadeKind::Distance {
                self.planar_row(rows, &cols, hide, dst, |a, b| distance_of(a, b, pp));
            } else {
                self.planar_row(rows, &cols, hide, dst, |a, b| fadegrays_of(a, b, pp));
            }
            return;
        }
        let rows = here.then(|| (y, self.rows(s, [Some(y), Some(y)])));
        for part in around(cols, hide) {
            let [r, g, b, a] = dst.slices(part.clone());
            let span = DirectSpan {
                layer: self,
                y: v,
                rows,
                x0: part.start,
                out: [r, g, b, a],
            };
            span.draw();
        }
    }
}

/// Intervals of `fade_pow_lut` over the differences 0..=1.
const LUT_STEPS: usize = 1024;

/// fadefast's (or fadeslow's) weight of FROM, pp^(1 + ln(1 ± d)), at d = i / LUT_STEPS: the
/// formula costs a log and a power per channel and pixel; its table, once a frame, and a linear
/// read between entries stay within 1e-6 of it (the curve bends gently: h² f''/8 with h = 1/1024).
fn fade_pow_lut(slow: bool, pp: f32) -> Vec<f32> {
    (0..=LUT_STEPS)
        .map(|i| {
            let d = i as f32 / LUT_STEPS as f32;
            let base = if slow { 2.0 - d } else { 1.0 + d };
            if pp > 0.0 {
                pp.powf(1.0 + base.ln())
            } else {
                0.0
            }
        })
        .collect()
}

impl TransitionLayer<'_> {
    /// Draws `t` over column `x` of `dst`.
    #[inline(always)]
    fn put(dst: &mut Rgba, x: usize, t: [f32; 4]) {
        if t != [0.0; 4] {
            let [dr, dg, db, da] = &mut dst.c;
            over(t, [&mut dr[x], &mut dg[x], &mut db[x], &mut da[x]]);
        }
    }

    /// fadefast's and fadeslow's row, their weight read from the frame's table.
    fn fade_pow_row(
        &self,
        y: usize,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        s: &mut PictureRows,
    ) {
        let lut = &self.lut;
        let (slow, pp) = (self.kind == XfadeKind::FadeSlow, 1.0 - self.progress);
        // Off the table (colours outside 0..1): the formula itself.
        #[cold]
        #[inline(never)]
        fn off_table(d: f32, slow: bool, pp: f32) -> f32 {
            let base = if slow { 2.0 - d } else { 1.0 + d };
            if pp > 0.0 {
                pp.powf(1.0 + base.ln())
            } else {
                0.0
            }
        }
        let Some(lut) = lut
            .get(..=LUT_STEPS)
            .and_then(|l| <&[f32; LUT_STEPS + 1]>::try_from(l).ok())
        else {
            return;
        };
        #[inline(always)]
        fn read(lut: &[f32; LUT_STEPS + 1], d: f32) -> f32 {
            let f = d * LUT_STEPS as f32;
            // d lies in 0..=1 here: a plain truncation.
            let i = (f as i32).min(LUT_STEPS as i32 - 1) as usize;
            let t = f - i as f32;
            lut[i] + (lut[i + 1] - lut[i]) * t
        }
        let weight = |d: f32| {
            if (0.0..=1.0).contains(&d) {
                read(lut, d)
            } else {
                off_table(d, slow, pp)
            }
        };
        let mix = |a: f32, b: f32| {
            let m = weight((a - b).abs());
            a * m + b * (1.0 - m)
        };
        let inside = cols.start >= self.cols.start && cols.end <= self.cols.end;
        if let Some(([a, b], work)) = self.planar_rows(s, y).filter(|_| inside) {
            let mixed = work.mixed();
            // Channel by channel (each its own weight), then drawn over in one pass.
            let at = cols.start - self.cols.start..cols.end - self.cols.start;
            mixed.resize(at.len());
            for ((a, b), t) in a.c.iter().zip(&b.c).zip(&mut mixed.c) {
                let (a, b) = (&a[at.clone()], &b[at.clone()]);
                for ((t, &a), &b) in t.iter_mut().zip(a).zip(b) {
                    *t = mix(a, b);
                }
            }
            draw_mixed(mixed, cols.start, cols, hide, dst);
            return;
        }
        let pixel = |a: [f32; 4], b: [f32; 4]| {
            [
                mix(a[0], b[0]),
                mix(a[1], b[1]),
                mix(a[2], b[2]),
                mix(a[3], b[3]),
            ]
        };
        let rows = self.rows(s, [Some(y), Some(y)]);
        self.local_row(rows, cols, hide, dst, pixel);
    }

    /// Draws `f(a, b)` of each pixel's two texels (`rows`: FROM's and TO's, planar over the
    /// transition's columns) over `cols` outside `hide`. Without a branch, so that the loop
    /// vectorises: a transparent result leaves the pixel as it was (t + d · (1 − 0) = d).
    #[inline(always)]
    fn planar_row(
        &self,
        [a, b]: [&Rgba; 2],
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        f: impl Fn([f32; 4], [f32; 4]) -> [f32; 4],
    ) {
        let x0 = self.cols.start;
        for part in around(cols.clone(), hide) {
            if part.start < x0 || part.end > self.cols.end {
                // Outside the rows (not for the kinds that come here): transparent texels.
                for x in part {
                    Self::put(dst, x, f([0.0; 4], [0.0; 4]));
                }
                continue;
            }
            let at = part.start - x0..part.end - x0;
            let n = at.len();
            let [ar, ag, ab, aa] = a.c.each_ref().map(|c| &c[at.clone()]);
            let [br, bg, bb, ba] = b.c.each_ref().map(|c| &c[at.clone()]);
            let [dr, dg, db, da] = dst.slices(part);
            let (ar, ag, ab, aa) = (&ar[..n], &ag[..n], &ab[..n], &aa[..n]);
            let (br, bg, bb, ba) = (&br[..n], &bg[..n], &bb[..n], &ba[..n]);
            let (dr, dg, db, da) = (&mut dr[..n], &mut dg[..n], &mut db[..n], &mut da[..n]);
            for i in 0..n {
                let t = f([ar[i], ag[i], ab[i], aa[i]], [br[i], bg[i], bb[i], ba[i]]);
                over(t, [&mut dr[i], &mut dg[i], &mut db[i], &mut da[i]]);
            }
        }
    }

    /// Draws `f(a, b)` of each pixel's two texels (`rows` of FROM and TO) over `cols` outside
    /// `hide`: straight through the rows' slices where the columns lie inside them.
    #[inline(always)]
    fn local_row(
        &self,
        [fr, tr]: [Option<&[f32]>; 2],
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        f: impl Fn([f32; 4], [f32; 4]) -> [f32; 4],
    ) {
        let x0 = self.cols.start;
        for part in around(cols.clone(), hide) {
            let inside = part.start >= x0 && part.end <= self.cols.end;
            let (Some(fr), Some(tr), true) = (fr, tr, inside) else {
                for x in part {
                    Self::put(dst, x, f(self.row_texel(fr, x), self.row_texel(tr, x)));
                }
                continue;
            };
            let at = (part.start - x0) * 4..(part.end - x0) * 4;
            let [dr, dg, db, da] = dst.slices(part);
            let texels = fr[at.clone()].chunks_exact(4).zip(tr[at].chunks_exact(4));
            let out = dr.iter_mut().zip(dg.iter_mut()).zip(db.iter_mut()).zip(da);
            for ((a, b), (((dr, dg), db), da)) in texels.zip(out) {
                let t = f([a[0], a[1], a[2], a[3]], [b[0], b[1], b[2], b[3]]);
                if t != [0.0; 4] {
                    over(t, [dr, dg, db, da]);
                }
            }
        }
    }

    /// pixelize's row: every pixel of a block reads the same two texels, so the block's value is
    /// formed once (by the formula's own arithmetic, pixel for pixel the same).
    fn pixelize_row(
        &self,
        y: usize,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        s: &mut PictureRows,
    ) {
        let [w, h] = self.size.map(|v| v as f32);
        let pp = 1.0 - self.progress;
        let sy = pixelize_centre(self.progress, y as f32, [w, h], h);
        // Every centre a whole texel: the block's reads are loads from row `sy`.
        let want = [self.all_exact.then_some(sy as usize); 2];
        let (rows, work) = self.rows_and_work(s, want);
        // The rows of a block are the same row: formed once, drawn for each.
        let key = (self as *const Self as usize, sy as usize, cols.clone());
        if work.holds.as_ref() != Some(&key) {
            let mixed = &mut work.mixed;
            mixed.resize(cols.len());
            let mut last: Option<(f32, [f32; 4])> = None;
            for x in cols.clone() {
                // The block's column, found once a frame (`columns`).
                let sx = match self.columns.get(x) {
                    Some(&c) => c as f32,
                    None => pixelize_centre(self.progress, x as f32, [w, h], w),
                };
                let t = match last {
                    Some((lx, t)) if lx == sx => t,
                    _ => {
                        let at = |buf, row| match want[row] {
                            Some(_) => self.row_texel(rows[row], sx as usize),
                            None => {
                                let uv = [(sx + 0.5) / w, (sy + 0.5) / h];
                                Texels { layer: self, buf }.at_pixel(sx, sy, uv)
                            }
                        };
                        let (a, b) = (at(self.from, 0), at(self.to, 1));
                        let t = std::array::from_fn(|c| a[c] * pp + b[c] * (1.0 - pp));
                        last = Some((sx, t));
                        t
                    }
                };
                for (m, t) in mixed.c.iter_mut().zip(t) {
                    m[x - cols.start] = t;
                }
            }
            work.holds = Some(key);
        }
        draw_mixed(&work.mixed, cols.start, cols, hide, dst);
    }

    /// squeezeh's, squeezev's and zoomin's row: each reads FROM at one pixel whose column
    /// depends on x alone and whose row on y alone (and TO at the pixel itself), so the row's
    /// source row is found once and each column's source by the formula's own arithmetic:
    /// pixel for pixel what `XfadeKind::evaluate_in` gives.
    fn remap_row(
        &self,
        y: usize,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        s: &mut PictureRows,
    ) {
        let [w, h] = self.size.map(|v| v as f32);
        let pp = 1.0 - self.progress;
        let (yf, v) = (y as f32, (y as f32 + 0.5) / h);
        let from = Texels {
            layer: self,
            buf: self.from,
        };
        let to = Texels {
            layer: self,
            buf: self.to,
        };
        let a_at = |sx: f32, sy: f32| from.at_pixel(sx, sy, [(sx + 0.5) / w, (sy + 0.5) / h]);
        let b = |x: f32| to.at_pixel(x, yf, [(x + 0.5) / w, v]);
        let squeeze = |c: f32, n: f32| squeeze(c, n, pp);
        // With every centre a whole texel, reads are loads from one row of each buffer.
        if self.all_exact && self.remap_planar(y, cols, hide, dst, s) {
            return;
        }
        if self.all_exact {
            match self.kind {
                XfadeKind::SqueezeH => {
                    let row = match squeeze(yf, h) {
                        Some(sy) => self.rows(s, [Some(sy as usize), None])[0],
                        None => self.rows(s, [None, Some(y)])[1],
                    };
                    self.put_row(row, cols, hide, dst);
                }
                XfadeKind::SqueezeV => {
                    let [fr, tr] = self.rows(s, [Some(y), Some(y)]);
                    for x in around(cols.clone(), hide).into_iter().flatten() {
                        let t = match self.columns.get(x) {
                            Some(&sx) if sx != NONE => self.row_texel(fr, sx as usize),
                            _ => self.row_texel(tr, x),
                        };
                        Self::put(dst, x, t);
                    }
                }
                _ => {
                    let zf = smoothstep(0.5, 1.0, pp);
                    let m = smoothstep(0.0, 0.5, pp);
                    let sy = zoomed(yf, h, zf) as usize;
                    let [fr, tr] = self.rows(s, [Some(sy), Some(y)]);
                    for x in around(cols.clone(), hide).into_iter().flatten() {
                        let sx = self.columns.get(x).map_or(NONE, |&c| c) as usize;
                        let a = self.row_texel(fr, sx);
                        Self::put(dst, x, mix4(a, self.row_texel(tr, x), m));
                    }
                }
            }
            return;
        }
        match self.kind {
            XfadeKind::SqueezeH => {
                let sy = squeeze(yf, h);
                for x in around(cols.clone(), hide).into_iter().flatten() {
                    let xf = x as f32;
                    let t = match sy {
                        Some(sy) => a_at(xf, sy),
                        None => b(xf),
                    };
                    Self::put(dst, x, t);
                }
            }
            XfadeKind::SqueezeV => {
                for x in around(cols.clone(), hide).into_iter().flatten() {
                    let xf = x as f32;
                    let t = match squeeze(xf, w) {
                        Some(sx) => a_at(sx, yf),
                        None => b(xf),
                    };
                    Self::put(dst, x, t);
                }
            }
            _ => {
                let zf = smoothstep(0.5, 1.0, pp);
                let m = smoothstep(0.0, 0.5, pp);
                let sy = zoomed(yf, h, zf);
                for x in around(cols.clone(), hide).into_iter().flatten() {
                    let xf = x as f32;
                    Self::put(dst, x, mix4(a_at(zoomed(xf, w, zf), sy), b(xf), m));
                }
            }
        }
    }

    /// `remap_row` where every centre is a whole texel, from rows drawn on demand (planar: the
    /// gathers and the mix run channel by channel); false where the cards are not drawn so.
    fn remap_planar(
        &self,
        y: usize,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        s: &mut PictureRows,
    ) -> bool {
        let h = self.size[1] as f32;
        let (pp, yf) = (1.0 - self.progress, y as f32);
        let (x0, zf) = (self.cols.start, smoothstep(0.5, 1.0, pp));
        let want = match self.kind {
            XfadeKind::SqueezeH => match squeeze(yf, h, pp) {
                Some(sy) => [Some(sy as usize), None],
                None => [None, Some(y)],
            },
            XfadeKind::SqueezeV => [Some(y), Some(y)],
            _ => [Some(zoomed(yf, h, zf) as usize), Some(y)],
        };
        let Some(([a, b], work)) = self.planar_pictures(s, want) else {
            return false;
        };
        let mixed = work.mixed();
        if self.kind == XfadeKind::SqueezeH {
            // One picture's row, as it is, where it lies.
            if let Some(row) = a.or(b) {
                let inner = cols.start.max(x0)..cols.end.min(self.cols.end);
                draw_mixed(row, x0, &inner, hide, dst);
            }
            return true;
        }
        // Texel `x` (a frame column) of a channel of a picture's row: transparent outside it.
        let at = |row: Option<&[f32]>, x: usize| {
            row.and_then(|r| r.get(x.wrapping_sub(x0)))
                .copied()
                .unwrap_or(0.0)
        };
        let columns = |cols: &Range<usize>| {
            cols.clone()
                .map(|x| self.columns.get(x).copied().unwrap_or(NONE) as usize)
        };
        let m = smoothstep(0.0, 0.5, pp);
        mixed.resize(cols.len());
        for c in 0..4 {
            let (ac, bc) = (a.map(|a| &a.c[c][..]), b.map(|b| &b.c[c][..]));
            let out = mixed.c[c].iter_mut().zip(cols.clone()).zip(columns(cols));
            if self.kind == XfadeKind::SqueezeV {
                for ((o, x), sx) in out {
                    *o = if sx != NONE as usize {
                        at(ac, sx)
                    } else {
                        at(bc, x)
                    };
                }
            } else {
                // mix4's arithmetic.
                let k = 1.0 - m;
                for ((o, x), sx) in out {
                    *o = at(ac, sx) * m + at(bc, x) * k;
                }
            }
        }
        draw_mixed(mixed, cols.start, cols, hide, dst);
        true
    }

    /// Row `y` of `buf` over the buffer's columns, if the buffer covers it.
    #[inline]
    fn buffer_row<'b>(&self, buf: &'b [f32], y: usize) -> Option<&'b [f32]> {
        let bw = self.cols.len() * 4;
        let dy = y
            .checked_sub(self.rows.start)
            .filter(|d| *d < self.rows.len())?;
        buf.get(dy * bw..(dy + 1) * bw)
    }

    /// Texel `x` (a frame column) of a row from `buffer_row`: transparent outside it.
    #[inline(always)]
    fn row_texel(&self, row: Option<&[f32]>, x: usize) -> [f32; 4] {
        let Some(at) = x
            .checked_sub(self.cols.start)
            .filter(|d| *d < self.cols.len())
        else {
            return [0.0; 4];
        };
        match row.and_then(|r| r.get(at * 4..at * 4 + 4)) {
            Some(p) => [p[0], p[1], p[2], p[3]],
            None => [0.0; 4],
        }
    }

    /// Draws `row` (from `rows`) at the same columns, over `cols` outside `hide`.
    fn put_row(
        &self,
        row: Option<&[f32]>,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
    ) {
        if row.is_none() {
            return;
        }
        for x in around(cols.clone(), hide).into_iter().flatten() {
            Self::put(dst, x, self.row_texel(row, x));
        }
    }

    /// hblur's row: each pixel averages the `window` pixels from itself to the right (cut at
    /// the edge) of both pictures and mixes the two averages, which is the average of the
    /// mixed rows (`split::Blur`): one prefix sum per channel over the frame's width, so each
    /// average costs a subtraction, not `window` additions.
    fn hblur_row(
        &self,
        y: usize,
        cols: &Range<usize>,
        hide: &Range<usize>,
        dst: &mut Rgba,
        s: &mut PictureRows,
    ) {
        let [w, _] = self.size;
        let Some(blur) = &self.blur else {
            return;
        };
        let [ka, kb] = blur.weights();
        // The rows as drawn (planar, on demand) or from the buffers (interleaved): the same
        // values either way.
        let (rows, work) = match self.planar_pictures(s, [Some(y); 2]) {
            Some(([a, b], work)) => ([a.map(Src::Planar), b.map(Src::Planar)], work),
            None => {
                let ([a, b], work) = self.rows_and_work(s, [Some(y); 2]);
                ([a.map(Src::Packed), b.map(Src::Packed)], work)
            }
        };
        work.holds = None;
        // The mixed row over the whole frame width: transparent outside the pictures' columns.
        let (x0, x1) = (self.cols.start.min(w), self.cols.end.min(w));
        let Work {
            mixed, line, sums, ..
        } = work;
        mixed.resize(cols.len());
        line.resize(w, 0.0);
        for c in 0..4 {
            line[..x0].fill(0.0);
            line[x1..].fill(0.0);
            let out = &mut line[x0..x1];
            match rows {
                [Some(Src::Planar(a)), Some(Src::Planar(b))] => {
                    // The usual case, in a loop that vectorises.
                    for ((o, a), b) in out.iter_mut().zip(&a.c[c]).zip(&b.c[c]) {
                        *o = a * ka + b * kb;
                    }
                }
                [Some(a), Some(b)] => {
                    for ((o, a), b) in out.iter_mut().zip(a.channel(c)).zip(b.channel(c)) {
                        *o = a * ka + b * kb;
                    }
                }
                [Some(r), None] | [None, Some(r)] => {
                    let k = if rows[0].is_some() { ka } else { kb };
                    for (o, v) in out.iter_mut().zip(r.channel(c)) {
                        *o = v * k;
                    }
                }
                [None, None] => out.fill(0.0),
            }
            prefix_sums(line, sums);
            blur.average(sums, cols.clone(), &mut mixed.c[c]);
        }
        draw_mixed(mixed, cols.start, cols, hide, dst);
    }
}

/// A picture's row as a transition reads it.
#[derive(Clone, Copy)]
enum Src<'r> {
    Planar(&'r Rgba),
    /// Interleaved RGBA.
    Packed(&'r [f32]),
}

impl<'r> Src<'r> {
    /// Channel `c` of each pixel.
    fn channel(self, c: usize) -> impl Iterator<Item = f32> + 'r {
        let (values, step, first): (&'r [f32], usize, usize) = match self {
            Src::Planar(p) => (&p.c[c][..], 1, 0),
            Src::Packed(row) => (row, 4, c),
        };
        values.iter().skip(first).step_by(step).copied()
    }
}

/// Draws premultiplied `t` over one pixel's four channels.
#[inline(always)]
fn over(t: [f32; 4], [r, g, b, a]: [&mut f32; 4]) {
    let keep = 1.0 - t[3];
    *r = t[0] + *r * keep;
    *g = t[1] + *g * keep;
    *b = t[2] + *b * keep;
    *a = t[3] + *a * keep;
}

/// Draws `codes` (premultiplied RGBA, 8-bit, interleaved) over `dst` from column `x0`.
fn draw_codes(codes: &[u8], x0: usize, dst: &mut Rgba) {
    let n = codes.len() / 4;
    let [r, g, b, a] = dst.c.each_mut().map(|c| &mut c[x0..x0 + n]);
    // `over`, spelt out so that the loop vectorises (as `draw_mixed`).
    #[inline(always)]
    fn draw(codes: &[u8], [r, g, b, a]: [&mut [f32]; 4]) {
        let k = 1.0 / 255.0;
        let out = r
            .iter_mut()
            .zip(g.iter_mut())
            .zip(b.iter_mut())
            .zip(a.iter_mut());
        for (px, (((r, g), b), a)) in codes.chunks_exact(4).zip(out) {
            let t = [px[0], px[1], px[2], px[3]].map(|v| v as f32 * k);
            let keep = 1.0 - t[3];
            *r = t[0] + *r * keep;
            *g = t[1] + *g * keep;
            *b = t[2] + *b * keep;
            *a = t[3] + *a * keep;
        }
    }
    crate::simd::dispatch!(draw(codes, [r, g, b, a]));
}

/// Draws `mixed` (a transition's result row, index 0 at column `origin`) over `dst` at `cols`
/// outside `hide`. Without a branch, so the loop vectorises: a transparent result leaves the
/// pixel as it was (r + d · (1 − 0) = d).
fn draw_mixed(
    mixed: &Rgba,
    origin: usize,
    cols: &Range<usize>,
    hide: &Range<usize>,
    dst: &mut Rgba,
) {
    let [r, g, b, a] = mixed.c.each_ref().map(|c| &c[..]);
    for part in around(cols.clone(), hide) {
        if part.is_empty() {
            continue;
        }
        let at = part.start - origin..part.end - origin;
        let (r, g, b, a) = (&r[at.clone()], &g[at.clone()], &b[at.clone()], &a[at]);
        let [dr, dg, db, da] = dst.slices(part);
        let out = dr.iter_mut().zip(dg.iter_mut()).zip(db.iter_mut()).zip(da);
        let mixed = r.iter().zip(g).zip(b).zip(a);
        for ((((dr, dg), db), da), (((r, g), b), a)) in out.zip(mixed) {
            // Spelt out: through `over` this loop no longer vectorises as well.
            let keep = 1.0 - a;
            *dr = r + *dr * keep;
            *dg = g + *dg * keep;
            *db = b + *db * keep;
            *da = a + *da * keep;
        }
    }
}

/// Columns of one row of a transition read directly, and where they go.
struct DirectSpan<'a, 'b> {
    layer: &'a TransitionLayer<'a>,
    /// The row's v coordinate.
    y: f32,
    /// FROM's and TO's rows, when the kind reads only the pixel itself and every read there
    /// is a whole texel (see `TransitionLayer::row`).
    rows: Option<(usize, [Option<&'b [f32]>; 2])>,
    /// The first column.
    x0: usize,
    /// The destination's channels over those columns.
    out: [&'b mut [f32]; 4],
}

impl DirectSpan<'_, '_> {
    /// Evaluates and draws the span, in a copy of the loop made for its kind (see `draw_as`).
    fn draw(self) {
        by_kind!(self.layer.kind, draw_as, self)
    }
}

/// Draws `span` as `XfadeKind::ALL[K]`: the kind being a constant here, its per-frame terms
/// leave the loop and no per-pixel dispatch remains.
fn draw_as<const K: usize>(span: DirectSpan<'_, '_>) {
    let kind = XfadeKind::ALL[K];
    debug_assert_eq!(kind, span.layer.kind);
    let layer = span.layer;
    let [w, h] = layer.size;
    let (p, size) = (layer.progress, [w as f32, h as f32]);
    let from = Texels {
        layer,
        buf: layer.from,
    };
    let to = Texels {
        layer,
        buf: layer.to,
    };
    let [dr, dg, db, da] = span.out;
    let n = dr.len().min(dg.len()).min(db.len()).min(da.len());
    let (dr, dg, db, da) = (&mut dr[..n], &mut dg[..n], &mut db[..n], &mut da[..n]);
    let mut put = |i: usize, t: [f32; 4]| {
        if t != [0.0; 4] {
            over(t, [&mut dr[i], &mut dg[i], &mut db[i], &mut da[i]]);
        }
    };
    if let Some((y, [fr, tr])) = span.rows {
        // Only the pixel itself is read: its texels, from the two pictures' rows.
        let yf = y as f32;
        let (x0, uv_x) = (layer.cols.start, |x: usize| (x as f32 + 0.5) / w as f32);
        if let (Some(fr), Some(tr), true) = (fr, tr, span.x0 >= x0 && span.x0 + n <= layer.cols.end)
        {
            let at = (span.x0 - x0) * 4..(span.x0 - x0 + n) * 4;
            let texels = fr[at.clone()].chunks_exact(4).zip(tr[at].chunks_exact(4));
            for (i, (a, b)) in texels.enumerate() {
                let x = span.x0 + i;
                let (a, b) = (
                    Solid([a[0], a[1], a[2], a[3]]),
                    Solid([b[0], b[1], b[2], b[3]]),
                );
                let uv = [uv_x(x), span.y];
                put(i, kind.evaluate_at(uv, [x as f32, yf], p, size, &a, &b));
            }
            return;
        }
        for i in 0..n {
            let x = span.x0 + i;
            let (a, b) = (Solid(layer.row_texel(fr, x)), Solid(layer.row_texel(tr, x)));
            let uv = [uv_x(x), span.y];
            put(i, kind.evaluate_at(uv, [x as f32, yf], p, size, &a, &b));
        }
        return;
    }
    for i in 0..n {
        let uv = [((span.x0 + i) as f32 + 0.5) / w as f32, span.y];
        put(i, kind.evaluate_in(uv, p, size, &from, &to));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_numbered_in_order() {
        // `by_kind` relies on it.
        for (i, k) in XfadeKind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i);
        }
    }

    #[test]
    fn pixel_centres_are_exact_texels() {
        for n in 1..=2048 {
            assert!(exact_centres(n).into_iter().all(|e| e), "{n}");
        }
        // Beyond, most still are.
        for n in [2051, 3840, 4096, 7680] {
            let exact = exact_centres(n).into_iter().filter(|e| *e).count();
            assert!(exact * 10 > n * 9, "{n}: {exact}");
        }
    }
}

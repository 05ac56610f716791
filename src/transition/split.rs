//! The built-in transitions as the Y'CbCr path draws them, without forming the two pictures:
//! - a *selection* shows, at each output pixel, one picture (possibly moved by whole pixels) or
//!   a colour: the wipes, slides, covers, reveals and crops. Given per row as spans, so drawing
//!   one is drawing plain cards over column ranges;
//! - a *mix* is, at each output pixel, a weighted sum of the two pictures and a colour: the
//!   fades, smooth wipes, circles, open/close, diagonals, slices, winds, radial and dissolve.
//!   Their weights come from the kind's own formula (`XfadeKind::evaluate_in`) evaluated on
//!   probe pictures, so they are the reference's by construction; the formulas are linear in
//!   the pictures (tested), which is what lets the sum be formed in Y'CbCr.
//!
//! The squeezes and zoomin are mixes too: FROM or TO alone on each row (squeezeh) or column
//! (squeezev), or both at one weight (zoomin), FROM's rows and columns drawn from elsewhere
//! (the card remapped, see `squeeze_lines` and `zoom_lines`; only for a FROM card that covers
//! the frame as a plain rectangle, which `cpu::yuv::eligible` checks).
//!
//! hblur is a *blur*: each pixel averages, in each picture, the pixels from itself to the right
//! and mixes the two averages, which is the average of the mixed pictures (both linear): one
//! running sum of the mixed row, in Y'CbCr as well as in RGB (see `Blur`; the Y'CbCr path only
//! with cards that cover the frame as plain rectangles, which `cpu::yuv::eligible` checks).
//!
//! The rest (distance, fadefast, fadeslow, fadegrays, pixelize) read their pictures
//! non-linearly or at places that are not a whole-pixel move, and stay on the generic path.
//!
//! Pixel coordinates are the integers themselves. The formulas find them as ⌊uv · size⌋, the
//! same integers for frames up to 2048 pixels across; beyond, a few boundary pixels can land one
//! pixel apart from the generic path's.

use std::ops::Range;

use super::xfade::{
    by_kind, dissolve_shows_from, hblur_window, smoothstep, squeeze, zoomed, FastRound, Picture,
    BLACK, WHITE,
};
use super::XfadeKind;

/// What an output pixel of a selection shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The transition's first picture.
    From,
    /// The second.
    To,
    /// The kind's colour (black for the crops).
    Colour,
}

/// How the Y'CbCr path draws a transition.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    /// Each pixel one picture or the colour.
    Select(Selection),
    /// Each pixel a weighted sum.
    Mix(Mix),
    /// Each pixel an average of the mixed pictures' pixels to its right (hblur).
    Blur(Blur),
}

/// The Y'CbCr path's route for `kind` at `progress` on a frame of `size`; `None` for the kinds
/// it leaves to the generic path, for progress outside 0..=1 and frames under 2 × 2 (where
/// some formulas divide by zero).
pub(crate) fn route(kind: XfadeKind, progress: f32, size: [usize; 2]) -> Option<Route> {
    if !(0.0..=1.0).contains(&progress) || size[0] < 2 || size[1] < 2 {
        return None;
    }
    if let Some(s) = Selection::new(kind, progress, size) {
        return Some(Route::Select(s));
    }
    if kind == XfadeKind::HBlur {
        return Some(Route::Blur(Blur::new(progress, size[0])));
    }
    Mix::new(kind, progress, size).map(Route::Mix)
}

/// Up to three spans of a row, in column order, each showing one part.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spans {
    n: usize,
    spans: [(Range<usize>, Option<Part>); 3],
}

impl Spans {
    fn push(&mut self, r: Range<usize>, part: Part) {
        if !r.is_empty() && self.n < 3 {
            self.spans[self.n] = (r, Some(part));
            self.n += 1;
        }
    }

    /// The spans, in column order; together they cover the row.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Range<usize>, Part)> + '_ {
        self.spans[..self.n]
            .iter()
            .filter_map(|(r, p)| p.map(|p| (r.clone(), p)))
    }

    /// The part at column `x`.
    pub(crate) fn at(&self, x: usize) -> Option<Part> {
        self.iter().find(|(r, _)| r.contains(&x)).map(|(_, p)| p)
    }
}

#[derive(Debug, Clone)]
enum Shape {
    /// Columns before `split` show `left`, the others `right`, on every row.
    Cols {
        split: usize,
        left: Part,
        right: Part,
    },
    /// Rows before `split` show `top`, the others `bottom`.
    Rows {
        split: usize,
        top: Part,
        bottom: Part,
    },
    /// Rows in `rows` split at column `split`; the other rows show `other`.
    Corner {
        rows: Range<usize>,
        split: usize,
        left: Part,
        right: Part,
        other: Part,
    },
    /// `inner` over `rows` × `cols`, the colour elsewhere.
    Rect {
        rows: Range<usize>,
        cols: Range<usize>,
        inner: Part,
    },
    /// `inner` where the distance to (cx, cy) is at most `z` (xfade's f32 test), the colour
    /// elsewhere.
    Circle {
        cx: f32,
        cy: f32,
        z: f32,
        inner: Part,
    },
}

/// A selection: per row, which part each pixel shows, and how far each picture moves.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    shape: Shape,
    width: usize,
    /// Of FROM and TO: the picture's pixel (x − dx, y − dy) shows at (x, y).
    pub(crate) shift: [[i64; 2]; 2],
    /// `Part::Colour`, premultiplied RGBA.
    pub(crate) colour: [f32; 4],
}

impl Selection {
    fn new(kind: XfadeKind, progress: f32, [width, height]: [usize; 2]) -> Option<Self> {
        use Part::{From as F, To as T};
        use XfadeKind as K;
        let (w, h) = (width as f32, height as f32);
        let pp = 1.0 - progress;
        let (wi, hi) = (width as i64, height as i64);
        let fl = |v: f32| v.fast_floor() as i64;
        let cx = |v: i64| v.clamp(0, wi) as usize;
        let cy = |v: i64| v.clamp(0, hi) as usize;
        let cols = |split: i64, left, right| Shape::Cols {
            split: cx(split),
            left,
            right,
        };
        let rows = |split: i64, top, bottom| Shape::Rows {
            split: cy(split),
            top,
            bottom,
        };
        // Slides, covers and reveals move by ⌊pp · size⌋ whole pixels.
        let (sx, sy) = (fl(pp * w), fl(pp * h));
        let (none, mut shift) = ([0, 0], [[0, 0]; 2]);
        let shape = match kind {
            K::WipeLeft => cols(fl(w * pp) + 1, F, T),
            K::WipeRight => cols(fl(w * progress) + 1, T, F),
            K::WipeUp => rows(fl(h * pp) + 1, F, T),
            K::WipeDown => rows(fl(h * progress) + 1, T, F),
            K::WipeTl | K::WipeTr | K::WipeBl | K::WipeBr => {
                let (zw, zh) = match kind {
                    K::WipeTl => (fl(w * pp), fl(h * pp)),
                    K::WipeTr => (fl(w * progress), fl(h * pp)),
                    K::WipeBl => (fl(w * pp), fl(h * progress)),
                    _ => (fl(w * progress), fl(h * progress)),
                };
                let top = matches!(kind, K::WipeTl | K::WipeTr);
                let left = matches!(kind, K::WipeTl | K::WipeBl);
                Shape::Corner {
                    rows: if top {
                        0..cy(zh + 1)
                    } else {
                        cy(zh + 1)..height
                    },
                    split: cx(zw + 1),
                    left: if left { F } else { T },
                    right: if left { T } else { F },
                    other: T,
                }
            }
            K::SlideLeft => {
                shift = [[sx - wi, 0], [sx, 0]];
                cols(sx, F, T)
            }
            K::SlideRight => {
                shift = [[wi - sx, 0], [-sx, 0]];
                cols(wi - sx, T, F)
            }
            K::SlideUp => {
                shift = [[0, sy - hi], [0, sy]];
                rows(sy, F, T)
            }
            K::SlideDown => {
                shift = [[0, hi - sy], [0, -sy]];
                rows(hi - sy, T, F)
            }
            K::CoverLeft => {
                shift = [none, [sx, 0]];
                cols(sx, F, T)
            }
            K::CoverRight => {
                shift = [none, [-sx, 0]];
                cols(wi - sx, T, F)
            }
            K::CoverUp => {
                shift = [none, [0, sy]];
                rows(sy, F, T)
            }
            K::CoverDown => {
                shift = [none, [0, -sy]];
                rows(hi - sy, T, F)
            }
            K::RevealLeft => {
                shift = [[sx - wi, 0], none];
                cols(sx, F, T)
            }
            K::RevealRight => {
                shift = [[wi - sx, 0], none];
                cols(wi - sx, T, F)
            }
            K::RevealUp => {
                shift = [[0, sy - hi], none];
                rows(sy, F, T)
            }
            K::RevealDown => {
                shift = [[0, hi - sy], none];
                rows(hi - sy, T, F)
            }
            K::CircleCrop | K::RectCrop => {
                let (hx, hy) = ((w * 0.5).fast_floor(), (h * 0.5).fast_floor());
                let inner = if pp < 0.5 { T } else { F };
                if kind == K::CircleCrop {
                    let t = 2.0 * (pp - 0.5).abs();
                    let z = t * t * t * (hx * hx + hy * hy).sqrt();
                    Shape::Circle {
                        cx: hx,
                        cy: hy,
                        z,
                        inner,
                    }
                } else {
                    // |x − cx| < zw and |y − cy| < zh, zw and zh whole numbers.
                    let zh = ((pp - 0.5).abs() * h).fast_floor() as i64;
                    let zw = ((pp - 0.5).abs() * w).fast_floor() as i64;
                    let (hx, hy) = (hx as i64, hy as i64);
                    Shape::Rect {
                        rows: cy(hy - zh + 1)..cy(hy + zh).max(cy(hy - zh + 1)),
                        cols: cx(hx - zw + 1)..cx(hx + zw).max(cx(hx - zw + 1)),
                        inner,
                    }
                }
            }
            _ => return None,
        };
        Some(Selection {
            shape,
            width,
            shift,
            colour: BLACK,
        })
    }

    /// Whether some pixels show the colour (the crops).
    pub(crate) fn has_colour(&self) -> bool {
        matches!(self.shape, Shape::Rect { .. } | Shape::Circle { .. })
    }

    /// The spans of row `y`.
    pub(crate) fn row(&self, y: usize) -> Spans {
        let mut s = Spans::default();
        let w = self.width;
        match &self.shape {
            Shape::Cols { split, left, right } => {
                s.push(0..*split, *left);
                s.push(*split..w, *right);
            }
            Shape::Rows { split, top, bottom } => {
                s.push(0..w, if y < *split { *top } else { *bottom });
            }
            Shape::Corner {
                rows,
                split,
                left,
                right,
                other,
            } => {
                if rows.contains(&y) {
                    s.push(0..*split, *left);
                    s.push(*split..w, *right);
                } else {
                    s.push(0..w, *other);
                }
            }
            Shape::Rect { rows, cols, inner } => {
                if rows.contains(&y) {
                    s.push(0..cols.start, Part::Colour);
                    s.push(cols.clone(), *inner);
                    s.push(cols.end..w, Part::Colour);
                } else {
                    s.push(0..w, Part::Colour);
                }
            }
            Shape::Circle { cx, cy, z, inner } => {
                let inside = self.circle_span(*cx, *cy, *z, y);
                s.push(0..inside.start, Part::Colour);
                s.push(inside.clone(), *inner);
                s.push(inside.end.max(inside.start)..w, Part::Colour);
            }
        }
        s
    }

    /// The columns of row `y` within the circle, by xfade's own test (`!(z < dist)`, in f32),
    /// which only grows with |x − cx|: a binary search on each side.
    fn circle_span(&self, cx: f32, cy: f32, z: f32, y: usize) -> Range<usize> {
        let dy = y as f32 - cy;
        // Written as xfade's test (`z < dist` shows the colour), NaN included.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        let inside = |x: usize| {
            let dx = x as f32 - cx;
            !(z < (dx * dx + dy * dy).sqrt())
        };
        let w = self.width;
        let c = (cx as usize).min(w.saturating_sub(1));
        if w == 0 || !inside(c) {
            return 0..0;
        }
        // First column inside on the left, first outside on the right.
        let (mut lo, mut hi) = (0, c);
        while lo < hi {
            let m = (lo + hi) / 2;
            if inside(m) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        let start = lo;
        let (mut lo, mut hi) = (c + 1, w);
        while lo < hi {
            let m = (lo + hi) / 2;
            if inside(m) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        start..lo
    }
}

/// zoomin's line of FROM (row or column) drawn on each of `n` output lines at `progress`: the
/// formula's own `zoomed`, which never goes back.
pub(crate) fn zoom_lines(progress: f32, n: usize) -> Vec<u32> {
    let (nf, zf) = (n as f32, smoothstep(0.5, 1.0, 1.0 - progress));
    (0..n).map(|c| zoomed(c as f32, nf, zf) as u32).collect()
}

/// A squeeze's line (row for squeezeh, column for squeezev) of FROM drawn on each of `n`
/// output lines at `progress`: the formula's own `squeeze` where FROM shows; elsewhere (TO
/// shows) FROM's first line before the middle and its last after, so that the lines never go
/// back (column tables rely on it).
pub(crate) fn squeeze_lines(progress: f32, n: usize) -> Vec<u32> {
    let (nf, pp) = (n as f32, 1.0 - progress);
    let last = n.saturating_sub(1) as u32;
    (0..n)
        .map(|c| match squeeze(c as f32, nf, pp) {
            Some(s) => s as u32,
            None if 2 * c < n => 0,
            None => last,
        })
        .collect()
}

/// A picture that is one value everywhere. With FROM and TO as unit probes a linear formula
/// gives its weights; a formula that reads only the pixel itself can be handed that pixel so.
pub(crate) struct Solid(pub(crate) [f32; 4]);

impl Picture for Solid {
    #[inline(always)]
    fn at(&self, _uv: [f32; 2]) -> [f32; 4] {
        self.0
    }

    #[inline(always)]
    fn at_pixel(&self, _px: f32, _py: f32, _centre: [f32; 2]) -> [f32; 4] {
        self.0
    }
}

/// A mix: weights of FROM, TO and a colour per pixel.
#[derive(Debug, Clone)]
pub(crate) struct Mix {
    kind: XfadeKind,
    progress: f32,
    size: [f32; 2],
    /// The colour (premultiplied RGBA, opaque) the kind mixes in, black when it has none.
    pub(crate) colour: [f32; 4],
    /// The weights when they are the same at every pixel (the fades).
    pub(crate) constant: Option<[f32; 3]>,
    /// The weights of a row, for the kinds whose weights do not change down the frame.
    columns: Option<[Vec<f32>; 3]>,
    /// Whether the weights do not change across the frame (one value per row).
    by_row: bool,
}

impl Mix {
    fn new(kind: XfadeKind, progress: f32, size: [usize; 2]) -> Option<Self> {
        use XfadeKind as K;
        let colour = match kind {
            K::FadeWhite => WHITE,
            K::Fade | K::FadeBlack => BLACK,
            K::Radial
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
            | K::HlWind
            | K::HrWind
            | K::VuWind
            | K::VdWind
            | K::SqueezeH
            | K::SqueezeV
            | K::ZoomIn => BLACK,
            _ => return None,
        };
        let mut mix = Mix {
            kind,
            progress,
            size: size.map(|v| v as f32),
            colour,
            constant: None,
            columns: None,
            by_row: false,
        };
        // Which coordinates the formula reads (see `XfadeKind::evaluate_in`): the fades none
        // (zoomin's FROM is drawn zoomed, its weight the same everywhere), these x alone,
        // those y alone.
        if matches!(kind, K::Fade | K::FadeBlack | K::FadeWhite | K::ZoomIn) {
            let mut w = [[0.0f32; 1]; 3];
            let [a, b, c] = &mut w;
            mix.row(0, 0, [a, b, c]);
            mix.constant = Some(w.map(|v| v[0]));
        } else if matches!(
            kind,
            K::SmoothLeft
                | K::SmoothRight
                | K::VertOpen
                | K::VertClose
                | K::HlSlice
                | K::HrSlice
                | K::SqueezeV
        ) {
            let mut w = [vec![0.0; size[0]], vec![0.0; size[0]], vec![0.0; size[0]]];
            let [a, b, c] = &mut w;
            mix.row(0, 0, [a, b, c]);
            mix.columns = Some(w);
        } else {
            mix.by_row = matches!(
                kind,
                K::SmoothUp
                    | K::SmoothDown
                    | K::HorzOpen
                    | K::HorzClose
                    | K::VuSlice
                    | K::VdSlice
                    | K::SqueezeH
            );
        }
        Some(mix)
    }

    /// The weights of every pixel of row `y`, when they are the same across it.
    pub(crate) fn uniform_row(&self, y: usize) -> Option<[f32; 3]> {
        if !self.by_row && self.constant.is_none() {
            return None;
        }
        let mut w = [[0.0f32; 1]; 3];
        let [a, b, c] = &mut w;
        self.row(y, 0, [a, b, c]);
        Some(w.map(|v| v[0]))
    }

    /// Whether the weights jump between neighbouring pixels (dissolve, the slices, the winds'
    /// random rows, the squeezes' edges, where FROM's lines are drawn from elsewhere) rather than
    /// change smoothly: chroma there is formed luma row by luma row.
    pub(crate) fn jumps(&self) -> bool {
        use XfadeKind as K;
        matches!(
            self.kind,
            K::Dissolve
                | K::HlSlice
                | K::HrSlice
                | K::VuSlice
                | K::VdSlice
                | K::HlWind
                | K::HrWind
                | K::VuWind
                | K::VdWind
                | K::SqueezeH
                | K::SqueezeV
        )
    }

    /// The weights of FROM, TO and the colour at pixels `x0 ..` of row `y` (as many as `out`'s
    /// slices hold).
    pub(crate) fn row(&self, y: usize, x0: usize, out: [&mut [f32]; 3]) {
        if let Some(c) = self.constant {
            for (o, c) in out.into_iter().zip(c) {
                o.fill(c);
            }
            return;
        }
        if let Some(cols) = &self.columns {
            for (o, c) in out.into_iter().zip(cols) {
                let n = o.len();
                o.copy_from_slice(&c[x0..x0 + n]);
            }
            return;
        }
        if self.by_row {
            // One pixel's weights stand for the whole row.
            let mut w = [[0.0f32; 1]; 3];
            let [a, b, c] = &mut w;
            by_kind!(self.kind, mix_row_as, (self, y, x0, [&mut a[..], b, c]));
            for (o, c) in out.into_iter().zip(w) {
                o.fill(c[0]);
            }
            return;
        }
        by_kind!(self.kind, mix_row_as, (self, y, x0, out))
    }
}

/// [`Mix::row`] for `XfadeKind::ALL[K]`: the kind a constant, its per-frame terms leave the loop.
fn mix_row_as<const K: usize>((mix, y, x0, out): (&Mix, usize, usize, [&mut [f32]; 3])) {
    let kind = XfadeKind::ALL[K];
    let [wa, wb, wc] = out;
    let (a, b) = (Solid([1.0, 0.0, 0.0, 0.0]), Solid([0.0, 1.0, 0.0, 0.0]));
    let (ca, cb) = (mix.colour[0], mix.colour[1]);
    let n = wa.len().min(wb.len()).min(wc.len());
    if kind == XfadeKind::Dissolve {
        // FROM or TO alone at each pixel (what the probes give: 1 and 0, no colour), in a loop
        // of its own that vectorises the hash.
        let pp = 1.0 - mix.progress;
        let out = (&mut wa[..n], &mut wb[..n], &mut wc[..n]);
        crate::simd::dispatch!(dissolve_weights(x0 as u32, y as u32, pp, out));
        return;
    }
    let yf = y as f32;
    for i in 0..n {
        // The pixel itself (what ⌊uv · size⌋ finds up to 2048 pixels across); through i32,
        // which converts to f32 in one vector instruction where usize takes a branch.
        let xy = [(x0 + i) as i32 as f32, yf];
        let r = kind.evaluate_at([0.0; 2], xy, mix.progress, mix.size, &a, &b);
        // The colour is opaque: its weight is the alpha the probes (alpha 0) leave.
        wc[i] = r[3];
        wa[i] = r[0] - r[3] * ca;
        wb[i] = r[1] - r[3] * cb;
    }
}

/// dissolve's weights on a row from column `x0`: 1 for the picture shown, 0 for the other.
#[inline(always)]
fn dissolve_weights(x0: u32, y: u32, pp: f32, (wa, wb, wc): (&mut [f32], &mut [f32], &mut [f32])) {
    for (x, ((wa, wb), wc)) in (x0..).zip(wa.iter_mut().zip(wb.iter_mut()).zip(wc)) {
        let from = dissolve_shows_from(x, y, pp) as u32 as f32;
        *wa = from;
        *wb = 1.0 - from;
        *wc = 0.0;
    }
}

/// hblur along a row: output pixel x averages the pixels x .. x + `window` of each picture (fewer
/// where that passes the right edge) and mixes the averages, FROM's weighed by `from`. Mixing
/// first, then averaging, is the same (both linear): one sum per row instead of two.
#[derive(Debug, Clone)]
pub(crate) struct Blur {
    /// Pixels averaged where the row is long enough.
    pub(crate) window: usize,
    /// FROM's weight (xfade's progress); TO's is 1 − this.
    pub(crate) from: f32,
    width: usize,
    /// 1 / the pixels averaged at each column from `width + 1 − window` on (cut at the edge).
    cut: Vec<f64>,
}

impl Blur {
    /// hblur at `progress` on rows `width` pixels long.
    pub(crate) fn new(progress: f32, width: usize) -> Self {
        let window = (hblur_window(width as f32, progress) as usize).clamp(1, width.max(1));
        let full = (width + 1).saturating_sub(window);
        Blur {
            window,
            from: 1.0 - progress,
            width,
            cut: (full..width).map(|x| 1.0 / (width - x) as f64).collect(),
        }
    }

    /// FROM's and TO's weights.
    pub(crate) fn weights(&self) -> [f32; 2] {
        [self.from, 1.0 - self.from]
    }

    /// The averages at columns `cols` of a mixed row (`width` long) whose prefix sums are
    /// `sums` (see `prefix_sums`), into `out`.
    pub(crate) fn average(&self, sums: &[f64], cols: Range<usize>, out: &mut [f32]) {
        let (w, n) = (self.width, self.window);
        let full = w + 1 - n;
        let split = full.clamp(cols.start, cols.end);
        let (head, tail) = out[..cols.len()].split_at_mut(split - cols.start);
        let inv = 1.0 / n as f64;
        if split > cols.start {
            let (starts, ends) = (&sums[cols.start..split], &sums[cols.start + n..split + n]);
            for ((o, a), b) in head.iter_mut().zip(starts).zip(ends) {
                *o = ((b - a) * inv) as f32;
            }
        }
        if split < cols.end {
            // `split` is `full` here: the windows cut at the edge.
            let total = sums[w];
            let recip = &self.cut[split - full..];
            for ((o, a), r) in tail.iter_mut().zip(&sums[split..cols.end]).zip(recip) {
                *o = ((total - a) * r) as f32;
            }
        }
    }
}

/// The prefix sums of `row` into `sums` (`sums[i]`: the sum of the first i values), in f64.
/// Four stretches are summed side by side (four chains of additions in flight, not one), then
/// joined.
pub(crate) fn prefix_sums(row: &[f32], sums: &mut Vec<f64>) {
    let n = row.len();
    sums.clear();
    sums.resize(n + 1, 0.0);
    let q = n / 4;
    let (body, rest) = sums[1..].split_at_mut(4 * q);
    let mut acc = [0.0f64; 4];
    if q > 0 {
        let (s01, s23) = row[..4 * q].split_at(2 * q);
        let ((s0, s1), (s2, s3)) = (s01.split_at(q), s23.split_at(q));
        let (o01, o23) = body.split_at_mut(2 * q);
        let ((o0, o1), (o2, o3)) = (o01.split_at_mut(q), o23.split_at_mut(q));
        let stretches = s0.iter().zip(s1).zip(s2.iter().zip(s3));
        let outs = o0
            .iter_mut()
            .zip(o1.iter_mut())
            .zip(o2.iter_mut().zip(o3.iter_mut()));
        for (((a, b), (c, d)), ((oa, ob), (oc, od))) in stretches.zip(outs) {
            acc = [
                acc[0] + *a as f64,
                acc[1] + *b as f64,
                acc[2] + *c as f64,
                acc[3] + *d as f64,
            ];
            (*oa, *ob, *oc, *od) = (acc[0], acc[1], acc[2], acc[3]);
        }
        // Each stretch after the first, from the sum of those before it.
        let mut base = acc[0];
        for stretch in body.chunks_exact_mut(q).skip(1) {
            for v in stretch.iter_mut() {
                *v += base;
            }
            base = stretch[q - 1];
        }
        acc[0] = base;
    }
    let mut total = acc[0];
    for (o, v) in rest.iter_mut().zip(&row[4 * q..]) {
        total += *v as f64;
        *o = total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [[usize; 2]; 5] = [[16, 9], [17, 10], [64, 48], [5, 3], [2, 2]];
    const PROGRESS: [f32; 9] = [0.0, 0.01, 0.13, 0.3, 0.5, 0.51, 0.77, 0.99, 1.0];

    /// A picture whose pixels say which picture and which pixel they are: [id, x, y, 0].
    struct Coords {
        id: f32,
        size: [f32; 2],
    }

    impl Picture for Coords {
        fn at(&self, uv: [f32; 2]) -> [f32; 4] {
            let x = (uv[0] * self.size[0] - 0.5).round();
            let y = (uv[1] * self.size[1] - 0.5).round();
            [self.id, x, y, 0.0]
        }
    }

    #[test]
    fn every_kind_has_one_route_or_none() {
        use XfadeKind as K;
        let generic = [
            K::Distance,
            K::FadeFast,
            K::FadeSlow,
            K::FadeGrays,
            K::Pixelize,
        ];
        for kind in XfadeKind::ALL {
            let r = route(kind, 0.5, [16, 9]);
            assert_eq!(r.is_none(), generic.contains(&kind), "{kind}");
        }
        assert!(route(K::WipeLeft, -0.1, [16, 9]).is_none());
        assert!(route(K::WipeLeft, 1.1, [16, 9]).is_none());
    }

    /// Every pixel of every selection shows the part and the picture pixel the formula reads.
    #[test]
    fn selections_are_the_formulas() {
        for kind in XfadeKind::ALL {
            for size in SIZES {
                for progress in PROGRESS {
                    let Some(Route::Select(sel)) = route(kind, progress, size) else {
                        continue;
                    };
                    let fs = size.map(|v| v as f32);
                    let from = Coords { id: 1.0, size: fs };
                    let to = Coords { id: 2.0, size: fs };
                    for y in 0..size[1] {
                        let spans = sel.row(y);
                        let covered: usize = spans.iter().map(|(r, _)| r.len()).sum();
                        assert_eq!(covered, size[0], "{kind} {size:?} {progress} row {y}");
                        for x in 0..size[0] {
                            let uv = [(x as f32 + 0.5) / fs[0], (y as f32 + 0.5) / fs[1]];
                            let r = kind.evaluate_in(uv, progress, fs, &from, &to);
                            let what = format!("{kind} {size:?} at {progress}, ({x}, {y})");
                            let part = spans.at(x).expect("covered");
                            match part {
                                Part::Colour => assert_eq!(r, sel.colour, "{what}"),
                                Part::From | Part::To => {
                                    let i = (part == Part::To) as usize;
                                    assert_eq!(r[0], 1.0 + i as f32, "{what}: {r:?}");
                                    let [dx, dy] = sel.shift[i];
                                    let want = [x as i64 - dx, y as i64 - dy];
                                    assert_eq!([r[1] as i64, r[2] as i64], want, "{what}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A mix's weights reproduce the formula on real colours (the formulas are linear).
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn mixes_are_the_formulas() {
        let a = [0.2, 0.5, 0.9, 0.7];
        let b = [0.6, 0.1, 0.3, 1.0];
        for kind in XfadeKind::ALL {
            for size in SIZES {
                for progress in PROGRESS {
                    let Some(Route::Mix(mix)) = route(kind, progress, size) else {
                        continue;
                    };
                    let fs = size.map(|v| v as f32);
                    let n = size[0];
                    let mut w = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
                    for y in 0..size[1] {
                        let [wa, wb, wc] = &mut w;
                        mix.row(y, 0, [wa, wb, wc]);
                        for x in 0..n {
                            let uv = [(x as f32 + 0.5) / fs[0], (y as f32 + 0.5) / fs[1]];
                            let pa = |_: [f32; 2]| a;
                            let pb = |_: [f32; 2]| b;
                            let want = kind.evaluate(uv, progress, fs, &pa, &pb);
                            let (wa, wb, wc) = (w[0][x], w[1][x], w[2][x]);
                            for c in 0..4 {
                                let got = wa * a[c] + wb * b[c] + wc * mix.colour[c];
                                assert!(
                                    (got - want[c]).abs() < 1e-5,
                                    "{kind} {size:?} at {progress} ({x}, {y}): {got} vs {}",
                                    want[c]
                                );
                            }
                            assert!((wa + wb + wc - 1.0).abs() < 1e-5, "{kind}: weights sum");
                        }
                    }
                }
            }
        }
    }

    /// A blur's averages of the mixed rows reproduce hblur's formula, which averages each
    /// picture and then mixes.
    #[test]
    fn blurs_are_the_formula() {
        // Pictures that vary along the row, so that every window's average differs.
        let value =
            |id: f32, x: f32, c: usize| ((x * 0.37 + id * 1.3 + c as f32).sin() + 1.0) * 0.5;
        for size in SIZES.into_iter().chain([[64, 2], [1, 3]]) {
            for progress in PROGRESS {
                let blur = Blur::new(progress, size[0]);
                let fs = size.map(|v| v as f32);
                let n = size[0];
                let picture = |id: f32| {
                    move |uv: [f32; 2]| {
                        let x = (uv[0] * fs[0] - 0.5).round();
                        std::array::from_fn(|c| value(id, x, c))
                    }
                };
                let (pa, pb) = (picture(1.0), picture(2.0));
                let [ka, kb] = blur.weights();
                let (mut sums, mut out) = (Vec::new(), vec![0.0; n]);
                for c in 0..4 {
                    let mixed: Vec<f32> = (0..n)
                        .map(|x| ka * value(1.0, x as f32, c) + kb * value(2.0, x as f32, c))
                        .collect();
                    prefix_sums(&mixed, &mut sums);
                    assert_eq!(sums.len(), n + 1);
                    // Any columns, not only the whole row.
                    for cols in [0..n, n / 3..n, 0..n / 2 + 1] {
                        let cols = cols.start.min(n)..cols.end.min(n);
                        blur.average(&sums, cols.clone(), &mut out);
                        for (i, x) in cols.enumerate() {
                            let uv = [(x as f32 + 0.5) / fs[0], 0.5 / fs[1]];
                            let want = XfadeKind::HBlur.evaluate(uv, progress, fs, &pa, &pb)[c];
                            assert!(
                                (out[i] - want).abs() < 1e-5,
                                "{size:?} at {progress}, column {x} channel {c}: {} vs {want}",
                                out[i]
                            );
                        }
                    }
                }
            }
        }
    }

    /// Prefix sums in four stretches are the sums, for every length around the stretches'.
    #[test]
    fn prefix_sums_are_the_sums() {
        let mut sums = Vec::new();
        for n in 0..40 {
            let row: Vec<f32> = (0..n).map(|i| (i * 7 % 5) as f32 * 0.25).collect();
            prefix_sums(&row, &mut sums);
            let mut want = 0.0;
            assert_eq!(sums[0], 0.0);
            for (i, v) in row.iter().enumerate() {
                want += *v as f64;
                assert_eq!(sums[i + 1], want, "length {n}, sum of {}", i + 1);
            }
        }
    }

    /// dissolve's weights compiled for AVX2 (where the CPU has it) are the baseline's.
    #[test]
    fn dissolve_weights_are_the_same_compiled_wide() {
        for (y, pp) in [(0u32, 0.3f32), (7, 0.5), (1079, 0.77)] {
            let mut base = [vec![0.0f32; 203], vec![0.0; 203], vec![0.0; 203]];
            let mut wide = base.clone();
            let [a, b, c] = &mut base;
            dissolve_weights(5, y, pp, (a, b, c));
            let [a, b, c] = &mut wide;
            crate::simd::dispatch!(dissolve_weights(5, y, pp, (a, b, c)));
            assert_eq!(base, wide);
            assert!(base[0].contains(&1.0) && base[0].contains(&0.0));
        }
    }
}

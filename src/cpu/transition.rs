//! Transitions between two layers: each card is drawn alone (every effect, its alpha) onto a
//! transparent premultiplied buffer covering the union of the two layers' bounds; the
//! transition's function then combines the two buffers per output pixel, and the result is
//! drawn over what lies below, at the z position of the upper layer.

use std::ops::Range;

use super::frame::CardLayer;
use super::par_rows;
use super::rgb::{draw_card_row, CardScratch, Rgba};
use crate::compose::Operator;
use crate::transition::XfadeKind;

/// One transition ready to draw.
#[derive(Debug)]
pub(crate) struct TransitionLayer<'a> {
    pub(crate) kind: XfadeKind,
    pub(crate) progress: f32,
    /// The two cards, interleaved premultiplied RGBA over `cols` × `rows`.
    pub(crate) from: &'a [f32],
    pub(crate) to: &'a [f32],
    pub(crate) cols: Range<usize>,
    pub(crate) rows: Range<usize>,
    /// The frame's size.
    pub(crate) size: [usize; 2],
}

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
pub(crate) fn draw_alone(
    layer: Option<&CardLayer<'_>>,
    cols: Range<usize>,
    rows: Range<usize>,
    buf: &mut Vec<f32>,
    threads: usize,
) {
    let w = cols.len();
    buf.clear();
    buf.resize(w * rows.len() * 4, 0.0);
    let Some(layer) = layer.filter(|_| w > 0) else {
        return;
    };
    par_rows(threads, buf, w * 4, |r0, band| {
        let mut dst = Rgba::default();
        let mut scratch = CardScratch::default();
        dst.resize(w);
        for (i, out) in band.chunks_exact_mut(w * 4).enumerate() {
            let y = rows.start + r0 + i;
            for c in &mut dst.c {
                c.fill(0.0);
            }
            let lc = layer.cols.start.max(cols.start)..layer.cols.end.min(cols.end);
            draw_card_row(
                layer,
                Operator::Over,
                y,
                lc,
                &mut dst,
                cols.start,
                &mut scratch,
            );
            let [r, g, b, a] = &dst.c;
            for ((((px, r), g), b), a) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b).zip(a) {
                px.copy_from_slice(&[*r, *g, *b, *a]);
            }
        }
    });
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

/// Whether `kind` only mixes the two pictures at the same place by progress (a cross-fade):
/// then only the union of the two cards needs evaluating.
fn mixes_in_place(kind: XfadeKind) -> bool {
    matches!(kind, XfadeKind::Fade)
}

impl TransitionLayer<'_> {
    /// Bilinear sample of `buf` at `uv` (0..1 of the frame; texel centres at (i + ½)/W, edges
    /// clamped); transparent outside the buffer's area. A position within 1e-4 of a texel
    /// centre reads that texel alone (the other weights would change less than 0.03 of a code).
    #[inline]
    fn sample(&self, buf: &[f32], uv: [f32; 2]) -> [f32; 4] {
        let (w, h) = (self.size[0], self.size[1]);
        let fx = uv[0] * w as f32 - 0.5;
        let fy = uv[1] * h as f32 - 0.5;
        if !(fx.is_finite() && fy.is_finite()) {
            return [0.0; 4];
        }
        let (mut ix, mut iy) = (floor(fx), floor(fy));
        let (mut wx, mut wy) = (fx - ix as f32, fy - iy as f32);
        let snap = |w: &mut f32, i: &mut i64| {
            if *w < 1e-4 {
                *w = 0.0;
            } else if *w > 1.0 - 1e-4 {
                *w = 0.0;
                *i += 1;
            }
        };
        snap(&mut wx, &mut ix);
        snap(&mut wy, &mut iy);
        let (bw, cols, rows) = (self.cols.len(), &self.cols, &self.rows);
        let texel = |x: i64, y: i64| -> [f32; 4] {
            let x = x.clamp(0, w as i64 - 1) as usize;
            let y = y.clamp(0, h as i64 - 1) as usize;
            let (dx, dy) = (x.wrapping_sub(cols.start), y.wrapping_sub(rows.start));
            if dx >= bw || dy >= rows.len() {
                return [0.0; 4];
            }
            let at = (dy * bw + dx) * 4;
            match buf.get(at..at + 4) {
                Some(p) => [p[0], p[1], p[2], p[3]],
                None => [0.0; 4],
            }
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
    pub(crate) fn row(&self, y: usize, hide: &Range<usize>, dst: &mut Rgba) {
        let [w, h] = self.size;
        let p = self.progress;
        let [dr, dg, db, da] = &mut dst.c;
        let mut put = |x: usize, t: [f32; 4]| {
            let keep = 1.0 - t[3];
            dr[x] = t[0] + dr[x] * keep;
            dg[x] = t[1] + dg[x] * keep;
            db[x] = t[2] + db[x] * keep;
            da[x] = t[3] + da[x] * keep;
        };
        if mixes_in_place(self.kind) {
            if !self.rows.contains(&y) {
                return;
            }
            let bw = self.cols.len();
            let base = (y - self.rows.start) * bw * 4;
            for x in self.cols.clone() {
                if hide.contains(&x) {
                    continue;
                }
                let at = base + (x - self.cols.start) * 4;
                let (Some(a), Some(b)) = (self.from.get(at..at + 4), self.to.get(at..at + 4))
                else {
                    continue;
                };
                // xfade's fade: from · (1 − p) + to · (1 − (1 − p)), as `XfadeKind::evaluate`.
                let pp = 1.0 - p;
                put(x, std::array::from_fn(|c| a[c] * pp + b[c] * (1.0 - pp)));
            }
            return;
        }
        let size = [w as f32, h as f32];
        let from = |uv: [f32; 2]| self.sample(self.from, uv);
        let to = |uv: [f32; 2]| self.sample(self.to, uv);
        let v = (y as f32 + 0.5) / h as f32;
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
    }
}

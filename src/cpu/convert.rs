//! Writing output rows: premultiplied float RGBA to straight 8-bit RGBA/BGRA, or to Y'CbCr with
//! the output colorimetry and the wgpu backend's chroma kernels (convert.wgsl): chroma sample j
//! combines luma-resolution pixels 2j, 2j+1 (½, ½; centred siting) or 2j−1, 2j, 2j+1
//! (¼, ½, ¼; co-sited), edges clamped.

use super::taps::Taps;
use crate::compose::{Affine3, YuvColorimetry};

/// A value in 0..1 as an 8-bit code, rounded to nearest (ties to even), clamped.
#[inline(always)]
pub(crate) fn code(v: f32) -> u8 {
    // Adding 1.5 · 2²³ leaves the rounded integer in the low mantissa bits: one add instead of
    // a float → int conversion, which does not vectorise with Rust's saturating casts. The bit
    // pattern grows monotonically with the value, so the clamp also handles any overflow.
    let x = v * 255.0 + 12_582_912.0;
    (x.to_bits() as i32 - 0x4b40_0000).clamp(0, 255) as u8
}

/// Floats (0..1) to codes.
pub(crate) fn quantise(src: &[f32], out: &mut [u8]) {
    #[inline(always)]
    fn codes(src: &[f32], out: &mut [u8]) {
        for (o, &v) in out.iter_mut().zip(src) {
            *o = code(v);
        }
    }
    crate::simd::dispatch!(codes(src, out));
}

/// Premultiplied RGBA rows → straight RGBA (in place): alpha clamped, colour divided by it and
/// clamped; transparent pixels become 0.
pub(crate) fn unpremultiply(r: &mut [f32], g: &mut [f32], b: &mut [f32], a: &mut [f32]) {
    #[inline(always)]
    fn each(r: &mut [f32], g: &mut [f32], b: &mut [f32], a: &mut [f32]) {
        for (((r, g), b), a) in r
            .iter_mut()
            .zip(g.iter_mut())
            .zip(b.iter_mut())
            .zip(a.iter_mut())
        {
            let alpha = *a;
            // A select rather than a branch, so that the loop vectorises.
            let inv = if alpha > 0.0 { 1.0 / alpha } else { 0.0 };
            *r = (*r * inv).clamp(0.0, 1.0);
            *g = (*g * inv).clamp(0.0, 1.0);
            *b = (*b * inv).clamp(0.0, 1.0);
            *a = alpha.clamp(0.0, 1.0);
        }
    }
    crate::simd::dispatch!(each(r, g, b, a));
}

/// Straight RGBA rows → packed bytes, in RGBA order or (`bgra`) BGRA order.
pub(crate) fn write_packed(rows: [&[f32]; 4], bgra: bool, out: &mut [u8]) {
    let [r, g, b, a] = rows;
    let (first, third) = if bgra { (b, r) } else { (r, b) };
    // Whole pixels as one little-endian word: byte 0 first.
    for ((((px, c0), c1), c2), c3) in out.chunks_exact_mut(4).zip(first).zip(g).zip(third).zip(a) {
        let word = code(*c0) as u32
            | (code(*c1) as u32) << 8
            | (code(*c2) as u32) << 16
            | (code(*c3) as u32) << 24;
        px.copy_from_slice(&word.to_le_bytes());
    }
}

/// Luma of straight RGB rows into `out` (floats 0..1).
pub(crate) fn luma(m: &Affine3, rows: [&[f32]; 3], out: &mut [f32]) {
    #[inline(always)]
    fn each(row: [f32; 4], [r, g, b]: [&[f32]; 3], out: &mut [f32]) {
        for (((o, r), g), b) in out.iter_mut().zip(r).zip(g).zip(b) {
            *o = row[0] * r + row[1] * g + row[2] * b + row[3];
        }
    }
    crate::simd::dispatch!(each(m[0], rows, out));
}

/// The chroma kernels of an output: which luma columns and rows each chroma sample combines.
#[derive(Debug, Default)]
pub(crate) struct ChromaKernel {
    /// Chroma column i from luma columns.
    pub(crate) x: Taps,
    cosited_h: bool,
    cosited_v: bool,
    height: usize,
}

impl ChromaKernel {
    /// The kernels of a `width` × `height` output with `c`'s siting.
    pub(crate) fn new(c: &YuvColorimetry, width: usize, height: usize) -> Self {
        let mut x = Taps::default();
        let cosited = c.chroma_cosited_h;
        x.build(width.div_ceil(2), width, |i, push| {
            // Points on luma pixel centres select single pixels; the table clamps at the edges.
            let p = 2.0 * i as f64 + 0.5;
            if cosited {
                push(p - 1.0, 0.25);
                push(p, 0.5);
                push(p + 1.0, 0.25);
            } else {
                push(p, 0.5);
                push(p + 1.0, 0.5);
            }
        });
        ChromaKernel {
            x,
            cosited_h: c.chroma_cosited_h,
            cosited_v: c.chroma_cosited_v,
            height,
        }
    }

    /// Where chroma column `i` sits, in output pixels (centres at `k + 0.5`): on luma column
    /// 2i (co-sited) or between 2i and 2i + 1 (centred).
    pub(crate) fn centre_x(&self, i: usize) -> f64 {
        2.0 * i as f64 + if self.cosited_h { 0.5 } else { 1.0 }
    }

    /// Where chroma row `j` sits, as [`ChromaKernel::centre_x`].
    pub(crate) fn centre_y(&self, j: usize) -> f64 {
        2.0 * j as f64 + if self.cosited_v { 0.5 } else { 1.0 }
    }

    /// The luma rows of chroma row `j` with their weights (three entries; unused ones weigh 0).
    pub(crate) fn rows(&self, j: usize) -> [(usize, f32); 3] {
        let last = self.height.saturating_sub(1);
        let at = |y: i64| y.clamp(0, last as i64) as usize;
        let y = 2 * j as i64;
        if self.cosited_v {
            [(at(y - 1), 0.25), (at(y), 0.5), (at(y + 1), 0.25)]
        } else {
            [(at(y), 0.5), (at(y + 1), 0.5), (at(y), 0.0)]
        }
    }

    /// The chroma columns whose every luma column lies in `cols`.
    pub(crate) fn inside(&self, cols: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if cols.is_empty() {
            return 0..0;
        }
        // Starts grow with the column: the first and last chroma columns wholly inside. Zero
        // weights at a table's end make the test conservative; that is all.
        let starts = self.x.starts();
        let n = self.x.n();
        let lo = starts.partition_point(|&s| (s as usize) < cols.start);
        let hi = starts.partition_point(|&s| s as usize + n <= cols.end);
        if lo < hi {
            lo..hi
        } else {
            0..0
        }
    }
}

/// Chroma (U, V as floats 0..1) of a chroma row from the straight RGB of its luma rows
/// (`rows`, combined with `weights`), through the horizontal kernel. `tmp` holds 3 scratch rows.
pub(crate) fn chroma(
    m: &Affine3,
    kernel: &ChromaKernel,
    rows: &[[&[f32]; 3]],
    weights: &[f32],
    tmp: &mut [Vec<f32>; 3],
    u: &mut [f32],
    v: &mut [f32],
) {
    let w = rows[0][0].len();
    for (c, t) in tmp.iter_mut().enumerate() {
        t.resize(w, 0.0);
        super::taps::combine_rows_f32(rows.iter().map(|r| r[c]), weights, t);
    }
    // The transform is affine: combining RGB first and converting once is the same.
    let [tr, tg, tb] = tmp;
    let mut kr = vec![0.0; u.len()];
    let mut kg = vec![0.0; u.len()];
    let mut kb = vec![0.0; u.len()];
    kernel.x.apply(tr, 0, 0, &mut kr);
    kernel.x.apply(tg, 0, 0, &mut kg);
    kernel.x.apply(tb, 0, 0, &mut kb);
    #[inline(always)]
    fn each(m: [[f32; 4]; 2], [r, g, b]: [&[f32]; 3], u: &mut [f32], v: &mut [f32]) {
        let [mu, mv] = m;
        for ((((u, v), r), g), b) in u.iter_mut().zip(v.iter_mut()).zip(r).zip(g).zip(b) {
            *u = mu[0] * r + mu[1] * g + mu[2] * b + mu[3];
            *v = mv[0] * r + mv[1] * g + mv[2] * b + mv[3];
        }
    }
    crate::simd::dispatch!(each([m[1], m[2]], [&kr, &kg, &kb], u, v));
}

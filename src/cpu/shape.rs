//! The card's shape a row at a time: area coverage of a rounded (circular or squircle) rectangle,
//! and the analytic shadow (the shape convolved with a gaussian). The arithmetic is the card
//! shader's (src/gpu/shaders/composite.wgsl); what is evaluated per pixel there is split here
//! into per-column and per-row factors wherever the result is the same.

use std::sync::Arc;

use crate::effects::CornerShape;

/// A rounded rectangle in output pixels: x0, y0, x1, y1 and the corner radius (already clamped
/// to half the smaller side).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoundedRect {
    pub(crate) rect: [f32; 4],
    pub(crate) radius: f32,
    pub(crate) squircle: bool,
}

fn box_axis(p: f32, lo: f32, hi: f32) -> f32 {
    ((p + 0.5).min(hi) - (p - 0.5).max(lo)).clamp(0.0, 1.0)
}

/// Area of a pixel inside a straight edge at signed distance `d` with unit normal `n`.
fn edge_coverage(d: f32, n: [f32; 2]) -> f32 {
    let a = n[0].abs().max(n[1].abs());
    let b = n[0].abs().min(n[1].abs());
    if b < 1e-4 {
        return (0.5 - d).clamp(0.0, 1.0);
    }
    let u = 0.5 * (a + b) - d;
    if u <= 0.0 {
        return 0.0;
    }
    if u >= a + b {
        return 1.0;
    }
    if u < b {
        return u * u / (2.0 * a * b);
    }
    if u < a {
        return (u - 0.5 * b) / a;
    }
    let v = a + b - u;
    1.0 - v * v / (2.0 * a * b)
}

/// Area of a square of side `size` at `q` (relative to the corner's centre) inside the corner.
fn corner_coverage(q: [f32; 2], r: f32, size: f32, squircle: bool) -> f32 {
    if q[0] <= 0.0 || q[1] <= 0.0 {
        return 1.0;
    }
    let (d, n) = if !squircle {
        let len = (q[0] * q[0] + q[1] * q[1]).sqrt();
        (len - r, [q[0] / len, q[1] / len])
    } else {
        let q2 = [q[0] * q[0], q[1] * q[1]];
        let norm = (q2[0] * q2[0] + q2[1] * q2[1]).sqrt().sqrt();
        let n3 = norm * norm * norm;
        let g = [q2[0] * q[0] / n3, q2[1] * q[1] / n3];
        let gl = (g[0] * g[0] + g[1] * g[1]).sqrt();
        ((norm - r) / gl, [g[0] / gl, g[1] / gl])
    };
    edge_coverage(d / size, n)
}

impl RoundedRect {
    /// A rounded rectangle; the radius is clamped to half the smaller side.
    pub(crate) fn new(rect: [f32; 4], radius: f32, shape: CornerShape) -> Self {
        let half = 0.5 * (rect[2] - rect[0]).min(rect[3] - rect[1]);
        RoundedRect {
            rect,
            radius: radius.min(half),
            squircle: shape == CornerShape::Squircle,
        }
    }

    /// The shape of the corners.
    pub(crate) fn corner_shape(&self) -> CornerShape {
        if self.squircle {
            CornerShape::Squircle
        } else {
            CornerShape::Circular
        }
    }

    /// Whether the rectangle has any area.
    pub(crate) fn is_empty(&self) -> bool {
        !(self.rect[2] > self.rect[0] && self.rect[3] > self.rect[1])
    }

    /// Coverage of the pixel centred at `p`, as the shader's `shape_coverage`.
    pub(crate) fn coverage_at(&self, p: [f32; 2]) -> f32 {
        let [x0, y0, x1, y1] = self.rect;
        let b = box_axis(p[0], x0, x1) * box_axis(p[1], y0, y1);
        let r = self.radius;
        if r <= 0.0 || b <= 0.0 {
            return b;
        }
        let (hx, hy) = (0.5 * (x1 - x0), 0.5 * (y1 - y0));
        let q = [
            (p[0] - 0.5 * (x0 + x1)).abs() - (hx - r),
            (p[1] - 0.5 * (y0 + y1)).abs() - (hy - r),
        ];
        if q[0] <= -0.5 || q[1] <= -0.5 {
            return b;
        }
        let mut corner = 0.0;
        for j in 0..2 {
            for i in 0..2 {
                let o = [i as f32 * 0.5 - 0.25, j as f32 * 0.5 - 0.25];
                corner += corner_coverage([q[0] + o[0], q[1] + o[1]], r, 0.5, self.squircle);
            }
        }
        b.min(0.25 * corner)
    }

    /// The columns of row centre `py` in a corner zone (where the shader evaluates the curve):
    /// those left of the first and from the second value on; `None` when the row is in none.
    fn corner_zone(&self, py: f32) -> Option<(usize, usize)> {
        let [rx0, ry0, rx1, ry1] = self.rect;
        let r = self.radius;
        if r <= 0.0 {
            return None;
        }
        let hy = 0.5 * (ry1 - ry0);
        let qy = (py - 0.5 * (ry0 + ry1)).abs() - (hy - r);
        if qy <= -0.5 {
            return None;
        }
        // Pixel centres px with |px − cx| > hx − r − 0.5.
        let cx = 0.5 * (rx0 + rx1);
        let reach = 0.5 * (rx1 - rx0) - r - 0.5;
        let left_end = (cx - reach - 0.5).ceil().max(0.0) as usize;
        let right_start = ((cx - 0.5 + reach).floor() + 1.0).max(0.0) as usize;
        Some((left_end, right_start.max(left_end)))
    }

    /// The columns of row `y` whose coverage is exactly 1.
    pub(crate) fn solid(&self, y: usize) -> std::ops::Range<usize> {
        let [rx0, ry0, rx1, ry1] = self.rect;
        let py = y as f32 + 0.5;
        if self.is_empty() || box_axis(py, ry0, ry1) < 1.0 {
            return 0..0;
        }
        let lo = rx0.ceil().max(0.0) as usize;
        let hi = rx1.floor().max(0.0) as usize;
        let (lo, hi) = match self.corner_zone(py) {
            Some((l, r)) => (lo.max(l), hi.min(r)),
            None => (lo, hi),
        };
        if lo < hi {
            lo..hi
        } else {
            0..0
        }
    }

    /// Coverage of row `y`'s pixels `x0 ..` into `out`.
    pub(crate) fn row(&self, y: usize, x0: usize, out: &mut [f32]) {
        let [rx0, ry0, rx1, ry1] = self.rect;
        let py = y as f32 + 0.5;
        let cy = box_axis(py, ry0, ry1);
        if cy <= 0.0 || self.is_empty() {
            out.fill(0.0);
            return;
        }
        for (i, o) in out.iter_mut().enumerate() {
            let px = (x0 + i) as f32 + 0.5;
            *o = box_axis(px, rx0, rx1) * cy;
        }
        if let Some((left_end, right_start)) = self.corner_zone(py) {
            let end = x0 + out.len();
            let zones = [x0..left_end.clamp(x0, end), right_start.clamp(x0, end)..end];
            for x in zones.into_iter().flatten() {
                let o = &mut out[x - x0];
                if *o > 0.0 {
                    *o = self.coverage_at([x as f32 + 0.5, py]);
                }
            }
        }
    }
}

/// Shadows of recent frames, by shape: a card that does not move keeps its shadow's tables
/// (their cost is a few thousand erf evaluations per frame).
#[derive(Debug, Default)]
pub(crate) struct ShadowCache {
    entries: Vec<(ShadowKey, Arc<BlurredShape>, bool)>,
}

type ShadowKey = ([u32; 6], [usize; 4], bool);

impl ShadowCache {
    /// The shadow of `shape` blurred by `sigma` over `cols` × `rows`, reused when the same
    /// was made before.
    pub(crate) fn get(
        &mut self,
        shape: RoundedRect,
        sigma: f64,
        cols: std::ops::Range<usize>,
        rows: std::ops::Range<usize>,
    ) -> Arc<BlurredShape> {
        let r = shape.rect;
        let key = (
            [r[0], r[1], r[2], r[3], shape.radius, sigma as f32].map(f32::to_bits),
            [cols.start, cols.end, rows.start, rows.end],
            shape.squircle,
        );
        if let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| e.0 == key && e.1.sigma == sigma)
        {
            e.2 = true;
            return e.1.clone();
        }
        let made = Arc::new(BlurredShape::new(shape, sigma, cols, rows));
        self.entries.push((key, made.clone(), true));
        made
    }

    /// Forgets the shadows not used since the last call.
    pub(crate) fn end_frame(&mut self) {
        self.entries.retain(|e| e.2);
        for e in &mut self.entries {
            e.2 = false;
        }
    }
}

/// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), as the shader computes it.
fn erf(x: f64) -> f64 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
        + 0.254829592)
        * t;
    (1.0 - poly * (-a * a).exp()).copysign(x)
}

/// Gaussian mass below `z` standard deviations.
fn phi(z: f64) -> f64 {
    if z <= -6.0 {
        return 0.0;
    }
    if z >= 6.0 {
        return 1.0;
    }
    0.5 * (1.0 + erf(z * std::f64::consts::FRAC_1_SQRT_2))
}

/// Slabs a corner band is integrated in (the shader's CORNER_SLABS).
const SLABS: usize = 16;

/// A rounded rectangle convolved with a gaussian: the shader's `blurred_shape`, evaluated as
/// Σ (row factor) · (column factor). The middle band is exactly separable; each corner band is
/// 16 slabs, each exact along x with a fixed inset, so its column factors are shared by every
/// row (the shader clips the bands 5σ from the pixel, which changes nothing above 1e-6).
#[derive(Debug, Default)]
pub(crate) struct BlurredShape {
    rect: [f64; 4],
    radius: f64,
    sigma: f64,
    /// First column of the tables.
    x0: usize,
    /// Column factor of the middle band.
    mid: Vec<f32>,
    /// Column factors of slab j (inset at dy = (j + 0.5) · r / 16), `SLABS` tables end to end.
    slabs: Vec<f32>,
    width: usize,
    /// Columns (from `x0`) where every column factor is exactly 1: far from both sides, a row
    /// is one value there.
    flat: std::ops::Range<usize>,
    /// Row factors (middle band, then slab tables 0 .. 16) of rows `rows`.
    rows: std::ops::Range<usize>,
    coefs: Vec<[f32; SLABS + 1]>,
    /// A sharp shadow (σ < 0.05) is the shape's coverage.
    sharp: Option<RoundedRect>,
}

impl BlurredShape {
    /// The shadow of `shape` blurred by `sigma`, for columns `cols` and rows `rows`.
    pub(crate) fn new(
        shape: RoundedRect,
        sigma: f64,
        cols: std::ops::Range<usize>,
        rows: std::ops::Range<usize>,
    ) -> Self {
        let mut s = BlurredShape {
            rect: shape.rect.map(|v| v as f64),
            radius: shape.radius as f64,
            sigma,
            x0: cols.start,
            width: cols.len(),
            ..Default::default()
        };
        if sigma < 0.05 {
            s.sharp = Some(shape);
            return s;
        }
        let [x0, _, x1, _] = s.rect;
        let column = |lo: f64, hi: f64, out: &mut Vec<f32>| {
            for x in cols.clone() {
                let px = x as f64 + 0.5;
                out.push((phi((hi - px) / sigma) - phi((lo - px) / sigma)) as f32);
            }
        };
        s.mid.reserve(s.width);
        column(x0, x1, &mut s.mid);
        let r = s.radius;
        if r > 0.0 {
            s.slabs.reserve(s.width * SLABS);
            for j in 0..SLABS {
                let dy = (j as f64 + 0.5) * r / SLABS as f64;
                let inset = shape.corner_shape().inset(r, dy);
                column(x0 + inset, x1 - inset, &mut s.slabs);
            }
        }
        let ones = |t: &[f32]| -> std::ops::Range<usize> {
            match (
                t.iter().position(|&v| v == 1.0),
                t.iter().rposition(|&v| v == 1.0),
            ) {
                (Some(a), Some(b)) if t[a..=b].iter().all(|&v| v == 1.0) => a..b + 1,
                _ => 0..0,
            }
        };
        let mut flat = ones(&s.mid);
        for table in s.slabs.chunks_exact(s.width.max(1)) {
            let f = ones(table);
            flat = flat.start.max(f.start)..flat.end.min(f.end);
        }
        s.flat = if flat.is_empty() { 0..0 } else { flat };
        s.coefs = rows.clone().map(|y| s.row_coefficients(y)).collect();
        s.rows = rows;
        s
    }

    /// The row factors of row `y`: the middle band's, then each slab table's (top slab
    /// k = 15 − j and bottom slab j share the inset of table j).
    fn row_coefficients(&self, y: usize) -> [f32; SLABS + 1] {
        let py = y as f64 + 0.5;
        let s = self.sigma;
        let [_, ry0, _, ry1] = self.rect;
        let r = self.radius;
        let band = |a: f64, b: f64| (phi((b - py) / s) - phi((a - py) / s)) as f32;
        let mut c = [0.0f32; SLABS + 1];
        if ry1 - r > ry0 + r {
            c[0] = band(ry0 + r, ry1 - r);
        }
        if r > 0.0 {
            let step = r / SLABS as f64;
            for (j, c) in c[1..].iter_mut().enumerate() {
                let k = SLABS - 1 - j;
                let top = band(ry0 + k as f64 * step, ry0 + (k + 1) as f64 * step);
                let bottom = band(ry1 - r + j as f64 * step, ry1 - r + (j + 1) as f64 * step);
                *c = top + bottom;
            }
        }
        c
    }

    /// Shadow amounts of row `y`'s pixels `x0 ..` (within the columns given to `new`) into
    /// `out`.
    pub(crate) fn row(&self, y: usize, x0: usize, out: &mut [f32]) {
        if let Some(sharp) = &self.sharp {
            sharp.row(y, x0, out);
            return;
        }
        let c = match self.coefs.get(y.wrapping_sub(self.rows.start)) {
            Some(c) => *c,
            None => self.row_coefficients(y),
        };
        let wm = c[0];
        let mut coef = [0.0f32; SLABS];
        coef.copy_from_slice(&c[1..]);
        // Where every column factor is 1 the sum is the same for every column (and computed in
        // the same order, so bit for bit what the general loop gives).
        let from = x0 - self.x0;
        let flat = self.flat.start.clamp(from, from + out.len())
            ..self.flat.end.clamp(from, from + out.len());
        let mut level = wm;
        for &c in &coef {
            if c.abs() >= 1e-9 {
                level += c;
            }
        }
        let (a, b) = (flat.start - from, flat.end - from);
        out[a..b].fill(level);
        for (part, at) in [(0..a, from), (b..out.len(), from + b)] {
            self.row_factors(wm, &coef, at, &mut out[part]);
        }
    }

    /// Σ row factor · column factor for table columns `from ..`.
    fn row_factors(&self, wm: f32, coef: &[f32; SLABS], from: usize, out: &mut [f32]) {
        let n = out.len();
        if n == 0 {
            return;
        }
        let mid = &self.mid[from..from + n];
        for (o, m) in out.iter_mut().zip(mid) {
            *o = wm * m;
        }
        if self.slabs.is_empty() {
            return;
        }
        for (j, &c) in coef.iter().enumerate() {
            if c.abs() < 1e-9 {
                continue;
            }
            let table = &self.slabs[j * self.width + from..j * self.width + from + n];
            for (o, t) in out.iter_mut().zip(table) {
                *o += c * t;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_matches_pixelwise_coverage() {
        for squircle in [CornerShape::Circular, CornerShape::Squircle] {
            let s = RoundedRect::new([3.3, 2.7, 40.6, 30.2], 9.0, squircle);
            let mut row = vec![0.0; 50];
            for y in 0..34 {
                s.row(y, 0, &mut row);
                let solid = s.solid(y);
                for (x, v) in row.iter().enumerate() {
                    let want = s.coverage_at([x as f32 + 0.5, y as f32 + 0.5]);
                    assert_eq!(*v, want, "({x}, {y})");
                    if solid.contains(&x) {
                        assert_eq!(*v, 1.0, "solid ({x}, {y})");
                    }
                }
            }
        }
    }

    #[test]
    fn blurred_shape_integrates_to_the_area() {
        let shape = RoundedRect::new([20.0, 20.0, 60.0, 50.0], 8.0, CornerShape::Circular);
        let b = BlurredShape::new(shape, 3.0, 0..80, 0..75);
        let mut row = vec![0.0; 80];
        let mut total = 0.0;
        for y in 0..75 {
            b.row(y, 0, &mut row);
            total += row.iter().map(|v| *v as f64).sum::<f64>();
        }
        let area = 40.0 * 30.0 - (4.0 - std::f64::consts::PI) * 64.0;
        assert!((total - area).abs() < 0.5, "{total} vs {area}");
    }
}

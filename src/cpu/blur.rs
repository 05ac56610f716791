//! Gaussian blur of float planes (the shader blur.wgsl: taps |k| ≤ ⌈3σ⌉ + 1, weights
//! exp(−k²/2σ²) normalised over those taps, edges clamped; across, then down).

use super::frame::CardLayer;
use super::par_rows;
use super::sample::{sample_rgba, Pixels, RowAt, SampleScratch};
use super::taps::Taps;

/// Taps on each side of a gaussian of `sigma` (the wgpu backend's rule).
pub(crate) fn blur_radius(sigma: f64) -> usize {
    if sigma <= 0.0 {
        0
    } else {
        ((3.0 * sigma).ceil() as usize + 1).min(255)
    }
}

/// One direction of a gaussian: the normalised weights of taps 0 ..= r (symmetric).
#[derive(Debug, Clone)]
pub(crate) struct Gaussian {
    half: Vec<f32>,
}

impl Gaussian {
    /// The gaussian of `sigma` (σ ≤ 0: the identity).
    pub(crate) fn new(sigma: f64) -> Self {
        let r = blur_radius(sigma) as i64;
        let k2 = -0.5 / (sigma.max(1e-3) * sigma.max(1e-3));
        let w: Vec<f64> = (-r..=r).map(|k| ((k * k) as f64 * k2).exp()).collect();
        let total: f64 = w.iter().sum();
        Gaussian {
            half: w[r as usize..].iter().map(|v| (v / total) as f32).collect(),
        }
    }

    fn radius(&self) -> usize {
        self.half.len() - 1
    }

    /// `row` blurred across into `out` (same length); `padded` is scratch.
    pub(crate) fn across(&self, row: &[f32], padded: &mut Vec<f32>, out: &mut [f32]) {
        let (n, r) = (row.len(), self.radius());
        if n == 0 {
            return;
        }
        padded.clear();
        padded.resize(r, row[0]);
        padded.extend_from_slice(row);
        padded.resize(n + 2 * r, row[n - 1]);
        // Symmetric weights: each pair of taps shares one multiply.
        for (o, &v) in out.iter_mut().zip(&padded[r..r + n]) {
            *o = self.half[0] * v;
        }
        for k in 1..=r {
            let w = self.half[k];
            let (left, right) = (&padded[r - k..r - k + n], &padded[r + k..r + k + n]);
            for ((o, &a), &b) in out.iter_mut().zip(left).zip(right) {
                *o += w * (a + b);
            }
        }
    }

    /// Row `y` of `plane` (`width` × `height`) blurred down into `out`.
    pub(crate) fn down(
        &self,
        plane: &[f32],
        width: usize,
        height: usize,
        y: usize,
        out: &mut [f32],
    ) {
        let row = |k: i64| {
            let yy = (y as i64 + k).clamp(0, height as i64 - 1) as usize;
            &plane[yy * width..][..width]
        };
        for (o, &v) in out.iter_mut().zip(row(0)) {
            *o = self.half[0] * v;
        }
        for k in 1..=self.radius() {
            let w = self.half[k];
            for ((o, &a), &b) in out.iter_mut().zip(row(-(k as i64))).zip(row(k as i64)) {
                *o += w * (a + b);
            }
        }
    }
}

/// Blurs `plane` (`width` × `height`, rows packed) in place by `sx` across and `sy` down; `tmp`
/// is scratch of the same size.
pub(crate) fn gaussian(
    plane: &mut [f32],
    tmp: &mut Vec<f32>,
    width: usize,
    height: usize,
    sx: f64,
    sy: f64,
    threads: usize,
) {
    if width == 0 || height == 0 {
        return;
    }
    tmp.resize(width * height, 0.0);
    let (gx, gy) = (Gaussian::new(sx), Gaussian::new(sy));
    let src: &[f32] = plane;
    par_rows(threads, &mut tmp[..width * height], width, |y0, band| {
        let mut padded = Vec::new();
        for (i, out) in band.chunks_exact_mut(width).enumerate() {
            gx.across(&src[(y0 + i) * width..][..width], &mut padded, out);
        }
    });
    let src: &[f32] = tmp;
    par_rows(threads, plane, width, |y0, band| {
        for (i, out) in band.chunks_exact_mut(width).enumerate() {
            gy.down(src, width, height, y0 + i, out);
        }
    });
}

/// The layer's source decoded at its own size into premultiplied RGBA and blurred by `sx`
/// across and `sy` down (in source pixels): what a blurred card samples (fs_decode, blur).
pub(crate) fn decode_and_blur(
    card: &CardLayer<'_>,
    planes: &mut [Vec<f32>; 4],
    tmp: &mut Vec<f32>,
    sx: f64,
    sy: f64,
    threads: usize,
) {
    let (w, h) = (card.width, card.height);
    let mut xt = Taps::default();
    xt.build(w, w, |i, push| push(i as f64 + 0.5, 1.0));
    let mut ct = Taps::default();
    if let Pixels::Yuv { bias, .. } = &card.pixels {
        ct.build(w, w.div_ceil(2), |i, push| {
            push((i as f64 + 0.5) * 0.5 + bias[0], 1.0)
        });
    }
    // Decoded row by row into an interleaved buffer, then split into planes.
    let mut rgba = vec![0.0f32; w * h * 4];
    par_rows(threads, &mut rgba, w * 4, |y0, band| {
        let mut s = SampleScratch::default();
        let mut row: [Vec<f32>; 4] = Default::default();
        for r in &mut row {
            r.resize(w, 0.0);
        }
        for (i, out) in band.chunks_exact_mut(w * 4).enumerate() {
            let [r, g, b, a] = &mut row;
            sample_rgba(
                &card.pixels,
                w,
                h,
                &xt,
                &ct,
                RowAt::new((y0 + i) as f64 + 0.5, 1.0),
                0,
                &mut s,
                [r, g, b, a],
            );
            for (k, px) in out.chunks_exact_mut(4).enumerate() {
                px.copy_from_slice(&[row[0][k], row[1][k], row[2][k], row[3][k]]);
            }
        }
    });
    for (c, plane) in planes.iter_mut().enumerate() {
        plane.clear();
        plane.extend(rgba.iter().skip(c).step_by(4));
        gaussian(plane, tmp, w, h, sx, sy, threads);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_keeps_constants_and_mass() {
        let (w, h) = (17, 9);
        let mut p = vec![0.5f32; w * h];
        let mut tmp = Vec::new();
        gaussian(&mut p, &mut tmp, w, h, 2.0, 1.5, 1);
        assert!(p.iter().all(|v| (v - 0.5).abs() < 1e-6));
        let mut spot = vec![0.0f32; 41 * 41];
        spot[20 * 41 + 20] = 1.0;
        gaussian(&mut spot, &mut tmp, 41, 41, 2.0, 2.0, 2);
        let total: f32 = spot.iter().sum();
        assert!((total - 1.0).abs() < 1e-4);
    }
}

//! Gaussian blur of float planes (the shader blur.wgsl: taps |k| ≤ ⌈3σ⌉ + 1, weights
//! exp(−k²/2σ²) normalised over those taps, edges clamped; across, then down), and the box
//! reduction of a source that the blurred background starts from.

use super::par_rows;
use super::taps::{combine_rows_f32, Taps};

/// Taps on each side of a gaussian of `sigma` (the wgpu backend's rule).
pub(crate) fn blur_radius(sigma: f64) -> usize {
    if sigma <= 0.0 {
        0
    } else {
        ((3.0 * sigma).ceil() as usize + 1).min(255)
    }
}

/// The normalised weights of taps −r ..= r.
fn weights(sigma: f64) -> Vec<f32> {
    let r = blur_radius(sigma) as i64;
    let k2 = -0.5 / (sigma.max(1e-3) * sigma.max(1e-3));
    let w: Vec<f64> = (-r..=r).map(|k| ((k * k) as f64 * k2).exp()).collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|v| (v / total) as f32).collect()
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
    if sx > 0.0 {
        let wx = weights(sx);
        let r = wx.len() / 2;
        let src: &[f32] = plane;
        par_rows(threads, &mut tmp[..width * height], width, |y0, band| {
            let mut padded = vec![0.0f32; width + 2 * r];
            for (i, out) in band.chunks_exact_mut(width).enumerate() {
                let row = &src[(y0 + i) * width..][..width];
                padded[..r].fill(row[0]);
                padded[r..r + width].copy_from_slice(row);
                padded[r + width..].fill(row[width - 1]);
                out.fill(0.0);
                for (k, &w) in wx.iter().enumerate() {
                    for (o, &v) in out.iter_mut().zip(&padded[k..k + width]) {
                        *o += w * v;
                    }
                }
            }
        });
    } else {
        tmp[..width * height].copy_from_slice(plane);
    }
    let wy = if sy > 0.0 { weights(sy) } else { vec![1.0] };
    let r = wy.len() / 2;
    let src: &[f32] = tmp;
    par_rows(threads, plane, width, |y0, band| {
        for (i, out) in band.chunks_exact_mut(width).enumerate() {
            let y = (y0 + i) as i64;
            let rows = (0..wy.len()).map(|k| {
                let yy = (y + k as i64 - r as i64).clamp(0, height as i64 - 1) as usize;
                &src[yy * width..][..width]
            });
            combine_rows_f32(rows, &wy, out);
        }
    });
}

/// One channel of a reduced copy: `out` (`xt.len()` × `yt.len()`) from the source rows that
/// `read_row(y, columns, line)` delivers as floats, through the tables (rows first).
pub(crate) fn reduce(
    xt: &Taps,
    yt: &Taps,
    threads: usize,
    out: &mut [f32],
    read_row: impl Fn(usize, std::ops::Range<usize>, &mut [f32]) + Sync,
) {
    let lw = xt.len();
    if lw == 0 {
        return;
    }
    let span = xt.span(0..lw);
    par_rows(threads, out, lw, |j0, band| {
        let mut line = vec![0.0f32; span.len()];
        let mut acc = vec![0.0f32; span.len()];
        for (i, out) in band.chunks_exact_mut(lw).enumerate() {
            let (start, w) = yt.get(j0 + i);
            acc.fill(0.0);
            for (t, &wt) in w.iter().enumerate() {
                if wt == 0.0 {
                    continue;
                }
                read_row(start + t, span.clone(), &mut line);
                for (a, &v) in acc.iter_mut().zip(&line) {
                    *a += wt * v;
                }
            }
            xt.apply(&acc, span.start, 0, out);
        }
    });
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

//! Prefiltered resampling along one axis: which source texels one output pixel reads, and
//! with which weights, given where its centre falls in the source and how many source texels
//! its footprint spans (the inverse of the scale along that axis).
//!
//! - Up to one texel wide (magnification, or no scaling): the bilinear pair at the centre, as
//!   a texture sampler reads it (a centre on a texel's centre gives that texel alone).
//! - Wider (minification): the area filter. The source is taken as constant over each texel
//!   and averaged over the footprint `[pos − width/2, pos + width/2]`: a texel weighs the
//!   length of its overlap with it, over `width`. This is the exact area average at integer
//!   factors (what `scale=flags=area` computes), preserves brightness, is continuous in
//!   position and in width, and at width 1 is the bilinear pair itself: an animated scale
//!   crosses 1 (and 1/2, 1/4 …) without a jump. Chosen by measurement over a triangle
//!   (tent) filter of half-width `width`: the tent is 21–32 dB from the area average on a zone
//!   plate at 2×–8× (it also removes part of the passband, softening text), reads about twice
//!   the texels (2·width + 1 against width + 2), and the area average is what FFmpeg's
//!   `flags=area` peer computes; ours is within rounding of it (58–64 dB, tests/scaling.rs).
//!
//! Texels beyond the edges are the edge texel (clamped, as a sampler clamps). Footprints are
//! capped at [`MAX_FOOTPRINT`] texels: past a 64× reduction the filter narrows (aliasing
//! returns there, not before). Pure: no GStreamer, no GPU.

/// The widest footprint, in source texels.
pub(crate) const MAX_FOOTPRINT: f64 = 64.0;

/// Most texels one footprint reads: [`MAX_FOOTPRINT`] plus the partial texels at both ends.
pub(crate) const MAX_TAPS: usize = MAX_FOOTPRINT as usize + 2;

/// Calls `push(texel, weight · w)` for each texel (clamped to `0 .. len`) that an output pixel
/// centred at `pos` (texel units, centres at `k + 0.5`) with a footprint `width` texels wide
/// reads, in increasing order (a clamped texel may come twice). Weights sum to `weight`.
#[inline]
pub(crate) fn footprint(
    pos: f64,
    width: f64,
    len: usize,
    weight: f32,
    mut push: impl FnMut(usize, f32),
) {
    let last = len.max(1) as i64 - 1;
    let width = if width.is_finite() {
        width.min(MAX_FOOTPRINT)
    } else {
        1.0
    };
    if width <= 1.0 || !pos.is_finite() {
        // The arithmetic of a bilinear texture read, bit for bit.
        let f = pos - 0.5;
        let base = f.floor();
        let w = (f - base) as f32;
        let i0 = if base.is_finite() { base as i64 } else { 0 };
        push(i0.clamp(0, last) as usize, weight * (1.0 - w));
        if w != 0.0 {
            push((i0 + 1).clamp(0, last) as usize, weight * w);
        }
        return;
    }
    // Beyond a footprint past either edge every texel is the edge texel: clamping the centre
    // there changes nothing and keeps the loop below short and exact.
    let pos = pos.clamp(-(MAX_FOOTPRINT + 1.0), len as f64 + MAX_FOOTPRINT + 1.0);
    let (lo, hi) = (pos - 0.5 * width, pos + 0.5 * width);
    let inv = 1.0 / width;
    let first = lo.floor();
    let mut k = first;
    while k < hi {
        let overlap = (hi.min(k + 1.0) - lo.max(k)) * inv;
        if overlap > 0.0 {
            let i = (k as i64).clamp(0, last) as usize;
            push(i, weight * overlap as f32);
        }
        k += 1.0;
    }
}

/// The source rows (or columns) one output pixel reads, with their weights: [`footprint`]
/// collected, a clamped texel's repeats merged (except in the bilinear case, which keeps the
/// pair as a sampler forms it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows {
    n: usize,
    rows: [usize; MAX_TAPS],
    weights: [f32; MAX_TAPS],
}

impl Rows {
    /// The rows of an output pixel centred at `pos` with a footprint `width` texels tall, over
    /// `len` rows.
    pub(crate) fn at(pos: f64, width: f64, len: usize) -> Rows {
        Self::scaled(pos, width, len, 1.0)
    }

    /// [`Rows::at`] with weights summing to `weight`.
    pub(crate) fn scaled(pos: f64, width: f64, len: usize, weight: f32) -> Rows {
        let mut r = Rows {
            n: 0,
            rows: [0; MAX_TAPS],
            weights: [0.0; MAX_TAPS],
        };
        let merge = width > 1.0 && pos.is_finite();
        footprint(pos, width, len, weight, |row, w| r.push(row, w, merge));
        r
    }

    fn push(&mut self, row: usize, w: f32, merge: bool) {
        if merge && self.n > 0 && self.rows[self.n - 1] == row {
            self.weights[self.n - 1] += w;
        } else if self.n < MAX_TAPS {
            self.rows[self.n] = row;
            self.weights[self.n] = w;
            self.n += 1;
        }
    }

    /// The rows read.
    pub(crate) fn rows(&self) -> &[usize] {
        &self.rows[..self.n]
    }

    /// Their weights.
    pub(crate) fn weights(&self) -> &[f32] {
        &self.weights[..self.n]
    }

    /// The row read alone with weight 1, when that is all (an unscaled row on a texel centre).
    pub(crate) fn single(&self) -> Option<usize> {
        let w = self.weights();
        (!w.is_empty() && w[0] == 1.0 && w[1..].iter().all(|&v| v == 0.0)).then(|| self.rows[0])
    }
}

/// Source texels per output pixel along an axis of a mapping whose scale is `texels_per_pixel`:
/// the footprint width (its magnitude: a mirrored mapping spans as much).
#[inline]
pub(crate) fn width_of(texels_per_pixel: f64) -> f64 {
    texels_per_pixel.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(pos: f64, width: f64, len: usize) -> Vec<(usize, f32)> {
        let mut v = Vec::new();
        footprint(pos, width, len, 1.0, |i, w| v.push((i, w)));
        v
    }

    #[test]
    fn narrow_footprints_are_bilinear() {
        assert_eq!(collect(2.5, 1.0, 8), vec![(2, 1.0)]);
        assert_eq!(collect(2.75, 0.5, 8), vec![(2, 0.75), (3, 0.25)]);
        // Clamped past the edge, as a sampler clamps.
        assert_eq!(collect(0.25, 1.0, 8), vec![(0, 0.25), (0, 0.75)]);
    }

    #[test]
    fn wide_footprints_average_the_area() {
        // 2×: two whole texels.
        assert_eq!(collect(4.0, 2.0, 8), vec![(3, 0.5), (4, 0.5)]);
        // 2.5× centred on a texel centre: 0.75, 1, 0.75 of 2.5.
        let v = collect(4.5, 2.5, 8);
        let want = [(3, 0.3), (4, 0.4), (5, 0.3)];
        assert_eq!(v.len(), 3);
        for ((i, w), (j, x)) in v.iter().zip(want) {
            assert_eq!(*i, j);
            assert!((w - x).abs() < 1e-6, "{v:?}");
        }
        // Weights sum to one, also when clamped at an edge (merged by Rows).
        for (pos, width) in [(0.3, 3.7), (7.9, 5.0), (3.3, 1.01), (5.0, 64.0)] {
            let r = Rows::at(pos, width, 8);
            let sum: f32 = r.weights().iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{pos} {width}: {sum}");
            assert!(r.rows().windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn continuous_in_width_across_one() {
        // Just above width 1 the area filter is within ε of the bilinear pair.
        for pos in [2.5, 2.6, 2.9, 3.2] {
            let a = Rows::at(pos, 1.0, 8);
            let b = Rows::at(pos, 1.0 + 1e-6, 8);
            let weight = |r: &Rows, k: usize| -> f32 {
                r.rows()
                    .iter()
                    .zip(r.weights())
                    .filter(|(i, _)| **i == k)
                    .map(|(_, w)| *w)
                    .sum()
            };
            for k in 0..8 {
                assert!((weight(&a, k) - weight(&b, k)).abs() < 1e-5, "{pos} {k}");
            }
        }
    }

    #[test]
    fn degenerate_inputs_stay_in_range() {
        for (pos, width) in [
            (f64::NAN, 3.0),
            (1e300, 2.0),
            (-1e300, 2.0),
            (3.0, f64::INFINITY),
            (3.0, 1e9),
        ] {
            let r = Rows::at(pos, width, 5);
            assert!(r.rows().iter().all(|&i| i < 5));
            assert!(!r.rows().is_empty());
        }
    }
}

//! Separable resampling tables. Every resampling the renderer does along one axis (bilinear
//! sampling at arbitrary positions, the chroma kernels of the YUV output, the box downsampling of
//! the blurred background) is a short weighted sum of consecutive source samples; building it as
//! a table once per frame leaves the inner loops as plain multiply-adds over slices.

/// For each output index, `n` weights over the source samples `start .. start + n`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Taps {
    n: usize,
    start: Vec<u32>,
    weights: Vec<f32>,
    /// (index, weight) pairs collected while building, reused between builds.
    points: Vec<(i64, f32)>,
    ends: Vec<usize>,
}

impl Taps {
    /// Taps per output.
    pub(crate) fn n(&self) -> usize {
        self.n
    }

    /// Number of outputs.
    pub(crate) fn len(&self) -> usize {
        self.start.len()
    }

    /// First source index and the weights of output `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> (usize, &[f32]) {
        (
            self.start[i] as usize,
            &self.weights[i * self.n..(i + 1) * self.n],
        )
    }

    /// The source range outputs `range` read.
    pub(crate) fn span(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if range.is_empty() {
            return 0..0;
        }
        let lo = self.start[range.clone()].iter().copied().min().unwrap_or(0) as usize;
        let hi = self.start[range].iter().copied().max().unwrap_or(0) as usize + self.n;
        lo..hi
    }

    /// Rebuilds the table for `count` outputs over `len` source samples. `points(i, push)` names
    /// the bilinear sample points of output `i`: `push(position, weight)`, position in source
    /// texel units with texel centres at `k + 0.5`; positions past the edges are clamped, as a
    /// texture sampler clamps. A position on a texel centre gives that texel alone.
    pub(crate) fn build(
        &mut self,
        count: usize,
        len: usize,
        mut points: impl FnMut(usize, &mut dyn FnMut(f64, f32)),
    ) {
        self.points.clear();
        self.ends.clear();
        let last = len.max(1) as i64 - 1;
        for i in 0..count {
            let list = &mut self.points;
            points(i, &mut |pos: f64, weight: f32| {
                let f = pos - 0.5;
                let base = f.floor();
                let w = (f - base) as f32;
                let i0 = if base.is_finite() { base as i64 } else { 0 };
                list.push((i0.clamp(0, last), weight * (1.0 - w)));
                if w != 0.0 {
                    list.push(((i0 + 1).clamp(0, last), weight * w));
                }
            });
            self.ends.push(self.points.len());
        }
        // The widest output decides n; a start is moved left so that start + n stays in range.
        let mut n = 1;
        let mut from = 0;
        for &end in &self.ends {
            let pts = &self.points[from..end];
            if let (Some(lo), Some(hi)) = (
                pts.iter().map(|p| p.0).min(),
                pts.iter().map(|p| p.0).max(),
            ) {
                n = n.max((hi - lo + 1) as usize);
            }
            from = end;
        }
        let n = n.min(len.max(1));
        self.n = n;
        self.start.clear();
        self.weights.clear();
        self.weights.resize(count * n, 0.0);
        let mut from = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let pts = &self.points[from..end];
            let lo = pts.iter().map(|p| p.0).min().unwrap_or(0);
            let start = lo.min(len.max(1) as i64 - n as i64).max(0);
            self.start.push(start as u32);
            let w = &mut self.weights[i * n..(i + 1) * n];
            for &(k, wt) in pts {
                w[(k - start) as usize] += wt;
            }
            from = end;
        }
    }

    /// `out[k] = Σ weights · src[start ..]` for outputs `first .. first + out.len()`, reading a
    /// source whose index 0 is sample `offset`.
    #[inline]
    pub(crate) fn apply(&self, src: &[f32], offset: usize, first: usize, out: &mut [f32]) {
        let starts = &self.start[first..first + out.len()];
        let weights = &self.weights[first * self.n..(first + out.len()) * self.n];
        match self.n {
            1 => {
                for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights) {
                    *o = src[s as usize - offset] * w;
                }
            }
            2 => {
                for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(2)) {
                    let s = &src[s as usize - offset..][..2];
                    *o = s[0] * w[0] + s[1] * w[1];
                }
            }
            3 => {
                for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(3)) {
                    let s = &src[s as usize - offset..][..3];
                    *o = s[0] * w[0] + s[1] * w[1] + s[2] * w[2];
                }
            }
            4 => {
                for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(4)) {
                    let s = &src[s as usize - offset..][..4];
                    *o = s[0] * w[0] + s[1] * w[1] + s[2] * w[2] + s[3] * w[3];
                }
            }
            n => {
                for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(n)) {
                    let s = &src[s as usize - offset..][..n];
                    *o = s.iter().zip(w).map(|(a, b)| a * b).sum();
                }
            }
        }
    }

    /// Like `apply` over a source with `stride` interleaved channels, reading channel `channel`.
    #[inline]
    pub(crate) fn apply_strided(
        &self,
        src: &[f32],
        offset: usize,
        stride: usize,
        channel: usize,
        first: usize,
        out: &mut [f32],
    ) {
        let starts = &self.start[first..first + out.len()];
        let n = self.n;
        let weights = &self.weights[first * n..(first + out.len()) * n];
        if n == 2 {
            for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(2)) {
                let at = (s as usize - offset) * stride + channel;
                *o = src[at] * w[0] + src[at + stride] * w[1];
            }
            return;
        }
        for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(n)) {
            let at = (s as usize - offset) * stride + channel;
            *o = w.iter().enumerate().map(|(t, wt)| src[at + t * stride] * wt).sum();
        }
    }
}

/// `out[x] = scale · Σ_t weights[t] · rows[t][x]` over byte rows.
#[inline]
pub(crate) fn combine_rows_u8<'r>(
    rows: impl Iterator<Item = &'r [u8]>,
    weights: &[f32],
    scale: f32,
    out: &mut [f32],
) {
    let mut first = true;
    for (row, &w) in rows.zip(weights) {
        let w = w * scale;
        if first {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = v as f32 * w;
            }
            first = false;
        } else if w != 0.0 {
            for (o, &v) in out.iter_mut().zip(row) {
                *o += v as f32 * w;
            }
        }
    }
    if first {
        out.fill(0.0);
    }
}

/// `out[x] = Σ_t weights[t] · rows[t][x]` over float rows.
#[inline]
pub(crate) fn combine_rows_f32<'r>(
    rows: impl Iterator<Item = &'r [f32]>,
    weights: &[f32],
    out: &mut [f32],
) {
    let mut first = true;
    for (row, &w) in rows.zip(weights) {
        if first {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = v * w;
            }
            first = false;
        } else if w != 0.0 {
            for (o, &v) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }
    if first {
        out.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_points_and_clamping() {
        let mut t = Taps::default();
        // Output i samples at i * 0.5 + 0.25 over 4 texels.
        t.build(9, 4, |i, push| push(i as f64 * 0.5 + 0.25, 1.0));
        let src = [10.0, 20.0, 30.0, 40.0];
        let mut out = [0.0; 9];
        t.apply(&src, 0, 0, &mut out);
        // 0.25 and 0.75 are left of the first centre: clamped to texel 0.
        assert_eq!(&out[..2], &[10.0, 10.0]);
        assert!((out[2] - 12.5).abs() < 1e-5);
        assert_eq!(out[8], 40.0);
        // On a texel centre: that texel alone.
        let mut one = Taps::default();
        one.build(1, 4, |_, push| push(2.5, 1.0));
        assert_eq!(one.get(0).1, &[1.0]);
        assert_eq!(one.get(0).0, 2);
    }
}

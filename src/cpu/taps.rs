//! Separable resampling tables. Every resampling the renderer does along one axis (bilinear
//! sampling at arbitrary positions, the chroma kernels of the YUV output, the box downsampling of
//! the blurred background) is a short weighted sum of consecutive source samples; building it as
//! a table once per frame leaves the inner loops as plain multiply-adds over slices.

use super::resample::footprint;

/// For each output index, `n` weights over the source samples `start .. start + n`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Taps {
    n: usize,
    start: Vec<u32>,
    weights: Vec<f32>,
    /// (index, weight) pairs collected while building, reused between builds.
    points: Vec<(i64, f32)>,
    ends: Vec<usize>,
    /// The longest stretch of outputs that repeat one pattern of weights while their start
    /// advances by `advance` every `period` outputs (an unscaled copy or sub-pixel shift: 1
    /// and 1; a 2x chroma upsampling: period 2; a 2:1 chroma kernel: advance 2): applied there
    /// without reading the start table. Found at the first `apply` (many tables are built
    /// and never applied so).
    regular: std::sync::OnceLock<Option<Regular>>,
}

/// A stretch of outputs (`outputs`) whose output `outputs.start + k` starts at
/// `first + (k / period) · advance` with the weights of output `outputs.start + k % period`.
#[derive(Debug, Clone, PartialEq)]
struct Regular {
    outputs: std::ops::Range<usize>,
    first: usize,
    period: usize,
    advance: usize,
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

    /// The first source index of every output.
    pub(crate) fn starts(&self) -> &[u32] {
        &self.start
    }

    /// First source index and the weights of output `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> (usize, &[f32]) {
        (
            self.start[i] as usize,
            &self.weights[i * self.n..(i + 1) * self.n],
        )
    }

    /// The longest run of outputs that each read one source sample alone, with weight 1, the
    /// next one each time (a straight copy), and the source index minus the output index there.
    pub(crate) fn identity_run(&self) -> Option<(std::ops::Range<usize>, usize)> {
        if self.n != 1 {
            return None;
        }
        let mut best: Option<(std::ops::Range<usize>, usize)> = None;
        let mut i = 0;
        while i < self.start.len() {
            let offset = (self.start[i] as usize).wrapping_sub(i);
            let mut j = i;
            while j < self.start.len()
                && self.weights[j] == 1.0
                && (self.start[j] as usize).wrapping_sub(j) == offset
            {
                j += 1;
            }
            if j > i && best.as_ref().is_none_or(|(r, _)| j - i > r.len()) {
                best = Some((i..j, offset));
            }
            i = j.max(i + 1);
        }
        best
    }

    /// The source range outputs `range` read.
    pub(crate) fn span(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if range.is_empty() {
            return 0..0;
        }
        // Starts never decrease (positions grow with the output), so the ends decide.
        let (a, b) = (self.start[range.start], self.start[range.end - 1]);
        a.min(b) as usize..a.max(b) as usize + self.n
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
        self.build_filtered(count, len, |i, push| {
            points(i, &mut |pos, weight| push(pos, 0.0, weight))
        });
    }

    /// Like [`Taps::build`], each point with its footprint: `push(position, width, weight)`
    /// reads the source through [`footprint`] (bilinear up to one texel wide, the area average
    /// over `width` texels beyond).
    pub(crate) fn build_filtered(
        &mut self,
        count: usize,
        len: usize,
        mut points: impl FnMut(usize, &mut dyn FnMut(f64, f64, f32)),
    ) {
        self.points.clear();
        self.ends.clear();
        for i in 0..count {
            let list = &mut self.points;
            points(i, &mut |pos: f64, width: f64, weight: f32| {
                footprint(pos, width, len, weight, |k, w| list.push((k as i64, w)));
            });
            self.ends.push(self.points.len());
        }
        // The widest output decides n; a start is moved left so that start + n stays in range.
        let mut n = 1;
        let mut from = 0;
        for &end in &self.ends {
            let pts = &self.points[from..end];
            if let (Some(lo), Some(hi)) =
                (pts.iter().map(|p| p.0).min(), pts.iter().map(|p| p.0).max())
            {
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
        self.regular = Default::default();
    }

    /// The regular stretch (the field `regular`), found the first time it is asked for.
    fn regular(&self) -> Option<&Regular> {
        self.regular
            .get_or_init(|| {
                [(1, 1), (2, 1), (1, 2)]
                    .into_iter()
                    .filter_map(|(p, a)| self.longest_regular(p, a))
                    .max_by_key(|r| r.outputs.len())
                    .filter(|r| r.outputs.len() >= 16)
            })
            .as_ref()
    }

    /// The longest stretch repeating with `period` and `advance` (the field `regular`).
    fn longest_regular(&self, period: usize, advance: usize) -> Option<Regular> {
        let (n, count) = (self.n, self.start.len());
        let mut best: Option<Regular> = None;
        let mut i = 0;
        while i + period <= count {
            // Output j (j ≥ i + period) continues the stretch begun at i when it starts
            // `advance` after output j - period and has its weights.
            let mut j = i + period;
            while j < count
                && self.start[j] as usize == self.start[j - period] as usize + advance
                && self.weights[j * n..(j + 1) * n]
                    == self.weights[(j - period) * n..(j - period + 1) * n]
            {
                j += 1;
            }
            // Whole periods only, and the starts within the first period must follow the rule.
            let len = (j - i) / period * period;
            let first = self.start[i] as usize;
            let aligned = (i..i + period).all(|k| self.start[k] as usize == first);
            if aligned && len > best.as_ref().map_or(0, |b| b.outputs.len()) {
                best = Some(Regular {
                    outputs: i..i + len,
                    first,
                    period,
                    advance,
                });
            }
            i = if j > i + period {
                j - period + 1
            } else {
                i + 1
            };
        }
        best
    }

    /// `out[k] = Σ weights · src[start ..]` for outputs `first .. first + out.len()`, reading a
    /// source whose index 0 is sample `offset`.
    #[inline]
    pub(crate) fn apply(&self, src: &[f32], offset: usize, first: usize, out: &mut [f32]) {
        // Short requests are not worth finding the stretch for.
        if let Some(r) = (out.len() >= 16).then(|| self.regular()).flatten() {
            let end = first + out.len();
            let lo = r.outputs.start.max(first);
            let hi = r.outputs.end.min(end);
            // Only worth splitting when the stretch is most of the request.
            if hi > lo && (hi - lo) * 2 >= out.len() {
                let (head, rest) = out.split_at_mut(lo - first);
                let (mid, tail) = rest.split_at_mut(hi - lo);
                self.apply_table(src, offset, first, head);
                self.apply_regular(r, src, offset, lo, mid);
                self.apply_table(src, offset, hi, tail);
                return;
            }
        }
        self.apply_table(src, offset, first, out);
    }

    /// [`Taps::apply`] over outputs inside the regular stretch `r`: the same sums, in the same
    /// order, so the same bits.
    fn apply_regular(
        &self,
        r: &Regular,
        src: &[f32],
        offset: usize,
        first: usize,
        out: &mut [f32],
    ) {
        let k0 = first - r.outputs.start;
        // Outputs before the next whole period go through the table.
        let lead = ((r.period - k0 % r.period) % r.period).min(out.len());
        let (head, out) = out.split_at_mut(lead);
        self.apply_table(src, offset, first, head);
        let first = first + lead;
        let whole = out.len() / r.period * r.period;
        let (body, tail) = out.split_at_mut(whole);
        let s0 = r.first + (first - r.outputs.start) / r.period * r.advance - offset;
        let pattern = &self.weights[r.outputs.start * self.n..][..r.period * self.n];
        let at = &src[s0..];
        let done = crate::simd::dispatch!(regular_kernel(self.n, r, pattern, at, body));
        if !done {
            self.apply_table(src, offset, first, body);
        }
        self.apply_table(src, offset, first + whole, tail);
    }

    fn apply_table(&self, src: &[f32], offset: usize, first: usize, out: &mut [f32]) {
        if out.is_empty() {
            return;
        }
        let starts = &self.start[first..first + out.len()];
        let weights = &self.weights[first * self.n..(first + out.len()) * self.n];
        crate::simd::dispatch!(table_kernel(self.n, starts, weights, src, offset, out));
    }

    /// `apply` of a one-tap table to one 8-bit row, straight from its bytes: output k reads
    /// byte `start · step + offset` of `row`, times `scale`, times its weight (the bits
    /// `combine_rows_u8` then `apply` give, without converting the whole row first). False
    /// (nothing done) for a table of more taps, or a regular one.
    pub(crate) fn gather_u8(
        &self,
        row: &[u8],
        (step, offset): (usize, usize),
        scale: f32,
        first: usize,
        out: &mut [f32],
    ) -> bool {
        // Regular tables (an unscaled copy above all) convert a whole row faster.
        if self.n != 1 || self.regular().is_some() {
            return false;
        }
        let starts = &self.start[first..first + out.len()];
        let weights = &self.weights[first..first + out.len()];
        for ((o, &s), &w) in out.iter_mut().zip(starts).zip(weights) {
            *o = (row[s as usize * step + offset] as f32 * scale) * w;
        }
        true
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
            *o = w
                .iter()
                .enumerate()
                .map(|(t, wt)| src[at + t * stride] * wt)
                .sum();
        }
    }
}

/// Linear interpolation at evenly spaced positions `t0 + x · step` (texel index units: texel i
/// at i) for upsampling (`step` ≤ 1): outputs come in runs between two texels, each run with
/// fixed endpoints and a weight per output, so that no output gathers.
#[derive(Debug, Default, Clone)]
pub(crate) struct Upsampler {
    /// (first output, left texel) of each run, clamped texels.
    runs: Vec<(u32, u32)>,
    weights: Vec<f32>,
    len: usize,
    /// When every run but the first and last has the same length over consecutive texels (an
    /// integer factor), that length; those runs then use the weights of the second run.
    period: usize,
}

impl Upsampler {
    /// The upsampler of `count` outputs from `len` texels.
    pub(crate) fn new(count: usize, len: usize, t0: f64, step: f64) -> Self {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut weights = Vec::with_capacity(count);
        let last = len.max(1) as i64 - 1;
        let mut current = i64::MIN;
        for x in 0..count {
            let t = t0 + x as f64 * step;
            let base = t.floor();
            let i = base as i64;
            // Past either edge both endpoints are the edge texel: weight 0 on it.
            let (texel, w) = if i < 0 {
                (0, 0.0)
            } else if i >= last {
                (last.max(0), 0.0)
            } else {
                (i, (t - base) as f32)
            };
            if texel != current {
                runs.push((x as u32, texel as u32));
                current = texel;
            }
            weights.push(w);
        }
        let mut up = Upsampler {
            runs,
            weights,
            len: len.max(1),
            period: 0,
        };
        up.period = up.regular_period().unwrap_or(0);
        up
    }

    fn regular_period(&self) -> Option<usize> {
        let r = &self.runs;
        if r.len() < 4 {
            return None;
        }
        let period = (r[2].0 - r[1].0) as usize;
        let regular = r[1..]
            .windows(2)
            .all(|w| (w[1].0 - w[0].0) as usize == period && w[1].1 == w[0].1 + 1);
        (regular && (1..=16).contains(&period)).then_some(period)
    }

    /// Outputs `x0 .. x0 + out.len()` from `line` (the `len` texels).
    pub(crate) fn apply(&self, line: &[f32], x0: usize, out: &mut [f32]) {
        let end = x0 + out.len();
        let line = &line[..self.len];
        let last = self.len - 1;
        let runs = &self.runs;
        let mut k = runs
            .partition_point(|r| r.0 as usize <= x0)
            .saturating_sub(1);
        while k < runs.len() {
            let (start, texel) = runs[k];
            let start = (start as usize).max(x0);
            if start >= end {
                break;
            }
            let stop = runs.get(k + 1).map_or(end, |r| (r.0 as usize).min(end));
            // A stretch of whole regular runs (not the last run, which may be cut short).
            let p = self.period;
            if p > 0 && k >= 1 && start == runs[k].0 as usize {
                let whole = ((end - start) / p).min(runs.len().saturating_sub(k + 1));
                if whole > 0 {
                    let t = texel as usize;
                    let pattern = &self.weights[runs[1].0 as usize..][..p];
                    let dst = &mut out[start - x0..start - x0 + whole * p];
                    let src = &line[t..=(t + whole).min(last)];
                    regular(p, src, pattern, dst);
                    k += whole;
                    continue;
                }
            }
            let t = texel as usize;
            let a = line[t];
            let d = line[(t + 1).min(last)] - a;
            for (o, w) in out[start - x0..stop - x0]
                .iter_mut()
                .zip(&self.weights[start..stop])
            {
                *o = a + d * w;
            }
            k += 1;
        }
    }
}

/// Whole runs of `p` outputs: run i interpolates `src[i]` → `src[i + 1]` with `pattern`.
fn regular(p: usize, src: &[f32], pattern: &[f32], out: &mut [f32]) {
    fn fixed<const P: usize>(src: &[f32], pattern: &[f32], out: &mut [f32]) {
        let mut w = [0.0f32; P];
        w.copy_from_slice(&pattern[..P]);
        let last = src.len() - 1;
        for (i, chunk) in out.chunks_exact_mut(P).enumerate() {
            let a = src[i];
            let d = src[(i + 1).min(last)] - a;
            for (o, w) in chunk.iter_mut().zip(&w) {
                *o = a + d * w;
            }
        }
    }
    match p {
        2 => fixed::<2>(src, pattern, out),
        3 => fixed::<3>(src, pattern, out),
        4 => fixed::<4>(src, pattern, out),
        5 => fixed::<5>(src, pattern, out),
        6 => fixed::<6>(src, pattern, out),
        7 => fixed::<7>(src, pattern, out),
        8 => fixed::<8>(src, pattern, out),
        _ => {
            let last = src.len() - 1;
            for (i, chunk) in out.chunks_exact_mut(p).enumerate() {
                let a = src[i];
                let d = src[(i + 1).min(last)] - a;
                for (o, w) in chunk.iter_mut().zip(pattern) {
                    *o = a + d * w;
                }
            }
        }
    }
}

/// `Taps::apply_regular`'s kernels by taps, period and advance; false when none fits (the
/// table then serves).
#[inline(always)]
fn regular_kernel(n: usize, r: &Regular, pattern: &[f32], at: &[f32], body: &mut [f32]) -> bool {
    match (n, r.period, r.advance) {
        (1, 1, 1) if pattern[0] == 1.0 => body.copy_from_slice(&at[..body.len()]),
        (1, 1, 1) => regular_n::<1, 1, 1>(pattern, at, body),
        (2, 1, 1) => regular_n::<2, 1, 1>(pattern, at, body),
        (1, 2, 1) => regular_n::<1, 2, 1>(pattern, at, body),
        (2, 2, 1) => regular_n::<2, 2, 1>(pattern, at, body),
        (3, 2, 1) => regular_n::<3, 2, 1>(pattern, at, body),
        (2, 1, 2) => regular_n::<2, 1, 2>(pattern, at, body),
        (3, 1, 2) => halve_3(pattern, at, body),
        (4, 1, 2) => regular_n::<4, 1, 2>(pattern, at, body),
        _ => return false,
    }
    true
}

/// `Taps::apply_table`'s sums by number of taps.
#[inline(always)]
fn table_kernel(
    n: usize,
    starts: &[u32],
    weights: &[f32],
    src: &[f32],
    offset: usize,
    out: &mut [f32],
) {
    match n {
        1 => apply_n::<1>(starts, weights, src, offset, out),
        2 => apply_n::<2>(starts, weights, src, offset, out),
        3 => apply_n::<3>(starts, weights, src, offset, out),
        4 => apply_n::<4>(starts, weights, src, offset, out),
        5 => apply_n::<5>(starts, weights, src, offset, out),
        6 => apply_n::<6>(starts, weights, src, offset, out),
        7 => apply_n::<7>(starts, weights, src, offset, out),
        8 => apply_n::<8>(starts, weights, src, offset, out),
        n => {
            for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(n)) {
                let s = &src[s as usize - offset..][..n];
                *o = s.iter().zip(w).map(|(a, b)| a * b).sum();
            }
        }
    }
}

/// `apply` with a fixed number of taps, so that the sums unroll.
#[inline(always)]
fn apply_n<const N: usize>(
    starts: &[u32],
    weights: &[f32],
    src: &[f32],
    offset: usize,
    out: &mut [f32],
) {
    for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(N)) {
        let s = &src[s as usize - offset..][..N];
        let mut acc = s[0] * w[0];
        for t in 1..N {
            acc += s[t] * w[t];
        }
        *o = acc;
    }
}

/// `apply_n` where output `k` starts at `(k / P) · A` and has the weights `pattern[k % P]` (as
/// `apply_n` sums them: first term assigned, the others added in order).
#[inline(always)]
fn regular_n<const N: usize, const P: usize, const A: usize>(
    pattern: &[f32],
    src: &[f32],
    out: &mut [f32],
) {
    let pattern: &[f32] = &pattern[..N * P];
    for (j, o) in out.chunks_exact_mut(P).enumerate() {
        let s = &src[j * A..j * A + N];
        for (p, o) in o.iter_mut().enumerate() {
            let w = &pattern[p * N..p * N + N];
            let mut acc = s[0] * w[0];
            for t in 1..N {
                acc += s[t] * w[t];
            }
            *o = acc;
        }
    }
}

/// `regular_n::<3, 1, 2>` (the 2:1 chroma kernels of a Y'CbCr output) written so that it
/// vectorises: the same products summed in the same order.
#[inline(always)]
fn halve_3(pattern: &[f32], src: &[f32], out: &mut [f32]) {
    let [w0, w1, w2] = [pattern[0], pattern[1], pattern[2]];
    let n = out.len();
    if n == 0 {
        return;
    }
    // Pairs (2j, 2j + 1) and (2j + 1, 2j + 2): no index to check in the loop.
    let (lo, hi) = (
        src[..2 * n].chunks_exact(2),
        src[1..2 * n + 1].chunks_exact(2),
    );
    for ((o, a), b) in out.iter_mut().zip(lo).zip(hi) {
        *o = a[0] * w0 + a[1] * w1 + b[1] * w2;
    }
}

/// `out[x] = Σ_t weights[t] · scale · rows[t][x]` over 8-bit rows (the first row's term
/// assigns, so `out` needs no clearing; zero weights after it are skipped).
#[inline]
pub(crate) fn combine_rows_u8<'r>(
    rows: impl Iterator<Item = &'r [u8]>,
    weights: &[f32],
    scale: f32,
    out: &mut [f32],
) {
    crate::simd::dispatch!(combine_rows(rows, weights, scale, out, |v: u8| v as f32));
}

/// `out[x] = Σ_t weights[t] · rows[t][x]` over float rows.
#[inline]
pub(crate) fn combine_rows_f32<'r>(
    rows: impl Iterator<Item = &'r [f32]>,
    weights: &[f32],
    out: &mut [f32],
) {
    // A scale of 1 leaves every weight as it is, bit for bit.
    crate::simd::dispatch!(combine_rows(rows, weights, 1.0, out, |v: f32| v));
}

#[inline(always)]
fn combine_rows<'r, T: Copy + 'r>(
    rows: impl Iterator<Item = &'r [T]>,
    weights: &[f32],
    scale: f32,
    out: &mut [f32],
    value: impl Fn(T) -> f32,
) {
    let mut first = true;
    for (row, &w) in rows.zip(weights) {
        let w = w * scale;
        if first {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = value(v) * w;
            }
            first = false;
        } else if w != 0.0 {
            for (o, &v) in out.iter_mut().zip(row) {
                *o += value(v) * w;
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
    fn upsample_matches_the_table() {
        let line = [1.0, 5.0, 2.0, 8.0, 3.0];
        for (f, x0) in [(6.0, 0usize), (3.0, 7), (2.5, 1), (4.0, 0), (2.0, 3)] {
            let mut t = Taps::default();
            t.build(40, 5, |i, push| push(((x0 + i) as f64 + 0.5) / f, 1.0));
            let mut want = [0.0; 40];
            t.apply(&line, 0, 0, &mut want);
            let mut got = [0.0; 40];
            let up = Upsampler::new(x0 + 40, 5, 0.5 / f - 0.5, 1.0 / f);
            up.apply(&line, x0, &mut got);
            // Pieces give the same as the whole.
            let mut pieces = [0.0; 40];
            up.apply(&line, x0, &mut pieces[..13]);
            up.apply(&line, x0 + 13, &mut pieces[13..]);
            assert_eq!(got, pieces);
            for (a, b) in want.iter().zip(&got) {
                assert!((a - b).abs() < 1e-5, "{f}: {want:?} {got:?}");
            }
        }
    }

    #[test]
    fn bilinear_points_and_clamping() {
        let mut t = Taps::default();
        // Output i samples at i * 0.5 + 0.25 over 4 texels.
        t.build(9, 4, |i, push| push(i as f64 * 0.5 + 0.25, 1.0));
        let src = [10.0, 20.0, 30.0, 40.0];
        let mut out = [0.0; 9];
        t.apply(&src, 0, 0, &mut out);
        // 0.25 is left of the first centre: clamped to texel 0; 4.25 right of the last.
        assert_eq!(out[0], 10.0);
        assert!((out[1] - 12.5).abs() < 1e-5);
        assert!((out[2] - 17.5).abs() < 1e-5);
        assert_eq!(out[8], 40.0);
        // On a texel centre: that texel alone.
        let mut one = Taps::default();
        one.build(1, 4, |_, push| push(2.5, 1.0));
        assert_eq!(one.get(0).1, &[1.0]);
        assert_eq!(one.get(0).0, 2);
    }

    #[test]
    fn regular_stretches_give_the_tables_bits() {
        let src: Vec<f32> = (0..300)
            .map(|i| ((i * 37 % 101) as f32 * 0.013).sin())
            .collect();
        // (outputs, source length, position of output i): an unscaled copy, a sub-pixel shift,
        // 2x upsampling cosited and centred, 1.5x, and a 1/2 reduction.
        type Case = (usize, usize, fn(usize) -> f64);
        let cases: [Case; 7] = [
            (200, 300, |i| i as f64 + 40.5),
            (200, 300, |i| i as f64 + 40.8),
            (250, 130, |i| i as f64 * 0.5 + 0.5),
            (250, 130, |i| (i as f64 + 0.5) * 0.5),
            (250, 200, |i| (i as f64 + 0.5) / 1.5),
            (140, 300, |i| (i as f64 + 0.5) * 2.0),
            (140, 300, |i| i as f64 * 2.0 + 0.75),
        ];
        for (k, (count, len, at)) in cases.into_iter().enumerate() {
            let mut t = Taps::default();
            t.build(count, len, |i, push| push(at(i), 1.0));
            if k < 4 || k == 5 {
                assert!(t.regular().is_some(), "case {k}: no regular stretch");
            }
            for (first, n) in [
                (0, count),
                (3, count - 3),
                (7, 101),
                (count - 20, 20),
                (1, 1),
            ] {
                let mut fast = vec![0.0; n];
                let mut slow = vec![0.0; n];
                t.apply(&src, 0, first, &mut fast);
                t.apply_table(&src, 0, first, &mut slow);
                assert_eq!(
                    fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    slow.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "case {k}, outputs {first}..+{n}"
                );
            }
        }
    }

    /// The kernels compiled for AVX2 (`simd::dispatch`, where the CPU has it) give the
    /// baseline's bits: rows combined, tables and regular stretches applied.
    #[test]
    fn wide_kernels_give_the_same_bits() {
        let src: Vec<f32> = (0..700)
            .map(|i| ((i * 37 % 101) as f32 * 0.0123).sin())
            .collect();
        let bytes: Vec<u8> = (0..700).map(|i| (i * 53 % 251) as u8).collect();
        // Rows combined: through the dispatch against the kernel compiled here.
        let rows = [&bytes[..300], &bytes[300..600]];
        let (mut wide, mut base) = (vec![0.0; 300], vec![0.0; 300]);
        combine_rows_u8(rows.into_iter(), &[0.25, 0.75], 1.0 / 255.0, &mut wide);
        combine_rows(
            rows.into_iter(),
            &[0.25, 0.75],
            1.0 / 255.0,
            &mut base,
            |v: u8| v as f32,
        );
        assert_eq!(wide, base);
        // Tables of 1 to 9 taps (downscales of every factor) and regular stretches.
        for (count, len) in [
            (300, 600),
            (200, 600),
            (150, 600),
            (120, 600),
            (80, 600),
            (66, 600),
            (500, 600),
            (300, 300),
            (600, 300),
        ] {
            let mut t = Taps::default();
            t.build_filtered(count, len, |i, push| {
                let x = (i as f64 + 0.5) * len as f64 / count as f64;
                push(x, len as f64 / count as f64, 1.0)
            });
            let mut wide = vec![0.0; count];
            t.apply(&src, 0, 0, &mut wide);
            let mut base = vec![0.0; count];
            table_kernel(t.n, &t.start, &t.weights, &src, 0, &mut base);
            assert_eq!(wide, base, "{count} from {len}");
        }
        // A one-tap table that is not regular (columns drawn from elsewhere): gathered
        // straight from the bytes, the same bits as the row converted, then the table applied.
        let mut t = Taps::default();
        t.build(200, 300, |i, push| {
            push(((i * i + 7) % 300) as f64 + 0.5, 1.0)
        });
        assert_eq!(t.n, 1);
        let (mut gathered, mut line, mut want) = (vec![0.0; 150], vec![0.0; 300], vec![0.0; 150]);
        assert!(t.gather_u8(&bytes[..600], (2, 1), 0.5 / 255.0, 20, &mut gathered));
        let odd: Vec<u8> = bytes[..600].iter().skip(1).step_by(2).copied().collect();
        combine_rows_u8([&odd[..]].into_iter(), &[0.5], 1.0 / 255.0, &mut line);
        t.apply(&line, 0, 20, &mut want);
        assert_eq!(gathered, want);
    }
}

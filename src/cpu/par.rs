//! Splitting one frame's work across threads: bands of rows, each computed from the frame's
//! inputs alone, so that the result does not depend on the split.

use std::ops::Range;
use std::time::Duration;

use crate::compose::{PixelFormat, PlaneMut};

/// Runs `f(first_row, rows)` over `data` cut into at most `threads` bands of whole rows of
/// `row_len` items (the first band on the calling thread).
pub(crate) fn par_rows<T: Send>(
    threads: usize,
    data: &mut [T],
    row_len: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    if row_len == 0 {
        return;
    }
    let rows = data.len() / row_len;
    par_bands(threads, rows, vec![(data, row_len)], |r, bands| {
        if let Some(band) = bands.first_mut() {
            f(r.start, band);
        }
    });
}

/// Runs `f(rows, bands)` on at most `threads` bands of `rows` rows, `bands` holding those rows
/// of every plane of `planes` (each with its items per row), the first band on the calling
/// thread.
pub(crate) fn par_bands<T: Send>(
    threads: usize,
    rows: usize,
    planes: Vec<(&mut [T], usize)>,
    f: impl Fn(Range<usize>, &mut [&mut [T]]) + Sync,
) {
    let bands = bands(rows, threads);
    let mut parts: Vec<Vec<&mut [T]>> = bands.iter().map(|_| Vec::new()).collect();
    for (plane, row_len) in planes {
        let mut rest = plane;
        for (band, part) in bands.iter().zip(&mut parts) {
            let (head, tail) = rest.split_at_mut((band.len() * row_len).min(rest.len()));
            part.push(head);
            rest = tail;
        }
    }
    par_parts(bands.into_iter().zip(parts), |band, mut part| {
        f(band, &mut part)
    });
}

/// Runs `f(band, part)` on each band and the part of the work that goes with it, the first on
/// the calling thread, each other on a thread of its own.
pub(crate) fn par_parts<P: Send>(
    jobs: impl IntoIterator<Item = (Range<usize>, P)>,
    f: impl Fn(Range<usize>, P) + Sync,
) {
    let mut jobs = jobs.into_iter();
    let Some((first, first_part)) = jobs.next() else {
        return;
    };
    std::thread::scope(|scope| {
        let f = &f;
        for (band, part) in jobs {
            scope.spawn(move || f(band, part));
        }
        f(first, first_part);
    });
}

/// `n` units cut into at most `threads` contiguous bands.
pub(crate) fn bands(n: usize, threads: usize) -> Vec<Range<usize>> {
    let k = threads.clamp(1, n.max(1));
    let per = n.div_ceil(k).max(1);
    (0..n).step_by(per).map(|s| s..(s + per).min(n)).collect()
}

/// The output planes cut into the bands `bands` (in rows of plane 0 for packed formats, in
/// chroma rows for YUV).
pub(crate) fn split_output<'o>(
    planes: &'o mut [PlaneMut<'_>],
    format: PixelFormat,
    bands: &[Range<usize>],
) -> Vec<Vec<PlaneMut<'o>>> {
    let mut out: Vec<Vec<PlaneMut<'o>>> = bands.iter().map(|_| Vec::new()).collect();
    for (p, plane) in planes.iter_mut().enumerate() {
        // Plane rows per band unit: luma planes of YUV formats hold two per chroma row.
        let rows_per_unit = if format.is_yuv() && p == 0 { 2 } else { 1 };
        let stride = plane.stride;
        let mut rest: &'o mut [u8] = std::mem::take(&mut plane.data);
        for (i, band) in bands.iter().enumerate() {
            let bytes = if i + 1 == bands.len() {
                rest.len()
            } else {
                (band.len() * rows_per_unit * stride).min(rest.len())
            };
            let (head, tail) = rest.split_at_mut(bytes);
            out[i].push(PlaneMut { data: head, stride });
            rest = tail;
        }
    }
    out
}

/// Runs `f` on each band with its planes and scratch, one thread per band; returns the mean
/// time the bands spent converting.
pub(crate) fn run_bands<S: Send>(
    bands: &[Range<usize>],
    parts: Vec<Vec<PlaneMut<'_>>>,
    scratch: &mut [S],
    f: impl Fn(Range<usize>, &mut [PlaneMut<'_>], &mut S) -> Duration + Sync,
) -> Duration {
    if bands.len() <= 1 {
        let mut total = Duration::ZERO;
        for ((band, mut planes), s) in bands.iter().zip(parts).zip(scratch.iter_mut()) {
            total += f(band.clone(), &mut planes, s);
        }
        return total;
    }
    let times: Vec<Duration> = std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = bands
            .iter()
            .zip(parts)
            .zip(scratch.iter_mut())
            .map(|((band, mut planes), s)| {
                let band = band.clone();
                scope.spawn(move || f(band, &mut planes, s))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    times.iter().sum::<Duration>() / times.len().max(1) as u32
}

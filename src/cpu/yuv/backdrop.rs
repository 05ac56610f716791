//! The background of the YUV path: a colour, the checkerboard or a gradient (as an affine map of
//! a scalar field), or the reduced blurred copy of a layer widened to the output's columns.

use std::ops::Range;

use super::{premultiplied_yuv, sized, RowList};
use crate::compose::{Affine3, Background, YuvColorimetry, CHECKER_GREYS, CHECKER_SIZE};
use crate::cpu::convert::ChromaKernel;
use crate::cpu::reduced::Reduced;
use crate::cpu::sample::bilinear_pair;
use crate::effects::{gradient_line, premultiplied};

/// The background, luma and chroma rows.
#[derive(Debug)]
pub(super) enum YuvBackdrop<'a> {
    /// Y, U, V.
    Solid([f32; 3]),
    /// Each channel `base + slope · s` of a scalar field `s`: the checkerboard's grey or the
    /// gradient's position. A chroma sample takes the kernel's average of the field.
    Field {
        base: [f32; 3],
        slope: [f32; 3],
        field: Field,
    },
    /// The reduced blurred copy (`Reduced::widen`). A chroma sample takes the value at its
    /// kernel's centroid (`centroid`: luma pixels from 2i and 2j): the copy is smooth, so that
    /// equals the kernel's average of luma-resolution samples to well under a code.
    Reduced {
        reduced: &'a Reduced,
        centroid: [f64; 2],
    },
}

/// A scalar field over output pixels.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    Checker([f32; 2]),
    Gradient {
        dir: [f32; 2],
        len: f32,
        centre: [f32; 2],
    },
}

impl Field {
    fn row(&self, y: usize, x0: usize, out: &mut [f32]) {
        match *self {
            Field::Checker(greys) => {
                let cy = y / CHECKER_SIZE as usize;
                for (i, o) in out.iter_mut().enumerate() {
                    *o = greys[((x0 + i) / CHECKER_SIZE as usize + cy) & 1];
                }
            }
            Field::Gradient { dir, len, centre } => {
                let py = y as f32 + 0.5 - centre[1];
                for (i, o) in out.iter_mut().enumerate() {
                    let px = (x0 + i) as f32 + 0.5 - centre[0];
                    *o = ((px * dir[0] + py * dir[1]) / len + 0.5).clamp(0.0, 1.0);
                }
            }
        }
    }
}

/// The centroid offset of a chroma kernel: ½ (co-sited: 2i − 1, 2i, 2i + 1) or 1 (centred).
pub(crate) fn centroid(cosited: bool) -> f64 {
    if cosited {
        0.5
    } else {
        1.0
    }
}

/// Columns `cols` of row `ty` (texel-centre units) of widened plane `plane` of the reduced
/// copy: two widened rows interpolated.
fn wide_row(reduced: &Reduced, plane: usize, ty: f64, cols: Range<usize>, out: &mut [f32]) {
    let ([r0, r1], [w0, w1]) = bilinear_pair(ty, reduced.height);
    let n = reduced.wide_width[plane];
    let p = &reduced.wide[plane];
    let a = &p[r0 * n + cols.start..r0 * n + cols.end];
    let b = &p[r1 * n + cols.start..r1 * n + cols.end];
    for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
        *o = a * w0 + b * w1;
    }
}

impl<'a> YuvBackdrop<'a> {
    /// The plan of `bg` (which `eligible` accepted) for a `width` × `height` output with
    /// RGB → YUV transform `m`.
    pub(super) fn new(
        bg: &Background,
        reduced: &'a Reduced,
        m: &Affine3,
        c: &YuvColorimetry,
        width: usize,
        height: usize,
    ) -> Self {
        let yuv_of = |p: [f32; 4]| {
            let v = premultiplied_yuv(m, p);
            [v[0], v[1], v[2]]
        };
        match bg {
            Background::Solid(argb) => YuvBackdrop::Solid(yuv_of(premultiplied(*argb))),
            Background::Checker => {
                let base = yuv_of([0.0, 0.0, 0.0, 1.0]);
                let white = yuv_of([1.0; 4]);
                YuvBackdrop::Field {
                    base,
                    slope: std::array::from_fn(|i| white[i] - base[i]),
                    field: Field::Checker(CHECKER_GREYS.map(|g| g as f32 / 255.0)),
                }
            }
            Background::Gradient { from, to, angle } => {
                let ((dx, dy), len) = gradient_line(*angle, width as f64, height as f64);
                let (a, b) = (yuv_of(premultiplied(*from)), yuv_of(premultiplied(*to)));
                YuvBackdrop::Field {
                    base: a,
                    slope: std::array::from_fn(|i| b[i] - a[i]),
                    field: Field::Gradient {
                        dir: [dx as f32, dy as f32],
                        len: len as f32,
                        centre: [0.5 * width as f32, 0.5 * height as f32],
                    },
                }
            }
            // Images take the RGB path; the reduced copy serves the blurred background.
            Background::Image(_) | Background::Blurred { .. } => YuvBackdrop::Reduced {
                reduced,
                centroid: [centroid(c.chroma_cosited_h), centroid(c.chroma_cosited_v)],
            },
        }
    }

    /// Luma of row `y`, columns `cols`, into `out`.
    pub(super) fn luma(&self, y: usize, cols: Range<usize>, out: &mut [f32]) {
        match self {
            YuvBackdrop::Solid(c) => out.fill(c[0]),
            YuvBackdrop::Field { base, slope, field } => {
                field.row(y, cols.start, out);
                for o in out.iter_mut() {
                    *o = base[0] + slope[0] * *o;
                }
            }
            YuvBackdrop::Reduced { reduced, .. } => {
                let f = reduced.factor.max(1) as f64;
                wide_row(reduced, 0, (y as f64 + 0.5) / f, cols, out);
            }
        }
    }

    /// Chroma of chroma row `j`, columns `cols`, into `u` and `v`; `tmp` is scratch.
    pub(super) fn chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        tmp: &mut [Vec<f32>; 2],
        u: &mut [f32],
        v: &mut [f32],
    ) {
        match self {
            YuvBackdrop::Solid(c) => {
                u.fill(c[1]);
                v.fill(c[2]);
            }
            YuvBackdrop::Field { base, slope, field } => {
                // The kernel's average of the field, then the affine map.
                let span = kernel.x.span(cols.clone());
                let [line, acc] = tmp;
                let line = sized(line, span.len());
                let acc = sized(acc, span.len());
                acc.fill(0.0);
                let mut rows = RowList::default();
                for (y, w) in kernel.rows(j) {
                    rows.push(y, w);
                }
                for (&y, &w) in rows.rows()[..rows.n].iter().zip(rows.weights()) {
                    field.row(y, span.start, line);
                    for (a, v) in acc.iter_mut().zip(line.iter()) {
                        *a += w * v;
                    }
                }
                kernel.x.apply(acc, span.start, cols.start, u);
                for (u, v) in u.iter_mut().zip(v.iter_mut()) {
                    let t = *u;
                    *u = base[1] + slope[1] * t;
                    *v = base[2] + slope[2] * t;
                }
            }
            YuvBackdrop::Reduced { reduced, centroid } => {
                let f = reduced.factor.max(1) as f64;
                let ty = (2.0 * j as f64 + centroid[1]) / f;
                wide_row(reduced, 1, ty, cols.clone(), u);
                wide_row(reduced, 2, ty, cols, v);
            }
        }
    }
}

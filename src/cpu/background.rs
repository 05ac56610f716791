//! What lies under every layer on the RGB path, a row at a time: a colour, the checkerboard, a
//! linear gradient, an image covering the frame, or the blurred copy of a layer
//! (background.wgsl), the last prepared at reduced size (`Reduced`) and upsampled bilinearly.

use std::ops::Range;

use super::reduced::Reduced;
use super::sample::{sample_rgba, Pixels, RowAt, SampleScratch};
use super::taps::Taps;
use crate::compose::{Background, CHECKER_GREYS, CHECKER_SIZE};
use crate::effects::{cover, gradient_line, premultiplied};

/// The background of the RGB path, per row.
#[derive(Debug)]
pub(crate) enum Backdrop<'a> {
    Solid([f32; 4]),
    Checker([f32; 2]),
    Gradient {
        from: [f32; 4],
        to: [f32; 4],
        dir: [f32; 2],
        len: f32,
        centre: [f32; 2],
    },
    /// An image (straight RGBA) or the reduced blurred copy (premultiplied float).
    Picture(Box<Picture<'a>>),
}

/// A picture sampled with each output pixel's footprint (area-averaged when the picture is
/// larger than the frame): columns through `xtaps`, row y at (y + ½ − origin) · scale.
#[derive(Debug)]
pub(crate) struct Picture<'a> {
    pixels: Pixels<'a>,
    width: usize,
    height: usize,
    xtaps: Taps,
    origin: f64,
    scale: f64,
}

impl<'a> Backdrop<'a> {
    /// The plan for `bg` on a `width` × `height` output; `reduced` holds the blurred copy
    /// prepared for it.
    pub(crate) fn new(
        bg: &'a Background,
        reduced: &'a Reduced,
        width: usize,
        height: usize,
    ) -> Self {
        let (w, h) = (width as f64, height as f64);
        match bg {
            Background::Solid(argb) => Backdrop::Solid(premultiplied(*argb)),
            Background::Checker => Backdrop::Checker(CHECKER_GREYS.map(|g| g as f32 / 255.0)),
            Background::Gradient { from, to, angle } => {
                let ((dx, dy), len) = gradient_line(*angle, w, h);
                Backdrop::Gradient {
                    from: premultiplied(*from),
                    to: premultiplied(*to),
                    dir: [dx as f32, dy as f32],
                    len: len as f32,
                    centre: [0.5 * w as f32, 0.5 * h as f32],
                }
            }
            Background::Image(img) => {
                let (x, y, s) = cover(img.width as f64, img.height as f64, w, h);
                let mut xtaps = Taps::default();
                xtaps.build_filtered(width, img.width as usize, |i, push| {
                    push((i as f64 + 0.5 - x) / s, 1.0 / s, 1.0)
                });
                Backdrop::Picture(Box::new(Picture {
                    pixels: Pixels::Packed {
                        plane: crate::compose::Plane {
                            data: &img.data,
                            stride: img.width as usize * 4,
                        },
                        rgb: [0, 1, 2],
                        alpha: Some(3),
                    },
                    width: img.width as usize,
                    height: img.height as usize,
                    xtaps,
                    origin: y,
                    scale: 1.0 / s,
                }))
            }
            Background::Blurred { .. } => {
                let f = reduced.factor.max(1) as f64;
                let mut xtaps = Taps::default();
                xtaps.build(width, reduced.width, |i, push| {
                    push((i as f64 + 0.5) / f, 1.0)
                });
                Backdrop::Picture(Box::new(Picture {
                    pixels: Pixels::Float {
                        planes: &reduced.planes,
                    },
                    width: reduced.width,
                    height: reduced.height,
                    xtaps,
                    origin: 0.0,
                    scale: 1.0 / f,
                }))
            }
        }
    }

    /// Premultiplied RGBA of row `y`, columns `cols`, into `out` (indexed from `cols.start`).
    pub(crate) fn row(
        &self,
        y: usize,
        cols: Range<usize>,
        scratch: &mut SampleScratch,
        out: [&mut [f32]; 4],
    ) {
        let n = cols.len();
        let [r, g, b, a] = out;
        let (r, g, b, a) = (&mut r[..n], &mut g[..n], &mut b[..n], &mut a[..n]);
        match self {
            Backdrop::Solid(c) => {
                r.fill(c[0]);
                g.fill(c[1]);
                b.fill(c[2]);
                a.fill(c[3]);
            }
            Backdrop::Checker(greys) => {
                let cell_y = y / CHECKER_SIZE as usize;
                for (i, x) in cols.enumerate() {
                    let odd = (x / CHECKER_SIZE as usize + cell_y) & 1;
                    let v = greys[odd];
                    r[i] = v;
                    g[i] = v;
                    b[i] = v;
                    a[i] = 1.0;
                }
            }
            Backdrop::Gradient {
                from,
                to,
                dir,
                len,
                centre,
            } => {
                let py = y as f32 + 0.5 - centre[1];
                for (i, x) in cols.enumerate() {
                    let px = x as f32 + 0.5 - centre[0];
                    let t = ((px * dir[0] + py * dir[1]) / len + 0.5).clamp(0.0, 1.0);
                    r[i] = from[0] * (1.0 - t) + to[0] * t;
                    g[i] = from[1] * (1.0 - t) + to[1] * t;
                    b[i] = from[2] * (1.0 - t) + to[2] * t;
                    a[i] = from[3] * (1.0 - t) + to[3] * t;
                }
            }
            Backdrop::Picture(p) => {
                let ty = RowAt::new((y as f64 + 0.5 - p.origin) * p.scale, p.scale);
                sample_rgba(
                    &p.pixels,
                    p.width,
                    p.height,
                    &p.xtaps,
                    &p.xtaps,
                    ty,
                    cols.start,
                    scratch,
                    [r, g, b, a],
                );
            }
        }
    }
}

//! The blurred background's copy of a layer, prepared once per frame at reduced size
//! (fs_downsample, then blur.wgsl): the source covering the frame reduced by a box of
//! taps × taps bilinear samples per texel, then a gaussian at the reduced σ. The YUV path also
//! widens every reduced row to the output's columns, so that a background row is one
//! interpolation between two such rows.

use std::ops::Range;

use super::blur::Gaussian;
use super::par_bands;
use super::sample::{yuv_rows_to_rgb, Pixels};
use super::taps::{Taps, Upsampler};
use crate::effects::{blur_reduction, cover, reduced_sigma};

/// The blurred copy of a layer at reduced size: planes of `width` × `height` floats,
/// premultiplied RGBA (the RGB path), or widened Y'CbCr rows (the YUV path).
#[derive(Debug, Default)]
pub(crate) struct Reduced {
    pub(crate) width: usize,
    pub(crate) height: usize,
    /// Output pixels per reduced texel.
    pub(crate) factor: u32,
    /// The RGB path's copy.
    pub(crate) planes: [Vec<f32>; 4],
    /// The YUV path's copy widened to output columns: luma rows of the output's width, then
    /// the two chroma planes' rows of the chroma width.
    pub(crate) wide: [Vec<f32>; 3],
    pub(crate) wide_width: [usize; 3],
    /// Rows after the reduction and the horizontal blur.
    across: [Vec<f32>; 4],
}

/// What one channel of a reduction reads.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// A byte plane, every `step` bytes from `offset`.
    Bytes {
        data: &'a [u8],
        stride: usize,
        offset: usize,
        step: usize,
    },
    /// Channel `channel` of packed RGBA, premultiplied by alpha byte `alpha` (`None`: opaque;
    /// `channel` = `alpha`: the alpha itself).
    Packed {
        data: &'a [u8],
        stride: usize,
        channel: usize,
        alpha: Option<usize>,
    },
    /// Opaque: every value 1.
    One,
}

impl Source<'_> {
    /// Adds row `y`'s columns `cols` (as 0..1) times `w` into `acc`.
    fn add(&self, y: usize, cols: Range<usize>, w: f32, acc: &mut [f32]) {
        let w = w * (1.0 / 255.0);
        match *self {
            Source::Bytes {
                data,
                stride,
                offset,
                step,
            } => {
                let row = &data[y * stride..];
                if step == 1 {
                    for (a, &v) in acc.iter_mut().zip(&row[cols]) {
                        *a += v as f32 * w;
                    }
                } else {
                    let bytes = &row[cols.start * step + offset..];
                    for (a, v) in acc.iter_mut().zip(bytes.iter().step_by(step)) {
                        *a += *v as f32 * w;
                    }
                }
            }
            Source::Packed {
                data,
                stride,
                channel,
                alpha,
            } => {
                // Premultiplied per texel before averaging.
                let row = &data[y * stride + cols.start * 4..];
                for (a, px) in acc.iter_mut().zip(row.chunks_exact(4)) {
                    let v = px[channel] as f32;
                    *a += match alpha {
                        Some(ai) if ai != channel => v * px[ai] as f32 * (1.0 / 255.0) * w,
                        _ => v * w,
                    };
                }
            }
            Source::One => {
                for a in acc.iter_mut() {
                    *a += w * 255.0;
                }
            }
        }
    }
}

/// One channel to reduce: its source and its column and row tables.
struct Channel<'a> {
    source: Source<'a>,
    xt: &'a Taps,
    yt: &'a Taps,
}

impl Channel<'_> {
    /// Reduced row `j` into `out`; `acc` is scratch.
    fn row(&self, j: usize, acc: &mut Vec<f32>, out: &mut [f32]) {
        let span = self.xt.span(0..self.xt.len());
        acc.clear();
        acc.resize(span.len(), 0.0);
        let (start, w) = self.yt.get(j);
        for (t, &wt) in w.iter().enumerate() {
            if wt != 0.0 {
                self.source.add(start + t, span.clone(), wt, acc);
            }
        }
        self.xt.apply(acc, span.start, 0, out);
    }
}

impl Reduced {
    /// Prepares the blurred cover of `pix` (`sw` × `sh`) for an output of `width` × `height`
    /// blurred by `sigma`. With `yuv_centroid` (the YUV path: the chroma kernel's centroid
    /// offset) a Y'CbCr source stays Y'CbCr and is widened; otherwise the result is
    /// premultiplied RGBA. YUV is reduced before it is converted to RGB, so out-of-gamut
    /// source values are clamped after averaging rather than before.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn prepare(
        &mut self,
        pix: &Pixels<'_>,
        sw: usize,
        sh: usize,
        width: usize,
        height: usize,
        sigma: f64,
        yuv_centroid: Option<f64>,
        threads: usize,
    ) {
        let factor = blur_reduction(sigma);
        let f = factor as f64;
        let (lw, lh) = (
            width.div_ceil(factor as usize),
            height.div_ceil(factor as usize),
        );
        let (cx, cy, s) = cover(sw as f64, sh as f64, width as f64, height as f64);
        let taps = factor.min(4) as usize;
        // Reduced texel j averages taps × taps points at j·f + (i + ½)·f/taps (fs_downsample);
        // chroma samples them at half the position plus the siting bias.
        let table = |n: usize, len: usize, origin: f64, chroma: Option<f64>| {
            let mut t = Taps::default();
            t.build(n, len, |j, push| {
                for i in 0..taps {
                    let at = j as f64 * f + (i as f64 + 0.5) * f / taps as f64;
                    let p = (at - origin) / s;
                    push(chroma.map_or(p, |bias| p * 0.5 + bias), 1.0 / taps as f32);
                }
            });
            t
        };
        let (xt, yt) = (table(lw, sw, cx, None), table(lh, sh, cy, None));
        let (cxt, cyt);
        let mut channels: Vec<Channel<'_>> = Vec::with_capacity(4);
        let mut to_rgb = None;
        match pix {
            Pixels::Yuv {
                luma,
                u,
                v,
                matrix,
                bias,
            } => {
                channels.push(Channel {
                    source: Source::Bytes {
                        data: luma.data,
                        stride: luma.stride,
                        offset: 0,
                        step: 1,
                    },
                    xt: &xt,
                    yt: &yt,
                });
                cxt = table(lw, sw.div_ceil(2), cx, Some(bias[0]));
                cyt = table(lh, sh.div_ceil(2), cy, Some(bias[1]));
                for c in [u, v] {
                    channels.push(Channel {
                        source: Source::Bytes {
                            data: c.plane.data,
                            stride: c.plane.stride,
                            offset: c.offset,
                            step: c.step,
                        },
                        xt: &cxt,
                        yt: &cyt,
                    });
                }
                if yuv_centroid.is_none() {
                    to_rgb = Some(*matrix);
                    channels.push(Channel {
                        source: Source::One,
                        xt: &xt,
                        yt: &yt,
                    });
                }
            }
            Pixels::Packed { plane, rgb, alpha } => {
                for channel in [rgb[0], rgb[1], rgb[2]] {
                    channels.push(Channel {
                        source: Source::Packed {
                            data: plane.data,
                            stride: plane.stride,
                            channel,
                            alpha: *alpha,
                        },
                        xt: &xt,
                        yt: &yt,
                    });
                }
                channels.push(Channel {
                    source: match alpha {
                        Some(a) => Source::Packed {
                            data: plane.data,
                            stride: plane.stride,
                            channel: *a,
                            alpha: *alpha,
                        },
                        None => Source::One,
                    },
                    xt: &xt,
                    yt: &yt,
                });
            }
            Pixels::Float { .. } => {}
        }
        self.width = lw;
        self.height = lh;
        self.factor = factor;
        let n = channels.len();
        let low = Gaussian::new(reduced_sigma(sigma, factor));

        // Reduce and blur across, a band of rows per thread.
        for p in &mut self.across[..n] {
            p.resize(lw * lh, 0.0);
        }
        let parts = self.across[..n]
            .iter_mut()
            .map(|p| (&mut p[..], lw))
            .collect();
        par_bands(threads, lh, parts, |rows, bands| {
            let (mut acc, mut padded) = (Vec::new(), Vec::new());
            let mut line: Vec<Vec<f32>> = vec![vec![0.0; lw]; n];
            for (i, j) in rows.enumerate() {
                for (c, l) in channels.iter().zip(&mut line) {
                    c.row(j, &mut acc, l);
                }
                if let (Some(m), [r, g, b, ..]) = (&to_rgb, &mut line[..]) {
                    yuv_rows_to_rgb(m, r, g, b);
                }
                for (l, band) in line.iter().zip(bands.iter_mut()) {
                    low.across(l, &mut padded, &mut band[i * lw..(i + 1) * lw]);
                }
            }
        });

        // Blur down; the YUV path widens each finished row.
        let across = &self.across;
        if let Some(centroid) = yuv_centroid {
            let cw = width.div_ceil(2);
            let luma = Upsampler::new(width, lw, 0.5 / f - 0.5, 1.0 / f);
            let chroma = Upsampler::new(cw, lw, centroid / f - 0.5, 2.0 / f);
            self.wide_width = [width, cw, cw];
            for (w, &n) in self.wide.iter_mut().zip(&self.wide_width) {
                w.resize(n * lh, 0.0);
            }
            let parts = self
                .wide
                .iter_mut()
                .zip(self.wide_width)
                .map(|(w, n)| (&mut w[..], n))
                .collect();
            par_bands(threads, lh, parts, |rows, bands| {
                let mut line = vec![0.0; lw];
                for (i, j) in rows.enumerate() {
                    for (p, band) in bands.iter_mut().enumerate() {
                        low.down(&across[p], lw, lh, j, &mut line);
                        let (up, n) = if p == 0 {
                            (&luma, width)
                        } else {
                            (&chroma, cw)
                        };
                        up.apply(&line, 0, &mut band[i * n..(i + 1) * n]);
                    }
                }
            });
        } else {
            for p in &mut self.planes {
                p.resize(lw * lh, 0.0);
            }
            let parts = self.planes[..n]
                .iter_mut()
                .map(|p| (&mut p[..], lw))
                .collect();
            par_bands(threads, lh, parts, |rows, bands| {
                for (i, j) in rows.enumerate() {
                    for (p, band) in bands.iter_mut().enumerate() {
                        low.down(&across[p], lw, lh, j, &mut band[i * lw..(i + 1) * lw]);
                    }
                }
            });
        }
    }
}

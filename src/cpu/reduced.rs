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
use crate::compose::Affine3;
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

/// Where a reduction samples its source: reduced texel j averages `taps` points per axis at
/// j·f + (i + ½)·f/taps (fs_downsample), mapped into the source by the cover's origin and
/// scale `s`, each read through its footprint of f/taps output pixels.
struct Sampling {
    f: f64,
    s: f64,
    taps: usize,
}

impl Sampling {
    /// The table of `n` reduced texels over a source axis of `len` pixels from `origin`;
    /// chroma samples at half the position plus the siting bias.
    fn table(&self, n: usize, len: usize, origin: f64, chroma: Option<f64>) -> Taps {
        let (f, s, taps) = (self.f, self.s, self.taps);
        // Each point stands for f / taps output pixels: its footprint in the source, so that
        // a source larger than the frame is area-averaged rather than point-sampled.
        let width = f / taps as f64 / s;
        let width = if chroma.is_some() { width * 0.5 } else { width };
        let mut t = Taps::default();
        t.build_filtered(n, len, |j, push| {
            for i in 0..taps {
                let at = j as f64 * f + (i as f64 + 0.5) * f / taps as f64;
                let p = (at - origin) / s;
                push(
                    chroma.map_or(p, |bias| p * 0.5 + bias),
                    width,
                    1.0 / taps as f32,
                );
            }
        });
        t
    }
}

/// The channels to reduce from `pix`, reading luma/RGBA through `full` and chroma through
/// `half` (present for a Y'CbCr source), and the matrix converting them to RGB when `to_rgb`
/// (then an opaque alpha channel follows Y'CbCr).
fn channels<'a>(
    pix: &Pixels<'a>,
    full: (&'a Taps, &'a Taps),
    half: Option<&'a (Taps, Taps)>,
    to_rgb: bool,
) -> (Vec<Channel<'a>>, Option<Affine3>) {
    let (xt, yt) = full;
    let mut channels: Vec<Channel<'_>> = Vec::with_capacity(4);
    let mut matrix_out = None;
    match pix {
        Pixels::Yuv {
            luma, u, v, matrix, ..
        } => {
            channels.push(Channel {
                source: Source::Bytes {
                    data: luma.data,
                    stride: luma.stride,
                    offset: 0,
                    step: 1,
                },
                xt,
                yt,
            });
            let (cxt, cyt) = half.expect("chroma tables for a Y'CbCr source");
            for c in [u, v] {
                channels.push(Channel {
                    source: Source::Bytes {
                        data: c.plane.data,
                        stride: c.plane.stride,
                        offset: c.offset,
                        step: c.step,
                    },
                    xt: cxt,
                    yt: cyt,
                });
            }
            if to_rgb {
                matrix_out = Some(*matrix);
                channels.push(Channel {
                    source: Source::One,
                    xt,
                    yt,
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
                    xt,
                    yt,
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
                xt,
                yt,
            });
        }
        Pixels::Float { .. } => {}
    }
    (channels, matrix_out)
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
        let sampling = Sampling {
            f,
            s,
            taps: factor.min(4) as usize,
        };
        let xt = sampling.table(lw, sw, cx, None);
        let yt = sampling.table(lh, sh, cy, None);
        let half = match pix {
            Pixels::Yuv { bias, .. } => Some((
                sampling.table(lw, sw.div_ceil(2), cx, Some(bias[0])),
                sampling.table(lh, sh.div_ceil(2), cy, Some(bias[1])),
            )),
            _ => None,
        };
        let (channels, to_rgb) = channels(pix, (&xt, &yt), half.as_ref(), yuv_centroid.is_none());
        self.width = lw;
        self.height = lh;
        self.factor = factor;
        let low = Gaussian::new(reduced_sigma(sigma, factor));
        self.reduce_across(&channels, to_rgb.as_ref(), &low, threads);
        if let Some(centroid) = yuv_centroid {
            self.blur_down_widened(&low, width, centroid, threads);
        } else {
            self.blur_down(&low, channels.len(), threads);
        }
    }

    /// Reduces every channel into `across` and blurs it across, a band of rows per thread;
    /// with `to_rgb` the Y'CbCr rows are converted to RGB first.
    fn reduce_across(
        &mut self,
        channels: &[Channel<'_>],
        to_rgb: Option<&Affine3>,
        low: &Gaussian,
        threads: usize,
    ) {
        let (lw, lh, n) = (self.width, self.height, channels.len());
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
                if let (Some(m), [r, g, b, ..]) = (to_rgb, &mut line[..]) {
                    yuv_rows_to_rgb(m, r, g, b);
                }
                for (l, band) in line.iter().zip(bands.iter_mut()) {
                    low.across(l, &mut padded, &mut band[i * lw..(i + 1) * lw]);
                }
            }
        });
    }

    /// The YUV path: blurs the three Y'CbCr planes down and widens each finished row to the
    /// output's columns (`width` for luma, half for chroma, whose kernel centroid is
    /// `centroid`).
    fn blur_down_widened(&mut self, low: &Gaussian, width: usize, centroid: f64, threads: usize) {
        let (lw, lh) = (self.width, self.height);
        let f = self.factor as f64;
        let across = &self.across;
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
    }

    /// The RGB path: blurs the `n` reduced planes down into `planes`.
    fn blur_down(&mut self, low: &Gaussian, n: usize, threads: usize) {
        let (lw, lh) = (self.width, self.height);
        let across = &self.across;
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

//! Reading a layer's pixels: the input formats as planes, and sampling of a whole row of output
//! pixels at once (rows of the source combined first, then columns gathered through a `Taps`
//! table), into premultiplied RGBA or, for the YUV path, into the source's own Y'CbCr. Both
//! steps filter with the output pixel's footprint (`resample`): bilinear when magnifying, the
//! area average when minifying.

use super::resample::Rows;
use super::taps::{combine_rows_f32, combine_rows_u8, Taps};
use crate::compose::{Affine3, LayerSource, PixelFormat, Plane};

/// One chroma channel: a plane read every `step` bytes from byte `offset` (NV12 interleaves U
/// and V in one plane).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Channel<'a> {
    pub(crate) plane: Plane<'a>,
    pub(crate) offset: usize,
    pub(crate) step: usize,
}

/// A layer's pixels as the renderer reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pixels<'a> {
    /// Packed 8-bit RGB: byte offsets of R, G, B and of alpha (`None`: opaque).
    Packed {
        plane: Plane<'a>,
        rgb: [usize; 3],
        alpha: Option<usize>,
    },
    /// Y'CbCr 4:2:0 with the YUV → RGB transform and the chroma siting bias.
    Yuv {
        luma: Plane<'a>,
        u: Channel<'a>,
        v: Channel<'a>,
        matrix: Affine3,
        /// Chroma texel position = luma position · 0.5 + bias.
        bias: [f64; 2],
    },
    /// Premultiplied float RGBA, one plane per channel, rows packed (a blurred copy).
    Float { planes: &'a [Vec<f32>; 4] },
}

/// Chroma siting bias: sample j sits at luma position 2j + 0.5 (cosited) or 2j + 1 (centred).
pub(crate) fn chroma_bias(cosited: bool) -> f64 {
    if cosited {
        0.25
    } else {
        0.0
    }
}

impl<'a> Pixels<'a> {
    /// The pixels of `layer`, whose planes a [`crate::compose::FramePlan`] has checked.
    pub(crate) fn of(layer: &LayerSource<'a>) -> Self {
        let f = layer.format;
        let c = &layer.colorimetry;
        let p = &layer.planes;
        match f {
            PixelFormat::Rgba => Pixels::Packed {
                plane: p[0],
                rgb: [0, 1, 2],
                alpha: Some(3),
            },
            PixelFormat::Bgra => Pixels::Packed {
                plane: p[0],
                rgb: [2, 1, 0],
                alpha: Some(3),
            },
            PixelFormat::Rgbx => Pixels::Packed {
                plane: p[0],
                rgb: [0, 1, 2],
                alpha: None,
            },
            PixelFormat::Bgrx => Pixels::Packed {
                plane: p[0],
                rgb: [2, 1, 0],
                alpha: None,
            },
            PixelFormat::I420 | PixelFormat::Nv12 => {
                let (u, v) = if f == PixelFormat::I420 {
                    (
                        Channel {
                            plane: p[1],
                            offset: 0,
                            step: 1,
                        },
                        Channel {
                            plane: p[2],
                            offset: 0,
                            step: 1,
                        },
                    )
                } else {
                    (
                        Channel {
                            plane: p[1],
                            offset: 0,
                            step: 2,
                        },
                        Channel {
                            plane: p[1],
                            offset: 1,
                            step: 2,
                        },
                    )
                };
                Pixels::Yuv {
                    luma: p[0],
                    u,
                    v,
                    matrix: c.yuv_to_rgb(),
                    bias: [
                        chroma_bias(c.chroma_cosited_h),
                        chroma_bias(c.chroma_cosited_v),
                    ],
                }
            }
        }
    }
}

/// The two rows (clamped) and weights of a bilinear sample at `pos` (texel units) over `len`.
pub(crate) fn bilinear_pair(pos: f64, len: usize) -> ([usize; 2], [f32; 2]) {
    let f = pos - 0.5;
    let base = f.floor();
    let w = (f - base) as f32;
    let last = len as i64 - 1;
    let i0 = if base.is_finite() { base as i64 } else { 0 };
    (
        [i0.clamp(0, last) as usize, (i0 + 1).clamp(0, last) as usize],
        [1.0 - w, w],
    )
}

/// Where one output row reads a source: the centre's row position (texel units, centres at
/// `k + 0.5`) and the footprint's height in source rows (bilinear up to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowAt {
    pub(crate) pos: f64,
    pub(crate) height: f64,
}

impl RowAt {
    /// The row at `pos` with a footprint `height` rows tall.
    pub(crate) fn new(pos: f64, height: f64) -> Self {
        RowAt { pos, height }
    }

    /// The same row in a chroma plane at half resolution with siting bias `bias`.
    pub(crate) fn chroma(self, bias: f64) -> Self {
        RowAt::new(self.pos * 0.5 + bias, self.height * 0.5)
    }

    /// The source rows over `len` and their weights.
    pub(crate) fn rows(self, len: usize) -> Rows {
        Rows::at(self.pos, self.height, len)
    }
}

fn row_of<'p>(p: &Plane<'p>, y: usize) -> &'p [u8] {
    &p.data[y * p.stride..]
}

/// Temporary rows of one sampling call, kept between calls.
#[derive(Debug, Default)]
pub(crate) struct SampleScratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

fn grow(v: &mut Vec<f32>, n: usize) -> &mut [f32] {
    if v.len() < n {
        v.resize(n, 0.0);
    }
    &mut v[..n]
}

/// `out[k]` for table outputs `first ..`: rows `rows` of `plane` (with `weights`) combined over
/// the columns the table reads, times `scale`, then gathered through `taps`. Byte rows are read
/// every `step` bytes from byte `offset` (interleaved channels).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_u8(
    taps: &Taps,
    plane: &Plane<'_>,
    rows: &[usize],
    weights: &[f32],
    step: usize,
    offset: usize,
    scale: f32,
    first: usize,
    tmp: &mut Vec<f32>,
    out: &mut [f32],
) {
    // One row through a one-tap table (columns drawn from elsewhere, unscaled): a gather.
    if let ([y], [w]) = (rows, weights) {
        if taps.gather_u8(row_of(plane, *y), (step, offset), w * scale, first, out) {
            return;
        }
    }
    let span = taps.span(first..first + out.len());
    let lo = span.start * step + offset;
    let n = (span.len() * step).saturating_sub(offset).max(1);
    let line = grow(tmp, n);
    let rows = rows.iter().map(|&y| &row_of(plane, y)[lo..lo + n]);
    combine_rows_u8(rows, weights, scale, line);
    if step == 1 {
        taps.apply(line, span.start, first, out);
    } else {
        taps.apply_strided(line, span.start, step, 0, first, out);
    }
}

/// Premultiplied RGBA of `pix` sampled at row `ty` and at the columns of `taps` (`chroma_taps`
/// for YUV chroma), for table outputs `first ..`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_rgba(
    pix: &Pixels<'_>,
    width: usize,
    height: usize,
    taps: &Taps,
    chroma_taps: &Taps,
    ty: RowAt,
    first: usize,
    scratch: &mut SampleScratch,
    out: [&mut [f32]; 4],
) {
    let n = out[0].len();
    let [r, g, b, a] = out;
    match pix {
        Pixels::Packed { plane, rgb, alpha } => {
            let at = ty.rows(height);
            let span = taps.span(first..first + n);
            let line = grow(&mut scratch.a, span.len() * 4);
            let lo = span.start * 4;
            let len = line.len();
            let rows = at.rows().iter().map(|&y| &row_of(plane, y)[lo..lo + len]);
            combine_rows_u8(rows, at.weights(), 1.0 / 255.0, line);
            taps.apply_strided(line, span.start, 4, rgb[0], first, r);
            taps.apply_strided(line, span.start, 4, rgb[1], first, g);
            taps.apply_strided(line, span.start, 4, rgb[2], first, b);
            match alpha {
                Some(ai) => {
                    taps.apply_strided(line, span.start, 4, *ai, first, a);
                    for (((r, g), b), a) in r
                        .iter_mut()
                        .zip(g.iter_mut())
                        .zip(b.iter_mut())
                        .zip(a.iter())
                    {
                        *r *= a;
                        *g *= a;
                        *b *= a;
                    }
                }
                None => a.fill(1.0),
            }
        }
        Pixels::Yuv {
            luma,
            u,
            v,
            matrix,
            bias,
        } => {
            let at = ty.rows(height);
            sample_u8(
                taps,
                luma,
                at.rows(),
                at.weights(),
                1,
                0,
                1.0 / 255.0,
                first,
                &mut scratch.a,
                r,
            );
            let ch = height.div_ceil(2);
            let at = ty.chroma(bias[1]).rows(ch);
            for (chan, out) in [(u, &mut *g), (v, &mut *b)] {
                sample_u8(
                    chroma_taps,
                    &chan.plane,
                    at.rows(),
                    at.weights(),
                    chan.step,
                    chan.offset,
                    1.0 / 255.0,
                    first,
                    &mut scratch.a,
                    out,
                );
            }
            yuv_rows_to_rgb(matrix, r, g, b);
            a.fill(1.0);
        }
        Pixels::Float { planes } => {
            let at = ty.rows(height);
            let span = taps.span(first..first + n);
            for (plane, out) in planes.iter().zip([r, g, b, a]) {
                let line = grow(&mut scratch.b, span.len());
                let rows = at
                    .rows()
                    .iter()
                    .map(|&y| &plane[y * width + span.start..y * width + span.end]);
                combine_rows_f32(rows, at.weights(), line);
                taps.apply(line, span.start, first, out);
            }
        }
    }
}

/// Y'CbCr rows (in place in r, g, b) → clamped R'G'B'.
pub(crate) fn yuv_rows_to_rgb(m: &Affine3, r: &mut [f32], g: &mut [f32], b: &mut [f32]) {
    crate::simd::dispatch!(yuv_to_rgb(m, r, g, b));
}

#[inline(always)]
fn yuv_to_rgb(m: &Affine3, r: &mut [f32], g: &mut [f32], b: &mut [f32]) {
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let (y, u, v) = (*r, *g, *b);
        *r = (m[0][0] * y + m[0][1] * u + m[0][2] * v + m[0][3]).clamp(0.0, 1.0);
        *g = (m[1][0] * y + m[1][1] * u + m[1][2] * v + m[1][3]).clamp(0.0, 1.0);
        *b = (m[2][0] * y + m[2][1] * u + m[2][2] * v + m[2][3]).clamp(0.0, 1.0);
    }
}

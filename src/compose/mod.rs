//! What one output frame is made of, as plain data: layer geometry, operators, background and the
//! colour matrices. Pure: no GStreamer and no GPU types, so that every backend renders the same
//! parameters and the arithmetic can be tested directly.
//!
//! Conventions shared by every renderer:
//! - Positions are in output pixels, pixel `i` covering `[i, i + 1)`; its centre is `i + 0.5`.
//! - A layer covers the rectangle `dst` exactly: edge pixels are weighted by the fraction of
//!   their area inside it, so a layer at a fractional position moves smoothly.
//! - The source is sampled bilinearly (texel centres at `i + 0.5`, edges clamped) at the point of
//!   the crop window that maps to the output pixel's centre.
//! - Blending happens on premultiplied RGBA in floating point, Porter–Duff style:
//!   over `D' = S + D (1 − Sa)`, source `D' = S`, add `D' = S + D` (clamped once, at the output).
//!   Coverage `c` of an edge pixel weights the operator: `D' = c · op(S, D) + (1 − c) · D`.

mod plan;

use std::sync::Arc;
use std::time::Duration;

pub use plan::{DrawSample, FramePlan, LayerDraw, PlanError, RoundedBox};

use crate::effects::{premultiplied, CardStyle, LayerGeometry, RgbaImage, Zoom};

/// A pixel layout the compositor reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Planar 4:2:0 YUV: Y, U, V planes.
    I420,
    /// Semi-planar 4:2:0 YUV: Y plane, interleaved UV plane.
    Nv12,
    /// Packed RGBA, 8 bits each.
    Rgba,
    /// Packed BGRA, 8 bits each.
    Bgra,
    /// Packed RGB with an unused fourth byte.
    Rgbx,
    /// Packed BGR with an unused fourth byte.
    Bgrx,
}

impl PixelFormat {
    /// Whether the format is YUV (so needs a colour matrix).
    pub fn is_yuv(self) -> bool {
        matches!(self, PixelFormat::I420 | PixelFormat::Nv12)
    }

    /// Whether the format carries alpha.
    pub fn has_alpha(self) -> bool {
        matches!(self, PixelFormat::Rgba | PixelFormat::Bgra)
    }

    /// Size in pixels of plane `plane` for a `width` × `height` image, and bytes per pixel.
    pub fn plane_size(self, plane: usize, width: u32, height: u32) -> (u32, u32, u32) {
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        match (self, plane) {
            (PixelFormat::I420 | PixelFormat::Nv12, 0) => (width, height, 1),
            (PixelFormat::I420, _) => (cw, ch, 1),
            (PixelFormat::Nv12, _) => (cw, ch, 2),
            _ => (width, height, 4),
        }
    }

    /// Number of planes.
    pub fn n_planes(self) -> usize {
        match self {
            PixelFormat::I420 => 3,
            PixelFormat::Nv12 => 2,
            _ => 1,
        }
    }
}

/// Which YUV ↔ RGB matrix a stream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YuvMatrix {
    /// ITU-R BT.601 (SD).
    Bt601,
    /// ITU-R BT.709 (HD).
    Bt709,
    /// ITU-R BT.2020.
    Bt2020,
}

impl YuvMatrix {
    /// The luma weights (Kr, Kb).
    pub fn kr_kb(self) -> (f64, f64) {
        match self {
            YuvMatrix::Bt601 => (0.299, 0.114),
            YuvMatrix::Bt709 => (0.2126, 0.0722),
            YuvMatrix::Bt2020 => (0.2627, 0.0593),
        }
    }
}

/// The colour description of a YUV stream: matrix, range and chroma siting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct YuvColorimetry {
    /// The matrix.
    pub matrix: YuvMatrix,
    /// Full range (0–255) or limited (16–235 luma, 16–240 chroma).
    pub full_range: bool,
    /// Chroma samples sit on the even luma columns (MPEG-2) rather than between them (JPEG).
    pub chroma_cosited_h: bool,
    /// Chroma samples sit on the even luma rows rather than between them.
    pub chroma_cosited_v: bool,
}

impl Default for YuvColorimetry {
    fn default() -> Self {
        YuvColorimetry {
            matrix: YuvMatrix::Bt709,
            full_range: false,
            chroma_cosited_h: true,
            chroma_cosited_v: false,
        }
    }
}

/// An affine colour transform: `out[i] = Σ m[i][j] · in[j] + m[i][3]`, on values normalised to
/// 0..1 (8-bit code / 255). Rows are what the shaders receive.
pub type Affine3 = [[f32; 4]; 3];

impl YuvColorimetry {
    /// (offset, scale) of luma and chroma codes, in 8-bit code values.
    fn codes(&self) -> (f64, f64, f64) {
        if self.full_range {
            (0.0, 255.0, 255.0)
        } else {
            (16.0, 219.0, 224.0)
        }
    }

    /// Normalised Y'CbCr (as stored) → normalised R'G'B'.
    pub fn yuv_to_rgb(&self) -> Affine3 {
        let (kr, kb) = self.matrix.kr_kb();
        let kg = 1.0 - kr - kb;
        let (yoff, yscale, cscale) = self.codes();
        // Y' = (255 y − yoff) / yscale; Pb = (255 u − 128) / cscale; same for Pr.
        let ym = 255.0 / yscale;
        let cm = 255.0 / cscale;
        let y0 = -yoff / yscale;
        let c0 = -128.0 / cscale;
        // R = Y' + 2(1 − Kr) Pr; B = Y' + 2(1 − Kb) Pb; G = (Y' − Kr R − Kb B) / Kg.
        let r_pr = 2.0 * (1.0 - kr);
        let b_pb = 2.0 * (1.0 - kb);
        let g_pb = -kb * b_pb / kg;
        let g_pr = -kr * r_pr / kg;
        let row = |pb: f64, pr: f64| -> [f32; 4] {
            [
                ym as f32,
                (pb * cm) as f32,
                (pr * cm) as f32,
                (y0 + pb * c0 + pr * c0) as f32,
            ]
        };
        [row(0.0, r_pr), row(g_pb, g_pr), row(b_pb, 0.0)]
    }

    /// Normalised R'G'B' → normalised Y'CbCr (as stored, before rounding).
    pub fn rgb_to_yuv(&self) -> Affine3 {
        let (kr, kb) = self.matrix.kr_kb();
        let kg = 1.0 - kr - kb;
        let (yoff, yscale, cscale) = self.codes();
        let ys = yscale / 255.0;
        let cs = cscale / 255.0;
        let pb = [-kr / (2.0 * (1.0 - kb)), -kg / (2.0 * (1.0 - kb)), 0.5];
        let pr = [0.5, -kg / (2.0 * (1.0 - kr)), -kb / (2.0 * (1.0 - kr))];
        let f = |v: f64| v as f32;
        [
            [f(kr * ys), f(kg * ys), f(kb * ys), f(yoff / 255.0)],
            [
                f(pb[0] * cs),
                f(pb[1] * cs),
                f(pb[2] * cs),
                f(128.0 / 255.0),
            ],
            [
                f(pr[0] * cs),
                f(pr[1] * cs),
                f(pr[2] * cs),
                f(128.0 / 255.0),
            ],
        ]
    }
}

/// How a layer is blended onto what lies below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Operator {
    /// Source over destination.
    #[default]
    Over,
    /// The source replaces the destination (alpha included).
    Source,
    /// Source and destination are summed (Porter–Duff "plus").
    Add,
}

/// What lies under every layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Background {
    /// One colour, 0xAARRGGBB, not premultiplied.
    Solid(u32),
    /// A checkerboard of 8 × 8 pixel squares, grey 0x66 and 0x99, opaque.
    Checker,
    /// A linear gradient between two colours (0xAARRGGBB) at an angle (degrees, CSS's meaning:
    /// 0 towards the top, 90 towards the right), interpolated premultiplied.
    Gradient {
        /// Colour at the start of the gradient line.
        from: u32,
        /// Colour at its end.
        to: u32,
        /// Direction in degrees.
        angle: f64,
    },
    /// An image scaled to cover the frame, centred.
    Image(Arc<RgbaImage>),
    /// A copy of one layer's whole source scaled to cover the frame and blurred.
    Blurred {
        /// Index of the layer in the frame's layer list.
        layer: usize,
        /// Gaussian standard deviation in output pixels.
        sigma: f64,
    },
}

/// Side of a checkerboard square, in output pixels.
pub const CHECKER_SIZE: u32 = 8;
/// The two greys of the checkerboard (8-bit codes): the square holding pixel (0, 0) first.
pub const CHECKER_GREYS: [u8; 2] = [0x66, 0x99];

impl Background {
    /// The premultiplied RGBA colour (0..1) of output pixel (x, y).
    /// `None` for backgrounds that depend on more than the position (images, blurred layers).
    pub fn premultiplied_at(&self, x: u32, y: u32) -> Option<[f32; 4]> {
        match *self {
            Background::Solid(argb) => Some(premultiplied(argb)),
            Background::Checker => {
                let odd = ((x / CHECKER_SIZE) + (y / CHECKER_SIZE)) % 2;
                let g = CHECKER_GREYS[odd as usize] as f32 / 255.0;
                Some([g, g, g, 1.0])
            }
            _ => None,
        }
    }
}

/// A rectangle in output pixels (floating point: sub-pixel placement).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// The part of the source a layer shows, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Crop {
    /// Pixels cut from the left.
    pub left: f64,
    /// Pixels cut from the right.
    pub right: f64,
    /// Pixels cut from the top.
    pub top: f64,
    /// Pixels cut from the bottom.
    pub bottom: f64,
}

impl Crop {
    /// The window left of the source, (x, y, w, h); `None` when nothing is left.
    pub fn window(&self, src_w: u32, src_h: u32) -> Option<(f64, f64, f64, f64)> {
        let w = src_w as f64 - self.left - self.right;
        let h = src_h as f64 - self.top - self.bottom;
        (w > 0.0 && h > 0.0).then_some((self.left, self.top, w, h))
    }
}

/// How a layer's size relates to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SizingPolicy {
    /// Stretch to the requested width and height.
    #[default]
    None,
    /// Fit inside the requested box keeping the source's display aspect ratio, centred.
    KeepAspectRatio,
}

/// Everything a renderer needs to place one input.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParams {
    /// Where the (cropped) source lands, in output pixels.
    pub dst: Rect,
    /// The source window shown.
    pub crop: Crop,
    /// Zoom inside the cropped window.
    pub zoom: Zoom,
    /// Opacity multiplier 0..1.
    pub alpha: f64,
    /// Blend operator.
    pub operator: Operator,
    /// Corners, border, shadow, content blur.
    pub card: CardStyle,
    /// Motion blur: the layer's geometry at earlier instants of the shutter interval, oldest
    /// first. The drawn layer is the average of these and of (`dst`, `crop`, `zoom`).
    pub motion: Vec<LayerGeometry>,
}

impl LayerParams {
    /// Plain placement: no zoom, no card effects, no motion blur.
    pub fn placed(dst: Rect, crop: Crop, alpha: f64, operator: Operator) -> Self {
        LayerParams {
            dst,
            crop,
            zoom: Zoom::default(),
            alpha,
            operator,
            card: CardStyle::default(),
            motion: Vec::new(),
        }
    }

    /// The geometry at the frame's own instant.
    pub fn geometry(&self) -> LayerGeometry {
        LayerGeometry {
            dst: self.dst,
            crop: self.crop,
            zoom: self.zoom,
        }
    }

    /// Every motion sample, the frame's own instant last.
    pub fn samples(&self) -> impl Iterator<Item = LayerGeometry> + '_ {
        self.motion
            .iter()
            .copied()
            .chain(std::iter::once(self.geometry()))
    }

    /// The union of every sample's card and shadow: x0, y0, x1, y1 in output pixels.
    pub fn bounds(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for g in self.samples() {
            let e = self.card.extent(&g.dst);
            b = [
                b[0].min(e.x),
                b[1].min(e.y),
                b[2].max(e.x + e.w),
                b[3].max(e.y + e.h),
            ];
        }
        b
    }
}

/// Most motion samples one layer draw averages (the wgpu backend's uniform array holds this many).
pub const MAX_MOTION_SAMPLES: usize = 16;

/// The motion samples a backend draws, from every sample's drawing data: one when they are all
/// equal (a still layer draws once), else thinned evenly to at most `max`. Every backend uses
/// this, so that they average the same instants.
pub fn thin_samples<T: PartialEq>(mut all: Vec<T>, max: usize) -> Vec<T> {
    if all.windows(2).all(|w| w[0] == w[1]) {
        all.truncate(1);
        return all;
    }
    if all.len() <= max || max < 2 {
        all.truncate(max.max(1));
        return all;
    }
    let last = (all.len() - 1) as f64;
    let keep: Vec<usize> = (0..max)
        .map(|i| (i as f64 * last / (max - 1) as f64).round() as usize)
        .collect();
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, v)| v)
        .collect()
}

/// A layer's requested placement, as the pad properties give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Left edge in output pixels.
    pub xpos: f64,
    /// Top edge in output pixels.
    pub ypos: f64,
    /// Width in output pixels; 0 = the cropped source width (unless `literal_size`).
    pub width: f64,
    /// Height in output pixels; 0 = the cropped source height (unless `literal_size`).
    pub height: f64,
    /// Stretch or keep the aspect ratio.
    pub sizing: SizingPolicy,
    /// Whether width and height (each) are taken as they are, 0 meaning an empty layer: for
    /// animated sizes, which must shrink to nothing rather than jump back to the source size.
    pub literal_size: (bool, bool),
}

impl Placement {
    /// The output rectangle of a source of `src_w` × `src_h` pixels (pixel aspect `par`)
    /// showing `crop`. `None` when the crop leaves nothing or the size is zero.
    pub fn resolve(&self, src_w: u32, src_h: u32, par: f64, crop: &Crop) -> Option<Rect> {
        let (_, _, cw, ch) = crop.window(src_w, src_h)?;
        let w = if self.width > 0.0 || self.literal_size.0 {
            self.width
        } else {
            cw
        };
        let h = if self.height > 0.0 || self.literal_size.1 {
            self.height
        } else {
            ch
        };
        if w <= 0.0 || h <= 0.0 {
            return None;
        }
        let rect = match self.sizing {
            SizingPolicy::None => Rect {
                x: self.xpos,
                y: self.ypos,
                w,
                h,
            },
            SizingPolicy::KeepAspectRatio => {
                let src_aspect = cw * par / ch;
                let (fw, fh) = if w / h > src_aspect {
                    (h * src_aspect, h)
                } else {
                    (w, w / src_aspect)
                };
                Rect {
                    x: self.xpos + (w - fw) / 2.0,
                    y: self.ypos + (h - fh) / 2.0,
                    w: fw,
                    h: fh,
                }
            }
        };
        Some(rect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn motion_samples_thin_evenly_and_a_still_layer_draws_once() {
        assert_eq!(thin_samples(vec![3; 8], 16), vec![3]);
        assert_eq!(thin_samples(vec![1, 2, 3], 16), vec![1, 2, 3]);
        let thinned = thin_samples((0..31).collect(), 16);
        assert_eq!(thinned.len(), 16);
        assert_eq!((thinned[0], thinned[15]), (0, 30));
        assert!(thinned.windows(2).all(|w| w[1] - w[0] == 2));
    }

    fn apply(m: &Affine3, v: [f64; 3]) -> [f64; 3] {
        let mut out = [0.0; 3];
        for (o, row) in out.iter_mut().zip(m) {
            *o = row[0] as f64 * v[0] + row[1] as f64 * v[1] + row[2] as f64 * v[2] + row[3] as f64;
        }
        out
    }

    #[test]
    fn yuv_matrices_invert_each_other() {
        for matrix in [YuvMatrix::Bt601, YuvMatrix::Bt709, YuvMatrix::Bt2020] {
            for full_range in [false, true] {
                let c = YuvColorimetry {
                    matrix,
                    full_range,
                    ..Default::default()
                };
                for rgb in [
                    [0.0, 0.0, 0.0],
                    [1.0, 1.0, 1.0],
                    [0.2, 0.7, 0.4],
                    [1.0, 0.0, 0.5],
                ] {
                    let back = apply(&c.yuv_to_rgb(), apply(&c.rgb_to_yuv(), rgb));
                    for i in 0..3 {
                        assert!((back[i] - rgb[i]).abs() < 1e-5, "{c:?} {rgb:?} -> {back:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn limited_range_codes() {
        let c = YuvColorimetry {
            matrix: YuvMatrix::Bt601,
            full_range: false,
            ..Default::default()
        };
        let white = apply(&c.rgb_to_yuv(), [1.0, 1.0, 1.0]);
        let black = apply(&c.rgb_to_yuv(), [0.0, 0.0, 0.0]);
        assert!((white[0] * 255.0 - 235.0).abs() < 1e-3);
        assert!((black[0] * 255.0 - 16.0).abs() < 1e-3);
        assert!((white[1] * 255.0 - 128.0).abs() < 1e-3);
        // Pure red has Cr at its maximum, 240.
        let red = apply(&c.rgb_to_yuv(), [1.0, 0.0, 0.0]);
        assert!((red[2] * 255.0 - 240.0).abs() < 1e-3);
    }

    #[test]
    fn background_colours() {
        assert_eq!(
            Background::Solid(0xff00_ff00).premultiplied_at(3, 4),
            Some([0.0, 1.0, 0.0, 1.0])
        );
        let half = Background::Solid(0x80ff_ffff)
            .premultiplied_at(0, 0)
            .unwrap();
        assert!((half[0] - half[3]).abs() < 1e-6 && (half[3] - 128.0 / 255.0).abs() < 1e-6);
        let grey = |x, y| Background::Checker.premultiplied_at(x, y).unwrap()[0];
        assert_ne!(grey(0, 0), grey(8, 0));
        assert_eq!(grey(0, 0), grey(8, 8));
    }

    #[test]
    fn keep_aspect_ratio_fits_and_centres() {
        let p = Placement {
            xpos: 10.0,
            ypos: 0.0,
            width: 100.0,
            height: 100.0,
            sizing: SizingPolicy::KeepAspectRatio,
            literal_size: (false, false),
        };
        let r = p.resolve(64, 32, 1.0, &Crop::default()).unwrap();
        assert_eq!(
            r,
            Rect {
                x: 10.0,
                y: 25.0,
                w: 100.0,
                h: 50.0
            }
        );
        let stretched = Placement {
            sizing: SizingPolicy::None,
            ..p
        };
        assert_eq!(
            stretched.resolve(64, 32, 1.0, &Crop::default()).unwrap(),
            Rect {
                x: 10.0,
                y: 0.0,
                w: 100.0,
                h: 100.0
            }
        );
        // Zero size means the cropped source size.
        let natural = Placement {
            width: 0.0,
            height: 0.0,
            sizing: SizingPolicy::None,
            ..p
        };
        let crop = Crop {
            left: 4.0,
            right: 10.0,
            top: 2.0,
            bottom: 0.0,
        };
        assert_eq!(
            natural.resolve(64, 32, 1.0, &crop).unwrap(),
            Rect {
                x: 10.0,
                y: 0.0,
                w: 50.0,
                h: 30.0
            }
        );
        let all = Crop {
            left: 40.0,
            right: 30.0,
            ..Default::default()
        };
        assert!(natural.resolve(64, 32, 1.0, &all).is_none());
        // An animated size is literal: 0 is nothing, not the source size.
        let animated = Placement {
            literal_size: (true, false),
            ..natural
        };
        assert!(animated.resolve(64, 32, 1.0, &crop).is_none());
    }
}

/// One plane of an input image.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The bytes, from the first pixel of the first row.
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// One plane of the output image.
#[derive(Debug)]
pub struct PlaneMut<'a> {
    /// The bytes, from the first pixel of the first row.
    pub data: &'a mut [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// One input of a frame.
#[derive(Debug, Clone)]
pub struct LayerSource<'a> {
    /// Pixel layout of `planes`.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The planes, as many as the format has.
    pub planes: Vec<Plane<'a>>,
    /// How YUV values map to RGB (ignored for RGB formats).
    pub colorimetry: YuvColorimetry,
    /// Placement and blending.
    pub params: LayerParams,
}

/// Where a frame is written.
#[derive(Debug)]
pub struct OutputTarget<'a> {
    /// Pixel layout of `planes`.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The planes, as many as the format has.
    pub planes: Vec<PlaneMut<'a>>,
    /// How RGB maps to YUV (ignored for RGB formats).
    pub colorimetry: YuvColorimetry,
}

/// Where one frame's time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Getting the inputs ready: copying planes to the GPU (wgpu), or the blurs and the
    /// transition inputs (CPU).
    pub upload: Duration,
    /// Compositing: laying out, recording and submitting the passes (wgpu), or drawing (CPU).
    pub render: Duration,
    /// Writing the output planes: waiting for the GPU to finish the frame and map its readback
    /// buffer, and copying rows (wgpu), or the conversion to the output format (CPU).
    pub readback: Duration,
}

//! The CPU reference renderer: the compositing rules of `parallelcompositor` written as plainly as
//! possible, in f64, one output pixel at a time, sharing no code with the backends (the YUV
//! equations are written out from Kr and Kb here rather than taken from the crate's matrices).
//!
//! Rules (the crate's `compose` module documents the same):
//! - output pixel i covers [i, i+1); a layer's rectangle weights edge pixels by covered area;
//! - the source is sampled at the point of its crop window under the output pixel's centre
//!   (texel centres at i + 0.5, edges clamped), through the pixel's footprint: bilinearly along
//!   an axis where the footprint is at most one texel, else the area average over the footprint
//!   (texels constant over their square); YUV planes are sampled (chroma with half the
//!   footprint), then converted;
//! - premultiplied blending: over S + D(1 − Sa), source S, add S + D; coverage c gives
//!   c · op(S, D) + (1 − c) · D; the result is unpremultiplied, clamped and rounded.

#![allow(dead_code)]

pub mod effects;
pub mod transitions;

/// A source image in one of the input formats.
#[derive(Clone, Debug)]
pub struct Image {
    pub format: &'static str,
    pub width: usize,
    pub height: usize,
    /// Tightly packed planes.
    pub planes: Vec<Vec<u8>>,
    /// BT.601 or BT.709 (YUV only).
    pub bt709: bool,
    pub full_range: bool,
    /// Chroma on even luma columns (MPEG-2 siting) rather than between them.
    pub cosited_h: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Over,
    Source,
    Add,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub image: Image,
    /// x, y, w, h in output pixels.
    pub dst: (f64, f64, f64, f64),
    /// left, right, top, bottom in source pixels.
    pub crop: (f64, f64, f64, f64),
    pub alpha: f64,
    pub op: Op,
}

fn clamp01(v: f64) -> f64 {
    v.clamp(0.0, 1.0)
}

/// Bilinear sample of channel `c` of a `w` × `h` plane with `n` channels at (x, y) in texel
/// units, centres at i + 0.5, edges clamped.
fn bilinear(plane: &[u8], w: usize, h: usize, n: usize, c: usize, x: f64, y: f64) -> f64 {
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let tx = fx - x0;
    let ty = fy - y0;
    let at = |xi: f64, yi: f64| {
        let xi = (xi as i64).clamp(0, w as i64 - 1) as usize;
        let yi = (yi as i64).clamp(0, h as i64 - 1) as usize;
        plane[(yi * w + xi) * n + c] as f64 / 255.0
    };
    let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1.0, y0) * tx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - tx) + at(x0 + 1.0, y0 + 1.0) * tx;
    top * (1.0 - ty) + bottom * ty
}

/// The texels (clamped) and weights one output pixel centred at `pos` reads along an axis of
/// `len` texels when its footprint is `width` texels wide.
pub fn axis_weights(pos: f64, width: f64, len: usize) -> Vec<(usize, f64)> {
    let at = |k: f64| (k as i64).clamp(0, len as i64 - 1) as usize;
    if width <= 1.0 {
        let f = pos - 0.5;
        let k = f.floor();
        let t = f - k;
        return vec![(at(k), 1.0 - t), (at(k + 1.0), t)];
    }
    let (lo, hi) = (pos - width / 2.0, pos + width / 2.0);
    let mut out = Vec::new();
    let mut k = lo.floor();
    while k < hi {
        let overlap = hi.min(k + 1.0) - lo.max(k);
        if overlap > 0.0 {
            out.push((at(k), overlap / width));
        }
        k += 1.0;
    }
    out
}

/// Channel `c` of a `w` × `h` plane with `n` channels at (x, y) through a footprint of
/// `fx` × `fy` texels.
#[allow(clippy::too_many_arguments)]
fn filtered(
    plane: &[u8],
    (w, h, n, c): (usize, usize, usize, usize),
    x: f64,
    y: f64,
    fx: f64,
    fy: f64,
) -> f64 {
    if fx <= 1.0 && fy <= 1.0 {
        return bilinear(plane, w, h, n, c, x, y);
    }
    let mut sum = 0.0;
    for (yi, wy) in axis_weights(y, fy, h) {
        for (xi, wx) in axis_weights(x, fx, w) {
            sum += plane[(yi * w + xi) * n + c] as f64 / 255.0 * wx * wy;
        }
    }
    sum
}

/// Y'CbCr codes (0..1 of 255) → R'G'B' (0..1), written out from the standard's equations.
pub fn yuv_to_rgb(y: f64, u: f64, v: f64, bt709: bool, full_range: bool) -> [f64; 3] {
    let (kr, kb) = if bt709 {
        (0.2126, 0.0722)
    } else {
        (0.299, 0.114)
    };
    let kg = 1.0 - kr - kb;
    let (ey, pb, pr) = if full_range {
        (y, (u * 255.0 - 128.0) / 255.0, (v * 255.0 - 128.0) / 255.0)
    } else {
        (
            (y * 255.0 - 16.0) / 219.0,
            (u * 255.0 - 128.0) / 224.0,
            (v * 255.0 - 128.0) / 224.0,
        )
    };
    let r = ey + 2.0 * (1.0 - kr) * pr;
    let b = ey + 2.0 * (1.0 - kb) * pb;
    let g = (ey - kr * r - kb * b) / kg;
    [clamp01(r), clamp01(g), clamp01(b)]
}

/// Straight RGBA of `img` at source position (x, y) in pixels, unscaled.
fn sample(img: &Image, x: f64, y: f64) -> [f64; 4] {
    sample_filtered(img, x, y, 1.0, 1.0)
}

/// Straight RGBA of `img` at source position (x, y) in pixels through a footprint of
/// `fx` × `fy` source pixels.
pub fn sample_filtered(img: &Image, x: f64, y: f64, fx: f64, fy: f64) -> [f64; 4] {
    let (w, h) = (img.width, img.height);
    match img.format {
        "RGBA" | "BGRA" | "RGBx" | "BGRx" => {
            let p = &img.planes[0];
            let ch = |c| filtered(p, (w, h, 4, c), x, y, fx, fy);
            let (r, g, b, a) = match img.format {
                "RGBA" => (ch(0), ch(1), ch(2), ch(3)),
                "BGRA" => (ch(2), ch(1), ch(0), ch(3)),
                "RGBx" => (ch(0), ch(1), ch(2), 1.0),
                _ => (ch(2), ch(1), ch(0), 1.0),
            };
            [r, g, b, a]
        }
        "I420" | "NV12" => {
            let (cw, chh) = (w.div_ceil(2), h.div_ceil(2));
            // Chroma sample j sits at luma position 2j + 0.5 (cosited) or 2j + 1 (centred);
            // vertically always centred here (MPEG-2 and JPEG both are).
            let sx = if img.cosited_h { x - 0.5 } else { x - 1.0 };
            let cx = sx / 2.0 + 0.5;
            let cy = (y - 1.0) / 2.0 + 0.5;
            let luma = filtered(&img.planes[0], (w, h, 1, 0), x, y, fx, fy);
            let (hx, hy) = (fx / 2.0, fy / 2.0);
            let (u, v) = if img.format == "I420" {
                (
                    filtered(&img.planes[1], (cw, chh, 1, 0), cx, cy, hx, hy),
                    filtered(&img.planes[2], (cw, chh, 1, 0), cx, cy, hx, hy),
                )
            } else {
                (
                    filtered(&img.planes[1], (cw, chh, 2, 0), cx, cy, hx, hy),
                    filtered(&img.planes[1], (cw, chh, 2, 1), cx, cy, hx, hy),
                )
            };
            let [r, g, b] = yuv_to_rgb(luma, u, v, img.bt709, img.full_range);
            [r, g, b, 1.0]
        }
        other => panic!("reference: unknown format {other}"),
    }
}

/// Fraction of output pixel (px, py) inside the rectangle.
fn coverage(px: usize, py: usize, (x, y, w, h): (f64, f64, f64, f64)) -> f64 {
    let ox = ((px as f64 + 1.0).min(x + w) - (px as f64).max(x)).clamp(0.0, 1.0);
    let oy = ((py as f64 + 1.0).min(y + h) - (py as f64).max(y)).clamp(0.0, 1.0);
    ox * oy
}

/// Premultiplied background at (x, y): `Some(argb)` solid, `None` the 8 px 0x66/0x99 checker.
pub fn background(bg: Option<u32>, x: usize, y: usize) -> [f64; 4] {
    match bg {
        Some(argb) => {
            let a = ((argb >> 24) & 0xff) as f64 / 255.0;
            let c = |s: u32| ((argb >> s) & 0xff) as f64 / 255.0 * a;
            [c(16), c(8), c(0), a]
        }
        None => {
            let g = if ((x / 8) + (y / 8)).is_multiple_of(2) {
                0x66
            } else {
                0x99
            } as f64
                / 255.0;
            [g, g, g, 1.0]
        }
    }
}

/// Composites `layers` (bottom first) over `bg` into straight RGBA8 of `width` × `height`.
pub fn render_rgba(bg: Option<u32>, layers: &[Layer], width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0u8; width * height * 4];
    for py in 0..height {
        for px in 0..width {
            let mut d = background(bg, px, py);
            for l in layers {
                let c = coverage(px, py, l.dst);
                if c <= 0.0 {
                    continue;
                }
                let (cl, cr, ct, cb) = l.crop;
                let cw = l.image.width as f64 - cl - cr;
                let chh = l.image.height as f64 - ct - cb;
                let (x, y, w, h) = l.dst;
                let sx = cl + (px as f64 + 0.5 - x) * cw / w;
                let sy = ct + (py as f64 + 0.5 - y) * chh / h;
                let s = sample_filtered(&l.image, sx, sy, cw / w, chh / h);
                let a = s[3] * l.alpha;
                let sp = [s[0] * a, s[1] * a, s[2] * a, a];
                for i in 0..4 {
                    let blended = match l.op {
                        Op::Over => sp[i] + d[i] * (1.0 - a),
                        Op::Source => sp[i],
                        Op::Add => sp[i] + d[i],
                    };
                    d[i] = c * blended + (1.0 - c) * d[i];
                }
            }
            let a = clamp01(d[3]);
            let px_out = &mut out[(py * width + px) * 4..][..4];
            for i in 0..3 {
                let v = if a > 0.0 { clamp01(d[i] / d[3]) } else { 0.0 };
                px_out[i] = (v * 255.0).round() as u8;
            }
            px_out[3] = (a * 255.0).round() as u8;
        }
    }
    out
}

/// A smooth, colourful RGBA test image (every channel varies; alpha varies when `alpha`).
pub fn gradient_rgba(width: usize, height: usize, alpha: bool) -> Vec<u8> {
    let mut v = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        for x in 0..width {
            let fx = x as f64 / (width - 1).max(1) as f64;
            let fy = y as f64 / (height - 1).max(1) as f64;
            v.push((30.0 + 200.0 * fx) as u8);
            v.push((220.0 - 180.0 * fy) as u8);
            v.push((60.0 + 100.0 * (fx * fy) + 60.0 * fy) as u8);
            v.push(if alpha {
                (255.0 - 150.0 * fx * (1.0 - fy)) as u8
            } else {
                255
            });
        }
    }
    v
}

/// A detailed RGBA test image: hard-edged blocks and stripes, opaque.
pub fn pattern_rgba(width: usize, height: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        for x in 0..width {
            let block = (x / 4 + y / 3) % 3;
            let stripe = if (x + 2 * y) % 7 < 3 { 200 } else { 40 };
            v.extend_from_slice(&match block {
                0 => [stripe, 30, 90, 255],
                1 => [20, stripe, 200, 255],
                _ => [240, 180, stripe, 255],
            });
        }
    }
    v
}

/// A smooth YUV test image (I420 or NV12, tightly packed) with some detail in luma.
pub fn yuv_image(
    format: &'static str,
    width: usize,
    height: usize,
    bt709: bool,
    full: bool,
) -> Image {
    let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
    let y: Vec<u8> = (0..width * height)
        .map(|i| {
            let (x, yy) = (i % width, i / width);
            (40 + (x * 150) / width
                + (yy * 50) / height
                + if (x / 3 + yy / 2) % 2 == 0 { 10 } else { 0 }) as u8
        })
        .collect();
    let u: Vec<u8> = (0..cw * ch)
        .map(|i| (70 + (i % cw) * 120 / cw) as u8)
        .collect();
    let v: Vec<u8> = (0..cw * ch)
        .map(|i| (200 - (i / cw) * 120 / ch) as u8)
        .collect();
    let planes = if format == "I420" {
        vec![y, u, v]
    } else {
        let uv = u.iter().zip(&v).flat_map(|(a, b)| [*a, *b]).collect();
        vec![y, uv]
    };
    Image {
        format,
        width,
        height,
        planes,
        bt709,
        full_range: full,
        cosited_h: true,
    }
}

/// A tightly packed RGBA image.
pub fn rgba_image(width: usize, height: usize, data: Vec<u8>) -> Image {
    Image {
        format: "RGBA",
        width,
        height,
        planes: vec![data],
        bt709: false,
        full_range: false,
        cosited_h: true,
    }
}

/// Largest absolute difference between two byte slices, with its index.
pub fn max_diff(a: &[u8], b: &[u8]) -> (u8, usize) {
    assert_eq!(a.len(), b.len(), "sizes differ");
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(i, (x, y))| (x.abs_diff(*y), i))
        .max()
        .unwrap_or((0, 0))
}

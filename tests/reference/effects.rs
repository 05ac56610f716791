//! The effects in the CPU reference: zoom, rounded (circular or squircle) cards, borders,
//! shadows, content blur, motion blur and the backgrounds (gradient, image cover, blurred cover),
//! in f64, written from their definitions rather than from the shaders' shortcuts:
//! - coverage of curved edges by counting 16 × 16 sub-samples per edge pixel (the GPU uses the
//!   tangent line's exact area);
//! - shadows as the shape's area-sampled mask convolved with a sampled gaussian over a canvas that
//!   extends 5σ past the frame (the GPU integrates the continuous shape with erf);
//! - the blurred background at full resolution (the GPU computes it reduced).

#![allow(dead_code, clippy::needless_range_loop)]

use super::{background, sample, sample_filtered, Image, Op};

#[derive(Clone, Debug, Default)]
pub struct Shadow {
    pub dx: f64,
    pub dy: f64,
    pub sigma: f64,
    pub spread: f64,
    pub color: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Card {
    pub radius: f64,
    pub squircle: bool,
    pub border: f64,
    pub border_color: u32,
    pub shadow: Option<Shadow>,
    /// Content blur σ in output pixels.
    pub blur: f64,
}

/// Where a layer is at one instant.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    /// x, y, w, h in output pixels.
    pub dst: (f64, f64, f64, f64),
    /// left, right, top, bottom in source pixels.
    pub crop: (f64, f64, f64, f64),
    /// scale, centre x, centre y.
    pub zoom: (f64, f64, f64),
}

#[derive(Clone, Debug)]
pub struct EffectLayer {
    pub image: Image,
    /// Motion samples, averaged; one for a still layer.
    pub samples: Vec<Geometry>,
    pub alpha: f64,
    pub op: Op,
    pub card: Card,
}

#[derive(Clone, Debug)]
pub enum Bg {
    Solid(u32),
    Checker,
    Gradient {
        from: u32,
        to: u32,
        angle: f64,
    },
    /// Straight RGBA8, covering.
    Image {
        width: usize,
        height: usize,
        rgba: Vec<u8>,
    },
    /// Layer index, σ.
    Blurred(usize, f64),
}

fn premul(argb: u32) -> [f64; 4] {
    background(Some(argb), 0, 0)
}

/// Whether (x, y) lies inside the rounded rectangle.
fn inside(x: f64, y: f64, (rx, ry, rw, rh): (f64, f64, f64, f64), r: f64, squircle: bool) -> bool {
    if x < rx || y < ry || x >= rx + rw || y >= ry + rh {
        return false;
    }
    let r = r.min(rw / 2.0).min(rh / 2.0);
    if r <= 0.0 {
        return true;
    }
    // Distance past the straight part, towards the nearest corner.
    let qx = (x - (rx + r))
        .min(0.0)
        .abs()
        .max((x - (rx + rw - r)).max(0.0));
    let qy = (y - (ry + r))
        .min(0.0)
        .abs()
        .max((y - (ry + rh - r)).max(0.0));
    if qx <= 0.0 || qy <= 0.0 {
        return true;
    }
    if squircle {
        qx.powi(4) + qy.powi(4) <= r.powi(4)
    } else {
        qx * qx + qy * qy <= r * r
    }
}

/// Area of pixel (px, py) inside the rounded rectangle, by 16 × 16 sub-samples where the pixel
/// straddles the edge.
pub fn area(px: usize, py: usize, rect: (f64, f64, f64, f64), r: f64, squircle: bool) -> f64 {
    let (x0, y0) = (px as f64, py as f64);
    let probe = [
        (0.01, 0.01),
        (0.99, 0.01),
        (0.01, 0.99),
        (0.99, 0.99),
        (0.5, 0.5),
    ];
    let hits = probe
        .iter()
        .filter(|(dx, dy)| inside(x0 + dx, y0 + dy, rect, r, squircle))
        .count();
    // Straight edges cut a pixel in ways the corners see; only curved parts need the grid, but
    // the grid is exact enough everywhere it is used.
    if hits == probe.len() && r <= 0.0 {
        return 1.0;
    }
    if hits == 0 {
        // A thin shape could still pass between the probes.
        let (rx, ry, rw, rh) = rect;
        if rx + rw <= x0 || ry + rh <= y0 || rx >= x0 + 1.0 || ry >= y0 + 1.0 {
            return 0.0;
        }
    }
    let n = 16;
    let mut count = 0;
    for j in 0..n {
        for i in 0..n {
            let sx = x0 + (i as f64 + 0.5) / n as f64;
            let sy = y0 + (j as f64 + 0.5) / n as f64;
            if inside(sx, sy, rect, r, squircle) {
                count += 1;
            }
        }
    }
    count as f64 / (n * n) as f64
}

/// The source window a geometry shows: crop, then zoom keeping the centre point in place.
pub fn window(img: &Image, g: &Geometry) -> (f64, f64, f64, f64) {
    let (cl, cr, ct, cb) = g.crop;
    let (w, h) = (img.width as f64 - cl - cr, img.height as f64 - ct - cb);
    let (s, cx, cy) = g.zoom;
    // The source point at fraction (cx, cy) of the crop window stays at that fraction.
    let (px, py) = (cl + cx * w, ct + cy * h);
    let (zw, zh) = (w / s, h / s);
    (px - cx * zw, py - cy * zh, zw, zh)
}

/// Premultiplied float copy of an image (straight RGBA or YUV sampled at texel centres).
fn premultiplied_source(img: &Image) -> Vec<[f64; 4]> {
    let mut out = Vec::with_capacity(img.width * img.height);
    for y in 0..img.height {
        for x in 0..img.width {
            let s = sample(img, x as f64 + 0.5, y as f64 + 0.5);
            out.push([s[0] * s[3], s[1] * s[3], s[2] * s[3], s[3]]);
        }
    }
    out
}

/// Separable gaussian (weights exp(−k²/2σ²), |k| ≤ 4σ, normalised), edges clamped.
pub fn gaussian(src: &[[f64; 4]], w: usize, h: usize, sx: f64, sy: f64) -> Vec<[f64; 4]> {
    let pass = |src: &[[f64; 4]], sigma: f64, horizontal: bool| -> Vec<[f64; 4]> {
        if sigma <= 0.0 {
            return src.to_vec();
        }
        let r = (4.0 * sigma).ceil() as i64;
        let weights: Vec<f64> = (-r..=r)
            .map(|k| (-(k * k) as f64 / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        let mut out = vec![[0.0; 4]; w * h];
        for y in 0..h as i64 {
            for x in 0..w as i64 {
                let mut acc = [0.0; 4];
                for (k, wt) in (-r..=r).zip(&weights) {
                    let (xx, yy) = if horizontal {
                        ((x + k).clamp(0, w as i64 - 1), y)
                    } else {
                        (x, (y + k).clamp(0, h as i64 - 1))
                    };
                    let v = src[(yy as usize) * w + xx as usize];
                    for c in 0..4 {
                        acc[c] += wt * v[c];
                    }
                }
                out[(y as usize) * w + x as usize] = acc.map(|a| a / total);
            }
        }
        out
    };
    let h_done = pass(src, sx, true);
    pass(&h_done, sy, false)
}

fn bilinear4(img: &[[f64; 4]], w: usize, h: usize, x: f64, y: f64) -> [f64; 4] {
    let (fx, fy) = (x - 0.5, y - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let at = |xi: f64, yi: f64| {
        img[(yi as i64).clamp(0, h as i64 - 1) as usize * w
            + (xi as i64).clamp(0, w as i64 - 1) as usize]
    };
    let mut out = [0.0; 4];
    for c in 0..4 {
        let top = at(x0, y0)[c] * (1.0 - tx) + at(x0 + 1.0, y0)[c] * tx;
        let bottom = at(x0, y0 + 1.0)[c] * (1.0 - tx) + at(x0 + 1.0, y0 + 1.0)[c] * tx;
        out[c] = top * (1.0 - ty) + bottom * ty;
    }
    out
}

/// The shadow of a card at `dst`: premultiplied colour times the blurred shape, per pixel.
fn shadow_layer(card: &Card, dst: (f64, f64, f64, f64), width: usize, height: usize) -> Vec<f64> {
    let Some(s) = &card.shadow else {
        return vec![0.0; width * height];
    };
    let (x, y, w, h) = dst;
    let rect = (
        x + s.dx - s.spread,
        y + s.dy - s.spread,
        w + 2.0 * s.spread,
        h + 2.0 * s.spread,
    );
    if rect.2 <= 0.0 || rect.3 <= 0.0 {
        return vec![0.0; width * height];
    }
    let r0 = card.radius.min(w / 2.0).min(h / 2.0);
    let r = if r0 > 0.0 {
        (r0 + s.spread).max(0.0)
    } else {
        0.0
    };
    // The mask on a canvas reaching 5σ past the frame, so blur pulls in shape from outside.
    let m = (5.0 * s.sigma).ceil() as usize + 2;
    let (cw, ch) = (width + 2 * m, height + 2 * m);
    let shifted = (rect.0 + m as f64, rect.1 + m as f64, rect.2, rect.3);
    let mask: Vec<[f64; 4]> = (0..cw * ch)
        .map(|i| {
            let a = area(i % cw, i / cw, shifted, r, card.squircle);
            [a, 0.0, 0.0, 0.0]
        })
        .collect();
    let blurred = if s.sigma > 0.0 {
        gaussian(&mask, cw, ch, s.sigma, s.sigma)
    } else {
        mask
    };
    let mut out = vec![0.0; width * height];
    for yy in 0..height {
        for xx in 0..width {
            out[yy * width + xx] = blurred[(yy + m) * cw + xx + m][0];
        }
    }
    out
}

/// One layer drawn alone: premultiplied RGBA per pixel (before alpha) and the card's coverage.
fn layer_image(l: &EffectLayer, width: usize, height: usize) -> (Vec<[f64; 4]>, Vec<f64>) {
    let n = l.samples.len() as f64;
    let mut acc = vec![[0.0; 4]; width * height];
    let mut cov_acc = vec![0.0; width * height];
    let blurred_source = (l.card.blur > 0.0).then(|| {
        // σ in output pixels, applied to the source at its resolution (the t sample's scale).
        let g = l.samples[l.samples.len() - 1];
        let (_, _, ww, wh) = window(&l.image, &g);
        let src = premultiplied_source(&l.image);
        gaussian(
            &src,
            l.image.width,
            l.image.height,
            l.card.blur * ww / g.dst.2,
            l.card.blur * wh / g.dst.3,
        )
    });
    let shadow_colour = premul(l.card.shadow.as_ref().map_or(0, |s| s.color));
    let border_colour = premul(l.card.border_color);
    for g in &l.samples {
        let (x, y, w, h) = g.dst;
        let r = l.card.radius.min(w / 2.0).min(h / 2.0);
        let shadow = shadow_layer(&l.card, g.dst, width, height);
        let (wx, wy, ww, wh) = window(&l.image, g);
        let inner = (
            x + l.card.border,
            y + l.card.border,
            w - 2.0 * l.card.border,
            h - 2.0 * l.card.border,
        );
        for py in 0..height {
            for px in 0..width {
                let i = py * width + px;
                let cov = area(px, py, g.dst, r, l.card.squircle);
                let sh = shadow[i];
                let mut out = shadow_colour.map(|c| c * sh);
                if cov > 0.0 {
                    let sx = wx + (px as f64 + 0.5 - x) * ww / w;
                    let sy = wy + (py as f64 + 0.5 - y) * wh / h;
                    let mut c = match &blurred_source {
                        Some(b) => bilinear4(b, l.image.width, l.image.height, sx, sy),
                        None => {
                            let s = sample_filtered(&l.image, sx, sy, ww / w, wh / h);
                            [s[0] * s[3], s[1] * s[3], s[2] * s[3], s[3]]
                        }
                    };
                    if l.card.border > 0.0 {
                        let inside_inner = if inner.2 > 0.0 && inner.3 > 0.0 {
                            area(px, py, inner, (r - l.card.border).max(0.0), l.card.squircle)
                        } else {
                            0.0
                        };
                        for k in 0..4 {
                            c[k] = border_colour[k] * (1.0 - inside_inner) + c[k] * inside_inner;
                        }
                    }
                    let card = c.map(|v| v * cov);
                    for k in 0..4 {
                        out[k] = card[k] + out[k] * (1.0 - card[3]);
                    }
                }
                for k in 0..4 {
                    acc[i][k] += out[k] / n;
                }
                cov_acc[i] += cov / n;
            }
        }
    }
    (acc, cov_acc)
}

/// The background per pixel, premultiplied.
fn backdrop(bg: &Bg, layers: &[EffectLayer], width: usize, height: usize) -> Vec<[f64; 4]> {
    let (wf, hf) = (width as f64, height as f64);
    match bg {
        Bg::Solid(c) => (0..width * height)
            .map(|i| background(Some(*c), i % width, i / width))
            .collect(),
        Bg::Checker => (0..width * height)
            .map(|i| background(None, i % width, i / width))
            .collect(),
        Bg::Gradient { from, to, angle } => {
            // CSS: the gradient line through the centre at `angle` (0 = up, clockwise), as long
            // as the box's extent along it; colours interpolated premultiplied.
            let a = angle.to_radians();
            let (dx, dy) = (a.sin(), -a.cos());
            let len = (wf * a.sin()).abs() + (hf * a.cos()).abs();
            let (c0, c1) = (premul(*from), premul(*to));
            (0..width * height)
                .map(|i| {
                    let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
                    let t =
                        (((x - wf / 2.0) * dx + (y - hf / 2.0) * dy) / len + 0.5).clamp(0.0, 1.0);
                    let mut c = [0.0; 4];
                    for k in 0..4 {
                        c[k] = c0[k] + (c1[k] - c0[k]) * t;
                    }
                    c
                })
                .collect()
        }
        Bg::Image {
            width: iw,
            height: ih,
            rgba,
        } => {
            let img = Image {
                format: "RGBA",
                width: *iw,
                height: *ih,
                planes: vec![rgba.clone()],
                bt709: false,
                full_range: true,
                cosited_h: false,
            };
            let s = (wf / *iw as f64).max(hf / *ih as f64);
            let (ox, oy) = ((wf - *iw as f64 * s) / 2.0, (hf - *ih as f64 * s) / 2.0);
            (0..width * height)
                .map(|i| {
                    let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
                    let c = sample_filtered(&img, (x - ox) / s, (y - oy) / s, 1.0 / s, 1.0 / s);
                    [c[0] * c[3], c[1] * c[3], c[2] * c[3], c[3]]
                })
                .collect()
        }
        Bg::Blurred(k, sigma) => blurred_cover(&layers[*k].image, width, height, *sigma),
    }
}

/// A layer's whole source covering the frame, then blurred at full resolution.
pub fn blurred_cover(img: &Image, width: usize, height: usize, sigma: f64) -> Vec<[f64; 4]> {
    let (wf, hf) = (width as f64, height as f64);
    let s = (wf / img.width as f64).max(hf / img.height as f64);
    let (ox, oy) = (
        (wf - img.width as f64 * s) / 2.0,
        (hf - img.height as f64 * s) / 2.0,
    );
    let covered: Vec<[f64; 4]> = (0..width * height)
        .map(|i| {
            let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
            let c = sample_filtered(img, (x - ox) / s, (y - oy) / s, 1.0 / s, 1.0 / s);
            [c[0] * c[3], c[1] * c[3], c[2] * c[3], c[3]]
        })
        .collect();
    gaussian(&covered, width, height, sigma, sigma)
}

/// Straight RGBA8 of premultiplied float pixels.
pub fn to_rgba8(px: &[[f64; 4]]) -> Vec<u8> {
    px.iter()
        .flat_map(|d| {
            let a = d[3].clamp(0.0, 1.0);
            let c = |v: f64| {
                if a > 0.0 {
                    ((v / d[3]).clamp(0.0, 1.0) * 255.0).round() as u8
                } else {
                    0
                }
            };
            [c(d[0]), c(d[1]), c(d[2]), (a * 255.0).round() as u8]
        })
        .collect()
}

/// Composites effect layers (bottom first) over `bg` into straight RGBA8.
pub fn render_effects(bg: &Bg, layers: &[EffectLayer], width: usize, height: usize) -> Vec<u8> {
    let mut d = backdrop(bg, layers, width, height);
    for l in layers {
        let (img, cov) = layer_image(l, width, height);
        for i in 0..width * height {
            let s = img[i].map(|v| v * l.alpha);
            for k in 0..4 {
                d[i][k] = match l.op {
                    Op::Over => s[k] + d[i][k] * (1.0 - s[3]),
                    Op::Add => s[k] + d[i][k],
                    Op::Source => s[k] + d[i][k] * (1.0 - cov[i]),
                };
            }
        }
    }
    to_rgba8(&d)
}

/// Peak signal-to-noise ratio of two RGBA8 images over the colour channels, in dB.
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0.0;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if i % 4 == 3 {
            continue;
        }
        let d = *x as f64 - *y as f64;
        sum += d * d;
        n += 1.0;
    }
    let mse = sum / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

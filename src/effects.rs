//! Effect parameters and the small pieces of geometry every renderer shares: zoom windows,
//! card shapes, shadows, cover mapping, the reduced-size background blur and motion samples.
//! No GStreamer, no GPU.

use crate::compose::{Crop, Rect};

/// A colour 0xAARRGGBB as premultiplied RGBA in 0..1.
pub fn premultiplied(argb: u32) -> [f32; 4] {
    let a = ((argb >> 24) & 0xff) as f32 / 255.0;
    let c = |shift: u32| ((argb >> shift) & 0xff) as f32 / 255.0 * a;
    [c(16), c(8), c(0), a]
}

/// A zoom into the source: `scale` ≥ 1 around `centre`, the point of the source (0..1 of the
/// shown window) that stays in place while the zoom grows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zoom {
    /// Magnification, 1 = none.
    pub scale: f64,
    /// Fixed point, x and y in 0..1 of the window.
    pub centre: (f64, f64),
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom {
            scale: 1.0,
            centre: (0.5, 0.5),
        }
    }
}

impl Zoom {
    /// The part of `window` (x, y, w, h in source pixels) shown at this zoom. Float coordinates
    /// throughout: a slow zoom moves every source point by sub-pixel steps.
    pub fn apply(&self, window: (f64, f64, f64, f64)) -> (f64, f64, f64, f64) {
        let (x, y, w, h) = window;
        let s = self.scale.max(1.0);
        let (cx, cy) = (self.centre.0.clamp(0.0, 1.0), self.centre.1.clamp(0.0, 1.0));
        (
            x + cx * w * (1.0 - 1.0 / s),
            y + cy * h * (1.0 - 1.0 / s),
            w / s,
            h / s,
        )
    }
}

/// Shape of a card's corners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CornerShape {
    /// Quarter circles.
    #[default]
    Circular,
    /// Superellipse quarters |x|⁴ + |y|⁴ = r⁴: curvature-continuous where they meet the edges.
    Squircle,
}

impl CornerShape {
    /// How far the edge is pulled in (from the straight edge) at distance `dy` (0..r) into a
    /// corner of radius `r`, measured from the corner's inner end. The one definition: the CPU
    /// backend's shadow integrates with it, and composite.wgsl's `corner_inset` mirrors it.
    pub fn inset(self, r: f64, dy: f64) -> f64 {
        let dy = dy.clamp(0.0, r);
        match self {
            CornerShape::Circular => r - (r * r - dy * dy).max(0.0).sqrt(),
            // Two square roots: the fourth root as the card shader (composite.wgsl) takes it.
            CornerShape::Squircle => r - (r.powi(4) - dy.powi(4)).max(0.0).sqrt().sqrt(),
        }
    }

    /// Whether point `(qx, qy)`, relative to a corner's centre (both ≥ 0 point outwards),
    /// lies inside a corner of radius `r`.
    pub fn contains(self, r: f64, qx: f64, qy: f64) -> bool {
        match self {
            CornerShape::Circular => qx * qx + qy * qy <= r * r,
            CornerShape::Squircle => qx.powi(4) + qy.powi(4) <= r.powi(4),
        }
    }
}

/// A soft shadow cast by a card's shape.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Shadow {
    /// Offset right, output pixels.
    pub offset_x: f64,
    /// Offset down, output pixels.
    pub offset_y: f64,
    /// Gaussian standard deviation, output pixels (CSS's blur radius is twice this).
    pub sigma: f64,
    /// Grows (or, negative, shrinks) the shape on every side, output pixels.
    pub spread: f64,
    /// 0xAARRGGBB.
    pub color: u32,
}

impl Shadow {
    /// Whether the shadow shows at all: it needs some opacity, and a blur, an offset or a
    /// spread (a shadow exactly under its card is none asked for).
    pub fn visible(&self) -> bool {
        self.color >> 24 != 0
            && (self.sigma > 0.0
                || self.offset_x != 0.0
                || self.offset_y != 0.0
                || self.spread != 0.0)
    }
}

/// How a layer is drawn as a card: corners, border, shadow and content blur.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CardStyle {
    /// Corner radius, output pixels (clamped to half the card's smaller side).
    pub radius: f64,
    /// Corner shape.
    pub shape: CornerShape,
    /// Border width inside the card's edge, output pixels.
    pub border_width: f64,
    /// Border colour 0xAARRGGBB.
    pub border_color: u32,
    /// The card's shadow.
    pub shadow: Shadow,
    /// Gaussian blur of the content, standard deviation in output pixels.
    pub blur: f64,
}

impl CardStyle {
    /// The radius used for a card of `w` × `h`.
    pub fn radius_for(&self, w: f64, h: f64) -> f64 {
        self.radius.clamp(0.0, 0.5 * w.min(h).max(0.0))
    }

    /// The shadow's rectangle and radius for a card at `dst`.
    pub fn shadow_shape(&self, dst: &Rect) -> (Rect, f64) {
        let s = &self.shadow;
        let rect = Rect {
            x: dst.x + s.offset_x - s.spread,
            y: dst.y + s.offset_y - s.spread,
            w: (dst.w + 2.0 * s.spread).max(0.0),
            h: (dst.h + 2.0 * s.spread).max(0.0),
        };
        let r = self.radius_for(dst.w, dst.h);
        let r = if r > 0.0 {
            (r + s.spread).max(0.0)
        } else {
            0.0
        };
        (rect, r.min(0.5 * rect.w.min(rect.h)))
    }

    /// The area a card at `dst` can touch, shadow included (3.5 σ of blur).
    pub fn extent(&self, dst: &Rect) -> Rect {
        if !self.shadow.visible() {
            return *dst;
        }
        let (s, _) = self.shadow_shape(dst);
        let m = 3.5 * self.shadow.sigma.max(0.0) + 1.0;
        let x0 = dst.x.min(s.x - m);
        let y0 = dst.y.min(s.y - m);
        let x1 = (dst.x + dst.w).max(s.x + s.w + m);
        let y1 = (dst.y + dst.h).max(s.y + s.h + m);
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }
}

/// Where one layer is at one instant: what motion blur interpolates between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerGeometry {
    /// Where the card lands, output pixels.
    pub dst: Rect,
    /// The source window before the zoom.
    pub crop: Crop,
    /// The zoom inside that window.
    pub zoom: Zoom,
}

impl LayerGeometry {
    /// The source window shown (x, y, w, h in source pixels), or `None` when the crop leaves
    /// nothing.
    pub fn window(&self, src_w: u32, src_h: u32) -> Option<(f64, f64, f64, f64)> {
        self.crop.window(src_w, src_h).map(|w| self.zoom.apply(w))
    }
}

/// The instants (seconds before the frame's time, oldest first, last 0) at which motion blur
/// samples a layer: `samples` evenly over the shutter interval [t − shutter, t].
pub fn motion_offsets(shutter: f64, samples: u32) -> Vec<f64> {
    if shutter <= 0.0 || samples < 2 {
        return vec![0.0];
    }
    let n = samples - 1;
    (0..=n)
        .map(|i| shutter * (n - i) as f64 / n as f64)
        .collect()
}

/// A decoded picture in straight (not premultiplied) RGBA, 8 bits, rows packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// width · height · 4 bytes.
    pub data: Vec<u8>,
}

/// Maps an image of `iw` × `ih` onto an output of `w` × `h` so that it covers it, centred:
/// returns (x, y, scale) with output = (x, y) + image · scale.
pub fn cover(iw: f64, ih: f64, w: f64, h: f64) -> (f64, f64, f64) {
    let s = (w / iw).max(h / ih);
    ((w - iw * s) / 2.0, (h - ih * s) / 2.0, s)
}

/// The linear gradient of CSS: `angle` in degrees, 0 pointing up, 90 right; the gradient line
/// runs through the centre and is as long as the frame's extent along it.
/// Returns (direction, length): t = dot(p − centre, direction) / length + 0.5.
pub fn gradient_line(angle: f64, w: f64, h: f64) -> ((f64, f64), f64) {
    let a = angle.to_radians();
    let dir = (a.sin(), -a.cos());
    let len = (w * dir.0).abs() + (h * dir.1).abs();
    (dir, len.max(1e-9))
}

/// How much smaller than the output the blurred background is computed: the blur removes every
/// detail finer than σ, so a grid of about σ/3 output pixels holds all that is left.
pub fn blur_reduction(sigma: f64) -> u32 {
    (sigma / 3.0).floor().clamp(1.0, 16.0) as u32
}

/// The gaussian σ to apply at the reduced size `factor` so that box downsampling (variance f²/12),
/// the blur and bilinear upsampling (f²/6) add up to σ² at full size.
pub fn reduced_sigma(sigma: f64, factor: u32) -> f64 {
    let f = factor as f64;
    if factor <= 1 {
        return sigma;
    }
    (sigma * sigma - f * f / 4.0).max(0.0).sqrt() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_its_centre_in_place() {
        let z = Zoom {
            scale: 2.0,
            centre: (0.3, 0.4),
        };
        let (x, y, w, h) = z.apply((0.0, 0.0, 100.0, 50.0));
        assert_eq!((w, h), (50.0, 25.0));
        // The centre point maps to the same relative place in the window.
        assert!(((30.0 - x) / w - 0.3).abs() < 1e-12);
        assert!(((20.0 - y) / h - 0.4).abs() < 1e-12);
        assert_eq!(
            Zoom::default().apply((1.0, 2.0, 3.0, 4.0)),
            (1.0, 2.0, 3.0, 4.0)
        );
    }

    #[test]
    fn corner_insets() {
        assert_eq!(CornerShape::Circular.inset(10.0, 0.0), 0.0);
        assert_eq!(CornerShape::Circular.inset(10.0, 10.0), 10.0);
        assert!((CornerShape::Circular.inset(10.0, 6.0) - 2.0).abs() < 1e-12);
        // A squircle hugs the corner more tightly than a circle.
        assert!(CornerShape::Squircle.inset(10.0, 6.0) < CornerShape::Circular.inset(10.0, 6.0));
        assert!(CornerShape::Squircle.contains(10.0, 8.0, 8.0));
        assert!(!CornerShape::Circular.contains(10.0, 8.0, 8.0));
    }

    #[test]
    fn motion_offsets_span_the_shutter() {
        assert_eq!(motion_offsets(0.0, 8), vec![0.0]);
        assert_eq!(motion_offsets(0.02, 1), vec![0.0]);
        let o = motion_offsets(0.02, 3);
        assert_eq!(o, vec![0.02, 0.01, 0.0]);
    }

    #[test]
    fn cover_fills_the_frame() {
        let (x, y, s) = cover(100.0, 100.0, 200.0, 100.0);
        assert_eq!((x, y, s), (0.0, -50.0, 2.0));
    }

    #[test]
    fn gradient_line_matches_css() {
        let ((dx, dy), len) = gradient_line(90.0, 200.0, 100.0);
        assert!((dx - 1.0).abs() < 1e-12 && dy.abs() < 1e-12 && (len - 200.0).abs() < 1e-9);
        let ((dx, dy), len) = gradient_line(0.0, 200.0, 100.0);
        assert!(dx.abs() < 1e-12 && (dy + 1.0).abs() < 1e-12 && (len - 100.0).abs() < 1e-9);
    }

    #[test]
    fn reduced_blur_keeps_the_total_variance() {
        for sigma in [3.0, 12.0, 20.0, 40.0] {
            let f = blur_reduction(sigma);
            let s = reduced_sigma(sigma, f);
            let ff = f as f64;
            let total = if f > 1 {
                (s * ff).powi(2) + ff * ff / 12.0 + ff * ff / 6.0
            } else {
                s * s
            };
            assert!((total - sigma * sigma).abs() < 1e-9, "{sigma}: {total}");
        }
    }
}

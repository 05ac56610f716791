//! The bytes of every pass's uniform block, laid out as the WGSL structs declare them.

use crate::compose::{Background, DrawSample, LayerSource, PixelFormat, YuvColorimetry};
use crate::effects::{cover, gradient_line, premultiplied, CardStyle, CornerShape};

/// Most motion samples one layer draw averages (the WGSL array's length).
pub const MAX_SAMPLES: usize = crate::compose::MAX_MOTION_SAMPLES;
/// Words of the WGSL `Sample` struct.
const SAMPLE_WORDS: usize = 24;
/// Bytes of the WGSL `Layer` struct.
pub(super) const LAYER_SIZE: u64 = 160 + 4 * (SAMPLE_WORDS * MAX_SAMPLES) as u64;
/// Bytes of the WGSL `Backdrop` struct.
pub(super) const BACKDROP_SIZE: u64 = 64;
/// Bytes of the WGSL `Convert` struct.
pub(super) const CONVERT_SIZE: u64 = 64;
/// Bytes of the WGSL `Blur` struct.
pub(super) const BLUR_SIZE: u64 = 16;

/// Collects uniform blocks into one buffer, each at an offset aligned for binding.
pub(super) struct UniformBytes {
    pub(super) bytes: Vec<u8>,
    align: usize,
}

impl UniformBytes {
    pub(super) fn new(align: u64) -> Self {
        UniformBytes {
            bytes: Vec::with_capacity(8192),
            align: align as usize,
        }
    }

    /// Appends one block; returns its offset.
    pub(super) fn push(&mut self, block: &[u8]) -> u64 {
        let at = self.bytes.len().next_multiple_of(self.align);
        self.bytes.resize(at, 0);
        self.bytes.extend_from_slice(block);
        at as u64
    }
}

/// Appends `words` (f32 or u32 bit patterns).
fn push_words(out: &mut Vec<u8>, words: &[u32]) {
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

fn f(v: f32) -> u32 {
    v.to_bits()
}

fn push_floats(out: &mut Vec<u8>, values: &[f32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// One motion sample as the shader reads it (the WGSL `Sample`).
pub(super) type SampleWords = [u32; SAMPLE_WORDS];

/// A sample that only maps `rect` (x0, y0, x1, y1) to the source (`src`): for the passes that
/// read a source without a card (decode, downsample).
pub(super) fn mapping_words(rect: [f32; 4], src: [f32; 4]) -> SampleWords {
    let mut w = [0u32; SAMPLE_WORDS];
    for (o, v) in w.iter_mut().zip(rect.iter().chain(&src)) {
        *o = f(*v);
    }
    w
}

/// The words of a planned motion sample.
pub(super) fn sample_words(s: &DrawSample) -> SampleWords {
    let mut w = mapping_words(s.rect.map(|v| v as f32), s.src.map(|v| v as f32));
    let empty = crate::compose::RoundedBox {
        rect: [0.0; 4],
        radius: 0.0,
    };
    let inner = s.inner.unwrap_or(empty);
    let shadow = s.shadow.unwrap_or(empty);
    let radii = [s.card.radius, inner.radius, shadow.radius, 0.0];
    let floats = inner.rect.iter().chain(&shadow.rect).chain(&radii);
    for (o, v) in w[8..20].iter_mut().zip(floats) {
        *o = f(*v);
    }
    w[20] = s.inner.is_some() as u32;
    w[21] = s.shadow.is_some() as u32;
    w
}

/// The shader's source kind for `format`.
pub(super) fn source_kind(format: PixelFormat) -> u32 {
    match format {
        PixelFormat::Rgba | PixelFormat::Bgra => 0,
        PixelFormat::Rgbx | PixelFormat::Bgrx => 1,
        PixelFormat::I420 => 2,
        PixelFormat::Nv12 => 3,
    }
}

/// Source kind of a premultiplied float copy (a blurred layer).
pub(super) const KIND_PREMULTIPLIED: u32 = 4;

/// What a layer-shaped pass draws.
pub(super) struct LayerPass<'s> {
    /// The pixels to draw, x0, y0, x1, y1.
    pub(super) bounds: [f32; 4],
    /// Size of the render target.
    pub(super) target: (u32, u32),
    /// Source kind (see `source_kind`).
    pub(super) kind: u32,
    /// Layer alpha.
    pub(super) alpha: f32,
    /// The card's look; `None` for the plain passes (decode, downsample).
    pub(super) card: Option<&'s CardStyle>,
    /// fs_downsample's reduction factor and taps.
    pub(super) aux: [f32; 4],
    /// Motion samples (at least one, at most MAX_SAMPLES).
    pub(super) samples: &'s [SampleWords],
}

/// The `Layer` block of `layer` drawn as `pass` says.
pub(super) fn layer_block(layer: &LayerSource<'_>, pass: &LayerPass<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(LAYER_SIZE as usize);
    // Chroma sample j sits at luma position 2j + 0.5 (cosited) or 2j + 1 (centred); as a texel
    // position with centres at j + 0.5 that is luma · 0.5 + 0.25 or luma · 0.5.
    let bias = |cosited: bool| if cosited { 0.25 } else { 0.0 };
    push_floats(&mut out, &pass.bounds);
    push_floats(
        &mut out,
        &[
            pass.target.0 as f32,
            pass.target.1 as f32,
            bias(layer.colorimetry.chroma_cosited_h),
            bias(layer.colorimetry.chroma_cosited_v),
        ],
    );
    let n = pass.samples.len().clamp(1, MAX_SAMPLES) as u32;
    let shape = match pass.card.map(|c| c.shape) {
        Some(CornerShape::Squircle) => 1,
        _ => 0,
    };
    push_words(&mut out, &[pass.kind, f(pass.alpha), n, shape]);
    for row in layer.colorimetry.yuv_to_rgb() {
        push_words(&mut out, &row.map(f));
    }
    let plain = CardStyle::default();
    let card = pass.card.unwrap_or(&plain);
    let shadow = &card.shadow;
    push_floats(&mut out, &[0.0, 0.0, shadow.sigma.max(0.0) as f32, 0.0]);
    push_floats(&mut out, &premultiplied(card.border_color));
    push_floats(&mut out, &premultiplied(shadow.color));
    push_floats(&mut out, &pass.aux);
    for i in 0..MAX_SAMPLES {
        let s = pass.samples.get(i).copied().unwrap_or([0; SAMPLE_WORDS]);
        push_words(&mut out, &s);
    }
    out
}

/// What the background pass samples, when it samples a texture.
#[derive(Debug, Clone, Copy)]
pub(super) enum BackdropPicture {
    /// None.
    None,
    /// A straight-alpha image of this size, covering the frame.
    Image(u32, u32),
    /// A premultiplied copy reduced by this factor.
    Reduced(u32),
}

/// The `Backdrop` block.
pub(super) fn backdrop_block(
    background: &Background,
    picture: BackdropPicture,
    target: (u32, u32),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(BACKDROP_SIZE as usize);
    let (w, h) = (target.0 as f64, target.1 as f64);
    let (kind, colour, colour2, geom) = match (background, picture) {
        (Background::Solid(argb), _) => (0u32, premultiplied(*argb), [0.0; 4], [0.0; 4]),
        (Background::Checker, _) => {
            let g = crate::compose::CHECKER_GREYS.map(|g| g as f32 / 255.0);
            (1, [g[0], g[1], 0.0, 0.0], [0.0; 4], [0.0; 4])
        }
        (Background::Gradient { from, to, angle }, _) => {
            let ((dx, dy), len) = gradient_line(*angle, w, h);
            (
                2,
                premultiplied(*from),
                premultiplied(*to),
                [dx as f32, dy as f32, len as f32, 0.0],
            )
        }
        (_, BackdropPicture::Image(iw, ih)) => {
            let (x, y, s) = cover(iw as f64, ih as f64, w, h);
            (
                3,
                [0.0; 4],
                [0.0; 4],
                [x as f32, y as f32, (1.0 / s) as f32, 0.0],
            )
        }
        (_, BackdropPicture::Reduced(factor)) => {
            (4, [0.0; 4], [0.0; 4], [0.0, 0.0, 1.0 / factor as f32, 0.0])
        }
        (_, BackdropPicture::None) => (0, [0.0; 4], [0.0; 4], [0.0; 4]),
    };
    push_floats(&mut out, &colour);
    push_floats(&mut out, &colour2);
    push_floats(&mut out, &geom);
    push_floats(&mut out, &[w as f32, h as f32]);
    push_words(&mut out, &[kind, f(crate::compose::CHECKER_SIZE as f32)]);
    out
}

/// The `Convert` block.
pub(super) fn convert_block(colorimetry: &YuvColorimetry) -> Vec<u8> {
    let mut out = Vec::with_capacity(CONVERT_SIZE as usize);
    for row in colorimetry.rgb_to_yuv() {
        push_words(&mut out, &row.map(f));
    }
    push_words(
        &mut out,
        &[
            colorimetry.chroma_cosited_h as u32,
            colorimetry.chroma_cosited_v as u32,
            0,
            0,
        ],
    );
    out
}

/// Taps on each side of a gaussian of `sigma`: past 3σ the weights are below 1 %.
pub(super) fn blur_radius(sigma: f64) -> i32 {
    if sigma <= 0.0 {
        0
    } else {
        ((3.0 * sigma).ceil() as i32 + 1).min(255)
    }
}

/// The `Blur` block: horizontal when `horizontal`, else vertical.
pub(super) fn blur_block(sigma: f64, horizontal: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(BLUR_SIZE as usize);
    let (dx, dy) = if horizontal { (1i32, 0i32) } else { (0, 1) };
    push_words(
        &mut out,
        &[
            dx as u32,
            dy as u32,
            f(sigma.max(1e-3) as f32),
            blur_radius(sigma) as u32,
        ],
    );
    out
}

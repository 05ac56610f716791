//! One frame resolved for drawing: which layers are drawn and where, their motion samples with
//! the card shapes and per-column tables, in the wgpu backend's order and with its bounds.

use std::ops::Range;

use super::sample::{chroma_bias, Pixels};
use std::sync::Arc;

use super::shape::{BlurredShape, RoundedRect, ShadowCache};
use super::taps::Taps;
use crate::compose::{thin_samples, LayerSource, Operator, MAX_MOTION_SAMPLES};
use crate::effects::{premultiplied, LayerGeometry};

/// Most motion samples one layer draw averages.
pub(crate) const MAX_SAMPLES: usize = MAX_MOTION_SAMPLES;

/// One motion sample: the card's rectangle and the source mapping
/// `t = src.xy + (p − rect.xy) · src.zw`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Mapping {
    pub(crate) rect: [f64; 4],
    pub(crate) src: [f64; 4],
}

impl Mapping {
    fn of(g: &LayerGeometry, w: u32, h: u32) -> Option<Self> {
        let (wx, wy, ww, wh) = g.window(w, h)?;
        let d = g.dst;
        (d.w > 0.0 && d.h > 0.0).then_some(Mapping {
            rect: [d.x, d.y, d.x + d.w, d.y + d.h],
            src: [wx, wy, ww / d.w, wh / d.h],
        })
    }

    /// Source texel position (x) of output position `p`.
    pub(crate) fn tx(&self, p: f64) -> f64 {
        self.src[0] + (p - self.rect[0]) * self.src[2]
    }

    /// Source texel position (y) of output position `p`.
    pub(crate) fn ty(&self, p: f64) -> f64 {
        self.src[1] + (p - self.rect[1]) * self.src[3]
    }
}

/// The motion samples of a layer: deduplicated (a still layer draws once) and thinned evenly to
/// at most `MAX_SAMPLES`, as the wgpu backend does.
pub(crate) fn motion_mappings(layer: &LayerSource<'_>) -> Vec<Mapping> {
    let all: Vec<Mapping> = layer
        .params
        .samples()
        .filter_map(|g| Mapping::of(&g, layer.width, layer.height))
        .collect();
    thin_samples(all, MAX_SAMPLES)
}

/// The pixels a layer can touch: its samples' cards and shadows, one pixel of margin, clamped
/// to the frame (the wgpu backend's vertex bounds).
pub(crate) fn layer_pixels(
    layer: &LayerSource<'_>,
    width: u32,
    height: u32,
) -> (Range<usize>, Range<usize>) {
    let b = layer.params.bounds().map(|v| v as f32);
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as usize;
    let x0 = clamp(b[0].floor() - 1.0, width);
    let y0 = clamp(b[1].floor() - 1.0, height);
    let x1 = clamp(b[2].ceil() + 1.0, width).max(x0);
    let y1 = clamp(b[3].ceil() + 1.0, height).max(y0);
    (x0..x1, y0..y1)
}

/// One motion sample ready to draw.
#[derive(Debug)]
pub(crate) struct Sample {
    pub(crate) map: Mapping,
    /// The card's shape.
    pub(crate) card: RoundedRect,
    /// The border's inner edge: `None` without a border; an empty shape when the border fills
    /// the card.
    pub(crate) inner: Option<RoundedRect>,
    /// The shadow, when there is one.
    pub(crate) shadow: Option<Arc<BlurredShape>>,
    /// Column positions of the layer's columns in the source (luma, and chroma for YUV).
    pub(crate) xtaps: Taps,
    pub(crate) ctaps: Taps,
}

/// A layer ready to draw.
#[derive(Debug)]
pub(crate) struct CardLayer<'a> {
    /// Index in the frame's layers.
    pub(crate) index: usize,
    pub(crate) pixels: Pixels<'a>,
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) samples: Vec<Sample>,
    pub(crate) alpha: f32,
    pub(crate) op: Operator,
    /// Premultiplied RGBA.
    pub(crate) border: [f32; 4],
    pub(crate) shadow_colour: [f32; 4],
    /// Pixels drawn.
    pub(crate) cols: Range<usize>,
    pub(crate) rows: Range<usize>,
    /// Content blur σ across and down, in source pixels, when the content is blurred.
    pub(crate) blur: Option<(f64, f64)>,
}

impl<'a> CardLayer<'a> {
    /// Resolves `layer` for an output of `width` × `height`; `None` when nothing of it shows.
    pub(crate) fn new(
        index: usize,
        layer: &LayerSource<'a>,
        width: u32,
        height: u32,
        shadows: &mut ShadowCache,
    ) -> Result<Option<Self>, String> {
        let pixels = Pixels::of(layer)?;
        let maps = motion_mappings(layer);
        if maps.is_empty() {
            return Ok(None);
        }
        let p = &layer.params;
        let card = &p.card;
        let (cols, rows) = layer_pixels(layer, width, height);
        let radius = card.radius.max(0.0) as f32;
        let bw = card.border_width.max(0.0) as f32;
        let shadow = &card.shadow;
        let (lw, lh) = (layer.width as usize, layer.height as usize);
        let cw = lw.div_ceil(2);
        let bias_x = chroma_bias(layer.colorimetry.chroma_cosited_h);
        let samples = maps
            .into_iter()
            .map(|map| {
                let rect = map.rect.map(|v| v as f32);
                let size = [rect[2] - rect[0], rect[3] - rect[1]];
                let r = radius.min(0.5 * size[0].min(size[1]));
                let shape = RoundedRect::new(rect, r, card.shape);
                let inner = (bw > 0.0).then(|| {
                    let inner = [rect[0] + bw, rect[1] + bw, rect[2] - bw, rect[3] - bw];
                    RoundedRect::new(inner, (r - bw).max(0.0), card.shape)
                });
                let shadow = shadow.visible().then(|| {
                    let spread = shadow.spread as f32;
                    let (ox, oy) = (shadow.offset_x as f32, shadow.offset_y as f32);
                    let srect = [
                        rect[0] + ox - spread,
                        rect[1] + oy - spread,
                        rect[2] + ox + spread,
                        rect[3] + oy + spread,
                    ];
                    let ss = [srect[2] - srect[0], srect[3] - srect[1]];
                    let sr = if r > 0.0 {
                        (r + spread).max(0.0).min(0.5 * ss[0].min(ss[1]))
                    } else {
                        0.0
                    };
                    (ss[0] > 0.0 && ss[1] > 0.0).then(|| {
                        shadows.get(
                            RoundedRect::new(srect, sr, card.shape),
                            shadow.sigma.max(0.0),
                            cols.clone(),
                            rows.clone(),
                        )
                    })
                });
                let mut xtaps = Taps::default();
                xtaps.build(cols.len(), lw, |i, push| {
                    push(map.tx((cols.start + i) as f64 + 0.5), 1.0)
                });
                let mut ctaps = Taps::default();
                if matches!(pixels, Pixels::Yuv { .. }) {
                    ctaps.build(cols.len(), cw, |i, push| {
                        push(map.tx((cols.start + i) as f64 + 0.5) * 0.5 + bias_x, 1.0)
                    });
                }
                Sample {
                    map,
                    card: shape,
                    inner,
                    shadow: shadow.flatten(),
                    xtaps,
                    ctaps,
                }
            })
            .collect();
        let blur = (card.blur > 0.0)
            .then(|| p.geometry().window(layer.width, layer.height))
            .flatten()
            .map(|(_, _, ww, wh)| (card.blur * ww / p.dst.w, card.blur * wh / p.dst.h))
            .filter(|(sx, sy)| sx.is_finite() && sy.is_finite());
        Ok(Some(CardLayer {
            index,
            pixels,
            width: lw,
            height: lh,
            samples,
            alpha: p.alpha.clamp(0.0, 1.0) as f32,
            op: p.operator,
            border: premultiplied(card.border_color),
            shadow_colour: premultiplied(shadow.color),
            cols,
            rows,
            blur,
        }))
    }

    /// Whether the content has no transparent pixels.
    pub(crate) fn opaque_content(&self) -> bool {
        match self.pixels {
            Pixels::Packed { alpha, .. } => alpha.is_none(),
            Pixels::Yuv { .. } => true,
            Pixels::Float { .. } => false,
        }
    }

    /// Whether, where its single sample's card is solid, this layer replaces what lies below.
    pub(crate) fn can_hide_below(&self) -> bool {
        self.alpha >= 1.0 && matches!(self.op, Operator::Over | Operator::Source)
    }

    /// The columns of row `y` where the layer is its content alone: a single sample whose card
    /// covers the pixel wholly, inside any border, with opaque content (so no shadow shows).
    pub(crate) fn interior_span(&self, y: usize) -> Range<usize> {
        if self.samples.len() != 1 || !self.opaque_content() || !self.rows.contains(&y) {
            return 0..0;
        }
        let s = &self.samples[0];
        let mut span = s.card.solid(y);
        if let Some(inner) = &s.inner {
            let i = if inner.is_empty() {
                0..0
            } else {
                inner.solid(y)
            };
            span = span.start.max(i.start)..span.end.min(i.end);
        }
        let span = span.start.max(self.cols.start)..span.end.min(self.cols.end);
        if span.is_empty() {
            0..0
        } else {
            span
        }
    }

    /// The columns of row `y` this layer replaces outright.
    pub(crate) fn solid_span(&self, y: usize) -> Range<usize> {
        if self.can_hide_below() {
            self.interior_span(y)
        } else {
            0..0
        }
    }
}

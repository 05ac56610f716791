//! One layer of a planned frame resolved for drawing on the CPU: the plan's motion samples and
//! shapes with the per-column source tables and the cached shadow.

use std::ops::Range;
use std::sync::Arc;

use super::resample::width_of;
use super::sample::{chroma_bias, Pixels, RowAt};
use super::shape::{BlurredShape, RoundedRect, ShadowCache};
use super::taps::Taps;
use crate::compose::{DrawSample, LayerDraw, LayerSource, Operator, RoundedBox};
use crate::effects::{premultiplied, CornerShape};

fn rounded(b: &RoundedBox, shape: CornerShape) -> RoundedRect {
    RoundedRect::new(b.rect, b.radius, shape)
}

/// One motion sample ready to draw.
#[derive(Debug)]
pub(crate) struct Sample {
    pub(crate) map: DrawSample,
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
    /// Per output row, the row of the card drawn there instead (squeezeh on the Y'CbCr path:
    /// see `remapped`), for a card that covers the frame as a plain rectangle.
    pub(crate) rows_from: Option<Arc<[u32]>>,
    /// Whether `xtaps` and `ctaps` read each column from another column of the card (squeezev
    /// on the Y'CbCr path, see `CardLayer::draw_columns_from`): its chroma is then formed
    /// column by column at luma resolution, not read at chroma resolution.
    pub(crate) cols_from: bool,
}

/// The luma and luma-resolution chroma column tables of `map` over output columns `cols`, for
/// a source `lw` wide (chroma `cw`): output column x reads the source where the card's column
/// `from(x)` lies.
fn column_taps(
    map: &DrawSample,
    cols: &Range<usize>,
    [lw, cw]: [usize; 2],
    bias_x: f64,
    yuv: bool,
    from: impl Fn(usize) -> usize,
) -> (Taps, Taps) {
    // Each column's footprint: its width in source texels (chroma: half).
    let fx = width_of(map.src[2]);
    let mut xtaps = Taps::default();
    xtaps.build_filtered(cols.len(), lw, |i, push| {
        push(map.tx(from(cols.start + i) as f64 + 0.5), fx, 1.0)
    });
    let mut ctaps = Taps::default();
    if yuv {
        ctaps.build_filtered(cols.len(), cw, |i, push| {
            let x = map.tx(from(cols.start + i) as f64 + 0.5);
            push(x * 0.5 + bias_x, fx * 0.5, 1.0)
        });
    }
    (xtaps, ctaps)
}

impl Sample {
    /// Where output row `y` reads the source: its centre and footprint.
    pub(crate) fn row(&self, y: usize) -> RowAt {
        let y = self.row_drawn(y);
        RowAt::new(self.map.ty(y as f64 + 0.5), width_of(self.map.src[3]))
    }

    /// The card's row drawn on output row `y` (`y` itself unless remapped).
    pub(crate) fn row_drawn(&self, y: usize) -> usize {
        match &self.rows_from {
            Some(rows) => rows.get(y).map_or(y, |&r| r as usize),
            None => y,
        }
    }

    /// Whether rows are remapped (`rows_from`): the card's chroma is then formed from its
    /// rows one by one, not read at chroma resolution.
    pub(crate) fn remapped(&self) -> bool {
        self.rows_from.is_some()
    }
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
    /// Resolves `layer`, drawn as the plan's `draw` says.
    pub(crate) fn new(
        index: usize,
        layer: &LayerSource<'a>,
        draw: &LayerDraw,
        shadows: &mut ShadowCache,
    ) -> Self {
        let pixels = Pixels::of(layer);
        let p = &layer.params;
        let card = &p.card;
        let (cols, rows) = (draw.cols.clone(), draw.rows.clone());
        let (lw, lh) = (layer.width as usize, layer.height as usize);
        let cw = lw.div_ceil(2);
        let bias_x = chroma_bias(layer.colorimetry.chroma_cosited_h);
        let samples = draw
            .samples
            .iter()
            .map(|map| {
                let shadow = map.shadow.map(|s| {
                    shadows.get(
                        rounded(&s, card.shape),
                        card.shadow.sigma.max(0.0),
                        cols.clone(),
                        rows.clone(),
                    )
                });
                let yuv = matches!(pixels, Pixels::Yuv { .. });
                let (xtaps, ctaps) = column_taps(map, &cols, [lw, cw], bias_x, yuv, |x| x);
                Sample {
                    map: *map,
                    card: rounded(&map.card, card.shape),
                    inner: map.inner.map(|b| rounded(&b, card.shape)),
                    shadow,
                    xtaps,
                    ctaps,
                    rows_from: None,
                    cols_from: false,
                }
            })
            .collect();
        CardLayer {
            index,
            pixels,
            width: lw,
            height: lh,
            samples,
            alpha: draw.alpha,
            op: p.operator,
            border: premultiplied(card.border_color),
            shadow_colour: premultiplied(card.shadow.color),
            cols,
            rows,
            blur: draw.content_blur,
        }
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

    /// Draws output column x from the card's column `from[x]` (squeezev on the Y'CbCr path):
    /// the column tables rebuilt as `new` builds them, each reading its other column.
    pub(crate) fn draw_columns_from(&mut self, from: &[u32]) {
        let yuv = matches!(self.pixels, Pixels::Yuv { .. });
        let bias_x = match self.pixels {
            Pixels::Yuv { bias, .. } => bias[0],
            _ => 0.0,
        };
        let sizes = [self.width, self.width.div_ceil(2)];
        let cols = self.cols.clone();
        for smp in &mut self.samples {
            let at = |x: usize| from.get(x).map_or(x, |&c| c as usize);
            (smp.xtaps, smp.ctaps) = column_taps(&smp.map, &cols, sizes, bias_x, yuv, at);
            smp.cols_from = true;
        }
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

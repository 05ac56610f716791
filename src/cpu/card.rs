//! A card's weights on one row, from its geometry alone: how much of each pixel shows the
//! content (`wc`), the border (`wb`) and the shadow (`sh`). The shader's `card()` is
//! `wc · content + wb · border + sh · shadow · (1 − a)` with `a` the alpha of the first two;
//! the renderers combine the weights with the content in their own colour space.

use std::ops::Range;

use super::frame::Sample;

/// Weights of one motion sample on one row, for the columns `x0 .. x0 + len`.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub(crate) wc: Vec<f32>,
    pub(crate) wb: Vec<f32>,
    pub(crate) sh: Vec<f32>,
    /// Columns (absolute) where `wc` is 1 and `wb` 0.
    pub(crate) solid: Range<usize>,
    /// Whether `wb` is all zero (no border).
    pub(crate) no_border: bool,
    /// Whether `sh` is all zero.
    pub(crate) no_shadow: bool,
    /// Whether `wc` and `wb` are all zero (the card misses this row).
    pub(crate) no_card: bool,
    /// Columns (absolute) outside which `wc` and `wb` are zero: where content matters.
    pub(crate) card_cols: Range<usize>,
}

fn sized(v: &mut Vec<f32>, n: usize) -> &mut [f32] {
    if v.len() < n {
        v.resize(n, 0.0);
    }
    &mut v[..n]
}

impl Fields {
    /// Computes the weights of sample `s` on row `y` over columns `x0 .. x0 + n`. With
    /// `opaque_content` the shadow is left out (zero) where the card is solid: it cannot show
    /// there.
    pub(crate) fn compute(
        &mut self,
        s: &Sample,
        y: usize,
        x0: usize,
        n: usize,
        opaque_content: bool,
    ) {
        let end = x0 + n;
        let py = y as f32 + 0.5;
        let card_rows = s.card.rect[1] - 0.5 < py && py - 0.5 < s.card.rect[3];
        let wc = sized(&mut self.wc, n);
        let [rx0, _, rx1, _] = s.card.rect;
        let lo = (rx0.floor().max(0.0) as usize).clamp(x0, end);
        let hi = (rx1.ceil().max(0.0) as usize).clamp(lo, end);
        self.card_cols = if card_rows { lo..hi } else { 0..0 };
        self.no_card = self.card_cols.is_empty();
        if card_rows {
            s.card.row(y, x0, wc);
        } else {
            wc.fill(0.0);
        }
        let mut solid = if card_rows { s.card.solid(y) } else { 0..0 };
        let wb = sized(&mut self.wb, n);
        self.no_border = true;
        if let (Some(inner), true) = (&s.inner, card_rows) {
            // wc = cov · inside, wb = cov · (1 − inside).
            self.no_border = false;
            if inner.is_empty() {
                wb.copy_from_slice(wc);
                wc.fill(0.0);
                solid = 0..0;
            } else {
                inner.row(y, x0, wb);
                for (c, b) in wc.iter_mut().zip(wb.iter_mut()) {
                    let inside = *b;
                    let cov = *c;
                    *c = cov * inside;
                    *b = cov - *c;
                }
                let i = inner.solid(y);
                solid = solid.start.max(i.start)..solid.end.min(i.end);
            }
        } else {
            wb.fill(0.0);
        }
        let solid = solid.start.max(x0)..solid.end.min(end);
        self.solid = if solid.is_empty() { 0..0 } else { solid };
        let sh = sized(&mut self.sh, n);
        self.no_shadow = true;
        if let Some(shadow) = &s.shadow {
            self.no_shadow = false;
            if opaque_content && !self.solid.is_empty() {
                let (a, b) = (self.solid.start - x0, self.solid.end - x0);
                shadow.row(y, x0, &mut sh[..a]);
                sh[a..b].fill(0.0);
                shadow.row(y, self.solid.end, &mut sh[b..]);
            } else {
                shadow.row(y, x0, sh);
            }
        } else {
            sh.fill(0.0);
        }
    }
}

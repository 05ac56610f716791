//! The general path: every row composited in premultiplied float RGBA at full resolution, as
//! the wgpu backend's composite texture holds it, then converted to the output format. Handles
//! every input, background, operator, effect and transition.

use std::ops::Range;
use std::time::{Duration, Instant};

use super::background::Backdrop;
use super::card::Fields;
use super::convert::{self, ChromaKernel};
use super::frame::CardLayer;
use super::sample::{sample_rgba, SampleScratch};
use super::transition::{PictureRows, TransitionLayer};
use crate::compose::{Operator, PixelFormat, PlaneMut, YuvColorimetry};

/// What is drawn over the background, bottom first.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    Card(Box<CardLayer<'a>>),
    Transition(Box<TransitionLayer<'a>>),
}

/// Premultiplied RGBA rows.
#[derive(Debug, Default)]
pub(crate) struct Rgba {
    pub(crate) c: [Vec<f32>; 4],
}

impl Rgba {
    pub(crate) fn resize(&mut self, n: usize) {
        for c in &mut self.c {
            c.resize(n, 0.0);
        }
    }

    /// Mutable slices of columns `range`.
    pub(crate) fn slices(&mut self, range: Range<usize>) -> [&mut [f32]; 4] {
        let [r, g, b, a] = &mut self.c;
        [
            &mut r[range.clone()],
            &mut g[range.clone()],
            &mut b[range.clone()],
            &mut a[range],
        ]
    }
}

/// Scratch of drawing a card's rows.
#[derive(Debug, Default)]
pub(crate) struct CardScratch {
    content: Rgba,
    acc: Rgba,
    cov: Vec<f32>,
    fields: Fields,
    sample: SampleScratch,
}

/// Scratch of one thread drawing rows.
#[derive(Debug, Default)]
pub(crate) struct RowScratch {
    pub(crate) dst: Rgba,
    card: CardScratch,
    pictures: PictureRows,
}

/// The columns of `cols` outside `hole`, as at most two ranges.
pub(crate) fn around(cols: Range<usize>, hole: &Range<usize>) -> [Range<usize>; 2] {
    if hole.is_empty() || hole.end <= cols.start || hole.start >= cols.end {
        // The empty part within `cols` too, so that offsets from `cols.start` stay valid.
        return [cols.clone(), cols.end..cols.end];
    }
    [
        cols.start..hole.start.max(cols.start),
        hole.end.min(cols.end)..cols.end,
    ]
}

/// Draws `layer`'s row `y` over columns `cols` (within its own) onto `dst`, whose index 0 is
/// column `dst_x0`, with `op`.
pub(crate) fn draw_card_row(
    layer: &CardLayer<'_>,
    op: Operator,
    y: usize,
    cols: Range<usize>,
    dst: &mut Rgba,
    dst_x0: usize,
    s: &mut CardScratch,
) {
    draw_row(layer, op, false, y, cols, dst, dst_x0, s);
}

/// `draw_card_row` with `Operator::Over` onto columns of `dst` that are transparent: the
/// interior of a card drawn at full opacity is sampled straight into `dst` (over transparent,
/// c · 1 + 0 · (1 − 1) is c).
pub(crate) fn draw_card_row_onto_clear(
    layer: &CardLayer<'_>,
    y: usize,
    cols: Range<usize>,
    dst: &mut Rgba,
    dst_x0: usize,
    s: &mut CardScratch,
) {
    draw_row(layer, Operator::Over, true, y, cols, dst, dst_x0, s);
}

/// `draw_card_row`; `clear`: `dst` is transparent over `cols`.
#[allow(clippy::too_many_arguments)]
fn draw_row(
    layer: &CardLayer<'_>,
    op: Operator,
    clear: bool,
    y: usize,
    cols: Range<usize>,
    dst: &mut Rgba,
    dst_x0: usize,
    s: &mut CardScratch,
) {
    if cols.is_empty() || !layer.rows.contains(&y) {
        return;
    }
    let inside = layer.interior_span(y);
    let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
    for part in around(cols, &inside) {
        draw_general(layer, op, y, part, dst, dst_x0, s);
    }
    if inside.is_empty() {
        return;
    }
    // The content alone (opaque, wholly covered): no weights to form.
    let n = inside.len();
    let smp = &layer.samples[0];
    let first = inside.start - layer.cols.start;
    let ty = smp.row(y);
    let (w, h) = (layer.width, layer.height);
    let k = layer.alpha;
    let x0 = inside.start - dst_x0;
    // Onto transparent at full opacity, the content is the result: sampled straight into `dst`.
    let straight = clear && op == Operator::Over && k == 1.0;
    let out = if straight {
        dst.slices(x0..x0 + n)
    } else {
        s.content.resize(n.max(s.content.c[0].len()));
        s.content.slices(0..n)
    };
    sample_rgba(
        &layer.pixels,
        w,
        h,
        &smp.xtaps,
        &smp.ctaps,
        ty,
        first,
        &mut s.sample,
        out,
    );
    if straight {
        return;
    }
    let d = dst.slices(x0..x0 + n);
    for (d, c) in d.into_iter().zip(&s.content.c) {
        let c = &c[..n];
        match op {
            Operator::Over => {
                for (d, &c) in d.iter_mut().zip(c) {
                    *d = c * k + *d * (1.0 - k);
                }
            }
            Operator::Add => {
                for (d, &c) in d.iter_mut().zip(c) {
                    *d += c * k;
                }
            }
            Operator::Source => {
                for (d, &c) in d.iter_mut().zip(c) {
                    *d = c * k;
                }
            }
        }
    }
}

/// `draw_card_row` from the card's weights, pixel by pixel.
fn draw_general(
    layer: &CardLayer<'_>,
    op: Operator,
    y: usize,
    cols: Range<usize>,
    dst: &mut Rgba,
    dst_x0: usize,
    s: &mut CardScratch,
) {
    let CardScratch {
        content,
        acc,
        cov,
        fields,
        sample,
    } = s;
    let n = cols.len();
    if n == 0 {
        return;
    }
    content.resize(n.max(content.c[0].len()));
    acc.resize(n.max(acc.c[0].len()));
    if cov.len() < n {
        cov.resize(n, 0.0);
    }
    let opaque = layer.opaque_content();
    let first = cols.start - layer.cols.start;
    let mut any = false;
    let b = layer.border;
    let sc = layer.shadow_colour;
    for (k, s) in layer.samples.iter().enumerate() {
        fields.compute(s, y, cols.start, n, opaque);
        let (wc, wb, sh) = (&fields.wc[..n], &fields.wb[..n], &fields.sh[..n]);
        if fields.no_card && fields.no_shadow {
            if k == 0 {
                for c in &mut acc.c {
                    c[..n].fill(0.0);
                }
                cov[..n].fill(0.0);
            }
            continue;
        }
        any = true;
        let [cr, cg, cb, ca] = content.slices(0..n);
        // Content only where the card is; its weight is 0 elsewhere.
        for c in [&mut *cr, &mut *cg, &mut *cb, &mut *ca] {
            c.fill(0.0);
        }
        let cc = fields.card_cols.clone();
        if !cc.is_empty() {
            let (a, b) = (cc.start - cols.start, cc.end - cols.start);
            let ty = s.row(y);
            sample_rgba(
                &layer.pixels,
                layer.width,
                layer.height,
                &s.xtaps,
                &s.ctaps,
                ty,
                first + a,
                sample,
                [&mut cr[a..b], &mut cg[a..b], &mut cb[a..b], &mut ca[a..b]],
            );
        }
        let [ar, ag, ab, aa] = acc.slices(0..n);
        let fresh = k == 0;
        for i in 0..n {
            let (wc, wb, sh) = (wc[i], wb[i], sh[i]);
            let a = wc * ca[i] + wb * b[3];
            let t = sh * (1.0 - a);
            let px = [
                wc * cr[i] + wb * b[0] + t * sc[0],
                wc * cg[i] + wb * b[1] + t * sc[1],
                wc * cb[i] + wb * b[2] + t * sc[2],
                a + t * sc[3],
            ];
            if fresh {
                ar[i] = px[0];
                ag[i] = px[1];
                ab[i] = px[2];
                aa[i] = px[3];
                cov[i] = wc + wb;
            } else {
                ar[i] += px[0];
                ag[i] += px[1];
                ab[i] += px[2];
                aa[i] += px[3];
                cov[i] += wc + wb;
            }
        }
    }
    if !any {
        return;
    }
    let ns = layer.samples.len() as f32;
    let k = layer.alpha / ns;
    let x0 = cols.start - dst_x0;
    let [dr, dg, db, da] = dst.slices(x0..x0 + n);
    let [ar, ag, ab, aa] = acc.slices(0..n);
    match op {
        Operator::Over => {
            for i in 0..n {
                let keep = 1.0 - aa[i] * k;
                dr[i] = ar[i] * k + dr[i] * keep;
                dg[i] = ag[i] * k + dg[i] * keep;
                db[i] = ab[i] * k + db[i] * keep;
                da[i] = aa[i] * k + da[i] * keep;
            }
        }
        Operator::Add => {
            for i in 0..n {
                dr[i] += ar[i] * k;
                dg[i] += ag[i] * k;
                db[i] += ab[i] * k;
                da[i] += aa[i] * k;
            }
        }
        Operator::Source => {
            for i in 0..n {
                let keep = 1.0 - cov[i] / ns;
                dr[i] = ar[i] * k + dr[i] * keep;
                dg[i] = ag[i] * k + dg[i] * keep;
                db[i] = ab[i] * k + db[i] * keep;
                da[i] = aa[i] * k + da[i] * keep;
            }
        }
    }
}

/// A frame of the general path: background and items, bottom first.
#[derive(Debug)]
pub(crate) struct RgbScene<'a> {
    pub(crate) backdrop: Backdrop<'a>,
    pub(crate) items: Vec<Item<'a>>,
    pub(crate) width: usize,
}

impl RgbScene<'_> {
    /// Composites row `y` into `s.dst` (premultiplied RGBA, the whole width).
    pub(crate) fn row(&self, y: usize, s: &mut RowScratch) {
        let w = self.width;
        s.dst.resize(w);
        // The topmost card that hides what lies below it over part of this row.
        let mut hole = 0..0;
        let mut hole_at = 0;
        for (i, item) in self.items.iter().enumerate().rev() {
            if let Item::Card(l) = item {
                let span = l.solid_span(y);
                if !span.is_empty() {
                    hole = span;
                    hole_at = i;
                    break;
                }
            }
        }
        for cols in around(0..w, &hole) {
            if !cols.is_empty() {
                let slices = s.dst.slices(cols.clone());
                self.backdrop.row(y, cols, &mut s.card.sample, slices);
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let hide = if i < hole_at { hole.clone() } else { 0..0 };
            match item {
                Item::Card(l) => {
                    for cols in around(l.cols.clone(), &hide) {
                        draw_card_row(l, l.op, y, cols, &mut s.dst, 0, &mut s.card);
                    }
                }
                Item::Transition(t) => t.row(y, &hide, &mut s.dst, &mut s.pictures),
            }
        }
    }
}

/// One band of the RGB path: rows composited, converted and written; returns the time spent
/// converting.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rgb_band(
    scene: &RgbScene<'_>,
    format: PixelFormat,
    colorimetry: &YuvColorimetry,
    kernel: &ChromaKernel,
    height: usize,
    band: Range<usize>,
    planes: &mut [PlaneMut<'_>],
    s: &mut RowScratch,
) -> Duration {
    let w = scene.width;
    // Rows drawn on demand belong to the frame they were drawn for.
    s.pictures.forget();
    let mut convert = Duration::ZERO;
    if !format.is_yuv() {
        let bgra = matches!(format, PixelFormat::Bgra | PixelFormat::Bgrx);
        for (i, y) in band.enumerate() {
            scene.row(y, s);
            let t = Instant::now();
            let [r, g, b, a] = &mut s.dst.c;
            convert::unpremultiply(r, g, b, a);
            let stride = planes[0].stride;
            let out = &mut planes[0].data[i * stride..][..w * 4];
            convert::write_packed([r, g, b, a], bgra, out);
            convert += t.elapsed();
        }
        return convert;
    }
    // YUV: straight RGB rows kept in a ring of three (a chroma row reads up to three).
    let m = colorimetry.rgb_to_yuv();
    let mut ring: [(Option<usize>, [Vec<f32>; 3]); 3] = Default::default();
    let mut luma = vec![0.0f32; w];
    let mut u = vec![0.0f32; w.div_ceil(2)];
    let mut v = vec![0.0f32; w.div_ceil(2)];
    let mut tmp: [Vec<f32>; 3] = Default::default();
    let ensure = |y: usize, s: &mut RowScratch, ring: &mut [(Option<usize>, [Vec<f32>; 3]); 3]| {
        let slot = &mut ring[y % 3];
        if slot.0 == Some(y) {
            return;
        }
        scene.row(y, s);
        let [r, g, b, a] = &mut s.dst.c;
        convert::unpremultiply(r, g, b, a);
        for (dst, src) in slot.1.iter_mut().zip([&*r, &*g, &*b]) {
            dst.clear();
            dst.extend_from_slice(&src[..w]);
        }
        slot.0 = Some(y);
    };
    let j0 = band.start;
    for j in band {
        let rows = kernel.rows(j);
        for &(y, _) in &rows {
            ensure(y, s, &mut ring);
        }
        for y in [2 * j, 2 * j + 1] {
            if y >= height {
                continue;
            }
            ensure(y, s, &mut ring);
            let t = Instant::now();
            let [r, g, b] = &ring[y % 3].1;
            convert::luma(&m, [r, g, b], &mut luma);
            let stride = planes[0].stride;
            let out = &mut planes[0].data[(y - 2 * j0) * stride..][..w];
            convert::quantise(&luma, out);
            convert += t.elapsed();
        }
        let t = Instant::now();
        let picked: Vec<[&[f32]; 3]> = rows
            .iter()
            .map(|(y, _)| {
                let [r, g, b] = &ring[y % 3].1;
                [&r[..], &g[..], &b[..]]
            })
            .collect();
        let weights = rows.map(|(_, w)| w);
        convert::chroma(&m, kernel, &picked, &weights, &mut tmp, &mut u, &mut v);
        write_chroma(format, planes, j - j0, &u, &v);
        convert += t.elapsed();
    }
    convert
}

/// Writes chroma row `j` (relative to the band) of an I420 or NV12 output.
fn write_chroma(format: PixelFormat, planes: &mut [PlaneMut<'_>], j: usize, u: &[f32], v: &[f32]) {
    let cw = u.len();
    match format {
        PixelFormat::Nv12 => {
            let stride = planes[1].stride;
            let out = &mut planes[1].data[j * stride..][..cw * 2];
            for ((px, u), v) in out.chunks_exact_mut(2).zip(u).zip(v) {
                px[0] = convert::code(*u);
                px[1] = convert::code(*v);
            }
        }
        _ => {
            for (p, src) in [(1, u), (2, v)] {
                let stride = planes[p].stride;
                let out = &mut planes[p].data[j * stride..][..cw];
                convert::quantise(src, out);
            }
        }
    }
}

//! Cards on the YUV path: one layer's card, or a fade's two cards summed before they are
//! blended (the transition's buffers are never formed: each card adds its share directly).

use std::ops::Range;

use super::{premultiplied_yuv, sized, YuvScratch};
use crate::compose::Affine3;
use crate::compose::Plane;
use crate::cpu::card::Fields;
use crate::cpu::convert::ChromaKernel;
use crate::cpu::frame::CardLayer;
use crate::cpu::resample::width_of;
use crate::cpu::rgb::around;
use crate::cpu::sample::{sample_u8, Channel, Pixels, RowAt};
use crate::cpu::taps::Taps;

/// One card of the YUV path.
#[derive(Debug)]
pub(super) struct YuvCard<'a> {
    pub(super) card: CardLayer<'a>,
    luma: Plane<'a>,
    u: Channel<'a>,
    v: Channel<'a>,
    bias_v: f64,
    /// Border and shadow colours, premultiplied Y'CbCr + alpha.
    border: [f32; 4],
    shadow: [f32; 4],
    /// Chroma columns the card can touch.
    ccols: Range<usize>,
    /// Per sample: chroma columns `ccols` read straight from the source's chroma plane, each
    /// output chroma sample through its own footprint (where the card is its content alone).
    ctaps: Vec<Taps>,
    /// The card's alpha times its share (1, or a fade's weight).
    k: f32,
}

/// Chroma columns or rows whose kernel can reach luma range `r`.
pub(super) fn chroma_reach(r: &Range<usize>, n: usize) -> Range<usize> {
    (r.start.saturating_sub(2) / 2)..(r.end / 2 + 1).min(n)
}

impl<'a> YuvCard<'a> {
    /// `card` (with YUV pixels) drawn with `share` of its alpha.
    pub(super) fn new(
        card: CardLayer<'a>,
        share: f32,
        m: &Affine3,
        kernel: &ChromaKernel,
    ) -> Option<Self> {
        let Pixels::Yuv {
            luma, u, v, bias, ..
        } = card.pixels
        else {
            return None;
        };
        let ccols = chroma_reach(&card.cols, kernel.x.len());
        let scw = card.width.div_ceil(2);
        let ctaps = card
            .samples
            .iter()
            .map(|s| {
                // An output chroma sample stands for two output columns: a footprint of
                // 2 · scale source columns, half that in source chroma columns. Unscaled with
                // the same siting and an even offset, that is one source sample exactly.
                let fx = width_of(s.map.src[2]);
                let mut t = Taps::default();
                t.build_filtered(ccols.len(), scw, |i, push| {
                    let x = s.map.tx(kernel.centre_x(ccols.start + i));
                    push(x * 0.5 + bias[0], fx, 1.0)
                });
                t
            })
            .collect();
        Some(YuvCard {
            border: premultiplied_yuv(m, card.border),
            shadow: premultiplied_yuv(m, card.shadow_colour),
            luma,
            u,
            v,
            bias_v: bias[1],
            ccols,
            ctaps,
            k: card.alpha * share,
            card,
        })
    }

    /// Luma of the content of the (single) sample on row `y`, columns `cols`, into `out`.
    fn content_luma(
        &self,
        si: usize,
        y: usize,
        cols: Range<usize>,
        tmp: &mut Vec<f32>,
        out: &mut [f32],
    ) {
        let smp = &self.card.samples[si];
        let at = smp.row(y).rows(self.card.height);
        let first = cols.start - self.card.cols.start;
        let (rows, w) = (at.rows(), at.weights());
        sample_u8(
            &smp.xtaps,
            &self.luma,
            rows,
            w,
            1,
            0,
            1.0 / 255.0,
            first,
            tmp,
            out,
        );
    }

    /// U and V of the content of sample `si` for chroma row `j`, columns `cols`.
    #[allow(clippy::too_many_arguments)]
    fn content_chroma(
        &self,
        kernel: &ChromaKernel,
        si: usize,
        j: usize,
        cols: Range<usize>,
        tmp: &mut Vec<f32>,
        u: &mut [f32],
        v: &mut [f32],
    ) {
        // Read at chroma resolution, like the columns (see `ctaps`).
        let map = &self.card.samples[si].map;
        let ty = map.ty(kernel.centre_y(j));
        let at = RowAt::new(ty, 2.0 * width_of(map.src[3])).chroma(self.bias_v);
        let list = at.rows(self.card.height.div_ceil(2));
        let first = cols.start - self.ccols.start;
        for (chan, out) in [(&self.u, u), (&self.v, v)] {
            let (step, offset) = (chan.step, chan.offset);
            sample_u8(
                &self.ctaps[si],
                &chan.plane,
                list.rows(),
                list.weights(),
                step,
                offset,
                1.0 / 255.0,
                first,
                tmp,
                out,
            );
        }
    }

    /// The chroma columns of chroma row `j` where the card is its content alone on every
    /// luma row the kernel reads.
    fn chroma_interior(&self, kernel: &ChromaKernel, j: usize) -> Range<usize> {
        let mut span: Option<Range<usize>> = None;
        for (y, w) in kernel.rows(j) {
            if w != 0.0 {
                let s = self.card.interior_span(y);
                span = Some(match span {
                    None => s,
                    Some(p) => p.start.max(s.start)..p.end.min(s.end),
                });
            }
        }
        kernel.inside(span.unwrap_or(0..0))
    }

    /// Adds `k` times the card's luma contribution (premultiplied Y, alpha) on row `y` over
    /// `cols` into `acc`, `acc_a` (indexed from `cols.start`), from its weights.
    fn add_luma(
        &self,
        y: usize,
        cols: Range<usize>,
        k: f32,
        acc: &mut [f32],
        acc_a: &mut [f32],
        w: &mut Work,
    ) {
        let n = cols.len();
        let (b, sc) = (self.border, self.shadow);
        let k = k / self.card.samples.len() as f32;
        for (si, smp) in self.card.samples.iter().enumerate() {
            w.fields.compute(smp, y, cols.start, n, true);
            let f = &w.fields;
            if f.no_card && f.no_shadow {
                continue;
            }
            let content = sized(&mut w.content, n);
            if f.no_card {
                content.fill(0.0);
            } else {
                self.content_luma(si, y, cols.clone(), &mut w.tmp, content);
            }
            let (wc, wb, sh) = (&f.wc[..n], &f.wb[..n], &f.sh[..n]);
            for i in 0..n {
                let a = wc[i] + wb[i] * b[3];
                let t = sh[i] * (1.0 - a);
                acc[i] += k * (wc[i] * content[i] + wb[i] * b[0] + t * sc[0]);
                acc_a[i] += k * (a + t * sc[3]);
            }
        }
    }

    /// Adds `k` times the card's chroma contribution on chroma row `j` over `cols`, as the wgpu
    /// backend's conversion forms it: the card at each luma-resolution pixel of the kernel (its
    /// weights times the source's chroma sampled there), averaged through the kernel.
    #[allow(clippy::too_many_arguments)]
    fn add_chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        k: f32,
        mut acc: [&mut [f32]; 3],
        w: &mut Work,
    ) {
        let n = cols.len();
        let (b, sc) = (self.border, self.shadow);
        let k = k / self.card.samples.len() as f32;
        let span = kernel.x.span(cols.clone());
        let lc = span.start.max(self.card.cols.start)..span.end.min(self.card.cols.end);
        if lc.is_empty() {
            return;
        }
        let (o, m) = (lc.start - span.start, lc.len());
        let first = lc.start - self.card.cols.start;
        let ch = self.card.height.div_ceil(2);
        for smp in &self.card.samples {
            for v in &mut w.lw {
                sized(v, span.len()).fill(0.0);
            }
            let mut hit = false;
            for (y, wy) in kernel.rows(j) {
                if wy == 0.0 || !self.card.rows.contains(&y) {
                    continue;
                }
                w.fields.compute(smp, y, lc.start, m, true);
                let f = &w.fields;
                if f.no_card && f.no_shadow {
                    continue;
                }
                hit = true;
                let cu = sized(&mut w.cu, m);
                let cv = sized(&mut w.content, m);
                if f.no_card {
                    cu.fill(0.0);
                    cv.fill(0.0);
                } else {
                    // The source's chroma at this row's luma-resolution pixels.
                    let at = smp.row(y).chroma(self.bias_v).rows(ch);
                    for (chan, out) in [(&self.u, &mut *cu), (&self.v, &mut *cv)] {
                        let (step, offset) = (chan.step, chan.offset);
                        sample_u8(
                            &smp.ctaps,
                            &chan.plane,
                            at.rows(),
                            at.weights(),
                            step,
                            offset,
                            1.0 / 255.0,
                            first,
                            &mut w.tmp,
                            out,
                        );
                    }
                }
                let [lu, lv, la] = &mut w.lw;
                for i in 0..m {
                    let (wc, wb, sh) = (f.wc[i], f.wb[i], f.sh[i]);
                    let a = wc + wb * b[3];
                    let t = sh * (1.0 - a);
                    lu[o + i] += wy * (wc * cu[i] + wb * b[1] + t * sc[1]);
                    lv[o + i] += wy * (wc * cv[i] + wb * b[2] + t * sc[2]);
                    la[o + i] += wy * (a + t * sc[3]);
                }
            }
            if !hit {
                continue;
            }
            for (acc, lwv) in w.cwts.iter_mut().zip(&w.lw) {
                kernel.x.apply(lwv, span.start, cols.start, sized(acc, n));
            }
            for (a, c) in acc.iter_mut().zip(&w.cwts) {
                for (a, &c) in a.iter_mut().zip(c.iter()) {
                    *a += k * c;
                }
            }
        }
    }
}

/// Per-thread scratch of card drawing.
#[derive(Debug, Default)]
pub(super) struct Work {
    fields: Fields,
    content: Vec<f32>,
    cu: Vec<f32>,
    tmp: Vec<f32>,
    /// A chroma row's U, V and alpha contributions at luma resolution, its luma rows combined.
    lw: [Vec<f32>; 3],
    /// The same through the kernel.
    cwts: [Vec<f32>; 3],
}

/// What is drawn over the background: one card, or a fade's two.
#[derive(Debug)]
pub(super) struct YuvItem<'a> {
    pub(super) parts: Vec<YuvCard<'a>>,
    pub(super) cols: Range<usize>,
    pub(super) rows: Range<usize>,
    pub(super) ccols: Range<usize>,
    pub(super) crows: Range<usize>,
}

impl<'a> YuvItem<'a> {
    /// An item of `parts` (at least one).
    pub(super) fn new(parts: Vec<YuvCard<'a>>, cw: usize, ch: usize) -> Option<Self> {
        let union = |f: &dyn Fn(&YuvCard<'a>) -> Range<usize>| {
            parts
                .iter()
                .map(f)
                .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        };
        let cols = union(&|p| p.card.cols.clone())?;
        let rows = union(&|p| p.card.rows.clone())?;
        Some(YuvItem {
            ccols: chroma_reach(&cols, cw),
            crows: chroma_reach(&rows, ch),
            cols,
            rows,
            parts,
        })
    }

    /// The columns of luma row `y` the item replaces outright.
    pub(super) fn hides(&self, y: usize) -> Range<usize> {
        match self.parts.as_slice() {
            [p] if p.k >= 1.0 => p.card.solid_span(y),
            _ => 0..0,
        }
    }

    /// Draws luma row `y` over `cols` onto `d` (indexed from column 0).
    pub(super) fn luma(&self, y: usize, cols: Range<usize>, d: &mut [f32], s: &mut YuvScratch) {
        if let [p] = self.parts.as_slice() {
            // Where the card is its content alone, the content is sampled straight into the
            // row (k = 1) or mixed with it.
            let inside = p.card.interior_span(y);
            let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
            for part in around(cols, &inside) {
                if !part.is_empty() {
                    self.blend_luma(y, part, d, s);
                }
            }
            if !inside.is_empty() {
                let out = &mut d[inside.clone()];
                if p.k >= 1.0 {
                    p.content_luma(0, y, inside, &mut s.work.tmp, out);
                } else {
                    let c = sized(&mut s.acc[0], inside.len());
                    p.content_luma(0, y, inside, &mut s.work.tmp, c);
                    let keep = 1.0 - p.k;
                    for (d, &c) in out.iter_mut().zip(c.iter()) {
                        *d = c * p.k + *d * keep;
                    }
                }
            }
            return;
        }
        self.blend_luma(y, cols, d, s);
    }

    /// Sums every part's contribution over `cols`, then blends it over `d`.
    fn blend_luma(&self, y: usize, cols: Range<usize>, d: &mut [f32], s: &mut YuvScratch) {
        let n = cols.len();
        let [acc, _, acc_a] = &mut s.acc;
        let (acc, acc_a) = (sized(acc, n), sized(acc_a, n));
        acc.fill(0.0);
        acc_a.fill(0.0);
        for p in &self.parts {
            if !p.card.rows.contains(&y) {
                continue;
            }
            let pc = cols.start.max(p.card.cols.start)..cols.end.min(p.card.cols.end);
            if pc.is_empty() {
                continue;
            }
            // Where the card is its content alone, its share is k · content, alpha k.
            let inside = p.card.interior_span(y);
            let inside = inside.start.max(pc.start)..inside.end.min(pc.end);
            for part in around(pc, &inside) {
                if !part.is_empty() {
                    let r = part.start - cols.start..part.end - cols.start;
                    p.add_luma(
                        y,
                        part,
                        p.k,
                        &mut acc[r.clone()],
                        &mut acc_a[r],
                        &mut s.work,
                    );
                }
            }
            if !inside.is_empty() {
                let r = inside.start - cols.start..inside.end - cols.start;
                let c = sized(&mut s.work.cu, inside.len());
                p.content_luma(0, y, inside, &mut s.work.tmp, c);
                for ((a, aa), &c) in acc[r.clone()].iter_mut().zip(&mut acc_a[r]).zip(c.iter()) {
                    *a += p.k * c;
                    *aa += p.k;
                }
            }
        }
        for ((d, v), a) in d[cols].iter_mut().zip(acc.iter()).zip(acc_a.iter()) {
            *d = v + *d * (1.0 - a);
        }
    }

    /// Draws chroma row `j` over `cols` onto `du`, `dv`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        du: &mut [f32],
        dv: &mut [f32],
        s: &mut YuvScratch,
    ) {
        if let [p] = self.parts.as_slice() {
            let inside = p.chroma_interior(kernel, j);
            let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
            for part in around(cols, &inside) {
                if !part.is_empty() {
                    self.blend_chroma(kernel, j, part, du, dv, s);
                }
            }
            if !inside.is_empty() {
                let (u, v) = (&mut du[inside.clone()], &mut dv[inside.clone()]);
                if p.k >= 1.0 {
                    p.content_chroma(kernel, 0, j, inside, &mut s.work.tmp, u, v);
                } else {
                    let [cu, cv, _] = &mut s.acc;
                    let (cu, cv) = (sized(cu, inside.len()), sized(cv, inside.len()));
                    p.content_chroma(kernel, 0, j, inside, &mut s.work.tmp, cu, cv);
                    let keep = 1.0 - p.k;
                    for ((d, &c), (e, &c2)) in
                        u.iter_mut().zip(cu.iter()).zip(v.iter_mut().zip(cv.iter()))
                    {
                        *d = c * p.k + *d * keep;
                        *e = c2 * p.k + *e * keep;
                    }
                }
            }
            return;
        }
        self.blend_chroma(kernel, j, cols, du, dv, s);
    }

    #[allow(clippy::too_many_arguments)]
    fn blend_chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        du: &mut [f32],
        dv: &mut [f32],
        s: &mut YuvScratch,
    ) {
        let n = cols.len();
        let [au, av, aa] = &mut s.acc;
        let (au, av, aa) = (sized(au, n), sized(av, n), sized(aa, n));
        au.fill(0.0);
        av.fill(0.0);
        aa.fill(0.0);
        for p in &self.parts {
            let pc = cols.start.max(p.ccols.start)..cols.end.min(p.ccols.end);
            if pc.is_empty() {
                continue;
            }
            let inside = p.chroma_interior(kernel, j);
            let inside = inside.start.max(pc.start)..inside.end.min(pc.end);
            for part in around(pc, &inside) {
                if !part.is_empty() {
                    let r = part.start - cols.start..part.end - cols.start;
                    let acc = [&mut au[r.clone()], &mut av[r.clone()], &mut aa[r]];
                    p.add_chroma(kernel, j, part, p.k, acc, &mut s.work);
                }
            }
            if !inside.is_empty() {
                let r = inside.start - cols.start..inside.end - cols.start;
                let w = &mut s.work;
                let (cu, cv) = (
                    sized(&mut w.cu, inside.len()),
                    sized(&mut w.content, inside.len()),
                );
                p.content_chroma(kernel, 0, j, inside, &mut w.tmp, cu, cv);
                for (((u, v), a), (&cu, &cv)) in au[r.clone()]
                    .iter_mut()
                    .zip(&mut av[r.clone()])
                    .zip(&mut aa[r])
                    .zip(cu.iter().zip(cv.iter()))
                {
                    *u += p.k * cu;
                    *v += p.k * cv;
                    *a += p.k;
                }
            }
        }
        for i in 0..n {
            let keep = 1.0 - aa[i];
            du[cols.start + i] = au[i] + du[cols.start + i] * keep;
            dv[cols.start + i] = av[i] + dv[cols.start + i] * keep;
        }
    }
}

//! Cards on the YUV path: one layer's card, or a transition's two, combined as
//! `transition::split` routes the kind (the transition's buffers are never formed: each card
//! adds its share directly, or draws the spans it shows).

use std::ops::Range;

use super::{premultiplied_yuv, sized, ExactScratch, RowList, YuvScratch};
use crate::compose::Affine3;
use crate::compose::Plane;
use crate::cpu::card::Fields;
use crate::cpu::convert::ChromaKernel;
use crate::cpu::frame::{CardLayer, Sample};
use crate::cpu::resample::width_of;
use crate::cpu::rgb::around;
use crate::cpu::sample::{sample_u8, Channel, Pixels, RowAt};
use crate::cpu::taps::Taps;
use crate::transition::split::{prefix_sums, Blur, Mix, Part, Selection};

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
    /// Where the column tables of its (single) sample read each column's source sample alone
    /// (unscaled, on texel centres), luma and chroma: those table indices, and the source
    /// column minus the table index.
    identity: [Option<(Range<usize>, usize)>; 2],
}

/// The source column of output column `cols.start` when a table starting at output column
/// `start` copies all of `cols` (see `Taps::identity_run`).
fn copied(
    identity: &Option<(Range<usize>, usize)>,
    cols: &Range<usize>,
    start: usize,
) -> Option<usize> {
    let (run, offset) = identity.as_ref()?;
    let (a, b) = (cols.start.checked_sub(start)?, cols.end.checked_sub(start)?);
    (run.start <= a && b <= run.end).then(|| a.wrapping_add(*offset))
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
        let ctaps: Vec<Taps> = card
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
        let identity = match card.samples.as_slice() {
            [smp] => [
                smp.xtaps.identity_run(),
                ctaps.first().and_then(Taps::identity_run),
            ],
            _ => [None, None],
        };
        Some(YuvCard {
            identity,
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
        let smp = &self.card.samples[si];
        let ch = self.card.height.div_ceil(2);
        if smp.cols_from {
            self.chroma_by_columns(kernel, si, j, cols, tmp, [u, v]);
            return;
        }
        let first = cols.start - self.ccols.start;
        let taps = &self.ctaps[si];
        if smp.remapped() {
            // Rows drawn from elsewhere: the chroma of each luma row the kernel reads, at the
            // card's row drawn there, through the kernel's weights.
            let list = self.kernel_chroma_rows(smp, kernel, j);
            let rows = (&list.rows()[..list.n], list.weights());
            self.read_chroma(taps, rows, first, tmp, [u, v]);
            return;
        }
        // Read at chroma resolution, like the columns (see `ctaps`).
        let map = &smp.map;
        let ty = map.ty(kernel.centre_y(j));
        let at = RowAt::new(ty, 2.0 * width_of(map.src[3])).chroma(self.bias_v);
        let list = at.rows(ch);
        self.read_chroma(taps, (list.rows(), list.weights()), first, tmp, [u, v]);
    }

    /// `content_chroma` of a card whose columns come from elsewhere (`Sample::cols_from`): the
    /// source's chroma at each luma-resolution pixel of the kernel (the column tables at luma
    /// resolution), averaged through the kernel, as `add_chroma` forms it.
    #[allow(clippy::too_many_arguments)]
    fn chroma_by_columns(
        &self,
        kernel: &ChromaKernel,
        si: usize,
        j: usize,
        cols: Range<usize>,
        tmp: &mut Vec<f32>,
        out: [&mut [f32]; 2],
    ) {
        let smp = &self.card.samples[si];
        let n = cols.len();
        let span = kernel.x.span(cols.clone());
        let lc = span.start.max(self.card.cols.start)..span.end.min(self.card.cols.end);
        let (o, m) = (lc.start.saturating_sub(span.start), lc.len());
        let first = lc.start.saturating_sub(self.card.cols.start);
        let mut sum = [vec![0.0f32; span.len()], vec![0.0f32; span.len()]];
        if m > 0 {
            let [su, sv] = &mut sum;
            let out = [&mut su[o..o + m], &mut sv[o..o + m]];
            self.chroma_line(smp, kernel, j, first, tmp, out);
        }
        for (sum, out) in sum.iter().zip(out) {
            kernel.x.apply(sum, span.start, cols.start, &mut out[..n]);
        }
    }

    /// The source's U and V at the luma-resolution pixels of luma row `y` of sample `smp`, from
    /// its column table's output `first` (as many as `out` holds).
    fn chroma_at_row(
        &self,
        smp: &Sample,
        y: usize,
        first: usize,
        tmp: &mut Vec<f32>,
        out: [&mut [f32]; 2],
    ) {
        let at = smp
            .row(y)
            .chroma(self.bias_v)
            .rows(self.card.height.div_ceil(2));
        self.read_chroma(&smp.ctaps, (at.rows(), at.weights()), first, tmp, out);
    }

    /// The source's U and V at the luma-resolution pixels of the luma rows chroma row `j`'s
    /// kernel reads, combined with the kernel's weights (what `add_chroma` sums before the
    /// horizontal kernel), for sample `smp` from its column table's output `first` (as many as
    /// `out` holds). The rows are combined before the columns are read (both linear): one read
    /// per channel, not one per row.
    fn chroma_line(
        &self,
        smp: &Sample,
        kernel: &ChromaKernel,
        j: usize,
        first: usize,
        tmp: &mut Vec<f32>,
        out: [&mut [f32]; 2],
    ) {
        let list = self.kernel_chroma_rows(smp, kernel, j);
        if list.n == 0 {
            for o in out {
                o.fill(0.0);
            }
            return;
        }
        let rows = (&list.rows()[..list.n], list.weights());
        self.read_chroma(&smp.ctaps, rows, first, tmp, out);
    }

    /// The source chroma rows of sample `smp` on the luma rows chroma row `j`'s kernel reads
    /// (those of the card), with the kernel's weights times the rows' own.
    fn kernel_chroma_rows(&self, smp: &Sample, kernel: &ChromaKernel, j: usize) -> RowList {
        let ch = self.card.height.div_ceil(2);
        let mut list = RowList::default();
        for (y, wy) in kernel.rows(j) {
            if wy == 0.0 || !self.card.rows.contains(&y) {
                continue;
            }
            let at = smp.row(y).chroma(self.bias_v).rows(ch);
            for (&r, &w) in at.rows().iter().zip(at.weights()) {
                list.push(r, wy * w);
            }
        }
        list
    }

    /// U and V of the card: source chroma rows `rows` (with their weights) read through column
    /// table `taps` from output `first`.
    fn read_chroma(
        &self,
        taps: &Taps,
        (rows, weights): (&[usize], &[f32]),
        first: usize,
        tmp: &mut Vec<f32>,
        out: [&mut [f32]; 2],
    ) {
        for (chan, out) in [&self.u, &self.v].into_iter().zip(out) {
            let (step, offset) = (chan.step, chan.offset);
            let plane = &chan.plane;
            sample_u8(
                taps,
                plane,
                rows,
                weights,
                step,
                offset,
                1.0 / 255.0,
                first,
                tmp,
                out,
            );
        }
    }

    /// Where on row `y` the content over `cols` is the source's luma bytes as they are (one
    /// sample, unscaled, on texel centres): their source (row, first column).
    fn direct_luma(&self, y: usize, cols: &Range<usize>) -> Option<(usize, usize)> {
        let [smp] = self.card.samples.as_slice() else {
            return None;
        };
        let col = copied(&self.identity[0], cols, self.card.cols.start)?;
        let row = smp.row(y).rows(self.card.height).single()?;
        Some((row, col))
    }

    /// The same for chroma row `j` over chroma columns `cols`, read at chroma resolution as
    /// `content_chroma` reads them.
    fn direct_chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: &Range<usize>,
    ) -> Option<(usize, usize)> {
        let col = copied(&self.identity[1], cols, self.ccols.start)?;
        if self.card.samples[0].remapped() || self.card.samples[0].cols_from {
            return None;
        }
        let map = &self.card.samples[0].map;
        let at =
            RowAt::new(map.ty(kernel.centre_y(j)), 2.0 * width_of(map.src[3])).chroma(self.bias_v);
        let row = at.rows(self.card.height.div_ceil(2)).single()?;
        Some((row, col))
    }

    /// The source bytes of a direct copy: luma (`chroma` false) or one chroma channel
    /// (`chroma` 1 for U, 2 for V), `n` samples from (row, col), with their step.
    pub(super) fn source(
        &self,
        plane: usize,
        (row, col): (usize, usize),
        n: usize,
    ) -> (&'a [u8], usize) {
        let (p, step, offset) = match plane {
            0 => (&self.luma, 1, 0),
            1 => (&self.u.plane, self.u.step, self.u.offset),
            _ => (&self.v.plane, self.v.step, self.v.offset),
        };
        let at = row * p.stride + col * step + offset;
        let data: &'a [u8] = p.data;
        (&data[at..at + (n - 1) * step + 1], step)
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
    #[allow(clippy::too_many_arguments)]
    fn add_luma(
        &self,
        y: usize,
        cols: Range<usize>,
        k: f32,
        wts: Option<&[f32]>,
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
                let k = k * wts.map_or(1.0, |w| w[i]);
                let a = wc[i] + wb[i] * b[3];
                let t = sh[i] * (1.0 - a);
                acc[i] += k * (wc[i] * content[i] + wb[i] * b[0] + t * sc[0]);
                acc_a[i] += k * (a + t * sc[3]);
            }
        }
    }

    /// Adds `k` times the card's chroma contribution on chroma row `j` over `cols`, as the wgpu
    /// backend's conversion forms it: the card at each luma-resolution pixel of the kernel (its
    /// weights times the source's chroma sampled there), averaged through the kernel. `wts`
    /// weighs each chroma sample (indexed as `acc`), `lwt` each luma-resolution pixel (y, x).
    #[allow(clippy::too_many_arguments)]
    fn add_chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        k: f32,
        (wts, lwt): (Option<&[f32]>, Option<(&PixelWeights<'_>, Part)>),
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
        for smp in &self.card.samples {
            for v in &mut w.lw {
                sized(v, span.len()).fill(0.0);
            }
            let mut hit = false;
            for (y, wy) in kernel.rows(j) {
                if wy == 0.0 || !self.card.rows.contains(&y) {
                    continue;
                }
                // This part's weight per pixel of the row, when weighed so (none: weight 0).
                let lrow = match lwt {
                    Some((pw, part)) => match pw.get(y, part) {
                        Some(r) => Some(&r[lc.start - pw.x0..]),
                        None => continue,
                    },
                    None => None,
                };
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
                    self.chroma_at_row(smp, y, first, &mut w.tmp, [&mut *cu, &mut *cv]);
                }
                let [lu, lv, la] = &mut w.lw;
                for i in 0..m {
                    let wy = wy * lrow.map_or(1.0, |r| r[i]);
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
                for (i, (a, &c)) in a.iter_mut().zip(c.iter()).enumerate() {
                    *a += k * wts.map_or(1.0, |w| w[i]) * c;
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

/// Columns of a row whose output bytes are a part's source bytes as they are: copied, not
/// computed (see `YuvScene::band`).
#[derive(Debug, Clone)]
pub(super) struct Direct {
    pub(super) cols: Range<usize>,
    /// The item and its part.
    pub(super) item: usize,
    pub(super) part: usize,
    /// Source row and first column.
    pub(super) at: (usize, usize),
}

/// Records columns `cols` of part `part` for a byte copy (`Direct`) when its share `k` is whole,
/// its item is the topmost there (`YuvScratch::direct_item`) and `at` finds its source bytes;
/// true then.
fn copy_directly(
    s: &mut YuvScratch,
    k: f32,
    part: usize,
    cols: &Range<usize>,
    at: impl FnOnce() -> Option<(usize, usize)>,
) -> bool {
    let Some(item) = s.direct_item.filter(|_| k >= 1.0) else {
        return false;
    };
    let Some(at) = at() else {
        return false;
    };
    s.direct.push(Direct {
        cols: cols.clone(),
        item,
        part,
        at,
    });
    true
}

/// How an item's parts combine.
#[derive(Debug)]
pub(super) enum Mode {
    /// Each part its constant share (in its `k`), plus `colour_k` of the colour: one card, and
    /// the fades (fade, fadeblack, fadewhite).
    Sum { colour_k: f32 },
    /// Per row, spans each showing one part alone or the colour: wipes, slides, covers,
    /// reveals (their cards already moved), crops.
    Select(Selection),
    /// Per pixel weights from the kind's formula: the other mixing transitions.
    Mix(Mix),
    /// Averages of the mixed parts along each row (hblur; parts that cover the frame as plain
    /// rectangles).
    Blur(Blur),
}

/// What is drawn over the background: one card, or a transition's two.
#[derive(Debug)]
pub(super) struct YuvItem<'a> {
    pub(super) parts: Vec<YuvCard<'a>>,
    /// Per part: FROM or TO (a lone card is FROM).
    roles: Vec<Part>,
    mode: Mode,
    /// The transition's colour, premultiplied Y'CbCr, opaque.
    colour: [f32; 4],
    width: usize,
    pub(super) cols: Range<usize>,
    pub(super) rows: Range<usize>,
    pub(super) ccols: Range<usize>,
    pub(super) crows: Range<usize>,
}

/// The last three rows of a mix's weights, whole: a chroma row reads the luma rows just drawn
/// (up to three, through its kernel), without copying them.
#[derive(Debug, Default)]
pub(super) struct MixRows {
    keys: [Option<(usize, usize)>; 3],
    rows: [[Vec<f32>; 3]; 3],
    next: usize,
}

impl MixRows {
    /// Forgets every row: keys are addresses, good within one frame only.
    pub(super) fn clear(&mut self) {
        self.keys = [None; 3];
    }

    /// The slot holding `mix`'s weights on row `y` (the whole row, `width` wide) for the item
    /// `key`, computed there unless they already are; never the slot of a row in `keep`.
    fn slot(&mut self, key: usize, mix: &Mix, y: usize, width: usize, keep: &[usize]) -> usize {
        if let Some(i) = self.keys.iter().position(|k| *k == Some((key, y))) {
            return i;
        }
        let kept = |i: usize| matches!(self.keys[i], Some((k, r)) if k == key && keep.contains(&r));
        let mut i = self.next;
        for _ in 0..3 {
            if !kept(i) {
                break;
            }
            i = (i + 1) % 3;
        }
        self.next = (i + 1) % 3;
        let [a, b, c] = &mut self.rows[i];
        mix.row(y, 0, [sized(a, width), sized(b, width), sized(c, width)]);
        self.keys[i] = Some((key, y));
        i
    }

    /// The FROM, TO and colour weights in slot `i` (see `slot`).
    fn weights(&self, i: usize) -> [&[f32]; 3] {
        self.rows[i].each_ref().map(|r| &r[..])
    }
}

/// A luma row and, per part, its weights there (none: 0).
type RowWeights<'w> = Option<(usize, [Option<&'w [f32]>; 3])>;

/// Weights of FROM, TO and the colour per luma-resolution pixel (from column `x0`) on the luma
/// rows of one chroma row's kernel.
pub(super) struct PixelWeights<'w> {
    rows: [RowWeights<'w>; 3],
    x0: usize,
}

impl<'w> PixelWeights<'w> {
    fn get(&self, y: usize, part: Part) -> Option<&'w [f32]> {
        let (_, w) = self.rows.iter().flatten().find(|(r, _)| *r == y)?;
        w[part as usize]
    }
}

/// How many labels from the first are equal to it (`l` not empty): 32 at a time first, in a
/// loop that vectorises, then one by one.
fn same_run(l: &[u8]) -> usize {
    let v = l[0];
    let mut k = 0;
    for c in l.chunks_exact(32) {
        if c.iter().fold(0u8, |acc, &b| acc | (b ^ v)) != 0 {
            break;
        }
        k += 32;
    }
    k + l[k..].iter().position(|&m| m != v).unwrap_or(l.len() - k)
}

/// Blends the sums `YuvItem::exact_row` formed (from index `at`) over columns `run`.
fn blend_exact(run: Range<usize>, at: usize, (du, dv): (&mut [f32], &mut [f32]), s: &YuvScratch) {
    let [su, sv, sa] = &s.exact.sums;
    let r = at..at + run.len();
    let sums = su[r.clone()].iter().zip(&sv[r.clone()]).zip(&sa[r]);
    for ((u, v), ((&su, &sv), &sa)) in du[run.clone()].iter_mut().zip(&mut dv[run]).zip(sums) {
        let keep = 1.0 - sa;
        *u = su + *u * keep;
        *v = sv + *v * keep;
    }
}

/// Draws a run of chroma samples that read more than one part.
type MixedRun<'f> =
    &'f mut dyn FnMut(&YuvItem<'_>, Range<usize>, (&mut [f32], &mut [f32]), &mut YuvScratch);

/// 1 for FROM, 2 for TO, 3 for the colour: a chroma sample's label (0: more than one).
fn label(part: Part) -> u8 {
    match part {
        Part::From => 1,
        Part::To => 2,
        Part::Colour => 3,
    }
}

impl<'a> YuvItem<'a> {
    /// An item of `parts` combined by `mode` over a frame of `size` (luma) and `csize`
    /// (chroma); `None` when it draws nothing.
    pub(super) fn new(
        parts: Vec<(YuvCard<'a>, Part)>,
        mode: Mode,
        colour: [f32; 4],
        [width, height]: [usize; 2],
        [cw, ch]: [usize; 2],
    ) -> Option<Self> {
        let union = |f: &dyn Fn(&YuvCard<'a>) -> Range<usize>| {
            parts
                .iter()
                .map(|(p, _)| f(p))
                .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        };
        let coloured = match &mode {
            Mode::Sum { colour_k } => *colour_k != 0.0,
            Mode::Select(s) => s.has_colour(),
            Mode::Mix(_) | Mode::Blur(_) => false,
        };
        let (cols, rows) = if coloured {
            (0..width, 0..height)
        } else {
            (
                union(&|p| p.card.cols.clone())?,
                union(&|p| p.card.rows.clone())?,
            )
        };
        let (parts, roles) = parts.into_iter().unzip();
        Some(YuvItem {
            ccols: chroma_reach(&cols, cw),
            crows: chroma_reach(&rows, ch),
            cols,
            rows,
            parts,
            roles,
            mode,
            colour,
            width,
        })
    }

    /// Tells this item's cached weights from another's.
    fn key(&self) -> usize {
        self as *const Self as usize
    }

    fn part(&self, role: Part) -> Option<&YuvCard<'a>> {
        self.roles
            .iter()
            .position(|r| *r == role)
            .map(|i| &self.parts[i])
    }

    /// The columns of luma row `y` the item replaces outright.
    pub(super) fn hides(&self, y: usize) -> Range<usize> {
        let solid = |p: &YuvCard<'_>| {
            if p.k >= 1.0 {
                p.card.solid_span(y)
            } else {
                0..0
            }
        };
        let meet = |a: Range<usize>, b: Range<usize>| a.start.max(b.start)..a.end.min(b.end);
        match &self.mode {
            Mode::Sum { colour_k: c } if self.parts.len() == 1 && *c == 0.0 => {
                solid(&self.parts[0])
            }
            // Shares summing to 1 of opaque parts: opaque wherever every part is solid.
            Mode::Sum { colour_k } => {
                let total: f32 = self.parts.iter().map(|p| p.k).sum::<f32>() + colour_k;
                if total < 1.0 - 1e-6 {
                    return 0..0;
                }
                let mut span = 0..self.width;
                for p in self.parts.iter().filter(|p| p.k > 0.0) {
                    if p.card.alpha < 1.0 {
                        return 0..0;
                    }
                    span = meet(span, p.card.solid_span(y));
                }
                span
            }
            Mode::Mix(_) | Mode::Blur(_) => match (self.part(Part::From), self.part(Part::To)) {
                (Some(a), Some(b)) if a.card.alpha >= 1.0 && b.card.alpha >= 1.0 => {
                    meet(a.card.solid_span(y), b.card.solid_span(y))
                }
                _ => 0..0,
            },
            Mode::Select(sel) => {
                // The longest run of spans each wholly solid (or partly, at the run's ends).
                let (mut best, mut run): (Range<usize>, Option<Range<usize>>) = (0..0, None);
                for (r, part) in sel.row(y).iter() {
                    let piece = match part {
                        Part::Colour => r.clone(),
                        _ => self.part(part).map_or(0..0, |p| meet(solid(p), r.clone())),
                    };
                    run = match run {
                        Some(q) if q.end == piece.start && !piece.is_empty() => {
                            Some(q.start..piece.end)
                        }
                        _ => (!piece.is_empty()).then_some(piece.clone()),
                    };
                    if let Some(q) = &run {
                        if q.len() > best.len() {
                            best = q.clone();
                        }
                    }
                    // A run continues only through a span solid to its end.
                    if piece.end != r.end {
                        run = None;
                    }
                }
                best
            }
        }
    }

    /// Whether, where it hides what lies below, the item still blends onto the row (so the
    /// row must hold something defined there).
    pub(super) fn blends_where_it_hides(&self) -> bool {
        match &self.mode {
            Mode::Sum { colour_k } => self.parts.len() > 1 || *colour_k != 0.0,
            Mode::Mix(_) | Mode::Blur(_) => true,
            Mode::Select(_) => false,
        }
    }

    /// Draws luma row `y` over `cols` onto `d` (indexed from column 0).
    pub(super) fn luma(&self, y: usize, cols: Range<usize>, d: &mut [f32], s: &mut YuvScratch) {
        match &self.mode {
            Mode::Sum { colour_k } if self.parts.len() == 1 && *colour_k == 0.0 => {
                self.single_luma(0, y, cols, d, s);
            }
            Mode::Sum { .. } => self.blend_luma(y, cols, d, s, None, None),
            Mode::Select(sel) => {
                for (r, part) in sel.row(y).iter() {
                    let r = r.start.max(cols.start)..r.end.min(cols.end);
                    if r.is_empty() {
                        continue;
                    }
                    match part {
                        Part::Colour => d[r].fill(self.colour[0]),
                        _ => {
                            if let Some(i) = self.roles.iter().position(|q| *q == part) {
                                self.single_luma(i, y, r, d, s);
                            }
                        }
                    }
                }
            }
            Mode::Blur(blur) => self.blur_luma(blur, y, cols, d, s),
            Mode::Mix(mix) => {
                // A row one picture shows alone (squeezeh, the row-by-row kinds' far rows):
                // that picture's row as it is (1 · c + d · (1 − 1) is c).
                let alone = match mix.uniform_row(y) {
                    Some([1.0, 0.0, 0.0]) => Some(Part::From),
                    Some([0.0, 1.0, 0.0]) => Some(Part::To),
                    _ => None,
                };
                if let Some(part) = alone {
                    if let Some(i) = self.roles.iter().position(|q| *q == part) {
                        self.single_luma(i, y, cols, d, s);
                    }
                    return;
                }
                let mut rows = std::mem::take(&mut s.mix_rows);
                let slot = rows.slot(self.key(), mix, y, self.width, &[]);
                let [wa, wb, _] = rows.weights(slot);
                let wts = [&wa[cols.clone()], &wb[cols.clone()]];
                self.blend_luma(y, cols, d, s, None, Some(wts));
                s.mix_rows = rows;
            }
        }
    }

    /// Draws part `i` alone (its share `k`) over `cols` of luma row `y`.
    fn single_luma(
        &self,
        i: usize,
        y: usize,
        cols: Range<usize>,
        d: &mut [f32],
        s: &mut YuvScratch,
    ) {
        let p = &self.parts[i];
        // Where the card is its content alone, the content is sampled straight into the row
        // (k = 1) or mixed with it.
        let inside = p.card.interior_span(y);
        let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
        for part in around(cols, &inside) {
            if !part.is_empty() {
                self.blend_luma(y, part, d, s, Some(i), None);
            }
        }
        if !inside.is_empty() {
            let out = &mut d[inside.clone()];
            if copy_directly(s, p.k, i, &inside, || p.direct_luma(y, &inside)) {
                // Copied byte for byte into the output row after the row is quantised.
            } else if p.k >= 1.0 {
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
    }

    /// Sums the parts' contributions over `cols` (only part `only` when given; weighed per
    /// pixel by `wts`, FROM's and TO's, indexed from `cols.start`), then blends the sum over `d`.
    fn blend_luma(
        &self,
        y: usize,
        cols: Range<usize>,
        d: &mut [f32],
        s: &mut YuvScratch,
        only: Option<usize>,
        wts: Option<[&[f32]; 2]>,
    ) {
        let n = cols.len();
        let colour_k = match (&self.mode, only) {
            (Mode::Sum { colour_k }, None) => *colour_k,
            _ => 0.0,
        };
        if only.is_none() && colour_k == 0.0 && self.blend_luma_inside(y, &cols, d, s, wts) {
            return;
        }
        let [acc, _, acc_a] = &mut s.acc;
        let (acc, acc_a) = (sized(acc, n), sized(acc_a, n));
        acc.fill(colour_k * self.colour[0]);
        acc_a.fill(colour_k);
        for (pi, p) in self.parts.iter().enumerate() {
            if only.is_some_and(|o| o != pi) || !p.card.rows.contains(&y) {
                continue;
            }
            let pc = cols.start.max(p.card.cols.start)..cols.end.min(p.card.cols.end);
            if pc.is_empty() {
                continue;
            }
            let wts = wts.map(|w| &w[(self.roles[pi] == Part::To) as usize][..n]);
            // Where the card is its content alone, its share is k · content, alpha k.
            let inside = p.card.interior_span(y);
            let inside = inside.start.max(pc.start)..inside.end.min(pc.end);
            for part in around(pc, &inside) {
                if !part.is_empty() {
                    let r = part.start - cols.start..part.end - cols.start;
                    let w = wts.map(|w| &w[r.clone()]);
                    p.add_luma(
                        y,
                        part,
                        p.k,
                        w,
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
                let (acc, acc_a) = (&mut acc[r.clone()], &mut acc_a[r.clone()]);
                match wts {
                    Some(w) => {
                        for (((a, aa), &c), &w) in
                            acc.iter_mut().zip(acc_a).zip(c.iter()).zip(&w[r])
                        {
                            let k = p.k * w;
                            *a += k * c;
                            *aa += k;
                        }
                    }
                    None => {
                        for ((a, aa), &c) in acc.iter_mut().zip(acc_a).zip(c.iter()) {
                            *a += p.k * c;
                            *aa += p.k;
                        }
                    }
                }
            }
        }
        for ((d, v), a) in d[cols].iter_mut().zip(acc.iter()).zip(acc_a.iter()) {
            *d = v + *d * (1.0 - a);
        }
    }

    /// `blend_luma` of two parts whose content alone covers `cols` (a fade or mix of two
    /// cards, inside both): the same sums in the same order, in one pass without the
    /// accumulators. False (nothing drawn) when that is not the case.
    fn blend_luma_inside(
        &self,
        y: usize,
        cols: &Range<usize>,
        d: &mut [f32],
        s: &mut YuvScratch,
        wts: Option<[&[f32]; 2]>,
    ) -> bool {
        let [a, b] = self.parts.as_slice() else {
            return false;
        };
        let covers = |p: &YuvCard<'_>| {
            let inside = p.card.interior_span(y);
            p.card.rows.contains(&y) && inside.start <= cols.start && cols.end <= inside.end
        };
        if !(covers(a) && covers(b)) {
            return false;
        }
        let n = cols.len();
        let [ca, cb, _] = &mut s.acc;
        let (ca, cb) = (sized(ca, n), sized(cb, n));
        a.content_luma(0, y, cols.clone(), &mut s.work.tmp, ca);
        b.content_luma(0, y, cols.clone(), &mut s.work.tmp, cb);
        let (ca, cb, d) = (&ca[..n], &cb[..n], &mut d[cols.clone()]);
        let blend = |d: &mut f32, ka: f32, kb: f32, ca: f32, cb: f32| {
            let v = 0.0 + ka * ca + kb * cb;
            let alpha = 0.0 + ka + kb;
            *d = v + *d * (1.0 - alpha);
        };
        // Slices of the same length throughout, so that the loops vectorise.
        if let Some(w) = wts {
            let wts = |pi: usize| &w[(self.roles[pi] == Part::To) as usize][..n];
            let (wa, wb) = (wts(0), wts(1));
            let inputs = ca.iter().zip(cb).zip(wa.iter().zip(wb));
            for (d, ((&ca, &cb), (&wa, &wb))) in d.iter_mut().zip(inputs) {
                blend(d, a.k * wa, b.k * wb, ca, cb);
            }
        } else {
            for (d, (&ca, &cb)) in d.iter_mut().zip(ca.iter().zip(cb)) {
                blend(d, a.k, b.k, ca, cb);
            }
        }
        true
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
        match &self.mode {
            Mode::Sum { colour_k } if self.parts.len() == 1 && *colour_k == 0.0 => {
                self.single_chroma(0, kernel, j, cols, (du, dv), s);
            }
            Mode::Sum { .. } => self.blend_chroma(kernel, j, cols, (du, dv), s, None, false),
            Mode::Select(sel) => self.select_chroma(sel, kernel, j, cols, (du, dv), s),
            Mode::Mix(mix) => self.mix_chroma(mix, kernel, j, cols, (du, dv), s),
            Mode::Blur(blur) => self.blur_chroma(blur, kernel, j, cols, (du, dv), s),
        }
    }

    /// Draws part `i` alone (its share `k`) over `cols` of chroma row `j`.
    fn single_chroma(
        &self,
        i: usize,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
    ) {
        let p = &self.parts[i];
        let inside = p.chroma_interior(kernel, j);
        let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
        for part in around(cols, &inside) {
            if !part.is_empty() {
                self.blend_chroma(kernel, j, part, (du, dv), s, Some(i), false);
            }
        }
        if !inside.is_empty() {
            let (u, v) = (&mut du[inside.clone()], &mut dv[inside.clone()]);
            if copy_directly(s, p.k, i, &inside, || p.direct_chroma(kernel, j, &inside)) {
                // Copied byte for byte after the row is quantised.
            } else if p.k >= 1.0 {
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
    }

    /// A selection's chroma row: samples whose kernel reads one part only take that part's
    /// fast path; those across a boundary weigh each luma-resolution pixel by the part it
    /// shows, as the conversion of the full-resolution picture would.
    fn select_chroma(
        &self,
        sel: &Selection,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
    ) {
        let n = cols.len();
        let rows = kernel.rows(j);
        let spans = rows.map(|(y, w)| (w != 0.0).then(|| (y, sel.row(y))));
        let mut labels = std::mem::take(&mut s.labels);
        let mut row_labels = std::mem::take(&mut s.row_labels);
        labels.clear();
        labels.resize(n, 255);
        for (_, sp) in spans.iter().flatten() {
            row_labels.clear();
            row_labels.resize(n, 0);
            for (r, part) in sp.iter() {
                let inside = kernel.inside(r);
                let inside = inside.start.max(cols.start)..inside.end.min(cols.end);
                if !inside.is_empty() {
                    row_labels[inside.start - cols.start..inside.end - cols.start]
                        .fill(label(part));
                }
            }
            for (l, &r) in labels.iter_mut().zip(row_labels.iter()) {
                *l = if *l == 255 || *l == r { r } else { 0 };
            }
        }
        let mut pw = std::mem::take(&mut s.sel_weights);
        self.chroma_runs(
            &mut labels,
            kernel,
            j,
            cols,
            (du, dv),
            s,
            &mut |item, run, d, s| {
                // Each part's weight, 0 or 1, per luma-resolution pixel the run's kernel reads.
                let span = kernel.x.span(run.clone());
                let mut rows = [None, None, None];
                for ((slot, sp), w) in rows.iter_mut().zip(&spans).zip(pw.iter_mut()) {
                    let Some((y, sp)) = sp else {
                        continue;
                    };
                    for (part, v) in [Part::From, Part::To, Part::Colour]
                        .into_iter()
                        .zip(w.iter_mut())
                    {
                        let v = sized(v, span.len());
                        for (x, o) in span.clone().zip(v.iter_mut()) {
                            *o = (sp.at(x) == Some(part)) as u8 as f32;
                        }
                    }
                    *slot = Some(*y);
                }
                let weights = PixelWeights {
                    rows: std::array::from_fn(|r| {
                        rows[r].map(|y| (y, [0, 1, 2].map(|p| Some(&pw[r][p][..span.len()]))))
                    }),
                    x0: span.start,
                };
                item.exact_chroma(&weights, kernel, j, run, d, s)
            },
        );
        s.sel_weights = pw;
        s.labels = labels;
        s.row_labels = row_labels;
    }

    /// Draws the runs of chroma samples `labels` gives (see `label`; over `cols`): one part's
    /// or the colour's alone, or through `mixed`.
    #[allow(clippy::too_many_arguments)]
    fn chroma_runs(
        &self,
        labels: &mut [u8],
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
        mixed: MixedRun<'_>,
    ) {
        let n = cols.len();
        // Runs of a few samples between mixed ones are drawn with them: fewer, longer runs.
        let run_end = |l: &[u8], i: usize| i + same_run(&l[i..]);
        let mut i = 0;
        while i < n {
            let end = run_end(labels, i);
            if end - i < 8 && labels[i] != 0 && (i > 0 || end < n) {
                labels[i..end].fill(0);
            }
            i = end;
        }
        let mut i = 0;
        while i < n {
            let l = labels[i];
            let end = run_end(labels, i);
            let run = cols.start + i..cols.start + end;
            match l {
                1 | 2 => {
                    let role = if l == 1 { Part::From } else { Part::To };
                    if let Some(pi) = self.roles.iter().position(|q| *q == role) {
                        self.single_chroma(pi, kernel, j, run, (&mut *du, &mut *dv), s);
                    }
                }
                3 => {
                    du[run.clone()].fill(self.colour[1]);
                    dv[run].fill(self.colour[2]);
                }
                _ => mixed(self, run, (&mut *du, &mut *dv), s),
            }
            i = end;
        }
    }

    /// A mix's chroma row. Samples whose kernel reads one part only take its fast path; the
    /// others mix at chroma resolution (the weights through the kernel) for the smooth kinds,
    /// whose weight hardly changes within a sample, and per luma-resolution pixel for the
    /// kinds whose weight jumps between neighbours (dissolve, slices, winds), as the conversion
    /// of the full-resolution picture would.
    fn mix_chroma(
        &self,
        mix: &Mix,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
    ) {
        // A chroma row whose luma rows one part shows alone (the row-by-row kinds' far rows):
        // that part's row as it is, as `luma` draws such rows (the labels below would find the
        // same, at the cost of every pixel's weights).
        if let Some(part) = self.alone_on_chroma_row(mix, kernel, j) {
            if let Some(i) = self.roles.iter().position(|q| *q == part) {
                self.single_chroma(i, kernel, j, cols, (du, dv), s);
            }
            return;
        }
        let n = cols.len();
        let span = kernel.x.span(cols.clone());
        let rows = kernel.rows(j);
        // The weights of the luma rows the kernel reads, whole, where the mix keeps them.
        let mut mix_rows = std::mem::take(&mut s.mix_rows);
        let mut keep = [usize::MAX; 3];
        for (k, (y, wy)) in keep.iter_mut().zip(rows) {
            if wy != 0.0 {
                *k = y;
            }
        }
        let slots: [Option<usize>; 3] = std::array::from_fn(|r| {
            let (y, wy) = rows[r];
            (wy != 0.0).then(|| mix_rows.slot(self.key(), mix, y, self.width, &keep))
        });
        let mut labels = std::mem::take(&mut s.labels);
        labels.clear();
        labels.resize(n, 255);
        {
            let [wa, wb, _] = &mut s.wts;
            let (wa, wb) = (sized(wa, n), sized(wb, n));
            wa.fill(0.0);
            wb.fill(0.0);
            let t = sized(&mut s.ctmp, n);
            for ((_, wy), slot) in rows.iter().zip(slots) {
                let Some(slot) = slot else { continue };
                let [la, lb, _] = mix_rows.weights(slot);
                for (l, acc) in [(la, &mut *wa), (lb, &mut *wb)] {
                    kernel.x.apply(&l[span.clone()], span.start, cols.start, t);
                    for (a, &t) in acc.iter_mut().zip(t.iter()) {
                        *a += wy * t;
                    }
                }
            }
            // FROM alone where its weight is 1 on every pixel the kernel reads (the kernel's
            // weights are positive and sum to 1: only then is the sum 1), TO alone where 0.
            for ((l, &a), &b) in labels.iter_mut().zip(wa.iter()).zip(wb.iter()) {
                *l = if a >= 1.0 && b <= 0.0 {
                    1
                } else if a <= 0.0 && b >= 1.0 {
                    2
                } else {
                    0
                };
            }
        }
        if mix.jumps() {
            let weights = PixelWeights {
                rows: std::array::from_fn(|r| {
                    let [la, lb, _] = mix_rows.weights(slots[r]?);
                    Some((rows[r].0, [Some(la), Some(lb), None]))
                }),
                x0: 0,
            };
            // Where many samples mix (dissolve), every sample's sums are formed at once, and
            // each mixed run blends its share; elsewhere run by run.
            let mixed = labels.iter().filter(|&&l| l == 0).count();
            let whole = 4 * mixed >= n && self.exact_row(&weights, kernel, j, &cols, s);
            let c0 = cols.start;
            self.chroma_runs(
                &mut labels,
                kernel,
                j,
                cols,
                (du, dv),
                s,
                &mut |item, run, d, s| {
                    if whole {
                        blend_exact(run.clone(), run.start - c0, d, s);
                    } else if item.exact_row(&weights, kernel, j, &run, s) {
                        blend_exact(run, 0, d, s);
                    } else {
                        item.exact_chroma(&weights, kernel, j, run, d, s);
                    }
                },
            );
        } else {
            let c0 = cols.start;
            self.chroma_runs(
                &mut labels,
                kernel,
                j,
                cols,
                (du, dv),
                s,
                &mut |item, run, d, s| {
                    // The kernel's weights of this run, where `blend_chroma` reads them.
                    let r = run.start - c0..run.end - c0;
                    for w in &mut s.wts[..2] {
                        w.copy_within(r.clone(), 0);
                    }
                    item.blend_chroma(kernel, j, run, d, s, None, true)
                },
            );
        }
        s.mix_rows = mix_rows;
        s.labels = labels;
    }

    /// The part shown alone on every luma row chroma row `j`'s kernel reads, when the mix's
    /// weights are the same across each of those rows.
    fn alone_on_chroma_row(&self, mix: &Mix, kernel: &ChromaKernel, j: usize) -> Option<Part> {
        let mut alone = None;
        for (y, wy) in kernel.rows(j) {
            if wy == 0.0 {
                continue;
            }
            let part = match mix.uniform_row(y)? {
                [1.0, 0.0, 0.0] => Part::From,
                [0.0, 1.0, 0.0] => Part::To,
                _ => return None,
            };
            if alone.is_some_and(|a| a != part) {
                return None;
            }
            alone = Some(part);
        }
        alone
    }

    /// `exact_chroma`'s sums (U, V, alpha) of every sample of `cols` at once, into
    /// `s.exact.sums` (indexed from `cols.start`), when both parts are their content alone over
    /// `cols` on every luma row the kernel reads (no shape to weigh, one sample each): each part's
    /// chroma at luma resolution weighed by its weights there, through the kernel. False
    /// (nothing formed) otherwise.
    fn exact_row(
        &self,
        weights: &PixelWeights<'_>,
        kernel: &ChromaKernel,
        j: usize,
        cols: &Range<usize>,
        s: &mut YuvScratch,
    ) -> bool {
        let covers = |p: &YuvCard<'_>| {
            let inside = p.chroma_interior(kernel, j);
            p.card.samples.len() == 1 && inside.start <= cols.start && cols.end <= inside.end
        };
        if self.parts.len() != 2 || !self.parts.iter().all(covers) {
            return false;
        }
        let span = kernel.x.span(cols.clone());
        let m = span.len();
        let ExactScratch { lines, sums } = &mut s.exact;
        let [lu, lv, la, cu, cv] = lines;
        let (lu, lv, la) = (sized(lu, m), sized(lv, m), sized(la, m));
        let (cu, cv) = (sized(cu, m), sized(cv, m));
        for l in [&mut *lu, &mut *lv, &mut *la] {
            l.fill(0.0);
        }
        for (p, &role) in self.parts.iter().zip(&self.roles) {
            let smp = &p.card.samples[0];
            let first = span.start - p.card.cols.start;
            for (y, wy) in kernel.rows(j) {
                let Some(lw) = weights.get(y, role).filter(|_| wy != 0.0) else {
                    continue;
                };
                let lw = &lw[span.start - weights.x0..][..m];
                p.chroma_at_row(smp, y, first, &mut s.work.tmp, [&mut *cu, &mut *cv]);
                let k = p.k * wy;
                let line = lu.iter_mut().zip(lv.iter_mut()).zip(la.iter_mut());
                for (((u, v), a), ((&w, &cu), &cv)) in
                    line.zip(lw.iter().zip(cu.iter()).zip(cv.iter()))
                {
                    let w = k * w;
                    *u += w * cu;
                    *v += w * cv;
                    *a += w;
                }
            }
        }
        for (line, out) in [&*lu, &*lv, &*la].into_iter().zip(sums.iter_mut()) {
            kernel
                .x
                .apply(line, span.start, cols.start, sized(out, cols.len()));
        }
        true
    }

    /// Chroma samples whose kernel reads more than one part: every luma-resolution pixel of the
    /// kernel weighed by the part's weight there.
    fn exact_chroma(
        &self,
        weights: &PixelWeights<'_>,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
    ) {
        let n = cols.len();
        let [au, av, aa] = &mut s.acc;
        let (au, av, aa) = (sized(au, n), sized(av, n), sized(aa, n));
        // The colour's share of each sample.
        aa.fill(0.0);
        for (y, wy) in kernel.rows(j) {
            let Some(row) = weights.get(y, Part::Colour).filter(|_| wy != 0.0) else {
                continue;
            };
            for (i, c) in cols.clone().enumerate() {
                let (start, w) = kernel.x.get(c);
                for (k, &wx) in w.iter().enumerate() {
                    aa[i] += wy * wx * row[start + k - weights.x0];
                }
            }
        }
        for i in 0..n {
            au[i] = aa[i] * self.colour[1];
            av[i] = aa[i] * self.colour[2];
        }
        for (p, &role) in self.parts.iter().zip(&self.roles) {
            let acc = [&mut au[..], &mut av[..], &mut aa[..]];
            let lwt = Some((weights, role));
            p.add_chroma(kernel, j, cols.clone(), p.k, (None, lwt), acc, &mut s.work);
        }
        for i in 0..n {
            let keep = 1.0 - aa[i];
            du[cols.start + i] = au[i] + du[cols.start + i] * keep;
            dv[cols.start + i] = av[i] + dv[cols.start + i] * keep;
        }
    }

    /// Sums the parts' chroma contributions over `cols` (only part `only` when given; weighed
    /// per sample by `s.wts` when `weighed`), then blends the sum over `du`, `dv`.
    #[allow(clippy::too_many_arguments)]
    fn blend_chroma(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
        only: Option<usize>,
        weighed: bool,
    ) {
        let n = cols.len();
        let colour_k = match (&self.mode, only) {
            (Mode::Sum { colour_k }, None) => *colour_k,
            _ => 0.0,
        };
        if only.is_none()
            && colour_k == 0.0
            && self.blend_chroma_inside(kernel, j, &cols, (&mut *du, &mut *dv), s, weighed)
        {
            return;
        }
        let [au, av, aa] = &mut s.acc;
        let (au, av, aa) = (sized(au, n), sized(av, n), sized(aa, n));
        au.fill(colour_k * self.colour[1]);
        av.fill(colour_k * self.colour[2]);
        aa.fill(colour_k);
        for (pi, p) in self.parts.iter().enumerate() {
            if only.is_some_and(|o| o != pi) {
                continue;
            }
            let pc = cols.start.max(p.ccols.start)..cols.end.min(p.ccols.end);
            if pc.is_empty() {
                continue;
            }
            let wts = weighed.then(|| &s.wts[(self.roles[pi] == Part::To) as usize][..n]);
            let inside = p.chroma_interior(kernel, j);
            let inside = inside.start.max(pc.start)..inside.end.min(pc.end);
            for part in around(pc, &inside) {
                if !part.is_empty() {
                    let r = part.start - cols.start..part.end - cols.start;
                    let w = wts.map(|w| &w[r.clone()]);
                    let acc = [&mut au[r.clone()], &mut av[r.clone()], &mut aa[r]];
                    p.add_chroma(kernel, j, part, p.k, (w, None), acc, &mut s.work);
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
                for (i, (((u, v), a), (&cu, &cv))) in au[r.clone()]
                    .iter_mut()
                    .zip(&mut av[r.clone()])
                    .zip(&mut aa[r.clone()])
                    .zip(cu.iter().zip(cv.iter()))
                    .enumerate()
                {
                    let k = p.k * wts.map_or(1.0, |w| w[r.start + i]);
                    *u += k * cu;
                    *v += k * cv;
                    *a += k;
                }
            }
        }
        for i in 0..n {
            let keep = 1.0 - aa[i];
            du[cols.start + i] = au[i] + du[cols.start + i] * keep;
            dv[cols.start + i] = av[i] + dv[cols.start + i] * keep;
        }
    }

    /// `blend_chroma` of two parts whose content alone covers `cols` on every luma row the
    /// kernel reads: the same sums in the same order, in one pass. False (nothing drawn) when
    /// that is not the case.
    #[allow(clippy::too_many_arguments)]
    fn blend_chroma_inside(
        &self,
        kernel: &ChromaKernel,
        j: usize,
        cols: &Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
        weighed: bool,
    ) -> bool {
        let [a, b] = self.parts.as_slice() else {
            return false;
        };
        let covers = |p: &YuvCard<'_>| {
            let inside = p.chroma_interior(kernel, j);
            inside.start <= cols.start && cols.end <= inside.end
        };
        if !(covers(a) && covers(b)) {
            return false;
        }
        let n = cols.len();
        let [au, av, bu] = &mut s.acc;
        let (au, av, bu) = (sized(au, n), sized(av, n), sized(bu, n));
        let bv = sized(&mut s.work.content, n);
        a.content_chroma(kernel, 0, j, cols.clone(), &mut s.work.tmp, au, av);
        b.content_chroma(kernel, 0, j, cols.clone(), &mut s.work.tmp, bu, bv);
        let weight = |pi: usize, i: usize| {
            let k = self.parts[pi].k;
            if weighed {
                k * s.wts[(self.roles[pi] == Part::To) as usize][i]
            } else {
                k
            }
        };
        for i in 0..n {
            let (ka, kb) = (weight(0, i), weight(1, i));
            let keep = 1.0 - (0.0 + ka + kb);
            let x = cols.start + i;
            du[x] = (0.0 + ka * au[i] + kb * bu[i]) + du[x] * keep;
            dv[x] = (0.0 + ka * av[i] + kb * bv[i]) + dv[x] * keep;
        }
        true
    }

    /// hblur's luma row `y` over `cols` (see `split::Blur`): the parts' rows mixed over the
    /// frame's width, then each column's average of the mixed row, blended over `d` with the
    /// mixed alpha (the same at every pixel: the parts cover the frame as plain rectangles).
    fn blur_luma(
        &self,
        blur: &Blur,
        y: usize,
        cols: Range<usize>,
        d: &mut [f32],
        s: &mut YuvScratch,
    ) {
        let w = self.width;
        let b = &mut s.blur;
        let [line, row, ..] = &mut b.lines;
        let (line, row) = (sized(line, w), sized(row, w));
        line.fill(0.0);
        let mut alpha = 0.0;
        for (p, k) in self.blur_parts(blur) {
            alpha += k;
            p.content_luma(0, y, 0..w, &mut s.work.tmp, row);
            for (l, &v) in line.iter_mut().zip(row.iter()) {
                *l += k * v;
            }
        }
        prefix_sums(line, &mut b.sums);
        let out = &mut row[..cols.len()];
        blur.average(&b.sums, cols.clone(), out);
        let keep = 1.0 - alpha;
        for (d, &o) in d[cols].iter_mut().zip(out.iter()) {
            *d = o + *d * keep;
        }
    }

    /// hblur's chroma row `j` over `cols`: the parts' chroma at luma resolution on the
    /// kernel's rows (`YuvCard::chroma_line`), mixed, averaged along the row as the luma, then
    /// through the horizontal kernel: what converting the full-resolution result would give.
    fn blur_chroma(
        &self,
        blur: &Blur,
        kernel: &ChromaKernel,
        j: usize,
        cols: Range<usize>,
        (du, dv): (&mut [f32], &mut [f32]),
        s: &mut YuvScratch,
    ) {
        let (w, n) = (self.width, cols.len());
        let span = kernel.x.span(cols.clone());
        let b = &mut s.blur;
        let [mu, mv, ru, rv] = &mut b.lines;
        let (mu, mv, ru, rv) = (sized(mu, w), sized(mv, w), sized(ru, w), sized(rv, w));
        mu.fill(0.0);
        mv.fill(0.0);
        let mut alpha = 0.0;
        for (p, k) in self.blur_parts(blur) {
            alpha += k;
            let smp = &p.card.samples[0];
            p.chroma_line(smp, kernel, j, 0, &mut s.work.tmp, [&mut *ru, &mut *rv]);
            for ((mu, mv), (&u, &v)) in mu
                .iter_mut()
                .zip(mv.iter_mut())
                .zip(ru.iter().zip(rv.iter()))
            {
                *mu += k * u;
                *mv += k * v;
            }
        }
        let keep = 1.0 - alpha;
        for (mixed, d) in [(&*mu, du), (&*mv, dv)] {
            prefix_sums(mixed, &mut b.sums);
            let avg = &mut ru[..span.len()];
            blur.average(&b.sums, span.clone(), avg);
            let out = sized(&mut s.ctmp, n);
            kernel.x.apply(avg, span.start, cols.start, out);
            for (d, &o) in d[cols.clone()].iter_mut().zip(out.iter()) {
                *d = o + *d * keep;
            }
        }
    }

    /// The parts of a blur with their shares (alpha times the blur's weight).
    fn blur_parts<'s>(&'s self, blur: &Blur) -> impl Iterator<Item = (&'s YuvCard<'a>, f32)> + 's {
        let weights = blur.weights();
        self.parts
            .iter()
            .zip(&self.roles)
            .map(move |(p, role)| (p, p.k * weights[(*role == Part::To) as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::same_run;

    #[test]
    fn same_run_counts_equal_labels_from_the_first() {
        for n in [1usize, 5, 31, 32, 33, 64, 100] {
            for cut in 1..=n {
                let mut l = vec![2u8; n];
                if cut < n {
                    l[cut] = 0;
                }
                assert_eq!(same_run(&l), cut, "{n} labels, a different one at {cut}");
            }
        }
    }
}

//! The copy pass: a layer shown as it is — opaque, unscaled, at whole pixels, nothing drawn
//! over it, in the output's own Y'CbCr format and colorimetry — has its planes copied into the
//! output planes after the conversion, texel for texel. Through the composite its chroma would
//! be upsampled to RGB and averaged back (and RGB clamps colours outside its gamut), which
//! moves chroma edges by tens of codes; the copy keeps them. RGB outputs need no copy: 8-bit
//! values pass the float composite unchanged.
//!
//! Luma is copied over the layer's rectangle; chroma where the source and output chroma grids
//! line up (even offsets in both) over the chroma samples whose luma (as the siting spreads it)
//! lies wholly in the rectangle. Between I420 and NV12 (the same samples, planar or
//! interleaved chroma) a texture copy cannot split or merge channels: those copies are made on
//! the read-back frame, from the layer's own planes (`gather`, `scatter`).

use crate::compose::{FramePlan, Operator, OutputTarget, PixelFormat};

/// Whether a layer in `from` can be copied into an output in `to`: the same format, or both
/// 4:2:0 Y'CbCr (I420, NV12) with chroma planar in one and interleaved in the other.
fn copyable(from: PixelFormat, to: PixelFormat) -> bool {
    let yuv420 = |f| matches!(f, PixelFormat::I420 | PixelFormat::Nv12);
    from == to || (yuv420(from) && yuv420(to))
}

/// One rectangle of one plane copied from a layer's plane texture into an output plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlaneCopy {
    /// The layer read.
    pub(crate) layer: usize,
    /// The plane (of the layer and of the output: the formats are the same).
    pub(crate) plane: usize,
    /// Texel origin in the layer's plane.
    pub(crate) from: [u32; 2],
    /// Texel origin in the output plane.
    pub(crate) to: [u32; 2],
    /// Texels across and down.
    pub(crate) size: [u32; 2],
}

/// A whole number, when `v` is one (within float rounding of the plan's arithmetic).
fn whole(v: f64) -> Option<i64> {
    let r = v.round();
    ((v - r).abs() < 1e-6).then_some(r as i64)
}

/// The copies that show the layers of `plan` drawn into `output` exactly.
pub(crate) fn exact_copies(plan: &FramePlan<'_>, output: &OutputTarget<'_>) -> Vec<PlaneCopy> {
    let mut copies = Vec::new();
    if !output.format.is_yuv() || !plan.transitions().is_empty() {
        return copies;
    }
    let layers = plan.layers();
    for (i, layer) in layers.iter().enumerate() {
        let Some(draw) = plan.draw(i) else { continue };
        if !copyable(layer.format, output.format)
            || layer.colorimetry != output.colorimetry
            || draw.samples.len() != 1
            || draw.alpha < 1.0
            || draw.content_blur.is_some()
            || !matches!(layer.params.operator, Operator::Over | Operator::Source)
        {
            continue;
        }
        let s = &draw.samples[0];
        if s.src[2] != 1.0 || s.src[3] != 1.0 || s.card.radius > 0.0 {
            continue;
        }
        // The content's rectangle: inside a border, if there is one (square corners only).
        let rect = match &s.inner {
            None => s.rect,
            Some(inner) if inner.radius <= 0.0 && !inner.is_empty() => inner.rect.map(f64::from),
            Some(_) => continue,
        };
        // Output pixel x reads source texel x + dx, when dx is whole.
        let (Some(dx), Some(dy)) = (whole(s.src[0] - s.rect[0]), whole(s.src[1] - s.rect[1]))
        else {
            continue;
        };
        let (w, h) = (output.width as i64, output.height as i64);
        let (lw, lh) = (layer.width as i64, layer.height as i64);
        // Whole pixels inside the rectangle, the frame and the source.
        let x0 = (rect[0].ceil() as i64).max(0).max(-dx);
        let y0 = (rect[1].ceil() as i64).max(0).max(-dy);
        let x1 = (rect[2].floor() as i64).min(w).min(lw - dx);
        let y1 = (rect[3].floor() as i64).min(h).min(lh - dy);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        // Nothing drawn over it there.
        let covered = (i + 1..layers.len()).any(|j| {
            plan.draw(j).is_some_and(|d| {
                let b = d.bounds.map(f64::from);
                b[0] < x1 as f64 && b[2] > x0 as f64 && b[1] < y1 as f64 && b[3] > y0 as f64
            })
        });
        if covered {
            continue;
        }
        copies.push(PlaneCopy {
            layer: i,
            plane: 0,
            from: [(x0 + dx) as u32, (y0 + dy) as u32],
            to: [x0 as u32, y0 as u32],
            size: [(x1 - x0) as u32, (y1 - y0) as u32],
        });
        if dx % 2 != 0 || dy % 2 != 0 {
            continue;
        }
        // Chroma samples whose luma columns and rows are all inside (the last sample of an
        // odd frame has one of each).
        let (cw, ch) = ((w + 1) / 2, (h + 1) / 2);
        // Co-sited, sample c also stands for luma 2c − 1 (¼): the first one inside starts at
        // 2c − 1 ≥ lo, unless the frame's edge clamps there.
        let inside = |lo: i64, hi: i64, edge: i64, cosited: bool| {
            let first = if cosited && lo > 0 {
                (lo + 2) / 2
            } else {
                (lo + 1) / 2
            };
            (first, (hi + (hi == edge) as i64) / 2)
        };
        let c = &output.colorimetry;
        let (cx0, cx1) = inside(x0, x1, w, c.chroma_cosited_h);
        let (cy0, cy1) = inside(y0, y1, h, c.chroma_cosited_v);
        let (cx1, cy1) = (cx1.min(cw), cy1.min(ch));
        if cx1 <= cx0 || cy1 <= cy0 {
            continue;
        }
        // Across I420 and NV12, one copy (plane 1) stands for both chroma channels.
        let planes = match output.format {
            PixelFormat::I420 if layer.format == output.format => 1..3,
            _ => 1..2,
        };
        for plane in planes {
            copies.push(PlaneCopy {
                layer: i,
                plane,
                from: [(cx0 + dx / 2) as u32, (cy0 + dy / 2) as u32],
                to: [cx0 as u32, cy0 as u32],
                size: [(cx1 - cx0) as u32, (cy1 - cy0) as u32],
            });
        }
    }
    copies
}

/// Whether `c` is made on the GPU (texture to texture: the layer's format is the output's) or
/// on the read-back frame (`gather`, `scatter`).
pub(crate) fn on_gpu(plan: &FramePlan<'_>, output: &OutputTarget<'_>, c: &PlaneCopy) -> bool {
    plan.layers()
        .get(c.layer)
        .is_some_and(|l| l.format == output.format)
}

/// A copy made on the CPU: its rectangle, and the pixels it writes (luma rows, or U and V
/// interleaved), taken from the layer when the frame is submitted.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    copy: Option<PlaneCopy>,
    data: Vec<u8>,
}

/// Takes the pixels of the copies between I420 and NV12 (those not `on_gpu`: a texture copy
/// cannot split or merge channels) from the layers' planes into `out` (its buffers reused).
pub(crate) fn gather(
    plan: &FramePlan<'_>,
    copies: &[PlaneCopy],
    format: PixelFormat,
    out: &mut Vec<Gathered>,
) {
    let layers = plan.layers();
    out.resize_with(copies.len(), Default::default);
    out.truncate(copies.len());
    for (c, g) in copies.iter().zip(out.iter_mut()) {
        g.data.clear();
        g.copy = None;
        let Some(layer) = layers.get(c.layer).filter(|l| l.format != format) else {
            continue;
        };
        let [fx, fy] = c.from.map(|v| v as usize);
        let [w, h] = c.size.map(|v| v as usize);
        for r in 0..h {
            if c.plane == 0 {
                let p = &layer.planes[0];
                g.data
                    .extend_from_slice(&p.data[(fy + r) * p.stride + fx..][..w]);
                continue;
            }
            match layer.format {
                PixelFormat::Nv12 => {
                    let p = &layer.planes[1];
                    g.data
                        .extend_from_slice(&p.data[(fy + r) * p.stride + 2 * fx..][..2 * w]);
                }
                _ => {
                    let (u, v) = (&layer.planes[1], &layer.planes[2]);
                    let (u, v) = (
                        &u.data[(fy + r) * u.stride + fx..][..w],
                        &v.data[(fy + r) * v.stride + fx..][..w],
                    );
                    g.data.extend(u.iter().zip(v).flat_map(|(u, v)| [*u, *v]));
                }
            }
        }
        g.copy = Some(*c);
    }
}

/// Writes what `gather` took into the read-back `output`.
pub(crate) fn scatter(gathered: &[Gathered], output: &mut OutputTarget<'_>) {
    for g in gathered {
        let Some(c) = g.copy else {
            continue;
        };
        let [tx, ty] = c.to.map(|v| v as usize);
        let [w, h] = c.size.map(|v| v as usize);
        for r in 0..h {
            if c.plane == 0 {
                let p = &mut output.planes[0];
                p.data[(ty + r) * p.stride + tx..][..w].copy_from_slice(&g.data[r * w..][..w]);
                continue;
            }
            let uv = &g.data[r * 2 * w..][..2 * w];
            match output.format {
                PixelFormat::Nv12 => {
                    let p = &mut output.planes[1];
                    p.data[(ty + r) * p.stride + 2 * tx..][..2 * w].copy_from_slice(uv);
                }
                _ => {
                    for (i, k) in [(1, 0), (2, 1)] {
                        let p = &mut output.planes[i];
                        let row = &mut p.data[(ty + r) * p.stride + tx..][..w];
                        for (o, px) in row.iter_mut().zip(uv.chunks_exact(2)) {
                            *o = px[k];
                        }
                    }
                }
            }
        }
    }
}

/// Records `copies` from the layers' plane textures (`sources(layer)`) into `outputs`; only
/// those `on_gpu` is given.
pub(crate) fn record<'t>(
    encoder: &mut wgpu::CommandEncoder,
    copies: &[PlaneCopy],
    sources: impl Fn(usize) -> &'t [wgpu::Texture],
    outputs: &[&wgpu::Texture],
) {
    for c in copies {
        let (Some(src), Some(dst)) = (sources(c.layer).get(c.plane), outputs.get(c.plane)) else {
            continue;
        };
        let at = |t: &'t wgpu::Texture, [x, y]: [u32; 2]| wgpu::TexelCopyTextureInfo {
            texture: t,
            mip_level: 0,
            origin: wgpu::Origin3d { x, y, z: 0 },
            aspect: wgpu::TextureAspect::All,
        };
        encoder.copy_texture_to_texture(
            at(src, c.from),
            wgpu::TexelCopyTextureInfo {
                texture: dst,
                mip_level: 0,
                origin: wgpu::Origin3d {
                    x: c.to[0],
                    y: c.to[1],
                    z: 0,
                },
                aspect: wgpu::TextureAspect::All,
            },
            super::extent(c.size[0], c.size[1]),
        );
    }
}

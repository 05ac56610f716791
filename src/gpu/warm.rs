//! Tiny frames drawn once with each pipeline when a context opens, or a transition is first
//! asked for, so that drivers which compile at first draw (lavapipe) do it then rather than on
//! the first real frame.

use super::context::GpuContext;
use super::render::RenderCache;
use super::GpuError;
use crate::compose::{
    Background, Crop, FramePlan, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat,
    Plane, PlaneMut, Rect, YuvColorimetry,
};
use crate::effects::{CardStyle, CornerShape, LayerGeometry, Shadow};
use crate::transition::{TransitionDraw, TransitionKind};

/// A `size` × `size` layer in `format` whose tightly packed planes are `data`, drawn as
/// `params` says.
fn tiny_layer(
    format: PixelFormat,
    size: u32,
    data: &[&'static [u8]],
    params: LayerParams,
) -> LayerSource<'static> {
    let planes = data
        .iter()
        .enumerate()
        .map(|(p, d)| {
            let (pw, _, bpp) = format.plane_size(p, size, size);
            Plane {
                data: d,
                stride: (pw * bpp) as usize,
            }
        })
        .collect();
    LayerSource {
        format,
        width: size,
        height: size,
        planes,
        colorimetry: YuvColorimetry::default(),
        params,
    }
}

/// Renders `layers` and `transitions` over `background` into a `size` × `size` frame in
/// `format` (tightly packed planes), with `cache`.
fn render_tiny(
    ctx: &GpuContext,
    cache: &mut RenderCache,
    background: Background,
    layers: Vec<LayerSource<'_>>,
    transitions: Vec<TransitionDraw>,
    format: PixelFormat,
    size: u32,
) -> Result<(), GpuError> {
    // (stride, rows) of each tightly packed output plane.
    let shapes: Vec<(usize, usize)> = (0..format.n_planes())
        .map(|p| {
            let (pw, ph, bpp) = format.plane_size(p, size, size);
            ((pw * bpp) as usize, ph as usize)
        })
        .collect();
    let mut bufs: Vec<Vec<u8>> = shapes.iter().map(|(s, r)| vec![0u8; s * r]).collect();
    let mut output = OutputTarget {
        format,
        width: size,
        height: size,
        planes: bufs
            .iter_mut()
            .zip(&shapes)
            .map(|(b, (stride, _))| PlaneMut {
                stride: *stride,
                data: b.as_mut_slice(),
            })
            .collect(),
        colorimetry: YuvColorimetry::default(),
    };
    let plan = FramePlan::new(background, layers, transitions, &output)
        .map_err(|e| GpuError::Render(e.to_string()))?;
    cache.render(ctx, &plan, &mut output)?;
    Ok(())
}

/// The parameters of a warm-up layer. An "over" layer also carries every card effect and
/// motion blur, so that each branch of the card shader is compiled.
fn warm_up_params(operator: Operator) -> LayerParams {
    let mut p = LayerParams::placed(
        Rect {
            x: 0.5,
            y: 0.5,
            w: 6.0,
            h: 6.0,
        },
        Crop::default(),
        0.5,
        operator,
    );
    if operator == Operator::Over {
        p.card = CardStyle {
            radius: 2.0,
            shape: CornerShape::Squircle,
            border_width: 1.0,
            border_color: 0xffff_ffff,
            shadow: Shadow {
                offset_y: 1.0,
                sigma: 1.0,
                color: 0x8000_0000,
                ..Default::default()
            },
            blur: 1.0,
        };
        p.motion = vec![LayerGeometry {
            dst: Rect { x: 1.0, ..p.dst },
            crop: p.crop,
            zoom: p.zoom,
        }];
    }
    p
}

/// Renders tiny frames that use every pipeline once: each source kind and operator, every
/// output format, and both kinds of background pass.
pub(super) fn warm_up(ctx: &GpuContext) -> Result<(), GpuError> {
    const SIZE: u32 = 8;
    static RGBA: [u8; 8 * 8 * 4] = [128; 8 * 8 * 4];
    static LUMA: [u8; 8 * 8] = [100; 8 * 8];
    // Large enough for both a U/V plane and NV12's interleaved UV plane.
    static CHROMA: [u8; 8 * 8 / 2] = [120; 8 * 8 / 2];
    let layer = |format, data: &[&'static [u8]], operator| {
        tiny_layer(format, SIZE, data, warm_up_params(operator))
    };
    let layers = [
        layer(PixelFormat::Rgba, &[&RGBA[..]], Operator::Over),
        layer(
            PixelFormat::I420,
            &[&LUMA[..], &CHROMA, &CHROMA],
            Operator::Source,
        ),
        layer(PixelFormat::Nv12, &[&LUMA[..], &CHROMA], Operator::Add),
    ];
    let mut cache = RenderCache::default();
    for format in [
        PixelFormat::Rgba,
        PixelFormat::Bgra,
        PixelFormat::I420,
        PixelFormat::Nv12,
    ] {
        // The background passes: the blurred copy of a layer, then the plain kinds (one
        // pipeline, so compiling it once suffices).
        let background = if format == PixelFormat::Rgba {
            Background::Blurred {
                layer: 1,
                sigma: 4.0,
            }
        } else {
            Background::Checker
        };
        let layers = layers.to_vec();
        render_tiny(
            ctx,
            &mut cache,
            background,
            layers,
            Vec::new(),
            format,
            SIZE,
        )?;
    }
    Ok(())
}

impl GpuContext {
    /// Builds `kind`'s pipeline and draws it once on a tiny frame, so that a driver which
    /// compiles at first draw (lavapipe) does it before the first real frame.
    pub fn prepare_transition(&self, kind: &TransitionKind) -> Result<(), GpuError> {
        const SIZE: u32 = 4;
        static RGBA: [u8; 4 * 4 * 4] = [200; 4 * 4 * 4];
        let params = LayerParams::placed(
            Rect {
                x: 0.0,
                y: 0.0,
                w: 4.0,
                h: 4.0,
            },
            Crop::default(),
            1.0,
            Operator::Over,
        );
        let layer = tiny_layer(PixelFormat::Rgba, SIZE, &[&RGBA[..]], params);
        let draw = TransitionDraw {
            from: 0,
            to: 1,
            progress: 0.5,
            kind: kind.clone(),
        };
        render_tiny(
            self,
            &mut RenderCache::default(),
            Background::Solid(0),
            vec![layer.clone(), layer],
            vec![draw],
            PixelFormat::Rgba,
            SIZE,
        )
    }
}

//! The frame contract: a [`FramePlan`] is one output frame as every backend renders it. It is
//! built once per frame from the layers, the background and the transitions under way; it
//! validates them once (one error type, the same verdict for every backend) and derives
//! everything a renderer needs: which layers are drawn, their motion samples, the clamped corner
//! radii, the border's inner edge, the shadow's rectangle, the pixels a layer can touch, the
//! content blur in source pixels and which transition a layer belongs to. Backends read these
//! and derive nothing of their own, so that a fix to the geometry is made once.
//!
//! Pure: no GStreamer and no GPU.

use std::fmt;
use std::ops::Range;

use super::{thin_samples, Background, LayerSource, Operator, OutputTarget, MAX_MOTION_SAMPLES};
use crate::effects::LayerGeometry;
use crate::transition::TransitionDraw;

/// Why a frame cannot be rendered: its description is invalid. The same for every backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The layer at fault (index in the frame's layers, bottom first), when one is.
    pub layer: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl PlanError {
    fn frame(message: String) -> Self {
        PlanError {
            layer: None,
            message,
        }
    }

    fn layer(layer: usize, message: String) -> Self {
        PlanError {
            layer: Some(layer),
            message,
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layer {
            Some(i) => write!(f, "layer {i}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PlanError {}

/// A rounded rectangle in output pixels, single precision as the renderers evaluate it:
/// x0, y0, x1, y1 and the corner radius, already clamped to half the smaller side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundedBox {
    /// x0, y0, x1, y1.
    pub rect: [f32; 4],
    /// Corner radius (may be negative when the rectangle is empty).
    pub radius: f32,
}

impl RoundedBox {
    fn new(rect: [f32; 4], radius: f32) -> Self {
        let half = 0.5 * (rect[2] - rect[0]).min(rect[3] - rect[1]);
        RoundedBox {
            rect,
            radius: radius.min(half),
        }
    }

    /// Whether the rectangle has any area.
    pub fn is_empty(&self) -> bool {
        !(self.rect[2] > self.rect[0] && self.rect[3] > self.rect[1])
    }
}

/// One motion sample of a drawn layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawSample {
    /// The card, x0, y0, x1, y1 in output pixels.
    pub rect: [f64; 4],
    /// The source mapping: texel position `src.xy + (p − rect.xy) · src.zw` of output
    /// position `p`.
    pub src: [f64; 4],
    /// The card's shape.
    pub card: RoundedBox,
    /// The border's inner edge, when there is a border (empty when the border fills the card).
    pub inner: Option<RoundedBox>,
    /// The shadow's shape, when the shadow shows.
    pub shadow: Option<RoundedBox>,
}

impl DrawSample {
    /// Source texel position (x) of output position `p`.
    pub fn tx(&self, p: f64) -> f64 {
        self.src[0] + (p - self.rect[0]) * self.src[2]
    }

    /// Source texel position (y) of output position `p`.
    pub fn ty(&self, p: f64) -> f64 {
        self.src[1] + (p - self.rect[1]) * self.src[3]
    }
}

/// How one layer is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerDraw {
    /// Motion samples (at least one, at most [`MAX_MOTION_SAMPLES`]); one for a still layer.
    pub samples: Vec<DrawSample>,
    /// The union of every sample's card and shadow, x0, y0, x1, y1.
    pub bounds: [f32; 4],
    /// The output columns and rows the layer can touch: `bounds` with a pixel of margin,
    /// clamped to the frame.
    pub cols: Range<usize>,
    /// See `cols`.
    pub rows: Range<usize>,
    /// The content blur's σ across and down in source pixels, when the content is blurred.
    pub content_blur: Option<(f64, f64)>,
    /// Opacity, 0..1.
    pub alpha: f32,
}

impl RoundedBox {
    fn moved(&self, [dx, dy]: [f32; 2]) -> Self {
        let r = self.rect;
        RoundedBox {
            rect: [r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy],
            radius: self.radius,
        }
    }
}

impl LayerDraw {
    /// The layer moved by whole pixels (a slide, cover or reveal moves a card so), within a
    /// frame of `width` × `height`: what it drew at (x, y) shows at (x + dx, y + dy); what it
    /// drew outside the frame stays out (the columns and rows are those moved, clamped).
    pub fn moved(&self, [dx, dy]: [i64; 2], width: u32, height: u32) -> LayerDraw {
        let shift = |r: &Range<usize>, d: i64, n: u32| {
            let clamp = |v: i64| v.clamp(0, n as i64) as usize;
            let (a, b) = (clamp(r.start as i64 + d), clamp(r.end as i64 + d));
            a..b.max(a)
        };
        let d = [dx as f32, dy as f32];
        let (fx, fy) = (dx as f64, dy as f64);
        let b = self.bounds;
        LayerDraw {
            samples: self
                .samples
                .iter()
                .map(|s| DrawSample {
                    rect: [
                        s.rect[0] + fx,
                        s.rect[1] + fy,
                        s.rect[2] + fx,
                        s.rect[3] + fy,
                    ],
                    src: s.src,
                    card: s.card.moved(d),
                    inner: s.inner.map(|i| i.moved(d)),
                    shadow: s.shadow.map(|i| i.moved(d)),
                })
                .collect(),
            bounds: [b[0] + d[0], b[1] + d[1], b[2] + d[0], b[3] + d[1]],
            cols: shift(&self.cols, dx, width),
            rows: shift(&self.rows, dy, height),
            content_blur: self.content_blur,
            alpha: self.alpha,
        }
    }
}

/// One output frame, validated, with everything a renderer derives from it.
#[derive(Debug, Clone)]
pub struct FramePlan<'a> {
    background: Background,
    layers: Vec<LayerSource<'a>>,
    transitions: Vec<TransitionDraw>,
    draws: Vec<Option<LayerDraw>>,
    transition_of: Vec<Option<usize>>,
    width: u32,
    height: u32,
}

/// Checks that `planes` hold a `format` image of `width` × `height`; `what` names them.
fn check_planes(
    format: super::PixelFormat,
    width: u32,
    height: u32,
    planes: impl ExactSizeIterator<Item = (usize, usize)>,
    what: &str,
) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("empty {what} size {width}x{height}"));
    }
    if planes.len() != format.n_planes() {
        return Err(format!("{format:?} {what} with {} planes", planes.len()));
    }
    for (i, (len, stride)) in planes.enumerate() {
        let (w, h, bpp) = format.plane_size(i, width, height);
        let row = (w * bpp) as usize;
        let needed = stride
            .checked_mul(h as usize - 1)
            .and_then(|n| n.checked_add(row));
        match needed {
            Some(needed) if stride >= row && len >= needed => {}
            _ => {
                return Err(format!(
                    "{what} plane {i} too small: {len} bytes, stride {stride}, need {} per row \
                     over {h} rows",
                    row
                ))
            }
        }
    }
    Ok(())
}

/// The first non-finite number of a layer's parameters, by property name.
fn non_finite(l: &LayerSource<'_>) -> Option<(&'static str, f64)> {
    let p = &l.params;
    let card = &p.card;
    let s = &card.shadow;
    let geometry = |g: &LayerGeometry| {
        [
            ("xpos", g.dst.x),
            ("ypos", g.dst.y),
            ("width", g.dst.w),
            ("height", g.dst.h),
            ("crop-left", g.crop.left),
            ("crop-right", g.crop.right),
            ("crop-top", g.crop.top),
            ("crop-bottom", g.crop.bottom),
            ("zoom", g.zoom.scale),
            ("zoom-center-x", g.zoom.centre.0),
            ("zoom-center-y", g.zoom.centre.1),
        ]
    };
    let style = [
        ("alpha", p.alpha),
        ("corner-radius", card.radius),
        ("border-width", card.border_width),
        ("shadow-offset-x", s.offset_x),
        ("shadow-offset-y", s.offset_y),
        ("shadow-blur", s.sigma),
        ("shadow-spread", s.spread),
        ("blur", card.blur),
    ];
    std::iter::once(p.geometry())
        .chain(p.motion.iter().copied())
        .flat_map(|g| geometry(&g))
        .chain(style)
        .find(|(_, v)| !v.is_finite())
}

impl<'a> FramePlan<'a> {
    /// Validates a frame of `layers` (bottom first) over `background`, with `transitions`
    /// under way, rendered into `output`, and derives how each layer is drawn.
    pub fn new(
        background: Background,
        layers: Vec<LayerSource<'a>>,
        transitions: Vec<TransitionDraw>,
        output: &OutputTarget<'_>,
    ) -> Result<Self, PlanError> {
        let (width, height) = (output.width, output.height);
        check_planes(
            output.format,
            width,
            height,
            output.planes.iter().map(|p| (p.data.len(), p.stride)),
            "output",
        )
        .map_err(PlanError::frame)?;
        for (i, l) in layers.iter().enumerate() {
            check_planes(
                l.format,
                l.width,
                l.height,
                l.planes.iter().map(|p| (p.data.len(), p.stride)),
                "input",
            )
            .map_err(|e| PlanError::layer(i, e))?;
            if let Some((name, v)) = non_finite(l) {
                return Err(PlanError::layer(
                    i,
                    format!("{name} is not a finite number ({v})"),
                ));
            }
        }
        match &background {
            Background::Blurred { layer, sigma } => {
                if *layer >= layers.len() {
                    return Err(PlanError::frame(format!(
                        "the background blurs layer {layer} of {}",
                        layers.len()
                    )));
                }
                if !sigma.is_finite() {
                    return Err(PlanError::frame(format!(
                        "background-blur is not a finite number ({sigma})"
                    )));
                }
            }
            Background::Gradient { angle, .. } if !angle.is_finite() => {
                return Err(PlanError::frame(format!(
                    "background-angle is not a finite number ({angle})"
                )));
            }
            _ => {}
        }
        let mut transition_of = vec![None; layers.len()];
        for (t, tr) in transitions.iter().enumerate() {
            if tr.from >= layers.len() || tr.to >= layers.len() || tr.from == tr.to {
                return Err(PlanError::frame(format!(
                    "a transition between layers {} and {} of {}",
                    tr.from,
                    tr.to,
                    layers.len()
                )));
            }
            if !tr.progress.is_finite() {
                return Err(PlanError::frame(format!(
                    "transition {t}: progress is not a finite number ({})",
                    tr.progress
                )));
            }
            for i in [tr.from, tr.to] {
                if transition_of[i].replace(t).is_some() {
                    return Err(PlanError::layer(
                        i,
                        "the layer is in two transitions at once".into(),
                    ));
                }
            }
        }
        let draws = layers
            .iter()
            .zip(&transition_of)
            .map(|(l, t)| layer_draw(l, *t, width, height))
            .collect();
        Ok(FramePlan {
            background,
            layers,
            transitions,
            draws,
            transition_of,
            width,
            height,
        })
    }

    /// What lies under every layer.
    pub fn background(&self) -> &Background {
        &self.background
    }

    /// Every input, drawn or not (a hidden layer may still be the blurred background).
    pub fn layers(&self) -> &[LayerSource<'a>] {
        &self.layers
    }

    /// The transitions under way, validated: both layers exist, differ, and are in no other.
    pub fn transitions(&self) -> &[TransitionDraw] {
        &self.transitions
    }

    /// How layer `i` is drawn: `None` when nothing of it shows (hidden, outside its crop, or
    /// of zero size) and it takes part in no transition.
    pub fn draw(&self, i: usize) -> Option<&LayerDraw> {
        self.draws.get(i).and_then(Option::as_ref)
    }

    /// The transition (index in [`Self::transitions`]) layer `i` is drawn through, if any.
    pub fn transition_of(&self, i: usize) -> Option<usize> {
        self.transition_of.get(i).copied().flatten()
    }

    /// The layers drawn on their own (not through a transition), bottom first, with their
    /// draws.
    pub fn cards(&self) -> impl Iterator<Item = (usize, &LayerDraw)> + '_ {
        self.draws
            .iter()
            .enumerate()
            .filter(|(i, _)| self.transition_of(*i).is_none())
            .filter_map(|(i, d)| d.as_ref().map(|d| (i, d)))
    }

    /// The layer whose place in the stack transition `t` takes: the upper of its two.
    pub fn transition_z(&self, t: usize) -> usize {
        let tr = &self.transitions[t];
        tr.from.max(tr.to)
    }

    /// Output width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Output height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
}

/// The draw of layer `l`; `None` when nothing of it shows.
fn layer_draw(
    l: &LayerSource<'_>,
    transition: Option<usize>,
    width: u32,
    height: u32,
) -> Option<LayerDraw> {
    let p = &l.params;
    let visible = p.alpha > 0.0 || p.operator == Operator::Source;
    if !visible && transition.is_none() {
        return None;
    }
    let mappings: Vec<([f64; 4], [f64; 4])> = p
        .samples()
        .filter_map(|g| {
            let (wx, wy, ww, wh) = g.window(l.width, l.height)?;
            let d = g.dst;
            (d.w > 0.0 && d.h > 0.0).then_some((
                [d.x, d.y, d.x + d.w, d.y + d.h],
                [wx, wy, ww / d.w, wh / d.h],
            ))
        })
        .collect();
    let mappings = thin_samples(mappings, MAX_MOTION_SAMPLES);
    if mappings.is_empty() {
        return None;
    }
    let card = &p.card;
    let radius = card.radius.max(0.0) as f32;
    let bw = card.border_width.max(0.0) as f32;
    let shadow = &card.shadow;
    let samples = mappings
        .into_iter()
        .map(|(rect, src)| {
            let r32 = rect.map(|v| v as f32);
            let size = [r32[2] - r32[0], r32[3] - r32[1]];
            let r = radius.min(0.5 * size[0].min(size[1]));
            let inner = (bw > 0.0).then(|| {
                RoundedBox::new(
                    [r32[0] + bw, r32[1] + bw, r32[2] - bw, r32[3] - bw],
                    (r - bw).max(0.0),
                )
            });
            let shadow = shadow
                .visible()
                .then(|| {
                    let spread = shadow.spread as f32;
                    let (ox, oy) = (shadow.offset_x as f32, shadow.offset_y as f32);
                    let s = [
                        r32[0] + ox - spread,
                        r32[1] + oy - spread,
                        r32[2] + ox + spread,
                        r32[3] + oy + spread,
                    ];
                    let ss = [s[2] - s[0], s[3] - s[1]];
                    let sr = if r > 0.0 {
                        (r + spread).max(0.0).min(0.5 * ss[0].min(ss[1]))
                    } else {
                        0.0
                    };
                    (ss[0] > 0.0 && ss[1] > 0.0).then(|| RoundedBox::new(s, sr))
                })
                .flatten();
            DrawSample {
                rect,
                src,
                card: RoundedBox::new(r32, r),
                inner,
                shadow,
            }
        })
        .collect();
    let bounds = p.bounds().map(|v| v as f32);
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as usize;
    let x0 = clamp(bounds[0].floor() - 1.0, width);
    let y0 = clamp(bounds[1].floor() - 1.0, height);
    let x1 = clamp(bounds[2].ceil() + 1.0, width).max(x0);
    let y1 = clamp(bounds[3].ceil() + 1.0, height).max(y0);
    // σ is in output pixels: in source pixels it scales with the window.
    let content_blur = (card.blur > 0.0)
        .then(|| p.geometry().window(l.width, l.height))
        .flatten()
        .map(|(_, _, ww, wh)| (card.blur * ww / p.dst.w, card.blur * wh / p.dst.h))
        .filter(|(sx, sy)| sx.is_finite() && sy.is_finite());
    Some(LayerDraw {
        samples,
        bounds,
        cols: x0..x1,
        rows: y0..y1,
        content_blur,
        alpha: p.alpha.clamp(0.0, 1.0) as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Crop, LayerParams, PixelFormat, Plane, PlaneMut, Rect, YuvColorimetry};
    use crate::effects::{CardStyle, Shadow};
    use crate::transition::{TransitionKind, XfadeKind};

    const PIXELS: [u8; 8 * 8 * 4] = [128; 8 * 8 * 4];

    fn layer(params: LayerParams) -> LayerSource<'static> {
        LayerSource {
            format: PixelFormat::Rgba,
            width: 8,
            height: 8,
            planes: vec![Plane {
                data: &PIXELS,
                stride: 32,
            }],
            colorimetry: YuvColorimetry::default(),
            params,
        }
    }

    fn placed(x: f64, alpha: f64) -> LayerParams {
        LayerParams::placed(
            Rect {
                x,
                y: 2.0,
                w: 8.0,
                h: 8.0,
            },
            Crop::default(),
            alpha,
            Operator::Over,
        )
    }

    fn plan(
        background: Background,
        layers: Vec<LayerSource<'static>>,
        transitions: Vec<TransitionDraw>,
    ) -> Result<FramePlan<'static>, PlanError> {
        let mut buf = vec![0u8; 16 * 16 * 4];
        let out = OutputTarget {
            format: PixelFormat::Rgba,
            width: 16,
            height: 16,
            planes: vec![PlaneMut {
                data: &mut buf,
                stride: 64,
            }],
            colorimetry: YuvColorimetry::default(),
        };
        FramePlan::new(background, layers, transitions, &out)
    }

    fn fade(from: usize, to: usize) -> TransitionDraw {
        TransitionDraw {
            from,
            to,
            progress: 0.5,
            kind: TransitionKind::Xfade(XfadeKind::Fade),
        }
    }

    #[test]
    fn transitions_the_backends_used_to_disagree_on_are_rejected() {
        let layers = || vec![layer(placed(0.0, 1.0)), layer(placed(4.0, 1.0))];
        let bg = || Background::Solid(0xff00_0000);
        let same = plan(bg(), layers(), vec![fade(1, 1)]).unwrap_err();
        assert!(same.message.contains("between layers 1 and 1"), "{same}");
        let out_of_range = plan(bg(), layers(), vec![fade(0, 2)]).unwrap_err();
        assert!(out_of_range.message.contains("of 2"), "{out_of_range}");
        let mut three = layers();
        three.push(layer(placed(6.0, 1.0)));
        let twice = plan(bg(), three, vec![fade(0, 1), fade(1, 2)]).unwrap_err();
        assert_eq!(twice.layer, Some(1));
        assert!(twice.message.contains("two transitions"), "{twice}");
        assert!(plan(bg(), layers(), vec![fade(0, 1)]).is_ok());
    }

    #[test]
    fn bad_planes_and_backgrounds_are_rejected() {
        let mut short = layer(placed(0.0, 1.0));
        short.planes[0].data = &PIXELS[..100];
        let e = plan(Background::Checker, vec![short], vec![]).unwrap_err();
        assert_eq!(e.layer, Some(0));
        assert!(e.message.contains("input plane 0 too small"), "{e}");
        let mut huge = layer(placed(0.0, 1.0));
        huge.planes[0].stride = usize::MAX / 2;
        assert!(plan(Background::Checker, vec![huge], vec![]).is_err());
        let e = plan(
            Background::Blurred {
                layer: 3,
                sigma: 4.0,
            },
            vec![],
            vec![],
        )
        .unwrap_err();
        assert!(e.message.contains("blurs layer 3 of 0"), "{e}");
    }

    #[test]
    fn non_finite_parameters_name_the_property() {
        let mut p = placed(0.0, 1.0);
        p.motion.push(LayerGeometry {
            dst: Rect {
                x: f64::NAN,
                ..p.dst
            },
            crop: p.crop,
            zoom: p.zoom,
        });
        let e = plan(Background::Checker, vec![layer(p)], vec![]).unwrap_err();
        assert_eq!(e.layer, Some(0));
        assert!(
            e.message.contains("xpos") && e.message.contains("NaN"),
            "{e}"
        );
        let mut p = placed(0.0, 1.0);
        p.card.shadow.spread = f64::INFINITY;
        let e = plan(Background::Checker, vec![layer(p)], vec![]).unwrap_err();
        assert!(e.message.contains("shadow-spread"), "{e}");
    }

    #[test]
    fn hidden_layers_are_not_drawn_unless_in_a_transition() {
        let p = plan(
            Background::Checker,
            vec![layer(placed(0.0, 0.0)), layer(placed(4.0, 0.0))],
            vec![],
        )
        .unwrap();
        assert!(p.draw(0).is_none() && p.draw(1).is_none());
        let p = plan(
            Background::Checker,
            vec![
                layer(placed(0.0, 0.0)),
                layer(placed(4.0, 1.0)),
                layer(placed(2.0, 1.0)),
            ],
            vec![fade(0, 1)],
        )
        .unwrap();
        assert!(p.draw(0).is_some());
        assert_eq!(p.transition_of(0), Some(0));
        assert_eq!(p.cards().map(|(i, _)| i).collect::<Vec<_>>(), vec![2]);
        assert_eq!(p.transition_z(0), 1);
    }

    #[test]
    fn derived_shapes() {
        let mut params = placed(0.5, 1.0);
        params.card = CardStyle {
            radius: 100.0,
            border_width: 1.0,
            shadow: Shadow {
                offset_y: 2.0,
                spread: 1.0,
                sigma: 1.0,
                color: 0x8000_0000,
                ..Default::default()
            },
            blur: 2.0,
            ..Default::default()
        };
        params.dst.w = 4.0;
        params.zoom.scale = 2.0;
        let p = plan(Background::Checker, vec![layer(params)], vec![]).unwrap();
        let d = p.draw(0).unwrap();
        let s = &d.samples[0];
        // The radius is clamped to half the smaller side, the inner edge is one pixel in.
        assert_eq!(s.card.radius, 2.0);
        assert_eq!(s.card.rect, [0.5, 2.0, 4.5, 10.0]);
        assert_eq!(s.inner.unwrap().rect, [1.5, 3.0, 3.5, 9.0]);
        assert_eq!(s.inner.unwrap().radius, 1.0);
        let shadow = s.shadow.unwrap();
        assert_eq!(shadow.rect, [-0.5, 3.0, 5.5, 13.0]);
        assert_eq!(shadow.radius, 3.0);
        // Source mapping: a zoom of 2 shows half of the 8 px source over 4 x 8 output pixels.
        assert_eq!(s.src, [2.0, 2.0, 1.0, 0.5]);
        assert_eq!((s.tx(0.5), s.ty(10.0)), (2.0, 6.0));
        // The blur's σ in source pixels follows the window: 4 px over 4 across, 4 over 8 down.
        assert_eq!(d.content_blur, Some((2.0, 1.0)));
        assert_eq!((d.cols.clone(), d.rows.clone()), (0..11, 0..16));
        assert_eq!(d.samples.len(), 1);
    }

    #[test]
    fn motion_samples_are_thinned_once() {
        let mut params = placed(0.0, 1.0);
        params.motion = (0..30)
            .map(|i| LayerGeometry {
                dst: Rect {
                    x: i as f64 * 0.1,
                    ..params.dst
                },
                crop: params.crop,
                zoom: params.zoom,
            })
            .collect();
        let p = plan(Background::Checker, vec![layer(params)], vec![]).unwrap();
        assert_eq!(p.draw(0).unwrap().samples.len(), MAX_MOTION_SAMPLES);
    }

    #[test]
    fn moved_layers_read_the_same_source_pixels() {
        let p = plan(Background::Checker, vec![layer(placed(3.5, 1.0))], vec![]).expect("valid");
        let d = p.draw(0).expect("drawn");
        let m = d.moved([5, -3], 16, 16);
        let (a, b) = (&d.samples[0], &m.samples[0]);
        for x in [3.5, 7.25, 11.0] {
            assert_eq!(a.tx(x), b.tx(x + 5.0));
            assert_eq!(a.ty(x), b.ty(x - 3.0));
        }
        assert_eq!(b.card.rect[0], a.card.rect[0] + 5.0);
        // Clamped to the frame: nothing drawn off it comes back.
        assert_eq!(m.cols.start, d.cols.start + 5);
        assert_eq!(m.cols.end, 16);
        assert_eq!(m.rows, d.rows.start.saturating_sub(3)..d.rows.end - 3);
        let gone = d.moved([-40, 0], 16, 16);
        assert!(gone.cols.is_empty());
    }
}

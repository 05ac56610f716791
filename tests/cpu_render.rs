//! The CPU renderer against the CPU reference in tests/reference (f64, written from the
//! definitions), the YUV path against the RGB path, and the renderer against itself across
//! thread counts.
//!
//! Tolerances (8-bit codes per channel), from what the renderer computes differently; the
//! largest difference measured when they were set is in brackets:
//! - placement, scaling, crop, operators, input and output formats, gradients, images, zoom: 2
//!   (f32 against f64, each side rounding once; YUV outputs convert a reference already rounded
//!   to 8 bits) [1];
//! - curved edges, borders, shadows, content and motion blur, transitions: 3 (the wgpu
//!   backend's arithmetic: tangent-line areas of the curve, erf shadows in 16 slabs per corner,
//!   a 3σ + 1 blur radius, against sub-sampled areas and sampled 4σ gaussians) [3 at a 3 px
//!   corner, a border on a 4 px corner and two squircle shadows; 2 elsewhere];
//! - the blurred background is computed at reduced size on purpose: PSNR ≥ 40 dB against the
//!   full-resolution gaussian [42.0 dB at σ 30, 47.0 at σ 20, 50.1 at σ 12];
//! - YUV in → YUV out with the same matrix and range (the YUV path): 2 against the reference,
//!   3 over a blurred background [2], and 2 against the RGB path [1], for in-gamut sources. The
//!   path blends Y'CbCr directly (no clamp of out-of-gamut colours to RGB) and composites chroma
//!   at chroma resolution (where the edges of two layers meet in one chroma sample the
//!   difference can reach a few codes more: the tests' cards do not share edges).

mod reference;
mod scene;

use std::sync::Arc;

use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, PlaneMut,
    Rect, YuvColorimetry,
};
use gstparallelcompositor::cpu::CpuRenderer;
use gstparallelcompositor::render::{RenderError, Renderer};
use gstparallelcompositor::transition::{ShaderProgram, TransitionDraw, TransitionKind, XfadeKind};
use reference::effects::{self as fx, Bg, Card, EffectLayer, Geometry};
use reference::{Image, Layer, Op};
use scene::{background, colorimetry, format_of, params, source, to_params};

const W: usize = 64;
const H: usize = 48;

/// Renders into tightly packed planes of `format` (rows written through a padded stride).
#[allow(clippy::too_many_arguments)]
fn render_planes(
    renderer: &mut CpuRenderer,
    background: &Background,
    sources: &[LayerSource<'_>],
    transitions: &[TransitionDraw],
    format: PixelFormat,
    out_colorimetry: YuvColorimetry,
    width: usize,
    height: usize,
) -> Vec<Vec<u8>> {
    try_render_planes(
        renderer,
        background,
        sources,
        transitions,
        format,
        out_colorimetry,
        width,
        height,
    )
    .unwrap_or_else(|e| panic!("render: {e}"))
}

/// `render_planes`, the renderer's error returned.
#[allow(clippy::too_many_arguments)]
fn try_render_planes(
    renderer: &mut CpuRenderer,
    background: &Background,
    sources: &[LayerSource<'_>],
    transitions: &[TransitionDraw],
    format: PixelFormat,
    out_colorimetry: YuvColorimetry,
    width: usize,
    height: usize,
) -> Result<Vec<Vec<u8>>, RenderError> {
    let shapes: Vec<(usize, usize)> = (0..format.n_planes())
        .map(|p| {
            let (pw, ph, bpp) = format.plane_size(p, width as u32, height as u32);
            ((pw * bpp) as usize, ph as usize)
        })
        .collect();
    // A padded stride checks that rows land where the stride says.
    let mut bufs: Vec<Vec<u8>> = shapes
        .iter()
        .map(|(row, rows)| vec![0xa5u8; (row + 12) * rows])
        .collect();
    let mut out = OutputTarget {
        format,
        width: width as u32,
        height: height as u32,
        planes: bufs
            .iter_mut()
            .zip(&shapes)
            .map(|(b, (row, _))| PlaneMut {
                data: b.as_mut_slice(),
                stride: row + 12,
            })
            .collect(),
        colorimetry: out_colorimetry,
    };
    renderer.render_layers(background, sources, transitions, &mut out)?;
    Ok(bufs
        .iter()
        .zip(&shapes)
        .map(|(b, (row, _))| {
            b.chunks(row + 12)
                .flat_map(|r| r[..*row].to_vec())
                .collect()
        })
        .collect())
}

fn render_rgba(
    background: &Background,
    sources: &[LayerSource<'_>],
    w: usize,
    h: usize,
) -> Vec<u8> {
    render_planes(
        &mut CpuRenderer::new(1),
        background,
        sources,
        &[],
        PixelFormat::Rgba,
        YuvColorimetry::default(),
        w,
        h,
    )
    .remove(0)
}

#[track_caller]
fn assert_close(
    what: &str,
    tolerance: u8,
    expected: &[u8],
    got: &[u8],
    width: usize,
    channels: usize,
) {
    let (diff, at) = reference::max_diff(expected, got);
    let px = at / channels;
    eprintln!("{what}: max difference {diff}");
    assert!(
        diff <= tolerance,
        "{what}: max difference {diff} (tolerance {tolerance}) at pixel ({}, {}) channel {}: \
         reference {:?} cpu {:?}",
        px % width,
        px / width,
        at % channels,
        &expected[px * channels..px * channels + channels],
        &got[px * channels..px * channels + channels]
    );
}

// ---- plain compositing against reference::render_rgba ----

fn plain(image: Image, dst: (f64, f64, f64, f64)) -> Layer {
    Layer {
        image,
        dst,
        crop: (0.0, 0.0, 0.0, 0.0),
        alpha: 1.0,
        op: Op::Over,
    }
}

#[track_caller]
fn check_plain(what: &str, bg: Option<u32>, layers: &[Layer], width: usize, height: usize) {
    let expected = reference::render_rgba(bg, layers, width, height);
    let sources: Vec<LayerSource<'_>> = layers
        .iter()
        .map(|l| source(&l.image, to_params(l)))
        .collect();
    let background = match bg {
        Some(c) => Background::Solid(c),
        None => Background::Checker,
    };
    let got = render_rgba(&background, &sources, width, height);
    assert_close(what, 2, &expected, &got, width, 4);
}

#[test]
fn solid_and_checker_backgrounds() {
    for bg in [
        0xff00_0000,
        0xffff_ffff,
        0x0000_0000,
        0xff12_3456,
        0x8040_80c0,
    ] {
        check_plain(&format!("background {bg:08x}"), Some(bg), &[], W, H);
    }
    check_plain("checker", None, &[], W, H);
}

#[test]
fn placement_at_whole_pixels_copies_exactly() {
    let img = reference::rgba_image(16, 12, reference::pattern_rgba(16, 12));
    let l = plain(img.clone(), (5.0, 7.0, 16.0, 12.0));
    let expected = reference::render_rgba(Some(0xff00_0000), std::slice::from_ref(&l), W, H);
    let got = render_rgba(
        &Background::Solid(0xff00_0000),
        &[source(&l.image, to_params(&l))],
        W,
        H,
    );
    assert_eq!(expected, got, "an unscaled layer at whole pixels is a copy");
    let row = 7 * W * 4 + 5 * 4;
    assert_eq!(&got[row..row + 16 * 4], &img.planes[0][..16 * 4]);
}

#[test]
fn sub_pixel_placement_scaling_and_crop() {
    let img = reference::rgba_image(16, 12, reference::pattern_rgba(16, 12));
    for (x, y) in [(5.25, 7.5), (0.7, 3.1), (-3.4, -2.6), (50.9, 40.2)] {
        check_plain(
            &format!("at ({x}, {y})"),
            Some(0xff20_4060),
            &[plain(img.clone(), (x, y, 16.0, 12.0))],
            W,
            H,
        );
    }
    let smooth = reference::rgba_image(32, 24, reference::gradient_rgba(32, 24, false));
    check_plain(
        "up",
        Some(0xff00_0000),
        &[plain(smooth.clone(), (3.0, 2.5, 57.3, 41.0))],
        W,
        H,
    );
    check_plain(
        "down",
        Some(0xff00_0000),
        &[plain(smooth, (10.0, 10.0, 13.0, 9.5))],
        W,
        H,
    );
    let pattern = reference::rgba_image(32, 24, reference::pattern_rgba(32, 24));
    let mut l = plain(pattern, (4.0, 4.0, 40.0, 30.0));
    l.crop = (3.0, 5.5, 2.25, 4.0);
    check_plain("crop", Some(0xff00_0000), &[l], W, H);
}

#[test]
fn operators_alpha_and_zorder() {
    let a = reference::rgba_image(24, 20, reference::gradient_rgba(24, 20, true));
    let b = reference::rgba_image(24, 20, reference::pattern_rgba(24, 20));
    for op in [Op::Over, Op::Source, Op::Add] {
        for bg in [0xff40_2010, 0x0000_0000, 0x8080_8080] {
            let bottom = plain(a.clone(), (0.0, 0.0, 40.0, 30.0));
            let mut top = plain(a.clone(), (12.5, 9.25, 30.0, 25.0));
            top.op = op;
            top.alpha = 0.7;
            check_plain(
                &format!("{op:?} on {bg:08x}"),
                Some(bg),
                &[bottom, top],
                W,
                H,
            );
        }
    }
    let mut top = plain(b, (10.0, 8.0, 30.0, 25.0));
    top.alpha = 0.6;
    let mut bottom = plain(a, (2.0, 3.0, 40.0, 30.0));
    bottom.alpha = 0.8;
    check_plain(
        "b over a",
        Some(0xff30_3030),
        &[bottom.clone(), top.clone()],
        W,
        H,
    );
    check_plain("a over b", None, &[top, bottom], W, H);
}

#[test]
fn input_formats() {
    for format in ["I420", "NV12"] {
        for (bt709, full) in [(false, false), (true, false), (false, true), (true, true)] {
            let img = reference::yuv_image(format, 30, 22, bt709, full);
            check_plain(
                &format!("{format} bt709={bt709} full={full} 1:1"),
                Some(0xff00_0000),
                &[plain(img.clone(), (4.0, 3.0, 30.0, 22.0))],
                W,
                H,
            );
            check_plain(
                &format!("{format} bt709={bt709} full={full} scaled"),
                Some(0xff00_0000),
                &[plain(img, (1.5, 2.25, 55.0, 41.5))],
                W,
                H,
            );
        }
    }
    let mut centred = reference::yuv_image("I420", 30, 22, true, false);
    centred.cosited_h = false;
    check_plain(
        "I420 jpeg siting",
        Some(0xff00_0000),
        &[plain(centred, (4.0, 3.0, 30.0, 22.0))],
        W,
        H,
    );
    let rgba = reference::gradient_rgba(20, 16, true);
    let swap =
        |d: &[u8]| -> Vec<u8> { d.chunks(4).flat_map(|p| [p[2], p[1], p[0], p[3]]).collect() };
    for format in ["RGBA", "BGRA", "RGBx", "BGRx"] {
        let data = if format.starts_with('B') {
            swap(&rgba)
        } else {
            rgba.clone()
        };
        let mut img = reference::rgba_image(20, 16, data);
        img.format = format;
        check_plain(
            format,
            Some(0xff10_2030),
            &[plain(img, (3.5, 2.0, 41.0, 33.0))],
            W,
            H,
        );
    }
    let odd = reference::yuv_image("I420", 17, 13, true, false);
    check_plain(
        "odd I420 source",
        Some(0xff00_0000),
        &[plain(odd, (2.0, 1.0, 17.0, 13.0))],
        33,
        25,
    );
}

// ---- effects against reference::effects ----

#[track_caller]
fn check(what: &str, tolerance: u8, bg: &Bg, layers: &[EffectLayer]) {
    let expected = fx::render_effects(bg, layers, W, H);
    let sources: Vec<LayerSource<'_>> =
        layers.iter().map(|l| source(&l.image, params(l))).collect();
    let got = render_rgba(&background(bg), &sources, W, H);
    assert_close(what, tolerance, &expected, &got, W, 4);
}

fn pattern(width: usize, height: usize) -> Image {
    reference::rgba_image(width, height, reference::pattern_rgba(width, height))
}

fn still(dst: (f64, f64, f64, f64)) -> Vec<Geometry> {
    vec![Geometry {
        dst,
        crop: (0.0, 0.0, 0.0, 0.0),
        zoom: (1.0, 0.5, 0.5),
    }]
}

fn card_layer(image: Image, dst: (f64, f64, f64, f64), card: Card) -> EffectLayer {
    EffectLayer {
        image,
        samples: still(dst),
        alpha: 1.0,
        op: Op::Over,
        card,
    }
}

#[test]
fn rounded_corners_circular_and_squircle() {
    for squircle in [false, true] {
        for radius in [3.0, 8.5, 20.0, 100.0] {
            let l = card_layer(
                pattern(40, 30),
                (6.3, 5.7, 45.0, 33.5),
                Card {
                    radius,
                    squircle,
                    ..Default::default()
                },
            );
            check(
                &format!("radius {radius} squircle {squircle}"),
                3,
                &Bg::Checker,
                &[l],
            );
        }
    }
}

#[test]
fn borders() {
    for (radius, border) in [(0.0, 2.0), (0.0, 1.5), (10.0, 3.0), (4.0, 6.0), (5.0, 30.0)] {
        let l = card_layer(
            pattern(40, 30),
            (6.5, 5.25, 45.0, 33.0),
            Card {
                radius,
                border,
                border_color: 0xc0ff_2080,
                ..Default::default()
            },
        );
        let tolerance = if radius > 0.0 { 3 } else { 2 };
        check(
            &format!("radius {radius} border {border}"),
            tolerance,
            &Bg::Solid(0xff10_2030),
            &[l],
        );
    }
}

#[test]
fn shadows() {
    let cases = [
        (0.0, 4.0, 6.0, 3.0, 0.0, 0x9900_0000u32),
        (10.0, -3.0, 5.0, 4.0, 2.0, 0xff20_4080),
        (12.0, 0.0, 0.0, 0.0, 3.0, 0x8000_0000),
        (6.0, 2.5, -1.5, 2.0, -2.0, 0xcc00_0000),
        (9.0, 3.0, 3.0, 0.0, 0.0, 0xff00_0000),
    ];
    for squircle in [false, true] {
        for (radius, dx, dy, sigma, spread, color) in cases {
            let l = card_layer(
                pattern(32, 24),
                (14.5, 10.25, 34.0, 25.5),
                Card {
                    radius,
                    squircle,
                    shadow: Some(fx::Shadow {
                        dx,
                        dy,
                        sigma,
                        spread,
                        color,
                    }),
                    ..Default::default()
                },
            );
            check(
                &format!("shadow r {radius} ({dx}, {dy}) σ {sigma} spread {spread} {color:08x} squircle {squircle}"),
                3,
                &Bg::Solid(0xffe0_e0e0),
                &[l],
            );
        }
    }
    // Through translucent content: the shadow shows where the content is transparent.
    let l = card_layer(
        reference::rgba_image(40, 30, reference::gradient_rgba(40, 30, true)),
        (8.0, 6.0, 40.0, 30.0),
        Card {
            radius: 6.0,
            shadow: Some(fx::Shadow {
                dx: 2.0,
                dy: 3.0,
                sigma: 2.5,
                spread: 0.0,
                color: 0xff00_0080,
            }),
            ..Default::default()
        },
    );
    check(
        "shadow under translucent content",
        3,
        &Bg::Solid(0xffe0_e0e0),
        &[l],
    );
}

#[test]
fn content_blur() {
    for (sigma, dst) in [
        (1.0, (4.0, 3.0, 40.0, 30.0)),
        (2.5, (10.5, 6.25, 40.0, 30.0)),
        (3.0, (2.0, 2.0, 60.0, 44.0)),
    ] {
        let l = card_layer(
            pattern(40, 30),
            dst,
            Card {
                blur: sigma,
                radius: 5.0,
                ..Default::default()
            },
        );
        check(&format!("blur σ {sigma}"), 3, &Bg::Solid(0xff00_0000), &[l]);
    }
    let l = card_layer(
        reference::yuv_image("I420", 40, 30, true, false),
        (4.0, 3.0, 50.0, 36.0),
        Card {
            blur: 2.0,
            ..Default::default()
        },
    );
    check("blur of I420", 3, &Bg::Solid(0xff00_0000), &[l]);
}

#[test]
fn zoom_matches_reference() {
    for (scale, cx, cy) in [
        (1.0, 0.5, 0.5),
        (1.8, 0.3, 0.4),
        (2.5, 0.0, 1.0),
        (1.37, 0.9, 0.1),
    ] {
        let mut l = card_layer(pattern(40, 30), (5.5, 4.25, 50.0, 38.0), Card::default());
        l.samples[0].zoom = (scale, cx, cy);
        l.samples[0].crop = (2.0, 1.0, 0.5, 3.0);
        check(
            &format!("zoom {scale} at ({cx}, {cy})"),
            2,
            &Bg::Checker,
            &[l],
        );
    }
}

#[test]
fn motion_blur_averages_the_shutter_interval() {
    let samples: Vec<Geometry> = (0..6)
        .map(|i| Geometry {
            dst: (6.0 + 2.5 * i as f64, 8.0 + 0.5 * i as f64, 36.0, 27.0),
            crop: (0.0, 0.0, 0.0, 0.0),
            zoom: (1.0 + 0.1 * i as f64, 0.4, 0.6),
        })
        .collect();
    for op in [Op::Over, Op::Add] {
        let l = EffectLayer {
            image: pattern(40, 30),
            samples: samples.clone(),
            alpha: 0.9,
            op,
            card: Card {
                radius: 6.0,
                shadow: Some(fx::Shadow {
                    dx: 0.0,
                    dy: 3.0,
                    sigma: 2.0,
                    spread: 0.0,
                    color: 0x8000_0000,
                }),
                ..Default::default()
            },
        };
        check(
            &format!("motion blur {op:?}"),
            3,
            &Bg::Solid(0xff30_3030),
            &[l],
        );
    }
}

#[test]
fn source_operator_with_a_card() {
    let l = EffectLayer {
        image: reference::rgba_image(40, 30, reference::gradient_rgba(40, 30, true)),
        samples: still((8.5, 6.5, 40.0, 30.0)),
        alpha: 0.8,
        op: Op::Source,
        card: Card {
            radius: 7.0,
            border: 2.0,
            border_color: 0xff00_ff00,
            ..Default::default()
        },
    };
    check("source operator", 3, &Bg::Checker, &[l]);
}

#[test]
fn gradient_and_image_backgrounds() {
    for angle in [0.0, 90.0, 180.0, 45.0, 135.0, -30.0, 300.0] {
        check(
            &format!("gradient {angle}°"),
            2,
            &Bg::Gradient {
                from: 0xff20_4080,
                to: 0x80ff_c000,
                angle,
            },
            &[],
        );
    }
    for (iw, ih) in [(32, 12), (10, 30), (64, 48), (100, 90)] {
        let bg = Bg::Image {
            width: iw,
            height: ih,
            rgba: reference::gradient_rgba(iw, ih, true),
        };
        check(&format!("image {iw}x{ih}"), 2, &bg, &[]);
    }
}

/// A layer that is not drawn (alpha 0) but is the blurred background.
fn hidden(image: &Image) -> LayerSource<'_> {
    let p = LayerParams::placed(
        Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        },
        Crop::default(),
        0.0,
        Operator::Over,
    );
    source(image, p)
}

#[test]
fn blurred_background_is_close_to_full_resolution() {
    let (w, h) = (320usize, 240usize);
    for (sigma, src) in [
        (20.0, pattern(160, 120)),
        (12.0, pattern(320, 240)),
        (6.0, reference::yuv_image("I420", 200, 150, true, false)),
        (30.0, pattern(240, 240)),
        (2.0, pattern(100, 80)),
    ] {
        let expected = fx::to_rgba8(&fx::blurred_cover(&src, w, h, sigma));
        let got = render_rgba(
            &Background::Blurred { layer: 0, sigma },
            &[hidden(&src)],
            w,
            h,
        );
        let psnr = fx::psnr(&expected, &got);
        eprintln!("blurred background σ {sigma}: PSNR {psnr:.1} dB");
        assert!(psnr >= 40.0, "σ {sigma}: PSNR {psnr:.1} dB");
    }
}

// ---- output formats ----

/// Straight RGBA8 (opaque) → Y'CbCr planes with the wgpu backend's chroma kernels, in f64.
fn rgba_to_yuv(rgba: &[u8], w: usize, h: usize, c: &YuvColorimetry) -> [Vec<u8>; 3] {
    let (kr, kb) = c.matrix.kr_kb();
    let kg = 1.0 - kr - kb;
    let (yoff, ys, cs) = if c.full_range {
        (0.0, 255.0, 255.0)
    } else {
        (16.0, 219.0, 224.0)
    };
    let px = |x: i64, y: i64| -> [f64; 3] {
        let x = x.clamp(0, w as i64 - 1) as usize;
        let y = y.clamp(0, h as i64 - 1) as usize;
        let p = &rgba[(y * w + x) * 4..];
        [
            p[0] as f64 / 255.0,
            p[1] as f64 / 255.0,
            p[2] as f64 / 255.0,
        ]
    };
    let luma = |p: [f64; 3]| kr * p[0] + kg * p[1] + kb * p[2];
    let code = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    let mut yp = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            yp.push(code(yoff + ys * luma(px(x as i64, y as i64))));
        }
    }
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (mut up, mut vp) = (Vec::new(), Vec::new());
    for j in 0..ch as i64 {
        for i in 0..cw as i64 {
            let xs: Vec<(i64, f64)> = if c.chroma_cosited_h {
                vec![(2 * i - 1, 0.25), (2 * i, 0.5), (2 * i + 1, 0.25)]
            } else {
                vec![(2 * i, 0.5), (2 * i + 1, 0.5)]
            };
            let mut acc = [0.0; 3];
            for (x, wx) in &xs {
                for (y, wy) in [(2 * j, 0.5), (2 * j + 1, 0.5)] {
                    let p = px(*x, y);
                    for k in 0..3 {
                        acc[k] += wx * wy * p[k];
                    }
                }
            }
            let l = luma(acc);
            up.push(code(128.0 + cs * (acc[2] - l) / (2.0 * (1.0 - kb))));
            vp.push(code(128.0 + cs * (acc[0] - l) / (2.0 * (1.0 - kr))));
        }
    }
    [yp, up, vp]
}

/// The Y, U and V planes of an I420 or NV12 output.
fn yuv_planes(format: PixelFormat, planes: Vec<Vec<u8>>) -> [Vec<u8>; 3] {
    match format {
        PixelFormat::Nv12 => {
            let u = planes[1].iter().step_by(2).copied().collect();
            let v = planes[1].iter().skip(1).step_by(2).copied().collect();
            [planes[0].clone(), u, v]
        }
        _ => [planes[0].clone(), planes[1].clone(), planes[2].clone()],
    }
}

/// An in-gamut Y'CbCr picture of a smooth RGB gradient (chroma averaged over 2 × 2).
fn smooth_yuv(format: &'static str, w: usize, h: usize, bt709: bool, full: bool) -> Image {
    let rgba = reference::gradient_rgba(w, h, false);
    let c = colorimetry(bt709, full, false);
    let [y, u, v] = rgba_to_yuv(&rgba, w, h, &c);
    let planes = if format == "I420" {
        vec![y, u, v]
    } else {
        vec![y, u.iter().zip(&v).flat_map(|(a, b)| [*a, *b]).collect()]
    };
    Image {
        format,
        width: w,
        height: h,
        planes,
        bt709,
        full_range: full,
        cosited_h: false,
    }
}

#[test]
fn packed_output_formats() {
    let img = reference::rgba_image(40, 30, reference::gradient_rgba(40, 30, true));
    let l = card_layer(
        img,
        (5.5, 4.0, 50.0, 36.0),
        Card {
            radius: 6.0,
            ..Default::default()
        },
    );
    let sources = [source(&l.image, params(&l))];
    let bg = Background::Solid(0x8020_4060);
    let rgba = render_rgba(&bg, &sources, W, H);
    for (format, order) in [
        (PixelFormat::Bgra, [2, 1, 0, 3]),
        (PixelFormat::Rgbx, [0, 1, 2, 3]),
        (PixelFormat::Bgrx, [2, 1, 0, 3]),
    ] {
        let got = render_planes(
            &mut CpuRenderer::new(2),
            &bg,
            &sources,
            &[],
            format,
            YuvColorimetry::default(),
            W,
            H,
        )
        .remove(0);
        for (a, b) in rgba.chunks(4).zip(got.chunks(4)) {
            assert_eq!([a[0], a[1], a[2], a[3]], order.map(|i| b[i]), "{format:?}");
        }
    }
}

#[track_caller]
fn check_yuv_output(
    what: &str,
    tolerance: u8,
    bg: &Bg,
    layers: &[EffectLayer],
    format: PixelFormat,
    c: YuvColorimetry,
    (w, h): (usize, usize),
) {
    let expected = rgba_to_yuv(&fx::render_effects(bg, layers, w, h), w, h, &c);
    let sources: Vec<LayerSource<'_>> =
        layers.iter().map(|l| source(&l.image, params(l))).collect();
    let got = yuv_planes(
        format,
        render_planes(
            &mut CpuRenderer::new(1),
            &background(bg),
            &sources,
            &[],
            format,
            c,
            w,
            h,
        ),
    );
    for (p, name) in ["Y", "U", "V"].iter().enumerate() {
        let pw = if p == 0 { w } else { w.div_ceil(2) };
        assert_close(
            &format!("{what} {name}"),
            tolerance,
            &expected[p],
            &got[p],
            pw,
            1,
        );
    }
}

#[test]
fn yuv_outputs_from_rgb_inputs() {
    let img = pattern(40, 30);
    let l = card_layer(
        img,
        (5.5, 4.0, 50.0, 36.0),
        Card {
            radius: 6.0,
            ..Default::default()
        },
    );
    for format in [PixelFormat::I420, PixelFormat::Nv12] {
        for (bt709, full, cosited) in [
            (true, false, true),
            (false, true, false),
            (true, true, false),
        ] {
            let c = colorimetry(bt709, full, cosited);
            check_yuv_output(
                &format!("{format:?} bt709={bt709} full={full} cosited={cosited}"),
                2,
                &Bg::Checker,
                std::slice::from_ref(&l),
                format,
                c,
                (W, H),
            );
        }
    }
}

/// YUV in, YUV out with the same colorimetry: the YUV path, at odd sizes.
#[test]
fn yuv_to_yuv_odd_sizes() {
    let (w, h) = (63, 47);
    for format in ["I420", "NV12"] {
        let src = smooth_yuv(format, 41, 29, true, false);
        let c = colorimetry(true, false, false);
        let card = Card {
            radius: 7.0,
            border: 1.5,
            border_color: 0xffff_ffff,
            shadow: Some(fx::Shadow {
                dx: 1.0,
                dy: 3.0,
                sigma: 2.5,
                spread: 0.0,
                color: 0x9900_0000,
            }),
            ..Default::default()
        };
        let mut l = card_layer(src.clone(), (6.5, 5.25, 48.0, 33.0), card);
        l.samples[0].zoom = (1.4, 0.3, 0.4);
        for bg in [Bg::Solid(0xff20_4080), Bg::Checker, Bg::Blurred(0, 6.0)] {
            let tolerance = if matches!(bg, Bg::Blurred(..)) { 3 } else { 2 };
            let f = format_of(format);
            check_yuv_output(
                &format!("{format} → {format} {w}x{h} over {bg:?}"),
                tolerance,
                &bg,
                std::slice::from_ref(&l),
                f,
                c,
                (w, h),
            );
        }
    }
}

/// Two YUV cards cross-fading by alpha, and by a fade transition, on the YUV path. (Chroma is
/// composited at chroma resolution: where the edges of two layers fall in the same chroma
/// sample, it can differ by a few more codes; the cards here do not share edges.)
#[test]
fn yuv_crossfades() {
    let (w, h) = (64, 48);
    let c = colorimetry(true, false, false);
    let card = Card {
        radius: 6.0,
        shadow: Some(fx::Shadow {
            dx: 0.0,
            dy: 2.0,
            sigma: 2.0,
            spread: 0.0,
            color: 0x9900_0000,
        }),
        ..Default::default()
    };
    let a = card_layer(
        smooth_yuv("I420", 40, 30, true, false),
        (6.0, 5.0, 48.0, 36.0),
        card.clone(),
    );
    let mut b = card_layer(
        smooth_yuv("I420", 30, 40, true, false),
        (10.5, 7.25, 44.0, 29.5),
        card,
    );
    b.samples[0].zoom = (1.5, 0.3, 0.6);
    for alpha in [0.0, 0.35, 1.0] {
        b.alpha = alpha;
        check_yuv_output(
            &format!("I420 crossfade by alpha {alpha}"),
            2,
            &Bg::Blurred(0, 8.0),
            &[a.clone(), b.clone()],
            PixelFormat::I420,
            c,
            (w, h),
        );
    }
    b.alpha = 1.0;
    for progress in [0.0, 0.4, 1.0] {
        let t = [TransitionDraw {
            from: 0,
            to: 1,
            progress,
            kind: TransitionKind::Xfade(XfadeKind::Fade),
        }];
        let bg = 0xff30_3030;
        let expected = rgba_to_yuv(
            &expected_transition(bg, &a, &b, XfadeKind::Fade, progress, (w, h)),
            w,
            h,
            &c,
        );
        let sources = [source(&a.image, params(&a)), source(&b.image, params(&b))];
        let got = yuv_planes(
            PixelFormat::Nv12,
            render_planes(
                &mut CpuRenderer::new(2),
                &Background::Solid(bg),
                &sources,
                &t,
                PixelFormat::Nv12,
                c,
                w,
                h,
            ),
        );
        for (p, name) in ["Y", "U", "V"].iter().enumerate() {
            let pw = if p == 0 { w } else { w.div_ceil(2) };
            assert_close(
                &format!("NV12 fade at {progress} {name}"),
                2,
                &expected[p],
                &got[p],
                pw,
                1,
            );
        }
    }
}

/// Every built-in transition the YUV path draws (all but the nine `transition::split` leaves to
/// the generic path) against the RGB path, which forms both pictures and evaluates the formula
/// per pixel: cards with corners, shadows, a zoom and a fractional position, and two opaque
/// full-frame inputs (the export's case; the squeezes and zoomin take the YUV path only there),
/// on an even
/// and an odd frame, I420 and NV12; and the same bytes at 1 and 3 threads. Tolerance 2 codes (as the other YUV-path checks); where a
/// mixing transition's weight changes inside one chroma sample the path mixes chroma at chroma
/// resolution, which the smooth sources here keep within it.
#[test]
fn yuv_path_transitions_match_rgb_path() {
    let generic = [
        XfadeKind::Distance,
        XfadeKind::FadeFast,
        XfadeKind::FadeSlow,
        XfadeKind::FadeGrays,
        XfadeKind::Pixelize,
        XfadeKind::ZoomIn,
    ];
    let c = colorimetry(true, false, false);
    let card = Card {
        radius: 6.0,
        shadow: Some(fx::Shadow {
            dx: 0.0,
            dy: 2.0,
            sigma: 2.0,
            spread: 0.0,
            color: 0x9900_0000,
        }),
        ..Default::default()
    };
    let mut yuv1 = CpuRenderer::new(1);
    let mut yuv3 = CpuRenderer::new(3);
    let mut rgb = CpuRenderer::new(1);
    rgb.set_yuv_path(false);
    for (w, h) in [(64usize, 48usize), (63, 47)] {
        let a = card_layer(
            smooth_yuv("I420", 40, 30, true, false),
            (6.0, 5.0, 48.0, 36.0),
            card.clone(),
        );
        let mut b = card_layer(
            smooth_yuv("I420", 30, 40, true, false),
            (10.5, 7.25, 44.0, 29.5),
            card.clone(),
        );
        b.samples[0].zoom = (1.5, 0.3, 0.6);
        let full = |img| card_layer(img, (0.0, 0.0, w as f64, h as f64), Card::default());
        let fa = full(smooth_yuv("I420", w, h, true, false));
        // The same picture turned half a turn: a different one, as smooth.
        let mut turned = smooth_yuv("I420", w, h, true, false);
        turned.planes.iter_mut().for_each(|p| p.reverse());
        let fb = full(turned);
        let scenes = [("cards", [&a, &b]), ("full frame", [&fa, &fb])];
        for (scene, [from, to]) in scenes {
            let sources = [
                source(&from.image, params(from)),
                source(&to.image, params(to)),
            ];
            let bg = Background::Solid(0xff30_5070);
            for kind in XfadeKind::ALL.into_iter().filter(|k| !generic.contains(k)) {
                for progress in [0.0, 0.3, 0.5, 0.77, 1.0] {
                    let t = [TransitionDraw {
                        from: 0,
                        to: 1,
                        progress,
                        kind: TransitionKind::Xfade(kind),
                    }];
                    let formats: &[PixelFormat] = if progress == 0.3 {
                        &[PixelFormat::I420, PixelFormat::Nv12]
                    } else {
                        &[PixelFormat::I420]
                    };
                    for &format in formats {
                        let what = format!("{kind} at {progress}, {scene} {w}x{h} {format:?}");
                        let one = render_planes(&mut yuv1, &bg, &sources, &t, format, c, w, h);
                        // The squeezes only with a FROM that covers the frame as a plain
                        // rectangle, hblur with both.
                        let squeeze = [
                            XfadeKind::SqueezeH,
                            XfadeKind::SqueezeV,
                            XfadeKind::ZoomIn,
                            XfadeKind::HBlur,
                        ]
                        .contains(&kind);
                        let yuv = !squeeze || scene == "full frame";
                        assert_eq!(yuv1.took_yuv_path(), yuv, "{what}: path");
                        let three = render_planes(&mut yuv3, &bg, &sources, &t, format, c, w, h);
                        assert!(one == three, "{what}: 1 and 3 threads differ");
                        let want = render_planes(&mut rgb, &bg, &sources, &t, format, c, w, h);
                        let (got, want) = (yuv_planes(format, one), yuv_planes(format, want));
                        for (p, name) in ["Y", "U", "V"].iter().enumerate() {
                            let pw = if p == 0 { w } else { w.div_ceil(2) };
                            assert_close(&format!("{what} {name}"), 2, &want[p], &got[p], pw, 1);
                        }
                    }
                }
            }
        }
    }
}

/// The YUV path against the RGB path on in-gamut sources, effect by effect.
#[test]
fn yuv_path_matches_rgb_path() {
    let (w, h) = (96, 64);
    let c = colorimetry(false, false, true);
    let src = smooth_yuv("NV12", 50, 40, false, false);
    let mut src601 = src.clone();
    src601.cosited_h = true;
    let shadow = Some(fx::Shadow {
        dx: 1.5,
        dy: 4.0,
        sigma: 3.0,
        spread: 1.0,
        color: 0x9900_0000,
    });
    let mut zoomed = card_layer(
        src601.clone(),
        (12.25, 8.5, 70.0, 44.0),
        Card {
            radius: 8.0,
            shadow: shadow.clone(),
            ..Default::default()
        },
    );
    zoomed.samples[0].zoom = (1.6, 0.3, 0.4);
    let mut bordered = card_layer(
        src601.clone(),
        (20.5, 4.0, 50.0, 50.0),
        Card {
            radius: 12.0,
            squircle: true,
            border: 2.5,
            border_color: 0xc0ff_8000,
            ..Default::default()
        },
    );
    bordered.alpha = 0.7;
    let moving = EffectLayer {
        image: src601,
        samples: (0..5)
            .map(|i| Geometry {
                dst: (10.0 + 3.0 * i as f64, 6.0, 60.0, 40.0),
                crop: (0.0, 0.0, 0.0, 0.0),
                zoom: (1.0 + 0.05 * i as f64, 0.5, 0.5),
            })
            .collect(),
        alpha: 1.0,
        op: Op::Over,
        card: Card {
            radius: 5.0,
            shadow,
            ..Default::default()
        },
    };
    let scenes: Vec<(&str, Background, Vec<&EffectLayer>, Vec<TransitionDraw>)> = vec![
        (
            "zoomed card over blurred",
            Background::Blurred {
                layer: 0,
                sigma: 9.0,
            },
            vec![&zoomed],
            vec![],
        ),
        (
            "border over checker",
            Background::Checker,
            vec![&zoomed, &bordered],
            vec![],
        ),
        (
            "motion blur over gradient",
            Background::Gradient {
                from: 0xff10_2040,
                to: 0xfff0_e0a0,
                angle: 60.0,
            },
            vec![&moving],
            vec![],
        ),
        (
            "fade",
            Background::Solid(0xff80_4020),
            vec![&zoomed, &moving],
            vec![TransitionDraw {
                from: 0,
                to: 1,
                progress: 0.3,
                kind: TransitionKind::Xfade(XfadeKind::Fade),
            }],
        ),
    ];
    for (what, bg, layers, t) in scenes {
        let sources: Vec<LayerSource<'_>> =
            layers.iter().map(|l| source(&l.image, params(l))).collect();
        let mut yuv = CpuRenderer::new(1);
        let mut rgb = CpuRenderer::new(1);
        rgb.set_yuv_path(false);
        for format in [PixelFormat::I420, PixelFormat::Nv12] {
            let a = yuv_planes(
                format,
                render_planes(&mut yuv, &bg, &sources, &t, format, c, w, h),
            );
            let b = yuv_planes(
                format,
                render_planes(&mut rgb, &bg, &sources, &t, format, c, w, h),
            );
            for (p, name) in ["Y", "U", "V"].iter().enumerate() {
                let pw = if p == 0 { w } else { w.div_ceil(2) };
                assert_close(
                    &format!("{what} {format:?} {name}: YUV path vs RGB path"),
                    2,
                    &b[p],
                    &a[p],
                    pw,
                    1,
                );
            }
        }
    }
}

// ---- transitions ----

/// The expected frame of a transition: each card rendered alone by the reference (onto
/// transparent), combined by the transition's own function, composited over `bg`.
fn expected_transition(
    bg: u32,
    from: &EffectLayer,
    to: &EffectLayer,
    kind: XfadeKind,
    progress: f32,
    (w, h): (usize, usize),
) -> Vec<u8> {
    let alone = |l: &EffectLayer| -> Vec<[f32; 4]> {
        fx::render_effects(&Bg::Solid(0), std::slice::from_ref(l), w, h)
            .chunks(4)
            .map(|p| {
                let a = p[3] as f32 / 255.0;
                [
                    p[0] as f32 / 255.0 * a,
                    p[1] as f32 / 255.0 * a,
                    p[2] as f32 / 255.0 * a,
                    a,
                ]
            })
            .collect()
    };
    let (a, b) = (alone(from), alone(to));
    let sampler = |img: &[[f32; 4]], uv: [f32; 2]| -> [f32; 4] {
        let fx_ = uv[0] * w as f32 - 0.5;
        let fy = uv[1] * h as f32 - 0.5;
        let (x0, y0) = (fx_.floor(), fy.floor());
        let (tx, ty) = (fx_ - x0, fy - y0);
        let at = |x: f32, y: f32| {
            img[(y as i64).clamp(0, h as i64 - 1) as usize * w
                + (x as i64).clamp(0, w as i64 - 1) as usize]
        };
        std::array::from_fn(|c| {
            let top = at(x0, y0)[c] * (1.0 - tx) + at(x0 + 1.0, y0)[c] * tx;
            let bottom = at(x0, y0 + 1.0)[c] * (1.0 - tx) + at(x0 + 1.0, y0 + 1.0)[c] * tx;
            top * (1.0 - ty) + bottom * ty
        })
    };
    let fa = |uv: [f32; 2]| sampler(&a, uv);
    let fb = |uv: [f32; 2]| sampler(&b, uv);
    let bgc = reference::background(Some(bg), 0, 0);
    let mut out = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let uv = [(x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32];
            let t = kind.evaluate(uv, progress, [w as f32, h as f32], &fa, &fb);
            let d: [f64; 4] = std::array::from_fn(|c| t[c] as f64 + bgc[c] * (1.0 - t[3] as f64));
            out.extend(fx::to_rgba8(&[d]));
        }
    }
    out
}

fn transition_layers() -> (EffectLayer, EffectLayer) {
    let card = Card {
        radius: 6.0,
        shadow: Some(fx::Shadow {
            dx: 0.0,
            dy: 2.0,
            sigma: 2.0,
            spread: 0.0,
            color: 0x9900_0000,
        }),
        ..Default::default()
    };
    let a = card_layer(pattern(40, 30), (8.0, 6.0, 48.0, 36.0), card.clone());
    let mut b = card_layer(
        reference::rgba_image(40, 30, reference::gradient_rgba(40, 30, false)),
        (12.5, 8.0, 40.0, 30.0),
        card,
    );
    b.alpha = 0.9;
    (a, b)
}

#[test]
fn transitions_fade_wipe_slide() {
    let (a, b) = transition_layers();
    let bg = 0xff30_3030;
    for kind in [XfadeKind::Fade, XfadeKind::WipeLeft, XfadeKind::SlideLeft] {
        for progress in [0.0, 0.3, 0.75, 1.0] {
            let expected = expected_transition(bg, &a, &b, kind, progress, (W, H));
            let sources = [source(&a.image, params(&a)), source(&b.image, params(&b))];
            let t = [TransitionDraw {
                from: 0,
                to: 1,
                progress,
                kind: TransitionKind::Xfade(kind),
            }];
            let got = render_planes(
                &mut CpuRenderer::new(1),
                &Background::Solid(bg),
                &sources,
                &t,
                PixelFormat::Rgba,
                YuvColorimetry::default(),
                W,
                H,
            )
            .remove(0);
            assert_close(&format!("{kind:?} at {progress}"), 3, &expected, &got, W, 4);
        }
    }
}

#[test]
fn shader_transitions_need_the_gpu() {
    let img = pattern(8, 8);
    let sources = [hidden(&img), hidden(&img)];
    let t = [TransitionDraw {
        from: 0,
        to: 1,
        progress: 0.5,
        kind: TransitionKind::Shader(Arc::new(
            ShaderProgram::xfade(XfadeKind::Fade).expect("the built-in fade compiles"),
        )),
    }];
    let mut buf = vec![0u8; 16 * 16 * 4];
    let mut out = OutputTarget {
        format: PixelFormat::Rgba,
        width: 16,
        height: 16,
        planes: vec![PlaneMut {
            data: &mut buf,
            stride: 64,
        }],
        colorimetry: YuvColorimetry::default(),
    };
    let err = CpuRenderer::new(1)
        .render_layers(&Background::Checker, &sources, &t, &mut out)
        .expect_err("a shader transition")
        .to_string();
    assert!(
        err.contains("xfade:fade") && err.contains("wgpu backend"),
        "{err}"
    );
}

#[test]
fn bad_inputs_are_errors() {
    let img = pattern(8, 8);
    let mut short = source(
        &img,
        LayerParams::placed(
            Rect {
                x: 0.0,
                y: 0.0,
                w: 8.0,
                h: 8.0,
            },
            Crop::default(),
            1.0,
            Operator::Over,
        ),
    );
    short.planes[0].data = &img.planes[0][..100];
    let mut buf = vec![0u8; 16 * 16 * 4];
    let mut out = OutputTarget {
        format: PixelFormat::Rgba,
        width: 16,
        height: 16,
        planes: vec![PlaneMut {
            data: &mut buf,
            stride: 64,
        }],
        colorimetry: YuvColorimetry::default(),
    };
    let mut r = CpuRenderer::new(1);
    assert!(r
        .render_layers(&Background::Checker, &[short], &[], &mut out)
        .is_err());
    assert!(r
        .render_layers(
            &Background::Blurred {
                layer: 3,
                sigma: 4.0
            },
            &[],
            &[],
            &mut out
        )
        .is_err());
    out.planes[0].stride = 60;
    assert!(r
        .render_layers(&Background::Checker, &[], &[], &mut out)
        .is_err());
}

/// Degenerate sizes and parameters render (or fail cleanly) on every path: a non-finite
/// position and a transition of a layer into itself are invalid frames, the rest renders.
#[test]
fn degenerate_frames_do_not_panic() {
    let tiny = smooth_yuv("I420", 1, 1, true, false);
    let odd = smooth_yuv("NV12", 3, 5, true, false);
    let rgba = pattern(2, 1);
    let weird = [
        (f64::NAN, 0.0, 4.0, 4.0),
        (-1e9, -1e9, 1e10, 1e10),
        (0.5, 0.5, 0.25, 0.25),
        (3.0, 2.0, 0.0, 5.0),
        (1e6, 1e6, 3.0, 3.0),
    ];
    for (w, h) in [(1, 1), (2, 1), (1, 3), (5, 4)] {
        for dst in weird {
            for img in [&tiny, &odd, &rgba] {
                let mut l = card_layer(
                    img.clone(),
                    dst,
                    Card {
                        radius: 1e9,
                        border: 7.0,
                        border_color: 0x80ff_ffff,
                        shadow: Some(fx::Shadow {
                            dx: 1.0,
                            dy: -2.0,
                            sigma: 1e4,
                            spread: -3.0,
                            color: 0xff00_0000,
                        }),
                        blur: 0.5,
                        ..Default::default()
                    },
                );
                l.samples[0].zoom = (1e6, 2.0, -1.0);
                let sources = [source(&l.image, params(&l))];
                for bg in [
                    Background::Blurred {
                        layer: 0,
                        sigma: 1e3,
                    },
                    Background::Checker,
                ] {
                    for format in [PixelFormat::I420, PixelFormat::Nv12, PixelFormat::Bgrx] {
                        let c = colorimetry(true, false, true);
                        let t = [TransitionDraw {
                            from: 0,
                            to: 0,
                            progress: 0.5,
                            kind: TransitionKind::Xfade(XfadeKind::SlideLeft),
                        }];
                        for t in [&t[..0], &t[..]] {
                            let result = try_render_planes(
                                &mut CpuRenderer::new(2),
                                &bg,
                                &sources,
                                t,
                                format,
                                c,
                                w,
                                h,
                            );
                            let invalid = dst.0.is_nan() || !t.is_empty();
                            match result {
                                Err(RenderError::InvalidFrame { .. }) if invalid => {}
                                Ok(_) if !invalid => {}
                                other => panic!("{dst:?} {t:?}: {:?}", other.err()),
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---- determinism ----

#[test]
fn threads_give_identical_bytes() {
    let (a, b) = transition_layers();
    let yuv = smooth_yuv("I420", 64, 48, true, false);
    let mut y_layer = card_layer(
        yuv,
        (10.25, 7.5, 100.0, 70.0),
        Card {
            radius: 9.0,
            shadow: Some(fx::Shadow {
                dx: 0.0,
                dy: 4.0,
                sigma: 3.0,
                spread: 0.0,
                color: 0x9900_0000,
            }),
            ..Default::default()
        },
    );
    y_layer.samples[0].zoom = (1.3, 0.3, 0.4);
    let mut blurred = card_layer(
        pattern(40, 30),
        (30.0, 20.0, 60.0, 40.0),
        Card {
            blur: 2.0,
            radius: 4.0,
            ..Default::default()
        },
    );
    blurred.op = Op::Add;
    blurred.alpha = 0.5;
    let (w, h) = (121, 93);
    let scenes: Vec<(
        Background,
        Vec<&EffectLayer>,
        Vec<TransitionDraw>,
        PixelFormat,
    )> = vec![
        (
            Background::Blurred {
                layer: 0,
                sigma: 8.0,
            },
            vec![&y_layer],
            vec![],
            PixelFormat::I420,
        ),
        (
            Background::Checker,
            vec![&y_layer, &blurred],
            vec![],
            PixelFormat::Nv12,
        ),
        (
            Background::Gradient {
                from: 0xff00_0000,
                to: 0xffff_ffff,
                angle: 30.0,
            },
            vec![&a, &b, &blurred],
            vec![TransitionDraw {
                from: 0,
                to: 1,
                progress: 0.4,
                kind: TransitionKind::Xfade(XfadeKind::SlideLeft),
            }],
            PixelFormat::Rgba,
        ),
    ];
    for (bg, layers, t, format) in scenes {
        let sources: Vec<LayerSource<'_>> =
            layers.iter().map(|l| source(&l.image, params(l))).collect();
        let c = colorimetry(true, false, false);
        let one = render_planes(&mut CpuRenderer::new(1), &bg, &sources, &t, format, c, w, h);
        let mut three = CpuRenderer::new(3);
        for _ in 0..2 {
            let got = render_planes(&mut three, &bg, &sources, &t, format, c, w, h);
            assert!(one == got, "{format:?} over {bg:?}: threads 1 and 3 differ");
        }
    }
}

// ---- transitions read directly against the sampled evaluation ----

/// Every built-in transition renders the same bytes whether it reads its two pictures directly
/// (whole pixels, only where the cards are for those that allow it) or through the sampler at
/// every pixel of the frame: odd and even sizes, cards partly outside the frame, a frame wider
/// than 2048, progress outside 0..=1. hblur, fadefast and fadeslow within 1 code: their direct
/// paths sum by running sums and read a table of the weight curve.
#[test]
fn direct_transitions_match_the_sampled_ones() {
    let (a, b) = transition_layers();
    let mut edge = b.clone();
    edge.samples = still((-5.5, 20.0, 80.0, 40.0));
    // Past 2048 pixels some pixel centres are not exact texels in f32: those are sampled.
    let mut wide = b.clone();
    wide.samples = still((1990.0, -1.0, 61.0, 7.0));
    let mut r = CpuRenderer::new(2);
    for (w, h) in [(63, 47), (64, 48), (2051, 5)] {
        for to in [&b, &edge, &wide] {
            let sources = [source(&a.image, params(&a)), source(&to.image, params(to))];
            for kind in XfadeKind::ALL {
                for progress in [-0.25, 0.0, 0.13, 0.5, 0.77, 1.0, 1.3] {
                    let t = [TransitionDraw {
                        from: 0,
                        to: 1,
                        progress,
                        kind: TransitionKind::Xfade(kind),
                    }];
                    let mut frame = |generic: bool, on_demand: bool| {
                        r.set_generic_transitions(generic);
                        r.set_pictures_on_demand(on_demand);
                        let c = YuvColorimetry::default();
                        let f = PixelFormat::Rgba;
                        render_planes(&mut r, &Background::Checker, &sources, &t, f, c, w, h)
                    };
                    let (sampled, direct) = (frame(true, true), frame(false, true));
                    // Cards drawn whole first or row by row as read: the same bytes.
                    assert!(
                        frame(false, false) == direct,
                        "{kind} at {progress} on {w}x{h}: rows drawn on demand differ"
                    );
                    let tabled = [XfadeKind::HBlur, XfadeKind::FadeFast, XfadeKind::FadeSlow];
                    if tabled.contains(&kind) && (0.0..=1.0).contains(&progress) {
                        // Running sums (in f64) rather than xfade's pixel-by-pixel f32 sum;
                        // fadefast's and fadeslow's weights from a table of the curve.
                        let (diff, _) = reference::max_diff(&sampled[0], &direct[0]);
                        assert!(diff <= 1, "{kind} at {progress} on {w}x{h}: {diff} codes");
                        continue;
                    }
                    assert!(
                        sampled == direct,
                        "{kind} at {progress} on {w}x{h}: direct reads differ"
                    );
                }
            }
        }
    }
}

#[test]
fn transitions_side_by_side_share_row_scratch_safely() {
    // Two transitions in one frame, each drawing its cards' rows on demand into the same
    // per-thread scratch (and pixelize keeping its block's row there): the same bytes as cards
    // drawn whole first, whatever the thread count.
    let (a, b) = transition_layers();
    let moved = |l: &EffectLayer, dx: f64| {
        let mut l = l.clone();
        l.samples = still((8.0 + dx, 6.0, 48.0, 36.0));
        l
    };
    let (c, d) = (moved(&a, 20.0), moved(&b, 23.5));
    let sources = [
        source(&a.image, params(&a)),
        source(&b.image, params(&b)),
        source(&c.image, params(&c)),
        source(&d.image, params(&d)),
    ];
    let pairs = [
        (XfadeKind::Pixelize, XfadeKind::FadeFast),
        (XfadeKind::HBlur, XfadeKind::Pixelize),
        (XfadeKind::Distance, XfadeKind::SqueezeH),
    ];
    for (first, second) in pairs {
        let t = [
            TransitionDraw {
                from: 0,
                to: 1,
                progress: 0.4,
                kind: TransitionKind::Xfade(first),
            },
            TransitionDraw {
                from: 2,
                to: 3,
                progress: 0.6,
                kind: TransitionKind::Xfade(second),
            },
        ];
        let frame = |threads: usize, on_demand: bool| {
            let mut r = CpuRenderer::new(threads);
            r.set_pictures_on_demand(on_demand);
            let (f, c) = (PixelFormat::Rgba, YuvColorimetry::default());
            render_planes(&mut r, &Background::Checker, &sources, &t, f, c, 72, 50)
        };
        let want = frame(1, false);
        for (threads, on_demand) in [(1, true), (3, true), (3, false)] {
            assert!(
                frame(threads, on_demand) == want,
                "{first} and {second}, {threads} threads, on demand {on_demand}"
            );
        }
    }
}

/// The squeezes and zoomin on the YUV path (FROM's rows or columns drawn from elsewhere, chroma
/// formed from them luma pixel by luma pixel): the squeezes' luma byte for byte FROM's line
/// xfade's squeeze picks (or TO's own), by an independent reading of the formula; and all
/// three planes of the three kinds against the RGB path within 2 codes. The pictures: bands three lines wide (rows for squeezeh, columns
/// for squeezev) a different grey apart (luma only: the paths form chroma differently where it
/// has detail, on every frame) over a smooth gradient, FROM's and TO's bands out of phase.
#[test]
fn squeezes_on_the_yuv_path_draw_the_lines_xfade_picks() {
    let c = colorimetry(true, false, false);
    let banded = |w: usize, h: usize, across: bool, flip: bool| {
        let mut rgba = reference::gradient_rgba(w, h, false);
        for (i, px) in rgba.chunks_exact_mut(4).enumerate() {
            let line = if across { i / w } else { i % w };
            // The same added to R, G and B: luma alone changes (nothing clips).
            let add = if ((line / 3) % 2 == 1) != flip { 50 } else { 0 };
            for v in &mut px[..3] {
                *v = *v / 4 * 3 + add;
            }
        }
        let [y, u, v] = rgba_to_yuv(&rgba, w, h, &c);
        Image {
            format: "I420",
            width: w,
            height: h,
            planes: vec![y, u, v],
            bt709: true,
            full_range: false,
            cosited_h: false,
        }
    };
    let mut yuv = CpuRenderer::new(1);
    let mut yuv3 = CpuRenderer::new(3);
    let mut rgb = CpuRenderer::new(1);
    rgb.set_yuv_path(false);
    for kind in [XfadeKind::SqueezeH, XfadeKind::SqueezeV, XfadeKind::ZoomIn] {
        let rows = kind != XfadeKind::SqueezeV;
        for (w, h) in [(64usize, 48usize), (63, 47)] {
            let full = |img| card_layer(img, (0.0, 0.0, w as f64, h as f64), Card::default());
            let from = full(banded(w, h, rows, false));
            let to = full(banded(w, h, rows, true));
            let sources = [
                source(&from.image, params(&from)),
                source(&to.image, params(&to)),
            ];
            let bg = Background::Solid(0xff30_5070);
            for progress in [0.0, 0.1, 0.37, 0.5, 0.81, 1.0] {
                let t = [TransitionDraw {
                    from: 0,
                    to: 1,
                    progress,
                    kind: TransitionKind::Xfade(kind),
                }];
                for format in [PixelFormat::I420, PixelFormat::Nv12] {
                    let what = format!("{kind} at {progress}, {w}x{h} {format:?}");
                    let one = render_planes(&mut yuv, &bg, &sources, &t, format, c, w, h);
                    assert!(yuv.took_yuv_path(), "{what}: not on the YUV path");
                    let three = render_planes(&mut yuv3, &bg, &sources, &t, format, c, w, h);
                    assert!(one == three, "{what}: 1 and 3 threads differ");
                    let want = render_planes(&mut rgb, &bg, &sources, &t, format, c, w, h);
                    let (got, want) = (yuv_planes(format, one), yuv_planes(format, want));
                    // xfade: z = ½ + (c / N − ½) / (1 − progress); FROM's line round(z (N − 1))
                    // where 0 ≤ z ≤ 1, TO's own line elsewhere.
                    let pp = 1.0 - progress;
                    let n = if rows { h } else { w };
                    let pick = |c: usize| {
                        let z = 0.5 + (c as f32 / n as f32 - 0.5) / pp;
                        if pp > 0.0 && (0.0..=1.0).contains(&z) {
                            (&from.image, (z * (n - 1) as f32).round_ties_even() as usize)
                        } else {
                            (&to.image, c)
                        }
                    };
                    for y in (0..h).filter(|_| kind != XfadeKind::ZoomIn) {
                        for x in 0..w {
                            let (src, at) = if rows {
                                let (src, sy) = pick(y);
                                (src, sy * w + x)
                            } else {
                                let (src, sx) = pick(x);
                                (src, y * w + sx)
                            };
                            assert_eq!(
                                got[0][y * w + x],
                                src.planes[0][at],
                                "{what}: luma at ({x}, {y})"
                            );
                        }
                    }
                    for (p, name) in ["Y", "U", "V"].iter().enumerate() {
                        let pw = if p == 0 { w } else { w.div_ceil(2) };
                        assert_close(&format!("{what} {name}"), 2, &want[p], &got[p], pw, 1);
                    }
                }
            }
        }
    }
}

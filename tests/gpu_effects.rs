//! The effects of the wgpu renderer (on lavapipe here) against the CPU reference in
//! tests/reference/effects.rs.
//!
//! Tolerances (8-bit codes per channel), each from what the two implementations compute
//! differently, not from what was observed:
//! - plain sampling, borders inside straight edges, gradients, images, content blur: 2 (f32 and an
//!   f16 composite against f64, each rounded once; the blur adds one f16 intermediate);
//! - curved edges (corners, squircles): 3 — the GPU takes the exact area under the edge's
//!   tangent, the reference counts 256 sub-samples (±1/512 of quantisation) of the true curve;
//! - shadows: 3 — the GPU integrates the continuous shape against an erf (corners in 8 slabs), the
//!   reference blurs an area-sampled mask with a sampled gaussian;
//! - the blurred background is computed at reduced size on purpose: it is held to a PSNR against
//!   the full-resolution gaussian instead (see `blurred_background_is_close_to_full_resolution`).

mod gpu;
mod reference;
mod scene;

use gstparallelcompositor::compose::LayerSource;
use gstparallelcompositor::compose::{Background, Crop, LayerParams, Operator, Rect};
use gstparallelcompositor::gpu::GpuRenderer;
use reference::effects::{self as fx, Bg, Card, EffectLayer, Geometry};
use reference::{Image, Op};
use scene::{background, params};

const W: usize = 64;
const H: usize = 48;

fn pattern(width: usize, height: usize) -> Image {
    reference::rgba_image(width, height, reference::pattern_rgba(width, height))
}

fn gpu_effects(bg: &Bg, layers: &[EffectLayer]) -> Vec<u8> {
    let sources: Vec<LayerSource<'_>> = layers
        .iter()
        .map(|l| gpu::source(&l.image, params(l)))
        .collect();
    gpu::render(&background(bg), &sources, W as u32, H as u32)
}

#[track_caller]
fn check(what: &str, tolerance: u8, bg: &Bg, layers: &[EffectLayer]) {
    let expected = fx::render_effects(bg, layers, W, H);
    let got = gpu_effects(bg, layers);
    let (diff, at) = reference::max_diff(&expected, &got);
    let px = at / 4;
    assert!(
        diff <= tolerance,
        "{what}: max difference {diff} (tolerance {tolerance}) at pixel ({}, {}) channel {}: \
         reference {:?} gpu {:?}",
        px % W,
        px / W,
        at % 4,
        &expected[px * 4..px * 4 + 4],
        &got[px * 4..px * 4 + 4]
    );
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
    for (radius, border) in [(0.0, 2.0), (0.0, 1.5), (10.0, 3.0), (4.0, 6.0)] {
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
    // YUV content goes through the same decode pass.
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

/// A point of the source followed through a slow zoom moves smoothly: its rendered position
/// follows the exact zoom mapping to within a small fraction of a pixel at every frame, so it
/// never snaps to whole pixels.
#[test]
fn slow_zoom_does_not_jitter() {
    // A soft round spot on grey: its centroid is measurable to well under a pixel.
    let (sw, sh) = (64usize, 48usize);
    let (spot_x, spot_y) = (20.0, 17.0);
    let mut data = Vec::with_capacity(sw * sh * 4);
    for y in 0..sh {
        for x in 0..sw {
            let d2 = (x as f64 + 0.5 - spot_x).powi(2) + (y as f64 + 0.5 - spot_y).powi(2);
            let v = (40.0 + 200.0 * (-d2 / (2.0 * 2.0 * 2.0)).exp()).round() as u8;
            data.extend_from_slice(&[v, v, v, 255]);
        }
    }
    let image = reference::rgba_image(sw, sh, data);
    let dst = (0.0, 0.0, W as f64, H as f64);
    let (cx, cy) = (0.6, 0.55);
    let mut renderer = GpuRenderer::new(gpu::context());
    let mut previous: Option<f64> = None;
    let mut steps = Vec::new();
    for frame in 0..30 {
        // 1.0 → 1.06 over 30 frames: about 0.05 px of movement a frame at the spot.
        let scale = 1.0 + 0.002 * frame as f64;
        let mut l = card_layer(image.clone(), dst, Card::default());
        l.samples[0].zoom = (scale, cx, cy);
        let sources = [gpu::source(&l.image, params(&l))];
        let got = gpu::render_with(
            &mut renderer,
            &Background::Solid(0xff00_0000),
            &sources,
            W as u32,
            H as u32,
        );
        // Centroid of the brightness above the grey floor.
        let (mut sx, mut sy, mut total) = (0.0, 0.0, 0.0);
        for y in 0..H {
            for x in 0..W {
                let v = (got[(y * W + x) * 4] as f64 - 40.0).max(0.0);
                sx += v * (x as f64 + 0.5);
                sy += v * (y as f64 + 0.5);
                total += v;
            }
        }
        let (mx, my) = (sx / total, sy / total);
        // Where the zoom mapping puts the spot's centre.
        let (wx, wy, ww, wh) = fx::window(&l.image, &l.samples[0]);
        let ex = (spot_x - wx) / ww * W as f64;
        let ey = (spot_y - wy) / wh * H as f64;
        assert!(
            (mx - ex).abs() < 0.05 && (my - ey).abs() < 0.05,
            "frame {frame}: spot at ({mx:.3}, {my:.3}), the zoom puts it at ({ex:.3}, {ey:.3})"
        );
        if let Some(p) = previous {
            steps.push(p - mx);
        }
        previous = Some(mx);
    }
    // Every frame moves by about the same sub-pixel step: no frame stands still and none jumps.
    let mean = steps.iter().sum::<f64>() / steps.len() as f64;
    assert!(mean > 0.01 && mean < 0.2, "mean step {mean}");
    for (i, s) in steps.iter().enumerate() {
        assert!(
            (s - mean).abs() < 0.03,
            "step {i} is {s:.4} px where the mean is {mean:.4}: {steps:?}"
        );
    }
}

#[test]
fn motion_blur_averages_the_shutter_interval() {
    // A card panning right and zooming in over 6 samples.
    let samples: Vec<Geometry> = (0..6)
        .map(|i| Geometry {
            dst: (6.0 + 2.5 * i as f64, 8.0 + 0.5 * i as f64, 36.0, 27.0),
            crop: (0.0, 0.0, 0.0, 0.0),
            zoom: (1.0 + 0.1 * i as f64, 0.4, 0.6),
        })
        .collect();
    let l = EffectLayer {
        image: pattern(40, 30),
        samples,
        alpha: 0.9,
        op: Op::Over,
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
    check("motion blur", 3, &Bg::Solid(0xff30_3030), &[l]);
}

#[test]
fn gradient_backgrounds() {
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
}

#[test]
fn image_background_covers() {
    for (iw, ih) in [(32, 12), (10, 30), (64, 48), (100, 90)] {
        let bg = Bg::Image {
            width: iw,
            height: ih,
            rgba: reference::gradient_rgba(iw, ih, true),
        };
        check(&format!("image {iw}x{ih}"), 2, &bg, &[]);
    }
}

/// The background blurred at reduced size against the full-resolution gaussian, at the sizes
/// and σ the export uses (scaled): PSNR ≥ 40 dB.
#[test]
fn blurred_background_is_close_to_full_resolution() {
    let (w, h) = (320usize, 240usize);
    for (sigma, source) in [
        (20.0, pattern(160, 120)),
        (12.0, pattern(320, 240)),
        (6.0, reference::yuv_image("I420", 200, 150, true, false)),
        (30.0, pattern(240, 240)),
    ] {
        let expected = fx::to_rgba8(&fx::blurred_cover(&source, w, h, sigma));
        let mut params = LayerParams::placed(
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
        params.alpha = 0.0;
        let sources = [gpu::source(&source, params)];
        let got = gpu::render(
            &Background::Blurred { layer: 0, sigma },
            &sources,
            w as u32,
            h as u32,
        );
        let psnr = fx::psnr(&expected, &got);
        eprintln!("blurred background σ {sigma}: PSNR {psnr:.1} dB");
        assert!(psnr >= 40.0, "σ {sigma}: PSNR {psnr:.1} dB");
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

//! The CPU backend and the wgpu backend (lavapipe here) against each other, on every effect
//! and every built-in transition. Each is also checked against the f64 reference on its own
//! (cpu_render.rs, gpu_effects.rs, gpu_transitions.rs, within 2–3 codes); here the two
//! renderers are held to each other.
//!
//! Tolerances (8-bit codes per channel): 4 on RGBA outputs — each renderer is within 2–3 codes
//! of the reference on its own, in different directions of rounding; on YUV outputs 4 on luma
//! and 6 on chroma, the CPU backend compositing chroma at chroma resolution where edges meet.
//! The blurred background (an approximation at reduced size in both) is held to PSNR ≥ 50 dB
//! between the two (58–67 dB measured). YUV sources are in gamut: out of gamut, the CPU's
//! Y'CbCr path keeps values that RGB conversion clamps (see the README's Backends). Transitions whose
//! per-pixel decision depends on a computed threshold (circles, diagonals, smooth edges, noise)
//! may flip a pixel that sits on the boundary within f32 rounding of the two targets' arithmetic
//! (GPU sqrt/atan2/division are not correctly rounded): at most 0.5 % of pixels beyond.

mod gpu;
mod reference;
mod scene;

use std::sync::Arc;

use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, PlaneMut,
    Rect, YuvColorimetry,
};
use gstparallelcompositor::cpu::CpuRenderer;
use gstparallelcompositor::effects::{
    CardStyle, CornerShape, LayerGeometry, RgbaImage, Shadow, Zoom,
};
use gstparallelcompositor::gpu::GpuRenderer;
use gstparallelcompositor::render::Renderer;
use gstparallelcompositor::transition::{TransitionDraw, TransitionKind, XfadeKind};
use reference::Image;

const W: u32 = 64;
const H: u32 = 48;

fn render_cpu(
    bg: &Background,
    layers: &[LayerSource<'_>],
    transitions: &[TransitionDraw],
    format: PixelFormat,
) -> Vec<Vec<u8>> {
    let mut planes = blank(format);
    let mut target = target(format, &mut planes);
    if let Err(e) = CpuRenderer::new(1).render_layers(bg, layers, transitions, &mut target) {
        panic!("cpu: {e}");
    }
    planes
}

fn render_gpu(
    bg: &Background,
    layers: &[LayerSource<'_>],
    transitions: &[TransitionDraw],
    format: PixelFormat,
) -> Vec<Vec<u8>> {
    let mut planes = blank(format);
    let mut target = target(format, &mut planes);
    let mut r = GpuRenderer::new(gpu::context());
    if let Err(e) = r.render_layers(bg, layers, transitions, &mut target) {
        panic!("wgpu: {e}");
    }
    planes
}

fn blank(format: PixelFormat) -> Vec<Vec<u8>> {
    (0..format.n_planes())
        .map(|p| {
            let (w, h, bpp) = format.plane_size(p, W, H);
            vec![0u8; (w * h * bpp) as usize]
        })
        .collect()
}

fn target(format: PixelFormat, planes: &mut [Vec<u8>]) -> OutputTarget<'_> {
    OutputTarget {
        format,
        width: W,
        height: H,
        planes: planes
            .iter_mut()
            .enumerate()
            .map(|(p, data)| {
                let (w, _, bpp) = format.plane_size(p, W, H);
                PlaneMut {
                    data,
                    stride: (w * bpp) as usize,
                }
            })
            .collect(),
        colorimetry: YuvColorimetry::default(),
    }
}

/// Fails unless every plane agrees within `tol` (per plane) except at most `frac` of samples.
fn agree(what: &str, a: &[Vec<u8>], b: &[Vec<u8>], tol: &[u8], frac: f64) {
    for (p, (x, y)) in a.iter().zip(b).enumerate() {
        let t = tol[p.min(tol.len() - 1)];
        let bad = x.iter().zip(y).filter(|(u, v)| u.abs_diff(**v) > t).count();
        let worst = x
            .iter()
            .zip(y)
            .map(|(u, v)| u.abs_diff(*v))
            .max()
            .unwrap_or(0);
        assert!(
            bad as f64 <= frac * x.len() as f64,
            "{what}: plane {p}: {bad} of {} samples beyond {t} codes (worst {worst})",
            x.len()
        );
    }
}

fn both(what: &str, bg: &Background, layers: &[LayerSource<'_>], tol_rgba: u8) {
    let cpu = render_cpu(bg, layers, &[], PixelFormat::Rgba);
    let gpu = render_gpu(bg, layers, &[], PixelFormat::Rgba);
    agree(&format!("{what} (RGBA)"), &cpu, &gpu, &[tol_rgba], 0.0);
    let cpu = render_cpu(bg, layers, &[], PixelFormat::I420);
    let gpu = render_gpu(bg, layers, &[], PixelFormat::I420);
    agree(
        &format!("{what} (I420)"),
        &cpu,
        &gpu,
        &[tol_rgba, tol_rgba + 2],
        0.0,
    );
}

fn pattern() -> Image {
    reference::rgba_image(40, 30, reference::pattern_rgba(40, 30))
}

/// A detailed I420 (BT.709, limited range) picture whose colours all lie inside the RGB gamut:
/// the CPU backend's Y'CbCr path blends out-of-gamut values as they are, where converting to
/// RGB (the wgpu backend, the CPU's RGB path) clamps them first.
fn yuv() -> Image {
    let (w, h) = (48usize, 36usize);
    let y = (0..w * h)
        .map(|i| {
            (60 + (i % w) * 100 / w + (i / w) * 20 / h + 8 * ((i % w / 3 + i / w / 2) % 2)) as u8
        })
        .collect();
    let (cw, ch) = (w / 2, h / 2);
    let u = (0..cw * ch)
        .map(|i| (110 + (i % cw) * 36 / cw) as u8)
        .collect();
    let v = (0..cw * ch)
        .map(|i| (146 - (i / cw) * 36 / ch) as u8)
        .collect();
    Image {
        format: "I420",
        width: w,
        height: h,
        planes: vec![y, u, v],
        bt709: true,
        full_range: false,
        cosited_h: true,
    }
}

fn card(x: f64, y: f64, w: f64, h: f64) -> LayerParams {
    LayerParams::placed(Rect { x, y, w, h }, Crop::default(), 1.0, Operator::Over)
}

fn styled() -> CardStyle {
    CardStyle {
        radius: 9.0,
        shape: CornerShape::Squircle,
        border_width: 1.5,
        border_color: 0xffee_ddcc,
        shadow: Shadow {
            offset_x: 2.0,
            offset_y: 3.0,
            sigma: 3.0,
            spread: 1.0,
            color: 0x9900_0000,
        },
        blur: 0.0,
    }
}

#[test]
fn cards_with_every_style() {
    let (p, y) = (pattern(), yuv());
    let mut a = card(4.25, 3.5, 40.0, 30.0);
    a.card = styled();
    a.zoom = Zoom {
        scale: 1.4,
        centre: (0.3, 0.6),
    };
    let mut b = card(30.5, 20.75, 28.0, 21.0);
    b.card = CardStyle {
        radius: 6.0,
        shadow: Shadow {
            sigma: 2.0,
            offset_y: 2.0,
            color: 0x8000_0000,
            ..Default::default()
        },
        ..Default::default()
    };
    b.alpha = 0.8;
    let layers = [gpu::source(&y, a), gpu::source(&p, b)];
    let gradient = Background::Gradient {
        from: 0xff20_4080,
        to: 0xffc0_6020,
        angle: 135.0,
    };
    both("cards over a gradient", &gradient, &layers, 4);
    both("cards over a checker", &Background::Checker, &layers, 4);
}

#[test]
fn content_blur_and_motion_blur() {
    let (p, y) = (pattern(), yuv());
    let mut a = card(6.0, 5.0, 44.0, 33.0);
    a.card = CardStyle {
        radius: 5.0,
        blur: 2.5,
        ..Default::default()
    };
    let mut b = card(20.0, 12.0, 24.0, 18.0);
    b.motion = (0..3)
        .map(|i| LayerGeometry {
            dst: Rect {
                x: 20.0 - 3.0 * i as f64,
                y: 12.0 - 1.5 * i as f64,
                w: 24.0,
                h: 18.0,
            },
            crop: Crop::default(),
            zoom: Zoom::default(),
        })
        .collect();
    let layers = [gpu::source(&y, a), gpu::source(&p, b)];
    both(
        "blur and motion blur",
        &Background::Solid(0xff10_1010),
        &layers,
        4,
    );
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

#[test]
fn blurred_and_image_backgrounds() {
    let y = yuv();
    let mut a = card(10.0, 8.0, 44.0, 32.0);
    a.card = styled();
    let layers = [gpu::source(&y, a)];
    // Both backends approximate the gaussian at reduced size; each is held to the
    // full-resolution gaussian by PSNR in its own tests. Against each other: PSNR too.
    let bg = Background::Blurred {
        layer: 0,
        sigma: 9.0,
    };
    for format in [PixelFormat::Rgba, PixelFormat::I420] {
        let cpu = render_cpu(&bg, &layers, &[], format);
        let gpu = render_gpu(&bg, &layers, &[], format);
        for (p, (x, y)) in cpu.iter().zip(&gpu).enumerate() {
            let db = psnr(x, y);
            eprintln!("blurred background {format:?} plane {p}: {db:.1} dB");
            assert!(
                db >= 50.0,
                "blurred background {format:?} plane {p}: {db:.1} dB"
            );
        }
    }
    let image = Arc::new(RgbaImage {
        width: 20,
        height: 10,
        data: reference::pattern_rgba(20, 10),
    });
    both("image background", &Background::Image(image), &layers, 4);
}

#[test]
fn operators() {
    let (p, y) = (pattern(), yuv());
    let base = gpu::source(&y, card(0.0, 0.0, 64.0, 48.0));
    for op in [Operator::Over, Operator::Add, Operator::Source] {
        let mut top = card(10.5, 7.25, 36.0, 27.0);
        top.operator = op;
        top.alpha = 0.6;
        top.card.radius = 4.0;
        let layers = [base.clone(), gpu::source(&p, top)];
        both(
            &format!("{op:?}"),
            &Background::Solid(0xff00_0000),
            &layers,
            4,
        );
    }
}

/// Transitions whose decision on a pixel follows a computed threshold.
fn threshold_kind(name: &str) -> bool {
    !["wipe", "slide", "cover", "reveal", "fade"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "fadegrays"
}

#[test]
fn every_builtin_transition() {
    let (p, y) = (pattern(), yuv());
    let mut a = card(3.0, 2.0, 56.0, 42.0);
    a.card.radius = 6.0;
    let mut b = card(6.5, 5.5, 52.0, 39.0);
    b.card = styled();
    let layers = [gpu::source(&y, a), gpu::source(&p, b)];
    let bg = Background::Solid(0xff30_3030);
    for kind in XfadeKind::ALL {
        for progress in [0.3f32, 0.7] {
            let draw = [TransitionDraw {
                from: 0,
                to: 1,
                progress,
                kind: TransitionKind::Xfade(kind),
            }];
            let frac = if threshold_kind(kind.name()) {
                0.005
            } else {
                0.0
            };
            let what = format!("{} at {progress}", kind.name());
            for format in [PixelFormat::Rgba, PixelFormat::I420] {
                let cpu = render_cpu(&bg, &layers, &draw, format);
                let gpu = render_gpu(&bg, &layers, &draw, format);
                agree(&format!("{what} ({format:?})"), &cpu, &gpu, &[4, 6], frac);
            }
        }
    }
}

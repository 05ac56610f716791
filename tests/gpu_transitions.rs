//! Transitions in the wgpu renderer (lavapipe here) against the CPU reference in
//! tests/reference/transitions.rs, and user shaders (WGSL, gl-transitions GLSL) against
//! references written here.
//!
//! Tolerances (8-bit codes): 1 for fade (the renderer mixes f16 copies of 8-bit cards in f32,
//! rounding once); 2 elsewhere where the renderer and the reference compute the same formula in
//! f32 and f64. Transitions with thresholds on computed values (circles, diagonals, noise
//! thresholds, smooth edges) may flip pixels that sit on a boundary within f32 rounding: they
//! are held to at most 1 % of pixels beyond 2 codes. Wipes, slides, covers and reveals decide on
//! integer pixel positions and are held exactly.

mod gpu;
mod reference;
mod scene;

use std::sync::Arc;

use gstparallelcompositor::effects::RgbaImage;

use gstparallelcompositor::compose::LayerSource;
use gstparallelcompositor::compose::{Background, Crop, LayerParams, Operator, Rect};
use gstparallelcompositor::gpu::GpuRenderer;
use gstparallelcompositor::transition::{
    ParamValue, ShaderProgram, TransitionDraw, TransitionKind, XfadeKind,
};
use reference::transitions as tr;
use reference::Image;

const W: usize = 64;
const H: usize = 48;

fn images() -> (Image, Image) {
    (
        reference::rgba_image(W, H, reference::pattern_rgba(W, H)),
        reference::rgba_image(W, H, reference::gradient_rgba(W, H, false)),
    )
}

fn full_frame() -> LayerParams {
    LayerParams::placed(
        Rect {
            x: 0.0,
            y: 0.0,
            w: W as f64,
            h: H as f64,
        },
        Crop::default(),
        1.0,
        Operator::Over,
    )
}

/// Premultiplied f64 pixels of an 8-bit RGBA image.
fn pixels(img: &Image) -> Vec<[f64; 4]> {
    img.planes[0]
        .chunks(4)
        .map(|p| {
            let a = p[3] as f64 / 255.0;
            [
                p[0] as f64 / 255.0 * a,
                p[1] as f64 / 255.0 * a,
                p[2] as f64 / 255.0 * a,
                a,
            ]
        })
        .collect()
}

fn to_rgba8(px: &[[f64; 4]]) -> Vec<u8> {
    px.iter()
        .flat_map(|p| {
            let a = p[3].clamp(0.0, 1.0);
            let c = |v: f64| {
                if a > 0.0 {
                    (v / a * 255.0).round().clamp(0.0, 255.0) as u8
                } else {
                    0
                }
            };
            [c(p[0]), c(p[1]), c(p[2]), (a * 255.0).round() as u8]
        })
        .collect()
}

fn render(renderer: &mut GpuRenderer, kind: TransitionKind, progress: f32) -> Vec<u8> {
    let (a, b) = images();
    let sources: Vec<LayerSource<'_>> =
        vec![gpu::source(&a, full_frame()), gpu::source(&b, full_frame())];
    let draw = TransitionDraw {
        from: 0,
        to: 1,
        progress,
        kind,
    };
    gpu::render_transitions(
        renderer,
        &Background::Solid(0xff00_0000),
        &sources,
        &[draw],
        W as u32,
        H as u32,
    )
}

/// (pixels beyond `tol` codes, largest difference).
fn compare(got: &[u8], want: &[u8], tol: u8) -> (usize, u8) {
    let mut bad = 0;
    let mut worst = 0;
    for (g, w) in got.chunks(4).zip(want.chunks(4)) {
        let d = g
            .iter()
            .zip(w)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        worst = worst.max(d);
        if d > tol {
            bad += 1;
        }
    }
    (bad, worst)
}

fn exact_family(name: &str) -> bool {
    ["wipe", "slide", "cover", "reveal", "fade"]
        .iter()
        .any(|p| name.starts_with(p))
        && !matches!(
            name,
            "fadegrays" | "fadeblack" | "fadewhite" | "fadefast" | "fadeslow"
        )
        || matches!(name, "fadegrays" | "fadeblack" | "fadewhite")
}

#[test]
fn fade_is_exactly_the_mix() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    for p in [0.0f32, 0.25, 0.5, 0.8, 1.0] {
        let got = render(&mut r, TransitionKind::Xfade(XfadeKind::Fade), p);
        let want: Vec<u8> = a.planes[0]
            .iter()
            .zip(&b.planes[0])
            .map(|(x, y)| ((1.0 - p as f64) * *x as f64 + p as f64 * *y as f64).round() as u8)
            .collect();
        let (bad, worst) = compare(&got, &want, 1);
        assert_eq!(bad, 0, "fade at {p}: worst {worst}");
    }
}

#[test]
fn every_builtin_matches_the_reference() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    let (pa, pb) = (pixels(&a), pixels(&b));
    let mut report = Vec::new();
    for kind in XfadeKind::ALL {
        let name = kind.name();
        for p in [0.25f32, 0.5, 0.75] {
            let got = render(&mut r, TransitionKind::Xfade(kind), p);
            let want = to_rgba8(&tr::xfade(name, &pa, &pb, W, H, p as f64));
            let (bad, worst) = compare(&got, &want, 2);
            let allowed = if exact_family(name) { 0 } else { W * H / 100 };
            if bad > allowed {
                report.push(format!(
                    "{name} at {p}: {bad} pixels beyond 2 codes, worst {worst}"
                ));
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

fn shader(
    name: &str,
    overrides: &[(&str, ParamValue)],
    luma: Option<Arc<RgbaImage>>,
) -> TransitionKind {
    // A bare name is one of ours; `folder/name` another folder of tests/data.
    let path = if name.contains('/') {
        format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
    } else {
        format!(
            "{}/tests/data/transitions/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let source = std::fs::read_to_string(&path).unwrap();
    let overrides: Vec<(String, ParamValue)> = overrides
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let load = move |_: &str| luma.clone().ok_or_else(|| "no image".to_string());
    let program = if name.ends_with(".wgsl") {
        ShaderProgram::wgsl(&path, &source, &overrides, &load)
    } else {
        ShaderProgram::glsl(&path, &source, &overrides, &load)
    };
    match program {
        Ok(p) => TransitionKind::Shader(Arc::new(p)),
        Err(e) => panic!("{e}"),
    }
}

/// The reference of a user shader: `f(x, y, uv)` per pixel, premultiplied.
fn reference_of(f: impl Fn(usize, usize, [f64; 2]) -> [f64; 4]) -> Vec<u8> {
    let px: Vec<[f64; 4]> = (0..H)
        .flat_map(|y| (0..W).map(move |x| (x, y)))
        .map(|(x, y)| {
            f(
                x,
                y,
                [(x as f64 + 0.5) / W as f64, (y as f64 + 0.5) / H as f64],
            )
        })
        .collect();
    to_rgba8(&px)
}

#[test]
fn glsl_transition_loads_unmodified_and_matches() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    let (pa, pb) = (pixels(&a), pixels(&b));
    for (overrides, amplitude, darken) in [
        (vec![], 0.25, false),
        (
            vec![
                ("amplitude", ParamValue::Number(0.5)),
                ("darken", ParamValue::Bool(true)),
            ],
            0.5,
            true,
        ),
    ] {
        let kind = shader("shift.glsl", &overrides, None);
        let p = 0.5;
        let got = render(&mut r, kind, p as f32);
        // GLSL's uv has y up; the shader's horizontal shift and test on x are unaffected.
        let want = reference_of(|_, _, uv| {
            if uv[0] < p {
                let c = tr::sample(&pb, W, H, uv);
                if darken {
                    [c[0] * 0.5, c[1] * 0.5, c[2] * 0.5, c[3]]
                } else {
                    c
                }
            } else {
                tr::sample(&pa, W, H, [uv[0] - p * amplitude, uv[1]])
            }
        });
        let (bad, worst) = compare(&got, &want, 2);
        assert_eq!(bad, 0, "shift.glsl {overrides:?}: worst {worst}");
    }
}

/// A card read at the pixel's own uv is a texel load (src/transition/pixel_reads.rs): the same
/// picture as the filtered read there, which a uv not provably the pixel's (`uv + 0`) keeps,
/// within a code (the filtered read's own rounding of its coordinate), in both languages.
#[test]
fn reads_at_the_pixel_match_filtered_reads() {
    let mut r = GpuRenderer::new(gpu::context());
    let none = |_: &str| -> Result<Arc<RgbaImage>, String> { Err("no images".into()) };
    let glsl = |body: &str| {
        let p = ShaderProgram::glsl("t.glsl", body, &[], &none).unwrap();
        TransitionKind::Shader(Arc::new(p))
    };
    let wgsl = |body: &str| {
        let p = ShaderProgram::wgsl("t.wgsl", body, &[], &none).unwrap();
        TransitionKind::Shader(Arc::new(p))
    };
    let pairs = [
        (
            glsl("vec4 transition(vec2 uv) { return mix(getFromColor(uv), getToColor(uv), progress); }"),
            glsl("vec4 transition(vec2 uv) { vec2 q = uv + vec2(0.0); return mix(getFromColor(q), getToColor(q), progress); }"),
        ),
        (
            wgsl("fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> { return mix(from_color(uv), to_color(uv), progress); }"),
            wgsl("fn transition(uv: vec2<f32>, progress: f32, ratio: f32) -> vec4<f32> { let q = uv + vec2<f32>(0.0); return mix(from_color(q), to_color(q), progress); }"),
        ),
    ];
    for (i, (at_pixel, filtered)) in pairs.into_iter().enumerate() {
        let got = render(&mut r, at_pixel, 0.3);
        let want = render(&mut r, filtered, 0.3);
        let (bad, worst) = compare(&got, &want, 1);
        assert_eq!(bad, 0, "pair {i}: worst {worst}");
    }
}

#[test]
fn glsl_image_uniform_drives_a_luma_wipe() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    let (pa, pb) = (pixels(&a), pixels(&b));
    let level = |x: usize, y: usize| ((x * 3 + y * 2) % 256) as u8;
    let mut data = Vec::new();
    for y in 0..H {
        for x in 0..W {
            data.extend_from_slice(&[level(x, y), 0, 0, 255]);
        }
    }
    let luma = Arc::new(RgbaImage {
        width: W as u32,
        height: H as u32,
        data,
    });
    let kind = shader(
        "luma.glsl",
        &[("luma", ParamValue::Text("luma.png".into()))],
        Some(luma),
    );
    let got = render(&mut r, kind, 0.5);
    let want = reference_of(|x, y, _| {
        let l = level(x, y) as f64 / 255.0;
        let i = y * W + x;
        if 0.5 >= l {
            pb[i]
        } else {
            pa[i]
        }
    });
    let (bad, worst) = compare(&got, &want, 2);
    assert_eq!(bad, 0, "luma.glsl: worst {worst}");
}

#[test]
fn wgsl_transition_with_user_uniforms_matches() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    let (pa, pb) = (pixels(&a), pixels(&b));
    let tint = [1.0, 0.5, 0.25, 1.0];
    let kind = shader(
        "tint.wgsl",
        &[("tint", ParamValue::Numbers(tint.to_vec()))],
        None,
    );
    let p = 0.25;
    let got = render(&mut r, kind, p as f32);
    let want = reference_of(|_, _, uv| {
        let a = tr::sample(&pa, W, H, [uv[0] + 0.125, uv[1]]);
        let b = tr::sample(&pb, W, H, uv);
        std::array::from_fn(|c| a[c] * (1.0 - p) + b[c] * tint[c] * p)
    });
    let (bad, worst) = compare(&got, &want, 2);
    assert_eq!(bad, 0, "tint.wgsl: worst {worst}");
}

#[test]
fn broken_shader_reports_file_line_column() {
    let path = format!(
        "{}/tests/data/transitions/broken.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    let source = std::fs::read_to_string(&path).unwrap();
    let e = ShaderProgram::glsl(&path, &source, &[], &|_| Err("no images".into())).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    assert!(e.to_string().starts_with(&format!("{path}:5:")), "{e}");
}

/// Files of the public gl-transitions collection that need WebGL's allowances load unmodified:
/// a default with trailing text (fadecolor: `// = 0.4 ; // if 0.0, ...`) and globals initialised
/// from `progress` at file scope (pixelize). fadecolor matches its formula; pixelize is the FROM
/// picture at progress 0 (its hoisted `dist` is 0 there) and a blocky mix at 0.5.
#[test]
fn public_gl_transitions_with_webgl_allowances_load_and_render() {
    let mut r = GpuRenderer::new(gpu::context());
    let (a, b) = images();
    let (pa, pb) = (pixels(&a), pixels(&b));
    let p = 0.3f64;
    let got = render(
        &mut r,
        shader("gl-transitions/fadecolor.glsl", &[], None),
        p as f32,
    );
    let smooth = |e0: f64, e1: f64, x: f64| {
        let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
        t * t * (3.0 - 2.0 * t)
    };
    let (phase, black) = (0.4, [0.0, 0.0, 0.0, 1.0]);
    let mix = |x: [f64; 4], y: [f64; 4], t: f64| -> [f64; 4] {
        std::array::from_fn(|i| x[i] * (1.0 - t) + y[i] * t)
    };
    let want = reference_of(|x, y, _| {
        let i = y * W + x;
        let from = mix(black, pa[i], smooth(1.0 - phase, 0.0, p));
        let to = mix(black, pb[i], smooth(phase, 1.0, p));
        mix(from, to, p)
    });
    let (bad, worst) = compare(&got, &want, 2);
    assert_eq!(bad, 0, "fadecolor.glsl: worst {worst}");

    let kind = || shader("gl-transitions/pixelize.glsl", &[], None);
    let at_start = render(&mut r, kind(), 0.0);
    let (bad, worst) = compare(&at_start, &to_rgba8(&pa), 1);
    assert_eq!(bad, 0, "pixelize.glsl at 0 is FROM: worst {worst}");
    let middle = render(&mut r, kind(), 0.5);
    let plain = to_rgba8(
        &pa.iter()
            .zip(&pb)
            .map(|(x, y)| mix(*x, *y, 0.5))
            .collect::<Vec<_>>(),
    );
    assert!(
        compare(&middle, &plain, 2).0 > 0,
        "pixelize.glsl at 0.5 is blocky"
    );

    // fadegrayscale (a default with trailing text) and displacement (a sampler2D) load and render.
    render(
        &mut r,
        shader("gl-transitions/fadegrayscale.glsl", &[], None),
        0.5,
    );
    let map = Arc::new(RgbaImage {
        width: W as u32,
        height: H as u32,
        data: (0..W * H)
            .flat_map(|i| [(i % 256) as u8, 0, 0, 255])
            .collect(),
    });
    render(
        &mut r,
        shader(
            "gl-transitions/displacement.glsl",
            &[("displacementMap", ParamValue::Text("map.png".into()))],
            Some(map),
        ),
        0.5,
    );
}

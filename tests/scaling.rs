//! Scaling on both backends: minification against an exact area average (and against the stock
//! `compositor`), continuity of an animated zoom-out, exact copies of unscaled layers, and
//! chroma siting on input and output.
//!
//! Bounds (measured figures in the comments of each test):
//! - PSNR of the luma against the f64 area average of the source, at 2×, 2.5×, 4× and 8×, on a
//!   zone plate and on rendered text: at least the stock compositor's + 3 dB, each backend;
//! - a feature tracked while the scale goes from 1 to 0.25 in 96 steps: its centroid within
//!   0.2 px of where the geometry puts it and its brightness (integrated, over the scale's
//!   area) within 2 % of the unscaled one at every step; between steps the centroid moves the
//!   way the geometry does, never back, at most twice as far (+ 0.01 px), and the brightness
//!   changes by under 1 % (bilinear sampling fails at scale 0.95: +2.5 %);
//! - exact copies: byte for byte on the CPU backend, within 1 code on wgpu.

mod common;
mod gpu;
mod reference;
mod scene;

use gst::prelude::*;
use gst_video::prelude::*;
use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, PlaneMut,
    Rect, YuvColorimetry,
};
use gstparallelcompositor::cpu::CpuRenderer;
use gstparallelcompositor::gpu::GpuRenderer;
use gstparallelcompositor::render::Renderer;
use reference::Image;

/// Which renderer draws.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Backend {
    Cpu,
    Wgpu,
}

const BACKENDS: [Backend; 2] = [Backend::Cpu, Backend::Wgpu];

/// Renders `layers` over black into tightly packed planes of `format`.
fn render(
    backend: Backend,
    layers: &[LayerSource<'_>],
    format: PixelFormat,
    colorimetry: YuvColorimetry,
    (w, h): (u32, u32),
) -> Vec<Vec<u8>> {
    let mut planes: Vec<Vec<u8>> = (0..format.n_planes())
        .map(|p| {
            let (pw, ph, bpp) = format.plane_size(p, w, h);
            vec![0u8; (pw * ph * bpp) as usize]
        })
        .collect();
    let mut target = OutputTarget {
        format,
        width: w,
        height: h,
        planes: planes
            .iter_mut()
            .enumerate()
            .map(|(p, data)| {
                let (pw, _, bpp) = format.plane_size(p, w, h);
                PlaneMut {
                    data,
                    stride: (pw * bpp) as usize,
                }
            })
            .collect(),
        colorimetry,
    };
    let bg = Background::Solid(0xff00_0000);
    let result = match backend {
        Backend::Cpu => CpuRenderer::new(2).render_layers(&bg, layers, &[], &mut target),
        Backend::Wgpu => {
            GpuRenderer::new(gpu::context()).render_layers(&bg, layers, &[], &mut target)
        }
    };
    if let Err(e) = result {
        panic!("{backend:?}: {e}");
    }
    planes
}

fn placed(x: f64, y: f64, w: f64, h: f64) -> LayerParams {
    LayerParams::placed(Rect { x, y, w, h }, Crop::default(), 1.0, Operator::Over)
}

/// The colorimetry `scene::source` gives `img`.
fn colorimetry_of(img: &Image) -> YuvColorimetry {
    scene::colorimetry(img.bt709, img.full_range, img.cosited_h)
}

/// One frame of `desc` (ending in caps) as a tightly packed image.
fn grab(desc: &str) -> Image {
    grab_with(desc, |_| {})
}

/// [`grab`], `configure` called on the pipeline before it plays.
fn grab_with(desc: &str, configure: impl FnOnce(&gst::Pipeline)) -> Image {
    let pipeline = common::launch(&format!("{desc} ! appsink name=out"));
    configure(&pipeline);
    let sink: gst_app::AppSink = common::by_name(&pipeline, "out");
    pipeline.set_state(gst::State::Playing).expect("plays");
    let sample = sink.pull_sample().unwrap_or_else(|e| panic!("{desc}: {e}"));
    pipeline.set_state(gst::State::Null).expect("stops");
    let caps = sample.caps().expect("caps");
    let info = gst_video::VideoInfo::from_caps(caps).expect("video caps");
    let buffer = sample.buffer().expect("a buffer");
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).expect("maps");
    let format = match info.format() {
        gst_video::VideoFormat::I420 => "I420",
        gst_video::VideoFormat::Nv12 => "NV12",
        gst_video::VideoFormat::Rgba => "RGBA",
        other => panic!("{other:?}"),
    };
    let pf = scene::format_of(format);
    let (w, h) = (info.width(), info.height());
    let planes = (0..pf.n_planes())
        .map(|p| {
            let (pw, ph, bpp) = pf.plane_size(p, w, h);
            let stride = frame.plane_stride()[p] as usize;
            let data = frame.plane_data(p as u32).expect("plane");
            (0..ph as usize)
                .flat_map(|r| data[r * stride..][..(pw * bpp) as usize].to_vec())
                .collect()
        })
        .collect();
    Image {
        format,
        width: w as usize,
        height: h as usize,
        planes,
        bt709: false,
        full_range: false,
        cosited_h: true,
    }
}

// ---- minification quality ----

/// A grey I420 image from luma codes.
fn grey(w: usize, h: usize, luma: impl Fn(usize, usize) -> u8) -> Image {
    let y = (0..w * h).map(|i| luma(i % w, i / w)).collect();
    let c = vec![128u8; w.div_ceil(2) * h.div_ceil(2)];
    Image {
        format: "I420",
        width: w,
        height: h,
        planes: vec![y, c.clone(), c],
        bt709: false,
        full_range: false,
        cosited_h: true,
    }
}

/// A zone plate: cos(k r²), its frequency rising to the source's Nyquist limit at the corners.
fn zone_plate(w: usize, h: usize) -> Image {
    let k = std::f64::consts::PI / (w as f64);
    grey(w, h, |x, y| {
        let (dx, dy) = (x as f64 - w as f64 / 2.0, y as f64 - h as f64 / 2.0);
        (16.0 + 219.0 * (0.5 + 0.5 * (k * (dx * dx + dy * dy)).cos())).round() as u8
    })
}

/// The exact area average of a plane of `w` × `h` into `ow` × `oh`, in f64.
fn area_average(plane: &[u8], (w, h): (usize, usize), (ow, oh): (usize, usize)) -> Vec<f64> {
    let (fx, fy) = (w as f64 / ow as f64, h as f64 / oh as f64);
    let mut out = Vec::with_capacity(ow * oh);
    for oy in 0..oh {
        let ys = reference::axis_weights((oy as f64 + 0.5) * fy, fy, h);
        for ox in 0..ow {
            let xs = reference::axis_weights((ox as f64 + 0.5) * fx, fx, w);
            let mut sum = 0.0;
            for &(y, wy) in &ys {
                for &(x, wx) in &xs {
                    sum += plane[y * w + x] as f64 * wx * wy;
                }
            }
            out.push(sum);
        }
    }
    out
}

fn psnr(got: &[u8], want: &[f64]) -> f64 {
    let mse = got
        .iter()
        .zip(want)
        .map(|(&g, &w)| (g as f64 - w).powi(2))
        .sum::<f64>()
        / want.len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-12)).log10()
}

/// The stock `compositor` scaling `img` (I420) to `ow` × `oh`: its luma plane.
fn stock(img: &Image, (ow, oh): (usize, usize)) -> Vec<u8> {
    let (w, h) = (img.width, img.height);
    let desc = format!(
        "appsrc name=src format=time caps=video/x-raw,format=I420,width={w},height={h},framerate=30/1 \
         ! compositor sink_0::width={ow} sink_0::height={oh} \
         ! video/x-raw,format=I420,width={ow},height={oh} ! appsink name=out"
    );
    let pipeline = common::launch(&desc);
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    let sink: gst_app::AppSink = common::by_name(&pipeline, "out");
    pipeline.set_state(gst::State::Playing).expect("plays");
    let mut buffer = gst::Buffer::from_slice(img.planes.concat());
    {
        let b = buffer.get_mut().expect("writable");
        b.set_pts(gst::ClockTime::ZERO);
        b.set_duration(gst::ClockTime::from_mseconds(33));
    }
    src.push_buffer(buffer).expect("pushes");
    src.end_of_stream().expect("eos");
    let sample = sink.pull_sample().expect("a frame");
    pipeline.set_state(gst::State::Null).expect("stops");
    let info = gst_video::VideoInfo::from_caps(sample.caps().expect("caps")).expect("info");
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(
        sample.buffer().expect("a buffer"),
        &info,
    )
    .expect("maps");
    let stride = frame.plane_stride()[0] as usize;
    let data = frame.plane_data(0).expect("luma");
    (0..oh)
        .flat_map(|r| data[r * stride..][..ow].to_vec())
        .collect()
}

/// Text as the export's screen recordings show it: black on white, small and large, by pango.
fn text(w: usize, h: usize) -> Image {
    let lines = "fn main() { println!(\"Hello, world\"); }\n\
                 The quick brown fox jumps over the lazy dog 0123456789\n\
                 Settings  Window  Help  |  Export 1080p30  >  H.264\n\
                 let x = a.iter().map(|v| v * 2).sum();\n\
                 Small print: 12 files changed, 340 insertions(+), 27 deletions(-)\n"
        .repeat(6);
    let desc = format!(
        "videotestsrc pattern=white num-buffers=1 ! video/x-raw,format=I420,width={w},height={h} \
         ! textoverlay name=t font-desc=\"DejaVu Sans 11\" color=0xff000000 \
           shaded-background=false draw-outline=false draw-shadow=false valignment=top \
           halignment=left line-alignment=left ! video/x-raw,format=I420"
    );
    let img = grab_with(&desc, |p| {
        common::by_name::<gst::Element>(p, "t").set_property("text", &lines)
    });
    // Some strokes drawn.
    let dark = img.planes[0].iter().filter(|&&v| v < 100).count();
    assert!(
        dark > w * h / 100,
        "textoverlay drew text ({dark} dark pixels)"
    );
    img
}

#[test]
fn minification_beats_the_stock_compositor_by_3_db() {
    common::init();
    let (w, h) = (640, 480);
    // Measured (dB, CPU / wgpu / stock compositor), luma against the area average:
    // zone plate 2×, 2.5×, 4×, 8×: 58.4 / 58.4 / 21.9, 59.0 / 58.8 / 25.9,
    //   58.8 / 58.7 / 27.5, 58.8 / 58.7 / 32.5;
    // text: 64.2 / 64.2 / 27.9, 64.5 / 64.3 / 29.7, 63.6 / 63.5 / 31.1, 61.8 / 61.6 / 32.0.
    for (name, img) in [("zone plate", zone_plate(w, h)), ("text", text(w, h))] {
        for factor in [2.0, 2.5, 4.0, 8.0] {
            let (ow, oh) = ((w as f64 / factor) as usize, (h as f64 / factor) as usize);
            let want = area_average(&img.planes[0], (w, h), (ow, oh));
            let theirs = psnr(&stock(&img, (ow, oh)), &want);
            let layer = scene::source(&img, placed(0.0, 0.0, ow as f64, oh as f64));
            for backend in BACKENDS {
                let out = render(
                    backend,
                    std::slice::from_ref(&layer),
                    PixelFormat::I420,
                    colorimetry_of(&img),
                    (ow as u32, oh as u32),
                );
                let ours = psnr(&out[0], &want);
                println!("{name} {factor}×: {backend:?} {ours:.1} dB, compositor {theirs:.1} dB");
                assert!(
                    ours >= theirs + 3.0,
                    "{name} {factor}×: {backend:?} {ours:.1} dB, compositor {theirs:.1} dB"
                );
            }
        }
    }
}

// ---- continuity of an animated zoom-out ----

/// (centroid x, centroid y, brightness) of luma above black.
fn feature(y: &[u8], w: usize) -> (f64, f64, f64) {
    let (mut sx, mut sy, mut sum) = (0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let m = (v as f64 - 16.0).max(0.0);
        sx += m * ((i % w) as f64 + 0.5);
        sy += m * ((i / w) as f64 + 0.5);
        sum += m;
    }
    (sx / sum, sy / sum, sum)
}

#[test]
fn zoom_out_to_a_quarter_is_smooth() {
    let (w, h) = (160usize, 120usize);
    // A 5 × 3 bright block off centre on black.
    let (bx, by) = (97usize, 41usize);
    let img = grey(w, h, |x, y| {
        if (bx..bx + 5).contains(&x) && (by..by + 3).contains(&y) {
            235
        } else {
            16
        }
    });
    let (fx, fy) = (bx as f64 + 2.5, by as f64 + 1.5);
    let c = colorimetry_of(&img);
    for backend in BACKENDS {
        // (expected x, y, centroid x, y, relative brightness) of the previous step.
        let mut last: Option<[f64; 5]> = None;
        let mut unscaled = 0.0;
        let steps = 96;
        for k in 0..=steps {
            // Scale from 1 to 0.25 about the frame's centre, a smooth animation.
            let s = 1.0 - 0.75 * k as f64 / steps as f64;
            let (x0, y0) = (w as f64 * (1.0 - s) / 2.0, h as f64 * (1.0 - s) / 2.0);
            let layer = scene::source(&img, placed(x0, y0, w as f64 * s, h as f64 * s));
            let out = render(
                backend,
                std::slice::from_ref(&layer),
                PixelFormat::I420,
                c,
                (w as u32, h as u32),
            );
            let (cx, cy, sum) = feature(&out[0], w);
            let (ex, ey) = (x0 + fx * s, y0 + fy * s);
            let brightness = sum / (s * s);
            if k == 0 {
                unscaled = brightness;
            }
            let rel = brightness / unscaled - 1.0;
            let what = format!("{backend:?} scale {s:.4}");
            assert!(
                (cx - ex).abs() < 0.2 && (cy - ey).abs() < 0.2 && rel.abs() < 0.02,
                "{what}: centroid off by ({:.3}, {:.3}) px, brightness {:+.2} %",
                cx - ex,
                cy - ey,
                100.0 * rel
            );
            if let Some([lex, ley, lcx, lcy, lrel]) = last {
                // The feature moves the way the geometry moves it, never back, and at most
                // twice as fast: sampled at pixel centres, a feature's centroid moves in steps
                // of slope (pixels spanned − 1) / its width while it crosses pixel boundaries.
                for (moved, want) in [(cx - lcx, ex - lex), (cy - lcy, ey - ley)] {
                    assert!(
                        moved * want >= 0.0 || moved.abs() < 0.01,
                        "{what}: moved {moved:.3} px against the motion {want:.3}"
                    );
                    assert!(
                        moved.abs() <= 2.0 * want.abs() + 0.01,
                        "{what}: moved {moved:.3} px for a motion of {want:.3}"
                    );
                }
                assert!(
                    (rel - lrel).abs() < 0.01,
                    "{what}: brightness jumps by {:+.2} %",
                    100.0 * (rel - lrel)
                );
            }
            last = Some([ex, ey, cx, cy, rel]);
        }
    }
}

// ---- exact copies ----

fn smpte(format: &str) -> Image {
    grab(&format!(
        "videotestsrc pattern=smpte num-buffers=1 ! video/x-raw,format={format},width=320,height=240"
    ))
}

/// The planes of `img` in `format` (I420 ↔ NV12 by moving chroma bytes).
fn planes_as(img: &Image, format: &str) -> Vec<Vec<u8>> {
    match (img.format, format) {
        (a, b) if a == b => img.planes.clone(),
        ("I420", "NV12") => vec![
            img.planes[0].clone(),
            img.planes[1]
                .iter()
                .zip(&img.planes[2])
                .flat_map(|(u, v)| [*u, *v])
                .collect(),
        ],
        ("NV12", "I420") => vec![
            img.planes[0].clone(),
            img.planes[1].iter().step_by(2).copied().collect(),
            img.planes[1].iter().skip(1).step_by(2).copied().collect(),
        ],
        other => panic!("{other:?}"),
    }
}

/// The largest difference between the output planes and the source's planes shifted by
/// (`dx`, `dy`) (even), over the output pixels the layer covers.
fn copy_error(img: &Image, out: &[Vec<u8>], format: &str, (dx, dy): (usize, usize)) -> u8 {
    let cosited = img.cosited_h;
    let want = planes_as(img, format);
    let pf = scene::format_of(format);
    let (w, h) = (img.width as u32, img.height as u32);
    let mut worst = 0u8;
    for (p, (got, want)) in out.iter().zip(&want).enumerate() {
        let (pw, ph, bpp) = pf.plane_size(p, w, h);
        let (pw, ph, bpp) = (pw as usize, ph as usize, bpp as usize);
        let (ox, oy) = if p == 0 { (dx, dy) } else { (dx / 2, dy / 2) };
        // Co-sited chroma at a layer's left edge also stands for the column left of it (¼),
        // which shows the background: not a copy.
        let skip = (p > 0 && cosited && dx > 0) as usize;
        for y in oy..ph {
            let g = &got[y * pw * bpp + ox * bpp..(y + 1) * pw * bpp];
            let s = &want[(y - oy) * pw * bpp..][..g.len()];
            for (a, b) in g.iter().zip(s).skip(skip * bpp) {
                worst = worst.max(a.abs_diff(*b));
            }
        }
    }
    worst
}

#[test]
fn unscaled_layers_are_copied_exactly() {
    common::init();
    let cases = [
        ("I420", "I420"),
        ("NV12", "NV12"),
        ("I420", "NV12"),
        ("NV12", "I420"),
        ("RGBA", "RGBA"),
    ];
    for (from, to) in cases {
        let img = smpte(from);
        let c = colorimetry_of(&img);
        let (w, h) = (img.width as f64, img.height as f64);
        for (dx, dy) in [(0usize, 0usize), (32, 16)] {
            let layer = scene::source(&img, placed(dx as f64, dy as f64, w, h));
            for backend in BACKENDS {
                let out = render(
                    backend,
                    std::slice::from_ref(&layer),
                    scene::format_of(to),
                    c,
                    (img.width as u32, img.height as u32),
                );
                let worst = copy_error(&img, &out, to, (dx, dy));
                let tolerance = if backend == Backend::Cpu { 0 } else { 1 };
                assert!(
                    worst <= tolerance,
                    "{from} → {to} at ({dx}, {dy}), {backend:?}: up to {worst} codes off"
                );
            }
        }
    }
}

// ---- chroma siting ----

/// A colourful in-gamut I420 image whose chroma waves across (so that siting shows).
fn chroma_bars(w: usize, h: usize) -> Image {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let y = (0..w * h).map(|i| (90 + (i % w) % 7 * 6) as u8).collect();
    let wave = |i: usize, period: f64, amp: f64| {
        let x = (i % cw) as f64 + 0.3 * (i / cw) as f64;
        (128.0 + amp * (std::f64::consts::TAU * x / period).sin()).round() as u8
    };
    let u = (0..cw * ch).map(|i| wave(i, 12.0, 30.0)).collect();
    let v = (0..cw * ch).map(|i| wave(i, 10.0, 25.0)).collect();
    Image {
        format: "I420",
        width: w,
        height: h,
        planes: vec![y, u, v],
        bt709: false,
        full_range: false,
        cosited_h: true,
    }
}

/// The reference's Y'CbCr of straight RGBA: chroma averaged over the luma pixels each sample
/// stands for (½ ½, or ¼ ½ ¼ co-sited), as the outputs' documented kernels do.
fn reference_yuv(rgba: &[u8], w: usize, h: usize, cosited: bool) -> [Vec<u8>; 3] {
    let (kr, kb) = (0.299, 0.114);
    let px = |x: i64, y: i64| -> [f64; 3] {
        let x = x.clamp(0, w as i64 - 1) as usize;
        let y = y.clamp(0, h as i64 - 1) as usize;
        let p = &rgba[(y * w + x) * 4..];
        [0, 1, 2].map(|k| p[k] as f64 / 255.0)
    };
    let luma = |p: [f64; 3]| kr * p[0] + (1.0 - kr - kb) * p[1] + kb * p[2];
    let code = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    let y = (0..w * h)
        .map(|i| code(16.0 + 219.0 * luma(px((i % w) as i64, (i / w) as i64))))
        .collect();
    let (cw, ch) = (w.div_ceil(2) as i64, h.div_ceil(2) as i64);
    let (mut u, mut v) = (Vec::new(), Vec::new());
    for j in 0..ch {
        for i in 0..cw {
            let xs: &[(i64, f64)] = if cosited {
                &[(-1, 0.25), (0, 0.5), (1, 0.25)]
            } else {
                &[(0, 0.5), (1, 0.5)]
            };
            let mut acc = [0.0; 3];
            for &(x, wx) in xs {
                for (y, wy) in [(2 * j, 0.5), (2 * j + 1, 0.5)] {
                    let p = px(2 * i + x, y);
                    for k in 0..3 {
                        acc[k] += wx * wy * p[k];
                    }
                }
            }
            let l = luma(acc);
            u.push(code(128.0 + 224.0 * (acc[2] - l) / (2.0 * (1.0 - kb))));
            v.push(code(128.0 + 224.0 * (acc[0] - l) / (2.0 * (1.0 - kr))));
        }
    }
    [y, u, v]
}

#[test]
fn chroma_siting_mpeg2_and_jpeg_on_input_and_output() {
    let (w, h) = (64usize, 48usize);
    // Magnified and minified, so that the siting moves chroma by a fraction of a texel.
    for (sw, sh) in [(40usize, 30usize), (128, 96)] {
        for in_cosited in [true, false] {
            let mut img = chroma_bars(sw, sh);
            img.cosited_h = in_cosited;
            let layer = reference::Layer {
                image: img.clone(),
                dst: (0.0, 0.0, w as f64, h as f64),
                crop: (0.0, 0.0, 0.0, 0.0),
                alpha: 1.0,
                op: reference::Op::Over,
            };
            let rgba = reference::render_rgba(Some(0xff00_0000), &[layer], w, h);
            for out_cosited in [true, false] {
                let want = reference_yuv(&rgba, w, h, out_cosited);
                let mut c = colorimetry_of(&img);
                c.chroma_cosited_h = out_cosited;
                let src = scene::source(&img, placed(0.0, 0.0, w as f64, h as f64));
                for backend in BACKENDS {
                    let out = render(
                        backend,
                        std::slice::from_ref(&src),
                        PixelFormat::I420,
                        c,
                        (w as u32, h as u32),
                    );
                    // Chroma against the reference's; and against the reference with the
                    // other output siting, which must be farther (the siting matters here).
                    for (p, name) in [(1, "U"), (2, "V")] {
                        let err = |want: &[u8]| {
                            out[p]
                                .iter()
                                .zip(want)
                                .map(|(a, b)| a.abs_diff(*b))
                                .max()
                                .unwrap_or(0)
                        };
                        let other = reference_yuv(&rgba, w, h, !out_cosited);
                        let (near, far) = (err(&want[p]), err(&other[p]));
                        let what = format!(
                            "{sw}x{sh} → {w}x{h}, input {}, output {}, {backend:?}, {name}",
                            if in_cosited { "mpeg2" } else { "jpeg" },
                            if out_cosited { "mpeg2" } else { "jpeg" },
                        );
                        assert!(near <= 8, "{what}: {near} codes from the reference");
                        assert!(far > near, "{what}: the siting makes no difference");
                    }
                    let luma = out[0]
                        .iter()
                        .zip(&want[0])
                        .map(|(a, b)| a.abs_diff(*b))
                        .max()
                        .unwrap_or(0);
                    assert!(
                        luma <= 2,
                        "{backend:?}: luma {luma} codes from the reference"
                    );
                }
            }
        }
    }
}

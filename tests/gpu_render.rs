//! The wgpu renderer (on lavapipe here) against the CPU reference renderer in tests/reference.
//!
//! Tolerance: 2 codes per channel. The GPU computes in f32 and keeps the composite in f16
//! (11-bit mantissa: ±0.13 of a code near white), the reference in f64; each rounds once.

mod gpu;
mod reference;
mod scene;

use gstparallelcompositor::compose::Background;
use gstparallelcompositor::compose::LayerSource;
use reference::{Image, Layer, Op};
use scene::to_params;

const TOLERANCE: u8 = 2;

/// Renders with the GPU into tightly packed RGBA.
fn gpu_rgba(bg: Option<u32>, layers: &[Layer], width: u32, height: u32) -> Vec<u8> {
    let sources: Vec<LayerSource<'_>> = layers
        .iter()
        .map(|l| gpu::source(&l.image, to_params(l)))
        .collect();
    let background = match bg {
        Some(c) => Background::Solid(c),
        None => Background::Checker,
    };
    gpu::render(&background, &sources, width, height)
}

fn layer(image: Image, dst: (f64, f64, f64, f64)) -> Layer {
    Layer {
        image,
        dst,
        crop: (0.0, 0.0, 0.0, 0.0),
        alpha: 1.0,
        op: Op::Over,
    }
}

#[track_caller]
fn check(what: &str, bg: Option<u32>, layers: &[Layer], width: usize, height: usize) {
    let expected = reference::render_rgba(bg, layers, width, height);
    let got = gpu_rgba(bg, layers, width as u32, height as u32);
    let (diff, at) = reference::max_diff(&expected, &got);
    let px = at / 4;
    assert!(
        diff <= TOLERANCE,
        "{what}: max difference {diff} at pixel ({}, {}) channel {}: reference {:?} gpu {:?}",
        px % width,
        px / width,
        at % 4,
        &expected[px * 4..px * 4 + 4],
        &got[px * 4..px * 4 + 4]
    );
}

#[test]
fn solid_backgrounds() {
    for bg in [
        0xff00_0000,
        0xffff_ffff,
        0x0000_0000,
        0xff12_3456,
        0x8040_80c0,
    ] {
        check(&format!("background {bg:08x}"), Some(bg), &[], 64, 48);
    }
}

#[test]
fn checker_background() {
    check("checker", None, &[], 64, 48);
}

#[test]
fn placement_at_whole_pixels_copies_exactly() {
    let img = reference::rgba_image(16, 12, reference::pattern_rgba(16, 12));
    let l = layer(img.clone(), (5.0, 7.0, 16.0, 12.0));
    let expected = reference::render_rgba(Some(0xff00_0000), std::slice::from_ref(&l), 64, 48);
    let got = gpu_rgba(Some(0xff00_0000), &[l], 64, 48);
    assert_eq!(expected, got, "an unscaled layer at whole pixels is a copy");
    // And the copy is the source itself.
    let row = 7 * 64 * 4 + 5 * 4;
    assert_eq!(&got[row..row + 16 * 4], &img.planes[0][..16 * 4]);
}

#[test]
fn sub_pixel_placement() {
    let img = reference::rgba_image(16, 12, reference::pattern_rgba(16, 12));
    for (x, y) in [(5.25, 7.5), (0.7, 3.1), (-3.4, -2.6), (50.9, 40.2)] {
        check(
            &format!("at ({x}, {y})"),
            Some(0xff20_4060),
            &[layer(img.clone(), (x, y, 16.0, 12.0))],
            64,
            48,
        );
    }
}

#[test]
fn scaling_up_and_down() {
    let img = reference::rgba_image(32, 24, reference::gradient_rgba(32, 24, false));
    check(
        "up",
        Some(0xff00_0000),
        &[layer(img.clone(), (3.0, 2.5, 57.3, 41.0))],
        64,
        48,
    );
    check(
        "down",
        Some(0xff00_0000),
        &[layer(img.clone(), (10.0, 10.0, 13.0, 9.5))],
        64,
        48,
    );
    let pattern = reference::rgba_image(32, 24, reference::pattern_rgba(32, 24));
    check(
        "pattern",
        Some(0xff00_0000),
        &[layer(pattern, (1.5, 0.25, 61.0, 47.0))],
        64,
        48,
    );
}

#[test]
fn crop() {
    let img = reference::rgba_image(32, 24, reference::pattern_rgba(32, 24));
    let mut l = layer(img, (4.0, 4.0, 40.0, 30.0));
    l.crop = (3.0, 5.5, 2.25, 4.0);
    check("crop", Some(0xff00_0000), &[l], 64, 48);
}

#[test]
fn alpha_and_zorder() {
    let a = reference::rgba_image(24, 20, reference::gradient_rgba(24, 20, true));
    let b = reference::rgba_image(24, 20, reference::pattern_rgba(24, 20));
    let mut top = layer(b, (10.0, 8.0, 30.0, 25.0));
    top.alpha = 0.6;
    let mut bottom = layer(a, (2.0, 3.0, 40.0, 30.0));
    bottom.alpha = 0.8;
    check(
        "b over a",
        Some(0xff30_3030),
        &[bottom.clone(), top.clone()],
        64,
        48,
    );
    check("a over b", Some(0xff30_3030), &[top, bottom], 64, 48);
}

#[test]
fn operators() {
    let a = reference::rgba_image(24, 20, reference::gradient_rgba(24, 20, true));
    let b = reference::rgba_image(24, 20, reference::gradient_rgba(24, 20, true));
    for op in [Op::Over, Op::Source, Op::Add] {
        for bg in [0xff40_2010, 0x0000_0000, 0x8080_8080] {
            let bottom = layer(a.clone(), (0.0, 0.0, 40.0, 30.0));
            let mut top = layer(b.clone(), (12.5, 9.25, 30.0, 25.0));
            top.op = op;
            top.alpha = 0.7;
            check(
                &format!("{op:?} on {bg:08x}"),
                Some(bg),
                &[bottom, top],
                64,
                48,
            );
        }
    }
}

#[test]
fn background_under_translucent_layer() {
    let a = reference::rgba_image(24, 20, reference::gradient_rgba(24, 20, true));
    for bg in [None, Some(0xffff_ffff), Some(0x0000_0000)] {
        let mut l = layer(a.clone(), (5.0, 5.0, 50.0, 35.0));
        l.alpha = 0.5;
        check(&format!("{bg:?}"), bg, &[l], 64, 48);
    }
}

#[test]
fn yuv_inputs() {
    for format in ["I420", "NV12"] {
        for (bt709, full) in [(false, false), (true, false), (false, true), (true, true)] {
            let img = reference::yuv_image(format, 30, 22, bt709, full);
            check(
                &format!("{format} bt709={bt709} full={full} 1:1"),
                Some(0xff00_0000),
                &[layer(img.clone(), (4.0, 3.0, 30.0, 22.0))],
                64,
                48,
            );
            check(
                &format!("{format} bt709={bt709} full={full} scaled"),
                Some(0xff00_0000),
                &[layer(img, (1.5, 2.25, 55.0, 41.5))],
                64,
                48,
            );
        }
    }
    let mut centred = reference::yuv_image("I420", 30, 22, true, false);
    centred.cosited_h = false;
    check(
        "I420 jpeg siting",
        Some(0xff00_0000),
        &[layer(centred, (4.0, 3.0, 30.0, 22.0))],
        64,
        48,
    );
}

#[test]
fn rgb_input_formats() {
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
        check(
            format,
            Some(0xff10_2030),
            &[layer(img, (3.5, 2.0, 41.0, 33.0))],
            64,
            48,
        );
    }
}

#[test]
fn odd_sizes() {
    let img = reference::yuv_image("I420", 17, 13, true, false);
    check(
        "odd I420 source",
        Some(0xff00_0000),
        &[layer(img, (2.0, 1.0, 17.0, 13.0))],
        33,
        25,
    );
}

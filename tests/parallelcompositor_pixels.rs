//! Pixels through the element: pad properties against the CPU reference renderer, and every
//! input and output format against GStreamer's own `videoconvert`.
//!
//! Tolerances: 2 codes per channel against the reference (f16 composite, one rounding each);
//! 2 codes against videoconvert (its 8-bit integer matrices round differently from our float
//! ones; chroma subsampling filters differ slightly, which the smooth test image keeps small).

mod common;
mod reference;

use gst_video::VideoFormat;
use reference::{Image, Layer, Op};

const W: usize = 64;
const H: usize = 48;
// Size of the conversion tests.
const CW: usize = 128;
const CH: usize = 96;

fn rgba_caps(format: &str, w: usize, h: usize) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .field("format", format)
        .field("width", w as i32)
        .field("height", h as i32)
        .field("framerate", gst::Fraction::new(30, 1))
        .build()
}

/// Pushes `buffer` as the only frame (PTS 0, one 30 fps frame long) of `src`, then EOS.
fn push_one_frame(src: &gst_app::AppSrc, caps: &gst::Caps, mut buffer: gst::Buffer) {
    src.set_caps(Some(caps));
    {
        let b = buffer.make_mut();
        b.set_pts(gst::ClockTime::ZERO);
        b.set_duration(gst::ClockTime::SECOND / 30);
    }
    src.push_buffer(buffer).expect("push");
    src.end_of_stream().expect("eos");
}

/// Pushes one frame per appsrc (`srcN` for input N), then EOS; returns the output planes.
fn render(
    extra: &str,
    inputs: &[(gst::Caps, gst::Buffer)],
    out_caps: &str,
) -> (gst_video::VideoInfo, Vec<Vec<u8>>) {
    let mut desc = format!("parallelcompositor name=pc {extra} ! {out_caps} ! appsink name=sink");
    for i in 0..inputs.len() {
        desc.push_str(&format!(" appsrc name=src{i} format=time ! pc.sink_{i}"));
    }
    let pipeline = common::launch(&desc);
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    for (i, (caps, buffer)) in inputs.iter().enumerate() {
        let src: gst_app::AppSrc = common::by_name(&pipeline, &format!("src{i}"));
        push_one_frame(&src, caps, buffer.clone());
    }
    if let Err(e) = common::play_to_end(&pipeline, 60) {
        panic!("{desc}: {e}");
    }
    let samples = seen.lock().expect("lock").clone();
    assert_eq!(samples.len(), 1, "one frame in, one frame out");
    common::planes(&samples[0])
}

fn i420_input() -> (Image, gst::Caps, gst::Buffer) {
    common::init();
    let img = reference::yuv_image("I420", 40, 30, false, false);
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .field("width", 40)
        .field("height", 30)
        .field("framerate", gst::Fraction::new(30, 1))
        .field("colorimetry", "bt601")
        .field("chroma-site", "mpeg2")
        .build();
    let buffer = common::buffer_with_meta(VideoFormat::I420, 40, 30, &img.planes, 8);
    (img, caps, buffer)
}

fn rgba_input() -> (Image, gst::Caps, gst::Buffer) {
    common::init();
    let data = reference::gradient_rgba(24, 20, true);
    let buffer =
        common::buffer_with_meta(VideoFormat::Rgba, 24, 20, std::slice::from_ref(&data), 12);
    let img = Image {
        format: "RGBA",
        width: 24,
        height: 20,
        planes: vec![data],
        bt709: false,
        full_range: false,
        cosited_h: true,
    };
    (img, rgba_caps("RGBA", 24, 20), buffer)
}

#[track_caller]
fn check_rgba(what: &str, got: &[u8], expected: &[u8]) {
    let (diff, at) = reference::max_diff(expected, got);
    let px = at / 4;
    assert!(
        diff <= 2,
        "{what}: max difference {diff} at pixel ({}, {}): reference {:?} element {:?}",
        px % W,
        px / W,
        &expected[px * 4..px * 4 + 4],
        &got[px * 4..px * 4 + 4]
    );
}

/// Two inputs, each pad property set, for every operator and background.
#[test]
fn pad_properties_match_reference() {
    let (img0, caps0, buf0) = i420_input();
    let (img1, caps1, buf1) = rgba_input();
    let backgrounds: [(&str, Option<u32>); 5] = [
        ("background=black", Some(0xff00_0000)),
        ("background=white", Some(0xffff_ffff)),
        ("background=transparent", Some(0)),
        ("background=checker", None),
        (
            "background=color background-color=0xc0204060",
            Some(0xc020_4060),
        ),
    ];
    for adapter in common::ADAPTERS {
        for (op_name, op) in [("over", Op::Over), ("source", Op::Source), ("add", Op::Add)] {
            for (bg_props, bg) in backgrounds {
                let props = format!(
                "adapter={adapter} {bg_props} sink_0::xpos=2.5 sink_0::ypos=1.25 sink_0::width=50 sink_0::height=37.5 \
                 sink_1::xpos=20.75 sink_1::ypos=10.5 sink_1::width=30 sink_1::height=25 \
                 sink_1::crop-left=2 sink_1::crop-right=3 sink_1::crop-top=1.5 \
                 sink_1::alpha=0.7 sink_1::zorder=1 sink_1::operator={op_name}"
            );
                let (_, planes) = render(
                    &props,
                    &[(caps0.clone(), buf0.clone()), (caps1.clone(), buf1.clone())],
                    &format!("video/x-raw,format=RGBA,width={W},height={H}"),
                );
                let layers = [
                    Layer {
                        image: img0.clone(),
                        dst: (2.5, 1.25, 50.0, 37.5),
                        crop: (0.0, 0.0, 0.0, 0.0),
                        alpha: 1.0,
                        op: Op::Over,
                    },
                    Layer {
                        image: img1.clone(),
                        dst: (20.75, 10.5, 30.0, 25.0),
                        crop: (2.0, 3.0, 1.5, 0.0),
                        alpha: 0.7,
                        op,
                    },
                ];
                let expected = reference::render_rgba(bg, &layers, W, H);
                check_rgba(
                    &format!("{adapter} {op_name} {bg_props}"),
                    &planes[0],
                    &expected,
                );
            }
        }
    }
}

#[test]
fn zorder_decides_stacking() {
    let (img0, caps0, buf0) = i420_input();
    let (img1, caps1, buf1) = rgba_input();
    // sink_0 on top of sink_1 this time.
    let (_, planes) = render(
        "sink_0::zorder=5 sink_0::xpos=10 sink_0::ypos=8 sink_1::zorder=2 \
         sink_1::width=48 sink_1::height=40",
        &[(caps0, buf0), (caps1, buf1)],
        &format!("video/x-raw,format=RGBA,width={W},height={H}"),
    );
    let layers = [
        Layer {
            image: img1,
            dst: (0.0, 0.0, 48.0, 40.0),
            crop: (0.0, 0.0, 0.0, 0.0),
            alpha: 1.0,
            op: Op::Over,
        },
        Layer {
            image: img0,
            dst: (10.0, 8.0, 40.0, 30.0),
            crop: (0.0, 0.0, 0.0, 0.0),
            alpha: 1.0,
            op: Op::Over,
        },
    ];
    check_rgba(
        "zorder",
        &planes[0],
        &reference::render_rgba(Some(0xff00_0000), &layers, W, H),
    );
}

#[test]
fn keep_aspect_ratio() {
    let (img1, caps1, buf1) = rgba_input();
    // 24x20 (aspect 1.2) into a 40x40 box at (5, 2): 40 x 33.33, centred vertically.
    let (_, planes) = render(
        "sink_0::xpos=5 sink_0::ypos=2 sink_0::width=40 sink_0::height=40 \
         sink_0::sizing-policy=keep-aspect-ratio",
        &[(caps1, buf1)],
        &format!("video/x-raw,format=RGBA,width={W},height={H}"),
    );
    let h = 40.0 / 1.2;
    let layers = [Layer {
        image: img1,
        dst: (5.0, 2.0 + (40.0 - h) / 2.0, 40.0, h),
        crop: (0.0, 0.0, 0.0, 0.0),
        alpha: 1.0,
        op: Op::Over,
    }];
    check_rgba(
        "keep-aspect-ratio",
        &planes[0],
        &reference::render_rgba(Some(0xff00_0000), &layers, W, H),
    );
}

/// Output caps with the given extra fields.
fn caps_str(format: &str, extra: &str) -> String {
    format!("video/x-raw,format={format},width={CW},height={CH},framerate=30/1{extra}")
}

/// `format` through the element and through videoconvert, from the same input.
///
/// YUV → RGB is compared with videoconvert's 16-bit output (RGBA64), rounded to 8 bits: its
/// 8-bit I420/NV12 → RGBA path is an approximation (a flat (100, 212, 63) through BT.601 I420
/// comes back as (97, 206, 60); the exact inverse of the stored codes, which the 16-bit path
/// and this element give, is (98, 212, 62)).
fn compare_with_videoconvert(adapter: &str, input: &str, output: &str) -> (u8, usize, usize, f64) {
    let yuv_to_rgb = (input.contains("I420") || input.contains("NV12")) && output.contains("RGBA");
    let reference_output = if yuv_to_rgb {
        output.replace("RGBA", "RGBA64_LE")
    } else {
        output.to_string()
    };
    let desc = format!(
        "appsrc name=src format=time ! videoconvert ! {input} ! tee name=t \
         t. ! queue ! parallelcompositor adapter={adapter} ! {output} ! appsink name=sink \
         t. ! queue ! videoconvert ! {reference_output} ! appsink name=ref"
    );
    let pipeline = common::launch(&desc);
    let ours = common::collect(&common::by_name(&pipeline, "sink"));
    let theirs = common::collect(&common::by_name(&pipeline, "ref"));
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    push_one_frame(
        &src,
        &rgba_caps("RGBA", CW, CH),
        gst::Buffer::from_slice(reference::gradient_rgba(CW, CH, false)),
    );
    if let Err(e) = common::play_to_end(&pipeline, 60) {
        panic!("{desc}: {e}");
    }
    let ours = ours.lock().expect("lock");
    let theirs = theirs.lock().expect("lock");
    assert_eq!((ours.len(), theirs.len()), (1, 1));
    let (ia, a) = common::planes(&ours[0]);
    let (ib, mut b) = common::planes(&theirs[0]);
    if yuv_to_rgb {
        b = vec![b[0]
            .chunks(2)
            .map(|v| (u16::from_le_bytes([v[0], v[1]]) as f64 / 257.0).round() as u8)
            .collect()];
    } else {
        assert_eq!(ia.format(), ib.format());
    }
    let total: usize = a
        .iter()
        .zip(&b)
        .flat_map(|(x, y)| x.iter().zip(y))
        .map(|(u, v)| u.abs_diff(*v) as usize)
        .sum();
    let count: usize = a.iter().map(Vec::len).sum();
    let (max, plane, at) = common::max_plane_diff(&a, &b);
    (max, plane, at, total as f64 / count as f64)
}

#[test]
fn input_formats_match_videoconvert() {
    let rgba_out = caps_str("RGBA", "");
    for input in [
        caps_str("I420", ",colorimetry=bt601"),
        caps_str("I420", ",colorimetry=bt709"),
        caps_str("I420", ",colorimetry=1:4:0:0"),
        caps_str("I420", ",colorimetry=1:3:5:1"),
        caps_str("I420", ",colorimetry=bt709,chroma-site=jpeg"),
        caps_str("NV12", ",colorimetry=bt601"),
        caps_str("NV12", ",colorimetry=bt709"),
        caps_str("NV12", ",colorimetry=1:3:5:1"),
        caps_str("RGBA", ""),
        caps_str("BGRA", ""),
        caps_str("RGBx", ""),
        caps_str("BGRx", ""),
    ] {
        for adapter in common::ADAPTERS {
            let (diff, plane, at, mean) = compare_with_videoconvert(adapter, &input, &rgba_out);
            // YUV → RGB: 4 codes, mean ≤ 1.25. videoconvert's 16-bit path is itself off by about
            // a code (a flat BT.601 (154, 79, 89) gives R 99.5 and B 62.9 where the equations give
            // 98.4 and 61.8; this element gives 98 and 62), and its chroma upsampling filter
            // differs from our bilinear one. The exactness of our conversion is checked against the
            // equations in gpu_render.rs (2 codes).
            let (max, max_mean) = if input.contains("RGB") {
                (0, 0.0)
            } else {
                (4, 1.25)
            };
            assert!(
            diff <= max && mean <= max_mean,
            "{adapter}: {input} -> RGBA: difference {diff} in plane {plane} at byte {at}, mean {mean:.3}"
        );
        }
    }
}

#[test]
fn output_formats_match_videoconvert() {
    for output in [
        caps_str("RGBA", ""),
        caps_str("BGRA", ""),
        caps_str("I420", ",colorimetry=bt601"),
        caps_str("I420", ",colorimetry=bt709"),
        caps_str("I420", ",colorimetry=1:4:0:0"),
        caps_str("I420", ",colorimetry=1:3:5:1"),
        caps_str("NV12", ",colorimetry=bt601"),
        caps_str("NV12", ",colorimetry=bt709"),
        caps_str("NV12", ",colorimetry=1:3:5:1"),
    ] {
        for adapter in common::ADAPTERS {
            let (diff, plane, at, mean) =
                compare_with_videoconvert(adapter, &caps_str("RGBA", ""), &output);
            assert!(
                diff <= 2 && mean <= 1.0,
                "{adapter}: RGBA -> {output}: difference {diff} in plane {plane} at byte {at}, mean {mean:.3}"
            );
        }
    }
}

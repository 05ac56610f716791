//! Hostile input: every case ends in an element error a user can act on (or a documented,
//! bounded behaviour), never a crash, a hang, a silent wrong picture or an exhausted machine,
//! on both backends.

mod common;

use std::time::{Duration, Instant};

use gst::prelude::*;

/// The first error on the bus within `secs` (the pipeline is stopped afterwards), as
/// "message (debug)".
fn first_error(pipeline: &gst::Pipeline, secs: u64) -> String {
    let bus = pipeline.bus().expect("bus");
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(secs),
        &[gst::MessageType::Error, gst::MessageType::Eos],
    );
    pipeline.set_state(gst::State::Null).expect("stops");
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Error(e)) => format!("{} ({:?})", e.error(), e.debug()),
        Some(_) => panic!("EOS without an error"),
        None => panic!("no error within {secs} s"),
    }
}

/// The error that stops `desc` from leaving READY (`setup` applied to element `pc` first).
fn start_error(desc: &str, setup: impl FnOnce(&gst::Element)) -> String {
    let pipeline = common::launch(desc);
    setup(&common::by_name::<gst::Element>(&pipeline, "pc"));
    let started = Instant::now();
    assert!(
        pipeline.set_state(gst::State::Paused).is_err(),
        "READY -> PAUSED fails: {desc}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the state change does not hang"
    );
    first_error(&pipeline, 5)
}

const ONE_INPUT: &str = "parallelcompositor name=pc ! fakesink \
     videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0";

const TWO_INPUTS: &str = "parallelcompositor name=pc ! fakesink \
     videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0 \
     videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_1";

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pc-reliability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn special_and_oversized_files_are_refused_by_name() {
    let e = start_error(ONE_INPUT, |pc| pc.set_property("timeline", "/dev/zero"));
    assert!(
        e.contains("/dev/zero") && e.contains("not a regular file"),
        "{e}"
    );

    // A FIFO nobody writes to: refused at once, not waited on.
    let fifo = tmp("timeline.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a FIFO");
    let path = fifo.to_str().expect("utf-8 path").to_string();
    let e = start_error(ONE_INPUT, |pc| pc.set_property("timeline", &path));
    assert!(e.contains(&path) && e.contains("not a regular file"), "{e}");

    let big = tmp("big.json");
    let file = std::fs::File::create(&big).expect("file");
    file.set_len(gstparallelcompositor::files::TEXT_LIMIT + 1)
        .expect("sparse file");
    let path = big.to_str().expect("utf-8 path").to_string();
    let e = start_error(ONE_INPUT, |pc| pc.set_property("timeline", &path));
    assert!(e.contains(&path) && e.contains("over the limit"), "{e}");

    let e = start_error(TWO_INPUTS, |pc| {
        pc.set_property(
            "transitions",
            "glsl, file=/dev/urandom, from=sink_0, to=sink_1, start=0.0, duration=1.0",
        )
    });
    assert!(
        e.contains("/dev/urandom") && e.contains("not a regular file"),
        "{e}"
    );
    let e = start_error(ONE_INPUT, |pc| {
        pc.set_property_from_str("background", "image");
        pc.set_property("background-image", "/dev/zero");
    });
    assert!(
        e.contains("/dev/zero") && e.contains("not a regular file"),
        "{e}"
    );
}

#[test]
fn a_truncated_jpeg_is_an_error_not_grey_rows() {
    let jpeg = tmp("half.jpg");
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .expect("encodes");
    std::fs::write(&jpeg, &bytes[..bytes.len() / 2]).expect("written");
    let path = jpeg.to_str().expect("utf-8").to_string();
    let e = start_error(ONE_INPUT, |pc| {
        pc.set_property_from_str("background", "image");
        pc.set_property("background-image", &path);
    });
    assert!(e.contains(&path) && e.contains("truncated"), "{e}");
    // The whole file loads.
    std::fs::write(&jpeg, &bytes).expect("written");
    let pipeline = common::launch(ONE_INPUT);
    let pc = common::by_name::<gst::Element>(&pipeline, "pc");
    pc.set_property_from_str("background", "image");
    pc.set_property("background-image", &path);
    common::play_to_end(&pipeline, 30).expect("the complete JPEG renders");
}

#[test]
fn a_huge_shader_array_is_rejected_before_the_driver_sees_it() {
    let shader = tmp("huge.glsl");
    std::fs::write(
        &shader,
        "vec4 transition(vec2 uv) {\n  float a[100000000];\n  a[0] = progress;\n  return mix(getFromColor(uv), getToColor(uv), a[0]);\n}\n",
    )
    .expect("written");
    let path = shader.to_str().expect("utf-8").to_string();
    let e = start_error(TWO_INPUTS, |pc| {
        pc.set_property(
            "transitions",
            format!("glsl, file={path}, from=sink_0, to=sink_1, start=0.0, duration=1.0"),
        )
    });
    assert!(
        e.contains(&format!("{path}:2:")) && e.contains("budget"),
        "{e}"
    );
}

#[test]
fn non_finite_and_misquoted_uniforms_are_refused() {
    let shader = format!(
        "{}/tests/data/transitions/shift.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    let e = start_error(TWO_INPUTS, |pc| {
        pc.set_property(
            "transitions",
            format!(
                "glsl, file={shader}, from=sink_0, to=sink_1, start=0.0, duration=1.0, amplitude=nan"
            ),
        )
    });
    assert!(
        e.contains("amplitude") && e.contains("not a finite number"),
        "{e}"
    );
    // A vector given as quoted text: the message says how to write it.
    let e = start_error(TWO_INPUTS, |pc| {
        pc.set_property(
            "transitions",
            format!(
                "glsl, file={shader}, from=sink_0, to=sink_1, start=0.0, duration=1.0, \
                 direction=\"1.0,0.0\""
            ),
        )
    });
    assert!(
        e.contains("`direction` is a vector of 2 numbers") && e.contains("direction=<0.5, 0.5>"),
        "{e}"
    );
}

#[test]
fn background_image_without_a_file_says_so_in_the_message() {
    let pipeline = common::launch(ONE_INPUT);
    let pc = common::by_name::<gst::Element>(&pipeline, "pc");
    pc.set_property_from_str("background", "image");
    assert!(pipeline.set_state(gst::State::Paused).is_err());
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Error])
        .expect("an error");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    // The reason is the message itself, not only the debug text.
    assert!(
        err.error().message().contains("background-image"),
        "{}",
        err.error()
    );
    pipeline.set_state(gst::State::Null).expect("stops");
}

/// I420 64x48 buffers whose GstVideoMeta strides do not fit the buffer.
fn bad_meta_pipeline(adapter: &str) -> gst::Pipeline {
    let pipeline = common::launch(&format!(
        "appsrc name=src format=time ! parallelcompositor name=pc adapter={adapter} \
         ! video/x-raw,format=I420 ! fakesink"
    ));
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    src.set_caps(Some(
        &gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, 64, 48)
            .fps(gst::Fraction::new(30, 1))
            .build()
            .expect("info")
            .to_caps()
            .expect("caps"),
    ));
    for i in 0..3u64 {
        let mut b = gst::Buffer::from_slice(vec![128u8; 64 * 48 * 3 / 2]);
        {
            let b = b.get_mut().expect("writable");
            b.set_pts(common::frame_time(i));
            gst_video::VideoMeta::add_full(
                b,
                gst_video::VideoFrameFlags::empty(),
                gst_video::VideoFormat::I420,
                64,
                48,
                &[0, 64 * 48, 64 * 48 * 5 / 4],
                &[1_000_000, 32, 32],
            )
            .expect("meta");
        }
        src.push_buffer(b).expect("queued");
    }
    src.end_of_stream().expect("eos");
    pipeline
}

#[test]
fn video_meta_strides_that_do_not_fit_are_an_error_naming_pad_and_plane() {
    for adapter in common::ADAPTERS {
        let pipeline = bad_meta_pipeline(adapter);
        pipeline.set_state(gst::State::Playing).expect("plays");
        let e = first_error(&pipeline, 30);
        assert!(
            e.contains("pad sink_0") && e.contains("input plane 0 does not fit"),
            "{adapter}: {e}"
        );
    }
}

#[test]
fn a_nan_from_a_control_binding_is_an_error_naming_pad_property_and_time() {
    for adapter in common::ADAPTERS {
        let pipeline = common::launch(&format!(
            "parallelcompositor name=pc adapter={adapter} shutter-angle=180 ! video/x-raw,format=I420,framerate=30/1 \
             ! fakesink videotestsrc num-buffers=10 ! video/x-raw,width=64,height=48,framerate=30/1 \
             ! pc.sink_0"
        ));
        let pc = common::by_name::<gst::Element>(&pipeline, "pc");
        let pad = pc.static_pad("sink_0").expect("sink_0");
        // A step function that is NaN only between frame times (48–55 ms; frames at 33 and
        // 67 ms): GstController syncs finite values into the property at each frame time, and
        // the NaN reaches the frame through its motion-blur samples, as in the reported case.
        {
            use gst_controller::prelude::*;
            let cs = gst_controller::InterpolationControlSource::new();
            cs.set_mode(gst_controller::InterpolationMode::None);
            for (ms, v) in [(0, 0.0), (48, f64::NAN), (55, 4.0)] {
                cs.set(gst::ClockTime::from_mseconds(ms), v);
            }
            let binding = gst_controller::DirectControlBinding::new_absolute(&pad, "xpos", &cs);
            pad.add_control_binding(&binding).expect("binding");
        }
        pipeline.set_state(gst::State::Playing).expect("plays");
        let e = first_error(&pipeline, 30);
        assert!(
            e.contains("pad sink_0, at 0:00:00.066") && e.contains("xpos is not a finite number"),
            "{adapter}: {e}"
        );
    }
}

#[test]
fn an_animated_width_of_zero_is_an_empty_card_not_the_input_size() {
    for adapter in common::ADAPTERS {
        let desc = format!(
            "parallelcompositor name=pc adapter={adapter} background=black \
             timeline-string=\"{{\\\"keyframes\\\": [\
               {{\\\"pad\\\": \\\"sink_0\\\", \\\"property\\\": \\\"width\\\", \\\"time\\\": 0, \\\"value\\\": 64}}, \
               {{\\\"pad\\\": \\\"sink_0\\\", \\\"property\\\": \\\"width\\\", \\\"time\\\": 0.2, \\\"value\\\": 0}}]}}\" \
             ! video/x-raw,format=I420,width=64,height=48 ! appsink name=sink sync=false \
             videotestsrc num-buffers=10 pattern=white ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0"
        );
        let samples = common::run(&desc);
        assert_eq!(samples.len(), 10, "{adapter}");
        let luma = |i: usize| common::planes(&samples[i]).1[0].clone();
        // At the start the white card covers the frame; once the width reaches 0 nothing shows.
        assert!(
            luma(0).iter().all(|&y| y > 200),
            "{adapter}: frame 0 is the white card"
        );
        for i in 6..10 {
            assert!(
                luma(i).iter().all(|&y| y == 16),
                "{adapter}: frame {i} shows only the black background"
            );
        }
        // On the way, the card narrows.
        let white = |i: usize| luma(i).iter().filter(|&&y| y > 200).count();
        assert!(white(1) > white(3) && white(3) > white(5), "{adapter}");
    }
}

/// A pipeline of appsrc `src` (one opaque grey 16400 × 2 RGBA frame, wider than lavapipe's 16384) into
/// `adapter`, to appsink `sink`.
fn too_wide(adapter: &str) -> gst::Pipeline {
    let pipeline = common::launch(&format!(
        "appsrc name=src format=time ! parallelcompositor adapter={adapter} \
         ! appsink name=sink sync=false"
    ));
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    src.set_caps(Some(
        &gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgba, 16400, 2)
            .fps(gst::Fraction::new(30, 1))
            .build()
            .expect("info")
            .to_caps()
            .expect("caps"),
    ));
    let opaque_grey = [200u8, 200, 200, 255].repeat(16400 * 2);
    let mut b = gst::Buffer::from_slice(opaque_grey);
    b.get_mut()
        .expect("writable")
        .set_pts(common::frame_time(0));
    src.push_buffer(b).expect("queued");
    src.end_of_stream().expect("eos queued");
    pipeline
}

#[test]
fn an_input_wider_than_the_gpus_largest_texture_is_not_negotiated() {
    let pipeline = too_wide("software");
    pipeline.set_state(gst::State::Playing).expect("plays");
    let e = first_error(&pipeline, 30);
    assert!(
        e.contains("sink_0: 16400x2 is beyond the GPU's largest texture (16384 pixels a side)")
            && e.contains("adapter=cpu"),
        "{e}"
    );
}

#[test]
fn the_cpu_backend_renders_an_input_wider_than_a_texture() {
    let pipeline = too_wide("cpu");
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    if let Err(e) = common::play_to_end(&pipeline, 30) {
        panic!("{e}");
    }
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 1);
    let (info, planes) = common::planes(&seen[0]);
    assert_eq!((info.width(), info.height()), (16400, 2));
    // The opaque grey input covers the frame.
    let wrong = planes[0]
        .chunks(4)
        .position(|px| px != [200, 200, 200, 255]);
    assert_eq!(wrong, None, "first pixel not the input's");
}

#[test]
fn an_output_wider_than_the_gpus_largest_texture_is_not_negotiated() {
    // The output grows to hold the input where it is placed: 20000 + 64 pixels wide.
    let pipeline = common::launch(
        "parallelcompositor name=pc adapter=software sink_0::xpos=20000 ! fakesink \
         videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0",
    );
    pipeline.set_state(gst::State::Playing).expect("plays");
    let e = first_error(&pipeline, 30);
    assert!(
        e.contains(
            "the output: 20064x48 is beyond the GPU's largest texture (16384 pixels a side)"
        ),
        "{e}"
    );
}

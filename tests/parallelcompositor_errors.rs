//! parallelcompositor errors: each reaches the bus as an element error a user can act on, and
//! the pipeline stops cleanly (no hang, no frame missing without an error).

mod common;

use gst::prelude::*;

/// Plays until the first error and returns the text of every error posted around it (the
/// source that could not push reports a bare not-negotiated beside ours).
fn all_errors(pipeline: &gst::Pipeline) -> String {
    pipeline.set_state(gst::State::Playing).expect("plays");
    bus_errors(pipeline)
}

/// The errors on the bus (waiting up to 60 s for the first), then stops the pipeline.
fn bus_errors(pipeline: &gst::Pipeline) -> String {
    let bus = pipeline.bus().expect("bus");
    let mut texts = Vec::new();
    let mut wait = gst::ClockTime::from_seconds(60);
    while let Some(msg) =
        bus.timed_pop_filtered(wait, &[gst::MessageType::Error, gst::MessageType::Eos])
    {
        match msg.view() {
            gst::MessageView::Error(e) => {
                texts.push(format!("{} ({:?})", e.error(), e.debug()));
                wait = gst::ClockTime::from_mseconds(500);
            }
            _ => panic!("EOS without an error"),
        }
    }
    pipeline.set_state(gst::State::Null).expect("stops");
    assert!(!texts.is_empty(), "an error within 60 s");
    texts.join("\n")
}

#[test]
fn unsupported_output_caps_name_both_sides() {
    let pipeline = common::launch(
        "parallelcompositor name=pc ! appsink name=sink \
         videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0",
    );
    // Set after linking, as an application restricting its sink would.
    let sink: gst_app::AppSink = common::by_name(&pipeline, "sink");
    sink.set_caps(Some(
        &gst::Caps::builder("video/x-raw")
            .field("format", "YUY2")
            .build(),
    ));
    let err = all_errors(&pipeline);
    assert!(
        err.contains("YUY2") && err.contains("outputs only") && err.contains("NV12"),
        "{err}"
    );
}

#[test]
fn unsupported_input_caps_name_both_sides() {
    let pipeline = common::launch(
        "appsrc name=src format=time ! parallelcompositor name=pc ! video/x-raw,format=RGBA \
         ! appsink name=sink",
    );
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    src.set_caps(Some(
        &gst::Caps::builder("video/x-raw")
            .field("format", "YUY2")
            .field("width", 64)
            .field("height", 48)
            .field("framerate", gst::Fraction::new(30, 1))
            .build(),
    ));
    let mut b = gst::Buffer::from_slice(vec![0u8; 64 * 48 * 2]);
    b.get_mut().expect("writable").set_pts(gst::ClockTime::ZERO);
    src.push_buffer(b).expect("queued");
    src.end_of_stream().expect("eos");
    let err = common::play_to_end(&pipeline, 60).expect_err("an error");
    assert!(
        err.contains("sink_0")
            && err.contains("YUY2")
            && err.contains("accepts only")
            && err.contains("I420"),
        "{err}"
    );
}

#[test]
fn worker_panic_is_an_error_after_every_earlier_frame() {
    gstparallelcompositor::parallelcompositor::fault::panic_at_frame(7);
    let pipeline = common::launch(
        "parallelcompositor name=pc workers=2 max-frames-in-flight=4 ! video/x-raw,format=I420 \
         ! appsink name=sink sync=false \
         videotestsrc num-buffers=40 ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0",
    );
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    let err = common::play_to_end(&pipeline, 60).expect_err("an error");
    assert!(
        err.contains("Frame 7") && err.contains("injected fault"),
        "{err}"
    );
    let pts: Vec<_> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|s| s.buffer().and_then(|b| b.pts()).expect("pts"))
        .collect();
    let expected: Vec<_> = (0..7u64)
        .map(|i| gst::ClockTime::SECOND.mul_div_floor(i, 30).expect("time"))
        .collect();
    assert_eq!(
        pts, expected,
        "frames before the failed one all left, none after it"
    );
}

/// Starts `desc` with `setup` applied to the element: the pipeline must fail to leave READY.
/// Returns the errors posted.
fn start_errors(desc: &str, setup: impl FnOnce(&gst::Element)) -> String {
    let pipeline = common::launch(desc);
    setup(&common::by_name::<gst::Element>(&pipeline, "pc"));
    assert!(
        pipeline.set_state(gst::State::Paused).is_err(),
        "READY -> PAUSED fails"
    );
    bus_errors(&pipeline)
}

const TIMELINE_PIPELINE: &str = "parallelcompositor name=pc ! fakesink \
     videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0";

#[test]
fn bad_timeline_string_names_line_and_column() {
    let err = start_errors(TIMELINE_PIPELINE, |pc| {
        pc.set_property(
            "timeline-string",
            "{\n  \"zoom\": [\n    { \"start\": 1, \"end\": 2, \"scale\": \"big\" }\n  ]\n}",
        )
    });
    assert!(
        err.contains("timeline-string:3:38") && err.contains("scale") && err.contains("number"),
        "{err}"
    );
}

#[test]
fn bad_timeline_file_names_the_file_line_and_column() {
    let path = std::env::temp_dir().join(format!("pc-timeline-{}.json", std::process::id()));
    std::fs::write(
        &path,
        "{\n \"keyframes\": [\n  {\"pad\": \"sink_0\", \"property\": \"xpoz\", \"time\": 0, \"value\": 1}\n ]\n}\n",
    )
    .expect("written");
    let shown = path.display().to_string();
    let err = start_errors(TIMELINE_PIPELINE, |pc| {
        pc.set_property("timeline", shown.as_str())
    });
    let _ = std::fs::remove_file(&path);
    assert!(
        err.contains(&format!("{shown}:3:")) && err.contains("xpoz") && err.contains("xpos"),
        "{err}"
    );
    let err = start_errors(TIMELINE_PIPELINE, |pc| {
        pc.set_property("timeline", "/nonexistent/timeline.json")
    });
    assert!(err.contains("/nonexistent/timeline.json"), "{err}");
}

#[test]
fn missing_background_image_is_reported() {
    let err = start_errors(TIMELINE_PIPELINE, |pc| {
        pc.set_property_from_str("background", "image");
        pc.set_property("background-image", "/nonexistent/bg.png");
    });
    assert!(err.contains("/nonexistent/bg.png"), "{err}");
    let err = start_errors(TIMELINE_PIPELINE, |pc| {
        pc.set_property_from_str("background", "image")
    });
    assert!(err.contains("background-image"), "{err}");
}

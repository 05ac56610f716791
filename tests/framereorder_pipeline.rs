//! End-to-end pipelines: frames split over parallel branches with different delays come out of
//! `framereorder` strictly increasing and complete.

use std::sync::{Arc, Mutex};

use gst::prelude::*;

const N: u64 = 90;

fn init() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gst::init().expect("GStreamer initialises");
        gstparallelcompositor::plugin_register_static().expect("plugin registers");
    });
}

/// Parses `launch`, which has an appsink named `sink`.
fn launch_with_appsink(launch: &str) -> (gst::Pipeline, gst_app::AppSink) {
    init();
    let pipeline = gst::parse::launch(launch)
        .expect("pipeline parses")
        .downcast::<gst::Pipeline>()
        .expect("a pipeline");
    let sink = pipeline
        .by_name("sink")
        .expect("appsink named sink")
        .downcast::<gst_app::AppSink>()
        .expect("an appsink");
    (pipeline, sink)
}

/// Runs `launch` (which ends in an appsink named `sink`) to EOS and returns every output PTS.
fn run(launch: &str) -> (Vec<gst::ClockTime>, gst::Structure) {
    let (pipeline, sink) = launch_with_appsink(launch);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_cb = seen.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let pts = sample
                    .buffer()
                    .and_then(|b| b.pts())
                    .ok_or(gst::FlowError::Error)?;
                seen_cb.lock().expect("lock").push(pts);
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    pipeline
        .set_state(gst::State::Playing)
        .expect("pipeline plays");
    let bus = pipeline.bus().expect("pipeline bus");
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(60),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("EOS or error within 60 s");
    if let gst::MessageView::Error(err) = msg.view() {
        panic!("pipeline error: {} ({:?})", err.error(), err.debug());
    }
    let stats = pipeline
        .by_name("fr")
        .expect("framereorder named fr")
        .property::<gst::Structure>("stats");
    pipeline
        .set_state(gst::State::Null)
        .expect("pipeline stops");
    let seen = seen.lock().expect("lock").clone();
    (seen, stats)
}

#[track_caller]
fn assert_complete_and_ordered(pts: &[gst::ClockTime], stats: &gst::Structure) {
    assert_eq!(pts.len() as u64, N, "every frame comes out; stats {stats}");
    assert!(
        pts.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing PTS: {pts:?}"
    );
    for field in ["late", "duplicates", "missing"] {
        assert_eq!(stats.get::<u64>(field).expect("stats field"), 0, "{field}");
    }
}

/// Two branches after `roundrobin`: one sleeps 1 ms per frame, the other 6 ms.
fn branches(into_a: &str, into_b: &str) -> String {
    format!(
        "rr.src_0 ! queue max-size-buffers=3 ! identity sleep-time=1000 ! {into_a} \
         rr.src_1 ! queue max-size-buffers=3 ! identity sleep-time=6000 ! {into_b}"
    )
}

#[test]
fn roundrobin_branches_into_request_pads() {
    let launch = format!(
        "videotestsrc num-buffers={N} ! video/x-raw,width=64,height=48,framerate=30/1 ! roundrobin name=rr \
         framereorder name=fr max-frames=4 ! appsink name=sink sync=false {}",
        branches("fr.sink_0", "fr.sink_1")
    );
    let (pts, stats) = run(&launch);
    assert_complete_and_ordered(&pts, &stats);
    assert!(stats.get::<u64>("max-window-depth").expect("depth") <= 4 + 1);
}

#[test]
fn roundrobin_branches_through_funnel() {
    let launch = format!(
        "videotestsrc num-buffers={N} ! video/x-raw,width=64,height=48,framerate=30/1 ! roundrobin name=rr \
         funnel name=f ! framereorder name=fr max-frames=16 ! appsink name=sink sync=false {}",
        branches("f.", "f.")
    );
    let (pts, stats) = run(&launch);
    assert_complete_and_ordered(&pts, &stats);
    assert!(stats.get::<u64>("reordered").expect("reordered") > 0);
}

#[test]
fn a_pad_running_ahead_waits_for_room() {
    // Without roundrobin's lockstep: two sources each produce every other frame; one is much
    // slower, so the fast one fills the window and must wait (back-pressure), never forcing gaps.
    let launch = format!(
        "framereorder name=fr max-frames=4 ! appsink name=sink sync=false \
         videotestsrc num-buffers={N} ! video/x-raw,width=64,height=48,framerate=30/1 ! roundrobin name=rr \
         rr.src_0 ! queue max-size-buffers=0 max-size-time=0 max-size-bytes=0 ! fr.sink_0 \
         rr.src_1 ! queue max-size-buffers=0 max-size-time=0 max-size-bytes=0 ! identity sleep-time=3000 ! fr.sink_1"
    );
    let (pts, stats) = run(&launch);
    assert_complete_and_ordered(&pts, &stats);
    assert!(stats.get::<u64>("max-window-depth").expect("depth") <= 4 + 1);
}

#[test]
fn flushing_seek_mid_stream_restarts_in_order() {
    init();
    let launch = "videotestsrc num-buffers=300 ! video/x-raw,width=64,height=48,framerate=30/1 ! roundrobin name=rr \
         framereorder name=fr max-frames=4 ! appsink name=sink sync=false max-buffers=2 \
         rr.src_0 ! queue max-size-buffers=3 ! identity sleep-time=500 ! fr.sink_0 \
         rr.src_1 ! queue max-size-buffers=3 ! identity sleep-time=2000 ! fr.sink_1";
    let (pipeline, sink) = launch_with_appsink(launch);
    pipeline
        .set_state(gst::State::Playing)
        .expect("pipeline plays");
    let mut before = Vec::new();
    for _ in 0..20 {
        let sample = sink.pull_sample().expect("a sample before the seek");
        before.push(sample.buffer().and_then(|b| b.pts()).expect("pts"));
    }
    let target = gst::ClockTime::from_seconds(8);
    pipeline
        .seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, target)
        .expect("seek accepted");
    let mut after = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        after.push(sample.buffer().and_then(|b| b.pts()).expect("pts"));
    }
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("EOS after the seek");
    assert_eq!(msg.type_(), gst::MessageType::Eos, "{msg:?}");
    pipeline
        .set_state(gst::State::Null)
        .expect("pipeline stops");
    assert!(before.windows(2).all(|w| w[0] < w[1]));
    // Frames still queued when the seek flushed may never show; what comes after it starts at the
    // target and has every frame, in order (videotestsrc's num-buffers counts on across the seek).
    let first_after = after
        .iter()
        .position(|pts| *pts >= target)
        .expect("frames after the seek target");
    let tail = &after[first_after..];
    let expected: Vec<gst::ClockTime> = (0..tail.len() as u64)
        .map(|i| {
            target
                + gst::ClockTime::SECOND
                    .mul_div_floor(i, 30)
                    .expect("no overflow")
        })
        .collect();
    assert_eq!(tail, expected.as_slice());
    assert!(tail.len() >= 60, "{} frames after the seek", tail.len());
}

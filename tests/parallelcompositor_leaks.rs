//! Stopping mid-stream with frames in flight, 100 times, leaves no GStreamer object alive
//! (the `leaks` tracer, enabled before GStreamer initialises: hence its own test binary).

mod common;

use std::time::{Duration, Instant};

use gst::prelude::*;

fn leaks_tracer() -> gst::Tracer {
    gst::active_tracers()
        .into_iter()
        .find(|t| t.type_().name() == "GstLeaksTracer")
        .expect("the leaks tracer is active")
}

/// Type names of the objects created since tracking started and not freed since: each
/// address counts +1 per creation and −1 per removal (addresses are reused).
fn still_alive(tracer: &gst::Tracer) -> Vec<String> {
    use std::collections::HashMap;
    let checkpoint = tracer.emit_by_name::<gst::Structure>("activity-get-checkpoint", &[]);
    let entries = |field: &str| -> Vec<(String, String)> {
        checkpoint
            .get::<gst::List>(field)
            .unwrap_or_else(|_| panic!("{field} in {checkpoint}"))
            .iter()
            .filter_map(|v| v.get::<gst::Structure>().ok())
            .map(|s| {
                (
                    s.get::<String>("address").unwrap_or_default(),
                    s.get::<String>("type-name").unwrap_or_default(),
                )
            })
            .collect()
    };
    let mut count: HashMap<String, (i64, String)> = HashMap::new();
    for (address, type_name) in entries("objects-created-list") {
        let e = count.entry(address).or_insert((0, String::new()));
        e.0 += 1;
        e.1 = type_name;
    }
    for (address, _) in entries("objects-removed-list") {
        count.entry(address).or_insert((0, String::new())).0 -= 1;
    }
    count
        .into_values()
        .filter(|(n, _)| *n > 0)
        .map(|(_, t)| t)
        .collect()
}

fn cycle(i: usize) {
    let pipeline = common::launch(
        "parallelcompositor name=pc workers=2 max-frames-in-flight=4 ! video/x-raw,format=I420 \
         ! appsink name=sink sync=false \
         videotestsrc ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0 \
         videotestsrc ! video/x-raw,format=NV12,width=32,height=24,framerate=30/1 ! pc.sink_1",
    );
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    pipeline.set_state(gst::State::Playing).expect("plays");
    let start = Instant::now();
    while seen.lock().expect("lock").len() < 1 + i % 4 {
        assert!(start.elapsed() < Duration::from_secs(30), "no frames");
        std::thread::sleep(Duration::from_millis(2));
    }
    pipeline.set_state(gst::State::Null).expect("stops");
}

#[test]
fn null_mid_stream_leaks_nothing() {
    std::env::set_var("GST_TRACERS", "leaks");
    common::init();
    // One run first: type registrations and the like stay for the process.
    cycle(0);
    let tracer = leaks_tracer();
    tracer.emit_by_name::<()>("activity-start-tracking", &[]);
    for i in 0..100 {
        cycle(i);
    }
    // A pad task's thread drops its last reference to the GstTask just after the state change
    // has joined it: wait for the task threads (what test suites call this for), or a task
    // still being released shows as alive.
    gst::Task::cleanup_all();
    let alive = still_alive(&tracer);
    assert!(
        alive.is_empty(),
        "left alive by 100 start/stop cycles: {alive:?}"
    );
}

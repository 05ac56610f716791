//! `WGPU_BACKEND` naming no backend wgpu knows: asking for wgpu fails at READY→PAUSED with an
//! error that names the variable, not a misleading "no Vulkan adapter". Its own test binary:
//! the environment is read when the first wgpu instance is created.

mod common;

use gst::prelude::*;

#[test]
fn a_bogus_wgpu_backend_is_named_in_the_error() {
    std::env::set_var("WGPU_BACKEND", "bogus");
    let pipeline = common::launch(
        "parallelcompositor name=pc adapter=software ! fakesink videotestsrc num-buffers=3 ! pc.sink_0",
    );
    assert!(pipeline.set_state(gst::State::Paused).is_err());
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])
        .expect("an error on the bus");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    let text = err.error().to_string();
    pipeline.set_state(gst::State::Null).expect("stops");
    assert!(
        text.contains("WGPU_BACKEND=\"bogus\"") && text.contains("names no backend"),
        "{text}"
    );
}

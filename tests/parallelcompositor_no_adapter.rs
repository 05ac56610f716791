//! With no Vulkan driver the element fails at READY→PAUSED with an error that says what to
//! install. Its own test binary: the driver is hidden through the environment before anything
//! loads Vulkan.

mod common;

use gst::prelude::*;

#[test]
fn no_adapter_is_an_error_that_says_what_to_install() {
    // The Vulkan loader reads these when the first instance is created.
    std::env::set_var("VK_ICD_FILENAMES", "/nonexistent/icd.json");
    std::env::set_var("VK_DRIVER_FILES", "/nonexistent/icd.json");
    let pipeline = common::launch(
        "parallelcompositor name=pc ! fakesink videotestsrc num-buffers=3 ! pc.sink_0",
    );
    assert!(
        pipeline.set_state(gst::State::Paused).is_err(),
        "cannot start without an adapter"
    );
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])
        .expect("an error on the bus");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    let text = err.error().to_string();
    assert!(
        text.contains("no usable GPU adapter") && text.contains("mesa-vulkan-drivers"),
        "{text}"
    );
    assert_eq!(
        msg.src().map(|s| s.name().to_string()).as_deref(),
        Some("pc"),
        "the element itself reports it"
    );
    pipeline.set_state(gst::State::Null).expect("stops");
}

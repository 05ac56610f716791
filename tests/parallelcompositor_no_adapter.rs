//! Without a Vulkan driver: `adapter=auto` renders on the CPU backend; asking for wgpu (or a
//! shader transition, which needs it) fails at READY→PAUSED with an error that says what to
//! install. Its own test binary: the driver is hidden through the environment before anything
//! loads Vulkan.

mod common;

use gst::prelude::*;

fn start_error(desc: &str) -> (String, Option<String>) {
    let pipeline = common::launch(desc);
    assert!(
        pipeline.set_state(gst::State::Paused).is_err(),
        "cannot start without an adapter: {desc}"
    );
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])
        .expect("an error on the bus");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    let text = err.error().to_string();
    let src = msg.src().map(|s| s.name().to_string());
    pipeline.set_state(gst::State::Null).expect("stops");
    (text, src)
}

#[test]
fn without_an_adapter_auto_uses_the_cpu_and_wgpu_says_what_to_install() {
    // The Vulkan loader reads these when the first instance is created.
    std::env::set_var("VK_ICD_FILENAMES", "/nonexistent/icd.json");
    std::env::set_var("VK_DRIVER_FILES", "/nonexistent/icd.json");

    // auto: the CPU backend renders every frame.
    let pipeline = common::launch(
        "parallelcompositor name=pc ! fakesink videotestsrc num-buffers=3 ! pc.sink_0",
    );
    common::play_to_end(&pipeline, 30).expect("renders on the CPU backend");

    for adapter in ["wgpu", "software", "hardware"] {
        let (text, src) = start_error(&format!(
            "parallelcompositor name=pc adapter={adapter} ! fakesink videotestsrc num-buffers=3 ! pc.sink_0"
        ));
        assert!(
            text.contains("no usable GPU adapter") && text.contains("mesa-vulkan-drivers"),
            "{adapter}: {text}"
        );
        assert_eq!(src.as_deref(), Some("pc"), "the element itself reports it");
    }

    // A shader transition needs wgpu even under auto: the error names it.
    let shader = format!(
        "{}/tests/data/transitions/shift.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    let (text, _) = start_error(&format!(
        "parallelcompositor name=pc transitions=\"glsl, file={shader}, from=sink_0, to=sink_1, start=0.0, duration=1.0\" \
         ! fakesink videotestsrc num-buffers=3 ! pc.sink_0 videotestsrc num-buffers=3 ! pc.sink_1"
    ));
    assert!(
        text.contains("mesa-vulkan-drivers") && text.contains("shader transition transitions[0]"),
        "{text}"
    );
}

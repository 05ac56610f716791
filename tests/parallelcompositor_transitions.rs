//! Transitions through the element: the `transitions` property and the timeline, frames
//! inside and outside a transition, workers 1 vs N byte-identical, shader errors at start.

mod common;

use gst::prelude::*;

const CAPS: &str = "video/x-raw,format=RGBA,width=64,height=48,framerate=30/1";

/// Two inputs (solid red under solid blue, both full frame) through `pc_props`; RGBA frames.
fn frames(pc_props: &str, n: u32) -> Vec<Vec<u8>> {
    frames_on("auto", pc_props, n)
}

fn frames_on(adapter: &str, pc_props: &str, n: u32) -> Vec<Vec<u8>> {
    let desc = format!(
        "parallelcompositor name=pc adapter={adapter} {pc_props} ! {CAPS} ! appsink name=sink \
         videotestsrc num-buffers={n} pattern=red ! {CAPS} ! pc.sink_0 \
         videotestsrc num-buffers={n} pattern=blue ! {CAPS} ! pc.sink_1"
    );
    common::run(&desc)
        .iter()
        .map(|s| common::planes(s).1.remove(0))
        .collect()
}

fn pixel(frame: &[u8], x: usize, y: usize) -> [u8; 4] {
    let i = (y * 64 + x) * 4;
    [frame[i], frame[i + 1], frame[i + 2], frame[i + 3]]
}

#[test]
fn fade_between_pads_over_its_time_range() {
    for adapter in common::ADAPTERS {
        fade_on(adapter);
    }
}

fn fade_on(adapter: &str) {
    common::init();
    // Frames at 0.1 s steps (3 frames): the fade runs over frames 3..9.
    let f = frames_on(
        adapter,
        "transitions=\"fade, from=sink_0, to=sink_1, start=0.1, duration=0.2\"",
        12,
    );
    assert_eq!(f.len(), 12);
    // Before: blue (sink_1) is on top as its properties say.
    assert_eq!(pixel(&f[0], 10, 10), [0, 0, 255, 255]);
    // Frame 3 is at 0.1 s: progress 0, all red; frame 6 at 0.2 s: half way.
    assert_eq!(pixel(&f[3], 10, 10), [255, 0, 0, 255]);
    let mid = pixel(&f[6], 10, 10);
    assert!(
        mid[0].abs_diff(128) <= 1 && mid[2].abs_diff(128) <= 1,
        "{mid:?}"
    );
    // After the end (frame 9 at 0.3 s) each pad shows as its properties say again.
    assert_eq!(pixel(&f[9], 10, 10), [0, 0, 255, 255]);
}

#[test]
fn timeline_transition_with_easing() {
    common::init();
    let timeline = r#"{"transitions": [{"from": "sink_0", "to": "sink_1", "start": 0, "duration": 0.2, "kind": "wipeleft", "easing": "linear"}]}"#;
    let pipeline = common::launch(&format!(
        "parallelcompositor name=pc ! {CAPS} ! appsink name=sink \
         videotestsrc num-buffers=4 pattern=red ! {CAPS} ! pc.sink_0 \
         videotestsrc num-buffers=4 pattern=blue ! {CAPS} ! pc.sink_1"
    ));
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    pc.set_property("timeline-string", timeline);
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    common::play_to_end(&pipeline, 60).expect("plays");
    let f: Vec<Vec<u8>> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| common::planes(s).1.remove(0))
        .collect();
    // Frame 3 (0.1 s) is half way: wipeleft shows TO (blue) on the right half.
    assert_eq!(pixel(&f[3], 5, 10), [255, 0, 0, 255]);
    assert_eq!(pixel(&f[3], 60, 10), [0, 0, 255, 255]);
}

#[test]
fn workers_do_not_change_pixels_across_transitions() {
    common::init();
    let shader = format!(
        "{}/tests/data/transitions/shift.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    // circleopen runs on both backends; the GLSL transition needs wgpu.
    let desc = |workers: u32| {
        format!(
            "adapter=wgpu workers={workers} sink_0::corner-radius=8 sink_1::xpos=4.5 sink_1::width=50 \
             transitions=\"circleopen, from=sink_0, to=sink_1, start=0.0, duration=0.15, easing=ease-in-out; \
             glsl, file={shader}, from=sink_0, to=sink_1, start=0.2, duration=0.15, amplitude=0.5\""
        )
    };
    let one = frames(&desc(1), 12);
    let three = frames(&desc(3), 12);
    assert_eq!(one.len(), 12);
    assert!(one == three, "workers=1 and workers=3 differ");
    // The transitions did something: a frame inside each differs from the plain frame after.
    assert_ne!(one[2], one[11]);
    assert_ne!(one[8], one[11]);
    let cpu = |workers: u32| {
        format!(
            "adapter=cpu workers={workers} sink_0::corner-radius=8 sink_1::xpos=4.5 sink_1::width=50 \
             transitions=\"circleopen, from=sink_0, to=sink_1, start=0.0, duration=0.15, easing=ease-in-out; \
             slideup, from=sink_0, to=sink_1, start=0.2, duration=0.15\""
        )
    };
    let one = frames(&cpu(1), 12);
    assert!(
        one == frames(&cpu(3), 12),
        "CPU backend: workers=1 and workers=3 differ"
    );
    assert_ne!(one[2], one[11]);
    assert_ne!(one[8], one[11]);
}

#[test]
fn shader_transition_on_the_cpu_backend_is_an_error_naming_both() {
    let shader = format!(
        "{}/tests/data/transitions/shift.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    let err = start_error(&format!(
        "adapter=cpu transitions=\"glsl, file={shader}, from=sink_0, to=sink_1, start=0.0, duration=1.0\""
    ));
    assert!(
        err.contains("transitions[0]") && err.contains("shader") && err.contains("adapter=cpu"),
        "{err}"
    );
}

fn start_error(props: &str) -> String {
    common::init();
    let pipeline = common::launch(&format!(
        "parallelcompositor name=pc {props} ! fakesink \
         videotestsrc num-buffers=3 ! {CAPS} ! pc.sink_0 \
         videotestsrc num-buffers=3 ! {CAPS} ! pc.sink_1"
    ));
    assert!(
        pipeline.set_state(gst::State::Paused).is_err(),
        "READY -> PAUSED fails"
    );
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])
        .expect("an error");
    pipeline.set_state(gst::State::Null).expect("stops");
    match msg.view() {
        gst::MessageView::Error(e) => format!("{} ({:?})", e.error(), e.debug()),
        _ => unreachable!(),
    }
}

#[test]
fn broken_shader_stops_before_playing_with_its_position() {
    let path = format!(
        "{}/tests/data/transitions/broken.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    let err = start_error(&format!(
        "transitions=\"glsl, file={path}, from=sink_0, to=sink_1, start=0.0, duration=1.0\""
    ));
    assert!(err.contains(&format!("{path}:5:")), "{err}");
    let err = start_error(
        "transitions=\"wgsl, source=\\\"fn transition(uv: vec2<f32>) -> f32 { return 1.0; }\\\", from=sink_0, to=sink_1, start=0.0, duration=1.0\"",
    );
    assert!(err.contains("must define `fn transition"), "{err}");
    let err =
        start_error("transitions=\"wobble, from=sink_0, to=sink_1, start=0.0, duration=1.0\"");
    assert!(
        err.contains("unknown transition kind \\\"wobble\\\"")
            || err.contains("unknown transition kind"),
        "{err}"
    );
    assert!(err.contains("wipeleft"), "{err}");
}

/// Patterned inputs (smpte under a narrower, rounded ball card) through `pc_props` on
/// `adapter`; RGBA frames.
fn pattern_frames(adapter: &str, pc_props: &str, n: u32) -> Vec<Vec<u8>> {
    let desc = format!(
        "parallelcompositor name=pc adapter={adapter} sink_0::corner-radius=8 sink_1::xpos=4.5 \
         sink_1::width=50 {pc_props} ! {CAPS} ! appsink name=sink \
         videotestsrc num-buffers={n} pattern=smpte ! {CAPS} ! pc.sink_0 \
         videotestsrc num-buffers={n} pattern=ball ! {CAPS} ! pc.sink_1"
    );
    common::run(&desc)
        .iter()
        .map(|s| common::planes(s).1.remove(0))
        .collect()
}

#[test]
fn shader_transition_under_auto_matches_wgpu_and_is_worker_independent() {
    common::init();
    let shader = format!(
        "{}/tests/data/transitions/shift.glsl",
        env!("CARGO_MANIFEST_DIR")
    );
    // Without a hardware GPU, auto is the hybrid route: the CPU backend draws, the program
    // alone runs on the software adapter. With one, wgpu renders everything; both must hold.
    let props = |workers: u32| {
        format!(
            "workers={workers} transitions=\"glsl, file={shader}, from=sink_0, to=sink_1, \
             start=0.1, duration=0.2, amplitude=0.5\""
        )
    };
    let one = pattern_frames("auto", &props(1), 12);
    assert_eq!(one.len(), 12);
    assert!(
        one == pattern_frames("auto", &props(3), 12),
        "workers=1 and workers=3 differ"
    );
    // Inside the transition a frame differs from the plain frames around it.
    assert_ne!(one[5], one[0]);
    assert_ne!(one[5], one[11]);
    // The wgpu backend draws the same frames within the backends' tolerance (4 codes).
    let wgpu = pattern_frames("software", &props(1), 12);
    assert_eq!(wgpu.len(), 12);
    for (i, (a, b)) in one.iter().zip(&wgpu).enumerate() {
        let worst = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max();
        assert!(worst <= Some(4), "frame {i}: {worst:?} codes off wgpu");
    }
}

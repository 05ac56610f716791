//! parallelcompositor effects through the element: the timeline drives pad properties exactly as
//! setting them would, and with every effect animated (timeline, GstController, motion blur,
//! blurred background) the output is byte-identical whatever the worker count.

mod common;

use gst::prelude::*;

const TIMELINE: &str = r#"{
  "zoom": [
    { "pad": "sink_0", "start": 0.2, "end": 1.2, "scale": 2.0, "centre": [0.3, 0.6],
      "easing": "cubic-bezier(0.33, 0, 0.67, 1)", "ramp": 0.3 }
  ],
  "keyframes": [
    { "pad": "sink_1", "property": "xpos", "time": 0.0, "value": 2.0 },
    { "pad": "sink_1", "property": "xpos", "time": 1.0, "value": 30.5, "easing": "ease-in-out" },
    { "pad": "sink_1", "property": "corner-radius", "time": 0.0, "value": 0.0 },
    { "pad": "sink_1", "property": "corner-radius", "time": 1.0, "value": 9.0, "easing": "spring(120, 12, 1)" },
    { "pad": "sink_1", "property": "shadow-blur", "time": 0.0, "value": 1.0 },
    { "pad": "sink_1", "property": "shadow-blur", "time": 1.3, "value": 4.0 },
    { "pad": "sink_0", "property": "blur", "time": 0.5, "value": 0.0 },
    { "pad": "sink_0", "property": "blur", "time": 1.0, "value": 2.0, "easing": "ease-out" }
  ]
}"#;

/// Frames of a 64x48 export with every effect in play.
fn effects_run(adapter: &str, workers: u32, k: u32, frames: u32) -> Vec<Vec<u8>> {
    let desc = format!(
        "parallelcompositor name=pc adapter={adapter} workers={workers} max-frames-in-flight={k} \
         background=blurred background-blur=6 shutter-angle=180 motion-blur-samples=4 \
         sink_0::xpos=4 sink_0::ypos=3 sink_0::width=56 sink_0::height=42 sink_0::corner-radius=6 \
         sink_0::border-width=1.5 sink_0::border-color=0xffffffff sink_0::shadow-blur=3 \
         sink_0::shadow-offset-y=2 sink_0::corner-shape=squircle \
         sink_1::ypos=20 sink_1::width=24 sink_1::height=18 sink_1::shadow-offset-x=2 sink_1::zorder=1 \
         ! video/x-raw,format=I420,width=64,height=48 ! appsink name=sink sync=false \
         videotestsrc num-buffers={frames} pattern=ball ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0 \
         videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,format=RGBA,width=32,height=24,framerate=30/1 ! pc.sink_1"
    );
    let pipeline = common::launch(&desc);
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    pc.set_property("timeline-string", TIMELINE);
    let top = pc.static_pad("sink_1").expect("sink_1");
    common::animate(&top, "zoom", &[(0, 1.0), (1500, 1.6)]);
    common::animate(&top, "alpha", &[(0, 1.0), (1500, 0.6)]);
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    if let Err(e) = common::play_to_end(&pipeline, 180) {
        panic!("workers={workers} K={k}: {e}");
    }
    let samples = seen.lock().expect("lock").clone();
    assert_eq!(samples.len(), frames as usize, "every frame comes out");
    samples
        .iter()
        .map(|s| common::planes(s).1.concat())
        .collect()
}

#[test]
fn every_effect_animated_is_byte_identical_across_workers() {
    for adapter in common::ADAPTERS {
        every_effect_identical_on(adapter);
    }
}

fn every_effect_identical_on(adapter: &str) {
    let baseline = effects_run(adapter, 1, 1, 45);
    let changing = baseline.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(
        changing > 40,
        "the animation changes frames ({changing} of 44)"
    );
    for (workers, k) in [(2, 4), (4, 8)] {
        let frames = effects_run(adapter, workers, k, 45);
        for (i, (a, b)) in baseline.iter().zip(&frames).enumerate() {
            assert!(
                a == b,
                "{adapter}: workers={workers} K={k}: frame {i} differs"
            );
        }
    }
}

/// One frame rendered with `props` and optionally a timeline, at frame index `frame` of a
/// still input.
fn still_frame(props: &str, timeline: Option<&str>, frame: u32) -> Vec<u8> {
    let desc = format!(
        "parallelcompositor name=pc {props} ! video/x-raw,format=RGBA,width=64,height=48 \
         ! appsink name=sink sync=false \
         videotestsrc num-buffers={} pattern=smpte ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0",
        frame + 1
    );
    let pipeline = common::launch(&desc);
    if let Some(t) = timeline {
        let pc: gst::Element = common::by_name(&pipeline, "pc");
        pc.set_property("timeline-string", t);
    }
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    if let Err(e) = common::play_to_end(&pipeline, 60) {
        panic!("{props}: {e}");
    }
    let samples = seen.lock().expect("lock").clone();
    common::planes(&samples[frame as usize]).1.concat()
}

#[test]
fn timeline_values_equal_the_properties_they_set() {
    // Frame 15 is t = 0.5 s: halfway through a linear xpos ramp 0 → 20, inside the zoom's hold.
    let timeline = r#"{
        "keyframes": [
            { "pad": "sink_0", "property": "xpos", "time": 0, "value": 0 },
            { "pad": "sink_0", "property": "xpos", "time": 1, "value": 20 },
            { "pad": "sink_0", "property": "corner-radius", "time": 0, "value": 7.5 }
        ],
        "zoom": [ { "start": 0.1, "end": 2, "scale": 1.5, "centre": [0.25, 0.75], "ramp": 0.2 } ]
    }"#;
    let animated = still_frame("", Some(timeline), 15);
    let set = still_frame(
        "sink_0::xpos=10 sink_0::corner-radius=7.5 sink_0::zoom=1.5 sink_0::zoom-center-x=0.25 \
         sink_0::zoom-center-y=0.75",
        None,
        15,
    );
    assert!(
        animated == set,
        "the timeline renders as the properties it sets"
    );
    let plain = still_frame("sink_0::xpos=10", None, 15);
    assert!(animated != plain, "and the zoom and corners do show");
}

#[test]
fn image_background() {
    let dir = std::env::temp_dir().join(format!("pc-image-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bg.png");
    let mut img = image::RgbaImage::new(8, 4);
    for (x, _, p) in img.enumerate_pixels_mut() {
        *p = if x < 4 {
            image::Rgba([255, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 255, 255])
        };
    }
    img.save(&path).expect("png written");
    let frame = still_frame(
        &format!(
            "background=image background-image={} sink_0::alpha=0",
            path.display()
        ),
        None,
        0,
    );
    // Covering 64x48 with 8x4: scale 12, so the left half is red and the right half blue.
    let px = |x: usize, y: usize| &frame[(y * 64 + x) * 4..][..4];
    assert_eq!(px(2, 24), &[255, 0, 0, 255]);
    assert_eq!(px(60, 24), &[0, 0, 255, 255]);
    let _ = std::fs::remove_dir_all(&dir);
}

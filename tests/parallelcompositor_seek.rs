//! Seeking parallelcompositor to a frame renders exactly the frames a render from the start
//! gives there: same timestamps (on the output's frame grid, no 1 ns drift), same input frames
//! picked (a 60 fps input into 30 fps output, whose frames end exactly on output frame times),
//! same timeline, zoom and motion-blur parameters, no frame past the stop. What chunked export
//! (`gst-render-range-1.0`) rests on.
//!
//! Inputs are videotestsrc at multiples of the output rate: after a seek to a time that is not
//! one of its own frame starts, videotestsrc times its frames off its grid (and `horizontal-speed`
//! does not follow seeks), which real decoders do not; tests/render_range.rs covers decoded
//! files at other rates.

mod common;

use gst::prelude::*;
use gstparallelcompositor::frame_grid::FrameGrid;

const TIMELINE: &str = r#"{
  "zoom": [{ "pad": "sink_0", "start": 0.1, "end": 0.9, "scale": 1.7, "centre": [0.3, 0.6], "ramp": 0.2 }],
  "keyframes": [
    { "pad": "sink_1", "property": "xpos", "time": 0.0, "value": 1.0 },
    { "pad": "sink_1", "property": "xpos", "time": 1.0, "value": 37.5, "easing": "ease-in-out" }
  ]
}"#;

/// The export: a 60 fps and a 30 fps input into 30 fps output, a zoom, a moving card with
/// motion blur, a crossfade over 0.3–0.6 s. `frames`: a render from the start of that many
/// output frames; `None`: endless inputs, for seeks with a stop.
fn pipeline(frames: Option<u32>) -> gst::Pipeline {
    let n = |fps: u32| frames.map_or(String::new(), |f| format!("num-buffers={}", f * fps / 30));
    let desc = format!(
        "parallelcompositor name=pc adapter=cpu shutter-angle=180 motion-blur-samples=4 \
         transitions=\"fade, from=sink_0, to=sink_1, start=0.3, duration=0.3\" \
         sink_1::ypos=20 sink_1::width=24 sink_1::height=18 sink_1::zorder=1 \
         ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! appsink name=sink sync=false \
         videotestsrc {} pattern=ball ! video/x-raw,width=64,height=48,framerate=60/1 ! pc.sink_0 \
         videotestsrc {} pattern=ball background-color=0xff2040c0 ! video/x-raw,format=RGBA,width=32,height=24,framerate=30/1 ! pc.sink_1",
        n(60),
        n(30)
    );
    let pipeline = common::launch(&desc);
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    pc.set_property("timeline-string", TIMELINE);
    pipeline
}

/// (PTS, pixels) of each sample.
fn frames(samples: &[gst::Sample]) -> Vec<(u64, Vec<u8>)> {
    samples
        .iter()
        .map(|s| {
            let pts = s.buffer().and_then(|b| b.pts()).expect("timestamped");
            (pts.nseconds(), common::planes(s).1.concat())
        })
        .collect()
}

/// The frames of `[first, end)` from a flushing, accurate seek on the prerolled pipeline, and
/// the segment downstream saw.
fn range(first: u64, end: u64) -> (Vec<(u64, Vec<u8>)>, gst::FormattedSegment<gst::ClockTime>) {
    let grid = FrameGrid::new(30, 1).unwrap();
    let pipeline = pipeline(None);
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    pipeline.set_state(gst::State::Paused).expect("pauses");
    let (ok, _, _) = pipeline.state(gst::ClockTime::from_seconds(30));
    ok.expect("prerolls");
    pipeline
        .seek(
            1.0,
            gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
            gst::SeekType::Set,
            gst::ClockTime::from_nseconds(grid.time(first)),
            gst::SeekType::Set,
            gst::ClockTime::from_nseconds(grid.time(end)),
        )
        .expect("seeks");
    seen.lock().expect("lock").clear();
    common::play_to_end(&pipeline, 60).expect("plays the range");
    let samples = seen.lock().expect("lock").clone();
    let segment = samples
        .first()
        .map(|s| {
            s.segment()
                .expect("segment")
                .downcast_ref::<gst::ClockTime>()
                .expect("time segment")
                .clone()
        })
        .expect("a frame");
    (frames(&samples), segment)
}

#[test]
fn a_seek_to_any_frame_renders_the_frames_of_one_pass() {
    let grid = FrameGrid::new(30, 1).unwrap();
    let pipeline = pipeline(Some(30));
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    common::play_to_end(&pipeline, 60).expect("one pass");
    let one_pass = frames(&seen.lock().expect("lock"));
    assert_eq!(one_pass.len(), 30);
    for (i, (pts, _)) in one_pass.iter().enumerate() {
        assert_eq!(*pts, grid.time(i as u64), "one pass frame {i}");
    }
    // Starts on and off the period of 3 frames, single frames, one ending on a multiple.
    for (first, end) in [(0, 4), (1, 2), (2, 3), (2, 9), (4, 13), (5, 6), (8, 30)] {
        let (got, segment) = range(first, end);
        let want = &one_pass[first as usize..end as usize];
        assert_eq!(
            got.iter().map(|f| f.0).collect::<Vec<_>>(),
            want.iter().map(|f| f.0).collect::<Vec<_>>(),
            "timestamps of [{first}, {end})"
        );
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                g.1 == w.1,
                "frame {} of [{first}, {end}) differs",
                first + i as u64
            );
        }
        let start = gst::ClockTime::from_nseconds(grid.time(first));
        assert_eq!(segment.start(), Some(start), "segment of [{first}, {end})");
        assert_eq!(segment.time(), Some(start), "segment of [{first}, {end})");
    }
}

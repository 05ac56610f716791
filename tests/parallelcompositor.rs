//! parallelcompositor behaviour: parallelism never changes pixels, order, EOS drain, flushing
//! seeks, stopping mid-stream, pads coming and going, renegotiation, latency, statistics.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;

use common::{animate, frame_time};

/// 60 frames of two inputs, the top one animated (position, size, alpha), rendered with
/// `workers` and `k`; returns every output frame's bytes.
fn animated_run(adapter: &str, workers: u32, k: u32) -> Vec<Vec<u8>> {
    let desc = format!(
        "parallelcompositor name=pc adapter={adapter} workers={workers} max-frames-in-flight={k} background=checker \
         ! video/x-raw,format=I420,width=64,height=48 ! appsink name=sink sync=false \
         videotestsrc num-buffers=60 pattern=ball ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0 \
         videotestsrc num-buffers=60 pattern=smpte ! video/x-raw,format=RGBA,width=32,height=24,framerate=30/1 ! pc.sink_1"
    );
    let pipeline = common::launch(&desc);
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    let top = pc.static_pad("sink_1").expect("sink_1");
    top.set_property("zorder", 1u32);
    animate(&top, "xpos", &[(0, -5.0), (2000, 40.3)]);
    animate(&top, "ypos", &[(0, 0.0), (2000, 20.7)]);
    animate(&top, "width", &[(0, 32.0), (2000, 50.5)]);
    animate(&top, "alpha", &[(0, 1.0), (2000, 0.3)]);
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    if let Err(e) = common::play_to_end(&pipeline, 120) {
        panic!("{adapter}: workers={workers} K={k}: {e}");
    }
    let samples = seen.lock().expect("lock").clone();
    assert_eq!(
        samples.len(),
        60,
        "workers={workers} K={k}: every frame comes out"
    );
    let pts: Vec<_> = samples
        .iter()
        .map(|s| s.buffer().and_then(|b| b.pts()).expect("pts"))
        .collect();
    assert_eq!(pts, (0..60).map(frame_time).collect::<Vec<_>>(), "in order");
    samples
        .iter()
        .map(|s| common::planes(s).1.concat())
        .collect()
}

#[test]
fn parallelism_never_changes_pixels() {
    for adapter in common::ADAPTERS {
        parallelism_never_changes_pixels_on(adapter);
    }
}

fn parallelism_never_changes_pixels_on(adapter: &str) {
    let baseline = animated_run(adapter, 1, 1);
    // The animation really moves things: consecutive frames differ.
    assert!(baseline.windows(2).filter(|w| w[0] != w[1]).count() > 50);
    for workers in [1, 2, 4] {
        for k in [1, 3, 8] {
            if (workers, k) == (1, 1) {
                continue;
            }
            let frames = animated_run(adapter, workers, k);
            for (i, (a, b)) in baseline.iter().zip(&frames).enumerate() {
                assert!(
                    a == b,
                    "{adapter}: workers={workers} K={k}: frame {i} differs from workers=1 K=1"
                );
            }
        }
    }
}

#[test]
fn eos_drains_every_frame_in_order() {
    let samples = common::run(
        "parallelcompositor name=pc workers=2 max-frames-in-flight=8 \
         ! video/x-raw,format=RGBA ! appsink name=sink sync=false \
         videotestsrc num-buffers=25 ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0",
    );
    let pts: Vec<_> = samples
        .iter()
        .map(|s| s.buffer().and_then(|b| b.pts()).expect("pts"))
        .collect();
    assert_eq!(pts, (0..25).map(frame_time).collect::<Vec<_>>());
}

#[test]
fn stats_and_adapter_info() {
    for (adapter, backend) in [("wgpu", "vulkan"), ("cpu", "cpu")] {
        stats_and_adapter_info_of(adapter, backend);
    }
}

fn stats_and_adapter_info_of(adapter: &str, backend: &str) {
    let pipeline = common::launch(&format!(
        "parallelcompositor name=pc adapter={adapter} workers=2 max-frames-in-flight=3 ! video/x-raw,format=NV12 \
         ! fakesink sync=false videotestsrc num-buffers=12 ! video/x-raw,width=64,height=48 ! pc.sink_0",
    ));
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    assert!(pc
        .property::<Option<gst::Structure>>("adapter-info")
        .is_none());
    pipeline.set_state(gst::State::Paused).expect("pauses");
    let (res, _, _) = pipeline.state(gst::ClockTime::from_seconds(30));
    res.expect("prerolls");
    let info = pc
        .property::<Option<gst::Structure>>("adapter-info")
        .expect("adapter-info once started");
    assert_eq!(info.get::<String>("backend").expect("backend"), backend);
    assert!(!info.get::<String>("name").expect("name").is_empty());
    assert!(info.get::<String>("device-type").is_ok());
    let bus = pipeline.bus().expect("bus");
    pipeline.set_state(gst::State::Playing).expect("plays");
    bus.timed_pop_filtered(gst::ClockTime::from_seconds(30), &[gst::MessageType::Eos])
        .expect("EOS");
    let stats = pc.property::<gst::Structure>("stats");
    assert_eq!(stats.get::<u64>("frames").expect("frames"), 12, "{stats}");
    assert_eq!(stats.get::<u32>("workers").expect("workers"), 2);
    assert_eq!(stats.get::<u32>("max-frames-in-flight").expect("K"), 3);
    assert_eq!(stats.get::<u32>("in-flight").expect("in-flight"), 0);
    for stage in ["upload", "render", "readback"] {
        let mean = stats
            .get::<f64>(format!("{stage}-mean-ms").as_str())
            .expect("mean");
        let max = stats
            .get::<f64>(format!("{stage}-max-ms").as_str())
            .expect("max");
        assert!(mean > 0.0 && max >= mean, "{stage}: {stats}");
    }
    pipeline.set_state(gst::State::Null).expect("stops");
}

/// Output PTS, with `None` where a FLUSH_STOP reached the sink.
fn record_with_flushes(sink: &gst_app::AppSink) -> Arc<Mutex<Vec<Option<gst::ClockTime>>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let on_flush = seen.clone();
    sink.static_pad("sink").expect("appsink pad").add_probe(
        gst::PadProbeType::EVENT_FLUSH,
        move |_, info| {
            if let Some(gst::PadProbeData::Event(e)) = &info.data {
                if e.type_() == gst::EventType::FlushStop {
                    on_flush.lock().expect("lock").push(None);
                }
            }
            gst::PadProbeReturn::Ok
        },
    );
    let on_sample = seen.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let pts = sample.buffer().and_then(|b| b.pts());
                on_sample.lock().expect("lock").push(pts);
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    seen
}

fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn flushing_seek_mid_stream() {
    let pipeline = common::launch(
        "parallelcompositor name=pc workers=2 max-frames-in-flight=8 ! video/x-raw,format=I420 \
         ! appsink name=sink sync=false \
         videotestsrc pattern=ball ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0 \
         videotestsrc ! video/x-raw,format=NV12,width=32,height=24,framerate=30/1 ! pc.sink_1",
    );
    let seen = record_with_flushes(&common::by_name(&pipeline, "sink"));
    pipeline.set_state(gst::State::Playing).expect("plays");
    wait_for("20 frames", 30, || seen.lock().expect("lock").len() >= 20);
    pipeline
        .seek(
            1.0,
            gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
            gst::SeekType::Set,
            gst::ClockTime::from_seconds(1),
            gst::SeekType::Set,
            gst::ClockTime::from_seconds(2),
        )
        .expect("seek");
    common::wait_eos(&pipeline, 60);
    let seen = seen.lock().expect("lock").clone();
    let last_flush = seen
        .iter()
        .rposition(Option::is_none)
        .expect("a flush reached the sink");
    let before: Vec<_> = seen[..last_flush].iter().flatten().copied().collect();
    assert!(
        before.windows(2).all(|w| w[0] < w[1]),
        "ordered before the seek"
    );
    let after: Vec<_> = seen[last_flush + 1..]
        .iter()
        .map(|p| p.expect("pts"))
        .collect();
    let expected: Vec<_> = (30..60).map(frame_time).collect();
    assert_eq!(
        after, expected,
        "after the seek: exactly 1 s .. 2 s, in order"
    );
}

#[test]
fn null_mid_stream_repeatedly() {
    for i in 0..100 {
        let pipeline = common::launch(
            "parallelcompositor name=pc workers=2 max-frames-in-flight=4 ! video/x-raw,format=I420 \
             ! appsink name=sink sync=false \
             videotestsrc ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0 \
             videotestsrc ! video/x-raw,format=RGBA,width=32,height=24,framerate=30/1 ! pc.sink_1",
        );
        let pc: gst::Element = common::by_name(&pipeline, "pc");
        let seen = common::collect(&common::by_name(&pipeline, "sink"));
        pipeline.set_state(gst::State::Playing).expect("plays");
        // Stop at varying points, with frames in flight.
        let want = 1 + i % 5;
        wait_for("frames", 30, || seen.lock().expect("lock").len() >= want);
        let start = Instant::now();
        pipeline.set_state(gst::State::Null).expect("stops");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "stopping took too long"
        );
        let stats = pc.property::<gst::Structure>("stats");
        assert_eq!(
            stats.get::<u64>("frames").expect("frames"),
            0,
            "state is gone after NULL"
        );
    }
}

#[test]
fn pad_requested_and_released_while_playing() {
    let pipeline = common::launch(
        "parallelcompositor name=pc max-frames-in-flight=4 ! video/x-raw,format=RGBA,width=64,height=48 \
         ! appsink name=sink sync=false \
         videotestsrc num-buffers=90 pattern=black ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0",
    );
    let pc: gst::Element = common::by_name(&pipeline, "pc");
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    pipeline.set_state(gst::State::Playing).expect("plays");
    wait_for("10 frames", 30, || seen.lock().expect("lock").len() >= 10);

    let pad = pc.request_pad_simple("sink_%u").expect("a new pad");
    assert_eq!(
        pc.dynamic_cast_ref::<gst::ChildProxy>()
            .expect("child proxy")
            .children_count(),
        2
    );
    pad.set_property("xpos", 8.0f64);
    pad.set_property("zorder", 1u32);
    let branch = gst::parse::bin_from_description(
        "videotestsrc pattern=white ! capsfilter caps=video/x-raw,width=16,height=16,framerate=30/1",
        true,
    )
    .expect("branch");
    pipeline.add(&branch).expect("added");
    branch
        .static_pad("src")
        .expect("ghost src")
        .link(&pad)
        .expect("linked");
    branch.sync_state_with_parent().expect("branch plays");
    let joined = seen.lock().expect("lock").len();
    // The white square shows up in the output.
    wait_for("the new input in the output", 30, || {
        let v = seen.lock().expect("lock");
        v.len() > joined + 2 && {
            let (_, planes) = common::planes(v.last().expect("a sample"));
            planes[0][(10 * 64 + 10) * 4] == 255
        }
    });

    branch.set_state(gst::State::Null).expect("branch stops");
    branch
        .static_pad("src")
        .expect("ghost src")
        .unlink(&pad)
        .expect("unlinked");
    pipeline.remove(&branch).expect("removed");
    pc.release_request_pad(&pad);
    assert_eq!(pc.num_sink_pads(), 1);

    common::wait_eos(&pipeline, 60);
    let samples = seen.lock().expect("lock").clone();
    let pts: Vec<_> = samples
        .iter()
        .map(|s| s.buffer().and_then(|b| b.pts()).expect("pts"))
        .collect();
    assert_eq!(
        pts,
        (0..90).map(frame_time).collect::<Vec<_>>(),
        "every frame, in order"
    );
    let (_, last) = common::planes(samples.last().expect("frames"));
    assert_eq!(last[0][(10 * 64 + 10) * 4], 0, "the released input is gone");
}

#[test]
fn input_size_change_renegotiates() {
    let pipeline = common::launch(
        "appsrc name=src format=time ! parallelcompositor name=pc workers=2 max-frames-in-flight=8 \
         ! video/x-raw,format=RGBA ! appsink name=sink sync=false",
    );
    let src: gst_app::AppSrc = common::by_name(&pipeline, "src");
    let seen = common::collect(&common::by_name(&pipeline, "sink"));
    pipeline.set_state(gst::State::Playing).expect("plays");
    for i in 0..20u64 {
        let (w, h) = if i < 10 { (32, 24) } else { (48, 36) };
        if i == 0 || i == 10 {
            src.set_caps(Some(
                &gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgbx, w, h)
                    .fps(gst::Fraction::new(30, 1))
                    .build()
                    .expect("info")
                    .to_caps()
                    .expect("caps"),
            ));
        }
        let mut b = gst::Buffer::from_slice(vec![(i * 10) as u8; (w * h * 4) as usize]);
        {
            let b = b.get_mut().expect("writable");
            b.set_pts(frame_time(i));
            b.set_duration(frame_time(1));
        }
        src.push_buffer(b).expect("push");
    }
    src.end_of_stream().expect("eos");
    common::wait_eos(&pipeline, 60);
    let samples = seen.lock().expect("lock").clone();
    assert_eq!(samples.len(), 20);
    for (i, s) in samples.iter().enumerate() {
        let (info, planes) = common::planes(s);
        let expected = if i < 10 { (32, 24) } else { (48, 36) };
        assert_eq!(
            (info.width(), info.height()),
            expected,
            "frame {i} has its own caps"
        );
        // The frame's content is its own input's (one grey level per frame).
        assert!(
            planes[0]
                .chunks(4)
                .all(|p| p[0] == (i * 10) as u8 && p[3] == 255),
            "frame {i}"
        );
    }
}

#[test]
fn live_latency_includes_frames_in_flight() {
    let latency = |k: u32| {
        let pipeline = common::launch(&format!(
            "parallelcompositor name=pc max-frames-in-flight={k} ! fakesink \
             videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0"
        ));
        pipeline.set_state(gst::State::Playing).expect("plays");
        let (res, _, _) = pipeline.state(gst::ClockTime::from_seconds(30));
        res.expect("playing");
        let pc: gst::Element = common::by_name(&pipeline, "pc");
        // Output caps (and with them the frame duration) are known once frames flow.
        wait_for("frames", 30, || {
            pc.property::<gst::Structure>("stats")
                .get::<u64>("frames")
                .unwrap_or(0)
                >= 2
        });
        let mut q = gst::query::Latency::new();
        assert!(
            pc.static_pad("src").expect("src").query(&mut q),
            "latency query answered"
        );
        pipeline.set_state(gst::State::Null).expect("stops");
        let (live, min, max) = q.result();
        assert!(live, "live latency: {min:?} {max:?}");
        min
    };
    let one = latency(1);
    let five = latency(5);
    assert_eq!(five - one, frame_time(4), "K = 5 adds 4 frames");
}

//! The element's memory stays flat: over many frames, and over many PLAYING → NULL cycles with
//! frames in flight, on each backend. Measured as the process's resident set, because what
//! leaked before (lavapipe's recompiled shaders) is invisible to GObject's leaks tracer.
//!
//! Bound: 20 MB of growth. A leak of a few hundred KB a frame (as lavapipe's was, 0.58 MB)
//! or a few MB a cycle passes it within the runs here; allocator noise stays well under it.

mod common;

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use gst::prelude::*;

/// Growth allowed between the measurement after warm-up and the one at the end.
const BOUND_KB: u64 = 20 * 1024;

/// The tests measure the whole process: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The process's resident set, in KB.
fn rss_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("statm's resident field");
    pages * 4
}

/// Reports each buffer that reaches `pipeline`'s element `sink` on `tx`.
fn count_buffers(pipeline: &gst::Pipeline, tx: mpsc::Sender<()>) {
    let pad = common::by_name::<gst::Element>(pipeline, "sink")
        .static_pad("sink")
        .expect("sink pad");
    let tx = Mutex::new(tx);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        let _ = tx.lock().map(|tx| tx.send(()));
        gst::PadProbeReturn::Ok
    });
}

/// Waits for `n` buffers from [`count_buffers`].
#[track_caller]
fn wait_buffers(rx: &mpsc::Receiver<()>, n: usize) {
    for i in 0..n {
        if rx.recv_timeout(Duration::from_secs(30)).is_err() {
            panic!("buffer {i} of {n} never came");
        }
    }
}

fn pipeline(adapter: &str, frames: u64) -> gst::Pipeline {
    common::launch(&format!(
        "videotestsrc num-buffers={frames} ! video/x-raw,width=64,height=48 \
         ! parallelcompositor adapter={adapter} ! video/x-raw,format=I420,width=64,height=48 \
         ! fakesink name=sink"
    ))
}

/// 1100 frames: RSS after the first 100 and at the end differ by less than the bound.
fn frames_stay_flat(adapter: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    stays_flat_over_1000_frames(adapter, &pipeline(adapter, 1100));
}

/// Plays `pipeline` (1100 frames) to the end: RSS after the first 100 and at the end differ by
/// less than the bound.
fn stays_flat_over_1000_frames(what: &str, pipeline: &gst::Pipeline) {
    let (tx, rx) = mpsc::channel();
    count_buffers(pipeline, tx);
    pipeline.set_state(gst::State::Playing).expect("plays");
    wait_buffers(&rx, 100);
    let warm = rss_kb();
    common::wait_eos(pipeline, 120);
    let end = rss_kb();
    eprintln!("{what}: {warm} KB after 100 frames, {end} KB after 1100");
    assert!(
        end < warm + BOUND_KB,
        "{what}: RSS grew from {warm} KB to {end} KB over 1000 frames"
    );
}

/// 100 PLAYING → NULL cycles, each stopped with frames in flight after 5 have come out. On
/// wgpu another element keeps the device open, as when one of several stops.
fn cycles_stay_flat(adapter: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let keeper = pipeline(adapter, 1);
    keeper.set_state(gst::State::Paused).expect("keeper pauses");
    let pipeline = pipeline(adapter, 1_000_000);
    let (tx, rx) = mpsc::channel();
    count_buffers(&pipeline, tx);
    let mut warm = 0;
    for cycle in 0..110 {
        pipeline.set_state(gst::State::Playing).expect("plays");
        wait_buffers(&rx, 5);
        pipeline.set_state(gst::State::Null).expect("stops");
        // Buffers that passed the probe while stopping.
        while rx.try_recv().is_ok() {}
        if cycle == 9 {
            warm = rss_kb();
        }
    }
    let end = rss_kb();
    keeper.set_state(gst::State::Null).expect("keeper stops");
    eprintln!("{adapter}: {warm} KB after 10 cycles, {end} KB after 110");
    assert!(
        end < warm + BOUND_KB,
        "{adapter}: RSS grew from {warm} KB to {end} KB over 100 cycles"
    );
}

/// 1100 frames of transitions on the CPU backend's Y'CbCr path: a slide (its cards, one with a
/// shadow, drawn moved each frame, so the shadow cache sees a new shape every frame), dissolve
/// and circleopen (per-pixel weights, cached rows).
#[test]
fn cpu_transitions_stay_flat() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let caps = "video/x-raw,format=I420,width=64,height=48,framerate=30/1";
    let pipeline = common::launch(&format!(
        "parallelcompositor name=c adapter=cpu sink_1::shadow-blur=4 sink_1::corner-radius=6 \
           sink_1::xpos=8 sink_1::ypos=6 sink_1::width=48 sink_1::height=36 \
           transitions=\"slideleft, from=sink_0, to=sink_1, start=0.0, duration=12.0; \
             dissolve, from=sink_1, to=sink_0, start=12.0, duration=12.0; \
             circleopen, from=sink_0, to=sink_1, start=24.0, duration=13.0\" \
         ! {caps} ! fakesink name=sink \
         videotestsrc num-buffers=1100 ! {caps} ! c.sink_0 \
         videotestsrc num-buffers=1100 pattern=ball ! {caps} ! c.sink_1"
    ));
    stays_flat_over_1000_frames("cpu transitions", &pipeline);
}

#[test]
fn cpu_frames_stay_flat() {
    frames_stay_flat("cpu");
}

#[test]
fn wgpu_frames_stay_flat() {
    frames_stay_flat("software");
}

#[test]
fn cpu_cycles_stay_flat() {
    cycles_stay_flat("cpu");
}

#[test]
fn wgpu_cycles_stay_flat() {
    cycles_stay_flat("software");
}

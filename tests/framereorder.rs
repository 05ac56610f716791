//! gstreamer-check Harness tests of `framereorder`: one pad and several, reorder, merge, gap events,
//! late and duplicate frames, flush, EOS drain, caps mismatch, latency query and stats.

use gst::prelude::*;
use gst_check::Harness;

/// Frame duration at 25 fps: a whole number of nanoseconds.
const D: gst::ClockTime = gst::ClockTime::from_mseconds(40);

fn init() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gst::init().expect("GStreamer initialises");
        gstparallelcompositor::plugin_register_static().expect("plugin registers");
    });
}

fn caps(width: u32) -> gst::Caps {
    gst_video::VideoInfo::builder(gst_video::VideoFormat::Gray8, width, 2)
        .fps(gst::Fraction::new(25, 1))
        .build()
        .expect("valid video info")
        .to_caps()
        .expect("caps from video info")
}

/// Frame `n`: PTS n×D, duration D, its number as payload.
fn frame(n: u64) -> gst::Buffer {
    let mut buf = gst::Buffer::from_mut_slice(n.to_le_bytes().to_vec());
    {
        let b = buf.get_mut().expect("new buffer is writable");
        b.set_pts(D * n);
        b.set_duration(D);
    }
    buf
}

fn number(buf: &gst::Buffer) -> u64 {
    let map = buf.map_readable().expect("readable buffer");
    u64::from_le_bytes(map.as_slice().try_into().expect("8-byte payload"))
}

fn stat(element: &gst::Element, field: &str) -> u64 {
    element
        .property::<gst::Structure>("stats")
        .get::<u64>(field)
        .unwrap_or_else(|e| panic!("stats field {field}: {e}"))
}

/// A harness on a new `framereorder` with one sink pad, caps and segment sent.
fn one_pad(props: &[(&str, &str)]) -> Harness {
    init();
    let element = gst::ElementFactory::make("framereorder")
        .build()
        .expect("framereorder exists");
    for (name, value) in props {
        element.set_property_from_str(name, value);
    }
    let mut h = Harness::with_element(&element, Some("sink_0"), Some("src"));
    h.set_src_caps(caps(8));
    h
}

#[track_caller]
fn push(h: &mut Harness, frames: &[u64]) {
    for &n in frames {
        assert_eq!(
            h.push(frame(n)),
            Ok(gst::FlowSuccess::Ok),
            "pushing frame {n}"
        );
    }
}

/// Pulls exactly `count` buffers and returns their frame numbers.
#[track_caller]
fn pull(h: &mut Harness, count: usize) -> Vec<u64> {
    (0..count)
        .map(|_| number(&h.pull().expect("a buffer comes out")))
        .collect()
}

/// Waits for EOS to come out: everything before it has been pushed.
#[track_caller]
fn wait_eos(h: &mut Harness) {
    while h.pull_event().expect("events up to EOS").type_() != gst::EventType::Eos {}
}

#[test]
fn one_pad_restores_order() {
    let mut h = one_pad(&[]);
    push(&mut h, &[1, 0, 3, 2, 5, 4, 6]);
    // Released frames leave the window inside the push: stats say how many are on their way.
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "out"), 7);
    assert_eq!(pull(&mut h, 7), vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(stat(&element, "reordered"), 3);
    assert_eq!(stat(&element, "in"), 7);
    assert_eq!(stat(&element, "max-window-depth"), 2);
}

#[test]
fn first_frame_waits_for_segment_start() {
    let mut h = one_pad(&[]);
    push(&mut h, &[3, 2, 1]);
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "out"), 0, "frame 0 has not arrived yet");
    push(&mut h, &[0]);
    assert_eq!(pull(&mut h, 4), vec![0, 1, 2, 3]);
}

#[test]
fn first_frame_falls_back_to_smallest_when_window_full() {
    // The stream starts at frame 10, not at the segment start: the window fills, then the
    // smallest frame held is taken as the first.
    let mut h = one_pad(&[("max-frames", "3")]);
    push(&mut h, &[11, 10, 12, 13, 14]);
    assert_eq!(pull(&mut h, 5), vec![10, 11, 12, 13, 14]);
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 0);
}

#[test]
fn eos_drains_in_order() {
    let mut h = one_pad(&[]);
    push(&mut h, &[3, 1, 2, 0, 6, 5]);
    assert!(h.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h, 6), vec![0, 1, 2, 3, 5, 6]);
    wait_eos(&mut h);
    assert!(h.try_pull().is_none());
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 1);
}

#[test]
fn gap_events_cover_missing_frames() {
    let mut h = one_pad(&[("missing-policy", "gap-event"), ("max-frames", "2")]);
    push(&mut h, &[0, 1, 3, 4]);
    // The window is full with 3 and 4; frame 5 cannot enter until progress is forced past 2.
    push(&mut h, &[5]);
    assert_eq!(pull(&mut h, 5), vec![0, 1, 3, 4, 5]);
    let gap = loop {
        let ev = h.pull_event().expect("events come out");
        if let gst::EventView::Gap(g) = ev.view() {
            break g.get();
        }
    };
    assert_eq!(gap, (D * 2, Some(D)));
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 1);
}

#[test]
fn skip_policy_sends_no_gap_event() {
    let mut h = one_pad(&[("max-frames", "2")]);
    push(&mut h, &[0, 2, 3, 4]);
    assert!(h.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h, 4), vec![0, 2, 3, 4]);
    while let Some(ev) = h.try_pull_event() {
        assert_ne!(ev.type_(), gst::EventType::Gap);
    }
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 1);
}

#[test]
fn late_and_duplicate_frames_are_dropped_and_counted() {
    let mut h = one_pad(&[]);
    push(&mut h, &[0, 1, 2, 4]);
    push(&mut h, &[1, 2, 4]); // late, duplicate of the last out, duplicate of one held
    push(&mut h, &[3]);
    assert!(h.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h, 5), vec![0, 1, 2, 3, 4]);
    wait_eos(&mut h);
    assert!(h.try_pull().is_none());
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "late"), 1);
    assert_eq!(stat(&element, "duplicates"), 2);
    assert_eq!(stat(&element, "in"), 8);
    assert_eq!(stat(&element, "out"), 5);
}

#[test]
fn late_frames_are_forwarded_when_asked() {
    let mut h = one_pad(&[("late-policy", "forward")]);
    push(&mut h, &[0, 1, 2]);
    push(&mut h, &[1]);
    push(&mut h, &[3]);
    assert_eq!(pull(&mut h, 5), vec![0, 1, 2, 1, 3]);
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "late"), 1);
    assert_eq!(stat(&element, "out"), 5);
}

#[test]
fn flush_empties_the_window() {
    let mut h = one_pad(&[]);
    push(&mut h, &[0, 2, 3]);
    assert_eq!(pull(&mut h, 1), vec![0]);
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    // After a seek the stream restarts at frame 10.
    let mut segment = gst::FormattedSegment::<gst::ClockTime>::new();
    segment.set_start(D * 10);
    assert!(h.push_event(gst::event::Segment::new(&segment)));
    push(&mut h, &[11, 10, 12]);
    assert!(h.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h, 3), vec![10, 11, 12]);
    wait_eos(&mut h);
    assert!(h.try_pull().is_none(), "frames 2 and 3 were flushed");
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 0);
}

/// A `framereorder` with two sink pads, a harness on each (the first also owns the src pad), and
/// caps of the given widths set on them.
fn two_pads(width0: u32, width1: u32) -> (gst::Element, Harness, Harness) {
    two_pads_on(None, width0, width1)
}

fn two_pads_on(
    bus: Option<&gst::Bus>,
    width0: u32,
    width1: u32,
) -> (gst::Element, Harness, Harness) {
    init();
    let element = gst::ElementFactory::make("framereorder")
        .build()
        .expect("framereorder exists");
    element.set_bus(bus);
    let mut h0 = Harness::with_element(&element, Some("sink_0"), Some("src"));
    let mut h1 = Harness::with_element(&element, Some("sink_1"), None);
    h0.set_src_caps(caps(width0));
    h1.set_src_caps(caps(width1));
    (element, h0, h1)
}

#[test]
fn two_pads_merge_into_one_ordered_stream() {
    let (_element, mut h0, mut h1) = two_pads(8, 8);
    // Pad 0 brings even frames, pad 1 odd ones, each out of order too.
    push(&mut h0, &[2, 0]);
    push(&mut h1, &[3]);
    push(&mut h0, &[4]);
    push(&mut h1, &[1, 5]);
    assert!(h0.push_event(gst::event::Eos::new()));
    assert!(h1.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h0, 6), vec![0, 1, 2, 3, 4, 5]);
    // One stream-start, one caps, one segment, then EOS, whatever the number of pads.
    let mut types = Vec::new();
    while types.last() != Some(&gst::EventType::Eos) {
        types.push(h0.pull_event().expect("events up to EOS").type_());
    }
    assert!(h0.try_pull_event().is_none());
    assert_eq!(
        types,
        vec![
            gst::EventType::StreamStart,
            gst::EventType::Caps,
            gst::EventType::Segment,
            gst::EventType::Eos
        ]
    );
}

#[test]
fn several_pads_choose_the_first_frame_once_all_delivered() {
    let (element, mut h0, mut h1) = two_pads(8, 8);
    // The streams start at frame 7, not at the segment start.
    push(&mut h0, &[8]);
    assert_eq!(stat(&element, "out"), 0, "pad 1 has not delivered yet");
    push(&mut h1, &[7]);
    assert_eq!(pull(&mut h0, 2), vec![7, 8]);
}

#[test]
fn caps_mismatch_is_a_not_negotiated_error_naming_both_caps() {
    init();
    let bus = gst::Bus::new();
    let (_element, _h0, mut h1) = two_pads_on(Some(&bus), 8, 16);
    let msg = bus
        .pop_filtered(&[gst::MessageType::Error])
        .expect("an error message on the bus");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    assert!(err.error().matches(gst::CoreError::Negotiation));
    let text = err.error().to_string();
    assert!(
        text.contains("width=(int)8") && text.contains("width=(int)16"),
        "{text}"
    );
    assert_eq!(h1.push(frame(0)), Err(gst::FlowError::NotNegotiated));
}

#[test]
fn latency_query_adds_the_window_when_live() {
    let mut h = one_pad(&[]);
    h.set_upstream_latency(gst::ClockTime::from_mseconds(10));
    // Default max-latency: max-frames (16) frame durations at 25 fps.
    assert_eq!(
        h.query_latency(),
        Some(gst::ClockTime::from_mseconds(10) + D * 16)
    );
    let mut h = one_pad(&[("max-latency", "100000000")]);
    h.set_upstream_latency(gst::ClockTime::from_mseconds(10));
    assert_eq!(h.query_latency(), Some(gst::ClockTime::from_mseconds(110)));
    // Near the end of time the sum saturates instead of wrapping around to a few ms.
    let mut h = one_pad(&[("max-latency", &(u64::MAX - 1).to_string())]);
    h.set_upstream_latency(gst::ClockTime::from_mseconds(10));
    assert_eq!(h.query_latency(), Some(gst::ClockTime::MAX));
}

#[test]
fn live_frames_wait_at_most_max_latency() {
    let mut h = one_pad(&[("max-latency", "50000000")]);
    // The harness answers upstream latency queries as live.
    h.set_upstream_latency(gst::ClockTime::ZERO);
    assert!(h.query_latency().is_some());
    push(&mut h, &[0, 2]);
    let started = std::time::Instant::now();
    // Frame 1 never comes: frame 2 leaves once it has waited 50 ms, without any further input.
    assert_eq!(pull(&mut h, 2), vec![0, 2]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(40));
    let element = h.element().expect("harness element");
    assert_eq!(stat(&element, "missing"), 1);
}

#[test]
fn renegotiation_on_one_pad_drains_old_frames_first() {
    let mut h = one_pad(&[]);
    push(&mut h, &[0, 2]);
    h.set_src_caps(caps(16));
    push(&mut h, &[3]);
    assert!(h.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h, 3), vec![0, 2, 3]);
    let element = h.element().expect("harness element");
    assert_eq!(
        element
            .static_pad("src")
            .and_then(|p| p.current_caps())
            .map(|c| c.to_string().contains("width=(int)16")),
        Some(true)
    );
}

/// Documented behaviour, as an aggregator's: in a non-live pipeline framereorder waits for every
/// pad that has not ended. A pad that never sends holds the others once their window is full
/// (it could still bring the missing frame); its EOS (or releasing it) lets everything through.
#[test]
fn a_silent_pad_holds_the_others_until_it_ends() {
    init();
    let element = gst::ElementFactory::make("framereorder")
        .property("max-frames", 4u32)
        .build()
        .expect("framereorder exists");
    let mut h0 = Harness::with_element(&element, Some("sink_0"), Some("src"));
    let mut h1 = Harness::with_element(&element, Some("sink_1"), None);
    h0.set_src_caps(caps(8));
    h1.set_src_caps(caps(8));
    // Pad 0 has holes (odd frames missing); pad 1 sends nothing.
    let pusher = std::thread::spawn(move || {
        push(&mut h0, &[0, 2, 4, 6, 8, 10, 12]);
        h0
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        !pusher.is_finished(),
        "pad 0 waits: pad 1 may bring frame 1"
    );
    assert!(stat(&element, "out") <= 1, "at most the first frame left");
    assert!(h1.push_event(gst::event::Eos::new()));
    let mut h0 = pusher
        .join()
        .expect("pad 0's pushes complete once pad 1 ended");
    assert!(h0.push_event(gst::event::Eos::new()));
    assert_eq!(pull(&mut h0, 7), vec![0, 2, 4, 6, 8, 10, 12]);
    assert_eq!(stat(&element, "missing"), 6);
}

//! Rendering a frame range of an export pipeline.
//!
//! 1. Parse the description; find its one filesink, the muxer feeding it, and for each muxer
//!    input the pad where raw frames enter its encoder (the hold point; the muxer's own pad
//!    when nothing encodes, e.g. raw video into matroskamux).
//! 2. Preroll with every hold point blocked: the inputs open, negotiate and decode their first
//!    frames, but no encoder sees a frame and nothing reaches the file.
//! 3. Read the output framerate from the held caps, turn the range into times on its frame
//!    grid and seek (flushing, accurate, with a stop); release the holds. Each encoder then
//!    starts with the range's first frame, as at the start of a one-pass render: an IDR frame
//!    and a closed GOP.
//! 4. Play to EOS, counting the frames that enter the encoder and checking their timestamps
//!    against the one-pass grid; progress on stderr.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;
use gstparallelcompositor::frame_grid::FrameGrid;

use crate::cli::{Range, RenderArgs, TOOL};
use crate::failure::{Code, Failure};

/// The parts of an export pipeline the tool works with.
struct Export {
    pipeline: gst::Pipeline,
    output: String,
    /// Where raw frames enter each encoder (or the muxer).
    holds: Vec<gst::Pad>,
}

fn klass(element: &gst::Element) -> String {
    element
        .factory()
        .map(|f| f.klass().to_string())
        .unwrap_or_default()
}

fn factory_name(element: &gst::Element) -> String {
    element
        .factory()
        .map(|f| f.name().to_string())
        .unwrap_or_default()
}

fn pad_name(pad: &gst::Pad) -> String {
    match pad.parent_element() {
        Some(e) => format!("{}:{}", e.name(), pad.name()),
        None => pad.name().to_string(),
    }
}

/// Parses `description` as gst-launch-1.0 does (words joined, quoting kept).
pub fn parse(description: &[String]) -> Result<gst::Pipeline, Failure> {
    let words: Vec<&str> = description.iter().map(String::as_str).collect();
    let mut context = gst::ParseContext::new();
    let element =
        gst::parse::launchv_full(&words, Some(&mut context), gst::ParseFlags::FATAL_ERRORS)
            .map_err(|e| {
                let missing = context.missing_elements();
                let hint = if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (no element {}: is its plugin installed? gst-inspect-1.0 lists what is)",
                        missing.join(", ")
                    )
                };
                Failure::new(
                    Code::Parse,
                    format!("cannot parse the pipeline description: {e}{hint}"),
                )
            })?;
    element.downcast::<gst::Pipeline>().map_err(|e| {
        Failure::new(
            Code::Shape,
            format!(
                "the description is the single element {}: an export ends in a muxer and a filesink",
                e.name()
            ),
        )
    })
}

/// The pad where raw data reaches the encoder feeding `mux_pad`, through parsers, queues and
/// caps filters; `mux_pad` itself when there is no encoder.
fn hold_point(mux_pad: &gst::Pad) -> gst::Pad {
    let mut pad = mux_pad.clone();
    // A bounded walk: a description is a few elements deep between encoder and muxer.
    for _ in 0..16 {
        let Some(element) = pad.peer().and_then(|p| p.parent_element()) else {
            return pad;
        };
        let sinks = element.sink_pads();
        let [sink] = sinks.as_slice() else {
            return pad;
        };
        let k = klass(&element);
        if k.contains("Encoder") {
            return sink.clone();
        }
        let passes = k.contains("Parser")
            || matches!(
                factory_name(&element).as_str(),
                "queue" | "queue2" | "capsfilter" | "identity" | "capssetter"
            );
        if !passes {
            return pad;
        }
        pad = sink.clone();
    }
    pad
}

/// Finds the filesink, its muxer and the hold points; sets the output location.
fn export(pipeline: gst::Pipeline, output: Option<&str>) -> Result<Export, Failure> {
    let filesinks: Vec<gst::Element> = pipeline
        .iterate_recurse()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| factory_name(e) == "filesink")
        .collect();
    let filesink = match filesinks.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Failure::new(
                Code::Shape,
                "the pipeline has no filesink: an export ends in a muxer and a filesink \
                 (... ! x264enc ! mp4mux ! filesink location=out.mp4)",
            ))
        }
        many => {
            return Err(Failure::new(
                Code::Shape,
                format!(
                    "the pipeline has {} filesinks ({}): a chunk is one file",
                    many.len(),
                    many.iter()
                        .map(|e| e.name().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    };
    if let Some(path) = output {
        filesink.set_property("location", path);
    }
    let location: Option<String> = filesink.property("location");
    let Some(location) = location.filter(|l| !l.is_empty()) else {
        return Err(Failure::new(
            Code::Shape,
            format!(
                "{} has no location: set location= or pass --output",
                filesink.name()
            ),
        ));
    };
    let muxer = filesink
        .static_pad("sink")
        .and_then(|p| p.peer())
        .and_then(|p| p.parent_element())
        .ok_or_else(|| {
            Failure::new(
                Code::Shape,
                format!("{} is not linked to anything", filesink.name()),
            )
        })?;
    if !klass(&muxer).contains("Muxer") {
        return Err(Failure::new(
            Code::Shape,
            format!(
                "{} is fed by {} ({}), not a muxer: chunks are container files to join; end the \
                 description with mp4mux (or qtmux, matroskamux) ! filesink",
                filesink.name(),
                muxer.name(),
                klass(&muxer)
            ),
        ));
    }
    let holds: Vec<gst::Pad> = muxer
        .sink_pads()
        .iter()
        .filter(|p| p.is_linked())
        .map(hold_point)
        .collect();
    if holds.is_empty() {
        return Err(Failure::new(
            Code::Shape,
            format!("{} has no linked input", muxer.name()),
        ));
    }
    Ok(Export {
        pipeline,
        output: location,
        holds,
    })
}

/// Frames off the one-pass timestamps: the first as (index, stream time, expected), and how
/// many.
type OffGrid = (Option<(u64, u64, u64)>, u64);

/// Counts the frames entering the encoder after the seek and checks them against the grid.
#[derive(Default)]
struct Counter {
    /// Frames since the seek's flush (or the start, without a seek).
    frames: AtomicU64,
    counting: AtomicBool,
    /// Nanoseconds since `started` when the last frame came.
    last_frame_ns: AtomicU64,
    off_grid: Mutex<OffGrid>,
    segment: Mutex<Option<gst::FormattedSegment<gst::ClockTime>>>,
    /// The grid and first frame the timestamps are checked against, once known.
    expect: Mutex<Option<(FrameGrid, u64)>>,
}

impl Counter {
    fn on_buffer(&self, buffer: &gst::BufferRef, started: Instant) {
        if !self.counting.load(Ordering::SeqCst) {
            return;
        }
        let index = self.frames.fetch_add(1, Ordering::SeqCst);
        self.last_frame_ns
            .store(started.elapsed().as_nanos() as u64, Ordering::SeqCst);
        let expect = *self.expect.lock().unwrap_or_else(|e| e.into_inner());
        let stream_time = {
            let segment = self.segment.lock().unwrap_or_else(|e| e.into_inner());
            buffer
                .pts()
                .and_then(|pts| segment.as_ref().and_then(|s| s.to_stream_time(pts)))
        };
        if let (Some((grid, first)), Some(t)) = (expect, stream_time) {
            let want = grid.time(first + index);
            if t.nseconds() != want {
                let mut off = self.off_grid.lock().unwrap_or_else(|e| e.into_inner());
                off.0.get_or_insert((index, t.nseconds(), want));
                off.1 += 1;
            }
        }
    }

    fn on_event(&self, event: &gst::EventRef, seeking: bool) {
        match event.view() {
            gst::EventView::FlushStop(_) if seeking => {
                self.frames.store(0, Ordering::SeqCst);
                self.counting.store(true, Ordering::SeqCst);
            }
            gst::EventView::Segment(s) => {
                *self.segment.lock().unwrap_or_else(|e| e.into_inner()) =
                    s.segment().downcast_ref::<gst::ClockTime>().cloned();
            }
            _ => {}
        }
    }
}

/// Blocks buffers at the hold points until released; tells which have one held.
struct Holds {
    probes: Vec<(gst::Pad, gst::PadProbeId)>,
    held: Arc<Mutex<Vec<bool>>>,
}

impl Holds {
    fn new(pads: &[gst::Pad]) -> Self {
        let held = Arc::new(Mutex::new(vec![false; pads.len()]));
        let probes = pads
            .iter()
            .enumerate()
            .filter_map(|(i, pad)| {
                let held = held.clone();
                let id = pad.add_probe(
                    gst::PadProbeType::BLOCK
                        | gst::PadProbeType::BUFFER
                        | gst::PadProbeType::BUFFER_LIST
                        | gst::PadProbeType::EVENT_DOWNSTREAM,
                    move |_, info| {
                        // Events pass (caps, segment); EOS counts as held: that input is done.
                        let hold = match &info.data {
                            Some(gst::PadProbeData::Event(e)) => {
                                if e.type_() != gst::EventType::Eos {
                                    return gst::PadProbeReturn::Pass;
                                }
                                false
                            }
                            _ => true,
                        };
                        if let Ok(mut h) = held.lock() {
                            h[i] = true;
                        }
                        if hold {
                            gst::PadProbeReturn::Ok
                        } else {
                            gst::PadProbeReturn::Pass
                        }
                    },
                )?;
                Some((pad.clone(), id))
            })
            .collect();
        Holds { probes, held }
    }

    fn all_held(&self) -> bool {
        self.held
            .lock()
            .map(|h| h.iter().all(|x| *x))
            .unwrap_or(false)
    }

    fn release(self) {
        for (pad, id) in self.probes {
            pad.remove_probe(id);
        }
    }
}

/// Removes a partial output file unless the render completed.
struct PartialFile {
    path: Option<String>,
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            if std::fs::remove_file(&path).is_ok() {
                eprintln!("{TOOL}: removed the incomplete {path}");
            }
        }
    }
}

/// Waits for the first error on the bus while `done` is false, up to `limit`.
fn wait_preroll(
    pipeline: &gst::Pipeline,
    holds: &Holds,
    limit: f64,
    started: Instant,
) -> Result<(), Failure> {
    let bus = pipeline.bus().expect("a pipeline has a bus");
    loop {
        if holds.all_held() {
            return Ok(());
        }
        if let Some(msg) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(50),
            &[gst::MessageType::Error, gst::MessageType::Eos],
        ) {
            match msg.view() {
                gst::MessageView::Error(err) => {
                    return Err(Failure::from_bus(
                        Code::Preroll,
                        "the pipeline failed before its first frame",
                        err,
                    ))
                }
                _ => {
                    return Err(Failure::new(
                        Code::Preroll,
                        "the pipeline ended before its first frame reached the encoder",
                    ))
                }
            }
        }
        if limit > 0.0 && started.elapsed().as_secs_f64() > limit {
            return Err(Failure::new(
                Code::Timeout,
                format!(
                    "the pipeline did not preroll within {limit} s (--preroll-timeout): an input \
                     never delivered a frame"
                ),
            ));
        }
    }
}

/// Sets the pipeline to PAUSED with the hold points blocked and waits until each holds a
/// frame. Returns the holds and the output framerate's grid.
fn preroll(export: &Export, args: &RenderArgs) -> Result<(Holds, FrameGrid), Failure> {
    let started = Instant::now();
    let holds = Holds::new(&export.holds);
    match export.pipeline.set_state(gst::State::Paused) {
        Err(_) => {
            // The error on the bus says why.
            wait_preroll(&export.pipeline, &holds, 1.0, started)?;
            return Err(Failure::new(
                Code::Preroll,
                "the pipeline cannot start (PAUSED refused)",
            ));
        }
        Ok(gst::StateChangeSuccess::NoPreroll) => {
            return Err(Failure::new(
                Code::Seek,
                "the pipeline is live: live sources cannot be rendered by range (they neither \
                 preroll nor seek); render it whole, without a range",
            ));
        }
        Ok(_) => {}
    }
    wait_preroll(&export.pipeline, &holds, args.preroll_timeout, started)?;
    let video = export.holds.iter().find_map(|pad| {
        let caps = pad.current_caps()?;
        let s = caps.structure(0)?;
        s.name()
            .starts_with("video/")
            .then(|| (pad.clone(), s.get::<gst::Fraction>("framerate").ok()))
    });
    let Some((pad, fps)) = video else {
        return Err(Failure::new(
            Code::Shape,
            "the muxer has no video input: nothing to render by frames",
        ));
    };
    let Some(grid) = fps.and_then(|f| FrameGrid::new(f.numer(), f.denom())) else {
        return Err(Failure::new(
            Code::Shape,
            format!(
                "{} has no fixed framerate ({:?}): frame ranges need a constant rate (add \
                 framerate=N/D to the caps after the compositor)",
                pad_name(&pad),
                fps
            ),
        ));
    };
    for pad in &export.holds {
        let audio = pad
            .current_caps()
            .and_then(|c| c.structure(0).map(|s| s.name().starts_with("audio/")))
            .unwrap_or(false);
        if audio {
            eprintln!(
                "{TOOL}: warning: {} is audio: chunks rendered with audio leave gaps at the joins \
                 (encoder priming); render the audio once over the whole timeline and give it to \
                 --join --audio",
                pad_name(pad)
            );
        }
    }
    Ok((holds, grid))
}

/// The range as frames on `grid`.
fn frames_of(range: &Range, grid: &FrameGrid) -> (u64, Option<u64>) {
    let ns = |s: f64| (s * 1e9).round() as u64;
    match *range {
        Range::Whole => (0, None),
        Range::Frames { first, end } => (first, end),
        Range::Times { start, end } => (
            grid.first_at_or_after(ns(start)),
            end.map(|e| grid.first_at_or_after(ns(e))),
        ),
    }
}

fn video_hold(export: &Export) -> gst::Pad {
    export
        .holds
        .iter()
        .find(|p| {
            p.current_caps()
                .and_then(|c| c.structure(0).map(|s| s.name().starts_with("video/")))
                .unwrap_or(false)
        })
        .unwrap_or(&export.holds[0])
        .clone()
}

/// Renders `args.range` of the description.
pub fn render(args: &RenderArgs) -> Result<(), Failure> {
    let pipeline = parse(&args.description)?;
    let export = export(pipeline, args.output.as_deref())?;
    let result = run(&export, args);
    let _ = export.pipeline.set_state(gst::State::Null);
    result
}

fn run(export: &Export, args: &RenderArgs) -> Result<(), Failure> {
    let started = Instant::now();
    // From READY→PAUSED on, the filesink has truncated the file: a failure must not leave a
    // file that looks like a chunk.
    let mut partial = PartialFile {
        path: Some(export.output.clone()),
    };
    let seeking = args.range != Range::Whole;
    // A whole render neither holds nor seeks: it runs as gst-launch-1.0 would, live sources
    // included.
    let prerolled = if seeking {
        Some(preroll(export, args)?)
    } else {
        None
    };
    let (first, end) = match &prerolled {
        Some((_, grid)) => frames_of(&args.range, grid),
        None => (0, None),
    };
    let counter = Arc::new(Counter::default());
    *counter.expect.lock().unwrap_or_else(|e| e.into_inner()) =
        prerolled.as_ref().map(|(_, grid)| (*grid, first));
    counter.counting.store(!seeking, Ordering::SeqCst);
    let pad = video_hold(export);
    let c = counter.clone();
    pad.add_probe(
        gst::PadProbeType::BUFFER
            | gst::PadProbeType::BUFFER_LIST
            | gst::PadProbeType::EVENT_DOWNSTREAM
            | gst::PadProbeType::EVENT_FLUSH,
        move |_, info| {
            match &info.data {
                Some(gst::PadProbeData::Buffer(b)) => c.on_buffer(b, started),
                Some(gst::PadProbeData::BufferList(l)) => {
                    l.iter().for_each(|b| c.on_buffer(b, started))
                }
                Some(gst::PadProbeData::Event(e)) => c.on_event(e, seeking),
                _ => {}
            }
            gst::PadProbeReturn::Ok
        },
    );
    if let Some((holds, grid)) = prerolled {
        let (rate_n, rate_d) = grid.rate();
        let start = gst::ClockTime::from_nseconds(grid.time(first));
        let stop = end.map(|e| gst::ClockTime::from_nseconds(grid.time(e)));
        if !args.quiet {
            eprintln!(
                "{TOOL}: frames [{first}, {}) at {rate_n}/{rate_d} fps: seeking to {start}{}",
                end.map_or("end".to_string(), |e| e.to_string()),
                stop.map_or(String::new(), |s| format!(", stop {s}"))
            );
        }
        // Sent upstream from the hold points, not through the muxer: a muxer's segment is in
        // bytes, and GstAggregator would apply a time seek to it.
        let seek = gst::event::Seek::new(
            1.0,
            gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
            gst::SeekType::Set,
            Some(start),
            if stop.is_some() {
                gst::SeekType::Set
            } else {
                gst::SeekType::None
            },
            stop,
        );
        let refused = export
            .holds
            .iter()
            .filter(|pad| !pad.push_event(seek.clone()))
            .count();
        if refused > 0 {
            return Err(Failure::new(
                Code::Seek,
                format!(
                    "the pipeline refused the seek to frame {first} ({start}): every input must \
                     be seekable (files, not live or streamed sources)"
                ),
            ));
        }
        holds.release();
    }
    if export.pipeline.set_state(gst::State::Playing).is_err() {
        return Err(Failure::new(Code::Runtime, "the pipeline cannot play"));
    }
    play(export, args, &counter, started, first, end)?;

    let frames = counter.frames.load(Ordering::SeqCst);
    let (off, n_off) = *counter.off_grid.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((index, got, want)) = off {
        eprintln!(
            "{TOOL}: warning: {n_off} frame(s) are off the one-pass timestamps, first frame {} at \
             {got} ns instead of {want} ns: the producer before the encoder is not frame-exact \
             after a seek (parallelcompositor is)",
            first + index
        );
    }
    if let Some(end) = end {
        if frames != end - first {
            let why = if frames < end - first {
                "the inputs end before the range does"
            } else {
                "the producer is not frame-exact after a seek"
            };
            return Err(Failure::new(
                Code::FrameCount,
                format!(
                    "rendered {frames} frames for the range [{first}, {end}) of {} frames: {why}",
                    end - first
                ),
            ));
        }
    }
    partial.path = None;
    let seconds = started.elapsed().as_secs_f64();
    if !args.quiet {
        eprintln!(
            "{TOOL}: rendered frames [{first}, {}) ({frames} frames) to {} in {seconds:.2} s \
             ({:.1} fps)",
            first + frames,
            export.output,
            frames as f64 / seconds.max(1e-9)
        );
    }
    Ok(())
}

/// Plays to EOS: bus errors, warnings, timeouts and progress.
fn play(
    export: &Export,
    args: &RenderArgs,
    counter: &Counter,
    started: Instant,
    first: u64,
    end: Option<u64>,
) -> Result<(), Failure> {
    let bus = export.pipeline.bus().expect("a pipeline has a bus");
    let playing_since = started.elapsed().as_nanos() as u64;
    counter.last_frame_ns.store(playing_since, Ordering::SeqCst);
    let mut last_report = Instant::now();
    let total = end.map(|e| e - first);
    loop {
        if let Some(msg) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(100),
            &[
                gst::MessageType::Eos,
                gst::MessageType::Error,
                gst::MessageType::Warning,
            ],
        ) {
            match msg.view() {
                gst::MessageView::Eos(_) => return Ok(()),
                gst::MessageView::Error(err) => {
                    return Err(Failure::from_bus(
                        Code::Runtime,
                        "error while rendering",
                        err,
                    ))
                }
                gst::MessageView::Warning(w) => eprintln!(
                    "{TOOL}: warning: {}: {}",
                    w.src()
                        .map(|s| s.path_string().to_string())
                        .unwrap_or_default(),
                    w.error()
                ),
                _ => {}
            }
        }
        let now = started.elapsed();
        if let Some(limit) = args.timeout {
            if now.as_secs_f64() > limit {
                return Err(Failure::new(
                    Code::Timeout,
                    format!(
                        "not done after {limit} s (--timeout): {} frames rendered",
                        counter.frames.load(Ordering::SeqCst)
                    ),
                ));
            }
        }
        let idle = Duration::from_nanos(
            (now.as_nanos() as u64).saturating_sub(counter.last_frame_ns.load(Ordering::SeqCst)),
        );
        if args.stall_timeout > 0.0 && idle.as_secs_f64() > args.stall_timeout {
            return Err(Failure::new(
                Code::Timeout,
                format!(
                    "no frame reached the encoder for {} s (--stall-timeout) after {} frames: \
                     the pipeline is stuck",
                    args.stall_timeout,
                    counter.frames.load(Ordering::SeqCst)
                ),
            ));
        }
        if !args.quiet && last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            let done = counter.frames.load(Ordering::SeqCst);
            let secs = (now.as_nanos() as u64).saturating_sub(playing_since) as f64 / 1e9;
            let fps = done as f64 / secs.max(1e-9);
            match total {
                Some(t) => eprintln!(
                    "{TOOL}: frame {}/{t} ({:.0} %), {fps:.1} fps",
                    done,
                    100.0 * done as f64 / t.max(1) as f64
                ),
                None => eprintln!("{TOOL}: frame {done}, {fps:.1} fps"),
            }
        }
    }
}

/// Prerolls and returns the number of output frames of the whole pipeline (its duration on
/// the output's frame grid) and the output framerate.
pub fn frame_count(args: &RenderArgs) -> Result<(u64, (u64, u64)), Failure> {
    let pipeline = parse(&args.description)?;
    // Nothing is written: the file the description names is left as it is.
    let export = export(pipeline, Some("/dev/null"))?;
    let result = (|| {
        let (holds, grid) = preroll(&export, args)?;
        let pad = video_hold(&export);
        let duration = pad
            .peer_query_duration::<gst::ClockTime>()
            .or_else(|| export.pipeline.query_duration::<gst::ClockTime>());
        drop(holds);
        let duration = duration.ok_or_else(|| {
            Failure::new(
                Code::Runtime,
                "the pipeline does not know its duration (live or endless inputs): give the \
                 number of frames yourself",
            )
        })?;
        Ok((grid.frames_in(duration.nseconds()), grid.rate()))
    })();
    let _ = export.pipeline.set_state(gst::State::Null);
    result
}

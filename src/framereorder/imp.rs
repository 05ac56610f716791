//! The `framereorder` element: sink pads insert frames into the reorder window from their own
//! streaming threads; a task on the source pad releases them in order and pushes them, so that
//! one thread alone pushes downstream and order is kept without holding a lock while pushing.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use once_cell::sync::Lazy;

use super::{LatePolicy, MissingPolicy};
use crate::reorder::{self, Admission, Released, ReorderWindow};

static CAT: Lazy<gst::DebugCategory> = Lazy::new(|| {
    gst::DebugCategory::new(
        "framereorder",
        gst::DebugColorFlags::empty(),
        Some("Frame reorder"),
    )
});

const DEFAULT_MAX_FRAMES: u32 = 16;
const MAX_MAX_FRAMES: u32 = 4096;
const DEFAULT_MAX_LATENCY: gst::ClockTime = gst::ClockTime::ZERO;
const DEFAULT_MISSING_POLICY: MissingPolicy = MissingPolicy::Skip;
const DEFAULT_LATE_POLICY: LatePolicy = LatePolicy::Drop;

#[derive(Debug, Clone, Copy)]
struct Settings {
    max_frames: u32,
    max_latency: gst::ClockTime,
    missing_policy: MissingPolicy,
    late_policy: LatePolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_frames: DEFAULT_MAX_FRAMES,
            max_latency: DEFAULT_MAX_LATENCY,
            missing_policy: DEFAULT_MISSING_POLICY,
            late_policy: DEFAULT_LATE_POLICY,
        }
    }
}

impl From<LatePolicy> for reorder::LatePolicy {
    fn from(p: LatePolicy) -> Self {
        match p {
            LatePolicy::Drop => reorder::LatePolicy::Drop,
            LatePolicy::Forward => reorder::LatePolicy::Forward,
        }
    }
}

/// What the element knows of one sink pad.
#[derive(Debug)]
struct PadState {
    pad: gst::Pad,
    /// Delivered a buffer since start or the last flush.
    delivered: bool,
    eos: bool,
    /// Its streaming thread waits for room in the window.
    blocked: bool,
    flushing: bool,
}

/// Something the source pad task pushes, in this order.
#[derive(Debug)]
enum Output {
    Event(gst::Event),
    Buffer(gst::Buffer),
}

#[derive(Debug)]
struct State {
    window: ReorderWindow<gst::Buffer>,
    pads: BTreeMap<String, PadState>,
    /// What left the window (and serialized events, in their place) for the task to push.
    out: VecDeque<Output>,
    /// Buffers in `out`: they count against the window's capacity until pushed.
    out_buffers: usize,
    stream_start_seen: bool,
    caps: Option<gst::Caps>,
    segment: Option<gst::FormattedSegment<gst::ClockTime>>,
    tags_sent: Vec<gst::TagList>,
    /// A sink pad waits until the window is empty (caps or segment change on one pad).
    drain_requested: bool,
    flushing: bool,
    eos_sent: bool,
    /// Last result of pushing downstream; an error is returned to every sink pad.
    flow: Result<gst::FlowSuccess, gst::FlowError>,
    live: bool,
    epoch: Instant,
}

impl Default for State {
    fn default() -> Self {
        Self {
            window: ReorderWindow::new(
                DEFAULT_MAX_FRAMES as usize,
                reorder::LatePolicy::from(DEFAULT_LATE_POLICY),
            ),
            pads: BTreeMap::new(),
            out: VecDeque::new(),
            out_buffers: 0,
            stream_start_seen: false,
            caps: None,
            segment: None,
            tags_sent: Vec::new(),
            drain_requested: false,
            flushing: true,
            eos_sent: false,
            flow: Ok(gst::FlowSuccess::Ok),
            live: false,
            epoch: Instant::now(),
        }
    }
}

impl State {
    /// Pads that can still bring frames: linked upstream and not at EOS.
    fn active_pads(&self) -> impl Iterator<Item = &PadState> {
        self.pads.values().filter(|p| !p.eos && p.pad.is_linked())
    }

    fn all_eos(&self) -> bool {
        let mut linked = self.pads.values().filter(|p| p.pad.is_linked()).peekable();
        linked.peek().is_some() && linked.all(|p| p.eos)
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Whether a frame with `key` may go into the window now, or must wait for room.
    fn has_room_for(&self, key: u64) -> bool {
        let w = &self.window;
        let full = w.len() + self.out_buffers >= w.capacity();
        if !full || w.contains(key) || w.last_out().is_some_and(|last| key <= last) {
            return true;
        }
        // A frame before everything held can only bring progress closer; allow it past the
        // capacity, within a hard bound so the window never grows without limit.
        w.head_key().is_some_and(|head| key < head) && w.len() < 2 * w.capacity()
    }
}

pub struct FrameReorder {
    srcpad: gst::Pad,
    settings: Mutex<Settings>,
    state: Mutex<State>,
    /// The source pad task waits here for frames to release.
    task_cond: Condvar,
    /// Sink pads wait here for room in the window, and for a drain to finish.
    room_cond: Condvar,
}

impl FrameReorder {
    fn lock_state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic already posted an error; keep the data usable to shut down.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake_all(&self) {
        self.task_cond.notify_all();
        self.room_cond.notify_all();
    }

    fn settings(&self) -> Settings {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The longest a frame may wait in a live pipeline: `max-latency`, or by default the time the
    /// window spans at the stream's frame rate.
    fn effective_latency(&self, state: &State) -> Option<gst::ClockTime> {
        let s = self.settings();
        if s.max_latency > gst::ClockTime::ZERO {
            return Some(s.max_latency);
        }
        state.window.frame_duration().map(|d| {
            let ns = d.saturating_mul(u64::from(s.max_frames));
            gst::ClockTime::from_nseconds(ns.min(gst::ClockTime::MAX.nseconds()))
        })
    }

    fn sink_chain(
        &self,
        pad: &gst::Pad,
        buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let Some(ts) = buffer.pts().or_else(|| buffer.dts()) else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                (
                    "Buffer without timestamp on {}: frames cannot be ordered without a PTS",
                    pad.name()
                )
            );
            return Err(gst::FlowError::Error);
        };
        let key = ts.nseconds();
        let mut state = self.lock_state();
        let name = pad.name();
        match state.pads.get_mut(name.as_str()) {
            Some(p) => p.delivered = true,
            None => return Err(gst::FlowError::Flushing),
        }
        loop {
            state.flow?;
            let p = state
                .pads
                .get(name.as_str())
                .ok_or(gst::FlowError::Flushing)?;
            if state.flushing || p.flushing {
                return Err(gst::FlowError::Flushing);
            }
            if state.has_room_for(key) {
                break;
            }
            gst::trace!(CAT, obj = pad, "window full, waiting to insert {}", ts);
            Self::set_blocked(&mut state, &name, true);
            self.task_cond.notify_one();
            state = self
                .room_cond
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            Self::set_blocked(&mut state, &name, false);
        }

        let now = state.now();
        let duration = buffer.duration().map(|d| d.nseconds());
        match state.window.push(key, duration, now, buffer) {
            Admission::Held => gst::trace!(CAT, obj = pad, "holding frame {}", ts),
            Admission::ForwardLate(buffer) => {
                gst::debug!(CAT, obj = pad, "forwarding late frame {}", ts);
                state.out.push_back(Output::Buffer(buffer));
                state.out_buffers += 1;
            }
            Admission::DroppedLate(_) => {
                gst::debug!(
                    CAT,
                    obj = pad,
                    "dropping late frame {} (late-policy=drop)",
                    ts
                )
            }
            Admission::DroppedDuplicate(_) => {
                gst::debug!(CAT, obj = pad, "dropping duplicate frame {}", ts)
            }
        }
        self.release(&mut state);
        self.task_cond.notify_one();
        state.flow
    }

    fn set_blocked(state: &mut State, name: &str, blocked: bool) {
        if let Some(p) = state.pads.get_mut(name) {
            p.blocked = blocked;
        }
    }

    /// Waits until the window is empty; used before a caps or segment change on a single pad so
    /// that frames of the old stream leave before the new event.
    fn drain_window<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        while !state.window.is_empty() && !state.flushing && state.flow.is_ok() {
            state.drain_requested = true;
            self.task_cond.notify_one();
            state = self
                .room_cond
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        state.drain_requested = false;
        state
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        use gst::EventView;
        gst::log!(CAT, obj = pad, "handling event {:?}", event);
        match event.view() {
            EventView::FlushStart(_) => self.flush_start(pad, event),
            EventView::FlushStop(_) => self.flush_stop(pad, event),
            EventView::StreamStart(_) => {
                let mut state = self.lock_state();
                if !state.stream_start_seen {
                    state.stream_start_seen = true;
                    self.queue_event(&mut state, event);
                }
                true
            }
            EventView::Caps(c) => {
                let caps = c.caps_owned();
                self.set_caps(pad, caps, event)
            }
            EventView::Segment(s) => {
                let Ok(segment) = s.segment().clone().downcast::<gst::ClockTime>() else {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Format,
                        (
                            "framereorder needs a TIME segment, got {:?}",
                            s.segment().format()
                        )
                    );
                    return false;
                };
                self.set_segment(pad, segment, event)
            }
            EventView::Tag(t) => {
                let tags = t.tag().to_owned();
                let mut state = self.lock_state();
                if !state.tags_sent.contains(&tags) {
                    state.tags_sent.push(tags);
                    self.queue_event(&mut state, event);
                }
                true
            }
            EventView::Eos(_) => {
                let mut state = self.lock_state();
                if let Some(p) = state.pads.get_mut(pad.name().as_str()) {
                    p.eos = true;
                }
                gst::debug!(CAT, obj = pad, "EOS; all pads at EOS: {}", state.all_eos());
                self.wake_all();
                true
            }
            EventView::Gap(_) => {
                // Upstream's gaps say nothing about order here; the window reports its own.
                true
            }
            _ if event.is_serialized() => {
                let mut state = self.lock_state();
                self.queue_event(&mut state, event);
                true
            }
            _ => gst::Pad::event_default(pad, Some(&*self.obj()), event),
        }
    }

    fn set_caps(&self, pad: &gst::Pad, caps: gst::Caps, event: gst::Event) -> bool {
        let mut state = self.lock_state();
        if let Some(current) = &state.caps {
            if *current == caps {
                return true;
            }
            if state.pads.len() > 1 {
                let current = current.clone();
                drop(state);
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ("Caps of {} disagree with those of the other pads: {} has {}, but the stream has {}", pad.name(), pad.name(), caps, current)
                );
                return false;
            }
            state = self.drain_window(state);
        }
        gst::debug!(CAT, obj = pad, "caps {}", caps);
        let duration = gst_video::VideoInfo::from_caps(&caps)
            .ok()
            .map(|i| i.fps())
            .filter(|f| f.numer() > 0 && f.denom() > 0)
            .and_then(|f| gst::ClockTime::SECOND.mul_div_floor(f.denom() as u64, f.numer() as u64))
            .map(|d| d.nseconds());
        state.window.set_frame_duration(duration);
        state.caps = Some(caps);
        self.queue_event(&mut state, event);
        true
    }

    fn set_segment(
        &self,
        pad: &gst::Pad,
        segment: gst::FormattedSegment<gst::ClockTime>,
        event: gst::Event,
    ) -> bool {
        let mut state = self.lock_state();
        if let Some(current) = &state.segment {
            if *current == segment {
                return true;
            }
            if state.pads.len() > 1 {
                gst::warning!(
                    CAT,
                    obj = pad,
                    "ignoring segment {:?}: pads must share one segment ({:?})",
                    segment,
                    current
                );
                return true;
            }
            // A new segment on the one pad starts a new run of timestamps: let the old one out.
            state = self.drain_window(state);
            state.window.reset();
        }
        if segment.rate() < 0.0 {
            gst::element_imp_error!(
                self,
                gst::StreamError::NotImplemented,
                ("framereorder orders timestamps ascending: reverse playback (rate {}) is not supported", segment.rate())
            );
            return false;
        }
        gst::debug!(CAT, obj = pad, "segment {:?}", segment);
        state
            .window
            .set_anchor(segment.start().map(|s| s.nseconds()));
        state.segment = Some(segment);
        self.queue_event(&mut state, event);
        true
    }

    fn flush_start(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        let mut state = self.lock_state();
        if let Some(p) = state.pads.get_mut(pad.name().as_str()) {
            p.flushing = true;
        }
        let first = !state.flushing;
        state.flushing = true;
        self.wake_all();
        drop(state);
        if first {
            gst::debug!(CAT, obj = pad, "flush start");
            self.srcpad.push_event(event);
            let _ = self.srcpad.pause_task();
        }
        true
    }

    fn flush_stop(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        let mut state = self.lock_state();
        if let Some(p) = state.pads.get_mut(pad.name().as_str()) {
            p.flushing = false;
        }
        if !state.flushing || state.pads.values().any(|p| p.flushing) {
            return true;
        }
        gst::debug!(CAT, obj = pad, "flush stop: emptying the window");
        self.reset_stream(&mut state);
        state.flushing = false;
        drop(state);
        self.srcpad.push_event(event);
        self.start_task().is_ok()
    }

    /// Forgets the stream position and held frames (start, flush); counters stay.
    fn reset_stream(&self, state: &mut State) {
        let s = self.settings();
        state.window.reset();
        state.window.set_capacity(s.max_frames as usize);
        state.window.set_late_policy(s.late_policy.into());
        // Stream-start and caps not pushed yet still apply after a flush; buffers and segments don't.
        state.out.retain(|o| {
            matches!(o, Output::Event(e) if e.is_sticky() && e.type_() != gst::EventType::Segment)
        });
        state.out_buffers = 0;
        state.segment = None;
        state.eos_sent = false;
        state.drain_requested = false;
        state.flow = Ok(gst::FlowSuccess::Ok);
        for p in state.pads.values_mut() {
            p.delivered = false;
            p.eos = false;
            p.blocked = false;
            p.flushing = false;
        }
    }

    /// Whether the head must leave now although it is not the next expected frame.
    fn must_force(&self, state: &State) -> bool {
        if state.window.is_empty() {
            return false;
        }
        if state.drain_requested || state.all_eos() {
            return true;
        }
        let mut active = state.active_pads().peekable();
        if active.peek().is_none() {
            return true;
        }
        if state.window.awaiting_first()
            && state.active_pads().count() > 1
            && state.active_pads().all(|p| p.delivered)
        {
            // Several pads: once each has delivered, the smallest frame held is the first.
            return true;
        }
        if state.window.is_full() && state.active_pads().all(|p| p.blocked) {
            // Every pad that could bring the missing frame is itself waiting for room.
            return true;
        }
        self.deadline(state).is_some_and(|d| d == Duration::ZERO)
    }

    /// In live pipelines, how long until the oldest held frame has waited its `max-latency`.
    fn deadline(&self, state: &State) -> Option<Duration> {
        if !state.live {
            return None;
        }
        let latency = self.effective_latency(state)?.nseconds();
        let due = state.window.oldest_arrival()?.saturating_add(latency);
        Some(Duration::from_nanos(due.saturating_sub(state.now())))
    }

    /// Queues a serialized event behind every frame that may leave now, so it keeps its place.
    fn queue_event(&self, state: &mut State, event: gst::Event) {
        self.release(state);
        state.out.push_back(Output::Event(event));
        self.task_cond.notify_one();
    }

    /// Moves every frame that may leave now (in order, forced where waiting cannot help) to the
    /// output queue, with GAP events as the missing-policy says, and EOS once all is out.
    fn release(&self, state: &mut State) {
        let policy = self.settings().missing_policy;
        loop {
            let released = match state.window.pop_ready() {
                Some(r) => r,
                None if self.must_force(state) => match state.window.pop_forced() {
                    Some(r) => r,
                    None => break,
                },
                None => break,
            };
            let Released { key, item, gap } = released;
            if let Some(gap) = gap {
                gst::debug!(
                    CAT,
                    imp = self,
                    "{} frame(s) missing before {}",
                    gap.frames,
                    gst::ClockTime::from_nseconds(key)
                );
                if policy == MissingPolicy::GapEvent {
                    state.out.push_back(Output::Event(
                        gst::event::Gap::builder(gst::ClockTime::from_nseconds(gap.start))
                            .duration(gst::ClockTime::from_nseconds(gap.duration))
                            .build(),
                    ));
                }
            }
            state.out.push_back(Output::Buffer(item));
            state.out_buffers += 1;
        }
        if state.window.is_empty() && state.all_eos() && !state.eos_sent {
            state.eos_sent = true;
            state.out.push_back(Output::Event(gst::event::Eos::new()));
        }
    }

    fn src_loop(&self) {
        let out = {
            let mut state = self.lock_state();
            loop {
                if state.flushing || state.flow.is_err() {
                    drop(state);
                    let _ = self.srcpad.pause_task();
                    return;
                }
                self.release(&mut state);
                if !state.out.is_empty() {
                    break;
                }
                if state.eos_sent {
                    drop(state);
                    let _ = self.srcpad.pause_task();
                    return;
                }
                state = match self.deadline(&state) {
                    Some(d) => {
                        self.task_cond
                            .wait_timeout(state, d)
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                    None => self
                        .task_cond
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner()),
                };
            }
            // Room was made in the window: wake sink pads waiting for it.
            state.out_buffers = 0;
            if state.drain_requested || state.pads.values().any(|p| p.blocked) {
                self.room_cond.notify_all();
            }
            std::mem::take(&mut state.out)
        };
        for o in out {
            let res = match o {
                Output::Buffer(b) => self.srcpad.push(b),
                Output::Event(e) => {
                    let type_ = e.type_();
                    if !self.srcpad.push_event(e) {
                        gst::debug!(CAT, imp = self, "downstream refused {:?}", type_);
                    }
                    Ok(gst::FlowSuccess::Ok)
                }
            };
            if let Err(err) = res {
                self.handle_flow_error(err);
                return;
            }
        }
    }

    fn handle_flow_error(&self, err: gst::FlowError) {
        gst::debug!(CAT, imp = self, "pushing downstream returned {:?}", err);
        let mut state = self.lock_state();
        state.flow = Err(err);
        self.wake_all();
        drop(state);
        if err == gst::FlowError::Flushing {
            return;
        }
        if err != gst::FlowError::Eos {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("Internal data stream error."),
                ["streaming stopped, reason {:?}", err]
            );
            self.srcpad.push_event(gst::event::Eos::new());
        }
        let _ = self.srcpad.pause_task();
    }

    fn start_task(&self) -> Result<(), glib::BoolError> {
        let this = self.ref_counted();
        self.srcpad.start_task(move || this.src_loop())
    }

    fn src_activate_mode(&self, active: bool) -> Result<(), gst::LoggableError> {
        let mut state = self.lock_state();
        if active {
            self.reset_stream(&mut state);
            state.window.reset_stats();
            state.out.clear();
            state.stream_start_seen = false;
            state.caps = None;
            state.tags_sent.clear();
            state.live = false;
            state.flushing = false;
            drop(state);
            self.start_task()
                .map_err(|e| gst::loggable_error!(CAT, "failed to start task: {}", e))
        } else {
            state.flushing = true;
            self.wake_all();
            drop(state);
            self.srcpad
                .stop_task()
                .map_err(|e| gst::loggable_error!(CAT, "failed to stop task: {}", e))
        }
    }

    fn sink_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Allocation(q) => {
                if !self.srcpad.peer_query(q.query_mut()) {
                    return false;
                }
                // Frames held in the window keep their buffers: pools upstream need that many more.
                let extra = self.settings().max_frames;
                let pools: Vec<_> = q.allocation_pools().collect();
                for (i, (pool, size, min, max)) in pools.into_iter().enumerate() {
                    let max = if max == 0 {
                        0
                    } else {
                        max.saturating_add(extra)
                    };
                    q.set_nth_allocation_pool(
                        i as u32,
                        pool.as_ref(),
                        size,
                        min.saturating_add(extra),
                        max,
                    );
                }
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Latency(q) => {
                let sinkpads: Vec<gst::Pad> = self.obj().sink_pads();
                let mut live = false;
                let mut min = gst::ClockTime::ZERO;
                let mut max: Option<gst::ClockTime> = None;
                let mut any = false;
                for sinkpad in sinkpads.iter().filter(|p| p.is_linked()) {
                    let mut peer_q = gst::query::Latency::new();
                    if !sinkpad.peer_query(&mut peer_q) {
                        return false;
                    }
                    any = true;
                    let (l, mn, mx) = peer_q.result();
                    live |= l;
                    min = min.max(mn);
                    max = match (max, mx) {
                        (None, m) | (m, None) => m,
                        (Some(a), Some(b)) => Some(a.min(b)),
                    };
                }
                if !any {
                    return false;
                }
                let mut state = self.lock_state();
                state.live = live;
                let ours = if live {
                    self.effective_latency(&state)
                        .unwrap_or(gst::ClockTime::ZERO)
                } else {
                    gst::ClockTime::ZERO
                };
                self.task_cond.notify_one();
                drop(state);
                gst::debug!(CAT, obj = pad, "latency: live {} + {}", live, ours);
                // Saturating: a max-latency near the end of time must not wrap around.
                q.set(
                    live,
                    min.saturating_add(ours),
                    max.map(|m| m.saturating_add(ours)),
                );
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn stats(&self) -> gst::Structure {
        let s = self.lock_state().window.stats();
        gst::Structure::builder("framereorder-stats")
            .field("in", s.frames_in)
            .field("out", s.frames_out)
            .field("reordered", s.reordered)
            .field("late", s.late)
            .field("duplicates", s.duplicates)
            .field("missing", s.missing)
            .field("max-window-depth", s.max_depth)
            .build()
    }
}

#[glib::object_subclass]
impl ObjectSubclass for FrameReorder {
    const NAME: &'static str = "GstFrameReorder";
    type Type = super::FrameReorder;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass
            .pad_template("src")
            .expect("framereorder has a src pad template");
        let srcpad = gst::Pad::builder_from_template(&templ)
            .activatemode_function(|pad, parent, mode, active| {
                FrameReorder::catch_panic_pad_function(
                    parent,
                    || Err(gst::loggable_error!(CAT, "panic activating {}", pad.name())),
                    |imp| match mode {
                        gst::PadMode::Push => imp.src_activate_mode(active),
                        _ => Err(gst::loggable_error!(CAT, "only push mode is supported")),
                    },
                )
            })
            .query_function(|pad, parent, query| {
                FrameReorder::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS)
            .build();
        Self {
            srcpad,
            settings: Mutex::new(Settings::default()),
            state: Mutex::new(State::default()),
            task_cond: Condvar::new(),
            room_cond: Condvar::new(),
        }
    }
}

impl ObjectImpl for FrameReorder {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: Lazy<Vec<glib::ParamSpec>> = Lazy::new(|| {
            vec![
                glib::ParamSpecUInt::builder("max-frames")
                    .nick("Maximum frames")
                    .blurb("Size of the reorder window in frames: how far out of order a frame may arrive. \
                            When the window is full and waiting cannot bring the next frame, progress is forced \
                            (see missing-policy); with several pads a full window makes the pad that would \
                            overflow it wait")
                    .minimum(1)
                    .maximum(MAX_MAX_FRAMES)
                    .default_value(DEFAULT_MAX_FRAMES)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("max-latency")
                    .nick("Maximum latency")
                    .blurb("In live pipelines, the longest a frame may wait for the frames before it (ns), \
                            also the latency this element adds; 0 = max-frames frame durations")
                    .maximum(u64::MAX - 1)
                    .default_value(DEFAULT_MAX_LATENCY.nseconds())
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("missing-policy", DEFAULT_MISSING_POLICY)
                    .nick("Missing policy")
                    .blurb("When progress is forced past frames that never arrived: skip them, or push a GAP \
                            event for their time range")
                    .mutable_playing()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("late-policy", DEFAULT_LATE_POLICY)
                    .nick("Late policy")
                    .blurb("A frame older than one that already left: drop it, or forward it at once out of order")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoxed::builder::<gst::Structure>("stats")
                    .nick("Statistics")
                    .blurb("Frame counts since start: in, out, reordered (arrived after a later frame), late, \
                            duplicates (dropped), missing (skipped slots), max-window-depth")
                    .read_only()
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut settings = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        match pspec.name() {
            "max-frames" => {
                settings.max_frames = value.get().expect("type checked upstream");
            }
            "max-latency" => {
                // u64::MAX is GST_CLOCK_TIME_NONE: the largest time is one less.
                let ns: u64 = value.get().expect("type checked upstream");
                settings.max_latency =
                    gst::ClockTime::from_nseconds(ns.min(gst::ClockTime::MAX.nseconds()));
            }
            "missing-policy" => {
                settings.missing_policy = value.get().expect("type checked upstream");
            }
            "late-policy" => {
                settings.late_policy = value.get().expect("type checked upstream");
            }
            other => unimplemented!("property {other}"),
        }
        gst::info!(CAT, imp = self, "{} set to {:?}", pspec.name(), value);
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let settings = self.settings();
        match pspec.name() {
            "max-frames" => settings.max_frames.to_value(),
            "max-latency" => settings.max_latency.nseconds().to_value(),
            "missing-policy" => settings.missing_policy.to_value(),
            "late-policy" => settings.late_policy.to_value(),
            "stats" => self.stats().to_value(),
            other => unimplemented!("property {other}"),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        self.obj()
            .add_pad(&self.srcpad)
            .expect("adding the src pad to a new element");
    }
}

impl GstObjectImpl for FrameReorder {}

impl ElementImpl for FrameReorder {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: Lazy<gst::subclass::ElementMetadata> = Lazy::new(|| {
            gst::subclass::ElementMetadata::new(
                "Frame reorder",
                "Generic/Video",
                concat!(
                    "Restores ascending timestamp order of frames that arrive out of order (after \
                     parallel branches, funnel, roundrobin), merging any number of sink pads, with a \
                     bounded window and explicit policies for late, duplicate and missing frames. \
                     Example: ",
                    include_str!("example-pipeline.txt")
                ),
                "parallelcompositor developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: Lazy<Vec<gst::PadTemplate>> = Lazy::new(|| {
            let caps = gst::Caps::new_any();
            vec![
                gst::PadTemplate::new(
                    "src",
                    gst::PadDirection::Src,
                    gst::PadPresence::Always,
                    &caps,
                )
                .expect("valid src template"),
                gst::PadTemplate::new(
                    "sink_%u",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Request,
                    &caps,
                )
                .expect("valid sink template"),
            ]
        });
        PAD_TEMPLATES.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        _caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let mut state = self.lock_state();
        let name = match name {
            Some(n) => {
                if state.pads.contains_key(n) {
                    gst::warning!(CAT, imp = self, "pad {} already exists", n);
                    return None;
                }
                n.to_string()
            }
            None => (0..)
                .map(|i| format!("sink_{i}"))
                .find(|n| !state.pads.contains_key(n))?,
        };
        let pad = gst::Pad::builder_from_template(templ)
            .name(name.as_str())
            .chain_function(|pad, parent, buffer| {
                FrameReorder::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                FrameReorder::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                FrameReorder::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS)
            .build();
        state.pads.insert(
            name,
            PadState {
                pad: pad.clone(),
                delivered: false,
                eos: false,
                blocked: false,
                flushing: false,
            },
        );
        drop(state);
        // add_pad activates the pad when the element is already running.
        if self.obj().add_pad(&pad).is_err() {
            self.lock_state().pads.remove(pad.name().as_str());
            return None;
        }
        Some(pad)
    }

    fn release_pad(&self, pad: &gst::Pad) {
        let mut state = self.lock_state();
        state.pads.remove(pad.name().as_str());
        self.wake_all();
        drop(state);
        let _ = pad.set_active(false);
        let _ = self.obj().remove_pad(pad);
    }
}

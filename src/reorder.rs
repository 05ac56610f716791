//! The reorder window: frames keyed by timestamp go in in any order and come out ascending.
//!
//! Pure logic, free of GStreamer and GPU types, so that it can be tested directly and shared by
//! `framereorder` (frames arriving from upstream) and `parallelcompositor` (frames finishing on workers).
//!
//! Keys are timestamps in nanoseconds. The next expected frame is `last output + frame duration`
//! (the nominal duration when one is known, else the duration of the frame that left last); a held
//! frame within half a frame duration of that point is "next" and may leave. When the caller decides
//! that waiting cannot help (the window is full, a deadline passed, EOS), it forces the head out and
//! the window reports the range that was skipped.

use std::collections::BTreeMap;

/// What to do with a frame older than one that has already left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatePolicy {
    /// Drop it (counted in [`ReorderStats::late`]).
    #[default]
    Drop,
    /// Hand it back to be output at once, out of order (counted as late and as output).
    Forward,
}

/// Counters of what the window saw. All counts are frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReorderStats {
    /// Frames offered to the window (late and duplicate ones included).
    pub frames_in: u64,
    /// Frames released in order, plus late frames forwarded.
    pub frames_out: u64,
    /// Frames that arrived after a frame with a later timestamp.
    pub reordered: u64,
    /// Frames older than the last released one.
    pub late: u64,
    /// Frames whose timestamp was already held or had just left; always dropped.
    pub duplicates: u64,
    /// Frame slots skipped when progress was forced past frames that had not arrived.
    pub missing: u64,
    /// Largest number of frames held at once.
    pub max_depth: u64,
}

/// Outcome of offering a frame to the window.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission<T> {
    /// The frame is held until its turn.
    Held,
    /// The frame is older than what has left and the policy is [`LatePolicy::Forward`]: output it now.
    ForwardLate(T),
    /// The frame is older than what has left and the policy is [`LatePolicy::Drop`].
    DroppedLate(T),
    /// A frame with this timestamp is held or has just left; the new one is dropped.
    DroppedDuplicate(T),
}

/// A range of the timeline skipped because its frames never arrived in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// Where the missing range starts (the expected timestamp).
    pub start: u64,
    /// Length of the missing range, up to the frame that left.
    pub duration: u64,
    /// Number of frame slots in the range (at least 1).
    pub frames: u64,
}

/// A frame leaving the window.
#[derive(Debug, PartialEq, Eq)]
pub struct Released<T> {
    /// The frame's timestamp.
    pub key: u64,
    /// The frame.
    pub item: T,
    /// Frames that were expected before this one and never arrived (only when progress was forced).
    pub gap: Option<Gap>,
}

#[derive(Debug)]
struct Held<T> {
    item: T,
    duration: Option<u64>,
    arrival: u64,
}

/// A bounded window that restores ascending key order.
///
/// The window does not enforce its capacity by itself: callers check [`ReorderWindow::is_full`]
/// and either wait (another producer may bring the missing frame) or force progress with
/// [`ReorderWindow::pop_forced`].
#[derive(Debug)]
pub struct ReorderWindow<T> {
    capacity: usize,
    late_policy: LatePolicy,
    frame_duration: Option<u64>,
    anchor: Option<u64>,
    held: BTreeMap<u64, Held<T>>,
    last_out: Option<(u64, Option<u64>)>,
    max_key_in: Option<u64>,
    stats: ReorderStats,
}

impl<T> ReorderWindow<T> {
    /// A window that holds up to `capacity` frames (at least 1).
    pub fn new(capacity: usize, late_policy: LatePolicy) -> Self {
        Self {
            capacity: capacity.max(1),
            late_policy,
            frame_duration: None,
            anchor: None,
            held: BTreeMap::new(),
            last_out: None,
            max_key_in: None,
            stats: ReorderStats::default(),
        }
    }

    /// Changes the capacity; frames already held stay.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
    }

    /// The capacity in frames.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes the late policy for frames offered from now on.
    pub fn set_late_policy(&mut self, policy: LatePolicy) {
        self.late_policy = policy;
    }

    /// The nominal frame duration (from a framerate), used before per-frame durations.
    pub fn set_frame_duration(&mut self, duration: Option<u64>) {
        self.frame_duration = duration.filter(|d| *d > 0);
    }

    /// The nominal frame duration, if one was set.
    pub fn frame_duration(&self) -> Option<u64> {
        self.frame_duration
    }

    /// Where the first frame is expected (e.g. the segment start). A held frame at or before it
    /// (within half a frame) may leave first without waiting for the window to fill.
    pub fn set_anchor(&mut self, anchor: Option<u64>) {
        self.anchor = anchor;
    }

    /// Number of frames held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether no frame is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether the window holds `capacity` frames or more.
    pub fn is_full(&self) -> bool {
        self.held.len() >= self.capacity
    }

    /// Whether a frame with this key is held.
    pub fn contains(&self, key: u64) -> bool {
        self.held.contains_key(&key)
    }

    /// The smallest key held.
    pub fn head_key(&self) -> Option<u64> {
        self.held.keys().next().copied()
    }

    /// The key of the last frame released in order.
    pub fn last_out(&self) -> Option<u64> {
        self.last_out.map(|(k, _)| k)
    }

    /// Whether no frame has left yet since creation or the last [`ReorderWindow::reset`].
    pub fn awaiting_first(&self) -> bool {
        self.last_out.is_none()
    }

    /// The counters.
    pub fn stats(&self) -> ReorderStats {
        self.stats
    }

    /// The earliest arrival time among held frames (for deadlines).
    pub fn oldest_arrival(&self) -> Option<u64> {
        self.held.values().map(|h| h.arrival).min()
    }

    /// Step from the last released frame to the next expected one, if known.
    fn step(&self) -> Option<u64> {
        self.frame_duration
            .or_else(|| self.last_out.and_then(|(_, d)| d))
            .filter(|d| *d > 0)
    }

    /// The timestamp where the next frame is expected, if it can be known.
    pub fn expected(&self) -> Option<u64> {
        match self.last_out {
            Some((k, _)) => self.step().map(|s| k.saturating_add(s)),
            None => self.anchor,
        }
    }

    /// Offers a frame with timestamp `key`, optional `duration` and `arrival` time (any monotonic
    /// clock, used only by [`ReorderWindow::oldest_arrival`]).
    pub fn push(&mut self, key: u64, duration: Option<u64>, arrival: u64, item: T) -> Admission<T> {
        self.stats.frames_in += 1;
        if let Some((last, _)) = self.last_out {
            if key == last {
                self.stats.duplicates += 1;
                return Admission::DroppedDuplicate(item);
            }
            if key < last {
                self.stats.late += 1;
                return match self.late_policy {
                    LatePolicy::Drop => Admission::DroppedLate(item),
                    LatePolicy::Forward => {
                        self.stats.frames_out += 1;
                        Admission::ForwardLate(item)
                    }
                };
            }
        }
        if self.held.contains_key(&key) {
            self.stats.duplicates += 1;
            return Admission::DroppedDuplicate(item);
        }
        match self.max_key_in {
            Some(max) if key < max => self.stats.reordered += 1,
            _ => self.max_key_in = Some(key),
        }
        self.held.insert(
            key,
            Held {
                item,
                duration,
                arrival,
            },
        );
        self.stats.max_depth = self.stats.max_depth.max(self.held.len() as u64);
        Admission::Held
    }

    /// Whether the head may leave without forcing: it is the next expected frame.
    pub fn head_ready(&self) -> bool {
        let Some(head) = self.head_key() else {
            return false;
        };
        let half = self.step().map_or(0, |s| s / 2);
        match self.expected() {
            Some(expected) => head <= expected.saturating_add(half),
            // First frame without an anchor, or no known duration: only forcing releases it.
            None => false,
        }
    }

    /// Releases the head if it is the next expected frame.
    pub fn pop_ready(&mut self) -> Option<Released<T>> {
        if self.head_ready() {
            self.pop_head()
        } else {
            None
        }
    }

    /// Releases the head whether or not it is the next expected frame; the frames skipped on the
    /// way are counted as missing and reported as a [`Gap`]. Use when waiting cannot help.
    pub fn pop_forced(&mut self) -> Option<Released<T>> {
        self.pop_head()
    }

    fn pop_head(&mut self) -> Option<Released<T>> {
        let (key, held) = self.held.pop_first()?;
        let gap = self.gap_before(key);
        if let Some(gap) = gap {
            self.stats.missing += gap.frames;
        }
        self.stats.frames_out += 1;
        self.last_out = Some((key, held.duration.or(self.frame_duration)));
        Some(Released {
            key,
            item: held.item,
            gap,
        })
    }

    /// The missing range between the expected timestamp and `key`, if any whole frame fits in it.
    fn gap_before(&self, key: u64) -> Option<Gap> {
        // Nothing is missing before the first frame: where the stream starts is not known.
        self.last_out?;
        let step = self.step()?;
        let expected = self.expected()?;
        let half = step / 2;
        if key <= expected.saturating_add(half) {
            return None;
        }
        let duration = key - expected;
        let frames = ((duration + half) / step).max(1);
        Some(Gap {
            start: expected,
            duration,
            frames,
        })
    }

    /// Releases every held frame in order (EOS): forced where frames are missing.
    pub fn drain(&mut self) -> impl Iterator<Item = Released<T>> + '_ {
        std::iter::from_fn(move || self.pop_forced())
    }

    /// Forgets every held frame and where the stream was (flush); the counters stay.
    pub fn reset(&mut self) {
        self.held.clear();
        self.last_out = None;
        self.max_key_in = None;
        self.anchor = None;
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&mut self) {
        self.stats = ReorderStats::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: u64 = 40;

    fn window(cap: usize) -> ReorderWindow<u64> {
        let mut w = ReorderWindow::new(cap, LatePolicy::Drop);
        w.set_frame_duration(Some(D));
        w.set_anchor(Some(0));
        w
    }

    fn ready_keys(w: &mut ReorderWindow<u64>) -> Vec<u64> {
        std::iter::from_fn(|| w.pop_ready())
            .map(|r| r.key)
            .collect()
    }

    #[test]
    fn in_order_frames_pass_at_once() {
        let mut w = window(4);
        for i in 0..10 {
            assert_eq!(w.push(i * D, None, 0, i), Admission::Held);
            assert_eq!(ready_keys(&mut w), vec![i * D]);
        }
        let s = w.stats();
        assert_eq!(
            (s.frames_in, s.frames_out, s.reordered, s.max_depth),
            (10, 10, 0, 1)
        );
    }

    #[test]
    fn swapped_pair_is_restored() {
        let mut w = window(4);
        w.push(D, None, 0, 1);
        assert!(
            ready_keys(&mut w).is_empty(),
            "frame 1 must wait for frame 0"
        );
        w.push(0, None, 0, 0);
        assert_eq!(ready_keys(&mut w), vec![0, D]);
        assert_eq!(w.stats().reordered, 1);
    }

    #[test]
    fn rounding_of_timestamps_is_tolerated() {
        // 30 fps: 33_333_333 ns steps with PTS rounded per frame.
        let mut w = ReorderWindow::new(4, LatePolicy::Drop);
        w.set_frame_duration(Some(33_333_333));
        w.set_anchor(Some(0));
        let pts = |n: u64| n * 1_000_000_000 / 30;
        for n in [1, 0, 3, 2, 4] {
            w.push(pts(n), None, 0, n);
        }
        let out: Vec<u64> = std::iter::from_fn(|| w.pop_ready())
            .map(|r| r.item)
            .collect();
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn first_frame_waits_for_anchor() {
        let mut w = window(8);
        w.push(2 * D, None, 0, 2);
        w.push(D, None, 0, 1);
        assert!(ready_keys(&mut w).is_empty());
        w.push(0, None, 0, 0);
        assert_eq!(ready_keys(&mut w), vec![0, D, 2 * D]);
    }

    #[test]
    fn without_anchor_first_frame_needs_forcing() {
        let mut w = ReorderWindow::new(3, LatePolicy::Drop);
        w.set_frame_duration(Some(D));
        w.push(5 * D, None, 0, 5);
        w.push(4 * D, None, 0, 4);
        assert!(w.pop_ready().is_none());
        let first = w.pop_forced().unwrap();
        assert_eq!((first.key, first.gap), (4 * D, None));
        assert_eq!(ready_keys(&mut w), vec![5 * D]);
        assert_eq!(w.stats().missing, 0);
    }

    #[test]
    fn forcing_past_a_hole_reports_the_gap() {
        let mut w = window(3);
        w.push(0, None, 0, 0);
        assert_eq!(ready_keys(&mut w), vec![0]);
        w.push(3 * D, None, 0, 3);
        w.push(4 * D, None, 0, 4);
        assert!(w.pop_ready().is_none());
        let r = w.pop_forced().unwrap();
        assert_eq!(r.key, 3 * D);
        assert_eq!(
            r.gap,
            Some(Gap {
                start: D,
                duration: 2 * D,
                frames: 2
            })
        );
        assert_eq!(ready_keys(&mut w), vec![4 * D]);
        assert_eq!(w.stats().missing, 2);
    }

    #[test]
    fn late_and_duplicate_frames_follow_the_policy() {
        let mut w = window(4);
        w.push(0, None, 0, 0);
        w.push(D, None, 0, 1);
        assert_eq!(ready_keys(&mut w), vec![0, D]);
        w.push(3 * D, None, 0, 3);
        assert_eq!(w.push(3 * D, None, 0, 33), Admission::DroppedDuplicate(33));
        assert_eq!(w.push(D, None, 0, 11), Admission::DroppedDuplicate(11));
        assert_eq!(w.push(0, None, 0, 10), Admission::DroppedLate(10));
        w.set_late_policy(LatePolicy::Forward);
        assert_eq!(w.push(0, None, 0, 12), Admission::ForwardLate(12));
        let s = w.stats();
        assert_eq!((s.late, s.duplicates, s.frames_out), (2, 2, 3));
    }

    #[test]
    fn buffer_durations_are_used_without_nominal_duration() {
        let mut w = ReorderWindow::new(4, LatePolicy::Drop);
        w.set_anchor(Some(0));
        w.push(10, Some(10), 0, 1);
        w.push(0, Some(10), 0, 0);
        w.push(30, Some(10), 0, 3);
        assert_eq!(ready_keys(&mut w), vec![0, 10]);
        let r = w.pop_forced().unwrap();
        assert_eq!(r.gap.map(|g| (g.start, g.frames)), Some((20, 1)));
    }

    #[test]
    fn drain_releases_everything_in_order() {
        let mut w = window(8);
        for k in [5, 2, 7, 0, 1] {
            w.push(k * D, None, 0, k);
        }
        let out: Vec<u64> = w.drain().map(|r| r.item).collect();
        assert_eq!(out, vec![0, 1, 2, 5, 7]);
        assert_eq!(w.stats().missing, 2 + 1);
        assert!(w.is_empty());
    }

    #[test]
    fn reset_forgets_position() {
        let mut w = window(4);
        w.push(0, None, 0, 0);
        w.pop_ready();
        w.push(5 * D, None, 0, 5);
        w.reset();
        assert!(w.is_empty() && w.awaiting_first());
        // After a flush earlier timestamps are not late.
        assert_eq!(w.push(0, None, 0, 0), Admission::Held);
    }

    #[test]
    fn oldest_arrival_tracks_held_frames() {
        let mut w = window(4);
        w.push(2 * D, None, 7, 2);
        w.push(D, None, 3, 1);
        assert_eq!(w.oldest_arrival(), Some(3));
        w.push(0, None, 9, 0);
        w.pop_ready();
        w.pop_ready();
        assert_eq!(w.oldest_arrival(), Some(7));
    }
}

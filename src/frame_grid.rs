//! The frame grid of a constant-rate stream: frame `F` at `N/D` frames per second starts at
//! `floor(F · D · 10⁹ / N)` ns of stream time, the rounding of `gst_util_uint64_scale` with which
//! GstVideoAggregator times its output (counted from the segment start). Pure: no GStreamer.
//!
//! The grid is what makes a render by ranges frame-exact: range `[F0, F1)` is the seek
//! `[time(F0), time(F1))`, and every frame of it must fall on the one-pass render's grid. The base
//! class times frame `n` after a seek to `S` as `S + floor(n · D · 10⁹ / N)`, which equals
//! `time(F0 + n)` only when `S` is itself an exact multiple ([`FrameGrid::period`] frames): elsewhere
//! it runs up to 1 ns early, selects the input frame that ends exactly at a grid time (60 fps
//! into 30 fps), and ends with a 1 ns frame before the stop.

/// Nanoseconds in a second.
const SECOND: u128 = 1_000_000_000;

/// Frame times of a stream at `num / den` frames per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameGrid {
    num: u64,
    den: u64,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl FrameGrid {
    /// The grid of `num / den` frames per second; `None` for a zero, negative (variable-rate)
    /// or otherwise unusable rate.
    pub fn new(num: i32, den: i32) -> Option<Self> {
        (num > 0 && den > 0).then_some(FrameGrid {
            num: num as u64,
            den: den as u64,
        })
    }

    /// The rate as (numerator, denominator).
    pub fn rate(&self) -> (u64, u64) {
        (self.num, self.den)
    }

    /// Stream time of the start of `frame`, in ns (saturating at `u64::MAX`).
    pub fn time(&self, frame: u64) -> u64 {
        let t = frame as u128 * self.den as u128 * SECOND / self.num as u128;
        t.min(u64::MAX as u128) as u64
    }

    /// The smallest frame starting at or after `t` ns.
    pub fn first_at_or_after(&self, t: u64) -> u64 {
        // floor(F·X) ≥ t ⟺ F·X ≥ t (t is an integer) ⟺ F ≥ t·N / (D·10⁹).
        let d = self.den as u128 * SECOND;
        (t as u128 * self.num as u128).div_ceil(d) as u64
    }

    /// The frame whose interval `[time(F), time(F + 1))` holds `t`.
    pub fn frame_at(&self, t: u64) -> u64 {
        // floor(F·X) ≤ t ⟺ F·D·10⁹ < (t + 1)·N.
        let d = self.den as u128 * SECOND;
        (((t as u128 + 1) * self.num as u128 - 1) / d) as u64
    }

    /// The frame starting exactly at `t`, if one does.
    pub fn frame_starting_at(&self, t: u64) -> Option<u64> {
        let f = self.first_at_or_after(t);
        (self.time(f) == t).then_some(f)
    }

    /// The number of frames whose start lies before `duration` ns: the frames of a stream of
    /// that length.
    pub fn frames_in(&self, duration: u64) -> u64 {
        self.first_at_or_after(duration)
    }

    /// The smallest `P > 0` whose time is a whole number of ns: frame times repeat their
    /// rounding every `P` frames (1 at 25 fps, 3 at 30 or 30000/1001 fps), so
    /// `time(a·P) + time(n) == time(a·P + n)` for every `n`.
    pub fn period(&self) -> u64 {
        let step = self.den as u128 * SECOND;
        (self.num as u128 / gcd(self.num as u128, step)) as u64
    }

    /// The last frame at or before `frame` that starts on a multiple of [`Self::period`].
    pub fn aligned_at_or_before(&self, frame: u64) -> u64 {
        frame - frame % self.period()
    }
}

/// An input frame's interval in running time (ns); `end: None` when it has no duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: Option<u64>,
}

impl Span {
    fn holds(&self, t: u64) -> bool {
        self.start <= t && self.end.is_none_or(|e| e > t)
    }
}

/// Which of two consecutive input frames an output frame starting at running time `at`
/// shows: the one on screen at `at`. `current` is the frame GstVideoAggregator picked for the
/// output frame, `previous` the one it picked before.
///
/// The base class picks the first queued frame overlapping the output frame, one per output
/// frame: with an input slower than the output, a frame that starts inside an output frame is
/// shown from that output frame on, a frame interval early, and which frame that is depends on
/// what earlier output frames consumed, so a render that starts elsewhere (a seek) shows
/// other frames. This choice depends on `at` alone.
///
/// A frame starting up to [`SAME_INSTANT`] after `at` counts as starting at `at`: timestamps
/// rounded by containers (90 kHz ticks, Matroska's milliseconds) and by the ns arithmetic land
/// that far off the instants they stand for, and such a frame is the one meant for `at`.
pub fn shows_previous(at: u64, previous: Option<Span>, current: Span) -> bool {
    current.start > at + SAME_INSTANT && previous.is_some_and(|p| p.holds(at))
}

/// How far apart two timestamps may be and still mean the same instant: 1 ms.
pub const SAME_INSTANT: u64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// GstVideoAggregator's frame time after a seek to `start`: `start + floor(n · X)`.
    fn aggregator_time(g: &FrameGrid, start: u64, n: u64) -> u64 {
        start + g.time(n)
    }

    #[test]
    fn thirty_fps_times_round_down() {
        let g = FrameGrid::new(30, 1).unwrap();
        assert_eq!(g.time(1), 33_333_333);
        assert_eq!(g.time(2), 66_666_666);
        assert_eq!(g.time(3), 100_000_000);
        assert_eq!(g.period(), 3);
        assert_eq!(FrameGrid::new(25, 1).unwrap().period(), 1);
        assert_eq!(FrameGrid::new(30000, 1001).unwrap().period(), 3);
        assert_eq!(FrameGrid::new(24000, 1001).unwrap().period(), 3);
        assert_eq!(FrameGrid::new(60, 1).unwrap().period(), 3);
        assert_eq!(FrameGrid::new(7, 1).unwrap().period(), 7);
        assert!(FrameGrid::new(0, 1).is_none());
        assert!(FrameGrid::new(30, 0).is_none());
    }

    /// What the element has to repair: the base class's sum drifts off the grid after a seek
    /// to a frame that is not a multiple of the period, and lands on it after one that is.
    #[test]
    fn base_class_sum_drifts_unless_aligned() {
        let g = FrameGrid::new(30, 1).unwrap();
        assert_eq!(aggregator_time(&g, g.time(2), 1), 99_999_999);
        assert_eq!(g.time(3), 100_000_000);
        let aligned = g.aligned_at_or_before(2);
        assert_eq!(aligned, 0);
        assert_eq!(g.aligned_at_or_before(7), 6);
    }

    #[test]
    fn frame_lookups() {
        let g = FrameGrid::new(30, 1).unwrap();
        assert_eq!(g.frame_at(0), 0);
        assert_eq!(g.frame_at(33_333_332), 0);
        assert_eq!(g.frame_at(33_333_333), 1);
        assert_eq!(g.first_at_or_after(33_333_333), 1);
        assert_eq!(g.first_at_or_after(33_333_334), 2);
        assert_eq!(g.frame_starting_at(66_666_666), Some(2));
        assert_eq!(g.frame_starting_at(66_666_667), None);
        assert_eq!(g.frames_in(2_000_000_000), 60);
        assert_eq!(g.frames_in(2_000_000_001), 61);
    }

    #[test]
    fn the_frame_on_screen_at_the_start_is_shown() {
        let span = |start, end| Span {
            start,
            end: Some(end),
        };
        // 25 fps into 30 fps: output [300, 333) ms, inputs [280, 320) then [320, 360).
        let ms = 1_000_000;
        let prev = Some(span(280 * ms, 320 * ms));
        assert!(shows_previous(300 * ms, prev, span(320 * ms, 360 * ms)));
        assert!(!shows_previous(320 * ms, prev, span(320 * ms, 360 * ms)));
        // After a seek the first frame is clipped to the start: it holds it.
        assert!(!shows_previous(300 * ms, None, span(300 * ms, 320 * ms)));
        // Rounding: a frame starting 1 ns (or a Matroska millisecond) late is the one meant.
        assert!(!shows_previous(
            320 * ms,
            prev,
            span(320 * ms + 1, 360 * ms)
        ));
        assert!(!shows_previous(320 * ms, prev, span(321 * ms, 360 * ms)));
        // A gap: nothing was on screen, the new frame shows.
        assert!(!shows_previous(
            300 * ms,
            Some(span(200 * ms, 240 * ms)),
            span(320 * ms, 360 * ms)
        ));
    }

    proptest! {
        #[test]
        fn lookups_invert_time(num in 1i32..240_000, den in 1i32..1002, f in 0u64..10_000_000) {
            let g = FrameGrid::new(num, den).unwrap();
            let t = g.time(f);
            prop_assert_eq!(g.frame_starting_at(t), Some(f));
            prop_assert_eq!(g.first_at_or_after(t), f);
            // Distinct frames may share a start at absurd rates (over 10⁹ fps); not these.
            prop_assume!(g.time(f + 1) > t);
            prop_assert_eq!(g.frame_at(t), f);
            prop_assert_eq!(g.frame_at(g.time(f + 1) - 1), f);
        }

        #[test]
        fn aligned_starts_stay_on_the_grid(num in 1i32..240_000, den in 1i32..1002,
                                           f in 0u64..1_000_000, n in 0u64..100_000) {
            let g = FrameGrid::new(num, den).unwrap();
            let a = g.aligned_at_or_before(f);
            prop_assert!(a <= f && f - a < g.period());
            prop_assert_eq!(aggregator_time(&g, g.time(a), n), g.time(a + n));
        }
    }
}

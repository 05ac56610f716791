//! Property tests of the pure reorder window, driven as `framereorder` drives it with one pad:
//! when the window is full and the next frame is not there, progress is forced.

use gstparallelcompositor::reorder::{Admission, LatePolicy, ReorderWindow};
use proptest::prelude::*;

const D: u64 = 1_000;

#[derive(Debug, Default)]
struct Run {
    /// Keys released in order, as frame numbers.
    in_order: Vec<u64>,
    /// Late frames forwarded.
    forwarded: Vec<u64>,
    /// Sum of the frames of every gap reported.
    gap_frames: u64,
}

/// Feeds `arrivals` (frame numbers) through a window of `cap`, forcing the head when full.
fn drive(arrivals: &[u64], cap: usize, policy: LatePolicy) -> (Run, ReorderWindow<u64>) {
    let mut w = ReorderWindow::new(cap, policy);
    w.set_frame_duration(Some(D));
    w.set_anchor(Some(0));
    let mut run = Run::default();
    let take = |r: gstparallelcompositor::reorder::Released<u64>, run: &mut Run| {
        assert_eq!(r.key, r.item * D);
        run.gap_frames += r.gap.map_or(0, |g| g.frames);
        run.in_order.push(r.item);
    };
    for &n in arrivals {
        if w.is_full() && !w.head_ready() {
            let r = w.pop_forced().expect("full window has a head");
            take(r, &mut run);
        }
        match w.push(n * D, None, 0, n) {
            Admission::Held | Admission::DroppedLate(_) | Admission::DroppedDuplicate(_) => {}
            Admission::ForwardLate(n) => run.forwarded.push(n),
        }
        while let Some(r) = w.pop_ready() {
            take(r, &mut run);
        }
        assert!(w.len() <= cap, "window grew past its capacity");
    }
    let rest: Vec<_> = w.drain().collect();
    for r in rest {
        take(r, &mut run);
    }
    (run, w)
}

/// Arrival order where frame i arrives as if delayed by `delays[i]` slots.
fn delayed_order(delays: &[u64]) -> Vec<u64> {
    let mut order: Vec<u64> = (0..delays.len() as u64).collect();
    order.sort_by_key(|&i| (i + delays[i as usize], i));
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any arrival order whose displacement fits the window comes out sorted, complete, unforced.
    #[test]
    fn displacement_within_window_is_restored(
        cap in 1usize..24,
        seed in prop::collection::vec(0u64..1_000, 1..200),
    ) {
        let delays: Vec<u64> = seed.iter().map(|s| s % cap as u64).collect();
        let order = delayed_order(&delays);
        let (run, w) = drive(&order, cap, LatePolicy::Drop);
        let expected: Vec<u64> = (0..order.len() as u64).collect();
        prop_assert_eq!(&run.in_order, &expected);
        let s = w.stats();
        prop_assert_eq!(s.missing, 0);
        prop_assert_eq!(s.late, 0);
        prop_assert_eq!(s.frames_out, order.len() as u64);
        prop_assert!(s.max_depth <= cap as u64);
    }

    /// Any permutation at all: output is strictly increasing, and every frame is either output
    /// in order or counted late; the skipped slots are exactly the late frames.
    #[test]
    fn beyond_window_missing_policy_holds(
        cap in 1usize..12,
        perm in Just((0u64..120).collect::<Vec<_>>()).prop_shuffle(),
        forward in any::<bool>(),
    ) {
        let policy = if forward { LatePolicy::Forward } else { LatePolicy::Drop };
        let (run, w) = drive(&perm, cap, policy);
        prop_assert!(run.in_order.windows(2).all(|p| p[0] < p[1]));
        let s = w.stats();
        prop_assert_eq!(s.frames_in, perm.len() as u64);
        prop_assert_eq!(run.in_order.len() as u64 + s.late, perm.len() as u64);
        prop_assert_eq!(s.missing, run.gap_frames);
        // A skipped frame had not arrived, so it arrives later: missing slots are late frames,
        // except those skipped before the first frame left (which are late, never missing).
        let first = run.in_order[0];
        prop_assert_eq!(s.missing + first, s.late);
        if forward {
            prop_assert_eq!(run.forwarded.len() as u64, s.late);
            prop_assert_eq!(s.frames_out, perm.len() as u64);
        } else {
            prop_assert!(run.forwarded.is_empty());
            prop_assert_eq!(s.frames_out, run.in_order.len() as u64);
        }
        let mut all: Vec<u64> = run.in_order.iter().chain(&run.forwarded).copied().collect();
        all.sort_unstable();
        if forward {
            prop_assert_eq!(all, (0..perm.len() as u64).collect::<Vec<_>>());
        }
    }

    /// Repeated frames are dropped and counted once each, and never output twice.
    #[test]
    fn duplicates_are_dropped_and_counted(
        cap in 2usize..16,
        seed in prop::collection::vec(0u64..1_000, 1..100),
        dups in prop::collection::vec((0usize..100, 0u64..3), 0..30),
    ) {
        let delays: Vec<u64> = seed.iter().map(|s| s % (cap as u64 / 2).max(1)).collect();
        let mut order = delayed_order(&delays);
        // Repeat a frame right after its first arrival (or a little later): still within the window
        // or just released, so it is a duplicate and never late.
        let mut inserted = 0u64;
        for &(at, gap) in &dups {
            let at = at % order.len();
            let n = order[at];
            let pos = (at + 1 + gap as usize).min(order.len()).min(at + 1);
            order.insert(pos, n);
            inserted += 1;
        }
        let (run, w) = drive(&order, cap, LatePolicy::Drop);
        let unique = seed.len() as u64;
        prop_assert_eq!(&run.in_order, &(0..unique).collect::<Vec<_>>());
        let s = w.stats();
        prop_assert_eq!(s.duplicates + s.late, inserted);
        prop_assert_eq!(s.frames_in, unique + inserted);
        prop_assert_eq!(s.missing, 0);
    }
}

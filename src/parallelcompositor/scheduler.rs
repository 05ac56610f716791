//! The frame scheduler: the worker pool, K (frames in flight), the frame counter and the
//! statistics, between start and stop. The element submits a job per output frame and pushes
//! what comes back, in order; the scheduler bounds the work in flight, drains and flushes.
//! Modelled on how gst-plugins-rs separates an element from its task (demucs, threadshare's
//! queue): the element is glue, the scheduler owns the threads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use once_cell::sync::Lazy;

use super::job::{FrameDone, FrameJob, FrameWorker, JobFailure, Stats};
use crate::pool::{Completed, WorkerPool};
use crate::render::Renderer;

static CAT: Lazy<gst::DebugCategory> = Lazy::new(|| {
    gst::DebugCategory::new(
        "parallelcompositor-pool",
        gst::DebugColorFlags::empty(),
        Some("parallelcompositor's frame scheduler and worker pool"),
    )
});

/// A finished frame job, in submission order.
pub(super) type Finished = Completed<FrameDone, JobFailure>;

/// Worker threads, frames in flight and their statistics.
pub(super) struct Scheduler {
    pool: WorkerPool<FrameWorker>,
    k: usize,
    /// Frames one worker holds started.
    depth: usize,
    /// Frames submitted since start.
    submitted: AtomicU64,
    stats: Mutex<Stats>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("workers", &self.pool.workers())
            .field("k", &self.k)
            .finish()
    }
}

impl Scheduler {
    /// One worker thread per renderer, at most `k` frames in flight; the renderers log on `cat`.
    pub fn new(
        renderers: Vec<Box<dyn Renderer>>,
        k: usize,
        cat: gst::DebugCategory,
    ) -> std::io::Result<Self> {
        let depth = renderers.first().map_or(1, |r| r.depth());
        let workers = renderers
            .into_iter()
            .map(|renderer| FrameWorker { renderer, cat })
            .collect();
        let pool = WorkerPool::new(workers)?;
        gst::debug!(CAT, "{} workers, {k} frames in flight", pool.workers());
        Ok(Scheduler {
            pool,
            k: k.max(1),
            depth,
            submitted: AtomicU64::new(0),
            stats: Mutex::new(Stats::default()),
        })
    }

    /// Frames one worker holds submitted before it waits for the oldest.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// K: the most frames in flight.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The number the next submitted frame gets (frames since start).
    pub fn next_frame(&self) -> u64 {
        self.submitted.load(Ordering::SeqCst)
    }

    /// Hands `job` to a worker.
    pub fn submit(&self, job: FrameJob) {
        self.submitted.fetch_add(1, Ordering::SeqCst);
        let sequence = self.pool.submit(job);
        gst::trace!(CAT, "frame {sequence} submitted");
    }

    fn record(&self, done: Finished) -> Finished {
        if let Ok(frame) = &done.result {
            let t = &frame.timings;
            gst::trace!(
                CAT,
                "frame {} done: upload {:?}, render {:?}, readback {:?}",
                done.sequence,
                t.upload,
                t.render,
                t.readback
            );
            self.stats.lock().unwrap_or_else(|e| e.into_inner()).add(t);
        }
        done
    }

    /// The next frame in order if it is done, without waiting.
    pub fn ready(&self) -> Option<Finished> {
        self.pool.try_next().map(|d| self.record(d))
    }

    /// The next frame in order while K or more are in flight (waiting for it): back-pressure.
    pub fn over_limit(&self) -> Option<Finished> {
        if self.pool.in_flight() < self.k {
            return None;
        }
        self.pool.wait_next().map(|d| self.record(d))
    }

    /// The next frame in order, waiting for it; `None` when nothing is in flight.
    pub fn next(&self) -> Option<Finished> {
        self.pool.wait_next().map(|d| self.record(d))
    }

    /// Drops every frame in flight (their results are discarded when they finish).
    pub fn flush(&self) {
        gst::debug!(CAT, "flushing {} frames in flight", self.pool.in_flight());
        self.pool.flush();
    }

    /// The `stats` property's structure.
    pub fn stats(&self) -> gst::Structure {
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .to_structure(self.pool.in_flight(), self.pool.workers(), self.k)
    }
}

//! A worker pool that renders frame jobs on several threads and hands results back in submission
//! order. Pure: no GStreamer, no GPU types, so that the wgpu and the CPU backend share it and it
//! can be tested directly.
//!
//! The pool never blocks a submitter: the caller bounds the work in flight itself (submit, and
//! while [`WorkerPool::in_flight`] reaches its limit, [`WorkerPool::wait_next`]). Results are
//! ordered with the same [`ReorderWindow`] that `framereorder` uses, keyed by sequence number, so
//! which worker finishes first never changes what comes out or in which order.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::reorder::{LatePolicy, ReorderWindow};

/// Does jobs on one worker thread. Each worker owns its state (e.g. its own renderer).
pub trait Worker: Send + 'static {
    /// A unit of work: one output frame.
    type Job: Send + 'static;
    /// What a job produces.
    type Output: Send + 'static;
    /// Why a job failed.
    type Error: Send + 'static;

    /// Does one job.
    fn run(&mut self, job: Self::Job) -> Result<Self::Output, Self::Error>;
}

/// Why a job produced no output.
#[derive(Debug, PartialEq, Eq)]
pub enum JobError<E> {
    /// The renderer returned an error.
    Failed(E),
    /// The renderer panicked; the message is kept. The worker goes on with the next job.
    Panicked(String),
}

impl<E: fmt::Display> fmt::Display for JobError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Failed(e) => write!(f, "{e}"),
            JobError::Panicked(msg) => write!(f, "a worker panicked: {msg}"),
        }
    }
}

/// A finished job, handed back in submission order.
#[derive(Debug)]
pub struct Completed<O, E> {
    /// The sequence number [`WorkerPool::submit`] returned.
    pub sequence: u64,
    /// The job's output or why there is none.
    pub result: Result<O, JobError<E>>,
}

type Outcome<R> = Result<<R as Worker>::Output, JobError<<R as Worker>::Error>>;

struct Shared<R: Worker> {
    queue: VecDeque<(u64, u64, R::Job)>,
    done: ReorderWindow<Outcome<R>>,
    /// Submitted in the current epoch and not yet taken by the caller.
    in_flight: usize,
    next_sequence: u64,
    /// Bumped by `flush`: results of earlier epochs are dropped when they finish.
    epoch: u64,
    shutdown: bool,
}

struct Inner<R: Worker> {
    shared: Mutex<Shared<R>>,
    /// Workers wait here for jobs.
    jobs: Condvar,
    /// The caller waits here for results.
    results: Condvar,
}

impl<R: Worker> Inner<R> {
    fn lock(&self) -> MutexGuard<'_, Shared<R>> {
        // Renderer panics are caught outside the lock, so poisoning cannot leave it inconsistent.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Threads rendering jobs, results in order.
pub struct WorkerPool<R: Worker> {
    inner: Arc<Inner<R>>,
    threads: Vec<JoinHandle<()>>,
}

impl<R: Worker> WorkerPool<R> {
    /// Starts one thread per renderer.
    pub fn new(renderers: Vec<R>) -> std::io::Result<Self> {
        let mut done = ReorderWindow::new(usize::MAX, LatePolicy::Drop);
        done.set_frame_duration(Some(1));
        done.set_anchor(Some(0));
        let inner = Arc::new(Inner {
            shared: Mutex::new(Shared {
                queue: VecDeque::new(),
                done,
                in_flight: 0,
                next_sequence: 0,
                epoch: 0,
                shutdown: false,
            }),
            jobs: Condvar::new(),
            results: Condvar::new(),
        });
        let mut pool = Self {
            inner,
            threads: Vec::new(),
        };
        for (i, renderer) in renderers.into_iter().enumerate() {
            let inner = pool.inner.clone();
            let handle = std::thread::Builder::new()
                .name(format!("pc-worker-{i}"))
                .spawn(move || worker_loop(&inner, renderer))?;
            pool.threads.push(handle);
        }
        Ok(pool)
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        self.threads.len()
    }

    /// Queues a job and returns its sequence number. Never blocks.
    pub fn submit(&self, job: R::Job) -> u64 {
        let mut s = self.inner.lock();
        let sequence = s.next_sequence;
        s.next_sequence += 1;
        s.in_flight += 1;
        let epoch = s.epoch;
        s.queue.push_back((epoch, sequence, job));
        self.inner.jobs.notify_one();
        sequence
    }

    /// Jobs submitted and not yet handed back (queued, rendering, or done but waiting for an
    /// earlier one).
    pub fn in_flight(&self) -> usize {
        self.inner.lock().in_flight
    }

    /// The oldest job's result if it has finished.
    pub fn try_next(&self) -> Option<Completed<R::Output, R::Error>> {
        let mut s = self.inner.lock();
        Self::take(&mut s)
    }

    /// Waits for the oldest job and returns its result; `None` when nothing is in flight.
    pub fn wait_next(&self) -> Option<Completed<R::Output, R::Error>> {
        let mut s = self.inner.lock();
        loop {
            if s.in_flight == 0 {
                return None;
            }
            if let Some(c) = Self::take(&mut s) {
                return Some(c);
            }
            s = self
                .inner
                .results
                .wait(s)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    fn take(s: &mut Shared<R>) -> Option<Completed<R::Output, R::Error>> {
        let released = s.done.pop_ready()?;
        s.in_flight -= 1;
        Some(Completed {
            sequence: released.key,
            result: released.item,
        })
    }

    /// Drops every queued job and every result not yet handed back; jobs being rendered finish
    /// and are discarded. Sequence numbers go on from where they were.
    pub fn flush(&self) {
        let mut s = self.inner.lock();
        s.epoch += 1;
        s.queue.clear();
        s.done.reset();
        let next = s.next_sequence;
        s.done.set_anchor(Some(next));
        s.in_flight = 0;
        self.inner.results.notify_all();
    }
}

impl<R: Worker> Drop for WorkerPool<R> {
    fn drop(&mut self) {
        {
            let mut s = self.inner.lock();
            s.shutdown = true;
            s.queue.clear();
        }
        self.inner.jobs.notify_all();
        for t in self.threads.drain(..) {
            // A worker thread never panics (renderer panics are caught), so join cannot fail.
            let _ = t.join();
        }
    }
}

fn worker_loop<R: Worker>(inner: &Inner<R>, mut renderer: R) {
    loop {
        let (epoch, sequence, job) = {
            let mut s = inner.lock();
            loop {
                if s.shutdown {
                    return;
                }
                if let Some(j) = s.queue.pop_front() {
                    break j;
                }
                s = inner.jobs.wait(s).unwrap_or_else(|e| e.into_inner());
            }
        };
        let result = match panic::catch_unwind(AssertUnwindSafe(|| renderer.run(job))) {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => Err(JobError::Failed(e)),
            Err(payload) => Err(JobError::Panicked(panic_message(payload.as_ref()))),
        };
        let mut s = inner.lock();
        if s.epoch == epoch {
            s.done.push(sequence, Some(1), 0, result);
            inner.results.notify_all();
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Sleeps a job-dependent time so that workers finish out of order, then doubles the input.
    struct Slow;

    impl Worker for Slow {
        type Job = u64;
        type Output = u64;
        type Error = String;

        fn run(&mut self, job: u64) -> Result<u64, String> {
            std::thread::sleep(Duration::from_micros((job * 7919) % 5 * 300));
            match job {
                13 => Err("thirteen".into()),
                17 => panic!("seventeen"),
                _ => Ok(job * 2),
            }
        }
    }

    fn run(workers: usize, k: usize, jobs: u64) -> Vec<(u64, Result<u64, JobError<String>>)> {
        let pool = WorkerPool::new((0..workers).map(|_| Slow).collect()).expect("threads start");
        let mut out = Vec::new();
        for j in 0..jobs {
            while pool.in_flight() >= k {
                let c = pool.wait_next().expect("a job in flight");
                out.push((c.sequence, c.result));
            }
            pool.submit(j);
        }
        while let Some(c) = pool.wait_next() {
            out.push((c.sequence, c.result));
        }
        out
    }

    #[test]
    fn results_come_in_order_whatever_the_workers() {
        let reference = run(1, 1, 40);
        for workers in [1, 2, 4] {
            for k in [1, 3, 8] {
                assert_eq!(run(workers, k, 40), reference, "workers {workers}, K {k}");
            }
        }
        assert_eq!(reference[5], (5, Ok(10)));
        assert_eq!(
            reference[13],
            (13, Err(JobError::Failed("thirteen".into())))
        );
        assert_eq!(
            reference[17],
            (17, Err(JobError::Panicked("seventeen".into())))
        );
    }

    #[test]
    fn flush_discards_work_in_flight() {
        let pool = WorkerPool::new(vec![Slow, Slow]).expect("threads start");
        for j in 0..6 {
            pool.submit(j);
        }
        pool.flush();
        assert_eq!(pool.in_flight(), 0);
        assert!(pool.wait_next().is_none());
        let s = pool.submit(100);
        assert_eq!(s, 6);
        let c = pool.wait_next().expect("the new job");
        assert_eq!((c.sequence, c.result), (6, Ok(200)));
    }

    #[test]
    fn dropping_the_pool_joins_its_threads() {
        let pool = WorkerPool::new(vec![Slow, Slow, Slow]).expect("threads start");
        for j in 0..20 {
            pool.submit(j);
        }
        drop(pool);
    }
}

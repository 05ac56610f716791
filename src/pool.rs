//! A worker pool that renders frame jobs on several threads and hands results back in submission
//! order. Pure: no GStreamer, no GPU types, so that the wgpu and the CPU backend share it and it
//! can be tested directly.
//!
//! The pool never blocks a submitter: the caller bounds the work in flight itself (submit, and
//! while [`WorkerPool::in_flight`] reaches its limit, [`WorkerPool::wait_next`]). A worker may
//! pipeline: it starts up to [`Worker::depth`] jobs (on a GPU: records and submits them) before
//! finishing the oldest (waits for the GPU and copies the result out), so that one job's wait
//! overlaps the next jobs' work. Results are
//! ordered with the same [`ReorderWindow`] that `framereorder` uses, keyed by sequence number, so
//! which worker finishes first never changes what comes out or in which order.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::reorder::{LatePolicy, ReorderWindow};

/// Does jobs on one worker thread. Each worker owns its state (e.g. its own renderer).
///
/// A job runs in two steps: [`Worker::start`] does what needs the job's inputs and
/// [`Worker::finish`] waits for the rest. A worker that does everything in `start` returns its
/// output as the pending value and keeps the default [`Worker::depth`] of 1.
pub trait Worker: Send + 'static {
    /// A unit of work: one output frame.
    type Job: Send + 'static;
    /// A job started and not yet finished.
    type Pending: Send + 'static;
    /// What a job produces.
    type Output: Send + 'static;
    /// Why a job failed.
    type Error: Send + 'static;

    /// Starts one job.
    fn start(&mut self, job: Self::Job) -> Result<Self::Pending, Self::Error>;

    /// Finishes a job [`Worker::start`] started, the oldest first.
    fn finish(&mut self, pending: Self::Pending) -> Result<Self::Output, Self::Error>;

    /// The most jobs this worker holds started and not finished; at least 1.
    fn depth(&self) -> usize {
        1
    }
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

/// A job a worker has started: (epoch, sequence, the pending job or why it did not start).
type Started<R> = (
    u64,
    u64,
    Result<<R as Worker>::Pending, JobError<<R as Worker>::Error>>,
);

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

/// What a worker does next.
enum Step<J> {
    /// Start a queued job (epoch, sequence, job).
    Start(u64, u64, J),
    /// Finish the oldest started job.
    Finish,
    /// The pool is being dropped.
    Exit,
}

/// Runs `f`, turning its error or panic into a [`JobError`].
fn guarded<T, E>(f: impl FnOnce() -> Result<T, E>) -> Result<T, JobError<E>> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(JobError::Failed(e)),
        Err(payload) => Err(JobError::Panicked(panic_message(payload.as_ref()))),
    }
}

fn worker_loop<R: Worker>(inner: &Inner<R>, mut renderer: R) {
    let depth = renderer.depth().max(1);
    // Started jobs, oldest first. A job that failed to start waits here too, so that its
    // failure is handed over when its turn comes rather than jumping ahead.
    let mut started: VecDeque<Started<R>> = VecDeque::with_capacity(depth);
    loop {
        let step = {
            let mut s = inner.lock();
            loop {
                if s.shutdown {
                    break Step::Exit;
                }
                if started.len() < depth {
                    if let Some((epoch, sequence, job)) = s.queue.pop_front() {
                        break Step::Start(epoch, sequence, job);
                    }
                }
                // Nothing more to start: finish what is started rather than wait for more, or
                // the caller, waiting for the oldest job, would wait for ever.
                if !started.is_empty() {
                    break Step::Finish;
                }
                s = inner.jobs.wait(s).unwrap_or_else(|e| e.into_inner());
            }
        };
        let (epoch, sequence, result) = match step {
            // Started jobs are dropped with the renderer: their results have no taker.
            Step::Exit => return,
            Step::Start(epoch, sequence, job) => {
                started.push_back((epoch, sequence, guarded(|| renderer.start(job))));
                continue;
            }
            Step::Finish => match started.pop_front() {
                Some((epoch, sequence, Ok(pending))) => {
                    (epoch, sequence, guarded(|| renderer.finish(pending)))
                }
                Some((epoch, sequence, Err(e))) => (epoch, sequence, Err(e)),
                None => continue,
            },
        };
        let mut s = inner.lock();
        // A flushed job is still finished (its resources come back), its result dropped.
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
        type Pending = u64;
        type Output = u64;
        type Error = String;

        fn start(&mut self, job: u64) -> Result<u64, String> {
            std::thread::sleep(Duration::from_micros((job * 7919) % 5 * 300));
            match job {
                13 => Err("thirteen".into()),
                17 => panic!("seventeen"),
                _ => Ok(job * 2),
            }
        }

        fn finish(&mut self, done: u64) -> Result<u64, String> {
            Ok(done)
        }
    }

    /// Starts up to `depth` jobs before finishing the oldest; fails and panics in either step.
    struct Pipelined {
        depth: usize,
        /// Jobs started and not finished, to check that the pool keeps within `depth`.
        held: usize,
    }

    impl Worker for Pipelined {
        type Job = u64;
        type Pending = u64;
        type Output = u64;
        type Error = String;

        fn start(&mut self, job: u64) -> Result<u64, String> {
            assert!(self.held < self.depth, "more than depth jobs started");
            std::thread::sleep(Duration::from_micros((job * 7919) % 3 * 200));
            match job {
                13 => Err("thirteen".into()),
                17 => panic!("seventeen"),
                _ => {
                    self.held += 1;
                    Ok(job)
                }
            }
        }

        fn finish(&mut self, job: u64) -> Result<u64, String> {
            self.held -= 1;
            std::thread::sleep(Duration::from_micros((job * 104729) % 4 * 200));
            match job {
                21 => Err("twenty-one".into()),
                _ => Ok(job * 2),
            }
        }

        fn depth(&self) -> usize {
            self.depth
        }
    }

    fn drive<R: Worker<Job = u64, Output = u64, Error = String>>(
        pool: WorkerPool<R>,
        k: usize,
        jobs: u64,
    ) -> Vec<(u64, Result<u64, JobError<String>>)> {
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

    fn run(workers: usize, k: usize, jobs: u64) -> Vec<(u64, Result<u64, JobError<String>>)> {
        let pool = WorkerPool::new((0..workers).map(|_| Slow).collect()).expect("threads start");
        drive(pool, k, jobs)
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
    fn pipelined_workers_keep_order_and_report_both_steps_failures() {
        let reference = run(1, 1, 40);
        for workers in [1, 2, 4] {
            for depth in [1, 2, 4] {
                for k in [1, 3, 8] {
                    let pool = WorkerPool::new(
                        (0..workers).map(|_| Pipelined { depth, held: 0 }).collect(),
                    )
                    .expect("threads start");
                    let out = drive(pool, k, 40);
                    let what = format!("workers {workers}, depth {depth}, K {k}");
                    assert_eq!(out.len(), 40, "{what}");
                    for (i, (got, want)) in out.iter().zip(&reference).enumerate() {
                        if i == 21 {
                            assert_eq!(
                                got,
                                &(21, Err(JobError::Failed("twenty-one".into()))),
                                "{what}"
                            );
                        } else {
                            assert_eq!(got, want, "{what}");
                        }
                    }
                }
            }
        }
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

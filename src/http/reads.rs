//! The search threads and the queue in front of them. Public reads (searches,
//! recommendations, documents) run on threads of their own, one per core; a read that finds
//! them all busy waits in one queue, served so that under overload the reads that are run are
//! still answered about as fast as without it:
//!
//! - first come, first served while the queue comes and goes (a burst, a slow CPU);
//! - once reads have been waiting without a break for [`STANDING`] (CoDel's standing queue:
//!   more arrive than the threads serve), newest first (adaptive LIFO), so that a thread takes
//!   a read that has barely waited instead of one that has waited longest, and each read that
//!   has waited longer than its patience (`limits.search_wait`) is shed, 503 with
//!   `Retry-After`, at once and without doing its work;
//! - the newest read waiting is never shed, so a read alone in the queue runs however long it
//!   waited (a starved CPU is slow, not overloaded: refusing it would spare no one).
//!
//! The threads take reads from the queue themselves, so a thread never idles while reads wait,
//! however busy the reactor is. The concurrency limit in front (`limits.search_queue`, in
//! [`super::app`]) bounds how many wait; this bounds how long, and picks which.

use std::collections::VecDeque;
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long reads must have been waiting without a break for the queue to count as standing.
pub(super) const STANDING: Duration = Duration::from_millis(100);

/// What a thread does with a read it takes from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// Run it.
    Run,
    /// Refuse it: it waited too long under overload.
    Shed,
}

/// A read waiting for a thread.
struct Job {
    queued: Instant,
    patience: Duration,
    run: Box<dyn FnOnce(Turn) + Send>,
}

/// The reads waiting, oldest first, and when the queue last stopped being empty.
struct Waiting {
    jobs: VecDeque<Job>,
    since: Instant,
}

impl Waiting {
    fn new() -> Waiting {
        Waiting {
            jobs: VecDeque::new(),
            since: Instant::now(),
        }
    }

    fn push(&mut self, job: Job) {
        if self.jobs.is_empty() {
            self.since = job.queued;
        }
        self.jobs.push_back(job);
    }

    /// Whether reads have been waiting without a break for [`STANDING`].
    fn standing(&self, now: Instant) -> bool {
        !self.jobs.is_empty() && now.saturating_duration_since(self.since) > STANDING
    }

    /// Takes the reads to shed now: while the queue stands, those that have waited longer
    /// than their patience, oldest first, but never the newest.
    fn expired(&mut self, now: Instant) -> Vec<Job> {
        let mut shed = Vec::new();
        if !self.standing(now) {
            return shed;
        }
        while self.jobs.len() > 1
            && self
                .jobs
                .front()
                .is_some_and(|j| now.saturating_duration_since(j.queued) > j.patience)
        {
            shed.extend(self.jobs.pop_front());
        }
        shed
    }

    /// Takes the read a free thread runs next: the oldest, or under a standing queue the
    /// newest.
    fn next(&mut self, now: Instant) -> Option<Job> {
        if self.standing(now) {
            self.jobs.pop_back()
        } else {
            self.jobs.pop_front()
        }
    }
}

/// The queue and the threads that serve it.
struct Pool {
    waiting: Mutex<Waiting>,
    ready: Condvar,
}

/// One per process, as the cores are.
static POOL: LazyLock<&'static Pool> = LazyLock::new(|| {
    let pool: &'static Pool = Box::leak(Box::new(Pool {
        waiting: Mutex::new(Waiting::new()),
        ready: Condvar::new(),
    }));
    for i in 0..super::search_threads() {
        std::thread::Builder::new()
            .name(format!("innohaku-search-{i}"))
            .spawn(move || {
                yield_to_connections();
                pool.work()
            })
            .expect("a search thread can be started");
    }
    pool
});

impl Pool {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // A job runs outside the lock, so a panic never poisons it; if one did, the queue
        // is still sound: every change to it is a single push or pop.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn submit(&self, job: Job) {
        let now = job.queued;
        let shed = {
            let mut waiting = self.lock();
            waiting.push(job);
            waiting.expired(now)
        };
        self.ready.notify_one();
        shed_all(shed);
    }

    /// A search thread: takes the next read, sheds those that expired meanwhile, runs it.
    fn work(&self) {
        loop {
            let (job, shed) = {
                let mut waiting = self.lock();
                while waiting.jobs.is_empty() {
                    waiting = self.ready.wait(waiting).unwrap_or_else(|e| e.into_inner());
                }
                let now = Instant::now();
                let shed = waiting.expired(now);
                (waiting.next(now).expect("the queue is not empty"), shed)
            };
            shed_all(shed);
            // A panicking read fails its own request (its answer is never sent), not the
            // thread.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(Turn::Run)));
        }
    }
}

/// How much lower the search threads' CPU priority is than the connections' (a nice value).
/// When the CPUs are all busy, reading requests, shedding the excess and sending answers come
/// before searching: each is a small part of a request's work, and every request waits for
/// them, the admitted ones included. With the search threads at the connections' priority, a
/// flood gave each thread an equal turn, and an admitted search waited for the connection
/// thread's turn to be read and again to be answered (docs/performance.md, "Overload"). Five
/// steps is a weight of about a third: searches are not starved by a flood of requests shed.
const SEARCH_NICENESS: i32 = 5;

/// Lowers this thread's CPU priority by [`SEARCH_NICENESS`] (on Linux a nice value is a
/// thread's own; elsewhere this does nothing).
fn yield_to_connections() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority reads its three integers and nothing else; 0 is this thread.
        let failed = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, SEARCH_NICENESS) } != 0;
        if failed {
            tracing::debug!("the search threads run at the connections' priority");
        }
    }
}

fn shed_all(jobs: Vec<Job>) {
    for job in jobs {
        (job.run)(Turn::Shed);
    }
}

/// Queues `run` for a search thread, which calls it with [`Turn::Run`], or with
/// [`Turn::Shed`] when it waited longer than `patience` under overload.
pub(super) fn submit(patience: Duration, run: impl FnOnce(Turn) + Send + 'static) {
    POOL.submit(Job {
        queued: Instant::now(),
        patience,
        run: Box::new(run),
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The order in which reads were run or shed, by name.
    type Log = Arc<Mutex<Vec<(&'static str, Turn)>>>;

    fn job(log: &Log, name: &'static str, queued: Instant, patience: Duration) -> Job {
        let log = log.clone();
        Job {
            queued,
            patience,
            run: Box::new(move |turn| log.lock().unwrap().push((name, turn))),
        }
    }

    /// Runs what a free thread would at `now`: the expired ones shed, then the next one run.
    fn take(waiting: &mut Waiting, now: Instant) {
        shed_all(waiting.expired(now));
        if let Some(job) = waiting.next(now) {
            (job.run)(Turn::Run);
        }
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_queue_that_comes_and_goes_is_first_come_first_served() {
        let log = Log::default();
        let t0 = Instant::now();
        let mut waiting = Waiting::new();
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            waiting.push(job(&log, name, t0 + MS * i as u32, 15 * MS));
        }
        // Waited 50 ms, past their patience, but the queue has not stood for 100 ms.
        for _ in 0..3 {
            take(&mut waiting, t0 + 50 * MS);
        }
        assert_eq!(
            *log.lock().unwrap(),
            [("a", Turn::Run), ("b", Turn::Run), ("c", Turn::Run)]
        );
    }

    #[test]
    fn under_a_standing_queue_the_newest_runs_first_and_the_stale_are_shed() {
        let log = Log::default();
        let t0 = Instant::now();
        let mut waiting = Waiting::new();
        // Reads arriving every 10 ms for 200 ms, none taken: a standing queue.
        let names = [
            "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
            "r13", "r14", "r15", "r16", "r17", "r18", "r19",
        ];
        for (i, name) in names.into_iter().enumerate() {
            waiting.push(job(&log, name, t0 + 10 * MS * i as u32, 25 * MS));
        }
        let now = t0 + 195 * MS;
        take(&mut waiting, now);
        take(&mut waiting, now);
        let log = log.lock().unwrap();
        // r0..r16 waited over 25 ms: shed, oldest first; the newest, r19, runs, then r18.
        let shed: Vec<_> = log.iter().filter(|e| e.1 == Turn::Shed).map(|e| e.0).collect();
        assert_eq!(shed, names[..17]);
        let run: Vec<_> = log.iter().filter(|e| e.1 == Turn::Run).map(|e| e.0).collect();
        assert_eq!(run, ["r19", "r18"]);
        assert_eq!(waiting.jobs.len(), 1, "r17 still waits, within its patience");
    }

    #[test]
    fn the_newest_read_is_never_shed_however_long_it_waited() {
        let log = Log::default();
        let t0 = Instant::now();
        let mut waiting = Waiting::new();
        waiting.push(job(&log, "old", t0, MS));
        waiting.push(job(&log, "lone", t0 + MS, MS));
        // A starved CPU: a thread comes back a second later.
        take(&mut waiting, t0 + Duration::from_secs(1));
        assert_eq!(
            *log.lock().unwrap(),
            [("old", Turn::Shed), ("lone", Turn::Run)]
        );
        assert!(waiting.jobs.is_empty());
    }

    #[test]
    fn an_arrival_sheds_the_stale_reads_at_once() {
        let log = Log::default();
        let t0 = Instant::now();
        let pool = Pool {
            waiting: Mutex::new(Waiting::new()),
            ready: Condvar::new(),
        };
        // No thread serves this pool: only arrivals shed.
        pool.submit(job(&log, "first", t0, 15 * MS));
        pool.submit(job(&log, "second", t0 + 50 * MS, 15 * MS));
        assert!(log.lock().unwrap().is_empty(), "not standing yet");
        pool.submit(job(&log, "third", t0 + 150 * MS, 15 * MS));
        assert_eq!(
            *log.lock().unwrap(),
            [("first", Turn::Shed), ("second", Turn::Shed)]
        );
        assert_eq!(pool.lock().jobs.len(), 1);
    }

    #[test]
    fn a_panicking_read_leaves_the_threads_serving() {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..2 * crate::http::search_threads() {
            submit(Duration::from_secs(60), |_| panic!("a read panics"));
        }
        submit(Duration::from_secs(60), move |turn| tx.send(turn).unwrap());
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(30)),
            Ok(Turn::Run),
            "a thread still runs reads"
        );
    }
}

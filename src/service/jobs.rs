//! Background jobs (full reindexes): progress while they run, a record in the store when they
//! start and end, cancellation, and an honest status after a restart.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Still running.
    Running,
    /// Finished and swapped in.
    Succeeded,
    /// Stopped by an error, or by a restart of the server while it ran.
    Failed,
    /// Stopped on request; the old index kept serving.
    Cancelled,
}

/// A job's status as reported over HTTP and recorded in the store.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// The job's id.
    pub id: String,
    /// What it does (`reindex`).
    pub kind: String,
    /// Where it is.
    pub state: JobState,
    /// Documents done so far.
    pub done: u64,
    /// Documents to do.
    pub total: u64,
    /// Documents per second so far.
    pub rate_per_s: f64,
    /// Estimated seconds left, while running.
    pub eta_s: Option<f64>,
    /// Unix time (seconds) it started.
    pub started_at: u64,
    /// Unix time (seconds) it ended.
    pub finished_at: Option<u64>,
    /// Why it failed, or what it did.
    pub message: Option<String>,
}

/// A running job's live state.
pub struct Job {
    status: Mutex<JobStatus>,
    started: Instant,
    done: AtomicU64,
    cancel: AtomicBool,
}

impl Job {
    /// A new running job.
    pub fn new(kind: &str, total: u64) -> Arc<Job> {
        let now = unix_now();
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let id = format!("{kind}-{now}-{}", SEQUENCE.fetch_add(1, Ordering::Relaxed));
        Arc::new(Job {
            status: Mutex::new(JobStatus {
                id,
                kind: kind.into(),
                state: JobState::Running,
                done: 0,
                total,
                rate_per_s: 0.0,
                eta_s: None,
                started_at: now,
                finished_at: None,
                message: None,
            }),
            started: Instant::now(),
            done: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
        })
    }

    /// Its id.
    pub fn id(&self) -> String {
        self.status.lock().expect("job lock").id.clone()
    }

    /// Records progress.
    pub fn progress(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether it was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Ends the job.
    pub fn finish(&self, state: JobState, message: Option<String>) {
        let mut status = self.status.lock().expect("job lock");
        status.state = state;
        status.message = message;
        status.finished_at = Some(unix_now());
    }

    /// Its status now.
    pub fn status(&self) -> JobStatus {
        let mut status = self.status.lock().expect("job lock").clone();
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        status.done = done;
        status.rate_per_s = done as f64 / secs;
        status.eta_s = (status.state == JobState::Running && done > 0)
            .then(|| status.total.saturating_sub(done) as f64 / status.rate_per_s);
        status
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

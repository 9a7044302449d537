//! Back-pressure for index writers. Tantivy's writer queues up to 10,000 prepared documents
//! for its threads, and a build reading the store (or a stream being ingested) produces them
//! faster than the threads analyse: the queue alone held about 400 MB at the start of a
//! 100k-document rebuild. Every document carries one
//! value in the `pipeline` field, whose tokenizer (below) counts it when a writer thread
//! takes it up; the build waits while too many are still queued.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the counting tokenizer is registered under.
pub const TOKENIZER: &str = "pipeline";
/// Documents a build lets wait in the writer's queue.
const MAX_QUEUED: u64 = 500;
/// Longest a build waits for the queue to move before it stops waiting (a stuck writer
/// reports its own error at commit).
const MAX_WAIT: Duration = Duration::from_secs(5);

/// Documents taken up by writer threads in this process, across all indexes.
static TAKEN_UP: AtomicU64 = AtomicU64::new(0);

/// Emits no terms; counts each document it sees.
#[derive(Clone, Default)]
pub struct Counter;

impl Tokenizer for Counter {
    type TokenStream<'a> = NoTokens;

    fn token_stream<'a>(&'a mut self, _text: &'a str) -> NoTokens {
        TAKEN_UP.fetch_add(1, Ordering::Relaxed);
        NoTokens(Token::default())
    }
}

/// An empty token stream.
pub struct NoTokens(Token);

impl TokenStream for NoTokens {
    fn advance(&mut self) -> bool {
        false
    }

    fn token(&self) -> &Token {
        &self.0
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.0
    }
}

/// Counts what one build or batch handed to its writer.
pub struct Throttle {
    start: u64,
    sent: u64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

impl Throttle {
    /// Starts counting.
    pub fn new() -> Throttle {
        Throttle {
            start: TAKEN_UP.load(Ordering::Relaxed),
            sent: 0,
        }
    }

    /// Call after handing a document to the writer: waits while more than `MAX_QUEUED` (500) of
    /// this build's documents are queued. (Other writers in the process only make it wait
    /// less.)
    pub fn sent(&mut self) {
        self.sent += 1;
        let queued = |t: &Throttle| {
            t.sent
                .saturating_sub(TAKEN_UP.load(Ordering::Relaxed) - t.start)
        };
        if queued(self) <= MAX_QUEUED {
            return;
        }
        let deadline = Instant::now() + MAX_WAIT;
        while queued(self) > MAX_QUEUED / 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

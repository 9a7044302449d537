//! A search's segments shared out between the search's own thread and helper threads.
//!
//! Tantivy's thread-pool executor hands every segment to its pool and puts the calling thread
//! to sleep until the pool is done: each map wakes a pool thread, which wakes another, and
//! the last one wakes the caller, while the caller's CPU, and its cache, stand idle. Here the
//! caller works too: it and the helpers each take the next segment until none is left. A
//! helper that wakes late finds the work done, and the caller never sleeps while there is
//! work it could do.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where a search's per-segment work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Threads {
    /// On the search's own thread, one segment after another.
    One,
    /// On the search's thread and the helpers together ([`helpers`]).
    Spread,
}

impl Threads {
    /// `f` applied to each of `items` with its index, the results in the items' order; the
    /// first error, if any.
    pub(super) fn map<T, R, E, F>(self, items: &[T], f: F) -> Result<Vec<R>, E>
    where
        T: Sync,
        R: Send,
        E: Send,
        F: Fn(usize, &T) -> Result<R, E> + Sync,
    {
        let pool = match self {
            Threads::Spread if items.len() > 1 => helpers(),
            _ => None,
        };
        let Some(pool) = pool else {
            return items
                .iter()
                .enumerate()
                .map(|(i, item)| f(i, item))
                .collect();
        };
        let next = AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Result<R, E>>>> =
            items.iter().map(|_| Mutex::new(None)).collect();
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { return };
                let result = f(i, item);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            }
        };
        pool.in_place_scope(|scope| {
            for _ in 0..pool.current_num_threads().min(items.len() - 1) {
                scope.spawn(|_| work());
            }
            work();
        });
        slots
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .expect("every item is taken before the scope ends")
            })
            .collect()
    }
}

/// Helpers kept awake while a search gets ready to share work with them ([`Threads::wake`]):
/// they stop when this is dropped, or after [`AWAKE_AT_MOST`].
pub(super) struct Awake(Option<Arc<AtomicBool>>);

/// The longest a helper waits awake for work.
const AWAKE_AT_MOST: Duration = Duration::from_millis(1);

impl Drop for Awake {
    fn drop(&mut self) {
        if let Some(done) = &self.0 {
            done.store(true, Ordering::Release);
        }
    }
}

impl Threads {
    /// Wakes the helpers, which spin until the returned guard is dropped (at most
    /// [`AWAKE_AT_MOST`]): a helper asleep takes longer to wake than a search's terms take to
    /// look up, and a map waits for each helper it called. Drop the guard just before the
    /// [`Threads::map`]: a spinning helper takes no work.
    pub(super) fn wake(self) -> Awake {
        let Some(pool) = (self == Threads::Spread).then(helpers).flatten() else {
            return Awake(None);
        };
        let done = Arc::new(AtomicBool::new(false));
        for _ in 0..pool.current_num_threads() {
            let done = done.clone();
            pool.spawn(move || {
                let since = Instant::now();
                while !done.load(Ordering::Acquire) && since.elapsed() < AWAKE_AT_MOST {
                    std::hint::spin_loop();
                }
            });
        }
        Awake(Some(done))
    }
}

/// The helper threads: one fewer than the CPUs the process may use (the search's own thread
/// is the last), none with one CPU.
fn helpers() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpus < 2 {
            return None;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(cpus - 1)
            .thread_name(|n| format!("innohaku-segments-{n}"))
            .build()
            .inspect_err(|e| tracing::warn!("searching segments on one thread: {e}"))
            .ok()
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_mapped_once_in_order_and_an_error_is_returned() {
        let items: Vec<u32> = (0..37).collect();
        for threads in [Threads::One, Threads::Spread] {
            // Helpers woken first, as a search wakes them before it looks its terms up.
            drop(threads.wake());
            let doubled = threads
                .map(&items, |i, &item| {
                    assert_eq!(i as u32, item);
                    Ok::<_, ()>(item * 2)
                })
                .expect("mapped");
            assert_eq!(doubled, (0..37).map(|i| i * 2).collect::<Vec<_>>());
            let failed = threads.map(&items, |_, &item| match item {
                20 | 30 => Err(item),
                _ => Ok(item),
            });
            assert_eq!(failed, Err(20), "{threads:?}");
        }
    }
}

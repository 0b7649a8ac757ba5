//! Work spread over rayon's pool only when that pays.
//!
//! A pool costs a thread start per worker and a hand-off per task. On one
//! core (`RAYON_NUM_THREADS=1`, `taskset -c 0`, a CI runner with one CPU)
//! those are pure loss: the calling thread waits while the one worker runs,
//! and the two take turns on the same core. On a small input they cost more
//! than the work they share. Then the work runs on the calling thread, in
//! the same order the pool would give its results, so the output is the
//! same either way.

use rayon::prelude::*;

/// Below this much SQL a run stays on one thread: starting the pool costs
/// more than it saves. Measured on 2 cores, fastest of 150 runs: the pool
/// made memos (14 KB) 0.27 ms and openfga (3 KB) 0.18 ms slower, and
/// authelia (61 KB) 0.7 ms and temporal (88 KB) 1.3 ms faster.
const MIN_PARALLEL_BYTES: usize = 32 * 1024;

/// Whether work runs on rayon's pool or on the calling thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Par {
    parallel: bool,
}

impl Par {
    /// Everything on the calling thread.
    pub const SEQUENTIAL: Par = Par { parallel: false };

    /// The choice for a run over `bytes` of SQL: the pool only when it
    /// would have more than one thread and the input is large enough.
    pub fn for_input(bytes: usize) -> Par {
        let parallel = bytes >= MIN_PARALLEL_BYTES && threads() > 1;
        if parallel {
            start_pool();
        }
        Par { parallel }
    }

    pub fn is_parallel(self) -> bool {
        self.parallel
    }

    /// `f` over `items`, results in the order of `items`.
    pub fn map<T: Sync, R: Send>(self, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
        if self.parallel {
            items.par_iter().map(f).collect()
        } else {
            items.iter().map(f).collect()
        }
    }

    /// `f` over `items`, the `Some` results in the order of `items`.
    pub fn filter_map<T: Sync, R: Send>(
        self,
        items: &[T],
        f: impl Fn(&T) -> Option<R> + Sync + Send,
    ) -> Vec<R> {
        if self.parallel {
            items.par_iter().filter_map(f).collect()
        } else {
            items.iter().filter_map(f).collect()
        }
    }

    /// Both closures, side by side when parallel, else `a` then `b`.
    pub fn join<RA: Send, RB: Send>(
        self,
        a: impl FnOnce() -> RA + Send,
        b: impl FnOnce() -> RB + Send,
    ) -> (RA, RB) {
        if self.parallel {
            rayon::join(a, b)
        } else {
            (a(), b())
        }
    }
}

/// The stack of each of the pool's threads: as much as the main thread
/// has, so a statement is read the same whichever thread reads it. The
/// deepest statement bellows parses (see `parse::depth`) takes 200 KB in a
/// release build but 5.2 MB in a debug build, where rayon's default of
/// 2 MB overflowed. It is address space: only the pages a thread touches
/// are memory.
const WORKER_STACK: usize = 8 << 20;

/// Starts rayon's global pool with [`WORKER_STACK`], once. If the pool is
/// already running (an embedding program started it), it is used as is.
fn start_pool() {
    static START: std::sync::Once = std::sync::Once::new();
    START.call_once(|| {
        let _already_running = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .build_global();
    });
}

/// The threads rayon's global pool would start, found without starting it:
/// `RAYON_NUM_THREADS` when it is a positive number, else the CPUs this
/// process may run on (affinity and cgroup quota included).
fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_keeps_order_and_drops_nones() {
        let items: Vec<u32> = (0..100).collect();
        let odd = Par::SEQUENTIAL.filter_map(&items, |&i| (i % 2 == 1).then_some(i * 10));
        assert_eq!(odd.len(), 50);
        assert_eq!(odd[..3], [10, 30, 50]);
        let (a, b) = Par::SEQUENTIAL.join(|| 1, || 2);
        assert_eq!((a, b), (1, 2));
    }

    #[test]
    fn parallel_gives_what_sequential_gives() {
        let items: Vec<u64> = (0..10_000).collect();
        let par = Par { parallel: true };
        let f = |&i: &u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7;
        assert_eq!(par.map(&items, f), Par::SEQUENTIAL.map(&items, f));
        assert_eq!(
            par.filter_map(&items, |&i| (i % 3 == 0).then(|| f(&i))),
            Par::SEQUENTIAL.filter_map(&items, |&i| (i % 3 == 0).then(|| f(&i)))
        );
    }

    #[test]
    fn small_input_stays_on_one_thread() {
        assert!(!Par::for_input(MIN_PARALLEL_BYTES - 1).is_parallel());
    }
}

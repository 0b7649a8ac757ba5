//! Ctrl-C: the scratch databases of the run are removed before the process
//! exits. Each engine registers how to remove its database while it lives,
//! and unregisters when it removes it itself (its `Drop`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A way to remove one scratch database from another thread.
pub type Action = Box<dyn FnOnce() + Send>;

static PENDING: Mutex<Vec<(u64, Action)>> = Mutex::new(Vec::new());
static NEXT: Mutex<u64> = Mutex::new(0);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (once; later calls do nothing).
pub fn install() {
    // An error means a handler is already set (by an earlier call).
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        run_all();
        std::process::exit(130);
    });
}

/// After Ctrl-C the handler removes the databases (the run's sessions
/// then fail) and exits: the run must not report those failures nor start
/// anything new, so it waits here for the exit.
pub fn wait_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Registers a removal; the id unregisters it.
pub fn register(action: Action) -> u64 {
    let id = {
        let mut n = NEXT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *n += 1;
        *n
    };
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((id, action));
    id
}

/// Forgets a removal (its engine removed the database itself).
pub fn unregister(id: u64) {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .retain(|(i, _)| *i != id);
}

fn run_all() {
    let actions: Vec<(u64, Action)> = std::mem::take(
        &mut *PENDING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for (_, a) in actions {
        a();
    }
}

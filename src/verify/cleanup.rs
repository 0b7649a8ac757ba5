//! Ctrl-C: the scratch databases of the run are removed before the process
//! exits. Each engine registers how to remove its database while it lives,
//! and unregisters when it removes it itself (its `Drop`).

use std::sync::Mutex;

/// A way to remove one scratch database from another thread.
pub type Action = Box<dyn FnOnce() + Send>;

static PENDING: Mutex<Vec<(u64, Action)>> = Mutex::new(Vec::new());
static NEXT: Mutex<u64> = Mutex::new(0);

/// Installs the Ctrl-C handler (once; later calls do nothing).
pub fn install() {
    // An error means a handler is already set (by an earlier call).
    let _ = ctrlc::set_handler(|| {
        run_all();
        std::process::exit(130);
    });
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

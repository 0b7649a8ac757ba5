//! The binary's allocator: the C library's `malloc` for a small run,
//! mimalloc once the input turns out to be large.
//!
//! mimalloc is faster on large histories (generated 10k statements, one
//! core: 111 against 128 ms with glibc's `malloc`), but it gives each size
//! class a page of its own, so a short run touches more fresh memory: on a
//! directory of a few migrations, where start-up is most of the run, glibc's
//! `malloc` is faster (openfga, 27 statements: 135 page faults against 205,
//! 0.3 ms less). So every run starts on `malloc`, and [`for_input`] moves
//! new allocations to mimalloc when the SQL read is large. Memory is freed
//! by the allocator that gave it: mimalloc knows its own addresses
//! (`mi_is_in_heap_region`), everything else goes back to `free`.
//!
//! The only `unsafe` code of the crate: the [`GlobalAlloc`] contract, each
//! call handed unchanged to one of two allocators that both keep it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// SQL read at or above which a run allocates with mimalloc. Below it,
/// `malloc` was measured faster; at it (authelia, 65 KB), both are equal.
pub const LARGE_INPUT_BYTES: usize = 64 * 1024;

/// Set once, never cleared: new memory comes from mimalloc.
static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// Chooses the allocator for the rest of a run that reads `bytes` of SQL.
/// Has no effect unless [`Hybrid`] is the global allocator (the binary's).
pub fn for_input(bytes: usize) {
    if bytes >= LARGE_INPUT_BYTES {
        MIMALLOC.store(true, Ordering::Release);
    }
}

/// Whether new memory now comes from mimalloc.
pub fn uses_mimalloc() -> bool {
    MIMALLOC.load(Ordering::Acquire)
}

/// The global allocator of the `bellows` binary.
pub struct Hybrid;

/// Whether `ptr` was given by mimalloc. Before the switch nothing was.
fn from_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only looks `ptr` up in mimalloc's page
    // map; it reads nothing at the address and accepts any pointer.
    uses_mimalloc() && unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) }
}

// SAFETY: every method forwards its arguments unchanged to `System` or to
// `MiMalloc`, both sound global allocators. A block is given back (dealloc,
// realloc) to the allocator that gave it, told apart by address.
unsafe impl GlobalAlloc for Hybrid {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if uses_mimalloc() {
            unsafe { MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if uses_mimalloc() {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// A block grows within the allocator that gave it.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

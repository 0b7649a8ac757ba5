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
//! by the allocator that gave it. At the switch, mimalloc reserves one arena
//! of address space that it then allocates from, so a pointer inside it is
//! mimalloc's by two comparisons; any other pointer is asked of mimalloc
//! (`mi_is_in_heap_region`, a page-map lookup: asking it for every free cost
//! 6% of a large run's instructions), and what it does not know goes back to
//! `free`.
//!
//! The only `unsafe` code of the crate: the [`GlobalAlloc`] contract, each
//! call handed unchanged to one of two allocators that both keep it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's start and size of an arena (part of its C API, not of
    /// libmimalloc-sys' bindings).
    fn mi_arena_area(arena_id: *mut c_void, size: *mut usize) -> *mut c_void;
}

/// SQL read at or above which a run allocates with mimalloc. Below it,
/// `malloc` was measured faster; at it (authelia, 65 KB), both are equal.
pub const LARGE_INPUT_BYTES: usize = 64 * 1024;

/// Address space mimalloc reserves at the switch, and allocates from
/// first. Reserved, not committed: pages cost only once touched.
const ARENA_BYTES: usize = 4 << 30;

/// Set once, never cleared: new memory comes from mimalloc.
static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// The arena reserved at the switch: `[start, end)`, empty if none.
static ARENA_START: AtomicUsize = AtomicUsize::new(0);
static ARENA_END: AtomicUsize = AtomicUsize::new(0);

/// Chooses the allocator for the rest of a run that reads `bytes` of SQL.
/// Has no effect unless [`Hybrid`] is the global allocator (the binary's).
/// Called on one thread, before the run starts others.
pub fn for_input(bytes: usize) {
    if bytes >= LARGE_INPUT_BYTES && !uses_mimalloc() {
        reserve_arena();
        MIMALLOC.store(true, Ordering::Release);
    }
}

/// Reserves mimalloc's arena and notes where it lies. If mimalloc cannot
/// reserve it, every free asks mimalloc instead: slower, as correct.
fn reserve_arena() {
    let mut id: libmimalloc_sys::mi_arena_id_t = std::ptr::null_mut();
    // SAFETY: plain calls into mimalloc's C API with valid out-pointers;
    // a non-exclusive arena is used by every mimalloc heap.
    let (start, size) = unsafe {
        if libmimalloc_sys::mi_reserve_os_memory_ex(ARENA_BYTES, false, false, false, &raw mut id)
            != 0
        {
            return;
        }
        let mut size = 0usize;
        let start = mi_arena_area(id, &raw mut size);
        (start as usize, size)
    };
    if start != 0 && size != 0 {
        ARENA_START.store(start, Ordering::Relaxed);
        ARENA_END.store(start.saturating_add(size), Ordering::Relaxed);
    }
}

/// Whether new memory now comes from mimalloc.
pub fn uses_mimalloc() -> bool {
    MIMALLOC.load(Ordering::Acquire)
}

/// The global allocator of the `bellows` binary.
pub struct Hybrid;

/// Whether `ptr` was given by mimalloc. Before the switch nothing was.
/// Nothing else can lie in mimalloc's arena: it keeps the address space it
/// reserved until the process ends.
fn from_mimalloc(ptr: *mut u8) -> bool {
    if !uses_mimalloc() {
        return false;
    }
    // Relaxed: both were stored before the switch, which this thread saw.
    let at = ptr as usize;
    if at >= ARENA_START.load(Ordering::Relaxed) && at < ARENA_END.load(Ordering::Relaxed) {
        return true;
    }
    // SAFETY: mi_is_in_heap_region only looks `ptr` up in mimalloc's page
    // map; it reads nothing at the address and accepts any pointer.
    unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) }
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

//! The binary's allocator, installed here as this test's global allocator:
//! memory taken before the switch to mimalloc is grown and freed by
//! `malloc`, memory taken after by mimalloc, on any thread, and a whole
//! check runs on it either way.

use std::path::PathBuf;

use bellows::alloc::{self, Hybrid, LARGE_INPUT_BYTES};

#[global_allocator]
static GLOBAL: Hybrid = Hybrid;

/// Blocks of many sizes, zeroed and not, with their contents.
fn blocks(seed: usize) -> Vec<Vec<u8>> {
    (0..200)
        .map(|i| {
            let len = (i * 37 + seed) % 5000 + 1;
            if i % 3 == 0 {
                vec![0; len]
            } else {
                vec![u8::try_from((i + seed) % 251).unwrap_or(0); len]
            }
        })
        .collect()
}

fn intact(blocks: &[Vec<u8>], seed: usize) -> bool {
    blocks.iter().enumerate().all(|(i, b)| {
        let want = if i % 3 == 0 {
            0
        } else {
            u8::try_from((i + seed) % 251).unwrap_or(0)
        };
        b.len() == (i * 37 + seed) % 5000 + 1 && b.iter().all(|&x| x == want)
    })
}

fn lint_demo() -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/migrations");
    let settings = bellows::Settings {
        cwd: dir.clone(),
        ..bellows::Settings::default()
    };
    bellows::check(&[dir], &settings).findings.len()
}

// One test: the switch is process-wide and never undone, so the order of
// these steps is the test.
#[test]
fn blocks_go_back_to_the_allocator_that_gave_them() {
    assert!(!alloc::uses_mimalloc());
    let before = blocks(1);
    let mut grown: Vec<String> = (0..100).map(|i| "x".repeat(i + 1)).collect();
    let findings_on_malloc = lint_demo();

    alloc::for_input(LARGE_INPUT_BYTES - 1);
    assert!(!alloc::uses_mimalloc(), "a small input stays on malloc");
    alloc::for_input(LARGE_INPUT_BYTES);
    assert!(alloc::uses_mimalloc());

    // Blocks from malloc grow (realloc) and are freed after the switch, here
    // and on other threads; blocks from mimalloc are freed on other threads.
    for s in &mut grown {
        s.push_str(&"y".repeat(3000));
    }
    let after = blocks(2);
    let handles: Vec<_> = [(before, 1), (after, 2)]
        .into_iter()
        .map(|(b, seed)| std::thread::spawn(move || intact(&b, seed)))
        .collect();
    for h in handles {
        assert_eq!(h.join().ok(), Some(true));
    }
    assert!(
        grown
            .iter()
            .enumerate()
            .all(|(i, s)| s.len() == i + 1 + 3000)
    );
    drop(grown);

    // The whole check gives the same findings on mimalloc.
    assert_eq!(lint_demo(), findings_on_malloc);
    assert!(findings_on_malloc > 0);
}

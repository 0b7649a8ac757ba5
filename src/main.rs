//! The `bellows` binary: arguments → library → exit code.
#![cfg_attr(not(test), no_main)]

use std::io::Write;

use clap::Parser;

/// The C entry point, in place of std's `fn main`. Before `fn main`, std
/// ignores SIGPIPE (done here too) and installs a SIGSEGV handler that names
/// a stack overflow; setting that up asks glibc for the main thread's stack
/// bounds, which glibc reads and parses from `/proc/self/maps`, and maps an
/// alternate signal stack. On openfga (27 statements) the run took 1.13
/// against 1.30 ms without it (fastest of 600, two builds that differed only
/// here, both without sqlparser's stack guard): a tenth of a small run.
/// bellows bounds its own recursion instead (`parse::depth`, sqlparser's
/// recursion limit and its stack guard), so a deep statement is a
/// `parse-error`, never an overflow. std still reads the arguments (the C
/// library hands them to std at load).
// Under `cargo test` the test harness brings its own `main`.
#[cfg(not(test))]
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    // A reader that goes away (`bellows check | head`) makes writes fail
    // with BrokenPipe, handled in `run`, instead of killing the process.
    #[cfg(unix)]
    {
        unsafe extern "C" {
            fn signal(signum: i32, handler: usize) -> usize;
        }
        const SIGPIPE: i32 = 13;
        const SIG_IGN: usize = 1;
        // SAFETY: setting a signal's disposition to "ignore" touches no
        // memory of this program; nothing else runs yet.
        unsafe {
            signal(SIGPIPE, SIG_IGN);
        }
    }
    let code = run();
    // std's exit path would flush stdout; this one must (clap's help and
    // version go there too).
    let _ = std::io::stdout().flush();
    i32::from(code)
}

#[cfg_attr(test, allow(dead_code))]
fn run() -> u8 {
    // Panics are caught per file and reported as one line naming the file.
    std::panic::set_hook(Box::new(|_| {}));
    let args = match bellows::cli::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let Ok(out) = std::panic::catch_unwind(|| bellows::cli::execute(args)) else {
        eprintln!("bellows: error: internal error in bellows, please report it");
        return 2;
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = out
        .stdout
        .write_to(&mut stdout)
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return out.code;
        }
        eprintln!("bellows: cannot write the report: {e}");
        return 2;
    }
    for line in &out.notes {
        eprintln!("bellows: {line}");
    }
    for line in &out.errors {
        eprintln!("bellows: error: {line}");
    }
    out.code
}

/// `malloc` for small runs, mimalloc for large ones: see `bellows::alloc`.
#[global_allocator]
static GLOBAL: bellows::alloc::Hybrid = bellows::alloc::Hybrid;

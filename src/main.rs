//! The `bellows` binary: arguments → library → exit code.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Panics are caught per file and reported as one line naming the file.
    std::panic::set_hook(Box::new(|_| {}));
    let args = match bellows::cli::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let Ok(out) = std::panic::catch_unwind(|| bellows::cli::execute(args)) else {
        eprintln!("bellows: error: internal error in bellows, please report it");
        return ExitCode::from(2);
    };
    // Rust ignores SIGPIPE: a reader that goes away (`bellows check | head`)
    // makes the write fail with BrokenPipe, and the run ends with its own code.
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = out
        .stdout
        .write_to(&mut stdout)
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::from(out.code);
        }
        eprintln!("bellows: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    for line in &out.notes {
        eprintln!("bellows: {line}");
    }
    for line in &out.errors {
        eprintln!("bellows: error: {line}");
    }
    ExitCode::from(out.code)
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

//! bellows: a schema-migration safety linter.
//!
//! The pipeline, one stage after another, each importing only those before
//! it: [`model`] (the shared vocabulary), [`discover`] (migration roots and
//! their layout), [`parse`] (statements and spans), [`catalog`] (the schema
//! model), [`replay`] (the history, statement by statement, with the context
//! of each), [`rules`] (the registry and what each rule finds), then the
//! front ends over an [`outcome::Outcome`]: [`report`] and [`baseline`].
//! [`check`] here runs the stages in order; [`cli`] is the command line.
#![forbid(unsafe_code)]

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod discover;
pub mod fix;
pub mod mcp;
pub mod model;
pub mod mysql_version;
pub mod outcome;
pub mod parse;
pub mod references;
pub mod replay;
pub mod report;
pub mod rules;
pub mod server;
pub mod since;
pub mod sqlite_version;
pub mod stats;
pub mod verify;

use std::collections::BTreeSet;
use std::path::PathBuf;

use rayon::prelude::*;

use discover::{FileId, InputError};
pub use model::{ByteSpan, Dialect, Finding, Settings, Severity};
pub use outcome::Outcome;

/// The stack of each of rayon's threads: as much as the main thread has, so
/// a statement is read the same whichever thread reads it. The deepest
/// statement bellows parses (see `parse::depth`) takes 200 KB in a release
/// build but 5.2 MB in a debug build, where rayon's default of 2 MB
/// overflowed. It is address space: only the pages a thread touches count.
const WORKER_STACK: usize = 8 << 20;

/// Starts rayon's global pool, once per process (a pool already running,
/// started here or by an embedding program, is used as is).
///
/// `with_this_thread`: the calling thread is one of the pool's workers, so a
/// one-shot command whose thread would only wait for the pool works in it
/// instead: on one core no second thread is started, and the run over the
/// corpus's PostgreSQL directories touches 540 fewer pages (2 MB less peak
/// memory). Only for a thread that stays in charge until the process ends:
/// a pool job waits for its workers, and a worker busy elsewhere (the
/// editor server's main loop) would never take it.
pub fn start_pool(with_this_thread: bool) {
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if with_this_thread {
        pool = pool.use_current_thread();
    }
    let _already_running = pool.build_global();
}

/// Lints the migrations under `paths`.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Outcome {
    check_with(paths, settings, &replay::Kept::default())
}

/// [`check`], parsing again only the files whose text changed since they
/// went into `kept` (the editor server and the agent server lint the same
/// root again and again).
pub fn check_with(paths: &[PathBuf], settings: &Settings, kept: &replay::Kept) -> Outcome {
    start_pool(false);
    let discovered = discover::discover(
        paths,
        &discover::Options {
            dialect: settings.dialect,
            layout: settings.layout,
            layout_by: settings.layout_by(),
            cwd: settings.cwd.clone(),
            exclude: settings
                .exclude
                .clone()
                .map(|g| (g, settings.exclude_base.clone())),
            stdin: settings.stdin.clone(),
            overlay: settings.overlay.clone(),
        },
    );
    let mut discovered = discovered;
    let only: BTreeSet<PathBuf> = discovered
        .only
        .iter()
        .map(|p| since::absolute(p, &settings.cwd))
        .collect();
    // Every file is reported unless a file list or --since narrows it.
    let narrowed = !only.is_empty() || settings.since.is_some();
    let absolute: Vec<PathBuf> = if narrowed {
        discovered
            .files
            .iter()
            .map(|f| since::absolute(&f.path, &settings.cwd))
            .collect()
    } else {
        Vec::new()
    };
    let reportable = |id: FileId| {
        if !narrowed {
            return id < discovered.files.len();
        }
        let Some(path) = absolute.get(id) else {
            return false;
        };
        (only.is_empty() || only.contains(path))
            && settings
                .since
                .as_ref()
                .is_none_or(|s| s.changed.contains(path))
    };
    // Last guard: a panic while linting a root (or reading one of its
    // files) becomes an internal error for it (exit 2); every other root and
    // file is still linted and reported.
    let linted: Vec<Result<rules::RootOutput, String>> = discovered
        .roots
        .par_iter()
        .map(|root| {
            std::panic::catch_unwind(|| {
                rules::lint_root(root, &discovered.files, settings, kept, &reportable)
            })
            .map_err(|p| model::internal_error(&root.display, &p))
        })
        .collect();
    // Room for every root's findings at once: grown by doubling, the list
    // and its copy were both held at the run's peak.
    let mut findings = Vec::with_capacity(linted.iter().flatten().map(|o| o.findings.len()).sum());
    let mut internal = Vec::new();
    let mut statements: Vec<Option<Vec<ByteSpan>>> = vec![None; discovered.files.len()];
    let mut coverage = vec![parse::Coverage::default(); discovered.files.len()];
    for r in linted {
        match r {
            Ok(out) => {
                findings.extend(out.findings);
                internal.extend(out.errors.into_iter().map(|message| InputError { message }));
                for (id, s) in out.files {
                    if let Some(slot) = statements.get_mut(id) {
                        slot.get_or_insert(s);
                    }
                }
                // A file two roots read is counted once.
                for (id, c) in out.coverage {
                    if let Some(slot) = coverage.get_mut(id) {
                        *slot = c;
                    }
                }
            }
            Err(e) => internal.push(InputError { message: e }),
        }
    }
    // Files no migration reads are still counted.
    let unread: Vec<FileId> = (0..statements.len())
        .filter(|&i| statements[i].is_none())
        .collect();
    for (id, file, error) in replay::parse_files(&unread, &discovered.files, kept) {
        internal.extend(error.map(|message| InputError { message }));
        statements[id] = Some(replay::spans(&file));
        coverage[id] = file.coverage();
    }
    discovered.errors.extend(internal);
    outcome::sort_findings(&mut findings, &discovered.files);
    findings.dedup();
    let statements = statements
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    let mut outcome = Outcome {
        discovered,
        statements,
        coverage,
        findings,
        stats: settings
            .table_sizes
            .as_ref()
            .map(|s| (s.file.clone(), s.stats.taken.clone())),
    };
    fix::resolve(&mut outcome);
    outcome
}

/// Plans the safe fixes of [`check`] over `paths`: each one re-checked
/// with the fixed files in memory, nothing written. The findings a
/// `baseline` file records are left alone (they are old migrations).
pub fn fix(
    paths: &[PathBuf],
    settings: &Settings,
    baseline: Option<&std::path::Path>,
) -> fix::Plan {
    fix::plan(settings, &|s| {
        let mut outcome = check(paths, s);
        if let Some(b) = baseline {
            // A baseline that cannot be read was reported by the run itself.
            let _ = baseline::apply(&mut outcome, b);
        }
        outcome
    })
}

/// Runs the migrations under `paths` up, down and up again on a scratch
/// database (`bellows verify`); the static findings of [`check`] are read
/// when the trace needs them.
pub fn verify(
    paths: &[PathBuf],
    settings: &Settings,
    opts: &verify::Options,
) -> Result<verify::Report, String> {
    verify::verify(paths, settings, opts, || check(paths, settings))
}

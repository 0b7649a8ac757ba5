//! Drives the whole check of one migration file: discovery (through the
//! standard-input path, so no file system), parsing, replay, every rule and
//! every report format. Any panic is a crash.
#![no_main]

use std::path::PathBuf;

use bellows::{Dialect, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let names = [
        ("fuzz/000001_x.up.sql", Dialect::Postgres),
        ("fuzz/00001_x.sql", Dialect::Mysql),
        ("fuzz/1_x.sql", Dialect::Sqlite),
    ];
    for (name, dialect) in names {
        let settings = Settings {
            dialect: Some(dialect),
            stdin: Some((PathBuf::from(name), text.to_string())),
            cwd: PathBuf::from("/nonexistent-bellows-fuzz"),
            ..Settings::default()
        };
        let outcome = bellows::check(&[PathBuf::from("-")], &settings);
        for e in outcome.input_errors() {
            assert!(!e.message.contains("internal error"), "{}", e.message);
        }
        let _ = bellows::report::json::write(&outcome, &mut std::io::sink());
        let _ = bellows::report::fingerprints(&outcome);
        let _ = bellows::report::sarif::render(&outcome);
        let _ = bellows::report::human::render(&outcome, bellows::report::human::Style { color: false, width: 80 });
    }
});

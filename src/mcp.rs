//! `bellows mcp`: a Model Context Protocol server over stdio, for coding
//! agents, so they ask bellows before they write a migration file.
//!
//! The transport is MCP's stdio one: one JSON-RPC 2.0 message per line on
//! stdin and stdout. The server answers `initialize`, `ping`, `tools/list`
//! and `tools/call`; its tools are `check_migration`, `verify_migrations`,
//! `explain_rule` and `list_rules`. Everything runs in the order it
//! arrives: synchronous tools need no async runtime.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::rules::REGISTRY;
use crate::server::Pipeline;

/// What the tools run, handed down by the command line.
#[derive(Clone, Copy)]
pub struct Tools {
    pub pipeline: Pipeline,
    /// `verify` itself.
    pub verify: fn(
        &[PathBuf],
        &crate::model::Settings,
        &crate::verify::Options,
    ) -> Result<crate::verify::Report, String>,
}

/// The protocol revisions this server speaks, newest first.
const PROTOCOL_VERSIONS: &[&str] = &["2025-06-18", "2025-03-26", "2024-11-05"];

/// Serves MCP on stdin/stdout until stdin closes.
pub fn run(tools: &Tools) -> Result<(), String> {
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let line = line.map_err(|e| format!("mcp: cannot read standard input: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        if let Some(reply) = handle(&line, &cwd, tools) {
            let text = reply.to_string();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.write_all(b"\n"))
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("mcp: cannot write standard output: {e}"))?;
        }
    }
    Ok(())
}

fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// The reply to one message (`None` for a notification).
pub fn handle(line: &str, cwd: &std::path::Path, tools: &Tools) -> Option<Value> {
    let Ok(msg) = serde_json::from_str::<Value>(line) else {
        return Some(error(&Value::Null, -32700, "not a JSON message"));
    };
    let id = msg.get("id")?.clone();
    let method = msg["method"].as_str().unwrap_or("");
    let params = &msg["params"];
    let result = match method {
        "initialize" => {
            let asked = params["protocolVersion"].as_str().unwrap_or("");
            let version = PROTOCOL_VERSIONS
                .iter()
                .find(|v| **v == asked)
                .unwrap_or(&PROTOCOL_VERSIONS[0]);
            json!({
                "protocolVersion": version,
                "capabilities": { "tools": { "listChanged": false } },
                "serverInfo": { "name": "bellows", "version": env!("CARGO_PKG_VERSION") },
                "instructions": "Call check_migration with the SQL of a migration and the file \
                    name it will have before writing the file: bellows replays the migrations \
                    already on disk and reports each unsafe change with its safe sequence."
            })
        }
        "ping" => json!({}),
        "tools/list" => json!({ "tools": tool_list() }),
        "tools/call" => call(
            params["name"].as_str().unwrap_or(""),
            &params["arguments"],
            cwd,
            tools,
        ),
        _ => return Some(error(&id, -32601, &format!("unknown method `{method}`"))),
    };
    Some(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
}

fn tool_list() -> Value {
    json!([
        {
            "name": "check_migration",
            "title": "Check a migration",
            "description": "Lint a migration for changes that break deploys (drops, renames, \
                blocking locks, table rewrites, missing downs). Give `sql` with the `file_name` \
                the migration will have (the migrations already in that folder are read from \
                disk as its history), or a `path` to a migration file or folder on disk. \
                Returns bellows' JSON report: each finding with its rule, position, message \
                and `help`, the safe sequence in the migration's own names.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "sql": { "type": "string", "description": "the migration's SQL, unsaved" },
                    "file_name": { "type": "string", "description": "with `sql`: the path the file will have, e.g. db/migrations/000042_drop_email.up.sql" },
                    "path": { "type": "string", "description": "without `sql`: a migration file or folder on disk" }
                }
            }
        },
        {
            "name": "explain_rule",
            "title": "Explain a rule",
            "description": "The documentation of a bellows rule: what it flags, why it is \
                dangerous, what to write instead.",
            "inputSchema": {
                "type": "object",
                "properties": { "rule": { "type": "string", "description": "a rule id, e.g. drop-column" } },
                "required": ["rule"]
            }
        },
        {
            "name": "verify_migrations",
            "title": "Verify migrations on a scratch database",
            "description": "Run the migrations under `path` up, down and up again on a \
                database bellows creates and removes (SQLite: embedded; PostgreSQL or MySQL: \
                on the server of `database_url`, else BELLOWS_DATABASE_URL). Returns the JSON \
                report: statements the server refused, downs that do not undo their up, and \
                (PostgreSQL) the locks and rewrites each statement really took.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "path": { "type": "string", "description": "a migration folder on disk" },
                    "database_url": { "type": "string", "description": "postgres://… or mysql://…: a server to create the scratch database on" },
                    "rows": { "type": "integer", "description": "rows generated into every table before each migration (default 0)" }
                },
                "required": ["path"]
            }
        },
        {
            "name": "list_rules",
            "title": "List the rules",
            "description": "Every bellows rule: id, default severity, dialects, summary.",
            "inputSchema": { "type": "object", "properties": {} }
        }
    ])
}

fn text_result(text: &str, is_error: bool) -> Value {
    json!({ "content": [{ "type": "text", "text": text }], "isError": is_error })
}

fn call(name: &str, args: &Value, cwd: &std::path::Path, tools: &Tools) -> Value {
    match name {
        "check_migration" => check_migration(args, cwd, &tools.pipeline),
        "verify_migrations" => verify_migrations(args, cwd, tools),
        "explain_rule" => {
            let rule = args["rule"].as_str().unwrap_or("");
            match crate::rules::find(rule) {
                Some(r) => text_result(r.doc, false),
                None => text_result(
                    &format!("unknown rule id `{rule}` (list_rules lists them)"),
                    true,
                ),
            }
        }
        "list_rules" => {
            let rules: Vec<Value> = REGISTRY
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "severity": r.severity.id(),
                        "dialects": r.dialects.names(),
                        "summary": r.summary,
                    })
                })
                .collect();
            let value = json!({ "rules": rules });
            json!({
                "content": [{ "type": "text", "text": value.to_string() }],
                "structuredContent": value,
                "isError": false
            })
        }
        _ => text_result(&format!("unknown tool `{name}`"), true),
    }
}

fn check_migration(args: &Value, cwd: &std::path::Path, pipeline: &Pipeline) -> Value {
    let mut settings = match (pipeline.settings)(None, cwd) {
        Ok(s) => s,
        Err(e) => return text_result(&e, true),
    };
    let paths = match (
        args["sql"].as_str(),
        args["file_name"].as_str(),
        args["path"].as_str(),
    ) {
        (Some(sql), Some(name), _) => {
            settings.stdin = Some((cwd.join(name), sql.to_string()));
            vec![PathBuf::from("-")]
        }
        (Some(_), None, _) => {
            return text_result(
                "`sql` needs `file_name`: the path the migration will have",
                true,
            );
        }
        (None, _, Some(path)) => vec![cwd.join(path)],
        (None, _, None) => {
            return text_result("give `sql` and `file_name`, or a `path` on disk", true);
        }
    };
    let outcome = std::panic::catch_unwind(|| (pipeline.check)(&paths, &settings));
    let Ok(outcome) = outcome else {
        return text_result("internal error in bellows, please report it", true);
    };
    let errors: Vec<String> = outcome
        .input_errors()
        .iter()
        .map(|e| e.message.clone())
        .collect();
    let mut out = Vec::new();
    if let Err(e) = crate::report::json::write(&outcome, &mut out) {
        return text_result(&format!("cannot write the report: {e}"), true);
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(&out) else {
        return text_result("cannot write the report", true);
    };
    if !errors.is_empty() {
        value["errors"] = json!(errors);
    }
    json!({
        "content": [{ "type": "text", "text": value.to_string() }],
        "structuredContent": value,
        "isError": !errors.is_empty()
    })
}

fn verify_migrations(args: &Value, cwd: &std::path::Path, tools: &Tools) -> Value {
    let Some(path) = args["path"].as_str() else {
        return text_result("give the `path` of a migration folder", true);
    };
    let settings = match (tools.pipeline.settings)(None, cwd) {
        Ok(s) => s,
        Err(e) => return text_result(&e, true),
    };
    let opts = crate::verify::Options {
        url: args["database_url"]
            .as_str()
            .map(str::to_string)
            .or_else(|| std::env::var("BELLOWS_DATABASE_URL").ok())
            .filter(|u| !u.is_empty()),
        rows: args["rows"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        keep: false,
        allow_global_changes: false,
        progress: false,
    };
    let report = std::panic::catch_unwind(|| (tools.verify)(&[cwd.join(path)], &settings, &opts));
    let report = match report {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return text_result(&e, true),
        Err(_) => return text_result("internal error in bellows, please report it", true),
    };
    let mut out = Vec::new();
    if let Err(e) =
        crate::report::json::write_with_trace(&report.outcome, Some(&report.trace), &mut out)
    {
        return text_result(&format!("cannot write the report: {e}"), true);
    }
    let Ok(value) = serde_json::from_slice::<Value>(&out) else {
        return text_result("cannot write the report", true);
    };
    json!({
        "content": [{ "type": "text", "text": value.to_string() }],
        "structuredContent": value,
        "isError": false
    })
}

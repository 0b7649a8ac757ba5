//! `bellows mcp`: a Model Context Protocol server over stdio, for coding
//! agents, so they ask bellows before they write a migration file.
//!
//! In: tool calls on stdin. Out: each tool's result on stdout (a check's
//! findings with their re-checked fixes, verify's report, a rule's doc).
//!
//! The protocol is the `rmcp` crate's (MCP's stdio transport: one JSON-RPC
//! message per line), on a current-thread tokio runtime started here, so
//! no other command pays for it. The tools are `check_migration`,
//! `verify_migrations`, `explain_rule` and `list_rules`; they run the
//! synchronous pipeline one call at a time, keeping the parsed files from
//! one call to the next (`replay::Kept`, as the editor does). The fixes in
//! `check_migration`'s findings are those that pass the re-check
//! `check --fix` runs ([`crate::fix::keep_rechecked`]): an agent is never
//! handed a fix `--fix` would refuse.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
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

const INSTRUCTIONS: &str = "Call check_migration with the SQL of a migration and the file \
    name it will have before writing the file: bellows replays the migrations already on \
    disk and reports each unsafe change with its safe sequence.";

/// Serves MCP on stdin/stdout until stdin closes.
pub fn run(tools: &Tools) -> Result<(), String> {
    let cwd = std::env::current_dir().map_err(|e| format!("mcp: no working directory: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("mcp: cannot start: {e}"))?;
    let server = Bellows {
        tools: *tools,
        cwd,
        kept: crate::replay::Kept::on(),
    };
    let result = runtime.block_on(async {
        let running = match server.serve(rmcp::transport::stdio()).await {
            Ok(r) => r,
            // Standard input closed before any request: nothing to serve.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(e) => return Err(format!("mcp: {e}")),
        };
        running
            .waiting()
            .await
            .map(|_| ())
            .map_err(|e| format!("mcp: {e}"))
    });
    // Standard input is read on a blocking thread: do not wait for it.
    runtime.shutdown_background();
    result
}

/// The MCP server: its tools over the pipeline, paths relative to `cwd`.
struct Bellows {
    tools: Tools,
    cwd: PathBuf,
    /// The files parsed by earlier calls.
    kept: crate::replay::Kept,
}

impl ServerHandler for Bellows {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("bellows", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tool_list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = Value::Object(request.arguments.unwrap_or_default());
        call(&request.name, &args, self).map(CallToolResponse::Complete)
    }
}

fn tool(name: &'static str, title: &str, description: &'static str, schema: Value) -> Tool {
    let schema = match schema {
        Value::Object(o) => o,
        _ => serde_json::Map::new(),
    };
    Tool::new(name, description, Arc::new(schema)).with_title(title)
}

fn tool_list() -> Vec<Tool> {
    vec![
        tool(
            "check_migration",
            "Check a migration",
            "Lint a migration for changes that break deploys (drops, renames, \
                blocking locks, table rewrites, missing downs). Give `sql` with the `file_name` \
                the migration will have (the migrations already in that folder are read from \
                disk as its history), or a `path` to a migration file or folder on disk. \
                Returns bellows' JSON report: each finding with its rule, position, message \
                and `help`, the safe sequence in the migration's own names.",
            json!({
                "type": "object",
                "properties": {
                    "sql": { "type": "string", "description": "the migration's SQL, unsaved" },
                    "file_name": { "type": "string", "description": "with `sql`: the path the file will have, e.g. db/migrations/000042_drop_email.up.sql" },
                    "path": { "type": "string", "description": "without `sql`: a migration file or folder on disk" }
                }
            }),
        ),
        tool(
            "explain_rule",
            "Explain a rule",
            "The documentation of a bellows rule: what it flags, why it is \
                dangerous, what to write instead.",
            json!({
                "type": "object",
                "properties": { "rule": { "type": "string", "description": "a rule id, e.g. drop-column" } },
                "required": ["rule"]
            }),
        ),
        tool(
            "verify_migrations",
            "Verify migrations on a scratch database",
            "Run the migrations under `path` up, down and up again on a \
                database bellows creates and removes (SQLite: embedded; PostgreSQL or MySQL: \
                on the server of `database_url`, else BELLOWS_DATABASE_URL). Returns the JSON \
                report: statements the server refused, downs that do not undo their up, and \
                (PostgreSQL) the locks and rewrites each statement really took.",
            json!({
                "type": "object",
                "properties": {
                    "path": { "type": "string", "description": "a migration folder on disk" },
                    "database_url": { "type": "string", "description": "postgres://… or mysql://…: a server to create the scratch database on" },
                    "rows": { "type": "integer", "description": "rows generated into every table before each migration (default 0)" }
                },
                "required": ["path"]
            }),
        ),
        tool(
            "list_rules",
            "List the rules",
            "Every bellows rule: id, default severity, dialects, summary.",
            json!({ "type": "object", "properties": {} }),
        ),
    ]
}

/// A tool's answer in text; an error one is read by the agent, not a
/// protocol error.
fn text_result(text: &str, is_error: bool) -> CallToolResult {
    let content = vec![ContentBlock::text(text)];
    if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    }
}

fn call(name: &str, args: &Value, server: &Bellows) -> Result<CallToolResult, ErrorData> {
    Ok(match name {
        "check_migration" => check_migration(args, server),
        "verify_migrations" => verify_migrations(args, &server.cwd, &server.tools),
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
            CallToolResult::structured(json!({ "rules": rules }))
        }
        _ => {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}` (tools/list lists them)"),
                None,
            ));
        }
    })
}

fn check_migration(args: &Value, server: &Bellows) -> CallToolResult {
    let (cwd, pipeline) = (server.cwd.as_path(), &server.tools.pipeline);
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
    let outcome = std::panic::catch_unwind(|| {
        let check = |s: &crate::model::Settings| (pipeline.check)(&paths, s, &server.kept);
        let mut outcome = check(&settings);
        crate::fix::keep_rechecked(&mut outcome, &settings, &check);
        outcome
    });
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
    if errors.is_empty() {
        CallToolResult::structured(value)
    } else {
        value["errors"] = json!(errors);
        CallToolResult::structured_error(value)
    }
}

fn verify_migrations(args: &Value, cwd: &Path, tools: &Tools) -> CallToolResult {
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
    CallToolResult::structured(value)
}

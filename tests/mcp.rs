//! `bellows mcp`: spawned as a coding agent's client would, spoken to in
//! MCP's stdio transport (one JSON-RPC message a line).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Sends each message in turn and returns the replies, one per request.
fn session(dir: &Path, messages: &[Value]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .arg("mcp")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bellows mcp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut replies = Vec::new();
    for m in messages {
        writeln!(stdin, "{m}").expect("write");
        stdin.flush().expect("flush");
        if m.get("id").is_some() {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("a reply line");
            replies.push(serde_json::from_str(&line).expect("a JSON reply"));
        }
    }
    drop(stdin);
    let status = child.wait().expect("bellows mcp exits");
    assert!(status.success(), "{status}");
    replies
}

fn request(id: i64, method: &str, params: &Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

fn initialize() -> Value {
    request(
        1,
        "initialize",
        &json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "test", "version": "0" }
        }),
    )
}

#[test]
fn an_agent_lists_the_tools_and_checks_unsaved_sql_against_the_history_on_disk() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "db/migrations/000001_create_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    write(
        d,
        "db/migrations/000001_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    let replies = session(
        d,
        &[
            initialize(),
            json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            request(2, "tools/list", &json!({})),
            request(
                3,
                "tools/call",
                &json!({
                    "name": "check_migration",
                    "arguments": {
                        "sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n",
                        "file_name": "db/migrations/000002_drop_email.up.sql"
                    }
                }),
            ),
            request(
                4,
                "tools/call",
                &json!({ "name": "explain_rule", "arguments": { "rule": "drop-column" } }),
            ),
            request(
                5,
                "tools/call",
                &json!({ "name": "explain_rule", "arguments": { "rule": "no-such-rule" } }),
            ),
            request(
                6,
                "tools/call",
                &json!({ "name": "list_rules", "arguments": {} }),
            ),
            request(7, "no/such/method", &json!({})),
        ],
    );
    assert_eq!(replies[0]["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(replies[0]["result"]["serverInfo"]["name"], "bellows");
    let names: Vec<&str> = replies[1]["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "check_migration",
            "explain_rule",
            "verify_migrations",
            "list_rules"
        ]
    );

    let check = &replies[2]["result"];
    assert_eq!(check["isError"], false, "{check}");
    let report = &check["structuredContent"];
    let text: Value = serde_json::from_str(check["content"][0]["text"].as_str().unwrap_or(""))
        .expect("the text content is the JSON report");
    assert_eq!(&text, report);
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert!(rules.contains(&"drop-column"), "{report}");
    let drop = report["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["rule"] == "drop-column"))
        .expect("the drop-column finding");
    assert_eq!(drop["path"], "db/migrations/000002_drop_email.up.sql");
    assert_eq!(drop["start"], json!({ "line": 2, "column": 19 }));
    assert!(
        drop["message"]
            .as_str()
            .is_some_and(|m| m.contains("users.email")),
        "{drop}"
    );
    assert!(
        drop["help"]
            .as_str()
            .is_some_and(|m| m.contains("users.email")),
        "{drop}"
    );
    // The root read: both files of 000001 and the unsaved one.
    assert_eq!(report["coverage"]["statements"], 4, "{report}");

    let doc = replies[3]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or("");
    assert!(doc.starts_with("# drop-column"), "{doc}");
    assert_eq!(replies[4]["result"]["isError"], true);
    let listed = replies[5]["result"]["structuredContent"]["rules"]
        .as_array()
        .expect("rules");
    assert!(
        listed
            .iter()
            .any(|r| r["id"] == "drop-column" && r["severity"] == "error")
    );
    assert_eq!(replies[6]["error"]["code"], -32601);
}

#[test]
fn an_agent_verifies_migrations_on_an_embedded_sqlite_database() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(d, "bellows.toml", "dialect = \"sqlite\"\n");
    write(
        d,
        "migrations/000001_create_users.up.sql",
        "CREATE TABLE users (id integer PRIMARY KEY, email text);\n",
    );
    write(
        d,
        "migrations/000001_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    write(
        d,
        "migrations/000002_index_email.up.sql",
        "CREATE INDEX users_email ON users (email);\n",
    );
    write(d, "migrations/000002_index_email.down.sql", "SELECT 1;\n");
    let replies = session(
        d,
        &[
            initialize(),
            json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            request(
                2,
                "tools/call",
                &json!({ "name": "verify_migrations", "arguments": { "path": "migrations" } }),
            ),
        ],
    );
    let result = &replies[1]["result"];
    assert_eq!(result["isError"], false, "{result}");
    let rules: Vec<&str> = result["structuredContent"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    // Measured on the database: the index survives the down, and the up
    // applied again fails.
    assert!(rules.contains(&"irreversible-down"), "{result}");
    assert!(rules.contains(&"migration-fails"), "{result}");
}

#[test]
fn a_bad_path_is_a_tool_error_and_the_server_goes_on() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE users (id bigint);\n",
    );
    let replies = session(
        d,
        &[
            initialize(),
            json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            request(
                2,
                "tools/call",
                &json!({ "name": "check_migration", "arguments": { "path": "no/such/dir" } }),
            ),
            request(
                3,
                "tools/call",
                &json!({ "name": "check_migration", "arguments": { "sql": "DROP TABLE users;" } }),
            ),
            request(
                4,
                "tools/call",
                &json!({ "name": "no_such_tool", "arguments": {} }),
            ),
            // Still serving: the file on disk is checked.
            request(
                5,
                "tools/call",
                &json!({ "name": "check_migration", "arguments": { "path": "migrations" } }),
            ),
        ],
    );
    // A tool error the agent reads, naming the path, not a protocol error.
    let missing = &replies[1]["result"];
    assert_eq!(missing["isError"], true, "{missing}");
    let text = missing["content"][0]["text"].as_str().unwrap_or("");
    assert!(text.contains("no/such/dir"), "{missing}");
    let unnamed = &replies[2]["result"];
    assert_eq!(unnamed["isError"], true, "{unnamed}");
    assert!(
        unnamed["content"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("file_name")),
        "{unnamed}"
    );
    // An unknown tool is a protocol error (invalid params).
    assert_eq!(replies[3]["error"]["code"], -32602, "{}", replies[3]);
    let fine = &replies[4]["result"];
    assert_eq!(fine["isError"], false, "{fine}");
    assert_eq!(
        fine["structuredContent"]["diagnostics"],
        json!([]),
        "{fine}"
    );
}

#[test]
fn a_client_that_closes_before_initialize_ends_the_server_quietly() {
    let t = tempfile::tempdir().expect("tempdir");
    // `session` asserts the exit status: 0, not an error about the handshake.
    assert!(session(t.path(), &[]).is_empty());
}

#[test]
fn an_agent_gets_only_the_fixes_check_fix_would_write() {
    // fixtures/fix/missing-lock-timeout/refused-vacuum-alone: `check --fix`
    // turns the lock timeout's prelude down (it would put the VACUUM in a
    // transaction), so the finding reaches the agent without a fix.
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fix/missing-lock-timeout/refused-vacuum-alone");
    for name in [
        "000001_create_orders.up.sql",
        "000001_create_orders.down.sql",
        "000002_vacuum_orders.down.sql",
    ] {
        let text = std::fs::read_to_string(case.join(name)).expect("the fixture");
        write(d, &format!("db/migrations/{name}"), &text);
    }
    let check = |id: i64, sql: &str| {
        request(
            id,
            "tools/call",
            &json!({
                "name": "check_migration",
                "arguments": { "sql": sql, "file_name": "db/migrations/000002_vacuum_orders.up.sql" }
            }),
        )
    };
    let replies = session(
        d,
        &[
            initialize(),
            json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            check(2, "VACUUM FULL orders;\n"),
            check(3, "CREATE INDEX orders_id_idx ON orders (id);\n"),
        ],
    );
    let finding = |reply: &Value, rule: &str| -> Value {
        let report = &reply["result"]["structuredContent"];
        report["diagnostics"]
            .as_array()
            .and_then(|v| v.iter().find(|d| d["rule"] == rule))
            .cloned()
            .unwrap_or_else(|| panic!("no {rule} in {report}"))
    };
    let refused = finding(&replies[1], "missing-lock-timeout");
    assert!(refused.get("fix").is_none_or(Value::is_null), "{refused}");
    assert!(
        refused["help"]
            .as_str()
            .is_some_and(|h| h.contains("lock_timeout")),
        "{refused}"
    );
    // A fix that passes the re-check is still handed over.
    let index = finding(&replies[2], "create-index-blocking");
    assert_eq!(index["fix"]["edits"][0]["text"], " CONCURRENTLY", "{index}");
}

//! `bellows server`: spawned as an editor would, spoken to in JSON-RPC over
//! stdio, and judged by what a client sees.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Self {
        Self::start_with(&json!({}))
    }

    fn start_with(capabilities: &Value) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bellows"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bellows server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().expect("a length");
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("JSON from the server");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut c = Self {
            child,
            stdin,
            incoming,
            next_id: 0,
        };
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "bellows", "{init}");
        assert_eq!(
            init["result"]["capabilities"]["hoverProvider"], true,
            "{init}"
        );
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        let mut m = json!({ "jsonrpc": "2.0", "method": method });
        m["params"] = params;
        self.send(&m);
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut m = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        m["params"] = params;
        self.send(&m);
        self.wait(|m| m["id"] == id)
    }

    fn wait(&self, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .incoming
                .recv_timeout(Duration::from_secs(30))
                .expect("the server answers within 30 s");
            if want(&m) {
                return m;
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "sql", "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r["error"].is_null(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "{status}");
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_unsaved_buffer_is_linted_with_its_history_from_disk() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    // History on disk: the column is created in an earlier file.
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE \"usérs\" (id bigint PRIMARY KEY, \"é📧\" text);\n",
    );
    // On disk the file is still harmless; the buffer is what counts.
    write(d, "migrations/002_drop.sql", "SELECT 1;\n");
    let file = uri(&d.join("migrations/002_drop.sql"));
    let mut c = Client::start();
    c.open(&file, "SET lock_timeout = '2s';\n");
    assert_eq!(c.diagnostics(&file, Some(1)), Vec::<Value>::new());

    let dropping = "SET lock_timeout = '2s';\nALTER TABLE \"usérs\" DROP COLUMN \"é📧\";\n";
    c.change(&file, 2, dropping);
    let diags = c.diagnostics(&file, Some(2));
    assert_eq!(codes(&diags), ["drop-column"], "{diags:?}");
    let drop = &diags[0];
    assert_eq!(drop["severity"], 1);
    assert_eq!(drop["source"], "bellows");
    assert!(
        drop["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/rules/drop-column.md")),
        "{drop}"
    );
    let message = drop["message"].as_str().unwrap_or("");
    assert!(message.contains("usérs.é📧"), "{message}");
    assert!(message.contains("\nhelp: "), "{message}");
    // UTF-16 positions: `é` is one unit, `📧` two.
    assert_eq!(
        drop["range"],
        json!({ "start": { "line": 1, "character": 20 }, "end": { "line": 1, "character": 37 } })
    );

    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": file }, "position": { "line": 1, "character": 25 } }),
    );
    let doc = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");
    assert!(doc.starts_with("# drop-column"), "{hover}");
    assert_eq!(hover["result"]["range"], drop["range"]);
    let nothing = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": file }, "position": { "line": 0, "character": 2 } }),
    );
    assert!(nothing["result"].is_null(), "{nothing}");

    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": file },
            "range": drop["range"],
            "context": { "diagnostics": [drop] }
        }),
    );
    let action = &actions["result"][0];
    assert_eq!(action["title"], "Ignore drop-column here, with a reason");
    assert_eq!(action["kind"], "quickfix");
    let edits = &action["edit"]["changes"][&file];
    assert_eq!(
        edits,
        &json!([{
            "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
            "newText": "-- bellows:ignore drop-column -- TODO: why this is safe\n"
        }])
    );
    // The edit applied: the finding is silenced.
    let ignored = "SET lock_timeout = '2s';\n-- bellows:ignore drop-column -- TODO: why this is safe\nALTER TABLE \"usérs\" DROP COLUMN \"é📧\";\n";
    c.change(&file, 3, ignored);
    assert_eq!(c.diagnostics(&file, Some(3)), Vec::<Value>::new());
    c.finish();
}

#[test]
fn changes_in_a_burst_end_with_the_newest_version() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    let file = uri(&d.join("migrations/002_next.sql"));
    let mut c = Client::start();
    c.open(&file, "");
    for v in 2..40 {
        let text = if v % 2 == 0 {
            "ALTER TABLE users DROP COLUMN email;\n"
        } else {
            "SELECT 1;\n"
        };
        c.change(&file, v, text);
    }
    c.change(
        &file,
        40,
        "ALTER TABLE users RENAME COLUMN email TO mail;\n",
    );
    let diags = c.diagnostics(&file, Some(40));
    assert!(
        codes(&diags).contains(&"rename-column".to_string()),
        "{diags:?}"
    );
    c.finish();
}

#[test]
fn outside_a_root_nothing_and_a_broken_config_is_one_diagnostic() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(d, "scratch/notes.sql", "DROP TABLE users;\n");
    write(
        d,
        "broken/bellows.toml",
        "dialect = \"postgres\"\nfrobnicate = 1\n",
    );
    write(d, "broken/migrations/001_x.sql", "DROP TABLE users;\n");
    let mut c = Client::start();
    let outside = uri(&d.join("scratch/notes.sql"));
    c.open(&outside, "DROP TABLE users;\n");
    assert_eq!(c.diagnostics(&outside, Some(1)), Vec::<Value>::new());
    let broken = uri(&d.join("broken/migrations/001_x.sql"));
    c.open(&broken, "DROP TABLE users;\n");
    let diags = c.diagnostics(&broken, Some(1));
    assert_eq!(codes(&diags), ["config"], "{diags:?}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    let message = diags[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("bellows.toml:2") && message.contains("frobnicate"),
        "{message}"
    );
    // Fixed on disk and saved: the next lint reads it again.
    write(d, "broken/bellows.toml", "dialect = \"postgres\"\n");
    c.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(&d.join("broken/bellows.toml")) } }),
    );
    let diags = c.diagnostics(&broken, Some(1));
    assert!(!codes(&diags).contains(&"config".to_string()), "{diags:?}");
    assert!(
        codes(&diags).contains(&"drop-table".to_string()),
        "{diags:?}"
    );
    c.finish();
}

#[test]
fn a_config_changed_outside_the_editor_is_read_again() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(d, "bellows.toml", "[rules]\ndrop-table = \"off\"\n");
    write(d, "migrations/001_x.sql", "DROP TABLE users;\n");
    let mut c = Client::start_with(
        &json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    let register = c.wait(|m| m["method"] == "client/registerCapability");
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["globPattern"] == "**/bellows.toml")),
        "{register}"
    );
    let mut reply = json!({ "jsonrpc": "2.0", "result": null });
    reply["id"] = register["id"].clone();
    c.send(&reply);
    let file = uri(&d.join("migrations/001_x.sql"));
    c.open(&file, "DROP TABLE users;\n");
    assert!(!codes(&c.diagnostics(&file, Some(1))).contains(&"drop-table".to_string()));
    write(d, "bellows.toml", "[rules]\ndrop-table = \"warning\"\n");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&d.join("bellows.toml")), "type": 2 }] }),
    );
    let diags = c.diagnostics(&file, Some(1));
    let drop = diags
        .iter()
        .find(|d| d["code"] == "drop-table")
        .expect("drop-table is on again");
    assert_eq!(drop["severity"], 2, "{drop}");
    c.finish();
}

#[test]
fn the_ignore_action_puts_the_cursor_on_the_reason() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE \"usérs\" (id bigint PRIMARY KEY, email text);\n",
    );
    write(d, "migrations/002_drop.sql", "SELECT 1;\n");
    let file = uri(&d.join("migrations/002_drop.sql"));
    // A client that applies the server's edits and shows a selection.
    let mut c = Client::start_with(&json!({
        "workspace": { "applyEdit": true },
        "window": { "showDocument": { "support": true } }
    }));
    let text = "SET lock_timeout = '2s';\n  ALTER TABLE \"usérs\" DROP COLUMN email;\n";
    c.open(&file, text);
    let diags = c.diagnostics(&file, Some(1));
    assert_eq!(codes(&diags), ["drop-column"], "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": file },
            "range": diags[0]["range"],
            "context": { "diagnostics": [diags[0]] }
        }),
    );
    let action = &actions["result"][0];
    assert_eq!(action["title"], "Ignore drop-column here, with a reason");
    assert!(action["edit"].is_null(), "{action}");
    let command = &action["command"];
    assert_eq!(command["command"], "bellows.ignoreWithReason", "{action}");

    // The client runs the command as any client runs a code action's command.
    c.next_id += 1;
    let id = c.next_id;
    c.send(&json!({
        "jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand",
        "params": { "command": command["command"], "arguments": command["arguments"] }
    }));
    let apply = c.wait(|m| m["method"] == "workspace/applyEdit" || m["id"] == id);
    assert_eq!(apply["method"], "workspace/applyEdit", "{apply}");
    let comment = "  -- bellows:ignore drop-column -- TODO: why this is safe\n";
    assert_eq!(
        apply["params"]["edit"]["changes"][&file],
        json!([{
            "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
            "newText": comment
        }]),
        "{apply}"
    );
    let mut applied = json!({ "jsonrpc": "2.0", "result": { "applied": true } });
    applied["id"] = apply["id"].clone();
    c.send(&applied);
    let show = c.wait(|m| m["method"] == "window/showDocument");
    assert_eq!(show["params"]["uri"], file, "{show}");
    assert_eq!(show["params"]["takeFocus"], true, "{show}");
    // The reason placeholder, selected: typing replaces it.
    let reason = "  -- bellows:ignore drop-column -- ".len();
    assert_eq!(
        show["params"]["selection"],
        json!({
            "start": { "line": 1, "character": reason },
            "end": { "line": 1, "character": reason + "TODO: why this is safe".len() }
        }),
        "{show}"
    );
    let mut shown = json!({ "jsonrpc": "2.0", "result": { "success": true } });
    shown["id"] = show["id"].clone();
    c.send(&shown);
    // The client's buffer after the edit: the finding is silenced.
    let edited =
        format!("SET lock_timeout = '2s';\n{comment}  ALTER TABLE \"usérs\" DROP COLUMN email;\n");
    c.change(&file, 2, &edited);
    assert_eq!(c.diagnostics(&file, Some(2)), Vec::<Value>::new());
    c.finish();
}

#[test]
fn a_drop_names_the_tracked_files_that_still_use_the_column() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n",
    );
    write(d, "migrations/002_drop.sql", "SELECT 1;\n");
    write(
        d,
        "api/orders.go",
        "package api\n\n// reads the orders table\nconst col = \"status\"\n",
    );
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(d)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    let file = uri(&d.join("migrations/002_drop.sql"));
    let mut c = Client::start();
    let drop = "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN status;\n";
    c.open(&file, drop);
    // The index of the repository is built by the first lint and read again
    // by the next: both name the file.
    for version in [1, 2] {
        if version == 2 {
            c.change(&file, 2, &format!("{drop}-- edited\n"));
        }
        let diags = c.diagnostics(&file, Some(version));
        let message = diags
            .iter()
            .find(|d| d["code"] == "drop-column")
            .and_then(|d| d["message"].as_str())
            .unwrap_or("")
            .to_string();
        assert!(message.contains("still named in "), "{diags:?}");
        assert!(message.contains("orders.go:4"), "{message}");
    }
    c.finish();
}

#[test]
fn a_fix_is_a_code_action_that_edits_the_buffer_and_creates_its_new_migration() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n",
    );
    write(d, "migrations/002_fk.sql", "SELECT 1;\n");
    let file = uri(&d.join("migrations/002_fk.sql"));
    let mut c = Client::start();
    c.open(
        &file,
        "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fkey\n    FOREIGN KEY (customer_id) REFERENCES customers (id);\n",
    );
    let diags = c.diagnostics(&file, Some(1));
    assert_eq!(codes(&diags), ["add-foreign-key-validating"], "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": file },
            "range": diags[0]["range"],
            "context": { "diagnostics": [diags[0]] }
        }),
    );
    let fix = &actions["result"][0];
    assert_eq!(
        fix["title"],
        "Fix add-foreign-key-validating: add it NOT VALID, and validate it in a new migration"
    );
    assert_eq!(fix["isPreferred"], true);
    let created = uri(&d.join("migrations/003_validate_orders_customer_fkey.sql"));
    assert_eq!(
        fix["edit"]["documentChanges"],
        json!([
            {
                "textDocument": { "uri": file, "version": null },
                "edits": [{
                    "range": { "start": { "line": 2, "character": 55 }, "end": { "line": 2, "character": 55 } },
                    "newText": " NOT VALID"
                }]
            },
            { "kind": "create", "uri": created, "options": { "overwrite": false, "ignoreIfExists": false } },
            {
                "textDocument": { "uri": created, "version": null },
                "edits": [{
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                    "newText": "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fkey;\n"
                }]
            }
        ]),
        "{fix}"
    );
    assert_eq!(
        actions["result"][1]["title"],
        "Ignore add-foreign-key-validating here, with a reason"
    );
    c.finish();
}

#[test]
fn a_fix_the_recheck_refuses_is_not_offered_and_a_good_one_is() {
    // fixtures/fix/missing-lock-timeout/refused-vacuum-alone: the lock
    // timeout's prelude would put the VACUUM in a transaction, so
    // `check --fix` turns it down; the editor does not offer it either.
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fix/missing-lock-timeout/refused-vacuum-alone");
    for entry in std::fs::read_dir(&case).expect("the fixture") {
        let entry = entry.expect("an entry");
        let text = std::fs::read_to_string(entry.path()).expect("read");
        write(
            d,
            &format!("migrations/{}", entry.file_name().to_string_lossy()),
            &text,
        );
    }
    let path = d.join("migrations/000002_vacuum_orders.up.sql");
    let file = uri(&path);
    let text = std::fs::read_to_string(&path).expect("read");
    let mut c = Client::start();
    c.open(&file, &text);
    let diags = c.diagnostics(&file, Some(1));
    let lock = diags
        .iter()
        .find(|d| d["code"] == "missing-lock-timeout")
        .unwrap_or_else(|| panic!("{diags:?}"));
    let titles = |c: &mut Client, diag: &Value| -> Vec<String> {
        let actions = c.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": file },
                "range": diag["range"],
                "context": { "diagnostics": [diag] }
            }),
        );
        actions["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{actions}"))
            .iter()
            .map(|a| a["title"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let refused = titles(&mut c, lock);
    assert!(
        !refused.iter().any(|t| t.starts_with("Fix ")),
        "{refused:?}"
    );
    assert!(
        refused.contains(&"Ignore missing-lock-timeout here, with a reason".to_string()),
        "{refused:?}"
    );
    // Asked again (the verdict is kept for this version): the same answer.
    assert_eq!(titles(&mut c, lock), refused);

    // A blocking index build alone in its golang-migrate file: its fix
    // (CONCURRENTLY) passes the re-check and is offered.
    c.change(&file, 2, "CREATE INDEX orders_id_idx ON orders (id);\n");
    let diags = c.diagnostics(&file, Some(2));
    let index = diags
        .iter()
        .find(|d| d["code"] == "create-index-blocking")
        .unwrap_or_else(|| panic!("{diags:?}"));
    let offered = titles(&mut c, index);
    assert!(
        offered
            .iter()
            .any(|t| t.starts_with("Fix create-index-blocking:")),
        "{offered:?}"
    );
    assert!(
        offered.contains(&"Ignore create-index-blocking here, with a reason".to_string()),
        "{offered:?}"
    );
    c.finish();
}

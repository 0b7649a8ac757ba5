//! `bellows server`: the language server (LSP 3.17 over stdio).
//!
//! In: the client's messages on stdin (open, change, code action, …). Out:
//! diagnostics and code actions with their edits on stdout, from the same
//! pipeline as `check` ([`Pipeline`]).
//!
//! On open and on every change, the file's migration root is linted with
//! the unsaved buffer in place of the file (the rest of the history is read
//! from disk, as `check --stdin-filename` does), on a worker thread: the
//! main loop never waits for a lint, changes that arrive while one runs are
//! coalesced, and a result older than the buffer is dropped. Findings become
//! diagnostics (code = rule id, link to the rule's doc, exact UTF-16 range);
//! code actions apply a rule's fix (new migration files through
//! `documentChanges`) or insert an ignore comment with a reason, selecting the
//! reason where the client lets the server do so. A fix is offered only once
//! it passes the re-check `check --fix` runs ([`crate::fix::Recheck`]), done
//! when a code action asks for it (not on each keystroke) and remembered for
//! the buffer's version; hover on a finding shows
//! the rule's doc. The worker keeps the root's parsed files between lints
//! (`replay::Kept`): a change parses the buffer again, not the history.
//! `bellows.toml` is found and read from the file's
//! folder upward on every lint, so a change to it applies at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeDescription, Command,
    Diagnostic, DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover, HoverContents, HoverParams,
    MarkupContent, MarkupKind, NumberOrString, Position, PublishDiagnosticsParams, Range,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Url,
    WorkspaceEdit,
};

use crate::model::{ByteSpan, Settings, Severity};
use crate::outcome::Outcome;

/// The pipeline, handed down by the command line: the front ends that run
/// it again and again (this server, `bellows mcp`) never call up into it.
#[derive(Clone, Copy)]
pub struct Pipeline {
    /// The settings `check` would use with no flag: from this configuration
    /// file, else the `bellows.toml` found upward from the folder.
    pub settings: fn(Option<&Path>, &Path) -> Result<Settings, String>,
    /// `check` itself.
    pub check: fn(&[PathBuf], &Settings, &crate::replay::Kept) -> Outcome,
}

/// How long the worker waits for the typing to pause before it lints.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long the worker reuses its index of where the repository's other
/// files name tables and columns (the "still named in" of a drop's help):
/// building it reads every tracked file, which on each keystroke cost more
/// than the lint itself. A file edited outside the editor shows within this.
const REFERENCES_FOR: Duration = Duration::from_secs(30);

/// The reason written by the "ignore" code action, for the user to replace.
pub const REASON_PLACEHOLDER: &str = "TODO: why this is safe";

/// The command of the "ignore" code action when the client can be told where
/// to put the cursor: on `workspace/executeCommand` the server sends the edit
/// (`workspace/applyEdit`), then, once applied, `window/showDocument` with
/// the reason placeholder selected, so typing replaces it.
pub const IGNORE_COMMAND: &str = "bellows.ignoreWithReason";

/// What linting one buffer gives.
#[derive(Debug)]
pub enum BufferLint {
    /// Not a migration file of any root: no diagnostics, no error.
    Outside,
    /// `bellows.toml` (or what it names) is broken: one line.
    Config(String),
    Linted {
        findings: Vec<Found>,
        /// Where each statement of the buffer is.
        statements: Vec<ByteSpan>,
        /// Other files of the root that could not be read.
        errors: Vec<String>,
        /// The settings of the lint (the buffer as standard input): a
        /// fix is re-checked with them before it is offered.
        settings: Box<Settings>,
    },
}

/// One finding in the buffer.
#[derive(Debug, Clone)]
pub struct Found {
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Option<ByteSpan>,
    pub message: String,
    pub help: String,
    /// The rule's fix, as a code action's title and workspace edit; it is
    /// offered only once [`recheck_fixes`] accepts it.
    pub fix: Option<(String, WorkspaceEdit)>,
}

/// Whether the fixes of the buffer's findings `wanted` (rule and span)
/// pass the re-check `check --fix` runs ([`crate::fix::Recheck`]: applied
/// in memory, the root checked again with the buffer in place, the finding
/// gone, nothing new, everything read back), each on its own. `settings`
/// are those of the buffer's lint ([`BufferLint::Linted`]), `kept` the
/// files it parsed.
pub fn recheck_fixes(
    settings: &Settings,
    wanted: &[(&'static str, Option<ByteSpan>)],
    pipeline: &Pipeline,
    kept: &crate::replay::Kept,
) -> Vec<bool> {
    let Some((path, _)) = &settings.stdin else {
        return vec![false; wanted.len()];
    };
    let check = |s: &Settings| (pipeline.check)(&[PathBuf::from("-")], s, kept);
    let verdicts = std::panic::catch_unwind(|| {
        let r = crate::fix::Recheck::new(settings, &check);
        wanted
            .iter()
            .map(|&(rule, span)| r.refusal(path, rule, span).is_none())
            .collect()
    });
    verdicts.unwrap_or_else(|_| vec![false; wanted.len()])
}

/// A finding's fix as a workspace edit: its edits as text edits of each
/// file (UTF-16 positions), and its new files created, then filled
/// (`documentChanges`). The edits of the buffer's own file are positions
/// in the buffer.
fn fix_edit(outcome: &Outcome, fix: &crate::model::Fix) -> Option<(String, WorkspaceEdit)> {
    use lsp_types::{
        CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges, OneOf,
        OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit,
    };
    let mut by_file: Vec<(Url, Vec<TextEdit>)> = Vec::new();
    for e in &fix.edits {
        let src = outcome.discovered.files.get(e.file)?;
        let uri = Url::from_file_path(&src.path).ok()?;
        let lines = Lines::new(&src.text);
        let edit = TextEdit::new(
            Range::new(lines.position(e.span.start), lines.position(e.span.end)),
            e.text.clone(),
        );
        match by_file.iter_mut().find(|(u, _)| *u == uri) {
            Some((_, v)) => v.push(edit),
            None => by_file.push((uri, vec![edit])),
        }
    }
    let edit = if fix.files.is_empty() {
        WorkspaceEdit {
            changes: Some(by_file.into_iter().collect()),
            ..WorkspaceEdit::default()
        }
    } else {
        let text_edit = |uri: Url, edits: Vec<TextEdit>| {
            DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
        };
        let mut ops: Vec<DocumentChangeOperation> = by_file
            .into_iter()
            .map(|(uri, edits)| text_edit(uri, edits))
            .collect();
        for f in &fix.files {
            let uri = Url::from_file_path(&f.path).ok()?;
            ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                CreateFile {
                    uri: uri.clone(),
                    // Only a marker file beside a migration (diesel's
                    // metadata.toml, flyway's .conf) may exist: the fix
                    // holds its whole text.
                    options: Some(CreateFileOptions {
                        overwrite: Some(f.path.exists()),
                        ignore_if_exists: Some(false),
                    }),
                    annotation_id: None,
                },
            )));
            let start = Position::new(0, 0);
            ops.push(text_edit(
                uri,
                vec![TextEdit::new(Range::new(start, start), f.text.clone())],
            ));
        }
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..WorkspaceEdit::default()
        }
    };
    Some((fix.title.clone(), edit))
}

/// A migration file: `*.sql`, or one dialect's variant `*.sql.<dialect>`.
fn is_migration_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
        || name
            .rsplit_once(".sql.")
            .is_some_and(|(_, d)| crate::discover::dialect_suffix(d).is_some())
}

/// Lints `text` as the file at `path` (absolute), with the rest of its
/// migration root read from disk and the configuration found from its folder.
///
/// The file is in a migration root when it lies under one of the
/// configuration's `paths`, or, without `paths`, under a folder named
/// `migrations` or `migration`.
///
/// `kept` holds the files parsed by earlier lints: only the files whose text
/// changed (the buffer, mostly) are parsed again. `references`, when given,
/// is the index of the repository's other files built by an earlier lint.
pub fn lint_buffer(
    path: &Path,
    text: &str,
    pipeline: &Pipeline,
    kept: &crate::replay::Kept,
    references: Option<&crate::references::References>,
) -> BufferLint {
    if !is_migration_file(path) {
        return BufferLint::Outside;
    }
    let Some(dir) = path.parent() else {
        return BufferLint::Outside;
    };
    let config_file = crate::config::find(dir);
    let cwd = config_file
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(dir)
        .to_path_buf();
    let config = match &config_file {
        Some(p) => match crate::config::load(p, &crate::discover::display_path(p, &cwd)) {
            Ok(c) => Some(c),
            Err(e) => return BufferLint::Config(e.0),
        },
        None => None,
    };
    let inside = match config.as_ref().filter(|c| !c.paths.is_empty()) {
        Some(c) => c.paths.iter().any(|p| path.starts_with(p)),
        None => path.ancestors().skip(1).any(|d| {
            d.file_name()
                .is_some_and(|n| n == "migrations" || n == "migration")
        }),
    };
    if !inside {
        return BufferLint::Outside;
    }
    let mut settings = match (pipeline.settings)(config_file.as_deref(), &cwd) {
        Ok(s) => s,
        Err(e) => return BufferLint::Config(e),
    };
    settings.stdin = Some((path.to_path_buf(), text.to_string()));
    if let Some(r) = references.filter(|_| settings.references.is_on()) {
        settings.references = r.clone();
    }
    let outcome = (pipeline.check)(&[PathBuf::from("-")], &settings, kept);
    let id = outcome.discovered.files.iter().position(|f| f.path == path);
    let findings = outcome
        .findings
        .iter()
        .filter(|f| id.is_none_or(|id| f.file == id))
        .map(|f| Found {
            rule: f.rule,
            severity: f.severity,
            span: f.span,
            message: f.message.clone(),
            help: f.help.clone(),
            fix: f.fix.as_ref().and_then(|x| fix_edit(&outcome, x)),
        })
        .collect();
    let statements = id
        .and_then(|id| outcome.statements.get(id).cloned())
        .unwrap_or_default();
    BufferLint::Linted {
        findings,
        statements,
        errors: outcome
            .input_errors()
            .iter()
            .map(|e| e.message.clone())
            .collect(),
        settings: Box::new(settings),
    }
}

/// Converts between byte offsets and LSP positions (UTF-16 code units).
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// The position of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self
            .text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .map(|(_, c)| c.len_utf16())
            .sum::<usize>();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The byte offset of a position (clamped to its line).
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let mut units = 0usize;
        for (i, c) in self.text.get(start..end).unwrap_or("").char_indices() {
            if units >= pos.character as usize || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    fn range(&self, span: Option<ByteSpan>) -> Range {
        match span {
            Some(s) => Range::new(self.position(s.start), self.position(s.end)),
            None => self.top(),
        }
    }

    /// The first line of the text.
    fn top(&self) -> Range {
        Range::new(Position::new(0, 0), self.position(self.line_end(0)))
    }

    fn line_end(&self, offset: usize) -> usize {
        let rest = self.text.get(offset..).unwrap_or("");
        offset + rest.find(['\r', '\n']).unwrap_or(rest.len())
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The diagnostics a client is sent for a lint of `text`.
pub fn diagnostics(text: &str, lint: &BufferLint) -> Vec<Diagnostic> {
    let lines = Lines::new(text);
    let top = |message: String, code: &str, sev| Diagnostic {
        range: lines.top(),
        severity: Some(sev),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some("bellows".to_string()),
        message,
        ..Diagnostic::default()
    };
    match lint {
        BufferLint::Outside => Vec::new(),
        BufferLint::Config(e) => vec![top(e.clone(), "config", DiagnosticSeverity::ERROR)],
        BufferLint::Linted {
            findings, errors, ..
        } => {
            let mut out: Vec<Diagnostic> = findings
                .iter()
                .map(|f| Diagnostic {
                    range: lines.range(f.span),
                    severity: Some(severity(f.severity)),
                    code: Some(NumberOrString::String(f.rule.to_string())),
                    code_description: Url::parse(&crate::report::rule_url(f.rule))
                        .ok()
                        .map(|href| CodeDescription { href }),
                    source: Some("bellows".to_string()),
                    message: if f.help.is_empty() {
                        f.message.clone()
                    } else {
                        format!("{}\nhelp: {}", f.message, f.help)
                    },
                    ..Diagnostic::default()
                })
                .collect();
            out.extend(
                errors
                    .iter()
                    .map(|e| top(e.clone(), "input", DiagnosticSeverity::WARNING)),
            );
            out
        }
    }
}

/// The findings of `lint` that touch `range` (indices), file-level ones
/// included.
pub fn touching(text: &str, lint: &BufferLint, range: Range) -> Vec<usize> {
    let BufferLint::Linted { findings, .. } = lint else {
        return Vec::new();
    };
    let lines = Lines::new(text);
    let (from, to) = (lines.offset(range.start), lines.offset(range.end));
    findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.span.is_none_or(|s| s.end >= from && s.start <= to))
        .map(|(i, _)| i)
        .collect()
}

/// The fixes of the findings that touch `range` (those `fix_ok` accepts:
/// re-checked), and the "ignore with a reason" actions.
///
/// With `select_reason` (the client applies edits sent by the server and
/// shows a document with a selection), each action is an [`IGNORE_COMMAND`]
/// whose argument is an [`IgnoreEdit`]; otherwise it carries the edit
/// itself, and the cursor stays where the client puts it.
pub fn code_actions(
    uri: &Url,
    text: &str,
    lint: &BufferLint,
    range: Range,
    select_reason: bool,
    fix_ok: &dyn Fn(usize) -> bool,
) -> Vec<CodeAction> {
    let BufferLint::Linted {
        findings,
        statements,
        ..
    } = lint
    else {
        return Vec::new();
    };
    let lines = Lines::new(text);
    let (from, to) = (lines.offset(range.start), lines.offset(range.end));
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let diags = diagnostics(text, lint);
    let mut out: Vec<CodeAction> = Vec::new();
    let mut offered: Vec<(&str, u32)> = Vec::new();
    for (i, (f, diag)) in findings.iter().zip(diags).enumerate() {
        let (at, directive) = match f.span {
            Some(span) => {
                if span.end < from || span.start > to {
                    continue;
                }
                let stmt = statements
                    .iter()
                    .find(|s| s.start <= span.start && span.start <= s.end)
                    .map_or(span.start, |s| s.start);
                (stmt, "ignore")
            }
            None => (0, "ignore-file"),
        };
        if let Some((title, edit)) = f.fix.as_ref().filter(|_| fix_ok(i)) {
            out.push(CodeAction {
                title: format!("Fix {}: {title}", f.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(edit.clone()),
                is_preferred: Some(true),
                ..CodeAction::default()
            });
        }
        let row = lines.position(at).line;
        if offered.contains(&(f.rule, row)) {
            continue;
        }
        offered.push((f.rule, row));
        let start = lines.offset(Position::new(row, 0));
        let indent: String = text
            .get(start..at)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let before = format!("{indent}-- bellows:{directive} {} -- ", f.rule);
        let at = Position::new(row, 0);
        let edit = TextEdit::new(
            Range::new(at, at),
            format!("{before}{REASON_PLACEHOLDER}{newline}"),
        );
        let title = format!("Ignore {} here, with a reason", f.rule);
        let mut action = CodeAction {
            title: title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag]),
            ..CodeAction::default()
        };
        if select_reason {
            let reason = utf16_len(&before);
            let argument = IgnoreEdit {
                uri: uri.clone(),
                edit,
                selection: Range::new(
                    Position::new(row, reason),
                    Position::new(row, reason + utf16_len(REASON_PLACEHOLDER)),
                ),
            };
            action.command = Some(Command {
                title,
                command: IGNORE_COMMAND.to_string(),
                arguments: serde_json::to_value(argument).ok().map(|a| vec![a]),
            });
        } else {
            action.edit = Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            });
        }
        out.push(action);
    }
    out
}

fn utf16_len(s: &str) -> u32 {
    to_u32(s.chars().map(char::len_utf16).sum())
}

/// The argument of [`IGNORE_COMMAND`]: the comment to insert, and where its
/// reason placeholder is once inserted.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct IgnoreEdit {
    pub uri: Url,
    pub edit: TextEdit,
    pub selection: Range,
}

/// The rule docs of the findings under `pos`.
pub fn hover(text: &str, lint: &BufferLint, pos: Position) -> Option<Hover> {
    let BufferLint::Linted { findings, .. } = lint else {
        return None;
    };
    let lines = Lines::new(text);
    let at = lines.offset(pos);
    let mut docs: Vec<&str> = Vec::new();
    let mut range = None;
    for f in findings {
        let Some(span) = f.span.filter(|s| s.start <= at && at <= s.end) else {
            continue;
        };
        let Some(rule) = crate::rules::find(f.rule) else {
            continue;
        };
        if !docs.contains(&rule.doc) {
            docs.push(rule.doc);
        }
        range.get_or_insert(lines.range(Some(span)));
    }
    if docs.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: docs.join("\n\n---\n\n"),
        }),
        range,
    })
}

/// A buffer to lint.
struct Job {
    uri: Url,
    path: PathBuf,
    version: i32,
    text: String,
}

/// A buffer as last linted: what hover and code actions answer from.
struct Linted {
    version: i32,
    text: String,
    lint: BufferLint,
    /// Whether each finding's fix passed the re-check, by index, once a
    /// code action asked for it (this version only).
    verdicts: HashMap<usize, bool>,
}

#[derive(Default)]
struct Shared {
    /// The newest version of each open buffer: older lints are dropped.
    versions: HashMap<Url, i32>,
    linted: HashMap<Url, Linted>,
    /// Parsed files, kept from one lint to the next for as long as the
    /// server runs (each is checked against the text read from disk), for
    /// the worker's lints and the fixes' re-checks.
    kept: crate::replay::Kept,
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run(pipeline: Pipeline) -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp_types::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        execute_command_provider: Some(lsp_types::ExecuteCommandOptions {
            commands: vec![IGNORE_COMMAND.to_string()],
            ..lsp_types::ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| e.to_string())?;
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("server: {e}"))?;
    connection
        .initialize_finish(
            id,
            serde_json::json!({
                "capabilities": caps,
                "serverInfo": { "name": "bellows", "version": env!("CARGO_PKG_VERSION") },
            }),
        )
        .map_err(|e| format!("server: {e}"))?;
    // A client that can watch files for us is asked to report changes to
    // any configuration or migration, so open buffers are linted again when
    // bellows.toml or their history changes outside the editor.
    if params["capabilities"]["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"]
        == serde_json::Value::Bool(true)
    {
        let _ = connection.sender.send(Message::Request(Request::new(
            lsp_server::RequestId::from("bellows-watch".to_string()),
            "client/registerCapability".to_string(),
            serde_json::json!({ "registrations": [{
                "id": "bellows-watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [
                    { "globPattern": "**/bellows.toml" },
                    { "globPattern": "**/*.sql" }
                ] }
            }] }),
        )));
    }
    // The cursor can be put on the reason of an ignore comment only by a
    // client that applies the server's edits and shows a selection.
    let client = Client {
        select_reason: params["capabilities"]["workspace"]["applyEdit"] == true
            && params["capabilities"]["window"]["showDocument"]["support"] == true,
    };
    let shared = Arc::new(Mutex::new(Shared {
        kept: crate::replay::Kept::on(),
        ..Shared::default()
    }));
    let (jobs, queue) = mpsc::channel::<Job>();
    let worker = {
        let shared = Arc::clone(&shared);
        let sender = connection.sender.clone();
        std::thread::spawn(move || work(&queue, &shared, &sender, &pipeline))
    };
    let result = serve(&connection, &shared, &jobs, client, &pipeline);
    drop(jobs);
    let _ = worker.join();
    drop(connection);
    io.join().map_err(|e| format!("server: {e}"))?;
    result
}

/// The open buffers, by URI.
type Docs = HashMap<Url, (PathBuf, i32, String)>;

/// What the client said it can do, as far as the server cares.
#[derive(Clone, Copy)]
struct Client {
    /// `workspace/applyEdit` and `window/showDocument` with a selection.
    select_reason: bool,
}

fn serve(
    connection: &Connection,
    shared: &Mutex<Shared>,
    jobs: &mpsc::Sender<Job>,
    client: Client,
    pipeline: &Pipeline,
) -> Result<(), String> {
    let mut docs: Docs = HashMap::new();
    // The edits sent to the client (`workspace/applyEdit`), by request id:
    // where to put the cursor once the client has applied one.
    let mut applying: HashMap<lsp_server::RequestId, (Url, Range)> = HashMap::new();
    let mut sent = 0u64;
    let enqueue = |uri: &Url, docs: &Docs| {
        if let Some((path, version, text)) = docs.get(uri) {
            lock(shared).versions.insert(uri.clone(), *version);
            let _ = jobs.send(Job {
                uri: uri.clone(),
                path: path.clone(),
                version: *version,
                text: text.clone(),
            });
        }
    };
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| format!("server: {e}"))?
                {
                    return Ok(());
                }
                if req.method == "workspace/executeCommand" {
                    let response = execute(&req, &connection.sender, &mut applying, &mut sent);
                    let _ = connection.sender.send(Message::Response(response));
                    continue;
                }
                let response = answer(&req, shared, client, pipeline);
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(n) => match n.method.as_str() {
                "textDocument/didOpen" => {
                    let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params)
                    else {
                        continue;
                    };
                    let doc = p.text_document;
                    let Ok(path) = doc.uri.to_file_path() else {
                        continue;
                    };
                    docs.insert(doc.uri.clone(), (path, doc.version, doc.text));
                    enqueue(&doc.uri, &docs);
                }
                "textDocument/didChange" => {
                    let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params)
                    else {
                        continue;
                    };
                    let uri = p.text_document.uri;
                    if let (Some(doc), Some(change)) =
                        (docs.get_mut(&uri), p.content_changes.into_iter().last())
                    {
                        doc.1 = p.text_document.version;
                        doc.2 = change.text;
                    }
                    enqueue(&uri, &docs);
                }
                "textDocument/didClose" => {
                    let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params)
                    else {
                        continue;
                    };
                    let uri = p.text_document.uri;
                    docs.remove(&uri);
                    {
                        let mut s = lock(shared);
                        s.versions.remove(&uri);
                        s.linted.remove(&uri);
                    }
                    publish(&connection.sender, uri, Vec::new(), None);
                }
                // A saved migration changes the history of the others; a
                // saved or changed bellows.toml, their settings.
                "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                    if n.method == "textDocument/didSave"
                        && serde_json::from_value::<DidSaveTextDocumentParams>(n.params).is_err()
                    {
                        continue;
                    }
                    for uri in docs.keys() {
                        enqueue(uri, &docs);
                    }
                }
                _ => {}
            },
            Message::Response(r) => {
                // An ignore comment applied: the cursor goes on its reason.
                let Some((uri, selection)) = applying.remove(&r.id) else {
                    continue;
                };
                if r.result.as_ref().is_some_and(|v| v["applied"] == true) {
                    sent += 1;
                    let _ = connection.sender.send(Message::Request(Request::new(
                        lsp_server::RequestId::from(format!("bellows-show-{sent}")),
                        "window/showDocument".to_string(),
                        serde_json::json!({
                            "uri": uri,
                            "takeFocus": true,
                            "selection": selection,
                        }),
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `workspace/executeCommand`: [`IGNORE_COMMAND`] sends its edit to the
/// client; the selection follows when the client says it applied it.
fn execute(
    req: &Request,
    sender: &crossbeam_channel::Sender<Message>,
    applying: &mut HashMap<lsp_server::RequestId, (Url, Range)>,
    sent: &mut u64,
) -> Response {
    let id = req.id.clone();
    let Ok(params) = serde_json::from_value::<lsp_types::ExecuteCommandParams>(req.params.clone())
    else {
        return Response::new_err(
            id,
            lsp_server::ErrorCode::InvalidParams as i32,
            "bad executeCommand parameters".to_string(),
        );
    };
    if params.command != IGNORE_COMMAND {
        return Response::new_err(
            id,
            lsp_server::ErrorCode::InvalidParams as i32,
            format!("bellows has no command `{}`", params.command),
        );
    }
    let Some(ignore) = params
        .arguments
        .into_iter()
        .next()
        .and_then(|a| serde_json::from_value::<IgnoreEdit>(a).ok())
    else {
        return Response::new_err(
            id,
            lsp_server::ErrorCode::InvalidParams as i32,
            format!("{IGNORE_COMMAND} takes one argument: {{uri, edit, selection}}"),
        );
    };
    *sent += 1;
    let apply = lsp_server::RequestId::from(format!("bellows-apply-{sent}"));
    let edit = lsp_types::ApplyWorkspaceEditParams {
        label: Some(format!(
            "Ignore {}",
            ignore.edit.new_text.split_whitespace().nth(2).unwrap_or("")
        )),
        edit: WorkspaceEdit {
            changes: Some(HashMap::from([(ignore.uri.clone(), vec![ignore.edit])])),
            ..WorkspaceEdit::default()
        },
    };
    let _ = sender.send(Message::Request(Request::new(
        apply.clone(),
        "workspace/applyEdit".to_string(),
        serde_json::to_value(edit).unwrap_or_default(),
    )));
    applying.insert(apply, (ignore.uri, ignore.selection));
    Response::new_ok(id, serde_json::Value::Null)
}

/// Re-checks the fixes of the findings of `uri` that touch `range` and have
/// no verdict yet for the buffer's version, and records the verdicts. The
/// lint is not held locked meanwhile: the worker goes on publishing, and
/// verdicts for a version replaced meanwhile are dropped.
fn recheck_in_range(shared: &Mutex<Shared>, uri: &Url, range: Range, pipeline: &Pipeline) {
    let (version, wanted, settings, kept) = {
        let s = lock(shared);
        let Some(l) = s.linted.get(uri) else {
            return;
        };
        let BufferLint::Linted {
            findings, settings, ..
        } = &l.lint
        else {
            return;
        };
        let wanted: Vec<(usize, &'static str, Option<ByteSpan>)> =
            touching(&l.text, &l.lint, range)
                .into_iter()
                .filter(|i| !l.verdicts.contains_key(i))
                .filter_map(|i| {
                    let f = findings.get(i).filter(|f| f.fix.is_some())?;
                    Some((i, f.rule, f.span))
                })
                .collect();
        if wanted.is_empty() {
            return;
        }
        (l.version, wanted, settings.clone(), s.kept.clone())
    };
    let targets: Vec<(&'static str, Option<ByteSpan>)> =
        wanted.iter().map(|&(_, rule, span)| (rule, span)).collect();
    let verdicts = recheck_fixes(&settings, &targets, pipeline, &kept);
    let mut s = lock(shared);
    if let Some(l) = s.linted.get_mut(uri).filter(|l| l.version == version) {
        l.verdicts.extend(wanted.iter().map(|w| w.0).zip(verdicts));
    }
}

fn answer(req: &Request, shared: &Mutex<Shared>, client: Client, pipeline: &Pipeline) -> Response {
    let id = req.id.clone();
    let result = match req.method.as_str() {
        "textDocument/hover" => serde_json::from_value::<HoverParams>(req.params.clone())
            .ok()
            .and_then(|p| {
                let uri = p.text_document_position_params.text_document.uri;
                let s = lock(shared);
                let l = s.linted.get(&uri)?;
                hover(&l.text, &l.lint, p.text_document_position_params.position)
            })
            .map_or(serde_json::Value::Null, |h| {
                serde_json::to_value(h).unwrap_or_default()
            }),
        "textDocument/codeAction" => {
            let actions: Vec<CodeActionOrCommand> =
                serde_json::from_value::<CodeActionParams>(req.params.clone())
                    .ok()
                    .and_then(|p| {
                        let uri = &p.text_document.uri;
                        recheck_in_range(shared, uri, p.range, pipeline);
                        let s = lock(shared);
                        let l = s.linted.get(uri)?;
                        Some(code_actions(
                            uri,
                            &l.text,
                            &l.lint,
                            p.range,
                            client.select_reason,
                            &|i| l.verdicts.get(&i) == Some(&true),
                        ))
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .map(CodeActionOrCommand::CodeAction)
                    .collect();
            serde_json::to_value(actions).unwrap_or_default()
        }
        _ => {
            return Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("bellows does not answer {}", req.method),
            );
        }
    };
    Response::new_ok(id, result)
}

fn publish(
    sender: &crossbeam_channel::Sender<Message>,
    uri: Url,
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    if let Ok(params) = serde_json::to_value(params) {
        let _ = sender.send(Message::Notification(Notification {
            method: "textDocument/publishDiagnostics".to_string(),
            params,
        }));
    }
}

/// The worker: waits for the typing to pause, lints the newest version of
/// each buffer, publishes unless a newer version came meanwhile.
fn work(
    queue: &mpsc::Receiver<Job>,
    shared: &Mutex<Shared>,
    sender: &crossbeam_channel::Sender<Message>,
    pipeline: &Pipeline,
) {
    let kept = lock(shared).kept.clone();
    let mut references = (
        crate::references::References::new(true),
        std::time::Instant::now(),
    );
    while let Ok(first) = queue.recv() {
        let mut pending: Vec<Job> = vec![first];
        loop {
            match queue.recv_timeout(DEBOUNCE) {
                Ok(job) => {
                    pending.retain(|j| j.uri != job.uri);
                    pending.push(job);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if references.1.elapsed() > REFERENCES_FOR {
            references = (
                crate::references::References::new(true),
                std::time::Instant::now(),
            );
        }
        for job in pending {
            if lock(shared).versions.get(&job.uri) != Some(&job.version) {
                continue;
            }
            let lint = std::panic::catch_unwind(|| {
                lint_buffer(&job.path, &job.text, pipeline, &kept, Some(&references.0))
            })
            .unwrap_or_else(|p| {
                BufferLint::Config(crate::model::internal_error(
                    &job.path.display().to_string(),
                    &p,
                ))
            });
            let diags = diagnostics(&job.text, &lint);
            let mut s = lock(shared);
            // A newer version is queued: this result is stale.
            if s.versions.get(&job.uri) != Some(&job.version) {
                continue;
            }
            s.linted.insert(
                job.uri.clone(),
                Linted {
                    version: job.version,
                    text: job.text,
                    lint,
                    verdicts: HashMap::new(),
                },
            );
            drop(s);
            publish(sender, job.uri, diags, Some(job.version));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, Position};

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "SELECT 1;\r\nALTER TABLE \"usérs\" DROP COLUMN \"é📧\";\r\n";
        let lines = Lines::new(text);
        let drop = text.find("DROP").unwrap_or(0);
        assert_eq!(lines.position(drop), Position::new(1, 20));
        let end = text.len() - ";\r\n".len();
        // `é` is one unit, `📧` two: 20 + `DROP COLUMN "é📧"` (17 units).
        assert_eq!(lines.position(end), Position::new(1, 37));
        for offset in [0, drop, end, text.len()] {
            assert_eq!(lines.offset(lines.position(offset)), offset);
        }
        // Past the end of a line: its end, before the CR.
        assert_eq!(lines.offset(Position::new(0, 99)), "SELECT 1;".len());
        // Inside a surrogate pair: after the character.
        let mail = text.find('📧').unwrap_or(0);
        assert_eq!(lines.offset(Position::new(1, 35)), mail + '📧'.len_utf8());
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text.len() + 5), Position::new(2, 0));
    }
}

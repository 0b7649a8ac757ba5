//! PostgreSQL: a scratch database `bellows_verify_<random>` on the server of
//! `--database-url`, or on a temporary cluster (initdb + pg_ctl, Unix socket
//! only) when there is no URL. The schema is read from pg_catalog.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use postgres::{Client, Config, NoTls, SimpleQueryMessage};

use super::rows::{Value, hex};
use super::schema::{Column, ForeignKey, Schema, Table, squeeze};
use super::{DbError, Engine, Row, cleanup};

pub struct Postgres {
    scratch: Option<Client>,
    admin: Option<Client>,
    name: String,
    /// The server as shown (no password).
    server: String,
    keep: bool,
    cleanup: u64,
    /// Dropped after the database: stops and removes the temporary cluster.
    cluster: Option<Cluster>,
    /// `--allow-global-changes`: the roles before the run, and the
    /// databases the run creates, to drop afterwards.
    undo: Option<(BTreeSet<String>, Vec<String>)>,
    /// The same undo on Ctrl-C.
    undo_cleanup: Option<u64>,
    /// To reach the server again (Ctrl-C).
    admin_config: Config,
    /// To open a second session on the scratch database (the trace).
    scratch_config: Config,
    /// The scratch session's backend pid.
    pid: String,
}

fn err(e: &postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(db) => DbError {
            message: db.message().trim_end_matches('.').to_string(),
            code: Some(db.code().code().to_string()),
        },
        // `error connecting to server` says why only in its source.
        None => DbError {
            message: match std::error::Error::source(e) {
                Some(why) => format!("{e}: {why}"),
                None => e.to_string(),
            },
            code: None,
        },
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Postgres {
    /// A scratch database on the server of `url`.
    pub fn create(url: &str) -> Result<Self, String> {
        let (config, server) = config(url)?;
        Self::open(&config, server, None)
    }

    fn open(config: &Config, server: String, cluster: Option<Cluster>) -> Result<Self, String> {
        let mut admin = connect_to(config, &server)?;
        let name = format!("bellows_verify_{}", super::random_suffix());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("{server}: cannot create a scratch database: {}", err(&e)))?;
        let drop_config = config.clone();
        let drop_name = name.clone();
        let cleanup = cleanup::register(Box::new(move || {
            if let Ok(mut c) = drop_config.connect(NoTls) {
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS {drop_name} WITH (FORCE)"));
            }
        }));
        let mut scratch_config = config.clone();
        scratch_config.dbname(&name);
        let mut this = Self {
            scratch: None,
            admin: Some(admin),
            name,
            server,
            keep: false,
            cleanup,
            cluster,
            undo: None,
            undo_cleanup: None,
            admin_config: config.clone(),
            scratch_config: scratch_config.clone(),
            pid: String::new(),
        };
        match scratch_config.connect(NoTls) {
            // A throwaway database: commits need not wait for the WAL to
            // reach the disk (this session only; nothing else changes).
            Ok(mut c) => {
                let _ = c.batch_execute("SET synchronous_commit = off");
                this.scratch = Some(c);
            }
            Err(e) => {
                return Err(format!(
                    "{}: cannot connect to the scratch database: {}",
                    this.server,
                    err(&e)
                ));
            }
        }
        this.pid = this
            .query("SELECT pg_backend_pid()")
            .ok()
            .and_then(|r| r.first().map(|r| at(r, 0)))
            .unwrap_or_default();
        Ok(this)
    }

    /// The only database of a server that takes one connection at a time
    /// (the embedded one): bellows started that server for this run alone,
    /// so its default database is the scratch database; nothing is created
    /// or dropped, and there is no second session. `on_interrupt` removes
    /// the server's files on Ctrl-C.
    #[cfg(feature = "embedded-postgres")]
    pub fn single(
        config: &Config,
        server: String,
        on_interrupt: cleanup::Action,
    ) -> Result<Self, String> {
        let mut client = config
            .connect(NoTls)
            .map_err(|e| format!("cannot connect to {server}: {}", err(&e)))?;
        let _ = client.batch_execute("SET synchronous_commit = off");
        let mut this = Self {
            scratch: Some(client),
            admin: None,
            name: config.get_dbname().unwrap_or("postgres").to_string(),
            server,
            keep: false,
            cleanup: cleanup::register(on_interrupt),
            cluster: None,
            undo: None,
            undo_cleanup: None,
            admin_config: config.clone(),
            scratch_config: config.clone(),
            pid: String::new(),
        };
        this.pid = this
            .query("SELECT pg_backend_pid()")
            .ok()
            .and_then(|r| r.first().map(|r| at(r, 0)))
            .unwrap_or_default();
        Ok(this)
    }

    /// A scratch database on a temporary cluster.
    pub fn temporary() -> Result<Self, String> {
        let cluster = Cluster::start()?;
        let mut config = Config::new();
        config
            .host_path(&cluster.dir)
            .port(cluster.port)
            .user("postgres")
            .dbname("postgres");
        let server = format!("the temporary cluster in {}", cluster.dir.display());
        Self::open(&config, server, Some(cluster))
    }

    fn client(&mut self) -> Result<&mut Client, DbError> {
        self.scratch.as_mut().ok_or_else(|| DbError {
            message: "the scratch database is closed".to_string(),
            code: None,
        })
    }

    /// Rows of a query, every value as text.
    fn query(&mut self, sql: &str) -> Result<Vec<Row>, DbError> {
        let messages = self.client()?.simple_query(sql).map_err(|e| err(&e))?;
        Ok(rows(&messages))
    }
}

/// The connection settings of `url`, and the server as it may be shown
/// (without its password).
fn config(url: &str) -> Result<(Config, String), String> {
    let server = super::redact(url);
    let config: Config = url
        .parse()
        .map_err(|e| format!("{server}: not a PostgreSQL URL: {e}"))?;
    Ok((config, server))
}

fn connect_to(config: &Config, server: &str) -> Result<Client, String> {
    config
        .connect(NoTls)
        .map_err(|e| format!("cannot connect to {server}: {}", err(&e)))
}

/// A session on the database `url` names (nothing created), and the
/// server as it may be shown: what `bellows stats` reads from.
pub fn connect(url: &str) -> Result<(Client, String), String> {
    let (config, server) = config(url)?;
    Ok((connect_to(&config, &server)?, server))
}

/// The server's error, as [`DbError`].
pub fn error(e: &postgres::Error) -> DbError {
    err(e)
}

/// Drops the databases the run created and the roles that were not there
/// before it.
fn undo(admin: &mut Client, before: &BTreeSet<String>, databases: &[String]) {
    for d in databases {
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote(d)
        ));
    }
    for r in roles(admin).unwrap_or_default().difference(before) {
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", quote(r)));
    }
}

fn roles(admin: &mut Client) -> Result<BTreeSet<String>, DbError> {
    let messages = admin
        .simple_query("SELECT rolname FROM pg_roles")
        .map_err(|e| err(&e))?;
    Ok(messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .collect())
}

fn rows(messages: &[SimpleQueryMessage]) -> Vec<Row> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect()
}

fn locks(rows: &[Row]) -> BTreeSet<(u32, String)> {
    rows.iter()
        .filter_map(|r| Some((at(r, 0).parse().ok()?, at(r, 1))))
        .collect()
}

fn at(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

/// The user's schemas: not the system's.
const USER: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
                    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

fn display(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

impl Engine for Postgres {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.client()?.batch_execute(sql).map_err(|e| err(&e))
    }

    fn schema(&mut self) -> Result<Schema, DbError> {
        let mut schema = Schema::default();
        let columns = self.query(&format!(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), \
                    a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, \
                    EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary \
                            AND a.attnum = ANY (i.indkey)) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
             LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
             WHERE c.relkind IN ('r', 'p') AND {USER} ORDER BY 1, 2, a.attnum"
        ))?;
        for c in &columns {
            let (nsp, rel) = (at(c, 0), at(c, 1));
            let table = schema
                .tables
                .entry(display(&nsp, &rel))
                .or_insert_with(|| Table {
                    sql_name: format!("{}.{}", quote(&nsp), quote(&rel)),
                    ..Table::default()
                });
            let identity = at(c, 6);
            let generated = at(c, 7);
            let mut ty = at(c, 3);
            match identity.as_str() {
                "a" => ty.push_str(" generated always as identity"),
                "d" => ty.push_str(" generated by default as identity"),
                _ => {}
            }
            table.columns.push(Column {
                name: at(c, 2),
                ty,
                not_null: at(c, 4) == "t",
                default: c.get(5).cloned().flatten(),
                primary_key: at(c, 8) == "t",
                computed: identity == "a" || !generated.is_empty(),
            });
        }
        let fks = self.query(&format!(
            "SELECT n.nspname, c.relname, fn.nspname, f.relname, \
                    array_to_string(ARRAY(SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY k(n, o) \
                        JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n ORDER BY k.o), ','), \
                    array_to_string(ARRAY(SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY k(n, o) \
                        JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n ORDER BY k.o), ',') \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_class f ON f.oid = co.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace \
             WHERE co.contype = 'f' AND {USER} ORDER BY 1, 2, co.conname"
        ))?;
        for f in &fks {
            if let Some(t) = schema.tables.get_mut(&display(&at(f, 0), &at(f, 1))) {
                t.foreign_keys.push(ForeignKey {
                    columns: at(f, 4).split(',').map(str::to_string).collect(),
                    table: display(&at(f, 2), &at(f, 3)),
                    referenced: at(f, 5).split(',').map(str::to_string).collect(),
                });
            }
        }
        // Constraints by definition: names the server generated do not count.
        for c in self.query(&format!(
            "SELECT n.nspname, c.relname, pg_get_constraintdef(co.oid) \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}"
        ))? {
            schema.add(
                format!(
                    "constraint on {}: {}",
                    display(&at(&c, 0), &at(&c, 1)),
                    at(&c, 2)
                ),
                String::new(),
            );
        }
        // Indexes by definition, their names left out.
        for i in self.query(&format!(
            "SELECT n.nspname, c.relname, \
                    regexp_replace(pg_get_indexdef(i.indexrelid), '^(CREATE (UNIQUE )?INDEX )\\S+ ON ', '\\1ON ') \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}"
        ))? {
            schema.add(
                format!("index on {}: {}", display(&at(&i, 0), &at(&i, 1)), at(&i, 2)),
                String::new(),
            );
        }
        for v in self.query(&format!(
            "SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('v', 'm') AND {USER}"
        ))? {
            let kind = if at(&v, 2) == "m" {
                "materialized view"
            } else {
                "view"
            };
            schema.add(
                format!("{kind} {}", display(&at(&v, 0), &at(&v, 1))),
                squeeze(&at(&v, 3)),
            );
        }
        for s in self.query(&format!(
            "SELECT n.nspname, c.relname, format('%s increment %s min %s max %s start %s cycle %s', \
                    s.seqtypid::regtype, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcycle) \
             FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}"
        ))? {
            schema.add(
                format!("sequence {}", display(&at(&s, 0), &at(&s, 1))),
                at(&s, 2),
            );
        }
        for e in self.query(&format!(
            "SELECT n.nspname, t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             JOIN pg_enum e ON e.enumtypid = t.oid WHERE {USER} GROUP BY 1, 2"
        ))? {
            schema.enums.insert(
                display(&at(&e, 0), &at(&e, 1)),
                at(&e, 2).split(',').map(str::to_string).collect(),
            );
        }
        for t in self.query(&format!(
            "SELECT n.nspname, c.relname, tg.tgname, pg_get_triggerdef(tg.oid) \
             FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT tg.tgisinternal AND {USER}"
        ))? {
            schema.add(
                format!(
                    "trigger {} on {}",
                    at(&t, 2),
                    display(&at(&t, 0), &at(&t, 1))
                ),
                at(&t, 3),
            );
        }
        // Functions and procedures, by a digest of their definition; not the
        // ones an extension brings.
        for f in self.query(&format!(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), \
                    md5(pg_get_functiondef(p.oid)) \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE p.prokind IN ('f', 'p') AND {USER} AND NOT EXISTS \
                   (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        ))? {
            schema.add(
                format!(
                    "function {}({})",
                    display(&at(&f, 0), &at(&f, 1)),
                    at(&f, 2)
                ),
                format!("definition digest {}", at(&f, 3)),
            );
        }
        for x in
            self.query("SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'")?
        {
            schema.add(format!("extension {}", at(&x, 0)), at(&x, 1));
        }
        for n in self.query(&format!(
            "SELECT n.nspname FROM pg_namespace n WHERE {USER} AND n.nspname <> 'public'"
        ))? {
            schema.add(format!("schema {}", at(&n, 0)), String::new());
        }
        Ok(schema)
    }

    fn rows(&mut self, table: &Table, columns: &[String]) -> Result<Vec<Row>, DbError> {
        let cols: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        self.query(&format!(
            "SELECT {} FROM {}",
            cols.join(", "),
            table.sql_name
        ))
    }

    fn literal(&self, value: &Value) -> String {
        match value {
            Value::Bytes(b) => format!("'\\x{}'::bytea", hex(b)),
            other => other.standard_literal(),
        }
    }

    fn quote(&self, name: &str) -> String {
        quote(name)
    }

    fn location(&self) -> String {
        format!("database {} on {}", self.name, self.server)
    }

    fn keep(&mut self) {
        self.keep = true;
    }

    fn roles(&mut self) -> Result<BTreeSet<String>, DbError> {
        let admin = self.admin.as_mut().ok_or_else(|| DbError {
            message: "the server connection is closed".to_string(),
            code: None,
        })?;
        roles(admin)
    }

    fn undo_afterwards(&mut self, before: BTreeSet<String>, databases: Vec<String>) {
        if self.keep {
            return;
        }
        let config = self.admin_config.clone();
        let (b, d) = (before.clone(), databases.clone());
        self.undo_cleanup = Some(cleanup::register(Box::new(move || {
            if let Ok(mut c) = config.connect(NoTls) {
                undo(&mut c, &b, &d);
            }
        })));
        self.undo = Some((before, databases));
    }

    fn traces(&self) -> bool {
        true
    }

    fn relations(&mut self) -> Result<BTreeMap<u32, (String, String)>, DbError> {
        Ok(self
            .query(&format!(
                "SELECT c.oid, n.nspname, c.relname, c.relfilenode FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p', 'm') AND {USER}"
            ))?
            .iter()
            .filter_map(|r| {
                let oid = at(r, 0).parse().ok()?;
                Some((oid, (display(&at(r, 1), &at(r, 2)), at(r, 3))))
            })
            .collect())
    }

    fn own_locks(&mut self) -> Result<BTreeSet<(u32, String)>, DbError> {
        Ok(locks(&self.query(
            "SELECT relation, mode FROM pg_locks \
             WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted",
        )?))
    }

    /// The second session holds a snapshot while the statement starts:
    /// `CREATE INDEX CONCURRENTLY` and its kin wait for older snapshots, so
    /// the statement is caught holding its locks; the session lets go as
    /// soon as the statement waits. Others are polled while they run.
    fn execute_sampled(&mut self, sql: &str) -> Result<Option<BTreeSet<(u32, String)>>, DbError> {
        let mut watcher = self.scratch_config.connect(NoTls).map_err(|e| err(&e))?;
        watcher
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1")
            .map_err(|e| err(&e))?;
        let watch = format!(
            "SELECT relation, mode, granted FROM pg_locks WHERE pid = {}",
            self.pid.parse::<i32>().unwrap_or(0)
        );
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let watching = scope.spawn(|| {
                let mut seen = BTreeSet::new();
                let mut holding = true;
                while !done.load(Ordering::Relaxed) {
                    let Ok(messages) = watcher.simple_query(&watch) else {
                        break;
                    };
                    let now = rows(&messages);
                    let granted: Vec<Row> =
                        now.iter().filter(|r| at(r, 2) == "t").cloned().collect();
                    seen.extend(locks(&granted));
                    if holding && now.iter().any(|r| at(r, 2) == "f") {
                        holding = false;
                        let _ = watcher.batch_execute("ROLLBACK");
                    }
                }
                seen
            });
            let ran = self.execute(sql);
            done.store(true, Ordering::Relaxed);
            let seen = watching.join().unwrap_or_default();
            ran.map(|()| Some(seen))
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        drop(self.scratch.take());
        if !self.keep
            && let Some(admin) = self.admin.as_mut()
        {
            let force = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if admin.batch_execute(&force).is_err() {
                // Before PostgreSQL 13 there is no FORCE.
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.name));
            }
        }
        if !self.keep
            && let (Some(admin), Some((before, databases))) =
                (self.admin.as_mut(), self.undo.take())
        {
            undo(admin, &before, &databases);
        }
        if let Some(id) = self.undo_cleanup.take() {
            cleanup::unregister(id);
        }
        drop(self.admin.take());
        cleanup::unregister(self.cleanup);
        drop(self.cluster.take());
    }
}

/// A temporary PostgreSQL cluster: a data directory in the temp dir, a
/// server listening only on a Unix socket in that directory.
struct Cluster {
    dir: PathBuf,
    port: u16,
    /// As root, initdb and the server refuse to run: they run as this user.
    run_as: Option<String>,
    cleanup: u64,
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn tool(run_as: Option<&str>, program: &str) -> Command {
    match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--", program]);
            c
        }
        None => Command::new(program),
    }
}

fn stop(dir: &Path, run_as: Option<&str>) {
    let _ = tool(run_as, "pg_ctl")
        .args(["stop", "-m", "immediate", "-w", "-D"])
        .arg(dir.join("data"))
        .output();
    let _ = std::fs::remove_dir_all(dir);
}

/// Whether a temporary cluster can be started (initdb and pg_ctl on PATH).
pub fn cluster_available() -> bool {
    on_path("initdb") && on_path("pg_ctl")
}

impl Cluster {
    fn start() -> Result<Self, String> {
        // initdb refuses to run as root; a system account runs the cluster.
        let run_as = if is_root() {
            let user = ["postgres", "nobody"]
                .into_iter()
                .find(|u| Command::new("id").arg(u).output().is_ok_and(|o| o.status.success()))
                .ok_or("initdb refuses to run as root, and there is no `postgres` or `nobody` user to run the temporary cluster: run bellows as another user, or give --database-url")?;
            Some(user.to_string())
        } else {
            None
        };
        let dir = std::env::temp_dir().join(format!("bellows_pg_{}", super::random_suffix()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if let Some(user) = &run_as {
            let owned = Command::new("chown")
                .arg(user)
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if !owned {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(format!("cannot give {} to the user {user}", dir.display()));
            }
        }
        let drop_dir = dir.clone();
        let drop_user = run_as.clone();
        let cleanup = cleanup::register(Box::new(move || stop(&drop_dir, drop_user.as_deref())));
        let cluster = Cluster {
            dir,
            // Only the socket's file name: no TCP port is opened.
            port: 5432,
            run_as,
            cleanup,
        };
        let data = cluster.dir.join("data");
        let init = tool(cluster.run_as.as_deref(), "initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !init.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
                    .trim()
                    .replace('\n', " ")
            ));
        }
        let options = format!(
            "-c listen_addresses='' -k {} -F -c fsync=off -c full_page_writes=off",
            cluster.dir.display()
        );
        let started = tool(cluster.run_as.as_deref(), "pg_ctl")
            .args(["start", "-w", "-s", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .args(["-o", &options])
            .output()
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        if !started.status.success() {
            let log = std::fs::read_to_string(cluster.dir.join("log")).unwrap_or_default();
            return Err(format!(
                "the temporary PostgreSQL cluster did not start: {}",
                log.lines().last().unwrap_or("").trim()
            ));
        }
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        stop(&self.dir, self.run_as.as_deref());
        cleanup::unregister(self.cleanup);
    }
}

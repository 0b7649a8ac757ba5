//! MySQL and MariaDB: a scratch database `bellows_verify_<random>` on the
//! server of `--database-url mysql://…`. Every DDL statement commits on its
//! own there; a migration's transaction only holds its DML. The schema is
//! read from information_schema.

use std::collections::{BTreeMap, BTreeSet};

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

use super::rows::{Value, hex};
use super::schema::{Column, ForeignKey, Schema, Table, squeeze};
use super::{DbError, Engine, Row, cleanup};

pub struct Mysql {
    scratch: Option<Conn>,
    admin: Option<Conn>,
    name: String,
    server: String,
    keep: bool,
    cleanup: u64,
    /// `--allow-global-changes`: the users before the run, and the
    /// databases the run creates, to drop afterwards.
    undo: Option<(BTreeSet<String>, Vec<String>)>,
    /// The same undo on Ctrl-C.
    undo_cleanup: Option<u64>,
    /// To reach the server again (Ctrl-C).
    admin_opts: Opts,
}

fn err(e: &mysql::Error) -> DbError {
    match e {
        mysql::Error::MySqlError(m) => DbError {
            message: m.message.trim_end_matches('.').to_string(),
            code: Some(m.code.to_string()),
        },
        other => DbError {
            message: other.to_string(),
            code: None,
        },
    }
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn text(v: &mysql::Value) -> Option<String> {
    match v {
        mysql::Value::NULL => None,
        mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        mysql::Value::Int(i) => Some(i.to_string()),
        mysql::Value::UInt(i) => Some(i.to_string()),
        mysql::Value::Float(f) => Some(f.to_string()),
        mysql::Value::Double(f) => Some(f.to_string()),
        other => Some(format!("{other:?}")),
    }
}

/// Drops the databases the run created and the users (and MariaDB roles)
/// that were not there before it.
fn undo(admin: &mut Conn, before: &BTreeSet<String>, databases: &[String]) {
    for d in databases {
        let _ = admin.query_drop(format!("DROP DATABASE IF EXISTS {}", quote(d)));
    }
    for u in users(admin).unwrap_or_default().difference(before) {
        if admin.query_drop(format!("DROP USER {u}")).is_err() {
            let role = super::global::role_name(u);
            let _ = admin.query_drop(format!("DROP ROLE {}", quote(&role)));
        }
    }
}

/// The server's users (and MariaDB roles) as `'user'@'host'`.
fn users(admin: &mut Conn) -> Result<BTreeSet<String>, DbError> {
    let rows: Vec<Option<String>> = admin
        .query("SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user")
        .map_err(|e| err(&e))?;
    Ok(rows.into_iter().flatten().collect())
}

/// A session on the server of `url` (`mysql://` or `mariadb://`), its
/// options, and the server as it may be shown (without its password): what
/// `verify` creates its database from and `bellows stats` reads from.
pub fn connect(url: &str) -> Result<(Conn, Opts, String), String> {
    let server = super::redact(url);
    let url = url.replacen("mariadb://", "mysql://", 1);
    let opts = Opts::from_url(&url).map_err(|e| format!("{server}: not a MySQL URL: {e}"))?;
    let conn =
        Conn::new(opts.clone()).map_err(|e| format!("cannot connect to {server}: {}", err(&e)))?;
    Ok((conn, opts, server))
}

/// The server's error, as [`DbError`].
pub fn error(e: &mysql::Error) -> DbError {
    err(e)
}

fn at(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

impl Mysql {
    pub fn create(url: &str) -> Result<Self, String> {
        let (mut admin, opts, server) = connect(url)?;
        let name = format!("bellows_verify_{}", super::random_suffix());
        admin
            .query_drop(format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("{server}: cannot create a scratch database: {}", err(&e)))?;
        let drop_opts = opts.clone();
        let drop_name = name.clone();
        let cleanup = cleanup::register(Box::new(move || {
            if let Ok(mut c) = Conn::new(drop_opts) {
                let _ = c.query_drop(format!("DROP DATABASE IF EXISTS {drop_name}"));
            }
        }));
        let mut this = Self {
            scratch: None,
            admin: Some(admin),
            name: name.clone(),
            server,
            keep: false,
            cleanup,
            undo: None,
            undo_cleanup: None,
            admin_opts: opts.clone(),
        };
        match Conn::new(OptsBuilder::from_opts(opts).db_name(Some(name))) {
            Ok(c) => this.scratch = Some(c),
            Err(e) => {
                return Err(format!(
                    "{}: cannot connect to the scratch database: {}",
                    this.server,
                    err(&e)
                ));
            }
        }
        Ok(this)
    }

    fn conn(&mut self) -> Result<&mut Conn, DbError> {
        self.scratch.as_mut().ok_or_else(|| DbError {
            message: "the scratch database is closed".to_string(),
            code: None,
        })
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Row>, DbError> {
        let rows: Vec<mysql::Row> = self.conn()?.query(sql).map_err(|e| err(&e))?;
        Ok(rows
            .iter()
            .map(|r| (0..r.len()).map(|i| r.as_ref(i).and_then(text)).collect())
            .collect())
    }
}

impl Engine for Mysql {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        let (plain, quoted) = (format!("{}.", self.name), format!("`{}`.", self.name));
        self.conn()?.query_drop(sql).map_err(|e| {
            // `Table 'bellows_verify_….t' doesn't exist`: the user's name only.
            let mut e = err(&e);
            e.message = e.message.replace(&quoted, "").replace(&plain, "");
            e
        })
    }

    fn schema(&mut self) -> Result<Schema, DbError> {
        let mut schema = Schema::default();
        for c in self.query(
            "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT, \
                    c.COLUMN_KEY, c.EXTRA \
             FROM information_schema.COLUMNS c JOIN information_schema.TABLES t \
               ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
             WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' \
             ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        )? {
            let name = at(&c, 0);
            let extra = at(&c, 6).to_lowercase();
            let table = schema.tables.entry(name.clone()).or_insert_with(|| Table {
                sql_name: quote(&name),
                ..Table::default()
            });
            let mut ty = at(&c, 2).to_lowercase();
            if !extra.is_empty() {
                ty.push(' ');
                ty.push_str(&extra);
            }
            table.columns.push(Column {
                name: at(&c, 1),
                ty,
                not_null: at(&c, 3) == "NO",
                default: c.get(4).cloned().flatten(),
                primary_key: at(&c, 5) == "PRI",
                computed: extra.contains("generated"),
            });
        }
        let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
        for k in self.query(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, \
                    REFERENCED_COLUMN_NAME \
             FROM information_schema.KEY_COLUMN_USAGE \
             WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
        )? {
            let fk = fks
                .entry((at(&k, 0), at(&k, 1)))
                .or_insert_with(|| ForeignKey {
                    columns: Vec::new(),
                    table: at(&k, 3),
                    referenced: Vec::new(),
                });
            fk.columns.push(at(&k, 2));
            fk.referenced.push(at(&k, 4));
        }
        for ((table, _), fk) in fks {
            schema.add(
                format!(
                    "foreign key {table} ({}) references {} ({})",
                    fk.columns.join(", "),
                    fk.table,
                    fk.referenced.join(", ")
                ),
                String::new(),
            );
            if let Some(t) = schema.tables.get_mut(&table) {
                t.foreign_keys.push(fk);
            }
        }
        // Indexes by definition: MySQL names some after their first column.
        let mut indexes: BTreeMap<(String, String), (bool, String, Vec<String>)> = BTreeMap::new();
        for s in self.query(
            "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        )? {
            let e = indexes
                .entry((at(&s, 0), at(&s, 1)))
                .or_insert_with(|| (at(&s, 2) == "0", at(&s, 5).to_lowercase(), Vec::new()));
            let mut col = at(&s, 3);
            if let Some(Some(p)) = s.get(4) {
                col = format!("{col}({p})");
            }
            e.2.push(col);
        }
        for ((table, name), (unique, using, cols)) in indexes {
            let kind = if name == "PRIMARY" {
                "primary key"
            } else if unique {
                "unique index"
            } else {
                "index"
            };
            schema.add(
                format!("{kind} on {table} ({}) using {using}", cols.join(", ")),
                String::new(),
            );
        }
        // CHECK constraints (MySQL 8.0.16+, MariaDB 10.2+); older servers lack the table.
        if let Ok(checks) = self.query(
            "SELECT tc.TABLE_NAME, cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc \
             JOIN information_schema.CHECK_CONSTRAINTS cc \
               ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
             WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'",
        ) {
            for c in checks {
                schema.add(
                    format!("check on {}: {}", at(&c, 0), squeeze(&at(&c, 1))),
                    String::new(),
                );
            }
        }
        for v in self.query(
            "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
             WHERE TABLE_SCHEMA = DATABASE()",
        )? {
            schema.add(format!("view {}", at(&v, 0)), squeeze(&at(&v, 1)));
        }
        for t in self.query(
            "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, \
                    ACTION_STATEMENT FROM information_schema.TRIGGERS \
             WHERE TRIGGER_SCHEMA = DATABASE()",
        )? {
            schema.add(
                format!("trigger {} on {}", at(&t, 0), at(&t, 1)),
                format!("{} {} {}", at(&t, 2), at(&t, 3), squeeze(&at(&t, 4))),
            );
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
            Value::Bytes(b) => format!("X'{}'", hex(b)),
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
        users(admin)
    }

    fn undo_afterwards(&mut self, before: BTreeSet<String>, databases: Vec<String>) {
        if self.keep {
            return;
        }
        let opts = self.admin_opts.clone();
        let (b, d) = (before.clone(), databases.clone());
        self.undo_cleanup = Some(cleanup::register(Box::new(move || {
            if let Ok(mut c) = Conn::new(opts) {
                undo(&mut c, &b, &d);
            }
        })));
        self.undo = Some((before, databases));
    }
}

impl Drop for Mysql {
    fn drop(&mut self) {
        drop(self.scratch.take());
        if !self.keep
            && let Some(admin) = self.admin.as_mut()
        {
            let _ = admin.query_drop(format!("DROP DATABASE IF EXISTS {}", self.name));
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
    }
}

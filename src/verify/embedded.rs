//! PostgreSQL with nothing installed (cargo feature `embedded-postgres`):
//! PostgreSQL 17.5 compiled to WebAssembly and run in-process by
//! `pglite-oxide` (Wasmer), its files bundled in the binary. It serves one
//! connection at a time on a Unix socket in a temp directory (no TCP port);
//! bellows connects once and runs everything in that session through the
//! PostgreSQL engine, so the schema, the rows and the trace are read exactly
//! as on a server. What differs: the database is the embedded server's own
//! (the whole server is thrown away), and there is no second session, so a
//! statement that cannot run in a transaction (`CREATE INDEX
//! CONCURRENTLY`) runs without a trace entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pglite_oxide::PgliteServer;

use super::postgres::Postgres;
use super::rows::Value;
use super::schema::{Schema, Table};
use super::{DbError, Engine, Row};

/// The embedded server and the one session on it.
pub struct Embedded {
    /// Closed before the server stops.
    pg: Option<Postgres>,
    server: Option<PgliteServer>,
    /// The directory of the server's socket.
    dir: PathBuf,
}

const WHO: &str = "the embedded PostgreSQL 17.5";

impl Embedded {
    pub fn start() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("bellows_pglite_{}", super::random_suffix()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let server = match PgliteServer::builder()
            .temporary()
            .unix(dir.join(".s.PGSQL.5432"))
            .start()
        {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(format!("{WHO} did not start: {e:#}"));
            }
        };
        let mut this = Self {
            pg: None,
            server: None,
            dir,
        };
        let uri = server.connection_uri();
        let root = server.root().to_path_buf();
        this.server = Some(server);
        let config: postgres::Config = uri
            .parse()
            .map_err(|e| format!("{WHO}: unusable connection URI {uri}: {e}"))?;
        let (socket, files) = (this.dir.clone(), root);
        let pg = Postgres::single(
            &config,
            WHO.to_string(),
            Box::new(move || {
                let _ = std::fs::remove_dir_all(&socket);
                let _ = std::fs::remove_dir_all(&files);
            }),
        )?;
        this.pg = Some(pg);
        Ok(this)
    }

    fn pg(&mut self) -> Result<&mut Postgres, DbError> {
        self.pg.as_mut().ok_or_else(|| DbError {
            message: format!("{WHO} is closed"),
            code: None,
        })
    }
}

impl Engine for Embedded {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.pg()?.execute(sql)
    }

    fn schema(&mut self) -> Result<Schema, DbError> {
        self.pg()?.schema()
    }

    fn rows(&mut self, table: &Table, columns: &[String]) -> Result<Vec<Row>, DbError> {
        self.pg()?.rows(table, columns)
    }

    fn literal(&self, value: &Value) -> String {
        match &self.pg {
            Some(pg) => pg.literal(value),
            None => value.standard_literal(),
        }
    }

    fn quote(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    fn location(&self) -> String {
        format!(
            "{WHO}, gone with the process (its socket was in {})",
            self.dir.display()
        )
    }

    /// The embedded server lives only as long as bellows: nothing to keep.
    fn keep(&mut self) {}

    fn roles(&mut self) -> Result<BTreeSet<String>, DbError> {
        self.pg()?.roles()
    }

    /// The whole server goes away afterwards: nothing to undo.
    fn undo_afterwards(&mut self, _before: BTreeSet<String>, _databases: Vec<String>) {}

    fn traces(&self) -> bool {
        true
    }

    fn relations(&mut self) -> Result<BTreeMap<u32, (String, String)>, DbError> {
        self.pg()?.relations()
    }

    /// pg_locks read in the one session, inside the migration's own
    /// transaction: the same as on a server.
    fn own_locks(&mut self) -> Result<BTreeSet<(u32, String)>, DbError> {
        self.pg()?.own_locks()
    }

    /// No second session to watch from: the statement runs unobserved.
    fn execute_sampled(&mut self, sql: &str) -> Result<Option<BTreeSet<(u32, String)>>, DbError> {
        self.execute(sql).map(|()| None)
    }

    fn server(&self) -> Option<String> {
        Some(WHO.to_string())
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        // The session first: the server serves one connection and waits
        // for it to close before it stops.
        drop(self.pg.take());
        if let Some(server) = self.server.take() {
            let _ = server.shutdown();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

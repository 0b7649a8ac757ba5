//! `bellows stats`: the estimated row count and size of every table of one
//! database, read read-only and written as JSON ([`StatsFile`]) for
//! `check --stats`, so that CI gets production's sizes without production's
//! credentials.
//!
//! PostgreSQL and MySQL/MariaDB are reached through `verify`'s connection
//! code, in a read-only transaction; SQLite is a file opened read-only.
//! Nothing is ever written.

use std::path::Path;

use crate::model::{Dialect, StatsFile, TableStats};
use crate::verify;

/// Reads the table sizes of the database `url` names: `postgres://…`,
/// `mysql://…` / `mariadb://…`, `sqlite://path`, or the path of an SQLite
/// file. `Err` is one line for exit 2, naming the server without its
/// password.
pub fn read(url: &str) -> Result<StatsFile, String> {
    let (dialect, server, tables) =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let (server, tables) = postgres(url)?;
            (Dialect::Postgres, server, tables)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let (server, tables) = mysql(url)?;
            (Dialect::Mysql, server, tables)
        } else if let Some(path) = sqlite_path(url) {
            (Dialect::Sqlite, path.to_string(), sqlite(Path::new(path))?)
        } else {
            return Err(format!(
                "{}: not a database URL: give postgres://…, mysql://… or an SQLite file",
                verify::redact(url)
            ));
        };
    Ok(StatsFile {
        version: 1,
        taken: now_utc(),
        server,
        dialect,
        tables,
    })
}

/// The file of an SQLite URL (`sqlite://path`, `sqlite:path`), or a plain
/// path; `None` for another scheme.
fn sqlite_path(url: &str) -> Option<&str> {
    if let Some(p) = url.strip_prefix("sqlite://") {
        return Some(p);
    }
    if let Some(p) = url.strip_prefix("sqlite:") {
        return Some(p);
    }
    (!url.contains("://")).then_some(url)
}

/// The JSON of a stats file, as `bellows stats` prints it.
pub fn to_json(stats: &StatsFile) -> String {
    let mut s = serde_json::to_string_pretty(stats).unwrap_or_default();
    s.push('\n');
    s
}

/// Every table but the server's own: `pg_class.reltuples` (the planner's
/// estimate) and `pg_total_relation_size` (heap, indexes and TOAST). Rows
/// are unknown when the table was never analyzed: -1 since PostgreSQL 14,
/// and before it 0 rows in 0 pages while the file holds data. A partitioned
/// table is the sum of its partitions.
const POSTGRES_SIZES: &str = "\
WITH est AS (
  SELECT c.oid,
         CASE WHEN c.reltuples < 0
                OR (c.reltuples = 0 AND c.relpages = 0 AND pg_relation_size(c.oid) > 0)
              THEN NULL ELSE round(c.reltuples)::int8 END AS rows
  FROM pg_class c WHERE c.relkind IN ('r', 'm'))
SELECT n.nspname::text, c.relname::text,
  CASE WHEN c.relkind = 'p' THEN
         (SELECT CASE WHEN bool_or(e.rows IS NULL) THEN NULL ELSE sum(e.rows)::int8 END
            FROM pg_partition_tree(c.oid) t JOIN est e ON e.oid = t.relid WHERE t.isleaf)
       ELSE (SELECT e.rows FROM est e WHERE e.oid = c.oid) END,
  CASE WHEN c.relkind = 'p' THEN
         (SELECT sum(pg_total_relation_size(t.relid))::int8
            FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
       ELSE pg_total_relation_size(c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY 1, 2";

fn postgres(url: &str) -> Result<(String, Vec<TableStats>), String> {
    let (mut client, server) = verify::postgres::connect(url)?;
    let fail = |e: &postgres::Error| {
        format!(
            "{server}: cannot read the table sizes: {}",
            verify::postgres::error(e)
        )
    };
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| fail(&e))?;
    let rows = tx.query(POSTGRES_SIZES, &[]).map_err(|e| fail(&e))?;
    let mut tables = Vec::with_capacity(rows.len());
    for r in &rows {
        let rows: Option<i64> = r.try_get(2).map_err(|e| fail(&e))?;
        let bytes: Option<i64> = r.try_get(3).map_err(|e| fail(&e))?;
        tables.push(TableStats {
            schema: r.try_get(0).map_err(|e| fail(&e))?,
            name: r.try_get(1).map_err(|e| fail(&e))?,
            rows: rows.and_then(|n| u64::try_from(n).ok()),
            bytes: bytes.and_then(|b| u64::try_from(b).ok()),
        });
    }
    tx.rollback().map_err(|e| fail(&e))?;
    Ok((server, tables))
}

/// The base tables of the URL's database: `TABLE_ROWS` (InnoDB's estimate)
/// and `DATA_LENGTH + INDEX_LENGTH`.
const MYSQL_SIZES: &str = "\
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
ORDER BY TABLE_NAME";

fn mysql(url: &str) -> Result<(String, Vec<TableStats>), String> {
    use mysql::prelude::Queryable;
    let (mut conn, _, server) = verify::mysql::connect(url)?;
    let fail = |e: &mysql::Error| {
        format!(
            "{server}: cannot read the table sizes: {}",
            verify::mysql::error(e)
        )
    };
    // MySQL 8 caches information_schema's numbers for a day by default;
    // this session wants them as they are. MariaDB has no such cache (nor
    // the variable).
    let _ = conn.query_drop("SET SESSION information_schema_stats_expiry = 0");
    conn.query_drop("SET SESSION TRANSACTION READ ONLY")
        .map_err(|e| fail(&e))?;
    conn.query_drop("START TRANSACTION READ ONLY")
        .map_err(|e| fail(&e))?;
    let database: Option<Option<String>> = conn
        .query_first("SELECT DATABASE()")
        .map_err(|e| fail(&e))?;
    if database.flatten().is_none() {
        return Err(format!(
            "{server}: the URL names no database: give mysql://user@host:3306/<database>"
        ));
    }
    let rows: Vec<(String, String, Option<u64>, Option<u64>)> =
        conn.query(MYSQL_SIZES).map_err(|e| fail(&e))?;
    conn.query_drop("ROLLBACK").map_err(|e| fail(&e))?;
    let tables = rows
        .into_iter()
        .map(|(schema, name, rows, bytes)| TableStats {
            schema,
            name,
            rows,
            bytes,
        })
        .collect();
    Ok((server, tables))
}

/// Every table of an SQLite file, opened read-only: `count(*)`, and the
/// pages of the table and its indexes (`dbstat`).
fn sqlite(path: &Path) -> Result<Vec<TableStats>, String> {
    use rusqlite::{Connection, OpenFlags};
    let shown = path.display();
    let fail = |e: &rusqlite::Error| format!("{shown}: cannot read the table sizes: {e}");
    if !path.is_file() {
        return Err(format!("{shown}: no such SQLite database file"));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(&e))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| fail(&e))?;
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| fail(&e))?;
    // The pages of each table with its indexes; without dbstat (not
    // compiled in), sizes are unknown.
    let pages: Vec<(String, i64)> = conn
        .prepare(
            "SELECT s.tbl_name, sum(d.pgsize) FROM dbstat d \
             JOIN sqlite_schema s ON s.name = d.name GROUP BY s.tbl_name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .unwrap_or_default();
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let rows: Option<i64> = conn
            .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))
            .ok();
        let bytes = pages
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(&name))
            .and_then(|(_, b)| u64::try_from(*b).ok());
        tables.push(TableStats {
            schema: "main".to_string(),
            name,
            rows: rows.and_then(|r| u64::try_from(r).ok()),
            bytes,
        });
    }
    Ok(tables)
}

/// Now, UTC, as `2026-12-07T04:31:00Z`.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_794), (2026, 12, 7));
    }

    #[test]
    fn urls_name_their_database() {
        assert_eq!(
            super::sqlite_path("sqlite://db/app.sqlite"),
            Some("db/app.sqlite")
        );
        assert_eq!(super::sqlite_path("sqlite:app.db"), Some("app.db"));
        assert_eq!(super::sqlite_path("app.db"), Some("app.db"));
        assert_eq!(super::sqlite_path("oracle://u:p@h/x"), None);
        assert!(
            super::read("oracle://u:secret@h/x")
                .is_err_and(|e| e == "oracle://u@h/x: not a database URL: give postgres://…, mysql://… or an SQLite file")
        );
    }
}

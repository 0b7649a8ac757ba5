//! SQLite: an embedded database file in the temp directory (rusqlite with
//! SQLite bundled: nothing to install).

use std::path::PathBuf;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::schema::{Column, ForeignKey, Schema, Table, squeeze};
use super::{DbError, Engine, Row, cleanup, rows::Value};

pub struct Sqlite {
    conn: Option<Connection>,
    path: PathBuf,
    keep: bool,
    cleanup: u64,
}

impl Sqlite {
    pub fn create() -> Result<Self, String> {
        let path =
            std::env::temp_dir().join(format!("bellows_verify_{}.sqlite", super::random_suffix()));
        let conn = Connection::open(&path)
            .map_err(|e| format!("cannot create the SQLite database {}: {e}", path.display()))?;
        // A throwaway file: no fsync on each commit (the journal, and with
        // it ROLLBACK, stays).
        conn.execute_batch("PRAGMA synchronous = OFF")
            .map_err(|e| format!("cannot set up the SQLite database {}: {e}", path.display()))?;
        let p = path.clone();
        let cleanup = cleanup::register(Box::new(move || {
            let _ = std::fs::remove_file(&p);
        }));
        Ok(Self {
            conn: Some(conn),
            path,
            keep: false,
            cleanup,
        })
    }

    fn conn(&self) -> Result<&Connection, DbError> {
        self.conn.as_ref().ok_or_else(|| DbError {
            message: "the database is closed".to_string(),
            code: None,
        })
    }

    fn query(&self, sql: &str, param: Option<&str>) -> Result<Vec<Row>, DbError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(sql).map_err(err)?;
        let n = stmt.column_count();
        let params: Vec<&dyn rusqlite::ToSql> = match &param {
            Some(p) => vec![p],
            None => Vec::new(),
        };
        let mut rows = stmt.query(params.as_slice()).map_err(err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(text(r.get_ref(i).map_err(err)?));
            }
            out.push(row);
        }
        Ok(out)
    }
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(super::rows::hex(b)),
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(err)`
fn err(e: rusqlite::Error) -> DbError {
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) | rusqlite::Error::SqlInputError { error: f, .. } => {
            Some(f.extended_code.to_string())
        }
        _ => None,
    };
    let message = match &e {
        rusqlite::Error::SqliteFailure(_, Some(m))
        | rusqlite::Error::SqlInputError { msg: m, .. } => m.clone(),
        other => other.to_string(),
    };
    DbError { message, code }
}

/// The CHECK constraints of a table, from the SQL SQLite keeps for it
/// (no pragma lists them): each `CHECK (…)`'s condition, white space
/// squeezed, read with the parse stage's tokenizer.
fn checks(sql: &str) -> Vec<String> {
    use sqlparser::tokenizer::Token;
    let (toks, _) = crate::parse::tokenize(sql, crate::model::Dialect::Sqlite);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let opens = toks.get(i + 1).is_some_and(|t| *t.token() == Token::LParen);
        if !(toks[i].is_word("CHECK") && opens) {
            i += 1;
            continue;
        }
        let start = toks[i + 1].span.end;
        let mut depth = 0usize;
        let mut j = i + 1;
        while let Some(t) = toks.get(j) {
            match t.token() {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let end = toks.get(j).map_or(sql.len(), |t| t.span.start);
        out.push(squeeze(sql.get(start..end).unwrap_or("")));
        i = j + 1;
    }
    out
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn at(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

impl Engine for Sqlite {
    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn()?.execute_batch(sql).map_err(err)
    }

    fn schema(&mut self) -> Result<Schema, DbError> {
        let mut schema = Schema::default();
        let objects = self.query(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema \
             WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
            None,
        )?;
        for o in &objects {
            let (kind, name, table, sql) = (at(o, 0), at(o, 1), at(o, 2), at(o, 3));
            match kind.as_str() {
                "table" => {
                    let t = self.table(&name)?;
                    for (key, def) in self.indexes(&name)? {
                        schema.add(key, def);
                    }
                    for fk in &t.foreign_keys {
                        schema.add(
                            format!(
                                "foreign key {name} ({}) references {} ({})",
                                fk.columns.join(", "),
                                fk.table,
                                fk.referenced.join(", ")
                            ),
                            String::new(),
                        );
                    }
                    for check in checks(&sql) {
                        schema.add(format!("check on {name}: {check}"), String::new());
                    }
                    schema.tables.insert(name, t);
                }
                "view" => schema.add(format!("view {name}"), squeeze(&sql)),
                "trigger" => schema.add(format!("trigger {name} on {table}"), squeeze(&sql)),
                _ => {}
            }
        }
        Ok(schema)
    }

    fn rows(&mut self, table: &Table, columns: &[String]) -> Result<Vec<Row>, DbError> {
        let cols: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        self.query(
            &format!("SELECT {} FROM {}", cols.join(", "), table.sql_name),
            None,
        )
    }

    fn literal(&self, value: &Value) -> String {
        value.standard_literal()
    }

    fn quote(&self, name: &str) -> String {
        quote(name)
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn keep(&mut self) {
        self.keep = true;
    }

    /// A SQLite file has no roles.
    fn roles(&mut self) -> Result<std::collections::BTreeSet<String>, DbError> {
        Ok(std::collections::BTreeSet::new())
    }

    /// Nothing outside the file: SQLite has no server to change.
    fn undo_afterwards(&mut self, _: std::collections::BTreeSet<String>, _: Vec<String>) {}
}

impl Sqlite {
    fn table(&self, name: &str) -> Result<Table, DbError> {
        let mut columns = Vec::new();
        // cid, name, type, notnull, dflt_value, pk, hidden
        for c in self.query("SELECT * FROM pragma_table_xinfo(?1)", Some(name))? {
            columns.push(Column {
                name: at(&c, 1),
                ty: at(&c, 2).to_lowercase(),
                not_null: at(&c, 3) == "1",
                default: c.get(4).cloned().flatten(),
                primary_key: at(&c, 5) != "0",
                computed: at(&c, 6) != "0",
            });
        }
        let mut foreign_keys: Vec<ForeignKey> = Vec::new();
        // id, seq, table, from, to, on_update, on_delete, match
        let mut last_id = None;
        for f in self.query("SELECT * FROM pragma_foreign_key_list(?1)", Some(name))? {
            let id = at(&f, 0);
            if last_id.as_ref() != Some(&id) {
                foreign_keys.push(ForeignKey {
                    columns: Vec::new(),
                    table: at(&f, 2),
                    referenced: Vec::new(),
                });
                last_id = Some(id);
            }
            if let Some(fk) = foreign_keys.last_mut() {
                fk.columns.push(at(&f, 3));
                fk.referenced.push(at(&f, 4));
            }
        }
        Ok(Table {
            sql_name: quote(name),
            columns,
            foreign_keys,
        })
    }

    /// The table's indexes by definition (names left out: SQLite names the
    /// ones it makes for UNIQUE and PRIMARY KEY itself).
    fn indexes(&self, table: &str) -> Result<Vec<(String, String)>, DbError> {
        let mut out = Vec::new();
        // seq, name, unique, origin, partial
        for i in self.query("SELECT * FROM pragma_index_list(?1)", Some(table))? {
            let (name, unique, origin, partial) = (at(&i, 1), at(&i, 2), at(&i, 3), at(&i, 4));
            let mut cols = Vec::new();
            // seqno, cid, name, desc, coll, key
            for c in self.query("SELECT * FROM pragma_index_xinfo(?1)", Some(&name))? {
                if at(&c, 5) != "1" {
                    continue;
                }
                let mut s = c.get(2).cloned().flatten().unwrap_or("<expression>".into());
                if at(&c, 3) == "1" {
                    s.push_str(" desc");
                }
                if !at(&c, 4).eq_ignore_ascii_case("binary") {
                    s = format!("{s} collate {}", at(&c, 4));
                }
                cols.push(s);
            }
            let mut key = format!(
                "{}index on {table} ({})",
                if unique == "1" { "unique " } else { "" },
                cols.join(", ")
            );
            if partial == "1" {
                let sql = self
                    .query("SELECT sql FROM sqlite_schema WHERE name = ?1", Some(&name))?
                    .first()
                    .map(|r| at(r, 0))
                    .unwrap_or_default();
                if let Some(p) = sql.to_uppercase().rfind(" WHERE ") {
                    key = format!("{key} where {}", squeeze(sql.get(p + 7..).unwrap_or("")));
                }
            }
            let made_by = match origin.as_str() {
                "pk" => "primary key",
                "u" => "unique constraint",
                _ => "create index",
            };
            out.push((key, made_by.to_string()));
        }
        Ok(out)
    }
}

impl Drop for Sqlite {
    fn drop(&mut self) {
        // Close before removing the file.
        drop(self.conn.take());
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
        cleanup::unregister(self.cleanup);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn checks_are_read_from_the_tables_sql() {
        assert_eq!(
            super::checks(
                "CREATE TABLE t (a INT CHECK (a > 0), b TEXT, CONSTRAINT b_len CHECK (length(b)\n < 5))"
            ),
            ["a > 0", "length(b) < 5"]
        );
        assert!(super::checks("CREATE TABLE \"check\" (x INT)").is_empty());
    }
}

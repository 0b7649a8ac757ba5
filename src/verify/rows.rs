//! `--rows N`: generated rows, valid for each column's type, nullability,
//! uniqueness and foreign keys, inserted before each migration; and the
//! comparison of a table's rows before the up and after the down.

use std::collections::{BTreeMap, BTreeSet};

use super::schema::{Column, Schema, Table};
use super::{Engine, Row};

/// A generated value; each engine writes it as its own literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Real(String),
    Bool(bool),
    /// Text of any kind: strings, dates, times, UUIDs, JSON, enum labels.
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    /// The SQL-standard literal (SQLite and MySQL read all of them).
    pub fn standard_literal(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Real(r) => r.clone(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
            Value::Bytes(b) => format!("X'{}'", hex(b)),
        }
    }
}

pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// The length limit of `varchar(20)`, `char(3)`, …
fn length(ty: &str) -> Option<usize> {
    let (_, rest) = ty.split_once('(')?;
    rest.split([')', ',']).next()?.trim().parse().ok()
}

/// Row `i`'s value for a column of type `ty`: distinct for distinct `i`
/// (unique indexes hold), and the same function of `i` for a foreign key
/// and the column it references.
pub fn generate(ty: &str, i: usize, enums: &BTreeMap<String, Vec<String>>) -> Value {
    let t = ty.to_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    let labels = enums.get(base).or_else(|| {
        enums
            .iter()
            .find(|(k, _)| k.rsplit('.').next() == Some(base))
            .map(|(_, v)| v)
    });
    if let Some(labels) = labels.filter(|l| !l.is_empty()) {
        return Value::Text(labels[i % labels.len()].clone());
    }
    if let Some(list) = t.strip_prefix("enum(").or_else(|| t.strip_prefix("set(")) {
        let labels: Vec<&str> = list
            .trim_end_matches(')')
            .split(',')
            .map(|s| s.trim().trim_matches('\''))
            .collect();
        return Value::Text(labels[i % labels.len()].to_string());
    }
    let year = 2000 + (i % 7000);
    let at = |v: String| Value::Text(v);
    if base == "tinyint(1)" || t == "tinyint(1)" || base.contains("bool") || base == "bit" {
        Value::Bool(i.is_multiple_of(2))
    } else if base.contains("int") || base.contains("serial") || base == "year" {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX - 1) + 1)
    } else if [
        "real", "float", "double", "numeric", "decimal", "money", "number",
    ]
    .iter()
    .any(|k| base.contains(k))
    {
        Value::Real(format!("{}.5", i + 1))
    } else if base.contains("uuid") {
        at(format!("00000000-0000-4000-8000-{:012}", i + 1))
    } else if base.contains("json") {
        at(format!("{{\"bellows\": {i}}}"))
    } else if base.contains("timestamp") || base.contains("datetime") {
        at(format!("{year}-01-01 00:00:00"))
    } else if base == "date" {
        at(format!("{year}-01-01"))
    } else if base.starts_with("time") {
        at(format!(
            "{:02}:{:02}:{:02}",
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        ))
    } else if ["bytea", "blob", "binary", "varbinary"]
        .iter()
        .any(|k| base.contains(k))
    {
        let bytes = (i as u64 + 1).to_be_bytes();
        let n = length(&t).unwrap_or(8).clamp(1, 8);
        Value::Bytes(bytes.get(8 - n..).unwrap_or(&bytes).to_vec())
    } else if base == "inet" || base == "cidr" {
        at(format!(
            "10.{}.{}.{}",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ))
    } else {
        let s = format!("v{i}");
        match length(&t) {
            Some(n) if n < s.len() => at(s.get(s.len() - n..).unwrap_or("").to_string()),
            _ => at(s),
        }
    }
}

/// Tables in an order where every table comes after those it references.
fn parents_first(schema: &Schema) -> Vec<&String> {
    let mut done: BTreeSet<&String> = BTreeSet::new();
    let mut order = Vec::new();
    while order.len() < schema.tables.len() {
        let before = order.len();
        for (name, t) in &schema.tables {
            if done.contains(name) {
                continue;
            }
            let ready = t.foreign_keys.iter().all(|fk| {
                &fk.table == name
                    || done.contains(&fk.table)
                    || !schema.tables.contains_key(&fk.table)
            });
            if ready {
                done.insert(name);
                order.push(name);
            }
        }
        if order.len() == before {
            // A cycle: the rest in name order.
            for name in schema.tables.keys() {
                if done.insert(name) {
                    order.push(name);
                }
            }
        }
    }
    order
}

/// Inserts `n` generated rows into every empty table. Gives whether rows are
/// in play, and a note per table that could not be filled.
pub fn fill(engine: &mut dyn Engine, n: u32) -> Result<(bool, Vec<String>), String> {
    if n == 0 {
        return Ok((false, Vec::new()));
    }
    let schema = engine.schema().map_err(|e| e.to_string())?;
    let mut notes = Vec::new();
    for name in parents_first(&schema) {
        let Some(t) = schema.tables.get(name) else {
            continue;
        };
        let cols: Vec<&Column> = t.columns.iter().filter(|c| !c.computed).collect();
        let Some(first) = cols.first() else { continue };
        let existing = engine
            .rows(t, std::slice::from_ref(&first.name))
            .map_err(|e| e.to_string())?;
        if !existing.is_empty() {
            continue;
        }
        let mut values = Vec::new();
        for i in 0..n as usize {
            let row: Vec<String> = cols
                .iter()
                .map(|c| engine.literal(&value_for(&schema, t, c, i)))
                .collect();
            values.push(format!("({})", row.join(", ")));
        }
        let names: Vec<String> = cols.iter().map(|c| engine.quote(&c.name)).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            t.sql_name,
            names.join(", "),
            values.join(", ")
        );
        if let Err(e) = engine.execute(&sql) {
            notes.push(format!("cannot fill table {name} with generated rows: {e}"));
        }
    }
    Ok((true, notes))
}

/// A column's value in row `i`: a foreign key takes the referenced
/// column's value of the same row.
fn value_for(schema: &Schema, t: &Table, c: &Column, i: usize) -> Value {
    for fk in &t.foreign_keys {
        if let Some(pos) = fk.columns.iter().position(|x| x == &c.name) {
            let target = schema
                .tables
                .get(&fk.table)
                .and_then(|p| {
                    let col = fk.referenced.get(pos)?;
                    p.columns.iter().find(|x| &x.name == col)
                })
                .map_or(c.ty.as_str(), |x| x.ty.as_str());
            return generate(target, i, &schema.enums);
        }
    }
    generate(&c.ty, i, &schema.enums)
}

/// The rows of every table, by table: its columns and rows.
pub type Data = BTreeMap<String, (Vec<String>, Vec<Row>)>;

pub fn snapshot(engine: &mut dyn Engine, schema: &Schema) -> Result<Data, String> {
    let mut out = Data::new();
    for (name, t) in &schema.tables {
        let cols: Vec<String> = t
            .columns
            .iter()
            .filter(|c| !c.computed)
            .map(|c| c.name.clone())
            .collect();
        if cols.is_empty() {
            continue;
        }
        let rows = engine.rows(t, &cols).map_err(|e| e.to_string())?;
        out.insert(name.clone(), (cols, rows));
    }
    Ok(out)
}

/// What the down did not give back, one line per table.
pub fn compare(
    engine: &mut dyn Engine,
    before: &Schema,
    after: &Schema,
    data: &Data,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (name, (cols, rows)) in data {
        if rows.is_empty() {
            continue;
        }
        let Some(t) = after.tables.get(name) else {
            // The table is gone: irreversible-down says so.
            continue;
        };
        // Compare the columns that are still there.
        let kept: Vec<usize> = (0..cols.len())
            .filter(|&i| t.columns.iter().any(|c| Some(&c.name) == cols.get(i)))
            .collect();
        let names: Vec<String> = kept.iter().filter_map(|&i| cols.get(i).cloned()).collect();
        if names.is_empty() {
            continue;
        }
        let now = engine.rows(t, &names).map_err(|e| e.to_string())?;
        let project =
            |r: &Row| -> Row { kept.iter().map(|&i| r.get(i).cloned().flatten()).collect() };
        let old: Vec<Row> = rows.iter().map(project).collect();
        let pk: Vec<usize> = before
            .tables
            .get(name)
            .map(|b| {
                names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| b.columns.iter().any(|c| &c.name == *n && c.primary_key))
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default();
        let total = old.len();
        if pk.is_empty() {
            let mut left: Vec<&Row> = now.iter().collect();
            let mut lost = 0;
            for r in &old {
                match left.iter().position(|x| *x == r) {
                    Some(p) => {
                        left.swap_remove(p);
                    }
                    None => lost += 1,
                }
            }
            if lost > 0 {
                out.push(format!(
                    "{lost} of {total} rows of {name} are not back as they were"
                ));
            }
            continue;
        }
        let key = |r: &Row| -> Row { pk.iter().map(|&i| r.get(i).cloned().flatten()).collect() };
        let by_key: BTreeMap<Row, &Row> = now.iter().map(|r| (key(r), r)).collect();
        let mut missing = 0;
        let mut changed: BTreeMap<&String, usize> = BTreeMap::new();
        for r in &old {
            let Some(n) = by_key.get(&key(r)) else {
                missing += 1;
                continue;
            };
            for (i, col) in names.iter().enumerate() {
                if r.get(i) != n.get(i) {
                    *changed.entry(col).or_default() += 1;
                }
            }
        }
        if missing > 0 {
            out.push(format!("{missing} of {total} rows of {name} are gone"));
        }
        for (col, k) in changed {
            out.push(format!("{name}.{col} differs in {k} of {total} rows"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_fit_their_types() {
        let none = BTreeMap::new();
        assert_eq!(generate("INTEGER", 0, &none), Value::Int(1));
        assert_eq!(generate("varchar(2)", 123, &none), Value::Text("23".into()));
        assert_eq!(generate("boolean", 1, &none), Value::Bool(false));
        assert_eq!(generate("enum('a','b')", 1, &none), Value::Text("b".into()));
        assert_eq!(
            generate("timestamp with time zone", 3, &none),
            Value::Text("2003-01-01 00:00:00".into())
        );
    }
}

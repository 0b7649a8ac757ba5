//! The one comparable shape every engine reads its schema back into, and
//! the comparison of two of them.

use std::collections::BTreeMap;

/// A column as the server describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The type as the server spells it (lower-cased).
    pub ty: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    /// The server computes it (generated, identity always): never written.
    pub computed: bool,
}

/// A foreign key of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub referenced: Vec<String>,
}

/// A table: its columns in order, and what `--rows` needs to fill it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The table's name as SQL, quoted for the server.
    pub sql_name: String,
    pub columns: Vec<Column>,
    pub foreign_keys: Vec<ForeignKey>,
}

/// The schema of the scratch database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// By the name messages use (`users`, or `audit.users` outside the
    /// default schema).
    pub tables: BTreeMap<String, Table>,
    /// Everything else, by a key that holds no server-generated name
    /// (`index ON users USING btree (email)`), to its definition.
    pub objects: BTreeMap<String, String>,
    /// Enum types (PostgreSQL) and their values, in order.
    pub enums: BTreeMap<String, Vec<String>>,
}

impl Schema {
    /// Adds an object; a second object with the same key gets a numbered one.
    #[allow(clippy::map_entry)] // the key is moved in only when it is free
    pub fn add(&mut self, key: String, definition: String) {
        if !self.objects.contains_key(&key) {
            self.objects.insert(key, definition);
            return;
        }
        let mut n = 2;
        while self.objects.contains_key(&format!("{key} #{n}")) {
            n += 1;
        }
        self.objects.insert(format!("{key} #{n}"), definition);
    }
}

fn describe(c: &Column) -> String {
    let mut s = c.ty.clone();
    if c.not_null {
        s.push_str(" not null");
    }
    if let Some(d) = &c.default {
        s.push_str(" default ");
        s.push_str(d);
    }
    if c.primary_key {
        s.push_str(" primary key");
    }
    s
}

/// Each difference between the schema before the up and after the down,
/// in words.
pub fn differences(before: &Schema, after: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, t) in &before.tables {
        let Some(a) = after.tables.get(name) else {
            out.push(format!("table {name} is gone"));
            continue;
        };
        for c in &t.columns {
            match a.columns.iter().find(|x| x.name == c.name) {
                None => out.push(format!("column {name}.{} is gone", c.name)),
                Some(x) if describe(x) != describe(c) => out.push(format!(
                    "column {name}.{} was `{}`, is now `{}`",
                    c.name,
                    describe(c),
                    describe(x)
                )),
                Some(_) => {}
            }
        }
        for x in &a.columns {
            if !t.columns.iter().any(|c| c.name == x.name) {
                out.push(format!("column {name}.{} is left in place", x.name));
            }
        }
    }
    for name in after.tables.keys() {
        if !before.tables.contains_key(name) {
            out.push(format!("table {name} is left in place"));
        }
    }
    for (key, def) in &before.objects {
        match after.objects.get(key) {
            None => out.push(format!("{key} is gone")),
            Some(d) if d != def && def.chars().count() + d.chars().count() > 80 => {
                out.push(format!("{key} has another definition"));
            }
            Some(d) if d != def => out.push(format!("{key} was `{def}`, is now `{d}`")),
            Some(_) => {}
        }
    }
    for key in after.objects.keys() {
        if !before.objects.contains_key(key) {
            out.push(format!("{key} is left in place"));
        }
    }
    for (name, values) in &before.enums {
        match after.enums.get(name) {
            None => out.push(format!("enum type {name} is gone")),
            Some(v) if v != values => out.push(format!(
                "enum type {name} had ({}), has ({})",
                values.join(", "),
                v.join(", ")
            )),
            Some(_) => {}
        }
    }
    for name in after.enums.keys() {
        if !before.enums.contains_key(name) {
            out.push(format!("enum type {name} is left in place"));
        }
    }
    out
}

/// Collapses runs of white space to one space (definitions read back from
/// the server's stored text).
pub fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cols: &[(&str, &str, bool)]) -> Table {
        Table {
            sql_name: String::new(),
            columns: cols
                .iter()
                .map(|(n, t, nn)| Column {
                    name: (*n).to_string(),
                    ty: (*t).to_string(),
                    not_null: *nn,
                    default: None,
                    primary_key: false,
                    computed: false,
                })
                .collect(),
            foreign_keys: Vec::new(),
        }
    }

    #[test]
    fn differences_name_each_change() {
        let mut before = Schema::default();
        before
            .tables
            .insert("users".into(), table(&[("id", "integer", true)]));
        before.add("index ON users (id)".into(), String::new());
        let mut after = Schema::default();
        after.tables.insert(
            "users".into(),
            table(&[("id", "bigint", true), ("email", "text", false)]),
        );
        after.tables.insert("t".into(), table(&[]));
        assert_eq!(
            differences(&before, &after),
            vec![
                "column users.id was `integer not null`, is now `bigint not null`",
                "column users.email is left in place",
                "table t is left in place",
                "index ON users (id) is gone",
            ]
        );
        assert!(differences(&before, &before).is_empty());
    }
}

//! sqlparser AST → bellows' [`Action`].
//!
//! Only the statements whose structure matters to the catalog and the rules
//! are lowered here; for the rest `lower` answers `None` and the token
//! recogniser classifies them (DML, `VACUUM`, …) or they count as `Other`.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnDef as AstColumn,
    ColumnOption, DataType, Expr, GeneratedAs, GeneratedExpressionMode, Ident, ObjectName,
    ObjectType, RenameTableNameKind, SchemaName, Statement, TableConstraint,
    UserDefinedTypeRepresentation,
};
use std::ops::Range;

use sqlparser::tokenizer::Token;

pub use super::ir::make_name;
use super::ir::{
    Action, AlterKind, AlterOp, ByteSpan, ColumnDef, ConstraintDef, ConstraintKind, CreateIndex,
    CreateTable, Generated, IndexKind, Name, ObjectKind, RenameEnumValue, RenameObject, TypeName,
    Using,
};
use super::tokens::Tok;
use crate::model::Dialect;

pub(super) fn lower(stmt: &Statement, toks: &[Tok], dialect: Dialect) -> Option<Action> {
    let cx = Lower { dialect };
    Some(match stmt {
        Statement::CreateTable(ct) => {
            let mut columns: Vec<ColumnDef> = ct.columns.iter().map(|c| cx.column(c)).collect();
            let mut constraints: Vec<ConstraintDef> = ct
                .constraints
                .iter()
                .map(|c| cx.constraint(c, false))
                .collect();
            // Table-level PRIMARY KEY implies NOT NULL on its columns.
            for con in &constraints {
                if con.kind == ConstraintKind::PrimaryKey {
                    for col in &mut columns {
                        if con.columns.contains(&col.name) {
                            col.not_null = true;
                        }
                    }
                }
            }
            constraints.retain(|c| c.kind != ConstraintKind::Other || c.name.is_some());
            let (charset, row_format) = if dialect == Dialect::Mysql {
                mysql_table_options(toks)
            } else {
                (None, None)
            };
            Action::CreateTable(Box::new(CreateTable {
                charset,
                row_format,
                name: cx.name(&ct.name),
                columns,
                constraints,
                if_not_exists: ct.if_not_exists,
                temporary: ct.temporary,
                partition_of: ct.partition_of.as_ref().map(|n| cx.name(n)),
                default_partition: matches!(
                    ct.for_values,
                    Some(sqlparser::ast::ForValues::Default)
                ),
                partitioned: ct.partition_by.is_some(),
                columns_unknown: ct.query.is_some() || ct.like.is_some() || ct.clone.is_some(),
            }))
        }
        Statement::CreateView(v) => {
            let (reads, words) = super::fallback::view_reads(toks, dialect);
            Action::CreateView(Box::new(super::ir::CreateView {
                name: cx.name(&v.name),
                materialized: v.materialized,
                or_replace: v.or_replace,
                columns: super::fallback::view_columns(toks, dialect),
                reads,
                words,
            }))
        }
        Statement::CreateIndex(ci) => Action::CreateIndex(Box::new(CreateIndex {
            name: ci.name.as_ref().map(|n| cx.name(n)),
            table: cx.name(&ci.table_name),
            unique: ci.unique,
            concurrently: ci.concurrently,
            if_not_exists: ci.if_not_exists,
            only: toks.iter().any(|t| t.is_word("ONLY")),
            kind: match toks.get(1) {
                Some(t) if t.is_word("FULLTEXT") => IndexKind::Fulltext,
                Some(t) if t.is_word("SPATIAL") => IndexKind::Spatial,
                _ => IndexKind::Plain,
            },
            columns: ci
                .columns
                .iter()
                .filter_map(|c| match &c.column.expr {
                    Expr::Identifier(id) => Some(cx.ident(id)),
                    _ => None,
                })
                .collect(),
        })),
        Statement::CreateSchema { schema_name, .. } => match schema_name {
            SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => Action::CreateSchema {
                name: cx.name(n).name,
            },
            SchemaName::UnnamedAuthorization(id) => Action::CreateSchema { name: cx.ident(id) },
        },
        Statement::CreateType {
            name,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => Action::CreateEnum {
            name: cx.name(name),
            values: labels.iter().map(|l| l.value.clone()).collect(),
        },
        Statement::CreateDatabase { .. } => Action::NoTransaction {
            what: "CREATE DATABASE",
        },
        Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            table,
            ..
        } => Action::Drop {
            kind: object_kind(*object_type),
            names: names.iter().map(|n| cx.name(n)).collect(),
            if_exists: *if_exists,
            cascade: *cascade,
            concurrently: toks.iter().take(4).any(|t| t.is_word("CONCURRENTLY")),
            table: table.as_ref().map(|n| Box::new(cx.name(n))),
            signatures: Vec::new(),
        },
        Statement::AlterTable(at) => {
            let parts = op_ranges(toks, at.operations.len());
            let ops = at
                .operations
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    let part = parts
                        .as_ref()
                        .and_then(|p| p.get(i))
                        .map(|r| &toks[r.clone()]);
                    AlterOp {
                        span: stmt_span(part.unwrap_or(toks)),
                        kind: cx.alter_op(op, part),
                    }
                })
                .collect();
            Action::AlterTable {
                table: cx.name(&at.name),
                if_exists: at.if_exists,
                only: at.only,
                ops,
            }
        }
        Statement::RenameTable(pairs) => Action::RenameTables(
            pairs
                .iter()
                .map(|p| (cx.name(&p.old_name), cx.name(&p.new_name)))
                .collect(),
        ),
        Statement::AlterType(at) => match &at.operation {
            AlterTypeOperation::AddValue(v) => Action::AddEnumValue {
                ty: cx.name(&at.name),
                value: v.value.value.clone(),
                if_not_exists: v.if_not_exists,
            },
            AlterTypeOperation::RenameValue(v) => {
                Action::RenameEnumValue(Box::new(RenameEnumValue {
                    ty: cx.name(&at.name),
                    from: v.from.value.clone(),
                    to: v.to.value.clone(),
                }))
            }
            AlterTypeOperation::Rename(r) => Action::RenameObject(Box::new(RenameObject {
                kind: ObjectKind::Type,
                from: cx.name(&at.name),
                to: cx.sibling(&at.name, &r.new_name),
            })),
        },
        Statement::AlterIndex { name, operation } => {
            let sqlparser::ast::AlterIndexOperation::RenameIndex { index_name } = operation;
            Action::RenameObject(Box::new(RenameObject {
                kind: ObjectKind::Index,
                from: cx.name(name),
                to: cx.name(index_name),
            }))
        }
        Statement::Truncate(t) => Action::Truncate {
            tables: t.table_names.iter().map(|t| cx.name(&t.name)).collect(),
        },
        Statement::StartTransaction { .. } => Action::Begin,
        Statement::Commit { .. } => Action::Commit,
        Statement::Rollback { .. } => Action::Rollback,
        _ => return None,
    })
}

struct Lower {
    dialect: Dialect,
}

impl Lower {
    fn ident(&self, id: &Ident) -> String {
        fold(&id.value, id.quote_style.is_some(), self.dialect)
    }

    fn name(&self, n: &ObjectName) -> Name {
        let parts: Vec<String> =
            n.0.iter()
                .map(|p| match p.as_ident() {
                    Some(id) => self.ident(id),
                    None => p.to_string(),
                })
                .collect();
        make_name(parts, self.dialect)
    }

    /// `new` in the schema of `old` (for `RENAME TO`, which takes a bare name).
    fn sibling(&self, old: &ObjectName, new: &Ident) -> Name {
        Name::new(self.name(old).schema, self.ident(new))
    }

    fn column(&self, c: &AstColumn) -> ColumnDef {
        let mut col = ColumnDef::named(self.ident(&c.name));
        Self::apply_type(&mut col, &c.data_type);
        for opt in &c.options {
            self.apply_option(&mut col, &opt.option);
            let Some(n) = &opt.name else {
                continue;
            };
            let named = match &opt.option {
                ColumnOption::ForeignKey(_) => &mut col.extra_mut().references_constraint,
                ColumnOption::PrimaryKey(_) => &mut col.extra_mut().primary_key_constraint,
                ColumnOption::Unique(_) => &mut col.extra_mut().unique_constraint,
                _ => continue,
            };
            *named = Some(self.ident(n));
        }
        col
    }

    fn apply_type(col: &mut ColumnDef, ty: &DataType) {
        col.set_type(normalize_type(&ty.to_string()));
    }

    fn apply_option(&self, col: &mut ColumnDef, opt: &ColumnOption) {
        match opt {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(into_lowercase(e.to_string())),
            ColumnOption::PrimaryKey(_) => {
                col.primary_key = true;
                col.not_null = true;
            }
            ColumnOption::Unique(_) => col.unique = true,
            ColumnOption::ForeignKey(fk) => {
                let extra = col.extra_mut();
                extra.references = Some(self.name(&fk.foreign_table));
                extra.on_delete_cascade = matches!(
                    fk.on_delete,
                    Some(sqlparser::ast::ReferentialAction::Cascade)
                );
            }
            ColumnOption::Check(e) => {
                col.check = true;
                self.add_refs(col, &e.to_string());
            }
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                generation_expr_mode,
                ..
            } => {
                if let Some(e) = generation_expr {
                    self.add_refs(col, &e.to_string());
                }
                col.generated = Some(if generation_expr.is_none() {
                    Generated::Identity
                } else {
                    match (generated_as, generation_expr_mode) {
                        (_, Some(GeneratedExpressionMode::Stored))
                        | (GeneratedAs::ExpStored, _) => Generated::Stored,
                        _ => Generated::Virtual,
                    }
                });
            }
            ColumnOption::Identity(_) => col.generated = Some(Generated::Identity),
            ColumnOption::CharacterSet(cs) => {
                col.extra_mut().charset = Some(into_lowercase(cs.to_string()));
            }
            ColumnOption::Collation(c) => {
                col.extra_mut().collation = Some(into_lowercase(c.to_string()));
            }
            ColumnOption::DialectSpecific(toks) => {
                if toks.iter().any(|t| {
                    matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("AUTO_INCREMENT")
                        || w.value.eq_ignore_ascii_case("AUTOINCREMENT"))
                }) {
                    col.generated = Some(Generated::Identity);
                }
                if toks
                    .iter()
                    .any(|t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("PRIMARY")))
                {
                    col.primary_key = true;
                    col.not_null = true;
                }
            }
            _ => {}
        }
    }

    /// SQLite: keeps the words of an expression a column's definition holds.
    fn add_refs(&self, col: &mut ColumnDef, expr: &str) {
        if self.dialect != Dialect::Sqlite {
            return;
        }
        let words = expr_words(expr);
        if words.is_empty() {
            return;
        }
        let refs = &mut col.extra_mut().refs;
        refs.extend(words);
        refs.sort_unstable();
        refs.dedup();
    }

    fn constraint(&self, c: &TableConstraint, not_valid: bool) -> ConstraintDef {
        let idents = |v: &[Ident]| v.iter().map(|i| self.ident(i)).collect::<Vec<_>>();
        let index_cols = |v: &[sqlparser::ast::IndexColumn]| {
            v.iter()
                .filter_map(|c| match &c.column.expr {
                    Expr::Identifier(id) => Some(self.ident(id)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        let name = |n: &Option<Ident>| n.as_ref().map(|i| self.ident(i));
        match c {
            TableConstraint::PrimaryKey(pk) => ConstraintDef {
                name: name(&pk.name),
                kind: ConstraintKind::PrimaryKey,
                columns: index_cols(&pk.columns),
                not_valid,
                using_index: None,
            },
            TableConstraint::Unique(u) => ConstraintDef {
                name: name(&u.name),
                kind: ConstraintKind::Unique,
                columns: index_cols(&u.columns),
                not_valid,
                using_index: None,
            },
            TableConstraint::ForeignKey(fk) => ConstraintDef {
                name: name(&fk.name),
                kind: ConstraintKind::ForeignKey {
                    references: self.name(&fk.foreign_table),
                    on_delete_cascade: matches!(
                        fk.on_delete,
                        Some(sqlparser::ast::ReferentialAction::Cascade)
                    ),
                },
                columns: idents(&fk.columns),
                not_valid,
                using_index: None,
            },
            TableConstraint::Index(ix) => ConstraintDef {
                name: name(&ix.name),
                kind: ConstraintKind::Index(IndexKind::Plain),
                columns: index_cols(&ix.columns),
                not_valid,
                using_index: None,
            },
            TableConstraint::FulltextOrSpatial(fs) => ConstraintDef {
                name: name(&fs.opt_index_name),
                kind: ConstraintKind::Index(if fs.fulltext {
                    IndexKind::Fulltext
                } else {
                    IndexKind::Spatial
                }),
                columns: index_cols(&fs.columns),
                not_valid,
                using_index: None,
            },
            TableConstraint::Check(ck) => ConstraintDef {
                name: name(&ck.name),
                kind: ConstraintKind::Check {
                    not_null_of: self.is_not_null_of(&ck.expr),
                    expr: Some(super::ir::check_expr(&ck.expr.to_string())),
                },
                // SQLite: the words of the expression, the columns it may use.
                columns: if self.dialect == Dialect::Sqlite {
                    expr_words(&ck.expr.to_string())
                } else {
                    Vec::new()
                },
                // PostgreSQL 18 `NOT ENFORCED` checks nothing, like `NOT VALID`.
                not_valid: not_valid || ck.enforced == Some(false),
                using_index: None,
            },
            _ => ConstraintDef {
                name: None,
                kind: ConstraintKind::Other,
                columns: Vec::new(),
                not_valid,
                using_index: None,
            },
        }
    }

    /// `col IS NOT NULL` (possibly parenthesised) → `col`.
    fn is_not_null_of(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Nested(inner) => self.is_not_null_of(inner),
            Expr::IsNotNull(inner) => match inner.as_ref() {
                Expr::Identifier(id) => Some(self.ident(id)),
                Expr::Nested(n) => match n.as_ref() {
                    Expr::Identifier(id) => Some(self.ident(id)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    fn alter_op(&self, op: &AlterTableOperation, part: Option<&[Tok]>) -> AlterKind {
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                column_position,
                ..
            } => AlterKind::AddColumn {
                column: self.column(column_def),
                if_not_exists: *if_not_exists,
                positioned: column_position.is_some(),
            },
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => match column_names.first() {
                Some(c) => AlterKind::DropColumn {
                    name: self.ident(c),
                    if_exists: *if_exists,
                },
                None => AlterKind::Other,
            },
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => AlterKind::RenameColumn {
                from: self.ident(old_column_name),
                to: self.ident(new_column_name),
            },
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => {
                let mut col = ColumnDef::named(self.ident(new_name));
                Self::apply_type(&mut col, data_type);
                for o in options {
                    self.apply_option(&mut col, o);
                }
                AlterKind::Redefine {
                    from: self.ident(old_name),
                    column: col,
                }
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => {
                let mut col = ColumnDef::named(self.ident(col_name));
                Self::apply_type(&mut col, data_type);
                for o in options {
                    self.apply_option(&mut col, o);
                }
                AlterKind::Redefine {
                    from: self.ident(col_name),
                    column: col,
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let column = self.ident(column_name);
                match op {
                    AlterColumnOperation::SetNotNull => AlterKind::SetNotNull { column },
                    AlterColumnOperation::DropNotNull => AlterKind::DropNotNull { column },
                    AlterColumnOperation::SetDefault { value } => AlterKind::SetDefault {
                        column,
                        default: into_lowercase(value.to_string()),
                    },
                    AlterColumnOperation::DropDefault => AlterKind::DropDefault { column },
                    AlterColumnOperation::SetDataType {
                        data_type, using, ..
                    } => {
                        let using = match using {
                            None => Using::None,
                            Some(Expr::Identifier(id)) if self.ident(id) == column => {
                                Using::SameColumn
                            }
                            Some(_) => Using::Expression,
                        };
                        AlterKind::SetType {
                            column,
                            ty: Some(normalize_type(&data_type.to_string())),
                            using,
                        }
                    }
                    AlterColumnOperation::AddGenerated { .. } => AlterKind::Other,
                }
            }
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid,
            } => {
                let mut def = self.constraint(constraint, *not_valid);
                if let Some(part) = part {
                    if def.kind == ConstraintKind::Other
                        && part.iter().any(|t| t.is_word("EXCLUDE"))
                    {
                        def.kind = ConstraintKind::Exclude;
                    }
                    def.using_index = using_index(part, self.dialect);
                }
                AlterKind::AddConstraint(def)
            }
            AlterTableOperation::DropConstraint {
                name, if_exists, ..
            } => AlterKind::DropConstraint {
                name: self.ident(name),
                if_exists: *if_exists,
            },
            AlterTableOperation::DropForeignKey { name, .. } => AlterKind::DropConstraint {
                name: self.ident(name),
                if_exists: false,
            },
            AlterTableOperation::DropPrimaryKey { .. } => AlterKind::DropPrimaryKey,
            AlterTableOperation::DropIndex { name } => AlterKind::DropIndex {
                name: self.ident(name),
            },
            AlterTableOperation::ValidateConstraint { name } => AlterKind::ValidateConstraint {
                name: self.ident(name),
            },
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                AlterKind::RenameConstraint {
                    from: self.ident(old_name),
                    to: self.ident(new_name),
                }
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(n) | RenameTableNameKind::To(n)) = table_name;
                AlterKind::RenameTo { to: self.name(n) }
            }
            AlterTableOperation::SetLogged => AlterKind::SetLogged,
            AlterTableOperation::SetOptionsParens { .. }
            | AlterTableOperation::SetTblProperties { .. } => AlterKind::SetStorageOptions,
            AlterTableOperation::SetUnlogged => AlterKind::SetUnlogged,
            AlterTableOperation::Algorithm { algorithm, .. } => AlterKind::Algorithm {
                value: into_lowercase(algorithm.to_string()),
            },
            AlterTableOperation::Lock { lock, .. } => AlterKind::Lock {
                value: into_lowercase(lock.to_string()),
            },
            AlterTableOperation::AutoIncrement { .. } => AlterKind::TableOption {
                name: "auto_increment".to_string(),
                value: String::new(),
            },
            AlterTableOperation::AddPartitions { .. }
            | AlterTableOperation::DropPartitions { .. } => AlterKind::Partition { copies: false },
            _ => part
                .filter(|_| self.dialect == Dialect::Mysql)
                .and_then(super::fallback::mysql_alter_op)
                .unwrap_or(AlterKind::Other),
        }
    }
}

/// MySQL `CREATE TABLE` options after the column list: the default
/// character set and the row format, lower-cased.
fn mysql_table_options(toks: &[Tok]) -> (Option<String>, Option<String>) {
    let mut depth = 0usize;
    let mut body_done = false;
    let mut charset = None;
    let mut row_format = None;
    let value = |i: usize| {
        let i = if toks.get(i).is_some_and(|t| matches!(t.token(), Token::Eq)) {
            i + 1
        } else {
            i
        };
        toks.get(i)
            .and_then(Tok::word)
            .map(|w| w.value.to_lowercase())
    };
    for (i, t) in toks.iter().enumerate() {
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    body_done = true;
                }
            }
            _ if body_done && depth == 0 => {
                if t.is_word("CHARSET") {
                    charset = value(i + 1);
                } else if t.is_word("CHARACTER")
                    && toks.get(i + 1).is_some_and(|n| n.is_word("SET"))
                {
                    charset = value(i + 2);
                } else if t.is_word("ROW_FORMAT") {
                    row_format = value(i + 1);
                } else if t.is_word("PARTITION") {
                    break;
                }
            }
            _ => {}
        }
    }
    (charset, row_format)
}

/// The index named by `USING INDEX idx` in an `ADD CONSTRAINT` op.
fn using_index(part: &[Tok], dialect: Dialect) -> Option<String> {
    let i = part
        .windows(2)
        .position(|w| w[0].is_word("USING") && w[1].is_word("INDEX"))?;
    let w = part.get(i + 2)?.word()?;
    Some(fold(&w.value, w.quote_style.is_some(), dialect))
}

fn object_kind(t: ObjectType) -> ObjectKind {
    match t {
        ObjectType::Table => ObjectKind::Table,
        ObjectType::View => ObjectKind::View,
        ObjectType::MaterializedView => ObjectKind::MaterializedView,
        ObjectType::Index => ObjectKind::Index,
        ObjectType::Schema => ObjectKind::Schema,
        ObjectType::Database => ObjectKind::Database,
        ObjectType::Sequence => ObjectKind::Sequence,
        ObjectType::Type => ObjectKind::Type,
        _ => ObjectKind::Other,
    }
}

/// The statement's byte span.
pub(super) fn stmt_span(toks: &[Tok]) -> ByteSpan {
    ByteSpan::new(
        toks.first().map_or(0, |t| t.span.start),
        toks.last().map_or(0, |t| t.span.end),
    )
}

/// Token ranges of the operations of an `ALTER TABLE`: the tokens after the
/// table name, split at top-level commas. `None` when the count differs from
/// what the parser found (the caller then anchors on the whole statement).
pub(super) fn op_ranges(toks: &[Tok], expected: usize) -> Option<Vec<Range<usize>>> {
    let start = after_table_name(toks)?;
    let parts: Vec<Range<usize>> = split_commas(&toks[start..])
        .into_iter()
        .map(|r| r.start + start..r.end + start)
        .collect();
    (parts.len() == expected).then_some(parts)
}

/// Index of the first token after `ALTER TABLE [IF EXISTS] [ONLY] name [*]`.
pub(super) fn after_table_name(toks: &[Tok]) -> Option<usize> {
    let mut i = 2;
    if toks.get(i).is_some_and(|t| t.is_word("IF")) {
        i += 2;
    }
    if toks.get(i).is_some_and(|t| t.is_word("ONLY")) {
        i += 1;
    }
    // name: word (. word)*
    toks.get(i).and_then(Tok::word)?;
    i += 1;
    while toks
        .get(i)
        .is_some_and(|t| matches!(t.token(), Token::Period))
    {
        i += 2;
    }
    if toks.get(i).is_some_and(|t| matches!(t.token(), Token::Mul)) {
        i += 1;
    }
    (i <= toks.len()).then_some(i)
}

/// Splits a token run at commas outside parentheses; returns each part's token range.
pub(super) fn split_commas(toks: &[Tok]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut part_start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.token() {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                if i > part_start {
                    out.push(part_start..i);
                }
                part_start = i + 1;
            }
            _ => {}
        }
    }
    if part_start < toks.len() {
        out.push(part_start..toks.len());
    }
    out
}

/// The words of an expression's text (as sqlparser prints it), lower-cased,
/// sorted, each once; string literals are not words.
fn expr_words(text: &str) -> Vec<String> {
    let (toks, _) = super::tokenize(text, Dialect::Sqlite);
    super::tokens::words(&toks)
}

/// Folds an identifier the way the dialect compares it.
pub fn fold(value: &str, quoted: bool, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres if quoted => value.to_string(),
        _ => lowercase(value),
    }
}

/// [`lowercase`] of a string of its own, in place when it is ASCII.
pub fn into_lowercase(mut s: String) -> String {
    if s.is_ascii() {
        s.make_ascii_lowercase();
        s
    } else {
        s.to_lowercase()
    }
}

/// `str::to_lowercase`, without its Unicode tables when the text is ASCII
/// (most names and types): a copy lower-cased in place.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Normalises a type as written (`CHARACTER VARYING(20)`, `int4`, `TIMESTAMP WITH TIME ZONE`).
pub fn normalize_type(written: &str) -> TypeName {
    let lower = lowercase(written.trim());
    let (body, array) = match lower.strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (lower.as_str(), false),
    };
    let mut args = Vec::new();
    let mut body = std::borrow::Cow::Borrowed(body);
    if let (Some(open), Some(close)) = (body.find('('), body.rfind(')'))
        && open < close
    {
        args = body[open + 1..close]
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        body = format!("{}{}", &body[..open], &body[close + 1..]).into();
    }
    // The words, joined by single spaces.
    let mut joined = String::with_capacity(body.len());
    for w in body.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(w);
    }
    let base = match joined.as_str() {
        "int" | "integer" | "int4" => "integer",
        "bigint" | "int8" => "bigint",
        "smallint" | "int2" => "smallint",
        "character varying" | "varchar" | "char varying" | "nvarchar" => "varchar",
        "character" | "char" | "bpchar" => "char",
        "decimal" | "numeric" | "dec" => "numeric",
        "double precision" | "float8" | "double" => "float8",
        "real" | "float4" => "float4",
        "bool" | "boolean" => "boolean",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "timetz" | "time with time zone" => "timetz",
        "serial" | "serial4" => "serial",
        "bigserial" | "serial8" => "bigserial",
        "smallserial" | "serial2" => "smallserial",
        other => other,
    }
    .to_string();
    TypeName { base, args, array }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_aliases_compare_equal() {
        assert_eq!(
            normalize_type("CHARACTER VARYING(20)"),
            normalize_type("varchar(20)")
        );
        assert_eq!(normalize_type("int4"), normalize_type("INTEGER"));
        assert_eq!(
            normalize_type("TIMESTAMP WITH TIME ZONE").base,
            "timestamptz"
        );
        let n = normalize_type("NUMERIC(10, 2)");
        assert_eq!((n.base.as_str(), n.args.len()), ("numeric", 2));
        assert!(normalize_type("text[]").array);
    }
}

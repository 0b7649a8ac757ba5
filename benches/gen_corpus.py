#!/usr/bin/env python3
"""Generate PostgreSQL migration histories to benchmark bellows on.

    python3 benches/gen_corpus.py OUT_DIR --statements N [--seed S]
    python3 benches/gen_corpus.py OUT_DIR --case NAME [--statements N]

The first writes a golang-migrate directory (000001_<name>.up.sql and .down.sql, ...) whose up
files hold exactly N statements of mixed DDL and DML, each about objects that exist at that
point, so that the ups apply in order on PostgreSQL 13+; downs undo what is easy to undo. The
output depends only on N and the seed. The second writes a hostile shape of CASES, N its size.
Both print "<m> migrations, <f> files, <u> up statements, <d> down statements, <t> tables".
"""

import argparse
import os
import random
import sys

PREFIXES = "billing crm auth shop support ops audit media sales hr tax partner".split()
NOUNS = ("users accounts orders invoices products payments shipments teams projects tasks "
         "comments sessions events plans refunds reviews messages jobs reports documents "
         "tickets contacts carts routes assets alerts devices coupons").split()
KINDS = {  # kind: (column names, SQL types, default)
    "int": ("quantity position attempts priority score version stock seats", "integer bigint", "0"),
    "text": ("name title email slug code locale notes phone city sku", "text varchar(64)", "''"),
    "bool": ("is_active is_archived enabled visible featured", "boolean", "false"),
    "ts": ("published_at expires_at last_seen_at archived_at", "timestamptz timestamp", "now()"),
    "num": ("amount price balance total fee", "numeric(12,2)", "0"),
    "json": ("metadata settings payload attributes", "jsonb", "'{}'"),
    "uuid": ("public_id token external_uuid", "uuid", "gen_random_uuid()"),
    "date": ("due_date start_date valid_until", "date", "current_date"),
}
WIDEN = {"integer": "bigint", "varchar(64)": "text", "timestamp": "timestamptz",
         "numeric(12,2)": "numeric(16,2)"}
CHECKS = {"int": "{c} >= 0", "num": "{c} >= 0", "text": "char_length({c}) <= 200",
          "date": "{c} > DATE '2000-01-01'"}
ENUMS = {"status": "pending active suspended closed", "state": "draft submitted approved rejected",
         "tier": "free basic pro enterprise", "kind": "standard premium internal"}
EXTRA_LABELS = "archived failed expired on_hold paused trial legacy".split()
COMMENTS = ["Owned by the {p} team.", "Written by the nightly import job.",
            "Denormalised copy; the API is the source of truth.", "The customer's display value."]
STAMP = {"kind": "ts", "type": "timestamptz", "null": False, "default": "now()", "pinned": True}


def coldef(c, v):
    return (f"{c} {v['type']}" + ("" if v["null"] else " NOT NULL")
            + (f" DEFAULT {v['default']}" if v["default"] else ""))


class Gen:
    """The schema model, and one method per kind of change, which returns (title, ups, downs),
    downs in the order that undoes it, or None, having changed nothing, if it does not apply.
    A column once used by an index, constraint or view is pinned: never dropped or altered.
    Object names end in _idx, _uniq, _chk, _fk, never in PostgreSQL's own _key, _check..."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.tables = {}    # name -> {column: {kind, type, null, default, pinned[, select]}}
        self.tnames = []    # the same names, for rng.choice
        self.enums = {}     # name -> labels
        self.names = set()  # tables, views, indexes, types, functions, constraints, triggers
        self.pending = []   # (table, constraint) added NOT VALID, validated in the next migration
        self.k = 0

    def fresh(self, base):
        name, i = base, 1
        while name in self.names:
            i, name = i + 1, f"{base}_{i + 1}"
        self.names.add(name)
        return name

    def pick(self, t, pred=lambda v: True):
        """A column of t, not the id or a foreign key, that pred accepts, or None."""
        cs = [c for c, v in self.tables[t].items() if v["kind"] not in ("id", "fk") and pred(v)]
        return self.rng.choice(cs) if cs else None

    def value(self, v, how):
        """A value for column v, short and not negative so that CHECKs hold: how="new" (INSERT)
        distinct at each call, "b" (backfill) and "u" (UPDATE) per row, so that a column without
        a default can take a UNIQUE index; else its default."""
        self.k += 1
        k, kind = self.k, v["kind"]
        if how == "new" and kind in ("int", "text", "bool", "ts", "num", "json", "date"):
            return {"int": str(1_000_000 + k), "text": f"'v-{k}'", "bool": ("true", "false")[k % 2],
                    "ts": f"now() - interval '{k % 90} days'", "num": f"{k % 5000}.{k % 100:02d}",
                    "json": f"'{{\"n\": {k}}}'", "date": f"DATE '2024-01-01' + {k % 365}"}[kind]
        if how in ("b", "u") and kind in ("int", "text"):
            return f"'{how}' || id" if kind == "text" else "id" if how == "b" else "id + 1000000000"
        return f"'{self.enums[v['type']][0]}'" if kind == "enum" else KINDS[kind][2]

    def new_column(self, cols):
        kind = self.rng.choice(list(KINDS) + (["enum"] if self.enums else []))
        typ = self.rng.choice(list(self.enums) if kind == "enum" else KINDS[kind][1].split())
        names = [typ.split("_")[1]] if kind == "enum" else KINDS[kind][0].split()
        name = self.rng.choice([n for n in names if n not in cols] or names)
        while name in cols:
            name = f"{name.rstrip('0123456789_')}_{self.rng.randint(2, 99)}"
        v = {"kind": kind, "type": typ, "null": True, "default": None, "pinned": False}
        if self.rng.random() < 0.4:
            v["default"], v["null"] = self.value(v, "default"), self.rng.random() < 0.4
        return name, v

    def fk(self, t):  # a new foreign-key column in the model of t: (column, REFERENCES), or None
        p = self.rng.choice(self.tnames)
        if (c := f"{p.split('_')[1][:-1]}_id") in self.tables[t]:
            return None
        self.tables[t][c] = {"kind": "fk", "type": "bigint", "default": None, "pinned": True,
                             "select": f"(SELECT max(id) FROM {p})"}  # what an INSERT writes
        return c, f"REFERENCES {p} (id) ON DELETE SET NULL"

    def create_table(self, p):
        t = self.fresh(f"{self.rng.choice(PREFIXES)}_{self.rng.choice(NOUNS)}")
        self.tables[t] = cols = {"id": {"kind": "id", "default": None, "pinned": True}}
        ident = self.rng.choice(["bigserial", "bigint GENERATED BY DEFAULT AS IDENTITY"])
        lines = [f"id {ident} PRIMARY KEY"]
        for _ in range(self.rng.randint(3, 9)):
            c, v = self.new_column(cols)
            cols[c], r = v, self.rng.random()
            unique = r < 0.15 and v["kind"] in ("int", "text", "uuid") and not v["default"]
            check = CHECKS[v["kind"]].format(c=c) if r >= 0.85 and v["kind"] in CHECKS else None
            v["pinned"] = bool(unique or check)
            lines.append(coldef(c, v) + (" UNIQUE" if unique else "") + (f" CHECK ({check})"
                                                                          if check else ""))
        if p and self.rng.random() < 0.5 and (fk := self.fk(t)):
            lines.append(f"{fk[0]} bigint {fk[1]}")
        for c in ("created_at", "updated_at"):
            cols[c] = dict(STAMP)
            lines.append(coldef(c, STAMP))
        self.tnames.append(t)
        return f"create_{t}", [f"CREATE TABLE {t} (\n    " + ",\n    ".join(lines) + "\n)"], \
            [f"DROP TABLE {t}"]

    def add_column(self, t):
        c, v = self.new_column(self.tables[t])
        self.tables[t][c] = v
        return f"add_{c}_to_{t}", [f"ALTER TABLE {t} ADD COLUMN {coldef(c, v)}"], \
            [f"ALTER TABLE {t} DROP COLUMN {c}"]

    def add_constraint(self, t):  # a foreign key (with its column) or a CHECK, NOT VALID
        if self.rng.random() < 0.5 and (fk := self.fk(t)):
            c, n = fk[0], self.fresh(f"{t}_{fk[0]}_fk")
            ups = [f"ADD COLUMN {c} bigint", f"ADD CONSTRAINT {n} FOREIGN KEY ({c}) {fk[1]} NOT VALID"]
            downs = [f"DROP CONSTRAINT {n}", f"DROP COLUMN {c}"]
        elif c := self.pick(t, lambda v: v["kind"] in CHECKS):
            n, v = self.fresh(f"{t}_{c}_chk"), self.tables[t][c]
            ups = [f"ADD CONSTRAINT {n} CHECK ({CHECKS[v['kind']].format(c=c)}) NOT VALID"]
            downs, v["pinned"] = [f"DROP CONSTRAINT {n}"], True
        else:
            return None
        self.pending.append((t, n))
        return f"constrain_{t}_{c}", [f"ALTER TABLE {t} {s}" for s in ups], \
            [f"ALTER TABLE {t} {s}" for s in downs]

    def alter_column(self, t, what):
        """what: drop, rename, widen, require (backfill, then SET NOT NULL) or relax."""
        free = lambda v: not v["pinned"]  # noqa: E731
        c = self.pick(t, {"require": lambda v: v["null"], "relax": lambda v: free(v) and not v["null"],
                          "widen": lambda v: free(v) and v["type"] in WIDEN}.get(what, free))
        if not c:
            return None
        v, a, title = self.tables[t][c], f"ALTER TABLE {t}", f"{what}_{t}_{c}"
        if what == "drop":
            del self.tables[t][c]
            v["null"] = v["null"] or not v["default"]  # re-added nullable unless it has a default
            return title, [f"{a} DROP COLUMN {c}"], [f"{a} ADD COLUMN {coldef(c, v)}"]
        if what == "rename":
            new = self.rng.choice(["legacy_", "old_"]) + c.removeprefix("old_").removeprefix("legacy_")
            if new in self.tables[t]:
                return None
            self.tables[t][new] = self.tables[t].pop(c)
            return title, [f"{a} RENAME COLUMN {c} TO {new}"], [f"{a} RENAME COLUMN {new} TO {c}"]
        if what == "widen":
            old, v["type"] = v["type"], WIDEN[v["type"]]
            using = f" USING {c}::{v['type']}" if self.rng.random() < 0.3 else ""
            return title, [f"{a} ALTER COLUMN {c} TYPE {v['type']}{using}"], \
                [f"{a} ALTER COLUMN {c} TYPE {old}"]
        v["null"] = what == "relax"
        fill = f"UPDATE {t} SET {c} = {self.value(v, 'b')} WHERE {c} IS NULL"
        set_, drop = f"{a} ALTER COLUMN {c} SET NOT NULL", f"{a} ALTER COLUMN {c} DROP NOT NULL"
        return (title, [fill, set_], [drop]) if what == "require" else (title, [drop], [fill, set_])

    def create_index(self, t, concurrently=False):
        shape = self.rng.choice("plain unique lower gin partial multi include desc".split())
        c = self.pick(t, {"unique": lambda v: v["kind"] in ("int", "text", "uuid") and not v["default"],
                          "lower": lambda v: v["kind"] == "text",
                          "gin": lambda v: v["kind"] == "json"}.get(shape, lambda v: True))
        shape, c = (shape, c) if c else ("desc", "created_at")
        d = self.rng.choice([x for x in self.tables[t] if x not in ("id", c)])
        body = {"lower": f"(lower({c}))", "gin": f"USING gin ({c})", "desc": f"({c} DESC)",
                "partial": f"({c}) WHERE {c} IS NOT NULL", "multi": f"({c}, {d})",
                "include": f"({c}) INCLUDE ({d})"}.get(shape, f"({c})")
        for x in (c, d) if shape in ("multi", "include") else (c,):
            self.tables[t][x]["pinned"] = True
        n = self.fresh(f"{t}_{c}_{'uniq' if shape == 'unique' else 'idx'}")
        conc = " CONCURRENTLY" if concurrently else ""
        return f"index_{n}", [f"CREATE{' UNIQUE' if shape == 'unique' else ''} INDEX{conc} {n} "
                              f"ON {t} {body}"], [f"DROP INDEX{conc} {n}"]

    def enum(self, _):  # a new enum, or a value added to one (which no down can remove)
        if self.enums and self.rng.random() < 0.5:
            labels = self.enums[n := self.rng.choice(list(self.enums))]
            labels.append(([x for x in EXTRA_LABELS if x not in labels] + [f"v{len(labels)}"])[0])
            return f"extend_{n}", [f"ALTER TYPE {n} ADD VALUE '{labels[-1]}'"], []
        kind = self.rng.choice(list(ENUMS))
        self.enums[n := self.fresh(f"{self.rng.choice(PREFIXES)}_{kind}")] = ENUMS[kind].split()
        return f"create_type_{n}", [f"CREATE TYPE {n} AS ENUM ('" + "', '".join(self.enums[n])
                                    + "')"], [f"DROP TYPE {n}"]

    def create_view(self, t):
        c = self.rng.choice([c for c in self.tables[t] if c not in ("id", "created_at")])
        self.tables[t][c]["pinned"], n = True, self.fresh(f"recent_{t}")
        return f"create_view_{n}", [f"CREATE VIEW {n} AS SELECT id, {c}, created_at FROM {t} "
                                    "WHERE created_at > now() - interval '30 days'"], [f"DROP VIEW {n}"]

    def comment(self, t):
        text = self.rng.choice(COMMENTS).format(p=t.split("_")[0]).replace("'", "''")
        what = f"COLUMN {t}.{self.pick(t)}" if self.rng.random() < 0.6 else f"TABLE {t}"
        return f"comment_{t}", [f"COMMENT ON {what} IS '{text}'"], [f"COMMENT ON {what} IS NULL"]

    def trigger(self, t):
        if (f := f"{t}_touch") in self.names:
            return None
        f, g = self.fresh(f), self.fresh(f"{t}_touch_trg")
        return f"trigger_{t}", [
            f"CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
            "    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$",
            f"CREATE TRIGGER {g} BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {f}()"], \
            [f"DROP TRIGGER {g} ON {t}", f"DROP FUNCTION {f}()"]

    def dml(self, t, what):
        c = self.pick(t)
        if what == "insert":
            cols = {c: v for c, v in self.tables[t].items() if v["kind"] != "id" and not v["default"]}
            rows = ["(" + ", ".join(v.get("select") or self.value(v, "new") for v in cols.values())
                    + ")" for _ in range(self.rng.randint(1, 3))]
            sql = (f"INSERT INTO {t} ({', '.join(cols)}) VALUES\n    " + ",\n    ".join(rows)
                   if cols else f"INSERT INTO {t} DEFAULT VALUES")
        elif what == "update":
            sql = f"UPDATE {t} SET {c} = {self.value(self.tables[t][c], 'u')} WHERE " + self.rng.choice(
                [f"{c} IS NULL", "id % 5 = 0", "created_at < now() - interval '1 day'"])
        else:
            sql = f"DELETE FROM {t} WHERE " + self.rng.choice(["id % 17 = 0", f"{c} IS NULL"])
        return f"{what}_{t}", [sql], []

    def migrations(self, total):
        """Migrations of 2 to 20 up statements, total in all, the first ones validating what the
        last one added NOT VALID; one in 15 is a lone CREATE INDEX CONCURRENTLY."""
        while total > 0:
            if self.tnames and self.rng.random() < 1 / 15:
                total -= 1
                yield self.create_index(self.rng.choice(self.tnames), concurrently=True)
                continue
            size = min(total, self.rng.randint(2, 20))
            ups = [f"ALTER TABLE {t} VALIDATE CONSTRAINT {n}" for t, n in self.pending[:size]]
            title, downs, self.pending = ups and "validate", [], self.pending[size:]
            while len(ups) < size:
                fits = [a for a in ACTIONS if a[1] <= size - len(ups)
                        and (self.tnames or a[2] in (Gen.create_table, Gen.enum))]
                _, n, action = self.rng.choices(fits, [a[0] for a in fits])[0]
                if got := action(self, self.rng.choice(self.tnames or [None])):
                    title, ups, downs = title or got[0], ups + got[1], got[2] + downs
            total -= size
            yield title, ups, downs


ACTIONS = [  # (weight, most up statements, action)
    (4, 1, Gen.create_table), (14, 1, Gen.add_column), (6, 2, Gen.add_constraint),
    (10, 1, Gen.create_index), (2, 1, Gen.enum), (2, 1, Gen.create_view), (5, 1, Gen.comment),
    (2, 2, Gen.trigger)] + [(w, n, lambda g, t, what=what: g.alter_column(t, what)) for w, n, what in [
        (4, 1, "drop"), (3, 1, "rename"), (4, 1, "widen"), (4, 2, "require"), (2, 1, "relax")]] + [
    (w, 1, lambda g, t, what=what: g.dml(t, what)) for w, what in [
        (14, "insert"), (6, "update"), (2, "delete")]]


# ---- hostile shapes: each yields (title, ups, downs) per migration, a lone statement as a str
def add_columns_between_inserts(n):
    yield "add_columns_between_inserts", ["CREATE TABLE t (id bigserial PRIMARY KEY, c0 integer)"] + [
        s for i in range(1, n + 1)
        for s in (f"INSERT INTO t (c{i - 1}) VALUES ({i})", f"ALTER TABLE t ADD COLUMN c{i} integer")
    ], "DROP TABLE t"


def indexes_on_one_table(n):
    shapes = "(a)|(b)|(a, b)|(lower(b))|(c DESC)|USING gin (d)|(a) WHERE e|(b) INCLUDE (a)".split("|")
    yield "indexes_on_one_table", ["CREATE TABLE t (id bigserial PRIMARY KEY, a integer, b text, "
                                   "c timestamptz, d jsonb, e boolean)"] + [
        f"CREATE INDEX t_idx{i} ON t {shapes[i % 8]}" for i in range(1, n + 1)], "DROP TABLE t"


def indexes_in_one_migration(n):  # N tables, then one migration (one transaction) indexing each
    yield "create_tables", [f"CREATE TABLE t{i} (id bigint PRIMARY KEY, c{i} integer)" for i in range(n)], [
        f"DROP TABLE t{i}" for i in reversed(range(n))]
    yield "index_tables", [f"CREATE INDEX t{i}_c{i}_idx ON t{i} (c{i})" for i in range(n)], [
        f"DROP INDEX t{i}_c{i}_idx" for i in reversed(range(n))]


def many_tables_altered(n):  # N tables, then ten migrations each altering every table once
    yield "create_tables", [f"CREATE TABLE t{i} (id bigserial PRIMARY KEY, name text)"
                            for i in range(n)], [f"DROP TABLE t{i}" for i in reversed(range(n))]
    for r, (up, down) in enumerate([
            ("ADD COLUMN a integer", "DROP COLUMN a"), ("ADD COLUMN b text DEFAULT ''", "DROP COLUMN b"),
            ("ALTER COLUMN name SET NOT NULL", "ALTER COLUMN name DROP NOT NULL"),
            ("ADD CONSTRAINT {t}_a_chk CHECK (a >= 0) NOT VALID", "DROP CONSTRAINT {t}_a_chk"),
            ("VALIDATE CONSTRAINT {t}_a_chk", None),
            ("RENAME COLUMN b TO label", "RENAME COLUMN label TO b"),
            ("ALTER COLUMN a TYPE bigint", "ALTER COLUMN a TYPE integer"),
            ("ALTER COLUMN label DROP DEFAULT", "ALTER COLUMN label SET DEFAULT ''"),
            ("ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()", "DROP COLUMN created_at"),
            ("RENAME COLUMN name TO title", "RENAME COLUMN title TO name")], 1):
        yield f"alter_tables_{r}", [f"ALTER TABLE t{i} " + up.format(t=f"t{i}") for i in range(n)], [
            f"ALTER TABLE t{i} " + down.format(t=f"t{i}") for i in reversed(range(n)) if down]


def big_insert(n):  # one INSERT of about N bytes
    rows, size = [], 0
    while size < n:
        rows.append(f"({len(rows) + 1}, 'customer {len(rows) + 1}', {len(rows) % 9000}.50, "
                    f"{('true', 'false')[len(rows) % 2]}, '2024-01-01 00:00:00+00')")
        size += len(rows[-1]) + 6
    yield "big_insert", ["CREATE TABLE t (id bigint PRIMARY KEY, name text, amount numeric(12,2), "
                         "active boolean, created_at timestamptz)", "INSERT INTO t (id, name, amount, "
                         "active, created_at) VALUES\n    " + ",\n    ".join(rows)], "DROP TABLE t"


def many_migrations(n):  # a table, then a column, an index and a row on it, one migration each
    for i in range(n):
        t = f"t{i // 4}"
        yield [(f"create_{t}", f"CREATE TABLE {t} (id bigserial PRIMARY KEY, name text)", f"DROP TABLE {t}"),
               (f"add_n_to_{t}", f"ALTER TABLE {t} ADD COLUMN n integer", f"ALTER TABLE {t} DROP COLUMN n"),
               (f"index_{t}_n", f"CREATE INDEX {t}_n_idx ON {t} (n)", f"DROP INDEX {t}_n_idx"),
               (f"insert_{t}", f"INSERT INTO {t} (name, n) VALUES ('row {i}', {i})", [])][i % 4]


CASES = {"add-columns-between-inserts": (add_columns_between_inserts, 100_000),  # (shape, N)
         "indexes-on-one-table": (indexes_on_one_table, 100_000),
         "indexes-in-one-migration": (indexes_in_one_migration, 100_000),
         "many-tables-altered": (many_tables_altered, 10_000), "big-insert": (big_insert, 5_000_000),
         "many-migrations": (many_migrations, 100_000)}


def write(out_dir, migrations, width):
    """Writes the migrations; returns the counts main() prints."""
    counts = [0, 0, 0, 0, 0]
    for title, ups, downs in migrations:
        ups, downs = [[x] if isinstance(x, str) else x for x in (ups, downs)]
        base = os.path.join(out_dir, f"{counts[0] + 1:0{width}d}_" + "".join(
            ch if ch.isalnum() else "_" for ch in title.lower())[:60])
        for suffix, stmts in ((".up.sql", ups), (".down.sql", downs)):
            with open(base + suffix, "w", encoding="utf-8") as f:
                f.write("".join(s + ";\n\n" for s in stmts) if stmts else "-- nothing to undo\n")
        new = (1, 2, len(ups), len(downs), sum(s.startswith("CREATE TABLE") for s in ups))
        counts = [a + b for a, b in zip(counts, new)]
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--statements", type=int, help="up statements in all; with --case, its N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--case", choices=list(CASES), help="a hostile shape instead of the mix")
    args = ap.parse_args()
    if (args.statements or 0) < 1 and not (args.case and args.statements is None):
        ap.error("--statements must be at least 1 (with --case it may be left out)")
    os.makedirs(args.out_dir, exist_ok=True)
    if any(n.endswith(".sql") for n in os.listdir(args.out_dir)):
        ap.error(f"{args.out_dir} already holds .sql files")
    n = args.statements or CASES[args.case][1]
    migrations = CASES[args.case][0](n) if args.case else Gen(args.seed).migrations(n)
    counts = write(args.out_dir, migrations, max(6, len(str(n))))  # n >= migrations
    print("{} migrations, {} files, {} up statements, {} down statements, {} tables".format(
        *counts), file=sys.stderr)


if __name__ == "__main__":
    main()

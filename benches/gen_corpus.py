#!/usr/bin/env python3
"""Generate a large, realistic PostgreSQL migration history for benchmarking.

    python3 benches/gen_corpus.py OUT_DIR --statements N [--seed S]

writes a golang-migrate directory (000001_<name>.up.sql + .down.sql, ...)
whose up files hold exactly N statements of mixed DDL and DML. The generator
keeps a model of the schema as it goes (tables, columns with their types,
nullability, defaults and rows, indexes, constraints, enums, views, functions,
triggers), so every statement refers to objects that exist at that point and
the whole history applies cleanly on a PostgreSQL 13+ server, one file at a
time as golang-migrate runs it. Downs undo their ups where that is possible.

The output depends only on N and the seed (standard library only, no set is
ever iterated, so PYTHONHASHSEED does not matter).
"""

from __future__ import annotations

import argparse
import os
import random
import sys

# --------------------------------------------------------------------------
# vocabulary

NOUNS = [
    ("user", "users"), ("account", "accounts"), ("order", "orders"),
    ("invoice", "invoices"), ("product", "products"), ("customer", "customers"),
    ("payment", "payments"), ("shipment", "shipments"), ("address", "addresses"),
    ("team", "teams"), ("project", "projects"), ("task", "tasks"),
    ("comment", "comments"), ("post", "posts"), ("tag", "tags"),
    ("category", "categories"), ("session", "sessions"), ("device", "devices"),
    ("event", "events"), ("subscription", "subscriptions"), ("plan", "plans"),
    ("coupon", "coupons"), ("refund", "refunds"), ("review", "reviews"),
    ("message", "messages"), ("thread", "threads"), ("attachment", "attachments"),
    ("notification", "notifications"), ("webhook", "webhooks"), ("job", "jobs"),
    ("report", "reports"), ("document", "documents"), ("folder", "folders"),
    ("organization", "organizations"), ("membership", "memberships"),
    ("invitation", "invitations"), ("role", "roles"), ("permission", "permissions"),
    ("warehouse", "warehouses"), ("supplier", "suppliers"), ("vendor", "vendors"),
    ("contract", "contracts"), ("ticket", "tickets"), ("agent", "agents"),
    ("campaign", "campaigns"), ("lead", "leads"), ("contact", "contacts"),
    ("store", "stores"), ("cart", "carts"), ("price", "prices"),
    ("discount", "discounts"), ("region", "regions"), ("country", "countries"),
    ("currency", "currencies"), ("ledger", "ledgers"), ("transfer", "transfers"),
    ("batch", "batches"), ("upload", "uploads"), ("export", "exports"),
    ("schedule", "schedules"), ("booking", "bookings"), ("room", "rooms"),
    ("vehicle", "vehicles"), ("driver", "drivers"), ("route", "routes"),
    ("asset", "assets"), ("license", "licenses"), ("release", "releases"),
    ("feature", "features"), ("experiment", "experiments"), ("metric", "metrics"),
    ("alert", "alerts"), ("incident", "incidents"), ("policy", "policies"),
]

PREFIXES = [
    "billing", "customer", "inventory", "shipping", "catalog", "crm",
    "support", "analytics", "auth", "admin", "partner", "marketing",
    "finance", "hr", "legal", "content", "search", "sales", "ops", "audit",
    "mobile", "web", "store", "vendor", "payroll", "tax", "loyalty", "media",
]

LINK_SUFFIXES = [("item", "items"), ("link", "links"), ("entry", "entries"), ("line", "lines"),
                 ("log", "logs"), ("history", "history"), ("setting", "settings"), ("stat", "stats")]

WORDS = [
    "alpha", "bravo", "delta", "echo", "gamma", "kilo", "lima", "nova",
    "omega", "sigma", "tango", "zulu", "amber", "cedar", "maple", "river",
    "stone", "ember", "frost", "orbit",
]

COLUMN_NAMES = {
    "int": ["quantity", "position", "sort_order", "attempts", "retry_count", "priority",
            "version", "score", "rank", "views_count", "likes_count", "level",
            "duration_seconds", "size_bytes", "external_id", "max_items", "capacity",
            "stock", "seats", "page_count", "step", "revision"],
    "text": ["name", "title", "description", "email", "slug", "code", "reference",
             "locale", "timezone", "url", "notes", "summary", "label", "display_name",
             "phone", "country_code", "currency_code", "source", "username", "first_name",
             "last_name", "address_line1", "city", "postal_code", "sku", "external_ref",
             "provider", "channel", "subject", "body", "color", "icon", "domain",
             "nickname", "website", "headline"],
    "bool": ["is_active", "is_archived", "is_verified", "enabled", "is_public",
             "is_default", "visible", "is_locked", "featured", "requires_review",
             "is_internal", "opted_in"],
    "ts": ["published_at", "expires_at", "last_seen_at", "archived_at", "confirmed_at",
           "started_at", "finished_at", "processed_at", "scheduled_at", "cancelled_at",
           "last_login_at", "verified_at", "synced_at", "approved_at", "closed_at"],
    "num": ["amount", "price", "balance", "total", "tax_amount", "discount_amount",
            "unit_price", "cost", "fee", "rate", "weight_kg", "subtotal"],
    "json": ["metadata", "settings", "payload", "attributes", "preferences", "config",
             "extra", "context", "details"],
    "uuid": ["public_id", "token", "external_uuid", "correlation_id", "session_token",
             "idempotency_key"],
    "date": ["birth_date", "due_date", "start_date", "end_date", "valid_from",
             "valid_until", "billing_date"],
    "inet": ["ip_address", "last_ip", "client_ip"],
    "bytea": ["avatar", "signature", "checksum", "thumbnail"],
    "array": ["tags", "aliases", "labels", "scopes", "roles"],
    "interval": ["retention", "timeout", "grace_period"],
    "float": ["latitude", "longitude", "ratio", "confidence"],
}

ENUM_KINDS = {
    "status": ["pending", "active", "suspended", "closed"],
    "state": ["draft", "submitted", "approved", "rejected"],
    "kind": ["standard", "premium", "internal"],
    "visibility": ["private", "team", "public"],
    "tier": ["free", "basic", "pro", "enterprise"],
    "priority_level": ["low", "normal", "high"],
    "channel_type": ["email", "sms", "push"],
}
ENUM_EXTRA = ["archived", "failed", "expired", "on_hold", "in_review", "cancelled",
              "refunded", "blocked", "deferred", "escalated", "paused", "trial",
              "legacy", "urgent", "webhook", "partial", "migrated", "disputed"]

COMMENTS = [
    "Owned by the {p} team.", "Soft-deleted rows keep deleted_at set.",
    "One row per {s}; see the {p} service for writes.", "Written by the nightly import job.",
    "Denormalised copy; the source of truth is the API.", "Customer's display value.",
    "Kept for audit, never updated after insert.", "Nullable until the backfill finishes.",
    "Values in the smallest currency unit's decimal form.", "Read by the reporting replica.",
]

RENAMES = {
    "name": "full_name", "title": "headline_text", "description": "details_text",
    "notes": "internal_notes", "code": "short_code", "email": "email_address",
    "amount": "amount_total", "price": "list_price", "quantity": "qty",
    "label": "display_label", "url": "target_url", "phone": "phone_number",
}

MAX_IDENT = 63


# --------------------------------------------------------------------------
# schema model

class Type:
    """A column type: family, SQL text and (for enums) the enum's model."""

    __slots__ = ("fam", "sql", "enum", "arg")

    def __init__(self, fam, sql, enum=None, arg=None):
        self.fam = fam
        self.sql = sql
        self.enum = enum
        self.arg = arg


class Column:
    __slots__ = ("name", "type", "nullable", "default", "identity", "serial", "pk",
                 "idx_pins", "obj_pins", "unique", "ever_unique", "distinct", "has_null",
                 "fk", "gin", "comment", "check_kind", "blank")

    def __init__(self, name, typ, nullable=True, default=None):
        self.name = name
        self.type = typ
        self.nullable = nullable
        self.default = default
        self.identity = None      # "ALWAYS" / "BY DEFAULT"
        self.serial = False
        self.pk = False
        self.idx_pins = 0         # indexes and constraints on the column
        self.obj_pins = 0         # views, functions, triggers naming the column
        self.unique = 0
        self.ever_unique = False
        self.distinct = True      # existing non-null values are all distinct
        self.has_null = False     # some existing row holds NULL
        self.fk = None            # referenced Table
        self.gin = False
        self.comment = None
        self.check_kind = None
        self.blank = False        # some existing row may hold ''

    def free(self):
        return (not self.pk and self.identity is None and not self.serial
                and self.idx_pins == 0 and self.obj_pins == 0 and self.fk is None)


class Index:
    __slots__ = ("name", "table", "cols", "unique", "method", "where", "expr", "desc",
                 "include", "opclass")

    def __init__(self, name, table, cols, unique=False, method=None, where=None,
                 expr=None, desc=False, include=None, opclass=None):
        self.name = name
        self.table = table
        self.cols = cols
        self.unique = unique
        self.method = method
        self.where = where          # (Column, "IS NULL" | "= true" ...)
        self.expr = expr            # "lower" for expression indexes
        self.desc = desc
        self.include = include or []
        self.opclass = opclass

    def sql(self, concurrently=False, if_not_exists=False):
        parts = ["CREATE"]
        if self.unique:
            parts.append("UNIQUE")
        parts.append("INDEX")
        if concurrently:
            parts.append("CONCURRENTLY")
        if if_not_exists:
            parts.append("IF NOT EXISTS")
        parts.append(self.name)
        parts.append("ON")
        parts.append(self.table.name)
        if self.method:
            parts.append("USING " + self.method)
        cols = []
        for c in self.cols:
            s = f"{self.expr}({c.name})" if self.expr else c.name
            if self.opclass:
                s += " " + self.opclass
            if self.desc:
                s += " DESC"
            cols.append(s)
        text = " ".join(parts) + " (" + ", ".join(cols) + ")"
        if self.include:
            text += " INCLUDE (" + ", ".join(c.name for c in self.include) + ")"
        if self.where:
            text += f" WHERE {self.where[0].name} {self.where[1]}"
        return text

    def all_cols(self):
        out = list(self.cols) + list(self.include)
        if self.where:
            out.append(self.where[0])
        return out


class Constraint:
    __slots__ = ("name", "kind", "cols", "ref", "on_delete", "check", "deferrable")

    def __init__(self, name, kind, cols, ref=None, on_delete=None, check=None):
        self.name = name
        self.kind = kind            # pk / unique / fk / check
        self.cols = cols
        self.ref = ref
        self.on_delete = on_delete
        self.check = check          # "nonneg" / "len" / "nonempty"
        self.deferrable = False

    def body(self):
        names = ", ".join(c.name for c in self.cols)
        if self.kind == "pk":
            return f"PRIMARY KEY ({names})"
        if self.kind == "unique":
            return f"UNIQUE ({names})"
        if self.kind == "fk":
            s = f"FOREIGN KEY ({names}) REFERENCES {self.ref.name} (id)"
            if self.on_delete:
                s += " ON DELETE " + self.on_delete
            return s
        return "CHECK (" + check_expr(self.cols[0], self.check) + ")"


def check_expr(col, kind):
    if kind == "nonneg":
        return f"{col.name} >= 0"
    if kind == "len":
        return f"char_length({col.name}) <= 200"
    return f"{col.name} <> ''"


class Table:
    __slots__ = ("name", "singular", "columns", "constraints", "indexes", "rows",
                 "id_type", "fk_in", "obj_refs", "triggers", "comment")

    def __init__(self, name, singular):
        self.name = name
        self.singular = singular
        self.columns = {}
        self.constraints = {}
        self.indexes = {}
        self.rows = 0
        self.id_type = None          # "bigint" / "uuid" / None (no single id)
        self.fk_in = 0               # foreign keys pointing here
        self.obj_refs = 0            # views, functions naming the table
        self.triggers = {}           # name -> (timing, function, Column or None)
        self.comment = None

    def col_list(self):
        return list(self.columns.values())


class View:
    __slots__ = ("name", "table", "cols", "where", "join", "materialized", "agg", "index")

    def __init__(self, name, table, cols, where=None, join=None, materialized=False, agg=None):
        self.name = name
        self.table = table
        self.cols = cols
        self.where = where
        self.join = join            # (parent Table, fk Column, [parent Columns])
        self.materialized = materialized
        self.agg = agg              # Column grouped by day (materialized stats)
        self.index = None           # unique index of a materialized view

    def select(self):
        t = self.table
        if self.agg is not None:
            return (f"SELECT date_trunc('day', {self.agg.name}) AS day, count(*) AS total\n"
                    f"FROM {t.name}\nGROUP BY 1")
        if self.join:
            parent, fkcol, pcols = self.join
            sel = ", ".join(["t.id"] + [f"t.{c.name}" for c in self.cols]
                            + [f"p.{c.name} AS {parent.singular}_{c.name}" for c in pcols])
            text = (f"SELECT {sel}\nFROM {t.name} t\n"
                    f"JOIN {parent.name} p ON p.id = t.{fkcol.name}")
            if self.where:
                text += f"\nWHERE t.{self.where[0].name} {self.where[1]}".rstrip()
            return text
        sel = ", ".join(["id"] + [c.name for c in self.cols])
        text = f"SELECT {sel}\nFROM {t.name}"
        if self.where:
            text += f"\nWHERE {self.where[0].name} {self.where[1]}".rstrip()
        return text

    def create(self):
        kind = "MATERIALIZED VIEW" if self.materialized else "VIEW"
        return f"CREATE {kind} {self.name} AS\n{self.select()}"

    def pinned(self):
        out = list(self.cols)
        if self.where:
            out.append(self.where[0])
        if self.join:
            out.append(self.join[1])
            out.extend(self.join[2])
        if self.agg is not None:
            out.append(self.agg)
        return out

    def tables(self):
        return [self.table] + ([self.join[0]] if self.join else [])


class Enum:
    __slots__ = ("name", "labels", "usable", "kind")

    def __init__(self, name, labels, kind):
        self.name = name
        self.kind = kind
        self.labels = list(labels)
        self.usable = list(labels)   # labels committed before the current migration


# --------------------------------------------------------------------------
# generator

class Migration:
    def __init__(self, num):
        self.num = num
        self.ups = []
        self.downs = []     # one list per action, undone in reverse order
        self.title = None
        self.fresh_tables = []     # created in this migration
        self.fresh_labels = []     # (Enum, label) added by ALTER TYPE in this migration

    def up(self, sql, down=None, title=None):
        self.ups.append(sql)
        if down:
            self.downs.append(down if isinstance(down, list) else [down])
        if title and not self.title:
            self.title = title


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.tables = []           # live tables, in order of creation (audit_log is not one)
        self.used = {}             # every relation / object name ever taken
        self.enums = []
        self.views = []
        self.functions = []        # (name, signature, Table, [Column]) for SQL helpers
        self.k = 0                 # distinct-value counter
        self.noun_pool = self._noun_pool()
        self._alive = {}           # Table -> True for the live ones (focus may hold dead ones)
        self.pending = []          # (Table, constraint) added NOT VALID, to validate later
        self.trgm = False
        self.last_fresh = []       # enum labels added by the previous migration

    # ---- names ---------------------------------------------------------------------

    def _noun_pool(self):
        pool = [(s, p) for s, p in NOUNS]
        self.r.shuffle(pool)
        combos = []
        for pre in PREFIXES:
            for s, p in NOUNS:
                combos.append((f"{pre}_{s}", f"{pre}_{p}"))
        for s, p in NOUNS:
            for ss, sp in LINK_SUFFIXES:
                combos.append((f"{s}_{ss}", f"{s}_{sp}"))
        self.r.shuffle(combos)
        return pool + combos

    def take(self, name):
        if name in self.used or len(name) > MAX_IDENT:
            return False
        self.used[name] = True
        return True

    def unique_name(self, base):
        base = base[:MAX_IDENT - 6]
        if self.take(base):
            return base
        n = 2
        while not self.take(f"{base}_{n}"):
            n += 1
        return f"{base}_{n}"

    def new_table_name(self):
        while self.noun_pool:
            s, p = self.noun_pool.pop()
            if p not in self.used and f"{p}_pkey" not in self.used:
                return s, p
        n = 2
        while True:
            s, p = self.r.choice(NOUNS)
            name = f"{p}_{n}"
            if name not in self.used and f"{name}_pkey" not in self.used:
                return f"{s}_{n}", name
            n += 1

    def counter(self):
        self.k += 1
        return self.k

    # ---- picking -----------------------------------------------------------------------

    def pick_table(self, pred=None, tries=12, focus=None):
        if not self.tables:
            return None
        for _ in range(tries):
            x = self.r.random()
            if focus and x < 0.55:
                t = self.r.choice(focus)
                if t not in self._alive:
                    continue
            elif x < 0.8:
                t = self.r.choice(self.tables[-25:])
            else:
                t = self.r.choice(self.tables)
            if pred is None or pred(t):
                return t
        return None

    def pick_col(self, t, pred):
        cols = [c for c in t.columns.values() if pred(c)]
        return self.r.choice(cols) if cols else None

    # ---- types and values ----------------------------------------------------------------

    def random_type(self, fam=None):
        r = self.r
        if fam is None:
            fam = r.choices(
                ["int", "text", "bool", "ts", "num", "json", "uuid", "date", "inet",
                 "bytea", "array", "interval", "float"],
                [14, 30, 10, 12, 8, 6, 3, 4, 1, 1, 3, 1, 2])[0]
        if fam == "int":
            sql = r.choices(["integer", "bigint", "smallint"], [6, 4, 1])[0]
            return Type("int", sql)
        if fam == "text":
            if r.random() < 0.45:
                n = r.choice([32, 64, 100, 128, 255])
                return Type("text", f"varchar({n})", arg=n)
            return Type("text", "text")
        if fam == "bool":
            return Type("bool", "boolean")
        if fam == "ts":
            return Type("ts", r.choices(["timestamptz", "timestamp"], [5, 1])[0])
        if fam == "num":
            p = r.choice([10, 12])
            return Type("num", f"numeric({p},2)", arg=p)
        if fam == "json":
            return Type("json", r.choices(["jsonb", "json"], [8, 1])[0])
        if fam == "uuid":
            return Type("uuid", "uuid")
        if fam == "date":
            return Type("date", "date")
        if fam == "inet":
            return Type("inet", "inet")
        if fam == "bytea":
            return Type("bytea", "bytea")
        if fam == "array":
            return Type("array", r.choice(["text[]", "integer[]"]))
        if fam == "interval":
            return Type("interval", "interval")
        return Type("float", r.choice(["double precision", "real"]))

    def default_for(self, typ, volatile_ok=True):
        r = self.r
        f = typ.fam
        if f == "int":
            return r.choice(["0", "1", "0", "10"])
        if f == "text":
            return r.choice(["''", "''", "'unknown'", "'n/a'"])
        if f == "bool":
            return r.choice(["false", "true", "false"])
        if f == "ts":
            return r.choice(["now()", "CURRENT_TIMESTAMP", "now()"])
        if f == "num":
            return r.choice(["0", "0.00"])
        if f == "json":
            return f"'{{}}'::{typ.sql}"
        if f == "uuid":
            return "gen_random_uuid()" if volatile_ok else None
        if f == "date":
            return "CURRENT_DATE"
        if f == "array":
            return f"'{{}}'::{typ.sql}"
        if f == "interval":
            return r.choice(["'30 days'", "'1 hour'", "'7 days'"])
        if f == "float":
            return "0"
        if f == "enum":
            return f"'{typ.enum.usable[0]}'" if typ.enum.usable else None
        return None

    def value(self, col, k=None, alias=None):
        """A literal (or expression) valid for the column, distinct per k."""
        if k is None:
            k = self.counter()
        t = col.type
        f = t.fam
        if col.fk is not None:
            ref = col.fk
            if ref.rows > 0:
                return f"(SELECT id FROM {ref.name} ORDER BY id LIMIT 1)"
            return "NULL"
        if f == "int":
            return str(k % 30000) if t.sql == "smallint" else str(k)
        if f == "text":
            w = WORDS[k % len(WORDS)]
            return f"'{w}-{k}'"
        if f == "bool":
            return "true" if k % 2 else "false"
        if f == "ts":
            tz = "+00" if t.sql == "timestamptz" else ""
            return f"'2024-{1 + k % 12:02d}-{1 + k % 28:02d} {k % 24:02d}:{k % 60:02d}:00{tz}'"
        if f == "num":
            return f"{k % 100000}.{k % 100:02d}"
        if f == "json":
            return f"'{{\"source\": \"migration\", \"n\": {k % 1000}}}'"
        if f == "uuid":
            return f"'{k >> 32 & 0xffffffff:08x}-{k >> 16 & 0xffff:04x}-4{k & 0xfff:03x}-8000-{k:012x}'"
        if f == "date":
            return f"'2024-{1 + k % 12:02d}-{1 + k % 28:02d}'"
        if f == "inet":
            return f"'10.{k >> 16 & 255}.{k >> 8 & 255}.{k & 255}'"
        if f == "bytea":
            return f"'\\x{k:08x}'"
        if f == "array":
            if t.sql == "text[]":
                return f"ARRAY['{WORDS[k % len(WORDS)]}', 'k{k % 97}']"
            return f"ARRAY[{k % 10}, {k % 7}]"
        if f == "interval":
            return f"'{k % 48 + 1} hours'"
        if f == "float":
            return f"{k % 90}.5"
        if f == "enum":
            return f"'{t.enum.usable[k % len(t.enum.usable)]}'"
        return "NULL"

    def series_value(self, col, start):
        """An expression over g (generate_series) that is distinct per row."""
        t = col.type
        f = t.fam
        if col.fk is not None:
            return self.value(col)
        if f == "int":
            return f"(g + {start}) % 30000" if t.sql == "smallint" else f"g + {start}"
        if f == "text":
            return f"'{WORDS[start % len(WORDS)]}-' || (g + {start})"
        if f == "ts":
            return f"TIMESTAMP '2024-01-01 00:00:00' + g * interval '1 hour'"
        if f == "date":
            return "DATE '2024-01-01' + g"
        if f == "num":
            return f"(g + {start})::numeric / 100"
        if f == "uuid":
            return "gen_random_uuid()"
        if f == "bool":
            return "g % 2 = 0"
        return self.value(col)

    def usable_type(self, col):
        """Columns whose value() is valid in the current transaction."""
        if col.type.fam == "enum":
            return bool(col.type.enum.usable)
        return True

    # ---- column helpers ---------------------------------------------------------------------

    def new_col_name(self, t, fam):
        names = COLUMN_NAMES[fam]
        cands = [n for n in names if n not in t.columns]
        if cands:
            return self.r.choice(cands)
        base = self.r.choice(names)
        n = 2
        while f"{base}_{n}" in t.columns:
            n += 1
        return f"{base}_{n}"

    def col_def(self, c, inline_pk=False):
        parts = [c.name]
        if c.serial:
            parts.append("bigserial" if c.type.sql == "bigint" else "serial")
        else:
            parts.append(c.type.sql)
        if c.identity:
            parts.append(f"GENERATED {c.identity} AS IDENTITY")
        if inline_pk and c.pk:
            parts.append("PRIMARY KEY")
        elif not c.nullable and not c.serial and not c.identity:
            parts.append("NOT NULL")
        if c.default is not None:
            parts.append("DEFAULT " + c.default)
        return " ".join(parts)

    def pin_index(self, idx, delta):
        for c in idx.all_cols():
            c.idx_pins += delta
        if idx.unique:
            for c in idx.cols:
                c.unique += delta
                if delta > 0:
                    c.ever_unique = True
        if idx.method == "gin":
            for c in idx.cols:
                c.gin = delta > 0

    def pin_constraint(self, con, delta):
        for c in con.cols:
            c.idx_pins += delta
            if con.kind in ("unique", "pk"):
                c.unique += delta
                if delta > 0:
                    c.ever_unique = True
        if con.kind == "fk":
            con.ref.fk_in += delta

    def pin_view(self, v, delta):
        for c in v.pinned():
            c.obj_pins += delta
        for t in v.tables():
            t.obj_refs += delta

    def uniqueable(self, c):
        return (c.distinct and c.type.fam in ("text", "int", "uuid") and c.type.sql != "smallint"
                and c.fk is None and not c.pk)

    # ---- table rendering -------------------------------------------------------------------

    def render_table(self, t):
        """CREATE TABLE for the table as it is now (used by downs of DROP TABLE)."""
        lines = [self.col_def(c) for c in t.columns.values()]
        for con in t.constraints.values():
            lines.append(f"CONSTRAINT {con.name} {con.body()}")
        return f"CREATE TABLE {t.name} (\n    " + ",\n    ".join(lines) + "\n)"

    # ---- actions ---------------------------------------------------------------------------
    # each action appends its statements to the migration and returns True, or
    # returns False (and appends nothing) when it does not apply or does not fit

    def act_create_table(self, m, budget):
        if budget < 1:
            return False
        r = self.r
        singular, name = self.new_table_name()
        self.take(name)
        t = Table(name, singular)
        stmts = []
        downs = []
        # primary key
        idkind = r.choices(["identity", "serial", "uuid", "none"], [12, 3, 3, 1])[0]
        parents = [p for p in self.tables[-40:] if p.id_type]
        if idkind == "none" and len(parents) < 2:
            idkind = "identity"
        lines = []
        if idkind == "none":
            a, b = r.sample(parents, 2)
            ca = Column(f"{a.singular}_id"[:40], Type("int", a.id_type) if a.id_type == "bigint"
                        else Type("uuid", "uuid"), nullable=False)
            cb = Column(f"{b.singular}_id"[:40], Type("int", b.id_type) if b.id_type == "bigint"
                        else Type("uuid", "uuid"), nullable=False)
            if cb.name == ca.name:
                cb.name = cb.name[:-3] + "_other_id"
            for c, p in ((ca, a), (cb, b)):
                c.fk = p
                t.columns[c.name] = c
            created = Column("created_at", Type("ts", "timestamptz"), False, "now()")
            t.columns["created_at"] = created
            pk = Constraint(f"{name}_pkey", "pk", [ca, cb])
            for c, p in ((ca, a), (cb, b)):
                fk = Constraint(self.unique_name(f"{name}_{c.name}_fkey"), "fk", [c], p, "CASCADE")
                t.constraints[fk.name] = fk
            t.constraints = {pk.name: pk, **t.constraints}
            self.take(pk.name)
            for c in t.columns.values():
                lines.append(self.col_def(c))
            for con in t.constraints.values():
                lines.append(f"CONSTRAINT {con.name} {con.body()}")
                self.pin_constraint(con, +1)
            for c in (ca, cb):
                c.pk = True
        else:
            if idkind == "uuid":
                idc = Column("id", Type("uuid", "uuid"), False, "gen_random_uuid()")
                t.id_type = "uuid"
            else:
                idc = Column("id", Type("int", "bigint"), False)
                if idkind == "serial":
                    idc.serial = True
                else:
                    idc.identity = r.choice(["ALWAYS", "BY DEFAULT"])
                t.id_type = "bigint"
                self.take(f"{name}_id_seq")
            idc.pk = True
            t.columns["id"] = idc
            pk = Constraint(f"{name}_pkey", "pk", [idc])
            self.take(pk.name)
            t.constraints[pk.name] = pk
            self.pin_constraint(pk, +1)
            lines.append(self.col_def(idc, inline_pk=True))
            # foreign keys to recent tables
            nfk = r.choices([0, 1, 2], [4, 5, 2])[0] if parents else 0
            for p in r.sample(parents, min(nfk, len(parents))):
                cname = f"{p.singular}_id"
                if cname in t.columns or len(cname) > 40:
                    continue
                nullable = r.random() < 0.35
                typ = Type("int", "bigint") if p.id_type == "bigint" else Type("uuid", "uuid")
                c = Column(cname, typ, nullable)
                c.fk = p
                on_delete = r.choice(["CASCADE", "RESTRICT", None] + (["SET NULL"] if nullable else []))
                con = Constraint(f"{name}_{cname}_fkey", "fk", [c], p, on_delete)
                if not self.take(con.name):
                    continue
                t.columns[cname] = c
                t.constraints[con.name] = con
                self.pin_constraint(con, +1)
                text = f"{cname} {typ.sql}" + ("" if nullable else " NOT NULL") + f" REFERENCES {p.name} (id)"
                if on_delete:
                    text += " ON DELETE " + on_delete
                lines.append(text)
            # payload columns
            ncols = r.randint(3, 11)
            for _ in range(ncols):
                typ = self.random_type()
                cname = self.new_col_name(t, typ.fam)
                # an enum column; a new enum's CREATE TYPE needs room in the budget
                if r.random() < 0.12 and typ.fam == "text":
                    en = self.enum_for(m, singular, stmts, downs, create_ok=budget > len(stmts) + 1)
                    if en is not None and en.kind not in t.columns:
                        typ = Type("enum", en.name, enum=en)
                        cname = en.kind
                nullable = r.random() < 0.55
                default = self.default_for(typ) if r.random() < (0.6 if not nullable else 0.25) else None
                c = Column(cname, typ, nullable, default)
                t.columns[cname] = c
                text = self.col_def(c)
                if typ.fam in ("text", "int") and typ.sql != "smallint" and r.random() < 0.12:
                    con = Constraint(f"{name}_{cname}_key", "unique", [c])
                    if self.take(con.name):
                        t.constraints[con.name] = con
                        self.pin_constraint(con, +1)
                        text += " UNIQUE"
                elif typ.fam in ("num", "int") and r.random() < 0.25 \
                        and self.take(f"{name}_{cname}_check"):
                    con = Constraint(f"{name}_{cname}_check", "check", [c], check="nonneg")
                    t.constraints[con.name] = con
                    self.pin_constraint(con, +1)
                    c.check_kind = "nonneg"
                    text += f" CHECK ({check_expr(c, 'nonneg')})"
                lines.append(text)
            # timestamps
            lines.append("created_at timestamptz NOT NULL DEFAULT now()")
            t.columns["created_at"] = Column("created_at", Type("ts", "timestamptz"), False, "now()")
            if r.random() < 0.7:
                lines.append("updated_at timestamptz NOT NULL DEFAULT now()")
                t.columns["updated_at"] = Column("updated_at", Type("ts", "timestamptz"), False, "now()")
            if r.random() < 0.25:
                lines.append("deleted_at timestamptz")
                t.columns["deleted_at"] = Column("deleted_at", Type("ts", "timestamptz"))
            # a table-level constraint now and then
            texts = [c for c in t.columns.values() if c.type.fam == "text" and c.idx_pins == 0
                     and c.type.sql == "text"]
            if texts and r.random() < 0.3:
                c = r.choice(texts)
                con = Constraint(self.unique_name(f"{name}_{c.name}_length"), "check", [c], check="len")
                t.constraints[con.name] = con
                self.pin_constraint(con, +1)
                c.check_kind = "len"
                lines.append(f"CONSTRAINT {con.name} {con.body()}")
        ine = "IF NOT EXISTS " if r.random() < 0.1 else ""
        stmts.append(f"CREATE TABLE {ine}{name} (\n    " + ",\n    ".join(lines) + "\n)")
        for s in stmts:
            m.up(s)
        for d in downs:
            m.downs.append(d)
        m.downs.append([f"DROP TABLE {name}"])
        if not m.title:
            m.title = f"create_{name}"
        self.tables.append(t)
        self._alive[t] = True
        m.fresh_tables.append(t)
        used = len(stmts)
        # follow-ups in the same migration: indexes on foreign keys, comment, trigger
        for c in list(t.columns.values()):
            if used >= budget:
                break
            if c.fk is not None and not c.pk and r.random() < 0.7:
                self._create_index(m, t, [c], concurrently=False)
                used += 1
        if used < budget and "updated_at" in t.columns and r.random() < 0.5:
            self._updated_at_trigger(m, t)
            used += 1
        if used < budget and r.random() < 0.35:
            self._comment_table(m, t)
            used += 1
        return True

    def enum_for(self, m, singular, stmts, downs, create_ok=True, reuse_ok=True):
        """Reuse an enum or create one (its CREATE TYPE goes into stmts)."""
        r = self.r
        if self.enums and reuse_ok and (r.random() < 0.5 or not create_ok):
            return r.choice(self.enums[-40:])
        if not create_ok:
            return None
        kind = r.choice(list(ENUM_KINDS))
        name = f"{singular}_{kind}"
        if not self.take(name):
            return None
        en = Enum(name, ENUM_KINDS[kind], kind)
        labels = ", ".join(f"'{x}'" for x in en.labels)
        if r.random() < 0.15:
            stmts.append(
                "DO $$\nBEGIN\n"
                f"    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = '{name}') THEN\n"
                f"        CREATE TYPE {name} AS ENUM ({labels});\n"
                "    END IF;\nEND\n$$")
        else:
            stmts.append(f"CREATE TYPE {name} AS ENUM ({labels})")
        downs.append([f"DROP TYPE IF EXISTS {name}"])
        self.enums.append(en)
        return en

    def act_add_column(self, m, budget, focus):
        if budget < 1:
            return False
        r = self.r
        t = self.pick_table(lambda t: len(t.columns) < 30, focus=focus)
        if t is None:
            return False
        n = r.choices([1, 2, 3], [8, 2, 1])[0]
        adds = []
        cols = []
        for _ in range(n):
            typ = self.random_type()
            if typ.fam == "text" and self.enums and r.random() < 0.1:
                en = r.choice(self.enums)
                typ = Type("enum", en.name, enum=en)
            cname = self.new_col_name(t, typ.fam if typ.fam != "enum" else "text")
            if cname in [c.name for c in cols]:
                continue
            x = r.random()
            if x < 0.55:
                c = Column(cname, typ, True)
            elif x < 0.8:
                c = Column(cname, typ, True, self.default_for(typ))
            else:
                d = self.default_for(typ)
                c = Column(cname, typ, d is None, d)
            if c.default is None and typ.fam == "enum":
                c.nullable = True
            if c.default is not None and c.default.startswith("gen_random_uuid"):
                c.distinct = True
            elif c.default is not None:
                c.distinct = t.rows <= 1
            c.has_null = c.default is None and t.rows > 0
            c.blank = c.default == "''" and t.rows > 0
            cols.append(c)
            adds.append("ADD COLUMN " + ("IF NOT EXISTS " if r.random() < 0.1 else "") + self.col_def(c))
        if not cols:
            return False
        for c in cols:
            t.columns[c.name] = c
        lead = "\n    " if len(adds) > 1 else " "
        sep = ",\n    "
        m.up(f"ALTER TABLE {t.name}{lead}" + sep.join(adds),
             [f"ALTER TABLE {t.name}{lead}" + sep.join(f"DROP COLUMN {c.name}" for c in reversed(cols))],
             title=f"add_{cols[0].name}_to_{t.name}")
        return True

    def act_backfill_not_null(self, m, budget, focus):
        """ADD COLUMN (nullable), UPDATE backfill, SET NOT NULL: 3 statements."""
        if budget < 3:
            return False
        r = self.r
        t = self.pick_table(lambda t: len(t.columns) < 30, focus=focus)
        if t is None:
            return False
        typ = self.random_type(r.choice(["int", "text", "bool", "num", "ts"]))
        cname = self.new_col_name(t, typ.fam)
        c = Column(cname, typ, True)
        t.columns[cname] = c
        m.up(f"ALTER TABLE {t.name} ADD COLUMN {cname} {typ.sql}",
             [f"ALTER TABLE {t.name} DROP COLUMN {cname}"], title=f"backfill_{t.name}_{cname}")
        src = self.pick_col(t, lambda x: x is not c and x.type.sql == typ.sql and x.fk is None
                            and not x.nullable and x.type.fam != "enum")
        if src is not None and r.random() < 0.6:
            m.up(f"UPDATE {t.name} SET {cname} = {src.name} WHERE {cname} IS NULL")
            c.distinct = src.distinct
        else:
            m.up(f"UPDATE {t.name} SET {cname} = {self.value(c)} WHERE {cname} IS NULL")
            c.distinct = t.rows <= 1
        c.has_null = False
        c.nullable = False
        m.up(f"ALTER TABLE {t.name} ALTER COLUMN {cname} SET NOT NULL")
        return True

    def act_drop_column(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: any(c.free() for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, lambda c: c.free() and c.name not in ("created_at",))
        if c is None:
            return False
        del t.columns[c.name]
        if c.nullable or c.default is not None:
            down = [f"ALTER TABLE {t.name} ADD COLUMN {self.col_def(c)}"]
        else:
            tmp = Column(c.name, c.type, False, self.value(c))
            down = [f"ALTER TABLE {t.name} ADD COLUMN {self.col_def(tmp)}",
                    f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP DEFAULT"]
        m.up(f"ALTER TABLE {t.name} DROP COLUMN " + ("IF EXISTS " if self.r.random() < 0.2 else "") + c.name,
             down, title=f"drop_{c.name}_from_{t.name}")
        return True

    def act_rename_column(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: any(c.obj_pins == 0 and not c.pk for c in t.columns.values()),
                            focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, lambda c: c.obj_pins == 0 and not c.pk and c.name not in
                          ("created_at", "updated_at", "id"))
        if c is None:
            return False
        new = RENAMES.get(c.name)
        if new is None or new in t.columns:
            new = c.name + "_legacy" if not c.name.endswith("_legacy") else c.name + "2"
            if new in t.columns or len(new) > 40:
                return False
        old = c.name
        del t.columns[old]
        c.name = new
        t.columns[new] = c
        m.up(f"ALTER TABLE {t.name} RENAME COLUMN {old} TO {new}",
             [f"ALTER TABLE {t.name} RENAME COLUMN {new} TO {old}"], title=f"rename_{t.name}_{old}")
        return True

    WIDEN = {
        "smallint": ("integer", "int"), "integer": ("bigint", "int"),
        "real": ("double precision", "float"), "timestamp": ("timestamptz", "ts"),
    }

    def act_change_type(self, m, budget, focus):
        if budget < 1:
            return False

        def ok(c):
            if c.pk or c.fk is not None or c.obj_pins or c.gin or c.identity or c.serial:
                return False
            s = c.type.sql
            return s in self.WIDEN or s.startswith("varchar") or s.startswith("numeric") or s == "text"

        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        if c is None:
            return False
        old = c.type
        s = old.sql
        if s in self.WIDEN:
            new = Type(self.WIDEN[s][1], self.WIDEN[s][0])
        elif s.startswith("varchar"):
            new = Type("text", "text") if self.r.random() < 0.4 else Type("text", f"varchar({old.arg * 2})", arg=old.arg * 2)
        elif s == "text":
            new = Type("text", "varchar(255)", arg=255)
        else:
            new = Type("num", f"numeric({old.arg + 4},2)", arg=old.arg + 4)
        if c.idx_pins and new.sql == "varchar(255)":
            return False
        using = ""
        if self.r.random() < 0.3:
            using = f" USING {c.name}::{new.sql}"
        c.type = new
        back = f" USING {c.name}::{old.sql}" if using else ""
        m.up(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} TYPE {new.sql}{using}",
             [f"ALTER TABLE {t.name} ALTER COLUMN {c.name} TYPE {old.sql}{back}"],
             title=f"change_{t.name}_{c.name}_type")
        return True

    def act_set_not_null(self, m, budget, focus):
        if budget < 1:
            return False

        def ok(c):
            return (c.nullable and c.fk is None and not c.pk and self.usable_type(c)
                    and not (c.has_null and c.ever_unique))

        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        if c is None:
            return False
        need_backfill = c.has_null or (t.rows > 0 and self.r.random() < 0.5)
        safe = self.r.random() < 0.25
        if (1 if need_backfill else 0) + (4 if safe else 1) > budget:
            return False
        title = f"require_{t.name}_{c.name}"
        if need_backfill:
            m.up(f"UPDATE {t.name} SET {c.name} = {self.value(c)} WHERE {c.name} IS NULL", title=title)
            if c.has_null and t.rows > 1:
                c.distinct = False
            c.has_null = False
        set_nn = (f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET NOT NULL",
                  [f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP NOT NULL"])
        if safe:
            # the lock-friendly pattern: a validated CHECK proves the column has no NULL
            cn = self.unique_name(f"{t.name}_{c.name}_not_null")
            m.up(f"ALTER TABLE {t.name} ADD CONSTRAINT {cn} CHECK ({c.name} IS NOT NULL) NOT VALID",
                 title=title)
            m.up(f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cn}")
            m.up(*set_nn)
            m.up(f"ALTER TABLE {t.name} DROP CONSTRAINT {cn}")
        else:
            m.up(*set_nn, title=title)
        c.nullable = False
        return True

    def act_drop_not_null(self, m, budget, focus):
        if budget < 1:
            return False
        ok = lambda c: (not c.nullable and not c.pk and c.fk is None and c.identity is None
                        and not c.serial and not c.ever_unique and c.name not in ("created_at",))
        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        c.nullable = True
        # rows written meanwhile may hold NULL: the down fills them in first
        m.up(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP NOT NULL",
             [f"UPDATE {t.name} SET {c.name} = {self.value(c)} WHERE {c.name} IS NULL",
              f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET NOT NULL"],
             title=f"relax_{t.name}_{c.name}")
        return True

    def act_set_default(self, m, budget, focus):
        if budget < 1:
            return False
        ok = lambda c: not c.pk and c.fk is None and c.identity is None and not c.serial \
            and c.type.fam not in ("inet", "bytea")
        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        old = c.default
        if old is not None and self.r.random() < 0.3 and c.nullable:
            c.default = None
            m.up(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP DEFAULT",
                 [f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET DEFAULT {old}"],
                 title=f"drop_{t.name}_{c.name}_default")
            return True
        new = self.default_for(c.type, volatile_ok=True)
        if new is None or new == old or (new == "''" and c.check_kind == "nonempty"):
            return False
        c.default = new
        down = (f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET DEFAULT {old}" if old is not None
                else f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP DEFAULT")
        m.up(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET DEFAULT {new}", [down],
             title=f"default_{t.name}_{c.name}")
        return True

    # ---- indexes -----------------------------------------------------------------------------

    def index_plan(self, t):
        """A new index for the table, or None."""
        r = self.r
        cols = [c for c in t.columns.values() if not c.pk]
        if not cols:
            return None
        x = r.random()
        soft = t.columns.get("deleted_at")
        if x < 0.1:
            jc = [c for c in cols if c.type.sql == "jsonb" and not c.gin]
            if jc:
                c = r.choice(jc)
                return dict(cols=[c], method="gin", tag=c.name)
        if x < 0.18:
            tc = [c for c in cols if c.type.fam == "text" and not c.gin and c.type.sql == "text"]
            if tc and self.trgm:
                c = r.choice(tc)
                return dict(cols=[c], method="gin", opclass="gin_trgm_ops", tag=c.name + "_trgm")
        if x < 0.35:
            uc = [c for c in cols if self.uniqueable(c) and c.unique == 0]
            if uc:
                c = r.choice(uc)
                expr = "lower" if c.type.fam == "text" and r.random() < 0.3 else None
                where = (soft, "IS NULL") if soft is not None and soft is not c and r.random() < 0.4 else None
                return dict(cols=[c], unique=True, expr=expr, where=where, tag=c.name)
        btree = [c for c in cols if c.type.fam in ("int", "text", "ts", "date", "uuid", "num", "enum", "bool")
                 and c.type.sql not in ("json",)]
        if not btree:
            return None
        if x < 0.6 or len(btree) < 2:
            c = r.choice(btree)
            desc = c.type.fam == "ts" and r.random() < 0.4
            where = (soft, "IS NULL") if soft is not None and soft is not c and r.random() < 0.3 else None
            return dict(cols=[c], desc=desc, where=where, tag=c.name)
        a, b = r.sample(btree, 2)
        inc = []
        rest = [c for c in cols if c is not a and c is not b and c.type.fam in ("int", "text", "num")]
        if rest and r.random() < 0.15:
            inc = [r.choice(rest)]
        return dict(cols=[a, b], include=inc, tag=f"{a.name}_{b.name}")

    def _make_index(self, t, plan):
        tag = plan.pop("tag")
        base = f"idx_{t.name}_{tag}"
        if len(base) > MAX_IDENT - 6:
            base = f"idx_{t.name[:30]}_{self.counter()}"
        name = self.unique_name(base)
        return Index(name, t, **plan)

    def _create_index(self, m, t, cols, concurrently, plan=None):
        if plan is None:
            plan = dict(cols=cols, tag="_".join(c.name for c in cols))
        idx = self._make_index(t, plan)
        t.indexes[idx.name] = idx
        self.pin_index(idx, +1)
        ine = self.r.random() < 0.2
        m.up(idx.sql(concurrently=concurrently, if_not_exists=ine),
             [f"DROP INDEX {'CONCURRENTLY ' if concurrently else ''}IF EXISTS {idx.name}"],
             title=f"index_{idx.name[4:]}" + ("_concurrently" if concurrently else ""))
        return idx

    def act_create_index(self, m, budget, focus, concurrently=False):
        if budget < 1:
            return False
        t = self.pick_table(focus=focus)
        if t is None:
            return False
        plan = self.index_plan(t)
        if plan is None:
            return False
        self._create_index(m, t, None, concurrently, plan)
        return True

    def act_drop_index(self, m, budget, focus, concurrently=False):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: bool(t.indexes), focus=focus)
        if t is None:
            return False
        idx = self.r.choice(list(t.indexes.values()))
        del t.indexes[idx.name]
        self.pin_index(idx, -1)
        cc = "CONCURRENTLY " if concurrently else ""
        m.up(f"DROP INDEX {cc}" + ("IF EXISTS " if self.r.random() < 0.5 else "") + idx.name,
             [idx.sql(concurrently=concurrently)], title=f"drop_{idx.name}")
        return True

    # ---- constraints ---------------------------------------------------------------------------

    def act_add_fk(self, m, budget, focus):
        """ADD COLUMN <parent>_id, ADD CONSTRAINT ... FOREIGN KEY, maybe NOT VALID/VALIDATE/index."""
        if budget < 2:
            return False
        r = self.r
        t = self.pick_table(lambda t: len(t.columns) < 30 and t.id_type is not None, focus=focus)
        if t is None:
            return False
        parents = [p for p in self.tables[-60:] if p.id_type and p is not t]
        if not parents:
            return False
        p = r.choice(parents)
        cname = f"{p.singular}_id"
        if cname in t.columns or len(cname) > 40:
            return False
        cn = f"{t.name}_{cname}_fkey"
        if not self.take(cn):
            return False
        typ = Type("int", "bigint") if p.id_type == "bigint" else Type("uuid", "uuid")
        c = Column(cname, typ, True)
        c.has_null = t.rows > 0
        t.columns[cname] = c
        c.fk = p
        m.up(f"ALTER TABLE {t.name} ADD COLUMN {cname} {typ.sql}",
             [f"ALTER TABLE {t.name} DROP COLUMN {cname}"], title=f"link_{t.name}_to_{p.name}")
        con = Constraint(cn, "fk", [c], p, r.choice(["CASCADE", "SET NULL", None]))
        t.constraints[cn] = con
        self.pin_constraint(con, +1)
        not_valid = r.random() < 0.4
        m.up(f"ALTER TABLE {t.name} ADD CONSTRAINT {cn} {con.body()}" + (" NOT VALID" if not_valid else ""),
             [f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cn}"])
        used = 2
        if not_valid:
            self.pending.append((t, cn))
        if used < budget and r.random() < 0.5:
            self._create_index(m, t, [c], concurrently=False)
        return True

    def act_add_check(self, m, budget, focus):
        if budget < 1:
            return False
        r = self.r
        ok = lambda c: (c.check_kind is None and c.obj_pins == 0 and c.fk is None and not c.pk
                        and (c.type.fam in ("int", "num") or c.type.fam == "text"))
        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        if c.type.fam in ("int", "num"):
            kind = "nonneg"
        elif c.blank or c.default == "''":
            kind = "len"
        else:
            kind = r.choice(["len", "nonempty"])
        suffix = {"nonneg": "positive", "len": "length", "nonempty": "not_blank"}[kind]
        cn = self.unique_name(f"{t.name}_{c.name}_{suffix}")
        con = Constraint(cn, "check", [c], check=kind)
        t.constraints[cn] = con
        self.pin_constraint(con, +1)
        c.check_kind = kind
        not_valid = r.random() < 0.45
        m.up(f"ALTER TABLE {t.name} ADD CONSTRAINT {cn} {con.body()}" + (" NOT VALID" if not_valid else ""),
             [f"ALTER TABLE {t.name} DROP CONSTRAINT {cn}"], title=f"check_{t.name}_{c.name}")
        if not_valid:
            self.pending.append((t, cn))
        return True

    def act_add_unique(self, m, budget, focus):
        if budget < 1:
            return False
        ok = lambda c: self.uniqueable(c) and c.unique == 0 and not c.has_null
        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        cn = self.unique_name(f"{t.name}_{c.name}_key")
        con = Constraint(cn, "unique", [c])
        t.constraints[cn] = con
        self.pin_constraint(con, +1)
        m.up(f"ALTER TABLE {t.name} ADD CONSTRAINT {cn} UNIQUE ({c.name})",
             [f"ALTER TABLE {t.name} DROP CONSTRAINT {cn}"], title=f"unique_{t.name}_{c.name}")
        return True

    def act_validate(self, m, budget, focus):
        if budget < 1 or not self.pending:
            return False
        for i, (t, cn) in enumerate(self.pending):
            if t in self._alive and cn in t.constraints:
                del self.pending[i]
                m.up(f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cn}", title=f"validate_{cn}")
                return True
        self.pending = []
        return False

    def act_drop_constraint(self, m, budget, focus):
        if budget < 1:
            return False
        ok = lambda con: con.kind in ("check", "unique") and con.cols[0].obj_pins == 0
        t = self.pick_table(lambda t: any(ok(x) for x in t.constraints.values()), focus=focus)
        if t is None:
            return False
        cons = [x for x in t.constraints.values() if ok(x)]
        con = self.r.choice(cons)
        del t.constraints[con.name]
        self.pin_constraint(con, -1)
        if con.kind == "check":
            con.cols[0].check_kind = None
        m.up(f"ALTER TABLE {t.name} DROP CONSTRAINT " + ("IF EXISTS " if self.r.random() < 0.3 else "") + con.name,
             [f"ALTER TABLE {t.name} ADD CONSTRAINT {con.name} {con.body()}"], title=f"drop_{con.name}")
        return True

    # ---- enums ---------------------------------------------------------------------------------

    def act_create_enum(self, m, budget, focus):
        """CREATE TYPE ... AS ENUM, then a column of it on an existing table."""
        if budget < 2:
            return False
        t = self.pick_table(lambda t: len(t.columns) < 30, focus=focus)
        if t is None:
            return False
        stmts, downs = [], []
        en = self.enum_for(m, t.singular, stmts, downs, reuse_ok=False)
        if en is None:
            return False
        m.up(stmts[0], downs[0], title=f"add_{en.name}_type")
        cname = en.kind if en.kind not in t.columns else en.kind + "_value"
        if cname in t.columns:
            cname = f"{en.kind}_{self.counter()}"
        c = Column(cname, Type("enum", en.name, enum=en), False, f"'{en.labels[0]}'")
        c.distinct = t.rows <= 1
        t.columns[cname] = c
        m.up(f"ALTER TABLE {t.name} ADD COLUMN {self.col_def(c)}",
             [f"ALTER TABLE {t.name} DROP COLUMN {cname}"])
        return True

    def act_enum_add_value(self, m, budget, focus):
        if budget < 1 or not self.enums:
            return False
        r = self.r
        en = r.choice(self.enums[-30:])
        cands = [x for x in ENUM_EXTRA if x not in en.labels]
        if not cands:
            return False
        label = r.choice(cands)
        pos = ""
        x = r.random()
        if x < 0.2:
            pos = f" BEFORE '{en.labels[0]}'"
            en.labels.insert(0, label)
        elif x < 0.35:
            pos = f" AFTER '{en.labels[-1]}'"
            en.labels.append(label)
        else:
            en.labels.append(label)
        ine = "IF NOT EXISTS " if r.random() < 0.4 else ""
        m.fresh_labels.append((en, label))
        m.up(f"ALTER TYPE {en.name} ADD VALUE {ine}'{label}'{pos}",
             [f"-- {en.name} keeps '{label}': PostgreSQL cannot drop an enum value"],
             title=f"add_{label}_to_{en.name}")
        return True

    # ---- views and functions -------------------------------------------------------------------

    def act_create_view(self, m, budget, focus):
        if budget < 1:
            return False
        r = self.r
        t = self.pick_table(lambda t: t.id_type is not None and len(t.columns) > 3, focus=focus)
        if t is None:
            return False
        mat = r.random() < 0.2
        if mat:
            agg = t.columns.get("created_at")
            if agg is None:
                return False
            name = self.unique_name(f"{t.name}_daily_stats")
            v = View(name, t, [], materialized=True, agg=agg)
        else:
            cands = [c for c in t.columns.values() if not c.pk]
            cols = r.sample(cands, min(len(cands), r.randint(2, 5)))
            where = None
            if "deleted_at" in t.columns and r.random() < 0.6:
                where = (t.columns["deleted_at"], "IS NULL")
            else:
                bools = [c for c in t.columns.values() if c.type.fam == "bool"]
                if bools and r.random() < 0.5:
                    where = (r.choice(bools), "")
            join = None
            fks = [c for c in cols if c.fk is not None and c.fk.id_type == "bigint"
                   and c.fk.id_type is not None and c.fk in self._alive]
            if fks and r.random() < 0.6:
                fk = fks[0]
                p = fk.fk
                pcs = [c for c in p.columns.values() if not c.pk and c.type.fam in ("text", "ts", "enum")]
                if pcs:
                    join = (p, fk, r.sample(pcs, min(2, len(pcs))))
            prefix = "active" if where else r.choice(["v", "recent", "report"])
            name = self.unique_name(f"{prefix}_{t.name}")
            v = View(name, t, cols, where, join)
        self.views.append(v)
        self.pin_view(v, +1)
        kind = "MATERIALIZED VIEW" if mat else "VIEW"
        m.up(v.create(), [f"DROP {kind} IF EXISTS {v.name}"], title=f"create_{v.name}")
        if mat and budget >= 3:
            v.index = self.unique_name(f"{v.name}_day_idx")
            m.up(f"CREATE UNIQUE INDEX {v.index} ON {v.name} (day)")
            m.up(f"REFRESH MATERIALIZED VIEW {v.name}")
        return True

    def act_replace_view(self, m, budget, focus):
        if budget < 1:
            return False
        views = [v for v in self.views[-40:] if not v.materialized and not v.join]
        if not views:
            return False
        v = self.r.choice(views)
        extra = [c for c in v.table.columns.values() if not c.pk and c not in v.cols
                 and (v.where is None or c is not v.where[0])]
        if not extra:
            return False
        old = v.select()
        c = self.r.choice(extra)
        v.cols.append(c)
        c.obj_pins += 1
        m.up(f"CREATE OR REPLACE VIEW {v.name} AS\n{v.select()}",
             [f"DROP VIEW {v.name}", f"CREATE VIEW {v.name} AS\n{old}"], title=f"extend_{v.name}")
        return True

    def act_drop_view(self, m, budget, focus):
        if budget < 1 or not self.views:
            return False
        v = self.r.choice(self.views)
        self.views.remove(v)
        self.pin_view(v, -1)
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        down = [v.create()]
        if v.index:
            down.append(f"CREATE UNIQUE INDEX {v.index} ON {v.name} (day)")
        m.up(f"DROP {kind} " + ("IF EXISTS " if self.r.random() < 0.5 else "") + v.name, down,
             title=f"drop_{v.name}")
        return True

    def act_refresh(self, m, budget, focus):
        mats = [v for v in self.views if v.materialized]
        if budget < 1 or not mats:
            return False
        v = self.r.choice(mats)
        m.up(f"REFRESH MATERIALIZED VIEW {v.name}", title=f"refresh_{v.name}")
        return True

    def _updated_at_trigger(self, m, t):
        name = f"{t.name}_set_updated_at"
        if name in t.triggers or not self.take(f"trg:{t.name}:{name}"):
            return False
        col = t.columns["updated_at"]
        col.obj_pins += 1
        t.triggers[name] = ("BEFORE UPDATE", "set_updated_at", col)
        m.up(f"CREATE TRIGGER {name}\n    BEFORE UPDATE ON {t.name}\n    FOR EACH ROW EXECUTE FUNCTION set_updated_at()",
             [f"DROP TRIGGER IF EXISTS {name} ON {t.name}"], title=f"touch_{t.name}")
        return True

    def act_trigger(self, m, budget, focus):
        r = self.r
        if budget < 1:
            return False
        x = r.random()
        if x < 0.35:
            t = self.pick_table(lambda t: "updated_at" in t.columns
                                and f"{t.name}_set_updated_at" not in t.triggers, focus=focus)
            return t is not None and self._updated_at_trigger(m, t)
        if x < 0.55:
            t = self.pick_table(lambda t: t.id_type is not None and f"{t.name}_audit" not in t.triggers,
                                focus=focus)
            if t is None:
                return False
            name = f"{t.name}_audit"
            t.triggers[name] = ("AFTER INSERT OR UPDATE", "audit_row_change", None)
            m.up(f"CREATE TRIGGER {name}\n    AFTER INSERT OR UPDATE ON {t.name}\n"
                 "    FOR EACH ROW EXECUTE FUNCTION audit_row_change()",
                 [f"DROP TRIGGER IF EXISTS {name} ON {t.name}"], title=f"audit_{t.name}")
            return True
        if budget < 2:
            return False
        # a plpgsql function of its own, then its trigger
        ok = lambda c: c.type.sql == "text" and c.obj_pins == 0 and not c.pk
        t = self.pick_table(lambda t: any(ok(c) for c in t.columns.values()), focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        fname = self.unique_name(f"{t.name}_normalize_{c.name}")
        tname = f"{fname}_trg"
        c.obj_pins += 2
        t.obj_refs += 1
        t.triggers[tname] = ("BEFORE INSERT OR UPDATE", fname, c)
        m.up(f"CREATE OR REPLACE FUNCTION {fname}() RETURNS trigger\nLANGUAGE plpgsql AS $$\n"
             f"BEGIN\n    IF NEW.{c.name} IS NOT NULL THEN\n"
             f"        NEW.{c.name} := lower(btrim(NEW.{c.name}));\n    END IF;\n"
             "    RETURN NEW;\nEND;\n$$",
             [f"DROP FUNCTION IF EXISTS {fname}()"], title=f"normalize_{t.name}_{c.name}")
        m.up(f"CREATE TRIGGER {tname}\n    BEFORE INSERT OR UPDATE OF {c.name} ON {t.name}\n"
             f"    FOR EACH ROW EXECUTE FUNCTION {fname}()",
             [f"DROP TRIGGER IF EXISTS {tname} ON {t.name}"])
        return True

    def act_sql_function(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: "created_at" in t.columns and t.id_type is not None, focus=focus)
        if t is None:
            return False
        r = self.r
        c = t.columns["created_at"]
        if r.random() < 0.5:
            fname = self.unique_name(f"{t.name}_created_since")
            body = (f"CREATE OR REPLACE FUNCTION {fname}(since timestamptz)\nRETURNS bigint\n"
                    f"LANGUAGE sql STABLE\nAS $$\n    SELECT count(*) FROM {t.name} WHERE created_at >= since\n$$")
            sig = f"{fname}(timestamptz)"
        else:
            fname = self.unique_name(f"{t.name}_purge_before")
            body = (f"CREATE FUNCTION {fname}(cutoff timestamptz, batch integer DEFAULT 1000)\n"
                    f"RETURNS integer\nLANGUAGE plpgsql\nAS $fn$\nDECLARE\n    n integer;\nBEGIN\n"
                    f"    DELETE FROM {t.name}\n    WHERE id IN (\n        SELECT id FROM {t.name}\n"
                    f"        WHERE created_at < cutoff\n        ORDER BY id\n        LIMIT batch\n    );\n"
                    f"    GET DIAGNOSTICS n = ROW_COUNT;\n    RETURN n;\nEND;\n$fn$")
            sig = f"{fname}(timestamptz, integer)"
        c.obj_pins += 1
        t.obj_refs += 1
        self.functions.append((fname, sig, t, [c]))
        m.up(body, [f"DROP FUNCTION IF EXISTS {sig}"], title=f"add_{fname}")
        return True

    # ---- DML -----------------------------------------------------------------------------------

    def insertable(self, t):
        if t.id_type is None:
            return False
        for c in t.columns.values():
            if c.fk is not None and not c.nullable and c.fk.rows == 0:
                return False
            if c.type.fam == "enum" and not c.type.enum.usable and (not c.nullable or c.default is None):
                return False
        return True

    def act_insert(self, m, budget, focus):
        if budget < 1:
            return False
        r = self.r
        t = self.pick_table(self.insertable, focus=focus)
        if t is None:
            return False
        # every column but the key; bookkeeping columns take their default (or NULL)
        cols = [c for c in t.columns.values()
                if not c.pk and not (c.name in ("created_at", "updated_at", "deleted_at")
                                     and (c.default is not None or c.nullable))]
        if not cols:
            return False
        names = ", ".join(c.name for c in cols)
        if r.random() < 0.3:
            n = r.choice([10, 50, 100, 500])
            start = self.counter()
            self.k += n
            exprs = ", ".join(self.series_value(c, start) for c in cols)
            m.up(f"INSERT INTO {t.name} ({names})\nSELECT {exprs}\nFROM generate_series(1, {n}) AS g",
                 [f"-- rows seeded into {t.name} are left in place"], title=f"seed_{t.name}")
        else:
            n = r.randint(1, 4)
            rows = []
            for _ in range(n):
                k = self.counter()
                rows.append("(" + ", ".join(self.value(c, k) for c in cols) + ")")
            conflict = " ON CONFLICT DO NOTHING" if r.random() < 0.3 else ""
            m.up(f"INSERT INTO {t.name} ({names}) VALUES\n    " + ",\n    ".join(rows) + conflict,
                 [f"-- rows inserted into {t.name} are left in place"], title=f"seed_{t.name}")
        given = {id(c) for c in cols}
        for c in t.columns.values():
            if c.pk:
                continue
            if id(c) not in given:
                if c.default is None:
                    c.has_null = True
                elif not c.default.startswith("gen_random") and t.rows + n > 1:
                    c.distinct = False
            elif c.fk is not None and c.fk.rows == 0:
                c.has_null = True
        t.rows += n
        return True

    def act_update(self, m, budget, focus):
        if budget < 1:
            return False
        r = self.r
        ok = lambda c: (not c.pk and not c.ever_unique and c.fk is None and c.identity is None
                        and not c.serial and self.usable_type(c) and c.name != "id")
        t = self.pick_table(lambda t: t.id_type is not None and any(ok(c) for c in t.columns.values()),
                            focus=focus)
        if t is None:
            return False
        c = self.pick_col(t, ok)
        x = r.random()
        val = self.value(c)
        if c.type.fam == "text" and c.type.sql == "text" and x < 0.25:
            m.up(f"UPDATE {t.name} SET {c.name} = lower({c.name}) WHERE {c.name} <> lower({c.name})",
                 [f"-- {t.name}.{c.name} was normalised; the old spelling is not kept"],
                 title=f"normalize_{t.name}_{c.name}")
            return True
        if x < 0.5 and c.nullable:
            m.up(f"UPDATE {t.name} SET {c.name} = {val} WHERE {c.name} IS NULL",
                 [f"-- backfill of {t.name}.{c.name} is not undone"], title=f"backfill_{t.name}_{c.name}")
            c.has_null = False
        elif x < 0.75 and t.id_type == "bigint":
            m.up(f"UPDATE {t.name}\nSET {c.name} = {val}\nWHERE id IN (\n"
                 f"    SELECT id FROM {t.name}\n    WHERE created_at < '2024-06-01'\n    ORDER BY id\n    LIMIT 1000\n)"
                 if "created_at" in t.columns else
                 f"UPDATE {t.name} SET {c.name} = {val} WHERE id <= 1000",
                 [f"-- backfill of {t.name}.{c.name} is not undone"], title=f"backfill_{t.name}_{c.name}")
        else:
            extra = ", updated_at = now()" if "updated_at" in t.columns and c.name != "updated_at" else ""
            m.up(f"UPDATE {t.name} SET {c.name} = {val}{extra}",
                 [f"-- backfill of {t.name}.{c.name} is not undone"], title=f"backfill_{t.name}_{c.name}")
            c.has_null = False
        if t.rows > 1:
            c.distinct = False
        return True

    def act_delete(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: "created_at" in t.columns and t.fk_in == 0, focus=focus)
        if t is None:
            return False
        m.up(f"DELETE FROM {t.name} WHERE created_at < now() - interval '20 years'",
             [f"-- purged rows of {t.name} are not restored"], title=f"purge_{t.name}")
        return True

    def act_comment(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(focus=focus)
        if t is None:
            return False
        if self.r.random() < 0.4:
            return self._comment_table(m, t)
        c = self.r.choice(list(t.columns.values()))
        text = self.comment_text(t)
        old = c.comment
        c.comment = text
        down = f"COMMENT ON COLUMN {t.name}.{c.name} IS " + (f"'{old}'" if old else "NULL")
        m.up(f"COMMENT ON COLUMN {t.name}.{c.name} IS '{text}'", [down], title=f"document_{t.name}")
        return True

    def comment_text(self, t):
        p = t.name.split("_")[0]
        return self.r.choice(COMMENTS).format(p=p, s=t.singular).replace("'", "''")

    def _comment_table(self, m, t):
        text = self.comment_text(t)
        old = t.comment
        t.comment = text
        down = f"COMMENT ON TABLE {t.name} IS " + (f"'{old}'" if old else "NULL")
        m.up(f"COMMENT ON TABLE {t.name} IS '{text}'", [down], title=f"document_{t.name}")
        return True

    def act_drop_table(self, m, budget, focus):
        if budget < 1:
            return False
        cand = [t for t in self.tables[:-5] if t.fk_in == 0 and t.obj_refs == 0]
        if not cand:
            return False
        t = self.r.choice(cand[-200:])
        for c in t.columns.values():
            if c.type.fam == "enum" and not c.type.enum.usable:
                return False
        down = [self.render_table(t)]
        for idx in t.indexes.values():
            down.append(idx.sql())
        for name, (timing, fn, col) in t.triggers.items():
            down.append(f"CREATE TRIGGER {name}\n    {timing} ON {t.name}\n    FOR EACH ROW EXECUTE FUNCTION {fn}()")
        for con in t.constraints.values():
            if con.kind == "fk":
                con.ref.fk_in -= 1
        self._kill(t)
        m.up(f"DROP TABLE " + ("IF EXISTS " if self.r.random() < 0.4 else "") + t.name, down,
             title=f"drop_{t.name}")
        return True

    def _kill(self, t):
        self.tables.remove(t)
        del self._alive[t]

    def act_rename_table(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(lambda t: t.obj_refs == 0 and not t.name.endswith("_archive")
                            and len(t.name) < 40, focus=focus)
        if t is None:
            return False
        new = f"{t.name}_archive"
        if not self.take(new):
            return False
        old = t.name
        t.name = new
        m.up(f"ALTER TABLE {old} RENAME TO {new}", [f"ALTER TABLE {new} RENAME TO {old}"],
             title=f"archive_{old}")
        return True

    def act_set_storage(self, m, budget, focus):
        if budget < 1:
            return False
        t = self.pick_table(focus=focus)
        if t is None:
            return False
        x = self.r.random()
        if x < 0.5:
            m.up(f"ALTER TABLE {t.name} SET (fillfactor = {self.r.choice([70, 80, 90])})",
                 [f"ALTER TABLE {t.name} RESET (fillfactor)"], title=f"tune_{t.name}")
        else:
            m.up(f"ANALYZE {t.name}", title=f"analyze_{t.name}")
        return True

    # ---- migrations ----------------------------------------------------------------------------

    ACTIONS = [
        ("create_table", 6), ("add_column", 15), ("backfill_not_null", 3),
        ("drop_column", 3), ("rename_column", 2), ("change_type", 3), ("set_not_null", 3),
        ("drop_not_null", 1), ("set_default", 3), ("create_index", 10), ("drop_index", 2),
        ("add_fk", 3), ("add_check", 3), ("add_unique", 2), ("validate", 3),
        ("drop_constraint", 1), ("create_enum", 1), ("enum_add_value", 2),
        ("create_view", 2), ("replace_view", 1), ("drop_view", 1), ("refresh", 1),
        ("trigger", 3), ("sql_function", 1), ("insert", 6), ("update", 5), ("delete", 1),
        ("comment", 7), ("drop_table", 0.6), ("rename_table", 0.4), ("set_storage", 1),
    ]

    def bootstrap(self, m, budget):
        """The first migration: extensions, shared functions, the audit log."""
        stmts = [
            ("CREATE EXTENSION IF NOT EXISTS pgcrypto", "DROP EXTENSION IF EXISTS pgcrypto"),
            ("CREATE EXTENSION IF NOT EXISTS pg_trgm", "DROP EXTENSION IF EXISTS pg_trgm"),
            ("CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger\nLANGUAGE plpgsql AS $$\n"
             "BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$",
             "DROP FUNCTION IF EXISTS set_updated_at()"),
            ("CREATE TABLE audit_log (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
             "    table_name text NOT NULL,\n    operation text NOT NULL,\n    row_id text,\n"
             "    changed_by text DEFAULT current_user,\n"
             "    changed_at timestamptz NOT NULL DEFAULT now()\n)", "DROP TABLE IF EXISTS audit_log"),
            ("CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger\nLANGUAGE plpgsql AS $$\n"
             "BEGIN\n    INSERT INTO audit_log (table_name, operation, row_id)\n"
             "    VALUES (TG_TABLE_NAME, TG_OP, NEW.id::text);\n    RETURN NEW;\nEND;\n$$",
             "DROP FUNCTION IF EXISTS audit_row_change()"),
        ]
        for name in ("audit_log", "audit_log_pkey", "audit_log_id_seq"):
            self.take(name)
        n = 0
        for up, down in stmts[:budget]:
            m.up(up, [down])
            n += 1
        self.trgm = budget >= 2
        m.title = "bootstrap"
        return n

    def migration(self, num, budget):
        r = self.r
        m = Migration(num)
        # enum labels added by earlier migrations are committed now
        for en, label in self.last_fresh:
            if label not in en.usable:
                en.usable.append(label)
        if num == 1:
            self.bootstrap(m, budget)
            self.last_fresh = []
            return m, None
        if len(m.ups) == 0 and self.tables and budget >= 1 and r.random() < 0.07:
            # CREATE / DROP INDEX CONCURRENTLY: one statement, its own file
            if r.random() < 0.8 or not any(t.indexes for t in self.tables[-25:]):
                ok = self.act_create_index(m, 1, None, concurrently=True)
            else:
                ok = self.act_drop_index(m, 1, None, concurrently=True)
            if ok:
                self.last_fresh = []
                return m, None
            m = Migration(num)
        target = min(budget, r.choice([5, 6, 7, 8, 8, 9, 10, 10, 12, 14, 16, 20, 25, 30]))
        wrap = r.random() < 0.1 and target >= 4
        prelude = r.random() < 0.12 and target >= 3 + (2 if wrap else 0)
        inner = target - (2 if wrap else 0) - (1 if prelude else 0)
        focus = []
        if self.tables:
            for _ in range(r.randint(1, 3)):
                focus.append(r.choice(self.tables[-30:]))
        names = [a for a, _ in self.ACTIONS]
        weights = [w for _, w in self.ACTIONS]
        if len(self.tables) < 8:
            weights = [w * 6 if a == "create_table" else w for a, w in self.ACTIONS]
        fails = 0
        body = Migration(num)
        body.fresh_labels = m.fresh_labels
        while len(body.ups) < inner:
            left = inner - len(body.ups)
            a = r.choices(names, weights)[0]
            before = len(body.ups)
            if a == "create_table":
                ok = self.act_create_table(body, left)
                if ok:
                    focus.append(body.fresh_tables[-1])
            else:
                ok = getattr(self, "act_" + a)(body, left, focus)
            assert len(body.ups) <= inner, (a, len(body.ups), inner)
            if not ok:
                assert len(body.ups) == before, a
                fails += 1
                if fails > 60:
                    # always possible: a comment or a new table
                    if not self.act_comment(body, left, focus):
                        self.act_create_table(body, left)
            if len(body.ups) > before:
                fails = 0
        m.title = body.title
        if prelude:
            lt = r.choice(["'3s'", "'5s'", "'10s'", "'2s'"])
            m.ups.append(f"SET lock_timeout = {lt}")
        if wrap:
            m.ups.append("BEGIN")
        m.ups.extend(body.ups)
        m.downs = body.downs
        if wrap:
            m.ups.append("COMMIT")
        self.last_fresh = list(body.fresh_labels)
        return m, (prelude, wrap)


def render(stmts):
    out = []
    for s in stmts:
        if s.startswith("--"):
            out.append(s + "\n")
        else:
            out.append(s + ";\n")
    return "".join(out)


def slug(title):
    s = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in title.lower())
    return s[:60].rstrip("_") or "change"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--statements", type=int, required=True,
                    help="statements in the up files, in total")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.statements < 1:
        ap.error("--statements must be at least 1")
    os.makedirs(args.out_dir, exist_ok=True)
    if any(n.endswith(".sql") for n in os.listdir(args.out_dir)):
        ap.error(f"{args.out_dir} already holds .sql files")

    g = Generator(args.seed)
    remaining = args.statements
    num = 0
    files = 0
    downs = 0
    while remaining > 0:
        num += 1
        m, shape = g.migration(num, remaining)
        if not m.ups:
            continue
        remaining -= len(m.ups)
        down = [s for part in reversed(m.downs) for s in part]
        if shape is not None:
            prelude, wrap = shape
            real = [s for s in down if not s.startswith("--")]
            if wrap and real:
                down = ["BEGIN"] + down + ["COMMIT"]
            if prelude and real:
                down = [m.ups[0]] + down
        if not down:
            down = ["-- nothing to undo"]
        downs += sum(1 for s in down if not s.startswith("--"))
        base = os.path.join(args.out_dir, f"{num:06d}_{slug(m.title or 'change')}")
        with open(base + ".up.sql", "w", encoding="utf-8") as f:
            f.write(render(m.ups))
        with open(base + ".down.sql", "w", encoding="utf-8") as f:
            f.write(render(down))
        files += 2
    assert remaining == 0
    print(f"{num} migrations, {files} files, {args.statements} up statements, "
          f"{downs} down statements, {len(g.tables)} tables", file=sys.stderr)


if __name__ == "__main__":
    main()

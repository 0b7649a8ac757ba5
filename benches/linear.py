#!/usr/bin/env python3
"""Does any statement kind cost more than linear time? For each kind, one migration of N and of 4N
such statements, over as many tables that an earlier migration creates (each with a column and an
index), with a down undoing them: bellows on one core, best of RUNS runs each.

    python3 benches/linear.py BELLOWS [KIND ...] [--n N] [--runs RUNS]

Prints a Markdown table; linear cost gives a ratio of about 4, and a ratio past 6 is marked. A
run is cut after 60 s. See benches/README.md.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TRIGGER = "CREATE TRIGGER tr{i} BEFORE INSERT ON t{i} FOR EACH ROW EXECUTE FUNCTION f()"
FUNCTION = "CREATE FUNCTION g{i}() RETURNS int LANGUAGE sql AS 'SELECT 1'"
RENAME_TABLE = ("ALTER TABLE t{i} RENAME TO r{i}", "ALTER TABLE r{i} RENAME TO t{i}")

KINDS = {  # kind: (up statement, down statement or None), {i} the table's number
    "create-index": ("CREATE INDEX t{i}_x ON t{i} (c{i})", "DROP INDEX t{i}_x"),
    "drop-index": ("DROP INDEX t{i}_idx", "CREATE INDEX t{i}_idx ON t{i} (c{i})"),
    "add-column": ("ALTER TABLE t{i} ADD COLUMN x{i} int NOT NULL DEFAULT 0", "ALTER TABLE t{i} DROP COLUMN x{i}"),
    "add-foreign-key": ("ALTER TABLE t{i} ADD CONSTRAINT fk{i} FOREIGN KEY (c{i}) REFERENCES t0 (id)",
                        "ALTER TABLE t{i} DROP CONSTRAINT fk{i}"),
    "add-check": ("ALTER TABLE t{i} ADD CONSTRAINT ck{i} CHECK (c{i} > 0)", "ALTER TABLE t{i} DROP CONSTRAINT ck{i}"),
    "add-unique": ("ALTER TABLE t{i} ADD CONSTRAINT u{i} UNIQUE (c{i})", "ALTER TABLE t{i} DROP CONSTRAINT u{i}"),
    "set-not-null": ("ALTER TABLE t{i} ALTER COLUMN c{i} SET NOT NULL", "ALTER TABLE t{i} ALTER COLUMN c{i} DROP NOT NULL"),
    "change-type": ("ALTER TABLE t{i} ALTER COLUMN c{i} TYPE bigint", "ALTER TABLE t{i} ALTER COLUMN c{i} TYPE integer"),
    "rename-column": ("ALTER TABLE t{i} RENAME COLUMN c{i} TO d{i}", "ALTER TABLE t{i} RENAME COLUMN d{i} TO c{i}"),
    "rename-table": RENAME_TABLE,
    "rename-index": ("ALTER INDEX t{i}_idx RENAME TO u{i}_idx", "ALTER INDEX u{i}_idx RENAME TO t{i}_idx"),
    "rename-primary-key": ("ALTER INDEX t{i}_pkey RENAME TO p{i}_pkey", "ALTER INDEX p{i}_pkey RENAME TO t{i}_pkey"),
    "drop-column": ("ALTER TABLE t{i} DROP COLUMN c{i}", "ALTER TABLE t{i} ADD COLUMN c{i} integer"),
    "drop-table": ("DROP TABLE t{i}", None),
    "enum-value": ("ALTER TYPE e{i} ADD VALUE 'v{i}'", None),
    "update": ("UPDATE t{i} SET c{i} = 1", None),
    "insert": ("INSERT INTO t{i} (id, c{i}) VALUES (1, 2)", "DELETE FROM t{i}"),
    "reindex": ("REINDEX INDEX t{i}_idx", None),
    "trigger": (TRIGGER, "DROP TRIGGER tr{i} ON t{i}"),
    "create-table": ("CREATE TABLE n{i} (id bigint PRIMARY KEY, r bigint REFERENCES t{i} (id))", "DROP TABLE n{i}"),
    "create-view": ("CREATE VIEW v{i} AS SELECT c{i} FROM t{i}", "DROP VIEW v{i}"),
    "comment": ("COMMENT ON COLUMN t{i}.c{i} IS 'x'", None),
    "vacuum": ("VACUUM FULL t{i}", None),
    "drop-type": ("DROP TYPE e{i}", "CREATE TYPE e{i} AS ENUM ('a')"),
    "drop-function": ("DROP FUNCTION g{i}()", FUNCTION),
    "drop-sequence": ("DROP SEQUENCE s{i}", "CREATE SEQUENCE s{i}"),
    "drop-trigger": ("DROP TRIGGER tr{i} ON t{i}", TRIGGER),
    "rename-table-with-trigger": RENAME_TABLE,
    "drop-table-with-trigger": ("DROP TABLE t{i}", None),
}
# What a kind needs that the tables, their indexes and enums do not give, for each {i}.
SETUP = {
    "drop-function": FUNCTION,
    "drop-sequence": "CREATE SEQUENCE s{i}",
    "drop-trigger": TRIGGER,
    "rename-table-with-trigger": TRIGGER,
    "drop-table-with-trigger": TRIGGER,
}


def write(d, kind, n):
    up, down = KINDS[kind]
    setup = ["CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"]
    for i in range(n):
        setup += [f"CREATE TABLE t{i} (id bigint PRIMARY KEY, c{i} integer)", f"CREATE INDEX t{i}_idx ON t{i} (c{i})",
                  f"CREATE TYPE e{i} AS ENUM ('a')"]
        if kind in SETUP:
            setup.append(SETUP[kind].format(i=i))
    files = {"000001_setup.up.sql": setup, "000002_change.up.sql": [up.format(i=i) for i in range(n)]}
    if down:
        files["000002_change.down.sql"] = [down.format(i=i) for i in reversed(range(n))]
    os.makedirs(d)
    for name, stmts in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(";\n".join(stmts) + ";\n")


def best(bellows, d, runs):
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen(["taskset", "-c", "0", bellows, "check", "--format", "json", d], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # A blocking wait, cut by a timer: `subprocess.run(timeout=…)` polls
        # in sleeps of up to 50 ms, and its times came in steps of 50 ms.
        cut = threading.Timer(60, p.kill)
        cut.start()
        p.wait()
        took = time.perf_counter() - start
        if not cut.is_alive():
            return float("inf")  # cut at the limit
        cut.cancel()
        times.append(took)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bellows")
    ap.add_argument("kinds", nargs="*", choices=[[]] + list(KINDS), metavar="KIND")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    print(f"| statement | {args.n:,} | {4 * args.n:,} | ratio |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for kind in args.kinds or KINDS:
            t = []
            for n in (args.n, 4 * args.n):
                d = os.path.join(work, f"{kind}-{n}")
                write(d, kind, n)
                t.append(best(args.bellows, d, args.runs))
                shutil.rmtree(d)
            ratio = t[1] / t[0]
            mark = " **(past 6)**" if ratio > 6 else ""
            print(f"| {kind} | {t[0]:.3f} s | {t[1]:.3f} s | {ratio:.1f}{mark} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())

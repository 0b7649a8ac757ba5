#!/usr/bin/env python3
"""Apply a generated corpus to a real PostgreSQL server, to prove it is valid SQL.

    python3 benches/check_corpus.py DIR [--url postgres://postgres@127.0.0.1:5432/postgres]
                                        [--downs] [--keep]

Creates a scratch database next to the one in --url, runs every up file in
order the way golang-migrate does (the whole file as one simple query, so a
multi-statement file is one implicit transaction), then with --downs every
down file in reverse order, and drops the scratch database (unless --keep).
Stops at the first failing file and prints the server's error. Needs psql.
"""

import argparse
import os
import re
import subprocess
import sys
import time


def psql(url, sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--url", default=os.environ.get(
        "BELLOWS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--db", default="bellows_bench_corpus_check")
    ap.add_argument("--downs", action="store_true", help="also run the downs, newest first")
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = ap.parse_args()

    admin = args.url
    scratch = re.sub(r"/[^/?]*(\?|$)", f"/{args.db}\\1", args.url.split("://", 1)[1], count=1)
    scratch = args.url.split("://", 1)[0] + "://" + scratch
    for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
        res = psql(admin, sql)
        if res.returncode:
            sys.exit(res.stderr)

    ups = sorted(n for n in os.listdir(args.dir) if n.endswith(".up.sql"))
    downs = [n[:-len(".up.sql")] + ".down.sql" for n in reversed(ups)]
    plan = [(n, "up") for n in ups] + ([(n, "down") for n in downs] if args.downs else [])
    start = time.time()
    failed = None
    for i, (name, _) in enumerate(plan):
        path = os.path.join(args.dir, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            sql = f.read()
        res = psql(scratch, sql)
        if res.returncode:
            failed = (name, res.stderr.strip())
            break
        if i and i % 500 == 0:
            print(f"{i}/{len(plan)} files, {time.time() - start:.0f}s", file=sys.stderr)
    if not args.keep:
        psql(admin, f"DROP DATABASE IF EXISTS {args.db}")
    if failed:
        print(f"FAILED at {failed[0]}:\n{failed[1]}")
        sys.exit(1)
    print(f"ok: {len(plan)} files applied in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()

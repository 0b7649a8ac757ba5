#!/usr/bin/env python3
"""Time of `bellows mcp`'s check_migration calls on a real repository.

Starts the release build's `bellows mcp` (or BELLOWS_BIN) in REPO, then calls check_migration
ROUNDS times with the same arguments and prints each call's time and how many findings (and
fixes) it returned. Each call checks, then re-checks the findings' fixes in memory as
`check --fix` does (all together, each on its own only when together they fail); the parsed
files are kept between calls, so the first call is the slowest.

    python3 benches/mcp_latency.py [REPO] [ARGS-JSON] [ROUNDS]

REPO defaults to ../shared/corpus/LemmyNet__lemmy; ARGS-JSON to unsaved SQL (a foreign key
added without NOT VALID) for a new Lemmy migration; give '{"path": "migrations"}' for the whole
folder. ROUNDS defaults to 4. Standard library only.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("BELLOWS_BIN", HERE / "target" / "release" / "bellows"))
ARGS = {
    "sql": "ALTER TABLE post_report ADD CONSTRAINT bench_post_report_post_fkey\n"
           "    FOREIGN KEY (post_id) REFERENCES post (id);\n",
    "file_name": "migrations/2099-01-01-000000-0000_bench/up.sql",
}


def main():
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        HERE / ".." / "shared" / "corpus" / "LemmyNet__lemmy").resolve()
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else ARGS
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    if not repo.is_dir():
        print(f"{repo}: not found, nothing to measure", file=sys.stderr)
        return 0
    if not BIN.is_file():
        raise SystemExit(f"{BIN}: build it first with `cargo build --release --locked`")
    proc = subprocess.Popen([str(BIN), "mcp"], cwd=repo, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)

    def send(msg):
        proc.stdin.write((json.dumps(msg) + "\n").encode())
        proc.stdin.flush()

    def request(rid, method, params):
        send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("bellows mcp closed its output")
            m = json.loads(line)
            if m.get("id") == rid:
                return m

    request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "bench", "version": "0"}})
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    print(f"repo: {repo.name}; check_migration {json.dumps(args)[:80]}")
    for i in range(rounds):
        start = time.perf_counter()
        reply = request(2 + i, "tools/call", {"name": "check_migration", "arguments": args})
        ms = (time.perf_counter() - start) * 1000
        diags = reply["result"].get("structuredContent", {}).get("diagnostics", [])
        fixes = sum(1 for d in diags if d.get("fix"))
        print(f"call {i + 1}: {ms:.0f} ms, {len(diags)} findings, {fixes} with a fix")
    proc.stdin.close()
    proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

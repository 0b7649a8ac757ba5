#!/usr/bin/env python3
"""Change-to-diagnostics latency of `bellows server` on a real migration root.

Starts the server (the release build, `cargo build --release --locked` first), opens the
newest migration of a root as an editor would, then sends one full-text didChange at a time
(the file, then the file plus a comment line, in turn) and times each until the
publishDiagnostics of that version arrives, and reads the server's CPU time over those changes
(Linux), which the machine's load hardly changes. Every lint replays the whole root's history from
disk with the buffer in place of the file; the time includes the server's 10 ms debounce.

Then the cost of a code action with a fix: the buffer gets a foreign key added without NOT VALID
(FIX_SQL; its fix, NOT VALID plus a new VALIDATE migration, is re-checked as `check --fix` does
before it is offered), and for each version the textDocument/codeAction request on that finding is
timed the first time (the re-check: the root checked again with the fix in memory) and again
(the verdict kept for the version).

    python3 benches/server_latency.py [ROOT] [ROUNDS]

ROOT defaults to ../shared/corpus/LemmyNet__lemmy/migrations (the largest root of the shared
corpus: 342 diesel migrations); ROUNDS to 30. FIX_SQL (environment) replaces the statement added
for the code actions, for another root. Standard library only.
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent.parent
FIX_SQL = os.environ.get(
    "FIX_SQL",
    "ALTER TABLE post_report ADD CONSTRAINT bench_post_report_post_fkey\n"
    "    FOREIGN KEY (post_id) REFERENCES post (id);\n")
BIN = pathlib.Path(os.environ.get("BELLOWS_BIN", HERE / "target" / "release" / "bellows"))


def send(proc, msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def cpu_ms(pid):
    """The CPU time a process has used so far (Linux: /proc), in ms; -1 elsewhere.

    Unlike the wall-clock latency, it hardly moves with the machine's load."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    # utime and stime: fields 14 and 15 of stat(5), here 11 and 12 after the name.
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def wait_for(proc, pred):
    while True:
        m = receive(proc)
        if pred(m):
            return m


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        HERE / ".." / "shared" / "corpus" / "LemmyNet__lemmy" / "migrations").resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    if not root.is_dir():
        print(f"{root}: not found, nothing to measure", file=sys.stderr)
        return 0
    if not BIN.is_file():
        raise SystemExit(f"{BIN}: build it first with `cargo build --release --locked`")
    files = sorted(p for p in root.rglob("*.sql") if p.name != "down.sql" and ".down." not in p.name)
    target = files[-1]
    text = target.read_text()
    uri = target.as_uri()
    proc = subprocess.Popen([str(BIN), "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}}})
    wait_for(proc, lambda m: m.get("id") == 1)
    send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "sql", "version": 1, "text": text}}})
    first = wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics"
                     and m["params"].get("version") == 1)
    cpu_start = cpu_ms(proc.pid)
    times = []
    for v in range(2, rounds + 2):
        body = text if v % 2 else text + f"\n-- edit {v}\n"
        start = time.perf_counter()
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": body}]}})
        wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics"
                 and m["params"].get("version") == v)
        times.append((time.perf_counter() - start) * 1000)
    cpu = cpu_ms(proc.pid) - cpu_start
    # Code actions on the finding of FIX_SQL, one new version each round.
    cold, warm, offered = [], [], 0
    code = None
    for v in range(rounds + 2, 2 * rounds + 2):
        body = text + "\n" + FIX_SQL + ("" if v % 2 else f"-- edit {v}\n")
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": body}]}})
        diags = wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"].get("version") == v)["params"]["diagnostics"]
        start_line = text.count("\n") + 1
        mine = [d for d in diags if d["range"]["start"]["line"] >= start_line]
        if not mine:
            raise SystemExit(f"FIX_SQL gives no finding: {diags}")
        ask = {"textDocument": {"uri": uri}, "range": mine[0]["range"],
               "context": {"diagnostics": mine}}
        for times_of in (cold, warm):
            rid = 1000 + 2 * v + (times_of is warm)
            start = time.perf_counter()
            send(proc, {"jsonrpc": "2.0", "id": rid, "method": "textDocument/codeAction",
                        "params": ask})
            reply = wait_for(proc, lambda m, rid=rid: m.get("id") == rid)
            times_of.append((time.perf_counter() - start) * 1000)
        fixes = [a["title"] for a in reply["result"] if a["title"].startswith("Fix ")]
        offered = len(fixes)
        code = mine[0]["code"]
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    wait_for(proc, lambda m: m.get("id") == 2)
    send(proc, {"jsonrpc": "2.0", "method": "exit", "params": None})
    proc.wait(timeout=10)
    times.sort()
    migrations = len({p.parent if p.name in ("up.sql", "down.sql") else p for p in root.rglob("*.sql")})
    size = sum(p.stat().st_size for p in root.rglob("*.sql"))
    print(f"root: {root.name} ({migrations} migrations, {len(list(root.rglob('*.sql')))} files, "
          f"{size / 1e6:.1f} MB); buffer: {target.relative_to(root)}; "
          f"{len(first['params']['diagnostics'])} diagnostics")
    print(f"change-to-diagnostics over {rounds} changes: median {statistics.median(times):.1f} ms, "
          f"min {times[0]:.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, "
          f"max {times[-1]:.1f} ms")
    if cpu >= 0:
        print(f"server CPU time (user + system, all threads) per change: {cpu / rounds:.1f} ms")
    cold.sort()
    warm.sort()
    print(f"codeAction on a {code} finding ({offered} fix offered after the re-check) over "
          f"{rounds} versions: first request median {statistics.median(cold):.1f} ms "
          f"(max {cold[-1]:.1f} ms), repeated median {statistics.median(warm):.1f} ms "
          f"(max {warm[-1]:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

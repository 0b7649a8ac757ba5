#!/usr/bin/env bash
# The hostile shapes of benches/gen_corpus.py, each at its full size and at a
# tenth of it: bellows on one core, best of BENCH_RUNS runs (default 3), and
# its peak memory. Cost must grow linearly: the full size within 15 times its
# tenth (ten times the input, and some room for the machine's noise).
#
#     bash benches/hostile.sh [CASE ...]      (default: every case)
#
# BENCH_RUNS: runs of each (default 3); BENCH_TIMEOUT: seconds a run may take
# (default 300; a run cut is shown as "> 300 s").
# Needs Python 3 and taskset. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
# BENCH_BELLOWS: measure that binary instead of this tree's release build.
if [ -n "${BENCH_BELLOWS:-}" ]; then
    bellows=$BENCH_BELLOWS
else
    cargo build --release --locked >&2
    bellows=$PWD/target/release/bellows
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bellows-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT

declare -A full=(
    [add-columns-between-inserts]=100000 [indexes-on-one-table]=100000 [indexes-in-one-migration]=100000
    [many-tables-altered]=10000 [big-insert]=5000000 [many-migrations]=100000
)
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(add-columns-between-inserts indexes-on-one-table indexes-in-one-migration many-tables-altered big-insert many-migrations)

# Prints "<best seconds> <peak KB>" for the runs of bellows over $1: the
# time of each run to the microsecond (a tenth takes a few hundredths of a
# second, too short for /usr/bin/time's hundredths), the peak memory of the
# run (wait4's rusage of that one child).
measure() {
    python3 - "$runs" "${BENCH_TIMEOUT:-300}" "$bellows" "$1" <<'PY'
import os, subprocess, sys, threading, time
runs, limit, bellows, target = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
env = dict(os.environ, RAYON_NUM_THREADS="1")
best, kb = None, 0
for _ in range(runs):
    start = time.perf_counter()
    p = subprocess.Popen(["taskset", "-c", "0", bellows, "check", "--format", "json", target],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    cut = threading.Timer(limit, p.kill)
    cut.start()
    _, _, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - start
    if not cut.is_alive():
        took = float("inf")  # cut at the limit
    cut.cancel()
    best = took if best is None else min(best, took)
    kb = usage.ru_maxrss
print(f"{best:.4f} {kb}")
PY
}

echo "| case | size | input | time, tenth | time, full | full / tenth | memory, full | memory / input |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
    n=${full[$c]:?unknown case $c}
    for size in $((n / 10)) "$n"; do
        python3 benches/gen_corpus.py "$work/$c-$size" --case "$c" --statements "$size" 2>/dev/null
    done
    read -r t10 _ < <(measure "$work/$c-$((n / 10))")
    read -r t1 kb < <(measure "$work/$c-$n")
    bytes=$(find "$work/$c-$n" -type f -name '*.sql' -printf '%s\n' | awk '{s += $1} END {print s}')
    python3 - "$c" "$n" "$bytes" "$t10" "$t1" "$kb" <<'PY'
import os, sys
c, n, b, t10, t1, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
limit = os.environ.get("BENCH_TIMEOUT", "300")
show = lambda t: f"{t:.3f} s" if t != float("inf") else f"> {limit} s"
print(f"| {c} | {n:,} | {b / 1e6:.1f} MB | {show(t10)} | {show(t1)} | {t1 / t10:.1f} | {kb / 1024:.0f} MB | {kb * 1024 / b:.0f}x |")
PY
    rm -rf "$work/$c-"*
done

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
# Needs Python 3, taskset and GNU time (/usr/bin/time). Prints a Markdown table.
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
    [add-columns-between-inserts]=100000 [indexes-on-one-table]=100000
    [many-tables-altered]=10000 [big-insert]=5000000 [many-migrations]=100000
)
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(add-columns-between-inserts indexes-on-one-table many-tables-altered big-insert many-migrations)

# Prints "<best seconds> <peak KB>" for a run of bellows over $1.
measure() {
    local best="" kb=0 t m
    for _ in $(seq "$runs"); do
        RAYON_NUM_THREADS=1 /usr/bin/time -f '%e %M' -o "$work/time" \
            timeout "${BENCH_TIMEOUT:-300}" taskset -c 0 "$bellows" check --format json "$1" \
            >/dev/null 2>&1 || true
        read -r t m < <(tail -1 "$work/time")
        best=$(python3 -c "print(min(float('$t'), float('${best:-$t}')))")
        kb=$m
    done
    echo "$best $kb"
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
import sys
c, n, b, t10, t1, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print(f"| {c} | {n:,} | {b / 1e6:.1f} MB | {t10:.2f} s | {t1:.2f} s | {t1 / max(t10, 0.01):.1f} | {kb / 1024:.0f} MB | {kb * 1024 / b:.0f}x |")
PY
    rm -rf "$work/$c-"*
done

#!/usr/bin/env bash
# Writes .cargo/hot-symbols.txt: the functions a typical run of bellows
# executes, which `cargo build-static` hands to the linker
# (--symbol-ordering-file) so that they sit together at the start of the
# binary's code.
#
#   bash benches/hot_symbols.sh
#
# Why: a run on a directory of a few migrations executes about 1,500 of the
# binary's 7,400 functions, scattered over its 5.8 MB of code. Each 64 KB of
# code it touches costs a page fault (the kernel maps 16 pages around each
# one); on openfga (27 statements) that was 46 of the run's 140 page faults.
# With the ordering it is 30 (README, Performance, has the timings).
#
# The list names symbols as the compiler mangled them. A symbol the binary no
# longer has is skipped by the linker, so a stale list only orders less: run
# this again after changing dependencies, the compiler or the crate's version
# (which all change the names), or when the count of names found, printed at
# the end, drops.
#
# Needs valgrind (callgrind records which functions run).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${BENCH_SHARED:-$PWD/../shared/corpus}
out=.cargo/hot-symbols.txt

command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 2; }
cargo build-static >&2
bin=$PWD/target/x86_64-unknown-linux-gnu/release/bellows

work=$(mktemp -d "${TMPDIR:-/tmp}/bellows-hot.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/empty"

# The runs profiled: start-up alone, every output format over the fixtures
# (every rule and dialect), and each directory of the shared corpus as a
# user would lint it.
runs=(
    "--version"
    "--help"
    "rules"
    "explain drop-column"
    "check $work/empty"
)
for format in human json sarif github gitlab junit compact; do
    runs+=("check --format $format fixtures")
done
if [ -f "$shared/MANIFEST.tsv" ]; then
    while IFS=$'\t' read -r repo path; do
        runs+=("check --format json $shared/${repo/\//__}/$path")
        runs+=("check $shared/${repo/\//__}/$path")
    done < <(awk -F'\t' 'NR > 1 { print $1 "\t" $3 }' "$shared/MANIFEST.tsv")
fi

i=0
for args in "${runs[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # the arguments are split on purpose
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$i" \
        "$bin" $args >/dev/null 2>&1 || true
done

# Callgrind names each function once per file, as fn=(id) name or
# cfn=(id) name; '2 and the like mark recursion levels, 0x… unnamed code.
# The functions most runs execute come first, so that what every run needs
# (start-up, discovery, parsing, the JSON report) is packed densest; ties
# keep the order of first appearance.
for f in "$work"/cg.*; do
    sed -nE "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$f" | sed -E "s/'[0-9]+$//" | grep -v '^0x' | awk '!seen[$0]++'
done | awk '{ if (!($0 in runs)) first[$0] = NR; runs[$0]++ }
    END { for (s in runs) printf "%d\t%d\t%s\n", runs[s], first[s], s }' |
    sort -t$'\t' -k1,1nr -k2,2n | cut -f3 >"$work/order"
mv "$work/order" "$out"
# The link does not depend on the list as cargo sees it: make it link again.
touch src/main.rs

total=$(wc -l <"$out")
found=$(nm "$bin" | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u | comm -12 - <(sort -u "$out") | wc -l)
echo "$out: $total functions from ${#runs[@]} runs; $found of them in the binary" >&2

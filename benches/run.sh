#!/usr/bin/env bash
# The speed benchmark of issue 7: bellows (one core, all cores) against squawk
# (one core) on generated corpora and on the PostgreSQL directories of
# ../shared/corpus. Prints a Markdown table on stdout (progress on stderr) and
# keeps a copy in target/bench/results.md.
#
#   bash benches/run.sh
#
# Knobs, all optional (environment):
#   BENCH_SIZES    statements of the generated corpora        (default "10000 100000")
#   BENCH_RUNS     runs per measurement, the best one is kept (default 5)
#   BENCH_BUDGET   a measurement whose runs took less than this many seconds
#                  in all goes on, up to 200 runs, so that the best of a
#                  few-millisecond run is found as surely as of a long one
#                  (default 2)
#   BENCH_TIMEOUT  seconds one run may take before it is cut  (default 600)
#   BENCH_SEED     seed of the generator                      (default 1)
#   BENCH_SHARED   the shared corpus                          (default ../shared/corpus)
#   BENCH_VENV     private venv for squawk                    (default target/bench/venv)
#   BENCH_BELLOWS  the bellows binary to measure     (default: this tree's release build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sizes=${BENCH_SIZES:-10000 100000}
runs=${BENCH_RUNS:-5}
budget=${BENCH_BUDGET:-2}
limit=${BENCH_TIMEOUT:-600}
seed=${BENCH_SEED:-1}
shared=${BENCH_SHARED:-$root/../shared/corpus}
venv=${BENCH_VENV:-$root/target/bench/venv}
squawk_version=2.70.0
# The plain release build, as `cargo install` makes it; BENCH_BELLOWS: measure
# that binary instead (an older build, for a before/after table).
build=(cargo build --release --locked)
bellows=${BENCH_BELLOWS:-$root/target/release/bellows}

work=$(mktemp -d "${TMPDIR:-/tmp}/bellows-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { printf '%s\n' "$*" >&2; }

for tool in python3 taskset timeout /usr/bin/time; do
    command -v "$tool" >/dev/null || { log "missing: $tool"; exit 2; }
done

if [ -z "${BENCH_BELLOWS:-}" ]; then
    log "== ${build[*]}"
    "${build[@]}" >&2
fi

if ! "$venv/bin/squawk" --version 2>/dev/null | grep -qx "squawk $squawk_version"; then
    log "== installing squawk-cli $squawk_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "squawk-cli==$squawk_version" >&2
fi
squawk=$venv/bin/squawk

# ---------------------------------------------------------------- corpora
# Each corpus is a folder $work/c/<n>/ with: name, paths (what bellows gets,
# one a line), files (the same .sql files, for squawk, one a line) and, for the
# generated ones, stmts (statements in the up files and in all files).
ncorp=0
add_corpus() { # name
    ncorp=$((ncorp + 1))
    mkdir -p "$work/c/$ncorp"
    printf '%s\n' "$1" >"$work/c/$ncorp/name"
    : >"$work/c/$ncorp/paths"
    : >"$work/c/$ncorp/files"
}

for n in $sizes; do
    log "== generating $n statements (seed $seed)"
    dir=$work/gen-$n
    python3 benches/gen_corpus.py "$dir" --statements "$n" --seed "$seed" 2>"$work/gen-$n.log"
    cat "$work/gen-$n.log" >&2
    add_corpus "generated $n"
    printf '%s\n' "$dir" >"$work/c/$ncorp/paths"
    find "$dir" -name '*.sql' | sort >"$work/c/$ncorp/files"
    # "<m> migrations, <f> files, <u> up statements, <d> down statements, ..."
    sed -E 's/.* ([0-9]+) up statements, ([0-9]+) down statements.*/\1 \2/' \
        "$work/gen-$n.log" >"$work/c/$ncorp/stmts"
done

ncorp_generated=$ncorp
if [ -f "$shared/MANIFEST.tsv" ]; then
    # rows whose dialect is postgres, one corpus per repository
    prev=
    while IFS=$'\t' read -r repo dir layout; do
        if [ "$repo" != "$prev" ]; then
            add_corpus "$repo"
            prev=$repo
        fi
        path=$shared/${repo/\//__}/$dir
        [ -d "$path" ] || { log "missing corpus directory: $path"; exit 2; }
        printf '%s\n' "$path" >>"$work/c/$ncorp/paths"
        # The files bellows reads as PostgreSQL, ups and downs: *.sql but those
        # of another dialect (x.mysql.up.sql), and *.sql.postgres.
        find "$path" -type f \( -name '*.sql' -o -name '*.sql.postgres' \) \
            ! -name '*.mysql.*' ! -name '*.mariadb.*' ! -name '*.sqlite.*' ! -name '*.sqlite3.*' |
            sort >>"$work/c/$ncorp/files"
    done < <(awk -F'\t' 'NR > 1 && $5 == "postgres" { print $1 "\t" $3 "\t" $4 }' "$shared/MANIFEST.tsv")
    # All of them in one run each, as a repository holding them all would be
    # linted: the row that weighs each directory by its size, where a
    # directory of a few milliseconds is mostly process start-up.
    first_real=$((ncorp_generated + 1))
    if ((ncorp > first_real)); then
        add_corpus "the $((ncorp - first_real + 1)) repositories together"
        for ((c = first_real; c < ncorp; c++)); do
            cat "$work/c/$c/paths" >>"$work/c/$ncorp/paths"
            cat "$work/c/$c/files" >>"$work/c/$ncorp/files"
        done
    fi
else
    log "no $shared/MANIFEST.tsv: the real corpora are left out"
fi

# The generated files must be on disk before timing starts: their writeback
# would otherwise run during the first measurements.
sync

# ---------------------------------------------------------------- measuring
# Times are kept in whole microseconds ($EPOCHREALTIME without its dot), so
# that nothing but the measured command runs between two runs: a helper
# process (awk, tail, even a forked subshell) would evict the caches the next
# run then refills. The timed rounds run in benches/timed.sh.

# Each command is registered under a key, then run once untimed
# (first_run), then timed (timed). $work/r/<key> gets "<seconds> <KB>", or
# "timeout", or "fail <exit> <stderr line>"; $work/r/<key>.out keeps the
# output of the first run.
#
# The first run goes through GNU time (peak memory) and timeout (the cut),
# and is not timed. The timed runs have nothing between this shell and the
# command: the shell forks, the child execs the command, which writes to
# /dev/null (rewriting a file on this disk cost 0.7 ms a run, a quarter of a
# small directory's time, the same for both tools). `pin` pins this shell to
# core 0 first, so the command inherits it with no taskset process.
#
# The commands of one timed group run in turn: run i of bellows, then run i
# of squawk, then run i + 1 of each, and so on. A slow phase of the machine
# (this VM has some that last seconds) then falls on both tools alike
# instead of on whichever was being measured. Each round also times an
# empty subshell, the fork and wait around every command; its best is
# subtracted from each command's best, so the command's own exec, loading
# and exit count, as in `hyperfine -N`. A round is repeated $runs times, or
# more (up to 200) while all rounds together took less than $budget
# seconds, so that the best of a run of a few milliseconds is found as
# surely as that of a long one.
mkdir -p "$work/r"
all_cpus=$(taskset -pc $$ | sed 's/.*: //')
pin_shell() { # pin|free
    if [ "$1" = pin ]; then taskset -pc 0 $$ >/dev/null; else taskset -pc "$all_cpus" $$ >/dev/null; fi
}

timed_cmd=(/usr/bin/time -f '%e %M' -o "$work/time" timeout "$limit")
declare -A cmd_of env_of ok_of pin_of
ncmd=0
# register <key> <ok exit codes> <pin|free> <VAR=value or -> <cmd...>
register() {
    local key=$1
    ncmd=$((ncmd + 1))
    cmd_of[$key]=cmd_$ncmd
    ok_of[$key]=$2
    pin_of[$key]=$3
    env_of[$key]=$4
    shift 4
    declare -g -a "cmd_$ncmd"
    declare -n arr="cmd_$ncmd"
    arr=("$@")
}

# first_run <key>: the untimed run; fails (status 1) when the command was
# cut or failed, with $work/r/<key> saying so.
first_run() {
    local key=$1 rc line rss=""
    declare -n cmd="${cmd_of[$key]}"
    local env=${env_of[$key]} prefix=()
    [ "${pin_of[$key]}" = pin ] && prefix=(taskset -c 0)
    set +e
    (
        cd "$work" || exit 2
        [ "$env" = - ] || export "${env?}"
        "${prefix[@]}" "${timed_cmd[@]}" "${cmd[@]}"
    ) >"$work/r/$key.out" 2>"$work/r/$key.err"
    rc=$?
    set -e
    if [ "$rc" = 124 ]; then
        echo "timeout" >"$work/r/$key"
        log "   $key: cut after ${limit}s"
        return 1
    fi
    if [[ " ${ok_of[$key]} " != *" $rc "* ]]; then
        line=$(grep -v -e '^Command ' -e '^[0-9.]* [0-9]*$' "$work/r/$key.err" | head -n 1)
        echo "fail $rc ${line:-no message}" >"$work/r/$key"
        log "   $key: FAILED with exit $rc: ${line:-}"
        return 1
    fi
    while read -r _ line; do rss=$line; done <"$work/time"
    echo "$rss" >"$work/r/$key.rss"
    tail -n 1 "$work/time" >"$work/r/$key.first"
}

# timed <pin|free> <key>...: the timed rounds of these commands, in a fresh
# shell (benches/timed.sh), which inherits this shell's pinning.
timed() {
    local pin=$1 key
    shift
    [ $# -gt 0 ] || return 0
    local args=()
    for key in "$@"; do
        declare -n cmd="${cmd_of[$key]}"
        printf '%s\0' "${cmd[@]}" >"$work/r/$key.cmd"
        args+=("$key" "${env_of[$key]}" "${ok_of[$key]}")
    done
    # Runs of a few milliseconds go in blocks of 10, so that most of a
    # tool's runs follow its own run and not the other tool's (which would
    # have evicted its code from the CPU caches; squawk's binary is 24 MB,
    # bellows' 8). Longer runs alternate one by one.
    local block=1 elapsed
    for key in "$@"; do
        read -r elapsed _ <"$work/r/$key.first"
        if awk -v e="$elapsed" 'BEGIN { exit !(e < 0.05) }'; then block=10; fi
    done
    pin_shell "$pin"
    bash --noprofile --norc "$root/benches/timed.sh" "$work" "$runs" "$budget" "$block" "${args[@]}"
    pin_shell free
    for key in "$@"; do
        if [ -f "$work/r/$key.time" ]; then
            echo "$(cat "$work/r/$key.time") $(cat "$work/r/$key.rss")" >"$work/r/$key"
        fi
    done
}

for ((c = 1; c <= ncorp; c++)); do
    name=$(cat "$work/c/$c/name")
    mapfile -t paths <"$work/c/$c/paths"
    mapfile -t files <"$work/c/$c/files"
    log "== $name: ${#paths[@]} director(y/ies), ${#files[@]} files for squawk"
    register "$c.b1" "0 1" pin RAYON_NUM_THREADS=1 "$bellows" check --format json "${paths[@]}"
    register "$c.bn" "0 1" free - "$bellows" check --format json "${paths[@]}"
    register "$c.sq" "0 1" pin - "$squawk" --reporter json "${files[@]}"
    # bellows and squawk on one core, in turn; then bellows on all cores
    pinned=()
    for k in b1 sq; do
        if first_run "$c.$k"; then pinned+=("$c.$k"); fi
    done
    timed pin "${pinned[@]}"
    if first_run "$c.bn"; then timed free "$c.bn"; fi
    # what bellows read and whether it could parse it, from whichever run finished
    for k in b1 bn; do
        if [ -s "$work/r/$c.$k.out" ] && python3 - "$work/r/$c.$k.out" >"$work/c/$c/summary" <<'EOF'; then break; fi
import json, sys
d = json.load(open(sys.argv[1]))
pe = [x for x in d["diagnostics"] if x["rule"] == "parse-error"]
print(d["summary"]["statements"], len(pe))
for x in pe[:5]:
    loc = x["start"]["line"] if x.get("start") else "-"
    print(f'{x["path"]}:{loc}: {x["message"][:200]}')
EOF
    done
done

# generated_corpus <statements>: the number of the generated corpus of that size
generated_corpus() {
    grep -lx "generated $1" "$work"/c/*/name | head -n 1 | xargs dirname | xargs basename
}

# Linearity: bellows on one core over the smallest and the largest generated
# corpus again, now timed in turn, round after round. Timed apart above, the
# small one gets up to 200 runs and the large one 5, and a slow phase of the
# VM falls on one of them only: both bias the ratio, the first always upward.
set -- $sizes
if [ $# -ge 2 ]; then
    lin_small=$1 lin_large=${!#}
    lin_keys=()
    for size in "$lin_small" "$lin_large"; do
        c=$(generated_corpus "$size")
        [ -f "$work/r/$c.b1.time" ] || continue
        declare -n src="${cmd_of[$c.b1]}"
        register "lin.$size" "0 1" pin RAYON_NUM_THREADS=1 "${src[@]}"
        unset -n src
        cp "$work/r/$c.b1.first" "$work/r/lin.$size.first"
        cp "$work/r/$c.b1.rss" "$work/r/lin.$size.rss"
        lin_keys+=("lin.$size")
    done
    if [ ${#lin_keys[@]} = 2 ]; then
        # at least 10 rounds: the ratio is the goal's own measure
        log "== linearity: generated $lin_small and $lin_large, one core, in turn"
        saved_runs=$runs
        runs=$((runs > 10 ? runs : 10))
        timed pin "${lin_keys[@]}"
        runs=$saved_runs
    fi
fi

# A generated corpus must give no parse-error at all. Its full run may have
# been cut, so benches/parse_check.py lints it in slices.
log "== parse-error check of the generated corpora, in slices of 500 migrations"
for ((c = 1; c <= ncorp; c++)); do
    [ -f "$work/c/$c/stmts" ] || continue
    python3 benches/parse_check.py "$bellows" "$(cat "$work/c/$c/paths")" "$work/slices" \
        >"$work/c/$c/parsecheck"
    log "   $(cat "$work/c/$c/name"): $(head -n 1 "$work/c/$c/parsecheck") parse-error(s)"
done

# ---------------------------------------------------------------- the table
cell() { # key -> "s | MB"
    local r
    r=$(cat "$work/r/$1")
    case $r in
        timeout) echo "> $limit (cut) | –" ;;
        fail*) echo "FAILED (exit $(echo "$r" | cut -d' ' -f2)) | –" ;;
        *) awk -v s="${r% *}" -v k="${r#* }" 'BEGIN { printf "%.4f | %.1f", s, k / 1024 }' ;;
    esac
}
secs() { # key -> seconds, or empty
    local r
    r=$(cat "$work/r/$1")
    case $r in timeout | fail*) echo "" ;; *) echo "${r% *}" ;; esac
}

out=$work/table.md
{
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 / 1024)) GiB"
    if [ -n "${BENCH_BELLOWS:-}" ]; then
        what="bellows $BENCH_BELLOWS"
    else
        what="bellows (${build[*]}) $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo '+local changes')"
    fi
    echo "$what, $("$squawk" --version); best of $runs runs (of up to 200 while under ${budget}s in all), ${limit}s cut per run"
    echo
    echo "| corpus | statements | bellows 1 core | bellows all cores | squawk 1 core | squawk / bellows 1 core |"
    echo "|---|---:|---:|---:|---:|---:|"
    for ((c = 1; c <= ncorp; c++)); do
        name=$(cat "$work/c/$c/name")
        if [ -f "$work/c/$c/stmts" ]; then
            read -r up down <"$work/c/$c/stmts"
            stmts="$up up + $down down"
        elif [ -s "$work/c/$c/summary" ]; then
            stmts="$(head -n 1 "$work/c/$c/summary" | cut -d' ' -f1) (all files)"
        else
            stmts="?"
        fi
        b1=$(secs "$c.b1")
        sq=$(secs "$c.sq")
        ratio=–
        if [ -n "$b1" ] && [ -n "$sq" ]; then
            ratio=$(awk -v a="$sq" -v b="$b1" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a (0.00 s)" }')
        fi
        echo "| $name | $stmts | $(cell "$c.b1" | sed 's/ | / s, /; s/$/ MB/; s/– MB/–/') | $(cell "$c.bn" | sed 's/ | / s, /; s/$/ MB/; s/– MB/–/') | $(cell "$c.sq" | sed 's/ | / s, /; s/$/ MB/; s/– MB/–/') | $ratio |"
    done
    echo
    # linearity: largest generated corpus against the smallest
    set -- $sizes
    if [ $# -ge 2 ]; then
        small=$1 large=${!#}
        ks=$(generated_corpus "$small")
        kl=$(generated_corpus "$large")
        ts=$(secs "$ks.b1")
        tl=$(secs "$kl.b1")
        goal=$(awk -v a="$large" -v b="$small" 'BEGIN { printf "%g", 1.1 * a / b }')
        if [ -f "$work/r/lin.$small" ] && [ -f "$work/r/lin.$large" ] &&
            [ -n "$(secs "lin.$small")" ] && [ -n "$(secs "lin.$large")" ]; then
            ls_=$(secs "lin.$small")
            ll_=$(secs "lin.$large")
            echo "Linearity (bellows 1 core, the two timed in turn): time at $large / time at $small = $(awk -v a="$ll_" -v b="$ls_" 'BEGIN { printf "%.2f", a / b }') ($ll_ s / $ls_ s; goal ≤ $goal); from the rows above, timed apart: $(awk -v a="$tl" -v b="$ts" 'BEGIN { printf "%.2f", a / b }')"
        elif [ -n "$ts" ] && [ -n "$tl" ]; then
            echo "Linearity (bellows 1 core): time at $large / time at $small = $(awk -v a="$tl" -v b="$ts" 'BEGIN { printf "%.2f", a / b }') (goal ≤ $goal)"
        elif [ -n "$ts" ]; then
            echo "Linearity (bellows 1 core): time at $large / time at $small > $(awk -v a="$limit" -v b="$ts" 'BEGIN { printf "%.0f", a / b }') (the $large run was cut at ${limit}s; goal ≤ $goal)"
        else
            echo "Linearity (bellows 1 core): not measured (the $small run did not finish)"
        fi
    fi
    # anything odd
    for ((c = 1; c <= ncorp; c++)); do
        name=$(cat "$work/c/$c/name")
        for k in b1 bn sq; do
            r=$(cat "$work/r/$c.$k")
            [[ $r == fail* ]] && echo "- $name, $k: $r"
        done
        if [ -s "$work/c/$c/parsecheck" ]; then
            pe=$(head -n 1 "$work/c/$c/parsecheck")
            if [ "$pe" != 0 ]; then
                echo "- $name: $pe parse-error diagnostic(s) on the generated SQL, e.g."
                tail -n +2 "$work/c/$c/parsecheck" | sed 's/^/    /'
            else
                echo "- $name: no parse-error diagnostic (checked in slices of 500 migrations)"
            fi
        elif [ -s "$work/c/$c/summary" ]; then
            pe=$(head -n 1 "$work/c/$c/summary" | cut -d' ' -f2)
            if [ "$pe" != 0 ]; then
                echo "- $name: $pe parse-error diagnostic(s), e.g."
                tail -n +2 "$work/c/$c/summary" | sed 's/^/    /'
            fi
        fi
    done
} >"$out"

mkdir -p target/bench
cp "$out" target/bench/results.md
cat "$out"

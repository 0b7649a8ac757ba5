#!/usr/bin/env bash
# The timed rounds of benches/run.sh, run in a fresh shell: forking a shell
# costs more the more memory it holds, and run.sh's grows with the lists of
# files it keeps (its empty subshell went from 0.46 to 1.1 ms over a run).
# This one holds only the commands of one group, so each fork stays cheap
# and steady.
#
#   timed.sh <work> <runs> <budget> <block> (<key> <VAR=value or -> <ok exit codes>)...
#
# The command of <key> is read from <work>/r/<key>.cmd (its arguments,
# NUL-separated). The commands run in turn, round after round, <block> runs
# of each per round, with an empty subshell timed in each round. A round is
# repeated <runs> times, or more (up to 200 runs of each command) while all
# rounds together took less than <budget> seconds. Writes the best time of each
# command, minus the best time of the empty subshell, in seconds, to
# <work>/r/<key>.time, or "fail <exit> run <i>" to <work>/r/<key>. The
# shell's CPU pinning, set by the caller, is what the commands inherit.
set -euo pipefail
work=$1 runs=$2 budget=$3 block=$4
shift 4

log() { printf '%s\n' "$*" >&2; }
fmt_us() { # <var> <microseconds>: var = "<seconds>.<micro>"
    printf -v "$1" '%d.%06d' $(($2 / 1000000)) $(($2 % 1000000))
}

keys=()
declare -A env_of ok_of var_of best failed
n=0
while [ $# -ge 3 ]; do
    n=$((n + 1))
    keys+=("$1")
    env_of[$1]=$2
    ok_of[$1]=$3
    var_of[$1]=cmd_$n
    mapfile -d '' -t "cmd_$n" <"$work/r/$1.cmd"
    shift 3
done

printf -v budget_us '%.6f' "$budget"
budget_us=$((10#${budget_us/./}))
spent=0
sub=""
for ((i = 1; i * block <= 200; i++)); do
    ((i > runs && spent >= budget_us)) && break
    t0=$EPOCHREALTIME
    (cd "$work" && :)
    t1=$EPOCHREALTIME
    us=$((10#${t1/./} - 10#${t0/./}))
    if [ -z "$sub" ] || ((us < sub)); then sub=$us; fi
    for key in "${keys[@]}"; do
        [ -z "${failed[$key]:-}" ] || continue
        declare -n cmd="${var_of[$key]}"
        env=${env_of[$key]}
        for ((b = 0; b < block; b++)); do
            set +e
            if [ "$env" = - ]; then
                t0=$EPOCHREALTIME
                (cd "$work" && exec "${cmd[@]}") >/dev/null 2>&1
                rc=$?
                t1=$EPOCHREALTIME
            else
                t0=$EPOCHREALTIME
                (cd "$work" && export "${env?}" && exec "${cmd[@]}") >/dev/null 2>&1
                rc=$?
                t1=$EPOCHREALTIME
            fi
            set -e
            if [[ " ${ok_of[$key]} " != *" $rc "* ]]; then
                failed[$key]=1
                echo "fail $rc run $i" >"$work/r/$key"
                log "   $key: round $i FAILED with exit $rc"
                break
            fi
            us=$((10#${t1/./} - 10#${t0/./}))
            spent=$((spent + us))
            if ((i <= runs && b == 0)); then
                fmt_us txt "$us"
                log "   $key: round $i, first run ${txt}s (exit $rc)"
            fi
            if [ -z "${best[$key]:-}" ] || ((us < best[$key])); then best[$key]=$us; fi
        done
    done
done
fmt_us txt "$sub"
log "   $((i - 1)) rounds of $block run(s) each; an empty subshell took ${txt}s at best, subtracted"
for key in "${keys[@]}"; do
    [ -z "${failed[$key]:-}" ] || continue
    us=$((best[$key] > sub ? best[$key] - sub : 0))
    fmt_us txt "$us"
    log "   $key: best ${txt}s"
    echo "$txt" >"$work/r/$key.time"
done

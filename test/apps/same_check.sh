#!/usr/bin/env bash
# Runs an application under plain `mpirun -np 2` and under
# `ferry run -n 1 --functions 1 --mode warm`; both must exit 0, print exactly one line
# `result app=... ranks=2 time=... check=VALUE [NAME=VALUE...]`, and agree on VALUE.
#
#   same_check.sh PROGRAM [ARGS...]      (FERRY=path/to/ferry in the environment)
#
# Each run is bounded by `timeout 120`.
set -u

[[ $# -ge 1 ]] || { echo "usage: same_check.sh PROGRAM [ARGS...]" >&2; exit 2; }
[[ -x $1 ]] || { echo "same_check.sh: $1 is not an executable" >&2; exit 2; }
[[ -n ${FERRY:-} && -x ${FERRY:-} ]] || { echo "same_check.sh: FERRY must name the ferry executable" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check_of NAME COMMAND...: runs the command and prints the check value of its result line.
check_of() {
  local name=$1
  shift
  timeout 120 "$@" >"$work/$name.out" 2>"$work/$name.err"
  local status=$?
  local results
  results=$(grep -E '^result app=[a-z_]+ ranks=[0-9]+ time=[0-9.]+ check=[^ ]+( [a-z]+=[^ ]+)*$' "$work/$name.out")
  if (( status != 0 )) || [[ $(grep -c . <<<"$results") -ne 1 ]] || [[ $results != *" ranks=2 "* ]]; then
    echo "FAILED (exit status $status, expected one result line with ranks=2): $*" >&2
    echo "--- stdout:" >&2
    cat "$work/$name.out" >&2
    echo "--- stderr:" >&2
    cat "$work/$name.err" >&2
    return 1
  fi
  echo "$name: $results" >&2
  local value=${results##*check=}
  echo "${value%% *}"
}

reference=$(check_of mpirun mpirun --allow-run-as-root --oversubscribe -np 2 "$@") || exit 1
offloaded=$(check_of ferry "$FERRY" run -n 1 --functions 1 --mode warm -- "$@") || exit 1
if [[ $reference != "$offloaded" ]]; then
  echo "FAILED: check=$reference under mpirun, check=$offloaded under ferry run" >&2
  exit 1
fi
echo "ok: check=$reference under both"

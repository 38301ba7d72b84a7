#!/bin/bash
# compare_test.sh FERRY PROGRAM SCENARIO [MODE]: runs `ferry compare` on the result
# program and checks its output, files and exit status for one scenario.
set -u
ferry=$1 program=$2 scenario=$3 mode=${4:-warm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL ($scenario): $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }

# compare ARGS...: runs ferry compare (with the environment in $compare_env), leaving
# stdout, stderr and the exit code in $work.
compare_env=()
compare() {
  timeout 240 env "${compare_env[@]}" "$ferry" compare "$@" >"$work/out" 2>"$work/err"
  status=$?
  [ "$status" -ne 124 ] || fail "ferry compare did not finish"
}

expect_error() {
  [ "$status" -ne 0 ] || fail "expected a non-zero exit"
  grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1'"
}

case $scenario in
success)
  compare -n 1 --functions 1 --repeat 2 --mode "$mode" --csv "$work/times.csv" --plot "$work/times.png" -- "$program" agree
  [ "$status" -eq 0 ] || fail "exit code $status"
  tail -n 1 "$work/out" | grep -qE '^speedup [0-9]+\.[0-9]{2} efficiency [0-9]+\.[0-9]{2}$' || fail "last line is not 'speedup S efficiency E'"
  grep -q '^\[6/6\] ' "$work/err" || fail "no progress line for the sixth run"
  for label in 'mpirun -np 1' 'mpirun -np 2' "ferry run -n 1 --functions 1 --mode $mode"; do
    grep -qF "$label" "$work/out" || fail "the table lacks '$label'"
  done
  [ "$(head -n 1 "$work/times.csv")" = "row,configuration,ranks,repeat,seconds,check" ] || fail "CSV header"
  [ "$(grep -c '^run,' "$work/times.csv")" -eq 6 ] || fail "CSV does not have 6 run rows"
  [ "$(grep -c '^run,.*,11999994$' "$work/times.csv")" -eq 6 ] || fail "CSV run rows lack the check value"
  [ "$(grep -c '^median,' "$work/times.csv")" -eq 3 ] || fail "CSV does not have 3 median rows"
  grep -q '^speedup,' "$work/times.csv" && grep -q '^efficiency,' "$work/times.csv" || fail "CSV lacks the summary rows"
  [ "$(head -c 8 "$work/times.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "times.png is not a PNG file"
  ;;
check_mismatch)
  compare -n 1 --functions 1 --repeat 1 --mode warm -- "$program" by_ranks
  expect_error "check values disagree"
  expect_error "-np 2"
  expect_error "check=11999995"
  expect_error "check=11999996"
  ;;
failing_program)
  compare -n 1 --functions 1 --repeat 1 --mode warm -- "$program" fail
  expect_error "run failed with exit code"
  expect_error "$program fail"
  expect_error "failing on purpose"
  ;;
bad_input)
  compare -n 1 --functions 1 --repeat 0 -- "$program"
  expect_error "--repeat must be at least 1"
  compare -n 1 --functions 0 -- "$program"
  expect_error "--functions must be at least 1"
  compare -n 1 --functions 1 --mode fast -- "$program"
  expect_error "--mode must be hot, warm, adaptive or auto"
  compare -n 1 --functions 1 --csv "$work/missing/times.csv" -- "$program"
  expect_error "--csv: the directory '$work/missing' does not exist"
  compare -n 1 --functions 1
  expect_error "missing '-- PROGRAM ARGS...'"
  compare_env=(PATH=/nonexistent)
  compare -n 1 --functions 1 --plot "$work/x.png" -- "$program"
  expect_error "needs gnuplot"
  ;;
*)
  echo "unknown scenario '$scenario'"
  exit 2
  ;;
esac
echo "PASS ($scenario)"

#!/bin/sh
# A Fortran MPI program under the shim: refused at MPI_Init when the job has function
# ranks, run normally when it has none.
# usage: check_fortran_guard.sh FORTRAN_PROGRAM LIBFERRY_MPI EXPECTED_OUTPUT
set -u

if [ "$#" -ne 3 ]; then
  echo "usage: $0 fortran-program libferry_mpi.so expected-output" >&2
  exit 2
fi
program=$1 shim=$2 expected=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
refusal="calls MPI from Fortran; function ranks support C and C++ MPI programs only"

run() {
  env -u FERRY_ROLE -u FERRY_FUNCTIONS LD_PRELOAD="$shim" "$@" "$program" > "$work/out" 2>&1
}

expect_refusal() {
  if run "$@"; then
    echo "FAIL: $* ran the Fortran program instead of refusing it" >&2
    failures=$((failures + 1))
  elif ! grep -q "$refusal" "$work/out"; then
    echo "FAIL: $* exited without the refusal message; output:" >&2
    cat "$work/out" >&2
    failures=$((failures + 1))
  elif grep -q "$expected" "$work/out"; then
    echo "FAIL: $* refused, but only after the program ran" >&2
    failures=$((failures + 1))
  fi
}

expect_normal_run() {
  if ! run "$@" || ! grep -q "$expected" "$work/out"; then
    echo "FAIL: $* did not run the Fortran program normally; output:" >&2
    cat "$work/out" >&2
    failures=$((failures + 1))
  fi
}

expect_refusal FERRY_FUNCTIONS=1
expect_refusal FERRY_FUNCTIONS=16
expect_refusal FERRY_ROLE=function
expect_normal_run FERRY_FUNCTIONS=0
expect_normal_run
if run FERRY_FUNCTIONS=lots || ! grep -q "FERRY_FUNCTIONS must be a non-negative number" "$work/out"; then
  echo "FAIL: FERRY_FUNCTIONS=lots was not reported as invalid" >&2
  failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "$(basename "$program"): refused with function ranks, runs without them"

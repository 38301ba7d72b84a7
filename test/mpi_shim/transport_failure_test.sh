#!/bin/bash
# No exception crosses the C ABI: a transport failure injected under MPI_Send goes to the error
# handler of MPI_COMM_WORLD. With MPI_ERRORS_RETURN the call returns MPI_ERR_OTHER; with
# the default handler the job ends with a message that names MPI_Send.
#   transport_failure_test.sh FERRY PROGRAM
set -u
ferry=$1 program=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

run() {
  FERRY_TEST_FAIL_SENDS_TO=1 timeout -k 5 120 "$ferry" run -n 1 --functions 1 --mode warm -- "$program" "$@" \
    >"$work/out" 2>&1
}

run return
status=$?
if ! grep -q "^MPI_Send returned an error$" "$work/out" || ! grep -q "^error class is MPI_ERR_OTHER: yes$" "$work/out"; then
  echo "FAIL: with MPI_ERRORS_RETURN, MPI_Send did not return MPI_ERR_OTHER (exit $status):"; cat "$work/out"
  failures=$((failures + 1))
elif ((status == 0 || status >= 124)); then
  echo "FAIL: with MPI_ERRORS_RETURN the job should end through MPI_Abort, it exited $status:"; cat "$work/out"
  failures=$((failures + 1))
fi

run fatal
status=$?
if grep -q "^MPI_Send returned" "$work/out"; then
  echo "FAIL: with MPI_ERRORS_ARE_FATAL, MPI_Send returned:"; cat "$work/out"
  failures=$((failures + 1))
elif ((status == 0 || status >= 124)) || ! grep -q "in MPI_Send" "$work/out"; then
  echo "FAIL: with MPI_ERRORS_ARE_FATAL the job should end with a message naming MPI_Send, exit $status:"
  cat "$work/out"
  failures=$((failures + 1))
fi
if grep -q "terminate called" "$work/out"; then
  echo "FAIL: an exception reached std::terminate"; failures=$((failures + 1))
fi
((failures == 0)) && echo "PASS: the UCX failure reached the error handler both ways"
exit $((failures > 0))

#!/bin/bash
# A start-up hello without the job's secret is refused and the job still completes.
#   impostor_test.sh FERRY IMPOSTOR_PROGRAM
set -u
ferry=$1
program=$2
out=$(timeout -k 5 60 "$ferry" run -n 1 --functions 1 --mode warm -- "$program" 2>&1)
status=$?
sleep 3  # the impostor ends itself (alarm) after the test's checks would otherwise race it
echo "$out"
[ "$status" -eq 0 ] || { echo "FAIL: the job exited with $status"; exit 1; }
echo "$out" | grep -q "world 2, sum of ranks 1" || { echo "FAIL: wrong world"; exit 1; }
echo "$out" | grep -q "refused a start-up connection" || { echo "FAIL: the impostor was not refused"; exit 1; }
if pgrep -x "$(basename "$program")" >/dev/null; then echo "FAIL: processes left"; exit 1; fi
echo PASS

#!/bin/bash
# `ferry run` itself, with no function ranks (the shim passes everything through):
# options, the batch ranks' environment, exit status, the summary line, SIGTERM.
#   run_cli_test.sh FERRY
set -u
ferry=$(realpath "$1")
work=$(mktemp -d /tmp/ferry-run-cli-XXXXXX)
sleeper=$work/ferry_sleeper
cleanup() { pkill -9 -x ferry_sleeper 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out" 2>/dev/null; exit 1; }

"$ferry" run --help >"$work/out" 2>&1 || fail "--help"
grep -q -- "--functions" "$work/out" || fail "--help does not describe --functions"
"$ferry" shim-path >"$work/out" 2>&1 || fail "ferry shim-path"
[ -f "$(cat "$work/out")" ] || fail "ferry shim-path printed no file"

"$ferry" run -n 1 >"$work/out" 2>&1 && fail "a missing program was accepted"
grep -q "PROGRAM" "$work/out" || fail "no clear message for a missing program"
"$ferry" run -n 1 --mode lukewarm -- /bin/true >"$work/out" 2>&1 && fail "a bad --mode was accepted"
grep -q "mode" "$work/out" || fail "no clear message for a bad --mode"

LD_PRELOAD= timeout -k 5 60 "$ferry" run -n 2 -- /bin/sh -c \
  'echo "env $FERRY_FUNCTIONS $FERRY_MODE ${FERRY_JOB:+job} ${FERRY_REPORT:+report} $LD_PRELOAD"; exit 5' \
  >"$work/out" 2>&1
status=$?
[ "$status" -eq 5 ] || fail "exit status $status, expected the program's 5"
[ "$(grep -c "^env 0 auto job report .*libferry_mpi.so" "$work/out")" -eq 2 ] ||
  fail "the two batch ranks did not see the FERRY_* variables and the shim preloaded"
grep -q "^ferry run: 2 ranks (2 batch + 0 function), leases none, wall [0-9.]* s, billed 0.00 core-s$" "$work/out" ||
  fail "no summary line"

cp /bin/sleep "$sleeper"
timeout -k 5 60 "$ferry" run -n 2 -- "$sleeper" 600 >"$work/out" 2>&1 &
job=$!
for _ in $(seq 100); do [ "$(pgrep -c -x ferry_sleeper)" -ge 2 ] && break; sleep 0.1; done
[ "$(pgrep -c -x ferry_sleeper)" -ge 2 ] || fail "the batch ranks did not start"
kill -TERM "$job"
wait "$job"
status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "exit status $status after SIGTERM"
pgrep -x ferry_sleeper >/dev/null && fail "batch ranks are left after SIGTERM: $(pgrep -a -x ferry_sleeper)"
# A launcher that hangs once its rank has ended (as Open MPI's mpirun can, in its PMIx
# shutdown) is stopped, and the job ends with the rank's exit code.
mkdir "$work/hanging"
cat >"$work/hanging/mpirun" <<'LAUNCHER'
#!/usr/bin/env python3
import os, time
if os.fork() == 0:
    os._exit(3)
time.sleep(3600)
LAUNCHER
chmod +x "$work/hanging/mpirun"
PATH="$work/hanging:$PATH" timeout -k 5 60 "$ferry" run -n 1 -- /bin/true >"$work/out" 2>&1
status=$?
[ "$status" -eq 3 ] || fail "exit status $status after a hanging launcher, expected its rank's 3"
grep -q "the launcher has not exited .* after its last rank ended; stopping it" "$work/out" ||
  fail "no message about the hanging launcher"
echo PASS

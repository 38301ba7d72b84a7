#!/usr/bin/env bash
# Jobs of `ferry run` that connect to each other (MPI_Open_port, MPI_Comm_accept and
# MPI_Comm_connect), publish and look up names, join two ranks over a socket, or fail to
# connect, against a `ferry manager` and a `ferry spawner` started here on loopback.
# Open MPI 4.1 cannot connect singletons here, so the expected outputs are written below
# instead of taken from plain mpirun.
#
#   connect_accept_test.sh FERRY SCENARIO PROGRAM
#
# SCENARIO is pair, pair_hybrid or names (PROGRAM: pair), join (join), errors
# (port_errors) or fortran (a build of ports.F90).
#
# Jobs wait in FERRY_TEST_MODE (hot, warm or adaptive; default warm). Every job is
# bounded by `timeout`. Every process started here carries FERRY_TEST_RUN in
# its environment; any still there at the end is killed by its pid and fails the test.
set -u
ferry=$(realpath "$1")
scenario=$2
program=$(realpath "$3")
work=$(mktemp -d /tmp/ferry-connect-XXXXXX)
run_id="connect-$$-$RANDOM"
job_limit=${FERRY_TEST_TIMEOUT:-150}
mode=${FERRY_TEST_MODE:-warm}
daemons=()
jobs=()
failed=0

# The prefix of every command started here (env execs it, so $! is its pid). A job
# without --manager must not find one in the environment either.
tagged=(env -u FERRY_MANAGER FERRY_TEST_RUN="$run_id")

# Pids of the processes this run started that are still there.
tagged_processes() {
  local dir
  for dir in /proc/[0-9]*; do
    { tr '\0' '\n' <"$dir/environ"; } 2>/dev/null | grep -qx "FERRY_TEST_RUN=$run_id" && echo "${dir#/proc/}"
  done
}

cleanup() {
  for pid in "${jobs[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  local left=""
  for _ in $(seq 50); do
    left=$(tagged_processes)
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    echo "FAIL ($scenario): processes left behind:"
    for pid in $left; do echo "  $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"; kill -KILL "$pid" 2>/dev/null; done
    failed=1
  fi
  rm -rf "$work"
  exit $failed
}
trap cleanup EXIT

fail() {
  echo "FAIL ($scenario): $*"
  failed=1
  exit 1
}

start_daemon() {
  local extra=()
  # The jobs here run as root: a root spawner serves root's leases only when told to.
  [ "$1" = spawner ] && [ "$(id -u)" -eq 0 ] && extra=(--allow-root-owner)
  "${tagged[@]}" "$ferry" "$@" "${extra[@]}" >"$work/$1.log" 2>&1 &
  daemons+=($!)
}

# The address the daemon COMMAND listens on, once it says so.
address_of() {
  for _ in $(seq 200); do
    local address
    address=$(sed -n 's/^ferry [a-z]* .*listening on \([^ ]*\)$/\1/p' "$work/$1.log" | head -1)
    if [ -n "$address" ]; then echo "$address"; return 0; fi
    sleep 0.1
  done
  echo "ferry $1 did not start:" >&2
  cat "$work/$1.log" >&2
  return 1
}

start_cluster() {
  "$ferry" secret "$work/secret" >/dev/null || fail "ferry secret failed"
  start_daemon manager --secret-file "$work/secret"
  manager=$(address_of manager) || fail "no manager"
  start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 4
  address_of spawner >/dev/null || fail "no spawner"
  for _ in $(seq 100); do
    "$ferry" status --manager "$manager" --json 2>/dev/null | grep -q '"cores_leased"' && return 0
    sleep 0.1
  done
  fail "the spawner did not register"
}

# start_job NAME RUN-ARGS... -- PROGRAM ARGS...: a bounded `ferry run` in the background.
start_job() {
  local name=$1
  shift
  "${tagged[@]}" timeout -k 5 "$job_limit" "$ferry" run --mode "$mode" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  jobs+=($!)
  eval "${name}_pid=$!"
}

# finish_job NAME EXPECTED [ucx-errors]: waits for the job and compares its output with
# EXPECTED; with `ucx-errors`, leaving out the errors UCX logs (to stdout) on the way.
finish_job() {
  local name=$1 expected=$2 pid_name="${1}_pid"
  wait "${!pid_name}"
  local status=$?
  sed -e 's/[[:space:]]*$//' "$work/$name.out" >"$work/$name.compared"
  if [ "${3:-}" = ucx-errors ]; then sed -i '/ UCX  ERROR /d' "$work/$name.compared"; fi
  if ((status != 0)); then
    echo "FAIL ($scenario): job $name exited with status $status$( ((status == 124)) && echo ' (timed out)')"
    echo "--- stdout:"; cat "$work/$name.out"
    echo "--- stderr:"; cat "$work/$name.err"
    failed=1
    return
  fi
  if ! diff -u --label "expected $name" --label "job $name" <(echo "$expected") "$work/$name.compared"; then
    echo "FAIL ($scenario): job $name printed something else"
    echo "--- stderr:"; cat "$work/$name.err"
    failed=1
    return
  fi
  echo "ok: job $name"
}

# Waits until FILE exists, or fails when the job NAME has ended first.
wait_for_file() {
  local file=$1 pid_name="${2}_pid"
  for _ in $(seq $((job_limit * 10))); do
    [ -s "$file" ] && return 0
    kill -0 "${!pid_name}" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL ($scenario): job $2 never wrote $file"
  cat "$work/$2.out" "$work/$2.err"
  exit 1
}

# The lines each rank of a pair job prints: ranks local, remote processes.
pair_lines() {
  local rank=$1 local_size=$2 remote_size=$3 extra_first=$4 extra_after_merge=$5
  local total=$((local_size + remote_size))
  [ -n "$extra_first" ] && printf '[%d] %s\n' "$rank" "$extra_first"
  printf '[%d] connected: %d local and %d remote processes\n' "$rank" "$local_size" "$remote_size"
  printf '[%d] messages both ways: ok\n' "$rank"
  printf '[%d] merged %d processes, allreduce %d\n' "$rank" "$total" $((total * (total + 1) / 2))
  if [ -n "$extra_after_merge" ]; then
    local line
    while IFS= read -r line; do printf '[%d] %s\n' "$rank" "$line"; done <<<"$extra_after_merge"
  fi
  printf '[%d] disconnected\n' "$rank"
}

# expected_pair ROLE LOCAL REMOTE NAMES: what a pair job prints.
expected_pair() {
  local role=$1 local_size=$2 remote_size=$3 names=$4 first="" after=""
  if [ "$role" = server ]; then
    [ "$names" = yes ] && first="publishing again: MPI_ERR_SERVICE" && after="unpublishing again: MPI_ERR_SERVICE"
  else
    [ "$names" = yes ] && first="looked the port up"
    after="connect to a closed port: MPI_ERR_PORT
connect to a malformed port name: MPI_ERR_PORT"
    [ "$names" = yes ] && after="$after
lookup after unpublishing: MPI_ERR_NAME
lookup of an unknown name: MPI_ERR_NAME"
  fi
  pair_lines 0 "$local_size" "$remote_size" "$first" "$after"
  for ((rank = 1; rank < local_size; ++rank)); do pair_lines "$rank" "$local_size" "$remote_size" "" ""; done
  echo "done $role"
}

# run_pair "SERVER RUN-ARGS" "CLIENT RUN-ARGS" SERVER_SIZE CLIENT_SIZE NAMES
run_pair() {
  local server_args=$1 client_args=$2 server_size=$3 client_size=$4 names=$5 service=()
  [ "$names" = yes ] && service=("ferry-test-$run_id")
  rm -f "$work/port"
  # shellcheck disable=SC2086
  start_job server --manager "$manager" $server_args -- "$program" server "$work/port" "${service[@]}"
  wait_for_file "$work/port" server
  # shellcheck disable=SC2086
  start_job client --manager "$manager" $client_args -- "$program" client "$work/port" "${service[@]}"
  finish_job client "$(expected_pair client "$client_size" "$server_size" "$names")"
  finish_job server "$(expected_pair server "$server_size" "$client_size" "$names")"
}

join_lines() {
  local rank
  for rank in 0 1; do
    printf '[%d] joined: 1 local and 1 remote processes\n[%d] messages both ways: ok\n' "$rank" "$rank"
    printf '[%d] merged, allreduce 3\n[%d] disconnected\n' "$rank" "$rank"
  done
  echo "done join"
}

[ "$scenario" = fortran ] || start_cluster
case $scenario in
  pair) run_pair "-n 1 --functions 1" "-n 2" 2 2 no ;;
  pair_hybrid) run_pair "-n 1 --functions 1" "-n 1 --functions 1" 2 2 no ;;
  names) run_pair "-n 2" "-n 1 --functions 2" 2 3 yes ;;
  join)
    start_job plain -n 2 -- "$program"
    finish_job plain "$(join_lines)"
    start_job hybrid --manager "$manager" -n 1 --functions 1 -- "$program"
    finish_job hybrid "$(join_lines)"
    ;;
  errors)
    start_job leave -n 1 -- "$program" leave "$work/port"
    finish_job leave "$(printf '[0] opened a port and left\ndone leave')"
    start_job knock --manager "$manager" -n 1 --functions 1 -- "$program" knock "$work/port"
    # Connecting to shared memory that is gone makes UCX log errors on its way to failing.
    finish_job knock "$(printf '[0] connect to a port whose process is gone: MPI_ERR_PORT\ndone knock')" ucx-errors
    rm -f "$work/port"
    start_job late -n 1 -- "$program" late "$work/port"
    wait_for_file "$work/port" late
    start_job impatient --manager "$manager" -n 1 --functions 1 -- "$program" impatient "$work/port"
    finish_job impatient "$(printf '%s\n' '[0] connect before the accept, with a time-out of 1 s: MPI_ERR_PORT' \
      '[0] connected once accepted' 'done impatient')"
    finish_job late "$(printf '[0] accepted the attempt that waited: got 42\ndone late')"
    start_job names -n 2 -- "$program" names
    finish_job names "$(printf '%s\n' '[0] publish without a manager: MPI_ERR_SERVICE, needs a manager' \
      '[0] lookup without a manager: MPI_ERR_NAME, needs a manager' \
      '[0] unpublish without a manager: MPI_ERR_SERVICE, needs a manager' 'done names')"
    ;;
  fortran)
    # The embedded manager of `ferry run`, which function ranks reach too.
    start_job fortran -n 1 --functions 1 -- "$program"
    finish_job fortran "$(printf '%s\n' '[0] published' '[0] connected to 1 process, got 11' \
      '[1] looked up' '[1] connected to 1 process, got 10' '[1] connect to a closed port: MPI_ERR_PORT' \
      '[1] lookup after unpublishing: MPI_ERR_NAME' 'done ports')"
    ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac

#!/bin/bash
# The memory of a function rank (one core's lease):
#   limit:   with FERRY_MEMORY_MIB=256, allocating 512 MiB on every rank fails the job, and
#            the output explains it: the lease's memory limit, and FERRY_MEMORY_MIB.
#   default: with FERRY_MEMORY_MIB unset, a function rank gets a fair share of the node's
#            memory, so 3072 MiB (above the old fixed 2048) works as under plain mpirun.
#   memory_test.sh FERRY TOUCH_MEMORY limit|default [sanitized]
# Exit 77 skips: sanitized builds run executors without a memory limit, and the default
# scenario needs a machine with enough memory per core.
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
scenario=$3
sanitized=${4:-}
work=$(mktemp -d /tmp/ferry-memory-XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL ($scenario): $*"
  echo "--- ferry run output:"; cat "$work/out" 2>/dev/null
  exit 1
}

run_job() {
  timeout -k 5 120 "$ferry" run -n 1 --functions 1 --mode warm -- "$program" "$1" >"$work/out" 2>&1
}

case $scenario in
  limit)
    if [ -n "$sanitized" ]; then
      echo "SKIP: sanitized builds run function ranks without a memory limit"
      exit 77
    fi
    FERRY_MEMORY_MIB=256 run_job 512
    status=$?
    [ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "the job hung (killed by the outer timeout)"
    [ "$status" -ne 0 ] || fail "512 MiB fitted under a 256 MiB lease"
    grep -q "rank 1: malloc of 512 MiB returned NULL" "$work/out" || fail "the function rank's malloc did not fail"
    grep -Eq "function rank 1 \(lease [0-9]+\): an allocation of 512 MiB failed: the lease's memory limit is 256 MiB \(set FERRY_MEMORY_MIB, in MiB per function rank, to raise it\)" \
      "$work/out" || fail "no message names the lease's memory limit and FERRY_MEMORY_MIB" ;;
  default)
    physical_mib=$(($(getconf _PHYS_PAGES) * $(getconf PAGE_SIZE) / 1048576))
    available_mib=$(($(sed -n 's/^MemAvailable: *\([0-9]*\) kB$/\1/p' /proc/meminfo) / 1024))
    cores=$(nproc)
    if [ $((physical_mib / cores)) -lt 4096 ] || [ "$available_mib" -lt $((2 * 3072 + 1024)) ]; then
      echo "SKIP: needs 4096 MiB of memory per core and 7168 MiB available" \
        "(this machine: $physical_mib MiB, $cores cores, $available_mib MiB available)"
      exit 77
    fi
    unset FERRY_MEMORY_MIB
    run_job 3072
    status=$?
    [ "$status" -eq 0 ] || fail "exit status $status with the default memory"
    grep -q "^rank 1 touched 3072 MiB (ok)$" "$work/out" || fail "the function rank did not touch 3072 MiB"
    grep -q "^rank 0 touched 3072 MiB (ok)$" "$work/out" || fail "the batch rank did not touch 3072 MiB" ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac
echo "PASS ($scenario)"
grep -E "memory limit|touched" "$work/out"
exit 0

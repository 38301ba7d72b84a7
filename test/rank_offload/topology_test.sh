#!/bin/bash
# A function rank hands Open MPI the node's topology as a file in its own session base
# (so that its PMPI_Init does not discover PCI devices); a batch rank, started by mpirun,
# is left alone.
#   topology_test.sh FERRY TOPOLOGY_FILE_PROGRAM
set -u
ferry=$1
program=$2
out=$(timeout -k 5 120 "$ferry" run -n 1 --functions 1 --mode warm -- "$program" 2>&1) || {
  echo "FAIL: the job failed"; echo "$out"; exit 1; }
grep -qx "rank 0: no topology file" <<<"$out" || { echo "FAIL: the batch rank was given a topology file"; echo "$out"; exit 1; }
grep -qx "rank 1: topology file in the session base" <<<"$out" ||
  { echo "FAIL: the function rank has no topology file of its own"; echo "$out"; exit 1; }
echo "ok"

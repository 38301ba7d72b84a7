#!/bin/bash
# Programs on nodes that share no file system: the program and a library of its own exist
# on node-a alone. Without --ship the job fails with an error naming the node that lacks
# the program; with --ship the function ranks on node-b and node-c run shipped copies
# (the library included), and a second job finds them in the spawners' caches. A child
# that a batch rank spawns (MPI_Comm_spawn) is shipped too.
#   ship_test.sh FERRY SHIPPED_PROGRAM SHIPPED_LIBRARY
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
library=$(realpath "$3")
here=$(dirname "$(realpath "$0")")
source "$here/cluster_test_setup.sh"
cluster_create head node-a node-b node-c
local_directory=$work/node-a-only
mkdir "$local_directory"
cp "$program" "$library" "$local_directory/"
program=$local_directory/$(basename "$program")
cluster_local_directory node-a "$local_directory"
cluster_start_ferry head node-b node-c || fail "the cluster's daemons did not start"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

on_node node-b test -e "$program" && fail "node-b sees the program that only node-a should have"

run() {
  # From a directory that only node-a has, as a user's working directory would be.
  on_node node-a sh -c 'cd "$1" && shift && exec "$@"' sh "$local_directory" \
    timeout -k 5 120 "$ferry" run -n 2 --functions 2 --manager "$manager" "$@" -- "$program" >"$work/out" 2>&1
}
run && fail "a program that the function ranks' nodes lack was run without --ship"
grep -q "cannot start '$program': No such file or directory on node node-[bc]" "$work/out" ||
  fail "the error for a program missing on a node does not name the node"

for round in first second; do
  run --ship || fail "the $round job with --ship failed"
  greeting="greeting from a library of the launching node"
  for rank in 0 1; do
    grep -q "^rank $rank of 4 on node-a runs $program: $greeting$" "$work/out" ||
      fail "batch rank $rank did not run the original program on node-a"
  done
  for rank in 2 3; do
    grep -q "^rank $rank of 4 on node-[bc] runs /.*/lease-[0-9]*/shipped-[0-9a-f]*/$(basename "$program"): $greeting$" "$work/out" ||
      fail "function rank $rank did not run a shipped copy on node-b or node-c"
  done
  nodes=$(sed -n 's/^rank [23] of 4 on \(node-[bc]\) .*/\1/p' "$work/out" | sort | tr '\n' ' ')
  [ "$nodes" = "node-b node-c " ] || fail "function ranks ran on '$nodes'"
done
# The second job sent no file again: each spawner asked for the files once.
for node in node-b node-c; do
  shipped=$(grep -c "shipped files received" "$work/spawner-$node.log")
  [ "$shipped" -eq 1 ] || fail "the spawner on $node received shipped files $shipped times, not once"
done
# MPI_Comm_spawn from node-a: the child runs a shipped copy on the node left free.
on_node node-a sh -c 'cd "$1" && shift && exec "$@"' sh "$local_directory" \
  timeout -k 5 120 "$ferry" run -n 1 --functions 1 --manager "$manager" --ship -- "$program" spawn >"$work/out" 2>&1 ||
  fail "the job that spawns a child with --ship failed"
grep -q "^rank 0 of 2 on node-a runs $program: $greeting$" "$work/out" || fail "the batch rank's line is missing"
grep -q "^child 0 of 1 on node-[bc] runs /.*/lease-[0-9]*/shipped-[0-9a-f]*/$(basename "$program"): $greeting$" "$work/out" ||
  fail "the spawned child did not run a shipped copy on node-b or node-c"
echo "ok"

#!/bin/bash
# Rank offload across nodes: a cluster of network namespaces (head: the manager; node-a:
# `ferry run` and its batch ranks; node-b and node-c: a spawner each), joined by a bridge
# and talking over TCP. The function ranks run on the two other nodes and say so through
# MPI_Get_processor_name, `ferry status` names the node of each lease, and a clean job
# prints no warning or UCX error.
#   rank_offload_test.sh FERRY MPI_RING
set -u
ferry=$(realpath "$1")
ring=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
source "$here/cluster_test_setup.sh"
cluster_create head node-a node-b node-c
# A copy of the program that node-a alone has, as on nodes that share no file system.
mkdir "$work/node-a-only"
cp "$ring" "$work/node-a-only/"
cluster_local_directory node-a "$work/node-a-only"
cluster_start_ferry head node-b node-c || fail "the cluster's daemons did not start"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
on_node node-a timeout -k 5 120 "$ferry" run -n 2 --functions 2 --manager "$manager" -- "$ring" >"$work/out" 2>&1 ||
  fail "ferry run across nodes failed"
for rank in 0 1; do
  grep -q "^rank $rank of 4 on node-a: ring token 6, allreduce 6$" "$work/out" || fail "batch rank $rank is not on node-a"
done
function_nodes=$(sed -n 's/^rank [23] of 4 on \(node-[a-z]\): ring token 6, allreduce 6$/\1/p' "$work/out" | sort | tr '\n' ' ')
[ "$function_nodes" = "node-b node-c " ] || fail "function ranks ran on '$function_nodes', not on node-b and node-c"
grep -q "^ferry run: 4 ranks (2 batch + 2 function), leases [0-9]*,[0-9]*, wall" "$work/out" || fail "no summary line"

# Nothing else: no warning, no UCX message, from ferry run, the ranks or the daemons.
unexpected=$(grep -v -e "^rank [0-3] of 4 on node-[abc]: " -e "^ferry run: 4 ranks" "$work/out")
[ -z "$unexpected" ] || fail "a clean job printed: $unexpected"
if grep -i -e "UCX.*\(ERROR\|WARN\)" -e "\[warning\]" -e "\[error\]" "$work"/spawner-*.log "$work/manager.log"; then
  fail "a daemon logged a warning or an error during a clean job"
fi

on_node node-a "$ferry" status --manager "$manager" >"$work/out" 2>&1 || fail "ferry status"
for node in node-b node-c; do
  grep -q "^$node  *$node  *$(node_address "$node"):" "$work/out" || fail "ferry status does not list the spawner on $node"
  grep -q "^[0-9]  *run-node-a-[0-9-]*/rank[01]  *$node  *released" "$work/out" ||
    fail "ferry status does not show a lease of the job on $node"
done

# A program that the spawners' nodes do not have is an error that names the node.
on_node node-a timeout -k 5 120 "$ferry" run -n 1 --functions 1 --manager "$manager" -- "$work/node-a-only/$(basename "$ring")" \
  >"$work/out" 2>&1 && fail "a program missing on the function ranks' node was run"
grep -q "cannot start '$work/node-a-only/$(basename "$ring")': No such file or directory on node node-[bc]" "$work/out" ||
  fail "the error for a missing program does not name the node"
echo "ok"

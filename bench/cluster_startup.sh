#!/bin/bash
# Start-up across nodes, next to the same on one host, in one run: the cold start of an
# executor (lease request to first result, bench_cold_start) and the wall time of
# `ferry run -n 1 --functions 1 -- mpi_ring`. The nodes are network namespaces joined by
# a bridge (test/cluster/netns_cluster.sh); across nodes UCX runs over TCP.
#   cluster_startup.sh BUILD_DIR [REPEAT]      (as root)
set -eu
build=$(realpath "$1")
repeat=${2:-10}
here=$(dirname "$(realpath "$0")")
ferry=$build/bin/ferry
ring=$build/bin/mpi_ring
work=$(mktemp -d /tmp/ferry-bench-XXXXXX)
cluster_prefix=fb$$
source "$here/../test/cluster/netns_cluster.sh"
source "$here/../test/rank_offload/daemons.sh"
cleanup() {
  kill "${daemons[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  cluster_remove
  rm -rf "$work"
}
trap cleanup EXIT
reason=$(cluster_unavailable)
[ -z "$reason" ] || { echo "cluster_startup.sh: no network-namespace cluster here: $reason" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none

cluster_create head node-a node-b
"$ferry" secret --file "$work/secret" >/dev/null

# start_cluster NAME MANAGER_NODE SPAWNER_NODE: a manager and a one-core spawner; sets
# `manager`. The transports are the caller's UCX_TLS.
start_cluster() {
  start_daemon_on "$2" "manager-$1" manager --listen "$(node_address "$2"):0" --secret-file "$work/secret"
  manager=$(address_of "manager-$1")
  start_daemon_on "$3" "spawner-$1" spawner --manager "$manager" --listen "$(node_address "$3"):0" \
    --secret-file "$work/secret" --cores 1
  for _ in $(seq 100); do
    grep -q "registered with the manager" "$work/spawner-$1.log" && return 0
    sleep 0.1
  done
  echo "the spawner of $1 did not register" >&2
  return 1
}

stop_cluster() {
  kill "${daemons[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  daemons=()
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME: cold start and ferry run from node-a against the cluster started as NAME.
measure() {
  on_node node-a "$build/bin/bench_cold_start" --manager "$manager" --repeat "$repeat" >"$work/cold-$1" 2>&1
  cold=$(awk '$1 == "total" { print $2 }' "$work/cold-$1")
  for _ in $(seq "$repeat"); do
    start=$(date +%s.%N)
    on_node node-a "$ferry" run -n 1 --functions 1 --manager "$manager" -- "$ring" >"$work/run-$1" 2>&1 ||
      { cat "$work/run-$1" >&2; return 1; }
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
  done | median >"$work/wall-$1"
  printf "%-44s %22s %24.3f\n" "$2" "$cold" "$(cat "$work/wall-$1")"
}

printf "%-44s %22s %24s\n" "case ($repeat runs each, medians)" "cold start total (ms)" "ferry run 1+1 wall (s)"
start_cluster local node-a node-a
measure local "one host (shared memory)"
cold_local=$cold wall_local=$(cat "$work/wall-local")
stop_cluster
export UCX_TLS=tcp,self
start_cluster local_tcp node-a node-a
measure local_tcp "one host (TCP)"
stop_cluster
start_cluster remote head node-b
measure remote "two nodes (TCP over a bridge)"
awk -v c="$cold" -v cl="$cold_local" -v w="$(cat "$work/wall-remote")" -v wl="$wall_local" \
  'BEGIN { printf "%-44s %22.2f %24.2f\n", "two nodes / one host (shared memory)", c / cl, w / wl }'

#!/bin/bash
# Function offload across nodes: a client on node-a leases a core through the manager on
# the head node, ships a library to an executor on another node and invokes it over TCP;
# a spawner that leaves shows in `ferry status` and gets no more leases.
#   function_offload_test.sh FERRY LIBFERRY_EXAMPLES
set -u
ferry=$(realpath "$1")
library=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
source "$here/cluster_test_setup.sh"
cluster_create head node-a node-b node-c
cluster_start_ferry head node-b node-c || fail "the cluster's daemons did not start"

invoke() {
  on_node node-a timeout -k 5 60 "$ferry" invoke --manager "$manager" --library "$library" --function greet \
    --input "$1" --repeat 200 >"$work/out" 2>&1
}
invoke world || fail "ferry invoke across nodes failed"
grep -q "^hello world, from executor pid [0-9]* on node-[bc], cpu [0-9]*$" "$work/out" ||
  fail "the function did not run on a spawner's node"
grep -q "^ferry: 200 invocation(s), round trip" "$work/out" || fail "no round-trip summary"
unexpected=$(grep -v -e "^hello world, from executor" -e "^ferry: " "$work/out")
[ -z "$unexpected" ] || fail "a clean invocation printed: $unexpected"

# A spawner that stops leaves the cluster: the manager lists it as departed, with why,
# and leases go elsewhere.
node_c_spawner=$(ip netns pids "$(cluster_namespace node-c)" | head -1)
kill -TERM "$node_c_spawner"
for _ in $(seq 100); do
  on_node node-a "$ferry" status --manager "$manager" >"$work/status" 2>&1
  grep -q "^node-c .* left [0-9]*s ago: node node-c reclaimed" "$work/status" && break
  sleep 0.1
done
grep -q "^node-c .* left [0-9]*s ago: node node-c reclaimed" "$work/status" ||
  { cat "$work/status" >"$work/out"; fail "ferry status does not list the spawner that left, and why"; }
grep -q "^node-c .* up" "$work/status" && { cat "$work/status" >"$work/out"; fail "the spawner that left is still up"; }
grep -q "^node-b  *node-b .* up, joined" "$work/status" || { cat "$work/status" >"$work/out"; fail "ferry status lost the spawner on node-b"; }
for input in one two three; do
  invoke "$input" || fail "ferry invoke after a spawner left failed"
  grep -q "^hello $input, from executor pid [0-9]* on node-b, cpu" "$work/out" || fail "a lease went to a spawner that left"
done
if grep -i -e "UCX.*\(ERROR\|WARN\)" "$work"/spawner-*.log "$work/manager.log"; then
  fail "a daemon logged a UCX warning or error"
fi
echo "ok"

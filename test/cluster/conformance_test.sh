#!/bin/bash
# The MPI conformance programs across nodes: batch ranks on node-a, function ranks on
# node-b and node-c, every message over TCP; each output compared with plain mpirun's
# (run_compare.sh) as on one host.
#   conformance_test.sh FERRY PROGRAM...
set -u
ferry=$(realpath "$1")
shift
here=$(dirname "$(realpath "$0")")
source "$here/cluster_test_setup.sh"
cluster_create head node-a node-b node-c
cluster_start_ferry head node-b node-c || fail "the cluster's daemons did not start"

# run_compare.sh calls `$FERRY run ARGS...`: this runs it on node-a with the cluster's manager.
launcher=$work/ferry-on-node-a
cat >"$launcher" <<WRAPPER
#!/bin/bash
ip netns exec $(cluster_namespace node-a) unshare --uts --mount -- \\
  sh -c 'hostname node-a && mount --bind "\$0" /etc/hosts && exec "\$@"' "$cluster_hosts" \\
  "$ferry" "\$1" --manager "$manager" "\${@:2}"
WRAPPER
chmod +x "$launcher"

export FERRY=$launcher FERRY_TEST_MODES=auto
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Ranks share memory with the ranks of their own node only: across nodes that differs
# from one host, and is checked below instead.
export FERRY_COMPARE_IGNORE="split_type shared: size"
failed=0
for program in "$@"; do
  "$here/../mpi/run_compare.sh" "$program" 4 2+2 3+1 || failed=1
  "$here/../mpi/run_compare.sh" "$program" 2 1+1 || failed=1
done
[ "$failed" -eq 0 ] || fail "a conformance program's output across nodes differs from plain mpirun's"
for program in "$@"; do
  [ "$(basename "$program")" = communicators ] || continue
  "$launcher" run -n 2 --functions 2 -- "$program" >"$work/out" 2>&1 || fail "communicators across nodes failed"
  grep -q "^\[0\] split_type shared: size 2$" "$work/out" ||
    fail "rank 0's MPI_COMM_TYPE_SHARED communicator is not the 2 batch ranks of node-a: $(grep "split_type" "$work/out")"
done
if grep -i -e "UCX.*\(ERROR\|WARN\)" "$work"/spawner-*.log "$work/manager.log"; then
  fail "a daemon logged a UCX warning or error"
fi
echo "ok"

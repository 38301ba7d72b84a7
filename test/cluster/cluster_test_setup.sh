# Sourced by the cluster tests once they have set `ferry`: a work directory, the cluster
# harness and daemons.sh, a trap that stops every daemon and removes the cluster, fail(),
# and a skip (77) where no cluster can be made.
cluster_test_here=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
work=$(mktemp -d /tmp/ferry-cluster-XXXXXX)
cluster_prefix=f$$
source "$cluster_test_here/netns_cluster.sh"
source "$cluster_test_here/../rank_offload/daemons.sh"
cleanup() {
  kill "${daemons[@]}" 2>/dev/null
  wait 2>/dev/null
  cluster_remove
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- output:"
  cat "$work/out" 2>/dev/null
  for log in "$work"/*.log; do echo "--- $log:"; cat "$log"; done
  exit 1
}
reason=$(cluster_unavailable)
[ -z "$reason" ] || { echo "SKIP: no network-namespace cluster here: $reason"; exit 77; }

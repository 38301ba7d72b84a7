# A small cluster on one machine, for tests to source: one network namespace per node,
# each node's processes in their own UTS namespace with the node's host name, and all
# nodes joined by a bridge that lives inside the head node's namespace. Every address is
# inside these namespaces; the machine's own namespace gets no link and no address.
#
# The sourcing script sets `cluster_prefix` (a short unique name) and calls
#   cluster_create head node-a node-b ...   (the first node holds the bridge)
#   on_node NODE COMMAND ARGS...            (runs COMMAND on NODE in the foreground)
#   node_address NODE                       (prints NODE's address)
#   cluster_remove                          (from its cleanup trap; safe to call twice)
# UCX would find shared memory between the namespaces (they share /dev/shm and the
# kernel), so processes that must talk across nodes run with UCX_TLS=tcp,self.

cluster_nodes=()
cluster_subnet=10.213.7

# cluster_unavailable: prints why no cluster can be made here, or nothing.
cluster_unavailable() {
  if [ "$(id -u)" -ne 0 ]; then echo "not root"; return; fi
  local tool
  for tool in ip unshare hostname; do
    command -v "$tool" >/dev/null || { echo "$tool is missing"; return; }
  done
  if ! ip netns add "${cluster_prefix}probe" 2>/dev/null; then echo "cannot create network namespaces"; return; fi
  ip netns del "${cluster_prefix}probe"
}

cluster_namespace() { echo "${cluster_prefix}-$1"; }

node_address() {
  local i
  for i in "${!cluster_nodes[@]}"; do
    if [ "${cluster_nodes[$i]}" = "$1" ]; then echo "$cluster_subnet.$((i + 1))"; return 0; fi
  done
  echo "no node $1" >&2
  return 1
}

cluster_create() {
  cluster_nodes=("$@")
  local head ns i link
  head=$(cluster_namespace "$1")
  for i in "${!cluster_nodes[@]}"; do
    ns=$(cluster_namespace "${cluster_nodes[$i]}")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$head" link add br0 type bridge
  ip -n "$head" addr add "$cluster_subnet.1/24" dev br0
  ip -n "$head" link set br0 up
  for i in "${!cluster_nodes[@]}"; do
    ((i == 0)) && continue
    ns=$(cluster_namespace "${cluster_nodes[$i]}")
    link="port$i"
    # Both ends are made inside the namespaces: no veth ever appears in this one.
    ip link add "$link" netns "$head" type veth peer name eth0 netns "$ns"
    ip -n "$head" link set "$link" master br0
    ip -n "$head" link set "$link" up
    ip -n "$ns" addr add "$cluster_subnet.$((i + 1))/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
  # Each node knows the others by name, as a cluster's /etc/hosts or DNS would say.
  cluster_hosts=$(mktemp)
  for i in "${!cluster_nodes[@]}"; do echo "$cluster_subnet.$((i + 1)) ${cluster_nodes[$i]}"; done >"$cluster_hosts"
  # A veth end is running only a moment after both ends are up; UCX reads the running
  # interfaces once, when a process starts.
  for i in "${!cluster_nodes[@]}"; do
    ((i == 0)) && continue
    ns=$(cluster_namespace "${cluster_nodes[$i]}")
    for _ in $(seq 100); do
      ip -n "$ns" link show eth0 | grep -q "state UP" && break
      sleep 0.05
    done
  done
}

# node_command NODE: sets `node_prefix` to the command that runs what follows it on NODE
# (its namespace, host name, hosts file, and the directories it lacks hidden).
node_command() {
  local node=$1 entry
  local hidden=()
  for entry in "${cluster_local_directories[@]}"; do
    [ "${entry%%:*}" = "$node" ] || hidden+=("${entry#*:}")
  done
  node_prefix=(ip netns exec "$(cluster_namespace "$node")" unshare --uts --mount -- sh -c '
    node=$1 hosts=$2 count=$3
    shift 3
    hostname "$node" && mount --bind "$hosts" /etc/hosts || exit 1
    while [ "$count" -gt 0 ]; do
      mount -t tmpfs -o size=1m,mode=0755 ferry-hidden "$1" || exit 1
      shift
      count=$((count - 1))
    done
    exec "$@"' sh "$node" "$cluster_hosts" "${#hidden[@]}" "${hidden[@]}")
}

# on_node NODE COMMAND ARGS...
on_node() {
  node_command "$1"
  shift
  "${node_prefix[@]}" "$@"
}

# cluster_local_directory NODE DIR: DIR exists on NODE alone, as on nodes that share no
# file system; the others see an empty directory in its place.
cluster_local_directories=()
cluster_local_directory() {
  cluster_local_directories+=("$1:$2")
}

cluster_remove() {
  local node
  for node in "${cluster_nodes[@]}"; do
    local ns
    ns=$(cluster_namespace "$node")
    # Whatever still runs in a node goes with it.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  cluster_nodes=()
  [ -n "${cluster_hosts:-}" ] && rm -f "$cluster_hosts"
  cluster_hosts=""
}

# cluster_start_ferry HEAD NODE...: a manager on HEAD and a spawner with one core on each
# NODE, all talking over the bridge. Needs `ferry`, `work` and daemons.sh's start_daemon
# and address_of; sets `manager` to the manager's address.
cluster_start_ferry() {
  local head=$1 node
  shift
  "$ferry" secret --file "$work/secret" >/dev/null
  export UCX_TLS=tcp,self
  start_daemon_on "$head" manager manager --listen "$(node_address "$head"):0" --secret-file "$work/secret"
  manager=$(address_of manager)
  for node in "$@"; do
    start_daemon_on "$node" "spawner-$node" spawner --manager "$manager" --listen "$(node_address "$node"):0" \
      --secret-file "$work/secret" --cores 1 --id "$node"
  done
  for node in "$@"; do
    for _ in $(seq 100); do
      grep -q "registered with the manager" "$work/spawner-$node.log" && break
      sleep 0.1
    done
    grep -q "registered with the manager" "$work/spawner-$node.log" ||
      { echo "the spawner on $node did not register:" >&2; cat "$work/spawner-$node.log" >&2; return 1; }
  done
}

# start_daemon_on NODE LOG COMMAND ARGS...: `ferry COMMAND ARGS...` on NODE in the
# background, logging to $work/LOG.log.
start_daemon_on() {
  local node=$1 log=$2 extra=()
  shift 2
  # A spawner started as root serves the leases of root, who runs the tests' clients.
  [ "$1" = spawner ] && [ "$(id -u)" -eq 0 ] && extra=(--allow-root-owner)
  # A command, not a function, in the background: its pid is the daemon's own (each
  # command of the prefix execs the next), so that a SIGTERM to it lets the daemon clean up.
  node_command "$node"
  "${node_prefix[@]}" "$ferry" "$@" "${extra[@]}" >"$work/$log.log" 2>&1 &
  daemons+=($!)
}

# A Slurm cluster of the test's own, sourced by test scripts: its own munged, slurmctld
# and slurmds (several node names on this machine, each with its own port, spool and
# TmpFS), all configuration and state in a temporary directory, free loopback ports.
#
#   source slurm_cluster.sh
#   slurm_cluster_partition harvest "Nodes=ALL PriorityTier=1"  # optional, before start
#   slurm_cluster_config "PreemptType=preempt/partition_prio"    # optional slurm.conf lines
#   slurm_cluster_plugstack "required /path/plugin.so"           # optional plugstack.conf lines
#   slurm_cluster_start 2          # 2 nodes (node1, node2); exits 77 when Slurm is missing
#   srun -N2 -n4 ./app             # SLURM_CONF names the test cluster
#   slurm_cluster_stop             # also run by the EXIT trap slurm_cluster_start sets
#
# After start: SLURM_CONF, slurm_dir (the temporary directory), slurm_nodes (node names).
# A script with its own cleanup calls slurm_cluster_stop from it and sets its own trap
# after slurm_cluster_start.

slurm_dir=""
slurm_nodes=()
slurm_pids=()
slurm_extra_config=()
slurm_extra_partitions=()
slurm_plugstack_lines=()
slurm_cpus_per_node=$(nproc)

# slurm_cluster_config LINE...: extra slurm.conf lines.
slurm_cluster_config() { slurm_extra_config+=("$@"); }
# slurm_cluster_partition NAME "OPTIONS": a partition besides the default one (`debug`, all nodes).
slurm_cluster_partition() { slurm_extra_partitions+=("PartitionName=$1 $2"); }
# slurm_cluster_plugstack LINE...: plugstack.conf lines (SPANK plugins).
slurm_cluster_plugstack() { slurm_plugstack_lines+=("$@"); }

slurm_cluster_skip() {
  echo "SKIP: $*"
  exit 77
}

# Exits 77 unless Slurm's and munge's programs are installed.
slurm_cluster_require() {
  local program
  for program in munged munge unmunge slurmctld slurmd srun sbatch salloc sinfo scontrol squeue scancel; do
    command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] ||
      slurm_cluster_skip "$program is not installed (Debian: slurm-wlm munge)"
  done
  command -v python3 >/dev/null 2>&1 || slurm_cluster_skip "python3 (to pick free ports) is not installed"
}

# Prints N loopback ports that are free now.
slurm_free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

slurm_start_munged() {
  dd if=/dev/urandom of="$slurm_dir/munge.key" bs=1024 count=1 status=none
  chmod 400 "$slurm_dir/munge.key"
  PATH=$PATH:/usr/sbin munged --socket="$slurm_dir/munge.socket" --key-file="$slurm_dir/munge.key" \
    --pid-file="$slurm_dir/munged.pid" --log-file="$slurm_dir/munged.log" --seed-file="$slurm_dir/munged.seed" ||
    slurm_cluster_skip "munged does not start: $(tail -n 3 "$slurm_dir/munged.log" 2>/dev/null)"
  munge -S "$slurm_dir/munge.socket" -n | unmunge -S "$slurm_dir/munge.socket" >/dev/null 2>&1 ||
    slurm_cluster_skip "the test's munged does not verify its own credential"
}

# Tasks of two node names on one machine share /dev/shm and the host name, where Open MPI's
# shared-memory segments are named by host and local rank: each node keeps its own.
slurm_write_task_prolog() {
  cat >"$slurm_dir/task_prolog.sh" <<PROLOG
#!/bin/sh
echo "export OMPI_MCA_btl_vader_backing_directory=$slurm_dir/tmp/\$SLURMD_NODENAME"
PROLOG
  chmod 755 "$slurm_dir/task_prolog.sh"
}

slurm_write_config() {
  local ports controller_port node_ports host node index line
  read -r -a ports <<<"$(slurm_free_ports $((${#slurm_nodes[@]} + 1)))"
  controller_port=${ports[0]}
  node_ports=("${ports[@]:1}")
  host=$(hostname)
  {
    echo "ClusterName=ferrytest"
    echo "SlurmctldHost=$host(127.0.0.1)"
    echo "SlurmctldPort=$controller_port"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "AuthInfo=socket=$slurm_dir/munge.socket"
    echo "CredType=cred/munge"
    echo "MpiDefault=pmix"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "TaskProlog=$slurm_dir/task_prolog.sh"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "SlurmdParameters=config_overrides"
    echo "PlugStackConfig=$slurm_dir/plugstack.conf"
    echo "StateSaveLocation=$slurm_dir/state"
    echo "SlurmdSpoolDir=$slurm_dir/spool/%n"
    echo "TmpFS=$slurm_dir/tmp/%n"
    echo "SlurmctldPidFile=$slurm_dir/slurmctld.pid"
    echo "SlurmdPidFile=$slurm_dir/slurmd-%n.pid"
    echo "SlurmctldLogFile=$slurm_dir/slurmctld.log"
    echo "SlurmdLogFile=$slurm_dir/slurmd-%n.log"
    echo "MailProg=/bin/true"
    echo "JobCompType=jobcomp/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "SwitchType=switch/none"
    echo "ReturnToService=2"
    echo "InactiveLimit=0"
    echo "KillWait=5"
    echo "MinJobAge=300"
    for line in "${slurm_extra_config[@]}"; do echo "$line"; done
    for index in "${!slurm_nodes[@]}"; do
      node=${slurm_nodes[$index]}
      echo "NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 Port=${node_ports[$index]}" \
        "CPUs=$slurm_cpus_per_node RealMemory=1000 State=UNKNOWN"
      mkdir -p "$slurm_dir/spool/$node" "$slurm_dir/tmp/$node"
    done
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    for line in "${slurm_extra_partitions[@]}"; do echo "$line"; done
  } >"$slurm_dir/slurm.conf"
  printf '%s\n' "${slurm_plugstack_lines[@]}" >"$slurm_dir/plugstack.conf"
  mkdir -p "$slurm_dir/state"
}

# Waits until every node is idle; false after 30 s, and at once when a daemon has exited.
# Each query is bounded too: with no controller, sinfo waits out its message timeout.
slurm_cluster_wait_idle() {
  local states deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    slurm_cluster_daemon_exited && return 1
    states=$(timeout 5 sinfo -h -N -o '%t' 2>/dev/null | sort -u | tr '\n' ' ')
    [ "$states" = "idle " ] &&
      [ "$(timeout 5 sinfo -h -N -o '%N' 2>/dev/null | sort -u | wc -l)" -eq "${#slurm_nodes[@]}" ] && return 0
    sleep 0.1
  done
  return 1
}

# True when slurmctld or a slurmd this cluster started has exited.
slurm_cluster_daemon_exited() {
  local pid
  for pid in "${slurm_pids[@]}"; do kill -0 "$pid" 2>/dev/null || return 0; done
  return 1
}

# Starts slurmctld and the slurmds on ports that were free a moment ago.
slurm_start_daemons() {
  local node
  slurm_write_config
  PATH=$PATH:/usr/sbin slurmctld -D -i -f "$SLURM_CONF" >"$slurm_dir/slurmctld.out" 2>&1 &
  slurm_pids+=($!)
  for node in "${slurm_nodes[@]}"; do
    PATH=$PATH:/usr/sbin slurmd -D -f "$SLURM_CONF" -N "$node" >"$slurm_dir/slurmd-$node.out" 2>&1 &
    slurm_pids+=($!)
  done
}

# Ends slurmctld and the slurmds: SIGTERM, and SIGKILL to one still there after 5 s.
slurm_end_daemons() {
  local pid
  for pid in "${slurm_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${slurm_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  slurm_pids=()
}

slurm_cluster_logs() {
  local log
  for log in "$slurm_dir"/slurmctld.log "$slurm_dir"/slurmd-*.log; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
  done
}

# slurm_cluster_start [NODES]: starts munged, slurmctld and NODES slurmds (default 2),
# waits until all nodes are idle.
slurm_cluster_start() {
  local count=${1:-2} index attempt
  slurm_cluster_require
  slurm_dir=$(mktemp -d /tmp/ferry-slurm-XXXXXX)
  chmod 755 "$slurm_dir"  # munged wants every directory above its socket searchable
  trap slurm_cluster_stop EXIT
  slurm_nodes=()
  for index in $(seq "$count"); do slurm_nodes+=("node$index"); done
  slurm_start_munged
  slurm_write_task_prolog
  export SLURM_CONF=$slurm_dir/slurm.conf
  # A port picked as free can be taken before the daemon binds it ("Address already in
  # use", and slurmctld exits): then the daemons start again on other ports.
  for attempt in 1 2 3; do
    slurm_start_daemons
    slurm_cluster_wait_idle && return 0
    slurm_cluster_daemon_exited || break
    echo "the test's Slurm lost a port race (attempt $attempt):"
    slurm_cluster_logs
    slurm_end_daemons
  done
  echo "the test's Slurm did not come up:"
  timeout 5 sinfo -N 2>&1
  slurm_cluster_logs
  slurm_cluster_skip "slurmctld/slurmd cannot run here"
}

# Step daemons outlive a stopped slurmd; those of this cluster hold files in its directory.
slurm_cluster_step_daemons() {
  local process
  for process in /proc/[0-9]*; do
    [ "$(readlink "$process/exe" 2>/dev/null)" = /usr/sbin/slurmstepd ] || continue
    ls -l "$process/fd" 2>/dev/null | grep -q -- "-> $slurm_dir/" && echo "${process#/proc/}"
  done
}

# Cancels every job, stops every daemon slurm_cluster_start started and removes its directory.
slurm_cluster_stop() {
  [ -n "$slurm_dir" ] || return 0
  if [ -f "$SLURM_CONF" ] && [ "${#slurm_pids[@]}" -gt 0 ]; then
    timeout 5 scancel --quiet $(timeout 5 squeue -h -o %i 2>/dev/null) 2>/dev/null
    for _ in $(seq 50); do [ -z "$(timeout 2 squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  slurm_end_daemons
  local pid
  for pid in $(slurm_cluster_step_daemons); do kill -KILL "$pid" 2>/dev/null; done
  # munged writes its seed file on the way out: its directory goes once it has ended.
  local munged
  munged=$(cat "$slurm_dir/munged.pid" 2>/dev/null)
  if [ -n "$munged" ]; then
    kill -TERM "$munged" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$munged" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$munged" 2>/dev/null
  fi
  rm -rf "$slurm_dir"
  slurm_dir=""
}

#!/bin/bash
# `ferry doctor`'s Slurm checks: a machine without Slurm gets an [info] line and nothing
# worse; Slurm installed but no controller, warnings; the test's own Slurm with Ferry's
# SPANK plugin, every Slurm check ok.
#   doctor_test.sh FERRY PLUGIN
set -u
ferry=$(realpath "$1")
plugin=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
source "$here/slurm_cluster.sh"
slurm_cluster_require
[ -f "$plugin" ] || slurm_cluster_skip "the SPANK plugin was not built (Slurm's slurm/spank.h is missing)"

slurm_cluster_plugstack "required $plugin"
slurm_cluster_start 1
work=$(mktemp -d /tmp/ferry-slurm-doctor-XXXXXX)
cleanup() {
  slurm_cluster_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- ferry doctor:"; cat "$work/doctor.out"
  exit 1
}
# The Slurm checks' lines, each with its wrapped continuation lines joined to it.
slurm_lines() {
  awk '/^\[/ { if (line != "") print line; line = $0; next }
       /^ / { sub(/^ +/, ""); line = line " " $0 }
       END { if (line != "") print line }' "$work/doctor.out" | grep -E '^\[(info| ok |warn|FAIL)\] (slurm|munge|pmix|spank) '
}

# No Slurm on this machine: a PATH with only the other programs ferry doctor runs.
mkdir "$work/bin"
for program in sh timeout mpirun ip; do
  path=$(command -v "$program") && ln -s "$path" "$work/bin/$program"
done
PATH=$work/bin "$(command -v timeout)" 60 "$ferry" doctor >"$work/doctor.out" 2>&1
[ "$(slurm_lines | grep -c '^\[info\] slurm ')" -eq 1 ] || fail "without Slurm: no [info] line for slurm"
slurm_lines | grep -q '^\[\(warn\|FAIL\)\]' && fail "without Slurm: a Slurm check warns or fails"
echo "ok: without Slurm: $(slurm_lines | tr -s ' \n' ' ')"

# Slurm installed, no controller to reach, no munged on munge's default socket.
SLURM_CONF=$work/missing/slurm.conf timeout 60 "$ferry" doctor >"$work/doctor.out" 2>&1
slurm_lines | grep -q '^\[warn\] slurm .*cannot reach a controller' || fail "no controller: no warning for slurm"
slurm_lines | grep -q '^\[warn\] munge .*fails' || fail "no munged: no warning for munge"
slurm_lines | grep -q '^\[warn\] spank .*ferry_spank.so is not in' || fail "no plugstack.conf: no warning for spank"
slurm_lines | grep -q '^\[FAIL\]' && fail "no controller: a Slurm check fails instead of warning"
echo "ok: no controller: warnings only"

# The test's own Slurm, its munged and Ferry's plugin.
timeout 60 "$ferry" doctor >"$work/doctor.out" 2>&1
slurm_lines | grep -q '^\[ ok \] slurm .*controller reached: 1 node(s), 1 idle' || fail "slurm is not ok"
slurm_lines | grep -q "^\[ ok \] munge .*socket $slurm_dir/munge.socket" || fail "munge is not ok"
slurm_lines | grep -q '^\[ ok \] pmix ' || fail "pmix is not ok"
slurm_lines | grep -q "^\[ ok \] spank *$plugin is loaded" || fail "the SPANK plugin is not reported loaded"
echo "ok: the test's Slurm: every Slurm check ok"

# Listed in plugstack.conf, but srun cannot load it.
echo "required $plugin unknown=argument" >"$slurm_dir/plugstack.conf"
timeout 60 "$ferry" doctor >"$work/doctor.out" 2>&1
slurm_lines | grep -q '^\[warn\] spank .*srun --help shows no --ferry-functions' ||
  fail "a plugin srun cannot load is not reported"
echo "ok: a plugin srun cannot load is a warning"
echo PASS

#!/bin/bash
# LAMMPS, unmodified, under `ferry run -n 2 --functions 2` prints the same thermo table as
# under `mpirun -np 4` (LAMMPS's numbers depend only on the rank count).
#   lammps_test.sh FERRY INPUT
set -u
ferry=$(realpath "$1")
input=$(realpath "$2")
lmp=${FERRY_TEST_LMP:-$(command -v lmp)}
if [ -z "$lmp" ] || [ ! -x "$lmp" ]; then
  echo "SKIP: LAMMPS (lmp) is not installed"
  exit 77
fi
work=$(mktemp -d /tmp/ferry-lammps-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# The rows of the thermo table: the lines after the "Step ..." header up to "Loop time".
thermo_table() {
  awk '/^ *Step /{inside=1; print; next} /^Loop time/{inside=0} inside' "$1"
}

root=()
[ "$(id -u)" -eq 0 ] && root=(--allow-run-as-root)
timeout -k 5 300 mpirun -np 4 "${root[@]}" --oversubscribe "$lmp" -in "$input" -log none >native.out 2>&1 ||
  { echo "FAIL: native mpirun -np 4 failed"; cat native.out; exit 1; }
timeout -k 5 300 "$ferry" run -n 2 --functions 2 --mode warm -- "$lmp" -in "$input" -log none >ferry.out 2>&1 ||
  { echo "FAIL: ferry run failed"; cat ferry.out; exit 1; }

thermo_table native.out >native.thermo
thermo_table ferry.out >ferry.thermo
if [ "$(wc -l <native.thermo)" -lt 6 ]; then
  echo "FAIL: the native run printed no thermo table"; cat native.out; exit 1
fi
grep -q "on 4 procs" ferry.out || { echo "FAIL: LAMMPS did not see 4 ranks under ferry"; cat ferry.out; exit 1; }
if ! diff native.thermo ferry.thermo; then
  echo "FAIL: the thermo tables differ"; exit 1
fi
echo "PASS: $(($(wc -l <native.thermo) - 1)) thermo rows match"
grep '^ferry run:' ferry.out

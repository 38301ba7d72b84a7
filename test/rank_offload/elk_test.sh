#!/bin/bash
# Elk (elk-lapw), an unmodified Fortran MPI application: the ground state of aluminium
# (Elk's examples/basic/Al) under `ferry run -n 2 --functions 2` and under
# `ferry run -n 1 --functions 3` sees 4 MPI processes, takes as many self-consistent
# iterations as under `mpirun -np 4`, and every total energy agrees within 1e-8 Hartree.
# Only the order of Elk's sums may differ, not the physics: plain mpirun with 2 and with 4
# ranks already differ by 6e-9, which is why the process count is checked apart.
#   elk_test.sh FERRY
# FERRY_TEST_ELK and FERRY_TEST_ELK_EXAMPLE override the binary and the example's folder.
set -u
ferry=$(realpath "$1")
elk=${FERRY_TEST_ELK:-$(command -v elk-lapw)}
example=${FERRY_TEST_ELK_EXAMPLE:-/usr/share/doc/elk-lapw/examples/basic/Al}
species=/usr/share/elk-lapw/species/
if [ -z "$elk" ] || [ ! -x "$elk" ] || [ ! -f "$example/elk.in" ] || [ ! -d "$species" ]; then
  echo "SKIP: Elk (elk-lapw) is not installed"
  exit 77
fi
work=$(mktemp -d /tmp/ferry-elk-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# One thread per rank, whatever the machine: Elk's OpenMP loops and a threaded BLAS would
# otherwise change the order of sums from run to run. Elk reads elk.in from the current
# folder, so each run has its own, with the species path of Debian's package (Elk wants it
# quoted, with a trailing slash) and its own thread limit as well.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
prepare() {
  mkdir "$1" || exit 1
  awk -v path="'$species'" '
    /^ *sppath *$/ { print; getline; print "  " path; found=1; next }
    { print }
    END { if (!found) { print ""; print "sppath"; print "  " path } }' "$example/elk.in" >"$1/elk.in"
  printf '\nmaxthd\n  1\n' >>"$1/elk.in"
}

root=()
[ "$(id -u)" -eq 0 ] && root=(--allow-run-as-root)
# run NAME LAUNCHER...: Elk in folder NAME, its output in NAME/run.out.
run() {
  local name=$1
  shift
  prepare "$name"
  (cd "$name" && timeout -k 5 300 "$@" "$elk" >run.out 2>&1) ||
    { echo "FAIL: $name failed"; cat "$name/run.out"; exit 1; }
  # Rank 0 writes INFO.OUT: "Using MPI, number of processes :        4".
  local processes
  processes=$(awk -F: '/Using MPI, number of processes/ { gsub(/ /, "", $2); print $2 }' "$name/INFO.OUT" 2>/dev/null)
  [ "$processes" = 4 ] ||
    { echo "FAIL: Elk saw '${processes}' MPI processes in $name, not 4"; cat "$name/run.out"; exit 1; }
  grep -q '^Convergence targets achieved' "$name/INFO.OUT" ||
    { echo "FAIL: Elk did not converge in $name"; cat "$name/run.out"; exit 1; }
}

start=$(date +%s%N)
run native mpirun -np 4 "${root[@]}" --oversubscribe
native_ms=$((($(date +%s%N) - start) / 1000000))
[ -f native/TOTENERGY.OUT ] || { echo "FAIL: the native run wrote no TOTENERGY.OUT"; exit 1; }
iterations=$(wc -l <native/TOTENERGY.OUT)
if [ "$iterations" -lt 2 ]; then
  echo "FAIL: the native run wrote $iterations total energies"; cat native/TOTENERGY.OUT; exit 1
fi

# TOTENERGY.OUT holds one total energy per iteration, e.g. "    -242.045135910    ".
largest=0
for layout in 2+2 1+3; do
  batch=${layout%+*} functions=${layout#*+}
  name=ferry_${batch}+${functions}
  run "$name" "$ferry" run -n "$batch" --functions "$functions" --mode warm --
  [ -f "$name/TOTENERGY.OUT" ] || { echo "FAIL: $name wrote no TOTENERGY.OUT"; exit 1; }
  lines=$(wc -l <"$name/TOTENERGY.OUT")
  if [ "$lines" -ne "$iterations" ]; then
    echo "FAIL: $name took $lines iterations, mpirun -np 4 took $iterations"
    paste native/TOTENERGY.OUT "$name/TOTENERGY.OUT"
    exit 1
  fi
  # The largest difference, and failure past 1e-8 or on a line that is not two numbers.
  if ! difference=$(paste native/TOTENERGY.OUT "$name/TOTENERGY.OUT" | awk '
    NF != 2 || $1 !~ /^-?[0-9.]+([Ee][-+]?[0-9]+)?$/ || $2 !~ /^-?[0-9.]+([Ee][-+]?[0-9]+)?$/ { bad = 1 }
    { d = $1 - $2; if (d < 0) d = -d; if (d > largest) largest = d }
    END { if (bad) { print "unreadable"; exit 1 } printf "%.3g\n", largest; exit largest > 1e-8 }'); then
    if [ "$difference" = unreadable ]; then
      echo "FAIL: a line of $name's or mpirun -np 4's TOTENERGY.OUT is not one number"
    else
      echo "FAIL: $name's total energies differ from mpirun -np 4's by $difference Hartree (more than 1e-8)"
    fi
    paste native/TOTENERGY.OUT "$name/TOTENERGY.OUT"
    exit 1
  fi
  largest=$(awk -v a="$largest" -v b="$difference" 'BEGIN { print (b > a ? b : a) }')
  grep '^ferry run:' "$name/run.out"
done
echo "PASS: $iterations iterations under 2+2 and 1+3 ranks match mpirun -np 4 ($native_ms ms)," \
  "largest total-energy difference $largest Hartree"

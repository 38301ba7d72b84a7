#!/usr/bin/env bash
# Runs an HDF5 program that writes the file named by its one argument under plain mpirun,
# then under `ferry run` for each placement B+F, and fails unless `h5dump` of every file
# equals the plain run's (the first line, which names the file, aside).
#
#   run_h5dump_compare.sh PROGRAM NP PLACEMENT...      e.g. run_h5dump_compare.sh ./chunked_dataset 4 2+2
#
# FERRY names the ferry executable, H5DUMP the h5dump executable; FERRY_TEST_MODES the
# waiting modes (default: warm). Each run is bounded by FERRY_TEST_TIMEOUT seconds (120).
set -u

[[ $# -ge 3 ]] || { echo "usage: run_h5dump_compare.sh PROGRAM NP B+F..." >&2; exit 2; }
program=$1
np=$2
shift 2
[[ -x $program ]] || { echo "run_h5dump_compare.sh: $program is not an executable" >&2; exit 2; }
[[ -n ${FERRY:-} && -x ${FERRY:-} ]] || { echo "run_h5dump_compare.sh: FERRY must name the ferry executable" >&2; exit 2; }
h5dump=${H5DUMP:-h5dump}
read -r -a modes <<<"${FERRY_TEST_MODES:-warm}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME COMMAND...: the program writes $work/NAME.h5, its dump goes to $work/NAME.dump.
run() {
  local name=$1
  shift
  if ! timeout "${FERRY_TEST_TIMEOUT:-120}" "$@" "$program" "$work/$name.h5" >"$work/$name.out" 2>&1; then
    echo "FAILED: $* $program $work/$name.h5"
    cat "$work/$name.out"
    return 1
  fi
  "$h5dump" "$work/$name.h5" | tail -n +2 >"$work/$name.dump"
}

run reference mpirun --allow-run-as-root --oversubscribe -np "$np" || exit 1
echo "reference: mpirun -np $np ($(wc -l <"$work/reference.dump") lines of h5dump)"
failed=0
for placement in "$@"; do
  for mode in "${modes[@]}"; do
    name="placement_${placement/+/_}_$mode"
    if ! run "$name" "$FERRY" run -n "${placement%+*}" --functions "${placement#*+}" --mode "$mode" --; then
      failed=1
      continue
    fi
    if ! diff -u --label "mpirun -np $np" --label "ferry $placement $mode" "$work/reference.dump" "$work/$name.dump"; then
      echo "FAILED (h5dump differs from the reference): ferry $placement $mode"
      failed=1
      continue
    fi
    echo "ok $placement $mode: h5dump equals the reference"
  done
done
exit $failed

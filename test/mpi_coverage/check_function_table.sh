#!/bin/sh
# Checks the shim's MPI function table against what the built libraries really export.
# usage: check_function_table.sh FERRY_MPI_COVERAGE LIBFERRY_MPI MPI_H LIBMPI NM
set -eu

if [ "$#" -ne 5 ]; then
  echo "usage: $0 ferry-mpi-coverage libferry_mpi.so mpi.h libmpi.so nm" >&2
  exit 2
fi
coverage_tool=$1 shim=$2 header=$3 libmpi=$4 nm=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

exported_functions() {
  "$nm" -D --defined-only "$1" | awk '$2 == "T" || $2 == "W" || $2 == "i" { print $3 }' | sort -u
}

"$coverage_tool" --list > "$work/table"
exported_functions "$shim" > "$work/shim_exports"
exported_functions "$libmpi" > "$work/libmpi_exports"

awk '$2 == "implemented" || $2 == "unsupported-on-hybrid" { print $1 }' "$work/table" | sort > "$work/defined"
awk '$2 == "pass-through" { print $1 }' "$work/table" | sort > "$work/passthrough"

for name in $(comm -23 "$work/defined" "$work/shim_exports"); do
  fail "$name is $(awk -v n="$name" '$1 == n { print $2 }' "$work/table") but libferry_mpi does not export it"
done
for name in $(comm -12 "$work/passthrough" "$work/shim_exports"); do
  fail "$name is pass-through but libferry_mpi exports it"
done
for status in $(awk '{ print $2 }' "$work/table" | sort -u); do
  case "$status" in
    implemented | pass-through | unsupported-on-hybrid) ;;
    *) fail "unknown status $status" ;;
  esac
done

# Every MPI_ function mpi.h declares (return type and name follow OMPI_DECLSPEC on one
# line) and libmpi exports must have exactly one entry.
tr '\n' ' ' < "$header" |
  grep -oE 'OMPI_DECLSPEC +[A-Za-z_][A-Za-z_0-9 ]*[ *]MPI_[A-Za-z0-9_]+ *\(' |
  grep -oE 'MPI_[A-Za-z0-9_]+ *\($' | tr -d ' (' | sort -u > "$work/declared_all"
comm -12 "$work/declared_all" "$work/libmpi_exports" > "$work/declared"
awk '{ print $1 }' "$work/table" | sort > "$work/entries"
if [ -n "$(uniq -d "$work/entries")" ]; then
  fail "duplicate entries: $(uniq -d "$work/entries" | tr '\n' ' ')"
fi
for name in $(comm -23 "$work/declared" "$work/entries"); do fail "$name is declared in mpi.h but missing from the table"; done
for name in $(comm -13 "$work/declared" "$work/entries"); do fail "$name is in the table but not a declared, exported MPI function"; done

# The summary agrees with the list.
for status in implemented pass-through unsupported-on-hybrid; do
  listed=$(awk -v s="$status" '$2 == s' "$work/table" | wc -l)
  summary=$("$coverage_tool" | awk -v s="$status" '$1 == s { print $2 }')
  [ "$listed" -eq "$summary" ] || fail "summary says $summary $status functions, the list has $listed"
done

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "function table: $(wc -l < "$work/entries") functions, all consistent with the libraries"

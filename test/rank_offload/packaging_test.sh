#!/bin/bash
# Installs Ferry into a temporary prefix and links a small MPI program against the shim
# with find_package(Ferry), with the installed ferry-mpi.pc and with the build tree's
# ferry-mpi.pc; in each, libferry_mpi must come before libmpi in the program's NEEDED list.
#   packaging_test.sh BUILD_DIR APP_SOURCE_DIR
set -u
build=$1
app_source=$2
work=$(mktemp -d /tmp/ferry-packaging-XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() { echo "FAIL: $*"; exit 1; }

# Prints the 1-based positions of libferry_mpi and libmpi among the NEEDED entries.
check_order() {
  local binary=$1 how=$2
  local needed
  needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  local shim mpi
  shim=$(echo "$needed" | grep -n '^libferry_mpi\.so' | head -1 | cut -d: -f1)
  mpi=$(echo "$needed" | grep -n '^libmpi\.so' | head -1 | cut -d: -f1)
  [ -n "$shim" ] || fail "$how: libferry_mpi is not NEEDED by $binary: $(echo $needed)"
  [ -n "$mpi" ] || fail "$how: libmpi is not NEEDED by $binary: $(echo $needed)"
  [ "$shim" -lt "$mpi" ] || fail "$how: libmpi comes before libferry_mpi: $(echo $needed)"
  ldd "$binary" | grep -q 'libferry_mpi.*=> /' || fail "$how: the loader does not find libferry_mpi: $(ldd "$binary")"
  echo "$how: NEEDED order ok: $(echo $needed)"
}

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; }
for file in bin/ferry include/ferry/runtime/client/client.hpp; do
  [ -e "$prefix/$file" ] || fail "$file was not installed"
done
[ -n "$(find "$prefix" -name 'ferry-worker' -type f)" ] || fail "ferry-worker was not installed"
"$prefix/bin/ferry" shim-path | grep -q "^$prefix/.*libferry_mpi.so$" ||
  fail "the installed ferry does not find the installed shim: $("$prefix/bin/ferry" shim-path 2>&1)"
# Function ranks preload libferry_memory_limit from the shim's directory (not in sanitized builds).
if [ -e "$build/lib/libferry_memory_limit.so" ]; then
  [ -e "$(dirname "$("$prefix/bin/ferry" shim-path)")/libferry_memory_limit.so" ] ||
    fail "libferry_memory_limit was not installed next to the shim"
fi

cmake -S "$app_source" -B "$work/app" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER=mpicc >"$work/app.log" 2>&1 &&
  cmake --build "$work/app" >>"$work/app.log" 2>&1 || { cat "$work/app.log"; fail "find_package(Ferry) build"; }
check_order "$work/app/app" "find_package(Ferry)"
"$work/app/client_app" >/dev/null || fail "the program linked with Ferry::ferry does not run"

pc_dir=$(dirname "$(find "$prefix" -name ferry-mpi.pc | head -1)")
libs=$(PKG_CONFIG_PATH=$pc_dir pkg-config --libs ferry-mpi) || fail "pkg-config --libs ferry-mpi (installed)"
mpicc "$app_source/app.c" $libs -o "$work/app_pc" || fail "mpicc with the installed ferry-mpi.pc"
check_order "$work/app_pc" "installed ferry-mpi.pc"

libs=$(PKG_CONFIG_PATH=$build/pkgconfig pkg-config --libs ferry-mpi) || fail "pkg-config --libs ferry-mpi (build tree)"
mpicc "$app_source/app.c" $libs -o "$work/app_build_pc" || fail "mpicc with the build tree's ferry-mpi.pc"
check_order "$work/app_build_pc" "build-tree ferry-mpi.pc"
echo PASS

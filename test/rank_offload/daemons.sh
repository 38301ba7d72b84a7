# Shared by the fault tests: starting ferry daemons of a test's own cluster on loopback.
# The sourcing script sets `ferry` (the executable) and `work` (its directory) first;
# started daemons' pids collect in `daemons` (the script's cleanup kills them).
daemons=()

# start_daemon COMMAND ARGS...: starts `ferry COMMAND ARGS...` in the background, logging
# to $work/COMMAND.log. A spawner started as root serves the leases of root, who runs
# the tests' clients.
start_daemon() {
  local extra=()
  [ "$1" = spawner ] && [ "$(id -u)" -eq 0 ] && extra=(--allow-root-owner)
  "$ferry" "$@" "${extra[@]}" >"$work/$1.log" 2>&1 &
  daemons+=($!)
}

# address_of COMMAND: prints the address the daemon COMMAND listens on, once it says so.
address_of() {
  for _ in $(seq 100); do
    local address
    address=$(sed -n 's/^ferry [a-z]* .*listening on \([^ ]*\)$/\1/p' "$work/$1.log" | head -1)
    if [ -n "$address" ]; then echo "$address"; return 0; fi
    sleep 0.1
  done
  echo "ferry $1 did not start:" >&2; cat "$work/$1.log" >&2
  return 1
}

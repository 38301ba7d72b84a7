#!/bin/bash
# Two users on one site. As root, this makes two throwaway users, a munged with a key of
# its own, a manager that proves owners with munge and a spawner run as root, all on
# loopback, and shows that
#   - an executor of user A runs with A's uid, gid and groups, and no capability;
#   - user B cannot read A's lease directory, A's shipped library or A's executor's
#     memory, cannot signal A's executor and cannot ptrace it;
#   - a lease request without a credential, with one made under another key, expired,
#     replayed or made for another request is refused with a clear message, and a claimed
#     uid is never taken over the credential's;
#   - the spawner run as root runs nothing as root unless told to;
#   - a spawner run as an ordinary user (B) refuses A's leases and serves B's.
#   multi_user_test.sh FERRY CREDENTIAL_PROBE IDENTITY_LIBRARY
set -u
ferry=$(realpath "$1")
probe=$(realpath "$2")
library=$(realpath "$3")

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root: it makes throwaway users and runs a spawner as root"
for tool in munged useradd userdel groupadd groupdel setpriv python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install munge passwd util-linux python3)"
done

source "$(dirname "$0")/../rank_offload/daemons.sh"
work=$(mktemp -d /tmp/ferry-identity-XXXXXX)
chmod 755 "$work"  # the users reach munged's socket and the library through it
suffix=$$
user_a=ferryid_a_$suffix
user_b=ferryid_b_$suffix
group_x=ferryid_x_$suffix
mungeds=()

cleanup() {
  for pid in "${daemons[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null; kill -9 "$pid" 2>/dev/null; done
  for user in "$user_a" "$user_b"; do
    if uid=$(id -u "$user" 2>/dev/null); then
      pkill -KILL -U "$uid" 2>/dev/null
      userdel "$user" 2>/dev/null
    fi
  done
  getent group "$group_x" >/dev/null && groupdel "$group_x"
  for pid in "${mungeds[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
refused() {  # refused DESCRIPTION COMMAND...: the command must fail
  if "${@:2}" >/dev/null 2>&1; then echo "FAIL: $1 (it was allowed)"; failures=$((failures + 1)); else echo "ok, refused: $1"; fi
}
contains() { grep -q -- "$2" "$1" || { echo "  '$2' not in $1:"; sed 's/^/    /' "$1"; return 1; }; }
as_user() { local user=$1; shift; setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups "$@"; }

# start_munged NAME: a munged with a key of its own, its socket at $work/NAME.socket.
start_munged() {
  dd if=/dev/urandom of="$work/$1.key" bs=1024 count=1 status=none
  chmod 600 "$work/$1.key"
  munged --foreground --force --socket="$work/$1.socket" --key-file="$work/$1.key" \
    --pid-file="$work/$1.pid" --log-file="$work/$1.log" --seed-file="$work/$1.seed" 2>>"$work/$1.log" &
  mungeds+=($!)
  for _ in $(seq 100); do [ -S "$work/$1.socket" ] && return 0; sleep 0.1; done
  echo "munged $1 did not start:"; cat "$work/$1.log"
  exit 1
}

groupadd --system "$group_x" || exit 1
useradd --system --no-create-home --shell /usr/sbin/nologin --user-group -G "$group_x" "$user_a" || exit 1
useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$user_b" || exit 1
uid_a=$(id -u "$user_a"); gid_a=$(id -g "$user_a"); gid_x=$(getent group "$group_x" | cut -d: -f3)
uid_b=$(id -u "$user_b")

start_munged munge
start_munged other   # a munged under another key: its credentials are forgeries here
socket=$work/munge.socket
export FERRY_MUNGE_SOCKET=$socket

"$ferry" secret "$work/secret" >/dev/null || exit 1
start_daemon manager --secret-file "$work/secret" --auth munge --munge-socket "$socket"
manager=$(address_of manager) || exit 1
# Not start_daemon: that one lets a spawner serve root's leases.
"$ferry" spawner --manager "$manager" --secret-file "$work/secret" --cores 2 --work-root "$work/root" \
  >"$work/spawner.log" 2>&1 &
daemons+=($!)
address_of spawner >/dev/null || exit 1
for _ in $(seq 100); do grep -q "registered at" "$work/manager.log" && break; sleep 0.1; done

echo "--- an executor of $user_a (uid $uid_a) runs as $user_a"
as_user "$user_a" timeout 120 "$ferry" invoke --manager "$manager" --library "$library" --function identity \
  --input 60000 >"$work/a.out" 2>"$work/a.err" &
invoke_a=$!
whoami=
for _ in $(seq 300); do
  whoami=$(ls "$work"/root/lease-*/whoami 2>/dev/null | head -1)
  [ -n "$whoami" ] && break
  kill -0 "$invoke_a" 2>/dev/null || break
  sleep 0.1
done
[ -n "$whoami" ] || { echo "FAIL: the executor of $user_a did not start"; cat "$work/a.err" "$work/spawner.log"; exit 1; }
lease_dir=$(dirname "$whoami")
pid=$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' "$whoami")
sed 's/^/  executor: /' "$whoami"
check "the executor's real, effective, saved uids are $user_a's" \
  grep -qP "^Uid:\t$uid_a\t$uid_a\t$uid_a\t$uid_a$" "/proc/$pid/status"
check "the executor's gids are $user_a's" grep -qP "^Gid:\t$gid_a\t$gid_a\t$gid_a\t$gid_a$" "/proc/$pid/status"
check "the executor has $user_a's supplementary group $group_x" grep -qP "^Groups:.*\b$gid_x\b" "/proc/$pid/status"
check "the executor keeps no capability" grep -qP "^CapPrm:\t0+$" "/proc/$pid/status"
check "the executor has no effective capability" grep -qP "^CapEff:\t0+$" "/proc/$pid/status"
check "the executor is not in root's group 0" bash -c "! grep -qP '^Groups:.*(\t| )0( |$)' /proc/$pid/status"
check "the executor sees $user_a's USER and HOME, not root's" \
  bash -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx 'USER=$user_a' && ! tr '\\0' '\\n' </proc/$pid/environ | grep -qx 'HOME=/root'"
check "the lease directory belongs to $user_a with mode 0700" \
  test "$(stat -c '%U %a' "$lease_dir")" = "$user_a 700"
check "$user_a reads its own lease directory" as_user "$user_a" test -r "$whoami"
check "$user_a may signal its own executor" as_user "$user_a" kill -0 "$pid"

echo "--- $user_b cannot reach $user_a's executor"
refused "$user_b lists $user_a's lease directory" as_user "$user_b" ls "$lease_dir"
refused "$user_b reads a file in $user_a's lease directory" as_user "$user_b" cat "$whoami"
refused "$user_b reads $user_a's shipped library (descriptor 4 of the executor)" \
  as_user "$user_b" cat "/proc/$pid/fd/4"
refused "$user_b reads the executor's memory map" as_user "$user_b" cat "/proc/$pid/maps"
refused "$user_b signals $user_a's executor" as_user "$user_b" kill -0 "$pid"
cat >"$work/attach.py" <<'PY'
import ctypes, os, sys
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
attached = libc.ptrace(16, pid, None, None) == 0  # PTRACE_ATTACH
print("  ptrace(PTRACE_ATTACH):", "attached" if attached else os.strerror(ctypes.get_errno()))
try:
    with open(f"/proc/{pid}/mem", "rb") as mem:
        mem.read(1)
    readable = True
except OSError as error:
    readable = False
    print("  open /proc/pid/mem:", error.strerror)
sys.exit(0 if attached or readable else 1)
PY
refused "$user_b attaches to $user_a's executor with ptrace or reads its /proc/pid/mem" \
  as_user "$user_b" python3 "$work/attach.py" "$pid"
touch "$lease_dir/release"
wait "$invoke_a"
check "$user_a's invocation reports uid $uid_a" contains "$work/a.out" "^uid=$uid_a euid=$uid_a gid=$gid_a egid=$gid_a groups=.*$gid_x"

echo "--- lease requests with bad credentials are refused"
probe_as_a() { as_user "$user_a" env FERRY_MUNGE_SOCKET="$1" timeout 30 "$probe" "$manager" "$2" >"$work/probe.out" 2>&1; }
probe_as_a "$socket" valid
check "a valid credential of $user_a gets a lease owned by uid $uid_a" contains "$work/probe.out" "^granted uid=$uid_a gid=$gid_a user=$user_a$"
probe_as_a "$socket" claims-root
check "a request that claims uid 0 is owned by the credential's uid $uid_a" contains "$work/probe.out" "^granted uid=$uid_a "
probe_as_a "$socket" none
check "no credential: refused" contains "$work/probe.out" "^refused: .*carries no munge credential"
probe_as_a "$work/other.socket" valid
check "a credential under another key: refused" contains "$work/probe.out" "^refused: the munge credential is not valid"
probe_as_a "$socket" other-request
check "a credential made for another request: refused" contains "$work/probe.out" "^refused: the munge credential was made for another request"
probe_as_a "$socket" expired
check "an expired credential: refused" contains "$work/probe.out" "^refused: the munge credential is not valid: .*[Ee]xpired"
probe_as_a "$socket" replayed
check "a replayed credential: the first use is granted" contains "$work/probe.out" "^granted uid=$uid_a "
check "a replayed credential: the second use is refused" contains "$work/probe.out" "^refused: the munge credential is not valid: .*[Rr]eplayed"
as_user "$user_a" env FERRY_MUNGE_SOCKET="$work/absent.socket" timeout 60 "$ferry" invoke --manager "$manager" \
  --library "$library" --function identity --input 0 >"$work/a2.out" 2>"$work/a2.err"
check "a client without munged hears why it was refused" \
  contains "$work/a2.err" "carries no munge credential.*cannot create a munge credential"

echo "--- the spawner run as root runs nothing as root"
timeout 60 "$ferry" invoke --manager "$manager" --library "$library" --function identity --input 0 \
  >"$work/root.out" 2>"$work/root.err"
check "root's lease is refused by the spawner" contains "$work/root.err" "belongs to root.*--allow-root-owner"

echo "--- a spawner run as $user_b serves only $user_b"
cp "$work/secret" "$work/secret_b" && chown "$user_b" "$work/secret_b"
mkdir -m 700 "$work/b" && chown "$user_b" "$work/b"
as_user "$user_b" "$ferry" spawner --auth munge --munge-socket "$socket" --cores 1 --work-root "$work/b/root" \
  >"$work/spawner_b.log" 2>&1 &
daemons+=($!)
spawner_b=$(address_of spawner_b) || exit 1
as_user "$user_a" timeout 60 "$ferry" invoke --spawner "$spawner_b" --library "$library" --function identity \
  --input 0 >"$work/ab.out" 2>"$work/ab.err"
check "$user_a's lease on $user_b's spawner is refused" contains "$work/ab.err" "serves only that user's leases"
as_user "$user_b" timeout 60 "$ferry" invoke --spawner "$spawner_b" --library "$library" --function identity \
  --input 0 >"$work/bb.out" 2>"$work/bb.err"
check "$user_b's lease on its own spawner runs as $user_b" contains "$work/bb.out" "^uid=$uid_b euid=$uid_b "

if [ "$failures" -ne 0 ]; then
  echo "--- manager log:"; tail -20 "$work/manager.log"
  echo "--- spawner log:"; tail -20 "$work/spawner.log"
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

#!/usr/bin/env bash
# run_fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]: builds the libFuzzer targets with clang
# in build-fuzz/ and runs each (all of them unless named) for SECONDS_PER_TARGET (600 by
# default), one after another, on a scratch copy of its seed corpus with its dictionary.
# Prints a line per target with its executions and whether it found anything; exits 1 if
# any target did. Crash inputs, logs and grown corpora stay in a scratch directory
# ($FERRY_FUZZ_SCRATCH, or a new one under $TMPDIR), never in the tree.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-600}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(decode_message_fuzzer token_fuzzer bootstrap_messages_fuzzer spawn_protocol_fuzzer port_messages_fuzzer)
fi
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DFERRY_BUILD_FUZZERS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
cmake --build build-fuzz --target "${targets[@]}" -j "${FERRY_BUILD_JOBS:-$(nproc)}"

scratch=${FERRY_FUZZ_SCRATCH:-$(mktemp -d "${TMPDIR:-/tmp}/ferry-fuzz.XXXXXX")}
mkdir -p "$scratch"
found_any=0
summary=()
for target in "${targets[@]}"; do
  work="$scratch/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp test/fuzz/corpus/"$target"/* "$work/corpus/"
  log="$work/fuzz.log"
  echo "== $target: ${seconds}s, log in $log"
  start=$(date +%s)
  status=0
  build-fuzz/test/fuzz/"$target" "$work/corpus" -dict="test/fuzz/$target.dict" -max_total_time="$seconds" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  artifacts=$(find "$work/artifacts" -type f | wc -l)
  if ((status == 0 && artifacts == 0)); then
    result="found nothing"
  else
    result="FOUND SOMETHING (exit $status, $artifacts artifact(s) in $work/artifacts)"
    found_any=1
  fi
  summary+=("$(printf '%-26s %12s executions in %4ss: %s' "$target" "${executions:-?}" "$elapsed" "$result")")
  echo "${summary[-1]}"
done

echo "== summary (scratch: $scratch)"
printf '%s\n' "${summary[@]}"
exit "$found_any"

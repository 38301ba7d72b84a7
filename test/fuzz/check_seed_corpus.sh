#!/usr/bin/env bash
# check_seed_corpus.sh GENERATOR CORPUS_DIR: fails when GENERATOR (make_seed_corpus) no
# longer writes the seeds in CORPUS_DIR byte for byte, that is when an encoding changed
# and the corpus wants regenerating (the update_fuzz_seed_corpus target).
set -euo pipefail
generator=$1
corpus=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$generator" "$scratch" >/dev/null
stale=0
while IFS= read -r -d '' seed; do
  name=${seed#"$scratch"/}
  if ! cmp -s "$seed" "$corpus/$name"; then
    echo "seed $name differs from what make_seed_corpus writes now" >&2
    stale=1
  fi
done < <(find "$scratch" -type f -print0)
exit "$stale"

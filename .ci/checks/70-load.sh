#!/usr/bin/env bash
# Limits under load on a release build: 10,000 realistic playbooks from benches/generate.py
# (about 16 KB each, 150 MB in all, a share with defects) are checked with every rule in
# bounded memory: at most 160 MiB (measured: about 80 MiB). Each file is dropped as soon as it
# is checked; a finding keeps only the lines it shows, so memory grows with the findings
# (about 6,800 here, most of them `unused-content`), not with the files.
set -euo pipefail

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cargo build --release --locked --quiet
python3 benches/generate.py "$out/few" --files 100 --seed 7
python3 benches/generate.py "$out/many" --files 10000 --seed 7

# check DIR -> "files errors peak_kib seconds"
measure() {
  local status=0
  /usr/bin/time -f '%M %e' -o "$out/time" ./target/release/stagebook check --format json "$1" \
    >"$out/check.json" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "70-load: check $1 failed with exit $status" >&2
    exit 1
  fi
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["files"], s["errors"], end=" ")' \
    "$out/check.json"
  tail -n 1 "$out/time"
}

read -r few_files few_errors few_kib few_s < <(measure "$out/few")
read -r many_files many_errors many_kib many_s < <(measure "$out/many")
echo "70-load: 100 files: ${few_s}s, ${few_kib} KiB peak, ${few_errors} errors"
echo "70-load: 10,000 files: ${many_s}s, ${many_kib} KiB peak, ${many_errors} errors"

fail=0
[ "$few_files" -eq 100 ] || { echo "70-load: expected 100 files, got $few_files" >&2; fail=1; }
[ "$many_files" -eq 10000 ] || { echo "70-load: expected 10000 files, got $many_files" >&2; fail=1; }
[ "$many_errors" -gt 0 ] || { echo "70-load: the defective files were not reported" >&2; fail=1; }
if [ "$many_kib" -gt $((160 * 1024)) ]; then
  echo "70-load: peak memory $many_kib KiB for 10,000 files (100 files: $few_kib KiB)" >&2
  fail=1
fi
exit "$fail"

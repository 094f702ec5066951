#!/usr/bin/env bash
# Times `stagebook check` against the JSON-Schema tools a team would otherwise use, on the
# same generated playbooks, with hyperfine. Everything it installs goes to benches/.tools
# (git-ignored): ajv-cli (npm), check-jsonschema (PyPI, in a venv), boon (crates.io).
#
# usage: [RUNS=5] [WARMUP=1] benches/check.sh [SIZES…]     (default sizes: 100 1000 10000)
# Writes the hyperfine results to benches/results/check-N.{json,md} and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/benches/.tools
data=${BENCH_DATA:-/tmp/stagebook-bench}
results=$root/benches/results
mkdir -p "$tools" "$data" "$results"
sizes=("${@:-100 1000 10000}")
read -r -a sizes <<< "${sizes[*]}"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
if [ ! -x "$tools/node_modules/.bin/ajv" ]; then
  npm install --silent --prefix "$tools" ajv-cli@5 ajv-formats@3 >/dev/null
fi
if [ ! -x "$tools/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet check-jsonschema==0.39.0
fi
if [ ! -x "$tools/bin/boon" ]; then
  cargo install --quiet --locked --root "$tools" boon-cli@0.6.2
fi

cargo build --release --quiet
bin=$root/target/release/stagebook
schema=$root/schemas/playbook.schema.json

# Each tool must accept a valid playbook before it is timed: a tool that fails at once (an
# unreadable schema, say) would otherwise look fast. (A generated one: ajv-cli reads YAML 1.1,
# where the shipped playbooks' `updated: 2026-11-02` is a date, not text.)
[ -d "$data/sample" ] || python3 benches/generate.py "$data/sample" --files 1 --defects 0
sample=$data/sample/playbook-00000.yaml
"$bin" check --no-lint "$sample" > /dev/null
"$tools/bin/boon" "$schema" "$sample" > /dev/null
"$tools/node_modules/.bin/ajv" validate --spec=draft2020 -c ajv-formats -s "$schema" -d "$sample" > /dev/null 2>&1
"$tools/venv/bin/check-jsonschema" --schemafile "$schema" "$sample" > /dev/null

for n in "${sizes[@]}"; do
  dir=$data/files-$n
  if [ ! -d "$dir" ]; then
    python3 benches/generate.py "$dir" --files "$n" --seed 7
  fi
  mb=$(du -sm --apparent-size "$dir" | cut -f1)
  echo "== $n files, $mb MB"
  # Each tool reads every file; exit codes are ignored (a share of the files is broken).
  # check-jsonschema takes minutes on 10,000 files: there it is timed once, in its own run.
  cj=(-n "check-jsonschema" "$tools/venv/bin/check-jsonschema --schemafile $schema $dir/*.yaml")
  slow=()
  if [ "$n" -ge 10000 ]; then slow=("${cj[@]}"); cj=(); fi
  hyperfine --warmup "${WARMUP:-1}" --runs "${RUNS:-5}" --ignore-failure --style basic \
    --export-json "$results/check-$n.json" --export-markdown "$results/check-$n.md" \
    -n "stagebook check (all rules)" "$bin check $dir --format json" \
    -n "stagebook check (schema only)" "$bin check --stop-after schema $dir --format json" \
    -n "stagebook parse only (floor)" "$bin check --stop-after parse $dir --format json" \
    -n "boon" "$tools/bin/boon $schema $dir/*.yaml" \
    -n "ajv-cli" "$tools/node_modules/.bin/ajv validate --spec=draft2020 -c ajv-formats -s $schema -d '$dir/*.yaml'" \
    "${cj[@]}" > /dev/null
  rm -f "$results/check-$n-slow.json"
  if [ "${#slow[@]}" -gt 0 ]; then
    hyperfine --warmup 0 --runs 1 --ignore-failure --style basic \
      --export-json "$results/check-$n-slow.json" "${slow[@]}" > /dev/null
  fi
  python3 - "$results/check-$n.json" "$n" "$results/check-$n-slow.json" <<'PY'
import json, os, sys
runs = json.load(open(sys.argv[1]))["results"]
if os.path.exists(sys.argv[3]):
    runs += json.load(open(sys.argv[3]))["results"]
base = next(r for r in runs if r["command"] == "stagebook check (all rules)")["median"]
print(f"| tool | files | median | runs | ratio to stagebook |")
print(f"| --- | --- | --- | --- | --- |")
for r in runs:
    print(f"| {r['command']} | {sys.argv[2]} | {r['median']*1000:.0f} ms | {len(r['times'])} | {r['median']/base:.2f}× |")
PY
done

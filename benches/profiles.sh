#!/usr/bin/env bash
# Compares build profiles: how long each takes to build (clean and after touching one source
# file) and how fast the binary it makes runs `check` and `metrics`. Runtime is counted in
# instructions with callgrind (the same count whatever else the machine is doing), on
# 1,000 generated playbooks and a 300,000-row generated history; build time is wall and CPU
# time (user + system) from /usr/bin/time.
#
#   benches/profiles.sh [NAME=LTO,CODEGEN_UNITS …]
#   default: fat=fat,1 thin=thin,16 off=off,16
#
# Each profile builds in its own target folder under $BENCH_DATA (default
# /tmp/stagebook-bench), so the clean build is clean; the cargo registry cache is shared.
# Writes benches/results/profiles.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data="${BENCH_DATA:-/tmp/stagebook-bench}"
results=$root/benches/results
mkdir -p "$data" "$results"
configs=("${@:-fat=fat,1 thin=thin,16 off=off,16}")
read -r -a configs <<< "${configs[*]}"

playbooks=$data/files-1000
[ -d "$playbooks" ] || python3 benches/generate.py "$playbooks" --files 1000 --seed 7
history=$data/history-300000.csv
[ -s "$history" ] || python3 benches/gen_history.py --rows 300000 --seed 7 --out "$history"

seconds() { awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$1"; }
clock() { # "m:ss.ss" or "h:mm:ss" -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.0f", s }' <<< "$1"
}
instructions() { # callgrind's total instruction count for one run of the binary
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" > /dev/null 2> "$out" || true
  grep -o 'Collected : [0-9]*' "$out" | awk '{print $3}'
  rm -f "$out"
}

rows=()
for config in "${configs[@]}"; do
  name=${config%%=*}
  settings=${config#*=}
  lto=${settings%,*}
  units=${settings#*,}
  target=$data/target-profile-$name
  rm -rf "$target"
  export CARGO_PROFILE_RELEASE_LTO=$lto CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$units
  echo "== $name: lto=$lto codegen-units=$units"
  /usr/bin/time -v cargo build --release --locked --quiet --target-dir "$target" 2> "$data/$name-clean.time"
  touch src/lib.rs
  /usr/bin/time -v cargo build --release --locked --quiet --target-dir "$target" 2> "$data/$name-incr.time"
  unset CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS
  bin=$target/release/stagebook
  cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.0f", s}' "$1"; }
  clean_wall=$(clock "$(seconds "$data/$name-clean.time" 'Elapsed')")
  incr_wall=$(clock "$(seconds "$data/$name-incr.time" 'Elapsed')")
  check=$(instructions "$bin" check "$playbooks" --format json)
  metrics=$(instructions "$bin" metrics tests/fixtures/metrics/saas.yaml --history "$history" --period month --format csv)
  size=$(stat -c %s "$bin")
  rows+=("$name|$lto|$units|$clean_wall|$(cpu "$data/$name-clean.time")|$incr_wall|$(cpu "$data/$name-incr.time")|$check|$metrics|$size")
  rm -rf "$target"
done

python3 - "${rows[@]}" > "$results/profiles.md" <<'PY'
import sys
rows = [r.split("|") for r in sys.argv[1:]]
base = rows[0]
print("| profile | lto | codegen-units | clean build (wall / CPU) | after touching src/lib.rs (wall / CPU) | check, 1,000 files | metrics, 300k rows | binary |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for name, lto, units, cw, cc, iw, ic, check, metrics, size in rows:
    rel = lambda v, b: f"{int(v) / 1e9:.2f} G instr ({(int(v) / int(b) - 1) * 100:+.1f} %)"
    print(f"| {name} | {lto} | {units} | {cw} s / {cc} s | {iw} s / {ic} s | {rel(check, base[7])} | {rel(metrics, base[8])} | {int(size) / 2**20:.1f} MiB |")
PY
cat "$results/profiles.md"

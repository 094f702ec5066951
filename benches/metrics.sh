#!/usr/bin/env bash
# Times `stagebook metrics` (release build) and DuckDB running the equivalent SQL
# (benches/metrics.sql) on the same generated history, one after the other, and prints wall
# time, CPU time (user + system) and peak memory (/usr/bin/time -v) for both.
#
#   benches/metrics.sh [ROWS]        # default 10 000 000 rows (about 0.5 GB)
#   STAGEBOOK_ARGS="--memory-limit 32MiB" benches/metrics.sh   # extra metrics options
#
# The data goes to $BENCH_DATA (default /tmp/stagebook-bench) and is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000000}"
data="${BENCH_DATA:-/tmp/stagebook-bench}"
mkdir -p "$data"
history="$data/history-$rows.csv"
if [ ! -s "$history" ]; then
  echo "== generating $rows rows (seed 7)"
  python3 benches/gen_history.py --rows "$rows" --seed 7 --out "$history"
fi
python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb
cargo build --release --locked --quiet
echo "== $(du -hL "$history" | cut -f1) $history, $(nproc) cores"

measure() {
  local name="$1"; shift
  /usr/bin/time -v "$@" 2> "$data/$name.time" >/dev/null || { cat "$data/$name.time"; exit 1; }
  local wall cpu peak
  wall=$(grep 'Elapsed (wall clock)' "$data/$name.time" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.2f", sum}' "$data/$name.time")
  peak=$(grep 'Maximum resident set size' "$data/$name.time" | awk '{print $NF}')
  printf '%-10s wall %8s  cpu %7s s  peak %6d MiB\n' "$name" "$wall" "$cpu" "$((peak / 1024))"
}

measure stagebook target/release/stagebook metrics tests/fixtures/metrics/saas.yaml \
  --history "$history" --period month --format csv --out "$data/stagebook.csv" \
  ${STAGEBOOK_ARGS:-}  # unquoted on purpose: several options
measure duckdb python3 benches/run_duckdb.py "$history" "$data/duckdb.csv"
echo "== the two agree on entered/advanced/lost/remaining for the first month:"
head -3 "$data/stagebook.csv" | cut -d, -f1,4-10
head -3 "$data/duckdb.csv"

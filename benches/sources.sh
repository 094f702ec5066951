#!/usr/bin/env bash
# Times `stagebook metrics` (release build) reading one generated history in every CRM shape
# (benches/gen_sources.py), prints wall time, CPU time and peak memory for each, and checks
# that the shapes that hold every change give the same CSV report as the long history (field
# history cannot place a deal that never changed stage: it says so in a warning).
#
#   benches/sources.sh [ROWS]     # default 4 000 000 rows (about 1 000 000 deals)
#
# The data goes to $BENCH_DATA (default /tmp/stagebook-bench) and is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-4000000}"
data="${BENCH_DATA:-/tmp/stagebook-bench}/sources-$rows"
mkdir -p "$data"
history="$data/history.csv"
if [ ! -s "$history" ]; then
  echo "== generating $rows rows (seed 7) in every shape"
  python3 benches/gen_history.py --rows "$rows" --seed 7 --out "$history"
  python3 benches/gen_sources.py "$history" "$data"
fi
cargo build --release --locked --quiet
echo "== $(nproc) cores"
for f in history.csv hubspot-api.jsonl pipedrive-flow.json field-history.csv hubspot-export.csv; do
  echo "   $(du -h "$data/$f" | cut -f1) $f"
done

measure() {
  local name="$1"; shift
  /usr/bin/time -v target/release/stagebook metrics tests/fixtures/metrics/saas.yaml \
    --period month --format csv --out "$data/$name.out.csv" "$@" \
    2> "$data/$name.time" >/dev/null || { cat "$data/$name.time"; exit 1; }
  local wall cpu peak
  wall=$(grep 'Elapsed (wall clock)' "$data/$name.time" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.2f", sum}' "$data/$name.time")
  peak=$(grep 'Maximum resident set size' "$data/$name.time" | awk '{print $NF}')
  printf '%-16s wall %8s  cpu %7s s  peak %6d MiB\n' "$name" "$wall" "$cpu" "$((peak / 1024))"
}

measure stage-history --history "$data/history.csv"
measure hubspot-api --history "$data/hubspot-api.jsonl"
measure pipedrive-api --history "$data/pipedrive-flow.json" --stages "$data/pipedrive-stages.json"
measure field-history --history "$data/field-history.csv"
measure hubspot-export --history "$data/hubspot-export.csv"
for name in hubspot-api pipedrive-api field-history; do
  if cmp -s "$data/stage-history.out.csv" "$data/$name.out.csv"; then
    echo "== $name: the same report as the long history"
  else
    echo "== $name: differs from the long history, with these warnings:"
    grep '^warning' "$data/$name.time" || echo "   (none: a bug)"
  fi
done

#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 600) at low priority in one forked worker that
# keeps going after a crash, timeout or OOM (each is saved under artifacts/TARGET/), and appends
# the run's executions and time to fuzz/runs.log.   usage: fuzz/run.sh TARGET [SECONDS] [MAX_LEN]
set -euo pipefail
cd "$(dirname "$0")"
target="$1" seconds="${2:-600}" max_len="${3:-32768}"
mkdir -p "corpus/$target" "artifacts/$target" logs
log="logs/$target-$(date +%Y%m%dT%H%M%S).log"
start=$(date +%s)
status=0
RUSTC_BOOTSTRAP=1 nice -n 10 cargo fuzz run -O "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len="$max_len" \
  -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
# Fork mode prints progress lines `#N: cov: …`; a single process prints final stats.
execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
if [ -z "$execs" ]; then
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
fi
echo -e "$(date -u +%FT%TZ)\t$target\t${elapsed}s\t${execs:-?} execs\texit $status\t$log" >> runs.log
tail -n 3 "$log"
exit "$status"

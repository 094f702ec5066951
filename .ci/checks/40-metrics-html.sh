#!/usr/bin/env bash
# The metrics HTML report is valid HTML (Nu Html Checker): one report with periods and the
# won profile, one for the Chinese example playbook, one with hostile text in deal ids.
set -euo pipefail
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build --locked --quiet
bin=target/debug/stagebook
"$bin" metrics playbooks/midmarket-saas.yaml --history examples/history.csv \
  --period quarter --won-profile --activities examples/activities.csv \
  --format html --out "$out/sample.html"
"$bin" metrics tests/fixtures/metrics/saas.yaml --history tests/fixtures/metrics/worked-example.csv \
  --from 2024-03-01 --to 2024-03-31 --format html --out "$out/worked.html"
"$bin" metrics tests/cmd/metrics-zh.in/playbook.yaml --history tests/cmd/metrics-zh.in/history.csv \
  --period month --tz Asia/Shanghai --format html --out "$out/zh.html"
printf 'deal_id,stage,entered_at\n"<img src=x onerror=alert(1)>",Prospecting,2024-01-01\n"a&b\x27\x22\x22",Prospecting,2024-01-02\n' > "$out/hostile.csv"
"$bin" metrics tests/fixtures/metrics/saas.yaml --history "$out/hostile.csv" --format html --out "$out/hostile.html"
if grep -q '<img\|onerror=' "$out/hostile.html"; then
  echo "hostile deal id reached the HTML unescaped" >&2
  exit 1
fi
bash "$SHARED_DIR/tools/validate-html.sh" "$out"/*.html

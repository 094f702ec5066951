#!/usr/bin/env bash
# Renders every shipped playbook (and the render fixtures) to a temporary folder and checks all
# the HTML files with the Nu Html Checker in one call (one JVM start): zero errors allowed.
set -euo pipefail

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

playbooks=()
for f in playbooks/*.yaml playbooks/*.yml tests/fixtures/render/*.yaml; do
  [ -e "$f" ] && playbooks+=("$f")
done
if [ ${#playbooks[@]} -eq 0 ]; then
  echo "30-html: no playbooks to render" >&2
  exit 1
fi

cargo build --locked --quiet
./target/debug/stagebook render "${playbooks[@]}" --out "$out" --format html

mapfile -t html < <(find "$out" -name '*.html' | sort)
echo "30-html: validating ${#html[@]} HTML files"
bash "$SHARED_DIR/tools/validate-html.sh" "${html[@]}"

#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs (git-ignored; rerun any time, it only adds).
#   load_check:  shipped playbooks, test fixtures, the YAML test suite and the hostile corpus
#   structured:  the same files as raw bytes (arbitrary turns any bytes into a playbook)
#   metrics_csv: stage histories, each behind a few option bytes (see metrics_csv.rs)
#   templates:   the built-in templates, each behind its name byte and a NUL (no playbook)
#   crm_readers: the retrieved CRM files of tests/fixtures/crm/retrieved
set -euo pipefail
cd "$(dirname "$0")"
repo=..

mkdir -p corpus/load_check corpus/structured corpus/metrics_csv corpus/templates corpus/crm_readers

yaml=()
for f in "$repo"/playbooks/*.yaml "$repo"/tests/fixtures/*/*.yaml "$repo"/tests/cmd/*.in/*.yaml \
  "$repo"/tests/data/yaml-test-suite/*.yaml "$repo"/tests/data/hostile/*.yaml; do
  [ -f "$f" ] && yaml+=("$f")
done
for f in "${yaml[@]}"; do
  name="$(basename "$(dirname "$f")")-$(basename "$f")"
  cp "$f" "corpus/load_check/$name"
done
# Structured inputs need no more than a few KB each.
for f in "$repo"/playbooks/*.yaml "$repo"/tests/fixtures/render/*.yaml; do
  head -c 4096 "$f" > "corpus/structured/$(basename "$f")"
done

for f in "$repo"/examples/history.csv "$repo"/tests/fixtures/metrics/worked-example.csv; do
  # flags: bit 0-1 period, 2-3 delimiter (`,` for 0), 4 skip bad rows, 5 won profile, 6 zone
  for flags in '\x00' '\x01' '\x12' '\x43' '\x30'; do
    name="$(basename "$f" .csv)-$(printf '%s' "$flags" | tr -d '\\')"
    { printf "$flags"; head -c 20000 "$f"; } > "corpus/metrics_csv/$name"
  done
done
# The won profile with an activities file after a NUL byte.
{ printf '\x21'; head -c 8000 "$repo/examples/history.csv"; printf '\x00'; head -c 8000 "$repo/examples/activities.csv"; } \
  > corpus/metrics_csv/won-profile-with-activities
# templates: byte 0 picks the name (the order of TEMPLATE_NAMES in src/lib.rs), then NUL.
i=0
for t in handbook.html.j2 checklists.md.j2 macros.html.j2 style.css.j2 handbook.md.j2 checklists.html.j2; do
  { printf "\\x$(printf %02x "$i")"; printf '\x00'; cat "$repo/templates/$t"; } > "corpus/templates/$t"
  i=$((i + 1))
done
for f in "$repo"/tests/fixtures/crm/retrieved/*.json \
  "$repo"/tests/fixtures/crm/retrieved/*/force-app/main/default/standardValueSets/*.xml; do
  cp "$f" "corpus/crm_readers/$(echo "${f#"$repo"/tests/fixtures/crm/retrieved/}" | tr / -)"
done
echo "seeded: $(ls corpus/load_check | wc -l) load_check, $(ls corpus/structured | wc -l) structured, $(ls corpus/metrics_csv | wc -l) metrics_csv, $(ls corpus/templates | wc -l) templates, $(ls corpus/crm_readers | wc -l) crm_readers"

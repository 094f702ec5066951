#!/usr/bin/env bash
# Exports every shipped playbook (and the CRM test fixtures) to Salesforce, in both layouts,
# and validates the metadata with xmllint against the hand-written subset of the Metadata API
# in tests/schemas/sfdc-metadata-subset.xsd. (The HubSpot and Pipedrive bodies are validated
# against their JSON Schemas by `cargo test --test cli crm::`.)
set -euo pipefail

xsd=tests/schemas/sfdc-metadata-subset.xsd
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --quiet --locked
bin=target/debug/stagebook

shopt -s nullglob
playbooks=(playbooks/*.yaml playbooks/*.yml tests/fixtures/crm/*.yaml)
if [ ${#playbooks[@]} -eq 0 ]; then
  echo "no playbooks to export" >&2
  exit 1
fi

count=0
for playbook in "${playbooks[@]}"; do
  name=$(basename "${playbook%.*}")
  for layout in source mdapi; do
    # A sales process is written in the source layout only (mdapi is refused with one).
    if [ "$layout" = mdapi ] && grep -q 'sales_process:' "$playbook"; then
      continue
    fi
    dir="$out/$name-$layout"
    "$bin" crm export "$playbook" --target salesforce --layout "$layout" --out "$dir" >/dev/null
    mapfile -t files < <(find "$dir" -type f | sort)
    if ! report=$(xmllint --noout --schema "$xsd" "${files[@]}" 2>&1); then
      echo "$report" >&2
      exit 1
    fi
    count=$((count + ${#files[@]}))
  done
done
# On top of a live org: the retrieved fixture itself, and the merged export, validate too.
org=tests/fixtures/crm/retrieved/salesforce-live-org
dir="$out/merged"
"$bin" crm export playbooks/midmarket-saas.yaml --target salesforce --out "$dir" --merge-with "$org" >/dev/null
# A playbook that names the org's sales process: the process file is written and validates.
named="$out/named.yaml"
sed 's/^  cycle_target: 8w$/  cycle_target: 8w\n  crm:\n    salesforce:\n      sales_process: New Business/' \
  playbooks/midmarket-saas.yaml > "$named"
grep -q 'sales_process: New Business' "$named"
"$bin" crm export "$named" --target salesforce --out "$out/process" --merge-with "$org" >/dev/null
test -f "$out/process/objects/Opportunity/businessProcesses/New Business.businessProcess-meta.xml"
# Two playbooks deployed together, into a new org and on top of the live one: one value set,
# a Sales Path and a sales process each.
"$bin" crm export tests/fixtures/crm/multi/new-business.yaml tests/fixtures/crm/multi/renewals.yaml \
  --target salesforce --out "$out/together-new" >/dev/null
"$bin" crm export tests/fixtures/crm/multi/new-business.yaml tests/fixtures/crm/multi/renewals.yaml \
  --target salesforce --out "$out/together-live" --merge-with "$org" >/dev/null
test -f "$out/together-live/objects/Opportunity/businessProcesses/Renewal.businessProcess-meta.xml"
mapfile -t files < <(find "$dir" "$out/process" "$out/together-new" "$out/together-live" "$org" -type f -name '*.xml' | sort)
if ! report=$(xmllint --noout --schema "$xsd" "${files[@]}" 2>&1); then
  echo "$report" >&2
  exit 1
fi
count=$((count + ${#files[@]}))
echo "crm: $count Salesforce metadata files from ${#playbooks[@]} playbooks, a merge into a live org and two playbooks exported together validate against $xsd"

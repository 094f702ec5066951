#!/usr/bin/env bash
# SARIF output validates against the OASIS SARIF 2.1.0 schema: for the shipped playbooks (clean),
# for a fixture with lint findings and related locations, and for every CLI fixture (YAML, schema,
# structure and lint findings together). `check` exits 1 on findings; only 2 (the tool failed) is
# a failure here. The README's rule table is drift-tested by `cargo test` (tests/cli/lint.rs).
set -euo pipefail

cargo build --quiet --locked
bin=target/debug/stagebook
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

run() {
  local name="$1"; shift
  local code=0
  "$bin" check --format sarif "$@" > "$out/$name.sarif" || code=$?
  if [ "$code" -gt 1 ]; then
    echo "stagebook check failed (exit $code) for: $*" >&2
    exit 1
  fi
  echo "$name.sarif: $(grep -c '"ruleId"' "$out/$name.sarif" || true) results"
}

run playbooks playbooks/
run broken-fixture tests/cmd/lint-formats.in/playbook.yaml
run cli-fixtures tests/cmd/

bash "$SHARED_DIR/tools/validate-sarif.sh" "$out"/*.sarif

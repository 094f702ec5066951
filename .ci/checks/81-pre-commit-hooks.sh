#!/usr/bin/env bash
# The hooks in .pre-commit-hooks.yaml work as teams use them, by naming this repository:
# `pre-commit try-repo` on a scaffold from `stagebook init` passes while the playbook is clean
# and fails, naming the finding, once it refers to a stage that does not exist.
#
# `stagebook-check` is `language: python`: pre-commit pip-installs the repository, and pip builds
# it through pyproject.toml (maturin, with Cargo.lock) using maturin from PyPI; the crates come
# from cargo's cache or crates.io. (`language: rust` would run `cargo install --path .`, which
# ignores Cargo.lock, and fetch a toolchain through rustup when it sees none.) The build here
# uses the dev profile and this checkout's target folder, so only stagebook itself compiles: the
# hook definition and the install path are under test, not the optimiser.
# `stagebook-check-system` runs the stagebook on the PATH, here the debug build.
set -euo pipefail
source .ci/checks/wheel-common.bash

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
repo="$PWD"
scaffold "$out/project"

# For `stagebook-check`, the first stagebook on the PATH is a decoy that fails: the hook passes
# only with the stagebook pre-commit built into its own environment (which comes first).
mkdir "$out/decoy"
printf '#!/bin/sh\necho "not the stagebook pre-commit installed" >&2\nexit 99\n' > "$out/decoy/stagebook"
chmod +x "$out/decoy/stagebook"
export PRE_COMMIT_HOME="$out/pre-commit-home" CARGO_TARGET_DIR="$repo/target"
export MATURIN_PEP517_ARGS="--profile dev" NO_COLOR=1 PIP_FIND_LINKS=''
try_repo() {
  local hook="$1" path="$out/decoy:$PATH" status=0
  [ "$hook" = stagebook-check-system ] && path="$repo/target/debug:$PATH"
  (cd "$out/project" && PATH="$path" \
    "$tools/bin/pre-commit" try-repo "$repo" "$hook" --all-files --color never) \
    > "$out/log" 2>&1 || status=$?
  echo "$status"
}
for hook in stagebook-check stagebook-check-system; do
  git -C "$out/project" checkout --quiet -- .
  status="$(try_repo "$hook")"
  if [ "$status" != 0 ] || ! grep -q '^stagebook check\.*Passed$' "$out/log"; then
    echo "81-pre-commit-hooks: $hook failed (exit $status) on the clean scaffold:" >&2
    cat "$out/log" >&2
    exit 1
  fi
  break_playbook "$out/project"
  status="$(try_repo "$hook")"
  if [ "$status" != 1 ] || ! grep -q '^stagebook check\.*Failed$' "$out/log" ||
    ! grep -q "\`next\` refers to stage \`demos\`, which does not exist" "$out/log"; then
    echo "81-pre-commit-hooks: $hook did not fail as expected (exit $status) on the broken scaffold:" >&2
    cat "$out/log" >&2
    exit 1
  fi
  echo "81-pre-commit-hooks: $hook passes on the clean scaffold and fails on the broken one"
done

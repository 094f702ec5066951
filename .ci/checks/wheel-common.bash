# Sourced (not run) by the checks around the Python wheel: 80-wheel.sh, 81-pre-commit-hooks.sh,
# 82-init-scaffold.sh and 85-workflows.sh. Gives them
#   $tools/bin/…      maturin, pre-commit, pipx and uv, pinned, from PyPI, in a virtual
#                     environment kept between runs;
#   build_wheel DIR   the stagebook wheel of this checkout, built into DIR; prints its path;
#   scaffold DIR      a playbook repository made by `stagebook init` (debug build), committed
#                     on `main`;
#   break_playbook DIR  makes its playbook refer to a stage that does not exist.
# In CI (CI=true) the wheel is built with the release profile, as a published one is; elsewhere
# with the dev profile, so a local run does not spend minutes on link-time optimisation.

tools="${STAGEBOOK_CI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/stagebook-ci/python-tools}"
wheel_profile="${STAGEBOOK_WHEEL_PROFILE:-$([ "${CI:-}" = true ] && echo release || echo dev)}"

if [ ! -x "$tools/bin/pre-commit" ] || ! "$tools/bin/python" -c 'import sys' 2>/dev/null; then
  rm -rf "$tools"
  python3 -m venv "$tools"
fi
# The machine's pip configuration may name a local wheel folder; the tools come from PyPI.
PIP_FIND_LINKS='' PIP_NO_INDEX='' "$tools/bin/python" -m pip install --quiet \
  --disable-pip-version-check "maturin==1.16.0" "pre-commit==4.7.0" "pipx==1.18.4" "uv==0.13.8"

build_wheel() {
  local out="$1"
  mkdir -p "$out"
  # `pypi`: only a tag PyPI accepts (the lowest manylinux one the binary satisfies, never the
  # bare `linux`); `check`: fail rather than repair, as the binary needs only the C library.
  "$tools/bin/maturin" build --quiet --locked --profile "$wheel_profile" --out "$out" \
    --compatibility pypi --auditwheel check >&2
  local wheels=("$out"/stagebook-*.whl)
  if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
    echo "expected one stagebook wheel in $out, found: ${wheels[*]}" >&2
    return 1
  fi
  echo "${wheels[0]}"
}

scaffold() {
  local dir="$1"
  cargo build --quiet --locked
  target/debug/stagebook init "$dir" > /dev/null
  git -C "$dir" init --quiet --initial-branch=main
  git -C "$dir" add --all
  git -C "$dir" -c user.name=ci -c user.email=ci@localhost commit --quiet -m "stagebook init"
}

break_playbook() {
  local playbook="$1/playbooks/sales.yaml"
  sed -i 's/^    next: demo$/    next: demos/' "$playbook"
  grep -q '^    next: demos$' "$playbook" || {
    echo "break_playbook: the starter playbook has no \`next: demo\` line any more" >&2
    return 1
  }
}

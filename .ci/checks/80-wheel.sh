#!/usr/bin/env bash
# The Python wheel (pyproject.toml, maturin `bindings = "bin"`) carries a working stagebook:
# built from this checkout with a tag PyPI accepts, installed from the file alone (no index)
# into a fresh virtual environment, it runs `--version` and checks the shipped playbooks; so
# does `pipx run` and `uvx` of the same file.
set -euo pipefail
source .ci/checks/wheel-common.bash

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wheel="$(build_wheel "$out/wheels")"
name="$(basename "$wheel")"
version="$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "stagebook"))')"

# One binary wheel for this machine: any Python 3, manylinux, this architecture.
if ! [[ "$name" =~ ^stagebook-${version//./\\.}-py3-none-manylinux_2_[0-9]+_$(uname -m)\.whl$ ]]; then
  echo "80-wheel: unexpected wheel name $name" >&2
  exit 1
fi
listing="$(python3 -m zipfile -l "$wheel" | awk 'NR > 1 { print $1 }' | sort)"
expected="$(printf '%s\n' "stagebook-$version.data/scripts/stagebook" \
  "stagebook-$version.dist-info/METADATA" "stagebook-$version.dist-info/RECORD" \
  "stagebook-$version.dist-info/WHEEL" "stagebook-$version.dist-info/sboms/stagebook.cyclonedx.json" | sort)"
if [ "$listing" != "$expected" ]; then
  echo "80-wheel: the wheel holds" >&2
  echo "$listing" >&2
  exit 1
fi

python3 -m venv "$out/venv"
PIP_FIND_LINKS='' "$out/venv/bin/python" -m pip install --quiet --no-index \
  --disable-pip-version-check "$wheel"
# From outside the checkout, with only the virtual environment on the PATH.
cd "$out"
stagebook="$out/venv/bin/stagebook"
found="$(PATH="$out/venv/bin:/usr/bin:/bin" command -v stagebook || true)"
if [ "$found" != "$stagebook" ]; then
  echo "80-wheel: the wheel installed no \`stagebook\` command (found: ${found:-none})" >&2
  exit 1
fi
got="$("$stagebook" --version)"
cd - > /dev/null
expected="stagebook $version ($(git log -1 --format='%h %cs'))"
if [ "$got" != "$expected" ]; then
  echo "80-wheel: stagebook --version printed \`$got\`, not \`$expected\`" >&2
  exit 1
fi
got="$(NO_COLOR=1 "$stagebook" check playbooks/)"
if [ "$got" != "no problems in 6 files" ]; then
  echo "80-wheel: stagebook check playbooks/ printed: $got" >&2
  exit 1
fi
# The README's ways to run it without installing, offline from the same file.
run_without_installing() {
  local tool="$1" got
  shift
  got="$(PIPX_HOME="$out/pipx" PIPX_BIN_DIR="$out/pipx/bin" UV_CACHE_DIR="$out/uv" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS='' NO_COLOR=1 "$tools/bin/$tool" "$@" \
    stagebook check playbooks/ 2> "$out/stderr")" || {
    echo "80-wheel: \`$tool\` failed:" >&2
    cat "$out/stderr" >&2
    exit 1
  }
  if [ "$got" != "no problems in 6 files" ]; then
    echo "80-wheel: \`$tool … stagebook check playbooks/\` printed: $got" >&2
    exit 1
  fi
}
run_without_installing pipx run --spec "$wheel"
run_without_installing uvx --offline --no-config --from "$wheel"
echo "80-wheel: $name ($(du -k "$wheel" | cut -f1) KiB, $wheel_profile profile) installs, and runs with pip, pipx and uvx"

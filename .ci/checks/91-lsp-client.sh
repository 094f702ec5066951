#!/usr/bin/env bash
# `stagebook lsp` driven by a real LSP client library: pygls 1.3 (PyPI, pinned, in the CI tools'
# virtual environment), through .ci/checks/lsp-client.py.
set -euo pipefail
source .ci/checks/wheel-common.bash
PIP_FIND_LINKS='' PIP_NO_INDEX='' "$tools/bin/python" -m pip install --quiet \
  --disable-pip-version-check "pygls==1.3.1" "lsprotocol==2023.0.1"
cargo build --quiet --locked
"$tools/bin/python" .ci/checks/lsp-client.py "$PWD/target/debug/stagebook"

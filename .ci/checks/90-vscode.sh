#!/usr/bin/env bash
# The VS Code extension (editors/vscode): compiles with tsc and packages with vsce into a
# .vsix holding the client and its runtime dependency, vscode-languageclient (npm registry;
# versions pinned by package-lock.json). Built in a copy, so the work tree stays clean.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r editors/vscode/. "$work"
rm -rf "$work/node_modules" "$work/out" "$work"/*.vsix
(
  cd "$work"
  npm ci --silent --no-audit --no-fund
  npm run --silent compile
  npm run --silent package > /dev/null
)
listing="$(python3 -m zipfile -l "$work/stagebook.vsix")"
for file in extension/out/extension.js extension/node_modules/vscode-languageclient/package.json extension/package.json; do
  grep -q "$file" <<< "$listing" || { echo "90-vscode: $file is not in stagebook.vsix" >&2; exit 1; }
done
echo "90-vscode: stagebook.vsix ($(( $(stat -c %s "$work/stagebook.vsix") / 1024 )) KiB) holds the client and vscode-languageclient"

#!/usr/bin/env bash
# Render timings (release build): the shipped example playbook and a generated 200-stage one.
# usage: benches/render.sh   (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 benches/generate.py "$tmp/big200.yaml" --one-big --stages 200
hyperfine -N --warmup 3 --runs 40 \
  "target/release/stagebook render playbooks/midmarket-saas.yaml --out $tmp/a" \
  "target/release/stagebook render $tmp/big200.yaml --out $tmp/b"

#!/usr/bin/env bash
# The live preview in a real headless Chromium: load the page, save a change to the YAML, see
# the page follow (tests/cli/serve.rs). Chromium comes from 60-serve.apt; here it must be present,
# so the test may not skip.
set -euo pipefail
STAGEBOOK_REQUIRE_CHROMIUM=1 timeout 300 cargo test --locked --test cli -- serve:: --nocapture

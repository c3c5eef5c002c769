#!/usr/bin/env bash
# Set up, build, then run every test (unit, golden fixtures, end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"

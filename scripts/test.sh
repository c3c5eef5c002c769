#!/usr/bin/env bash
# Set up, build, then run every test (unit, golden fixtures, end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
# What only the tests use: the .deb check (dpkg-dev, man-db) and the pre-commit hook test.
EXTRA_PACKAGES="pre-commit dpkg-dev man-db ${EXTRA_PACKAGES:-}" bash scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"

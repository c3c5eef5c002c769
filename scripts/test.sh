#!/usr/bin/env bash
# Set up, build, then run every test with ctest: unit, golden fixtures, end-to-end, install and
# pre-commit, reliability; then the whole suite again built with ASan + UBSan (clang-14, the
# `asan` preset), which also runs the libFuzzer target for 45 s. SANITIZERS=0 skips that part.
set -euo pipefail
cd "$(dirname "$0")/.."
# What only the tests use: patch (a --diff must apply), the .deb check (dpkg-dev, file for CPack's
# DEB generator, man-db), the pre-commit hook test, setfattr and getfattr (attr), the PostgreSQL cluster and Alembic 1.19's Mako
# for the end-to-end matrix, Flask-Migrate and Flask-SQLAlchemy for the binds case, black for the hook-order case, the wheel (Debian's build, setuptools,
# wheel and venv), and the sanitizer and fuzzing build (clang-14 with its runtime libraries).
test_packages="patch pre-commit dpkg-dev file man-db util-linux attr postgresql-15 python3-psycopg2 python3-mako black"
test_packages+=" python3-flask-migrate python3-flask-sqlalchemy"
test_packages+=" python3-build python3-setuptools python3-wheel python3-venv"
[ "${SANITIZERS:-1}" = 0 ] || test_packages+=" clang-14 libclang-rt-14-dev"
EXTRA_PACKAGES="$test_packages ${EXTRA_PACKAGES:-}" bash scripts/setup.sh
# Both halves run whatever the first finds: a failure in one must not hide the other's.
status=0
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" || status=1
if [ "${SANITIZERS:-1}" != 0 ]; then
  echo "== the same suite under ASan + UBSan (preset asan, build-asan/)"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$(nproc)"
  # The end-to-end matrix mostly times Alembic and the databases, not alembic-fix: under the
  # sanitizers one cell (Debian's Alembic on SQLite) is enough to run the binary on real output.
  # The wheel test builds its own static binary, the same in both halves: it runs once.
  ctest --preset asan -j "$(nproc)" -E '^(e2e/(alembic1\.19-|alembic1\.8-postgresql|setup/|cleanup/)|wheel$)' || status=1

fi
exit $status

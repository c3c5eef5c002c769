#!/usr/bin/env bash
# Set up, build, then show what alembic-fix would change in the sample versions folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "+ alembic-fix --target plant --diff fixtures/sample/input"
./build/alembic-fix --target plant --diff fixtures/sample/input || [ $? -eq 1 ]

#!/usr/bin/python3
"""Extracts Alembic 1.19.1, SQLAlchemy 2.0.52 and typing_extensions 4.15.0 for the current-Alembic
cells of the end-to-end suite, and checks that Debian's python3 runs them.

    third_party.py SOURCE_DIR INTO_DIR

SOURCE_DIR is ../shared/third_party beside the repository (the archives are read, never copied
into the project); INTO_DIR a folder of the build. ctest runs this as the setup of the fixture
`e2e_third_party`; a missing archive fails it, and with it every case of those cells.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cells import CELLS, THIRD_PARTY_PATHS as THIRD_PARTY, python_path  # noqa: E402

ARCHIVES = ("alembic-1.19.1.tar.gz", "sqlalchemy-2.0.52.tar.gz", "typing_extensions-4.15.0.tar.gz")
WANT = "alembic 1.19.1 sqlalchemy 2.0.52"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, into = Path(sys.argv[1]), Path(sys.argv[2])
    missing = [a for a in ARCHIVES if not (source / a).is_file()]
    if missing:
        print(f"FAIL: {', '.join(missing)} missing from {source.resolve()}: the Alembic 1.19 cells need "
              f"../shared/third_party beside the repository (or configure with "
              f"-DALEMBIC_FIX_THIRD_PARTY=<folder holding the archives>)", file=sys.stderr)
        return 1
    into.mkdir(parents=True, exist_ok=True)
    for archive in ARCHIVES:
        stamp = into / (archive + ".extracted")
        if stamp.exists() and stamp.stat().st_mtime >= (source / archive).stat().st_mtime:
            continue
        with tarfile.open(source / archive) as tar:
            tar.extractall(into)  # trusted archives; 3.11.2 has no extraction filters
        stamp.touch()
    # The cases run Alembic with PYTHONDONTWRITEBYTECODE=1 (their models change within a second):
    # without compiled modules here every `alembic` command would compile SQLAlchemy anew.
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *(str(into / p) for p in THIRD_PARTY)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(f"FAIL: compileall:\n{done.stdout}{done.stderr}", file=sys.stderr)
        return 1
    [cell] = [c for c in CELLS if c.current and c.backend == "sqlite"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = python_path(cell, into)
    code = "import alembic, sqlalchemy; print('alembic', alembic.__version__, 'sqlalchemy', sqlalchemy.__version__)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0 or done.stdout.strip() != WANT:
        print(f"FAIL: expected `{WANT}` from {env['PYTHONPATH']}, got:\n{done.stdout}{done.stderr}", file=sys.stderr)
        return 1
    print(f"{WANT} in {into}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

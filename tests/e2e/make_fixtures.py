#!/usr/bin/python3
"""Regenerates the golden fixtures fixtures/autogen_*/ from real Alembic autogenerate output.

    /usr/bin/python3 tests/e2e/make_fixtures.py [CASE...]
    python3 tests/golden_test.py --bless build/alembic-fix fixtures/autogen_<case>...

It writes input.py, expected.py and args of fixtures/<case>/ for every case of FIXTURE_CASES in
tests/e2e/cases.py (the autogen_* folders), or only the CASEs named. It does not write `stderr` nor
the GENERATED note: after regenerating, re-bless stderr with the golden runner as above and read
`git diff fixtures/`. A new case also needs a GENERATED note and a row in fixtures/README.md
(tests/fixtures_index_test.py checks both).

For each case (tests/e2e/cases.py) a throwaway Alembic project is built, the developer's
database is polluted with the other target's tables, a model changes, and
`alembic revision --autogenerate` runs twice: plain (input.py) and with env.py's include_object
hiding the other target's tables (expected.py, plus the MIGRATION_TARGET line after depends_on).
Create Date is pinned so that regenerating changes nothing unless Alembic's output does.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alembic_project import Project, expected_output, with_create_date  # noqa: E402
from cases import FIXTURE_CASES  # noqa: E402
from cells import CELLS_BY_NAME, SQLiteDatabases  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PINNED_DATE = "Create Date: 2024-05-06 07:08:09.123456"


def generate(case, out_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix=f"alembic-fix-{case.name}-") as tmp:
        # The fixtures are Debian's Alembic 1.8.1 on SQLite, the first cell of the matrix.
        databases = SQLiteDatabases(Path(tmp))
        plain, oracle = Project(case, CELLS_BY_NAME["alembic1.8-sqlite"], Path(tmp) / "project", databases).build()
    plain = with_create_date(plain, PINNED_DATE)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "input.py").write_text(plain)
    (out_dir / "expected.py").write_text(expected_output(case, plain, oracle))
    (out_dir / "args").write_text(" ".join(case.args) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--out", type=Path, default=FIXTURES, help="fixtures folder (default: %(default)s)")
    options = parser.parse_args()
    known = {c.name: c for c in FIXTURE_CASES}
    unknown = [n for n in options.cases if n not in known]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(known)}")
    for case in [known[n] for n in options.cases] or FIXTURE_CASES:
        generate(case, options.out / case.name)
        print(f"{case.name}: written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

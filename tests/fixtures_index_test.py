#!/usr/bin/python3
"""fixtures/README.md is the index of the fixtures: this checks that it stays true.

    fixtures_index_test.py FIXTURES_DIR

Fails when a case folder (fixtures/<case>/ or fixtures/maps/<case>/ with an `args` file) has no row,
when a row names no such folder, when a row's codes differ from the codes in the case's `stderr`,
when a case without `stderr` is not marked `unpinned:` (or a marked one has a `stderr`), when
another folder of fixtures/ is not named in the README, and when the `autogen_*` cases are not
exactly the cases tests/e2e/make_fixtures.py writes, each with a GENERATED note naming it.
"""
import os
import re
import sys

from expectations import expect, finish

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
from cases import FIXTURE_CASES  # noqa: E402  the scenarios make_fixtures.py writes

CODE = re.compile(r"\bAF\d{3}\b")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|.*\|\s*([^|]*?)\s*\|\s*$")


def index_rows(readme):
    """{case: codes cell} for every table row whose first cell is a `case`."""
    rows = {}
    for line in readme.splitlines():
        match = ROW.match(line)
        if match:
            expect(match[1] not in rows, f"fixtures/README.md lists {match[1]} twice")
            rows[match[1]] = match[2]
    return rows


def case_folders(fixtures):
    """Case names relative to fixtures/: every folder holding an `args` file, one level down."""
    found = set()
    for prefix in ("", "maps/"):
        base = os.path.join(fixtures, prefix)
        for name in os.listdir(base):
            if os.path.isfile(os.path.join(base, name, "args")):
                found.add(prefix + name)
    return found


def check_codes(fixtures, case, cell):
    stderr_path = os.path.join(fixtures, case, "stderr")
    if cell.startswith("unpinned:"):
        expect(not os.path.exists(stderr_path),
               f"{case}: fixtures/README.md says its stderr is unpinned, but {case}/stderr exists")
        return
    if not os.path.exists(stderr_path):
        expect(False, f"{case}: no stderr file; pin it (--bless) or mark the row `unpinned:` with why")
        return
    with open(stderr_path, encoding="utf-8") as f:
        pinned = sorted(set(CODE.findall(f.read())))
    written = "none" if not pinned else ", ".join(pinned)
    expect(cell == written, f"{case}: fixtures/README.md says codes {cell!r}, its stderr has {written!r}")


def check_generated(fixtures, cases):
    generated = {c.name for c in FIXTURE_CASES}
    autogen = {c for c in cases if c.startswith("autogen_")}
    expect(autogen == generated, f"autogen_* folders {sorted(autogen ^ generated)} are not exactly "
                                 "the cases tests/e2e/make_fixtures.py writes (tests/e2e/cases.py)")
    for case in sorted(autogen & generated):
        note = os.path.join(fixtures, case, "GENERATED")
        text = open(note, encoding="utf-8").read() if os.path.exists(note) else ""
        expect("tests/e2e/make_fixtures.py" in text and case in text,
               f"{case}/GENERATED does not say that tests/e2e/make_fixtures.py {case} writes it")


def main():
    fixtures = os.path.abspath(sys.argv[1])
    with open(os.path.join(fixtures, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    rows, cases = index_rows(readme), case_folders(fixtures)
    for case in sorted(cases - rows.keys()):
        expect(False, f"fixtures/{case}/ has no row in fixtures/README.md")
    for case in sorted(rows.keys() - cases):
        expect(False, f"fixtures/README.md lists {case}, but fixtures/{case}/ is no case (no args file)")
    for case in sorted(cases & rows.keys()):
        check_codes(fixtures, case, rows[case])
    for name in sorted(os.listdir(fixtures)):
        if os.path.isdir(os.path.join(fixtures, name)) and name not in cases:
            expect(f"`fixtures/{name}/`" in readme, f"fixtures/{name}/ is neither a case nor named in fixtures/README.md")
    check_generated(fixtures, cases)
    finish()


if __name__ == "__main__":
    main()

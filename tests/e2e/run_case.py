#!/usr/bin/python3
"""One end-to-end case: real Alembic, the built alembic-fix, real SQLite databases.

    /usr/bin/python3 tests/e2e/run_case.py --binary build/alembic-fix [--third-party DIR] [--postgres STATE] CELL/CASE
    /usr/bin/python3 tests/e2e/run_case.py --list

CELL is one of the matrix (tests/e2e/cells.py): Alembic 1.8.1 on SQLAlchemy 1.4 (Debian's) or
Alembic 1.19.1 on SQLAlchemy 2.0.52 (extracted into DIR by third_party.py), on SQLite or on the
PostgreSQL cluster whose STATE file postgres_cluster.py wrote. ctest passes both.

The scenario (tests/e2e/cases.py): the previous revision is applied to the developer's database,
which also holds the other target's tables; a model changes; `alembic revision --autogenerate`
writes drops of the other database's tables; alembic-fix runs on that file. Then:
  * oracle: the fixed file equals autogenerate run with include_object hiding the other target's
    tables, byte for byte, but for the MIGRATION_TARGET line and Create Date;
  * judged for real (alembic_project.judge): upgrade and downgrade on a clean database at the
    previous revision and on a copy of the developer's database; the other database's tables
    are neither dropped nor created;
  * the unfixed file fails that same judgement, so the case proves something;
  * --check before (exit 1, nothing written) and a second run after (nothing changes, exit 0).
The hand-edited cases (Case.edit) are judged otherwise, see run_edit_case.
The post-write hook cases run `alembic revision --autogenerate -m x` with alembic-fix registered
as a hook (in alembic.ini, or pyproject.toml for `alembic init -t pyproject`; before black when a
formatter is configured) instead of running alembic-fix itself.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alembic_project import (INITIAL_REV, NEW_REV, KNOWN_DIFFERENCES, AlembicError, Project,  # noqa: E402
                             expected_output, judge, with_known_differences)
from cases import CASES_BY_NAME, EXPECTED_DIFFERENCES, Case, matrix  # noqa: E402
from hand_edits import edit as hand_edit, without_statements_at  # noqa: E402
from cells import CELLS_BY_NAME, PostgresDatabases, SetupError, SQLiteDatabases  # noqa: E402
from flask_project import FlaskProject  # noqa: E402

DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def fix(binary: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MIGRATION_TARGET"}  # the case's args decide
    env["NO_COLOR"] = "1"
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def text_diff(want: str, got: str) -> str:
    return "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected", "actual"))


def check_warnings(case: Case, stderr: str, failures: list[str]) -> None:
    for table in case.warns:
        if not any((m := DIAGNOSTIC.match(line)) and table in m["message"] for line in stderr.splitlines()):
            failures.append(f"no `path:line:col: CODE message` diagnostic on stderr names {table}")


def compare_with_oracle(project: Project, want: str, got: str, plain: str, what: str, failures: list[str]) -> None:
    """`got` must equal `want`, but for the differences cases.EXPECTED_DIFFERENCES declares for this
    cell and case (issue 12 item 3): each must still be there, and nothing else."""
    name = f"{project.cell.name}/{project.case.name}"
    declared = EXPECTED_DIFFERENCES.get(name, ())
    for reason in declared:
        if with_known_differences(want, plain, (reason,)) == want:
            failures.append(f"EXPECTED_DIFFERENCES[{name!r}] names {reason}, which does not apply to this oracle")
    if declared and got == want:
        failures.append(f"{what} is now identical to the oracle: remove {name!r} from cases.EXPECTED_DIFFERENCES")
        return
    adjusted = with_known_differences(want, plain, declared)
    if got == adjusted:
        if declared:
            print(f"expected difference from a clean autogenerate (issue 12 item 3): {', '.join(declared)}")
        return
    explains = [r for r in KNOWN_DIFFERENCES if r not in declared
                and with_known_differences(adjusted, plain, (r,)) != adjusted]
    hint = (f"\n(undeclared known difference(s) {', '.join(explains)}: "
            f"{got == with_known_differences(adjusted, plain, tuple(explains)) and 'they explain it all' or 'not all of it'})"
            if explains else "")
    failures.append(f"{what} differs from the include_object-filtered autogenerate output:{hint}\n"
                    + text_diff(adjusted, got))


def judge_both(project: Project, fixed: str, unfixed: str, failures: list[str]) -> None:
    for problem in judge(project, fixed, "fixed"):
        failures.append(f"fixed file: {problem}")
    # The same judgement must reject what autogenerate wrote, or this case proves nothing.
    if not judge(project, unfixed, "unfixed"):
        failures.append("the unfixed file passed the database checks too: the case proves nothing")


def run_fix_case(project: Project, binary: str, tmp: Path, built: tuple[str, str] | None = None,
                 args: list[str] | None = None) -> list[str]:
    """`built`: the (plain, oracle) texts when the caller built them; `args`: in place of case.args."""
    case = project.case
    plain, oracle = built or project.build()
    want = expected_output(case, plain, oracle)
    failures: list[str] = []
    # A move is told by the history: the file is fixed where Alembic keeps it, beside the initial
    # revision that created the moving table (alembic-fix finds that folder from alembic.ini).
    work = project.versions if case.moves else tmp / "work"
    work.mkdir(exist_ok=True)
    path = work / f"{NEW_REV}_{case.name}.py"
    path.write_bytes(plain.encode())
    if args is not None:
        case = replace(case, extra_args=tuple(args))

    check = fix(binary, [*case.args, "--check", path.name], work)
    if check.returncode != 1:
        failures.append(f"--check on the autogenerated file exits {check.returncode}, expected 1\n{check.stderr}")
    if path.read_bytes() != plain.encode():
        failures.append("--check wrote to the file")
        path.write_bytes(plain.encode())

    first = fix(binary, [*case.args, path.name], work)
    if first.returncode != 0:
        failures.append(f"alembic-fix {' '.join(case.args)} exits {first.returncode}, expected 0\n{first.stderr}")
    check_warnings(case, first.stderr, failures)
    fixed = path.read_bytes().decode("utf-8")
    compare_with_oracle(project, want, fixed, plain, "the fixed file", failures)

    second = fix(binary, [*case.args, path.name], work)
    if second.returncode != 0 or path.read_bytes().decode("utf-8") != fixed:
        failures.append(f"a second run changed the file or exits {second.returncode}\n{second.stderr}")
    check_moves(case, first.stderr, failures)
    if case.moves:
        path.unlink()  # the judge puts the file under test there itself

    judge_both(project, fixed, plain, failures)
    if failures:
        failures.append(f"alembic-fix stderr:\n{first.stderr}")
    return failures


def check_moves(case: Case, stderr: str, failures: list[str]) -> None:
    """Each moving table's drop is reported AF109, naming the revision that created it."""
    for table in case.moves:
        if not any(code == "AF109" and f"op.drop_table on {table} " in message and INITIAL_REV in message
                   for _, code, message in diagnostics(stderr)):
            failures.append(f"no AF109 on the drop_table of {table} naming revision {INITIAL_REV}")


def diagnostics(stderr: str) -> list[tuple[int, str, str]]:
    """(line, code, message) of every `path:line:col: CODE message` line."""
    return [(int(m["line"]), m["code"], m["message"]) for l in stderr.splitlines() if (m := DIAGNOSTIC.match(l))]


def run_edit_case(project: Project, binary: str, tmp: Path) -> list[str]:
    """Autogenerate, then the developer's hand edit of downgrade() (tests/e2e/hand_edits.py), then
    alembic-fix. No include_object run can write a hand edit, so the oracle is not what judges it:
      "seed": alembic-fix exits 0 with an AF004 on the bulk_insert and the INSERT INTO lines; the
        fixed file passes the database judgement (upgrade and downgrade, clean and polluted); the
        edited file fails it, and so does the edited file less only the statements reported
        AF001/AF002 (what a fix without dependency-safe removal writes: `downgrade -1` on a clean
        database fails with "no such table"), so the judgement sees what this case is about. As
        every edit is about hq_plants, the fixed file also equals the clean autogenerate output.
      "own_fk": alembic-fix refuses the file, with and without --check: exit 2, an AF208 on the
        foreign key's line naming the create_table's line, the file byte-identical."""
    case = project.case
    plain, oracle = project.build()
    edited = hand_edit(plain, own_foreign_key=case.edit == "own_fk")
    failures: list[str] = []
    work = tmp / "work"
    work.mkdir()
    path = work / f"{NEW_REV}_{case.name}.py"
    path.write_bytes(edited.text.encode())

    if case.edit == "own_fk":
        for args in ([*case.args, "--check", path.name], [*case.args, path.name]):
            done = fix(binary, args, work)
            if done.returncode != 2:
                failures.append(f"alembic-fix {' '.join(args)} exits {done.returncode}, expected 2\n{done.stderr}")
            fk, create = edited.lines["create_foreign_key"], edited.lines["create_table"]
            if not any(line == fk and code == "AF208" and f"line {create}" in message
                       for line, code, message in diagnostics(done.stderr)):
                failures.append(f"alembic-fix {' '.join(args)}: no AF208 on line {fk} naming line {create}\n{done.stderr}")
            if path.read_bytes() != edited.text.encode():
                failures.append(f"alembic-fix {' '.join(args)} changed the refused file")
                path.write_bytes(edited.text.encode())
        return failures

    first = fix(binary, [*case.args, path.name], work)
    if first.returncode != 0:
        failures.append(f"alembic-fix {' '.join(case.args)} exits {first.returncode}, expected 0\n{first.stderr}")
    found = diagnostics(first.stderr)
    for what in ("bulk_insert", "execute"):
        if (edited.lines[what], "AF004") not in [(line, code) for line, code, _ in found]:
            failures.append(f"no AF004 on line {edited.lines[what]} (op.{what} into {case.name}'s hq_plants)")
    fixed = path.read_bytes().decode("utf-8")
    compare_with_oracle(project, expected_output(case, plain, oracle), fixed, plain, "the fixed file", failures)
    second = fix(binary, [*case.args, path.name], work)
    if second.returncode != 0 or path.read_bytes().decode("utf-8") != fixed:
        failures.append(f"a second run changed the file or exits {second.returncode}\n{second.stderr}")

    judge_both(project, fixed, edited.text, failures)
    naive = without_statements_at(edited.text, {line for line, code, _ in found if code in ("AF001", "AF002")})
    if not any("downgrade" in problem and "hq_plants" in problem for problem in judge(project, naive, "naive")):
        failures.append("removing only the AF001/AF002 statements did not fail `downgrade -1` on hq_plants: "
                        "this case does not show what dependency-safe removal prevents")
    if failures:
        failures.append(f"alembic-fix stderr:\n{first.stderr}")
    return failures


def run_flask_case(project: FlaskProject, binary: str, tmp: Path) -> list[str]:
    """Flask-Migrate: the map comes from the models (`alembic-fix maps --models default=models.py`:
    each `__bind_key__` / `db.Table(bind_key=...)` table under the target named after its bind),
    then the file `flask db migrate` wrote is fixed with that map and judged as any other case:
    `upgrade_plant()`/`upgrade_hq()` for their binds, `upgrade_()` for `--target default`."""
    plain, oracle = project.build()
    made = fix(binary, ["maps", "--models", "default=models.py", "-o", "targets.toml"], project.root)
    if made.returncode != 0:
        return [f"alembic-fix maps --models default=models.py exits {made.returncode}, expected 0\n{made.stderr}"]
    targets = tomllib.loads((project.root / "targets.toml").read_text())["targets"]
    got = {name: target["tables"] for name, target in targets.items()}
    if got != project.expected_map():
        return [f"alembic-fix maps made {got}, expected {project.expected_map()}"]
    return run_fix_case(project, binary, tmp, built=(plain, oracle),
                        args=[*project.case.extra_args, "--maps", str(project.root / "targets.toml")])


def run_hook_case(project: Project, binary: str, tmp: Path) -> list[str]:
    case = project.case
    project.create()
    project.make_dev_db()
    project.write_models(after=True)
    failures: list[str] = []

    # Exactly what the developer types; MIGRATION_TARGET comes from the environment.
    done = project.alembic("revision", "--autogenerate", "-m", case.message, check=False)
    if done.returncode != 0:
        return [f"`MIGRATION_TARGET={case.target} alembic revision --autogenerate -m {case.message}` "
                f"exits {done.returncode}:\n{done.stdout}{done.stderr}"]
    if not re.search(r"Running post write hook [\"']alembic_fix[\"']", done.stdout + done.stderr):
        failures.append(f"Alembic did not report running the hook:\n{done.stdout}{done.stderr}")
    [path] = [p for p in project.versions.glob("*.py") if not p.name.startswith(INITIAL_REV)]
    rev_id = path.name.split("_", 1)[0]
    hooked = project.take_revision(rev_id)

    # The same revision once more without alembic-fix (a formatter hook stays): plain, and through
    # the oracle filter.
    config = project.write_config_without_alembic_fix()
    plain = project.autogenerate(oracle=False, rev_id=rev_id, config=config)
    oracle = project.autogenerate(oracle=True, rev_id=rev_id, config=config)

    want = expected_output(case, hooked, oracle)
    compare_with_oracle(project, want, hooked, plain, "the file the hook left", failures)
    if hooked == plain:
        failures.append("the hook changed nothing")
    judge_both(project, hooked, plain, failures)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", help="the alembic-fix executable under test")
    parser.add_argument("--third-party", type=Path, help="where third_party.py extracted Alembic 1.19.1")
    parser.add_argument("--postgres", type=Path, help="the state file of postgres_cluster.py's cluster")
    parser.add_argument("--list", action="store_true", help="print the CELL/CASE names, one a line, and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("name", nargs="?", choices=[f"{cell.name}/{case.name}" for cell, case in matrix()],
                        metavar="CELL/CASE")
    options = parser.parse_args()
    if options.list:
        print("\n".join(f"{cell.name}/{case.name}" for cell, case in matrix()))
        return 0
    if not options.binary or not options.name:
        parser.error("--binary and CELL/CASE are required")
    binary = os.path.abspath(options.binary)
    if not os.access(binary, os.X_OK):
        print(f"FAIL: {binary} is not an executable", file=sys.stderr)
        return 1
    cell_name, case_name = options.name.split("/")
    cell, case = CELLS_BY_NAME[cell_name], CASES_BY_NAME[case_name]

    tmp = Path(tempfile.mkdtemp(prefix=f"alembic-fix-e2e-{case.name}-"))
    databases = None
    try:
        try:
            if cell.backend == "postgresql":
                databases = PostgresDatabases(options.postgres, f"{cell.name}_{case.name}")
            else:
                databases = SQLiteDatabases(tmp / "databases")
                databases.folder.mkdir()
            if case.layout == "flask":
                project, run = FlaskProject(case, cell, tmp / "project", databases, options.third_party), run_flask_case
            else:
                project = Project(case, cell, tmp / "project", databases, options.third_party,
                                  hook_executable=binary if case.hook else None)
                run = run_hook_case if case.hook else run_edit_case if case.edit else run_fix_case
            failures = run(project, binary, tmp)
        except (AlembicError, SetupError) as e:  # a step of the scenario itself failed
            failures = [str(e)]
        finally:
            if databases is not None:
                databases.drop_all()
    finally:
        if options.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"FAIL: {options.name} ({case.description})")
        for failure in failures:
            print(f"- {failure}")
        return 1
    print(f"ok: {options.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

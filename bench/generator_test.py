#!/usr/bin/python3
"""The benchmark's generator still writes what it says: run as ctest `bench/generator`.

    generator_test.py ALEMBIC_FIX

A small split folder (versions/plant, versions/hq) is generated with its manifest. alembic-fix
--check, per target, must report AF001 at exactly the planted places and nothing else of that
code; fixing the folder must give, byte for byte, the --clean folder of the same seed; and
--check on that clean folder must find nothing to do; and the prefilter must change no result.
"""
import filecmp
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATE = Path(__file__).resolve().parent / "generate.py"
TARGETS = ("plant", "hq")
SEED, FILES = "7", "150"
# Every layout the bench relies on must be planted at least once.
CALLS = {"op.drop_table", "op.drop_index", "op.drop_column", "op.drop_constraint",
         "batch_op.drop_index", "batch_op.drop_column", "batch_op.drop_constraint"}
AF001 = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):\d+: AF001 ", re.M)


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


def generate(out: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(GENERATE), str(out), "--files", FILES, "--seed", SEED,
                    "--layout", "split", "--polluted-share", "0.4", *args],
                   check=True, stdout=subprocess.DEVNULL)


def alembic_fix(binary: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, env={"NO_COLOR": "1"})


def main() -> int:
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="bench-generator-") as tmp:
        tmp = Path(tmp)
        polluted, clean = tmp / "polluted", tmp / "clean"
        generate(polluted, "--manifest", str(tmp / "manifest.json"))
        generate(clean, "--clean")
        manifest = json.loads((tmp / "manifest.json").read_text())
        planted = {(p["path"], p["line"]) for p in manifest["planted"]}
        if manifest["planted_drops"] != len(planted) or not planted:
            fail(f"manifest counts {manifest['planted_drops']} drops at {len(planted)} places")
        missing_calls = CALLS - {p["call"] for p in manifest["planted"]}
        if missing_calls:
            fail(f"the generator planted no {', '.join(sorted(missing_calls))}")

        found = set()
        for target in TARGETS:
            run = alembic_fix(binary, polluted, "--check", "--target", target, target)
            if run.returncode != 1:
                fail(f"--check --target {target}: exit {run.returncode}, expected 1\n{run.stderr}")
            found |= {(m["path"], int(m["line"])) for m in AF001.finditer(run.stderr)}
        if found != planted:
            fail(f"alembic-fix found {len(found)} wrong-target drops, the generator planted {len(planted)}; "
                 f"not found: {sorted(planted - found)[:5]}, not planted: {sorted(found - planted)[:5]}")

        for target in TARGETS:
            run = alembic_fix(binary, polluted, "--quiet", "--target", target, target)
            if run.returncode != 0:
                fail(f"fixing {target}: exit {run.returncode}\n{run.stderr}")
        differ = []
        for path in sorted(clean.rglob("*.py")):
            rel = path.relative_to(clean)
            if not filecmp.cmp(path, polluted / rel, shallow=False):
                differ.append(str(rel))
        if differ or sorted(p.relative_to(clean) for p in clean.rglob("*.py")) != \
                sorted(p.relative_to(polluted) for p in polluted.rglob("*.py")):
            fail(f"the fixed folder is not the --clean folder; first files that differ: {differ[:5]}")

        run = alembic_fix(binary, clean, "--check", ".")
        if run.returncode != 0:
            fail(f"--check on the --clean folder: exit {run.returncode}, expected 0\n{run.stderr}")

        # The prefilter skips work, never changes a result: on the polluted folder (annotated
        # and not, some with drops to remove) and the clean one (where it fires on every file),
        # with and without it the report is the same, file by file and diagnostic by diagnostic.
        generate(tmp / "again", "--manifest", str(tmp / "again.json"))
        for folder in (tmp / "again", clean):
            reports = [alembic_fix(binary, folder, "--check", "--no-cache", "--format", "json", *extra, ".")
                       for extra in ([], ["--no-prefilter"])]
            if reports[0].stdout != reports[1].stdout or reports[0].returncode != reports[1].returncode:
                fail(f"on {folder.name}, --check with the prefilter differs from --check without it")
    print(f"ok: {len(planted)} planted drops found, fixed folder equals --clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())

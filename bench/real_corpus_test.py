#!/usr/bin/python3
"""bench/real_corpus.py works from a local git snapshot, and says what to do without one: run as
ctest `bench/real_corpus` (it makes its own tiny repository; the real snapshots are not needed).

    real_corpus_test.py ALEMBIC_FIX

Locks a two-migration repository, extracts it to 5 files and checks, byte for byte, the files,
the copies, the lock's blob ids, the map's tables, the large migration (valid Python, one
upgrade()), that alembic-fix reads the corpus as the bench expects (every file annotated, target
from the plant/ folder, no error), and that a missing snapshot is exit 3 naming repo and commit.
"""
import ast
import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "real_corpus.py"
FILES = {
    "alembic/versions/0001_init.py": 'revision = "0001"\ndown_revision = None\n\nfrom alembic import op\n\n\n'
    'def upgrade():\n    op.create_table("orders")\n    op.rename_table("carts", "baskets")\n\n\n'
    'def downgrade():\n    op.drop_table("orders")\n',
    "alembic/versions/0002_more.py": 'revision: str = "0002"\ndown_revision = "0001"\n\nfrom alembic import op\n\n\n'
    'def upgrade():\n    op.drop_table("legacy")\n    op.add_column("orders", None)\n\n\ndef downgrade():\n    pass\n',
    "alembic/env.py": "from alembic import context\n",                       # no revision: not a migration
    "docs/example.py": 'revision = "x"\n',                                    # no upgrade()
    ".github/skip/0003.py": 'revision = "3"\n\n\ndef upgrade():\n    pass\n',  # hidden folder
}


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


def git(cwd: Path, *args: str) -> str:
    return run("git", "-c", "user.name=t", "-c", "user.email=t@t", *args, cwd=cwd, check=True).stdout.strip()


def main() -> int:
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        work = tmp / "work"
        for path, text in FILES.items():
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            (work / path).write_text(text)
        git(work, "init", "-q")
        git(work, "add", "-A")
        git(work, "commit", "-qm", "migrations")
        commit = git(work, "rev-parse", "HEAD")
        run("git", "clone", "-q", "--bare", work, tmp / "mirrors" / "acme+shop" / "repo", check=True)
        where = ["--mirrors", tmp / "mirrors", "--lock", tmp / "lock"]

        run(sys.executable, SCRIPT, "lock", *where, "acme/shop", check=True)
        picked = sorted(p for p in FILES if p.startswith("alembic/versions/"))
        expected = [f"repo acme/shop {commit}"] + [f"file {git(work, 'rev-parse', f'HEAD:{p}')} {p}" for p in picked]
        lines = [line for line in (tmp / "lock").read_text().splitlines() if not line.startswith("#")]
        if lines != expected:
            fail(f"lock: {lines} != {expected}")

        out = tmp / "out"
        run(sys.executable, SCRIPT, "extract", out, *where, "--files", "5", "--large-bytes", "20000", check=True)
        for i in range(5):
            path = picked[i % 2]
            copy = out / "first" / f"{i // 2:02d}" / "plant" / "acme+shop" / path
            if copy.read_text() != FILES[path]:
                fail(f"{copy}: not the locked file")
        if len(list((out / "first").rglob("*.py"))) != 5:
            fail("the corpus does not hold 5 files")
        with (out / "map.toml").open("rb") as f:
            targets = tomllib.load(f)["targets"]
        if targets["plant"]["tables"] != ["baskets", "orders"] or "hq_users" not in targets["hq"]["tables"]:
            fail(f"map: {targets}")
        summary = json.loads((out / "summary.json").read_text())
        if (summary["sources"], summary["files"], summary["copies"]) != (2, 5, 3):
            fail(f"summary: {summary}")
        for kind in ("longest", "drops"):
            big = (out / "large" / kind / "plant" / f"big_{kind}.py").read_text()
            tree = ast.parse(big)
            upgrades = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"]
            if not 15000 < len(big) <= 20000 or len(upgrades) != 1 or len(upgrades[0].body) < 100:
                fail(f"large {kind}: {len(big)} bytes, upgrade() not repeated")

        result = run(binary, "--check", "--maps", out / "map.toml", out / "first", env={"NO_COLOR": "1"})
        af003 = [line for line in result.stderr.splitlines() if ": AF003 " in line and '"plant"' in line]
        if result.returncode != 1 or len(af003) != 5 or ": AF102 " not in result.stderr:
            fail(f"alembic-fix on the corpus: exit {result.returncode}\n{result.stderr}")

        (tmp / "empty").mkdir()
        result = run(sys.executable, SCRIPT, "extract", tmp / "out2", "--mirrors", tmp / "empty", "--lock", tmp / "lock")
        if result.returncode != 3 or f"acme/shop at {commit}" not in result.stderr or "fetch" not in result.stderr:
            fail(f"without the snapshot: exit {result.returncode}\n{result.stderr}")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Folders as a batch cleanup meets them: hidden folders and __pycache__ skipped, a symlink loop
survived, a file reached twice (through a link) processed once, files that are not migrations
left alone and not counted as changes. The maps command walks a models folder the same way (one
walker for both). Run by ctest: folder_walk_test.py BINARY FIXTURES_DIR."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from expectations import expect, finish

binary, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


polluted = os.path.join(fixtures, "autogen_plain_plant", "input.py")
with tempfile.TemporaryDirectory() as tmp:
    versions = os.path.join(tmp, "versions")
    for sub in ("", ".hidden", "__pycache__", "nested/deeper"):
        os.makedirs(os.path.join(versions, sub), exist_ok=True)
    shutil.copy(polluted, os.path.join(versions, "a1_plant.py"))
    shutil.copy(polluted, os.path.join(versions, "nested/deeper/b2_plant.py"))
    shutil.copy(polluted, os.path.join(versions, ".hidden/c3_plant.py"))
    shutil.copy(polluted, os.path.join(versions, "__pycache__/d4_plant.py"))
    with open(os.path.join(versions, "helpers.py"), "w") as f:
        f.write("def revision():\n    return 'not a migration'\n")
    os.symlink("a1_plant.py", os.path.join(versions, "z9_link.py"))       # the same file again
    os.symlink("..", os.path.join(versions, "nested/deeper/loop"))        # a loop
    os.symlink(versions, os.path.join(versions, "nested/back_to_top"))    # another

    r = subprocess.run([binary, "--target", "plant", "--check", "--format", "json", "versions"], cwd=tmp,
                       capture_output=True, timeout=60, env={"NO_COLOR": "1"})
    doc = json.loads(r.stdout)
    paths = [f["path"] for f in doc["files"]]
    expect(paths == ["versions/a1_plant.py", "versions/helpers.py", "versions/nested/deeper/b2_plant.py"],
           f"walked files: {paths}")
    expect(doc["summary"] == {"changed": 2, "unchanged": 0, "not_migration": 1, "failed": 0},
           f"summary: {doc['summary']}")
    expect(r.returncode == 1, f"exit {r.returncode}")

    # Writing: each file fixed once; the link still a link; hidden and cache files untouched.
    r = subprocess.run([binary, "--target", "plant", "-q", "versions", "versions/z9_link.py"], cwd=tmp,
                       capture_output=True, timeout=60, env={"NO_COLOR": "1"})
    expect(r.returncode == 0, f"fixing exits {r.returncode}: {r.stderr.decode()}")
    expected = open(os.path.join(fixtures, "autogen_plain_plant", "expected.py"), "rb").read()
    original = open(polluted, "rb").read()
    expect(open(os.path.join(versions, "a1_plant.py"), "rb").read() == expected, "a1 fixed")
    expect(os.path.islink(os.path.join(versions, "z9_link.py")), "the link stays a link")
    expect(open(os.path.join(versions, ".hidden/c3_plant.py"), "rb").read() == original, "hidden folder untouched")
    expect(open(os.path.join(versions, "__pycache__/d4_plant.py"), "rb").read() == original, "__pycache__ untouched")

# A models folder: the same walker, so the same folders skipped and the same loops survived.
with tempfile.TemporaryDirectory() as tmp:
    models = os.path.join(tmp, "models")
    tables = {"a.py": "kept_a", "sub/b.py": "kept_b", ".hidden/c.py": "hidden_c", "__pycache__/d.py": "cached_d"}
    for name, table in tables.items():
        os.makedirs(os.path.dirname(os.path.join(models, name)), exist_ok=True)
        with open(os.path.join(models, name), "w") as f:
            f.write(f"class T(Base):\n    __tablename__ = {table!r}\n")
    os.symlink("..", os.path.join(models, "sub", "loop"))
    r = subprocess.run([binary, "maps", "--models", "plant=models"], cwd=tmp, capture_output=True, timeout=60,
                       env={"NO_COLOR": "1"})
    expect(r.returncode == 0, f"maps on a models folder exits {r.returncode}: {r.stderr.decode()}")
    listed = [line.strip().strip('",') for line in r.stdout.decode().splitlines() if line.startswith("  ")]
    expect(listed == ["kept_a", "kept_b"], f"tables from the walked models folder: {listed}")

finish()

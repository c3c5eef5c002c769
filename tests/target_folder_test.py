#!/usr/bin/python3
"""The folder rule gives one answer per file, however the file is named: a folder argument, a
file argument, relative or absolute, from another working folder, through a symlinked file or
folder, without PATH (Alembic's configuration), and on stdin with --stdin-filename. Folders
named after a target count from the file's real folder up to the version location (which counts)
or the project's root (alembic.ini, pyproject.toml or .git, which does not); without a root only
the file's own folder counts. Run by ctest: target_folder_test.py BINARY FIXTURES_DIR."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from expectations import expect, finish

binary, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
MIGRATION = os.path.join(fixtures, "target_folder_root", "input", "versions", "hq", "2024", "7f1e_retire_tables.py")


def decided(args, cwd, stdin=None):
    """(target, decided_by) of the one file a --check --format json run reports."""
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_TARGET", "ALEMBIC_CONFIG")}
    r = subprocess.run([binary, "--check", "--format", "json", *args], cwd=cwd, env=env, input=stdin,
                       capture_output=True, timeout=60)
    files = [f for f in json.loads(r.stdout)["files"] if f["status"] != "not-migration"]
    if len(files) != 1:
        return ("files", [f["path"] for f in files])
    return (files[0]["target"], files[0]["decided_by"])


def place(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy(MIGRATION, path)
    return path


HQ = ("hq", "folder")
UNDECIDED = (None, None)  # AF206: only drops, so no other rule decides this file

with tempfile.TemporaryDirectory() as tmp:
    project = os.path.join(tmp, "project")
    os.makedirs(project)
    with open(os.path.join(project, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/alembic\nrecursive_version_locations = true\n")
    x = place(os.path.join(project, "alembic", "versions", "hq", "2024", "x.py"))
    deep = os.path.join(project, "alembic", "versions", "hq", "2024")
    elsewhere = os.path.join(tmp, "elsewhere")
    os.makedirs(elsewhere)
    os.symlink(x, os.path.join(elsewhere, "link.py"))
    os.symlink(deep, os.path.join(elsewhere, "folder_link"))
    ways = {
        "the versions folder": (["alembic/versions"], project),
        "the project folder": (["."], project),
        "the 2024 folder": (["alembic/versions/hq/2024"], project),
        "the file, relative": (["alembic/versions/hq/2024/x.py"], project),
        "the file, absolute": ([x], tmp),
        "the file, from its own folder": (["x.py"], deep),
        "the file, from below the root": (["../alembic/versions/hq/2024/x.py"], os.path.join(project, "alembic")),
        "a symlink to the file, outside the project": (["link.py"], elsewhere),
        "a symlinked folder, outside the project": (["folder_link"], elsewhere),
        "a file through a symlinked folder": (["folder_link/x.py"], elsewhere),
        "no PATH: alembic.ini's version location": ([], project),
    }
    for way, (args, cwd) in ways.items():
        got = decided(args, cwd)
        expect(got == HQ, f"{way}: {got}, expected {HQ}")
    with open(x, "rb") as f:
        source = f.read()
    got = decided(["--stdin-filename", "alembic/versions/hq/2024/x.py", "-"], project, source)
    expect(got == HQ, f"stdin named alembic/versions/hq/2024/x.py: {got}")

    # The search stops at the version location: a folder named hq above it (here the project
    # sits in one) decides nothing, by folder or by file.
    hq_project = os.path.join(tmp, "hq", "project")
    os.makedirs(hq_project)
    with open(os.path.join(hq_project, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/alembic\n")
    place(os.path.join(hq_project, "alembic", "versions", "y.py"))
    for args, cwd in ((["hq"], tmp), (["hq/project/alembic/versions/y.py"], tmp), ([], hq_project)):
        got = decided(args, cwd)
        expect(got == UNDECIDED, f"a project inside a folder named hq, {args or 'no PATH'}: {got}")

    # A version location named after a target counts itself, even where it is the root: written
    # with a trailing slash, as a hand-written ini may.
    located = os.path.join(tmp, "located", "hq")
    os.makedirs(located)
    with open(os.path.join(located, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s\nversion_locations = %(here)s/\n")
    place(os.path.join(located, "2024", "b.py"))
    got = decided(["located/hq/2024/b.py"], tmp)
    expect(got == HQ, f"a version location named hq, holding the file: {got}")

    # A pyproject.toml (or .git) marks the root too, which never counts itself.
    for marker in ("pyproject.toml", ".git"):
        root = os.path.join(tmp, f"root_{marker}", "hq")
        os.makedirs(root)
        with open(os.path.join(root, marker), "w") as f:
            f.write("")
        place(os.path.join(root, "migrations", "plant", "sub", "z.py"))
        place(os.path.join(root, "migrations", "w.py"))
        got = decided([os.path.join(root, "migrations", "plant", "sub", "z.py")], tmp)
        expect(got == ("plant", "folder"), f"{marker} root: plant/ below it decides: {got}")
        got = decided([os.path.join(root, "migrations", "w.py")], tmp)
        expect(got == UNDECIDED, f"{marker} root: its own name (hq) does not count: {got}")

    # Without any root marker, only the file's own folder counts: a folder argument no longer
    # reaches further up than a file argument does.
    bare = os.path.join(tmp, "bare")
    place(os.path.join(bare, "versions", "hq", "2024", "v.py"))
    place(os.path.join(bare, "versions", "plant", "u.py"))
    for args in (["versions/hq"], ["versions/hq/2024/v.py"]):
        got = decided(args, bare)
        expect(got == UNDECIDED, f"no root, {args}: only the own folder (2024) counts: {got}")
    for args in (["versions/plant"], ["versions/plant/u.py"]):
        got = decided(args, bare)
        expect(got == ("plant", "folder"), f"no root, {args}: the own folder plant/ decides: {got}")

finish()

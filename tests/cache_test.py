#!/usr/bin/python3
"""The result cache (compiler/cli/cache.h): a run with it prints what a run without it prints.

    cache_test.py BINARY FIXTURES_DIR SCENARIO
    cache_test.py --list

Each scenario compares stdout, stderr and the exit status (and, when files are written, the
files) of --no-cache, a cold cache and a warm cache, around the change the scenario makes
between runs; the warm run's -v line says how many results came from the cache, so a cache that
never hits cannot pass for one that works.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FORMATS = ["text", "json", "github", "sarif"]
VERBOSE_CACHE_LINE = re.compile(rb"^alembic-fix: (\d+) of (\d+) results from the result cache .*\n", re.M)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


class Runner:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = Path(work)
        self.cache = self.work / "cache"

    def run(self, *args, cache=True, env=None, cwd=None):
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("MIGRATION_TARGET", "ALEMBIC_FIX_CACHE_DIR", "XDG_CACHE_HOME")}
        full_env["NO_COLOR"] = "1"
        full_env["HOME"] = str(self.work / "home")
        full_env.update(env or {})
        cache_args = ["--cache-dir", str(self.cache)] if cache is True else ["--no-cache"] if cache is False else []
        r = subprocess.run([self.binary, *cache_args, *args], cwd=cwd or self.work, env=full_env,
                           capture_output=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def hits(self, *args, **kw):
        """(hits, files) the -v line of a cached run reports."""
        _, _, err = self.run("-v", *args, **kw)
        m = VERBOSE_CACHE_LINE.search(err)
        if not m:
            fail(f"no result cache line under -v for {args}:\n{err.decode()}")
        return int(m.group(1)), int(m.group(2))


def same(label, want, got):
    if want != got:
        print(f"--- {label}: without the cache\n{want[0]}\n{want[1].decode()}\n{want[2].decode()}")
        print(f"--- {label}: with the cache\n{got[0]}\n{got[1].decode()}\n{got[2].decode()}")
        fail(f"{label}: the cached run differs from the run without the cache")


def tree(path):
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(Path(path).rglob("*")) if p.is_file()}


def fresh_copy(source, dest):
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, symlinks=True)


def cold_warm_same(r, label, *args, prepare=None):
    """--no-cache, then a cold and a warm cache, give the same output; the warm run hits."""
    shutil.rmtree(r.cache, ignore_errors=True)
    outputs = []
    for cache in (False, True, True):
        if prepare:
            prepare()
        outputs.append(r.run(*args, cache=cache))
        if prepare:
            outputs[-1] = (*outputs[-1], tree(r.work / "fx"))
    same(f"{label} (cold)", outputs[0], outputs[1])
    same(f"{label} (warm)", outputs[0], outputs[2])
    if prepare:
        prepare()
    hits, files = r.hits(*args)
    if hits == 0 or files < 2:
        fail(f"{label}: the warm run took no result from the cache ({hits} of {files})")


def scenario_formats(r, fixtures):
    """Every format, --check and --diff, over the fixture folders, with and without a target."""
    shutil.copytree(fixtures, r.work / "fx", symlinks=True)
    for target in ([], ["--target", "hq"], ["--target", "plant"]):
        for fmt in FORMATS:
            cold_warm_same(r, f"--check --format {fmt} {target}", "--check", "--format", fmt, *target, "fx")
        cold_warm_same(r, f"--diff {target}", "--diff", *target, "fx")
        cold_warm_same(r, f"--check --statistics {target}", "--check", "--statistics", *target, "fx")


def scenario_write(r, fixtures):
    """Fixing the folder: the same files written, the same report, from a fresh copy each time."""
    for target in ([], ["--target", "plant"]):
        cold_warm_same(r, f"write {target}", *target, "fx", prepare=lambda: fresh_copy(fixtures, r.work / "fx"))
    # A write fills the cache for --check and --diff: the mode is no part of the settings.
    shutil.rmtree(r.cache, ignore_errors=True)
    fresh_copy(fixtures, r.work / "fx")
    r.run("--target", "plant", "fx")
    for mode in ("--check", "--diff"):
        same(f"{mode} after a write", r.run(mode, "--target", "plant", "fx", cache=False), r.run(mode, "--target", "plant", "fx"))
    hits, files = r.hits("--check", "--target", "plant", "fx")
    if hits * 2 < files:
        fail(f"--check after a write should take most results from the cache ({hits} of {files})")


def migration(folder, name, down, target, upgrade):
    (folder / f"{name}.py").write_text(
        f'"""{name}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = '{name}'\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n"
        f'MIGRATION_TARGET = "{target}"\n\n\ndef upgrade() -> None:\n    {upgrade}\n\n\n'
        f"def downgrade() -> None:\n    pass\n")


def history_project(r):
    """versions/: a0 (hq) creates gadgets, b1 (hq) drops it: the map lists no gadgets, so b1's
    result depends on the history. c2, d3 touch a mapped table only."""
    (r.work / "map.toml").write_text('[targets.hq]\ntables = ["users"]\n[targets.plant]\ntables = ["stations"]\n')
    v = r.work / "versions"
    v.mkdir()
    migration(v, "a0", "None", "hq", "op.create_table('gadgets', sa.Column('id', sa.Integer()))")
    migration(v, "b1", "'a0'", "hq", "op.drop_table('gadgets')")
    migration(v, "c2", "'b1'", "hq", "op.add_column('users', sa.Column('x', sa.Integer()))")
    migration(v, "d3", "'c2'", "hq", "op.add_column('users', sa.Column('y', sa.Integer()))")
    return v


def keep_stat(path, edit):
    """Edits the file in place, keeping its size and its modification time."""
    before = os.stat(path)
    text = path.read_text()
    path.write_text(edit(text))
    if os.stat(path).st_size != before.st_size:
        fail("the edit must keep the size")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def warm_then_compare(r, label, args, change):
    """Warms the cache, makes the change, then the cached run must print what --no-cache prints."""
    shutil.rmtree(r.cache, ignore_errors=True)
    r.run(*args)
    r.run(*args)
    change()
    same(label, r.run(*args, cache=False), r.run(*args))


def scenario_history(r, fixtures):
    v = history_project(r)
    for args, name in ((["--check", "--maps", "map.toml", "versions"], "folder"),
                       (["--check", "--maps", "map.toml", "versions/b1.py", "versions/c2.py"], "two files")):
        a0 = v / "a0.py"
        original = a0.read_text()
        r.run(*args)
        hits, _ = r.hits(*args)
        if hits < 2:
            fail(f"{name}: the history project's warm run hit {hits} results")
        # a0 creates another table (same size, same mtime): b1's drop is of a table in no map now.
        warm_then_compare(r, f"{name}: the history's create renamed",
                          args, lambda: keep_stat(a0, lambda t: t.replace("'gadgets'", "'gizmoes'")))
        if b"AF102" not in r.run(*args, cache=False)[2]:
            fail(f"{name}: the changed history should give AF102 on b1")
        a0.write_text(original)
        # a0 becomes plant's: b1 drops another target's table, which is fixed (not cached).
        warm_then_compare(r, f"{name}: the history's create moved to plant",
                          args, lambda: a0.write_text(original.replace('"hq"', '"plant"')))
        a0.write_text(original)
        warm_then_compare(r, f"{name}: the history's create removed", args, lambda: a0.unlink())
        a0.write_text(original)
        # A migration creating the table added: it was AF102, now it is hq's own.
        a0.write_text(original.replace("op.create_table('gadgets', sa.Column('id', sa.Integer()))", "pass"))
        warm_then_compare(r, f"{name}: a create added", args, lambda: migration(
            v, "a1", "'a0'", "hq", "op.create_table('gadgets', sa.Column('id', sa.Integer()))"))
        (v / "a1.py").unlink()
        a0.write_text(original)


def scenario_stat_blind(r, fixtures):
    """An edit that keeps size and mtime is seen: the key is the content."""
    v = history_project(r)
    args = ["--check", "--maps", "map.toml", "versions"]
    warm_then_compare(r, "same size and mtime", args,
                      lambda: keep_stat(v / "b1.py", lambda t: t.replace("'gadgets'", "'gidgets'")))
    if b"AF102" not in r.run(*args)[2]:
        fail("the edit (a table in no map) should show AF102")


def scenario_map_edit(r, fixtures):
    """A change of the map empties the cache: gadgets given to plant makes b1 a fix."""
    history_project(r)
    args = ["--check", "--no-history", "--maps", "map.toml", "versions"]
    warm_then_compare(r, "map edited", args, lambda: (r.work / "map.toml").write_text(
        '[targets.hq]\ntables = ["users"]\n[targets.plant]\ntables = ["stations", "gadgets"]\n'))
    if r.run(*args)[0] != 1:
        fail("after the map edit b1 should be fixed (exit 1)")


def scenario_damaged(r, fixtures):
    """A truncated, garbage or emptied cache file, and a cache folder that cannot be made, cost
    the cache only: the output is that of --no-cache (bar the one -v line saying so)."""
    shutil.copytree(fixtures, r.work / "fx", symlinks=True)
    args = ["--check", "--target", "hq", "fx"]
    want = r.run(*args, cache=False)
    for damage in ("truncate", "garbage", "empty", "flip"):
        shutil.rmtree(r.cache, ignore_errors=True)
        r.run(*args)
        (file,) = list(r.cache.iterdir())
        data = file.read_bytes()
        data = {"truncate": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b"",
                "flip": data[:100] + bytes([data[100] ^ 1]) + data[101:]}[damage]
        file.write_bytes(data)
        same(f"cache file {damage}", want, r.run(*args))
        same(f"cache file {damage}, rewritten", want, r.run(*args))
        if r.hits(*args)[0] == 0:
            fail(f"after a {damage} cache file the next run should have rewritten it")
    (r.work / "plain-file").write_text("")
    for where in ("plain-file/cache", "plain-file"):
        got = r.run("--cache-dir", str(r.work / where), *args, cache=None)
        same(f"cache folder {where} cannot be written", want, got)
        err = r.run("-v", "--cache-dir", str(r.work / where), *args, cache=None)[2]
        if len(re.findall(rb"could not be written", err)) != 1:
            fail(f"-v should say once that the cache could not be written:\n{err.decode()}")


def scenario_locations(r, fixtures):
    """$ALEMBIC_FIX_CACHE_DIR, else $XDG_CACHE_HOME/alembic-fix, else ~/.cache/alembic-fix;
    --cache-dir wins; --no-cache writes nothing; a one-file run reads and writes nothing."""
    shutil.copytree(fixtures / "already_clean", r.work / "fx")
    shutil.copy(r.work / "fx" / "input.py", r.work / "fx" / "second.py")
    args = ["--check", "--target", "plant", "fx"]

    def files_in(folder):
        return sorted(p.name for p in Path(folder).rglob("*.cache")) if Path(folder).exists() else []

    cases = [
        ({"ALEMBIC_FIX_CACHE_DIR": str(r.work / "env")}, [], r.work / "env"),
        ({"XDG_CACHE_HOME": str(r.work / "xdg")}, [], r.work / "xdg" / "alembic-fix"),
        ({}, [], r.work / "home" / ".cache" / "alembic-fix"),
        ({"ALEMBIC_FIX_CACHE_DIR": str(r.work / "env2")}, ["--cache-dir", str(r.work / "opt")], r.work / "opt"),
    ]
    for env, extra, expected in cases:
        r.run(*extra, *args, cache=None, env=env)
        if len(files_in(expected)) != 1:
            fail(f"with {env} {extra} the cache should be in {expected}")
    if files_in(r.work / "env2"):
        fail("--cache-dir should win over $ALEMBIC_FIX_CACHE_DIR")
    r.run(*args, cache=False, env={"ALEMBIC_FIX_CACHE_DIR": str(r.work / "none")})
    if Path(r.work / "none").exists():
        fail("--no-cache should write nothing")
    r.run("--check", "--target", "plant", "fx/input.py", cache=None, env={"ALEMBIC_FIX_CACHE_DIR": str(r.work / "one")})
    if Path(r.work / "one").exists():
        fail("a one-file run should write no cache")
    code, out, err = r.run("--cache-dir", "x", "--no-cache", *args, cache=None)
    if code != 2 or b"cannot be combined" not in err:
        fail("--cache-dir with --no-cache should be a usage error")
    code, out, err = r.run("--cache-dir", "", *args, cache=None)
    if code != 2 or b"empty name" not in err or list(r.work.glob("*.cache")):
        fail("an empty --cache-dir should be a usage error, and write nothing")


def scenario_concurrent(r, fixtures):
    """Runs at once on one cache file (two settings, so each rewrites it): the last rename wins,
    nothing is corrupted, and the outputs stay those without the cache."""
    shutil.copytree(fixtures, r.work / "fx", symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_TARGET", "XDG_CACHE_HOME")}
    env.update(NO_COLOR="1", ALEMBIC_FIX_CACHE_DIR=str(r.cache))
    settings = [["--target", "hq"], ["--target", "plant"]] * 3
    want = {tuple(t): r.run("--check", *t, "fx", cache=False) for t in settings[:2]}
    for _ in range(3):
        runs = [(t, subprocess.Popen([r.binary, "--check", *t, "fx"], cwd=r.work, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)) for t in settings]
        for t, p in runs:
            out, err = p.communicate(timeout=120)
            same(f"concurrent {t}", want[tuple(t)], (p.returncode, out, err))
    if len(list(r.cache.iterdir())) != 1:
        fail(f"one cache file expected, found {sorted(p.name for p in r.cache.iterdir())}")
    for t in settings[:2]:
        same(f"after the concurrent runs {t}", want[tuple(t)], r.run("--check", *t, "fx"))
        if r.hits("--check", *t, "fx")[0] == 0:
            fail("the cache file left by concurrent runs should be usable")


SCENARIOS = {name[len("scenario_"):]: f for name, f in globals().items() if name.startswith("scenario_")}


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(SCENARIOS))
        return
    binary, fixtures, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        SCENARIOS[name](Runner(binary, tmp), fixtures)
    print(f"ok: {name}")


if __name__ == "__main__":
    main()

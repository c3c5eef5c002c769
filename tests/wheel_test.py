#!/usr/bin/python3
"""The wheel, as a Python user gets it: `python3 -m build --wheel --no-isolation` (the binary is
built once in build-static/, then incrementally), `pip install --no-index` of the wheel into a
fresh venv, then `alembic-fix` found on the venv's PATH fixes fixtures/sample, `man` finds its page,
and the binary needs nothing but glibc (readelf NEEDED, ldd).
Run by ctest: wheel_test.py SOURCE_DIR BUILD_DIR (BUILD_DIR: a build whose grammar tarball to reuse)."""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from expectations import expect, finish

source, build = map(os.path.abspath, sys.argv[1:3])
GLIBC = re.compile(r"(libc|libm)\.so\.6|ld-linux-x86-64\.so\.2")


def run(*cmd, env=None, cwd=None):
    return subprocess.run(cmd, capture_output=True, timeout=1800, env=env, cwd=cwd)


def build_wheel(dist):
    env = dict(os.environ, CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 1))
    tarball = os.path.join(build, "_deps", "tree-sitter-python")
    tarballs = [f for f in os.listdir(tarball) if f.endswith(".tgz")] if os.path.isdir(tarball) else []
    if tarballs:
        env["CMAKE_ARGS"] = f"-DTSP_TARBALL={os.path.join(tarball, tarballs[0])}"
    r = run("/usr/bin/python3", "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, source, env=env)
    expect(r.returncode == 0, f"python3 -m build: {r.stdout.decode()[-3000:]} {r.stderr.decode()[-3000:]}")
    wheels = os.listdir(dist) if os.path.isdir(dist) else []
    expect(len(wheels) == 1 and re.fullmatch(r"alembic_fix-\d+\.\d+\.\d+-py3-none-linux_x86_64\.whl", wheels[0]),
           f"one alembic_fix-<version>-py3-none-linux_x86_64.whl: {wheels}")
    return os.path.join(dist, wheels[0]) if wheels else None


def only_glibc(binary):
    """NEEDED names only glibc's libraries, there is no RPATH/RUNPATH, and ldd resolves nothing else."""
    dynamic = run("readelf", "-d", binary).stdout.decode()
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dynamic)
    expect(needed and all(GLIBC.fullmatch(n) for n in needed), f"NEEDED lists only glibc's libraries: {needed}")
    expect("RPATH" not in dynamic and "RUNPATH" not in dynamic, "no RPATH or RUNPATH")
    ldd = run("ldd", binary).stdout.decode()
    resolved = [line.split()[0] for line in ldd.splitlines() if "linux-vdso" not in line]
    others = [n for n in resolved if not GLIBC.fullmatch(os.path.basename(n))]
    expect(resolved and not others, f"ldd resolves only glibc's libraries: {ldd}")


with tempfile.TemporaryDirectory() as tmp:
    wheel = build_wheel(os.path.join(tmp, "dist"))
    if wheel is None:
        finish()
    names = zipfile.ZipFile(wheel).namelist()
    version = re.match(r"alembic_fix-([^-]+)-", os.path.basename(wheel)).group(1)
    for member in ("scripts/alembic-fix", "data/share/man/man1/alembic-fix.1"):
        expect(f"alembic_fix-{version}.data/{member}" in names, f"the wheel holds {member}: {names}")

    venv = os.path.join(tmp, "venv")
    r = run("/usr/bin/python3", "-m", "venv", venv)
    expect(r.returncode == 0, f"python3 -m venv: {r.stderr.decode()}")
    # No index: the wheel must install from itself alone (and no network is tried).
    env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": tmp, "NO_COLOR": "1", "MANPATH": "",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    r = run("pip", "install", "--no-index", wheel, env=env)
    expect(r.returncode == 0, f"pip install --no-index: {r.stdout.decode()} {r.stderr.decode()}")

    installed = shutil.which("alembic-fix", path=env["PATH"])
    expect(installed == os.path.join(venv, "bin", "alembic-fix"), f"alembic-fix on PATH is the venv's: {installed}")
    r = run("alembic-fix", "--version", env=env)
    expect(r.stdout.decode() == f"alembic-fix {version}\n", f"--version: {r.stdout!r}")
    r = run("man", "-w", "alembic-fix", env=env)
    expect(r.stdout.decode().strip() == os.path.join(venv, "share", "man", "man1", "alembic-fix.1"),
           f"man finds the page from the venv's PATH: {r.stdout.decode()} {r.stderr.decode()}")

    sample = os.path.join(tmp, "versions")
    shutil.copytree(os.path.join(source, "fixtures", "sample", "input"), sample)
    r = run("alembic-fix", "--target", "plant", "-q", "versions", env=env, cwd=tmp)
    expect(r.returncode == 0, f"the installed alembic-fix fixes fixtures/sample: {r.returncode} {r.stderr.decode()}")
    expected = os.path.join(source, "fixtures", "sample", "expected")
    _, differ, missing = filecmp.cmpfiles(sample, expected, os.listdir(expected), shallow=False)
    expect(not differ and not missing, f"fixtures/sample/expected, byte for byte: differ {differ}, missing {missing}")

    if installed:
        only_glibc(installed)

finish()

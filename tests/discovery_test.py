#!/usr/bin/python3
"""Zero-config discovery: `alembic-fix` (and --check, --diff) with no PATH fixes the version
locations of the Alembic configuration found from the working folder upward, as Alembic reads it:
alembic.ini ([alembic] script_location, version_locations and its path separators,
recursive_version_locations), pyproject.toml [tool.alembic], -c/--config, $ALEMBIC_CONFIG; and a
usage error when there is none. Each case checks the exit status, stderr and the files' bytes; the
ini cases Debian's Alembic (1.8.1) can read are also checked against what it loads.
Run by ctest: discovery_test.py BINARY FIXTURES_DIR."""
import os
import shutil
import subprocess
import sys
import tempfile

from expectations import expect, finish

binary, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(fixtures, "sample", "input")  # 0002 and 0003 have hq drops to remove for plant
TO_FIX = ["0002_station_zone.py", "0003_ticket_priority.py"]


def run(args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_TARGET", "ALEMBIC_CONFIG")}
    env["NO_COLOR"] = "1"
    env.update(env_extra or {})
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, timeout=60)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def versions(folder, names=None):
    os.makedirs(folder, exist_ok=True)
    for name in names or os.listdir(SAMPLE):
        shutil.copy(os.path.join(SAMPLE, name), folder)


# What the fixer makes of each sample file when given it as a PATH: the reference bytes.
with tempfile.TemporaryDirectory() as tmp:
    shutil.copytree(SAMPLE, os.path.join(tmp, "v"))
    reference = run(["--target", "plant", "v"], tmp)
    FIXED = {name: read(os.path.join(tmp, "v", name)) for name in os.listdir(SAMPLE)}
ORIGINAL = {name: read(os.path.join(SAMPLE, name)) for name in os.listdir(SAMPLE)}
expect(reference.returncode == 0 and all(FIXED[n] != ORIGINAL[n] for n in TO_FIX), "the reference run fixes 0002, 0003")


def expect_files(folder, want, what):
    got = {name: read(os.path.join(folder, name)) for name in os.listdir(folder) if name.endswith(".py")}
    expect(got == {n: want[n] for n in got} and set(got) == set(want) & set(got), f"{what}: bytes of {folder}")


def located_line(r):
    """The locations the -v line names."""
    for line in r.stderr.decode().splitlines():
        if line.startswith("alembic-fix: migrations from "):
            return line.split(": ", 2)[2]
    return None


# 1. alembic.ini with %(here)s, run from a subfolder: --check and --diff write nothing; the
#    plain run fixes exactly what the explicit PATH run fixes. Paths are shown from the working folder.
with tempfile.TemporaryDirectory() as tmp:
    write(os.path.join(tmp, "alembic.ini"), "[alembic]\nscript_location = %(here)s/alembic\n")
    versions(os.path.join(tmp, "alembic", "versions"))
    sub = os.path.join(tmp, "app", "models")
    os.makedirs(sub)
    check = run(["--check", "--target", "plant"], sub)
    expect(check.returncode == 1, f"ini --check exits 1: {check.returncode} {check.stderr.decode()}")
    expect(b"../../alembic/versions/0002_station_zone.py:" in check.stderr, f"paths from the working folder: {check.stderr!r}")
    expect(check.stderr.endswith(b"alembic-fix: 2 files would be fixed, 1 unchanged, 2 not migrations.\n"), "ini --check summary")
    expect_files(os.path.join(tmp, "alembic", "versions"), ORIGINAL, "ini --check writes nothing")
    diff = run(["--diff", "--target", "plant"], sub)
    expect(diff.returncode == 1 and b"+++ ../../alembic/versions/0002_station_zone.py" in diff.stdout, "ini --diff")
    expect_files(os.path.join(tmp, "alembic", "versions"), ORIGINAL, "ini --diff writes nothing")
    fix = run(["--target", "plant"], sub)
    expect(fix.returncode == 0 and fix.stderr.endswith(b"alembic-fix: 2 files fixed, 1 unchanged, 2 not migrations.\n"),
           f"ini run: {fix.returncode} {fix.stderr.decode()}")
    expect_files(os.path.join(tmp, "alembic", "versions"), FIXED, "ini run fixes as the PATH run does")

# 2. An older ini: script_location relative to the ini's folder (where Alembic runs), from anywhere below.
with tempfile.TemporaryDirectory() as tmp:
    write(os.path.join(tmp, "alembic.ini"), "# generic\n[alembic]\nscript_location = db\n[loggers]\nkeys = root\n")
    versions(os.path.join(tmp, "db", "versions"))
    os.makedirs(os.path.join(tmp, "db", "versions", "x"))
    r = run(["--check", "--target", "plant", "-v"], os.path.join(tmp, "db", "versions", "x"))
    expect(r.returncode == 1 and located_line(r) == "..", f"relative script_location: {located_line(r)} {r.stderr.decode()}")

# 3. pyproject.toml [tool.alembic] (Alembic 1.16+): two version locations, both processed; one
#    that does not exist is skipped, as Alembic skips it.
with tempfile.TemporaryDirectory() as tmp:
    write(os.path.join(tmp, "pyproject.toml"),
          '[project]\nname = "x"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
          'version_locations = ["%(here)s/migrations/plant", "migrations/plant_two", "%(here)s/gone"]\n')
    versions(os.path.join(tmp, "migrations", "plant"), ["0001_create_stations.py", "0002_station_zone.py"])
    versions(os.path.join(tmp, "migrations", "plant_two"), ["0003_ticket_priority.py"])
    r = run(["--target", "plant", "-v"], tmp)
    expect(r.returncode == 0 and located_line(r) ==
           "migrations/plant, migrations/plant_two (gone not found, skipped)", f"pyproject -v: {r.stderr.decode()}")
    expect_files(os.path.join(tmp, "migrations", "plant"), FIXED, "pyproject: first location fixed")
    expect_files(os.path.join(tmp, "migrations", "plant_two"), FIXED, "pyproject: second location fixed")
    # Every location missing: nothing to fix is an error, not a silent success.
    write(os.path.join(tmp, "pyproject.toml"), '[tool.alembic]\nscript_location = "%(here)s/nowhere"\n')
    r = run(["--check"], tmp)
    expect(r.returncode == 2 and r.stderr == b"alembic-fix: error: pyproject.toml names no versions folder that exists "
           b"(looked for nowhere/versions)\n", f"no location exists: {r.stderr!r}")

# 4. recursive_version_locations: only files directly in a location unless it is true (what
#    Alembic loads); ini "true" exactly, TOML a boolean.
for style in ("ini", "toml"):
    for recursive in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            if style == "ini":
                write(os.path.join(tmp, "alembic.ini"), "[alembic]\nscript_location = %(here)s/alembic\n" +
                      ("recursive_version_locations = true\n" if recursive else ""))
            else:
                write(os.path.join(tmp, "pyproject.toml"), '[tool.alembic]\nscript_location = "alembic"\n' +
                      ("recursive_version_locations = true\n" if recursive else ""))
            top = os.path.join(tmp, "alembic", "versions")
            versions(top, ["0001_create_stations.py", "0002_station_zone.py"])
            versions(os.path.join(top, "2024"), ["0003_ticket_priority.py"])
            r = run(["--target", "plant"], tmp)
            expect(r.returncode == 0, f"{style} recursive={recursive}: {r.stderr.decode()}")
            expect_files(top, FIXED, f"{style} recursive={recursive}: the location itself")
            expect_files(os.path.join(top, "2024"), FIXED if recursive else ORIGINAL,
                         f"{style} recursive={recursive}: its subfolder {'fixed' if recursive else 'untouched'}")

# 5. version_locations in an ini, split as Alembic 1.19 splits them: path_separator (or the older
#    version_path_separator), else on spaces and commas. The ini cases Alembic 1.8.1 can read too
#    are checked against the locations Debian's Alembic computes.
SEPARATED = {  # ini lines -> the locations alembic-fix must process, in order
    "version_locations = %(here)s/a %(here)s/b\n": "a, b",
    "version_locations = %(here)s/a,%(here)s/b, %(here)s/c\n": "a, b, c",
    "version_path_separator = os\nversion_locations = %(here)s/a:%(here)s/b\n": "a, b",
    "version_path_separator = ;\nversion_locations = %(here)s/a;%(here)s/b\n": "a, b",
    "version_path_separator = :\nversion_locations = %(here)s/a:%(here)s/b\n": "a, b",
    "version_path_separator = space\nversion_locations = a b\n": "a, b",
    "path_separator = newline\nversion_locations =\n    %(here)s/a\n\n    # b is not listed\n    c\n": "a, c",
    "path_separator = ;\nversion_locations = a ; c\n": "a, c",
    "[DEFAULT]\nroot = %(here)s\n[alembic]\nscript_location = alembic\npath_separator = os\nversion_locations = %(root)s/b:%%(root)s\n": "b, %(root)s",
}


def alembic_181_locations(folder):
    """The version locations Debian's Alembic 1.8.1 computes, run from the ini's folder as usual."""
    code = ("from alembic.config import Config\nfrom alembic.script import ScriptDirectory\n"
            "print('\\n'.join(str(p) for p in ScriptDirectory.from_config(Config('alembic.ini'))._version_locations))")
    r = subprocess.run(["/usr/bin/python3", "-c", code], cwd=folder, capture_output=True, timeout=60)
    return r.stdout.decode().split("\n")[:-1] if r.returncode == 0 else None


for lines, want in SEPARATED.items():
    with tempfile.TemporaryDirectory() as tmp:
        ini = lines if lines.startswith("[") else "[alembic]\nscript_location = alembic\n" + lines
        write(os.path.join(tmp, "alembic.ini"), ini)
        os.makedirs(os.path.join(tmp, "alembic"))  # Alembic wants its script_location
        for name in ("a", "b", "c", "%(root)s"):
            versions(os.path.join(tmp, name), ["0002_station_zone.py"])
        r = run(["--check", "--target", "plant", "-v"], tmp)
        expect(r.returncode == 1 and located_line(r) == want, f"{lines!r}: {located_line(r)!r}, want {want!r}")
        if "path_separator = " in lines.replace("version_path_separator", ""):
            continue  # Alembic 1.8.1 does not know path_separator
        oracle = alembic_181_locations(tmp)
        ours = [os.path.join(tmp, w) for w in want.split(", ")]
        expect(oracle is not None and [p for p in oracle if os.path.isdir(p)] == ours,
               f"{lines!r}: Alembic 1.8.1 loads {oracle}, alembic-fix {ours}")

with tempfile.TemporaryDirectory() as tmp:
    write(os.path.join(tmp, "alembic.ini"), "[alembic]\nscript_location = a\npath_separator = ,\nversion_locations = a,b\n")
    r = run(["--check"], tmp)
    expect(r.returncode == 2 and r.stderr == b"alembic-fix: error: " + os.path.join(tmp, "alembic.ini").encode() +
           b": [alembic] ',' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'\n",
           f"an unknown separator, as Alembic refuses it: {r.stderr!r}")

# 6. -c/--config names the ini (from anywhere); $ALEMBIC_CONFIG the same; -c with a PATH, or a
#    -c file that is not there, is an error.
with tempfile.TemporaryDirectory() as tmp:
    project = os.path.join(tmp, "project")
    write(os.path.join(project, "deploy", "plant.ini"), "[alembic]\nscript_location = %(here)s/../db\n")
    versions(os.path.join(project, "db", "versions"))
    elsewhere = os.path.join(tmp, "elsewhere")
    os.makedirs(elsewhere)
    r = run(["--check", "--target", "plant", "-c", "../project/deploy/plant.ini"], elsewhere)
    expect(r.returncode == 1 and b"../project/db/versions/0002_station_zone.py:" in r.stderr, f"-c: {r.stderr.decode()}")
    r = run(["--target", "plant"], elsewhere, {"ALEMBIC_CONFIG": os.path.join(project, "deploy", "plant.ini")})
    expect(r.returncode == 0, f"$ALEMBIC_CONFIG: {r.stderr.decode()}")
    expect_files(os.path.join(project, "db", "versions"), FIXED, "$ALEMBIC_CONFIG run fixes")
    r = run(["--check", "-c", "../project/deploy/plant.ini", "x.py"], elsewhere)
    expect(r.returncode == 2 and r.stderr.startswith(b"alembic-fix: error: -c/--config says where the migrations are "
                                                     b"when no PATH is given"), f"-c with a PATH: {r.stderr!r}")
    r = run(["--check", "--config", "missing.ini"], elsewhere)
    expect(r.returncode == 2 and r.stderr == b"alembic-fix: error: " + os.path.join(elsewhere, "missing.ini").encode() +
           b": cannot open: No such file or directory\n", f"-c missing: {r.stderr!r}")

# 7. Nothing found: a usage error that says what was looked for and where. A pyproject.toml
#    without [tool.alembic] on the way up is not a configuration of Alembic's.
with tempfile.TemporaryDirectory() as tmp:
    write(os.path.join(tmp, "pyproject.toml"), '[tool.alembic-fix.targets.plant]\ntables = ["stations"]\n')
    versions(os.path.join(tmp, "versions"))
    r = run(["--check"], tmp)
    expect(r.returncode == 2 and r.stdout == b"" and r.stderr ==
           f"alembic-fix: error: no PATH given, and no Alembic configuration found: looked for alembic.ini, and for "
           f"pyproject.toml with [tool.alembic], in {tmp} and every folder above it\n".encode(), f"none found: {r.stderr!r}")
    expect_files(os.path.join(tmp, "versions"), ORIGINAL, "nothing found: nothing written")
    # An alembic.ini without script_location: said, as Alembic says it.
    write(os.path.join(tmp, "alembic.ini"), "[alembic]\nsqlalchemy.url = sqlite://\n")
    r = run([], tmp)
    expect(r.returncode == 2 and b"alembic.ini: no script_location" in r.stderr, f"no script_location: {r.stderr!r}")
    expect_files(os.path.join(tmp, "versions"), ORIGINAL, "no script_location: nothing written")

finish()

#!/usr/bin/python3
"""`alembic-fix maps` fixture runner: fixtures/maps/<case>/ folders, checked as a user sees them.

    maps_test.py [--bless] BINARY CASE_DIR...

A case is run from its own folder (so paths in messages are short) and holds
  args     the arguments after `alembic-fix` (one line, shell words), e.g. `maps --models plant=models.py`
  stdout   the exact standard output (absent: nothing may be printed there)
  stderr   the exact diagnostics and summary (every case has one; see fixtures/README.md)
  exit     the expected exit status (default 0)
and the models and maps the arguments name. A case that writes a map (no --check) is run again
with -o: the file must hold exactly what stdout held, and `maps --check` must find it in sync with
the same models. A case that fails must write no file.

--bless first re-writes `stdout`, `stderr` and `exit` from what the binary does now (`stdout` only
where something is printed or the file exists, `exit` only for a non-zero status or where the file
exists), prints each file it changed, then runs every check as usual. Read `git diff fixtures/`
before committing a bless. Without --bless nothing is written to fixtures/.
"""
import argparse
import os
import shlex
import tempfile

# Same environment, same way of showing a difference and of blessing as the golden runner.
from golden_test import bless_exit, bless_tree, fail, run, show_difference
from golden_test import read_optional as read


def compare(what, want, got):
    if want != got:
        show_difference({what: want}, {what: got})
        fail(f"{what} differs")


def bless(binary, case, args):
    """Re-writes the case's stdout, stderr and exit from one run."""
    result = run(binary, args, case)
    stdout = os.path.join(case, "stdout")
    if result.stdout or os.path.exists(stdout):
        bless_tree(stdout, {"": result.stdout})
    bless_tree(os.path.join(case, "stderr"), {"": result.stderr})
    bless_exit(case, result.returncode)


def check(binary, case):
    args = shlex.split(read(os.path.join(case, "args")).decode())
    want_exit = int(read(os.path.join(case, "exit"), b"0").decode().strip())
    want_stdout = read(os.path.join(case, "stdout"), b"")
    want_stderr = read(os.path.join(case, "stderr"))

    result = run(binary, args, case)
    if result.returncode != want_exit:
        print(result.stderr.decode())
        fail(f"exit status {result.returncode}, expected {want_exit}")
    compare("stdout", want_stdout, result.stdout)
    if want_stderr is not None:
        compare("stderr", want_stderr, result.stderr)

    if "--check" in args or args[:1] != ["maps"]:
        print(f"ok: {os.path.basename(case)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "map.toml")
        written = run(binary, [*args, "-o", out], case)
        if written.returncode != want_exit:
            fail(f"with -o: exit status {written.returncode}, expected {want_exit}: {written.stderr.decode()}")
        if written.stdout:
            fail(f"with -o, stdout is not empty: {written.stdout[:200]!r}")
        if want_exit != 0:
            if os.path.exists(out):
                fail("a failed run wrote the map")
        else:
            compare("map written with -o", want_stdout, read(out, b""))
            check = run(binary, [*args, "--check", "--maps", out], case)
            if check.returncode != 0:
                fail(f"maps --check on the map just written exits {check.returncode}: {check.stderr.decode()}")
    print(f"ok: {os.path.basename(case)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bless", action="store_true", help="re-write stdout, stderr and exit from the actual run")
    parser.add_argument("binary")
    parser.add_argument("cases", nargs="+", metavar="case_dir")
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    for case in map(os.path.abspath, options.cases):
        if options.bless:
            bless(binary, case, shlex.split(read(os.path.join(case, "args")).decode()))
        check(binary, case)


if __name__ == "__main__":
    main()

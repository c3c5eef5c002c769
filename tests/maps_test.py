#!/usr/bin/python3
"""`alembic-fix maps` fixture runner: one fixtures/maps/<case>/ folder, checked as a user sees it.

A case is run from its own folder (so paths in messages are short) and holds
  args     the arguments after `alembic-fix` (one line, shell words), e.g. `maps --models plant=models.py`
  stdout   the exact standard output (absent: nothing may be printed there)
  stderr   the exact diagnostics and summary (optional)
  exit     the expected exit status (default 0)
and the models and maps the arguments name. A case that writes a map (no --check) is run again
with -o: the file must hold exactly what stdout held, and `maps --check` must find it in sync with
the same models. A case that fails must write no file.
"""
import os
import shlex
import sys
import tempfile

from golden_test import fail, run, show_difference  # same environment, same way of showing a difference


def read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, "rb") as f:
        return f.read()


def compare(what, want, got):
    if want != got:
        show_difference({what: want}, {what: got})
        fail(f"{what} differs")


def main():
    binary, case = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
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


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden fixture runner: one fixture directory, checked the way a user would see it.

A fixture is fixtures/<case>/ with
  args          the arguments before the path (one line, shell words)
  input.py      the file given to alembic-fix        (or input/ : a folder)
  expected.py   the file after the run; absent = the input must stay byte-identical
                                                      (or expected/ : a folder)
  exit          the expected exit status (default 0)
  stderr        the expected diagnostics and summary, exactly (optional)

Checks: the fixing run (bytes, exit status, stderr); a second run changes nothing (idempotence);
--check and --diff write nothing and report what the fixing run did.
"""
import difflib
import filecmp
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def tree_bytes(path):
    """{relative path: bytes} for a file or every file below a folder."""
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return {"": f.read()}
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = f.read()
    return out


def show_difference(want, got):
    for name in sorted(set(want) | set(got)):
        a, b = want.get(name, b""), got.get(name, b"")
        if a != b:
            print(f"--- {name or 'file'}: expected vs actual")
            sys.stdout.writelines(difflib.unified_diff(
                a.decode("utf-8", "replace").splitlines(True), b.decode("utf-8", "replace").splitlines(True),
                "expected", "actual"))
            print(f"\n(raw expected {a!r:.400}\n raw actual   {b!r:.400})")


def run(binary, args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "MIGRATION_TARGET"}
    env["NO_COLOR"] = "1"
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, timeout=60)


def main():
    binary, case = os.path.abspath(sys.argv[1]), sys.argv[2]
    with open(os.path.join(case, "args")) as f:
        # {case} stands for the fixture's own folder, for files such as a --maps TOML beside it.
        args = [a.replace("{case}", os.path.abspath(case)) for a in shlex.split(f.read())]
    folder = os.path.isdir(os.path.join(case, "input"))
    name = "input" if folder else "input.py"
    expected_path = os.path.join(case, "expected" if folder else "expected.py")
    if not os.path.exists(expected_path):
        expected_path = os.path.join(case, name)
    want = tree_bytes(expected_path)
    original = tree_bytes(os.path.join(case, name))
    want_exit = 0
    if os.path.exists(os.path.join(case, "exit")):
        with open(os.path.join(case, "exit")) as f:
            want_exit = int(f.read().strip())

    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, name)
        (shutil.copytree if folder else shutil.copy2)(os.path.join(case, name), target)

        first = run(binary, [*args, name], tmp)
        got = tree_bytes(target)
        if got != want:
            show_difference(want, got)
            print(first.stderr.decode())
            fail("the fixed output differs from the expected output")
        if first.returncode != want_exit:
            print(first.stderr.decode())
            fail(f"exit status {first.returncode}, expected {want_exit}")
        stderr_file = os.path.join(case, "stderr")
        if os.path.exists(stderr_file):
            with open(stderr_file, "rb") as f:
                want_err = f.read()
            if first.stderr != want_err:
                show_difference({"stderr": want_err}, {"stderr": first.stderr})
                fail("stderr differs")

        # Idempotence: running again changes nothing, and --check agrees there is nothing left.
        second = run(binary, [*args, name], tmp)
        if tree_bytes(target) != want:
            show_difference(want, tree_bytes(target))
            fail("a second run changed the file again")
        if second.returncode != want_exit:
            fail(f"second run exit status {second.returncode}, expected {want_exit}")
        if want_exit == 0:
            check = run(binary, [*args, "--check", name], tmp)
            if check.returncode != 0:
                fail(f"--check after fixing exits {check.returncode}: {check.stderr.decode()}")

    # --check and --diff on the original: nothing written, status says whether it would change.
    changes = want != original
    for mode in ("--check", "--diff"):
        with tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, name)
            (shutil.copytree if folder else shutil.copy2)(os.path.join(case, name), target)
            result = run(binary, [*args, mode, name], tmp)
            if tree_bytes(target) != original:
                fail(f"{mode} wrote to the file")
            expected_status = 2 if want_exit == 2 else (1 if changes else 0)
            if result.returncode != expected_status:
                fail(f"{mode} exits {result.returncode}, expected {expected_status}: {result.stderr.decode()}")
            if mode == "--diff" and changes and b"@@" not in result.stdout:
                fail("--diff printed no hunk")
    # The prefilter may only skip work, never change a result: on the input and on the fixed
    # files (where it does fire), a run with it and a run without agree on every byte and line.
    for source, label in ((os.path.join(case, name), "input"), (expected_path, "fixed output")):
        results = []
        for extra in ([], ["--no-prefilter"]):
            with tempfile.TemporaryDirectory() as tmp:
                target = os.path.join(tmp, name)
                (shutil.copytree if folder else shutil.copy2)(source, target)
                r = run(binary, [*args, *extra, name], tmp)
                stderr = r.stderr.replace(b"; not parsed: annotated, names no other target's table", b"")
                results.append((tree_bytes(target), r.returncode, r.stdout, stderr))
        if results[0] != results[1]:
            show_difference({"stderr": results[1][3]}, {"stderr": results[0][3]})
            fail(f"on the {label}, the run with the prefilter differs from the run without")
    print(f"ok: {os.path.basename(os.path.normpath(case))}")


if __name__ == "__main__":
    main()

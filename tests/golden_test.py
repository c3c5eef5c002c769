#!/usr/bin/python3
"""Golden fixture runner: fixture directories, checked the way a user would see them.

    golden_test.py [--bless] BINARY CASE_DIR...

A fixture is fixtures/<case>/ with
  args          the arguments before the path (one line, shell words)
  input.py      the file given to alembic-fix        (or input/ : a folder; symlinks in it are
                                                      copied as links and compared by their text)
  path          optional, with input/: the path inside input/ given instead of input/ itself
                (one line, e.g. `versions/hq/x.py`: the PATH is then `input/versions/hq/x.py`);
                the whole of input/ is still copied and compared
  expected.py   the file after the run; absent = the input must stay byte-identical
                                                      (or expected/ : a folder)
  exit          the expected exit status (default 0)
  findings      present when the fixed file still holds a warning that is a finding (AF106, AF107):
                --check and --diff then exit 1 on it, before and after fixing
  stderr        the expected diagnostics and summary, exactly; every case has one unless
                fixtures/README.md marks it unpinned and says why (tests/fixtures_index_test.py)

Checks: the fixing run (bytes, exit status, stderr); a second run changes nothing (idempotence);
--check and --diff write nothing and report what the fixing run did; the prefilter changes no result.

--bless first re-writes the expected output, `stderr` and `exit` from what the binary does now
(an expected file is made only where the output differs from the input, an `exit` file only for a
non-zero status or where one exists), prints each file it changed, then runs every check as usual.
Read `git diff fixtures/` before committing a bless. Without --bless nothing is written to fixtures/.
"""
import argparse
import difflib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


# How tree_bytes records a symlink below a folder: this prefix, then the link's text. Links are
# copied as links, so a fixture can hold one (a link to nothing, say) and see that it stays one.
SYMLINK = b"\0symlink\0"


def tree_bytes(path):
    """{relative path: bytes} for a file or every file below a folder (a symlink: SYMLINK + its text)."""
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return {"": f.read()}
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if os.path.islink(full):
                out[os.path.relpath(full, path)] = SYMLINK + os.fsencode(os.readlink(full))
                continue
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
    # --no-cache: each run compiles its files, so the prefilter on and off are compared for real
    # (the maps command, which shares this runner, keeps no cache).
    no_cache = [] if args[:1] == ["maps"] else ["--no-cache"]
    return subprocess.run([binary, *no_cache, *args], cwd=cwd, env=env, capture_output=True, timeout=60)


def bless_tree(path, tree):
    """Makes the file or folder `path` hold `tree` (as tree_bytes gives it) and prints every file
    that changed. An unchanged file is not touched, so a bless that changes nothing prints nothing."""
    old = tree_bytes(path) if os.path.exists(path) else {}
    changed = sorted(n for n in set(old) | set(tree) if old.get(n) != tree.get(n))
    if not changed:
        return
    if "" in tree:
        with open(path, "wb") as f:
            f.write(tree[""])
    else:
        shutil.rmtree(path, ignore_errors=True)
        for name, data in tree.items():
            os.makedirs(os.path.dirname(os.path.join(path, name)), exist_ok=True)
            if data.startswith(SYMLINK):
                os.symlink(os.fsdecode(data[len(SYMLINK):]), os.path.join(path, name))
                continue
            with open(os.path.join(path, name), "wb") as f:
                f.write(data)
    for name in changed:
        print(f"blessed: {os.path.relpath(os.path.join(path, name) if name else path)}")


def read_optional(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, "rb") as f:
        return f.read()


def bless_exit(case, status):
    """`exit` is written for a non-zero status, or where the case already has one."""
    path = os.path.join(case, "exit")
    if status != 0 or os.path.exists(path):
        bless_tree(path, {"": f"{status}\n".encode()})


class Case:
    """One fixture folder as the runner reads it."""

    def __init__(self, case):
        self.dir = case
        with open(os.path.join(case, "args")) as f:
            # {case} stands for the fixture's own folder, for files such as a --maps TOML beside it.
            self.args = [a.replace("{case}", os.path.abspath(case)) for a in shlex.split(f.read())]
        self.folder = os.path.isdir(os.path.join(case, "input"))
        self.name = "input" if self.folder else "input.py"
        # The PATH given: the input itself, or what the `path` file names inside input/.
        self.path = self.name
        if self.folder and os.path.exists(os.path.join(case, "path")):
            with open(os.path.join(case, "path")) as f:
                self.path = os.path.join(self.name, f.read().strip())
        self.input_path = os.path.join(case, self.name)
        self.expected_path = os.path.join(case, "expected" if self.folder else "expected.py")
        self.load_expectations()

    def load_expectations(self):
        self.original = tree_bytes(self.input_path)
        has_expected = os.path.exists(self.expected_path)
        self.want = tree_bytes(self.expected_path) if has_expected else self.original
        self.fixed_path = self.expected_path if has_expected else self.input_path
        self.want_exit = int(read_optional(os.path.join(self.dir, "exit"), b"0").decode().strip())
        self.want_stderr = read_optional(os.path.join(self.dir, "stderr"))
        self.findings = os.path.exists(os.path.join(self.dir, "findings"))

    def copy_input(self, tmp, source=None):
        target = os.path.join(tmp, self.name)
        if self.folder:
            shutil.copytree(source or self.input_path, target, symlinks=True)
        else:
            shutil.copy2(source or self.input_path, target)
        return target


def bless_case(binary, case):
    """Re-writes the case's expected output, stderr and exit from one fixing run."""
    with tempfile.TemporaryDirectory() as tmp:
        target = case.copy_input(tmp)
        result = run(binary, [*case.args, case.path], tmp)
        got = tree_bytes(target)
    if got != case.original or os.path.exists(case.expected_path):
        bless_tree(case.expected_path, got)
    bless_tree(os.path.join(case.dir, "stderr"), {"": result.stderr})
    bless_exit(case.dir, result.returncode)
    case.load_expectations()


def check_fixing_run(binary, case):
    """The fixing run gives the expected bytes, status and stderr; a second run changes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        target = case.copy_input(tmp)
        first = run(binary, [*case.args, case.path], tmp)
        got = tree_bytes(target)
        if got != case.want:
            show_difference(case.want, got)
            print(first.stderr.decode())
            fail("the fixed output differs from the expected output")
        if first.returncode != case.want_exit:
            print(first.stderr.decode())
            fail(f"exit status {first.returncode}, expected {case.want_exit}")
        if case.want_stderr is not None and first.stderr != case.want_stderr:
            show_difference({"stderr": case.want_stderr}, {"stderr": first.stderr})
            fail("stderr differs")

        # Idempotence: running again changes nothing, and --check agrees there is nothing left.
        second = run(binary, [*case.args, case.path], tmp)
        if tree_bytes(target) != case.want:
            show_difference(case.want, tree_bytes(target))
            fail("a second run changed the file again")
        if second.returncode != case.want_exit:
            fail(f"second run exit status {second.returncode}, expected {case.want_exit}")
        if case.want_exit == 0:
            check = run(binary, [*case.args, "--check", case.path], tmp)
            if check.returncode != (1 if case.findings else 0):
                fail(f"--check after fixing exits {check.returncode}: {check.stderr.decode()}")


def check_read_only_modes(binary, case):
    """--check and --diff on the original: nothing written, status says whether it would change."""
    changes = case.want != case.original
    for mode in ("--check", "--diff"):
        with tempfile.TemporaryDirectory() as tmp:
            target = case.copy_input(tmp)
            result = run(binary, [*case.args, mode, case.path], tmp)
            if tree_bytes(target) != case.original:
                fail(f"{mode} wrote to the file")
            expected_status = 2 if case.want_exit == 2 else (1 if changes or case.findings else 0)
            if result.returncode != expected_status:
                fail(f"{mode} exits {result.returncode}, expected {expected_status}: {result.stderr.decode()}")
            if mode == "--diff" and changes and b"@@" not in result.stdout:
                fail("--diff printed no hunk")


def check_prefilter(binary, case):
    """The prefilter may only skip work, never change a result: on the input and on the fixed
    files (where it does fire), a run with it and a run without agree on every byte and line."""
    for source, label in ((case.input_path, "input"), (case.fixed_path, "fixed output")):
        results = []
        for extra in ([], ["--no-prefilter"]):
            with tempfile.TemporaryDirectory() as tmp:
                target = case.copy_input(tmp, source)
                r = run(binary, [*case.args, *extra, case.path], tmp)
                stderr = r.stderr.replace(b"; not parsed: annotated, names no other target's table", b"")
                results.append((tree_bytes(target), r.returncode, r.stdout, stderr))
        if results[0] != results[1]:
            show_difference({"stderr": results[1][3]}, {"stderr": results[0][3]})
            fail(f"on the {label}, the run with the prefilter differs from the run without")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bless", action="store_true",
                        help="re-write the expected output, stderr and exit from the actual run")
    parser.add_argument("binary")
    parser.add_argument("cases", nargs="+", metavar="case_dir")
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    for case_dir in options.cases:
        case = Case(case_dir)
        if options.bless:
            bless_case(binary, case)
        check_fixing_run(binary, case)
        check_read_only_modes(binary, case)
        check_prefilter(binary, case)
        print(f"ok: {os.path.basename(os.path.normpath(case_dir))}")


if __name__ == "__main__":
    main()

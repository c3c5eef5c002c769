#!/usr/bin/python3
"""alembic-fix as a pre-commit hook, with Debian's pre-commit and no network, in two
configurations: a throwaway repository whose .pre-commit-config.yaml points at a local copy of this
project's .pre-commit-hooks.yaml, and the README's `repo: local` hook (for a pip-installed binary),
taken from the README as written. In each, committing a polluted migration fails the hook and
leaves the file fixed and annotated; the next commit passes.
Run by ctest: pre_commit_test.py BINARY SOURCE_DIR."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from expectations import expect, finish

binary, source = map(os.path.abspath, sys.argv[1:3])


with tempfile.TemporaryDirectory() as tmp:
    env = {
        "PATH": f"{os.path.dirname(binary)}:/usr/bin:/bin",
        "HOME": tmp,
        "PRE_COMMIT_HOME": os.path.join(tmp, "cache"),
        "NO_COLOR": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
        # Anything that tries the network fails at once instead of hanging.
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
    }

    def run(*cmd, cwd):
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=300)

    # The hooks repository: this project's .pre-commit-hooks.yaml, committed.
    hooks = os.path.join(tmp, "hooks")
    os.makedirs(hooks)
    shutil.copy(os.path.join(source, ".pre-commit-hooks.yaml"), hooks)
    run("git", "init", "-q", cwd=hooks)
    run("git", "add", ".", cwd=hooks)
    run("git", "commit", "-qm", "hooks", cwd=hooks)
    rev = run("git", "rev-parse", "HEAD", cwd=hooks).stdout.decode().strip()

    def readme_local_hook():
        """The README's `repo: local` configuration, exactly as written there."""
        with open(os.path.join(source, "README.md")) as f:
            blocks = re.findall(r"```yaml\n(.*?)```", f.read(), re.S)
        local = [b for b in blocks if "- repo: local" in b]
        expect(len(local) == 1, f"one `repo: local` configuration in the README: {len(local)}")
        return local[0] if local else None

    def commit_twice(name, config):
        """A user's repository with a versions folder autogenerate polluted, committed twice."""
        repo = os.path.join(tmp, name)
        versions = os.path.join(repo, "alembic", "versions")
        os.makedirs(versions)
        with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
            f.write(config)
        case = os.path.join(source, "fixtures", "autogen_plain_plant")
        migration = os.path.join(versions, "9b81e6f0c2d4_add_reason_suggestions.py")
        shutil.copy(os.path.join(case, "input.py"), migration)
        with open(os.path.join(repo, "env.py"), "w") as f:
            f.write("revision = 'not a versions file: the hook must not see it'\n")
        run("git", "init", "-q", cwd=repo)
        r = run("pre-commit", "install", cwd=repo)
        expect(r.returncode == 0, f"{name}: pre-commit install: {r.stderr.decode()}")
        run("git", "add", ".", cwd=repo)

        first = run("git", "commit", "-qm", "add migration", cwd=repo)
        out = first.stdout.decode() + first.stderr.decode()
        expect(first.returncode != 0, f"{name}: the first commit is refused: the hook changed the migration")
        expect("files were modified by this hook" in out, f"{name}: pre-commit says the hook fixed files: {out}")
        with open(migration, "rb") as got, open(os.path.join(case, "expected.py"), "rb") as want:
            expect(got.read() == want.read(), f"{name}: the migration is fixed and annotated as the fixture expects")
        with open(os.path.join(repo, "env.py")) as f:
            expect("not a versions file" in f.read(), f"{name}: files outside versions/ are left alone")

        run("git", "add", ".", cwd=repo)
        second = run("git", "commit", "-qm", "add migration", cwd=repo)
        expect(second.returncode == 0,
               f"{name}: the second commit passes: {second.stdout.decode()} {second.stderr.decode()}")
        log = run("git", "log", "--oneline", cwd=repo).stdout.decode()
        expect(log.count("\n") == 1, f"{name}: one commit made: {log}")

    commit_twice("project", f"repos:\n- repo: {hooks}\n  rev: {rev}\n  hooks:\n  - id: alembic-fix\n"
                            "    args: [--target, plant]\n")
    local = readme_local_hook()
    if local:
        commit_twice("local-hook", local)

finish()

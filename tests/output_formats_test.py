#!/usr/bin/python3
"""The CI outputs, as a bot or a code-scanning upload reads them: json (stable schema), github
workflow commands, SARIF 2.1.0, --statistics, colour only on a terminal, and the same report at
any --jobs. Run by ctest: output_formats_test.py BINARY FIXTURES_DIR."""
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

from expectations import expect, finish

binary, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def run(args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_TARGET", "NO_COLOR")}
    env.update(env_extra or {})
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, timeout=60)


with tempfile.TemporaryDirectory() as tmp:
    # A folder with a file to fix, a clean one, one with a syntax error and a non-migration.
    versions = os.path.join(tmp, "versions")
    shutil.copytree(os.path.join(fixtures, "mixed_folder", "input"), versions)
    shutil.copy(os.path.join(fixtures, "syntax_error", "input.py"), os.path.join(versions, "zz_broken.py"))
    shutil.copy(os.path.join(fixtures, "already_clean", "input.py"), os.path.join(versions, "aa_clean.py"))

    # json: one object, per file status and diagnostics, statistics, summary, exit code.
    r = run(["--check", "--format", "json", "versions"], tmp)
    doc = json.loads(r.stdout)
    expect(r.returncode == 2, f"json run exits 2 (a syntax error is among the files), got {r.returncode}")
    expect(doc["schema"] == 1 and doc["tool"]["name"] == "alembic-fix", "json header")
    statuses = {f["path"]: f["status"] for f in doc["files"]}
    expect(statuses.get("versions/zz_broken.py") == "error", f"broken file status: {statuses}")
    expect(statuses.get("versions/env.py") == "not-migration", "env.py is not a migration")
    expect(statuses.get("versions/versions/hq/3c4d_hq_insights.py") == "would-fix", "hq file would be fixed")
    expect(list(statuses) == sorted(statuses), "files in path order")
    hq = next(f for f in doc["files"] if f["path"].endswith("3c4d_hq_insights.py"))
    expect(hq["target"] == "hq" and hq["decided_by"] == "folder", f"target and rule: {hq['target']} {hq['decided_by']}")
    d = hq["diagnostics"][0]
    expect(set(d) == {"line", "column", "code", "name", "severity", "message"}, f"diagnostic keys {set(d)}")
    total = sum(len(f["diagnostics"]) for f in doc["files"])
    expect(sum(doc["statistics"].values()) == total, "statistics count every diagnostic")
    expect(doc["summary"] == {"changed": 5, "unchanged": 1, "not_migration": 2, "failed": 1}, f"summary {doc['summary']}")
    expect(doc["exit_code"] == 2, "exit_code in json")

    # The same report whatever the number of threads.
    one = run(["--check", "--format", "json", "-j", "1", "versions"], tmp).stdout
    many = run(["--check", "--format", "json", "-j", "8", "versions"], tmp).stdout
    expect(one == many == r.stdout, "json output identical at -j1, -j8 and the default")

    # github: workflow commands with file, line and col.
    g = run(["--check", "--format", "github", "versions"], tmp)
    lines = g.stdout.decode().splitlines()
    expect(all(re.match(r"^::(error|warning|notice) file=[^,]+(,line=\d+,col=\d+)?,title=AF\d{3} [a-z-]+::", l) for l in lines),
           "every github line is a workflow command")
    expect(any(l.startswith("::error file=versions/zz_broken.py,line=") for l in lines), "syntax error as ::error with line")

    # SARIF 2.1.0: rules for every code, results with locations and regions.
    s = run(["--check", "--format", "sarif", "versions"], tmp)
    sarif = json.loads(s.stdout)
    expect(sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"], "sarif version and schema")
    run0 = sarif["runs"][0]
    rules = {rule["id"] for rule in run0["tool"]["driver"]["rules"]}
    expect({"AF001", "AF002", "AF003", "AF201", "AF206"} <= rules, f"sarif rules {rules}")
    results = run0["results"]
    expect(len(results) == total, f"one sarif result per diagnostic ({len(results)} vs {total})")
    broken = [x for x in results if x["ruleId"] == "AF201"]
    expect(broken and broken[0]["level"] == "error" and
           broken[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "versions/zz_broken.py" and
           broken[0]["locations"][0]["physicalLocation"]["region"]["startLine"] > 0, "sarif syntax error result")
    expect(run0["invocations"][0]["exitCode"] == 2, "sarif invocation exit code")

    # --statistics: a count per code instead of each diagnostic.
    st = run(["--check", "--statistics", "versions"], tmp).stderr.decode()
    expect(re.search(r"^\s+\d+  AF001  wrong-target-drop \(fix\)$", st, re.M) is not None, f"statistics table: {st}")
    expect(": AF001 " not in st, "no per-diagnostic lines under --statistics")

    # Colour on a terminal, plain when piped or when NO_COLOR is set.
    def stderr_on_tty(extra_env):
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("MIGRATION_TARGET", "NO_COLOR")}
        env.update(extra_env)
        p = subprocess.Popen([binary, "--check", "versions"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                             stderr=slave)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        p.wait()
        os.close(master)
        return out

    expect(b"\x1b[" in stderr_on_tty({}), "colour on a terminal")
    expect(b"\x1b[" not in stderr_on_tty({"NO_COLOR": "1"}), "NO_COLOR turns colour off")
    expect(b"\x1b[" not in run(["--check", "versions"], tmp).stderr, "no colour when piped")

finish()

#!/usr/bin/python3
"""The CI outputs, as a bot or a code-scanning upload reads them: json (stable schema), github
workflow commands, SARIF 2.1.0, --statistics, colour only on a terminal, and the same report at
any --jobs; then `maps --check --format ...` on the fixtures/maps/ cases, each format telling
the same diagnostics as the text the fixture pins. Run by ctest: output_formats_test.py BINARY
FIXTURES_DIR."""
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

# stdout holds one report or one file, never both: a format that prints on stdout is refused with
# --diff and with - (which writes the fixed file there), before anything is read; - with --check
# writes nothing there, so its report stays one parseable document.
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(fixtures, "annotation_decides", "input.py"), "rb") as f:
        source = f.read()
    for fmt in ("json", "github", "sarif"):
        for args, clash in ((["--diff", "."], b"where --diff prints the diff"),
                            (["-"], b"where - writes the fixed file")):
            r = subprocess.run([binary, "--format", fmt, *args], cwd=tmp, input=source, capture_output=True,
                               timeout=60)
            expect(r.returncode == 2 and r.stdout == b"" and
                   r.stderr.startswith(f"alembic-fix: error: --format {fmt} prints its report on stdout, ".encode())
                   and clash in r.stderr, f"--format {fmt} {args} is a usage error: {r.returncode} {r.stderr!r}")
    r = subprocess.run([binary, "--format", "json", "--check", "-"], cwd=tmp, input=source, capture_output=True,
                       timeout=60)
    doc = json.loads(r.stdout)
    expect(r.returncode == 1 and doc["files"][0]["path"] == "-" and doc["files"][0]["status"] == "would-fix",
           f"- --check --format json: one document: {r.returncode} {doc}")

# --diff applies as diff -u's output does: a tab ends each name in the headers, so `patch -p0` and
# `git apply -p0` read a path with spaces whole. Each tool applies the printed diff to a copy.
with tempfile.TemporaryDirectory() as tmp:
    case = os.path.join(fixtures, "annotation_decides")
    folder = os.path.join(tmp, "my versions")
    os.makedirs(folder)
    shutil.copy(os.path.join(case, "input.py"), os.path.join(folder, "a b.py"))
    d = run(["--diff", "my versions"], tmp)
    expect(d.returncode == 1, f"--diff exits 1: {d.returncode} {d.stderr!r}")
    expect(d.stdout.startswith(b"--- my versions/a b.py\t\n+++ my versions/a b.py\t\n@@ "),
           f"diff headers end the name with a tab: {d.stdout[:80]!r}")
    with open(os.path.join(case, "expected.py"), "rb") as f:
        fixed = f.read()
    for tool in (["patch", "-p0", "--batch", "--silent"], ["git", "apply", "-p0"]):
        copy = os.path.join(tmp, tool[0])
        shutil.copytree(folder, os.path.join(copy, "my versions"))
        applied = subprocess.run(tool, cwd=copy, input=d.stdout, capture_output=True, timeout=60)
        expect(applied.returncode == 0, f"{tool[0]} applies the diff: {applied.stdout!r} {applied.stderr!r}")
        with open(os.path.join(copy, "my versions", "a b.py"), "rb") as f:
            expect(f.read() == fixed, f"{tool[0]}: the patched file is the fixed file")

# `maps --check --format ...`: the same findings as the text each fixtures/maps/ case pins, in
# each format, and the same exit status.
TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>AF\d{3}) (?P<message>.*)$")
GITHUB_LINE = re.compile(r"^::(?P<level>error|warning|notice) file=(?P<path>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                         r"title=(?P<code>AF\d{3}) [a-z-]+::(?P<message>.*)$")
maps_cases = {  # case -> the map --check compares with (bad_syntax fails before reading one)
    "drift_moved": "map.toml", "drift_not_in_map": "map.toml", "drift_no_model": "map.toml",
    "in_sync": "map.toml", "bad_syntax": "absent.toml",
}


def findings(pattern, text):
    """(path, line, col, code, message) of each diagnostic line, and the other lines."""
    found, rest = [], []
    for line in text.splitlines():
        m = pattern.match(line)
        if m:
            found.append((m["path"], int(m["line"]), int(m["col"]), m["code"], m["message"]))
        else:
            rest.append(line)
    return found, rest


for case, map_file in maps_cases.items():
    folder = os.path.join(fixtures, "maps", case)
    with open(os.path.join(folder, "args")) as f:
        models = [w for w in f.read().split() if w.startswith("plant=") or w.startswith("hq=") or w == "--models"]
    check_args = ["maps", "--check", *models, "--maps", map_file]
    text = run([*check_args, "--format", "text"], folder)
    want_exit = text.returncode
    if os.path.exists(os.path.join(folder, "exit")) and case != "bad_syntax":
        with open(os.path.join(folder, "exit")) as f:
            expect(want_exit == int(f.read()), f"maps {case}: --format text exits as the fixture says")
    if case != "bad_syntax":
        with open(os.path.join(folder, "stderr"), "rb") as f:
            expect(text.stderr == f.read(), f"maps {case}: --format text prints what the fixture pins")
    expect(text.stdout == b"", f"maps {case}: --format text leaves stdout empty")
    want, summary = findings(TEXT_LINE, text.stderr.decode())
    expect(len(summary) == 1 and summary[0].startswith("alembic-fix: "), f"maps {case}: one summary line {summary}")

    g = run([*check_args, "--format", "github"], folder)
    got, other = findings(GITHUB_LINE, g.stdout.decode())
    expect(other == [], f"maps {case}: every github line is a workflow command: {other}")
    expect(got == want, f"maps {case}: github annotations {got} vs text {want}")
    expect(g.returncode == want_exit and g.stderr.decode().splitlines() == summary,
           f"maps {case}: github exit {g.returncode} (want {want_exit}) and summary on stderr")
    if case.startswith("drift"):
        expect(all(l.startswith("::warning ") for l in g.stdout.decode().splitlines()), f"maps {case}: drift is ::warning")
    if case == "bad_syntax":
        expect(g.stdout.decode().startswith("::error file=models.py,line=9,col=5,"), f"maps {case}: ::error {g.stdout!r}")

    j = run([*check_args, "--format", "json"], folder)
    doc = json.loads(j.stdout)
    got = [(f["path"], d["line"], d["column"], d["code"], d["message"]) for f in doc["files"] for d in f["diagnostics"]]
    expect(got == want, f"maps {case}: json diagnostics {got} vs text {want}")
    expect(all(set(f) == {"path", "diagnostics"} for f in doc["files"]), f"maps {case}: json file keys")
    expect(len({f["path"] for f in doc["files"]}) == len(doc["files"]), f"maps {case}: one json entry per path")
    drifts = sum(1 for w in want if w[3] in ("AF301", "AF302", "AF303"))
    expect(doc["summary"] == {"problems": len(want) - drifts, "drifts": drifts}, f"maps {case}: summary {doc['summary']}")
    expect(sum(doc["statistics"].values()) == len(want), f"maps {case}: statistics count every diagnostic")
    expect(doc["exit_code"] == j.returncode == want_exit, f"maps {case}: json exit_code {doc['exit_code']}")

    s = run([*check_args, "--format", "sarif"], folder)
    run0 = json.loads(s.stdout)["runs"][0]
    rules = [rule["id"] for rule in run0["tool"]["driver"]["rules"]]
    expect(rules == [f"AF30{i}" for i in range(1, 8)], f"maps {case}: sarif rules are the maps codes: {rules}")
    got = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["ruleId"], r["message"]["text"])
           for r in run0["results"]]
    expect(got == want, f"maps {case}: sarif results {got} vs text {want}")
    expect(run0["invocations"][0]["exitCode"] == s.returncode == want_exit, f"maps {case}: sarif exit code")
    expect(run0["invocations"][0]["executionSuccessful"] == (want_exit != 2), f"maps {case}: sarif success")

# A map written to stdout leaves no room there for a report: --format json needs -o.
style = os.path.join(fixtures, "maps", "style_table")
r = run(["maps", "--models", "plant=models.py", "--format", "json"], style)
expect(r.returncode == 2 and r.stdout == b"" and b"-o FILE" in r.stderr, f"maps --format json without -o: {r.stderr!r}")
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "map.toml")
    r = run(["maps", "--models", "plant=models.py", "--format", "json", "-o", out], style)
    doc = json.loads(r.stdout)
    with open(os.path.join(style, "stdout"), "rb") as f, open(out, "rb") as written:
        expect(written.read() == f.read(), "maps -o with --format json writes the map the fixture pins")
    expect(r.returncode == 0 and doc["files"] == [] and doc["exit_code"] == 0, f"maps -o --format json: {doc}")
r = run(["maps", "--check", "--models", "plant=models.py", "--maps", "m.toml", "--format", "xml"], style)
expect(r.returncode == 2 and b'--format takes text, json, github or sarif, not "xml"' in r.stderr, "maps --format xml")

finish()

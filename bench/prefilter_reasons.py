#!/usr/bin/python3
"""Why the prefilter sends files to the parser: a debug count for the benchmark, not a checker.

    bench/prefilter_reasons.py --maps MAP [--target T] [--examples N] [--check-with ALEMBIC_FIX] FOLDER...

Re-reads each migration the way compiler/prefilter.cpp does (its checks, in its order) and counts
the first check that fails, plus every check that would fail (a file can fail several). The
compiler is not changed for this; the count of files this script calls clean is compared with the
files `alembic-fix --check -v` reports "not parsed" (--check-with), so a drift between the two is
seen rather than trusted. Drops are split further: a table no map lists (AF102), a table that is
no literal (AF103), a batch block on a name other than op, *args.
"""
from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

DROPS = {"drop_table": (0, "table_name"), "drop_index": (1, "table_name"), "drop_constraint": (1, "table_name"),
         "drop_column": (0, "table_name"), "drop_table_comment": (0, "table_name"),
         "batch_alter_table": (0, "table_name")}
NAME = re.compile(r"[A-Za-z_\u0080-\U0010ffff][\w\u0080-\U0010ffff]*")


class Maps:
    def __init__(self, path: Path):
        with path.open("rb") as f:
            self.targets = {name: spec["tables"] for name, spec in tomllib.load(f)["targets"].items()}

    def owners(self, table: str) -> set[str]:
        return {t for t, pats in self.targets.items() if any("." not in p and fnmatch.fnmatchcase(table, p) for p in pats)}


def tokenize(s: str) -> list[tuple[str, str, str, str, bool]] | None:
    """(kind, text, content, prefix, line_start) tokens as prefilter.cpp's tokenize, or None.
    One function, as long as the C++ one, so that the two read side by side."""
    out: list[tuple[str, str, str, str, bool]] = []
    i, line_begin, depth, continued = 0, 0, 0, False
    while i < len(s):
        c = s[i]
        if c == "\n":
            line_begin = i = i + 1
            continue
        if c == "\\":
            if s[i + 1:i + 2] == "\n" or s[i + 1:i + 3] == "\r\n":
                continued = True
            i += 1
            continue
        if c in " \t\r\f":
            i += 1
            continue
        if c == "#":
            while i < len(s) and s[i] != "\n":
                i += 1
            continue
        after_complete = not out or out[-1][0] != "punct" or out[-1][1] in ")]}" or out[-1][1].isalnum()
        at_start = i == line_begin and depth == 0 and not continued and after_complete
        continued = False
        m = NAME.match(s, i)
        prefix_end = i
        if m:
            name = m.group()
            prefix_end = m.end()
            if not (len(name) <= 2 and s[prefix_end:prefix_end + 1] in ("'", '"') and not name.strip("rRbBuUfF")):
                out.append(("name", name, "", "", at_start))
                i = prefix_end
                continue
        if prefix_end < len(s) and s[prefix_end] in "'\"":
            quote = s[prefix_end]
            triple = s[prefix_end:prefix_end + 3] == quote * 3
            opener = quote * (3 if triple else 1)
            j = prefix_end + len(opener)
            while True:
                if j >= len(s):
                    return None
                if s[j] == "\\":
                    j += 2
                    continue
                if s[j] == "\n":
                    if not triple:
                        return None
                    line_begin = j + 1
                if s.startswith(opener, j):
                    break
                j += 1
            out.append(("string", s[i:j + len(opener)], s[prefix_end + len(opener):j], s[i:prefix_end], at_start))
            i = j + len(opener)
            continue
        if c in "([{":
            depth += 1
        if c in ")]}" and depth > 0:
            depth -= 1
        out.append(("punct", c, "", "", at_start))
        i += 1
    return out


def plain(t) -> bool:
    return t[0] == "string" and t[3] in ("", "u", "U")


def drop_reason(tokens, at: int, position: int, keyword: str, maps: Maps, target: str) -> str | None:
    """None when the drop names one of target's tables by a plain literal, else why not."""
    args, start, depth, i = [], at + 2, 0, at + 2
    while i < len(tokens):
        t = tokens[i][1] if tokens[i][0] == "punct" else ""
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}") and depth > 0:
            depth -= 1
        elif t == "*" and depth == 0:
            return "drop: *args"
        elif t in (",", ")") and depth == 0:
            if i > start:
                args.append(tokens[start:i])
            start = i + 1
            if t == ")":
                break
        i += 1
    if i >= len(tokens):
        return "drop: unclosed call"

    def literal(arg):
        if len(arg) == 1 and plain(arg[0]):
            return arg[0][2]
        if len(arg) == 6 and [a[1] for a in arg[:4]] == ["op", ".", "f", "("] and plain(arg[4]) and arg[5][1] == ")":
            return arg[4][2]
        return None

    table, positional = None, 0
    for arg in args:
        if len(arg) >= 2 and arg[0][0] == "name" and arg[1][1] == "=" and (len(arg) < 3 or arg[2][1] != "="):
            value = arg[2:]
            if arg[0][1] == "schema" and not (len(value) == 1 and value[0][1] == "None"):
                return "drop: schema="
            if arg[0][1] == keyword:
                table = literal(value)
                if table is None:
                    return "drop: table not a literal (AF103)"
            continue
        if positional == position:
            if table is not None:
                return "drop: table twice"
            table = literal(arg)
            if table is None:
                return "drop: table not a literal (AF103)"
        positional += 1
    if table is None:
        return "drop: no table argument (AF103)"
    owners = maps.owners(table)
    if not owners:
        return "drop: table in no map (AF102)"
    return None if target in owners else "drop: another target's table"


# What-if groups, in the order of the proposal in bench/results.md: the checks a change to the
# prefilter would lift, cumulatively (the file then passes when all its reasons are lifted).
WHAT_IF = [
    ("annotation inserted by the scan (first run)", {"no annotation"}),
    ("utf-8 coding cookie accepted", {"coding cookie: utf-8"}),
    ("schema= ignored when no map pattern has a schema", {"schema= other than None", "drop: schema="}),
    ("escapes, concatenation, f-strings outside op calls' arguments",
     {"string with a backslash escape", "implicitly concatenated strings", "f-string with a field"}),
    ("AF102/AF103 stated by the scan", {"drop: table in no map (AF102)", "drop: table not a literal (AF103)",
                                        "drop: no table argument (AF103)"}),
]


def op_call_openers(tokens) -> list[bool]:
    """For each token: is it inside the arguments of an op.<method>(...) call other than
    op.execute (whose SQL text names no table alembic-fix reads)?"""
    inside, stack = [], []
    for i, t in enumerate(tokens):
        if t[0] == "punct" and t[1] in "([{":
            opens_op = (t[1] == "(" and i >= 3 and tokens[i - 2][1] == "." and tokens[i - 3][1] == "op"
                        and tokens[i - 1][1] != "execute")
            stack.append(opens_op or (bool(stack) and stack[-1]))
        elif t[0] == "punct" and t[1] in ")]}" and stack:
            stack.pop()
        inside.append(bool(stack) and stack[-1])
    return inside


def reasons(text: str, maps: Maps, folder_target: str | None) -> list[str]:
    """Every check the file fails, in prefilter.cpp's order (the first is what stops it). Where the
    prefilter stops early (no annotation, a cookie) this goes on, for the what-if counts. Kept in
    one piece, like proven_clean(), so that a check added there has one place to go here."""
    found: list[str] = []
    annotations = text.count("MIGRATION_TARGET")
    if annotations > 1:
        return ["several MIGRATION_TARGET"]
    if annotations == 0:
        found.append("no annotation")
    if "\0" in text:
        return found + ["not text"]
    head = "\n".join(text.split("\n")[:2])
    if "coding" in head:
        found.append("coding cookie: utf-8" if re.search(r"coding[:=]\s*utf-?8\b", head, re.I) else "coding cookie: other")
    tokens = tokenize(text)
    if tokens is None:
        return found + ["tokenizer gave up"]
    target, migration = None, False
    for i in range(len(tokens) - 2):
        t = tokens[i]
        if t[0] != "name" or not t[4]:
            continue
        if t[1] == "MIGRATION_TARGET" and tokens[i + 1][1] == "=" and plain(tokens[i + 2]):
            target = tokens[i + 2][2]
        if t[1] == "revision" and (tokens[i + 1][1] == ":" or (tokens[i + 1][1] == "=" and tokens[i + 2][1] != "=")):
            migration = True
    if annotations == 0:
        target = folder_target
    if not target or not migration:
        return found + ["no top-level annotation or revision"]
    if target not in maps.targets or (folder_target and folder_target != target):
        return found + ["target disagrees"]
    in_op = op_call_openers(tokens)
    for i, t in enumerate(tokens):
        if t[0] == "string":
            where = " (in op call)" if in_op[i] else ""
            if "\\" in t[2]:
                found.append("string with a backslash escape" + where)
            elif "f" in t[3].lower() and "{" in t[2]:
                found.append("f-string with a field" + where)
            elif i + 1 < len(tokens) and tokens[i + 1][0] == "string":
                found.append("implicitly concatenated strings" + where)
            elif 0 < len(t[2]) <= 128 and t[2] != target and t[2] in maps.targets:
                found.append("a string naming another target")
            elif 0 < len(t[2]) <= 128 and maps.owners(t[2]) and target not in maps.owners(t[2]):
                found.append("a string naming another target's table")
            continue
        if t[0] != "name":
            continue
        if t[1] == "schema" and i + 2 < len(tokens) and tokens[i + 1][1] == "=" and tokens[i + 2][1] != "None":
            found.append("schema= other than None")
        if t[1] == "def" and i + 1 < len(tokens) and tokens[i + 1][1].startswith(("upgrade_", "downgrade_")):
            found.append("multidb function")
        if i + 1 >= len(tokens) or tokens[i + 1][1] != "(" or t[1] not in DROPS:
            continue
        on_op = i >= 2 and tokens[i - 1][1] == "." and tokens[i - 2][1] == "op"
        if not on_op:
            if t[1] == "batch_alter_table":
                found.append("batch_alter_table not on op")
            continue
        why = drop_reason(tokens, i, *DROPS[t[1]], maps, target)
        if why:
            found.append(why)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--maps", type=Path, required=True)
    parser.add_argument("--examples", type=int, default=0, help="print N files per first reason")
    parser.add_argument("--check-with", help="alembic-fix binary: compare the clean count with its -v")
    o = parser.parse_args()
    maps = Maps(o.maps)
    first, every, files_with = collections.Counter(), collections.Counter(), collections.defaultdict(list)
    clean = total = total_bytes = 0
    lifted_files = [0] * len(WHAT_IF)
    lifted_bytes = [0] * len(WHAT_IF)
    for folder in o.folders:
        for path in sorted(folder.rglob("*.py")):
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                first["not UTF-8"] += 1
                continue
            if not re.search(r"^revision\b", text, re.M):
                continue
            total += 1
            total_bytes += len(data)
            folder_target = next((p for p in reversed(path.relative_to(folder).parts[:-1]) if p in maps.targets), None)
            found = reasons(text, maps, folder_target)
            lifted: set[str] = set()
            for k, (_, group) in enumerate(WHAT_IF):
                lifted |= group
                if set(found) <= lifted:
                    lifted_files[k] += 1
                    lifted_bytes[k] += len(data)
            if not found:
                clean += 1
                continue
            first[found[0]] += 1
            for why in set(found):
                every[why] += 1
            files_with[found[0]].append(str(path))
    report = {"migrations": total, "bytes": total_bytes, "proven_clean": clean,
              "first_reason": dict(first.most_common()), "files_failing_each_check": dict(every.most_common()),
              "what_if_cumulative": [{"lift": name, "proven_clean": n, "parsed_bytes": total_bytes - b}
                                     for (name, _), n, b in zip(WHAT_IF, lifted_files, lifted_bytes)]}
    if o.check_with:
        run = subprocess.run([o.check_with, "--check", "-v", "--maps", str(o.maps), *map(str, o.folders)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        report["alembic_fix_not_parsed"] = run.stderr.count("not parsed")
    print(json.dumps(report, indent=1))
    for why, paths in files_with.items():
        for path in paths[:o.examples]:
            print(f"{why}: {path}")
    if o.check_with and report["alembic_fix_not_parsed"] != clean:
        print("prefilter_reasons: this script and alembic-fix disagree on the clean count", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

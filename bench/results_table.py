#!/usr/bin/python3
"""Turns bench/run.sh's measurements into the markdown of bench/results.md (and the README).

Reads hyperfine's --export-json files of scenarios (a), (b) and (c), the peak RSS lines
(`<scenario> <tool> <KiB>`) and the generator's summaries; writes the tables and which of
issue 4's targets the measured binary meets.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

SCENARIOS = {
    "a": "(a) `--check`, clean annotated folder",
    "b": "(b) first run: annotate and clean every file",
}
TOOL_NAMES = {"alembic-fix": "alembic-fix", "ast-grep": "ast-grep scan", "parse_only": "parse_only (floor)"}


def medians(path: Path) -> dict[str, float]:
    """{command name: median seconds} of one hyperfine export."""
    return {r["command"]: statistics.median(r["times"]) for r in json.loads(path.read_text())["results"]}


def cpu_times(path: Path) -> dict[str, float]:
    """{command name: mean user+system seconds}: steadier than wall time on a shared machine."""
    return {r["command"]: r["user"] + r["system"] for r in json.loads(path.read_text())["results"]}


def runs(path: Path) -> int:
    return min(len(r["times"]) for r in json.loads(path.read_text())["results"])


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def write_section(path: Path, name: str, text: str) -> None:
    """Replaces the text between `<!-- name -->` and `<!-- /name -->` in path (appends it if
    absent), so each corpus's run rewrites its own table and leaves the rest of the file alone."""
    begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->\n"
    old = path.read_text() if path.exists() else ""
    block = begin + text + end
    if begin in old and end in old:
        new = old[:old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        new = old + ("\n" if old and not old.endswith("\n\n") else "") + block
    path.write_text(new)


def publish(path: Path, section: str, lines: list[str], issue: str,
            targets: list[tuple[str, str, bool]]) -> None:
    """Appends the targets table (what, measured, met) to lines, writes them as the section
    `section` of path, and prints them."""
    lines += ["", f"| target ({issue}) | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {what} | {value} | {'yes' if met else 'no'} |" for what, value, met in targets]
    text = "\n".join(lines) + "\n"
    write_section(path, section.lower(), f"## {section}\n\n" + text)
    print(text, end="")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for scenario in ("a", "b", "c"):
        parser.add_argument(f"--{scenario}", type=Path, required=True, help=f"hyperfine JSON of ({scenario})")
    parser.add_argument("--rss", type=Path, required=True)
    parser.add_argument("--clean-summary", type=Path, required=True)
    parser.add_argument("--first-summary", type=Path, required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--versions", required=True)
    parser.add_argument("--per-file-targets", choices=("yes", "no"), required=True)
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--out", type=Path, required=True)
    o = parser.parse_args()

    clean = json.loads(o.clean_summary.read_text())
    first = json.loads(o.first_summary.read_text())
    timed = {"a": medians(o.a), "b": medians(o.b)}
    cpu = {"a": cpu_times(o.a), "b": cpu_times(o.b), "c": cpu_times(o.c)}
    one_file = medians(o.c)["alembic-fix"]
    rss: dict[tuple[str, str], int] = {}
    for line in o.rss.read_text().split("\n"):
        if line.strip():
            scenario, tool, kib = line.split()
            rss[(scenario, tool)] = int(kib)

    lines = [
        f"Machine: {o.machine}; every tool with `-j {o.jobs}`. {o.versions}.",
        "",
        f"Folders: {clean['files']:,} migrations split into `plant/` and `hq/` (`bench/generate.py`, seed "
        f"{clean['seed']}): (a) clean and annotated, {clean['bytes'] / 1e6:.1f} MB; (b) none annotated, "
        f"{first['polluted']:,} files with {first['planted_drops']:,} wrong-target drops, "
        f"{first['bytes'] / 1e6:.1f} MB. Whole-process medians of hyperfine runs after one warm-up "
        f"((a) {runs(o.a)} runs, (b) {runs(o.b)} on a fresh copy each, (c) {runs(o.c)}). "
        "Ratio: ast-grep's median over the tool's (above 1: faster than ast-grep). CPU: mean user+system "
        "time of all threads, less sensitive than wall time to other load on the machine.",
        "",
        "| scenario | tool | median | ratio vs ast-grep | CPU |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, title in SCENARIOS.items():
        peer = timed[key]["ast-grep"]
        for i, (tool, median) in enumerate(timed[key].items()):
            lines.append(f"| {title if i == 0 else ''} | {TOOL_NAMES.get(tool, tool)} | {seconds(median)} | "
                         f"{peer / median:.2f}x | {seconds(cpu[key][tool])} |")
    lines.append(f"| (c) one file (post-write hook) | alembic-fix | {seconds(one_file)} | | "
                 f"{seconds(cpu['c']['alembic-fix'])} |")
    for key in SCENARIOS:
        for i, tool in enumerate(("alembic-fix", "ast-grep")):
            if (key, tool) in rss:
                title = f"(d) peak RSS in ({key})" if i == 0 else ""
                lines.append(f"| {title} | {TOOL_NAMES[tool]} | {mib(rss[(key, tool)])} | | |")
    if o.per_file_targets == "no":
        lines += ["", "alembic-fix ran once per target folder with `--target` (the measured binary decides no "
                      "target per file yet); both runs are in the times."]

    check_ratio = timed["a"]["ast-grep"] / timed["a"]["alembic-fix"]
    first_ratio = timed["b"]["ast-grep"] / timed["b"]["alembic-fix"]
    peak = max(rss.get(("a", "alembic-fix"), 0), rss.get(("b", "alembic-fix"), 0))
    targets = [
        ("`--check` on the clean folder at least 10x faster than ast-grep", f"{check_ratio:.2f}x", check_ratio >= 10),
        ("first run at least 1.5x faster than ast-grep", f"{first_ratio:.2f}x", first_ratio >= 1.5),
        ("one file under 5 ms", seconds(one_file), one_file < 0.005),
        ("peak memory under 64 MiB", mib(peak), peak < 64 * 1024),
    ]
    publish(o.out, "Generated corpus", lines, "issue 4", targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())

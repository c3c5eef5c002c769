#!/usr/bin/python3
"""Writes the ast-grep project the benchmark scans with: one wrong-target-drop rule per target.

    bench/astgrep/rules_for_map.py OUT [--maps FILE]

OUT/sgconfig.yml and OUT/rules/wrong-target-drop-<target>.yml, each filled in from
wrong-target-drop.yml.in with the target's table lists from the map (default
target_maps/assetiq.toml), so that ast-grep looks for the tables alembic-fix looks for.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MAP = HERE.parents[1] / "target_maps" / "assetiq.toml"


def glob_regex(pattern: str) -> str:
    """A map glob (`hq_*`) as a regex over the text between the quotes of a string literal."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append("[^'\"]*")
        elif ch == "?":
            parts.append("[^'\"]")
        elif ch in r"\.+()|[]{}^$":
            parts.append("\\" + ch)  # escaped the way both Python's and Rust's regex accept
        else:
            parts.append(ch)
    return "".join(parts)


def alternation(patterns: list[str]) -> str:
    # Written into a double-quoted YAML string: its backslashes and quotes are escaped once more.
    regex = "|".join(glob_regex(p) for p in sorted(set(patterns))) or r"\b\B"  # never matches
    return regex.replace("\\", "\\\\").replace('"', '\\"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for sgconfig.yml and rules/")
    parser.add_argument("--maps", type=Path, default=DEFAULT_MAP, help="target map (default: %(default)s)")
    options = parser.parse_args()

    with options.maps.open("rb") as f:
        targets = {name: spec["tables"] for name, spec in tomllib.load(f)["targets"].items()}
    template = (HERE / "wrong-target-drop.yml.in").read_text()
    rules = options.out / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    for target, own in targets.items():
        # Schema-qualified patterns ("reporting.*") need the op's schema= argument: not expressible
        # on the table string alone, so they are left out, and said so.
        for pattern in own:
            if "." in pattern:
                print(f"rules_for_map: {target}: {pattern!r} is schema-qualified; ast-grep rules skip it",
                      file=sys.stderr)
        others = [p for name, tables in targets.items() if name != target for p in tables if "." not in p]
        text = (template.replace("@TARGET@", target)
                .replace("@OTHER_TABLES@", alternation(others))
                .replace("@OWN_TABLES@", alternation([p for p in own if "." not in p])))
        (rules / f"wrong-target-drop-{target}.yml").write_text(text)
    (options.out / "sgconfig.yml").write_text("ruleDirs: [rules]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

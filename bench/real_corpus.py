#!/usr/bin/python3
"""Builds the real-repository corpus of the benchmark from local git snapshots of public projects.

    bench/real_corpus.py lock [--mirrors DIR] REPO...     record REPOs' migrations in the lock
    bench/real_corpus.py extract OUT [--mirrors DIR] [--files N]

`lock` reads each REPO (owner/name) from its snapshot's HEAD, picks its Alembic migrations (a .py
file with a module-level `revision` and `def upgrade`) and writes bench/real_corpus.lock: one line
per repository (its commit) and one per migration (path and blob id). Only names and ids are
committed, never the projects' files.

`extract` reads exactly the locked blobs from the snapshots and writes, under OUT (ignored by git):
  src/<owner>+<name>/<path>            each migration once, as the project has it
  first/<NN>/plant/<owner>+<name>/...  the sources copied until the corpus holds N files (15,000)
  map.toml                              target `plant`: the tables the projects' migrations create
                                        (and rename to); target `hq`: AssetIQ's hq tables
  large/longest/plant/big_longest.py    the longest real upgrade() repeated to about 6.6 MB
  large/drops/plant/big_drops.py        the real upgrade() with the most drops, likewise
  summary.json                          counts and bytes, read by bench/run.sh
Every file sits below a folder named `plant`, so alembic-fix takes the target from the folder and
ast-grep's rules (bench/astgrep/) select the same files.

The snapshots are git directories, by default /work/.mirror/<owner>+<name>/repo (where the
session's fetch tool puts them); any clone that holds the locked commit will do (--mirrors DIR
with DIR/<owner>+<name>/repo or DIR/<owner>+<name>). Without them `extract` says which are missing
and exits 3: the corpus is a benchmark input only, and no ctest test needs it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE / "real_corpus.lock"
ASSETIQ_MAP = HERE.parent / "target_maps" / "assetiq.toml"
DEFAULT_MIRRORS = Path(os.environ.get("REAL_CORPUS_MIRRORS", "/work/.mirror"))
LARGE_BYTES = 6_600_000  # the size of the large migration in issue 14

# What alembic-fix takes for a migration, in bytes: a module-level revision and an upgrade().
REVISION = re.compile(rb"^revision\s*(:\s*[\w\[\], |]+)?\s*=", re.M)
UPGRADE = re.compile(rb"^def upgrade\b", re.M)
# Tables a migration brings into being: op.create_table('t' / table_name='t'), rename_table(_, 't').
CREATED = re.compile(rb"""\bcreate_table\(\s*(?:table_name\s*=\s*)?[rbu]?['"]([A-Za-z_][\w$]*)['"]""")
RENAMED = re.compile(rb"""\brename_table\(\s*[rbu]?['"][^'"]+['"]\s*,\s*(?:new_table_name\s*=\s*)?"""
                     rb"""[rbu]?['"]([A-Za-z_][\w$]*)['"]""")


def fail(message: str, status: int = 2) -> None:
    print(f"real_corpus: {message}", file=sys.stderr)
    sys.exit(status)


def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The snapshot of owner/name below mirrors, if there is one."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base, base / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def git(gd: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", f"--git-dir={gd}", *args], input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def read_blobs(gd: Path, blobs: list[str]) -> list[bytes]:
    """The contents of blobs, in order, through one `git cat-file --batch`."""
    out = git(gd, "cat-file", "--batch", data="".join(b + "\n" for b in blobs).encode())
    contents, pos = [], 0
    for blob in blobs:
        header_end = out.index(b"\n", pos)
        oid, kind, size = out[pos:header_end].split()
        if oid.decode() != blob or kind != b"blob":
            fail(f"{blob}: git cat-file answered {out[pos:header_end]!r}")
        start = header_end + 1
        contents.append(out[start:start + int(size)])
        pos = start + int(size) + 1
    return contents


def lock(options: argparse.Namespace) -> int:
    lines = ["# bench/real_corpus.py lock: the public projects' migrations the real-repository corpus is made",
             "# of. `repo OWNER/NAME COMMIT` then `file BLOB PATH` per migration. Regenerate, do not edit."]
    for repo in options.repos:
        gd = git_dir(options.mirrors, repo)
        if gd is None:
            fail(f"no snapshot of {repo} below {options.mirrors}")
        commit = git(gd, "rev-parse", "HEAD^{commit}").decode().strip()
        entries = []
        for line in git(gd, "ls-tree", "-r", "-z", commit).split(b"\0"):
            if not line.endswith(b".py") or b"\t" not in line:
                continue
            meta, path = line.split(b"\t", 1)
            mode, _, blob = meta.split()
            if mode == b"100644" and not any(p.startswith(b".") for p in path.split(b"/")):
                entries.append((blob.decode(), path.decode()))
        contents = read_blobs(gd, [blob for blob, _ in entries])
        picked = [(blob, path) for (blob, path), text in zip(entries, contents)
                  if REVISION.search(text) and UPGRADE.search(text)]
        print(f"{repo} {commit[:12]}: {len(picked)} migrations", file=sys.stderr)
        lines.append(f"repo {repo} {commit}")
        lines += [f"file {blob} {path}" for blob, path in sorted(picked, key=lambda e: e[1])]
    options.lock.write_text("\n".join(lines) + "\n")
    return 0


def read_lock(path: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """{repo: (commit, [(blob, path)])} from the lock file."""
    repos: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    current = None
    for line in path.read_text().splitlines():
        if line.startswith("repo "):
            _, current, commit = line.split(" ", 2)
            repos[current] = (commit, [])
        elif line.startswith("file ") and current:
            _, blob, path = line.split(" ", 2)
            repos[current][1].append((blob, path))
    return repos


def missing_help(missing: list[tuple[str, str]], mirrors: Path) -> str:
    names = "\n".join(f"  {repo} at {commit}" for repo, commit in missing)
    return (f"the corpus needs git snapshots that are not below {mirrors}:\n{names}\n"
            "Bring each one (in a session: the fetch tool with github:OWNER/NAME; elsewhere:\n"
            "  git clone --bare https://github.com/OWNER/NAME DIR/OWNER+NAME/repo), then run again,\n"
            "with --mirrors DIR (or REAL_CORPUS_MIRRORS=DIR) if DIR is not the default. A newer\n"
            "snapshot without the locked commit needs `real_corpus.py lock` (a new corpus: say so in\n"
            "bench/results.md). The generated-corpus half of bench/run.sh does not need any of this.")


def repeated_upgrade(text: bytes, size: int) -> bytes:
    """text with the body of its upgrade() repeated until the file holds about size bytes."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"def upgrade"))
    # The def may span lines: the body starts after the line that ends with ':'.
    while not lines[start].rstrip().endswith(b":"):
        start += 1
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (b" ", b"\t")):
        end += 1
    body = b"".join(lines[start + 1:end])
    if not body.endswith(b"\n"):
        body += b"\n"
    extra = max(1, (size - len(text)) // len(body))  # copies beyond the first: just under size
    return b"".join(lines[:start + 1]) + body * (1 + extra) + b"".join(lines[end:])


def upgrade_body(text: bytes) -> bytes:
    """The upgrade() function, up to the next line at column 0: long data migrations have the longest."""
    match = UPGRADE.search(text)
    if not match:
        return b""
    nxt = re.compile(rb"^\S", re.M).search(text, text.index(b"\n", match.start()) + 1)
    return text[match.start():nxt.start() if nxt else len(text)]


def upgrade_length(text: bytes) -> int:
    return len(upgrade_body(text))


def snapshots(repos: dict, mirrors: Path) -> dict[str, Path]:
    """{repo: git dir} holding each locked commit; exit 3 with what to do when any is missing."""
    found, missing = {}, []
    for repo, (commit, _) in repos.items():
        gd = git_dir(mirrors, repo)
        ok = gd is not None and subprocess.run(["git", f"--git-dir={gd}", "cat-file", "-e", f"{commit}^{{commit}}"],
                                               stderr=subprocess.DEVNULL).returncode == 0
        if ok:
            found[repo] = gd
        else:
            missing.append((repo, commit))
    if missing:
        fail(missing_help(missing, mirrors), status=3)
    return found


def write_map(out: Path, tables: set[str]) -> int:
    """map.toml: plant = tables, hq = AssetIQ's hq tables. Returns how many hq tables."""
    with ASSETIQ_MAP.open("rb") as f:
        hq = tomllib.load(f)["targets"]["hq"]["tables"]
    quoted = lambda names: "".join(f'  "{n}",\n' for n in sorted(names))
    (out / "map.toml").write_text(
        "# bench/real_corpus.py: plant = the tables the corpus's migrations create or rename to;\n"
        "# hq = AssetIQ's hq tables (target_maps/assetiq.toml), the ones the ast-grep rules look for.\n"
        f"[targets.plant]\ntables = [\n{quoted(tables)}]\n\n[targets.hq]\ntables = [\n{quoted(hq)}]\n")
    return len(hq)


def write_large(out: Path, sources: list[tuple[str, bytes]], size: int) -> dict:
    """Two large migrations, each alone in its folder (parse_only takes folders): the longest real
    upgrade(), where a fix only adds the annotation, and the real upgrade() with the most drops,
    which `--unknown remove` edits from top to bottom (the re-parse then shares little)."""
    large = {}
    picks = {"longest": max(sources, key=lambda s: upgrade_length(s[1])),
             "drops": max(sources, key=lambda s: upgrade_body(s[1]).count(b"op.drop_"))}
    for kind, (rel, text) in picks.items():
        folder = out / "large" / kind / "plant"
        folder.mkdir(parents=True)
        repeated = repeated_upgrade(text, size)
        (folder / f"big_{kind}.py").write_bytes(repeated)
        large[kind] = {"from": rel, "upgrade_bytes": len(upgrade_body(text)), "bytes": len(repeated),
                       "drops": upgrade_body(repeated).count(b"op.drop_")}
    return large


def extract(options: argparse.Namespace) -> int:
    repos = read_lock(options.lock)
    found = snapshots(repos, options.mirrors)
    out: Path = options.out
    if out.exists():
        shutil.rmtree(out)
    sources: list[tuple[str, bytes]] = []  # (relative path below a copy's plant/, bytes)
    tables: set[str] = set()
    per_repo = {}
    for repo, (commit, files) in repos.items():
        contents = read_blobs(found[repo], [blob for blob, _ in files])
        name = repo.replace("/", "+")
        for (_, path), text in zip(files, contents):
            rel = f"{name}/{path}"
            dest = out / "src" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(text)
            sources.append((rel, text))
            tables.update(t.decode() for t in CREATED.findall(text) + RENAMED.findall(text))
        per_repo[repo] = {"commit": commit, "files": len(files), "bytes": sum(len(t) for t in contents)}
    hq_tables = write_map(out, tables)

    # Copies in numbered folders until the corpus holds options.files files; the last copy may be
    # partial (the first files of the sorted list).
    total_bytes = 0
    for i in range(options.files):
        rel, text = sources[i % len(sources)]
        dest = out / "first" / f"{i // len(sources):02d}" / "plant" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(text)
        total_bytes += len(text)

    biggest_rel, biggest = max(sources, key=lambda s: len(s[1]))
    five_kb = min(sources, key=lambda s: (abs(len(s[1]) - 5000), s[0]))
    summary = {
        "repos": per_repo, "sources": len(sources), "source_bytes": sum(len(t) for _, t in sources),
        "files": options.files, "bytes": total_bytes, "copies": -(-options.files // len(sources)),
        "plant_tables": len(tables), "hq_tables": hq_tables,
        "biggest": {"path": biggest_rel, "bytes": len(biggest)},
        # The post-write hook's file: the real migration nearest 5 KB (first by path on a tie).
        "five_kb": five_kb[0], "five_kb_bytes": len(five_kb[1]),
        "large": write_large(out, sources, options.large_bytes),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "repos"}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mirrors = argparse.ArgumentParser(add_help=False)
    mirrors.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS,
                         help="folder of git snapshots, OWNER+NAME/repo (default: %(default)s)")
    mirrors.add_argument("--lock", type=Path, default=LOCK, help="the lock file (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    lock_parser = commands.add_parser("lock", parents=[mirrors],
                                      help="record the snapshots' migrations in bench/real_corpus.lock")
    lock_parser.add_argument("repos", nargs="+", metavar="OWNER/NAME")
    extract_parser = commands.add_parser("extract", parents=[mirrors], help="write the corpus from the locked snapshots")
    extract_parser.add_argument("out", type=Path)
    extract_parser.add_argument("--files", type=int, default=15000, help="files in the corpus (%(default)s)")
    extract_parser.add_argument("--large-bytes", type=int, default=LARGE_BYTES,
                                help="size of each large migration (%(default)s)")
    options = parser.parse_args()
    return lock(options) if options.command == "lock" else extract(options)


if __name__ == "__main__":
    sys.exit(main())

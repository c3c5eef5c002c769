#!/usr/bin/python3
"""Writes a synthetic Alembic versions folder for the benchmark, the same for the same seed.

    bench/generate.py OUT [--files N] [--polluted-share S] [--annotated-share A] [--clean]
                          [--layout mixed|split] [--seed K] [--manifest FILE]

Every file has the shape Alembic 1.8.1 autogenerate writes (fixtures/autogen_*/input.py): one
revision chain per target, own changes (tables, columns, indexes, foreign keys, alterations), in
plain or render_as_batch layout. A share of the files was generated against a polluted database:
their upgrade() drops tables (indexes, columns, constraints) of the other target and their
downgrade() re-creates them. Table ownership comes from target_maps/assetiq.toml; table columns
from the end-to-end catalog (tests/e2e/catalog.py).

--clean writes what alembic-fix leaves of the same folder: the same files without the planted drops
and their downgrade mirrors, every one annotated. --manifest records where each planted
wrong-target drop is (path, line), which is what alembic-fix must report as AF001.
"""
from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from catalog import TABLES, Col, TableDef  # noqa: E402

DEFAULT_MAP = REPO / "target_maps" / "assetiq.toml"

# Words for the columns the synthetic history adds, alters and drops.
COLUMN_WORDS = (
    "priority", "shift", "operator", "serial", "vendor", "comment", "severity", "ack_by", "closed_at",
    "due_at", "source", "region", "timezone", "external_id", "checksum", "revision_no", "notes",
    "category", "owner_id", "is_active", "archived_at", "score", "label", "duration_s", "retries",
)
COLUMN_TYPES = ("String(32)", "String(64)", "String(120)", "String(255)", "Integer", "DateTime",
                "Boolean", "Text", "Float", "Date")


# ---------------------------------------------------------------------------------------------
# Statements and the blocks Alembic writes them in.

@dataclass
class Stmt:
    """One op call as Alembic renders it, lines relative to the body's indentation."""
    lines: list[str]
    table: str
    foreign: bool = False   # removed by alembic-fix (a planted drop or its downgrade mirror)
    planted: bool = False   # a wrong-target drop: alembic-fix reports it as AF001


@dataclass
class Block:
    """A plain statement, or `with op.batch_alter_table(table) as batch_op:` around statements."""
    stmts: list[Stmt]
    batch_table: str | None = None


@dataclass
class Change:
    """What one model difference adds to upgrade() and, inverted, to downgrade()."""
    up: list[Block]
    down: list[Block]
    kind: str               # "create", "drop", "modify": the section of upgrade() it belongs to
    table: str


def sa_type(type_src: str, reflected: bool) -> str:
    """`String(64)` as autogenerate writes it from the models, or reflected from the database."""
    m = re.fullmatch(r"(\w+)(?:\((\d+)\))?", type_src)
    name, length = m.group(1), m.group(2)
    if reflected:
        name = {"String": "VARCHAR", "DateTime": "DATETIME"}.get(name, name.upper())
    return f"sa.{name}(length={length})" if length else f"sa.{name}()"


def render_column(col: Col, reflected: bool) -> str:
    nullable = col.nullable and not col.primary_key
    return f"sa.Column({col.name!r}, {sa_type(col.type, reflected)}, nullable={nullable})"


def index_defs(table: TableDef) -> list[tuple[str, list[str], bool, bool]]:
    """(name, columns, unique, named by convention) for each index, sorted by name."""
    out = [(f"ix_{table.name}_{c.name}", [c.name], c.unique, True) for c in table.columns if c.index]
    out += [(i.name, list(i.columns), i.unique, False) for i in table.indexes]
    return sorted(out)


def create_table_lines(table: TableDef, reflected: bool) -> list[str]:
    lines = [f"op.create_table({table.name!r},"]
    lines += [f"{render_column(c, reflected)}," for c in table.columns]
    for c in table.columns:
        if c.fk:
            ref_table, ref_col = c.fk.split(".")
            lines.append(f"sa.ForeignKeyConstraint([{c.name!r}], ['{ref_table}.{ref_col}'], ),")
    pk = [c.name for c in table.columns if c.primary_key]
    uniques = [c.name for c in table.columns if c.unique and not c.index]
    lines.append(f"sa.PrimaryKeyConstraint({', '.join(map(repr, pk))})" + ("," if uniques else ""))
    lines += [f"sa.UniqueConstraint({name!r})" + ("," if i < len(uniques) - 1 else "")
              for i, name in enumerate(uniques)]
    lines.append(")")
    return lines


class Renderer:
    """Renders ops for one file: plain `op.` calls, or `batch_op.` calls inside batch blocks."""

    def __init__(self, batch: bool):
        self.batch = batch

    def call(self, table: str, method: str, args: str) -> Stmt:
        """`op.method(args)`, or `batch_op.method(args)` in the batch layout."""
        return Stmt([f"{'batch_op' if self.batch else 'op'}.{method}({args})"], table)

    def blocks(self, stmts: list[Stmt]) -> list[Block]:
        """Batch layout groups consecutive statements on one table into one block."""
        if not self.batch:
            return [Block([s]) for s in stmts]
        out: list[Block] = []
        for s in stmts:
            if out and out[-1].batch_table == s.table:
                out[-1].stmts.append(s)
            else:
                out.append(Block([s], s.table))
        return out

    def op_name(self, name: str, conventional: bool) -> str:
        """Index names SQLAlchemy derives from a convention are wrapped in op.f() by autogenerate."""
        if not conventional:
            return repr(name)
        return f"{'batch_op' if self.batch else 'op'}.f({name!r})"

    # Each op, in its plain and batch spelling.
    def add_column(self, table: str, col: Col, reflected: bool) -> Stmt:
        column = render_column(col, reflected)
        args = column if self.batch else f"{table!r}, {column}"
        return self.call(table, "add_column", args)

    def drop_column(self, table: str, column: str) -> Stmt:
        return self.call(table, "drop_column", repr(column) if self.batch else f"{table!r}, {column!r}")

    def create_index(self, table: str, name: str, cols: list[str], unique: bool, conventional: bool) -> Stmt:
        head = self.op_name(name, conventional)
        args = f"{head}, {cols!r}" if self.batch else f"{head}, {table!r}, {cols!r}"
        return self.call(table, "create_index", f"{args}, unique={unique}")

    def drop_index(self, table: str, name: str, conventional: bool) -> Stmt:
        head = self.op_name(name, conventional)
        return self.call(table, "drop_index", head if self.batch else f"{head}, table_name={table!r}")

    def create_foreign_key(self, table: str, name: str | None, ref: str, col: str) -> Stmt:
        head = f"{name!r}" if name else "None"
        args = f"{head}, {ref!r}" if self.batch else f"{head}, {table!r}, {ref!r}"
        return self.call(table, "create_foreign_key", f"{args}, [{col!r}], ['id']")

    def drop_constraint(self, table: str, name: str | None, kind: str) -> Stmt:
        head = f"{name!r}" if name else "None"
        args = head if self.batch else f"{head}, {table!r}"
        return self.call(table, "drop_constraint", f"{args}, type_={kind!r}")

    def alter_column(self, table: str, column: str, existing: str, nullable: bool) -> Stmt:
        # Alembic indents the keyword lines of alter_column by 11 spaces past the body.
        head = f"{column!r}" if self.batch else f"{table!r}, {column!r}"
        prefix = "batch_op" if self.batch else "op"
        return Stmt([f"{prefix}.alter_column({head},",
                     f"           existing_type={sa_type(existing, reflected=True)},",
                     f"           nullable={nullable})"], table)


def plain(stmt: Stmt) -> Block:
    return Block([stmt])


def created_table(r: Renderer, table: TableDef) -> Change:
    """The models gained a table: create_table and its indexes; downgrade drops them."""
    indexes = index_defs(table)
    up = [plain(Stmt(create_table_lines(table, reflected=False), table.name))]
    up += r.blocks([r.create_index(table.name, n, c, u, conv) for n, c, u, conv in indexes])
    down = r.blocks([r.drop_index(table.name, n, conv) for n, _, _, conv in reversed(indexes)])
    down.append(plain(Stmt([f"op.drop_table({table.name!r})"], table.name)))
    return Change(up, down, "create", table.name)


def dropped_table(r: Renderer, table: TableDef, foreign: bool) -> Change:
    """The database has a table the models lack: its indexes and the table are dropped, and
    downgrade re-creates both from what was reflected. `foreign`: the table is the other
    target's, so every drop is planted and every re-creation is a mirror."""
    indexes = index_defs(table)
    drops = [r.drop_index(table.name, n, conventional=False) for n, _, _, _ in indexes]
    drop_table = Stmt([f"op.drop_table({table.name!r})"], table.name)
    creates = [r.create_index(table.name, n, c, False, conventional=False) for n, c, _, _ in reversed(indexes)]
    create_table = Stmt(create_table_lines(table, reflected=True), table.name)
    for s in [*drops, drop_table]:
        s.foreign = s.planted = foreign
    for s in [*creates, create_table]:
        s.foreign = foreign
    up = r.blocks(drops) + [plain(drop_table)]
    down = [plain(create_table)] + r.blocks(creates)
    return Change(up, down, "drop", table.name)


def modified_table(r: Renderer, table: str, ups: list[Stmt], downs: list[Stmt]) -> Change:
    return Change(r.blocks(ups), r.blocks(list(reversed(downs))), "modify", table)


def extra_column(rng: random.Random, table: TableDef, taken: set[str]) -> Col:
    while True:
        name = rng.choice(COLUMN_WORDS)
        if name not in taken and name not in {c.name for c in table.columns}:
            taken.add(name)
            return Col(name, rng.choice(COLUMN_TYPES))


def foreign_alteration(rng: random.Random, r: Renderer, table: TableDef) -> Change:
    """The database's copy of another target's table has a column, foreign key or index the
    (absent) model lacks: drop_constraint / drop_column / drop_index, all planted."""
    ups: list[Stmt] = []
    downs: list[Stmt] = []
    col = extra_column(rng, table, set())
    if rng.random() < 0.5:
        fk = f"fk_{table.name}_{col.name}"
        ups.append(r.drop_constraint(table.name, fk, "foreignkey"))
        downs.append(r.create_foreign_key(table.name, fk, "hq_plants" if table.name != "hq_plants" else "users",
                                          col.name))
    if rng.random() < 0.4:
        ix = f"ix_{table.name}_{col.name}"
        ups.append(r.drop_index(table.name, ix, conventional=False))
        downs.append(r.create_index(table.name, ix, [col.name], False, conventional=False))
    ups.append(r.drop_column(table.name, col.name))
    downs.append(r.add_column(table.name, Col(col.name, col.type), reflected=True))
    for s in ups:
        s.foreign = s.planted = True
    for s in downs:
        s.foreign = True
    return modified_table(r, table.name, ups, downs)


def own_modification(rng: random.Random, r: Renderer, table: TableDef, own: list[str]) -> tuple[Change, str]:
    """One table's columns change in the target's own models: (change, message)."""
    taken: set[str] = set()
    kind = rng.choices(("add", "alter", "index", "fk", "drop"), weights=(40, 20, 15, 15, 10))[0]
    name = table.name
    if kind == "add":
        cols = [extra_column(rng, table, taken) for _ in range(rng.randint(1, 3))]
        ups = [r.add_column(name, c, reflected=False) for c in cols]
        downs = [r.drop_column(name, c.name) for c in cols]
        return modified_table(r, name, ups, downs), f"add {', '.join(f'{name}.{c.name}' for c in cols)}"
    if kind == "alter":
        cols = [c for c in table.columns if not c.primary_key]
        picked = rng.sample(cols, min(len(cols), rng.randint(1, 2)))
        ups = [r.alter_column(name, c.name, c.type, not c.nullable) for c in picked]
        downs = [r.alter_column(name, c.name, c.type, c.nullable) for c in picked]
        return modified_table(r, name, ups, downs), f"alter {', '.join(f'{name}.{c.name}' for c in picked)}"
    if kind == "index":
        col = rng.choice(table.columns)
        ix = f"ix_{name}_{col.name}_lookup"
        ups = [r.create_index(name, ix, [col.name], rng.random() < 0.2, conventional=True)]
        downs = [r.drop_index(name, ix, conventional=True)]
        return modified_table(r, name, ups, downs), f"index {name}.{col.name}"
    if kind == "fk":
        col = Col(f"{extra_column(rng, table, taken).name}_id", "Integer")
        ref = rng.choice([t for t in own if t != name])
        ups = [r.add_column(name, col, reflected=False), r.create_foreign_key(name, None, ref, col.name)]
        downs = [r.drop_column(name, col.name), r.drop_constraint(name, None, "foreignkey")]
        return modified_table(r, name, ups, downs), f"link {name} to {ref}"
    col = extra_column(rng, table, taken)
    ups = [r.drop_column(name, col.name)]
    downs = [r.add_column(name, col, reflected=True)]
    return modified_table(r, name, ups, downs), f"drop {name}.{col.name}"


# ---------------------------------------------------------------------------------------------
# One migration file.

@dataclass
class Migration:
    target: str
    revision: str
    down_revision: str | None
    created: datetime.datetime
    message: str
    changes: list[Change]
    annotated: bool         # carries MIGRATION_TARGET already
    # The wrong-target changes, when the database it was generated against held the other
    # target's tables; empty otherwise.
    foreign: list[Change] = field(default_factory=list)

    def filename(self) -> str:
        # Alembic's default file_template: %(rev)s_%(slug)s, slug cut at 40 characters.
        slug = "_".join(re.findall(r"\w+", self.message)).lower()
        if len(slug) > 40:
            slug = slug[:40].rsplit("_", 1)[0] + "_"
        return f"{self.revision}_{slug}.py"


def commit_message(messages: list[str], target: str) -> str:
    """What a developer passes to -m: the first change or two."""
    if not messages:
        return f"nothing for {target}"
    return " and ".join(messages[:2]) + (" and more" if len(messages) > 2 else "")


def ordered(changes: list[Change]) -> list[Change]:
    """Autogenerate's order: new tables, then removed tables, then per-table changes by name."""
    rank = {"create": 0, "drop": 1, "modify": 2}
    return sorted(changes, key=lambda c: (rank[c.kind], c.table if c.kind == "modify" else ""))


def render_body(blocks: list[Block], clean: bool, first_line: int, planted: list[tuple[int, Stmt]]) -> str:
    """A function body; `planted` collects (line, stmt) of the wrong-target drops written."""
    out: list[str] = []
    for block in blocks:
        stmts = [s for s in block.stmts if not (clean and s.foreign)]
        if not stmts:
            continue
        indent = "    "
        if block.batch_table is not None:
            out.append(f"    with op.batch_alter_table({block.batch_table!r}, schema=None) as batch_op:")
            indent = "        "
        for s in stmts:
            if s.planted:
                planted.append((first_line + len(out), s))
            out += [indent + line for line in s.lines]
        if block.batch_table is not None:
            out.append("")
    if not out:
        out = ["    pass"]
    return "".join(line + "\n" for line in out)


def render(m: Migration, clean: bool) -> tuple[str, list[tuple[int, Stmt]]]:
    # --clean renders the same statements minus the foreign ones, as alembic-fix removes them.
    changes = ordered(m.changes + m.foreign)
    up = [b for c in changes for b in c.up]
    down = [b for c in reversed(changes) for b in c.down]
    down_rev = repr(m.down_revision) if m.down_revision else "None"
    head = (f'"""{m.message}\n\nRevision ID: {m.revision}\nRevises: {m.down_revision or ""}\n'
            f'Create Date: {m.created.isoformat(sep=" ", timespec="microseconds")}\n\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n\n"
            "# revision identifiers, used by Alembic.\n"
            f"revision = {m.revision!r}\ndown_revision = {down_rev}\nbranch_labels = None\ndepends_on = None\n")
    if m.annotated or clean:
        head += f'MIGRATION_TARGET = "{m.target}"\n'
    head += "\n\ndef upgrade() -> None:\n    # ### commands auto generated by Alembic - please adjust! ###\n"
    planted: list[tuple[int, Stmt]] = []
    first = head.count("\n") + 1
    upgrade = render_body(up, clean, first, planted)
    text = head + upgrade + "    # ### end Alembic commands ###\n\n\n"
    text += "def downgrade() -> None:\n    # ### commands auto generated by Alembic - please adjust! ###\n"
    downgrade = render_body(down, clean, text.count("\n") + 1, planted)
    text += downgrade + "    # ### end Alembic commands ###\n"
    return text, planted


# ---------------------------------------------------------------------------------------------
# The folder.

def load_owners(map_file: Path) -> dict[str, list[str]]:
    with map_file.open("rb") as f:
        doc = tomllib.load(f)
    return {name: list(spec["tables"]) for name, spec in doc["targets"].items()}


def table_def(name: str) -> TableDef:
    """The catalog's columns, or a plausible table for a map entry the catalog lacks."""
    if name in TABLES:
        return TABLES[name]
    return TableDef(name, (Col("id", "Integer", primary_key=True), Col("name", "String(120)"),
                           Col("created_at", "DateTime", index=True)))


class History:
    """Draws the migrations of every target; the draws never depend on the output mode, so
    the polluted and --clean folders of one seed hold the same files."""

    def __init__(self, seed: int, owners: dict[str, list[str]], polluted_share: float, annotated_share: float):
        self.rng = random.Random(seed)
        self.owners = owners
        self.polluted_share = polluted_share
        self.annotated_share = annotated_share
        self.heads: dict[str, str | None] = {t: None for t in owners}
        self.clock = datetime.datetime(2021, 1, 4, 8, 0, 0, 0)

    def foreign_tables(self, target: str) -> list[str]:
        mine = set(self.owners[target])
        return sorted({t for other, tables in self.owners.items() if other != target for t in tables} - mine)

    def next(self) -> Migration:
        rng = self.rng
        targets = sorted(self.owners)
        target = rng.choices(targets, weights=[3 if t == "plant" else 2 for t in targets])[0]
        batch = rng.random() < 0.3
        r = Renderer(batch)
        self.clock += datetime.timedelta(minutes=rng.randint(5, 9000), microseconds=rng.randint(0, 999999))
        revision = f"{rng.getrandbits(48):012x}"

        changes: list[Change] = []
        messages: list[str] = []
        own = self.owners[target]
        for _ in range(rng.choices((0, 1, 2, 3, 4, 5), weights=(1, 8, 16, 24, 26, 25))[0]):
            roll = rng.random()
            table = table_def(rng.choice(own))
            if any(c.table == table.name for c in changes):
                continue
            if roll < 0.35:
                changes.append(created_table(r, table))
                messages.append(f"create {table.name}")
            elif roll < 0.38:
                changes.append(dropped_table(r, table, foreign=False))
                messages.append(f"retire {table.name}")
            else:
                change, message = own_modification(rng, r, table, own)
                changes.append(change)
                messages.append(message)

        # What a polluted database would add: some of the other target's tables dropped whole,
        # sometimes one of them only altered.
        foreign_pool = self.foreign_tables(target)
        dropped = rng.sample(foreign_pool, rng.randint(1, len(foreign_pool)))
        foreign = [dropped_table(r, table_def(t), foreign=True) for t in sorted(dropped)[1:]]
        first = table_def(sorted(dropped)[0])
        foreign.append(foreign_alteration(rng, r, first) if rng.random() < 0.25 else
                       dropped_table(r, first, foreign=True))
        polluted = rng.random() < self.polluted_share
        annotated = rng.random() < self.annotated_share

        m = Migration(target, revision, self.heads[target], self.clock,
                      commit_message(messages, target),
                      changes, annotated, foreign if polluted else [])
        self.heads[target] = revision
        return m


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (created; must not hold .py files)")
    parser.add_argument("--files", type=int, default=20000, help="number of migrations (default: %(default)s)")
    parser.add_argument("--polluted-share", type=float, default=0.2,
                        help="share of files with wrong-target drops (default: %(default)s)")
    parser.add_argument("--annotated-share", type=float, default=0.5,
                        help="share of files already carrying MIGRATION_TARGET (default: %(default)s)")
    parser.add_argument("--clean", action="store_true",
                        help="write every file as alembic-fix leaves it: no wrong-target drops, annotated")
    parser.add_argument("--layout", choices=("mixed", "split"), default="mixed",
                        help="mixed: all targets in OUT; split: OUT/<target>/ (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument("--maps", type=Path, default=DEFAULT_MAP, help="target map (default: %(default)s)")
    parser.add_argument("--manifest", type=Path, help="write the planted drops as JSON here")
    options = parser.parse_args()

    if options.out.exists() and any(options.out.rglob("*.py")):
        parser.error(f"{options.out} already holds .py files; give an empty or new folder")
    history = History(options.seed, load_owners(options.maps), options.polluted_share, options.annotated_share)
    planted_rows = []
    total_bytes = 0
    counts = {"files": 0, "polluted": 0, "annotated": 0}
    for _ in range(options.files):
        m = history.next()
        folder = options.out / m.target if options.layout == "split" else options.out
        folder.mkdir(parents=True, exist_ok=True)
        text, planted = render(m, options.clean)
        path = folder / m.filename()
        path.write_bytes(text.encode())
        rel = path.relative_to(options.out).as_posix()
        total_bytes += len(text)
        counts["files"] += 1
        counts["polluted"] += bool(planted)
        counts["annotated"] += m.annotated or options.clean
        planted_rows += [{"path": rel, "line": line, "target": m.target, "table": s.table,
                          "call": s.lines[0].split("(")[0]} for line, s in planted]

    summary = {**counts, "bytes": total_bytes, "planted_drops": len(planted_rows),
               "seed": options.seed, "clean": options.clean, "layout": options.layout}
    if options.manifest:
        options.manifest.write_text(json.dumps({**summary, "planted": planted_rows}, indent=1) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

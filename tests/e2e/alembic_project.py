"""A throwaway Alembic project for one case: real `alembic init`, real autogenerate, SQLite.

Everything runs Alembic as its command line does (`python3 -m alembic`), in the interpreter that
runs this file (Debian's /usr/bin/python3 with python3-alembic and python3-sqlalchemy).
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from catalog import TABLES, TableDef, foreign_tables, other_target, render_models
from cases import INITIAL_REV, NEW_REV, Case

PYTHON = sys.executable

ENV_HEADER = '''"""Alembic environment of a throwaway AssetIQ-like project (written by tests/e2e)."""
import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

import hq_models
import plant_models

METADATA = {{"plant": plant_models.metadata, "hq": hq_models.metadata}}

# The oracle of the end-to-end suite (E2E_ORACLE=1): autogenerate with the tables that only the
# other database owns hidden, which is what alembic-fix must turn the plain output into.
FOREIGN_TABLES = {foreign!r}


def include_object_for(target):
    def include_object(object, name, type_, reflected, compare_to):
        return not (type_ == "table" and name in FOREIGN_TABLES[target])

    return include_object if os.environ.get("E2E_ORACLE") == "1" else None


def url_for(name, default):
    # `alembic -x <name>=<url>` points a run at another database file.
    return context.get_x_argument(as_dictionary=True).get(name, default)
'''

ENV_GENERIC = '''
# One Alembic setup, two databases: MIGRATION_TARGET picks the models.
target = os.environ["MIGRATION_TARGET"]
target_metadata = METADATA[target]


def run_migrations_offline() -> None:
    context.configure(
        url=url_for("db", config.get_main_option("sqlalchemy.url")),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={{"paramstyle": "named"}},
        render_as_batch={batch},
        include_object=include_object_for(target),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section, {{}})
    section["sqlalchemy.url"] = url_for("db", section["sqlalchemy.url"])
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch={batch},
            include_object=include_object_for(target),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

# The online half of Alembic's multidb env.py, with the metadata and the oracle filter filled in.
ENV_MULTIDB = '''
import logging
import re

logger = logging.getLogger("alembic.env")
db_names = config.get_main_option("databases")
target_metadata = METADATA


def run_migrations_online() -> None:
    engines = {{}}
    for name in re.split(r",\\s*", db_names):
        engines[name] = rec = {{}}
        section = context.config.get_section(name)
        section["sqlalchemy.url"] = url_for(name, section["sqlalchemy.url"])
        rec["engine"] = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)

    for name, rec in engines.items():
        rec["connection"] = conn = rec["engine"].connect()
        rec["transaction"] = conn.begin()

    try:
        for name, rec in engines.items():
            logger.info("Migrating database %s" % name)
            context.configure(
                connection=rec["connection"],
                upgrade_token="%s_upgrades" % name,
                downgrade_token="%s_downgrades" % name,
                target_metadata=target_metadata.get(name),
                render_as_batch={batch},
                include_object=include_object_for(name),
            )
            context.run_migrations(engine_name=name)
        for rec in engines.values():
            rec["transaction"].commit()
    except:  # noqa: E722 (as in Alembic's template)
        for rec in engines.values():
            rec["transaction"].rollback()
        raise
    finally:
        for rec in engines.values():
            rec["connection"].close()


run_migrations_online()
'''

REPO = Path(__file__).resolve().parents[2]
FENCED = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


def documented_hook(executable: str) -> tuple[str, str]:
    """The env.py lines and the alembic.ini stanza the documentation gives for Alembic < 1.12, so
    the hook case tests what users copy."""
    for doc in (REPO / "README.md",):
        blocks = FENCED.findall(doc.read_text())
        env = [b for lang, b in blocks if lang == "python" and "write_hooks.register" in b]
        ini = [b for lang, b in blocks if lang == "ini" and ".type = alembic_fix" in b]
        if env and ini:
            stanza = re.sub(r"(?m)^(alembic_fix\.executable = ).*$", lambda m: m.group(1) + executable, ini[0])
            return env[0], stanza
    raise AssertionError("no documented post-write hook for Alembic < 1.12 (a ```python block registering it "
                         "and an ```ini block with `alembic_fix.type = alembic_fix`) in README.md")


class AlembicError(RuntimeError):
    pass


class Project:
    """One case's Alembic project under `root`."""

    def __init__(self, case: Case, root: Path, hook_executable: str | None = None):
        self.case = case
        self.root = Path(root)
        self.versions = self.root / "migrations" / "versions"
        self.hook_executable = hook_executable

    # --- running Alembic -------------------------------------------------------------------

    def env(self, oracle: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("E2E_ORACLE", "PYTHONPATH")}
        env["MIGRATION_TARGET"] = self.case.target
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # models are rewritten within the same second
        # Autogenerate emits removed tables in set order, which string hashing randomises per run;
        # a fixed seed makes the plain and the oracle run agree and the fixtures reproducible.
        env["PYTHONHASHSEED"] = "0"
        if oracle:
            env["E2E_ORACLE"] = "1"
        return env

    def alembic(self, *args: str, dbs: dict[str, Path] | None = None, oracle: bool = False,
                check: bool = True, config: str | None = None) -> subprocess.CompletedProcess:
        xargs: list[str] = ["-c", config] if config else []
        for engine, path in (dbs or {}).items():
            key = "db" if self.case.layout == "generic" else engine
            xargs += ["-x", f"{key}=sqlite:///{path}"]
        cmd = [PYTHON, "-m", "alembic", *xargs, *args]
        done = subprocess.run(cmd, cwd=self.root, env=self.env(oracle), capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AlembicError(f"{' '.join(args)} failed (exit {done.returncode}):\n{done.stderr}")
        return done

    # --- building --------------------------------------------------------------------------

    def dev_db(self, engine: str) -> Path:
        return self.root / (f"dev_{engine}.db" if self.case.layout == "multidb" else "dev.db")

    def create(self) -> None:
        """alembic init, our env.py, the models at the previous revision, the initial revision."""
        self.root.mkdir(parents=True, exist_ok=True)
        template = ["-t", "multidb"] if self.case.layout == "multidb" else []
        self.alembic("init", *template, "migrations")
        self._configure_ini()
        self._write_env()
        self.write_models(after=False)
        scratch = {e: self.root / f"empty_{e}.db" for e in self.case.engines}
        self.alembic("revision", "--autogenerate", "--rev-id", INITIAL_REV, "-m", "initial", dbs=scratch)
        for path in scratch.values():
            path.unlink()

    def _configure_ini(self) -> None:
        ini = self.root / "alembic.ini"
        text = ini.read_text()
        if self.case.layout == "multidb":
            text = text.replace("databases = engine1, engine2", "databases = plant, hq")
            for old, engine in (("engine1", "plant"), ("engine2", "hq")):
                text = re.sub(rf"\[{old}\]\nsqlalchemy.url = .*\n",
                              f"[{engine}]\nsqlalchemy.url = sqlite:///%(here)s/dev_{engine}.db\n", text)
        else:
            text = re.sub(r"(?m)^sqlalchemy.url = .*$", "sqlalchemy.url = sqlite:///%(here)s/dev.db", text)
        if self.hook_executable:
            stanza = documented_hook(self.hook_executable)[1]
            assert text.count("[post_write_hooks]\n") == 1
            text = text.replace("[post_write_hooks]\n", stanza, 1)
        ini.write_text(text)

    def _write_env(self) -> None:
        foreign = {t: sorted(foreign_tables(t)) for t in ("plant", "hq")}
        text = ENV_HEADER.format(foreign=foreign)
        body = ENV_MULTIDB if self.case.layout == "multidb" else ENV_GENERIC
        text += body.format(batch=self.case.batch)
        if self.hook_executable:
            text += "\n\n" + documented_hook(self.hook_executable)[0]
        (self.root / "migrations" / "env.py").write_text(text)

    def model_tables(self, target: str, after: bool) -> list[TableDef]:
        change = self.case.changes[target]
        names = change.after() if after else change.before
        added = {}
        if after:
            for table, col in change.add_columns:
                added.setdefault(table, []).append(col)
        tables = []
        for name in names:
            table = TABLES[name]
            for col in added.get(name, []):
                table = table.with_column(col)
            tables.append(table)
        return tables

    def write_models(self, after: bool) -> None:
        for target in ("plant", "hq"):
            (self.root / f"{target}_models.py").write_text(render_models(target, self.model_tables(target, after)))

    def make_dev_db(self) -> None:
        """The developer's database: at the previous revision, and holding the other target's
        tables too (a shared dev database, or init_db run with the wrong Base), with a row each."""
        self.alembic("upgrade", "head")
        for engine in self.case.engines:
            other = other_target(engine)
            db = self.dev_db(engine)
            code = ("import sqlalchemy, sys, {0}_models as m; "
                    "m.metadata.create_all(sqlalchemy.create_engine(sys.argv[1]))").format(other)
            subprocess.run([PYTHON, "-c", code, f"sqlite:///{db}"], cwd=self.root, env=self.env(),
                           check=True)
            fill_rows(db, sorted(foreign_tables(engine)))

    def autogenerate(self, oracle: bool, rev_id: str = NEW_REV, config: str | None = None) -> str:
        """Runs `alembic revision --autogenerate` and returns the file's text, leaving no file behind
        (a second revision with the same id, or at a new head, would stop the next run)."""
        self.alembic("revision", "--autogenerate", "--rev-id", rev_id, "-m", self.case.message, oracle=oracle,
                     config=config)
        return self.take_revision(rev_id)

    def take_revision(self, rev_id: str) -> str:
        """The text of the generated revision `rev_id`, whose file is removed."""
        [path] = self.versions.glob(f"{rev_id}_*.py")
        text = path.read_bytes().decode("utf-8")
        path.unlink()
        return text

    def new_revision_path(self) -> Path:
        # Where the judge puts the file under test; Alembic reads any *.py in versions/.
        return self.versions / f"{NEW_REV}_under_test.py"

    def build(self) -> tuple[str, str]:
        """The whole scenario; returns (plain autogenerate output, filtered oracle output)."""
        self.create()
        self.make_dev_db()
        self.write_models(after=True)
        return self.autogenerate(oracle=False), self.autogenerate(oracle=True)


# --- the database side ------------------------------------------------------------------------

def fill_rows(db: Path, tables: list[str]) -> None:
    """One row in each of the given tables, so a drop-and-recreate would show."""
    values = {"INTEGER": 1, "FLOAT": 1.5, "DATE": "2024-01-02", "DATETIME": "2024-01-02 03:04:05.000000"}
    con = sqlite3.connect(db)
    try:
        present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in tables:
            if table not in present:
                continue
            cols = con.execute(f'PRAGMA table_info("{table}")').fetchall()
            names = ", ".join(f'"{c[1]}"' for c in cols)
            row = [values.get(c[2].split("(")[0].upper(), f"{table}.{c[1]}") for c in cols]
            con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})', row)
        con.commit()
    finally:
        con.close()


def schema(db: Path) -> dict[str, dict[str, list[str]]]:
    """table -> {columns, indexes} by name; SQLite's own autoindexes left out."""
    con = sqlite3.connect(db)
    try:
        result = {}
        for (table,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
            columns = sorted(r[1] for r in con.execute(f'PRAGMA table_info("{table}")'))
            indexes = sorted(r[1] for r in con.execute(f'PRAGMA index_list("{table}")')
                             if not r[1].startswith("sqlite_autoindex"))
            result[table] = {"columns": columns, "indexes": indexes}
        return result
    finally:
        con.close()


def expected_schema(tables: list[TableDef]) -> dict[str, dict[str, list[str]]]:
    result = {"alembic_version": {"columns": ["version_num"], "indexes": []}}
    for t in tables:
        result[t.name] = {"columns": sorted(c.name for c in t.columns), "indexes": sorted(t.index_names())}
    return result


def snapshot(db: Path, tables: set[str]) -> dict:
    """The DDL and the rows of the given tables: equal snapshots mean the tables were not touched."""
    con = sqlite3.connect(db)
    try:
        ddl = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        ddl = [r for r in ddl if r[2] in tables]
        present = {r[2] for r in ddl}
        rows = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in sorted(present)}
        return {"ddl": ddl, "rows": rows}
    finally:
        con.close()


def schema_diff(actual: dict, expected: dict) -> str:
    lines = []
    for table in sorted(set(actual) | set(expected)):
        if table not in expected:
            lines.append(f"unexpected table {table}")
        elif table not in actual:
            lines.append(f"missing table {table}")
        elif actual[table] != expected[table]:
            lines.append(f"table {table}: has {actual[table]}, expected {expected[table]}")
    return "; ".join(lines)


def judge(project: Project, text: str, workdir: Path) -> list[str]:
    """Applies `text` as the new revision, for real, and returns what is wrong with it (nothing,
    for a good migration):
      on a clean database at the previous revision, `upgrade head` succeeds and leaves exactly the
      new models' tables, columns and indexes (so no table of the other database), and
      `downgrade -1` succeeds and restores the previous schema (so it creates none of them);
      on a copy of the developer's polluted database, both succeed and the other database's
      tables keep their DDL and rows."""
    case = project.case
    path = project.new_revision_path()
    path.write_bytes(text.encode("utf-8"))
    failures: list[str] = []
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        clean = {e: workdir / f"clean_{e}.db" for e in case.engines}
        for db in clean.values():
            db.unlink(missing_ok=True)
        project.alembic("upgrade", INITIAL_REV, dbs=clean)
        before = {e: schema(db) for e, db in clean.items()}
        for e in case.engines:
            want = expected_schema(project.model_tables(e, after=False))
            if before[e] != want:  # the set-up itself, not the migration under test
                raise AlembicError(f"previous revision of {e} is not as modelled: {schema_diff(before[e], want)}")

        def step(what: str, dbs: dict[str, Path], *args: str) -> bool:
            done = project.alembic(*args, dbs=dbs, check=False)
            if done.returncode != 0:
                lines = [l for l in done.stderr.splitlines() if l.strip()]
                errors = [l for l in lines if re.match(r"^[\w.]+(Error|Exception):", l)]
                failures.append(f"{what}: `alembic {' '.join(args)}` failed: {(errors or lines or ['?'])[-1]}")
                return False
            return True

        if step("clean database", clean, "upgrade", "head"):
            for e, db in clean.items():
                diff = schema_diff(schema(db), expected_schema(project.model_tables(e, after=True)))
                if diff:
                    failures.append(f"clean {e} database after upgrade: {diff}")
            if step("clean database", clean, "downgrade", "-1"):
                for e, db in clean.items():
                    diff = schema_diff(schema(db), before[e])
                    if diff:
                        failures.append(f"clean {e} database after downgrade: {diff}")

        polluted = {e: workdir / f"polluted_{e}.db" for e in case.engines}
        for e, db in polluted.items():
            shutil.copyfile(project.dev_db(e), db)
        untouched = {e: snapshot(db, foreign_tables(e)) for e, db in polluted.items()}
        for args in (("upgrade", "head"), ("downgrade", "-1")):
            if not step("developer's database", polluted, *args):
                break
            for e, db in polluted.items():
                if snapshot(db, foreign_tables(e)) != untouched[e]:
                    failures.append(f"developer's {e} database: `alembic {' '.join(args)}` touched the "
                                    f"{other_target(e)} tables")
    finally:
        path.unlink(missing_ok=True)
    return failures


# --- the oracle -------------------------------------------------------------------------------

CREATE_DATE = re.compile(r"(?m)^Create Date: .*$")
DEPENDS_ON = re.compile(r"(?m)^depends_on = .*\n")


def with_create_date(text: str, date_line: str) -> str:
    return CREATE_DATE.sub(lambda _: date_line, text, count=1)


def create_date_line(text: str) -> str:
    return CREATE_DATE.search(text).group(0)


def annotate(text: str, target: str) -> str:
    m = DEPENDS_ON.search(text)
    return text[:m.end()] + f'MIGRATION_TARGET = "{target}"\n' + text[m.end():]


def expected_output(case: Case, plain: str, oracle: str) -> str:
    """What alembic-fix must turn `plain` into: the oracle, annotated unless --no-annotate, with
    the plain file's Create Date."""
    text = with_create_date(oracle, create_date_line(plain))
    return text if "--no-annotate" in case.extra_args else annotate(text, case.target)

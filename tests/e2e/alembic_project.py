"""A throwaway Alembic project for one case: real `alembic init`, real autogenerate, SQLite.

Everything runs Alembic as its command line does (`python3 -m alembic`), in the interpreter that
runs this file (Debian's /usr/bin/python3 with python3-alembic and python3-sqlalchemy).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from catalog import PG_TABLES, TABLES, TableDef, foreign_tables, other_target, render_models
from cases import INITIAL_REV, NEW_REV, Case
from cells import Cell, python_path

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
# Each target's Alembic version table: Alembic's default, or one per chain where two chains share
# a database (Case.version_tables).
VERSION_TABLES = {version_tables!r}


def include_object_for(target):
    def include_object(object, name, type_, reflected, compare_to):
        qualified = f"{{object.schema}}.{{name}}" if type_ == "table" and object.schema else name
        return not (type_ == "table" and qualified in FOREIGN_TABLES[target])

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
        version_table=VERSION_TABLES[target],
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section, {{}})
    section["sqlalchemy.url"] = url_for("db", section["sqlalchemy.url"])
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:{schemas_setup}
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch={batch},
            include_object=include_object_for(target),{schemas_option}
            version_table=VERSION_TABLES[target],
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

# Plant and hq as two schemas of one PostgreSQL database: each run makes sure both schemas are
# there (so the migrations can create tables in them) and compares every schema.
SCHEMAS_ENV = {
    "schemas_setup": """
        from sqlalchemy import text

        for schema in ("plant", "hq"):
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        if hasattr(connection, "commit"):  # SQLAlchemy 2.0 began a transaction: end it first
            connection.commit()""",
    "schemas_option": "\n            include_schemas=True,",
}
NO_SCHEMAS_ENV = {"schemas_setup": "", "schemas_option": ""}

REPO = Path(__file__).resolve().parents[2]
FENCED = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


def documented_hook(executable: str, cell: Cell, case: Case) -> tuple[str | None, str]:
    """The env.py lines (None where Alembic needs none) and the alembic.ini stanza or pyproject.toml
    table the README gives for the cell's Alembic and the case's template, so the hook cases test
    what users copy: `type = exec` from 1.12 on, a hook env.py registers before; alembic-fix listed
    before a formatter."""
    blocks = FENCED.findall((REPO / "README.md").read_text())

    def block(lang: str, *needles: str) -> str:
        found = [b for kind, b in blocks if kind == lang and all(n in b for n in needles)]
        if not found:
            raise AssertionError(f"README.md has no ```{lang} block with {' and '.join(map(repr, needles))}, "
                                 f"the post-write hook documented for Alembic {cell.alembic} ({case.name})")
        return found[0]

    env = None if cell.current else block("python", "write_hooks.register")
    if case.template == "pyproject":
        stanza = block("toml", "[[tool.alembic.post_write_hooks]]", 'name = "alembic_fix"')
        return env, re.sub(r'(?m)^(executable = ).*$', lambda m: f"{m[1]}{json.dumps(executable)}", stanza)
    if case.formatter:
        stanza = block("ini", f"hooks = alembic_fix, {case.formatter}\n", "alembic_fix.type = exec\n")
        if not cell.current:  # the README: before 1.12, the type env.py registers
            stanza = stanza.replace("alembic_fix.type = exec\n", "alembic_fix.type = alembic_fix\n")
    else:
        stanza = block("ini", "hooks = alembic_fix\n", f"alembic_fix.type = {'exec' if cell.current else 'alembic_fix'}\n")
    return env, re.sub(r"(?m)^(alembic_fix\.executable = ).*$", lambda m: m[1] + executable, stanza)


class AlembicError(RuntimeError):
    pass


class Project:
    """One case's Alembic project under `root`, run on one cell of the matrix; its databases are
    `databases` (SQLite files or PostgreSQL databases, see cells.py)."""

    def __init__(self, case: Case, cell: Cell, root: Path, databases, third_party: Path | None = None,
                 hook_executable: str | None = None):
        self.case = case
        self.cell = cell
        self.root = Path(root)
        self.versions = self.root / "migrations" / "versions"
        self.databases = databases
        self.third_party = third_party
        self.python_path = python_path(cell, third_party)
        self.hook_executable = hook_executable

    # --- running Alembic -------------------------------------------------------------------

    def env(self, oracle: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("E2E_ORACLE", "PYTHONPATH")}
        if self.python_path:
            env["PYTHONPATH"] = self.python_path
        env["MIGRATION_TARGET"] = self.case.target
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # models are rewritten within the same second
        # Autogenerate emits removed tables in set order, which string hashing randomises per run;
        # a fixed seed makes the plain and the oracle run agree and the fixtures reproducible.
        env["PYTHONHASHSEED"] = "0"
        if oracle:
            env["E2E_ORACLE"] = "1"
        return env

    def alembic(self, *args: str, dbs: dict[str, str] | None = None, oracle: bool = False,
                check: bool = True, config: str | None = None) -> subprocess.CompletedProcess:
        """`python3 -m alembic`; `dbs` maps an engine to the URL this run uses for it."""
        xargs: list[str] = ["-c", config] if config else []
        for engine, url in (dbs or {}).items():
            key = "db" if self.case.layout == "generic" else engine
            xargs += ["-x", f"{key}={url}"]
        cmd = [PYTHON, "-m", "alembic", *xargs, *args]
        done = subprocess.run(cmd, cwd=self.root, env=self.env(oracle), capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AlembicError(f"{' '.join(args)} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
        return done

    # --- building --------------------------------------------------------------------------

    @staticmethod
    def dev_db(engine: str) -> str:
        """The name of the developer's database for an engine."""
        return f"dev_{engine}"

    def create(self) -> None:
        """alembic init, our env.py, the models at the previous revision, the initial revision."""
        self.root.mkdir(parents=True, exist_ok=True)
        template = "multidb" if self.case.layout == "multidb" else self.case.template
        self.alembic("init", "-t", template, "migrations")
        self._configure_ini()
        self._write_env()
        self.write_models(after=False)
        scratch = {e: self.databases.fresh(f"empty_{e}") for e in self.case.engines}
        self.alembic("revision", "--autogenerate", "--rev-id", INITIAL_REV, "-m", "initial", dbs=scratch)

    def _configure_ini(self) -> None:
        ini = self.root / "alembic.ini"
        text = ini.read_text()
        urls = {e: self.databases.fresh(self.dev_db(e)) for e in self.case.engines}
        if self.case.layout == "multidb":
            text = text.replace("databases = engine1, engine2", "databases = plant, hq")
            for old, engine in (("engine1", "plant"), ("engine2", "hq")):
                text = re.sub(rf"\[{old}\]\nsqlalchemy.url = .*\n",
                              lambda _: f"[{engine}]\nsqlalchemy.url = {urls[engine]}\n", text)
        else:
            text = re.sub(r"(?m)^sqlalchemy.url = .*$", lambda _: f"sqlalchemy.url = {urls[self.case.target]}", text)
        if self.hook_executable and self.case.template == "pyproject":
            pyproject = self.root / "pyproject.toml"
            stanza = documented_hook(self.hook_executable, self.cell, self.case)[1]
            pyproject.write_text(pyproject.read_text() + "\n" + stanza)
        elif self.hook_executable:
            stanza = documented_hook(self.hook_executable, self.cell, self.case)[1]
            assert text.count("[post_write_hooks]\n") == 1
            text = text.replace("[post_write_hooks]\n", stanza, 1)
        ini.write_text(text)

    def write_config_without_alembic_fix(self) -> str:
        """A copy of the configuration holding the hooks, less alembic-fix (a formatter after it
        stays); returns its name for `alembic -c`."""
        if self.case.template == "pyproject":
            # Alembic takes a `-c` file for the toml one only by the name pyproject.toml, and
            # resolves %(here)s against its folder.
            text = (self.root / "pyproject.toml").read_text()
            stanza = documented_hook(self.hook_executable, self.cell, self.case)[1]
            (self.root / "no_hook").mkdir(exist_ok=True)
            name, without = "no_hook/pyproject.toml", text.replace(stanza, "").replace("%(here)s", str(self.root))
        else:
            text = (self.root / "alembic.ini").read_text()
            name, without = "no_hook.ini", re.sub(r"(?m)^hooks = alembic_fix(, )?", "hooks = ", text)
        assert without != text
        (self.root / name).write_text(without)
        return name

    def _write_env(self) -> None:
        foreign = {t: sorted(self.foreign_tables(t)) for t in ("plant", "hq")}
        text = ENV_HEADER.format(foreign=foreign, version_tables={t: self.version_table(t) for t in ("plant", "hq")})
        body = ENV_MULTIDB if self.case.layout == "multidb" else ENV_GENERIC
        text += body.format(batch=self.case.batch, **(SCHEMAS_ENV if self.case.schemas else NO_SCHEMAS_ENV))
        if self.hook_executable and not self.cell.current:
            text += "\n\n" + documented_hook(self.hook_executable, self.cell, self.case)[0]
        (self.root / "migrations" / "env.py").write_text(text)

    def version_table(self, target: str) -> str:
        return f"alembic_version_{target}" if self.case.version_tables else "alembic_version"

    def foreign_tables(self, target: str) -> frozenset[str]:
        """What the target's migrations must leave alone: the tables only the other target owns
        (`schema.table` when the targets are schemas), and the other chain's version table when
        each target has its own chain."""
        if self.case.schemas:
            other = other_target(target)
            tables = frozenset(t.key for after in (False, True) for t in self.model_tables(other, after))
        else:
            tables = foreign_tables(target)
        chain = {self.version_table(other_target(target))} if self.case.version_tables else set()
        # Tables the target's own history created that move away (Case.moves) it drops itself.
        moving = set(self.case.moves) if target == self.case.target else set()
        return (tables | chain) - moving

    def other_chain(self, target: str) -> Project:
        """The other target's own Alembic chain (its project, versions and version table) in a folder
        beside this one, at its initial revision."""
        chain = Project(replace(self.case, target=other_target(target)), self.cell,
                        self.root.with_name(f"{self.root.name}_{other_target(target)}"), self.databases,
                        self.third_party)
        chain.create()
        return chain

    def model_tables(self, target: str, after: bool) -> list[TableDef]:
        change = self.case.changes[target]
        names = change.after() if after else change.before
        added = {}
        if after:
            for table, col in change.add_columns:
                added.setdefault(table, []).append(col)
        tables = []
        catalog = {**TABLES, **PG_TABLES} if self.case.postgresql_shapes else TABLES
        for name in names:
            table = catalog[name]
            for col in added.get(name, []):
                table = table.with_column(col)
            tables.append(table.in_schema(target) if self.case.schemas else table)
        return tables

    def write_models(self, after: bool) -> None:
        for target in ("plant", "hq"):
            (self.root / f"{target}_models.py").write_text(render_models(target, self.model_tables(target, after)))

    def make_dev_db(self) -> None:
        """The developer's database: at the previous revision, and holding the other target's
        tables too (a shared dev database, or init_db run with the wrong Base), with a row each."""
        self.alembic("upgrade", "head")
        for engine in self.case.engines:
            if self.case.version_tables:  # the other chain upgrades the shared database itself
                url = self.databases.url(self.dev_db(engine))
                self.other_chain(engine).alembic("upgrade", "head", dbs={engine: url})
                self.databases.fill_rows(self.dev_db(engine), sorted(foreign_tables(engine)))
                continue
            code = ("import sqlalchemy, sys, {0}_models as m; "
                    "m.metadata.create_all(sqlalchemy.create_engine(sys.argv[1]))").format(other_target(engine))
            subprocess.run([PYTHON, "-c", code, self.databases.url(self.dev_db(engine))], cwd=self.root,
                           env=self.env(), check=True)
            self.databases.fill_rows(self.dev_db(engine), sorted(self.foreign_tables(engine)))

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

def expected_schema(tables: list[TableDef], version_table: str) -> dict[str, dict[str, list[str]]]:
    result = {version_table: {"columns": ["version_num"], "indexes": []}}
    for t in tables:
        result[t.key] = {"columns": sorted(c.name for c in t.columns), "indexes": sorted(t.index_names())}
    return result


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


def judge(project: Project, text: str, tag: str) -> list[str]:
    """Applies `text` as the new revision, for real, and returns what is wrong with it (nothing,
    for a good migration):
      on a clean database at the previous revision, `upgrade head` succeeds and leaves exactly the
      new models' tables, columns and indexes (so no table of the other database), and
      `downgrade -1` succeeds and restores the previous schema (so it creates none of them);
      on a copy of the developer's polluted database, both succeed and the other database's
      tables keep their DDL and rows. `tag` names this judgement's databases."""
    case, dbs = project.case, project.databases
    path = project.new_revision_path()
    path.write_bytes(text.encode("utf-8"))
    failures: list[str] = []
    try:
        clean_names = {e: f"{tag}_clean_{e}" for e in case.engines}
        clean = {e: dbs.fresh(name) for e, name in clean_names.items()}
        project.alembic("upgrade", INITIAL_REV, dbs=clean)
        before = {e: dbs.schema(name) for e, name in clean_names.items()}
        for e in case.engines:
            want = expected_schema(project.model_tables(e, after=False), project.version_table(e))
            if before[e] != want:  # the set-up itself, not the migration under test
                raise AlembicError(f"previous revision of {e} is not as modelled: {schema_diff(before[e], want)}")

        def step(what: str, urls: dict[str, str], *args: str) -> bool:
            done = project.alembic(*args, dbs=urls, check=False)
            if done.returncode != 0:
                lines = [l for l in done.stderr.splitlines() if l.strip()]
                errors = [l for l in lines if re.match(r"^[\w.]+(Error|Exception):", l)]
                failures.append(f"{what}: `alembic {' '.join(args)}` failed: {(errors or lines or ['?'])[-1]}")
                return False
            return True

        if step("clean database", clean, "upgrade", "head"):
            for e, name in clean_names.items():
                diff = schema_diff(dbs.schema(name), expected_schema(project.model_tables(e, after=True),
                                                                      project.version_table(e)))
                if diff:
                    failures.append(f"clean {e} database after upgrade: {diff}")
            if step("clean database", clean, "downgrade", "-1"):
                for e, name in clean_names.items():
                    diff = schema_diff(dbs.schema(name), before[e])
                    if diff:
                        failures.append(f"clean {e} database after downgrade: {diff}")

        polluted_names = {e: f"{tag}_polluted_{e}" for e in case.engines}
        polluted = {e: dbs.copy(project.dev_db(e), name) for e, name in polluted_names.items()}
        untouched = {e: dbs.snapshot(name, project.foreign_tables(e)) for e, name in polluted_names.items()}
        for args in (("upgrade", "head"), ("downgrade", "-1")):
            if not step("developer's database", polluted, *args):
                break
            for e, name in polluted_names.items():
                if dbs.snapshot(name, project.foreign_tables(e)) != untouched[e]:
                    failures.append(f"developer's {e} database: `alembic {' '.join(args)}` touched the "
                                    f"other database's tables")
    finally:
        path.unlink(missing_ok=True)
    return failures


# --- the oracle -------------------------------------------------------------------------------

CREATE_DATE = re.compile(r"(?m)^Create Date: .*$")
DEPENDS_ON = re.compile(r"(?m)^depends_on\b.*\n")  # also `depends_on: Union[...] = None`


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


# --- known differences from a clean autogenerate (issue 12 item 3, not implemented yet) ---------

DIALECT_IMPORT = "from sqlalchemy.dialects import postgresql\n"
FUNCTION = re.compile(r"(?ms)^def (\w+)\(.*?(?=^def |\Z)")
DOCSTRING_THEN_PASS = re.compile(r'(?m)^(    """.*"""\n    # ### commands auto generated by Alembic - please adjust! ###\n)'
                                 r'    pass\n')

# Each turns the oracle into what alembic-fix writes today, where that differs for this reason.
KNOWN_DIFFERENCES = {
    # The dialect import that only removed statements (re-creations of the other database's
    # tables with postgresql.TIMESTAMP, postgresql.ENUM, ...) used is left in the file.
    "unused-dialect-import": lambda oracle, plain: _with_plain_imports(oracle, plain),
    # A function opening with a docstring (Alembic >= 1.15 templates) whose statements all go gets
    # no `pass` where autogenerate writes one.
    "no-pass-after-docstring":
        lambda oracle, plain: "".join(
            DOCSTRING_THEN_PASS.sub(r"\1", f[0]) if f[1] not in _functions_with_pass(plain) else f[0]
            for f in _split_functions(oracle)),
}


def _with_plain_imports(oracle: str, plain: str) -> str:
    """The oracle with the plain file's header (docstring and imports, up to the revision
    identifiers), where only the plain file has the dialect import."""
    if DIALECT_IMPORT not in plain or DIALECT_IMPORT in oracle:
        return oracle
    cut = "# revision identifiers"
    return with_create_date(plain[:plain.index(cut)], create_date_line(oracle)) + oracle[oracle.index(cut):]


def _split_functions(text: str) -> list[tuple[str, str]]:
    """(text, function name or "") pieces that join back to `text`."""
    pieces, last = [], 0
    for m in FUNCTION.finditer(text):
        pieces.append((text[last:m.start()], ""))
        pieces.append((m[0], m[1]))
        last = m.end()
    pieces.append((text[last:], ""))
    return [(p, name) for p, name in pieces if p]


def _functions_with_pass(text: str) -> set[str]:
    return {name for body, name in _split_functions(text) if name and DOCSTRING_THEN_PASS.search(body)}


def with_known_differences(want: str, plain: str, reasons: tuple[str, ...]) -> str:
    for reason in reasons:
        want = KNOWN_DIFFERENCES[reason](want, plain)
    return want

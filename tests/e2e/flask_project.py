"""A throwaway Flask-SQLAlchemy app with three databases, migrated by Flask-Migrate (Debian's
python3-flask-migrate 4.0.4, python3-flask-sqlalchemy 3.0.3): the default bind and the binds
`plant` and `hq` (`SQLALCHEMY_BINDS`), models bound by `__bind_key__` and `db.Table(...,
bind_key=...)`, `flask db init --multidb`, `flask db migrate` / `upgrade` / `downgrade`.

FlaskProject offers what alembic_project.judge needs (alembic(), model_tables(), dev_db(), ...),
so a Flask case is judged exactly as the Alembic ones: `alembic upgrade X` runs as `flask db upgrade
X`, `alembic revision --autogenerate` as `flask db migrate`. Engine "default" is Flask-Migrate's
default bind, whose functions are `upgrade_()` / `downgrade_()`.

The oracle: Flask-Migrate's env.py passes Migrate's keyword arguments to every bind's
`context.configure`, so the app hands it an `include_object` (E2E_ORACLE=1) that hides the other
binds' tables; the bind being compared is the one whose upgrade token (`<bind>_upgrades`) the
current migration context carries.
"""
from __future__ import annotations

import os
import subprocess

from alembic_project import PYTHON, AlembicError, Project
from cases import INITIAL_REV
from catalog import TABLES, Col, TableDef

ENGINES = ("default", "plant", "hq")  # Flask-Migrate's order: the default bind, then SQLALCHEMY_BINDS

# The default bind's own tables; plant's and hq's come from the catalog.
DEFAULT_TABLES: dict[str, TableDef] = {t.name: t for t in [
    TableDef("settings", (Col("id", "Integer", primary_key=True), Col("key", "String(64)", nullable=False, unique=True),
                          Col("value", "Text"))),
    TableDef("feature_flags", (Col("id", "Integer", primary_key=True),
                               Col("name", "String(64)", nullable=False, index=True), Col("enabled", "Boolean"))),
]}
FLASK_TABLES = {**TABLES, **DEFAULT_TABLES}
# Declared as `db.Table(..., bind_key=...)` rather than a `db.Model` class with `__bind_key__`.
DB_TABLE_STYLE = {"report_job"}

APP = '''"""A Flask app with three databases (written by tests/e2e)."""
import os

from flask import Flask
from flask_migrate import Migrate

from models import db

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["E2E_DB_DEFAULT"]
app.config["SQLALCHEMY_BINDS"] = {{"plant": os.environ["E2E_DB_PLANT"], "hq": os.environ["E2E_DB_HQ"]}}
db.init_app(app)

# The oracle (E2E_ORACLE=1): autogenerate with the tables only the other binds own hidden.
FOREIGN_TABLES = {foreign!r}


def include_object(object, name, type_, reflected, compare_to):
    from alembic import context

    bind = context.get_context().opts["upgrade_token"][: -len("_upgrades")] or "default"
    return not (type_ == "table" and name in FOREIGN_TABLES[bind])


oracle = {{"include_object": include_object}} if os.environ.get("E2E_ORACLE") == "1" else {{}}
migrate = Migrate(app, db, **oracle)
'''

MODELS_HEADER = '''"""Models of the three databases (written by tests/e2e)."""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Text

db = SQLAlchemy()
'''


def render_flask_model(table: TableDef, bind: str) -> str:
    """A `db.Model` class (`__bind_key__` unless the default bind), or a `db.Table` for DB_TABLE_STYLE."""
    assert not table.indexes, "Flask models here carry no Index(): give the column index=True"
    if table.name in DB_TABLE_STYLE:
        columns = "".join(f"    {c.render()},\n" for c in table.columns)
        key = "" if bind == "default" else f"    bind_key={bind!r},\n"
        return f"{table.name} = db.Table(\n    {table.name!r},\n{columns}{key})\n"
    lines = [f"class {''.join(p.title() for p in table.name.split('_'))}(db.Model):"]
    if bind != "default":
        lines.append(f"    __bind_key__ = {bind!r}")
    lines.append(f"    __tablename__ = {table.name!r}")
    lines += [f"    {c.name} = {c.render()}" for c in table.columns]
    return "\n".join(lines) + "\n"


class FlaskProject(Project):
    """One Flask case's app under `root`, run on one cell: Project's scenario (build, autogenerate,
    the judge's hooks) with Flask-Migrate's commands, three binds and Flask models."""

    def owned(self, engine: str) -> frozenset[str]:
        change = self.case.changes[engine]
        return frozenset(change.before + change.add_tables)

    def foreign_tables(self, engine: str) -> frozenset[str]:
        """What only the other binds own: the tables alembic-fix may remove from this bind's functions."""
        others = frozenset().union(*(self.owned(e) for e in ENGINES if e != engine))
        return others - self.owned(engine)

    def expected_map(self) -> dict[str, list[str]]:
        """The target map `alembic-fix maps --models default=models.py` must make of the new models."""
        return {e: sorted(self.case.changes[e].after()) for e in ENGINES}

    # --- running Flask-Migrate -------------------------------------------------------------

    def flask_env(self, urls: dict[str, str], oracle: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("E2E_ORACLE", "PYTHONPATH", "MIGRATION_TARGET")}
        if self.python_path:
            env["PYTHONPATH"] = self.python_path
        env.update({f"E2E_DB_{e.upper()}": url for e, url in urls.items()})
        env.update(FLASK_APP="app.py", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
        if oracle:
            env["E2E_ORACLE"] = "1"
        return env

    def alembic(self, *args: str, dbs: dict[str, str] | None = None, oracle: bool = False,
                check: bool = True, config: str | None = None) -> subprocess.CompletedProcess:
        """The Alembic command as Flask-Migrate's: `flask db upgrade|downgrade ...`, `revision
        --autogenerate` as `flask db migrate`; `dbs` maps an engine to the URL this run uses."""
        words = ["migrate", *(a for a in args[1:] if a != "--autogenerate")] if args[0] == "revision" else list(args)
        if words[:1] == ["downgrade"]:
            words.insert(1, "--")  # click would read `-1` as an option
        urls = {e: self.databases.url(self.dev_db(e)) for e in ENGINES} | (dbs or {})
        cmd = [PYTHON, "-m", "flask", "db", *words]
        done = subprocess.run(cmd, cwd=self.root, env=self.flask_env(urls, oracle), capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AlembicError(f"flask db {' '.join(words)} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
        return done

    # --- building --------------------------------------------------------------------------

    def model_tables(self, engine: str, after: bool) -> list[TableDef]:
        change = self.case.changes[engine]
        added: dict[str, list[Col]] = {}
        for table, col in change.add_columns if after else ():
            added.setdefault(table, []).append(col)
        tables = []
        for name in change.after() if after else change.before:
            table = FLASK_TABLES[name]
            for col in added.get(name, []):
                table = table.with_column(col)
            tables.append(table)
        return tables

    def write_models(self, after: bool) -> None:
        blocks = [render_flask_model(t, e) for e in ENGINES for t in self.model_tables(e, after)]
        (self.root / "models.py").write_text(MODELS_HEADER + "\n\n" + "\n\n".join(blocks))

    def create(self) -> None:
        """The app, `flask db init --multidb`, the models at the previous revision, the initial revision."""
        self.root.mkdir(parents=True, exist_ok=True)
        foreign = {e: sorted(self.foreign_tables(e)) for e in ENGINES}
        (self.root / "app.py").write_text(APP.format(foreign=foreign))
        self.write_models(after=False)
        for e in ENGINES:
            self.databases.fresh(self.dev_db(e))
        self.alembic("init", "--multidb")
        scratch = {e: self.databases.fresh(f"empty_{e}") for e in ENGINES}
        self.alembic("revision", "--autogenerate", "--rev-id", INITIAL_REV, "-m", "initial", dbs=scratch)

    def make_dev_db(self) -> None:
        """Each developer database at the previous revision, also holding the other binds' tables
        (with a row each), as if they had once shared one database."""
        self.alembic("upgrade", "head")
        code = ("import sys, sqlalchemy\nfrom app import app, db\nwith app.app_context():\n"
                "    for bind in sys.argv[2:]:\n"
                "        db.metadatas[None if bind == 'default' else bind].create_all(sqlalchemy.create_engine(sys.argv[1]))\n")
        urls = {e: self.databases.url(self.dev_db(e)) for e in ENGINES}
        for engine in ENGINES:
            others = [e for e in ENGINES if e != engine]
            subprocess.run([PYTHON, "-c", code, urls[engine], *others], cwd=self.root, env=self.flask_env(urls),
                           check=True, capture_output=True)
            self.databases.fill_rows(self.dev_db(engine), sorted(self.foreign_tables(engine)))

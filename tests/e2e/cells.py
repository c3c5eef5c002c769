"""The matrix the end-to-end suite runs every scenario on: {Alembic 1.8.1 on SQLAlchemy 1.4 (Debian),
Alembic 1.19.1 on SQLAlchemy 2.0.52 (../shared/third_party)} x {SQLite, PostgreSQL 15}.

A cell says which Python path Alembic runs with and where its databases live. SQLite databases are
files in the case's folder; PostgreSQL ones are databases of the one cluster the ctest fixture
`e2e_postgresql` started (tests/e2e/postgres_cluster.py), named after the case so that cases
running in parallel never meet.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# What tests/e2e/third_party.py extracts from ../shared/third_party, in PYTHONPATH order.
THIRD_PARTY_PATHS = ("typing_extensions-4.15.0/src", "sqlalchemy-2.0.52/lib", "alembic-1.19.1")


@dataclass(frozen=True)
class Cell:
    name: str
    alembic: tuple[int, int]        # the Alembic version the cell runs
    backend: str                    # "sqlite" or "postgresql"

    @property
    def current(self) -> bool:
        """Alembic 1.19 on SQLAlchemy 2.0, from the third-party sources."""
        return self.alembic >= (1, 19)


CELLS = (
    Cell("alembic1.8-sqlite", (1, 8), "sqlite"),
    Cell("alembic1.8-postgresql", (1, 8), "postgresql"),
    Cell("alembic1.19-sqlite", (1, 19), "sqlite"),
    Cell("alembic1.19-postgresql", (1, 19), "postgresql"),
)
CELLS_BY_NAME = {c.name: c for c in CELLS}


class SetupError(RuntimeError):
    """The matrix's prerequisites (third-party sources, the cluster) are not there."""


def python_path(cell: Cell, third_party: Path | None) -> str | None:
    """PYTHONPATH for the cell's Alembic: none for Debian's, the extracted sources for 1.19."""
    if not cell.current:
        return None
    if third_party is None or not all((third_party / p).is_dir() for p in THIRD_PARTY_PATHS):
        raise SetupError(f"{cell.name} needs Alembic 1.19.1, SQLAlchemy 2.0.52 and typing_extensions extracted "
                         f"into {third_party} (the ctest fixture e2e/setup/third_party does it from "
                         f"../shared/third_party)")
    return ":".join(str(third_party.resolve() / p) for p in THIRD_PARTY_PATHS)  # Alembic runs elsewhere


# --- where the databases are -------------------------------------------------------------------

class SQLiteDatabases:
    """One file per database, in the case's folder."""

    backend = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def url(self, name: str) -> str:
        return f"sqlite:///{self.folder / (name + '.db')}"

    def fresh(self, name: str) -> str:
        (self.folder / f"{name}.db").unlink(missing_ok=True)
        return self.url(name)

    def copy(self, source: str, name: str) -> str:
        (self.folder / f"{name}.db").write_bytes((self.folder / f"{source}.db").read_bytes())
        return self.url(name)

    def drop_all(self) -> None:
        pass  # the case's folder goes as a whole

    def schema(self, name: str) -> dict[str, dict[str, list[str]]]:
        """table -> {columns, indexes} by name; SQLite's own autoindexes left out."""
        with self._connect(name) as con:
            result = {}
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
                columns = sorted(r[1] for r in con.execute(f'PRAGMA table_info("{table}")'))
                indexes = sorted(r[1] for r in con.execute(f'PRAGMA index_list("{table}")')
                                 if not r[1].startswith("sqlite_autoindex"))
                result[table] = {"columns": columns, "indexes": indexes}
            return result

    def snapshot(self, name: str, tables: set[str]) -> dict:
        """The DDL and the rows of the given tables: equal snapshots mean they were not touched."""
        with self._connect(name) as con:
            ddl = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
            ddl = [r for r in ddl if r[2] in tables]
            present = {r[2] for r in ddl}
            rows = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in sorted(present)}
            return {"ddl": ddl, "rows": rows}

    def fill_rows(self, name: str, tables: list[str]) -> None:
        """One row in each of the given tables, so a drop-and-recreate would show."""
        values = {"INTEGER": 1, "FLOAT": 1.5, "DATE": "2024-01-02", "DATETIME": "2024-01-02 03:04:05.000000"}
        with self._connect(name) as con:
            present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table in (t for t in tables if t in present):
                cols = con.execute(f'PRAGMA table_info("{table}")').fetchall()
                names = ", ".join(f'"{c[1]}"' for c in cols)
                row = [values.get(c[2].split("(")[0].upper(), f"{table}.{c[1]}") for c in cols]
                con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})', row)

    def _connect(self, name: str):
        return _Closing(sqlite3.connect(self.folder / f"{name}.db"))


class _Closing:
    """`with` for a DB-API connection that commits and closes (sqlite3's own only commits)."""

    def __init__(self, con):
        self.con = con

    def __enter__(self):
        return self.con

    def __exit__(self, kind, *_):
        if kind is None:
            self.con.commit()
        self.con.close()


def cluster(state_file: Path | None) -> dict:
    """The running cluster's socket folder and port, from the file postgres_cluster.py wrote."""
    if state_file is None or not state_file.is_file():
        raise SetupError(f"no PostgreSQL cluster: {state_file} is missing (the ctest fixture "
                         f"e2e/setup/postgresql starts one; run the case through ctest)")
    return json.loads(state_file.read_text())


class PostgresDatabases:
    """Databases of the shared cluster, each named `<prefix>_<name>`; drop_all removes the case's."""

    backend = "postgresql"
    USER = "alembic_fix"

    def __init__(self, state_file: Path | None, prefix: str):
        import psycopg2  # only the PostgreSQL cells need it (python3-psycopg2)

        self._psycopg2 = psycopg2
        self.cluster = cluster(state_file)
        # Identifiers stop at 63 bytes; a digest keeps long case names apart.
        digest = hashlib.sha1(prefix.encode()).hexdigest()[:8]
        self.prefix = f"{prefix[:36]}_{digest}".replace("-", "_").replace(".", "_").lower()
        self.made: list[str] = []

    def dbname(self, name: str) -> str:
        full = f"{self.prefix}_{name}"
        if len(full.encode()) <= 63:
            return full
        # PostgreSQL cuts identifiers at 63 bytes, so two long names (a Flask app's
        # unfixed_polluted_plant and _hq) would name one database: a digest keeps them apart.
        return f"{self.prefix}_{hashlib.sha1(name.encode()).hexdigest()[:8]}_{name}"[:63]

    def url(self, name: str) -> str:
        c = self.cluster
        return f"postgresql+psycopg2://{self.USER}@/{self.dbname(name)}?host={c['socket_dir']}&port={c['port']}"

    def _connect(self, dbname: str = "postgres"):
        c = self.cluster
        return self._psycopg2.connect(dbname=dbname, user=self.USER, host=c["socket_dir"], port=c["port"])

    def _admin(self, *statements: str) -> None:
        con = self._connect()
        try:
            con.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
            with con.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
        finally:
            con.close()

    def fresh(self, name: str) -> str:
        db = self.dbname(name)
        self._admin(f'DROP DATABASE IF EXISTS "{db}"', f'CREATE DATABASE "{db}" TEMPLATE template0')
        self.made.append(db)
        return self.url(name)

    def copy(self, source: str, name: str) -> str:
        db = self.dbname(name)
        self._admin(f'DROP DATABASE IF EXISTS "{db}"', f'CREATE DATABASE "{db}" TEMPLATE "{self.dbname(source)}"')
        self.made.append(db)
        return self.url(name)

    def drop_all(self) -> None:
        self._admin(*(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in dict.fromkeys(self.made)))
        self.made.clear()

    def _query(self, name: str, sql: str, args=()) -> list[tuple]:
        con = self._connect(self.dbname(name))
        try:
            with con.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall()
        finally:
            con.close()

    @staticmethod
    def _key(schema: str, table: str) -> str:
        return table if schema == "public" else f"{schema}.{table}"

    def schema(self, name: str) -> dict[str, dict[str, list[str]]]:
        """`table` (or `schema.table` outside public) -> {columns, indexes}; indexes backing a
        primary key or unique constraint left out, like SQLite's autoindexes."""
        result: dict[str, dict[str, list[str]]] = {}
        for schema, table, column in self._query(name, """
                SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
                JOIN information_schema.tables t USING (table_schema, table_name)
                WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')"""):
            entry = result.setdefault(self._key(schema, table), {"columns": [], "indexes": []})
            entry["columns"].append(column)
        for schema, table, index in self._query(name, """
                SELECT n.nspname, t.relname, i.relname FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"""):
            result[self._key(schema, table)]["indexes"].append(index)
        for entry in result.values():
            entry["columns"].sort()
            entry["indexes"].sort()
        return result

    def snapshot(self, name: str, tables: set[str]) -> dict:
        """Columns (type, default, nullability), indexes, constraints and rows of the given tables,
        and every enum type with its labels."""
        def mine(schema: str, table: str) -> bool:
            return self._key(schema, table) in tables

        columns = [r for r in self._query(name, """
            SELECT table_schema, table_name, column_name, data_type, udt_name, column_default, is_nullable,
                   is_identity, identity_generation
            FROM information_schema.columns ORDER BY 1, 2, 3""") if mine(r[0], r[1])]
        indexes = [r for r in self._query(name, "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes "
                                                "ORDER BY 1, 2, 3") if mine(r[0], r[1])]
        constraints = [r for r in self._query(name, """
            SELECT n.nspname, t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
            JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            ORDER BY 1, 2, 3""") if mine(r[0], r[1])]
        # The enum types these tables use (a target's own new type may come and go).
        used = {r[4] for r in columns if r[3] == "USER-DEFINED"}
        enums = [r for r in self._query(name, """
            SELECT n.nspname, t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
            JOIN pg_namespace n ON n.oid = t.typnamespace ORDER BY 1, 2, e.enumsortorder""") if r[1] in used]
        present = sorted({(r[0], r[1]) for r in columns})
        rows = {f"{s}.{t}": self._query(name, f'SELECT * FROM "{s}"."{t}" ORDER BY 1') for s, t in present}
        return {"columns": columns, "indexes": indexes, "constraints": constraints, "enums": enums, "rows": rows}

    def fill_rows(self, name: str, tables: list[str]) -> None:
        """One row in each of the given tables (`table` or `schema.table`), foreign keys not enforced
        for the session: the rows only have to be there and stay."""
        samples = {"integer": 1, "bigint": 1, "smallint": 1, "double precision": 1.5, "real": 1.5,
                   "numeric": 1, "date": "2024-01-02", "boolean": True, "jsonb": '{"k": 1}', "json": '{"k": 1}'}
        columns: dict[str, list[tuple]] = {}
        for schema, table, column, data_type, udt, length in self._query(name, """
                SELECT table_schema, table_name, column_name, data_type, udt_name, character_maximum_length
                FROM information_schema.columns ORDER BY table_schema, table_name, ordinal_position"""):
            columns.setdefault(self._key(schema, table), []).append((schema, table, column, data_type, udt, length))
        con = self._connect(self.dbname(name))
        try:
            with con.cursor() as cur:
                cur.execute("SET session_replication_role = replica")
                for key in (t for t in tables if t in columns):
                    row = []
                    for schema, table, column, data_type, udt, length in columns[key]:
                        if data_type == "USER-DEFINED":
                            cur.execute(f'SELECT (enum_range(NULL::"{schema}"."{udt}"))[1]::text')
                            row.append(cur.fetchone()[0])
                        elif data_type.startswith("timestamp"):
                            row.append("2024-01-02 03:04:05")
                        else:
                            row.append(samples.get(data_type, f"{table}.{column}"[:length or None]))
                    schema, table = columns[key][0][:2]
                    names = ", ".join(f'"{c[2]}"' for c in columns[key])
                    cur.execute(f'INSERT INTO "{schema}"."{table}" ({names}) OVERRIDING SYSTEM VALUE '
                                f'VALUES ({", ".join(["%s"] * len(row))})', row)
            con.commit()
        finally:
            con.close()

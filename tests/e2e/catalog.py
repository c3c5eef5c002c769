"""The tables of the AssetIQ plant and hq databases, as the end-to-end suite models them.

The ownership lists are Rule 4 of the sync workflow (../shared/seed, "Migration Target
Awareness"), written out here on purpose rather than read from target_maps/assetiq.toml: the
suite is the independent spec the built-in map is checked against.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

PLANT_TABLES = (
    "users", "stop_queue", "plc_config", "plc_tags", "tickets", "ticket_activities",
    "event_outbox", "email_queue", "whatsapp_queue", "ingest_dedup", "timeline_events",
    "audit_log", "dead_letter", "assets", "master_types", "master_items",
    "reason_suggestions", "report_requests", "stations", "system_config",
)
HQ_TABLES = (
    "hq_plants", "applied_correlation", "dead_letter", "rollup_daily",
    "ticket_snapshot", "hq_timeline_event", "stop_reason_daily",
    "email_queue", "report_job", "hq_insight_daily", "hq_users",
)
OWNERS = {"plant": PLANT_TABLES, "hq": HQ_TABLES}
SHARED_TABLES = tuple(t for t in PLANT_TABLES if t in HQ_TABLES)


def other_target(target: str) -> str:
    return "hq" if target == "plant" else "plant"


def foreign_tables(target: str) -> frozenset[str]:
    """Tables another target owns and this one does not: the only ones alembic-fix may remove."""
    return frozenset(OWNERS[other_target(target)]) - frozenset(OWNERS[target])


@dataclass(frozen=True)
class Col:
    name: str
    type: str                 # SQLAlchemy type as source text, e.g. "String(255)"
    nullable: bool = True
    index: bool = False       # Column(index=True): SQLAlchemy names it ix_<table>_<column>
    unique: bool = False
    fk: str | None = None     # "table.column"
    primary_key: bool = False
    server_default: str | None = None  # SQL text: server_default=text(...)
    generated: str | None = None       # "Identity()" or "Sequence('name')"

    def render(self) -> str:
        parts = [repr(self.name), self.type]
        if self.generated:
            parts.append(self.generated)
        if self.fk:
            parts.append(f"ForeignKey({self.fk!r})")
        if self.server_default:
            parts.append(f"server_default=text({self.server_default!r})")
        if self.primary_key:
            parts.append("primary_key=True")
        elif not self.nullable:
            parts.append("nullable=False")
        if self.index:
            parts.append("index=True")
        if self.unique:
            parts.append("unique=True")
        return f"Column({', '.join(parts)})"


@dataclass(frozen=True)
class Idx:
    name: str
    columns: tuple[str, ...]
    unique: bool = False

    def render(self) -> str:
        args = [repr(self.name), *map(repr, self.columns)]
        if self.unique:
            args.append("unique=True")
        return f"Index({', '.join(args)})"


@dataclass(frozen=True)
class TableDef:
    name: str
    columns: tuple[Col, ...]
    indexes: tuple[Idx, ...] = field(default=())
    schema: str | None = None  # Table(..., schema=...): plant and hq as schemas of one database

    @property
    def key(self) -> str:
        """How the databases (cells.py) and the maps name it: `table`, or `schema.table`."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def in_schema(self, schema: str) -> "TableDef":
        """The same table in `schema`, its foreign keys pointing into that schema too."""
        columns = tuple(replace(c, fk=f"{schema}.{c.fk}") if c.fk else c for c in self.columns)
        return replace(self, columns=columns, schema=schema)

    def index_names(self) -> set[str]:
        # SQLAlchemy's ix_%(column_0_label)s: the label holds the schema too.
        prefix = f"ix_{self.schema}_{self.name}" if self.schema else f"ix_{self.name}"
        names = {f"{prefix}_{c.name}" for c in self.columns if c.index}
        return names | {i.name for i in self.indexes}

    def with_column(self, col: Col) -> "TableDef":
        return replace(self, columns=self.columns + (col,))

    def render(self) -> str:
        lines = [f"{self.name} = Table(", f"    {self.name!r},", "    metadata,"]
        lines += [f"    {c.render()}," for c in self.columns]
        lines += [f"    {i.render()}," for i in self.indexes]
        if self.schema:
            lines.append(f"    schema={self.schema!r},")
        lines.append(")")
        return "\n".join(lines)


def _pk() -> Col:
    return Col("id", "Integer", primary_key=True)


def _t(name: str, *columns: Col, indexes: tuple[Idx, ...] = ()) -> TableDef:
    return TableDef(name, columns, indexes)


# Shared tables are defined identically by both models, the way both apps declare them.
_TABLES = [
    # plant
    _t("users", _pk(), Col("email", "String(255)", nullable=False, index=True, unique=True),
       Col("name", "String(120)"), Col("role", "String(32)", nullable=False),
       Col("created_at", "DateTime")),
    _t("stations", _pk(), Col("name", "String(64)", nullable=False), Col("line", "String(32)")),
    _t("master_types", _pk(), Col("name", "String(64)", nullable=False, unique=True)),
    _t("master_items", _pk(), Col("master_type_id", "Integer", nullable=False, fk="master_types.id"),
       Col("name", "String(120)", nullable=False)),
    _t("assets", _pk(), Col("code", "String(64)", nullable=False, index=True, unique=True),
       Col("name", "String(200)"), Col("master_type_id", "Integer", fk="master_types.id"),
       Col("station_id", "Integer", fk="stations.id")),
    _t("stop_queue", _pk(), Col("station_id", "Integer", nullable=False, fk="stations.id"),
       Col("reason", "String(64)"), Col("created_at", "DateTime", nullable=False),
       indexes=(Idx("ix_stop_queue_station_created", ("station_id", "created_at")),)),
    _t("plc_config", _pk(), Col("station_id", "Integer", fk="stations.id"),
       Col("host", "String(64)", nullable=False), Col("port", "Integer")),
    _t("plc_tags", _pk(), Col("plc_config_id", "Integer", nullable=False, fk="plc_config.id"),
       Col("address", "String(64)", nullable=False), Col("name", "String(64)", index=True)),
    _t("tickets", _pk(), Col("asset_id", "Integer", fk="assets.id"),
       Col("title", "String(200)", nullable=False), Col("status", "String(20)", nullable=False, index=True),
       Col("opened_by", "Integer", fk="users.id"), Col("created_at", "DateTime")),
    _t("ticket_activities", _pk(), Col("ticket_id", "Integer", nullable=False, index=True, fk="tickets.id"),
       Col("user_id", "Integer", fk="users.id"), Col("body", "Text"), Col("created_at", "DateTime")),
    _t("event_outbox", _pk(), Col("topic", "String(64)", nullable=False, index=True),
       Col("payload", "Text"), Col("published_at", "DateTime")),
    _t("whatsapp_queue", _pk(), Col("phone", "String(32)", nullable=False), Col("body", "Text"),
       Col("sent_at", "DateTime")),
    _t("ingest_dedup", _pk(), Col("dedup_key", "String(128)", nullable=False, index=True, unique=True),
       Col("seen_at", "DateTime")),
    _t("timeline_events", _pk(), Col("asset_id", "Integer", nullable=False, index=True, fk="assets.id"),
       Col("ticket_id", "Integer", fk="tickets.id"), Col("kind", "String(32)", nullable=False),
       Col("source_ref", "String(64)"), Col("at", "DateTime", nullable=False),
       indexes=(Idx("ix_timeline_events_asset_at", ("asset_id", "at")),
                Idx("ux_timeline_events_source_ref", ("asset_id", "source_ref"), unique=True))),
    _t("audit_log", _pk(), Col("user_id", "Integer", fk="users.id"), Col("action", "String(64)", nullable=False),
       Col("at", "DateTime", index=True)),
    _t("reason_suggestions", _pk(), Col("station_id", "Integer", fk="stations.id"),
       Col("reason", "String(64)", nullable=False), Col("score", "Float")),
    _t("report_requests", _pk(), Col("kind", "String(32)", nullable=False),
       Col("requested_by", "Integer", fk="users.id"), Col("requested_at", "DateTime")),
    _t("system_config", Col("key", "String(64)", primary_key=True), Col("value", "Text")),
    # shared
    _t("dead_letter", _pk(), Col("source", "String(64)", nullable=False), Col("payload", "Text"),
       Col("error", "Text"), Col("failed_at", "DateTime", index=True)),
    _t("email_queue", _pk(), Col("recipient", "String(255)", nullable=False), Col("subject", "String(255)"),
       Col("body", "Text"), Col("sent_at", "DateTime"),
       indexes=(Idx("ix_email_queue_pending", ("sent_at", "recipient")),)),
    # hq
    _t("hq_plants", _pk(), Col("code", "String(32)", nullable=False, index=True, unique=True),
       Col("name", "String(200)", nullable=False), Col("region", "String(64)")),
    _t("hq_users", _pk(), Col("email", "String(255)", nullable=False, index=True, unique=True),
       Col("name", "String(120)")),
    _t("applied_correlation", _pk(), Col("plant_id", "Integer", nullable=False, fk="hq_plants.id"),
       Col("rule", "String(64)", nullable=False), Col("applied_at", "DateTime")),
    _t("rollup_daily", _pk(), Col("plant_id", "Integer", nullable=False, fk="hq_plants.id"),
       Col("day", "Date", nullable=False), Col("stops", "Integer"), Col("downtime_minutes", "Integer"),
       indexes=(Idx("ux_rollup_daily_plant_day", ("plant_id", "day"), unique=True),)),
    _t("ticket_snapshot", _pk(), Col("plant_id", "Integer", nullable=False, index=True, fk="hq_plants.id"),
       Col("ticket_id", "Integer", nullable=False), Col("status", "String(20)"), Col("taken_at", "DateTime")),
    _t("hq_timeline_event", _pk(), Col("plant_id", "Integer", nullable=False, index=True, fk="hq_plants.id"),
       Col("kind", "String(32)", nullable=False), Col("source_ref", "String(64)"),
       Col("at", "DateTime", nullable=False, index=True),
       indexes=(Idx("ix_hq_timeline_event_plant_at", ("plant_id", "at")),
                Idx("ux_hq_timeline_event_source_ref", ("plant_id", "source_ref"), unique=True))),
    _t("stop_reason_daily", _pk(), Col("plant_id", "Integer", nullable=False, fk="hq_plants.id"),
       Col("day", "Date", nullable=False), Col("reason", "String(64)"), Col("count", "Integer")),
    _t("report_job", _pk(), Col("kind", "String(32)", nullable=False),
       Col("status", "String(20)", index=True), Col("created_at", "DateTime")),
    _t("hq_insight_daily", _pk(), Col("plant_id", "Integer", fk="hq_plants.id"),
       Col("day", "Date", nullable=False), Col("insight", "Text")),
    # in no map: an old table the plant app once had
    _t("legacy_sessions", _pk(), Col("token", "String(64)", nullable=False, index=True),
       Col("user_id", "Integer"), Col("expires_at", "DateTime")),
]
TABLES: dict[str, TableDef] = {t.name: t for t in _TABLES}
assert set(PLANT_TABLES) | set(HQ_TABLES) <= set(TABLES)

# The shapes PostgreSQL projects write (issue 12): named enum types, server defaults, JSONB,
# TIMESTAMP WITH TIME ZONE, identity and sequence columns. Same names, so the maps hold.
_NOW = "now()"
PG_TABLES: dict[str, TableDef] = {t.name: t for t in [
    _t("tickets", Col("id", "Integer", primary_key=True, generated="Identity()"),
       Col("asset_id", "Integer", fk="assets.id"), Col("title", "String(200)", nullable=False),
       Col("status", "Enum('open', 'closed', name='ticket_status')", nullable=False, server_default="'open'"),
       Col("details", "JSONB"), Col("created_at", "DateTime(timezone=True)", server_default=_NOW)),
    _t("reason_suggestions", Col("id", "Integer", primary_key=True, generated="Identity()"),
       Col("source", "Enum('manual', 'model', name='suggestion_source')", nullable=False),
       Col("features", "JSONB", server_default="'{}'::jsonb"), Col("score", "Float")),
    _t("hq_plants", Col("id", "Integer", primary_key=True, generated="Identity()"),
       Col("code", "String(32)", nullable=False, index=True, unique=True),
       Col("status", "Enum('active', 'retired', name='hq_plant_status')", nullable=False, server_default="'active'"),
       Col("settings", "JSONB", server_default="'{}'::jsonb"),
       Col("created_at", "DateTime(timezone=True)", nullable=False, server_default=_NOW)),
    _t("rollup_daily", Col("id", "Integer", primary_key=True, generated="Sequence('rollup_daily_id_seq')"),
       Col("plant_id", "Integer", nullable=False, fk="hq_plants.id"), Col("day", "Date", nullable=False),
       Col("metrics", "JSONB"), indexes=(Idx("ux_rollup_daily_plant_day", ("plant_id", "day"), unique=True),)),
    _t("report_job", Col("id", "BigInteger", primary_key=True, generated="Identity(always=True)"),
       Col("status", "Enum('queued', 'done', name='report_job_status')", index=True),
       Col("created_at", "DateTime(timezone=True)", server_default=_NOW)),
]}

MODEL_HEADER = '''"""{target} models (written by tests/e2e; only the metadata matters to Alembic)."""
from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Enum, Float, ForeignKey, Identity, Index,
                        Integer, MetaData, Sequence, String, Table, Text, text)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
'''


def render_models(target: str, tables: list[TableDef]) -> str:
    body = "\n\n".join(t.render() for t in tables)
    return MODEL_HEADER.format(target=target) + "\n" + body + "\n"

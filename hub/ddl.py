"""Schema generation: a stream's JSON Schema document and CREATE TABLE DDL for PostgreSQL.

Both start from the discovered stream (`StreamInfo`) and use a sample of records where the
discovery says too little:

- each property keeps the connector's JSON Schema; fields that appear only in the sample are added
  with the schema inferred from their values (`hub.schema.infer_schema`);
- a column's PostgreSQL type is the connector's ``x-pg-type`` when it has one (live databases: the
  exact type, ``numeric(12,2)``, ``text[]``...). Otherwise it follows the JSON Schema
  (``integer`` -> ``bigint``, ``number`` -> ``double precision`` or ``numeric`` for ``format: decimal``,
  ``date-time`` -> ``timestamp with time zone`` or ``without`` by ``airbyte_type``, ``object``/``array`` ->
  ``jsonb``...), and when the schema allows several types (or none) the sample decides;
- columns without ``null`` in their type, and primary-key columns, are ``NOT NULL``; enum properties
  get a ``CHECK`` constraint listing the values.

Identifiers are always double-quoted (embedded quotes doubled), literals single-quoted; a type string
that does not look like a PostgreSQL type name is never copied into the DDL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hub.models import StreamInfo
from hub.schema import infer_schema, types_of

_PG_TYPE_RE = re.compile(
    r"^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*(\(\d+(\s*,\s*-?\d+)?\))?( with(out)? time zone)?(\[\])*$"
)
_NON_STRUCTURAL = ("x-sql-type", "x-pg-type")


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, always quoted; embedded double quotes are doubled."""
    return '"' + name.replace("\x00", "").replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A PostgreSQL string literal."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"


def stream_json_schema(stream: StreamInfo, records: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The stream's JSON Schema document (draft 7), with fields only the sample shows added."""
    doc: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": stream.name,
        "type": "object",
    }
    declared = dict(stream.json_schema.get("properties") or {})
    rows = list(records)
    if rows:
        inferred = infer_schema(rows).get("properties") or {}
        for name, prop in inferred.items():
            if name not in declared:
                declared[name] = prop
    doc["properties"] = declared
    if stream.primary_key:
        doc["x-primary-key"] = list(stream.primary_key)
    if stream.cursor_field:
        doc["x-cursor-field"] = stream.cursor_field
    if stream.namespace:
        doc["x-namespace"] = stream.namespace
    if stream.json_schema.get("description"):
        doc["description"] = stream.json_schema["description"]
    return doc


def _from_values(values: Sequence[Any]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "bigint"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double precision"
    if all(isinstance(v, dict | list) for v in present):
        return "jsonb"
    if all(isinstance(v, str) for v in present):
        inferred = infer_schema([{"v": v} for v in present])["properties"]["v"]
        return _from_schema(inferred, []) or "text"
    return "text"


def _from_schema(prop: Mapping[str, Any], values: Sequence[Any]) -> str | None:
    types = types_of(prop) - {"null"}
    if len(types) != 1:
        return None
    (t,) = types
    fmt = prop.get("format")
    if t == "integer":
        hi = prop.get("maximum")
        if isinstance(hi, int) and hi > 2**63 - 1:
            return "numeric(20,0)"
        return "bigint"
    if t == "number":
        return "numeric" if fmt == "decimal" else "double precision"
    if t == "boolean":
        return "boolean"
    if t in ("object", "array"):
        return "jsonb"
    if t == "string":
        if fmt == "date-time":
            no_tz = prop.get("airbyte_type") == "timestamp_without_timezone"
            return "timestamp without time zone" if no_tz else "timestamp with time zone"
        if fmt == "decimal":
            return "numeric"
        if fmt == "date":
            return "date"
        if fmt == "time":
            return "time with time zone" if prop.get("airbyte_type") == "time_with_timezone" else "time"
        if fmt == "uuid":
            return "uuid"
        if fmt == "duration":
            return "interval"
        if prop.get("contentEncoding") == "base64":
            return "bytea"
        return "text"
    return None


def pg_type(prop: Mapping[str, Any], values: Sequence[Any] = ()) -> str:
    """The PostgreSQL type for a property (see the module docstring)."""
    declared = prop.get("x-pg-type")
    if isinstance(declared, str) and _PG_TYPE_RE.match(declared.strip().lower()):
        return declared.strip().lower()
    return _from_schema(prop, values) or _from_values(values)


def _nullable(prop: Mapping[str, Any]) -> bool:
    types = types_of(prop)
    return not types or "null" in types


def _enum_check(name: str, prop: Mapping[str, Any], typ: str) -> str | None:
    values = [v for v in prop.get("enum") or [] if isinstance(v, str)]
    if values and not typ.endswith("[]"):
        return f"CHECK ({quote_ident(name)} IN ({', '.join(quote_literal(v) for v in values)}))"
    items = prop.get("items") if isinstance(prop.get("items"), Mapping) else None
    values = [v for v in (items or {}).get("enum") or [] if isinstance(v, str)]
    if values and typ == "text[]":
        listed = ", ".join(quote_literal(v) for v in values)
        return f"CHECK ({quote_ident(name)} <@ ARRAY[{listed}]::text[])"
    return None


def table_name(stream: StreamInfo) -> str:
    """The quoted (schema-qualified when the stream name says so) table name."""
    ns = stream.namespace
    if ns and stream.name.startswith(ns + "."):
        return f"{quote_ident(ns)}.{quote_ident(stream.name[len(ns) + 1 :])}"
    return quote_ident(stream.name)


def create_table(stream: StreamInfo, records: Iterable[Mapping[str, Any]] = ()) -> str:
    """``CREATE TABLE`` for PostgreSQL holding this stream's records."""
    rows = list(records)
    props = stream_json_schema(stream, rows)["properties"]
    keys = set(stream.primary_key)
    lines: list[str] = []
    checks: list[str] = []
    for name, prop in props.items():
        values = [r.get(name) for r in rows]
        typ = pg_type(prop, values)
        not_null = name in keys or not _nullable(prop)
        lines.append(f"    {quote_ident(name)} {typ}{' NOT NULL' if not_null else ''}")
        check = _enum_check(name, prop, typ)
        if check:
            checks.append(f"    {check}")
    if stream.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(quote_ident(k) for k in stream.primary_key)})")
    body = ",\n".join(lines + checks)
    return f"CREATE TABLE {table_name(stream)} (\n{body}\n);"


__all__ = [
    "create_table",
    "export",
    "pg_type",
    "quote_ident",
    "quote_literal",
    "stream_json_schema",
    "table_name",
]


def export(samples: Sequence[tuple[StreamInfo, Sequence[Mapping[str, Any]]]], fmt: str = "json") -> str:
    """Streams (each with its sample) as one JSON document or as a SQL script.

    ``json``: the stream's JSON Schema document when there is one stream, else an array of them.
    ``sql``: one ``CREATE TABLE`` per stream, each after a comment naming the stream.
    """
    import json

    if fmt == "json":
        docs = [stream_json_schema(s, rows) for s, rows in samples]
        return json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False, default=str)
    if fmt == "sql":
        parts = []
        for s, rows in samples:
            parts.append(
                f"-- stream {s.name}: {len(s.json_schema.get('properties') or {})} columns, "
                f"sample of {len(rows)} records\n{create_table(s, rows)}"
            )
        return "\n\n".join(parts)
    raise ValueError(f"unknown format {fmt!r}")

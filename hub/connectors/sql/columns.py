"""Database column types -> JSON Schema, PostgreSQL DDL types, and JSON-safe values.

Every column the SQL connectors discover becomes a `Column`: its JSON Schema property (what the
catalogue, the preview and Airbyte see), the PostgreSQL type a copy of it would get (``hub.ddl``), how
the value is selected (as is, cast to text, truncated in SQL) and how a fetched value becomes
JSON-safe.

Precision of numerics (the choice the issue asks us to document): a ``numeric``/``decimal`` column
whose declared precision is at most 15 digits is ``{"type": "number"}`` and its values are floats; a
double holds every such value exactly enough to print it back (``numeric(12,2)`` money round-trips).
A numeric with more than 15 digits, or with no declared precision at all (PostgreSQL's plain
``numeric``), is ``{"type": "string", "format": "decimal"}`` and its values are the exact decimal
text, so no digit is ever lost; the DataFrame shows it as text. ``NaN``/``Infinity`` are null in
number columns (JSON has no such numbers) and stay ``"NaN"``/``"Infinity"`` in decimal-text columns.

Mapping (JSON Schema property; every nullable column also allows ``null``):

==========================================  ===================================================
database type                               JSON Schema
==========================================  ===================================================
smallint, integer, bigint (MySQL also       ``integer`` (unsigned: ``minimum`` 0 and ``maximum``)
unsigned, mediumint, year), serials
numeric/decimal(p<=15)                      ``number``
numeric/decimal(p>15 or no precision)       ``string`` + ``format: decimal``
real, double, float, money                  ``number``
boolean, MySQL tinyint(1)                   ``boolean``
text, varchar(n), char(n), citext, name     ``string`` (``maxLength`` n when declared)
date                                        ``string`` + ``format: date``
timestamp without time zone, MySQL          ``string`` + ``format: date-time`` +
DATETIME                                    ``airbyte_type: timestamp_without_timezone``
timestamp with time zone, MySQL TIMESTAMP   ``string`` + ``format: date-time`` +
(session time zone UTC)                     ``airbyte_type: timestamp_with_timezone``
time / timetz / MySQL TIME                  ``string`` + ``format: time``
interval                                    ``string`` + ``format: duration`` (ISO 8601)
uuid                                        ``string`` + ``format: uuid``
json, jsonb, MariaDB JSON                   ``object`` / ``array`` / any JSON value
arrays                                      ``array`` with ``items`` of the element type
enum, MySQL ENUM                            ``string`` with ``enum`` (the labels in order)
MySQL SET                                   ``array`` of ``string`` with ``enum`` items
domain                                      the domain's base type
bytea, blob, binary, varbinary              ``string`` + ``contentEncoding: base64``
tsvector, inet, ranges, geometry, xml,      ``string`` (PostgreSQL renders the value as text)
anything unknown
==========================================  ===================================================

Each property also carries ``x-sql-type`` (the type as the database declares it) and ``x-pg-type``
(the PostgreSQL type for a copy; used by ``hub.ddl``). Generated columns are ``readOnly``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Longest text shown in a preview (characters); longer values end with an ellipsis.
from hub.connectors.sql.values import (
    CONVERTERS,
    FLOAT_SAFE_DIGITS,
    JSON_ANY,
    TEXT_LIMIT,
    Converter,
    json_safe,
)


@dataclass
class Column:
    """One discovered column and how to read it.

    Attributes:
        name: the column name as the database spells it.
        sql_type: the type as declared (``numeric(12,2)``, ``enum('a','b')``...).
        nullable: whether NULL is allowed.
        schema: the JSON Schema property, without ``null`` (see `Column.json_schema`).
        pg_type: the PostgreSQL type a copy of this column gets.
        kind: how a fetched value is converted (a key of `CONVERTERS`).
        select_as: ``raw``, ``text`` (cast to text), ``text[]``, ``numeric``, ``substr`` (truncated in SQL)
            or ``iso`` (PostgreSQL renders a timestamp as ISO 8601 text itself: faster than Python, and
            ``infinity`` survives).
        generated: a generated (computed) column.
        pk_position: 1-based position in the primary key, or None.

    """

    name: str
    sql_type: str
    nullable: bool
    schema: dict[str, Any]
    pg_type: str
    kind: str = "any"
    select_as: str = "raw"
    generated: bool = False
    pk_position: int | None = None
    comment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema property: nullable columns allow ``null`` (also in ``enum``)."""
        prop = dict(self.schema)
        if self.nullable:
            t = prop.get("type")
            if isinstance(t, str):
                prop["type"] = [t, "null"]
            elif isinstance(t, list) and "null" not in t:
                prop["type"] = [*t, "null"]
            if "enum" in prop and None not in prop["enum"]:
                prop["enum"] = [*prop["enum"], None]
        if self.generated:
            prop["readOnly"] = True
        if self.comment:
            prop["description"] = self.comment
        prop["x-sql-type"] = self.sql_type
        prop["x-pg-type"] = self.pg_type
        return prop

    def converter(self) -> Converter:
        """The function that turns a fetched value into a JSON-safe one."""
        return CONVERTERS.get(self.kind, json_safe)


# --------------------------------------------------------------------------- helpers


def _numeric_schema(precision: int | None, scale: int | None) -> tuple[dict[str, Any], str]:
    """JSON Schema and converter kind of a numeric/decimal with this precision (see module doc)."""
    if precision is not None and precision <= FLOAT_SAFE_DIGITS:
        return {"type": "number"}, "number"
    return {"type": "string", "format": "decimal"}, "decimal"


def _ts(with_tz: bool) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date-time",
        "airbyte_type": "timestamp_with_timezone" if with_tz else "timestamp_without_timezone",
    }


# --------------------------------------------------------------------------- PostgreSQL

_PG_INT = {"int2": "smallint", "int4": "integer", "int8": "bigint", "oid": "bigint", "xid": "bigint"}
_PG_FLOAT = {"float4": "real", "float8": "double precision"}
_PG_TEXT = {"text", "varchar", "bpchar", "char", "name", "citext"}
_TYPMOD_RE = re.compile(r"\((\d+)(?:\s*,\s*(-?\d+))?\)")


def _typmod(declared: str) -> tuple[int | None, int | None]:
    m = _TYPMOD_RE.search(declared or "")
    if not m:
        return None, None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) is not None else None)


@dataclass
class _Mapped:
    schema: dict[str, Any]
    pg_type: str
    kind: str
    select_as: str = "raw"


def _pg_scalar(typname: str, typtype: str, declared: str, labels: list[str] | None) -> _Mapped:
    """Map one non-array PostgreSQL type (a domain already resolved to its base type)."""
    if typtype == "e":
        return _Mapped({"type": "string", "enum": list(labels or [])}, "text", "text")
    if typname in _PG_INT:
        return _Mapped({"type": "integer"}, _PG_INT[typname], "integer")
    if typname == "numeric":
        p, s = _typmod(declared)
        num_schema, kind = _numeric_schema(p, s)
        pg = f"numeric({p},{s or 0})" if p is not None else "numeric"
        return _Mapped(num_schema, pg, kind)
    if typname in _PG_FLOAT:
        return _Mapped({"type": "number"}, _PG_FLOAT[typname], "number")
    if typname == "money":
        return _Mapped({"type": "number"}, "numeric(19,2)", "number", "numeric")
    if typname == "bool":
        return _Mapped({"type": "boolean"}, "boolean", "boolean")
    if typname in _PG_TEXT:
        length, _ = _typmod(declared)
        schema: dict[str, Any] = {"type": "string"}
        if length is not None and typname in ("varchar", "bpchar"):
            schema["maxLength"] = length
        pg = "text" if typname in ("name", "citext", "text") else declared
        if typname == "char":  # the internal one-byte "char"
            pg = "text"
        unbounded = length is None or length > TEXT_LIMIT
        return _Mapped(schema, pg, "text", "substr" if unbounded and typname != "char" else "raw")
    if typname == "date":
        return _Mapped({"type": "string", "format": "date"}, "date", "any")
    if typname == "timestamp":
        return _Mapped(_ts(False), "timestamp without time zone", "datetime", "iso")
    if typname == "timestamptz":
        return _Mapped(_ts(True), "timestamp with time zone", "datetime_tz", "iso")
    if typname == "time":
        return _Mapped(
            {"type": "string", "format": "time", "airbyte_type": "time_without_timezone"},
            "time without time zone",
            "any",
        )
    if typname == "timetz":
        return _Mapped(
            {"type": "string", "format": "time", "airbyte_type": "time_with_timezone"},
            "time with time zone",
            "any",
        )
    if typname == "interval":
        # cast to text in a session with IntervalStyle iso_8601: exact (months stay months)
        return _Mapped({"type": "string", "format": "duration"}, "interval", "text", "text")
    if typname == "uuid":
        return _Mapped({"type": "string", "format": "uuid"}, "uuid", "any")
    if typname in ("json", "jsonb"):
        return _Mapped({"type": list(JSON_ANY)}, "jsonb", "json")
    if typname == "bytea":
        return _Mapped({"type": "string", "contentEncoding": "base64"}, "bytea", "binary", "substr")
    if typname in ("inet", "cidr", "macaddr", "macaddr8"):
        return _Mapped({"type": "string"}, typname, "text", "text")
    if typname == "tsvector":
        return _Mapped({"type": "string"}, "tsvector", "text", "text")
    # ranges, geometry, xml, bit strings, hstore, user-defined types...: PostgreSQL renders them as text
    return _Mapped({"type": "string"}, "text", "text", "text")


_PG_NATIVE_ARRAY_ELEMS = (
    set(_PG_INT)
    | set(_PG_FLOAT)
    | _PG_TEXT
    | {
        "numeric",
        "bool",
        "date",
        "timestamp",
        "timestamptz",
        "time",
        "timetz",
        "uuid",
        "json",
        "jsonb",
        "bytea",
    }
)


def pg_column(row: Mapping[str, Any]) -> Column:
    """A `Column` from one row of the PostgreSQL columns catalog query (see ``sql.catalog``)."""
    declared = row["declared"]
    if row["is_array"] and row["elem_name"] is not None:
        elem = _pg_scalar(
            row["elem_name"], row["elem_kind"] or "b", row["elem_declared"] or "", row["labels"]
        )
        native = row["elem_name"] in _PG_NATIVE_ARRAY_ELEMS and row["elem_kind"] != "e"
        pg_elem = elem.pg_type
        mapped = _Mapped(
            {"type": "array", "items": elem.schema},
            f"{pg_elem}[]",
            "any",
            "raw" if native else "text[]",
        )
    else:
        mapped = _pg_scalar(
            row["base_name"], row["base_kind"], row["base_declared"] or declared, row["labels"]
        )
    return Column(
        name=row["column"],
        sql_type=declared,
        nullable=bool(row["nullable"]),
        schema=mapped.schema,
        pg_type=mapped.pg_type,
        kind=mapped.kind,
        select_as=mapped.select_as,
        generated=bool(row["generated"]),
        pk_position=row["pk_pos"],
        comment=row.get("comment"),
    )


# --------------------------------------------------------------------------- MySQL / MariaDB

_MY_INT_MAX = {
    "tinyint": (127, 255, "smallint", "smallint"),
    "smallint": (32767, 65535, "smallint", "integer"),
    "mediumint": (8388607, 16777215, "integer", "integer"),
    "int": (2147483647, 4294967295, "integer", "bigint"),
    "integer": (2147483647, 4294967295, "integer", "bigint"),
    "bigint": (9223372036854775807, 18446744073709551615, "bigint", "numeric(20,0)"),
}
_MY_TEXT = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}
_MY_BINARY = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
_ENUM_RE = re.compile(r"'((?:[^'\\]|''|\\.)*)'")


def parse_enum_values(column_type: str) -> list[str]:
    """The labels of a MySQL ``enum('a','b')``/``set(...)`` column type (quotes doubled inside)."""
    inner = column_type[column_type.index("(") + 1 : column_type.rindex(")")] if "(" in column_type else ""
    return [m.group(1).replace("''", "'").replace("\\\\", "\\") for m in _ENUM_RE.finditer(inner)]


def mysql_column(row: Mapping[str, Any]) -> Column:
    """A `Column` from one row of the MySQL columns catalog query."""
    data_type = str(row["data_type"]).lower()
    column_type = str(row["column_type"])
    ct = column_type.lower()
    unsigned = "unsigned" in ct
    m: _Mapped
    if row.get("is_json") or data_type == "json":
        m = _Mapped({"type": list(JSON_ANY)}, "jsonb", "json")
    elif data_type == "tinyint" and ct.startswith("tinyint(1)") and not unsigned:
        m = _Mapped({"type": "boolean"}, "boolean", "boolean")  # Airbyte's convention for tinyint(1)
    elif data_type in _MY_INT_MAX:
        _, umax, pg_signed, pg_unsigned = _MY_INT_MAX[data_type]
        schema: dict[str, Any] = {"type": "integer"}
        if unsigned:
            schema.update(minimum=0, maximum=umax)
        m = _Mapped(schema, pg_unsigned if unsigned else pg_signed, "integer")
    elif data_type == "year":
        m = _Mapped({"type": "integer"}, "smallint", "integer")
    elif data_type == "bit":
        p, _ = _typmod(ct)
        m = (
            _Mapped({"type": "boolean"}, "boolean", "boolean")
            if p == 1
            else _Mapped({"type": "integer"}, "bigint", "integer")
        )
    elif data_type in ("decimal", "numeric"):
        p, s = row.get("precision"), row.get("scale")
        p = int(p) if p is not None else None
        schema, kind = _numeric_schema(p, s)
        m = _Mapped(schema, f"numeric({p},{int(s or 0)})" if p else "numeric", kind)
    elif data_type in ("float", "double", "real"):
        m = _Mapped({"type": "number"}, "real" if data_type == "float" else "double precision", "number")
    elif data_type in _MY_TEXT:
        length = row.get("max_length")
        schema = {"type": "string"}
        if data_type in ("char", "varchar") and length is not None:
            schema["maxLength"] = int(length)
        unbounded = length is None or int(length) > TEXT_LIMIT
        pg = (
            f"varchar({int(length)})"
            if data_type == "varchar" and length
            else (f"char({int(length)})" if data_type == "char" and length else "text")
        )
        m = _Mapped(schema, pg, "text", "substr" if unbounded else "raw")
    elif data_type in _MY_BINARY:
        m = _Mapped(
            {"type": "string", "contentEncoding": "base64"},
            "bytea",
            "binary",
            "substr" if data_type not in ("binary", "varbinary") else "raw",
        )
    elif data_type == "enum":
        m = _Mapped({"type": "string", "enum": parse_enum_values(column_type)}, "text", "text")
    elif data_type == "set":
        m = _Mapped(
            {
                "type": "array",
                "items": {"type": "string", "enum": parse_enum_values(column_type)},
                "uniqueItems": True,
            },
            "text[]",
            "mysql_set",
        )
    elif data_type == "date":
        m = _Mapped({"type": "string", "format": "date"}, "date", "any")
    elif data_type == "datetime":
        m = _Mapped(_ts(False), "timestamp without time zone", "datetime")
    elif data_type == "timestamp":
        m = _Mapped(_ts(True), "timestamp with time zone", "datetime_tz")
    elif data_type == "time":
        m = _Mapped(
            {"type": "string", "format": "time", "airbyte_type": "time_without_timezone"},
            "interval",
            "mysql_time",
        )
    else:  # geometry, inet6, uuid (MariaDB), anything new: shown as text
        m = _Mapped({"type": "string"}, "text", "any")
    return Column(
        name=row["column"],
        sql_type=column_type,
        nullable=str(row["nullable"]).upper() == "YES",
        schema=m.schema,
        pg_type=m.pg_type,
        kind=m.kind,
        select_as=m.select_as,
        generated="GENERATED" in str(row.get("extra") or "").upper(),
        pk_position=row.get("pk_pos"),
        comment=row.get("comment") or None,
    )


# --------------------------------------------------------------------------- SQLite


def sqlite_column(name: str, declared: str, notnull: bool, pk_pos: int | None, hidden: int = 0) -> Column:
    """A `Column` from ``pragma_table_xinfo``: SQLite's type affinity rules on the declared type."""
    d = (declared or "").lower()
    m: _Mapped
    if "int" in d:
        m = _Mapped({"type": "integer"}, "bigint", "integer")
    elif "bool" in d:
        m = _Mapped({"type": "boolean"}, "boolean", "boolean")
    elif d.startswith(("timestamp", "datetime")):
        m = _Mapped({"type": "string", "format": "date-time"}, "timestamp without time zone", "any")
    elif d == "date":
        m = _Mapped({"type": "string", "format": "date"}, "date", "any")
    elif "json" in d:
        m = _Mapped({"type": list(JSON_ANY)}, "jsonb", "json")
    elif any(k in d for k in ("char", "clob", "text")):
        m = _Mapped({"type": "string"}, "text", "text", "substr")
    elif "blob" in d:
        m = _Mapped({"type": "string", "contentEncoding": "base64"}, "bytea", "binary", "substr")
    elif any(k in d for k in ("real", "floa", "doub")):
        m = _Mapped({"type": "number"}, "double precision", "number")
    elif any(k in d for k in ("dec", "num")):
        p, s = _typmod(d)
        schema, kind = _numeric_schema(p, s)
        m = _Mapped(
            schema if p else {"type": "number"},
            f"numeric({p},{s or 0})" if p else "numeric",
            kind if p else "number",
        )
    else:  # no declared type: any value; shown as it comes
        m = _Mapped({"type": ["integer", "number", "string"]}, "text", "any")
    return Column(
        name=name,
        sql_type=declared or "",
        nullable=not notnull and not pk_pos,
        schema=m.schema,
        pg_type=m.pg_type,
        kind=m.kind,
        select_as=m.select_as,
        generated=hidden in (2, 3),
        pk_position=pk_pos,
    )


# --------------------------------------------------------------------------- cursor suggestion

_CURSOR_PATTERNS = [
    re.compile(
        r"^(updated|modified|changed|last_?modified|last_?updated|last_?changed)(_?(at|on|date|time|ts))?$",
        re.IGNORECASE,
    ),
    re.compile(r"^systemmodstamp$", re.IGNORECASE),
    re.compile(r"(update|modif|chang)", re.IGNORECASE),
    re.compile(r"^(created|inserted)(_?(at|on|date|time|ts))?$", re.IGNORECASE),
]


def suggest_cursor(columns: list[Column]) -> str | None:
    """An updated_at-like timestamp column (else created_at-like), or None."""
    stamps = [c for c in columns if c.schema.get("format") in ("date-time", "date")]
    for pattern in _CURSOR_PATTERNS:
        for col in stamps:
            if pattern.search(col.name):
                return col.name
    return None


__all__ = ["Column", "mysql_column", "parse_enum_values", "pg_column", "sqlite_column", "suggest_cursor"]

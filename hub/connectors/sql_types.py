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

import base64
import math
import operator
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from itertools import repeat
from typing import Any

#: Longest text shown in a preview (characters); longer values end with an ellipsis.
TEXT_LIMIT = 1000
#: Longest binary value shown in a preview (bytes, before base64); longer values end with an ellipsis.
BINARY_LIMIT = 96
#: Numerics with at most this many digits are JSON numbers (floats); more digits stay exact strings.
FLOAT_SAFE_DIGITS = 15
ELLIPSIS = "…"

Converter = Callable[[Any], Any]


@dataclass
class Column:
    """One discovered column and how to read it.

    Attributes:
        name: the column name as the database spells it.
        sql_type: the type as declared (``numeric(12,2)``, ``enum('a','b')``...).
        nullable: whether NULL is allowed.
        schema: the JSON Schema property, without ``null`` (see `Column.json_schema`).
        pg_type: the PostgreSQL type a copy of this column gets.
        kind: how a fetched value is converted (a key of `_CONVERTERS`).
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
        return _CONVERTERS.get(self.kind, json_safe)


# --------------------------------------------------------------------------- JSON-safe values

_JSON_ANY = ["object", "array", "string", "number", "boolean"]


def _b64(raw: bytes | bytearray | memoryview) -> str:
    data = bytes(raw)
    if len(data) > BINARY_LIMIT:
        return base64.b64encode(data[:BINARY_LIMIT]).decode("ascii") + ELLIPSIS
    return base64.b64encode(data).decode("ascii")


def truncate_text(value: str) -> str:
    """``value`` cut to `TEXT_LIMIT` characters, with an ellipsis when it was longer."""
    return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + ELLIPSIS


def iso_duration(value: timedelta) -> str:
    """A `timedelta` as an ISO 8601 duration (``P1DT2H3M4.5S``; negative as ``-P...``)."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days = value.days
    secs = value.seconds
    micros = value.microseconds
    hours, rem = divmod(secs, 3600)
    minutes, seconds = divmod(rem, 60)
    out = f"{sign}P{days}D" if days else f"{sign}P"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or micros or not (days or hours or minutes):
        clock += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S" if micros else f"{seconds}S"
    return out + ("T" + clock if clock else "")


def clock_time(value: timedelta) -> str:
    """A MySQL TIME (a `timedelta` that may exceed 24 h or be negative) as ``[-]HH:MM:SS[.ffffff]``."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    total = value.days * 86400 + value.seconds
    hours, rem = divmod(total, 3600)
    minutes, seconds = divmod(rem, 60)
    frac = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}{frac}"


def _float(value: float) -> float | None:
    # JSON has no NaN or Infinity: a number column shows them as null (decimal-text columns keep "NaN")
    return value if math.isfinite(value) else None


def json_safe(value: Any) -> Any:
    """Any value a driver returns, as something `json.dumps` accepts (strict: no NaN)."""
    if value is None or isinstance(value, bool | int | str):
        return truncate_text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Decimal):
        return _decimal_number(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return _b64(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, Enum):
        return json_safe(value.value)
    if _is_range(value):
        return _range_text(value)
    return truncate_text(str(value))


def _is_range(value: Any) -> bool:
    return all(hasattr(value, a) for a in ("lower", "upper", "bounds", "isempty"))


def _range_text(value: Any) -> str:
    if value.isempty:
        return "empty"
    lower = "" if value.lower is None else json_safe(value.lower)
    upper = "" if value.upper is None else json_safe(value.upper)
    return f"{value.bounds[0]}{lower},{upper}{value.bounds[1]}"


def _decimal_number(value: Decimal) -> float | None:
    return float(value) if value.is_finite() else None


def _decimal_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "NaN" if value.is_nan() else ("Infinity" if value > 0 else "-Infinity")
        return format(value, "f")
    return json_safe(value)


def _number(value: Any) -> Any:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Decimal):
        return _decimal_number(value)
    return json_safe(value)


def _integer(value: Any) -> Any:
    if value is None or type(value) is int:
        return value
    if isinstance(value, bytes):  # MySQL BIT(n)
        return int.from_bytes(value, "big")
    return json_safe(value)


def _boolean(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return json_safe(value)


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + ELLIPSIS
    return json_safe(value)


def _binary(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return _b64(value)
    return json_safe(value)


def _naive_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return json_safe(value)


def _utc_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # MySQL TIMESTAMP read in a UTC session
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return json_safe(value)


def _mysql_time(value: Any) -> Any:
    if isinstance(value, timedelta):
        return clock_time(value)
    return json_safe(value)


def _mysql_set(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return json_safe(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, str):  # MySQL/MariaDB and SQLite hand JSON over as text
        import json

        try:
            return json_safe(json.loads(value))
        except ValueError:
            return truncate_text(value)
    return json_safe(value)


_CONVERTERS: dict[str, Converter] = {
    "integer": _integer,
    "number": _number,
    "decimal": _decimal_text,
    "boolean": _boolean,
    "text": _text,
    "binary": _binary,
    "datetime": _naive_datetime,
    "datetime_tz": _utc_datetime,
    "mysql_time": _mysql_time,
    "mysql_set": _mysql_set,
    "json": _json_value,
    "any": json_safe,
}


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
        return _Mapped({"type": list(_JSON_ANY)}, "jsonb", "json")
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
    """A `Column` from one row of the PostgreSQL columns catalog query (see ``sql_catalog``)."""
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
        m = _Mapped({"type": list(_JSON_ANY)}, "jsonb", "json")
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
        m = _Mapped({"type": list(_JSON_ANY)}, "jsonb", "json")
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


__all__ = [
    "BINARY_LIMIT",
    "FLOAT_SAFE_DIGITS",
    "TEXT_LIMIT",
    "Column",
    "clock_time",
    "convert_column",
    "iso_duration",
    "json_safe",
    "mysql_column",
    "parse_enum_values",
    "pg_column",
    "rows_to_records",
    "sqlite_column",
    "suggest_cursor",
    "truncate_text",
]


_NONE = type(None)


def _types(values: Sequence[Any]) -> set[type]:
    """The Python types in a column, ``None`` left out (one pass in C, no per-value Python code)."""
    types = set(map(type, values))
    types.discard(_NONE)
    return types


def _present(values: Sequence[Any]) -> Sequence[Any]:
    return [v for v in values if v is not None] if None in values else values


def convert_column(kind: str, values: Sequence[Any]) -> Sequence[Any]:
    """One fetched column made JSON-safe; columns the driver already hands over JSON-safe stay as they are.

    Column-wise with a cheap check first, because a per-value function call dominated the cost of a preview.
    """
    types = _types(values)
    if not types:
        return values  # only NULLs
    if kind == "integer" and types == {int}:
        return values
    if kind == "boolean" and types == {bool}:
        return values
    if kind == "text" and types == {str} and max(map(len, _present(values))) <= TEXT_LIMIT:
        return values
    if kind == "number" and types <= {float, int}:
        # a float column is JSON-safe when finite: x - x is 0.0 for finite x, NaN for NaN and infinities
        present = _present(values)
        floats = present if types == {float} else [v for v in present if type(v) is float]
        if not floats or math.isfinite(sum(map(operator.sub, floats, floats))):
            return values
    if kind in ("datetime", "datetime_tz", "any") and types == {str}:
        return values  # already ISO text (PostgreSQL formats timestamps itself, see ``select_as="iso"``)
    if (
        kind in ("datetime", "datetime_tz")
        and types == {datetime}
        and (kind == "datetime" or all(v is None or v.tzinfo is not None for v in values))
    ):
        return [None if v is None else v.isoformat() for v in values]
    conv = _CONVERTERS.get(kind, json_safe)
    return [None if v is None else conv(v) for v in values]


def rows_to_records(
    names: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[dict[str, Any]]:
    """Fetched rows as JSON-safe records (see `convert_column`)."""
    if not rows:
        return []
    raw = list(zip(*rows, strict=True))
    columns = [convert_column(kind, values) for kind, values in zip(kinds, raw, strict=True)]
    if len(raw) != len(names):
        raise ValueError(f"{len(names)} column names for rows of {len(raw)} values")
    # dict(zip(names, row)) per row, driven from C (every row has len(names) values: zip(*rows) checked it)
    if all(c is r for c, r in zip(columns, raw, strict=True)):  # nothing changed: skip rebuilding the rows
        return list(map(dict, map(zip, repeat(names), rows)))
    return list(map(dict, map(zip, repeat(names), zip(*columns, strict=True))))

"""Fetched database values made JSON-safe for previews: converters per column kind, column-wise.

Text longer than `TEXT_LIMIT` and binaries longer than `BINARY_LIMIT` end with an ellipsis; see
`hub.connectors.sql.columns` for which kind each database type gets.
"""

from __future__ import annotations

import base64
import math
import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
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


# --------------------------------------------------------------------------- JSON-safe values

JSON_ANY = ["object", "array", "string", "number", "boolean"]


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


CONVERTERS: dict[str, Converter] = {
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
    conv = CONVERTERS.get(kind, json_safe)
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


__all__ = [
    "BINARY_LIMIT",
    "CONVERTERS",
    "FLOAT_SAFE_DIGITS",
    "JSON_ANY",
    "TEXT_LIMIT",
    "Converter",
    "clock_time",
    "convert_column",
    "iso_duration",
    "json_safe",
    "rows_to_records",
    "truncate_text",
]

"""How a preview's columns are shown: one `ColumnSpec` per column, the display frame, and the downloads.

The preview page maps each `ColumnSpec` onto ``st.column_config`` (money formatted from cents, dates as
dates, links as links, JSON collapsed); the downloads keep the raw values. Pure functions over the
records, unit-tested without a running app.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from hub.models import StreamInfo

ColumnKind = Literal[
    "text",
    "integer",
    "number",
    "boolean",
    "money",
    "money_cents",
    "datetime",
    "unix_datetime",
    "date",
    "link",
    "json",
]

#: Sources whose integer amounts are in the currency's smallest unit (cents).
CENTS_SOURCES = frozenset({"stripe"})
_MONEY = re.compile(
    r"^(amount|amount_\w+|\w+_amount|total|subtotal|fee|net|balance|price|\w+_price|total_\w+|"
    r"annualrevenue|properties_amount|properties_annualrevenue|budget|spend|revenue)$",
    re.IGNORECASE,
)
_NOT_MONEY = re.compile(
    r"^(total_inventory|total_variants|total_users|totalusers|total_items|total_count)$", re.IGNORECASE
)
_TIMESTAMP_TYPES = frozenset({"timestamp_with_timezone", "timestamp_without_timezone"})
_UNIX = re.compile(
    r"^(created|updated|available_on|canceled_at|ended_at|trial_end|trial_start|start_date|period_start|"
    r"period_end|current_period_start|current_period_end|due_date|\w+_at|\w+_ts|ts|time)$",
    re.IGNORECASE,
)
_LINK = re.compile(r"^(url|\w+_url|website|permalink|link|href|homepage|page_url)$", re.IGNORECASE)
_YMD = re.compile(r"^\d{8}$")

_CURRENCY_FORMATS = {"usd": "dollar", "eur": "euro", "jpy": "yen"}


@dataclass(frozen=True)
class ColumnSpec:
    """How one preview column is shown (mapped onto ``st.column_config`` by the page)."""

    name: str
    kind: ColumnKind
    format: str | None = None
    help: str | None = None


def _types(prop: Mapping[str, Any]) -> set[str]:
    raw = prop.get("type", "string")
    return {raw} if isinstance(raw, str) else set(raw or [])


def _values(records: Sequence[Mapping[str, Any]], name: str) -> list[Any]:
    return [r.get(name) for r in records if r.get(name) is not None]


def _money_format(records: Sequence[Mapping[str, Any]]) -> str:
    currencies = {str(v).lower() for v in _values(records, "currency")}
    if len(currencies) == 1:
        return _CURRENCY_FORMATS.get(currencies.pop(), "%.2f")
    return "%.2f"


def column_specs(
    stream: StreamInfo, source_id: str, records: Sequence[Mapping[str, Any]] = ()
) -> list[ColumnSpec]:
    """One `ColumnSpec` per schema column, in schema order.

    Money from cents (Stripe's integer amounts), dates as dates (ISO strings, Unix seconds, GA4's
    ``YYYYMMDD``), links as links, objects and arrays as collapsed JSON.
    """
    specs: list[ColumnSpec] = []
    money_format = _money_format(records)
    for name, prop in (stream.json_schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, Mapping) else {}
        types = _types(prop) - {"null"}
        fmt = prop.get("format")
        values = _values(records, name)
        kind: ColumnKind = "text"
        spec_format: str | None = None
        helptext: str | None = prop.get("description") if isinstance(prop.get("description"), str) else None
        if types & {"object", "array"}:
            kind = "json"
        elif fmt == "date-time" or prop.get("airbyte_type") in _TIMESTAMP_TYPES:
            kind = "datetime"
        elif fmt == "date" or (name.lower() == "date" and values and all(_YMD.match(str(v)) for v in values)):
            kind = "date"
        elif fmt == "uri" or (_LINK.match(name) and "string" in types):
            kind = "link"
        elif "boolean" in types:
            kind = "boolean"
        elif (
            "integer" in types
            and _UNIX.match(name)
            and all(isinstance(v, int) and 100_000_000 <= v <= 4_000_000_000 for v in values)
        ):
            kind = "unix_datetime"
        elif _MONEY.match(name) and not _NOT_MONEY.match(name) and types & {"integer", "number", "string"}:
            if source_id in CENTS_SOURCES and "integer" in types:
                kind = "money_cents"
                helptext = helptext or "Shown in currency units; downloads keep the raw value in cents."
            elif types & {"integer", "number"} or all(_is_number(v) for v in values):
                kind = "money"
            spec_format = money_format if kind in {"money", "money_cents"} else None
        elif "integer" in types:
            kind = "integer"
        elif "number" in types:
            kind = "number"
        specs.append(ColumnSpec(name=name, kind=kind, format=spec_format, help=helptext))
    return specs


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _json_text(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def raw_frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """The records as they are (cents stay cents, timestamps stay as sent); objects as JSON text."""
    data = {col: [_json_text(r.get(col)) for r in records] for col in columns}
    return pd.DataFrame(data, columns=list(columns))


_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")


def _as_url(value: Any) -> str | None:
    """A link's target: ``shop.myshopify.com`` becomes ``https://shop.myshopify.com``."""
    if value is None:
        return None
    text = str(value).strip()
    if _DOMAIN.match(text):
        return f"https://{text}"
    return text


def _to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def display_frame(records: Sequence[Mapping[str, Any]], specs: Sequence[ColumnSpec]) -> pd.DataFrame:
    """The records converted for display according to ``specs`` (one column per spec, in order)."""
    data: dict[str, Any] = {}
    for spec in specs:
        values = [r.get(spec.name) for r in records]
        series: Any
        if spec.kind == "money_cents":
            cents = [_to_float(v) for v in values]
            series = pd.Series([None if c is None else c / 100 for c in cents], dtype="Float64")
        elif spec.kind in {"money", "number"}:
            series = pd.Series([_to_float(v) for v in values], dtype="Float64")
        elif spec.kind == "integer":
            ints = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in values]
            series = pd.Series(ints, dtype="Int64")
        elif spec.kind == "unix_datetime":
            stamps = pd.Series([_to_float(v) for v in values], dtype="Float64")
            series = pd.to_datetime(stamps, unit="s", utc=True)
        elif spec.kind == "datetime":
            texts = pd.Series(values, dtype="object")
            series = pd.to_datetime(texts, utc=True, errors="coerce", format="ISO8601")
        elif spec.kind == "date":
            texts = [None if v is None else str(v) for v in values]
            fmt = "%Y%m%d" if any(t and _YMD.match(t) for t in texts) else "ISO8601"
            parsed = pd.to_datetime(pd.Series(texts, dtype="object"), errors="coerce", format=fmt)
            series = pd.Series([d.date() if not pd.isna(d) else None for d in parsed], dtype="object")
        elif spec.kind == "boolean":
            series = pd.Series([v if isinstance(v, bool) else None for v in values], dtype="boolean")
        elif spec.kind == "link":
            series = pd.Series([_as_url(v) for v in values], dtype="object")
        elif spec.kind == "json":
            series = pd.Series([_json_text(v) for v in values], dtype="object")
        else:
            series = pd.Series([None if v is None else str(v) for v in values], dtype="object")
        data[spec.name] = series
    return pd.DataFrame(data, columns=[s.name for s in specs])


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a header row (UTF-8)."""
    return frame.to_csv(index=False).encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (pyarrow); mixed-type text columns are written as text."""
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except (TypeError, ValueError):  # pyarrow's ArrowInvalid/ArrowTypeError: a column of mixed types
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(lambda v: None if v is None else str(v))
        buffer = io.BytesIO()
        fixed.to_parquet(buffer, index=False)
    return buffer.getvalue()


__all__ = [
    "CENTS_SOURCES",
    "ColumnKind",
    "ColumnSpec",
    "column_specs",
    "csv_bytes",
    "display_frame",
    "parquet_bytes",
    "raw_frame",
]

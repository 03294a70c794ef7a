"""What the screens show, as plain data: badges, card states, labels, the manifest, column specs.

Pure functions over the models, so they are unit-tested without Streamlit; the pages only map the
results onto widgets (``ColumnSpec`` -> ``st.column_config``, ``Badge`` -> ``st.badge``).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd

from hub.models import AuthKind, Connection, Mode, SourceEntry, Status, StreamInfo, Tenant

# --------------------------------------------------------------------------- badges and labels


@dataclass(frozen=True)
class Badge:
    """A small label with an icon and a word (never colour alone)."""

    label: str
    icon: str
    color: Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"]


NOT_CONNECTED = Badge("Not connected", ":material/radio_button_unchecked:", "gray")

STATUS_BADGES: dict[Status, Badge] = {
    Status.CONNECTING: Badge("Connecting…", ":material/sync:", "blue"),
    Status.TESTING: Badge("Testing…", ":material/pending:", "blue"),
    Status.CONNECTED: Badge("Connected", ":material/check_circle:", "green"),
    Status.FAILED: Badge("Failed", ":material/error:", "red"),
    Status.DISCONNECTED: Badge("Disconnected", ":material/link_off:", "gray"),
}

DEMO_BADGE = Badge("Demo", ":material/science:", "violet")
LIVE_BADGE = Badge("Live", ":material/bolt:", "orange")

AUTH_KIND_LABELS: dict[AuthKind, str] = {
    AuthKind.OAUTH2: "OAuth",
    AuthKind.API_KEY: "API key",
    AuthKind.DATABASE: "Database",
    AuthKind.FILE: "File",
}


def status_badge(connection: Connection | None) -> Badge:
    """The state badge of a card or a row; ``None`` (no connection) is "Not connected"."""
    if connection is None:
        return NOT_CONNECTED
    return STATUS_BADGES[Status(connection.status)]


def mode_badge(connection: Connection) -> Badge:
    """The "Demo" badge for demo connections, "Live" otherwise."""
    return DEMO_BADGE if Mode(connection.mode) is Mode.DEMO else LIVE_BADGE


def auth_kind_label(kind: AuthKind | str) -> str:
    """The auth kind in words: "OAuth", "API key", "Database" or "File"."""
    return AUTH_KIND_LABELS[AuthKind(kind)]


def _first_int(metadata: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = metadata.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, list | tuple | dict):
            if key in {"sample_counts", "samples", "records_per_stream"} and isinstance(value, dict):
                return sum(int(v) for v in value.values() if isinstance(v, int | float))
            return len(value)
    return None


def stream_count(connection: Connection) -> int | None:
    """Number of streams discovered (from the connection's metadata), if known."""
    return _first_int(connection.metadata, "stream_count", "streams")


def stored_streams(connection: Connection) -> dict[str, int | None] | None:
    """Stream name -> estimated rows, as recorded by the connection's last test; None if not recorded.

    The stream picker reads this instead of discovering the source again on every page rerun.
    """
    names = connection.metadata.get("streams")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return None
    rows = connection.metadata.get("estimated_rows")
    rows = rows if isinstance(rows, dict) else {}
    return {n: rows[n] if isinstance(rows.get(n), int) else None for n in names}


def records_sampled(connection: Connection) -> int | None:
    """Number of records sampled when the connection was tested, if known."""
    return _first_int(connection.metadata, "records_sampled", "sample_records", "sample_counts", "samples")


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    """``1 stream``, ``5 streams``, ``1,000 records``."""
    return f"{n:,} {word if n == 1 else (plural_word or word + 's')}"


def status_counts(connection: Connection | None) -> str:
    """The counts of a connected connection: "5 streams · 250 records sampled" ("" otherwise)."""
    if connection is None or Status(connection.status) is not Status.CONNECTED:
        return ""
    parts = []
    streams = stream_count(connection)
    if streams is not None:
        parts.append(plural(streams, "stream"))
    records = records_sampled(connection)
    if records is not None:
        parts.append(plural(records, "record") + " sampled")
    return " · ".join(parts)


def status_text(connection: Connection | None) -> str:
    """The badge text with the counts: "Connected · 5 streams · 250 records sampled"."""
    counts = status_counts(connection)
    label = status_badge(connection).label
    return f"{label} · {counts}" if counts else label


def time_ago(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words.

    "just now", "3 min ago", "2 h ago", "yesterday", "5 days ago", else the date; "never" for None.
    """
    if when is None:
        return "never"
    now = now or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return when.strftime("%d %b %Y")


def continue_label(n: int) -> str:
    """The button label: "Continue with 1 integration" / "Continue with N integrations"."""
    return f"Continue with {plural(n, 'integration')}"


def business_type_name(slug: str, names: Mapping[str, Any] | None = None) -> str:
    """The display name of a business type (``ecommerce`` -> ``E-commerce``)."""
    if names is None:
        from hub.catalogue import BUSINESS_TYPES

        names = BUSINESS_TYPES
    entry = names.get(slug)
    if entry is not None:
        return str(getattr(entry, "name", entry))
    fallback = slug.replace("_", " ").replace("-", " ").title()
    return {"ecommerce": "E-commerce", "saas": "SaaS"}.get(slug, fallback)


# --------------------------------------------------------------------------- cards and connections


def _newest_first(connections: Iterable[Connection]) -> list[Connection]:
    return sorted(connections, key=lambda c: (c.created_at, c.updated_at), reverse=True)


def card_connections(connections: Iterable[Connection]) -> dict[str, Connection]:
    """Source id -> the connection its card shows: the newest one that is not disconnected."""
    cards: dict[str, Connection] = {}
    for conn in _newest_first(connections):
        if Status(conn.status) is Status.DISCONNECTED:
            continue
        cards.setdefault(conn.source_id, conn)
    return cards


def connected(connections: Iterable[Connection]) -> list[Connection]:
    """The connections that are connected, newest first (what "Continue" takes along)."""
    return [c for c in _newest_first(connections) if Status(c.status) is Status.CONNECTED]


def failure_text(connection: Connection) -> tuple[str, str]:
    """(reason, what to do) of a failed connection, in words."""
    check = connection.metadata.get("check")
    check = check if isinstance(check, Mapping) else {}
    detail = str(check.get("message") or "").strip() or (connection.status_detail or "").strip()
    hint = str(check.get("hint") or "").strip()
    if not detail:
        detail = "The connection test failed."
    if not hint:
        hint = "Check the details in the setup guide, then select Retry, or enter new credentials."
    return detail, re.sub(r"\.{2,}$", ".", hint)


# --------------------------------------------------------------------------- the manifest

_SECRETISH = re.compile(r"(password|passwd|secret|token|api_?key|private_?key|credential)", re.IGNORECASE)


def public_settings(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The non-secret configuration in a connection's metadata (anything secret-looking dropped)."""
    config = metadata.get("config")
    source: Mapping[str, Any] = config if isinstance(config, Mapping) else metadata
    skip = {"config", "streams", "sample_counts", "samples", "records_sampled", "stream_count", "hint"}
    out: dict[str, Any] = {}
    for key, value in source.items():
        if key in skip or _SECRETISH.search(key):
            continue
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if not _SECRETISH.search(str(k))}
        out[key] = value
    return out


def json_type(prop: Mapping[str, Any]) -> tuple[str, bool]:
    """(type name, nullable) of a JSON Schema property; ``format`` is appended: ``string (date-time)``."""
    raw = prop.get("type", "string")
    types = [raw] if isinstance(raw, str) else list(raw or [])
    nullable = "null" in types
    names = [t for t in types if t != "null"] or ["null"]
    name = " | ".join(names)
    if prop.get("format"):
        name = f"{name} ({prop['format']})"
    elif prop.get("airbyte_type"):
        name = f"{name} ({prop['airbyte_type']})"
    return name, nullable


def schema_columns(stream: StreamInfo) -> list[str]:
    """The stream's column names in schema order."""
    return list((stream.json_schema.get("properties") or {}).keys())


def schema_rows(stream: StreamInfo) -> list[dict[str, Any]]:
    """The schema as rows of a small table: column, type, nullable, key."""
    rows = []
    for name, prop in (stream.json_schema.get("properties") or {}).items():
        type_name, nullable = json_type(prop if isinstance(prop, Mapping) else {})
        keys = []
        if name in stream.primary_key:
            keys.append("primary key")
        if stream.cursor_field == name:
            keys.append("cursor")
        rows.append({"column": name, "type": type_name, "nullable": nullable, "key": ", ".join(keys)})
    return rows


def manifest(
    tenant: Tenant,
    connections: Sequence[Connection],
    streams: Mapping[str, Sequence[StreamInfo]],
    *,
    sources: Mapping[str, SourceEntry] | None = None,
    product_name: str = "Data Source Hub",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JSON manifest of what the tenant connected: sources, streams and their schemas.

    Never carries a secret: no config values but the connection's public settings, no token.
    """
    sources = sources or {}
    items = []
    for conn in connections:
        entry = sources.get(conn.source_id)
        items.append(
            {
                "id": conn.id,
                "source_id": conn.source_id,
                "source_name": entry.name if entry else conn.source_id,
                "airbyte_connector": entry.airbyte_connector if entry else None,
                "name": conn.name,
                "mode": Mode(conn.mode).value,
                "status": Status(conn.status).value,
                "connected_at": conn.updated_at.isoformat(),
                "last_checked_at": conn.last_checked_at.isoformat() if conn.last_checked_at else None,
                "settings": public_settings(conn.metadata),
                "streams": [
                    {
                        "name": s.name,
                        "namespace": s.namespace,
                        "primary_key": list(s.primary_key),
                        "cursor_field": s.cursor_field,
                        "columns": {row["column"]: row["type"] for row in schema_rows(s)},
                        "json_schema": s.json_schema,
                    }
                    for s in streams.get(conn.id, [])
                ],
            }
        )
    return {
        "product": product_name,
        "generated_at": (now or datetime.now(UTC)).isoformat(),
        "tenant": {"slug": tenant.slug, "name": tenant.name, "business_type": tenant.business_type},
        "integrations": len(items),
        "connections": items,
    }


def manifest_json(data: Mapping[str, Any]) -> str:
    """The manifest as pretty JSON text (for the download button)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------- preview columns

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
    "AUTH_KIND_LABELS",
    "DEMO_BADGE",
    "LIVE_BADGE",
    "NOT_CONNECTED",
    "STATUS_BADGES",
    "Badge",
    "ColumnSpec",
    "auth_kind_label",
    "business_type_name",
    "card_connections",
    "column_specs",
    "connected",
    "continue_label",
    "csv_bytes",
    "display_frame",
    "failure_text",
    "manifest",
    "manifest_json",
    "mode_badge",
    "parquet_bytes",
    "plural",
    "public_settings",
    "raw_frame",
    "records_sampled",
    "schema_columns",
    "schema_rows",
    "status_badge",
    "status_counts",
    "status_text",
    "stream_count",
    "time_ago",
]

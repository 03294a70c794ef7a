"""What the faces show, as plain data: state words, counts, times, card choices, schema rows, the manifest.

Pure functions over the models, so any face can use them (the Streamlit app, the CLI, the API) and
they are unit-tested without one. Icons, badge colours and how preview columns are drawn belong to the
Streamlit layer (``ui.badges``, ``ui.columns``); ``hub`` never imports Streamlit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from hub.models import AuthKind, Connection, Mode, SourceEntry, Status, StreamInfo, Tenant

# --------------------------------------------------------------------------- state words and labels

#: The state of a card or row with no connection (contracts.md, "UI strings").
NOT_CONNECTED = "Not connected"

#: The word for each stored state (contracts.md, "UI strings").
STATUS_LABELS: dict[Status, str] = {
    Status.CONNECTING: "Connecting…",
    Status.TESTING: "Testing…",
    Status.CONNECTED: "Connected",
    Status.FAILED: "Failed",
    Status.DISCONNECTED: "Disconnected",
}

#: The badge of a connection handed off to Airbyte (Connections page).
HANDED_OFF = "Handed off to Airbyte"


def shows_handed_off(conn: Connection) -> bool:
    """Whether a connection shows the "Handed off to Airbyte" badge: handed off and not disconnected."""
    state = conn.metadata.get("airbyte") or {}
    return bool(state.get("handed_off")) and Status(conn.status) is not Status.DISCONNECTED


AUTH_KIND_LABELS: dict[AuthKind, str] = {
    AuthKind.OAUTH2: "OAuth",
    AuthKind.API_KEY: "API key",
    AuthKind.DATABASE: "Database",
    AuthKind.FILE: "File",
    AuthKind.NONE: "No sign-in",
}


def status_label(connection: Connection | None) -> str:
    """The state in a word; ``None`` (no connection) is "Not connected"."""
    if connection is None:
        return NOT_CONNECTED
    return STATUS_LABELS[Status(connection.status)]


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


def sample_summary(connection: Connection) -> str:
    """E.g. "5 streams · 250 records sampled" (the parts that are known; "" when neither is)."""
    streams, records = stream_count(connection), records_sampled(connection)
    parts = (
        plural(streams, "stream") if streams is not None else "",
        f"{plural(records, 'record')} sampled" if records is not None else "",
    )
    return " · ".join(part for part in parts if part)


def unreadable_streams(connection: Connection) -> dict[str, str]:
    """Stream name -> why it cannot be read, as found by the connection's last test ({} when none)."""
    found = connection.metadata.get("unreadable_streams")
    if not isinstance(found, Mapping):
        return {}
    return {str(name): str(why) for name, why in found.items()}


def cannot_be_read(unreadable: Mapping[str, str]) -> str:
    """E.g. "1 stream cannot be read: mv (not populated: run REFRESH MATERIALIZED VIEW mv)." ("" if none)."""
    if not unreadable:
        return ""
    listed = "; ".join(f"{name} ({why})" for name, why in unreadable.items())
    return f"{plural(len(unreadable), 'stream')} cannot be read: {listed}."


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
    label = status_label(connection)
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


__all__ = [
    "AUTH_KIND_LABELS",
    "HANDED_OFF",
    "NOT_CONNECTED",
    "STATUS_LABELS",
    "auth_kind_label",
    "business_type_name",
    "cannot_be_read",
    "card_connections",
    "connected",
    "continue_label",
    "failure_text",
    "json_type",
    "manifest",
    "manifest_json",
    "plural",
    "public_settings",
    "records_sampled",
    "schema_columns",
    "schema_rows",
    "shows_handed_off",
    "status_counts",
    "status_label",
    "status_text",
    "stored_streams",
    "stream_count",
    "time_ago",
    "unreadable_streams",
]

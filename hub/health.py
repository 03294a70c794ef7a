"""Health facts that need neither storage nor connectors: failure kinds, what to do, schema fingerprints.

A check's failure is classified once, here (`kind_of`): the connector's own ``kind`` when it knows it (the
SQL connectors read the server's error code, `hub.connectors.sql.errors`), else by the error's type.
A discovered schema is reduced to ``{stream: {column: type}}`` (`schema_of`), hashed (`fingerprint`) and
compared with the accepted baseline (`diff`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.exceptions import ConnectorError, CryptoError, HubError, InputError
from hub.models import CheckResult, FailureKind, StreamInfo

#: For every kind of failure: what a user does about it.
WHAT_TO_DO: dict[FailureKind, str] = {
    FailureKind.OK: "Nothing: the last check succeeded.",
    FailureKind.AUTH_EXPIRED: "The stored credentials no longer work (the password was changed or the key "
    "or token expired or was revoked). Reconnect with the new credentials.",
    FailureKind.PERMISSION: "The account connects but may no longer read what it read before (a grant or "
    "scope was removed). Ask the source's administrator to grant read access again, then re-test.",
    FailureKind.NETWORK: "The source could not be reached (it is down, or a firewall or DNS change is in "
    "the way). Check that the server is running and reachable; the monitor keeps re-checking.",
    FailureKind.TIMEOUT: "The source did not answer in time. It may be overloaded; the monitor re-checks "
    "it, and a lasting timeout needs a look at the server or the network.",
    FailureKind.CONFIG: "The stored settings no longer match the source (a database, schema, host or SSL "
    "setting changed). Reconnect with the right settings.",
    FailureKind.SOURCE_ERROR: "The source reported an error of its own. Re-test later; if it persists, "
    "check the source's status page or logs.",
    FailureKind.INTERRUPTED: "The check was stopped before it finished (a process ended). Re-test it.",
}


def what_to_do(kind: FailureKind | str) -> str:
    """The advice for ``kind``."""
    return WHAT_TO_DO[FailureKind(kind)]


def kind_of(failure: BaseException | CheckResult) -> FailureKind:
    """The kind of a failed check: from the connector where it says, else from the error's type."""
    if isinstance(failure, CheckResult):
        if failure.ok:
            return FailureKind.OK
        if failure.kind is not None:
            return FailureKind(failure.kind)
        return FailureKind.SOURCE_ERROR
    if isinstance(failure, ConnectorError) and failure.kind:
        return FailureKind(failure.kind)
    if isinstance(failure, InputError | CryptoError):  # a config that no longer validates or decrypts
        return FailureKind.CONFIG
    if isinstance(failure, TimeoutError):
        return FailureKind.TIMEOUT
    if isinstance(failure, ConnectionError | OSError):
        return FailureKind.NETWORK
    if isinstance(failure, HubError) and failure.transient:
        return FailureKind.SOURCE_ERROR
    return FailureKind.SOURCE_ERROR


# --------------------------------------------------------------------------- credentials

#: Connection metadata keys the OAuth flow writes: when the credentials expire (ISO 8601), and why the last
#: refresh failed (a message without secrets; absent or empty once a refresh succeeds).
EXPIRE_KEY = "credentials_expire_at"
REFRESH_ERROR_KEY = "credentials_refresh_error"


def credentials_warning(metadata: Mapping[str, Any], at: datetime, warn_days: float) -> str | None:
    """Warn when credentials expire within ``warn_days`` of ``at``, have expired, or a refresh failed."""
    failed = metadata.get(REFRESH_ERROR_KEY)
    if isinstance(failed, str) and failed.strip():
        return f"The last refresh of the credentials failed: {failed.strip()}"
    raw = metadata.get(EXPIRE_KEY)
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        expires = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None  # written by another part of the hub; an unreadable date is no reason to alarm anyone
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    left = expires - at
    if left <= timedelta(0):
        return f"The credentials expired at {expires:%Y-%m-%d %H:%M} UTC."
    if left > timedelta(days=warn_days):
        return None
    hours = left.total_seconds() / 3600
    when = f"in {hours:.0f} hours" if hours < 48 else f"in {hours / 24:.0f} days"
    return f"The credentials expire {when} ({expires.astimezone(UTC):%Y-%m-%d %H:%M} UTC)."


# --------------------------------------------------------------------------- schemas

Schema = dict[str, dict[str, str]]


def _column_type(prop: Mapping[str, Any]) -> str:
    """One column's JSON Schema as a short type word: ``integer``, ``string/date-time``, ``array``..."""
    kind = prop.get("type", "any")
    if isinstance(kind, list):  # ["null", "integer"]: nullability is not a type change
        kind = "|".join(sorted(k for k in kind if k != "null")) or "null"
    fmt = prop.get("format") or prop.get("airbyte_type")
    return f"{kind}/{fmt}" if fmt else str(kind)


def schema_of(streams: Iterable[StreamInfo]) -> Schema:
    """``{stream: {column: type}}`` of what discover returned."""
    out: Schema = {}
    for s in streams:
        props = s.json_schema.get("properties") or {}
        out[s.name] = {col: _column_type(p if isinstance(p, Mapping) else {}) for col, p in props.items()}
    return out


def fingerprint(schema: Schema) -> str:
    """SHA-256 of the schema's canonical JSON (sorted keys): equal schemas, equal fingerprints."""
    canon = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()


def diff(baseline: Schema, current: Schema) -> dict[str, Any]:
    """What changed from ``baseline`` to ``current``; every list empty when nothing did.

    Keys: ``added_streams``, ``removed_streams`` (names), ``added_columns``, ``removed_columns``
    (``{stream: [column, ...]}``), ``changed_types`` (``{stream: {column: [old, new]}}``).
    """
    added_columns: dict[str, list[str]] = {}
    removed_columns: dict[str, list[str]] = {}
    changed: dict[str, dict[str, list[str]]] = {}
    for name in sorted(set(baseline) & set(current)):
        old, new = baseline[name], current[name]
        if added := sorted(set(new) - set(old)):
            added_columns[name] = added
        if removed := sorted(set(old) - set(new)):
            removed_columns[name] = removed
        if types := {c: [old[c], new[c]] for c in sorted(set(old) & set(new)) if old[c] != new[c]}:
            changed[name] = types
    return {
        "added_streams": sorted(set(current) - set(baseline)),
        "removed_streams": sorted(set(baseline) - set(current)),
        "added_columns": added_columns,
        "removed_columns": removed_columns,
        "changed_types": changed,
    }


def describe_diff(change: Mapping[str, Any]) -> str:
    """A one-line summary of a `diff`: "1 stream added, 2 columns added, 1 type changed"."""
    parts = []
    for key, one, many in (
        ("added_streams", "stream added", "streams added"),
        ("removed_streams", "stream removed", "streams removed"),
        ("added_columns", "column added", "columns added"),
        ("removed_columns", "column removed", "columns removed"),
        ("changed_types", "type changed", "types changed"),
    ):
        value = change.get(key) or []
        n = sum(len(v) for v in value.values()) if isinstance(value, Mapping) else len(value)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "no changes"


__all__ = [
    "EXPIRE_KEY",
    "REFRESH_ERROR_KEY",
    "WHAT_TO_DO",
    "Schema",
    "credentials_warning",
    "describe_diff",
    "diff",
    "fingerprint",
    "kind_of",
    "schema_of",
    "what_to_do",
]

"""Writing a connection's check history: one row per check, whoever ran it (monitor, re-test, connect).

Also the schema baseline kept in the connection's metadata (``schema``: the accepted ``baseline`` and its
``fingerprint``; ``drift``: a discovered schema that differs from it, with the difference), shared by the
connect path (which sets the first baseline) and the monitor (which detects drift).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hub.health import Schema, diff, fingerprint, schema_of
from hub.models import CheckRecord, Connection, FailureKind, StreamInfo
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.scope import TenantScope

log = logging.getLogger(__name__)

#: The longest message a check row keeps.
MESSAGE_MAX = 1000


def record_check(
    scope: TenantScope,
    conn: Connection,
    *,
    kind: FailureKind,
    message: str,
    latency_ms: float | None = None,
    streams: list[StreamInfo] | None = None,
    schema: Schema | None = None,
) -> CheckRecord:
    """Store one check of ``conn`` (pruning its rows past the retention); the row written.

    Messages come from `HubError` messages and hints, which never hold a secret.
    """
    if schema is None and streams is not None:
        schema = schema_of(streams)
    record = CheckRecord(
        id=str(uuid.uuid4()),
        tenant_id=scope.tenant.id,
        connection_id=conn.id,
        at=now(),
        outcome="ok" if kind is FailureKind.OK else "failed",
        kind=kind,
        latency_ms=None if latency_ms is None else round(float(latency_ms), 1),
        stream_count=None if schema is None else len(schema),
        schema_fingerprint=None if schema is None else fingerprint(schema),
        message=message.strip()[:MESSAGE_MAX],
    )
    retention = timedelta(days=scope.hub.settings.check_retention_days)
    scope._store.add_check(record, prune_before=record.at - retention)
    return record


def record_interrupted(scope: TenantScope, conn: Connection, detail: str) -> None:
    """A check that a stopped or dead process never finished (best effort: never raises)."""
    try:
        record_check(scope, conn, kind=FailureKind.INTERRUPTED, message=detail)
    except Exception:
        log.warning("could not record the interrupted check of %s", conn.id, exc_info=True)


def with_baseline(metadata: dict[str, Any], streams: Iterable[StreamInfo]) -> dict[str, Any]:
    """``metadata`` with a schema baseline: the discovered one when there is none yet."""
    if "schema" in metadata:
        return metadata
    schema = schema_of(streams)
    return {**metadata, "schema": {"baseline": schema, "fingerprint": fingerprint(schema)}}


def compare_schema(metadata: dict[str, Any], schema: Schema) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``metadata`` updated for a discovered ``schema``, and the drift when it is newly detected.

    No baseline yet: this schema becomes it. The baseline's schema again: any recorded drift is dropped.
    A schema other than the baseline: ``drift`` records it with the difference; returned as detected only
    when it differs from the drift already recorded, so one change is detected (and audited) once.
    """
    fp = fingerprint(schema)
    accepted = metadata.get("schema")
    if not isinstance(accepted, dict) or "baseline" not in accepted:
        return {**metadata, "schema": {"baseline": schema, "fingerprint": fp}}, None
    if accepted.get("fingerprint") == fp:
        if "drift" in metadata:
            return {k: v for k, v in metadata.items() if k != "drift"}, None
        return metadata, None
    known = metadata.get("drift")
    if isinstance(known, dict) and known.get("fingerprint") == fp:
        return metadata, None
    drift = {
        "fingerprint": fp,
        "detected_at": now().isoformat(),
        "diff": diff(accepted["baseline"], schema),
        "schema": schema,
    }
    return {**metadata, "drift": drift}, drift


__all__ = ["compare_schema", "record_check", "record_interrupted", "with_baseline"]

"""One connection's hand-off, bound to the hub's state: decrypt, map, send, remember, audit.

Each Airbyte id is written to the connection's metadata ``airbyte`` the moment it exists, in the same
transaction as its audit row (``handoff.source``, ``handoff.connection``, ``handoff.job``), so a failure
half-way leaves a record of what exists and the next run continues from it instead of duplicating.
A failed step is audited with outcome ``error`` and the message (never a config value).

``handed_off`` is set once Airbyte holds the source (and so the refresh token): from then on Airbyte
refreshes it and the hub does not (`hub.handoff.mapping.hub_may_refresh`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.exceptions import InputError, TransitionError
from hub.handoff.client import AirbyteAPIError
from hub.handoff.mapping import source_plan
from hub.handoff.ops import AirbyteOps, Schedule, StreamChoice
from hub.models import AuditAction, Connection, Outcome, Status, StreamInfo
from hub.services.tenant import TenantService
from hub.storage.audit import AuditDraft
from hub.storage.tables import now


@dataclass
class HandoffTarget:
    """Where the tenant's data goes: the workspace and destination (ids filled in as they are ensured)."""

    destination_config: dict[str, Any] = field(repr=False)
    workspace_id: str | None = None
    destination_id: str | None = None
    destination_name: str = "Warehouse"


@dataclass(frozen=True)
class HandoffResult:
    """One connection's outcome: the Airbyte ids and the first job's status."""

    connection_id: str
    source_id: str
    airbyte_connection_id: str
    job_id: int | None
    job_status: str


def stream_choices(streams: Sequence[StreamInfo], selected: Sequence[str] | None) -> list[StreamChoice]:
    """The selected streams (all when ``selected`` is empty) with their cursor and primary key."""
    by_name = {s.name: s for s in streams}
    names = list(selected) if selected else list(by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(
            f"Unknown stream(s): {', '.join(unknown)}.",
            hint=f"Choose among: {', '.join(sorted(by_name)) or '(none discovered)'}.",
        )
    choices = []
    for n in names:
        info = by_name[n]
        cursor = (info.cursor_field,) if info.cursor_field else ()
        key = tuple((k,) for k in info.primary_key)
        choices.append(StreamChoice(n, cursor_field=cursor, primary_key=key))
    return choices


def ensure_target(scope: TenantService, ops: AirbyteOps, target: HandoffTarget, *, actor: str) -> None:
    """The workspace and destination, each created at most once (ids written back into ``target``)."""
    target.workspace_id, ws_created = ops.ensure_workspace(target.workspace_id, scope.tenant.name)
    target.destination_id, created = ops.ensure_destination(
        target.workspace_id, target.destination_id, target.destination_name, target.destination_config
    )
    if ws_created or created:
        scope._store.append_audit(
            AuditDraft(
                AuditAction.HANDOFF_DESTINATION.value, actor=actor, target_type="tenant",
                target_id=scope.tenant.id,
                detail={"workspace_id": target.workspace_id, "destination_id": target.destination_id,
                        "workspace_created": ws_created, "destination_created": created},
            )
        )


def hand_off(
    scope: TenantService,
    ops: AirbyteOps,
    connection_id: str,
    target: HandoffTarget,
    *,
    actor: str,
    streams: Sequence[str] | None = None,
    schedule: Schedule | None = None,
) -> HandoffResult:
    """Hand one connection off (source, connection, first job); re-runs update and create nothing."""
    conn = scope._require(connection_id)
    if conn.status is not Status.CONNECTED:
        raise InputError(
            f"'{conn.name}' is {conn.status.value}; only connected sources can be handed off.",
            hint="Re-test or reconnect it first.",
        )
    source = scope.hub.catalogue.get(conn.source_id)
    connector = scope._connector(source, conn.mode)
    with scope._connector_run(conn, connector) as config:  # refusals first
        source_plan(conn, source, config, scope.hub.settings)
    choices = stream_choices(scope.streams(conn.id), streams)  # may rotate a self-refreshed sign-in
    if target.workspace_id is None or target.destination_id is None:
        ensure_target(scope, ops, target, actor=actor)
    assert target.workspace_id and target.destination_id
    state = dict(conn.metadata.get("airbyte") or {})

    def step(action: AuditAction, fn: Any, detail: dict[str, Any]) -> Any:
        try:
            return fn()
        except AirbyteAPIError as exc:
            scope._store.append_audit(
                AuditDraft(action.value, actor=actor, target_type="connection", target_id=conn.id,
                           outcome=Outcome.ERROR,
                           detail={**detail, "status": exc.status, "error": exc.message})
            )
            raise

    # the config Airbyte gets is read in the connection's turn (`_connector_run`), held until Airbyte has
    # it and the hand-off is recorded: no run of the hub rotates a single-use refresh token meanwhile
    with scope._connector_run(conn, connector) as config:
        plan = source_plan(conn, source, config, scope.hub.settings)
        source_id, created = step(
            AuditAction.HANDOFF_SOURCE,
            lambda: ops.upsert_source(target.workspace_id, state.get("source_id"), conn.name, plan),
            {"source_type": plan.source_type},
        )
        state.update(workspace_id=target.workspace_id, source_id=source_id, handed_off=True)
        conn = _remember(scope, conn, state, AuditAction.HANDOFF_SOURCE, actor,
                         {"source_id": source_id, "created": created, "source_type": plan.source_type})
    airbyte_conn, created = step(
        AuditAction.HANDOFF_CONNECTION,
        lambda: ops.upsert_connection(
            state.get("connection_id"), source_id=source_id, destination_id=target.destination_id,
            name=f"{conn.name} -> {target.destination_name}", streams=choices,
            schedule=schedule or Schedule(),
        ),
        {"source_id": source_id},
    )
    state.update(connection_id=airbyte_conn, destination_id=target.destination_id,
                 streams=[c.name for c in choices])
    conn = _remember(scope, conn, state, AuditAction.HANDOFF_CONNECTION, actor,
                     {"connection_id": airbyte_conn, "created": created, "streams": len(choices)})
    job_id, job_status = state.get("job_id"), state.get("job_status", "pending")
    if created or job_id is None:  # the first job once; a re-run changes settings, it starts nothing
        job_id, job_status = step(AuditAction.HANDOFF_JOB, lambda: ops.start_sync(airbyte_conn),
                                  {"connection_id": airbyte_conn})
        state.update(job_id=job_id, job_status=job_status)
        conn = _remember(scope, conn, state, AuditAction.HANDOFF_JOB, actor,
                         {"job_id": job_id, "status": job_status})
    return HandoffResult(conn.id, source_id, airbyte_conn, job_id, job_status)


def _remember(
    scope: TenantService, conn: Connection, state: dict[str, Any], action: AuditAction, actor: str,
    detail: dict[str, Any],
) -> Connection:
    meta = {**conn.metadata, "airbyte": dict(state)}
    updated = scope._store.update_connection(
        conn.id, expect_status=None, changes={"metadata": meta, "updated_at": now()},
        audit=AuditDraft(
            action.value, actor=actor, target_type="connection", target_id=conn.id, detail=detail
        ),
    )
    if updated is None:  # pragma: no cover - connections are never deleted
        raise TransitionError(f"Connection {conn.id} changed meanwhile.", hint="Run the hand-off again.")
    return updated

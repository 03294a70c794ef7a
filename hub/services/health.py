"""Health of one tenant's connections: a scheduled check, the history, and what the faces show.

A check (`Health.check_connection`, what the monitor runs) connects, checks and discovers without
touching the status, and always writes a history row (`hub.services.history`). The status and the audit
log change only when the outcome does, so a thousand healthy connections add nothing to the audit chain:

* connected, and ``HUB_ALERT_AFTER_FAILURES`` checks in a row failed: ``connected -> testing -> failed``
  (audit ``health.change``);
* failed, and a check succeeds: ``failed -> testing -> connected`` (audit ``health.change``);
* otherwise only ``last_checked_at`` and the metadata's ``health`` (consecutive failures, last kind) move,
  unaudited.

Both moves run inside the connect lease (`attempt`), like a re-test, so a monitor and a user re-testing
never move one connection at once. A manual re-test (`Testing.retest`) writes its row too.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from hub.exceptions import ConnectionBusy, HubError, InputError, TransitionError
from hub.health import credentials_warning, describe_diff, kind_of, schema_of, what_to_do
from hub.models import (
    AuditAction,
    CheckRecord,
    Connection,
    ConnectionHealth,
    FailureKind,
    Outcome,
    Status,
    StreamInfo,
)
from hub.services.alerts import Alerts, plan_alerts
from hub.services.attempts import attempt
from hub.services.connections import Connections
from hub.services.history import compare_schema, record_check
from hub.storage.audit import AuditDraft
from hub.storage.tables import now

log = logging.getLogger(__name__)

#: Who the monitor's changes are audited as.
MONITOR_ACTOR = "monitor"

#: Statuses a check looks at: the others are being connected, or are final.
CHECKED = (Status.CONNECTED, Status.FAILED)

#: Checks the latency sparkline shows.
SPARK_POINTS = 24


class Health(Connections, Alerts):
    """Scheduled checks and the health views of one tenant's connections."""

    # ------------------------------------------------------------------ the check

    def check_connection(
        self,
        connection_id: str,
        *,
        actor: str = MONITOR_ACTOR,
        current: Connection | None = None,
        wait: bool = True,
    ) -> CheckRecord | None:
        """Check one connection (connected or failed) and record it; None when it is in another state.

        ``current``: the connection as the caller has just read it (the monitor, under the check lease).
        ``wait``: whether to wait while another run of a connection whose runs take turns holds its turn
        (`hub.oauth.refresh.connector_turn`); the monitor does not (None: it is checked next cycle).
        """
        conn = (
            current if current is not None and current.id == connection_id else self._require(connection_id)
        )
        if conn.status not in CHECKED:
            return None
        try:
            ok, kind, message, latency, streams = self._probe(conn, wait=wait)
        except ConnectionBusy:
            if wait:
                raise
            log.info("connection %s is being read elsewhere; it is checked next cycle", conn.id)
            return None
        record = record_check(
            self,
            conn,
            kind=kind,
            message=message,
            latency_ms=latency,
            schema=schema_of(streams) if ok else None,
        )
        raised = False
        try:
            raised = self._apply(conn, record, streams, actor=actor)
        except TransitionError:  # a user re-tested or disconnected it meanwhile: theirs is the newer word
            log.info("connection %s changed while it was checked; the check is recorded only", conn.id)
        if raised:
            self.deliver_alerts(connection_id=conn.id)
        return record

    def _probe(
        self, conn: Connection, *, wait: bool = True
    ) -> tuple[bool, FailureKind, str, float, list[StreamInfo]]:
        """Check and discover with the stored config: ok, kind, message, latency (ms), streams.

        `ConnectionBusy` (not a failed check) when another run holds the connection's turn.
        """
        source = self.hub.catalogue.get(conn.source_id)
        started = time.perf_counter()
        try:
            connector = self._connector(source, conn.mode)
            # a connector that refreshes its own sign-in (Salesforce, HubSpot, Google) may rotate its
            # refresh token during the check: the config it reports is stored at once (else the next
            # use would hold a retired token), and its runs take turns
            with self._connector_run(conn, connector, wait=wait) as config:
                result = connector.check(config)
                latency = result.latency_ms if result.latency_ms is not None else _ms(started)
                if not result.ok:
                    return False, kind_of(result), f"{result.message} {result.hint}".strip(), latency, []
                streams = connector.discover(config)
        except ConnectionBusy:
            raise
        except HubError as exc:
            return False, kind_of(exc), str(exc), _ms(started), []
        except Exception as exc:
            log.exception("checking connection %s (%s) failed unexpectedly", conn.id, source.id)
            msg = f"The {source.name} connector failed unexpectedly while checking."
            return False, kind_of(exc), msg, _ms(started), []
        return True, FailureKind.OK, result.message, latency, streams

    def _apply(self, conn: Connection, record: CheckRecord, streams: list[StreamInfo], *, actor: str) -> bool:
        """Move the status only when the outcome changed; else record the check's facts unaudited.

        Raises the alerts of a change (`plan_alerts`) before the metadata records them; True when it did.
        """
        before = conn.metadata.get("health") or {}
        failures = 0 if record.outcome == "ok" else int(before.get("failures", 0)) + 1
        meta: dict[str, Any] = {
            **conn.metadata,
            "health": {"failures": failures, "kind": record.kind.value, "message": record.message},
        }
        drift = None
        if record.outcome == "ok":
            meta, drift = compare_schema(meta, schema_of(streams))
            meta.update(streams=[s.name for s in streams], stream_count=len(streams))
        meta, alerts = plan_alerts(self.hub.settings, conn, meta, record, drift, failures)
        raised = False
        for row in alerts:  # before the state that says "alerted": see hub.services.alerts
            raised = self._store.add_alert(row) or raised
        if record.outcome == "ok" and conn.status is Status.FAILED:
            n = len(streams)
            self._change(
                conn,
                Status.CONNECTED,
                meta,
                actor=actor,
                detail=f"Connected · {n} stream{'' if n == 1 else 's'} · recovered",
                kind=record.kind,
            )
        elif (
            record.outcome == "failed"
            and conn.status is Status.CONNECTED
            and failures >= self.hub.settings.alert_after_failures
        ):
            meta["check"] = {"message": record.message, "kind": record.kind.value, "step": "testing"}
            self._change(conn, Status.FAILED, meta, actor=actor, detail=record.message, kind=record.kind)
        else:
            changed = self._store.update_connection(
                conn.id,
                expect_status=conn.status,
                changes={"metadata": meta, "last_checked_at": record.at},
                audit=None,
            )
            if changed is None:
                raise TransitionError(f"Connection {conn.id} changed meanwhile.")
        if drift is not None:
            self._store.append_audit(
                AuditDraft(
                    AuditAction.DRIFT_DETECT.value,
                    actor=actor,
                    target_type="connection",
                    target_id=conn.id,
                    detail={"fingerprint": drift["fingerprint"], "summary": describe_diff(drift["diff"])},
                )
            )
        return raised

    def _change(
        self,
        conn: Connection,
        target: Status,
        meta: dict[str, Any],
        *,
        actor: str,
        detail: str,
        kind: FailureKind,
    ) -> None:
        """``-> testing -> target`` inside the connect lease, audited as ``health.change``."""
        action = AuditAction.HEALTH_CHANGE.value
        with attempt(self, conn.id, actor=actor):
            testing = self._move(
                conn, Status.TESTING, actor=actor, action=action, detail="Checking the connection…"
            )
            self._move(
                testing,
                target,
                actor=actor,
                action=action,
                detail=detail,
                outcome=Outcome.OK if target is Status.CONNECTED else Outcome.ERROR,
                metadata=meta,
                checked=True,
                extra={"kind": kind.value},
            )

    # ------------------------------------------------------------------ drift

    def accept_drift(self, connection_id: str, *, actor: str) -> Connection:
        """Make the schema last discovered the accepted baseline (audited ``drift.accept``)."""
        conn = self._require(connection_id)
        drift = conn.metadata.get("drift")
        if not isinstance(drift, dict):
            raise InputError(
                f"Connection {conn.id} has no schema changes to accept.",
                hint="Changes appear here after a check finds a schema other than the accepted one.",
            )
        meta = {k: v for k, v in conn.metadata.items() if k != "drift"}
        meta["schema"] = {"baseline": drift["schema"], "fingerprint": drift["fingerprint"]}
        updated = self._store.update_connection(
            conn.id,
            expect_status=None,
            changes={"metadata": meta, "updated_at": now()},
            audit=AuditDraft(
                AuditAction.DRIFT_ACCEPT.value,
                actor=actor,
                target_type="connection",
                target_id=conn.id,
                detail={"fingerprint": drift["fingerprint"], "summary": describe_diff(drift["diff"])},
            ),
        )
        if updated is None:  # pragma: no cover - the row existed a moment ago and rows are never deleted
            raise TransitionError(f"Connection {conn.id} changed meanwhile.", hint="Reload it and try again.")
        return updated

    # ------------------------------------------------------------------ views

    def check_history(
        self, connection_id: str, *, limit: int = 100, before: datetime | None = None
    ) -> list[CheckRecord]:
        """The connection's checks, newest first (one page: ``limit``, older than ``before``)."""
        conn = self._require(connection_id)
        return self._store.list_checks(conn.id, limit=limit, before=before)

    def connection_health(self, connection_id: str) -> ConnectionHealth:
        """One connection's health: state, uptime, latencies, last check and error, drift."""
        conn = self._require(connection_id)
        return self._views([conn])[0]

    def health_summary(self) -> list[ConnectionHealth]:
        """The health of every connection that is not disconnected, newest connection first."""
        return self._views(self.list_connections(include_disconnected=False))

    def _views(self, conns: list[Connection]) -> list[ConnectionHealth]:
        at = now()
        ids = [c.id for c in conns]
        day = self._store.uptime(ids, at - timedelta(days=1))
        week = self._store.uptime(ids, at - timedelta(days=7))
        out = []
        for c in conns:
            recent = self._store.list_checks(c.id, limit=SPARK_POINTS)
            last = recent[0] if recent else None
            failed = last if last is not None and last.outcome == "failed" else None
            drift = c.metadata.get("drift") if isinstance(c.metadata.get("drift"), dict) else None
            out.append(
                ConnectionHealth(
                    connection_id=c.id,
                    name=c.name,
                    source_id=c.source_id,
                    mode=c.mode,
                    status=c.status,
                    last_checked_at=c.last_checked_at,
                    last_check=last,
                    uptime_24h=_ratio(day.get(c.id)),
                    uptime_7d=_ratio(week.get(c.id)),
                    latencies_ms=[r.latency_ms or 0.0 for r in reversed(recent) if r.outcome == "ok"],
                    consecutive_failures=int((c.metadata.get("health") or {}).get("failures", 0)),
                    last_error=failed.message if failed else None,
                    last_error_kind=failed.kind if failed else None,
                    what_to_do=what_to_do(failed.kind) if failed else None,
                    drift=None
                    if drift is None
                    else {
                        "detected_at": drift.get("detected_at"),
                        "summary": describe_diff(drift.get("diff") or {}),
                        "diff": drift.get("diff") or {},
                    },
                    credentials_expire_at=c.metadata.get("credentials_expire_at"),
                    credentials_warning=credentials_warning(
                        c.metadata, at, self.hub.settings.credentials_warn_days
                    ),
                )
            )
        return out


def _ratio(counts: tuple[int, int] | None) -> float | None:
    return None if not counts or counts[1] == 0 else round(counts[0] / counts[1], 4)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


__all__ = ["CHECKED", "MONITOR_ACTOR", "Health"]

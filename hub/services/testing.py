"""The testing step of a connection: check, discover and sample it, then store connected or failed.

Every connect and reconnect (`hub.services.connections`) ends here, and so does a re-test::

    -> testing: `hub.services.probe` (check, discover, sample)
    -> connected with its streams and sample counts, or failed with the reason (returned, not raised)

`Testing.authorization_expired` is the one failure that comes without a probe: the provider refused to
refresh a live sign-in (`hub.oauth.refresh`).
"""

from __future__ import annotations

import time
from typing import Any

from hub.connectors.base import Connector
from hub.health import kind_of
from hub.models import CheckResult, Connection, FailureKind, Mode, Outcome, SourceEntry, Status
from hub.services.attempts import attempt
from hub.services.history import record_check, with_baseline
from hub.services.probe import StepCallback, probe
from hub.services.scope import TenantScope
from hub.status import transition
from hub.uploads import relabel

#: Records read per stream when a connection is sampled.
SAMPLE_LIMIT = 50
#: The connector's last log lines a failed test keeps in ``metadata.check.logs`` (each cut to a length).
FAILURE_LOG_LINES = 20
LOG_LINE_CHARS = 500


class Testing(TenantScope):
    """Re-test a connection, fail an expired sign-in, and the testing step every connect ends with."""

    def retest(
        self,
        connection_id: str,
        *,
        actor: str,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
    ) -> Connection:
        """Re-test (connected) or retry (failed) with the stored config: -> testing -> connected|failed."""
        conn = self._require(connection_id)
        transition(conn.status, Status.TESTING)
        source = self.hub.catalogue.get(conn.source_id)
        connector = self._connector(source, conn.mode)
        with self._connector_run(conn, connector) as config, attempt(self, conn.id, actor=actor):
            return self._test(
                conn,
                source,
                connector,
                config,
                actor=actor,
                on_step=on_step,
                sample_limit=SAMPLE_LIMIT if sample_limit is None else sample_limit,
                action="connection.retest",
            )

    def authorization_expired(self, connection_id: str, *, actor: str, reason: str) -> Connection:
        """The provider refused to refresh the sign-in: connected -> testing -> failed, "reconnect".

        No retry: a refused refresh token stays refused (`hub.oauth.refresh`). ``reason`` (the provider's
        error code, never a token) is kept in the metadata as ``credentials_refresh_error`` for the health
        warning and its alert.
        """
        conn = self._require(connection_id)
        with attempt(self, conn.id, actor=actor):
            if conn.status is not Status.TESTING:
                detail = "Refreshing the sign-in…"
                conn = self._move(conn, Status.TESTING, actor=actor, detail=detail, action="oauth.refresh")
            meta = {**conn.metadata, "credentials_refresh_error": reason}
            conn = conn.model_copy(update={"metadata": meta})
            failure = CheckResult(
                ok=False,
                message="Authorization expired — reconnect.",
                hint="Use Reconnect to sign in again; the connection keeps its id and history.",
                kind=FailureKind.AUTH_EXPIRED,
            )
            return self._fail(conn, failure, actor=actor)

    def _test(
        self,
        conn: Connection,
        source: SourceEntry,
        connector: Connector,
        config: dict[str, Any],
        *,
        actor: str,
        on_step: StepCallback | None,
        sample_limit: int,
        action: str = "connection.status",
    ) -> Connection:
        """-> testing, then check, discover and sample; -> connected or failed (returned, not raised)."""
        conn = self._move(
            conn,
            Status.TESTING,
            actor=actor,
            action=action,
            detail=f"Testing the connection to {source.name}…",
        )
        found = probe(
            connector,
            config,
            source,
            sample_limit=sample_limit,
            on_step=on_step,
            pace=lambda: self._pace(conn.mode),
            label=conn.id,
        )
        if not found.result.ok:
            # a file's message names the stored copy's path: the user knows the file by its name
            message = relabel(found.result.message, self.uploads(), conn.metadata.get("upload"))
            failure = found.result.model_copy(update={"message": message})
            logs = [
                relabel(line, self.uploads(), conn.metadata.get("upload"))[:LOG_LINE_CHARS]
                for line in connector.recent_logs()[-FAILURE_LOG_LINES:]
            ]
            return self._fail(conn, failure, actor=actor, step=found.step, logs=logs)
        result, streams, counts, unreadable = found.result, found.streams, found.counts, found.unreadable

        estimated = {s.name: s.estimated_rows for s in streams}
        total = sum(e if e is not None else counts.get(n, 0) for n, e in estimated.items())
        meta = {
            **conn.metadata,
            "streams": [s.name for s in streams],
            "stream_count": len(streams),
            "sample_counts": counts,
            "records_sampled": sum(counts.values()),
            "estimated_rows": estimated,
            "total_records": total,
            "check": {"message": result.message, "latency_ms": result.latency_ms},
        }
        meta = with_baseline(meta, streams)  # a new connection's schema is its first accepted baseline
        meta.pop("unreadable_streams", None)  # from an earlier test; this one lists its own
        meta.pop("catalog", None)
        if (catalog := connector.catalog(config)) is not None:  # previews read with it, no new discover
            meta["catalog"] = catalog
        if unreadable:
            meta["unreadable_streams"] = unreadable
        n = len(streams)
        detail = (
            f"Connected · {n} stream{'' if n == 1 else 's'} · {total:,} record{'' if total == 1 else 's'}"
        )
        if unreadable:
            detail += f" · {len(unreadable)} unreadable"
        record_check(
            self,
            conn,
            kind=FailureKind.OK,
            message=result.message,
            latency_ms=result.latency_ms,
            streams=streams,
        )
        return self._move(
            conn,
            Status.CONNECTED,
            actor=actor,
            detail=detail,
            metadata=meta,
            checked=True,
            extra={
                "streams": len(streams),
                "records_sampled": sum(counts.values()),
                **({"unreadable_streams": sorted(unreadable)} if unreadable else {}),
            },
        )

    def _fail(
        self,
        conn: Connection,
        result: CheckResult,
        *,
        actor: str,
        step: str = "testing",
        logs: list[str] | None = None,
    ) -> Connection:
        """-> failed with ``result``'s reason; ``logs``: the connector's last lines, kept for the details."""
        detail = f"{result.message} {result.hint}".strip()
        kind = kind_of(result)
        record_check(self, conn, kind=kind, message=detail, latency_ms=result.latency_ms)
        meta = {
            **conn.metadata,
            "check": {
                "message": result.message,
                "hint": result.hint,
                "kind": kind.value,
                "transient": result.transient,
                "step": step,
                "latency_ms": result.latency_ms,
                **({"logs": logs} if logs else {}),
            },
        }
        return self._move(
            conn,
            Status.FAILED,
            actor=actor,
            detail=detail,
            outcome=Outcome.ERROR,
            metadata=meta,
            checked=True,
            extra={"step": step},
        )

    def _pace(self, mode: Mode) -> None:
        if mode is Mode.DEMO and self.hub.settings.demo_pace > 0:
            time.sleep(self.hub.settings.demo_pace)

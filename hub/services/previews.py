"""Reading a source: streams and bounded previews.

Of a tenant's connected connection (audited), or of a demo source without storage (the CLI's ``--demo``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from hub.catalogue import Catalogue
from hub.connectors import get_connector
from hub.connectors.base import Connector
from hub.exceptions import ConnectorError, HubError, InputError, NotFound
from hub.models import Connection, Mode, Outcome, Preview, SourceEntry, Status, StreamInfo
from hub.services.scope import TenantScope
from hub.storage.audit import AuditDraft

log = logging.getLogger(__name__)

#: The most records one preview returns.
PREVIEW_MAX = 10_000
#: About how many times a preview tells ``on_progress`` how many records it has read.
PROGRESS_UPDATES = 20

#: Told the number of records a preview has read so far, as they arrive.
PreviewProgress = Callable[[int], None]


class Previews(TenantScope):
    """Streams and previews of one tenant's connected connections."""

    def streams(self, connection_id: str) -> list[StreamInfo]:
        """Discover the streams of a connected connection."""
        with (
            self._connected(connection_id) as (_conn, source, connector, config),
            _connector_errors(source, "discovering streams"),
        ):
            return connector.discover(config)

    def preview(
        self,
        connection_id: str,
        stream: str,
        *,
        limit: int = 100,
        actor: str,
        on_progress: PreviewProgress | None = None,
    ) -> Preview:
        """A bounded sample of one stream (audited as ``connection.preview``).

        ``on_progress`` hears how many records have arrived, while the connector still reads (about
        `PROGRESS_UPDATES` times, and once at the end).
        """
        limit = _check_limit(limit)
        with self._connected(connection_id) as (conn, source, connector, config):
            try:
                with _connector_errors(source, f"reading {stream}"):
                    stored = conn.metadata.get("catalog")  # the streams the last test discovered, if kept
                    known = connector.known_streams(config, stored) if isinstance(stored, dict) else None
                    info = _find_stream(known or connector.discover(config), stream, source)
                    records = _take(connector.read(config, info.name, limit=limit), limit, on_progress)
            except HubError as exc:
                error = {"stream": stream, "limit": limit, "error": exc.message}
                self._audit_preview(conn, Outcome.ERROR, error, actor=actor)
                raise
        read = {"stream": info.name, "limit": limit, "records": len(records)}
        self._audit_preview(conn, Outcome.OK, read, actor=actor)
        return Preview(
            connection_id=conn.id, source_id=conn.source_id, stream=info, records=records, mode=conn.mode
        )

    @contextmanager
    def _connected(
        self, connection_id: str
    ) -> Iterator[tuple[Connection, SourceEntry, Connector, dict[str, Any]]]:
        """A connected connection, its source, connector and config, for one run (`_connector_run`)."""
        conn = self._require(connection_id)
        if conn.status is not Status.CONNECTED:
            raise InputError(
                f"Connection {conn.id} is {conn.status.value}, not connected.",
                hint="Re-test it (or reconnect) first."
                if conn.status is not Status.DISCONNECTED
                else "Connect the source again.",
            )
        source = self.hub.catalogue.get(conn.source_id)
        connector = self._connector(source, conn.mode)
        with self._connector_run(conn, connector) as config:
            yield conn, source, connector, config

    def _audit_preview(
        self, conn: Connection, outcome: Outcome, detail: dict[str, Any], *, actor: str
    ) -> None:
        self._store.append_audit(
            AuditDraft(
                "connection.preview",
                actor=actor,
                target_type="connection",
                target_id=conn.id,
                outcome=outcome,
                detail=detail,
            )
        )


def demo_streams(
    catalogue: Catalogue, source_id: str, *, tenant: str = "demo", seed: int = 0
) -> list[StreamInfo]:
    """Streams of a source's demo connector, without storage (CLI ``streams --demo``)."""
    source = catalogue.get(source_id)
    connector = get_connector(source, Mode.DEMO, tenant=tenant, seed=seed)
    with _connector_errors(source, "discovering streams"):
        return connector.discover({})


def demo_preview(
    catalogue: Catalogue,
    source_id: str,
    stream: str,
    *,
    limit: int = 100,
    tenant: str = "demo",
    seed: int = 0,
) -> Preview:
    """A demo sample without storage (CLI ``preview --demo``)."""
    limit = _check_limit(limit)
    source = catalogue.get(source_id)
    connector = get_connector(source, Mode.DEMO, tenant=tenant, seed=seed)
    with _connector_errors(source, f"reading {stream}"):
        info = _find_stream(connector.discover({}), stream, source)
        records = list(islice(connector.read({}, info.name, limit=limit), limit))
    return Preview(connection_id=None, source_id=source.id, stream=info, records=records, mode=Mode.DEMO)


def _take(
    records: Iterable[dict[str, Any]], limit: int, on_progress: PreviewProgress | None
) -> list[dict[str, Any]]:
    """Up to ``limit`` records, telling ``on_progress`` the count as they arrive."""
    if on_progress is None:
        return list(islice(records, limit))
    every = max(1, limit // PROGRESS_UPDATES)
    taken: list[dict[str, Any]] = []
    for record in islice(records, limit):
        taken.append(record)
        if len(taken) % every == 0:
            _tell(on_progress, len(taken))
    if len(taken) % every or not taken:
        _tell(on_progress, len(taken))
    return taken


def _tell(on_progress: PreviewProgress, count: int) -> None:
    """``on_progress(count)``; a broken progress display is logged, never fails the preview."""
    try:
        on_progress(count)
    except Exception:
        log.exception("on_progress callback failed at %d records", count)


def _check_limit(limit: int) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise InputError(f"The limit {limit!r} is not a number.", hint=f"Use 1 to {PREVIEW_MAX}.") from None
    if not 1 <= value <= PREVIEW_MAX:
        raise InputError(f"The limit {value} is out of range.", hint=f"Use 1 to {PREVIEW_MAX}.")
    return value


def _find_stream(streams: list[StreamInfo], name: str, source: SourceEntry) -> StreamInfo:
    for s in streams:
        if s.name == name:
            return s
    names = ", ".join(s.name for s in streams)
    raise NotFound(f"{source.name} has no stream {name!r}.", hint=f"Streams: {names}.")


@contextmanager
def _connector_errors(source: SourceEntry, doing: str) -> Iterator[None]:
    """Turn a connector's unexpected exception into a `ConnectorError` (logged, never with a config)."""
    try:
        yield
    except HubError:
        raise
    except Exception as exc:
        log.exception("connector %s failed while %s", source.id, doing)  # the class and traceback go here
        raise ConnectorError(
            f"The {source.name} connector failed while {doing}.",
            hint="Retry; if it persists, re-test the connection.",
        ) from exc

"""The test every connect, reconnect and re-test runs: check, discover, sample — with progress.

`probe` never raises for a source's failure: it returns the reason as a failed `CheckResult` and the
step it ended in, so the caller moves the connection to ``failed`` with that reason (`Connections`).
Progress goes to an optional ``on_step`` callback as `StepEvent` values; a broken callback is logged
and ignored (a progress display must not leave a connection half-way).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from hub.connectors.base import Connector
from hub.exceptions import ConnectorError, HubError, StreamError
from hub.health import kind_of
from hub.models import CheckResult, SourceEntry, StepEvent, StreamInfo
from hub.presenting import cannot_be_read

log = logging.getLogger(__name__)

StepCallback = Callable[[StepEvent], None]

#: The time between two ``progress`` events of a sample read at once.
PROGRESS_EVERY_S = 0.25
#: Streams sampled at once by a connector whose reads are subprocesses of their own.
SAMPLE_AT_ONCE = 4


@dataclass(frozen=True)
class Probe:
    """What a test found. ``result.ok`` False: it failed in ``step`` for ``result.message``."""

    result: CheckResult
    step: str = "testing"
    streams: list[StreamInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # sample records read per stream
    unreadable: dict[str, str] = field(default_factory=dict)  # stream -> why it cannot be read


def probe(
    connector: Connector,
    config: dict[str, Any],
    source: SourceEntry,
    *,
    sample_limit: int,
    on_step: StepCallback | None = None,
    pace: Callable[[], None] = lambda: None,
    label: str = "",
) -> Probe:
    """Check, then discover, then read up to ``sample_limit`` records of each stream (0: no sample).

    ``pace`` runs after each step (demo mode slows down there so a demo can be followed); ``label``
    names the connection in the log.
    """
    step = "installing"
    t0 = time.perf_counter()
    try:
        if connector.needs_install():  # the first live connect of this source on this server
            emit(on_step, step, "running", f"Installing the {source.name} connector (once)…")
            connector.install(lambda line: emit(on_step, "installing", "progress", line))
            emit(on_step, step, "done", f"Installed the {source.name} connector.", time.perf_counter() - t0)

        step, t0 = "testing", time.perf_counter()
        emit(on_step, "testing", "running", f"Checking access to {source.name}…")
        with ThreadPoolExecutor(max_workers=1) as pool:
            # both at once where each is a subprocess of its own; the discover is waited for (never left
            # running) and its outcome ignored when the check fails
            early = pool.submit(connector.discover, config) if connector.concurrent_check_discover else None
            result = connector.check(config)
            pace()
            if not result.ok:
                emit(on_step, "testing", "error", result.message, time.perf_counter() - t0)
                if early is not None:
                    wait([early])
                return Probe(result)
            emit(on_step, "testing", "done", result.message or "Access confirmed.", time.perf_counter() - t0)

            step, t0 = "discovering", time.perf_counter()
            emit(on_step, "discovering", "running", "Discovering streams…")
            streams = early.result() if early is not None else connector.discover(config)
        pace()
        emit(on_step, "discovering", "done", f"Found {len(streams)} streams.", time.perf_counter() - t0)

        step, t0 = "sampling", time.perf_counter()
        counts: dict[str, int] = {}
        unreadable: dict[str, str] = {}
        if sample_limit > 0:
            emit(on_step, "sampling", "running", "Reading a sample of each stream…")
            counts, unreadable = sample(connector, config, streams, sample_limit, source, on_step=on_step)
            pace()
            cannot = f" {cannot_be_read(unreadable)}" if unreadable else ""
            emit(
                on_step,
                "sampling",
                "done",
                f"Read {sum(counts.values()):,} sample records.{cannot}",
                time.perf_counter() - t0,
            )
        return Probe(result, step, streams, counts, unreadable)
    except HubError as exc:
        emit(on_step, step, "error", exc.message, time.perf_counter() - t0)
        failure = CheckResult(
            ok=False,
            message=exc.message,
            hint=exc.hint,
            transient=exc.transient,
            kind=kind_of(exc),
            latency_ms=(time.perf_counter() - t0) * 1000,
        )
        return Probe(failure, step)
    except Exception:
        log.exception("connector %s failed while %s (connection %s)", source.id, step, label)
        msg = f"The {source.name} connector failed unexpectedly while {step}."  # the log has the details
        emit(on_step, step, "error", msg, time.perf_counter() - t0)
        failure = CheckResult(
            ok=False,
            message=msg,
            hint="Retry; if it persists, report it (the server log has the details).",
        )
        return Probe(failure, step)


def sample(
    connector: Connector,
    config: dict[str, Any],
    streams: list[StreamInfo],
    limit: int,
    source: SourceEntry,
    *,
    on_step: StepCallback | None = None,
) -> tuple[dict[str, int], dict[str, str]]:
    """Records read per stream, and the streams that cannot be read with their reasons.

    A stream the source refuses (`StreamError`) is listed, not fatal; when no stream can be read the
    connect fails with every reason (`ConnectorError`). ``on_step`` hears the records as they arrive
    (``sampling``/``progress``: every `PROGRESS_EVERY_S` seconds while streams are read at once, after
    each stream otherwise).
    """
    counts: dict[str, int] = {}
    unreadable: dict[str, str] = {}
    so_far = [0]  # records read so far, by every stream (a list: the readers add to it)
    lock = threading.Lock()

    def read_one(s: StreamInfo) -> int:
        n = 0
        for _ in islice(connector.read(config, s.name, limit=limit), limit):
            n += 1
            with lock:
                so_far[0] += 1
        return n

    # where each read is a subprocess of its own, the streams are sampled at once (a few at a time);
    # progress is emitted from this thread only (a UI callback may not work from another)
    workers = min(SAMPLE_AT_ONCE, len(streams)) if connector.concurrent_check_discover else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {s.name: pool.submit(read_one, s) for s in streams}
            pending, said = set(futures.values()), -1
            while pending:
                _done, pending = wait(pending, timeout=PROGRESS_EVERY_S)
                if so_far[0] != said:
                    said = so_far[0]
                    emit(on_step, "sampling", "progress", f"Read {said:,} records…")
        for name, future in futures.items():  # in the order discovered
            try:
                counts[name] = future.result()
            except StreamError as exc:
                unreadable[name] = exc.reason
    else:
        for s in streams:
            try:
                counts[s.name] = read_one(s)
            except StreamError as exc:
                unreadable[s.name] = exc.reason
            emit(on_step, "sampling", "progress", f"Read {so_far[0]:,} records…")
    emit(on_step, "sampling", "progress", f"Read {so_far[0]:,} records of {len(counts)} streams…")
    if streams and len(unreadable) == len(streams):
        n = len(streams)
        which = (
            f"The only stream of {source.name} cannot"
            if n == 1
            else f"None of the {n} streams of {source.name} can"
        )
        why = cannot_be_read(unreadable).split(": ", 1)[1]  # "a (reason); b (reason)."
        raise ConnectorError(
            f"{which} be read: {why}",
            hint="Fix them on the source (each reason says how), or choose others, then retry.",
        )
    return counts, unreadable


def emit(
    on_step: StepCallback | None, step: str, state: str, message: str, seconds: float = 0.0, conn_id: str = ""
) -> None:
    """Tell ``on_step`` (if any) how a step is going; its own failure is logged, never raised."""
    if on_step is None:
        return
    try:
        seconds = round(seconds, 3)
        on_step(StepEvent(step=step, state=state, message=message, seconds=seconds, connection_id=conn_id))
    except Exception:  # a broken progress display must not leave a connection half-way
        log.exception("on_step callback failed at %s/%s", step, state)

"""The health monitor: checks every due connection of every tenant, any number of monitors at once.

A cycle (`Monitor.run_once`) ends the connects whose process died (`recover_interrupted`), lists the
connections that are due, checks them ``HUB_MONITOR_CONCURRENCY`` at a time, and then sends the alerts
still undelivered (`hub.services.alerts`). Before checking one it takes the lease ``check:<connection
id>`` (the ``leases`` table: a batch of connections' leases in one transaction that also gives back those
of the checks just finished; renewed while held) and reads the leased connections again (one read per
tenant and batch): a connection another monitor has just checked is no longer due, so several monitors
never check one connection twice in an interval, and a monitor that dies (kill -9) stops renewing its
leases, which expire after ``HUB_LEASE_SECONDS`` for another monitor to take over.

When is a connection due? ``HUB_CHECK_INTERVAL_S`` (or its metadata's ``check_interval_s``) after its last
check, plus up to 10 % jitter (derived from the connection and that check, so every monitor agrees on it and
checks spread out instead of coming in waves); a failing connection waits twice as long after each further
failure, at most ``HUB_CHECK_BACKOFF_MAX_S``.

`Monitor.run` loops until its ``stop`` event is set (SIGTERM in ``python -m hub monitor``): the checks
in flight finish and release their leases; none is started after the event.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hub.exceptions import HubError
from hub.handoff.mapping import health_through_airbyte
from hub.models import Connection, FailureKind, Tenant
from hub.services.attempts import LeaseBatch
from hub.services.health import CHECKED, MONITOR_ACTOR
from hub.storage import Leases
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.hub import Hub
    from hub.services.tenant import TenantService

log = logging.getLogger(__name__)

PREFIX = "check:"

#: The largest share of the interval added as jitter.
JITTER = 0.1

#: Check leases taken in one transaction, per unit of concurrency (fewer writes; held a few checks longer).
BATCH = 4


def check_lease(connection_id: str) -> str:
    """The lease a check of this connection holds."""
    return f"{PREFIX}{connection_id}"


def wait_after(conn: Connection, interval: float, backoff_max: float) -> float:
    """Seconds from ``conn``'s last check until it is due again (interval, backoff, jitter)."""
    own = conn.metadata.get("check_interval_s")
    if isinstance(own, int | float) and not isinstance(own, bool) and own > 0:
        interval = float(own)
    failures = int((conn.metadata.get("health") or {}).get("failures", 0) or 0)
    wait = interval
    if failures > 1:
        wait = min(interval * 2 ** min(failures - 1, 20), max(backoff_max, interval))
    seed = f"{conn.id}:{conn.last_checked_at.isoformat() if conn.last_checked_at else ''}"
    share = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") / 2**32
    return wait * (1 + JITTER * share)


def is_due(conn: Connection, at: datetime, interval: float, backoff_max: float) -> bool:
    """Whether ``conn`` should be checked at ``at`` (never a handed-off sign-in: Airbyte watches it)."""
    if conn.status not in CHECKED or health_through_airbyte(conn):
        return False
    if conn.last_checked_at is None:
        return True
    return at >= conn.last_checked_at + timedelta(seconds=wait_after(conn, interval, backoff_max))


@dataclass
class CycleReport:
    """What one cycle did."""

    due: int = 0
    checked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    recovered: list[str] = field(default_factory=list)


class Monitor:
    """Scheduled checks across tenants. Needs the admin connection on PostgreSQL (it lists every tenant)."""

    def __init__(self, hub: Hub, *, concurrency: int | None = None) -> None:
        self.hub = hub
        self.concurrency = concurrency or hub.settings.monitor_concurrency
        self.leases = Leases(hub.db)
        self.stop = threading.Event()

    def due(self, at: datetime | None = None) -> list[tuple[Tenant, str]]:
        """``(tenant, connection id)`` of every connection due at ``at`` (now)."""
        at = at or now()
        s = self.hub.settings
        found = []
        for tenant in self.hub.list_tenants():
            for conn in self.hub.tenant(tenant).list_connections(include_disconnected=False):
                if is_due(conn, at, s.check_interval_s, s.check_backoff_max_s):
                    found.append((tenant, conn.id))
        return found

    def run_once(self) -> CycleReport:
        """One cycle: end interrupted connects, then check every due connection."""
        report = CycleReport()
        try:
            report.recovered = self.hub.recover_interrupted()
        except HubError:
            log.warning("could not end interrupted connects in this cycle", exc_info=True)
        due = deque(self.due())
        report.due = len(due)
        scopes: dict[str, TenantService] = {}  # one per tenant and cycle
        batch = LeaseBatch(self.leases, self.hub.settings.lease_seconds)
        running: dict[Future[FailureKind | None], str] = {}
        try:
            with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="hub-check") as pool:
                while due or running:
                    if due and len(running) < 2 * self.concurrency and not self.stop.is_set():
                        # the next batch, leased in one transaction that also gives back the finished
                        # ones, taken while a round of checks still waits in the pool's queue (so no
                        # worker waits for the lease transaction); leases are held a few checks long
                        items = [due.popleft() for _ in range(min(len(due), BATCH * self.concurrency))]
                        taken = batch.take([check_lease(connection_id) for _, connection_id in items])
                        leased = [(tenant, i) for tenant, i in items if check_lease(i) in taken]
                        report.skipped += len(items) - len(leased)  # another monitor is checking them
                        checks = self._read_again(leased, scopes)
                        report.skipped += len(leased) - len(checks)  # gone since the listing
                        for scope, conn in checks:
                            running[pool.submit(self._check, scope, conn)] = conn.id
                        continue
                    if self.stop.is_set():
                        report.skipped += len(due)  # SIGTERM: none is started now
                        due.clear()
                    if not running:
                        continue
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        connection_id = running.pop(future)
                        batch.done(check_lease(connection_id))
                        kind = future.result()
                        if kind is None:
                            report.skipped += 1
                            continue
                        report.checked.append(connection_id)
                        if kind is not FailureKind.OK:
                            report.failed.append(connection_id)
        finally:
            batch.close()  # the finished ones, and any taken but not started
        self._deliver_leftovers()
        return report

    def _deliver_leftovers(self) -> None:
        """Send the alerts a check could not deliver (a destination was down, a monitor died meanwhile)."""
        if self.stop.is_set():
            return
        for tenant in self.hub.list_tenants():
            try:
                self.hub.tenant(tenant).deliver_alerts()
            except HubError:
                log.warning("could not deliver the alerts of tenant %s", tenant.slug, exc_info=True)

    def _read_again(
        self, leased: list[tuple[Tenant, str]], scopes: dict[str, TenantService]
    ) -> list[tuple[TenantService, Connection]]:
        """The ``leased`` connections as stored now (one read per tenant; gone ones left out).

        Another monitor may have checked one since the listing, and a connection may have changed.
        """
        by_tenant: dict[str, list[str]] = {}
        for tenant, connection_id in leased:
            if tenant.id not in scopes:
                scopes[tenant.id] = self.hub.tenant(tenant)
            by_tenant.setdefault(tenant.id, []).append(connection_id)
        found = []
        for tenant_id, ids in by_tenant.items():
            try:
                stored = scopes[tenant_id].get_connections(ids)
            except HubError:  # their leases go back with the batch; they are due again next cycle
                log.warning("could not read %d connection(s) to check", len(ids), exc_info=True)
                continue
            found += [(scopes[tenant_id], stored[i]) for i in ids if i in stored]
        return found

    def _check(self, scope: TenantService, conn: Connection) -> FailureKind | None:
        """Check one connection (leased, read under the lease); None when skipped (not due, busy, ...)."""
        if self.stop.is_set():
            return None
        try:
            s = self.hub.settings
            if not is_due(conn, now(), s.check_interval_s, s.check_backoff_max_s):
                return None  # checked by another monitor since this one listed it
            record = scope.check_connection(conn.id, actor=MONITOR_ACTOR, current=conn, wait=False)
            return None if record is None else record.kind
        except HubError:
            log.warning("checking connection %s failed", conn.id, exc_info=True)
            return None

    def run(self, *, tick: float | None = None) -> None:
        """Cycle until `stop` is set; between cycles wait ``tick`` seconds (a tenth of the interval, ≤ 60)."""
        wait = tick if tick is not None else min(60.0, max(1.0, self.hub.settings.check_interval_s / 10))
        while not self.stop.is_set():
            try:
                report = self.run_once()
                if report.due:
                    log.info("monitor cycle: %d due, %d skipped", report.due, report.skipped)
            except Exception:  # the monitor outlives a bad cycle (a database blip); the next one retries
                log.exception("monitor cycle failed")
            self.stop.wait(wait)


_lock = threading.Lock()


def start_embedded(hub: Hub) -> Monitor | None:
    """Start the monitor of ``hub`` in a daemon thread (HUB_MONITOR on) once; the running one after.

    For the app's process in the embedded default: every page run may call it, only the first starts it;
    `Hub.close` stops it.
    """
    if not hub.settings.monitor_on:
        return None
    with _lock:
        if hub._monitor is None:
            monitor = Monitor(hub)
            threading.Thread(target=monitor.run, name="hub-monitor", daemon=True).start()
            hub._monitor = monitor
            log.info("health monitor started in this process")
        return hub._monitor


__all__ = ["CycleReport", "Monitor", "check_lease", "is_due", "start_embedded", "wait_after"]

"""Every connect attempt ends ``connected`` or ``failed``, even when something stops it half-way.

A connect, reconnect or re-test holds the lease ``connect:<tenant id>:<connection id>`` (`Leases`) from
before its row is written until it ends, renewed every third of ``HUB_LEASE_SECONDS`` (`renewing`).

* Stopped inside the process (a Streamlit rerun or stop, Ctrl-C: ``BaseException``s the connector
  path does not catch, or an error while storing the result): the row is ended ``failed`` ("Interrupted:
  ...", audit ``connection.interrupted``) and the exception goes on.
* The process died (kill -9, a crashed replica): its lease stops being renewed. `recover_interrupted`
  (run by `Hub.open`, and by the health monitor) takes over each expired connect lease and ends the row
  the same way, never while the holder still renews it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hub.exceptions import HubError, NotFound, TransitionError
from hub.models import AuditAction, Outcome, Status
from hub.services.history import record_interrupted
from hub.storage import Leases
from hub.storage.database import Database

if TYPE_CHECKING:
    from hub.services.hub import Hub
    from hub.services.scope import TenantScope

log = logging.getLogger(__name__)

PREFIX = "connect:"

#: Who ends a row whose process died.
RECOVERY_ACTOR = "hub"

STOPPED = "Interrupted: the connect was stopped before it finished (the page was left or reloaded)."
DIED = "Interrupted: the process running this connect stopped before it finished."
RETRY = "Retry to test it again."


def lease_name(tenant_id: str, connection_id: str) -> str:
    """The lease a connect of this connection holds."""
    return f"{PREFIX}{tenant_id}:{connection_id}"


def new_holder() -> str:
    """A holder name for one attempt: host, process and a random part (attempts in a process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def attempt(scope: TenantScope, connection_id: str, *, actor: str) -> Iterator[None]:
    """Hold the connection's lease while the body runs; end the row "interrupted" if the body is stopped.

    `TransitionError` when another attempt (another replica's) holds a live lease on it.
    """
    leases = Leases(scope.hub.db)
    seconds = scope.hub.settings.lease_seconds
    name, holder = lease_name(scope.tenant.id, connection_id), new_holder()
    if not leases.acquire(name, holder, seconds):
        raise TransitionError(
            f"Connection {connection_id} is being connected or tested elsewhere.",
            hint="Wait for that to finish, then reload.",
        )
    with renewing(leases, name, holder, seconds):
        try:
            yield
        except BaseException as exc:
            end_interrupted(scope, connection_id, actor=actor, detail=STOPPED, reason=_stopped_by(exc))
            raise


@contextmanager
def renewing(leases: Leases, name: str, holder: str, seconds: float) -> Iterator[None]:
    """Keep ``holder``'s lease ``name`` (already taken) renewed while the body runs; release it after.

    A lease that could not be released expires on its own.
    """
    renewer = _renewer(leases, seconds)
    renewer.hold(name, holder)
    try:
        yield
    finally:
        renewer.drop(name, holder)
        try:
            leases.release(name, holder)
        except HubError:  # it expires on its own; recovery then finds the row already ended
            log.warning("could not release lease %s", name, exc_info=True)


class LeaseBatch:
    """Leases one holder takes and gives back in batches, renewed while held (the monitor's ``check:``).

    `take` gives back the leases marked `done` and takes the next names in ONE write transaction, so
    a batch of checks costs one lease transaction instead of two per check. Used from one thread.
    """

    def __init__(self, leases: Leases, seconds: float) -> None:
        self.leases = leases
        self.seconds = seconds
        self.holder = new_holder()
        self._renewer = _renewer(leases, seconds)
        self._held: set[str] = set()
        self._done: list[str] = []

    def take(self, names: list[str]) -> set[str]:
        """The names of ``names`` taken (another holder's live leases are not); gives back the done ones."""
        done, self._done = self._done, []
        for name in done:  # not renewed any more, even if giving them back fails: they expire on their own
            self._renewer.drop(name, self.holder)
            self._held.discard(name)
        taken = self.leases.acquire_many(names, self.holder, self.seconds, release=done)
        for name in taken:
            self._renewer.hold(name, self.holder)
        self._held |= taken
        return taken

    def done(self, name: str) -> None:
        """The work under ``name`` is over: give the lease back with the next `take` (or `close`)."""
        if name in self._held:
            self._done.append(name)

    def close(self) -> None:
        """Give back every lease still held. A lease that could not be released expires on its own."""
        held, self._held, self._done = sorted(self._held), set(), []
        for name in held:
            self._renewer.drop(name, self.holder)
        try:
            self.leases.release_many(held, self.holder)
        except HubError:
            log.warning("could not release %d lease(s)", len(held), exc_info=True)


class _Renewer:
    """One daemon thread per database and lease length renews every lease this process holds there.

    Every third of the lease's length, so a held lease never expires while its process lives. One
    thread for all of them rather than one per attempt: starting and joining a thread per connect or
    per monitor check cost more than the check's own database writes.
    """

    def __init__(self, db: Database, seconds: float) -> None:
        self._db = weakref.ref(db)  # the registry must not keep a closed hub's database alive
        self.seconds = seconds
        self._held: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, name: str, holder: str) -> None:
        with self._lock:
            self._held.add((name, holder))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lease-renewer", daemon=True)
                self._thread.start()

    def drop(self, name: str, holder: str) -> None:
        with self._lock:
            self._held.discard((name, holder))

    def _run(self) -> None:
        while True:
            time.sleep(self.seconds / 3)
            db = self._db()
            with self._lock:
                held = list(self._held)
                if not held or db is None:  # idle: the next hold starts a new thread
                    self._thread = None
                    return
            leases = Leases(db)
            for name, holder in held:
                try:
                    if not leases.renew(name, holder, self.seconds):
                        with self._lock:  # released since the list was copied: no news
                            still = (name, holder) in self._held
                            self._held.discard((name, holder))
                        if still:
                            log.warning("lease %s was taken over: its work may be ended as interrupted", name)
                except HubError:  # the database is away for a moment: the next renewal may still be in time
                    log.warning("could not renew lease %s", name, exc_info=True)
            del db, leases


_renewers: weakref.WeakKeyDictionary[Database, dict[float, _Renewer]] = weakref.WeakKeyDictionary()
_renewers_lock = threading.Lock()


def _renewer(leases: Leases, seconds: float) -> _Renewer:
    """The renewer of ``leases``' database for leases of ``seconds`` (made on first use)."""
    with _renewers_lock:
        by_length = _renewers.setdefault(leases.db, {})
        if seconds not in by_length:
            by_length[seconds] = _Renewer(leases.db, seconds)
        return by_length[seconds]


def _stopped_by(exc: BaseException) -> str:
    """What stopped an attempt, in words for the audit log (the class name goes to the log only)."""
    log.info("connect attempt stopped by %s", type(exc).__name__)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by a signal"
    if isinstance(exc, SystemExit):
        return "the process is exiting"
    if isinstance(exc, Exception):
        return "an error while storing the result"
    return "the page was rerun or stopped"  # Streamlit's RerunException/StopException


def end_interrupted(scope: TenantScope, connection_id: str, *, actor: str, detail: str, reason: str) -> bool:
    """End the row ``failed`` if it is still connecting or testing; whether it did. Never raises.

    Best effort: when the database itself is what failed, the lease expires and recovery ends the row.
    """
    try:
        conn = scope._store.get_connection(connection_id)
        if conn is None or conn.status not in (Status.CONNECTING, Status.TESTING):
            return False
        scope._move(
            conn,
            Status.FAILED,
            actor=actor,
            action=AuditAction.CONNECTION_INTERRUPTED.value,
            outcome=Outcome.ERROR,
            detail=f"{detail} {RETRY}",
            extra={"reason": reason},
        )
        record_interrupted(scope, conn, f"{detail} ({reason})")
    except Exception:
        log.warning("could not end interrupted connection %s", connection_id, exc_info=True)
        return False
    return True


def recover_interrupted(hub: Hub) -> list[str]:
    """End every connect whose process died (its lease expired); the connection ids it ended.

    Each expired lease is taken over first, so replicas recovering together end a row once; a lease
    that is still renewed is never touched.
    """
    leases = Leases(hub.db)
    ended = []
    for lease in leases.expired(PREFIX):
        holder = new_holder()
        if not leases.acquire(lease.name, holder, hub.settings.lease_seconds):
            continue  # renewed meanwhile, or another replica is recovering it
        try:
            tenant_id, _, connection_id = lease.name.removeprefix(PREFIX).partition(":")
            try:
                scope = hub.tenant(tenant_id)
            except NotFound:
                continue
            if end_interrupted(
                scope,
                connection_id,
                actor=RECOVERY_ACTOR,
                detail=DIED,
                reason=f"lease of {lease.holder} expired",
            ):
                ended.append(connection_id)
        finally:
            leases.release(lease.name, holder)
    if ended:
        log.warning("ended %d interrupted connect(s): %s", len(ended), ", ".join(ended))
    return ended


__all__ = [
    "LeaseBatch",
    "attempt",
    "end_interrupted",
    "lease_name",
    "new_holder",
    "recover_interrupted",
    "renewing",
]

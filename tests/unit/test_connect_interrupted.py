"""A connect never stays stuck: whatever stops it, its row ends ``connected`` or ``failed``.

In the process: Streamlit's rerun and stop exceptions (``BaseException``s), Ctrl-C. Across replicas: a
connect holds a lease while it runs, and a live lease is never taken over (the killed process, whose
lease expires: tests/integration/test_connect_killed.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

from hub import Hub, Settings, Status, StepEvent
from hub.exceptions import TransitionError
from hub.services.attempts import lease_name, renewing
from hub.services.tenant import TenantService
from hub.storage import Leases
from hub.storage.tables import now


@pytest.fixture
def hub(hub_home: Path) -> Iterator[Hub]:
    h = Hub.open(Settings.from_env(demo_pace=0.01))  # paced, as a demo is, only shorter
    yield h
    h.close()


@pytest.fixture
def acme(hub: Hub) -> TenantService:
    hub.create_tenant("acme", name="Acme", business_type="ecommerce")
    return hub.tenant("acme")


def _stop_at(step: str, state: str, exc: BaseException) -> object:
    def on_step(event: StepEvent) -> None:
        if (event.step, event.state) == (step, state):
            raise exc

    return on_step


def _only(acme: TenantService) -> str:
    (conn,) = acme.list_connections()
    return conn.id


def _assert_interrupted(hub: Hub, acme: TenantService, conn_id: str, *, actor: str) -> None:
    conn = acme.get_connection(conn_id)
    assert conn.status is Status.FAILED
    assert conn.status_detail.startswith("Interrupted")
    (entry,) = acme.audit_log(action="connection.interrupted")
    assert (entry.target_id, entry.outcome.value, entry.actor) == (conn_id, "error", actor)
    assert entry.detail["to"] == "failed"
    assert Leases(hub.db).get(lease_name(acme.tenant.id, conn_id)) is None  # released
    assert acme.verify_audit().ok


@pytest.mark.parametrize(
    ("step", "state", "exc"),
    [
        ("sampling", "running", RerunException(RerunData())),  # dismissing the dialog, a cookie rerun
        ("connecting", "done", RerunException(RerunData())),  # the row is still `connecting`
        ("discovering", "running", StopException()),
        ("testing", "running", KeyboardInterrupt()),
    ],
)
def test_a_rerun_or_stop_during_a_paced_demo_connect_ends_it_interrupted_and_retry_works(
    hub: Hub, acme: TenantService, step: str, state: str, exc: BaseException
) -> None:
    with pytest.raises(type(exc)):
        acme.connect("postgres", {}, actor="alice", mode="demo", on_step=_stop_at(step, state, exc))
    conn_id = _only(acme)
    _assert_interrupted(hub, acme, conn_id, actor="alice")

    retried = acme.retest(conn_id, actor="alice")
    assert retried.status is Status.CONNECTED


def test_a_rerun_during_a_retry_or_a_reconnect_ends_it_interrupted_too(hub: Hub, acme: TenantService) -> None:
    with pytest.raises(RerunException):
        acme.connect(
            "postgres",
            {},
            actor="alice",
            mode="demo",
            on_step=_stop_at("testing", "done", RerunException(RerunData())),
        )
    conn_id = _only(acme)
    with pytest.raises(StopException):
        acme.retest(conn_id, actor="bob", on_step=_stop_at("sampling", "running", StopException()))
    conn = acme.get_connection(conn_id)
    assert conn.status is Status.FAILED and conn.status_detail.startswith("Interrupted")
    with pytest.raises(RerunException):
        acme.reconnect(
            conn_id, {}, actor="carol", on_step=_stop_at("discovering", "done", RerunException(RerunData()))
        )
    assert acme.get_connection(conn_id).status is Status.FAILED
    actors = [e.actor for e in acme.audit_log(action="connection.interrupted")]
    assert actors == ["alice", "bob", "carol"]
    assert acme.reconnect(conn_id, {}, actor="carol").status is Status.CONNECTED


def test_a_running_connect_on_another_replica_is_never_ended_nor_taken_over(
    hub: Hub, acme: TenantService
) -> None:
    sampling, finish = threading.Event(), threading.Event()
    result: list[object] = []

    def on_step(event: StepEvent) -> None:
        if (event.step, event.state) == ("sampling", "running"):
            sampling.set()
            finish.wait(timeout=60)

    def run() -> None:
        result.append(acme.connect("postgres", {}, actor="alice", mode="demo", on_step=on_step))

    replica_one = threading.Thread(target=run)
    replica_one.start()
    try:
        assert sampling.wait(timeout=60)
        conn_id = _only(acme)
        with Hub.open(Settings.from_env()) as replica_two:  # opening recovers: not this live one
            assert replica_two.recover_interrupted() == []
            other = replica_two.tenant("acme")
            assert other.get_connection(conn_id).status is Status.TESTING
            with pytest.raises(TransitionError):
                other.retest(conn_id, actor="bob")
            assert not Leases(replica_two.db).acquire(lease_name(acme.tenant.id, conn_id), "bob", 30)
    finally:
        finish.set()
        replica_one.join(timeout=60)
    (conn,) = result
    assert conn.status is Status.CONNECTED  # type: ignore[attr-defined]
    assert acme.get_connection(conn_id).status is Status.CONNECTED
    assert acme.audit_log(action="connection.interrupted") == []


def test_a_retry_is_refused_while_another_holder_leases_the_connection(hub: Hub, acme: TenantService) -> None:
    with pytest.raises(KeyboardInterrupt):
        acme.connect(
            "postgres",
            {},
            actor="alice",
            mode="demo",
            on_step=_stop_at("testing", "running", KeyboardInterrupt()),
        )
    conn_id = _only(acme)
    leases = Leases(hub.db)
    name = lease_name(acme.tenant.id, conn_id)
    assert leases.acquire(name, "other-replica", 30)
    with pytest.raises(TransitionError, match="elsewhere"):
        acme.retest(conn_id, actor="bob")
    assert acme.get_connection(conn_id).status is Status.FAILED
    assert leases.get(name).holder == "other-replica"  # type: ignore[union-attr]
    leases.release(name, "other-replica")
    assert acme.retest(conn_id, actor="bob").status is Status.CONNECTED


def test_leases_are_taken_atomically_renewed_by_their_holder_and_taken_over_once_expired(hub: Hub) -> None:
    leases = Leases(hub.db)
    assert leases.acquire("connect:x", "a", 30)
    assert not leases.acquire("connect:x", "b", 30)  # live: not b's
    assert not leases.renew("connect:x", "b", 30)
    assert leases.renew("connect:x", "a", 30)
    assert leases.expired("connect:") == []
    assert leases.renew("connect:x", "a", -1)  # as if a had stopped renewing a second ago
    (gone,) = leases.expired("connect:")
    assert gone.holder == "a" and gone.expires_at < now()
    assert leases.expired("refresh:") == [] and leases.expired("connect_") == []  # a prefix, not a pattern
    assert leases.acquire("connect:x", "b", 30)  # expired: b takes it over
    leases.release("connect:x", "a")  # a's late release does not free b's lease
    held = leases.get("connect:x")
    assert held is not None and held.holder == "b" and held.expires_at > now() + timedelta(seconds=20)
    leases.release("connect:x", "b")
    assert leases.get("connect:x") is None

    # many takers at once: exactly one wins
    assert leases.renew("connect:x", "b", -1) is False  # released: nothing to renew
    winners: list[str] = []
    barrier = threading.Barrier(6)

    def take(who: str) -> None:
        barrier.wait()
        if leases.acquire("connect:y", who, 30):
            winners.append(who)

    threads = [threading.Thread(target=take, args=(f"t{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_a_held_lease_outlives_its_length_while_its_body_runs_and_is_released_after(hub: Hub) -> None:
    """Two attempts at once share the process's renewer; neither lease expires while its body runs."""
    leases = Leases(hub.db)
    seconds = 0.6
    assert leases.acquire("check:a", "me", seconds) and leases.acquire("check:b", "me", seconds)
    with renewing(leases, "check:a", "me", seconds), renewing(leases, "check:b", "me", seconds):
        time.sleep(seconds * 3)  # three lease lengths: only renewals keep them
        assert leases.expired("check:") == []
        assert not leases.acquire("check:a", "other", seconds)
    assert leases.get("check:a") is None and leases.get("check:b") is None  # released on the way out
    assert leases.acquire("check:a", "other", seconds)

"""The monitor as its own processes: two at once never check a connection twice in an interval (SQLite and
PostgreSQL), one killed with -9 mid-check leaves a lease that expires for another to take over, and a live
PostgreSQL source stopped while watched fails (network) within an interval and recovers when started, with
one signed webhook alert each way."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub import Hub
from hub.models import FailureKind, Status
from hub.services.monitor import check_lease
from hub.settings import Settings
from hub.storage import Leases
from hub.storage.tables import now
from tests.integration.alert_support import WebhookReceiver
from tests.integration.health_support import WatchedSource
from tests.servers import PostgresServer
from tests.storage_support import PgDatabase, make_pg_database, unique_slug

REPO = Path(__file__).resolve().parents[2]
INTERVAL = 1.0


def _env(hub_home: Path, pg: PgDatabase | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HUB_HOME": str(hub_home),
        "HUB_DEMO_PACE": "0",
        "HUB_CHECK_INTERVAL_S": str(INTERVAL),
        "HUB_LEASE_SECONDS": "2",
        **extra,
    }
    if pg is not None:
        env.update(
            HUB_DATABASE_URL=pg.app_url, HUB_ADMIN_DATABASE_URL=pg.admin_url, HUB_ENCRYPTION_KEYS=pg.keys
        )
    return env


def _monitor(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "monitor", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _once(env: dict[str, str]) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-m", "hub", "monitor", "--once", "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def _started(proc: subprocess.Popen[str]) -> subprocess.Popen[str]:
    """``proc`` once it says it is watching (its SIGTERM handler is in place); fails if it exits first."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("monitor: started"):
            return proc
    raise AssertionError(f"the monitor exited ({proc.wait()}) before it started")


def _terminate(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return err


@pytest.fixture(scope="module")
def pg_db(postgres: PostgresServer) -> PgDatabase:
    return make_pg_database(postgres)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_monitors_never_check_one_connection_twice_in_an_interval(
    backend: str, hub_home: Path, request: pytest.FixtureRequest
) -> None:
    pg = request.getfixturevalue("pg_db") if backend == "postgresql" else None
    settings = pg.settings() if pg is not None else Settings.from_env()
    slug = unique_slug("m")
    with Hub.open(settings) as hub:
        hub.create_tenant(slug, name="M", business_type="saas")
        scope = hub.tenant(slug)
        ids = [
            scope.connect(src, {}, actor="t", mode="demo").id for src in ("shopify", "stripe", "hubspot") * 4
        ]
    env = _env(hub_home, pg)
    monitors = [_started(_monitor(env, "--tick", "0.05")) for _ in range(2)]
    try:
        time.sleep(INTERVAL * 4.5)  # four or so intervals of both monitors racing for the same connections
        with Hub.open(settings) as hub:  # on a busy machine a cycle takes longer: wait for two of them
            scope = hub.tenant(slug)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and any(len(scope.check_history(i)) < 3 for i in ids):
                time.sleep(INTERVAL / 2)
    finally:
        for m in monitors:
            _terminate(m)
    with Hub.open(settings) as hub:
        scope = hub.tenant(slug)
        for conn_id in ids:
            times = sorted(r.at for r in scope.check_history(conn_id))
            assert len(times) >= 3, conn_id  # the connect's check and at least two of the monitors'
            gaps = [b - a for a, b in itertools.pairwise(times[1:])]
            # the first gap is the connect's own check; each later pair is two monitor checks
            assert all(g >= timedelta(seconds=INTERVAL) for g in gaps), (conn_id, gaps)
        assert Leases(hub.db).expired("check:") == []  # every lease was released at SIGTERM


@pytest.fixture
def source() -> Iterator[WatchedSource]:
    src = WatchedSource.start()
    try:
        yield src
    finally:
        src.remove()


def test_a_monitor_killed_mid_check_leaves_a_lease_that_expires_for_another(
    hub_home: Path, source: WatchedSource
) -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        conn = hub.tenant("acme").connect(
            "postgres", source.config(connect_timeout=60), actor="t", mode="live"
        )
        assert conn.status is Status.CONNECTED, conn.status_detail
    # the source stops; in its place something accepts connections and never answers: a check hangs
    source.stop()
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", source.server.port))
    silent.listen(16)
    env = _env(hub_home)
    first = _monitor(env, "--tick", "0.1")
    try:
        with Hub.open(Settings.from_env()) as hub:
            leases = Leases(hub.db)
            deadline = time.monotonic() + 60
            while leases.get(check_lease(conn.id)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            held = leases.get(check_lease(conn.id))
            assert held is not None, "the first monitor never started checking"
    finally:
        first.kill()
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    silent.close()  # now the port refuses: a check ends at once, with kind network
    with Hub.open(Settings.from_env()) as hub:
        newest = hub.tenant("acme").check_history(conn.id)[0]
        assert newest.kind is FailureKind.OK  # the killed monitor wrote nothing
    # while the dead monitor's lease is live, another monitor leaves the connection alone...
    report = _once(env)
    with Hub.open(Settings.from_env()) as hub:
        still = Leases(hub.db).get(check_lease(conn.id))
    if still is not None and still.holder == held.holder:
        assert conn.id not in report["checked"]
    # ...and once it has expired (HUB_LEASE_SECONDS=2, no renewal), takes it over
    deadline = time.monotonic() + 60
    while conn.id not in report["checked"] and time.monotonic() < deadline:
        time.sleep(0.5)
        report = _once(env)
    assert conn.id in report["checked"] and conn.id in report["failed"]
    with Hub.open(Settings.from_env()) as hub:
        acme = hub.tenant("acme")
        assert acme.check_history(conn.id)[0].kind is FailureKind.NETWORK
        assert Leases(hub.db).get(check_lease(conn.id)) is None
    source.start_again()


def test_sigterm_lets_the_check_in_flight_finish_and_release_its_lease(
    hub_home: Path, source: WatchedSource
) -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        conn = hub.tenant("acme").connect(
            "postgres", source.config(connect_timeout=5), actor="t", mode="live"
        )
        assert conn.status is Status.CONNECTED, conn.status_detail
    source.stop()  # in its place a port that accepts and never answers: a check takes connect_timeout
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", source.server.port))
    silent.listen(16)
    monitor = _started(_monitor(_env(hub_home), "--tick", "0.1"))
    try:
        with Hub.open(Settings.from_env()) as hub:
            leases = Leases(hub.db)
            deadline = time.monotonic() + 60
            while leases.get(check_lease(conn.id)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert leases.get(check_lease(conn.id)) is not None, "the monitor never started checking"
        time.sleep(1)  # the check is under way (it waits up to 5 s for the silent port)
        signalled = now()
        err = _terminate(monitor)
    finally:
        silent.close()
        if monitor.poll() is None:
            monitor.kill()
    assert "finishing the checks in flight" in err
    with Hub.open(Settings.from_env()) as hub:
        newest = hub.tenant("acme").check_history(conn.id)[0]
        # the check went on after the signal, to its end, and was recorded; its lease was given back
        assert newest.outcome == "failed" and newest.at > signalled, newest
        assert Leases(hub.db).get(check_lease(conn.id)) is None
    source.start_again()


def test_a_watched_source_stopped_fails_with_network_and_recovers_when_started(
    hub_home: Path, source: WatchedSource, webhook: WebhookReceiver
) -> None:
    # ...with one alert each way, sent by the monitor process into a local webhook receiver
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        hub.tenant("acme").set_alert_destinations(
            webhook_url=webhook.url, webhook_secret="mon-secret", emails=[], actor="t"
        )
        conn = hub.tenant("acme").connect("postgres", source.config(), actor="t", mode="live")
        assert conn.status is Status.CONNECTED, conn.status_detail
    monitor = _started(_monitor(_env(hub_home, HUB_ALERT_AFTER_FAILURES="1"), "--tick", "0.1"))
    try:
        with Hub.open(Settings.from_env()) as hub:
            acme = hub.tenant("acme")
            source.stop()
            stopped_at = time.monotonic()
            deadline = stopped_at + 60
            while acme.get_connection(conn.id).status is not Status.FAILED and time.monotonic() < deadline:
                time.sleep(0.1)
            failed = acme.get_connection(conn.id)
            assert failed.status is Status.FAILED and failed.metadata["check"]["kind"] == "network"
            # within one interval of its last healthy check: the first check after the stop failed it
            kinds = [r.kind.value for r in reversed(acme.check_history(conn.id))]
            assert kinds[-1] == "network" and kinds.count("network") == 1, kinds
            _wait_for(lambda: webhook.events() == ["failing"])
            assert "network" in webhook.hooks[0].json["text"] and webhook.hooks[0].signed_with("mon-secret")
            time.sleep(INTERVAL * 2)  # more failed checks (with backoff): no second alert
            assert webhook.events() == ["failing"]
            source.start_again()
            deadline = time.monotonic() + 60
            while acme.get_connection(conn.id).status is not Status.CONNECTED and time.monotonic() < deadline:
                time.sleep(0.1)
            assert acme.get_connection(conn.id).status is Status.CONNECTED
            changes = [(e.detail["from"], e.detail["to"]) for e in acme.audit_log(action="health.change")]
            assert changes == [
                ("connected", "testing"),
                ("testing", "failed"),
                ("failed", "testing"),
                ("testing", "connected"),
            ]
            _wait_for(lambda: webhook.events() == ["failing", "recovered"])
            time.sleep(INTERVAL * 2)  # healthy checks go on: nothing more to say
            assert webhook.events() == ["failing", "recovered"]
            assert [a["event"] for a in acme.list_alerts()] == ["recovered", "failing"]
    finally:
        _terminate(monitor)


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert condition()

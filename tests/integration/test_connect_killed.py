"""A connect whose process is killed (kill -9) is ended ``failed`` ("interrupted") once its lease expires.

Never before: a hub opening while the dead connect's lease is still live (it could be another replica's
running connect) leaves the row alone. The lease is short here (``HUB_LEASE_SECONDS``), so the test
waits for it instead of for the default 30 s.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub import Hub, Settings, Status
from hub.services.attempts import lease_name
from hub.services.monitor import Monitor
from hub.storage import Leases
from hub.storage.tables import now

REPO = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 9


def _running_connect(db: Path) -> tuple[str, str] | None:
    """(connection id, status) of the connect in progress, once its row and its lease are stored."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute(
            "SELECT c.id, c.status FROM tenant_airbyte_connections c "
            "JOIN leases l ON l.name = 'connect:' || c.tenant_id || ':' || c.id"
        ).fetchone()
    except sqlite3.OperationalError:  # the child is still creating its state
        return None
    finally:
        con.close()
    return (row[0], row[1]) if row else None


@pytest.mark.parametrize("ended_by", ["the next start", "a monitor cycle"])
def test_a_killed_connect_is_ended_interrupted_once_its_lease_has_expired(
    hub_home: Path, ended_by: str
) -> None:
    settings = Settings.from_env(lease_seconds=LEASE_SECONDS)
    with Hub.open(settings) as hub:
        tenant = hub.create_tenant("acme", name="Acme", business_type="ecommerce")
    env = {
        **os.environ,
        "HUB_HOME": str(hub_home),
        "HUB_DEMO_PACE": "3",  # each step takes 3 s: time enough to kill it half-way
        "HUB_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "hub", "connect", "--tenant", "acme", "postgres", "--demo"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        running = None
        while running is None and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
            running = _running_connect(hub_home / "hub.db")
        assert running is not None, "the child never got as far as storing its connection"
        conn_id, status = running
        assert status in ("connecting", "testing")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # the lease is still live: this could be another replica's running connect, so it is left alone
    with Hub.open(settings) as hub:
        acme = hub.tenant("acme")
        assert acme.get_connection(conn_id).status.value == status
        lease = Leases(hub.db).get(lease_name(tenant.id, conn_id))
        assert lease is not None and lease.expires_at > now()
        assert acme.audit_log(action="connection.interrupted") == []
        monitor = Monitor(hub)
        assert monitor.run_once().recovered == []
        time.sleep(max(0.0, (lease.expires_at - now()).total_seconds()) + 0.5)
        if ended_by == "a monitor cycle":  # a monitor running all along (this hub was open before expiry)
            report = monitor.run_once()
            assert report.recovered == [conn_id]
            # ended failed ("interrupted"), then checked in the same cycle: the demo source answers, so
            # the monitor moves it failed -> testing -> connected
            assert conn_id in report.checked and conn_id not in report.failed
            kinds = [c.kind.value for c in hub.tenant("acme").check_history(conn_id)]
            assert kinds[:2] == ["ok", "interrupted"], kinds

    # expired: the next start ends it (or finds it ended by the monitor)
    with Hub.open(settings) as hub:
        acme = hub.tenant("acme")
        conn = acme.get_connection(conn_id)
        if ended_by == "a monitor cycle":
            assert conn.status is Status.CONNECTED and conn.status_detail.endswith("recovered")
        else:
            assert conn.status is Status.FAILED and conn.status_detail.startswith("Interrupted")
        (entry,) = acme.audit_log(action="connection.interrupted")
        assert (entry.target_id, entry.actor, entry.outcome.value) == (conn_id, "hub", "error")
        assert Leases(hub.db).get(lease_name(tenant.id, conn_id)) is None
        assert hub.recover_interrupted() == []  # once only
        assert acme.verify_audit().ok
        assert acme.retest(conn_id, actor="alice").status is Status.CONNECTED

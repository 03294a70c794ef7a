"""Runs of a connector that refreshes its own sign-in take turns per connection (`connector_turn`).

Such a connector (`CONNECTOR_REFRESHES`; Salesforce under Refresh Token Rotation) spends the stored refresh
token and reports a new one. Two runs that read the stored config at once would spend the same token and
the provider would refuse the second, so every run of a live signed-in connection holds the lease
``oauth:<connection id>`` from before it reads the config until its reported config is stored; another
run waits, the health monitor skips the connection for the cycle, a killed holder's lease expires.

The connector is tests/fixtures/protocol_connector.py laid out as Google Sheets' package: its refresh
tokens are single use (one spent twice is refused), it logs the tokens it spent and reported, and a test
holds a run at a gate (a file beside it). The connection comes from a real sign-in at oidc-provider.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.connectors.airbyte.install import Installer
from hub.exceptions import ConnectionBusy
from hub.models import Connection, Mode, Status
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow
from hub.oauth.providers import CONNECTOR_REFRESHES
from hub.oauth.refresh import lease_name
from hub.services.monitor import Monitor
from hub.storage import Leases
from tests.airbyte_support import protocol_connector
from tests.oidc_support import OidcServer, callback_params

SHEET = "https://docs.google.com/spreadsheets/d/1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb/edit"
WAITING = "waiting for another run of its connector"

#: (hub, the environment it was opened from, the connector's folder: its gates and token logs)
Opened = tuple[Hub, dict[str, str], Path]


@pytest.fixture
def open_hub(oidc: OidcServer, hub_home: Path, tmp_path: Path) -> Iterator[Callable[[float], Opened]]:
    package = Catalogue.bundled().get("google-sheets").connector_package
    assert package is not None and "google-sheets" in CONNECTOR_REFRESHES
    connectors = protocol_connector(tmp_path / "connectors", package)
    folder = Path(Installer(connectors).command(package)[1]).parent
    hubs: list[Hub] = []

    def open_(lease_seconds: float) -> Opened:
        env = {
            "HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": "http://127.0.0.1:8595", "HUB_DEMO_PACE": "0",
            "HUB_CONNECTORS_DIR": str(connectors), "HUB_LEASE_SECONDS": str(lease_seconds),
            **oidc.env("GOOGLE"),
        }
        hub = Hub.open(Settings.from_env(env))
        hubs.append(hub)
        hub.create_tenant("acme", name="Acme", business_type="saas")
        return hub, env, folder

    try:
        yield open_
    finally:
        for hub in hubs:
            hub.close()


def _signed_in(hub: Hub, oidc: OidcServer) -> Connection:
    """A live Google Sheets connection from a real sign-in; its connect spent the first refresh token."""
    flow = OAuthFlow(hub)
    tenant_id = hub.tenant("acme").tenant.id
    url = flow.start(tenant_id, "google-sheets", user_id="u-alice", fields={"spreadsheet_id": SHEET})
    signed = flow.finish(callback_params(oidc.consent(url)), user_id="u-alice")
    conn = connect_signed_in(hub, signed, actor="u-alice", sample_limit=0)
    assert conn.status is Status.CONNECTED and conn.metadata.get("oauth"), conn.status_detail
    return conn


def _stored_refresh_token(hub: Hub, conn_id: str) -> str:
    tenant_id = hub.tenant("acme").tenant.id
    sealed = hub.db.store(tenant_id).get_sealed(conn_id)
    assert sealed is not None
    return str(hub.keys.open_config(sealed, tenant_id=tenant_id, connection_id=conn_id)["credentials"]
               ["refresh_token"])


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _until(condition: Callable[[], Any]) -> None:
    """Wait for an event another thread or process causes (polled; at most 60 s)."""
    Retrying(retry=retry_if_result(lambda ok: not ok), wait=wait_fixed(0.02), stop=stop_after_delay(60),
             reraise=True)(condition)
    assert condition()


def _due_now(hub: Hub, conn_id: str) -> None:
    """Make the connection due at every monitor cycle (its own ``check_interval_s``)."""
    store = hub.db.store(hub.tenant("acme").tenant.id)
    conn = store.get_connection(conn_id)
    assert conn is not None
    store.update_connection(conn_id, expect_status=None, audit=None,
                            changes={"metadata": {**conn.metadata, "check_interval_s": 0.001}})


def test_two_runs_at_once_take_turns_and_the_second_spends_the_token_the_first_stored(
    open_hub: Callable[[float], Opened], oidc: OidcServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.oauth.refresh")
    hub, _, folder = open_hub(5)
    conn = _signed_in(hub, oidc)
    svc = hub.tenant("acme")
    gate = folder / "hold-after-refresh"
    gate.touch()
    with ThreadPoolExecutor(max_workers=2) as pool:
        # a health check spends the stored token; its new one is not reported yet (the request in flight)
        check = pool.submit(svc.check_connection, conn.id, actor="u-alice")
        _until((folder / "hold-after-refresh.reached").exists)
        # a re-test meanwhile waits for the check's turn instead of reading the token being spent
        retest = pool.submit(svc.retest, conn.id, actor="u-alice", sample_limit=0)
        _until(lambda: any(WAITING in r.getMessage() for r in caplog.records))
        gate.unlink()
        record, retested = check.result(timeout=60), retest.result(timeout=60)

    assert record is not None and record.outcome == "ok", record
    assert retested.status is Status.CONNECTED, retested.status_detail
    spent = _lines(folder / "spent-refresh-tokens")
    reported = _lines(folder / "reported-refresh-tokens")
    # the connect, the check, the re-test: each spent its own token, never one twice
    assert len(spent) == len(set(spent)) == 3 and len(reported) == 3
    assert spent[1:] == reported[:2], "each run spent the token the run before it stored"
    assert _stored_refresh_token(hub, conn.id) == reported[2]
    assert Leases(hub.db).expired("oauth:") == [] and Leases(hub.db).acquire(lease_name(conn.id), "t", 1)


def test_the_monitor_skips_a_connection_being_read_and_checks_it_next_cycle_and_others_wait(
    open_hub: Callable[[float], Opened], oidc: OidcServer
) -> None:
    hub, _, folder = open_hub(1)
    conn = _signed_in(hub, oidc)
    _due_now(hub, conn.id)
    svc, leases = hub.tenant("acme"), Leases(hub.db)
    assert leases.acquire(lease_name(conn.id), "a-preview-elsewhere", 60)  # another replica reads it
    monitor = Monitor(hub)
    checks = len(svc.check_history(conn.id))

    report = monitor.run_once()
    assert report.due == 1 and report.skipped == 1 and report.checked == []
    assert len(svc.check_history(conn.id)) == checks  # nothing recorded: it was not checked
    # a user's run waits (a bounded wait: twice HUB_LEASE_SECONDS), then says why, losing nothing
    with pytest.raises(ConnectionBusy) as busy:
        svc.preview(conn.id, "users", limit=5, actor="u-alice")
    assert busy.value.message == f"Another read of {conn.name} is running; try again in a moment."
    assert busy.value.transient
    assert len(_lines(folder / "spent-refresh-tokens")) == 1  # only the connect ran the connector

    leases.release(lease_name(conn.id), "a-preview-elsewhere")
    report = monitor.run_once()
    assert report.checked == [conn.id] and report.skipped == 0 and report.failed == [], report
    assert len(svc.check_history(conn.id)) == checks + 1


def test_a_killed_holders_turn_expires_and_the_next_run_proceeds(
    open_hub: Callable[[float], Opened], oidc: OidcServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.oauth.refresh")
    hub, env, folder = open_hub(1)
    conn = _signed_in(hub, oidc)
    gate = folder / "hold-before-refresh"
    gate.touch()
    code = "import sys; from hub import Hub, Settings\n" \
           "Hub.open(Settings.from_env()).tenant('acme').check_connection(sys.argv[1], actor='replica')"
    child = subprocess.Popen([sys.executable, "-c", code, conn.id], env={**os.environ, **env},
                             start_new_session=True)
    try:
        _until((folder / "hold-before-refresh.reached").exists)  # the child's connector runs in its turn
        assert not Leases(hub.db).acquire(lease_name(conn.id), "t", 1)
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # kill -9, the renewer with it; its connector gives up
        child.wait()
    gate.unlink()

    retested = hub.tenant("acme").retest(conn.id, actor="u-alice", sample_limit=0)
    assert retested.status is Status.CONNECTED, retested.status_detail
    assert any(WAITING in r.getMessage() for r in caplog.records)  # it waited for the lease to expire
    spent = _lines(folder / "spent-refresh-tokens")
    assert len(spent) == len(set(spent)) == 2  # the connect's and the re-test's: the killed run spent none


def test_connections_whose_connector_does_not_refresh_itself_take_no_turn(
    open_hub: Callable[[float], Opened],
) -> None:
    hub, _, _ = open_hub(1)
    svc, leases = hub.tenant("acme"), Leases(hub.db)
    conn = svc.connect("salesforce", {}, actor="u-alice", mode=Mode.DEMO)  # a self-refreshing source, demo
    assert conn.status is Status.CONNECTED
    _due_now(hub, conn.id)
    assert leases.acquire(lease_name(conn.id), "someone-else", 60)
    # no skip and no wait: its runs never look at the lease
    report = Monitor(hub).run_once()
    assert report.checked == [conn.id] and report.skipped == 0, report
    assert svc.preview(conn.id, svc.streams(conn.id)[0].name, limit=3, actor="u-alice").records
    assert svc.retest(conn.id, actor="u-alice", sample_limit=0).status is Status.CONNECTED


def test_a_reconnect_takes_the_turn_so_a_run_on_the_old_sign_in_cannot_store_over_it(
    open_hub: Callable[[float], Opened], oidc: OidcServer
) -> None:
    hub, _, folder = open_hub(1)
    conn = _signed_in(hub, oidc)
    svc, leases = hub.tenant("acme"), Leases(hub.db)
    failed = svc.authorization_expired(conn.id, actor="u-alice", reason="invalid_grant")
    assert failed.status is Status.FAILED
    flow, tenant_id = OAuthFlow(hub), svc.tenant.id

    def sign_in_again() -> Connection:
        url = flow.start(tenant_id, "google-sheets", user_id="u-alice", connection_id=conn.id)
        return connect_signed_in(hub, flow.finish(callback_params(oidc.consent(url)), user_id="u-alice"),
                                 actor="u-alice", sample_limit=0)

    assert leases.acquire(lease_name(conn.id), "a-check-on-the-old-tokens", 60)
    with pytest.raises(ConnectionBusy):  # waits (twice HUB_LEASE_SECONDS), then says so, storing nothing
        sign_in_again()
    assert svc.get_connection(conn.id).status is Status.FAILED
    assert len(_lines(folder / "spent-refresh-tokens")) == 1  # only the first connect ran the connector

    leases.release(lease_name(conn.id), "a-check-on-the-old-tokens")
    again = sign_in_again()
    assert again.id == conn.id and again.status is Status.CONNECTED, again.status_detail
    assert _stored_refresh_token(hub, conn.id) == _lines(folder / "reported-refresh-tokens")[-1]

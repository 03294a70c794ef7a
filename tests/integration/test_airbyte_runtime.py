"""The Airbyte connector runtime with the real `airbyte-source-faker` and `airbyte-source-file`.

The connectors come from the cache `make test` fills (tests/airbyte_support.py); no test here downloads
a connector except the installer tests, which install offline (``UV_OFFLINE=1``) from uv's cache.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hub import Hub, Settings
from hub.connectors.airbyte import procs
from hub.connectors.airbyte.connector import AirbyteConnector
from hub.connectors.airbyte.install import Installer
from hub.connectors.airbyte.runner import Run
from hub.connectors.airbyte.specs import shipped_spec
from hub.exceptions import ConnectorError, ConnectorInstallError
from hub.frames import to_dataframe
from hub.models import ConnectorPackage, Mode, Status, StepEvent
from tests.airbyte_support import (
    catalogue_with_faker,
    ensure_cache,
    faker_entry,
    packages_under_test,
    protocol_connector,
)


@pytest.fixture(scope="session")
def cache() -> Path:
    return ensure_cache()


def _faker(cache: Path, **settings: object) -> AirbyteConnector:
    return AirbyteConnector(faker_entry(), settings=Settings(connectors_dir=cache, **settings))


@pytest.mark.parametrize("index", [0, 1, 2, 3], ids=["faker", "file", "woocommerce", "intercom"])
def test_the_shipped_spec_is_the_installed_connectors_spec(cache: Path, index: int) -> None:
    pkg = packages_under_test()[index]
    run = Run(Installer(cache).command(pkg), "spec", timeout=120, max_message_bytes=10**7)
    specs = [m.spec for m in run.messages() if m.spec is not None]
    assert specs[-1].model_dump(mode="json", exclude_none=True) == shipped_spec(pkg)


def test_check_discover_and_a_bounded_read(cache: Path) -> None:
    conn = _faker(cache)
    config = {"count": 100_000, "seed": 3}
    assert conn.check(config).ok
    streams = {s.name: s for s in conn.discover(config)}
    assert {"users", "products", "purchases"} <= set(streams)
    assert streams["users"].primary_key == ["id"]
    records = list(conn.read(config, "users", limit=7))
    assert len(records) == 7  # stopped at the limit: 100,000 users were never generated
    assert procs.running() == 0
    frame = to_dataframe(records, streams["users"].json_schema)
    assert str(frame["id"].dtype) == "Int64"
    assert "UTC" in str(frame["created_at"].dtype)


def _first_record_then(cache: Path, sig: signal.Signals, timeout: float) -> ConnectorError:
    conn = _faker(cache, connector_read_timeout_s=timeout)
    config = {"count": 1_000_000, "seed": 1, "records_per_slice": 10}
    conn.discover(config)
    gen = conn.read(config, "users", limit=10**9)
    next(gen)
    run_pid = _connector_pid()
    os.killpg(run_pid, sig)
    with pytest.raises(ConnectorError) as err:
        for _ in gen:
            pass
    assert procs.running() == 0
    with pytest.raises(ProcessLookupError):
        os.kill(run_pid, 0)  # reaped: no zombie left
    return err.value


def _connector_pid() -> int:
    running = list(procs._RUNNING)
    assert len(running) == 1
    return running[0].pid


def test_a_connector_killed_mid_read_is_a_clear_error(cache: Path) -> None:
    err = _first_record_then(cache, signal.SIGKILL, timeout=120)
    assert "was killed (signal 9) during `read`" in err.message
    assert err.transient


def test_a_stopped_connector_hits_the_time_limit_and_its_group_is_ended(cache: Path) -> None:
    err = _first_record_then(cache, signal.SIGSTOP, timeout=8)
    assert "did not finish `read` within 8 seconds and was stopped" in err.message


def test_a_huge_message_is_refused_not_buffered(cache: Path) -> None:
    config = {"count": 10, "seed": 1}
    discovered = _faker(cache)
    discovered.discover(config)
    conn = _faker(cache, connector_max_message_mb=0.0002)  # 200 bytes: every user record is larger
    conn._streams = discovered._streams  # the catalog itself is larger than that
    with pytest.raises(ConnectorError, match=r"larger than 0\.0002 MB"):
        list(conn.read(config, "users", limit=5))
    assert procs.running() == 0


def test_a_config_the_connector_refuses_is_a_failed_check_with_its_message(cache: Path) -> None:
    settings = Settings(connectors_dir=cache)
    from hub.catalogue import Catalogue

    csv = Catalogue.load().get("csv")
    conn = AirbyteConnector(csv, settings=settings)
    config = {
        "dataset_name": "orders",
        "format": "csv",
        "url": "/nonexistent/orders.csv",
        "provider": {"storage": "local"},
    }
    result = conn.check(config)
    assert not result.ok
    assert result.message and "orders.csv" in result.message + " ".join(conn.logs)


def test_file_source_reads_a_local_csv_typed(cache: Path, tmp_path: Path) -> None:
    from hub.catalogue import Catalogue

    data = tmp_path / "orders.csv"
    data.write_text(
        "id,amount,placed_on\n" + "".join(f"{i},{i * 1.5},2026-01-0{i % 9 + 1}\n" for i in range(50))
    )
    conn = AirbyteConnector(Catalogue.load().get("csv"), settings=Settings(connectors_dir=cache))
    config = {"dataset_name": "orders", "format": "csv", "url": str(data), "provider": {"storage": "local"}}
    assert conn.check(config).ok, conn.logs
    (stream,) = conn.discover(config)
    rows = list(conn.read(config, stream.name, limit=5))
    assert len(rows) == 5 and rows[0]["id"] == 0


def test_connect_and_preview_through_the_services(cache: Path, tmp_path: Path, hub_home: Path) -> None:
    settings = Settings(
        home=hub_home, connectors_dir=cache, catalogue_path=catalogue_with_faker(tmp_path), demo_pace=0
    )
    hub = Hub.open(settings)
    try:
        hub.create_tenant("acme", name="Acme", business_type="saas")
        svc = hub.tenant("acme")
        conn = svc.connect("faker", {"count": 50, "seed": 2}, actor="test", mode=Mode.LIVE, sample_limit=5)
        assert conn.status is Status.CONNECTED, conn.status_detail
        assert conn.metadata["sample_counts"] == {"products": 5, "users": 5, "purchases": 5}
        preview = svc.preview(conn.id, "users", limit=3, actor="test")
        assert len(preview.records) == 3
        # progress: the count of records read so far, told while the connector still runs
        seen: list[tuple[int, int]] = []
        preview = svc.preview(
            conn.id, "users", limit=40, actor="test", on_progress=lambda n: seen.append((n, procs.running()))
        )
        counts = [n for n, _ in seen]
        assert len(preview.records) == 40 and counts == list(range(2, 41, 2))
        assert seen[0][1] == 1 and procs.running() == 0
    finally:
        hub.close()


def test_a_failed_install_leaves_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")
    installer = Installer(tmp_path / "connectors")
    bogus = ConnectorPackage(name="airbyte-source-faker", version="0.0.1")
    with pytest.raises(ConnectorInstallError) as err:
        installer.ensure(bogus)
    assert "Could not install airbyte-source-faker 0.0.1" in err.value.message
    leftovers = [p.name for p in (tmp_path / "connectors").iterdir() if p.name != ".locks"]
    assert leftovers == []
    assert not installer.is_installed(bogus)


def test_two_installs_at_once_build_once(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")  # from uv's cache, filled when the cache folder was built
    root = tmp_path / "connectors"
    pkg = packages_under_test()[0]
    said: list[str] = []
    results: list[Path] = []

    def install() -> None:
        results.append(Installer(root).ensure(pkg, on_progress=said.append))

    threads = [threading.Thread(target=install) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert sum(m.startswith("Installing") for m in said) == 1
    assert [p.name for p in root.iterdir() if not p.name.startswith(".")] == [pkg.key]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_lists_installs_and_removes_connectors(cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HUB_CONNECTORS_DIR": str(cache)}
    listed = json.loads(_cli("connectors", "list", "--json", env=env).stdout)
    file_row = next(r for r in listed if r["package"] == "airbyte-source-file")
    assert file_row["installed"] and file_row["size_bytes"] > 10_000_000
    assert file_row["sources"] == ["csv", "excel"]
    assert not any(r["package"] == "airbyte-source-square" for r in listed)  # no pin runs on 3.11

    db = _cli("connectors", "install", "postgres", env=env)
    assert db.returncode == 1 and "the hub's own connector" in db.stderr

    # an install offline from uv's cache into a fresh folder, then its removal
    fresh = {**env, "HUB_CONNECTORS_DIR": str(tmp_path / "c"), "UV_OFFLINE": "1"}
    done = _cli("connectors", "install", "airbyte-source-faker==7.2.1", "--json", env=fresh)
    assert done.returncode == 0, done.stderr
    assert "Installing airbyte-source-faker 7.2.1" in done.stderr  # progress on stderr
    (row,) = json.loads(done.stdout)
    assert row["installed"] and row["size_bytes"] > 10_000_000
    gone = _cli("connectors", "remove", "csv", "--json", env=fresh)
    assert json.loads(gone.stdout)["removed"] is False
    assert [p.name for p in (tmp_path / "c").iterdir() if not p.name.startswith(".")] == [
        "airbyte-source-faker-7.2.1"
    ]


def test_a_control_message_config_is_stored_encrypted_at_once(
    cache: Path, tmp_path: Path, hub_home: Path
) -> None:
    settings = Settings(home=hub_home, connectors_dir=cache, catalogue_path=catalogue_with_faker(tmp_path))
    with Hub.open(settings) as hub:
        hub.create_tenant("acme", name="Acme", business_type="saas")
        svc = hub.tenant("acme")
        conn = svc.connect("faker", {"count": 20, "seed": 2}, actor="test", mode=Mode.LIVE, sample_limit=0)
        with svc._connected(conn.id) as (_conn, _source, connector, _config):
            # what the runner calls when the connector sends CONTROL connectorConfig
            connector.on_control({"count": 30, "seed": 9})
        with svc._connected(conn.id) as (_conn, _source, _connector, stored):
            pass
        assert stored == {"count": 30, "seed": 9}
        sealed = hub.tenant("acme")._store.get_sealed(conn.id)
        assert sealed is not None and '"seed": 9' not in sealed.token


def test_first_connect_shows_the_install_and_records_as_they_arrive(
    cache: Path, tmp_path: Path, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")  # from uv's cache, filled when the cache folder was built
    settings = Settings(
        home=hub_home,
        connectors_dir=tmp_path / "fresh",  # nothing installed yet: the first connect installs
        catalogue_path=catalogue_with_faker(tmp_path),
        demo_pace=0,
    )
    with Hub.open(settings) as hub:
        hub.create_tenant("acme", name="Acme", business_type="saas")
        svc = hub.tenant("acme")
        events: list[StepEvent] = []
        conn = svc.connect(
            "faker", {"count": 200, "seed": 1}, actor="t", mode=Mode.LIVE, on_step=events.append
        )
        assert conn.status is Status.CONNECTED, conn.status_detail
        said = [(e.step, e.state) for e in events]
        assert (
            said.index(("installing", "running"))
            < said.index(("installing", "done"))
            < said.index(("testing", "running"))
        )
        assert any(
            e.step == "installing" and e.state == "progress" and "airbyte-source-faker" in e.message
            for e in events
        )
        progress = [e.message for e in events if e.step == "sampling" and e.state == "progress"]
        assert progress and progress[-1] == "Read 150 records of 3 streams…"

        again: list[StepEvent] = []
        svc.connect("faker", {"count": 20, "seed": 1}, actor="t", mode=Mode.LIVE, on_step=again.append)
        assert not [e for e in again if e.step == "installing"]  # installed once


def test_a_failed_check_waits_for_the_discover_it_ran_beside(
    cache: Path, tmp_path: Path, hub_home: Path
) -> None:
    from hub.catalogue import Catalogue
    from hub.services.probe import probe

    conn = AirbyteConnector(Catalogue.load().get("csv"), settings=Settings(connectors_dir=cache))
    config = {
        "dataset_name": "o",
        "format": "csv",
        "url": "/nonexistent/o.csv",
        "provider": {"storage": "local"},
    }
    found = probe(conn, config, conn.source, sample_limit=5)
    assert not found.result.ok and found.step == "testing"
    assert procs.running() == 0  # the discover started beside the check was waited for


def test_control_and_trace_from_a_real_connectors_output(tmp_path: Path, hub_home: Path) -> None:
    connectors = protocol_connector(tmp_path / "connectors")
    settings = Settings(
        home=hub_home, connectors_dir=connectors, catalogue_path=catalogue_with_faker(tmp_path)
    )
    with Hub.open(settings) as hub:
        hub.create_tenant("acme", name="Acme", business_type="saas")
        svc = hub.tenant("acme")
        conn = svc.connect("faker", {"count": 20, "seed": 2}, actor="test", mode=Mode.LIVE, sample_limit=0)
        assert conn.status is Status.CONNECTED, conn.status_detail
        with pytest.raises(ConnectorError) as err:  # two records, then the source failed mid-read
            svc.preview(conn.id, "users", limit=10, actor="test")
        assert err.value.message == "The users endpoint stopped answering; try again later."
        assert err.value.transient and "ConnectionResetError" not in str(err.value)
        # the CONTROL message that came first is stored at once, encrypted, whatever happened after it
        with svc._connected(conn.id) as (_conn, _source, _connector, stored):
            pass
        assert stored["seed"] == 1002 and stored["count"] == 20
        sealed = hub.tenant("acme")._store.get_sealed(conn.id)
        assert sealed is not None and "1002" not in sealed.token
        # a preview that stops at its limit before the error gets its records
        assert [r["id"] for r in svc.preview(conn.id, "users", limit=2, actor="test").records] == [1, 2]

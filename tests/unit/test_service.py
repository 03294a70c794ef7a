"""The services on the embedded default (SQLite in a fresh HUB_HOME): demo accounts, storage-free demo reads,
interrupted connections, schema versions and storage faults."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import Hub, demo_preview, demo_streams
from hub.catalogue import Catalogue
from hub.connectors.demo_data import _core
from hub.exceptions import InputError, NotFound, StorageError, UnknownBusinessType
from hub.models import Mode, Status, StepEvent
from hub.services.accounts import demo_tenant_id
from hub.settings import Settings
from hub.storage.migrations import latest_version
from hub.storage.tables import is_uuid
from tests.demo_support import demo_pools_built, forget_demo_pools
from tests.storage_support import sqlite_exec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def hub() -> Iterator[Hub]:
    h = Hub.open(Settings.from_env())
    yield h
    h.close()


def test_first_run_creates_the_database_in_wal_mode_with_a_schema_version(hub: Hub, hub_home: Path) -> None:
    assert (hub_home / "hub.db").exists() and hub.backend == "sqlite"
    assert hub.rls_warning is None and hub.local_key
    assert sqlite_exec(hub, "PRAGMA journal_mode") == [("wal",)]
    assert sqlite_exec(hub, "PRAGMA user_version") == [(latest_version("sqlite"),)]
    tables = {r[0] for r in sqlite_exec(hub, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"tenants", "users", "tenant_airbyte_connections", "audit_logs", "api_keys"} | {
        "leases", "sign_in_failures", "connection_checks"
    }


def test_a_database_from_a_newer_hub_is_refused(hub: Hub) -> None:
    sqlite_exec(hub, "PRAGMA user_version = 99")
    hub.close()
    with pytest.raises(StorageError, match="schema version 99"):
        Hub.open(Settings.from_env())


def test_demo_accounts_are_made_once_on_the_embedded_default(hub: Hub) -> None:
    assert hub.ensure_demo_accounts() is True
    assert hub.ensure_demo_accounts() is False
    tenants = {t.slug: (t.name, t.business_type) for t in hub.list_tenants()}
    assert tenants == {"acme": ("Acme Outfitters", "ecommerce"), "globex": ("Globex Cloud", "saas")}
    alice = hub.authenticate("alice", "demo")
    bob = hub.authenticate("bob", "demo")
    assert alice is not None and alice[1].slug == "acme"
    assert bob is not None and bob[1].slug == "globex"
    assert hub.authenticate("alice", "Demo") is None


def test_demo_accounts_show_the_same_data_on_every_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo tenants' ids are fixed, so their demo data (seeded by the id) is too: a sales demo and the
    README's screenshots show the same records on every install."""
    installs = []
    for n in (1, 2):
        monkeypatch.setenv("HUB_HOME", str(tmp_path / f"install-{n}"))
        hub = Hub.open(Settings.from_env())
        try:
            hub.ensure_demo_accounts()
            acme = hub.tenant("acme")
            conn = acme.connect("shopify", {}, actor="alice", mode="demo")
            orders = acme.preview(conn.id, "orders", limit=20, actor="alice").records
            installs.append(({t.slug: t.id for t in hub.list_tenants()}, orders))
            other = hub.create_tenant("initech", name="Initech", business_type="saas")
            assert other.id != demo_tenant_id("initech")  # only the demo accounts have fixed ids
        finally:
            hub.close()
    assert installs[0] == installs[1]
    ids = installs[0][0]
    assert ids == {"acme": demo_tenant_id("acme"), "globex": demo_tenant_id("globex")}
    assert is_uuid(ids["acme"]) and ids["acme"] != ids["globex"]


def test_tenant_input_is_checked(hub: Hub) -> None:
    with pytest.raises(InputError, match="slug"):
        hub.create_tenant("Not A Slug", name="X", business_type="saas")
    with pytest.raises(UnknownBusinessType) as err:
        hub.create_tenant("ok", name="X", business_type="bakery")
    assert "ecommerce" in (err.value.hint or "")
    hub.create_tenant("ok", name="X", business_type="saas")
    with pytest.raises(InputError, match="already exists"):
        hub.create_tenant("ok", name="Y", business_type="saas")
    with pytest.raises(NotFound):
        hub.create_user("carol", tenant="nope", name="C", password="pw12")


def test_demo_reads_without_storage_are_deterministic_and_bounded(hub_home: Path) -> None:
    cat = Catalogue.load()
    streams = demo_streams(cat, "stripe")
    assert [s.name for s in streams] == [
        "customers",
        "charges",
        "invoices",
        "subscriptions",
        "balance_transactions",
    ]
    first = demo_preview(cat, "stripe", "charges", limit=5)
    assert len(first.records) == 5 and first.mode is Mode.DEMO and first.connection_id is None
    assert demo_preview(cat, "stripe", "charges", limit=5).records == first.records
    with pytest.raises(NotFound):
        demo_preview(cat, "stripe", "nope")
    with pytest.raises(InputError):
        demo_preview(cat, "stripe", "charges", limit=0)
    assert not (hub_home / "hub.db").exists()


def test_a_broken_progress_callback_does_not_strand_a_connection(hub: Hub) -> None:
    hub.create_tenant("cb", name="CB", business_type="saas")

    def explode(event: StepEvent) -> None:
        raise RuntimeError("display went away")

    conn = hub.tenant("cb").connect("csv", {}, actor="x", on_step=explode)
    assert conn.status is Status.CONNECTED


def test_a_connection_stuck_in_testing_can_still_be_disconnected(hub: Hub) -> None:
    hub.create_tenant("stuck", name="Stuck", business_type="saas")
    svc = hub.tenant("stuck")
    conn = svc.connect("csv", {}, actor="x")
    # a replica crashed half-way through a re-test
    sqlite_exec(hub, "UPDATE tenant_airbyte_connections SET status = 'testing' WHERE id = ?", (conn.id,))
    gone = svc.disconnect(conn.id, actor="x")
    assert gone.status is Status.DISCONNECTED
    tos = [e.detail.get("to") for e in svc.audit_log() if e.target_id == conn.id]
    assert tos[-2:] == ["failed", "disconnected"]


def test_an_unusable_hub_home_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError) as err:
        Hub.open(Settings.from_env(home=blocker / "hub"))
    assert "HUB_HOME" in str(err.value)
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "hub.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError):
        Hub.open(Settings.from_env(home=tmp_path / "garbage"))


def test_a_read_only_database_is_a_clear_error_and_nothing_is_written() -> None:
    # root ignores file modes: the CLI runs without the capabilities that let it (setpriv)
    drop = "-dac_override,-dac_read_search"
    jail = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", "--"] if os.geteuid() == 0 else []
    home = Path(tempfile.mkdtemp(prefix="hub-ro-"))
    try:
        os.chmod(home, 0o755)
        env = {**os.environ, "HUB_HOME": str(home), "HUB_DEMO_PACE": "0", "PYTHONPATH": str(REPO)}
        run = [sys.executable, "-m", "hub"]
        subprocess.run(
            [*run, "tenants", "add", "ro", "--name", "RO", "--business-type", "saas"],
            env=env,
            check=True,
            capture_output=True,
            cwd=REPO,
        )
        con = sqlite3.connect(home / "hub.db")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = con.execute("SELECT count(*) FROM audit_logs").fetchone()
        con.close()
        for p in home.iterdir():
            os.chmod(p, 0o444)
        os.chmod(home, 0o555)
        out = subprocess.run(
            [*jail, *run, "connect", "--tenant", "ro", "csv", "--demo"],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert out.returncode == 1, out.stderr
        assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr
        assert "read-only" in out.stderr or "unusable" in out.stderr
        os.chmod(home, 0o755)
        con = sqlite3.connect(home / "hub.db")
        assert con.execute("SELECT count(*) FROM audit_logs").fetchone() == before
        assert con.execute("SELECT count(*) FROM tenant_airbyte_connections").fetchone() == (0,)
        con.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_each_audit_row_carries_the_time_of_the_change_it_records(hub: Hub) -> None:
    hub.create_tenant("times", name="Times", business_type="saas")
    svc = hub.tenant("times")
    conn = svc.connect("csv", {}, actor="x")
    rows = [e for e in svc.audit_log() if e.target_id == conn.id]
    assert [(r.action, r.detail.get("to")) for r in rows] == [
        ("connection.create", None),
        ("connection.status", "testing"),
        ("connection.status", "connected"),
    ]
    assert rows[0].at == conn.created_at
    assert rows[0].at <= rows[1].at <= rows[2].at
    assert rows[2].at == conn.updated_at == conn.last_checked_at
    assert svc.verify_audit().ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("01a84645-021c-435d-965b-aa6375e62aa6", True),
        ("01A84645-021C-435D-965B-AA6375E62AA6", True),
        ("01a84645021c435d965baa6375e62aa6", False),
        ("01a84645-021c-435d-965b-aa6375e62aaz", False),
        ("01a84645-021c-435d-965b-aa6375e62aa6\n", False),
        (" 01a84645-021c-435d-965b-aa6375e62aa", False),
        ("x" * 100_000, False),
        (None, False),
        (42, False),
    ],
)
def test_only_canonical_uuids_reach_the_database(value: object, ok: bool) -> None:
    assert is_uuid(value) is ok  # type: ignore[arg-type]
    assert is_uuid(value) is ok  # type: ignore[arg-type]  # the second answer comes from the memo


def test_the_warm_up_builds_the_demo_pools_once_even_beside_a_connect(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    class CountingFaker(_core.Faker):  # type: ignore[misc, name-defined]
        def __init__(self, locale: str) -> None:
            made.append(locale)
            super().__init__(locale)

    monkeypatch.setattr(_core, "Faker", CountingFaker)
    forget_demo_pools()
    try:
        hub.create_tenant("warm", name="Warm", business_type="ecommerce")
        warmers = [hub.start_warm_up() for _ in range(3)]
        conn = hub.tenant("warm").connect("shopify", {"account": "warm.example.com"}, actor="x", mode="demo")
        for thread in warmers:
            thread.join(30)
        assert conn.status is Status.CONNECTED and conn.metadata["records_sampled"] > 0
        assert made == ["en_US"]  # one build, shared by the three warm-ups and the connect
        hub.warm_up()
        assert demo_pools_built() and made == ["en_US"]  # a later warm-up finds them built
    finally:
        forget_demo_pools()  # the next test builds them with the real Faker

"""Live database connections through the services and the CLI; the password never lands in plain text."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub import Hub
from hub.models import Mode, Status
from hub.settings import Settings
from tests.integration.sql_fixtures import shop_mariadb, shop_postgres


@pytest.fixture
def hub(hub_home):
    h = Hub.open(Settings.from_env())
    h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    yield h
    h.close()


def _files_contain(home: Path, secret: str) -> list[str]:
    found = []
    for p in home.rglob("*"):
        if p.is_file() and secret.encode() in p.read_bytes():
            found.append(p.name)
    return found


def test_postgres_connection_through_the_services(hub, postgres, hub_home, caplog):
    caplog.set_level(logging.DEBUG)
    shop = shop_postgres(postgres)
    acme = hub.tenant("acme")
    steps = []
    conn = acme.connect(
        "postgres", shop.config(), actor="alice", mode="live", name="Warehouse", on_step=steps.append
    )
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert conn.mode is Mode.LIVE
    assert {"customers", "orders", "big_events"} <= set(conn.metadata["streams"])
    assert "password" not in json.dumps(conn.metadata["config"])
    assert conn.metadata["config"]["host"] == "127.0.0.1"
    assert [s.step for s in steps if s.state == "done"] == [
        "connecting",
        "testing",
        "discovering",
        "sampling",
    ]
    streams = {s.name: s for s in acme.streams(conn.id)}
    assert streams["orders"].primary_key == ["id", "placed_on"]
    preview = acme.preview(conn.id, "big_events", limit=50, actor="alice")
    assert [r["id"] for r in preview.records] == list(range(1, 51))
    assert preview.stream.estimated_rows and preview.stream.estimated_rows > 900_000
    retested = acme.retest(conn.id, actor="alice")
    assert retested.status is Status.CONNECTED
    password = shop.users["reader"]
    assert _files_contain(hub_home, password) == []
    assert password not in caplog.text
    # the engines kept between operations hold no password (it reaches the driver per connection)
    from hub.connectors.sql.base import ENGINES

    for engine in list(ENGINES._engines.values()):
        assert engine.url.password is None
        assert password not in repr(engine.dialect.create_connect_args(engine.url))
    assert all(password not in json.dumps(e.detail) for e in acme.audit_log())


def test_failed_check_is_stored_with_the_reason_not_the_password(hub, postgres, hub_home):
    shop = shop_postgres(postgres)
    wrong = "not-the-Password-123"
    conn = hub.tenant("acme").connect("postgres", shop.config(password=wrong), actor="alice", mode="live")
    assert conn.status is Status.FAILED
    assert "Password authentication failed for user 'reader'" in conn.status_detail
    assert wrong not in conn.model_dump_json()
    assert _files_contain(hub_home, wrong) == []


def test_mysql_connection_through_the_services(hub, mariadb):
    shop = shop_mariadb(mariadb)
    acme = hub.tenant("acme")
    conn = acme.connect("mysql", shop.config(), actor="alice", mode="live")
    assert conn.status is Status.CONNECTED, conn.status_detail
    rows = acme.preview(conn.id, "orders", limit=10, actor="alice").records
    assert [r["id"] for r in rows] == [1, 2, 3]


def test_sample_data_database_connection_still_works(hub):
    conn = hub.tenant("acme").connect("postgres", {}, actor="alice", mode="demo")
    assert conn.status is Status.CONNECTED and conn.mode is Mode.DEMO
    assert "customers" in conn.metadata["streams"]


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        env=dict(os.environ),
        check=False,
    )


def test_cli_connect_streams_and_schema(hub, postgres, hub_home):
    shop = shop_postgres(postgres)
    password = shop.users["reader"]
    made = _cli(
        "connect", "--tenant", "acme", "postgres", "--config", "-", "--json", stdin=json.dumps(shop.config())
    )
    assert made.returncode == 0, made.stderr
    conn_id = json.loads(made.stdout)["id"]
    ddl = _cli("schema", "--tenant", "acme", conn_id, "customers", "--format", "sql")
    assert ddl.returncode == 0, ddl.stderr
    assert ddl.stdout.startswith("-- stream customers")
    assert 'CREATE TABLE "customers" (' in ddl.stdout and '"balance" numeric(12,2) NOT NULL' in ddl.stdout
    doc = _cli("schema", "--tenant", "acme", conn_id, "orders")
    assert doc.returncode == 0, doc.stderr
    parsed = json.loads(doc.stdout)
    assert parsed["title"] == "orders" and parsed["x-primary-key"] == ["id", "placed_on"]
    missing = _cli("schema", "--tenant", "acme", conn_id, "nope")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ") and "nope" in missing.stderr
    bad = _cli(
        "connect",
        "--tenant",
        "acme",
        "postgres",
        "--config",
        "-",
        stdin=json.dumps(shop.config(password="wrong-" + password)),
    )
    assert bad.returncode == 1 and "Password authentication failed" in bad.stderr
    for out in (made, ddl, doc, missing, bad):
        assert password not in out.stdout + out.stderr
    assert _files_contain(hub_home, password) == []

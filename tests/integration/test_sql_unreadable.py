"""One unreadable stream does not fail a source (real PostgreSQL and MariaDB), and no message names a class.

A source connects when its check passes and one stream can be read; every other stream is listed in
the connection's metadata (``unreadable_streams``: name -> reason in words) and shown by the CLI and the
API. A preview of an unreadable stream is a `StreamError` with the reason and what to do.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.cli import main
from hub.connectors import get_connector
from hub.connectors.sql.errors import Target, translate
from hub.exceptions import StreamError
from hub.models import Status, StepEvent
from hub.settings import Settings
from tests.integration.api_support import make_key
from tests.integration.sql_fixtures import shop_mariadb, shop_postgres, source
from tests.integration.unreadable_fixtures import (
    MY_REASONS,
    PG_REASONS,
    broken_mariadb,
    broken_postgres,
    config,
    only_unpopulated_postgres,
)

#: A driver's or SQLAlchemy's class name, or Python's exception names, as they would leak into a message.
CLASS_NAME = re.compile(
    r"psycopg|pymysql|sqlalchemy|sqlite3|\b[A-Za-z]+\.[A-Za-z.]*[A-Z]\w+(Error|Exception|State|Violation)\b"
    r"|\b\w*(Error|Exception)\b\)|\bObjectNotInPrerequisiteState\b|\bOperationalError\b|\bProgrammingError\b"
)


def no_class_name(*texts: Any) -> None:
    for text in texts:
        assert not CLASS_NAME.search(str(text)), text


@pytest.fixture(scope="module")
def pg_broken(postgres):
    return broken_postgres(postgres)


@pytest.fixture(scope="module")
def my_broken(mariadb):
    return broken_mariadb(mariadb)


@pytest.fixture
def hub():
    with Hub.open(Settings.from_env()) as h:
        h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
        yield h


def test_postgres_connects_and_lists_each_unreadable_stream_with_its_reason(hub, postgres):
    pg_broken = broken_postgres(postgres)  # its own: this test refreshes the materialized view
    steps: list[StepEvent] = []
    svc = hub.tenant("acme")
    conn = svc.connect("postgres", config(pg_broken), actor="alice", on_step=steps.append)
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert conn.metadata["unreadable_streams"] == PG_REASONS
    assert conn.metadata["sample_counts"] == {"orders": 2}
    assert set(conn.metadata["streams"]) == {"orders", *PG_REASONS}  # listed, marked, never hidden
    assert conn.status_detail == "Connected · 5 streams · 2 records · 4 unreadable"
    sampling = [s.message for s in steps if s.step == "sampling" and s.state == "done"]
    assert (
        sampling and "4 streams cannot be read: " in sampling[0] and "monthly (not populated" in sampling[0]
    )

    # a preview of an unreadable stream: the reason and what to do, audited as an error
    with pytest.raises(StreamError) as err:
        svc.preview(conn.id, "monthly", limit=5, actor="alice")
    assert (
        err.value.message
        == "The stream 'monthly' cannot be read: the materialized view has not been populated."
    )
    assert "REFRESH MATERIALIZED VIEW public.monthly" in err.value.hint
    with pytest.raises(StreamError) as denied:
        svc.preview(conn.id, "payroll", limit=5, actor="alice")
    assert "permission denied for table salaries" in denied.value.message
    assert "owner" in denied.value.hint  # a view reads its tables with its owner's privileges
    audit = [e for e in svc.audit_log() if e.action == "connection.preview"]
    assert [e.outcome.value for e in audit[-2:]] == ["error", "error"]
    no_class_name(conn.status_detail, conn.metadata, *steps, err.value, denied.value)

    # populated now: a re-test reads it and the list shrinks
    postgres.psql("REFRESH MATERIALIZED VIEW monthly", database=pg_broken.database)
    again = svc.retest(conn.id, actor="alice")
    assert again.status is Status.CONNECTED
    assert set(again.metadata["unreadable_streams"]) == set(PG_REASONS) - {"monthly"}
    assert svc.preview(conn.id, "monthly", limit=5, actor="alice").records == [{"n": 2}]


def test_postgres_with_no_readable_stream_fails_with_the_reason(hub, postgres):
    db = only_unpopulated_postgres(postgres)
    conn = hub.tenant("acme").connect("postgres", config(db), actor="alice")
    assert conn.status is Status.FAILED
    assert conn.status_detail.startswith(
        "The only stream of PostgreSQL cannot be read: totals (not populated: run REFRESH MATERIALIZED VIEW "
        "public.totals)."
    )
    assert conn.metadata["check"]["step"] == "sampling"
    no_class_name(conn.status_detail, conn.metadata)


def test_mariadb_connects_and_lists_each_unreadable_view(hub, my_broken):
    conn = hub.tenant("acme").connect("mysql", config(my_broken), actor="alice")
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert conn.metadata["unreadable_streams"] == MY_REASONS
    assert conn.metadata["sample_counts"] == {"orders": 2}
    assert "hidden" not in conn.metadata["streams"]  # its role is not enabled: discovery leaves it out
    with pytest.raises(StreamError) as err:
        hub.tenant("acme").preview(conn.id, "gone_view", limit=5, actor="alice")
    assert err.value.message.startswith("The stream 'gone_view' cannot be read: the view's query fails")
    assert "SHOW CREATE VIEW" in err.value.hint
    no_class_name(conn.status_detail, conn.metadata, err.value)


def test_the_cli_and_the_api_show_the_unreadable_streams(hub, pg_broken, capsys):
    conn = hub.tenant("acme").connect("postgres", config(pg_broken), actor="alice")

    assert main(["connections", "--tenant", "acme"]) == 0
    out = capsys.readouterr().out
    assert (
        f"{conn.id}: 4 streams cannot be read: " in out
        and "payroll (permission denied for table salaries)" in out
    )
    assert main(["connections", "--tenant", "acme", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["metadata"]["unreadable_streams"] == PG_REASONS
    assert main(["streams", "--tenant", "acme", conn.id]) == 0
    assert "monthly (not populated: run REFRESH MATERIALIZED VIEW public.monthly)" in capsys.readouterr().out
    assert main(["preview", "--tenant", "acme", conn.id, "closing"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "error: The stream 'closing' cannot be read: the view's query fails: the ledger is closed."
    )
    assert main(["retest", "--tenant", "acme", conn.id]) == 0
    assert "note: 4 streams cannot be read: " in capsys.readouterr().err
    no_class_name(out, err)

    caller = make_key(hub, "acme", "unreadable")
    with TestClient(create_app(hub)) as client:
        got = client.get(f"/api/connections/{conn.id}", headers=caller.headers)
        assert got.status_code == 200 and got.json()["metadata"]["unreadable_streams"] == PG_REASONS
        stored = client.post(
            "/api/connections/store",
            headers=caller.headers,
            json={"source_id": "postgres", "mode": "live", "config": config(pg_broken)},
        )
        assert stored.status_code == 201 and stored.json()["status"] == "connected"
        assert stored.json()["metadata"]["unreadable_streams"] == PG_REASONS
        preview = client.get(
            f"/api/connections/{conn.id}/streams/monthly/preview", params={"limit": 2}, headers=caller.headers
        )
        assert preview.status_code == 502 and "has not been populated" in preview.text
        no_class_name(got.text, stored.text, preview.text)


# --------------------------------------------------------------------------- never a class name


_PG_FAILURES = [
    "SELECT 1/0",
    "SELECT * FROM no_such_table",
    "SELECT no_such_column FROM pg_class",
    "SELECT 'x'::int",
    "SELEC 1",
    "SELECT * FROM monthly",
    "SELECT * FROM closing",
    "SELECT * FROM salaries",
    "CREATE TABLE written (id int)",
]
_MY_FAILURES = [
    "SELECT * FROM no_such_table",
    "SELECT no_such_column FROM orders",
    "SELEC 1",
    "SELECT * FROM gone_view",
    "SELECT * FROM salaries",
    "CREATE TABLE written (id INT)",
]


@pytest.mark.parametrize("kind", ["postgres", "mariadb"])
def test_any_driver_error_is_translated_into_words_without_a_class_name(kind, pg_broken, my_broken):
    db = pg_broken if kind == "postgres" else my_broken
    connector = get_connector(source("postgres" if kind == "postgres" else "mysql"), "live")
    cfg = connector.validate(config(db))
    target = Target(kind, db.host, db.port, db.users["_role"], db.database, "", 5, 5432)
    failures = _PG_FAILURES if kind == "postgres" else _MY_FAILURES
    messages = []
    for sql in failures:  # through the connector's boundary
        with pytest.raises(Exception) as err, connector._connect(cfg) as conn:
            conn.exec_driver_sql(sql).fetchall()
        messages.append(str(err.value))
    with connector._connect(cfg) as conn:  # and the translation of SQLAlchemy's own wrapper, directly
        for sql in failures:
            try:
                conn.exec_driver_sql(sql).fetchall()
            except sa.exc.DBAPIError as exc:
                assert CLASS_NAME.search(str(exc))  # SQLAlchemy prints the class: the translation must not
                messages.append(str(translate(exc, target)))
    assert len(messages) == 2 * len(failures)
    no_class_name(*messages)


def test_shared_shop_fixtures_stay_fully_readable(hub, postgres, mariadb):
    # the shop databases other tests use have no unreadable stream: nothing is listed for them
    for kind, db in (("postgres", shop_postgres(postgres)), ("mysql", shop_mariadb(mariadb))):
        conn = hub.tenant("acme").connect(kind, db.config(), actor="alice", sample_limit=1)
        assert conn.status is Status.CONNECTED and "unreadable_streams" not in conn.metadata, conn.metadata

"""Alerts on PostgreSQL as the RLS-bound app role: destinations and raised alerts are tenant-bound, the
webhook secret is stored encrypted, and a change is raised once there too (the PostgreSQL upserts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest

from hub import Hub
from hub.storage.tables import now
from tests.integration.alert_support import WebhookReceiver
from tests.servers import PostgresServer
from tests.storage_support import APP_PASSWORD, PgDatabase, make_pg_database, unique_slug

pytestmark = pytest.mark.postgres

SECRET = "pg-hook-secret-0c7d"


@pytest.fixture(scope="module")
def pg_db(postgres: PostgresServer) -> PgDatabase:
    return make_pg_database(postgres)


@pytest.fixture
def hub(pg_db: PgDatabase) -> Iterator[Hub]:
    # HUB_DATABASE_URL set: public hosts only, unless allowed; the test's receiver is on loopback
    h = Hub.open(pg_db.settings(source_allow=("127.0.0.1/32",)))
    try:
        yield h
    finally:
        h.close()


def test_destinations_and_alerts_are_tenant_bound_and_raised_once(
    hub: Hub, pg_db: PgDatabase, webhook: WebhookReceiver
) -> None:
    a, b = unique_slug("a"), unique_slug("b")
    ta = hub.create_tenant(a, name="A", business_type="ecommerce")
    tb = hub.create_tenant(b, name="B", business_type="saas")
    acme = hub.tenant(a)
    acme.set_alert_destinations(webhook_url=webhook.url, webhook_secret=SECRET, emails=[], actor="alice")
    acme.set_alert_destinations(webhook_url=webhook.url, emails=["ops@example.com"], actor="alice")  # upsert
    assert acme.alert_destinations().webhook_secret == "••••" + SECRET[-4:]
    assert hub.tenant(b).alert_destinations().webhook_url is None
    conn = acme.connect("shopify", {}, actor="alice", mode="demo")
    meta = {**conn.metadata, "credentials_expire_at": (now() + timedelta(days=1)).isoformat()}
    acme._store.update_connection(conn.id, expect_status=None, changes={"metadata": meta}, audit=None)
    acme.check_connection(conn.id)
    forgotten = {k: v for k, v in acme.get_connection(conn.id).metadata.items() if k != "alerts"}
    acme._store.update_connection(conn.id, expect_status=None, changes={"metadata": forgotten}, audit=None)
    acme.check_connection(conn.id)  # the alerted state lost: the same key, no second row
    assert webhook.events() == ["credentials_expiring"] and webhook.hooks[0].signed_with(SECRET)
    assert [x["event"] for x in acme.list_alerts()] == ["credentials_expiring"]

    dsn = pg_db.server.dsn(pg_db.name, user="hub_app", password=APP_PASSWORD)
    with psycopg.connect(dsn) as pc:
        for table in ("tenant_settings", "alert_events"):
            assert pc.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table  # no tenant set
        pc.rollback()
        with pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (tb.id,))
            for table in ("tenant_settings", "alert_events"):
                assert pc.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
            upd = pc.execute("UPDATE alert_events SET sent_at = NULL WHERE tenant_id = %s", (ta.id,))
            assert upd.rowcount == 0
        with pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (ta.id,))
            row = pc.execute("SELECT value::text, encrypted_value FROM tenant_settings").fetchone()
            assert row is not None and SECRET not in row[0] and SECRET not in (row[1] or "")
            assert pc.execute("SELECT count(*) FROM alert_events").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (ta.id,))
            pc.execute("DELETE FROM alert_events")  # raised alerts are history: the app never deletes them

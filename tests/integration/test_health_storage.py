"""The check history on PostgreSQL as the app role: row level security, retention, the timeline index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest

from hub import Hub
from hub.models import FailureKind
from hub.services.history import record_check
from hub.storage.tables import now
from tests.servers import PostgresServer
from tests.storage_support import APP_PASSWORD, PgDatabase, make_pg_database, unique_slug

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_db(postgres: PostgresServer) -> PgDatabase:
    return make_pg_database(postgres)


@pytest.fixture
def hub(pg_db: PgDatabase) -> Iterator[Hub]:
    h = Hub.open(pg_db.settings())
    try:
        yield h
    finally:
        h.close()


def test_checks_are_tenant_bound_and_old_ones_are_pruned_as_the_app_role(hub: Hub, pg_db: PgDatabase) -> None:
    a, b = unique_slug("a"), unique_slug("b")
    hub.create_tenant(a, name="A", business_type="ecommerce")
    tb = hub.create_tenant(b, name="B", business_type="saas")
    acme = hub.tenant(a)
    conn = acme.connect("shopify", {}, actor="alice", mode="demo")
    assert acme.check_connection(conn.id) is not None
    assert len(acme.check_history(conn.id)) == 2
    # another tenant's transaction sees none of them and deletes none
    app_dsn = pg_db.server.dsn(pg_db.name, user="hub_app", password=APP_PASSWORD)
    with psycopg.connect(app_dsn) as pc, pc.transaction():
        pc.execute("SELECT set_config('app.tenant_id', %s, true)", (tb.id,))
        assert pc.execute("SELECT count(*) FROM connection_checks").fetchone() == (0,)
        assert pc.execute("DELETE FROM connection_checks").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pc.execute("UPDATE connection_checks SET message = 'x'")
    assert len(acme.check_history(conn.id)) == 2
    # the retention deletes the connection's rows older than HUB_CHECK_RETENTION_DAYS as it writes a new one
    old = record_check(acme, conn, kind=FailureKind.OK, message="old")
    with psycopg.connect(pg_db.server.dsn(pg_db.name)) as owner:
        owner.execute(
            "UPDATE connection_checks SET at = %s WHERE id = %s",
            (now() - timedelta(days=hub.settings.check_retention_days + 1), old.id),
        )
    acme.check_connection(conn.id)
    history = acme.check_history(conn.id)
    assert old.id not in {r.id for r in history} and len(history) == 3


def test_the_newest_page_is_read_through_the_timeline_index(hub: Hub, pg_db: PgDatabase) -> None:
    slug = unique_slug("t")
    tenant = hub.create_tenant(slug, name="T", business_type="saas")
    conn = hub.tenant(slug).connect("shopify", {}, actor="alice", mode="demo")
    with psycopg.connect(pg_db.server.dsn(pg_db.name)) as owner:
        owner.execute(
            "INSERT INTO connection_checks (id, tenant_id, connection_id, at, outcome, kind) "
            "SELECT gen_random_uuid(), %s, %s, now() - g * interval '1 minute', 'ok', 'ok' "
            "FROM generate_series(1, 20000) g",
            (tenant.id, conn.id),
        )
        owner.execute("ANALYZE connection_checks")
        plan = "\n".join(
            r[0]
            for r in owner.execute(
                "EXPLAIN SELECT * FROM connection_checks WHERE tenant_id = %s AND connection_id = %s "
                "ORDER BY at DESC LIMIT 100",
                (tenant.id, conn.id),
            ).fetchall()
        )
    assert "connection_checks_timeline_idx" in plan and "Sort" not in plan, plan
    assert len(hub.tenant(slug).check_history(conn.id, limit=100)) == 100

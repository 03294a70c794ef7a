"""PostgreSQL only: row level security as the app role, the migration, the RLS self-check and faults."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from hub import Hub
from hub.exceptions import StorageError
from hub.models import Status
from hub.settings import Settings
from hub.storage.crypto import generate_entry
from hub.storage.migrations import latest_version
from hub.storage.tables import metadata as sql_metadata
from tests.servers import PostgresServer, free_port
from tests.storage_support import APP_PASSWORD, PgDatabase, make_pg_database, unique_slug

pytestmark = pytest.mark.postgres

TABLES = (
    "tenants",
    "users",
    "tenant_airbyte_connections",
    "audit_logs",
    "api_keys",
    "connection_checks",
    "tenant_settings",
    "alert_events",
    "oauth_states",
)
#: Every table, the tenant data's and the others (leases, failed sign-ins: no tenant, no row level security).
ALL_TABLES = (*TABLES, "leases", "sign_in_failures")


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


def _app(pg_db: PgDatabase) -> psycopg.Connection:
    return psycopg.connect(pg_db.server.dsn(pg_db.name, user="hub_app", password=APP_PASSWORD))


def test_raw_sql_as_the_app_role_sees_only_the_tenant_of_the_transaction(hub: Hub, pg_db: PgDatabase) -> None:
    a, b = unique_slug("a"), unique_slug("b")
    ta = hub.create_tenant(a, name="A", business_type="ecommerce")
    tb = hub.create_tenant(b, name="B", business_type="saas")
    conn = hub.tenant(a).connect("postgres", {}, actor="alice", mode="demo")
    hub.create_api_key(a, name="k")

    with _app(pg_db) as pc:
        # no tenant set: nothing at all
        for table in TABLES:
            assert pc.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        pc.rollback()
        with pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (tb.id,))
            for table in ("tenant_airbyte_connections", "audit_logs", "api_keys"):
                n = pc.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", (ta.id,)).fetchone()
                assert n == (0,), table
            assert pc.execute(
                "SELECT count(*) FROM tenant_airbyte_connections WHERE id = %s", (conn.id,)
            ).fetchone() == (0,)
            assert pc.execute("SELECT slug FROM tenants").fetchall() == [(b,)]
            upd = pc.execute("UPDATE tenant_airbyte_connections SET name = 'x' WHERE id = %s", (conn.id,))
            assert upd.rowcount == 0
        # the setting is per transaction: gone afterwards
        assert pc.execute("SELECT count(*) FROM tenant_airbyte_connections").fetchone() == (0,)
        pc.rollback()
        # writing a row into another tenant is refused by the policy
        with pytest.raises(psycopg.errors.InsufficientPrivilege), pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (tb.id,))
            pc.execute(
                "INSERT INTO audit_logs (id, tenant_id, seq, at, actor, action, outcome, detail, prev_hash, "
                "hash) VALUES (gen_random_uuid(), %s, 99, now(), 'x', 'x', 'ok', '{}', '', '')",
                (ta.id,),
            )
        # with A's setting the app sees A's row
        with pc.transaction():
            pc.execute("SELECT set_config('app.tenant_id', %s, true)", (ta.id,))
            assert pc.execute(
                "SELECT count(*) FROM tenant_airbyte_connections WHERE id = %s", (conn.id,)
            ).fetchone() == (1,)


def test_the_app_role_may_only_append_to_the_audit_log(hub: Hub, pg_db: PgDatabase) -> None:
    a = unique_slug("a")
    ta = hub.create_tenant(a, name="A", business_type="ecommerce")
    with _app(pg_db) as pc:
        for sql in (
            "UPDATE audit_logs SET actor = 'x'",
            "DELETE FROM audit_logs",
            "DELETE FROM tenant_airbyte_connections",
            "UPDATE tenants SET name = 'x'",
            "INSERT INTO tenants (id, slug, name, business_type) "
            "VALUES (gen_random_uuid(), 'zz', 'z', 'saas')",
            "UPDATE users SET password_hash = 'x'",
            "DELETE FROM api_keys",
            "UPDATE api_keys SET key_hash = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), pc.transaction():
                pc.execute("SELECT set_config('app.tenant_id', %s, true)", (ta.id,))
                pc.execute(sql)
        owner = pc.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert owner == (False, False)
        owned = pc.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        ).fetchone()
        assert owned == (0,)
        forced = pc.execute(
            "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class WHERE relname = ANY(%s)",
            (list(TABLES),),
        ).fetchone()
        assert forced == (True,)
    assert hub.tenant(a).verify_audit().ok


def test_rls_self_check_warns_for_a_role_that_could_bypass_it(
    pg_db: PgDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    with Hub.open(pg_db.settings()) as as_app:
        assert as_app.rls_warning is None
    caplog.set_level(logging.WARNING)
    with Hub.open(pg_db.settings(database_url=pg_db.admin_url)) as as_owner:
        assert as_owner.rls_warning is not None
        assert "superuser" in as_owner.rls_warning and "hub_app" in as_owner.rls_warning
    assert "row level security does not apply" in caplog.text


def test_work_across_tenants_needs_the_admin_url(pg_db: PgDatabase) -> None:
    settings = Settings.from_env(database_url=pg_db.app_url, encryption_keys=pg_db.keys)
    with Hub.open(settings) as hub:
        with pytest.raises(StorageError) as err:
            hub.list_tenants()
        assert "HUB_ADMIN_DATABASE_URL" in str(err.value)
        with pytest.raises(StorageError):
            hub.create_tenant(unique_slug(), name="X", business_type="saas")
        assert hub.ensure_demo_accounts() is False  # never with HUB_DATABASE_URL


def test_sqlite_and_the_migration_have_the_same_tables_and_columns(pg_db: PgDatabase, hub: Hub) -> None:
    with Hub.open(Settings.from_env()) as lite:
        lite_engine = sa.create_engine(lite.db.url)
        try:
            lite_cols = {
                t: [c["name"] for c in sa.inspect(lite_engine).get_columns(t)]
                for t in sa.inspect(lite_engine).get_table_names()
            }
        finally:
            lite_engine.dispose()
    engine = pg_db.admin_engine()
    try:
        insp = sa.inspect(engine)
        pg_cols = {t: [c["name"] for c in insp.get_columns(t)] for t in insp.get_table_names(schema="public")}
    finally:
        engine.dispose()
    assert set(lite_cols) == set(pg_cols) == set(ALL_TABLES) == set(sql_metadata.tables)
    for table in ALL_TABLES:
        assert lite_cols[table] == pg_cols[table], table
        assert pg_cols[table] == [c.name for c in sql_metadata.tables[table].columns]


def test_the_hub_applies_the_migration_to_an_empty_database(postgres: PostgresServer) -> None:
    name = postgres.create_database()
    settings = Settings.from_env(database_url=postgres.url(name), encryption_keys=generate_entry("k1"))
    with Hub.open(settings) as hub:
        slug = unique_slug()
        hub.create_tenant(slug, name="Fresh", business_type="saas")
        assert hub.tenant(slug).connect("csv", {}, actor="x").status is Status.CONNECTED
    assert postgres.psql("SELECT public.hub_schema_version()", database=name).strip() == str(
        latest_version("postgresql")
    )


def test_unreachable_database_is_a_clear_storage_error(pg_db: PgDatabase) -> None:
    port = free_port()  # bound and closed: nothing listens there
    url = f"postgresql://hub_app:{APP_PASSWORD}@127.0.0.1:{port}/hub"
    with pytest.raises(StorageError) as err:
        Hub.open(Settings.from_env(database_url=url, encryption_keys=pg_db.keys))
    text = str(err.value)
    assert f"127.0.0.1:{port}" in text and "unreachable" in text and APP_PASSWORD not in text


def test_read_only_database_is_a_clear_storage_error_and_nothing_is_half_written(
    postgres: PostgresServer,
) -> None:
    db = make_pg_database(postgres)
    with Hub.open(db.settings()) as hub:
        slug = unique_slug()
        hub.create_tenant(slug, name="RO", business_type="saas")
        hub.tenant(slug).connect("csv", {}, actor="x")
        before = hub.tenant(slug).audit_log()
    postgres.psql(f'ALTER DATABASE "{db.name}" SET default_transaction_read_only = on')
    with Hub.open(db.settings()) as hub:
        svc = hub.tenant(slug)
        with pytest.raises(StorageError) as err:
            svc.connect("csv", {}, actor="x")
        assert "read-only" in str(err.value)
        assert len(svc.list_connections()) == 1
        assert svc.audit_log() == before and svc.verify_audit().ok


def test_a_live_database_connection_keeps_its_password_only_in_the_ciphertext(
    pg_db: PgDatabase, postgres: PostgresServer
) -> None:
    # the source is on loopback: a hub on PostgreSQL connects only to public hosts unless allowed
    with Hub.open(pg_db.settings(source_allow="127.0.0.1/32")) as hub:
        _live_connection(hub, pg_db, postgres)


def _live_connection(hub: Hub, pg_db: PgDatabase, postgres: PostgresServer) -> None:
    source_db = postgres.create_database()
    postgres.psql(
        "CREATE TABLE public.orders (id int primary key, total numeric); "
        "INSERT INTO orders VALUES (1, 9.5), (2, 3)",
        database=source_db,
    )
    slug = unique_slug("live")
    hub.create_tenant(slug, name="Live", business_type="saas")
    svc = hub.tenant(slug)
    config = {
        "host": "127.0.0.1",
        "port": postgres.port,
        "database": source_db,
        "username": "postgres",
        "password": postgres.password,
        "ssl_mode": {"mode": "disable"},
    }
    conn = svc.connect("postgres", config, actor="alice")  # mode None + a config: live
    assert conn.mode.value == "live" and conn.status is Status.CONNECTED, conn.status_detail
    assert conn.metadata["config"]["host"] == "127.0.0.1" and "password" not in conn.metadata["config"]
    assert "orders" in conn.metadata["streams"]
    assert [r["id"] for r in svc.preview(conn.id, "orders", limit=5, actor="alice").records] == [1, 2]
    dump = "\n".join(r[0] for r in _admin_rows(pg_db, "SELECT t::text FROM tenant_airbyte_connections t"))
    assert postgres.password not in dump and conn.id in dump

    closed = {**config, "port": free_port()}
    failed = svc.connect("postgres", closed, actor="alice")
    assert failed.status is Status.FAILED and failed.mode.value == "live" and failed.status_detail


def _admin_rows(pg_db: PgDatabase, sql: str) -> list[tuple[str, ...]]:
    engine = pg_db.admin_engine()
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(sa.text(sql)).all()]
    finally:
        engine.dispose()


def test_the_app_role_uses_leases_and_sign_in_failures_without_a_tenant(pg_db: PgDatabase) -> None:
    # not tenant data: no row level security, only the privileges 0002 grants
    name = f"test:{unique_slug()}"
    with _app(pg_db) as pc:
        with pc.transaction():
            pc.execute("INSERT INTO leases (name, holder, expires_at) VALUES (%s, 'h1', now())", (name,))
            upd = pc.execute("UPDATE leases SET holder = 'h2' WHERE name = %s", (name,))
            assert upd.rowcount == 1
            assert pc.execute("DELETE FROM leases WHERE name = %s", (name,)).rowcount == 1
            pc.execute(
                "INSERT INTO sign_in_failures (id, username, at) VALUES (gen_random_uuid(), %s, now())",
                (name,),
            )
            found = pc.execute("SELECT count(*) FROM sign_in_failures WHERE username = %s", (name,))
            assert found.fetchone() == (1,)
            assert pc.execute("DELETE FROM sign_in_failures WHERE username = %s", (name,)).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege), pc.transaction():
            pc.execute("UPDATE sign_in_failures SET username = 'x'")
        forced = pc.execute(
            "SELECT bool_or(relrowsecurity) FROM pg_class WHERE relname IN ('leases', 'sign_in_failures')"
        ).fetchone()
        assert forced == (False,)


def test_connect_leases_and_recovery_work_as_the_app_role(hub: Hub, pg_db: PgDatabase) -> None:
    """A rerun ends a connect interrupted; a connect whose lease expired is ended by another replica."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    from hub.models import StepEvent
    from hub.services.attempts import lease_name
    from hub.storage import Leases

    slug = unique_slug("lease")
    tenant = hub.create_tenant(slug, name="L", business_type="saas")
    app_only = pg_db.settings(admin_database_url=None)

    def rerun(event: StepEvent) -> None:
        if event.step == "sampling":
            raise RerunException(RerunData())

    with Hub.open(app_only) as replica_one, Hub.open(app_only) as replica_two:
        one = replica_one.tenant(slug)
        with pytest.raises(RerunException):
            one.connect("postgres", {}, actor="alice", mode="demo", on_step=rerun)
        (stopped,) = one.list_connections()
        assert stopped.status is Status.FAILED and stopped.status_detail.startswith("Interrupted")
        assert Leases(replica_one.db).get(lease_name(tenant.id, stopped.id)) is None

        # a connect that stops renewing its lease (as a killed process does) is ended by the other replica
        sampling, finish = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def stall(event: StepEvent) -> None:
            if (event.step, event.state) == ("sampling", "running"):
                sampling.set()
                finish.wait(timeout=60)

        def run() -> None:
            try:
                one.retest(stopped.id, actor="alice", on_step=stall)
            except BaseException as exc:  # checked below
                errors.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        try:
            assert sampling.wait(timeout=60)
            leases = Leases(replica_two.db)
            name = lease_name(tenant.id, stopped.id)
            assert replica_two.recover_interrupted() == []  # live: left alone
            held = leases.get(name)
            assert held is not None and leases.renew(name, held.holder, -1)  # as if it had died
            assert replica_two.recover_interrupted() == [stopped.id]
        finally:
            finish.set()
            worker.join(timeout=60)
        ended = replica_two.tenant(slug).get_connection(stopped.id)
        assert ended.status is Status.FAILED and ended.status_detail.startswith("Interrupted")
        # the stalled attempt, resumed, finds its row ended and does not overwrite it
        assert [type(e).__name__ for e in errors] == ["TransitionError"]
        entries = replica_two.tenant(slug).audit_log(action="connection.interrupted")
        assert [e.actor for e in entries] == ["alice", "hub"]
        assert replica_two.tenant(slug).verify_audit().ok

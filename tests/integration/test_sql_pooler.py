"""The PostgreSQL connector behind a real PgBouncer, as Supabase's poolers put it in front of a database.

Supabase offers a session pooler (port 5432) and a transaction pooler (port 6543, user
``postgres.<project-ref>``). Both refuse the start-up options the connector sends to a direct server.
In transaction mode a server connection is shared between clients from one transaction to the next, so
the connector's session settings (read-only, UTC, statement timeout) must hold inside every transaction
it runs, and must never leak to the next client of the pool.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from hub.connectors import get_connector
from tests.integration.sql_fixtures import SourceDB, shop_postgres, source
from tests.integration.tls_servers import make_tls
from tests.servers import PgBouncerServer, PostgresServer, start_pgbouncer

pytestmark = pytest.mark.postgres

SETTINGS_VIEW = """
CREATE OR REPLACE VIEW session_settings AS
SELECT 1 AS id,
       current_setting('transaction_read_only') AS read_only,
       current_setting('TimeZone') AS time_zone,
       current_setting('statement_timeout') AS statement_timeout;
GRANT SELECT ON session_settings TO reader;
"""


@pytest.fixture(scope="module")
def shop(postgres: PostgresServer) -> Iterator[SourceDB]:
    db = shop_postgres(postgres)
    with psycopg.connect(postgres.dsn(database=db.database), autocommit=True) as conn:
        conn.execute(SETTINGS_VIEW)
    yield db
    # the shop is shared by the whole session: later modules list its streams exactly
    with psycopg.connect(postgres.dsn(database=db.database), autocommit=True) as conn:
        conn.execute("DROP VIEW session_settings")


@pytest.fixture(scope="module", params=["transaction", "session"])
def bouncer(
    request: pytest.FixtureRequest, postgres: PostgresServer, shop: SourceDB
) -> Iterator[PgBouncerServer]:
    server = start_pgbouncer(postgres, shop.users, pool_mode=request.param)
    try:
        yield server
    finally:
        server.stop()


def _other_client(bouncer: PgBouncerServer, shop: SourceDB, sslmode: str = "disable") -> tuple[str, str]:
    """What a plain client of the same pool sees right after the hub (read-only flag, time zone)."""
    dsn = (
        f"host={bouncer.host} port={bouncer.port} dbname={shop.database} user=reader "
        f"password={shop.users['reader']} sslmode={sslmode}"
    )
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
        row = conn.execute(
            "SELECT current_setting('transaction_read_only'), current_setting('TimeZone')"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_check_discover_and_read_through_the_pooler(bouncer: PgBouncerServer, shop: SourceDB) -> None:
    pg = get_connector(source("postgres"), "live")
    cfg = shop.config(port=bouncer.port)
    result = pg.check(cfg)
    assert result.ok, (result, bouncer.log_tail())
    names = {s.name for s in pg.discover(cfg)}
    assert {"customers", "orders", "session_settings"} <= names
    for _ in range(8):  # more reads than psycopg's prepare threshold: no server-side prepared statements
        assert len(list(pg.read(cfg, "customers", limit=2))) == 2


def test_session_settings_hold_in_every_transaction_and_never_leak(
    bouncer: PgBouncerServer, shop: SourceDB
) -> None:
    pg = get_connector(source("postgres"), "live")
    cfg = shop.config(port=bouncer.port)
    before = _other_client(bouncer, shop)
    for _ in range(5):
        [seen] = list(pg.read(cfg, "session_settings", limit=1))
        assert (seen["read_only"], seen["time_zone"], seen["statement_timeout"]) == ("on", "UTC", "30s")
        # the next client of the same pool gets the server's defaults, not the hub's read-only session
        assert _other_client(bouncer, shop) == before
    assert before[0] == "off"


@pytest.fixture(scope="module")
def supabase_like_pooler(postgres: PostgresServer, shop: SourceDB) -> Iterator[PgBouncerServer]:
    """A transaction pooler on port 6543 that requires TLS and silently drops start-up options.

    It listens on 127.0.0.2 (loopback) so port 6543 is free even where something else uses 127.0.0.1:6543.
    """
    tls = make_tls(owner="postgres")
    server = start_pgbouncer(
        postgres,
        shop.users,
        pool_mode="transaction",
        host="127.0.0.2",
        port=6543,
        tls=(tls.cert, tls.key),
        ignore_startup_parameters="options",
    )
    try:
        yield server
    finally:
        server.stop()


def test_supabase_on_the_transaction_pooler_port_sets_up_every_transaction(
    supabase_like_pooler: PgBouncerServer, shop: SourceDB
) -> None:
    supabase = get_connector(source("supabase"), "live")
    spec = supabase.spec()
    modes = spec["properties"]["ssl_mode"]["properties"]["mode"]["enum"]
    assert modes == ["require", "verify-ca", "verify-full"]
    assert "6543" in spec["properties"]["port"]["description"]
    cfg = shop.config(host="127.0.0.2", port=6543, ssl_mode={"mode": "require"})
    result = supabase.check(cfg)
    assert result.ok, (result, supabase_like_pooler.log_tail())
    before = _other_client(supabase_like_pooler, shop, sslmode="require")
    for _ in range(3):
        [seen] = list(supabase.read(cfg, "session_settings", limit=1))
        assert (seen["read_only"], seen["time_zone"], seen["statement_timeout"]) == ("on", "UTC", "30s")
        assert _other_client(supabase_like_pooler, shop, sslmode="require") == before == ("off", before[1])


def test_supabase_requires_ssl(shop: SourceDB) -> None:
    supabase = get_connector(source("supabase"), "live")
    result = supabase.check(shop.config(ssl_mode={"mode": "disable"}))
    assert not result.ok and "ssl_mode" in result.message.lower().replace(" ", "_"), result

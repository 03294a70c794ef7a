"""The host policy (HUB_SOURCE_HOSTS, HUB_SOURCE_ALLOW) on real PostgreSQL and MariaDB servers on loopback.

No test here sends a packet to a non-loopback address: the cases that name one run in a network
namespace with no network at all, where a refusal that did not happen shows as "no network route".
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from hub import Hub
from hub.connectors import get_connector
from hub.models import Status
from hub.settings import Settings
from tests.integration.sql_fixtures import SourceDB, network_namespace, shop_mariadb, shop_postgres, source
from tests.integration.tls_servers import TLSFiles, make_tls, start_mariadb_tls, start_postgres_tls
from tests.servers import MariaDBServer, PostgresServer
from tests.storage_support import make_pg_database

KINDS = ["postgres", "mysql"]
REFUSED = "this server connects only to public hosts (HUB_SOURCE_HOSTS=public)"


@pytest.fixture(scope="module")
def dbs(postgres: PostgresServer, mariadb: MariaDBServer) -> dict[str, SourceDB]:
    return {"postgres": shop_postgres(postgres), "mysql": shop_mariadb(mariadb)}


def _check(kind: str, cfg: dict[str, Any], **settings: Any) -> Any:
    connector = get_connector(source(kind), "live", settings=Settings(**settings))
    return connector.check(cfg)


@pytest.mark.parametrize("kind", KINDS)
def test_public_refuses_loopback_by_address_and_by_name(kind, dbs):
    for host in ("127.0.0.1", "localhost"):
        # a wrong password: had the connector reached the server, the message would be about the password
        r = _check(kind, dbs[kind].config(host=host, password="wrong"), source_hosts="public")
        assert not r.ok and not r.transient, (host, r)
        assert REFUSED in r.message and "a loopback address" in r.message, r.message
        assert "HUB_SOURCE_ALLOW" in r.hint
        shown = "127.0.0.1" if host == "127.0.0.1" else "localhost resolves to 127.0.0.1"
        assert r.message.startswith(shown), r.message


@pytest.mark.parametrize("kind", KINDS)
def test_any_allows_loopback(kind, dbs):
    for host in ("127.0.0.1", "localhost"):
        r = _check(kind, dbs[kind].config(host=host), source_hosts="any")
        assert r.ok, (host, r)


def test_the_default_is_any_on_the_embedded_default_and_public_with_a_database_url():
    assert Settings().source_hosts_mode == "any"
    assert Settings(database_url="postgresql://h/db").source_hosts_mode == "public"
    env = {
        "HUB_DATABASE_URL": "postgresql://h/db",
        "HUB_SOURCE_HOSTS": "ANY",
        "HUB_SOURCE_ALLOW": "10.0.0.0/8, db.corp",
    }
    read = Settings.from_env(env)
    assert read.source_hosts_mode == "any" and read.source_allow == ("10.0.0.0/8", "db.corp")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("allow", "host"),
    [
        ("127.0.0.1/32", "127.0.0.1"),
        ("127.0.0.0/8", "localhost"),
        ("localhost", "localhost"),
        ("LocalHost.", "localhost"),
        ("*.hubtest.invalid", "db.hubtest.invalid"),
    ],
)
def test_allow_opens_networks_and_host_names_under_public(kind, dbs, allow, host, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", OneAnswer("db.hubtest.invalid", "127.0.0.1"))
    env = {"HUB_DATABASE_URL": "postgresql://hub.invalid/hub", "HUB_SOURCE_ALLOW": allow}
    connector = get_connector(source(kind), "live", settings=Settings.from_env(env))
    r = connector.check(dbs[kind].config(host=host))
    assert r.ok, (allow, host, r)


@pytest.mark.parametrize("kind", KINDS)
def test_a_host_name_entry_opens_that_name_only(kind, dbs):
    for allow in ("db.localhost", "*.localhost", "127.0.0.2/32"):
        r = _check(kind, dbs[kind].config(host="localhost"), source_hosts="public", source_allow=(allow,))
        assert not r.ok and REFUSED in r.message, allow


def test_allow_rejects_an_entry_that_is_neither_a_cidr_nor_a_host_name():
    from hub.exceptions import InputError

    with pytest.raises(InputError) as err:
        Settings.from_env({"HUB_SOURCE_ALLOW": "10.0.0.0/8, not a host!"})
    assert "HUB_SOURCE_ALLOW" in str(err.value) and "not a host!" in str(err.value)


# --------------------------------------------------------------------------- the hub's own database


def test_the_hubs_own_database_is_refused_but_another_database_on_the_same_server_is_not(postgres, dbs):
    hub_db = postgres.create_database()
    own = Settings(database_url=postgres.url(hub_db), source_hosts="any")
    pg = get_connector(source("postgres"), "live", settings=own)
    for host in ("127.0.0.1", "localhost"):
        cfg = {
            **dbs["postgres"].config(host=host),
            "database": hub_db,
            "username": "postgres",
            "password": postgres.password,
        }
        r = pg.check(cfg)
        assert not r.ok and "is this hub's own database" in r.message, r.message
        assert f"database '{hub_db}'" in r.message and "HUB_SOURCE_HOSTS" in r.message
    # the same server, another database: allowed (a pooler or server shared with other databases)
    assert pg.check(dbs["postgres"].config()).ok
    # HUB_SOURCE_ALLOW never opens the hub's own database
    opened = Settings(database_url=postgres.url(hub_db), source_allow=("127.0.0.0/8",))
    cfg = {
        **dbs["postgres"].config(),
        "database": hub_db,
        "username": "postgres",
        "password": postgres.password,
    }
    r = get_connector(source("postgres"), "live", settings=opened).check(cfg)
    assert not r.ok and "is this hub's own database" in r.message


def test_a_tenant_cannot_connect_the_hubs_own_postgres_database_through_the_service(postgres, dbs):
    pg_db = make_pg_database(postgres)
    hub_database = pg_db.name
    with Hub.open(pg_db.settings(source_hosts="any")) as hub:
        slug = f"own-{secrets.token_hex(3)}"
        hub.create_tenant(slug, name="Own", business_type="saas")
        svc = hub.tenant(slug)
        cfg = {
            "host": "localhost",
            "port": postgres.port,
            "database": hub_database,
            "username": "postgres",
            "password": postgres.password,
            "ssl_mode": {"mode": "disable"},
        }
        conn = svc.connect("postgres", cfg, actor="mallory")
        assert conn.status is Status.FAILED
        assert "is this hub's own database" in conn.status_detail
        other = svc.connect("postgres", dbs["postgres"].config(), actor="alice")
        assert other.status is Status.CONNECTED, other.status_detail
    # the default with a database URL is `public`: the loopback source is refused with the setting's name
    with Hub.open(pg_db.settings()) as hub:
        refused = hub.tenant(slug).connect("postgres", dbs["postgres"].config(), actor="alice")
        assert refused.status is Status.FAILED and REFUSED in refused.status_detail


# --------------------------------------------------------------------------- one lookup, the checked address


class OneAnswer:
    """A resolver for one made-up name that answers once; any second lookup of it fails."""

    def __init__(self, name: str, address: str) -> None:
        self.name, self.address, self.asked = name, address, 0
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.asked += 1
        if self.asked > 1:
            raise socket.gaierror(socket.EAI_NONAME, "second lookup")
        return self.real(self.address, port, *args, **kwargs)


@pytest.mark.parametrize("kind", KINDS)
def test_the_connector_connects_to_the_address_it_checked_without_a_second_lookup(kind, dbs, monkeypatch):
    resolver = OneAnswer("warehouse.hubtest.invalid", "127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    cfg = dbs[kind].config(host="warehouse.hubtest.invalid")
    r = _check(kind, cfg, source_hosts="public", source_allow=("warehouse.hubtest.invalid",))
    assert r.ok, r
    assert resolver.asked == 1  # libpq got hostaddr and PyMySQL a connected socket: neither looked it up


@pytest.fixture(scope="module")
def tls() -> Iterator[TLSFiles]:
    import shutil

    files = make_tls(owner="postgres")
    yield files
    shutil.rmtree(files.dir, ignore_errors=True)


LOCALHOST_ALLOWED = Settings(source_allow=("localhost", "127.0.0.1/32"), source_hosts="public")


def _localhost(
    port: int, database: str, user: str, password: str, ssl_mode: dict[str, str]
) -> dict[str, Any]:
    return {
        "host": "localhost",
        "port": port,
        "database": database,
        "username": user,
        "password": password,
        "ssl_mode": ssl_mode,
        "connect_timeout": 5,
    }


def test_postgres_verify_full_to_localhost_uses_the_checked_address_and_the_name(tls):
    server = start_postgres_tls(tls)
    try:
        pw = secrets.token_urlsafe(12)
        server.psql(
            f"CREATE ROLE anyone LOGIN PASSWORD '{pw}'; CREATE TABLE t (id int); GRANT SELECT ON t TO anyone"
        )
        cfg = _localhost(
            server.port, "postgres", "anyone", pw, {"mode": "verify-full", "ca_certificate": tls.ca_pem}
        )
        pg = get_connector(source("postgres"), "live", settings=LOCALHOST_ALLOWED)
        assert pg.check(cfg).ok
        with pg._connect(pg.validate(cfg)) as conn:
            info = conn.connection.dbapi_connection.info  # type: ignore[union-attr]
            # libpq dialled the checked address and verified the certificate against the typed name
            assert info.hostaddr == "127.0.0.1" and info.host == "localhost"
            assert conn.exec_driver_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar()
        # the certificate names only localhost: had libpq used the address for the check, it would fail
        r = pg.check({**cfg, "host": "127.0.0.1"})
        assert not r.ok and "does not name the host '127.0.0.1'" in r.message
    finally:
        server.stop()


def test_mariadb_verify_identity_to_localhost_uses_the_checked_address_and_the_name(tls):
    server = start_mariadb_tls(tls)
    try:
        pw = secrets.token_urlsafe(12)
        server.sql(
            "CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY); "
            f"CREATE USER 'tls_user'@'%' IDENTIFIED BY '{pw}' REQUIRE SSL; "
            "GRANT SELECT ON shop.* TO 'tls_user'@'%';"
        )
        cfg = _localhost(
            server.port, "shop", "tls_user", pw, {"mode": "verify_identity", "ca_certificate": tls.ca_pem}
        )
        my = get_connector(source("mysql"), "live", settings=LOCALHOST_ALLOWED)
        r = my.check(cfg)
        assert r.ok and "encrypted" in r.message, r
        with my._connect(my.validate(cfg)) as conn:
            raw = conn.connection.dbapi_connection  # type: ignore[union-attr]
            assert raw._sock.getpeername()[0] == "127.0.0.1"  # the checked address
            assert raw._sock.server_hostname == "localhost"  # the name, for the certificate and SNI
        r = my.check({**cfg, "host": "127.0.0.1"})
        assert not r.ok and "does not name the host '127.0.0.1'" in r.message
    finally:
        server.stop()


# ---------------------------------------------------------------------- non-loopback addresses, no network


@pytest.fixture
def netns() -> Iterator[str]:
    with network_namespace("hubhosts") as name:
        yield name


_IN_NETNS = """
import json, sys
from hub.connectors import get_connector
from hub.settings import Settings
from tests.integration.sql_fixtures import source
out = []
for kind, host, mode in json.loads(sys.argv[1]):
    r = get_connector(source(kind), "live", settings=Settings(source_hosts=mode)).check(
        {"host": host, "port": 5432, "database": "shop", "username": "reader", "password": "pw",
         "connect_timeout": 3})
    out.append(r.model_dump())
print(json.dumps(out))
"""

NOT_PUBLIC = {
    "10.1.2.3": "10.1.2.3, a private address",
    "192.168.1.5": "192.168.1.5, a private address",
    "100.64.0.1": "100.64.0.1, a shared address (100.64.0.0/10)",
    "::ffff:10.0.0.1": "::ffff:10.0.0.1 (10.0.0.1), a private address",
    "fd12:3456::1": "fd12:3456::1, a private address",
    "fe80::1": "fe80::1, a link-local address",
    "169.254.10.10": "169.254.10.10, a link-local address",
    "224.0.0.251": "224.0.0.251, a multicast address",
    "0.0.0.0": "0.0.0.0, an unspecified address",
    "64:ff9b::a01:203": "64:ff9b::a01:203, a private address (10.1.2.3)",
}


@pytest.mark.parametrize("kind", KINDS)
def test_refusals_of_non_loopback_addresses_in_a_namespace_without_network(kind, netns):
    cases = [(kind, host, "public") for host in NOT_PUBLIC]
    cases += [
        (kind, "169.254.169.254", "any"),
        (kind, "fd00:ec2::254", "any"),
        (kind, "::ffff:169.254.169.254", "any"),
    ]
    cases += [(kind, "10.1.2.3", "any")]  # the control: nothing refuses it, and the namespace has no route
    proc = subprocess.run(
        ["ip", "netns", "exec", netns, sys.executable, "-c", _IN_NETNS, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = json.loads(proc.stdout)
    for (_, host, mode), r in zip(cases, results, strict=True):
        assert not r["ok"], host
        if mode == "public":
            assert r["message"] == f"{NOT_PUBLIC[host]}; {REFUSED}.", r["message"]
            assert r["hint"].startswith("An administrator can allow it with HUB_SOURCE_ALLOW"), r["hint"]
        elif host == "10.1.2.3":
            assert "no network route" in r["message"], r["message"]
        else:
            assert "a cloud metadata address; a source may never use it" in r["message"], r["message"]
            assert "HUB_SOURCE_HOSTS" in r["message"]

"""Every way `check` can fail, produced for real on loopback, with words a user can act on.

Closed ports, a socket that listens but never answers, a network namespace with no network (unknown
host, no route), wrong passwords, missing databases, and TLS servers with certificates made here.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest

from hub.connectors import get_connector
from tests.integration.sql_fixtures import SourceDB, network_namespace, shop_mariadb, shop_postgres, source
from tests.integration.tls_servers import TLSFiles, make_tls, start_mariadb_tls, start_postgres_tls
from tests.servers import MariaDBServer, PostgresServer

KINDS = ["postgres", "mysql"]


@pytest.fixture(scope="module")
def dbs(postgres, mariadb) -> dict[str, SourceDB]:
    return {"postgres": shop_postgres(postgres), "mysql": shop_mariadb(mariadb)}


def _conn(kind: str):
    return get_connector(source(kind), "live")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_listening(kind, dbs):
    result = _conn(kind).check(dbs[kind].config(port=_closed_port()))
    assert not result.ok and result.transient
    assert "Nothing is listening on 127.0.0.1:" in result.message
    assert "port" in result.hint


@pytest.mark.parametrize("kind", KINDS)
def test_server_that_never_answers_times_out(kind, dbs):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # never accept()
        port = silent.getsockname()[1]
        result = _conn(kind).check(dbs[kind].config(port=port, connect_timeout=2))
    assert not result.ok and result.transient
    assert "Timed out after 2 s" in result.message
    assert result.latency_ms is not None  # the check records how long it waited (benchmarks time it)


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_password_never_shows_the_password(kind, dbs):
    wrong = "Wr0ng-" + secrets.token_hex(8)
    result = _conn(kind).check(dbs[kind].config(password=wrong))
    assert not result.ok and not result.transient
    assert result.message.startswith("Password authentication failed for user 'reader'")
    assert wrong not in result.model_dump_json()
    right = dbs[kind].users["reader"]
    assert right not in result.model_dump_json()


@pytest.mark.parametrize("kind", KINDS)
def test_missing_database(kind, dbs):
    result = _conn(kind).check(dbs[kind].config(database="no_such_db"))
    assert not result.ok
    assert "The database 'no_such_db' does not exist" in result.message


@pytest.fixture
def netns() -> Iterator[str]:
    with network_namespace("hubtest") as name:
        yield name


_IN_NETNS = """
import json, sys
from hub.connectors import get_connector
from tests.integration.sql_fixtures import source
out = []
for kind, host, port in json.loads(sys.argv[1]):
    r = get_connector(source(kind), "live").check(
        {"host": host, "port": port, "database": "shop", "username": "reader", "password": "pw",
         "connect_timeout": 3})
    out.append(r.model_dump())
print(json.dumps(out))
"""


def _run_in(ns: str, cases: list[tuple[str, str, int]]) -> list[dict]:
    proc = subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, "-c", _IN_NETNS, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(proc.stdout))


def test_unknown_host_and_no_route_in_a_namespace_without_network(netns):
    # loopback is down: no route even to 127.0.0.1; no DNS server can answer
    cases = [(k, h, p) for k in KINDS for h, p in (("warehouse.example.com", 5432), ("127.0.0.1", 5432))]
    results = _run_in(netns, cases)
    for (kind, host, _), r in zip(cases, results, strict=True):
        assert not r["ok"], (kind, host)
        if host == "127.0.0.1":
            assert r["message"] == "Could not reach 127.0.0.1:5432: no network route to the host.", r
        else:
            assert r["message"].startswith("Could not find the host 'warehouse.example.com'"), r
            assert "host name" in r["hint"]
        assert "Timed out" not in r["message"]  # fails at once, no waiting for a timeout


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls() -> Iterator[TLSFiles]:
    files = make_tls(owner="postgres")
    yield files
    import shutil

    shutil.rmtree(files.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_tls(tls: TLSFiles) -> Iterator[tuple[PostgresServer, dict[str, str]]]:
    server = start_postgres_tls(tls)
    users = {
        "tls_only": secrets.token_urlsafe(12),
        "plain_only": secrets.token_urlsafe(12),
        "anyone": secrets.token_urlsafe(12),
    }
    try:
        for user, pw in users.items():
            server.psql(f"CREATE ROLE {user} LOGIN PASSWORD '{pw}'")
        server.psql("CREATE TABLE t (id int primary key); GRANT SELECT ON t TO tls_only, plain_only, anyone")
        yield server, users
    finally:
        server.stop()


def _pg_cfg(
    server: PostgresServer, users: dict[str, str], user: str, mode: str, ca: str | None = None
) -> dict:
    ssl = {"mode": mode} if ca is None else {"mode": mode, "ca_certificate": ca}
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "database": "postgres",
        "username": user,
        "password": users[user],
        "ssl_mode": ssl,
        "connect_timeout": 5,
    }


def test_postgres_tls_modes(pg_tls, tls):
    server, users = pg_tls
    pg = _conn("postgres")
    # the server has TLS: require and verify-ca with the right CA work
    assert pg.check(_pg_cfg(server, users, "anyone", "require")).ok
    assert pg.check(_pg_cfg(server, users, "anyone", "verify-ca", tls.ca_pem)).ok
    # SSL required by the server (hostssl only) but the user chose disable
    r = pg.check(_pg_cfg(server, users, "tls_only", "disable"))
    assert not r.ok and "requires SSL for user 'tls_only'" in r.message and "'require'" in r.hint
    assert pg.check(_pg_cfg(server, users, "tls_only", "prefer")).ok
    # SSL refused by the server for this user (hostnossl only)
    r = pg.check(_pg_cfg(server, users, "plain_only", "require"))
    assert not r.ok and "refuses SSL connections for user 'plain_only'" in r.message
    assert pg.check(_pg_cfg(server, users, "plain_only", "prefer")).ok  # libpq falls back to plain
    # a certificate signed by another CA
    r = pg.check(_pg_cfg(server, users, "anyone", "verify-ca", tls.other_ca_pem))
    assert not r.ok and "could not be verified" in r.message and "CA certificate" in r.hint
    # the certificate names localhost, not 127.0.0.1
    r = pg.check(_pg_cfg(server, users, "anyone", "verify-full", tls.ca_pem))
    assert not r.ok and "does not name the host '127.0.0.1'" in r.message


def test_postgres_server_without_ssl_refuses_require(dbs):
    r = _conn("postgres").check(dbs["postgres"].config(ssl_mode={"mode": "require"}))
    assert not r.ok and "does not offer SSL" in r.message and "'prefer'" in r.hint


@pytest.fixture(scope="module")
def my_tls(tls: TLSFiles) -> Iterator[tuple[MariaDBServer, str]]:
    server = start_mariadb_tls(tls)
    pw = secrets.token_urlsafe(12)
    try:
        server.sql(
            f"CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY); "
            f"CREATE USER 'tls_user'@'%' IDENTIFIED BY '{pw}' REQUIRE SSL; "
            f"GRANT SELECT ON shop.* TO 'tls_user'@'%';"
        )
        yield server, pw
    finally:
        server.stop()


def _my_cfg(server: MariaDBServer, pw: str, mode: str, ca: str | None = None) -> dict:
    ssl = {"mode": mode} if ca is None else {"mode": mode, "ca_certificate": ca}
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "database": "shop",
        "username": "tls_user",
        "password": pw,
        "ssl_mode": ssl,
        "connect_timeout": 5,
    }


def test_mariadb_tls_modes(my_tls, tls):
    server, pw = my_tls
    my = _conn("mysql")
    r = my.check(_my_cfg(server, pw, "preferred"))
    assert r.ok and "(read-only, encrypted)" in r.message  # a REQUIRE SSL user over TLS
    assert my.check(_my_cfg(server, pw, "required")).ok
    assert my.check(_my_cfg(server, pw, "verify_ca", tls.ca_pem)).ok
    r = my.check(_my_cfg(server, pw, "verify_ca", tls.other_ca_pem))
    assert not r.ok and "could not be verified" in r.message
    r = my.check(_my_cfg(server, pw, "verify_identity", tls.ca_pem))
    assert not r.ok and "does not name the host '127.0.0.1'" in r.message


def test_mariadb_without_tls(dbs, mariadb):
    my = _conn("mysql")
    r = my.check(dbs["mysql"].config(ssl_mode={"mode": "required"}))
    assert not r.ok and "does not offer SSL" in r.message and "'preferred'" in r.hint
    pw = secrets.token_urlsafe(12)
    mariadb.sql(
        f"CREATE USER IF NOT EXISTS 'needs_tls'@'%' IDENTIFIED BY '{pw}' REQUIRE SSL; "
        f"GRANT SELECT ON shop.* TO 'needs_tls'@'%';"
    )
    r = my.check(dbs["mysql"].config(username="needs_tls", password=pw, ssl_mode={"mode": "preferred"}))
    assert not r.ok and "REQUIRE SSL" in r.hint  # MariaDB only says "access denied"; the hint names SSL


def test_no_select_privilege(dbs):
    for kind in KINDS:
        r = _conn(kind).check(dbs[kind].config("nobody"))
        assert not r.ok and "no SELECT privilege on any table" in r.message, r


def test_psycopg_still_refuses_plain_text_for_tls_only_user(pg_tls):
    server, users = pg_tls  # the fixture's pg_hba.conf really is enforced (not our connector's doing)
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(
            host="127.0.0.1",
            port=server.port,
            dbname="postgres",
            user="tls_only",
            password=users["tls_only"],
            sslmode="disable",
        )

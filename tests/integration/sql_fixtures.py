"""Realistic source databases for the SQL connector tests, built once per test session.

`shop_postgres(server)` and `shop_mariadb(server)` create a database with many column types, a
partitioned table, views, a table without a primary key, awkward identifiers, a 10,000-row and a
1,000,000-row table, and read-only users; the result is cached per server, so every test module
(and the benchmark) shares one copy.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pymysql

from tests.servers import MariaDBServer, PostgresServer

BIG_ROWS = 1_000_000
MID_ROWS = 10_000

PG_SCHEMA = r"""
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN email AS citext;

CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    email email NOT NULL,
    name text NOT NULL,
    mood mood,
    moods mood[],
    tags text[],
    scores integer[],
    balance numeric(12,2) NOT NULL DEFAULT 0,
    lifetime_value numeric,
    big_precise numeric(30,10),
    ratio double precision,
    weight real,
    wallet money,
    active boolean NOT NULL DEFAULT true,
    born date,
    wakes_at time,
    wakes_at_tz timetz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz,
    local_seen timestamp,
    session_length interval,
    external_id uuid,
    profile jsonb,
    raw_json json,
    avatar bytea,
    bio text,
    search tsvector,
    address inet,
    during int4range,
    quantity positive_int,
    name_upper text GENERATED ALWAYS AS (upper(name)) STORED,
    code char(3),
    nick varchar(40)
);
COMMENT ON TABLE customers IS 'Everyone who ever bought something';
COMMENT ON COLUMN customers.balance IS 'Store credit';

INSERT INTO customers (email, name, mood, moods, tags, scores, balance, lifetime_value, big_precise, ratio,
    weight, wallet, active, born, wakes_at, wakes_at_tz, created_at, updated_at, local_seen, session_length,
    external_id, profile, raw_json, avatar, bio, search, address, during, quantity, code, nick)
VALUES
 ('Ada@Example.com', 'Ada Lovelace', 'happy', ARRAY['ok','happy']::mood[], ARRAY['vip','early'], ARRAY[1,2,3],
  1234.56, 98765.4321, 12345678901234567890.0123456789, 0.25, 1.5, 12.34, true, '1815-12-10', '07:30:00',
  '07:30:00+02', '2024-01-02 03:04:05.123456+00', '2024-02-03 04:05:06+00', '2024-03-04 05:06:07.5',
  interval '1 year 2 mons 3 days 04:05:06.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"plan": "pro", "seats": 3, "flags": [true, false]}', '[1, "two", null]', '\xdeadbeef',
  'Wrote the first program.', to_tsvector('simple', 'analytical engine notes'), '192.168.0.10',
  int4range(1, 10), 7, 'ADA', 'ada'),
 ('grace@example.com', 'Grace Hopper', NULL, NULL, ARRAY[]::text[], NULL, -5.00, NULL, NULL, 'NaN', NULL,
     NULL,
  false, NULL, NULL, NULL, '2024-01-05 00:00:00+00', NULL, NULL, interval '-3 hours', NULL, 'null', NULL,
  decode(repeat('ab', 500), 'hex'), repeat('long text ', 500), NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE orders (
    id bigint NOT NULL,
    placed_on date NOT NULL,
    customer_id bigint,
    total numeric(10,2),
    status text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, placed_on)
) PARTITION BY RANGE (placed_on);
CREATE TABLE orders_2023 PARTITION OF orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO orders (id, placed_on, customer_id, total, status)
SELECT g, DATE '2023-06-01' + (g % 400), 1 + g % 2, (g * 1.25)::numeric(10,2),
    CASE WHEN g % 3 = 0 THEN 'paid' ELSE 'open' END
FROM generate_series(1, 600) g;

CREATE VIEW open_orders AS SELECT id, placed_on, total FROM orders WHERE status = 'open';
CREATE MATERIALIZED VIEW revenue_by_month AS
  SELECT date_trunc('month', placed_on)::date AS month, sum(total) AS revenue, count(*) AS orders
  FROM orders GROUP BY 1;

CREATE TABLE event_log (at timestamptz NOT NULL, kind text, payload jsonb);
INSERT INTO event_log VALUES ('2024-01-01T00:00:00Z', 'signup', '{"a": 1}'), ('2024-01-02T00:00:00Z',
    'login', NULL);

CREATE TABLE "Mixed Case Table" ("Id" integer PRIMARY KEY, "Display Name" text, "select" text,
    "quote""d" text);
INSERT INTO "Mixed Case Table" VALUES (2, 'two', 's2', 'q2'), (1, 'one', 's1', 'q1');

CREATE TABLE secret_salaries (id integer PRIMARY KEY, salary numeric(10,2));
INSERT INTO secret_salaries VALUES (1, 100000);
CREATE TABLE "evil""; DROP TABLE customers; --" ("x""; DROP TABLE orders; --" integer PRIMARY KEY);
INSERT INTO "evil""; DROP TABLE customers; --" VALUES (42);

CREATE SCHEMA sales;
CREATE TABLE sales.targets (region text PRIMARY KEY, target numeric(12,2), modified_at timestamp);
INSERT INTO sales.targets VALUES ('emea', 1000, '2024-01-01 00:00'), ('apac', 2000, '2024-01-02 00:00');
CREATE SCHEMA "Weird Schema";
CREATE TABLE "Weird Schema"."odd table" (x integer);

CREATE TABLE big_events (
    id bigint PRIMARY KEY,
    account text NOT NULL,
    amount numeric(12,2) NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO big_events
SELECT g, 'account ' || (g % 1000), (g % 10000) / 100.0,
       TIMESTAMPTZ '2024-01-01' + g * interval '1 second', TIMESTAMPTZ '2024-01-01' + g * interval '1 second'
FROM generate_series(1, {big}) g;
CREATE TABLE mid_events (LIKE big_events INCLUDING ALL);
INSERT INTO mid_events SELECT * FROM big_events WHERE id <= {mid};
ANALYZE;
REFRESH MATERIALIZED VIEW revenue_by_month;
"""

MY_SCHEMA = r"""
CREATE TABLE customers (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(120) NOT NULL,
    name TEXT NOT NULL,
    plan ENUM('free', 'pro', 'it''s complicated') NOT NULL DEFAULT 'free',
    features SET('api', 'sso', 'audit'),
    founded YEAR,
    tiny_u TINYINT UNSIGNED,
    small_u SMALLINT UNSIGNED,
    medium_u MEDIUMINT UNSIGNED,
    int_u INT UNSIGNED,
    big_u BIGINT UNSIGNED,
    big_s BIGINT,
    active TINYINT(1) NOT NULL DEFAULT 1,
    flags BIT(3),
    balance DECIMAL(12,2),
    precise DECIMAL(30,10),
    ratio DOUBLE,
    weight FLOAT,
    profile JSON,
    avatar BLOB,
    fingerprint VARBINARY(16),
    born DATE,
    wakes_at TIME,
    created_at DATETIME(6) NOT NULL,
    updated_at TIMESTAMP(3) NULL,
    bio LONGTEXT,
    name_length INT AS (CHAR_LENGTH(name)) VIRTUAL
) COMMENT 'People who signed up';
INSERT INTO customers (email, name, plan, features, founded, tiny_u, small_u, medium_u, int_u, big_u,
    big_s, active,
    flags, balance, precise, ratio, weight, profile, avatar, fingerprint, born, wakes_at, created_at,
        updated_at, bio)
VALUES
 ('ada@example.com', 'Ada', 'pro', 'api,audit', 2024, 255, 65535, 16777215, 4294967295, 18446744073709551615,
  -9223372036854775808, 1, b'101', 1234.56, 12345678901234567890.0123456789, 0.25, 1.5,
  '{"seats": 3, "sso": true}', x'DEADBEEF', x'00FF', '1815-12-10', '-12:30:00.5',
      '2024-01-02 03:04:05.123456',
  '2024-02-03 04:05:06.789', 'Wrote the first program.'),
 ('grace@example.com', 'Grace', 'it''s complicated', '', NULL, 0, 0, 0, 0, 0, 0, 0, b'000', -5, NULL,
     NULL, NULL,
  NULL, REPEAT(x'AB', 500), NULL, NULL, '838:59:59', '2024-01-05 00:00:00', NULL, REPEAT('long text ', 500));

CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT UNSIGNED, total DECIMAL(10,2), modified_at DATETIME);
INSERT INTO orders VALUES (3, 1, 30.00, '2024-01-03 00:00:00'), (1, 1, 10.00, '2024-01-01 00:00:00'),
                          (2, 2, 20.00, '2024-01-02 00:00:00');
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 15;
CREATE TABLE event_log (at DATETIME NOT NULL, kind VARCHAR(20));
INSERT INTO event_log VALUES ('2024-01-01 00:00:00', 'signup'), ('2024-01-02 00:00:00', 'login');
CREATE TABLE `Mixed Case Table` (`Id` INT PRIMARY KEY, `Display Name` TEXT, `select` TEXT, `back``tick` TEXT);
INSERT INTO `Mixed Case Table` VALUES (2, 'two', 's2', 'b2'), (1, 'one', 's1', 'b1');
CREATE TABLE secret_salaries (id INT PRIMARY KEY, salary DECIMAL(10,2));
INSERT INTO secret_salaries VALUES (1, 100000);
CREATE TABLE `evil'; DROP TABLE customers; --` (`x``; DROP TABLE orders; --` INT PRIMARY KEY);
INSERT INTO `evil'; DROP TABLE customers; --` VALUES (42);
CREATE TABLE composite (a INT NOT NULL, b VARCHAR(5) NOT NULL, v INT, PRIMARY KEY (b, a));
INSERT INTO composite VALUES (2, 'x', 1), (1, 'y', 2), (1, 'x', 3);
CREATE TABLE big_events (id INT UNSIGNED PRIMARY KEY, account VARCHAR(40) NOT NULL,
    amount DECIMAL(12,2) NOT NULL,
                         created_at DATETIME(3) NOT NULL, updated_at DATETIME(3) NOT NULL);
INSERT INTO big_events SELECT seq, CONCAT('account ', seq % 1000), (seq % 10000) / 100,
       '2024-01-01' + INTERVAL seq SECOND, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_{big};
CREATE TABLE mid_events LIKE big_events;
INSERT INTO mid_events SELECT * FROM big_events WHERE id <= {mid};
ANALYZE TABLE customers, orders, big_events, mid_events;
"""


@dataclass
class SourceDB:
    """A built source database and its users (name -> password)."""

    kind: str
    host: str
    port: int
    database: str
    users: dict[str, str] = field(default_factory=dict)

    def config(self, user: str = "reader", **overrides: Any) -> dict[str, Any]:
        """A connector config for ``user``."""
        cfg: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "username": user,
            "password": self.users[user],
            "connect_timeout": 5,
        }
        cfg.update(overrides)
        return cfg


_BUILT: dict[tuple[str, int], SourceDB] = {}


def shop_postgres(server: PostgresServer) -> SourceDB:
    """The PostgreSQL shop database (built once per server)."""
    key = ("pg", server.port)
    if key in _BUILT:
        return _BUILT[key]
    db = server.create_database("shop")
    users = {
        "reader": secrets.token_urlsafe(12),
        "partial": secrets.token_urlsafe(12),
        "nobody": secrets.token_urlsafe(12),
    }
    with psycopg.connect(server.dsn(database=db), autocommit=True) as conn:
        conn.execute(PG_SCHEMA.replace("{big}", str(BIG_ROWS)).replace("{mid}", str(MID_ROWS)))
        for user, pw in users.items():
            conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{pw}'")
        conn.execute('GRANT USAGE ON SCHEMA public, sales, "Weird Schema" TO reader')
        conn.execute('GRANT SELECT ON ALL TABLES IN SCHEMA public, sales, "Weird Schema" TO reader')
        conn.execute("REVOKE SELECT ON secret_salaries FROM reader")
        conn.execute("GRANT INSERT ON event_log TO reader")
        conn.execute("GRANT SELECT ON customers, orders TO partial")
        conn.execute('GRANT SELECT ("Id", "Display Name") ON "Mixed Case Table" TO partial')
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute("GRANT USAGE ON SCHEMA public TO reader, partial, nobody")
        conn.execute("GRANT INSERT ON customers TO nobody")
    built = SourceDB("postgres", server.host, server.port, db, users)
    _BUILT[key] = built
    return built


def shop_mariadb(server: MariaDBServer) -> SourceDB:
    """The MariaDB shop database (built once per server)."""
    key = ("my", server.port)
    if key in _BUILT:
        return _BUILT[key]
    db = server.create_database("shop")
    users = {
        "reader": secrets.token_urlsafe(12),
        "partial": secrets.token_urlsafe(12),
        "nobody": secrets.token_urlsafe(12),
    }
    conn = pymysql.connect(
        host=server.host,
        port=server.port,
        user="root",
        password=server.password,
        database=db,
        client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(MY_SCHEMA.replace("{big}", str(BIG_ROWS)).replace("{mid}", str(MID_ROWS)))
            while cur.nextset():
                pass
            for user, pw in users.items():
                cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{pw}'")
            for table in (
                "customers",
                "orders",
                "big_orders",
                "event_log",
                "Mixed Case Table",
                "composite",
                "big_events",
                "mid_events",
                "evil'; DROP TABLE customers; --",
            ):
                cur.execute(f"GRANT SELECT ON `{db}`.`{table}` TO 'reader'@'%'")
            cur.execute(f"GRANT INSERT ON `{db}`.event_log TO 'reader'@'%'")
            cur.execute(f"GRANT SELECT ON `{db}`.customers TO 'partial'@'%'")
            cur.execute(f"GRANT SELECT (`Id`, `Display Name`) ON `{db}`.`Mixed Case Table` TO 'partial'@'%'")
            cur.execute(f"GRANT INSERT ON `{db}`.customers TO 'nobody'@'%'")
    finally:
        conn.close()
    built = SourceDB("mariadb", server.host, server.port, db, users)
    _BUILT[key] = built
    return built


def source(source_id: str) -> Any:
    """The catalogue entry for ``source_id`` (a minimal entry for sources the catalogue does not list)."""
    from hub.catalogue import Catalogue
    from hub.models import SourceEntry

    catalogue = Catalogue.bundled()  # every entry, SQLite files too
    try:
        return catalogue.get(source_id)
    except LookupError:
        return SourceEntry(
            id=source_id,
            name=source_id.title(),
            category="Databases",
            description="A database file.",
            icon="🗄️",
            auth_kind="database",
            streams=["tables"],
            setup_guide=["Pick a file."],
            airbyte_connector=f"source-{source_id}",
        )


@contextlib.contextmanager
def network_namespace(prefix: str = "hubtest") -> Iterator[str]:
    """A network namespace with no network at all (loopback down, no route), removed afterwards."""
    name = f"{prefix}-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


class StatementLog:
    """Every statement SQLAlchemy sends while active (a real event listener on all engines)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> StatementLog:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.remove(Engine, "before_cursor_execute", self._on)

    def _on(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self.statements.append((statement, parameters))

    @property
    def catalog(self) -> list[str]:
        """The catalog queries (tagged ``/* hub:catalog */``)."""
        from hub.connectors.sql.catalog import CATALOG_TAG

        return [s for s, _ in self.statements if CATALOG_TAG in s]

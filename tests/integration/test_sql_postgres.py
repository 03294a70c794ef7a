"""The PostgreSQL connector against a real server: discovery, types, previews, privileges, injection."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import psycopg
import pytest

from hub.connectors import get_connector
from hub.connectors.sql.values import BINARY_LIMIT, TEXT_LIMIT
from hub.exceptions import ConfigError, ConnectorError, NotFound
from hub.frames import to_dataframe
from tests.integration.sql_fixtures import BIG_ROWS, MID_ROWS, SourceDB, StatementLog, shop_postgres, source

pytestmark = pytest.mark.postgres

SCHEMAS = ["public", "sales", "Weird Schema"]


@pytest.fixture(scope="module")
def shop(postgres) -> SourceDB:
    return shop_postgres(postgres)


@pytest.fixture(scope="module")
def pg():
    return get_connector(source("postgres"), "live")


@pytest.fixture(scope="module")
def streams(pg, shop):
    return {s.name: s for s in pg.discover(shop.config(schemas=SCHEMAS))}


def test_check_connects_read_only_and_counts_readable_tables(pg, shop):
    result = pg.check(shop.config())
    assert result.ok, result
    assert "read-only" in result.message and "'reader'" in result.message
    assert "not readable" in result.message  # secret_salaries is there but not granted
    assert result.latency_ms is not None and result.latency_ms > 0


def test_sessions_are_read_only_even_with_insert_privilege(pg, shop):
    cfg = pg.validate(shop.config())
    with pytest.raises(ConnectorError) as err, pg._connect(cfg) as conn:
        conn.exec_driver_sql("INSERT INTO event_log (at, kind) VALUES (now(), 'hacked')")
    assert "never" in err.value.message  # "The hub tried to write to the source, which it never does."
    with psycopg.connect(
        host=shop.host, port=shop.port, dbname=shop.database, user="reader", password=shop.users["reader"]
    ) as direct:
        assert direct.execute("SELECT count(*) FROM event_log WHERE kind = 'hacked'").fetchone() == (0,)


def test_discover_lists_tables_views_and_one_stream_per_partitioned_table(streams):
    assert set(streams) == {
        "customers",
        "orders",
        "open_orders",
        "revenue_by_month",
        "event_log",
        "Mixed Case Table",
        'evil"; DROP TABLE customers; --',
        "big_events",
        "mid_events",
        "sales.targets",
        "Weird Schema.odd table",
    }
    assert not any(name.startswith("orders_20") for name in streams)  # partitions are not streams
    kinds = {name: s.json_schema["x-relation"] for name, s in streams.items()}
    assert kinds["orders"] == "partitioned table"
    assert kinds["open_orders"] == "view"
    assert kinds["revenue_by_month"] == "materialized view"
    assert streams["sales.targets"].namespace == "sales"
    assert streams["customers"].json_schema["description"] == "Everyone who ever bought something"


def test_discover_keys_cursors_and_estimates(streams):
    assert streams["customers"].primary_key == ["id"]
    assert streams["orders"].primary_key == ["id", "placed_on"]
    assert streams["event_log"].primary_key == []
    assert streams["open_orders"].primary_key == []
    assert streams["customers"].cursor_field == "updated_at"
    assert streams["sales.targets"].cursor_field == "modified_at"
    assert streams["event_log"].cursor_field is None or streams["event_log"].cursor_field == "at"
    # estimates come from statistics (ANALYZE ran), partitions summed, views unknown
    assert abs(streams["big_events"].estimated_rows - BIG_ROWS) < BIG_ROWS * 0.05
    assert streams["mid_events"].estimated_rows == MID_ROWS
    assert streams["orders"].estimated_rows == 600
    assert streams["open_orders"].estimated_rows is None


def test_discover_uses_two_catalog_queries_whatever_the_number_of_tables(pg, shop, postgres):
    with StatementLog() as few:
        pg.discover(shop.config(schemas=["sales"]))
    with psycopg.connect(postgres.dsn(database=shop.database), autocommit=True) as admin:
        admin.execute("CREATE SCHEMA IF NOT EXISTS many")
        for i in range(60):
            admin.execute(
                f"CREATE TABLE IF NOT EXISTS many.t{i} (id int primary key, v text, at timestamptz)"
            )
        admin.execute("GRANT USAGE ON SCHEMA many TO reader")
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA many TO reader")
    with StatementLog() as many:
        found = pg.discover(shop.config(schemas=["many", "public", "sales"]))
    assert len([s for s in found if s.namespace == "many"]) == 60
    assert len(many.catalog) <= 3
    assert len(many.statements) == len(few.statements)  # nothing per table, nothing per schema


CUSTOMER_TYPES = {
    "id": ({"type": "integer"}, "bigint"),
    "email": ({"type": "string"}, "email"),  # a domain over citext: its base type
    "mood": ({"type": ["string", "null"], "enum": ["sad", "ok", "happy", None]}, "mood"),
    "moods": (
        {"type": ["array", "null"], "items": {"type": "string", "enum": ["sad", "ok", "happy"]}},
        "mood[]",
    ),
    "scores": ({"type": ["array", "null"], "items": {"type": "integer"}}, "integer[]"),
    "balance": ({"type": "number"}, "numeric(12,2)"),
    "lifetime_value": ({"type": ["string", "null"], "format": "decimal"}, "numeric"),
    "big_precise": ({"type": ["string", "null"], "format": "decimal"}, "numeric(30,10)"),
    "ratio": ({"type": ["number", "null"]}, "double precision"),
    "active": ({"type": "boolean"}, "boolean"),
    "born": ({"type": ["string", "null"], "format": "date"}, "date"),
    "created_at": (
        {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
        "timestamp with time zone",
    ),
    "local_seen": (
        {"type": ["string", "null"], "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
        "timestamp without time zone",
    ),
    "session_length": ({"type": ["string", "null"], "format": "duration"}, "interval"),
    "external_id": ({"type": ["string", "null"], "format": "uuid"}, "uuid"),
    "avatar": ({"type": ["string", "null"], "contentEncoding": "base64"}, "bytea"),
    "search": ({"type": ["string", "null"]}, "tsvector"),
    "during": ({"type": ["string", "null"]}, "int4range"),
    "quantity": ({"type": ["integer", "null"]}, "positive_int"),
    "nick": ({"type": ["string", "null"], "maxLength": 40}, "character varying(40)"),
}


@pytest.mark.parametrize("column", sorted(CUSTOMER_TYPES))
def test_column_types_map_to_json_schema(streams, column):
    expected, sql_type = CUSTOMER_TYPES[column]
    prop = streams["customers"].json_schema["properties"][column]
    assert {k: v for k, v in prop.items() if k in expected} == expected
    assert prop["x-sql-type"] == sql_type


def test_json_and_generated_columns(streams):
    props = streams["customers"].json_schema["properties"]
    assert "object" in props["profile"]["type"] and "array" in props["profile"]["type"]
    assert props["name_upper"]["readOnly"] is True
    assert props["balance"]["description"] == "Store credit"


def test_preview_values_are_json_safe_and_typed(pg, shop, streams):
    cfg = shop.config(schemas=SCHEMAS)
    rows = list(pg.read(cfg, "customers", limit=10))
    assert [r["id"] for r in rows] == [1, 2]
    json.dumps(rows, allow_nan=False)  # strict JSON
    ada, grace = rows
    assert ada["balance"] == 1234.56 and ada["lifetime_value"] == "98765.4321"
    assert ada["big_precise"] == "12345678901234567890.0123456789"  # no digit lost
    assert ada["moods"] == ["ok", "happy"] and ada["scores"] == [1, 2, 3]
    assert ada["session_length"] == "P1Y2M3DT4H5M6.5S"  # months stay months
    assert ada["created_at"] == "2024-01-02T03:04:05.123456+00:00"
    assert ada["local_seen"] == "2024-03-04T05:06:07.5"  # ISO 8601, as PostgreSQL writes it
    assert ada["profile"] == {"plan": "pro", "seats": 3, "flags": [True, False]}
    assert ada["raw_json"] == [1, "two", None]
    assert ada["avatar"] == "3q2+7w=="
    assert ada["during"] == "[1,10)"
    assert ada["wallet"] == 12.34
    assert "'analytical'" in ada["search"]
    assert grace["ratio"] is None  # NaN: JSON has no such number
    assert grace["bio"].endswith("…") and len(grace["bio"]) == TEXT_LIMIT + 1
    assert grace["avatar"].endswith("…") and len(grace["avatar"]) == (BINARY_LIMIT // 3) * 4 + 1
    schema = streams["customers"].json_schema
    for row in rows:
        clean = {k: v for k, v in row.items() if not (isinstance(v, str) and v.endswith("…"))}
        jsonschema.validate(clean, {**schema, "required": []})


def test_every_stream_previews_and_validates_against_its_schema(pg, shop, streams):
    cfg = shop.config(schemas=SCHEMAS)
    for name, stream in streams.items():
        rows = list(pg.read(cfg, name, limit=5))
        json.dumps(rows, allow_nan=False)
        for row in rows:
            assert list(row) == list(stream.json_schema["properties"])
            jsonschema.validate(row, stream.json_schema)


def test_preview_dataframe_dtypes(pg, shop, streams):
    rows = list(pg.read(shop.config(), "customers", limit=10))
    frame = to_dataframe(rows, streams["customers"].json_schema)
    assert str(frame["id"].dtype) == "Int64"
    assert str(frame["balance"].dtype) == "Float64"
    assert str(frame["active"].dtype) == "boolean"
    assert str(frame["name"].dtype) == "string"
    assert isinstance(frame["created_at"].dtype, pd.DatetimeTZDtype)
    assert frame["local_seen"].dtype.kind == "M" and not isinstance(
        frame["local_seen"].dtype, pd.DatetimeTZDtype
    )


def test_preview_puts_limit_and_order_in_sql_and_never_loads_the_table(pg, shop):
    with StatementLog() as log:
        rows = list(pg.read(shop.config(), "big_events", limit=1000))
    assert [r["id"] for r in rows] == list(range(1, 1001))
    data = [(s, p) for s, p in log.statements if "big_events" in s and "hub:catalog" not in s]
    assert len(data) == 1
    sql, params = data[0]
    assert "LIMIT" in sql.upper() and "ORDER BY" in sql.upper()
    assert 1000 in (params.values() if isinstance(params, dict) else params)


def test_preview_orders_by_primary_key_and_quotes_identifiers(pg, shop):
    rows = list(pg.read(shop.config(), "Mixed Case Table", limit=10))
    assert rows == [
        {"Id": 1, "Display Name": "one", "select": "s1", 'quote"d': "q1"},
        {"Id": 2, "Display Name": "two", "select": "s2", 'quote"d': "q2"},
    ]
    assert list(pg.read(shop.config(), 'evil"; DROP TABLE customers; --', limit=5)) == [
        {'x"; DROP TABLE orders; --': 42}
    ]
    assert list(pg.read(shop.config(schemas=SCHEMAS), "Weird Schema.odd table", limit=5)) == []
    assert len(list(pg.read(shop.config(), "customers", limit=5))) == 2  # still there


def test_partitioned_table_reads_across_partitions(pg, shop):
    rows = list(pg.read(shop.config(), "orders", limit=600))
    years = {r["placed_on"][:4] for r in rows}
    assert years == {"2023", "2024"}


def test_user_without_select_on_some_tables_does_not_see_them(pg, shop):
    names = {s.name: s for s in pg.discover(shop.config("partial"))}
    assert set(names) == {"customers", "orders", "Mixed Case Table"}
    assert list(names["Mixed Case Table"].json_schema["properties"]) == ["Id", "Display Name"]
    assert list(pg.read(shop.config("partial"), "Mixed Case Table", limit=1)) == [
        {"Id": 1, "Display Name": "one"}
    ]
    with pytest.raises(NotFound):
        list(pg.read(shop.config("partial"), "event_log", limit=1))
    reader = {s.name for s in pg.discover(shop.config())}
    assert "secret_salaries" not in reader
    with pytest.raises(NotFound, match="secret_salaries"):
        list(pg.read(shop.config(), "secret_salaries", limit=1))


def test_user_with_no_select_at_all_fails_the_check(pg, shop):
    result = pg.check(shop.config("nobody"))
    assert not result.ok
    assert "no SELECT privilege" in result.message and "'nobody'" in result.message
    assert "GRANT SELECT" in result.hint


@pytest.mark.parametrize(
    "stream",
    [
        "customers; DROP TABLE orders",
        'customers" ; DROP TABLE orders; --',
        "public.customers' OR '1'='1",
        "pg_catalog.pg_authid",
        "../customers",
    ],
)
def test_injection_in_stream_names_finds_nothing(pg, shop, stream):
    with pytest.raises(NotFound):
        list(pg.read(shop.config(), stream, limit=1))
    assert len(list(pg.read(shop.config(), "orders", limit=1))) == 1


def test_injection_in_schema_names_and_config_fields(pg, shop):
    bad_schema = pg.check(shop.config(schemas=["public'); DROP TABLE customers; --"]))
    assert not bad_schema.ok and "does not exist" in bad_schema.message
    assert pg.discover(shop.config(schemas=["x' OR '1'='1"])) == []
    bad_db = pg.check(shop.config(database="shop' options='-c default_transaction_read_only=off"))
    assert not bad_db.ok and "does not exist" in bad_db.message
    bad_user = pg.check(shop.config(username="reader' sslmode='disable"))
    assert not bad_user.ok and "Password authentication failed" in bad_user.message
    with pytest.raises(ConfigError) as err:
        pg.validate(shop.config(host="127.0.0.1 port=1"))
    assert err.value.field == "host"
    with pytest.raises(ConfigError):
        pg.validate(shop.config(host="/var/run/postgresql"))  # no unix sockets of the hub's machine
    assert len(list(pg.read(shop.config(), "customers", limit=5))) == 2


def test_spec_uses_airbyte_field_names(pg):
    spec = pg.spec()
    props = spec["properties"]
    assert {
        "host",
        "port",
        "database",
        "username",
        "password",
        "schemas",
        "ssl_mode",
        "connect_timeout",
    } <= set(props)
    assert props["password"]["airbyte_secret"] is True
    assert props["ssl_mode"]["properties"]["mode"]["enum"] == [
        "disable",
        "allow",
        "prefer",
        "require",
        "verify-ca",
        "verify-full",
    ]
    assert props["connect_timeout"]["default"] == 10
    cfg = pg.validate({"host": "db.example.com", "database": "shop", "username": "reader", "password": "x"})
    assert cfg["port"] == 5432 and cfg["schemas"] == ["public"] and cfg["ssl_mode"] == {"mode": "prefer"}

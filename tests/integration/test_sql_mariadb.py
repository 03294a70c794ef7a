"""The MySQL/MariaDB connector against a real MariaDB: discovery, types, previews, privileges, injection."""

from __future__ import annotations

import json

import jsonschema
import pymysql
import pytest

from hub.connectors import get_connector
from hub.connectors.sql.values import TEXT_LIMIT
from hub.exceptions import ConfigError, ConnectorError, NotFound
from hub.frames import to_dataframe
from tests.integration.sql_fixtures import BIG_ROWS, SourceDB, StatementLog, shop_mariadb, source

pytestmark = pytest.mark.mariadb


@pytest.fixture(scope="module")
def shop(mariadb) -> SourceDB:
    return shop_mariadb(mariadb)


@pytest.fixture(scope="module")
def my():
    return get_connector(source("mysql"), "live")


@pytest.fixture(scope="module")
def streams(my, shop):
    return {s.name: s for s in my.discover(shop.config())}


def test_check_connects_read_only(my, shop):
    result = my.check(shop.config())
    assert result.ok, result
    assert "MariaDB" in result.message and "read-only" in result.message


def test_sessions_are_read_only_even_with_insert_privilege(my, shop, mariadb):
    cfg = my.validate(shop.config())
    with pytest.raises(ConnectorError), my._connect(cfg) as conn:
        conn.exec_driver_sql("INSERT INTO event_log VALUES ('2024-05-05 00:00:00', 'hacked')")
    assert (
        mariadb.sql("SELECT COUNT(*) FROM event_log WHERE kind = 'hacked'", database=shop.database).strip()
        == "0"
    )


def test_discover_streams_keys_cursors_estimates(streams):
    assert set(streams) == {
        "customers",
        "orders",
        "big_orders",
        "event_log",
        "Mixed Case Table",
        "composite",
        "big_events",
        "mid_events",
        "evil'; DROP TABLE customers; --",
    }
    assert "secret_salaries" not in streams
    assert streams["big_orders"].json_schema["x-relation"] == "view"
    assert streams["composite"].primary_key == ["b", "a"]  # key order, not column order
    assert streams["event_log"].primary_key == []
    assert streams["orders"].cursor_field == "modified_at"
    assert streams["customers"].cursor_field == "updated_at"
    assert streams["customers"].namespace == "shop"
    assert streams["customers"].json_schema["description"] == "People who signed up"
    assert abs(streams["big_events"].estimated_rows - BIG_ROWS) < BIG_ROWS * 0.2  # InnoDB's estimate
    assert streams["big_orders"].estimated_rows is None


def test_discover_uses_three_catalog_queries(my, shop):
    with StatementLog() as log:
        my.discover(shop.config())
    assert len(log.catalog) == 3


EXPECTED = {
    "id": {"type": "integer", "minimum": 0, "maximum": 4294967295},
    "plan": {"type": "string", "enum": ["free", "pro", "it's complicated"]},
    "features": {"type": ["array", "null"], "items": {"type": "string", "enum": ["api", "sso", "audit"]}},
    "founded": {"type": ["integer", "null"]},
    "big_u": {"type": ["integer", "null"], "minimum": 0, "maximum": 18446744073709551615},
    "active": {"type": "boolean"},
    "balance": {"type": ["number", "null"]},
    "precise": {"type": ["string", "null"], "format": "decimal"},
    "avatar": {"type": ["string", "null"], "contentEncoding": "base64"},
    "created_at": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
    "updated_at": {
        "type": ["string", "null"],
        "format": "date-time",
        "airbyte_type": "timestamp_with_timezone",
    },
    "wakes_at": {"type": ["string", "null"], "format": "time"},
    "email": {"type": "string", "maxLength": 120},
}


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_column_types_map_to_json_schema(streams, column):
    prop = streams["customers"].json_schema["properties"][column]
    assert {k: v for k, v in prop.items() if k in EXPECTED[column]} == EXPECTED[column]


def test_json_column_is_json_and_generated_column_is_read_only(streams):
    props = streams["customers"].json_schema["properties"]
    assert "object" in props["profile"]["type"]
    assert props["name_length"]["readOnly"] is True


def test_preview_values(my, shop, streams):
    rows = list(my.read(shop.config(), "customers", limit=10))
    json.dumps(rows, allow_nan=False)
    ada, grace = rows
    assert ada["big_u"] == 18446744073709551615 and ada["big_s"] == -9223372036854775808
    assert (ada["tiny_u"], ada["small_u"], ada["medium_u"], ada["int_u"]) == (
        255,
        65535,
        16777215,
        4294967295,
    )
    assert ada["features"] == ["api", "audit"] and grace["features"] == []
    assert ada["founded"] == 2024 and ada["active"] is True and grace["active"] is False
    assert ada["flags"] == 5
    assert ada["balance"] == 1234.56 and ada["precise"] == "12345678901234567890.0123456789"
    assert ada["profile"] == {"seats": 3, "sso": True}
    assert ada["avatar"] == "3q2+7w==" and ada["fingerprint"] == "AP8="
    assert ada["created_at"] == "2024-01-02T03:04:05.123456"
    assert ada["updated_at"] == "2024-02-03T04:05:06.789000+00:00"
    assert grace["wakes_at"] == "838:59:59"
    assert grace["plan"] == "it's complicated"
    assert grace["bio"].endswith("…") and len(grace["bio"]) == TEXT_LIMIT + 1
    for row in rows:
        clean = {k: v for k, v in row.items() if not (isinstance(v, str) and v.endswith("…"))}
        jsonschema.validate(clean, streams["customers"].json_schema)
    frame = to_dataframe(rows, streams["customers"].json_schema)
    assert str(frame["id"].dtype) == "Int64" and str(frame["active"].dtype) == "boolean"
    assert frame["created_at"].dtype.kind == "M"


def test_every_stream_previews(my, shop, streams):
    for name, stream in streams.items():
        rows = list(my.read(shop.config(), name, limit=3))
        json.dumps(rows, allow_nan=False)
        for row in rows:
            assert list(row) == list(stream.json_schema["properties"])


def test_preview_orders_by_primary_key_with_limit_in_sql(my, shop):
    assert [r["id"] for r in my.read(shop.config(), "orders", limit=10)] == [1, 2, 3]
    assert [(r["b"], r["a"]) for r in my.read(shop.config(), "composite", limit=10)] == [
        ("x", 1),
        ("x", 2),
        ("y", 1),
    ]
    with StatementLog() as log:
        rows = list(my.read(shop.config(), "big_events", limit=1000))
    assert [r["id"] for r in rows] == list(range(1, 1001))
    (sql,) = [s for s, _ in log.statements if "big_events" in s and "hub:catalog" not in s]
    assert "LIMIT" in sql.upper() and "ORDER BY" in sql.upper()
    assert next(iter(my.read(shop.config(), "Mixed Case Table", limit=5))) == {
        "Id": 1,
        "Display Name": "one",
        "select": "s1",
        "back`tick": "b1",
    }
    assert list(my.read(shop.config(), "evil'; DROP TABLE customers; --", limit=5)) == [
        {"x`; DROP TABLE orders; --": 42}
    ]


def test_column_and_table_privileges(my, shop):
    partial = {s.name: s for s in my.discover(shop.config("partial"))}
    assert set(partial) == {"customers", "Mixed Case Table"}
    assert list(partial["Mixed Case Table"].json_schema["properties"]) == ["Id", "Display Name"]
    with pytest.raises(NotFound):
        list(my.read(shop.config(), "secret_salaries", limit=1))
    nobody = my.check(shop.config("nobody"))
    assert not nobody.ok and "no SELECT privilege" in nobody.message and "GRANT SELECT" in nobody.hint


@pytest.mark.parametrize(
    "stream",
    ["orders; DROP TABLE customers", "orders` ; DROP TABLE customers; --", "mysql.user", "../orders"],
)
def test_injection_in_stream_names_finds_nothing(my, shop, stream):
    with pytest.raises(NotFound):
        list(my.read(shop.config(), stream, limit=1))
    assert len(list(my.read(shop.config(), "customers", limit=5))) == 2


def test_injection_in_config_fields(my, shop, mariadb):
    result = my.check(shop.config(database="shop`; DROP DATABASE shop; --"))
    assert not result.ok and "does not exist" in result.message
    assert not my.check(shop.config(username="reader' OR '1'='1")).ok
    with pytest.raises(ConfigError):
        my.validate(shop.config(host="127.0.0.1:3306/shop?ssl=false"))
    with (
        pymysql.connect(host=mariadb.host, port=mariadb.port, user="root", password=mariadb.password) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SHOW DATABASES LIKE 'shop'")
        assert cur.fetchone() == ("shop",)


def test_spec_uses_airbyte_field_names(my):
    props = my.spec()["properties"]
    assert {"host", "port", "database", "username", "password", "ssl_mode", "connect_timeout"} <= set(props)
    assert props["ssl_mode"]["properties"]["mode"]["enum"] == [
        "preferred",
        "required",
        "verify_ca",
        "verify_identity",
    ]
    assert my.validate({"host": "h", "database": "d", "username": "u"})["port"] == 3306

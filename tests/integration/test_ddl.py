"""Schema generation: the DDL made from discovered PostgreSQL and MariaDB streams runs on PostgreSQL and
holds the sample; the JSON Schema export validates the sample."""

from __future__ import annotations

import json

import jsonschema
import psycopg
import pytest

from hub.connectors import get_connector
from hub.ddl import create_table, export, pg_type, stream_json_schema, table_name
from hub.models import StreamInfo
from tests.integration.sql_fixtures import shop_mariadb, shop_postgres, source


@pytest.fixture(scope="module")
def target(postgres):
    db = postgres.create_database()
    with psycopg.connect(postgres.dsn(database=db), autocommit=True) as conn:
        yield conn


def _load(conn: psycopg.Connection, stream: StreamInfo, rows: list[dict]) -> int:
    """Create the table from the DDL and insert the sample through json_populate_recordset."""
    conn.execute(f"DROP TABLE IF EXISTS {table_name(stream)} CASCADE")
    if stream.namespace and stream.name.startswith(stream.namespace + "."):
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{stream.namespace}"')
    conn.execute(create_table(stream, rows))
    props = stream.json_schema["properties"]
    clean = []
    for row in rows:  # binary values are base64 text in the preview; they go in as NULL here
        clean.append(
            {
                k: (
                    None if props[k].get("contentEncoding") or (isinstance(v, str) and v.endswith("…")) else v
                )
                for k, v in row.items()
            }
        )
    conn.execute(
        f"INSERT INTO {table_name(stream)} SELECT * FROM "
        f"json_populate_recordset(NULL::{table_name(stream)}, %s)",
        [json.dumps(clean)],
    )
    return int(conn.execute(f"SELECT count(*) FROM {table_name(stream)}").fetchone()[0])


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_ddl_of_every_stream_runs_and_holds_the_sample(kind, postgres, mariadb, target):
    shop = shop_postgres(postgres) if kind == "postgres" else shop_mariadb(mariadb)
    conn = get_connector(source(kind), "live")
    cfg = shop.config(schemas=["public", "sales", "Weird Schema"]) if kind == "postgres" else shop.config()
    for stream in conn.discover(cfg):
        if "big" in stream.name:
            continue
        rows = list(conn.read(cfg, stream.name, limit=50))
        if kind == "mysql":
            target.execute("CREATE SCHEMA IF NOT EXISTS my; SET search_path = my")
        assert _load(target, stream, rows) == len(rows), stream.name
        target.execute("SET search_path = public")


def test_ddl_details_for_postgres(postgres):
    shop = shop_postgres(postgres)
    streams = {s.name: s for s in get_connector(source("postgres"), "live").discover(shop.config())}
    ddl = create_table(streams["customers"])
    assert '"balance" numeric(12,2) NOT NULL' in ddl
    assert '"created_at" timestamp with time zone NOT NULL' in ddl
    assert '"moods" text[]' in ddl and "CHECK (\"mood\" IN ('sad', 'ok', 'happy'))" in ddl
    assert 'PRIMARY KEY ("id")' in ddl
    assert 'PRIMARY KEY ("id", "placed_on")' in create_table(streams["orders"])
    evil = create_table(streams['evil"; DROP TABLE customers; --'])
    assert evil.startswith('CREATE TABLE "evil""; DROP TABLE customers; --" (')


def test_schema_and_ddl_from_a_sample_when_discovery_says_little():
    stream = StreamInfo(
        name="events",
        json_schema={
            "type": "object",
            "properties": {"id": {"type": "integer"}, "payload": {}, "when": {"type": "string"}},
        },
        primary_key=["id"],
    )
    rows = [
        {"id": 1, "payload": {"a": 1}, "when": "2024-01-01T00:00:00Z", "extra": 2.5},
        {"id": 2, "payload": {"b": 2}, "when": "2024-01-02T00:00:00Z", "extra": None},
    ]
    doc = stream_json_schema(stream, rows)
    assert doc["title"] == "events" and doc["x-primary-key"] == ["id"]
    assert "number" in doc["properties"]["extra"]["type"]
    for row in rows:
        jsonschema.validate(row, doc)
    ddl = create_table(stream, rows)
    assert '"payload" jsonb' in ddl and '"extra" double precision' in ddl and '"id" bigint NOT NULL' in ddl
    assert pg_type({"type": "string"}, ["2024-01-01T00:00:00Z"]) == "text"  # the schema wins when it is clear
    assert pg_type({}, ["2024-01-01T00:00:00Z"]) == "timestamp with time zone"
    assert pg_type({"x-pg-type": "text); DROP TABLE x; --", "type": "integer"}) == "bigint"
    sql = export([(stream, rows)], "sql")
    assert sql.startswith("-- stream events") and "CREATE TABLE" in sql
    assert json.loads(export([(stream, rows), (stream, rows)], "json"))[1]["title"] == "events"

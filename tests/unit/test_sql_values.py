"""Pure parts of the SQL connectors: JSON-safe values, MySQL enum parsing, cursor choice, DDL quoting."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from hub.connectors.sql.columns import Column, parse_enum_values, suggest_cursor
from hub.connectors.sql.values import (
    BINARY_LIMIT,
    TEXT_LIMIT,
    clock_time,
    convert_column,
    iso_duration,
    json_safe,
    rows_to_records,
)
from hub.ddl import pg_type, quote_ident, quote_literal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000), "P1DT2H3M4.5S"),
        (timedelta(hours=-3), "-PT3H"),
        (timedelta(days=2), "P2D"),
    ],
)
def test_iso_durations(value, text):
    assert iso_duration(value) == text


def test_mysql_time_beyond_a_day_and_negative():
    assert clock_time(timedelta(hours=838, minutes=59, seconds=59)) == "838:59:59"
    assert clock_time(-timedelta(hours=12, minutes=30, microseconds=5)) == "-12:30:00.000005"


def test_json_safe_covers_driver_types():
    values = [
        Decimal("1.50"),
        Decimal("NaN"),
        float("inf"),
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        date(2024, 1, 2),
        time(7, 30),
        timedelta(minutes=90),
        uuid.UUID(int=1),
        b"\x00\xff",
        memoryview(b"ab"),
        bytearray(b"z"),
        {"a": [Decimal("2")]},
        ("x", 1),
        frozenset({"b", "a"}),
        "x" * (TEXT_LIMIT + 5),
        b"\x01" * (BINARY_LIMIT + 1),
    ]
    safe = [json_safe(v) for v in values]
    json.dumps(safe, allow_nan=False)
    assert safe[:4] == [1.5, None, None, "2024-01-02T03:04:05+00:00"]
    assert safe[8] == "AP8=" and safe[13] == ["a", "b"]
    assert safe[14].endswith("…") and len(safe[14]) == TEXT_LIMIT + 1
    assert safe[15].endswith("…")


def test_convert_column_keeps_ready_values_and_fixes_the_rest():
    ints = (1, 2, None)
    assert convert_column("integer", ints) is ints
    assert convert_column("number", (1.5, float("nan"))) == [1.5, None]
    assert convert_column("boolean", (1, 0, None)) == [True, False, None]
    assert convert_column("datetime_tz", (datetime(2024, 1, 1),)) == ["2024-01-01T00:00:00+00:00"]
    assert rows_to_records(["a", "b"], ["integer", "text"], [(1, "x"), (2, None)]) == [
        {"a": 1, "b": "x"},
        {"a": 2, "b": None},
    ]


def test_mysql_enum_labels_with_quotes_and_commas():
    assert parse_enum_values("enum('a','it''s','x,y')") == ["a", "it's", "x,y"]
    assert parse_enum_values("set('api','sso')") == ["api", "sso"]


def test_cursor_suggestion_prefers_updated_over_created():
    def ts(name: str) -> Column:
        return Column(name, "timestamp", True, {"type": "string", "format": "date-time"}, "timestamp")

    text = Column("updated_by", "text", True, {"type": "string"}, "text")
    assert suggest_cursor([ts("created_at"), ts("last_modified"), text]) == "last_modified"
    assert suggest_cursor([ts("created_at"), text]) == "created_at"
    assert suggest_cursor([text]) is None


def test_ddl_quoting_never_lets_names_or_types_escape():
    assert quote_ident('a"; DROP TABLE x; --') == '"a""; DROP TABLE x; --"'
    assert quote_literal("it's") == "'it''s'"
    assert pg_type({"type": "integer", "x-pg-type": "integer); DROP TABLE x; --"}) == "bigint"
    assert pg_type({"type": "string", "x-pg-type": "character varying(40)"}) == "character varying(40)"

"""Records + JSON Schema -> typed DataFrame (hub.frames)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from hub.catalogue import Catalogue
from hub.frames import column_kind, to_dataframe
from tests.unit.test_schema_inference import demo_sample

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "amount": {"type": ["null", "number"]},
        "paid": {"type": "boolean"},
        "email": {"type": ["null", "string"], "format": "email"},
        "created_at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "customer": {"type": ["null", "object"], "properties": {"id": {"type": "integer"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "anything": {},
    },
}
RECORDS: list[dict[str, Any]] = [
    {"id": 1, "amount": 1999, "paid": True, "email": "ada@example.com", "created_at": "2026-10-01T12:00:00Z",
     "day": "2026-10-01", "customer": {"id": 7}, "tags": ["vip"], "anything": 1},
    {"id": 2, "amount": None, "paid": False, "email": None, "created_at": "2026-10-02T14:30:00+02:00",
     "day": "2026-10-02", "customer": None, "tags": [], "anything": "x"},
]


def test_dtypes_follow_the_schema() -> None:
    df = to_dataframe(RECORDS, SCHEMA)
    assert list(df.columns) == list(SCHEMA["properties"])
    assert str(df["id"].dtype) == "Int64"
    assert str(df["amount"].dtype) == "Float64"
    assert str(df["paid"].dtype) == "boolean"
    assert str(df["email"].dtype) == "string"
    assert isinstance(df["created_at"].dtype, pd.DatetimeTZDtype) and str(df["created_at"].dtype.tz) == "UTC"
    assert df["day"].dtype.kind == "M" and not isinstance(df["day"].dtype, pd.DatetimeTZDtype)
    for name in ("customer", "tags", "anything"):
        assert df[name].dtype == object


def test_values_survive() -> None:
    df = to_dataframe(RECORDS, SCHEMA)
    assert df["id"].tolist() == [1, 2]
    assert df["amount"][0] == 1999.0 and df["amount"].isna().tolist() == [False, True]
    assert df["email"][1] is pd.NA
    # +02:00 becomes UTC
    assert df["created_at"][1] == pd.Timestamp("2026-10-02T12:30:00Z")
    assert df["day"][0] == pd.Timestamp("2026-10-01")
    # nested values stay Python objects, untouched
    assert df["customer"][0] == {"id": 7} and df["customer"][1] is None
    assert df["tags"][0] == ["vip"] and df["tags"][1] == []


def test_column_order_from_schema_then_extra_fields() -> None:
    records = [{"zeta": 1, "id": 5, "extra": "a"}, {"id": 6, "late": True}]
    df = to_dataframe(records, {"properties": {"id": {"type": "integer"}, "amount": {"type": "number"}}})
    assert list(df.columns) == ["id", "amount", "zeta", "extra", "late"]
    assert df["amount"].isna().all() and str(df["amount"].dtype) == "Float64"
    assert df["zeta"].dtype == object and df["zeta"].tolist() == [1, None]


@pytest.mark.parametrize(("prop", "values"), [
    ({"type": "integer"}, [1, "two"]),
    ({"type": "integer"}, [1, 2.5]),
    ({"type": "integer"}, [True, 1]),
    ({"type": "number"}, [1.5, "n/a"]),
    ({"type": "boolean"}, [True, "yes"]),
    ({"type": "string"}, ["a", 3]),
    ({"type": "string", "format": "date-time"}, ["2026-01-01T00:00:00Z", "soon"]),
    ({"type": "string", "format": "date"}, ["2026-01-01", "2026-02-31"]),
    ({"type": "string", "format": "date"}, ["2026-01-01T10:00:00+05:00"]),
    ({"type": "string", "format": "date-time"}, ["2026-01-01T00:00:00Z", 1767225600]),
    ({"type": "string", "format": "date-time"}, [{"at": "2026-01-01T00:00:00Z"}]),
])
def test_odd_values_fall_back_to_object(prop: dict[str, Any], values: list[Any]) -> None:
    df = to_dataframe([{"v": v} for v in values], {"properties": {"v": prop}})
    assert df["v"].dtype == object
    assert df["v"].tolist() == values


def test_python_values_from_database_drivers() -> None:
    schema = {"properties": {"price": {"type": "number"}, "at": {"type": "string", "format": "date-time"},
                             "d": {"type": "string", "format": "date"}}}
    records = [{"price": Decimal("9.99"), "at": datetime(2026, 1, 1, 8, tzinfo=UTC), "d": date(2026, 1, 1)},
               {"price": Decimal("0.10"), "at": datetime(2026, 1, 2, 9), "d": None}]
    df = to_dataframe(records, schema)
    assert str(df["price"].dtype) == "Float64" and df["price"].tolist() == [9.99, 0.1]
    assert df["at"][1] == pd.Timestamp("2026-01-02T09:00:00Z")  # naive is taken as UTC
    assert df["d"][0] == pd.Timestamp("2026-01-01") and pd.isna(df["d"][1])


def test_nan_and_none_are_missing() -> None:
    records = [{"n": float("nan")}, {"n": None}, {"n": 2}]
    df = to_dataframe(records, {"properties": {"n": {"type": "integer"}}})
    assert str(df["n"].dtype) == "Int64" and df["n"].isna().tolist() == [True, True, False]


def test_empty_records_keep_columns_and_dtypes() -> None:
    df = to_dataframe([], SCHEMA)
    assert list(df.columns) == list(SCHEMA["properties"]) and len(df) == 0
    assert str(df["id"].dtype) == "Int64"
    assert str(df["paid"].dtype) == "boolean"
    assert isinstance(df["created_at"].dtype, pd.DatetimeTZDtype)


def test_integer_or_number_is_float() -> None:
    assert column_kind({"type": ["integer", "number", "null"]}) == "number"
    assert column_kind({"type": ["string", "integer"]}) == "object"
    assert column_kind({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}) == "string"
    assert column_kind({"type": "null"}) == "object"


# --------------------------------------------------------------------------- every demo stream

CATALOGUE = Catalogue.bundled()  # every entry, SQLite files too
DEMO_STREAMS = [(entry.id, stream) for entry in CATALOGUE for stream in entry.streams]


@pytest.mark.parametrize(("source_id", "stream"), DEMO_STREAMS, ids=[f"{s}:{t}" for s, t in DEMO_STREAMS])
def test_demo_streams_become_typed_frames(source_id: str, stream: str) -> None:
    """Every scalar column of every demo stream gets its typed dtype: the demo data fits its schema."""
    declared, records = demo_sample(source_id, stream)
    df = to_dataframe(records, declared)
    assert list(df.columns) == list(declared["properties"])
    assert len(df) == len(records)
    expected = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}
    for name, prop in declared["properties"].items():
        kind = column_kind(prop)
        dtype = df[name].dtype
        if kind in expected:
            assert str(dtype) == expected[kind], (name, kind, dtype)
        elif kind == "date-time":
            assert isinstance(dtype, pd.DatetimeTZDtype), (name, dtype)
        elif kind == "date":
            assert dtype.kind == "M", (name, dtype)
        else:
            assert str(dtype) == "object", (name, dtype)


def test_an_integer_beyond_int64_keeps_its_value_in_an_object_column():
    # MySQL BIGINT UNSIGNED reaches 2**64 - 1; the column must keep every digit, without a warning.
    from hub.frames import to_dataframe as _to_dataframe

    big = 2**64 - 1
    frame = _to_dataframe([{"n": 1}, {"n": big}], {"properties": {"n": {"type": "integer"}}})
    assert frame["n"].dtype == object
    assert frame["n"].tolist() == [1, big]

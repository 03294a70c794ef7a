"""JSON Schema inference (hub.schema): rules, round trips through jsonschema, and comparison."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from hub.catalogue import Catalogue
from hub.connectors import get_connector
from hub.models import AuthKind, SourceEntry
from hub.schema import columns, compare, infer_schema, is_nullable, types_of


def props(records: list[dict[str, Any]]) -> dict[str, Any]:
    schema = infer_schema(records)
    # every inferred schema accepts the records it came from, formats included
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    for record in records:
        validator.validate(record)
    return schema["properties"]


# --------------------------------------------------------------------------- types


def test_integer_number_boolean_string() -> None:
    p = props([
        {"i": 1, "f": 1.5, "b": True, "s": "x", "m": 2},
        {"i": -7, "f": 3, "b": False, "s": "", "m": 2.5},
    ])
    assert p["i"] == {"type": "integer"}
    assert p["f"] == {"type": "number"}  # 1.5 and 3: a number column holding an integral value
    assert p["b"] == {"type": "boolean"}  # bool is not an integer, though Python says so
    assert p["s"] == {"type": "string"}
    assert p["m"] == {"type": "number"}


def test_decimal_is_a_number_and_float_with_integral_value_too() -> None:
    p = props([{"d": 1.0, "e": 4}])
    assert p["d"] == {"type": "number"}
    assert infer_schema([{"d": Decimal("12.50")}])["properties"]["d"] == {"type": "number"}


def test_nullable_and_only_null() -> None:
    p = props([{"a": None, "b": 1, "c": None}, {"a": "x", "b": None, "c": None}])
    assert p["a"] == {"type": ["string", "null"]}
    assert p["b"] == {"type": ["integer", "null"]}
    assert p["c"] == {"type": "null"}
    assert is_nullable(p["a"]) and not is_nullable({"type": "string"}) and is_nullable({})


def test_mixed_types_become_a_type_list() -> None:
    p = props([{"v": 1}, {"v": "one"}, {"v": None}, {"v": True}])
    assert p["v"] == {"type": ["string", "integer", "boolean", "null"]}


def test_absent_keys_are_not_required_and_order_is_first_seen() -> None:
    schema = infer_schema([{"b": 1, "a": 2}, {"a": 3, "c": 4}])
    assert list(schema["properties"]) == ["b", "a", "c"]
    assert schema["required"] == ["a"]
    assert schema["type"] == "object"
    assert schema["$schema"].startswith("http://json-schema.org/draft-07")


def test_no_records() -> None:
    schema = infer_schema([])
    assert schema["type"] == "object" and schema["properties"] == {}


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("values", "fmt"), [
    (["2024-03-01T12:00:00Z", "2024-03-01T12:00:00.123456+02:00", "2026-11-01T00:00:00-05:00"], "date-time"),
    (["2024-02-29", "1999-12-31"], "date"),
    (["ada@example.com", "o'brien+tag@mail.co.uk"], "email"),
    (["https://acme.example/orders/1?x=1", "http://localhost:8501", "ftp://files.example.org/a.csv"], "uri"),
    (["0b6f1c3e-1d2a-4c9e-9d3e-6a1f3e2b4c5d", "6F9619FF-8B86-D011-B42D-00C04FC964FF"], "uuid"),
])
def test_formats_when_every_value_matches(values: list[str], fmt: str) -> None:
    p = props([{"v": v} for v in values] + [{"v": None}])
    assert p["v"] == {"type": ["string", "null"], "format": fmt}


@pytest.mark.parametrize("values", [
    ["2024-03-01T12:00:00Z", "yesterday"],  # one bad value is enough
    ["2024-03-01T12:00:00"],  # no time zone: not RFC 3339
    ["2024-03-01 12:00:00+00:00"],  # space separator
    ["2024-02-30"],  # not a real day
    ["20240301"],  # GA4's YYYYMMDD is not a JSON Schema date
    ["ada@example"],  # no domain dot
    ["www.example.com"],  # no scheme
    ["mailto:ada@example.com"],  # a URI, but not one with an authority: kept conservative
    ["not-a-uuid-0000-0000-000000000000"],
    ["", "ada@example.com"],
])
def test_no_format_unless_all_values_match(values: list[str]) -> None:
    assert "format" not in props([{"v": v} for v in values])["v"]


def test_python_dates_and_datetimes() -> None:
    p = infer_schema([{
        "aware": datetime(2024, 1, 1, tzinfo=UTC), "naive": datetime(2024, 1, 1), "day": date(2024, 1, 1),
        "id": uuid.UUID(int=5),
    }])["properties"]
    assert p["aware"] == {"type": "string", "format": "date-time"}
    assert p["naive"] == {"type": "string"}
    assert p["day"] == {"type": "string", "format": "date"}
    assert p["id"] == {"type": "string", "format": "uuid"}


# --------------------------------------------------------------------------- nesting


def test_nested_objects_and_arrays() -> None:
    records = [
        {"customer": {"id": 1, "email": "a@example.com"}, "line_items": [{"sku": "A", "price": "9.99"}],
         "tags": ["vip"], "topic": {"value": None}},
        {"customer": None,
         "line_items": [{"sku": "B", "price": "5.00", "gift": True}, {"sku": "C", "price": "1"}],
         "tags": [], "topic": {"value": "launch"}},
    ]
    p = props(records)
    assert p["customer"] == {
        "type": ["object", "null"],
        "properties": {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"}},
        "required": ["id", "email"],
    }
    items = p["line_items"]["items"]
    assert p["line_items"]["type"] == "array"
    assert items["properties"]["gift"] == {"type": "boolean"}
    assert items["required"] == ["sku", "price"]
    assert p["tags"] == {"type": "array", "items": {"type": "string"}}
    assert p["topic"]["properties"]["value"] == {"type": ["string", "null"]}


def test_empty_arrays_have_open_items() -> None:
    assert props([{"a": []}, {"a": []}])["a"] == {"type": "array", "items": {}}


def test_arrays_of_mixed_values_and_arrays_of_arrays() -> None:
    p = props([{"a": [1, "x", None], "m": [[1, 2], [3.5]]}])
    assert p["a"]["items"] == {"type": ["string", "integer", "null"]}
    assert p["m"]["items"] == {"type": "array", "items": {"type": "number"}}


# --------------------------------------------------------------------------- compare

DECLARED = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "total_price": {"type": "number"},
        "email": {"type": ["null", "string"], "format": "email"},
        "cancelled_at": {"type": ["null", "string"], "format": "date-time"},
        "customer": {
            "type": ["null", "object"],
            "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
        },
        "line_items": {
            "type": "array",
            "items": {"type": "object", "properties": {"price": {"type": "string"}}},
        },
    },
}
GOOD = [
    {"id": 1, "total_price": 10, "email": "a@example.com", "cancelled_at": None,
     "customer": {"id": 7, "email": "a@example.com"}, "line_items": [{"price": "10.00"}]},
    {"id": 2, "total_price": 12.5, "email": "b@example.com", "cancelled_at": "2024-01-01T00:00:00Z",
     "customer": {"id": 8, "email": "b@example.com"}, "line_items": []},
]


def test_compare_agrees_with_a_matching_declaration() -> None:
    assert compare(infer_schema(GOOD), DECLARED) == []
    # integer values where a number is declared, and declared-nullable fields without nulls, are fine
    assert compare(infer_schema(GOOD[:1]), DECLARED) == []


def _diffs(change: dict[str, Any], **kw: Any) -> list[str]:
    records = [dict(r) for r in GOOD]
    records[0] = {**records[0], **change}
    return compare(infer_schema(records), DECLARED, **kw)


def test_compare_reports_a_wrong_type() -> None:
    assert _diffs({"id": "1"}) == ["id: the sample has string but the declared type is integer"]
    assert _diffs({"id": 1.5}) == ["id: the sample has number but the declared type is integer"]


def test_compare_reports_null_where_not_declared() -> None:
    assert _diffs({"total_price": None}) == [
        "total_price: the sample has null but the declared type is number"
    ]


def test_compare_reports_nested_paths() -> None:
    assert _diffs({"customer": {"id": "7", "email": "a@example.com"}}) == [
        "customer.id: the sample has string but the declared type is integer"
    ]
    assert _diffs({"line_items": [{"price": 10}]}) == [
        "line_items[].price: the sample has integer but the declared type is string"
    ]


def test_compare_reports_undeclared_and_missing_fields() -> None:
    assert _diffs({"note": "x"}) == ["note: in the sample but not declared"]
    records = [{k: v for k, v in r.items() if k != "email"} for r in GOOD]
    assert compare(infer_schema(records), DECLARED) == ["email: declared but never present in the sample"]
    assert compare(infer_schema(records), DECLARED, missing=False) == []


def test_compare_reports_a_format_the_values_do_not_have() -> None:
    assert _diffs({"cancelled_at": "2024-01-01 00:00"}) == [
        "cancelled_at: declared format date-time but the sample's values are not all date-time"
    ]
    assert _diffs({"cancelled_at": "2024-01-01 00:00"}, formats=False) == []


def test_compare_additional_properties() -> None:
    open_declared = {**DECLARED, "additionalProperties": True}
    inferred = infer_schema([{**GOOD[0], "note": "x"}, GOOD[1]])
    assert compare(inferred, open_declared) == []
    strict = compare(inferred, open_declared, strict_properties=True)
    assert strict == ["note: in the sample but not declared"]


def test_compare_reads_any_of() -> None:
    declared = {"type": "object", "properties": {"v": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    assert compare(infer_schema([{"v": None}, {"v": "x"}]), declared) == []
    assert compare(infer_schema([{"v": 3}]), declared) == [
        "v: the sample has integer but the declared type is string/null"
    ]
    assert types_of({"anyOf": [{"type": "string"}, {}]}) == set()


def test_columns_for_the_schema_table() -> None:
    cols = columns(DECLARED, primary_key=["id"])
    by_name = {c.name: c for c in cols}
    assert [c.name for c in cols] == list(DECLARED["properties"])
    assert by_name["id"].key and by_name["id"].type == "integer" and not by_name["id"].nullable
    assert by_name["cancelled_at"].type == "string" and by_name["cancelled_at"].format == "date-time"
    assert by_name["cancelled_at"].nullable
    assert by_name["customer"].type == "object"


# --------------------------------------------------------------------------- every demo stream

CATALOGUE = Catalogue.bundled()  # every entry, SQLite files too
DEMO_STREAMS = [(entry.id, stream) for entry in CATALOGUE for stream in entry.streams]
# Keys of the providers' shape (random characters), so that API-key configs validate as a user's would.
DEMO_KEYS = {
    "stripe": "sk_test_" + "a1B2" * 6,
    "woocommerce": "ck_" + "0123456789abcdef" * 2 + "01234567",
    "mixpanel": "0123456789abcdef" * 2,
    "jira": "ATATT3xFfGF0" + "aB3_-=" * 20,
    "mailchimp": "0123456789abcdef" * 2 + "-us21",
}


def demo_config(entry: SourceEntry) -> dict[str, Any]:
    if entry.auth_kind is AuthKind.OAUTH2:
        return {"account": f"acme-outfitters.{entry.id}.example", "access_token": "demo-token",
                "scopes": [s.name for s in entry.scopes]}
    if entry.auth_kind is AuthKind.API_KEY:
        return {"api_key": DEMO_KEYS[entry.id]}
    return {}


@functools.cache
def demo_sample(source_id: str, stream: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(declared schema, 200 records) of one demo stream, through the connector's public operations."""
    entry = CATALOGUE.get(source_id)
    connector = get_connector(entry, "demo")
    config = connector.validate(demo_config(entry))
    assert connector.check(config).ok
    info = {s.name: s for s in connector.discover(config)}[stream]
    return info.json_schema, list(connector.read(config, stream, limit=200))


def test_demo_discovers_exactly_the_catalogue_streams() -> None:
    for entry in CATALOGUE:
        connector = get_connector(entry, "demo")
        names = [s.name for s in connector.discover(connector.validate(demo_config(entry)))]
        assert names == entry.streams, entry.id


@pytest.mark.parametrize(("source_id", "stream"), DEMO_STREAMS, ids=[f"{s}:{t}" for s, t in DEMO_STREAMS])
def test_inferred_schema_agrees_with_the_declared_one(source_id: str, stream: str) -> None:
    declared, records = demo_sample(source_id, stream)
    assert records, "the demo stream has records"
    inferred = infer_schema(records)
    assert compare(inferred, declared) == []
    # and the check is not vacuous: every declared top-level field was seen and typed
    assert list(inferred["properties"]) == list(declared["properties"])


def test_compare_catches_a_drifted_demo_stream() -> None:
    declared, records = demo_sample("shopify", "orders")
    drifted = [{**r, "total_price": float(r["total_price"]) if r["total_price"] else None} for r in records]
    inferred = infer_schema(drifted)
    assert any(d.startswith("total_price: the sample has number") for d in compare(inferred, declared))

"""hub.views: what the screens show, as plain data (badges, card states, labels, manifest, columns)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest

from hub import Hub, demo_preview
from hub.catalogue import Catalogue
from hub.models import Status
from hub.settings import Settings
from hub.views import (
    STATUS_BADGES,
    auth_kind_label,
    business_type_name,
    card_connections,
    column_specs,
    connected,
    continue_label,
    csv_bytes,
    display_frame,
    manifest,
    manifest_json,
    parquet_bytes,
    raw_frame,
    schema_columns,
    schema_rows,
    status_badge,
    status_text,
    time_ago,
)

STRIPE_KEY = "sk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3"


@pytest.fixture
def hub() -> Hub:
    h = Hub.open(Settings.from_env())
    h.create_tenant("shop", name="Shop One", business_type="ecommerce")
    yield h
    h.close()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_state_badges_use_the_contract_words_with_an_icon():
    assert status_badge(None).label == "Not connected"
    words = {status: STATUS_BADGES[status].label for status in Status}
    assert words == {
        Status.CONNECTING: "Connecting…",
        Status.TESTING: "Testing…",
        Status.CONNECTED: "Connected",
        Status.FAILED: "Failed",
        Status.DISCONNECTED: "Disconnected",
    }
    assert all(b.icon.startswith(":material/") for b in STATUS_BADGES.values())  # never colour alone


@pytest.mark.parametrize(
    ("kind", "label"),
    [("oauth2", "OAuth"), ("api_key", "API key"), ("database", "Database"), ("file", "File")],
)
def test_auth_kind_labels(kind, label):
    assert auth_kind_label(kind) == label


@pytest.mark.parametrize(
    ("n", "label"),
    [
        (1, "Continue with 1 integration"),
        (2, "Continue with 2 integrations"),
        (12, "Continue with 12 integrations"),
    ],
)
def test_continue_label_counts(n, label):
    assert continue_label(n) == label


def test_business_type_display_names():
    assert business_type_name("ecommerce") == "E-commerce"
    assert business_type_name("saas") == "SaaS"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=3), "3 min ago"),
        (timedelta(hours=2), "2 h ago"),
        (timedelta(days=1, hours=2), "yesterday"),
        (timedelta(days=5), "5 days ago"),
    ],
)
def test_time_ago(delta, words):
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert time_ago(now - delta, now) == words


def test_time_ago_old_dates_and_never():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert time_ago(datetime(2026, 1, 2, tzinfo=UTC), now) == "02 Jan 2026"
    assert time_ago(None, now) == "never"


def test_connected_card_text_has_streams_and_sampled_records(hub):
    conn = hub.tenant("shop").connect(
        "shopify", {"account": "shop-one.myshopify.com"}, actor="t", mode="demo"
    )
    assert conn.status is Status.CONNECTED
    text = status_text(conn)
    streams = len(hub.catalogue.get("shopify").streams)
    assert text.startswith(f"Connected · {streams} streams · ")
    assert text.endswith(f"{conn.metadata['records_sampled']:,} records sampled")


def test_card_shows_the_newest_connection_that_is_not_disconnected(hub):
    svc = hub.tenant("shop")
    first = svc.connect("shopify", {"account": "a.myshopify.com"}, actor="t", mode="demo")
    second = svc.connect("shopify", {"account": "b.myshopify.com"}, actor="t", mode="demo")
    failed = svc.connect("stripe", {"api_key": "nope"}, actor="t", mode="demo")
    assert failed.status is Status.FAILED
    cards = card_connections(svc.list_connections())
    assert cards["shopify"].id == second.id
    assert cards["stripe"].id == failed.id
    svc.disconnect(second.id, actor="t")
    cards = card_connections(svc.list_connections())
    assert cards["shopify"].id == first.id
    svc.disconnect(first.id, actor="t")
    assert "shopify" not in card_connections(svc.list_connections())  # -> "Not connected"
    assert [c.id for c in connected(svc.list_connections())] == []


def test_manifest_lists_streams_and_schemas_and_never_a_secret(hub):
    svc = hub.tenant("shop")
    stripe = svc.connect("stripe", {"api_key": STRIPE_KEY, "account": "Shop One"}, actor="t", mode="demo")
    shopify = svc.connect(
        "shopify",
        {"account": "shop-one.myshopify.com", "access_token": "tok_SECRET_123456"},
        actor="t",
        mode="demo",
    )
    ready = connected(svc.list_connections())
    streams = {c.id: svc.streams(c.id) for c in ready}
    doc = manifest(
        svc.tenant,
        ready,
        streams,
        sources={s.id: s for s in hub.catalogue.sources},
        product_name="Hub",
        now=datetime(2026, 11, 27, tzinfo=UTC),
    )
    text = manifest_json(doc)
    assert STRIPE_KEY not in text
    assert "tok_SECRET_123456" not in text
    assert "api_key" not in text and "access_token" not in text
    parsed = json.loads(text)
    assert parsed["integrations"] == 2
    by_source = {c["source_id"]: c for c in parsed["connections"]}
    assert {s["name"] for s in by_source["stripe"]["streams"]} == set(hub.catalogue.get("stripe").streams)
    charges = next(s for s in by_source["stripe"]["streams"] if s["name"] == "charges")
    assert charges["primary_key"] == ["id"]
    assert "amount" in charges["columns"]
    assert by_source["shopify"]["settings"]["account"] == "shop-one.myshopify.com"
    assert {stripe.id, shopify.id} == {c["id"] for c in parsed["connections"]}


def test_schema_rows_show_type_nullable_and_key(catalogue):
    stream = demo_preview(catalogue, "shopify", "orders", limit=1).stream
    rows = {r["column"]: r for r in schema_rows(stream)}
    assert list(rows) == schema_columns(stream)
    assert rows["id"]["key"].startswith("primary key")
    assert "cursor" in rows[stream.cursor_field]["key"]
    assert "date-time" in rows["created_at"]["type"]
    assert isinstance(rows["id"]["nullable"], bool)


def test_stripe_amounts_show_in_currency_units_and_downloads_keep_cents(catalogue):
    preview = demo_preview(catalogue, "stripe", "charges", limit=20)
    specs = column_specs(preview.stream, "stripe", preview.records)
    kinds = {s.name: s.kind for s in specs}
    assert kinds["amount"] == "money_cents"
    assert kinds["created"] == "unix_datetime"
    assert kinds["paid"] == "boolean"
    shown = display_frame(preview.records, specs)
    assert list(shown.columns) == schema_columns(preview.stream)
    first = preview.records[0]
    assert shown["amount"].iloc[0] == pytest.approx(first["amount"] / 100)
    assert shown["created"].iloc[0] == datetime.fromtimestamp(first["created"], tz=UTC)
    raw = raw_frame(preview.records, schema_columns(preview.stream))
    assert raw["amount"].iloc[0] == first["amount"]  # cents, as the source sent them
    back = pq.read_table(io.BytesIO(parquet_bytes(raw))).to_pandas()
    assert list(back.columns) == list(raw.columns) and len(back) == len(raw)
    csv = csv_bytes(raw).decode()
    assert csv.splitlines()[0].split(",") == list(raw.columns)
    assert str(first["amount"]) in csv


def test_objects_become_collapsed_json_and_domains_become_links(catalogue):
    preview = demo_preview(catalogue, "shopify", "orders", limit=5)
    specs = {s.name: s for s in column_specs(preview.stream, "shopify", preview.records)}
    assert specs["line_items"].kind == "json"
    assert specs["created_at"].kind == "datetime"
    assert specs["total_price"].kind == "money"
    shown = display_frame(preview.records, list(specs.values()))
    assert json.loads(shown["line_items"].iloc[0]) == preview.records[0]["line_items"]
    if specs["shop_url"].kind == "link":
        assert shown["shop_url"].iloc[0].startswith("https://")


def test_ga4_dates_are_dates(catalogue):
    preview = demo_preview(catalogue, "google-analytics", "devices", limit=3)
    specs = {s.name: s for s in column_specs(preview.stream, "google-analytics", preview.records)}
    assert specs["date"].kind == "date"
    shown = display_frame(preview.records, list(specs.values()))
    raw = str(preview.records[0]["date"]).replace("-", "")
    assert shown["date"].iloc[0].strftime("%Y%m%d") == raw


@pytest.mark.parametrize("source_id", [s.id for s in Catalogue.load().sources])
def test_every_stream_of_every_source_displays_with_its_schema_columns(catalogue, source_id):
    source = catalogue.get(source_id)
    for stream in source.streams:
        preview = demo_preview(catalogue, source_id, stream, limit=10)
        specs = column_specs(preview.stream, source_id, preview.records)
        shown = display_frame(preview.records, specs)
        assert list(shown.columns) == schema_columns(preview.stream)
        assert len(shown) == len(preview.records)
        parquet_bytes(raw_frame(preview.records, schema_columns(preview.stream)))


def test_the_stream_picker_uses_the_streams_the_last_test_recorded(hub):
    from hub.views import stored_streams

    svc = hub.tenant("shop")
    conn = svc.connect("stripe", {"api_key": "sk_test_" + "a1" * 14}, actor="t", mode="demo")
    recorded = stored_streams(conn)
    discovered = {s.name: s.estimated_rows for s in svc.streams(conn.id)}
    assert recorded == discovered  # same names, order and sizes as a fresh discover
    bare = conn.model_copy(update={"metadata": {}})
    assert stored_streams(bare) is None  # nothing recorded: the page discovers instead

"""hub.presenting: what the faces show, as plain data (state words, card states, labels, times, manifest).

The badges' icons and colours and the preview's column display are the Streamlit layer's: their tests are
in tests/app/test_presentation.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.models import Status
from hub.presenting import (
    auth_kind_label,
    business_type_name,
    card_connections,
    connected,
    continue_label,
    manifest,
    manifest_json,
    schema_columns,
    schema_rows,
    status_text,
    stored_streams,
    time_ago,
)
from tests.demo_support import demo_sample

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
    stream = demo_sample(catalogue, "shopify", "orders", limit=1).stream
    rows = {r["column"]: r for r in schema_rows(stream)}
    assert list(rows) == schema_columns(stream)
    assert rows["id"]["key"].startswith("primary key")
    assert "cursor" in rows[stream.cursor_field]["key"]
    assert "date-time" in rows["created_at"]["type"]
    assert isinstance(rows["id"]["nullable"], bool)


def test_the_stream_picker_uses_the_streams_the_last_test_recorded(hub):
    svc = hub.tenant("shop")
    conn = svc.connect("stripe", {"api_key": "sk_test_" + "a1" * 14}, actor="t", mode="demo")
    recorded = stored_streams(conn)
    discovered = {s.name: s.estimated_rows for s in svc.streams(conn.id)}
    assert recorded == discovered  # same names, order and sizes as a fresh discover
    bare = conn.model_copy(update={"metadata": {}})
    assert stored_streams(bare) is None  # nothing recorded: the page discovers instead

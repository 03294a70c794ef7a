"""ui.badges and ui.columns: the state badges (a word with an icon, never colour alone) and how preview
columns are shown (money from cents, dates as dates, links, collapsed JSON) while downloads keep raw values.

Plain functions of the Streamlit layer, tested without running the app; the words come from
hub.presenting (tests/unit/test_presenting.py).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from hub.catalogue import Catalogue
from hub.models import Status
from hub.presenting import schema_columns
from tests.demo_support import demo_sample
from ui.badges import STATUS_BADGES, status_badge
from ui.columns import column_specs, csv_bytes, display_frame, parquet_bytes, raw_frame


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()  # every entry, SQLite files too


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


def test_stripe_amounts_show_in_currency_units_and_downloads_keep_cents(catalogue):
    preview = demo_sample(catalogue, "stripe", "charges", limit=20)
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
    preview = demo_sample(catalogue, "shopify", "orders", limit=5)
    specs = {s.name: s for s in column_specs(preview.stream, "shopify", preview.records)}
    assert specs["line_items"].kind == "json"
    assert specs["created_at"].kind == "datetime"
    assert specs["total_price"].kind == "money"
    shown = display_frame(preview.records, list(specs.values()))
    assert json.loads(shown["line_items"].iloc[0]) == preview.records[0]["line_items"]
    if specs["shop_url"].kind == "link":
        assert shown["shop_url"].iloc[0].startswith("https://")


def test_ga4_dates_are_dates(catalogue):
    preview = demo_sample(catalogue, "google-analytics", "devices", limit=3)
    specs = {s.name: s for s in column_specs(preview.stream, "google-analytics", preview.records)}
    assert specs["date"].kind == "date"
    shown = display_frame(preview.records, list(specs.values()))
    raw = str(preview.records[0]["date"]).replace("-", "")
    assert shown["date"].iloc[0].strftime("%Y%m%d") == raw


@pytest.mark.parametrize("source_id", [s.id for s in Catalogue.bundled().sources])
def test_every_stream_of_every_source_displays_with_its_schema_columns(catalogue, source_id):
    source = catalogue.get(source_id)
    for stream in source.streams:
        preview = demo_sample(catalogue, source_id, stream, limit=10)
        specs = column_specs(preview.stream, source_id, preview.records)
        shown = display_frame(preview.records, specs)
        assert list(shown.columns) == schema_columns(preview.stream)
        assert len(shown) == len(preview.records)
        parquet_bytes(raw_frame(preview.records, schema_columns(preview.stream)))

"""A live PostgreSQL source through the database form, then its preview with the schema export (AppTest)."""

from __future__ import annotations

import pytest

from hub.models import Mode, Status
from tests.app.support import has_text, ok, open_hub, rendered, show_every_card, sign_in
from tests.integration.sql_fixtures import shop_postgres

pytestmark = pytest.mark.postgres


def _session_values(at) -> str:
    return repr({k: at.session_state[k] for k in at.session_state})


def test_live_postgres_through_the_form_and_the_preview_with_schema_export(postgres):
    shop = shop_postgres(postgres)
    password = shop.users["reader"]
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    at.text_input(key="db_host").input(shop.host)
    at.number_input(key="db_port").set_value(shop.port)
    at.text_input(key="db_database").input(shop.database)
    at.text_input(key="db_username").input("reader")
    at.text_input(key="db_password").input(password)
    at.text_input(key="db_schemas").input("public, sales")
    ok(at.button(key="db_submit").click().run())
    with open_hub() as hub:
        (conn,) = hub.tenant("acme").list_connections()
    assert conn.mode is Mode.LIVE and conn.status is Status.CONNECTED, conn.status_detail
    assert has_text(at, "read-only")  # the check's own words in the progress box
    ok(at.button(key="dialog_preview").click().run())
    assert [t.value for t in at.title] == ["Data preview"]
    assert "sales.targets · 2 records" in at.selectbox(key="preview_stream").options  # the second schema
    at.selectbox(key="preview_stream").set_value("customers")
    ok(at.run())
    assert at.dataframe
    page = rendered(at)
    assert 'CREATE TABLE \\"customers\\"' in page or 'CREATE TABLE "customers"' in page
    assert "numeric(12,2)" in page and "timestamp with time zone" in page
    assert at.download_button(key="preview_download_ddl") and at.download_button(
        key="preview_download_jsonschema"
    )
    assert password not in page and password not in _session_values(at)

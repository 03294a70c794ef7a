"""A live PostgreSQL connection in a real browser: the database form, the preview, the schema export.

Runs as its own tenant (made here on the app server's HUB_HOME), so the other browser flows never see
this connection whatever the order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub import Hub
from hub.settings import Settings
from tests.e2e import flows
from tests.e2e.support import StreamlitServer, click
from tests.integration.sql_fixtures import shop_postgres

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

Shots = Callable[[str], Path]


def test_live_postgres_form_preview_and_schema(
    app_page: Page, app_server: StreamlitServer, postgres, shots: Shots
) -> None:
    shop = shop_postgres(postgres)
    password = shop.users["reader"]
    app_server.typed_secrets.add(password)
    with Hub.open(Settings.from_env({"HUB_HOME": str(app_server.hub_home)})) as hub:
        hub.create_tenant("initech", name="Initech Analytics", business_type="saas")
        hub.create_user("carol", tenant="initech", name="Carol", password="demo-carol-pw")
    page = app_page
    flows.sign_in_as(page, "carol", "demo-carol-pw")

    flows.search_catalogue(page, "postgres", "postgres")
    dialog = flows.open_connect_dialog(page, "postgres", "PostgreSQL", flows.ALL)
    dialog.get_by_label("Host", exact=True).fill(shop.host)
    dialog.get_by_label("Port", exact=True).fill(str(shop.port))
    dialog.get_by_label("Database", exact=True).fill(shop.database)
    dialog.get_by_label("Username", exact=True).fill("reader")
    dialog.get_by_label("Password", exact=True).fill(password)
    shots("live-form")
    click(page, dialog.locator(".st-key-db_submit").get_by_role("button"))
    flows.wait_connected_in_dialog(dialog)
    expect(dialog.get_by_text(re.compile(r"Connected to PostgreSQL .* \(read-only\)"))).to_be_visible()
    shots("live-connected")

    click(page, dialog.locator(".st-key-dialog_preview").get_by_role("button"))
    expect(page.get_by_role("heading", name="Data preview", exact=True)).to_be_visible()
    frame = flows.pick_stream(page, "customers")
    rows, cols = flows.dataframe_shape(frame)
    assert rows == 2 and cols >= 20
    expect(page.get_by_text(re.compile(r"^primary key id · cursor updated_at"))).to_be_visible()

    click(page, page.get_by_text("Export the schema"))
    code = page.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text('CREATE TABLE "customers"')
    expect(code).to_contain_text('"balance" numeric(12,2) NOT NULL')
    shots("schema-export")
    assert password not in page.content()

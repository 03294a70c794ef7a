"""A CSV uploaded in a real browser: the file dialog's uploader -> Connected -> the preview shows its rows.

The real `airbyte-source-file` connector reads it (from the cache `make test` fills). Runs as its own
tenant, so the other browser flows never see this connection.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub import Hub
from hub.settings import Settings
from tests.airbyte_support import ensure_cache
from tests.e2e import flows
from tests.e2e.support import StreamlitServer, click

pytestmark = [pytest.mark.e2e]

Shots = Callable[[str], Path]
ROWS = 12


def test_upload_a_csv_then_preview_its_rows(
    app_page: Page, app_server: StreamlitServer, shots: Shots, tmp_path: Path
) -> None:
    ensure_cache()
    with Hub.open(Settings.from_env({"HUB_HOME": str(app_server.hub_home)})) as hub:
        hub.create_tenant("umbrella", name="Umbrella Stores", business_type="retail")
        hub.create_user("dave", tenant="umbrella", name="Dave", password="demo-carol-pw")
    data = tmp_path / "spring_orders.csv"
    data.write_text("order_id,customer,total\n" + "".join(f"{i},cust-{i},{i * 3}.5\n" for i in range(ROWS)))
    page = app_page
    flows.sign_in_as(page, "dave", "demo-carol-pw")

    flows.search_catalogue(page, "csv", "csv")
    dialog = flows.open_connect_dialog(page, "csv", "CSV file", flows.ALL)
    dialog.locator(".st-key-file_upload").locator('input[type="file"]').set_input_files(str(data))
    expect(dialog.get_by_text("spring_orders.csv")).to_be_visible()
    shots("file-chosen")
    click(page, dialog.locator(".st-key-file_connect").get_by_role("button"))
    flows.wait_connected_in_dialog(dialog)
    shots("file-connected")

    click(page, dialog.locator(".st-key-dialog_preview").get_by_role("button"))
    expect(page.get_by_role("heading", name="Data preview", exact=True)).to_be_visible()
    frame = flows.pick_stream(page, "spring_orders")
    rows, cols = flows.dataframe_shape(frame)
    assert rows == ROWS and cols >= 3
    headers = flows.dataframe_headers(frame)
    assert {"order_id", "customer", "total"} <= set(headers), headers

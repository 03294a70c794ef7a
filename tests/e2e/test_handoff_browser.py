"""The hand-off in a real browser: Next steps with the Airbyte settings pointed at the stateful fake of
Airbyte's API: the destination form, Send, the row with the Airbyte ids and the job status, Refresh; the
warehouse password never in the page, the server's log or the database files.

Its own app server: the shared one (`app_server`) has no Airbyte settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub import Hub
from hub.settings import Settings
from tests.airbyte_fake import CLIENT_ID, CLIENT_SECRET, FakeAirbyte
from tests.e2e import flows
from tests.e2e.support import StreamlitServer, click, key_locator, open_app, shot, watch_reruns
from tests.integration.handoff_support import WAREHOUSE_PW, plaintext_in_home
from tests.integration.sql_fixtures import shop_postgres

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def airbyte() -> Iterator[FakeAirbyte]:
    fake = FakeAirbyte().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def handoff_server(
    airbyte: FakeAirbyte, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """``streamlit run app.py`` with HUB_AIRBYTE_* pointed at the fake."""
    base = tmp_path_factory.mktemp("e2e-handoff")
    env = {"HUB_AIRBYTE_API_URL": airbyte.url, "HUB_AIRBYTE_CLIENT_ID": CLIENT_ID,
           "HUB_AIRBYTE_CLIENT_SECRET": CLIENT_SECRET}
    server = StreamlitServer(hub_home=base / "hubhome", log_path=base / "streamlit.log", env=env)
    server.hub_home.mkdir()
    server.typed_secrets.update({WAREHOUSE_PW, CLIENT_SECRET})
    try:
        server.start(timeout=60)
        yield server
    finally:
        server.close()
    assert not server.leaked_secrets(), server.leaked_secrets()


def test_next_steps_sends_to_airbyte_and_refreshes_the_job(
    page: Page, handoff_server: StreamlitServer, airbyte: FakeAirbyte, postgres, artifacts_dir: Path
) -> None:
    page.set_default_timeout(60_000)
    watch_reruns(page)
    open_app(page, handoff_server.url, timeout=60_000)  # the first run makes the demo accounts
    with Hub.open(Settings.from_env({"HUB_HOME": str(handoff_server.hub_home)})) as hub:
        hub.ensure_demo_accounts()
        conn = hub.tenant("acme").connect("postgres", shop_postgres(postgres).config(), actor="alice",
                                          mode="live", name="Shop DB")
    flows.sign_in_as(page, "alice", "demo")
    click(page, page.get_by_role("link", name="Next steps", exact=True))
    expect(page.get_by_role("heading", name="Hand off to Airbyte")).to_be_visible()

    for key, value in (("host", "wh.example.com"), ("database", "warehouse"), ("username", "loader"),
                       ("password", WAREHOUSE_PW)):
        key_locator(page, f"handoff_dest_{key}").locator("input").fill(value)
    shot(page, artifacts_dir, "01-destination")
    click(page, key_locator(page, "handoff_dest_save").get_by_role("button"))
    expect(page.get_by_text("The destination is saved")).to_be_visible()

    click(page, key_locator(page, "handoff_send").get_by_role("button"))
    expect(page.get_by_text("Sent 1 connection to Airbyte.")).to_be_visible()
    (source_id,) = airbyte.store["sources"]
    row = key_locator(page, f"handoff_row_{conn.id}")
    expect(row).to_contain_text(source_id)
    expect(row).to_contain_text("pending")
    shot(page, artifacts_dir, "02-sent")

    (job,) = airbyte.store["jobs"].values()
    job["status"] = "succeeded"
    click(page, key_locator(page, "handoff_refresh").get_by_role("button"))
    expect(row).to_contain_text("succeeded")
    assert WAREHOUSE_PW not in page.inner_text("body")
    assert plaintext_in_home(handoff_server.hub_home, WAREHOUSE_PW) == []

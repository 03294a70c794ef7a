"""The hand-off in the app: Next steps without the Airbyte settings (what a hand-off needs, the manifest),
with them against the stateful fake (destination form, streams per connection, Send, one row per connection,
Refresh), the "Handed off to Airbyte" badge on Connections, and disconnect deleting or keeping the Airbyte
objects."""

from __future__ import annotations

import pytest

from hub.models import Status
from tests.airbyte_fake import FakeAirbyte
from tests.app.support import has_text, ok, open_hub, rendered, sign_in
from tests.integration.handoff_support import WAREHOUSE_PW, airbyte_env, plaintext_in_home
from tests.integration.sql_fixtures import shop_postgres

BADGE = ":blue-badge[:material/send: Handed off to Airbyte]"


def _seed(postgres) -> tuple[str, str, str]:
    hub = open_hub()
    try:
        hub.ensure_demo_accounts()
        svc = hub.tenant("acme")
        shop = shop_postgres(postgres)
        live = svc.connect("postgres", shop.config(), actor="alice", mode="live", name="Shop DB")
        copy = svc.connect("postgres", shop.config(), actor="alice", mode="live", name="Shop copy")
        demo = svc.connect("shopify", {"account": "acme.myshopify.com"}, actor="alice", mode="demo")
        return live.id, copy.id, demo.id
    finally:
        hub.close()


def _conn(connection_id: str):
    hub = open_hub()
    try:
        return hub.tenant("acme").get_connection(connection_id)
    finally:
        hub.close()


def test_without_the_settings_next_steps_explains_and_keeps_the_manifest(monkeypatch):
    for var in ("HUB_AIRBYTE_API_URL", "HUB_AIRBYTE_CLIENT_ID", "HUB_AIRBYTE_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    hub = open_hub()
    try:
        hub.ensure_demo_accounts()
        hub.tenant("acme").connect("shopify", {"account": "a.myshopify.com"}, actor="alice", mode="demo")
    finally:
        hub.close()
    at = sign_in()
    ok(at.switch_page("app_pages/next_steps.py").run())
    assert has_text(at, "A hand-off sends your connected sources to **Airbyte**")
    assert has_text(at, "`HUB_AIRBYTE_API_URL`") and has_text(at, "A destination")
    assert at.download_button(key="manifest_download").label == "Download manifest (JSON)"
    assert not [w for w in at.text_input if w.key == "handoff_dest_host"]


def test_next_steps_hands_off_and_refreshes_then_connections_disconnects(
    postgres, fake_airbyte: FakeAirbyte, monkeypatch: pytest.MonkeyPatch, hub_home
):
    airbyte_env(monkeypatch, fake_airbyte)
    live, copy, demo = _seed(postgres)
    at = sign_in()
    at.default_timeout = 90  # several pages of live connections on a shared 2-core machine
    ok(at.switch_page("app_pages/next_steps.py").run())
    at.text_input(key="handoff_dest_host").input("wh.example.com")
    at.text_input(key="handoff_dest_database").input("warehouse")
    at.text_input(key="handoff_dest_username").input("loader")
    ok(at.button(key="handoff_dest_save").click().run())
    assert has_text(at, "field 'password' is invalid: must not be empty")  # named; not stored
    at.text_input(key="handoff_dest_password").input(WAREHOUSE_PW)
    ok(at.button(key="handoff_dest_save").click().run())
    assert has_text(at, "The destination is saved")
    assert has_text(at, "`loader@wh.example.com:5432/warehouse`")

    streams = at.multiselect(key=f"handoff_streams_{live}")
    assert "orders" in streams.options and streams.value == streams.options  # all by default
    ok(streams.set_value(["orders", "customers"]).run())
    ok(at.multiselect(key=f"handoff_streams_{copy}").set_value([]).run())  # none: not sent
    assert has_text(at, "cannot be handed off: Demo connections")
    assert [w for w in at.multiselect if w.key == f"handoff_streams_{demo}"] == []
    ok(at.radio(key="handoff_schedule_kind").set_value("cron").run())
    at.text_input(key="handoff_cron").input("0 0 2 * * ?")
    ok(at.button(key="handoff_send").click().run())
    assert has_text(at, "Sent 1 connection to Airbyte.")
    state = _conn(live).metadata["airbyte"]
    airbyte_conn = fake_airbyte.store["connections"][state["connection_id"]]
    assert [s["name"] for s in airbyte_conn["configurations"]["streams"]] == ["orders", "customers"]
    assert airbyte_conn["schedule"]["cronExpression"] == "0 0 2 * * ?"
    assert copy not in str(fake_airbyte.store["sources"])  # the unselected connection stayed
    assert has_text(at, f"Airbyte source `{state['source_id']}`")
    assert has_text(at, f"Airbyte connection `{state['connection_id']}`")
    assert has_text(at, ":material/schedule: pending")

    fake_airbyte.store["jobs"][str(state["job_id"])]["status"] = "succeeded"
    ok(at.button(key="handoff_refresh").click().run())
    assert has_text(at, ":material/check_circle: succeeded")
    assert WAREHOUSE_PW not in rendered(at)

    ok(at.switch_page("app_pages/connections.py").run())
    assert has_text(at, BADGE)
    assert sum(BADGE in t for t in [str(n.value) for n in at.markdown]) == 1  # only the handed-off one
    ok(at.button(key=f"disconnect_{live}").click().run())
    assert has_text(at, "It was handed off to Airbyte.")
    ok(at.radio(key="disconnect_airbyte_choice").set_value("keep").run())
    ok(at.button(key="confirm_disconnect_button").click().run())
    assert _conn(live).status is Status.DISCONNECTED
    assert state["source_id"] in fake_airbyte.store["sources"]  # kept in Airbyte
    assert plaintext_in_home(hub_home, WAREHOUSE_PW) == []


def test_disconnect_in_the_app_deletes_the_airbyte_objects_by_default(
    postgres, fake_airbyte: FakeAirbyte, monkeypatch: pytest.MonkeyPatch
):
    airbyte_env(monkeypatch, fake_airbyte)
    live, _copy, _demo = _seed(postgres)
    hub = open_hub()
    try:
        from hub.handoff.target import hand_off_many, set_handoff_setup
        from tests.integration.handoff_support import WAREHOUSE

        svc = hub.tenant("acme")
        set_handoff_setup(svc, destination_config=WAREHOUSE, actor="alice")
        (out,) = hand_off_many(svc, [live], actor="alice")
    finally:
        hub.close()
    at = sign_in()
    ok(at.switch_page("app_pages/connections.py").run())
    ok(at.button(key=f"disconnect_{live}").click().run())
    assert at.radio(key="disconnect_airbyte_choice").value == "delete"
    ok(at.button(key="confirm_disconnect_button").click().run())
    assert _conn(live).status is Status.DISCONNECTED
    assert out.source_id not in fake_airbyte.store["sources"]
    assert out.airbyte_connection_id not in fake_airbyte.store["connections"]

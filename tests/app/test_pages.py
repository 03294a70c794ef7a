"""Connections, Data preview, Next steps and Audit pages; tenant isolation; the error boundary."""

from __future__ import annotations

import sqlite3

from hub.models import AuditAction, Status
from hub.presenting import schema_columns
from hub.settings import Settings
from tests.app.support import (
    STRIPE_KEY,
    has_text,
    ok,
    open_hub,
    rendered,
    show_every_card,
    sign_in,
    status_labels,
    texts,
)


def _seed(tenant: str, *items: tuple[str, dict]) -> list[str]:
    """Connections made through the service (as the tenant's demo user); returns their ids."""
    hub = open_hub()
    try:
        hub.ensure_demo_accounts()
        svc = hub.tenant(tenant)
        actor = "alice" if tenant == "acme" else "bob"
        return [svc.connect(source, config, actor=actor, mode="demo").id for source, config in items]
    finally:
        hub.close()


def _get(tenant: str, connection_id: str):
    hub = open_hub()
    try:
        return hub.tenant(tenant).get_connection(connection_id)
    finally:
        hub.close()


def _db() -> sqlite3.Connection:
    return sqlite3.connect(Settings.from_env().home / "hub.db")


# --------------------------------------------------------------------------- data preview


def test_preview_dataframe_columns_match_the_stream_schema():
    (stripe_id,) = _seed("acme", ("stripe", {"api_key": STRIPE_KEY}))
    at = sign_in()
    ok(at.switch_page("app_pages/preview.py").run())
    assert at.selectbox(key="preview_connection").value == stripe_id
    ok(at.selectbox(key="preview_stream").set_value("charges").run())
    hub = open_hub()
    try:
        stream = next(s for s in hub.tenant("acme").streams(stripe_id) if s.name == "charges")
    finally:
        hub.close()
    (sample,) = at.dataframe
    assert list(sample.value.columns) == schema_columns(stream)
    assert len(sample.value) == 100 or len(sample.value) == stream.estimated_rows
    assert [row for row in at.table[0].value["column"]] == schema_columns(stream)  # the schema table
    assert at.download_button(key="preview_download_csv") and at.download_button(
        key="preview_download_parquet"
    )
    assert sample.value["amount"].max() < 100_000  # shown in dollars, not cents
    assert STRIPE_KEY not in rendered(at)


def test_preview_stream_picker_shows_record_counts_and_switches_streams():
    (shop_id,) = _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    at = sign_in()
    ok(at.switch_page("app_pages/preview.py").run())
    picker = at.selectbox(key="preview_stream")
    assert picker.options[0].endswith("records") or "·" in picker.options[0]
    for name in ("orders", "products"):
        ok(at.selectbox(key="preview_stream").set_value(name).run())
        hub = open_hub()
        try:
            stream = next(s for s in hub.tenant("acme").streams(shop_id) if s.name == name)
        finally:
            hub.close()
        assert list(at.dataframe[0].value.columns) == schema_columns(stream)


# --------------------------------------------------------------------------- connections page


def test_connections_page_retest_rename_and_disconnect_with_confirmation():
    (conn_id,) = _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    at = sign_in()
    ok(at.switch_page("app_pages/connections.py").run())
    assert has_text(at, ":green-badge[:material/check_circle: Connected]") and has_text(at, "5 streams · ")
    assert has_text(at, "just now")
    ok(at.button(key=f"retest_{conn_id}").click().run())
    assert status_labels(at)[-1].startswith("Connected")
    ok(at.button(key=f"rename_{conn_id}").click().run())
    assert at.text_input(key="rename_name").value == "Shopify · acme-outfitters.myshopify.com"
    at.text_input(key="rename_name").input("Main store")
    ok(at.button(key="rename_save").click().run())
    assert has_text(at, "Renamed to “Main store”.")
    assert _get("acme", conn_id).name == "Main store"
    ok(at.button(key=f"disconnect_{conn_id}").click().run())
    assert has_text(at, "Disconnect **Main store**?")
    ok(at.button(key="cancel_disconnect").click().run())
    assert _get("acme", conn_id).status is Status.CONNECTED
    ok(at.button(key=f"disconnect_{conn_id}").click().run())
    ok(at.button(key="confirm_disconnect_button").click().run())
    assert _get("acme", conn_id).status is Status.DISCONNECTED
    assert has_text(at, "Disconnected “Main store”.")
    ok(at.toggle(key="connections_show_disconnected").set_value(True).run())
    assert has_text(at, ":gray-badge[:material/link_off: Disconnected]")
    assert at.button(key=f"retest_{conn_id}").disabled
    hub = open_hub()
    try:
        actions = [r.action for r in hub.tenant("acme").audit_log()]
    finally:
        hub.close()
    assert {"connection.retest", "connection.rename", "connection.disconnect"} <= set(actions)


# --------------------------------------------------------------------------- next steps and audit


def test_next_steps_summarises_streams_without_secrets():
    _seed(
        "acme", ("stripe", {"api_key": STRIPE_KEY}), ("shopify", {"account": "acme-outfitters.myshopify.com"})
    )
    at = sign_in()
    ok(at.switch_page("app_pages/next_steps.py").run())
    assert has_text(at, "You are continuing with **2 integrations**.")
    assert has_text(at, "**charges**") and has_text(at, "**orders**")
    assert at.download_button(key="manifest_download").label == "Download manifest (JSON)"
    assert STRIPE_KEY not in rendered(at)


def test_next_steps_without_connections_offers_the_way_back():
    at = sign_in()
    ok(at.switch_page("app_pages/next_steps.py").run())
    assert has_text(at, "Nothing is connected yet.")
    ok(at.button(key="back_to_connect").click().run())
    assert [t.value for t in at.title] == ["Acme Outfitters"]


def test_audit_page_shows_rows_filters_and_verifies_the_chain():
    _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    at = sign_in()
    ok(at.switch_page("app_pages/audit.py").run())
    assert at.selectbox(key="audit_action").options == ["All actions", *(a.value for a in AuditAction)]
    frame = at.dataframe[0].value
    assert {"auth.sign_in", "connection.create", "connection.status"} <= set(frame["action"])
    assert list(frame["seq"]) == sorted(frame["seq"], reverse=True)  # newest first
    ok(at.selectbox(key="audit_action").set_value("auth.sign_in").run())
    assert set(at.dataframe[0].value["action"]) == {"auth.sign_in"}
    ok(at.button(key="audit_verify").click().run())
    assert at.success and at.success[0].value.startswith("The audit chain is intact:")


def test_audit_page_reports_a_tampered_chain():
    _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    at = sign_in()
    with _db() as db:
        db.execute(
            "UPDATE audit_logs SET actor = 'mallory' WHERE seq = 2 AND tenant_id = "
            "(SELECT id FROM tenants WHERE slug = 'acme')"
        )
    ok(at.switch_page("app_pages/audit.py").run())
    ok(at.button(key="audit_verify").click().run())
    assert at.error and at.error[0].value.startswith("The audit chain is broken at row 2")


# --------------------------------------------------------------------------- tenant isolation


def test_another_tenants_connection_id_in_session_state_or_url_is_not_found():
    (bob_id,) = _seed("globex", ("hubspot", {"account": "Globex Cloud (HubSpot portal)"}))
    (alice_id,) = _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    bob_name = _get("globex", bob_id).name
    at = sign_in()
    assert not has_text(at, bob_name)

    # the connect dialog, pointed at Bob's connection
    at.session_state["dialog_source"] = "hubspot"
    at.session_state["dialog_connection"] = bob_id
    ok(at.run())
    assert has_text(at, "That connection was not found.")
    assert not has_text(at, bob_name)
    assert "dialog_retry_button" not in [b.key for b in at.button]  # no failure of Bob's is shown
    ok(at.button(key="consent_cancel").click().run())

    # the preview, by URL and by session state
    at.query_params["connection"] = bob_id
    ok(at.switch_page("app_pages/preview.py").run())
    assert has_text(at, "not found")
    assert at.selectbox(key="preview_connection").options == [
        o for o in at.selectbox(key="preview_connection").options if bob_name not in o
    ]
    assert at.selectbox(key="preview_connection").value == alice_id
    at.session_state["preview_target"] = bob_id
    ok(at.run())
    assert has_text(at, "not found") and at.selectbox(key="preview_connection").value == alice_id
    assert not has_text(at, bob_name)

    # the connections page's actions
    ok(at.switch_page("app_pages/connections.py").run())
    for flag in ("retest_connection", "rename_connection", "confirm_disconnect"):
        at.session_state[flag] = bob_id
        ok(at.run())
        assert has_text(at, "not found"), flag
        at.session_state[flag] = None
    assert not has_text(at, bob_name)
    bob_conn = _get("globex", bob_id)
    assert bob_conn.status is Status.CONNECTED and bob_conn.name == bob_name
    hub = open_hub()
    try:
        globex_actions = [r.action for r in hub.tenant("globex").audit_log()]
    finally:
        hub.close()
    assert "connection.retest" not in globex_actions and "connection.preview" not in globex_actions


# --------------------------------------------------------------------------- error boundary


def test_a_failing_page_shows_a_friendly_message_and_the_app_stays_usable():
    (conn_id,) = _seed("acme", ("stripe", {"api_key": STRIPE_KEY}))
    with _db() as db:  # a ciphertext that no longer decrypts (as after a lost key)
        db.execute(
            "UPDATE tenant_airbyte_connections SET encrypted_config = ? WHERE id = ?",
            ("AAAA" + "B" * 60, conn_id),
        )
    at = sign_in()
    ok(at.switch_page("app_pages/preview.py").run())
    assert at.error, texts(at)
    assert "does not decrypt" in at.error[0].value  # the hub's own words, not a traceback
    assert "Traceback" not in rendered(at)
    assert at.sidebar.button(key="sign_out")  # the frame is still there
    ok(at.switch_page("app_pages/connections.py").run())
    assert [t.value for t in at.title] == ["Connections"]


def test_an_unexpected_error_is_caught_by_the_boundary():
    (conn_id,) = _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    with _db() as db:  # a row the models cannot read
        db.execute("UPDATE tenant_airbyte_connections SET status = 'exploded' WHERE id = ?", (conn_id,))
    at = sign_in()
    assert at.error, texts(at)
    assert [e.value for e in at.error] == [
        "Something went wrong on the Connect page. The problem was logged; the rest of the app still works. "
        "Try again, or pick another page."
    ]
    assert "Traceback" not in rendered(at)
    ok(at.switch_page("app_pages/audit.py").run())
    assert [t.value for t in at.title] == ["Audit log"]


def test_every_input_widget_has_a_stable_key():
    """The keys are the tests' and the browser tests' handles (style.md): no widget goes without one."""
    from streamlit.testing.v1.element_tree import Widget

    from tests.app.support import nodes

    _seed("acme", ("shopify", {"account": "acme-outfitters.myshopify.com"}))
    at = sign_in()
    seen: set[str] = set()

    def check() -> None:
        for node in nodes(at):
            if isinstance(node, Widget):
                assert node.key, f"{type(node).__name__} {getattr(node, 'label', '')!r} has no key"
                seen.add(node.key)

    check()
    for source in ("stripe", "postgres", "csv", "hubspot"):
        ok(show_every_card(at).button(key=f"all_connect_{source}").click().run())
        check()
        at.session_state["dialog_source"] = None
        ok(at.run())
    for page in ("connections", "preview", "next_steps", "audit"):
        ok(at.switch_page(f"app_pages/{page}.py").run())
        check()
    assert {
        "spec__client_secret",
        "db_password",
        "consent_approve",
        "file_sample",
        "preview_stream",
        "audit_verify",
    } <= seen

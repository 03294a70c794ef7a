"""The Health page: the table (state, uptime, latency sparkline, last check) and one connection's timeline."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from hub.services.alerts import mask_url
from tests.app.support import ok, open_hub, rendered, sign_in
from tests.integration.alert_support import WebhookReceiver
from tests.integration.health_support import WatchedSource
from ui.session import _open_hub


def test_health_page_shows_each_connection_and_its_timeline():
    at = sign_in()  # the first run creates the demo accounts
    with open_hub() as hub:
        acme = hub.tenant("acme")
        conn = acme.connect("shopify", {"account": "acme-outfitters.myshopify.com"}, actor="t", mode="demo")
        acme.check_connection(conn.id)
    ok(at.switch_page("app_pages/health.py").run())
    assert [t.value for t in at.title] == ["Health"]
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert row["State"].endswith("Connected") and row["Last check"] == "just now"
    assert row["Uptime 24 h"] == 100.0 and len(row["Latency"]) == 2 and row["Schema"] == "Unchanged"
    assert at.selectbox(key="health_connection").value == conn.id
    timeline = at.dataframe[1].value
    assert list(timeline["Result"]) == ["ok", "ok"]


def test_accept_changes_moves_the_baseline_of_a_drifted_source():
    source = WatchedSource.start()
    try:
        at = sign_in()
        with open_hub() as hub:
            acme = hub.tenant("acme")
            conn = acme.connect("postgres", source.config(), actor="t", mode="live")
            source.sql("ALTER TABLE orders ADD COLUMN note text")
            acme.check_connection(conn.id)
        ok(at.switch_page("app_pages/health.py").run())
        assert at.dataframe[0].value.iloc[0]["Schema"] == "Changed: 1 column added"
        ok(at.button(key="health_accept_drift").click().run())
        with open_hub() as hub:
            acme = hub.tenant("acme")
            assert acme.connection_health(conn.id).drift is None
            assert [e.actor for e in acme.audit_log(action="drift.accept")] == ["alice"]
        assert at.dataframe[0].value.iloc[0]["Schema"] == "Unchanged"
        assert not [b for b in at.button if b.key == "health_accept_drift"]
    finally:
        source.remove()


def test_the_alerts_form_saves_destinations_masked_and_sends_a_test(webhook: WebhookReceiver):
    at = sign_in()
    ok(at.switch_page("app_pages/health.py").run())  # no connections yet: the form is there all the same
    at.text_input(key="alerts_webhook").input(webhook.url)
    at.text_input(key="alerts_secret").input("page-secret-42")
    at.text_input(key="alerts_emails").input("ops@example.com; cto@example.com")
    ok(at.button(key="FormSubmitter:health_alerts_form-Save alerts").click().run())
    assert "Alert destinations saved." in [s.value for s in at.success]
    with open_hub() as hub:
        view = hub.tenant("acme").alert_destinations()
    assert view.webhook_url == mask_url(webhook.url) and view.emails == ["ops@example.com", "cto@example.com"]
    assert view.webhook_secret == "••••t-42"
    assert "page-secret-42" not in rendered(at) and "/hooks/alerts" not in rendered(at)  # shown masked
    assert at.text_input(key="alerts_webhook").value == mask_url(webhook.url)
    ok(at.button(key="FormSubmitter:health_alerts_form-Save alerts").click().run())  # saved as shown: kept
    ok(at.button(key="alerts_test").click().run())
    assert webhook.events() == ["test"] and webhook.hooks[0].signed_with("page-secret-42")
    assert "webhook: sent" in [s.value for s in at.success]
    assert any("no SMTP server" in w.value for w in at.warning)


def test_the_table_says_state_error_what_to_do_and_expiry_and_the_alert_history_how_delivery_went(
    webhook: WebhookReceiver,
):
    at = sign_in()
    soon = (datetime.now(UTC) + timedelta(hours=30)).isoformat()
    with open_hub() as hub:
        acme = hub.tenant("acme")
        acme.set_alert_destinations(webhook_url=webhook.url + "/T0/B0/tok3n", emails=[], actor="t")
        shop = acme.connect(
            "shopify", {}, actor="t", mode="demo", name="Shop", metadata={"credentials_expire_at": soon}
        )
        bad = acme.connect(
            "stripe", {"api_key": "pk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2"}, actor="t", mode="demo"
        )
        assert bad.status.value == "failed"
        for _ in range(hub.settings.alert_after_failures):  # failing: alerted once, delivered
            acme.check_connection(bad.id)
        assert webhook.events() == ["failing"]
        webhook.fail_next = 100  # the receiver is down: the next alert waits for the monitor's next rounds
        acme.check_connection(shop.id)  # the credentials expire within HUB_CREDENTIALS_WARN_DAYS
    ok(at.switch_page("app_pages/health.py").run())
    table = at.dataframe[0].value.set_index("Connection")
    assert table.loc["Shop", "State"] == "✅ Connected" and table.loc[bad.name, "State"] == "⛔ Failed"
    assert table.loc["Shop", "Uptime 7 d"] == 100.0 and table.loc[bad.name, "Uptime 7 d"] == 0.0
    error = table.loc[bad.name, "Last error"]
    assert error.startswith("config: ") and "What to do: " in error, error
    assert "expire in 30 hours" in table.loc["Shop", "Credentials"] and table.loc["Shop", "Last error"] == ""
    assert "line_chart" in at.dataframe[0].proto.columns  # the latency sparkline (LineChartColumn)
    history = next(d.value for d in at.dataframe if "Delivery" in d.value.columns)
    assert list(history["Alert"]) == ["🔑 Credentials expiring", "🔴 Failing"]  # newest first
    assert list(history["Connection"]) == ["Shop", bad.name] and list(history["Sent to"]) == ["—", "webhook"]
    assert (
        history["Delivery"][0].startswith("⏳ Retrying (1 attempt so far): ")
        and "HTTP 500" in history["Delivery"][0]
    )
    assert history["Delivery"][1] == "✅ Delivered" and list(history["When"]) == ["just now", "just now"]
    assert "tok3n" not in rendered(at)  # the webhook URL is never shown

    ok(at.switch_page("app_pages/connections.py").run())  # the health summary on the Connections page
    assert any("Health: 2 watched · 1 failing · 0 with schema changes" in c.value for c in at.caption)


def test_the_embedded_default_runs_the_monitor_behind_the_health_page(monkeypatch):
    """`make run`: the embedded default (HUB_MONITOR unset) starts the monitor in the app's process."""
    monkeypatch.delenv("HUB_MONITOR")  # the tests' default turns it off; `make run` sets nothing
    monkeypatch.setenv("HUB_CHECK_INTERVAL_S", "1")
    before = {t for t in threading.enumerate() if t.name == "hub-monitor"}
    at = sign_in()
    try:
        started = [t for t in threading.enumerate() if t.name == "hub-monitor" and t not in before]
        assert len(started) == 1 and started[0].is_alive()
        with open_hub() as hub:
            acme = hub.tenant("acme")
            conn = acme.connect("shopify", {}, actor="t", mode="demo")
            deadline = time.monotonic() + 60
            while len(acme.check_history(conn.id)) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)  # the connect's own check, then the monitor's, one interval apart
            assert len(acme.check_history(conn.id)) >= 3
            assert acme.audit_log(action="health.change") == []  # healthy checks: history, no audit rows
        ok(at.switch_page("app_pages/health.py").run())
        row = at.dataframe[0].value.iloc[0]
        assert row["State"] == "✅ Connected" and len(row["Latency"]) >= 3
    finally:
        _open_hub.clear()  # closes the app's hub, which stops its monitor
    started[0].join(timeout=30)
    assert not started[0].is_alive()

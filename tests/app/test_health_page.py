"""The Health page: the table (state, uptime, latency sparkline, last check) and one connection's timeline."""

from __future__ import annotations

from hub.services.alerts import mask_url
from tests.app.support import ok, open_hub, rendered, sign_in
from tests.integration.alert_support import WebhookReceiver
from tests.integration.health_support import WatchedSource


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

"""The Health page: the table (state, uptime, latency sparkline, last check) and one connection's timeline."""

from __future__ import annotations

from tests.app.support import ok, open_hub, sign_in


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

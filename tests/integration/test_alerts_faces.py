"""``alerts set|show|test`` in the CLI and ``/api/alerts`` in the API, into a real local webhook receiver:
the secret is stored encrypted, shown back only masked, and a test alert arrives signed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.cli import main
from hub.services.alerts import mask_url
from hub.settings import Settings
from tests.integration.alert_support import WebhookReceiver
from tests.integration.api_support import make_key, open_hub

SECRET = "cli-secret-5b1e9c"


def test_cli_alerts_set_show_test(
    hub_home, webhook: WebhookReceiver, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
    assert main(["alerts", "test", "--tenant", "acme"]) == 1
    assert "No alert destinations are set" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    argv = ["alerts", "set", "--tenant", "acme", "--webhook", webhook.url, "--webhook-secret-stdin"]
    assert main([*argv, "--email", "ops@example.com", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["webhook_secret"] == "••••" + SECRET[-4:] and stored["new_webhook_secret"] is None
    assert main(["alerts", "show", "--tenant", "acme"]) == 0
    shown = capsys.readouterr().out
    assert mask_url(webhook.url) in shown and "ops@example.com" in shown and SECRET not in shown
    assert "/hooks/alerts" not in shown  # the URL is shown masked: scheme and host
    assert "no SMTP server" in shown  # this hub has no HUB_SMTP_URL: said, not hidden
    assert main(["alerts", "set", "--tenant", "acme", "--webhook", webhook.url]) == 0
    assert SECRET not in capsys.readouterr().out  # the stored secret is kept, never printed
    assert main(["alerts", "test", "--tenant", "acme", "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result == {"channel": "webhook", "ok": True, "message": "sent"}
    assert webhook.hooks[0].signed_with(SECRET) and webhook.events() == ["test"]
    assert main(["alerts", "history", "--tenant", "acme"]) == 0
    assert "no alerts" in capsys.readouterr().out
    with Hub.open(Settings.from_env()) as hub:
        _fail_three_times(hub)
    assert main(["alerts", "history", "--tenant", "acme"]) == 0
    shown = capsys.readouterr().out
    assert "failing" in shown and "Payments" in shown and "delivered" in shown and "/hooks/" not in shown
    assert main(["alerts", "set", "--tenant", "acme", "--email", "nope"]) == 1
    assert "'nope' is not an e-mail address" in capsys.readouterr().err


@pytest.fixture
def hub(hub_home) -> Iterator[Hub]:
    h = open_hub()
    yield h
    h.close()


def test_api_alerts_get_put_test(hub: Hub, webhook: WebhookReceiver) -> None:
    acme, globex = make_key(hub, "acme", "fe"), make_key(hub, "globex", "fe")
    with TestClient(create_app(hub)) as client:
        r = client.get("/api/alerts", headers=acme.headers)
        assert r.status_code == 200 and r.json()["webhook_url"] is None
        assert client.post("/api/alerts/test", headers=acme.headers).status_code == 422
        r = client.put("/api/alerts", headers=acme.headers, json={"webhook_url": webhook.url})
        assert r.status_code == 200, r.text
        made = r.json()["new_webhook_secret"]
        assert made and r.json()["webhook_secret"] == "••••" + made[-4:]
        r = client.get("/api/alerts", headers=acme.headers)
        assert made not in r.text and r.json()["webhook_url"] == mask_url(webhook.url)
        assert "/hooks/alerts" not in r.text
        # what GET shows, PUT back unchanged, keeps the stored URL (and its secret)
        r = client.put("/api/alerts", headers=acme.headers, json={**r.json(), "webhook_secret": None})
        assert r.status_code == 200 and r.json()["new_webhook_secret"] is None
        assert client.get("/api/alerts", headers=globex.headers).json()["webhook_url"] is None
        r = client.post("/api/alerts/test", headers=acme.headers)
        assert r.status_code == 200 and r.json() == [{"channel": "webhook", "ok": True, "message": "sent"}]
        assert webhook.hooks[0].signed_with(made)
        bad = {"webhook_url": "http://169.254.169.254/x", "emails": []}
        r = client.put("/api/alerts", headers=acme.headers, json=bad)
        assert r.status_code == 422 and "metadata" in r.text
        assert client.get("/api/alerts", headers=acme.headers).json()["webhook_url"] == mask_url(webhook.url)
        assert client.get("/api/alerts/history", headers=acme.headers).json() == []
        _fail_three_times(hub)  # a failing connection: one alert, delivered by webhook
        r = client.get("/api/alerts/history", headers=acme.headers, params={"limit": 5})
        [alert] = r.json()
        assert (alert["event"], alert["state"], alert["delivered"], alert["attempts"]) == (
            "failing",
            "delivered",
            ["webhook"],
            1,
        )
        assert alert["connection_name"] == "Payments" and "/hooks/alerts" not in r.text
        assert client.get("/api/alerts/history", headers=globex.headers).json() == []
    assert made not in str([e.detail for e in hub.tenant("acme").audit_log()])


def _fail_three_times(hub: Hub) -> None:
    """Acme's Stripe with a publishable key (a failed check each time), checked until it alerts."""
    acme = hub.tenant("acme")
    bad = acme.connect(
        "stripe", {"api_key": "pk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2"}, actor="t", name="Payments"
    )
    for _ in range(hub.settings.alert_after_failures):
        acme.check_connection(bad.id)

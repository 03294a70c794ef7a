"""Alerts on a change of health, into a real local webhook receiver (signature verified) and a real SMTP
server (aiosmtpd): one alert per change, never repeated, and destinations whose secret is never shown."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub import Hub
from hub.exceptions import InputError
from hub.models import Connection, Status
from hub.services.alerts import LEGACY_SECRET_LABEL, MAX_ROUNDS, mask_url
from hub.settings import Settings
from hub.storage.audit import AuditDraft
from hub.storage.crypto import generate_entry
from hub.storage.tables import now
from tests.integration.alert_support import SMTP_PASSWORD, Mailbox, WebhookReceiver
from tests.integration.health_support import WatchedSource

SECRET = "whsec-test-0123456789"


@pytest.fixture
def source() -> Iterator[WatchedSource]:
    src = WatchedSource.start()
    try:
        yield src
    finally:
        src.remove()


@pytest.fixture
def hub(hub_home: Path, mailbox: Mailbox) -> Iterator[Hub]:
    h = Hub.open(
        Settings.from_env(alert_after_failures=1, smtp_url=mailbox.url, alert_from="hub@example.com")
    )
    h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    yield h
    h.close()


def _watched(hub: Hub, source: WatchedSource, webhook: WebhookReceiver) -> tuple[Any, Connection]:
    """Acme with both destinations set and ``source`` connected."""
    acme = hub.tenant("acme")
    acme.set_alert_destinations(
        webhook_url=webhook.url, webhook_secret=SECRET, emails=["ops@example.com"], actor="alice"
    )
    return acme, acme.connect("postgres", source.config(), actor="alice", mode="live")


def _alerts(acme) -> list[str]:
    return [a["event"] for a in reversed(acme.list_alerts())]


def test_failing_recovered_and_drift_alert_once_each_by_signed_webhook_and_email(
    hub: Hub, source: WatchedSource, webhook: WebhookReceiver, mailbox: Mailbox
) -> None:
    acme, conn = _watched(hub, source, webhook)
    acme.check_connection(conn.id)
    assert webhook.hooks == [] and mailbox.messages == []  # healthy: nothing to say

    source.stop()
    acme.check_connection(conn.id)
    assert acme.get_connection(conn.id).status is Status.FAILED
    acme.check_connection(conn.id)  # still failing: no second alert
    assert webhook.events() == ["failing"]
    hook = webhook.hooks[0]
    assert hook.signed_with(SECRET) and not hook.signed_with("another secret")
    assert hook.json["text"].startswith(":red_circle: ") and "network" in hook.json["text"]
    assert hook.json["connection_id"] == conn.id and hook.json["tenant"] == "acme"
    assert source.password not in hook.body.decode()
    [(rcpt, mail)] = mailbox.messages
    assert rcpt == ["ops@example.com"] and mail["From"] == "hub@example.com"
    assert "failing" in mail["Subject"] and "is failing: network" in mail.get_payload()

    source.start_again()
    acme.check_connection(conn.id)
    acme.check_connection(conn.id)
    assert webhook.events() == ["failing", "recovered"] and len(mailbox.messages) == 2

    source.sql("ALTER TABLE orders ADD COLUMN note text")
    acme.check_connection(conn.id)
    acme.check_connection(conn.id)  # the same change: detected and alerted once
    assert webhook.events() == ["failing", "recovered", "drift"]
    assert "1 column added" in webhook.hooks[-1].json["text"]
    acme.accept_drift(conn.id, actor="alice")
    acme.check_connection(conn.id)
    assert webhook.events() == ["failing", "recovered", "drift"] and len(mailbox.messages) == 3
    assert _alerts(acme) == ["failing", "recovered", "drift"]
    for alert in acme.list_alerts():
        assert alert["sent_at"] is not None and alert["delivered"] == ["webhook", "email"]
    sent = acme.audit_log(action="alert.sent")
    assert [e.detail["event"] for e in sent] == ["failing", "recovered", "drift"]
    assert acme.verify_audit().ok


def test_a_change_is_raised_once_even_when_the_alerted_state_was_lost(
    hub: Hub, source: WatchedSource, webhook: WebhookReceiver
) -> None:
    # a monitor that died after raising the alert but before recording it as alerted, or a second monitor
    # deciding from the same state: the alert's key is the same, and the table keeps one row
    acme = hub.tenant("acme")
    acme.set_alert_destinations(webhook_url=webhook.url, emails=[], actor="alice")
    conn = acme.connect("postgres", source.config(), actor="alice", mode="live")
    source.stop()
    acme.check_connection(conn.id)
    assert webhook.events() == ["failing"]
    failed = acme.get_connection(conn.id)
    forgotten = {k: v for k, v in failed.metadata.items() if k != "alerts"}
    acme._store.update_connection(conn.id, expect_status=None, changes={"metadata": forgotten}, audit=None)
    acme.check_connection(conn.id)
    assert webhook.events() == ["failing"] and _alerts(acme) == ["failing"]
    source.start_again()


def test_a_webhook_that_fails_is_retried_with_backoff_then_at_the_next_cycle_without_repeating_email(
    hub: Hub, source: WatchedSource, webhook: WebhookReceiver, mailbox: Mailbox
) -> None:
    acme, conn = _watched(hub, source, webhook)
    source.stop()
    webhook.fail_next = 2  # two 500s, then it answers: the retries of one delivery get it through
    acme.check_connection(conn.id)
    assert webhook.refused == 2 and webhook.events() == ["failing"] and len(mailbox.messages) == 1

    source.start_again()
    webhook.fail_next = 3  # every retry of this delivery fails: the alert stays pending
    acme.check_connection(conn.id)
    [pending] = [a for a in acme.list_alerts() if a["event"] == "recovered"]
    assert pending["sent_at"] is None and pending["delivered"] == ["email"]
    assert "HTTP 500" in pending["last_error"] and pending["attempts"] == 1
    assert acme.deliver_alerts() == 1  # the monitor's next cycle: the webhook only, e-mail was done
    assert webhook.events() == ["failing", "recovered"] and len(mailbox.messages) == 2
    assert acme.deliver_alerts() == 0 and MAX_ROUNDS > 1


def test_destinations_are_stored_encrypted_shown_masked_and_tested(
    hub: Hub, hub_home: Path, webhook: WebhookReceiver, mailbox: Mailbox
) -> None:
    acme = hub.tenant("acme")
    with pytest.raises(InputError, match="No alert destinations"):
        acme.test_alert(actor="alice")
    with pytest.raises(InputError, match="not an e-mail address"):
        acme.set_alert_destinations(webhook_url=None, emails=["not-an-address"], actor="alice")
    with pytest.raises(InputError, match="metadata"):
        acme.set_alert_destinations(webhook_url="http://169.254.169.254/hook", emails=[], actor="alice")
    assert acme.alert_destinations().webhook_url is None  # a refused change stores nothing

    url = webhook.url + "/T0ACME/B0ALERTS/hooktoken9f8e7d"  # like a Slack incoming webhook: a credential
    view, made = acme.set_alert_destinations(webhook_url=url, emails=["a@example.com"], actor="alice")
    assert made is not None and len(made) >= 32  # no secret given: one is made and shown this once
    assert view.webhook_secret == "••••" + made[-4:] and view.email_enabled
    assert view.webhook_url == mask_url(url) == f"{webhook.url.split('/hooks')[0]}/…"
    again, kept = acme.set_alert_destinations(
        webhook_url=view.webhook_url,
        emails=["b@example.com"],
        actor="alice",  # the masked URL: kept
    )
    assert kept is None and again.webhook_secret == view.webhook_secret and again.emails == ["b@example.com"]
    assert made not in repr(again) and made not in again.model_dump_json()

    results = acme.test_alert(actor="alice")
    assert [(r.channel, r.ok) for r in results] == [("webhook", True), ("email", True)]
    assert webhook.hooks[0].signed_with(made) and webhook.events() == ["test"]
    assert mailbox.messages[0][0] == ["b@example.com"]
    with sqlite3.connect(hub_home / "hub.db") as raw:
        dump = "\n".join(raw.iterdump())
    assert made not in dump and "tenant_settings" in dump
    assert "hooktoken9f8e7d" not in dump and "/hooks/alerts" not in dump  # the URL is sealed too
    actions = [e.action for e in acme.audit_log()]
    assert actions.count("alert.settings") == 2 and actions.count("alert.sent") == 1
    assert made not in str([e.detail for e in acme.audit_log()])
    assert "hooktoken9f8e7d" not in str([e.detail for e in acme.audit_log()])


def test_a_webhook_url_stored_in_the_clear_before_is_sealed_when_the_hub_opens(
    hub: Hub, hub_home: Path, webhook: WebhookReceiver
) -> None:
    acme = hub.tenant("acme")
    url = webhook.url + "/T0OLD/B0OLD/oldtoken4c3b2a"
    # the format before URLs were sealed: the URL in the clear, the secret alone sealed
    old_secret = hub.keys.encrypt(
        b"old-secret-77", tenant_id=acme.tenant.id, connection_id=LEGACY_SECRET_LABEL
    )
    acme._store.put_setting(
        "alerts",
        {"webhook_url": url, "emails": []},
        old_secret,
        AuditDraft("alert.settings", actor="t", target_type="tenant", target_id=acme.tenant.id),
    )
    assert acme.alert_destinations().webhook_url == mask_url(url)  # still read as it is
    with Hub.open(hub.settings) as again:  # any face opening the hub seals it
        after = again.tenant("acme")
        assert after.alert_destinations().webhook_url == mask_url(url)
        assert after.alert_destinations().webhook_secret == "••••t-77"
        [result] = after.test_alert(actor="alice")
        assert result.ok and webhook.hooks[0].signed_with("old-secret-77")
        sealed_by = [e.actor for e in after.audit_log(action="alert.settings") if e.detail.get("sealed_url")]
        assert sealed_by == ["hub"]
    with sqlite3.connect(hub_home / "hub.db") as raw:
        dump = "\n".join(raw.iterdump())
    assert "oldtoken4c3b2a" not in dump and "/hooks/alerts" not in dump
    with Hub.open(hub.settings) as third:  # nothing left to seal: nothing written, nothing audited
        assert len(third.tenant("acme").audit_log(action="alert.settings")) == 2


def test_a_wrong_smtp_password_is_a_clear_error_that_never_shows_it(hub_home: Path, mailbox: Mailbox) -> None:
    url = mailbox.url.replace(SMTP_PASSWORD, "wrong-pass-91")
    with Hub.open(Settings.from_env(smtp_url=url, alert_from="hub@example.com")) as hub:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        acme = hub.tenant("acme")
        acme.set_alert_destinations(webhook_url=None, emails=["ops@example.com"], actor="alice")
        [result] = acme.test_alert(actor="alice")
    assert not result.ok and "could not be sent through 127.0.0.1" in result.message
    assert "wrong-pass-91" not in result.message and mailbox.messages == []


def test_credentials_expiring_warn_on_the_health_view_and_alert_once(
    hub: Hub, webhook: WebhookReceiver
) -> None:
    acme = hub.tenant("acme")
    acme.set_alert_destinations(webhook_url=webhook.url, emails=[], actor="alice")
    conn = acme.connect("shopify", {}, actor="alice", mode="demo")
    assert acme.connection_health(conn.id).credentials_warning is None
    soon = (now() + timedelta(hours=30)).isoformat()
    meta = {**acme.get_connection(conn.id).metadata, "credentials_expire_at": soon}
    acme._store.update_connection(conn.id, expect_status=None, changes={"metadata": meta}, audit=None)
    view = acme.connection_health(conn.id)
    assert view.credentials_expire_at == soon and "expire in 30 hours" in (view.credentials_warning or "")
    acme.check_connection(conn.id)
    acme.check_connection(conn.id)
    assert webhook.events() == ["credentials_expiring"]
    assert "Reconnect it to renew the credentials" in webhook.hooks[0].json["text"]
    # a failed refresh is a new warning: alerted once more
    meta = {**acme.get_connection(conn.id).metadata, "credentials_refresh_error": "invalid_grant"}
    acme._store.update_connection(conn.id, expect_status=None, changes={"metadata": meta}, audit=None)
    acme.check_connection(conn.id)
    acme.check_connection(conn.id)
    assert webhook.events() == ["credentials_expiring", "credentials_expiring"]
    assert "refresh of the credentials failed: invalid_grant" in webhook.hooks[1].json["text"]


def test_key_rotation_reseals_the_alert_webhook_so_the_old_key_can_be_retired(
    hub: Hub, webhook: WebhookReceiver
) -> None:
    hub.tenant("acme").set_alert_destinations(
        webhook_url=webhook.url, webhook_secret=SECRET, emails=[], actor="alice"
    )
    old_entry = Path(hub.keys.origin).read_text().strip().splitlines()[0]
    new_entry = generate_entry("k2")
    with Hub.open(Settings.from_env(encryption_keys=f"{new_entry},{old_entry}")) as both:
        assert both.rotate_keys(actor="ops")["rotated"] == 1  # the webhook (acme has no connection)
        rotated = [e.detail for e in both.tenant("acme").audit_log(action="key.rotate")][-1]
        assert rotated["rotated"] == 1 and rotated["key_id"] == "k2"
        assert both.rotate_keys(actor="ops") == {"rotated": 0, "already_current": 1, "failed": 0}
    with Hub.open(Settings.from_env(encryption_keys=new_entry)) as retired:  # the old key is gone
        acme = retired.tenant("acme")
        assert acme.alert_destinations().webhook_url == mask_url(webhook.url)
        [result] = acme.test_alert(actor="alice")
        assert result.ok and webhook.hooks[0].signed_with(SECRET)

"""Alerts on a change of a connection's health, and the tenant's alert destinations.

Raising (`plan_alerts`, called by every scheduled check): the connection's metadata keeps what was last
alerted (``alerts``: failing or not and the episode number, the drift and the credentials warning alerted).
A check compares the new facts with it and raises an alert only on a change:

* ``failing``: ``HUB_ALERT_AFTER_FAILURES`` checks in a row failed and the last alert was not ``failing``;
* ``recovered``: a check succeeded after a ``failing`` alert;
* ``drift``: a schema other than the accepted baseline was detected (once per distinct schema);
* ``credentials_expiring``: the credentials expire within ``HUB_CREDENTIALS_WARN_DAYS``, have expired, or
  their last refresh failed (once per expiry date or failure).

Exactly once: an alert is a row of ``alert_events`` whose ``dedupe_key`` names the change (the connection,
the event, the episode, fingerprint or expiry). The row is inserted BEFORE the metadata records it as alerted,
and the insert does nothing when the key exists: a process that dies in between leaves the state unalerted,
the next check computes the same key, and nothing is raised twice. Delivering (`Alerts.deliver_alerts`)
takes the lease ``alert:<id>`` (no two monitors send one alert at once), sends to each destination not yet
delivered, and records the channels done with the row, so a retry never repeats a channel that succeeded.

Destinations (the tenant setting ``alerts``): the e-mail addresses and the webhook's masked form
(``https://hooks.slack.com/…``: scheme and host) in the clear, the webhook's URL and signing secret sealed
together with the key ring (a Slack incoming-webhook URL is itself a credential). Rows written before the URL
was sealed (the URL in the clear, the secret alone sealed) are read as they are and sealed by
`seal_plain_webhook_urls`, which `Hub.open` runs.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from hub.exceptions import ConfigError, HubError, InputError
from hub.health import EXPIRE_KEY, REFRESH_ERROR_KEY, credentials_warning, describe_diff, what_to_do
from hub.models import AuditAction, CheckRecord, Connection
from hub.netpolicy import HostPolicy
from hub.services.attempts import new_holder
from hub.services.notify import DeliveryError, Notice, post_webhook, send_email
from hub.services.scope import TenantScope
from hub.storage import Leases
from hub.storage.audit import AuditDraft
from hub.storage.crypto import KeyRing, Sealed
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.hub import Hub
    from hub.settings import Settings

log = logging.getLogger(__name__)

#: The tenant setting that holds the destinations.
SETTING = "alerts"
#: The AAD label the webhook's URL and secret are sealed under (the key ring binds a ciphertext to a tenant
#: and a name): a JSON object ``{"url", "secret"}``.
WEBHOOK_LABEL = "alerts.webhook"
#: The label of the format before it: the secret alone sealed, the URL in the clear (``value.webhook_url``).
LEGACY_SECRET_LABEL = "alerts.webhook_secret"  # noqa: S105 - a label, not a secret
#: Delivery rounds per alert (each round retries with backoff itself) before it is given up.
MAX_ROUNDS = 5
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")
_ICONS = {
    "failing": ":red_circle:",
    "recovered": ":large_green_circle:",
    "drift": ":warning:",
    "credentials_expiring": ":warning:",
}


class AlertDestinations(BaseModel):
    """A tenant's alert destinations as shown: the webhook URL and secret masked, never in clear."""

    webhook_url: str | None = Field(
        default=None,
        description="Masked: the scheme and host only (`https://hooks.slack.com/…`); sending it back "
        "unchanged keeps the stored URL.",
    )
    webhook_secret: str | None = Field(default=None, description="Masked: the last 4 characters only.")
    emails: list[str] = Field(default_factory=list)
    email_enabled: bool = Field(default=False, description="Whether this hub has an SMTP server set.")


class Delivery(BaseModel):
    """What sending one alert to one destination did."""

    channel: str
    ok: bool
    message: str


class AlertRecord(BaseModel):
    """One alert raised, as the alert history shows it (never a destination's URL or secret)."""

    id: str
    at: datetime = Field(description="When the change was found.")
    event: str = Field(description="`failing`, `recovered`, `drift` or `credentials_expiring`.")
    connection_id: str | None = None
    connection_name: str | None = None
    text: str = Field(description="What was sent.")
    delivered: list[str] = Field(default_factory=list, description="Channels it reached: webhook, email.")
    state: Literal["delivered", "pending", "failed", "no_destination"] = Field(
        description="`pending`: a channel failed and the monitor tries again; `failed`: given up after "
        "the last round; `no_destination`: none was set when it was raised."
    )
    attempts: int = Field(description="Delivery rounds so far (each retries with backoff itself).")
    last_error: str = Field(default="", description="Why the last round failed, if it did.")
    sent_at: datetime | None = None


def mask(secret: str | None) -> str | None:
    """``••••abcd`` for a secret (its last four characters), None for none."""
    return None if not secret else "••••" + secret[-4:]


def mask_url(url: str | None) -> str | None:
    """``https://hooks.slack.com/…`` for a webhook URL: scheme and host (and port), never path or query."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]  # never user:password@
    return f"{parts.scheme}://{host}/…"


@dataclass(frozen=True, repr=False)
class _Stored:
    """A tenant's destinations as stored, the webhook in clear (never shown, never logged)."""

    emails: list[str] = field(default_factory=list)
    url: str | None = None
    secret: str | None = None
    legacy: bool = False  # the URL in the clear, as written before it was sealed

    def __repr__(self) -> str:
        return f"_Stored(emails={self.emails!r}, url={mask_url(self.url)!r}, legacy={self.legacy})"


def _read(keys: KeyRing, tenant_id: str, stored: tuple[dict[str, Any], Sealed | None] | None) -> _Stored:
    """The destinations of a stored ``alerts`` setting, in either format."""
    if stored is None:
        return _Stored()
    value, sealed = stored
    emails = list(value.get("emails") or [])
    if "webhook_url" in value:  # the earlier format
        secret = None
        if sealed is not None:
            secret = keys.decrypt(sealed, tenant_id=tenant_id, connection_id=LEGACY_SECRET_LABEL).decode()
        return _Stored(emails, value.get("webhook_url") or None, secret, legacy=True)
    if sealed is None:
        return _Stored(emails)
    webhook = json.loads(keys.decrypt(sealed, tenant_id=tenant_id, connection_id=WEBHOOK_LABEL))
    return _Stored(emails, webhook.get("url"), webhook.get("secret"))


def _seal(keys: KeyRing, tenant_id: str, stored: _Stored) -> tuple[dict[str, Any], Sealed | None]:
    """The setting's clear value and sealed part for ``stored`` (the current format)."""
    value = {"webhook": mask_url(stored.url), "emails": stored.emails}
    if stored.url is None:
        return value, None
    plain = json.dumps({"url": stored.url, "secret": stored.secret}).encode()
    return value, keys.encrypt(plain, tenant_id=tenant_id, connection_id=WEBHOOK_LABEL)


def seal_plain_webhook_urls(hub: Hub) -> int:
    """Seal the webhook URL of every tenant whose alert setting still holds it in the clear; how many.

    Each is replaced only if it is still the row read (compare-and-set), audited ``alert.settings``.
    """
    sealed = 0
    for tenant_id, value, old in hub.db.directory.settings_with(SETTING, "webhook_url"):
        stored = _read(hub.keys, tenant_id, (value, old))
        new_value, new_sealed = _seal(hub.keys, tenant_id, stored)
        audit = AuditDraft(
            AuditAction.ALERT_SETTINGS.value,
            actor="hub",
            target_type="tenant",
            target_id=tenant_id,
            detail={"webhook": stored.url is not None, "emails": len(stored.emails), "sealed_url": True},
        )
        store = hub.db.directory.admin_store(tenant_id)
        if store.replace_setting(SETTING, new_value, new_sealed, expect=old, audit=audit):
            sealed += 1
    if sealed:
        log.info("sealed the plain webhook URL of %d tenant(s)", sealed)
    return sealed


# --------------------------------------------------------------------------- raising


def plan_alerts(
    settings: Settings,
    conn: Connection,
    meta: dict[str, Any],
    record: CheckRecord,
    drift: dict[str, Any] | None,
    failures: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``meta`` with the alerted state updated, and the alert rows this check raises (usually none)."""
    state = dict(meta.get("alerts") or {})
    episode = int(state.get("episode", 0))
    events: list[tuple[str, str, dict[str, Any]]] = []
    if record.outcome == "failed" and failures >= settings.alert_after_failures and not state.get("failing"):
        episode += 1
        events.append(
            ("failing", f"failing:{episode}", {"kind": record.kind.value, "message": record.message})
        )
        state.update(failing=True, episode=episode)
    elif record.outcome == "ok" and state.get("failing"):
        events.append(("recovered", f"recovered:{episode}", {}))
        state["failing"] = False
    if drift is not None:
        summary = describe_diff(drift["diff"])
        events.append(("drift", f"drift:{drift['fingerprint']}", {"summary": summary, "diff": drift["diff"]}))
    warning = credentials_warning(meta, record.at, settings.credentials_warn_days)
    if warning is None:
        state.pop("expiring", None)
    else:
        expiry, failed = meta.get(EXPIRE_KEY) or "", meta.get(REFRESH_ERROR_KEY) or ""
        key = f"expiring:{expiry}:{failed}"
        if state.get("expiring") != key:
            events.append(("credentials_expiring", key, {"warning": warning}))
            state["expiring"] = key
    if not events and state == (meta.get("alerts") or {}):
        return meta, []
    rows = [
        {
            "id": str(uuid.uuid4()),
            "connection_id": conn.id,
            "event": event,
            "dedupe_key": f"{conn.id}:{key}",
            "at": record.at,
            "text": _text(event, conn, detail, failures),
            "detail": {"connection_name": conn.name, "source_id": conn.source_id, **detail},
            "delivered": [],
        }
        for event, key, detail in events
    ]
    return {**meta, "alerts": state}, rows


def _text(event: str, conn: Connection, detail: dict[str, Any], failures: int) -> str:
    """The alert's text (Slack-compatible; the e-mail body): what happened and what to do."""
    name = f"{conn.name} ({conn.source_id})"
    if event == "failing":
        n = f"{failures} check{'' if failures == 1 else 's'} in a row"
        return (
            f"{_ICONS[event]} {name} is failing: {detail['kind']} ({n}). {detail['message']} "
            f"What to do: {what_to_do(detail['kind'])}"
        )
    if event == "recovered":
        return f"{_ICONS[event]} {name} recovered: the last check succeeded."
    if event == "drift":
        return (
            f"{_ICONS[event]} {name}: the source's schema changed ({detail['summary']}). Review and accept "
            "the changes on the Health page, or with `python -m hub drift accept`."
        )
    return f"{_ICONS[event]} {name}: {detail['warning']} Reconnect it to renew the credentials."


# --------------------------------------------------------------------------- the tenant's alerts


class Alerts(TenantScope):
    """A tenant's alert destinations, the sample alert, and delivering raised alerts."""

    def alert_destinations(self) -> AlertDestinations:
        """The destinations, the secret masked."""
        stored = self._destinations()
        return AlertDestinations(
            webhook_url=mask_url(stored.url),
            webhook_secret=mask(stored.secret),
            emails=stored.emails,
            email_enabled=self.hub.settings.smtp_url is not None and bool(self.hub.settings.alert_from),
        )

    def set_alert_destinations(
        self,
        *,
        webhook_url: str | None,
        emails: list[str],
        actor: str,
        webhook_secret: str | None = None,
    ) -> tuple[AlertDestinations, str | None]:
        """Replace the destinations (audited ``alert.settings``); the view, and a secret made for the webhook.

        ``webhook_url`` empty or None: no webhook; the masked form shown (`mask_url`): the stored URL. A
        webhook without ``webhook_secret`` keeps the stored secret, or gets a new random one, returned here
        once (the only time it is shown in clear).
        """
        url = (webhook_url or "").strip() or None
        stored = self._destinations()
        if url is not None and stored.url is not None and url == mask_url(stored.url):
            url = stored.url  # shown masked, sent back unchanged
        addresses = list(dict.fromkeys(e.strip() for e in emails if e and e.strip()))
        for address in addresses:
            if not _EMAIL.match(address):
                raise InputError(
                    f"{address!r} is not an e-mail address.", hint="Enter addresses like ops@example.com."
                )
        made = None
        secret = (webhook_secret or "").strip() or None
        if url is not None:
            HostPolicy(self.hub.settings).resolve_url(
                url, field="webhook_url"
            )  # refused hosts: a clear error
            if secret is None:
                secret = stored.secret
            if secret is None:
                secret = made = secrets.token_urlsafe(32)
        else:
            secret = None
        value, sealed = _seal(self.hub.keys, self.tenant.id, _Stored(addresses, url, secret))
        self._store.put_setting(
            SETTING,
            value,
            sealed,
            AuditDraft(
                AuditAction.ALERT_SETTINGS.value,
                actor=actor,
                target_type="tenant",
                target_id=self.tenant.id,
                detail={"webhook": url is not None, "emails": len(addresses)},
            ),
        )
        return self.alert_destinations(), made

    def test_alert(self, *, actor: str) -> list[Delivery]:
        """Send a sample alert to every destination now; what each did (audited ``alert.sent``)."""
        text = (
            f":white_check_mark: This is a test alert from {self.hub.settings.product_name} for "
            f"{self.tenant.name}. Alerts about your connections will arrive here."
        )
        notice = self._notice("test", text, {"test": True}, connection_id=None, at=now())
        results = self._send(notice, done=[])
        if not results:
            raise InputError(
                "No alert destinations are set.",
                hint="Set a webhook or e-mail addresses first: "
                f"`python -m hub alerts set --tenant {self.tenant.slug}`.",
            )
        self._store.append_audit(
            AuditDraft(
                AuditAction.ALERT_SENT.value,
                actor=actor,
                target_type="tenant",
                target_id=self.tenant.id,
                outcome="ok" if all(r.ok for r in results) else "error",
                detail={"event": "test", "delivered": [r.channel for r in results if r.ok]},
            )
        )
        return results

    def list_alerts(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The alerts raised for the tenant's connections, newest first (the stored rows)."""
        return self._store.list_alerts(limit=limit)

    def alert_history(self, *, limit: int = 50) -> list[AlertRecord]:
        """The tenant's recent alerts, newest first: what, when, for which connection, how delivery went."""
        out = []
        for row in self._store.list_alerts(limit=limit):
            if row["sent_at"] is not None:
                state = "delivered" if row["delivered"] else "no_destination"
            else:
                state = "failed" if int(row["attempts"]) >= MAX_ROUNDS else "pending"
            detail = row["detail"] or {}
            out.append(
                AlertRecord(
                    id=str(row["id"]),
                    at=row["at"],
                    event=row["event"],
                    connection_id=str(row["connection_id"]) if row["connection_id"] else None,
                    connection_name=detail.get("connection_name"),
                    text=row["text"],
                    delivered=list(row["delivered"] or []),
                    state=state,
                    attempts=int(row["attempts"]),
                    last_error=row["last_error"] or "",
                    sent_at=row["sent_at"],
                )
            )
        return out

    def deliver_alerts(self, *, connection_id: str | None = None) -> int:
        """Send the alerts raised and not yet delivered (one connection's when given); how many are done."""
        done = 0
        leases = Leases(self.hub.db)
        for row in self._store.pending_alerts(max_attempts=MAX_ROUNDS, connection_id=connection_id):
            name, holder = f"alert:{row['id']}", new_holder()
            if not leases.acquire(name, holder, self.hub.settings.lease_seconds + 60):
                continue  # another monitor is sending it
            try:
                done += self._deliver(row)
            finally:
                leases.release(name, holder)
        return done

    # ------------------------------------------------------------------ internals

    def _deliver(self, row: dict[str, Any]) -> int:
        notice = self._notice(row["event"], row["text"], row["detail"], row["connection_id"], row["at"])
        delivered = list(row["delivered"] or [])
        results = self._send(notice, done=delivered)
        delivered += [r.channel for r in results if r.ok]
        errors = [r.message for r in results if not r.ok]
        finished = not errors or int(row["attempts"]) + 1 >= MAX_ROUNDS
        self._store.mark_alert(
            row["id"],
            delivered=delivered,
            error=" ".join(errors),
            sent_at=now() if not errors else None,
            audit=AuditDraft(
                AuditAction.ALERT_SENT.value,
                actor="monitor",
                target_type="connection",
                target_id=row["connection_id"] or "",
                outcome="ok" if not errors else "error",
                detail={"event": row["event"], "delivered": delivered, "error": " ".join(errors)},
            )
            if finished
            else None,
        )
        if errors:
            log.warning("alert %s not delivered yet: %s", row["id"], " ".join(errors))
        return 0 if errors else 1

    def _notice(
        self, event: str, text: str, detail: dict[str, Any], connection_id: str | None, at: datetime
    ) -> Notice:
        name = detail.get("connection_name")
        subject = f"[{self.hub.settings.product_name}] {name + ': ' if name else ''}{event.replace('_', ' ')}"
        payload = {
            "text": text,
            "event": event,
            "tenant": self.tenant.slug,
            "connection_id": connection_id,
            "at": at.isoformat(),
            "detail": detail,
        }
        return Notice(subject=subject, text=text, payload=payload)

    def _send(self, notice: Notice, *, done: list[str]) -> list[Delivery]:
        """Send to each destination whose channel is not in ``done``."""
        stored = self._destinations()
        results = []
        url = stored.url
        if url and "webhook" not in done:
            results.append(
                self._try("webhook", lambda: post_webhook(self.hub.settings, url, stored.secret, notice))
            )
        if stored.emails and "email" not in done:
            results.append(self._try("email", lambda: send_email(self.hub.settings, stored.emails, notice)))
        return results

    @staticmethod
    def _try(channel: str, send: Any) -> Delivery:
        try:
            send()
        except (DeliveryError, ConfigError, HubError) as exc:
            return Delivery(channel=channel, ok=False, message=str(exc))
        return Delivery(channel=channel, ok=True, message="sent")

    def _destinations(self) -> _Stored:
        return _read(self.hub.keys, self.tenant.id, self._store.get_setting(SETTING))


__all__ = [
    "MAX_ROUNDS",
    "AlertDestinations",
    "AlertRecord",
    "Alerts",
    "Delivery",
    "mask",
    "mask_url",
    "plan_alerts",
    "seal_plain_webhook_urls",
]

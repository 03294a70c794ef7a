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
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.settings import Settings

log = logging.getLogger(__name__)

#: The tenant setting that holds the destinations.
SETTING = "alerts"
#: The AAD label the webhook secret is sealed under (the key ring binds ciphertexts to a tenant and a name).
SECRET_LABEL = "alerts.webhook_secret"  # noqa: S105 - a label, not a secret
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
    """A tenant's alert destinations as shown: the webhook secret masked, never in clear."""

    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, description="Masked: the last 4 characters only.")
    emails: list[str] = Field(default_factory=list)
    email_enabled: bool = Field(default=False, description="Whether this hub has an SMTP server set.")


class Delivery(BaseModel):
    """What sending one alert to one destination did."""

    channel: str
    ok: bool
    message: str


def mask(secret: str | None) -> str | None:
    """``••••abcd`` for a secret (its last four characters), None for none."""
    return None if not secret else "••••" + secret[-4:]


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
        value, secret = self._destinations()
        return AlertDestinations(
            webhook_url=value.get("webhook_url"),
            webhook_secret=mask(secret),
            emails=list(value.get("emails") or []),
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

        ``webhook_url`` empty or None: no webhook. A webhook without ``webhook_secret`` keeps the stored
        secret, or gets a new random one, returned here once (the only time it is shown in clear).
        """
        url = (webhook_url or "").strip() or None
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
                secret = self._destinations()[1]
            if secret is None:
                secret = made = secrets.token_urlsafe(32)
        else:
            secret = None
        sealed = (
            self.hub.keys.encrypt(secret.encode(), tenant_id=self.tenant.id, connection_id=SECRET_LABEL)
            if secret
            else None
        )
        value = {"webhook_url": url, "emails": addresses}
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
        """The alerts raised for the tenant's connections, newest first."""
        return self._store.list_alerts(limit=limit)

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
        value, secret = self._destinations()
        results = []
        if value.get("webhook_url") and "webhook" not in done:
            results.append(
                self._try(
                    "webhook", lambda: post_webhook(self.hub.settings, value["webhook_url"], secret, notice)
                )
            )
        if value.get("emails") and "email" not in done:
            results.append(
                self._try("email", lambda: send_email(self.hub.settings, list(value["emails"]), notice))
            )
        return results

    @staticmethod
    def _try(channel: str, send: Any) -> Delivery:
        try:
            send()
        except (DeliveryError, ConfigError, HubError) as exc:
            return Delivery(channel=channel, ok=False, message=str(exc))
        return Delivery(channel=channel, ok=True, message="sent")

    def _destinations(self) -> tuple[dict[str, Any], str | None]:
        stored = self._store.get_setting(SETTING)
        if stored is None:
            return {}, None
        value, sealed = stored
        secret = None
        if sealed is not None:
            secret = self.hub.keys.decrypt(
                sealed, tenant_id=self.tenant.id, connection_id=SECRET_LABEL
            ).decode()
        return value, secret


__all__ = ["MAX_ROUNDS", "AlertDestinations", "Alerts", "Delivery", "mask", "plan_alerts"]

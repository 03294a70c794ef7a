"""Sending one alert: a signed webhook (httpx) or an e-mail over the operator's SMTP server (smtplib).

Webhook: a JSON body with a Slack-compatible ``text``; ``X-Hub-Timestamp`` (Unix seconds) and
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of timestamp + "." + body>`` keyed with the destination's
secret, so a receiver checks both that the hub sent it and that it is recent. The URL's host goes through
the host policy (`hub.netpolicy`) and the request goes to the address that was checked (no second DNS
look-up; redirects are not followed). Both channels retry transient failures with exponential backoff
(tenacity); a refusal (4xx, a rejected recipient) is not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from hub.exceptions import ConfigError, HubError
from hub.netpolicy import HostPolicy
from hub.settings import Settings

#: Attempts per delivery (the first and two retries), backoff 0.5 s, 1 s, ... at most 4 s.
ATTEMPTS = 3
_WAIT = wait_exponential(multiplier=0.5, max=4)


class DeliveryError(HubError):
    """An alert could not be delivered to one destination (the message names it, never a secret)."""


@dataclass(frozen=True)
class Notice:
    """One alert as sent: a short subject, the text, and the JSON payload of the webhook."""

    subject: str
    text: str
    payload: dict[str, Any]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value: ``sha256=`` and the hex HMAC of ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class _Transient(Exception):
    """A failure worth another attempt (network, 5xx, 429)."""


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, _Transient | httpx.TransportError)


def post_webhook(settings: Settings, url: str, secret: str | None, notice: Notice) -> None:
    """POST ``notice`` to ``url``, signed with ``secret``; `DeliveryError` once the attempts are spent."""
    resolved = HostPolicy(settings).resolve_url(url, field="webhook_url")
    parts = urlsplit(url)
    address = resolved.addresses[0]
    netloc = f"[{address}]" if ":" in address else address
    target = urlunsplit((parts.scheme, f"{netloc}:{resolved.port}", parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    body = json.dumps(notice.payload, sort_keys=True, separators=(",", ":")).encode()

    @retry(
        stop=stop_after_attempt(ATTEMPTS), wait=_WAIT, retry=retry_if_exception(_is_transient), reraise=True
    )
    def attempt(client: httpx.Client) -> None:
        stamp = str(int(time.time()))  # fresh per attempt: a receiver may refuse old timestamps
        headers = {"Content-Type": "application/json", "Host": host_header, "X-Hub-Timestamp": stamp}
        if secret:
            headers["X-Hub-Signature-256"] = signature(secret, stamp, body)
        reply = client.post(target, content=body, headers=headers, extensions={"sni_hostname": resolved.host})
        if reply.status_code >= 500 or reply.status_code == 429:
            raise _Transient(f"HTTP {reply.status_code}")
        if reply.status_code >= 300:
            raise DeliveryError(
                f"The webhook at {resolved.host} refused the alert (HTTP {reply.status_code}).",
                hint="Check the webhook URL and that the receiver accepts the hub's JSON.",
            )

    try:
        with httpx.Client(timeout=settings.alert_timeout_s, follow_redirects=False) as client:
            attempt(client)
    except (_Transient, httpx.HTTPError) as exc:
        raise DeliveryError(
            f"The webhook at {resolved.host} failed {ATTEMPTS} attempts ({_reason(exc)}).",
            hint="The hub tries again at the monitor's next cycles.",
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    return str(exc) or "the connection failed"


@dataclass(frozen=True)
class SmtpServer:
    """The operator's SMTP server from ``HUB_SMTP_URL``."""

    tls: bool
    host: str
    port: int
    user: str | None
    password: str | None

    def __repr__(self) -> str:
        return f"SmtpServer(tls={self.tls}, host={self.host!r}, port={self.port}, user={self.user!r})"

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """``smtp://[user:password@]host[:port]`` (port 25; STARTTLS when offered) or ``smtps://`` (465)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                "HUB_SMTP_URL must look like smtp://[user:password@]host[:port] or smtps://...",
                field="HUB_SMTP_URL",
                hint="Fix the setting (see README, Settings).",
            )
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ConfigError("HUB_SMTP_URL has a port that is not a number.", field="HUB_SMTP_URL") from None
        return cls(
            tls=parts.scheme == "smtps",
            host=parts.hostname,
            port=port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def _smtp_transient(exc: BaseException) -> bool:
    # every smtplib error is an OSError; a 5xx answer or refused recipients will not change on retry
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError)


def send_email(settings: Settings, to: list[str], notice: Notice) -> None:
    """Mail ``notice`` to ``to`` over ``HUB_SMTP_URL`` from ``HUB_ALERT_FROM``; `DeliveryError` on failure."""
    if settings.smtp_url is None or not settings.alert_from:
        raise DeliveryError(
            "E-mail alerts need HUB_SMTP_URL and HUB_ALERT_FROM, and this hub has not set both.",
            hint="Ask the operator to set them, or use a webhook.",
        )
    server = SmtpServer.parse(settings.smtp_url.get_secret_value())
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.alert_from, ", ".join(to), notice.subject
    msg.set_content(notice.text)

    @retry(
        stop=stop_after_attempt(ATTEMPTS), wait=_WAIT, retry=retry_if_exception(_smtp_transient), reraise=True
    )
    def attempt() -> None:
        timeout = settings.alert_timeout_s
        if server.tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if not server.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(msg)

    try:
        attempt()
    except OSError as exc:
        # smtplib's messages hold the server's answer, never the password
        raise DeliveryError(
            f"The alert e-mail could not be sent through {server.host}:{server.port} ({_reason(exc)}).",
            hint="Check HUB_SMTP_URL and the addresses; the hub tries again at the monitor's next cycles.",
        ) from None


__all__ = ["ATTEMPTS", "DeliveryError", "Notice", "SmtpServer", "post_webhook", "send_email", "signature"]

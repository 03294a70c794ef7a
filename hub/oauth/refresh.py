"""Fresh access tokens before a use: refreshed when they expire within a margin, one refresh at a time.

One refresh per connection across threads and processes (the ``oauth:<connection id>`` lease); the rotated
refresh token is stored atomically with the new access token and its expiry (one UPDATE), audited as
``oauth.refresh`` without tokens. Whoever finds the lease taken waits (tenacity), then reads the fresh token.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from authlib.integrations.base_client.errors import OAuthError
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from hub.exceptions import AuthError, InputError
from hub.handoff.mapping import hub_may_refresh
from hub.models import AuditAction, Outcome
from hub.oauth.apps import app_for_source
from hub.oauth.flow import TOKEN_TIMEOUT_S, session
from hub.storage.audit import AuditDraft
from hub.storage.leases import Leases
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.hub import Hub

#: Refresh when the access token expires within this long.
MARGIN = timedelta(seconds=60)
#: How long one refresh may hold the connection's lease.
LEASE_S = 30.0


class _Busy(Exception):
    """Another thread or process is refreshing this connection."""


def _expiring(metadata: dict[str, Any], margin: timedelta) -> bool:
    at = metadata.get("credentials_expire_at")
    return at is not None and datetime.fromisoformat(at) - margin <= now()


def fresh_access_token(
    hub: Hub, tenant_id: str, connection_id: str, *, actor: str = "hub", margin: timedelta = MARGIN
) -> str:
    """The connection's access token, refreshed first when it expires within ``margin``."""
    for attempt in Retrying(
        retry=retry_if_exception_type(_Busy),
        wait=wait_fixed(0.05),
        stop=stop_after_delay(LEASE_S * 2),
        reraise=True,
    ):
        with attempt:
            return _once(hub, tenant_id, connection_id, actor, margin)
    raise AssertionError("unreachable")  # pragma: no cover - Retrying either returns or raises


def _read(hub: Hub, tenant_id: str, connection_id: str) -> tuple[Any, dict[str, Any]]:
    store = hub.db.store(tenant_id)
    conn = store.get_connection(connection_id)
    sealed = store.get_sealed(connection_id)
    if conn is None or sealed is None:
        raise InputError(f"Connection {connection_id} has no stored sign-in.", hint="Connect it again.")
    return conn, hub.keys.open_config(sealed, tenant_id=tenant_id, connection_id=connection_id)


def _once(hub: Hub, tenant_id: str, connection_id: str, actor: str, margin: timedelta) -> str:
    conn, config = _read(hub, tenant_id, connection_id)
    if not hub_may_refresh(conn):  # Airbyte refreshes it since the hand-off (a rotated token has one owner)
        raise InputError(
            f"Connection {connection_id} was handed off to Airbyte, which refreshes its sign-in now.",
            hint="Use it through Airbyte, or disconnect it there and reconnect it here.",
        )
    if not _expiring(conn.metadata, margin):
        return str(config["access_token"])
    leases, name, holder = Leases(hub.db), f"oauth:{connection_id}", str(uuid.uuid4())
    if not leases.acquire(name, holder, LEASE_S):
        raise _Busy
    try:
        conn, config = _read(hub, tenant_id, connection_id)  # another holder may have refreshed meanwhile
        if not _expiring(conn.metadata, margin):
            return str(config["access_token"])
        app = app_for_source(hub.settings, conn.source_id)
        if app is None:
            raise InputError(
                f"The OAuth app of {conn.source_id} is no longer configured.",
                hint="Set its client id and secret again, then re-test.",
            )
        try:
            token = session(app).refresh_token(
                app.provider.token_url, refresh_token=config["refresh_token"], timeout=TOKEN_TIMEOUT_S
            )
        except OAuthError as exc:
            if exc.error != "invalid_grant":
                raise
            # revoked or expired for good: a failed re-test that says "reconnect", never a retry loop
            hub.tenant(tenant_id).authorization_expired(connection_id, actor=actor, reason="invalid_grant")
            raise AuthError(
                "Authorization expired — reconnect.",
                hint="The provider no longer accepts this connection's sign-in: use Reconnect.",
            ) from None
        rotated = bool(token.get("refresh_token")) and token.get("refresh_token") != config["refresh_token"]
        fresh = {
            **config,
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token") or config["refresh_token"],
        }
        expires = token.get("expires_at")
        metadata = {
            **conn.metadata,
            "credentials_expire_at": datetime.fromtimestamp(expires, tz=now().tzinfo).isoformat()
            if expires
            else None,
        }
        sealed = hub.keys.seal_config(fresh, tenant_id=tenant_id, connection_id=connection_id)
        audit = AuditDraft(
            AuditAction.OAUTH_REFRESH,
            actor=actor,
            target_type="connection",
            target_id=connection_id,
            outcome=Outcome.OK,
            detail={"rotated": rotated},
        )
        hub.db.store(tenant_id).update_connection(
            connection_id, expect_status=None, changes={"metadata": metadata}, audit=audit, sealed=sealed
        )
        return str(token["access_token"])
    finally:
        leases.release(name, holder)

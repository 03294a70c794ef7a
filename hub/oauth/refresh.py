"""Fresh access tokens before a use: refreshed when they expire within a margin, one refresh at a time.

One refresh per connection across threads and processes (the ``oauth:<connection id>`` lease); the rotated
refresh token is stored atomically with the new access token and its expiry (one UPDATE), audited as
``oauth.refresh`` without tokens. Whoever finds the lease taken waits (tenacity), then reads the fresh token.

The tokens sit where `hub.oauth.providers.connector_config` put them (``SourceOAuth.access_path``; the
refresh token the hub keeps under ``KEPT_KEY``), and a refresh writes them back there. Only the sources
outside `CONNECTOR_REFRESHES` are refreshed here: the others' connectors refresh themselves and the config
they report is stored (`TenantScope._store_control`). `connector_view` is how every use of a live
signed-in connection (re-test, preview, health check) gets its config with a fresh access token.

Those connectors spend a single-use refresh token (Salesforce under Refresh Token Rotation), so their runs
take turns: `connector_turn` holds the same ``oauth:<connection id>`` lease around every run of one.
"""

from __future__ import annotations

import copy
import logging
import operator
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from authlib.integrations.base_client.errors import OAuthError
from tenacity import Retrying, retry_if_exception_type, retry_if_result, stop_after_delay, wait_fixed

from hub.exceptions import AuthError, ConnectionBusy, InputError
from hub.handoff.mapping import hub_may_refresh
from hub.models import AuditAction, Connection, Mode, Outcome
from hub.oauth.apps import app_for_source
from hub.oauth.flow import TOKEN_TIMEOUT_S, session
from hub.oauth.providers import CONNECTOR_REFRESHES, SOURCES, for_source, get_path, set_path, without_hub_keys
from hub.services.attempts import new_holder, renewing
from hub.storage.audit import AuditDraft
from hub.storage.leases import Leases
from hub.storage.tables import now

if TYPE_CHECKING:
    from hub.services.hub import Hub

log = logging.getLogger(__name__)

#: Refresh when the access token expires within this long.
MARGIN = timedelta(seconds=60)
#: How long one refresh may hold the connection's lease.
LEASE_S = 30.0


def lease_name(connection_id: str) -> str:
    """The lease a refresh of this connection, or a run of its self-refreshing connector, holds."""
    return f"oauth:{connection_id}"


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


def connector_view(hub: Hub, tenant_id: str, conn: Connection, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (the decrypted stored config of ``conn``) as its connector takes it.

    For a live signed-in connection the hub refreshes (its source outside `CONNECTOR_REFRESHES`, not
    handed off to Airbyte): the access token refreshed first when it expires within `MARGIN`, and the
    refresh token the hub keeps left out. Any other config is returned as it is. `AuthError` ("Authorization
    expired — reconnect") when the provider refuses the refresh token; the connection is then failed.
    """
    entry = SOURCES.get(conn.source_id)
    if conn.mode is not Mode.LIVE or not conn.metadata.get("oauth") or entry is None:
        return config
    view = without_hub_keys(config)
    if entry.connector_refreshes or entry.access_path is None or not hub_may_refresh(conn):
        return view
    view = copy.deepcopy(view)
    set_path(view, entry.access_path, fresh_access_token(hub, tenant_id, conn.id))
    return view


def takes_turns(conn: Connection) -> bool:
    """Whether runs of ``conn``'s connector take turns: a live sign-in its connector refreshes itself."""
    signed_in = conn.mode is Mode.LIVE and bool(conn.metadata.get("oauth"))
    return signed_in and conn.source_id in CONNECTOR_REFRESHES


@contextmanager
def connector_turn(hub: Hub, conn: Connection, *, wait: bool = True) -> Iterator[None]:
    """Hold ``conn``'s turn for one run of its connector, if its runs take turns (`takes_turns`).

    Such a connector spends the stored refresh token and reports the new one (CONTROL, stored by
    `TenantScope._store_control`): two runs that read the stored config at once would both spend the same
    token, and the provider refuses the second (``invalid_grant``) or a retired token is stored last. So
    a run takes the ``oauth:<connection id>`` lease BEFORE it reads the stored config and gives it back
    once the connector has ended and its reported config is stored. The lease is renewed while held (a
    long read keeps it); a holder that was killed lets it expire after ``HUB_LEASE_SECONDS``.

    Another run waits for it, at most twice ``HUB_LEASE_SECONDS``, then `ConnectionBusy`; with
    ``wait=False`` (the health monitor, which skips the connection this cycle rather than block a worker)
    `ConnectionBusy` at once. Other connections take no lease.
    """
    if not takes_turns(conn):
        yield
        return
    leases, name, holder = Leases(hub.db), lease_name(conn.id), new_holder()
    seconds = hub.settings.lease_seconds
    taken = leases.acquire(name, holder, seconds)
    if not taken and wait:
        log.info("connection %s: waiting for another run of its connector to end", conn.id)
        taken = Retrying(
            retry=retry_if_result(operator.not_),
            wait=wait_fixed(0.1),
            stop=stop_after_delay(2 * seconds),
            retry_error_callback=lambda _state: False,
        )(leases.acquire, name, holder, seconds)
    if not taken:
        raise ConnectionBusy(
            f"Another read of {conn.name} is running; try again in a moment.",
            hint="Its sign-in uses single-use refresh tokens, so its reads take turns.",
        )
    with renewing(leases, name, holder, seconds):
        yield


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
    entry, _ = for_source(conn.source_id)
    if conn.source_id in CONNECTOR_REFRESHES or entry.access_path is None:
        raise InputError(
            f"The {conn.source_id} connector refreshes its own sign-in; the hub does not refresh it.",
            hint="Re-test the connection: the connector refreshes and the hub stores the config it reports.",
        )
    access_path, refresh_path = entry.access_path, entry.stored_refresh_path
    if not _expiring(conn.metadata, margin):
        return str(get_path(config, access_path))
    leases, name, holder = Leases(hub.db), lease_name(connection_id), str(uuid.uuid4())
    if not leases.acquire(name, holder, LEASE_S):
        raise _Busy
    try:
        conn, config = _read(hub, tenant_id, connection_id)  # another holder may have refreshed meanwhile
        old_refresh = get_path(config, refresh_path)
        if not _expiring(conn.metadata, margin) or not old_refresh:  # fresh, or nothing to refresh with
            return str(get_path(config, access_path))
        app = app_for_source(hub.settings, conn.source_id)
        if app is None:
            raise InputError(
                f"The OAuth app of {conn.source_id} is no longer configured.",
                hint="Set its client id and secret again, then re-test.",
            )
        try:
            token = session(app).refresh_token(
                app.provider.token_url, refresh_token=old_refresh, timeout=TOKEN_TIMEOUT_S
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
        rotated = bool(token.get("refresh_token")) and token.get("refresh_token") != old_refresh
        fresh = copy.deepcopy(config)
        set_path(fresh, access_path, token["access_token"])
        set_path(fresh, refresh_path, token.get("refresh_token") or old_refresh)
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

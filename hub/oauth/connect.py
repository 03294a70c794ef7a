"""A finished sign-in becomes a connection through the normal connect path (check, discover, sample).

The tokens are stored encrypted in the connection's config, their expiry as ``credentials_expire_at`` in
its metadata (which the health checks read). A sign-in started from Reconnect reconnects that connection,
keeping its id and history. Until the live connectors of these sources ship (live-connectors issue), the
signed-in connection reads the demo connector's data: its config holds the real tokens, which the hub keeps
fresh, and `hub.oauth.providers.connector_config` is the mapping the live connectors will take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub.exceptions import InputError
from hub.models import Connection, Mode, Status
from hub.oauth.flow import OAuthFlow, SignedIn
from hub.oauth.providers import for_source
from hub.services.probe import StepCallback, emit

if TYPE_CHECKING:
    from hub.services.hub import Hub


def oauth_metadata(signed: SignedIn) -> dict[str, Any]:
    """What the connection's metadata says about its sign-in (never a token)."""
    _, provider = for_source(signed.pending.source_id)
    return {
        "oauth": {"provider": provider.key, "scope": signed.scope},
        "credentials_expire_at": signed.expires_at.isoformat() if signed.expires_at else None,
    }


def connect_signed_in(
    hub: Hub, signed: SignedIn, *, actor: str, on_step: StepCallback | None = None
) -> Connection:
    """Connect (or reconnect) the source of ``signed`` with its tokens; returns the tested connection."""
    pending = signed.pending
    _, provider = for_source(pending.source_id)
    config: dict[str, Any] = {
        "account": pending.account or f"{provider.name} (signed in)",
        "access_token": signed.token.access_token,
    }
    if signed.token.refresh_token:
        config["refresh_token"] = signed.token.refresh_token
    service = hub.tenant(pending.tenant_id)
    meta = oauth_metadata(signed)
    if pending.connection_id:
        return service.reconnect(pending.connection_id, config, actor=actor, on_step=on_step, metadata=meta)
    return service.connect(pending.source_id, config, actor=actor, mode=Mode.DEMO, on_step=on_step,
                           metadata=meta)


def start_in_app(
    hub: Hub,
    tenant_id: str,
    source_id: str,
    *,
    user: str,
    account: str | None = None,
    connection_id: str | None = None,
) -> str:
    """The authorize URL of a sign-in started in the app by ``user`` (their username), for the Connect dialog.

    ``connection_id`` names a failed connection of the same source to reconnect: the callback then tests
    that connection again with the new tokens, keeping its id and history. ``account`` is the provider's
    per-account part (Shopify's shop, Zendesk's subdomain), checked here.
    """
    if connection_id is not None:
        conn = hub.tenant(tenant_id).get_connection(connection_id)  # NotFound outside the tenant
        if conn.source_id != source_id or Status(conn.status) is not Status.FAILED:
            raise InputError(
                f"Connection {conn.name} cannot be reconnected with a {source_id} sign-in.",
                hint="Only a failed connection of the same source can be reconnected; connect a new one.",
            )
    return OAuthFlow(hub).start(
        tenant_id, source_id, user_id=user, face="app", account=account, connection_id=connection_id
    )


def finish_in_app(
    hub: Hub,
    params: Mapping[str, str],
    *,
    tenant_id: str,
    user: str,
    on_step: StepCallback | None = None,
) -> Connection:
    """The app's ``oauth_callback``: check the state against the signed-in user, exchange the code, connect.

    ``params`` are the callback's query parameters (``state``, ``code`` or ``error``). Every refusal
    (denied consent, a provider error, a wrong, used or expired state, another user's or tenant's state) is
    a `hub.oauth.flow.SignInError`, stores nothing and is audited. A sign-in started from a failed
    connection reconnects it (same id and history); otherwise it is a new connection. Returns it tested
    (connected, or failed with the reason).
    """
    signed = OAuthFlow(hub).finish(params, user_id=user, tenant_id=tenant_id)
    _, provider = for_source(signed.pending.source_id)
    emit(on_step, "connecting", "progress", f"Signed in with {provider.name}")
    return connect_signed_in(hub, signed, actor=user, on_step=on_step)

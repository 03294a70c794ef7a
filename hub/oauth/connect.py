"""A finished sign-in becomes a connection through the normal connect path (check, discover, sample).

The tokens are stored encrypted in the connection's config, their expiry as ``credentials_expire_at`` in
its metadata (which the health checks read). A sign-in started from Reconnect reconnects that connection,
keeping its id and history. Until the live connectors of these sources ship (live-connectors issue), the
signed-in connection reads the demo connector's data: its config holds the real tokens, which the hub keeps
fresh, and `hub.oauth.providers.connector_config` is the mapping the live connectors will take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.models import Connection, Mode
from hub.oauth.flow import SignedIn
from hub.oauth.providers import for_source
from hub.services.probe import StepCallback

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

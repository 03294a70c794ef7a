"""A finished sign-in becomes a connection through the normal connect path (check, discover, sample).

The connection is live: its config is `hub.oauth.providers.connector_config` (the tokens and the OAuth
app's client id and secret where the source's spec takes them), so the source's pinned Airbyte connector
reads the account's real data. The config is stored encrypted, the tokens' expiry as
``credentials_expire_at`` in the metadata (which the health checks read). Where the hub refreshes (every
source outside `CONNECTOR_REFRESHES`), the refresh token is sealed beside the config under
`hub.oauth.providers.KEPT_KEY`, never given to the connector, and every use hands the connector a fresh
access token (`hub.oauth.refresh.connector_view`). What the connector needs besides the tokens (Google
Sheets' spreadsheet...) the user gave at the start (`sign_in_spec`, `hub.oauth.fields`); the pending sign-in
kept it and it is merged into the config here. A sign-in started from Reconnect reconnects that connection,
keeping its id, history and fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hub.exceptions import InputError
from hub.models import Connection, Mode
from hub.oauth.apps import app_for_source
from hub.oauth.fields import asked_spec, connector_spec, kept_fields
from hub.oauth.flow import OAuthFlow, SignedIn
from hub.oauth.providers import KEPT_KEY, connector_config, for_source
from hub.services.probe import StepCallback, emit
from hub.storage.tables import now

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
    hub: Hub,
    signed: SignedIn,
    *,
    actor: str,
    on_step: StepCallback | None = None,
    sample_limit: int | None = None,
) -> Connection:
    """Connect (or reconnect) the source of ``signed`` live with its tokens; returns the tested connection.

    ``sample_limit`` as in `Connections.connect`; None: ``HUB_SIGNIN_SAMPLE_LIMIT`` (default 50).
    """
    pending = signed.pending
    entry, provider = for_source(pending.source_id)
    app = app_for_source(hub.settings, pending.source_id)
    if app is None:  # the sign-in finished, so the app was there a moment ago
        raise InputError(f"The OAuth app of {provider.name} is no longer configured.",
                         hint="Set its client id and secret again, then sign in again.")
    config = connector_config(pending.source_id, signed.token, app.client_id,
                              app.client_secret.get_secret_value())
    field = provider.account_field
    if field and pending.account:  # Shopify's shop, Zendesk's subdomain: spec fields too (normalised)
        config[field] = provider.endpoint("{" + field + "}", pending.account)
    config.update(pending.fields or {})  # what the user gave at the start (`hub.oauth.fields`)
    config.update(_required_defaults(hub, pending.source_id, config))
    extra: dict[str, Any] = {}
    if signed.token.refresh_token and entry.refresh_path is None:  # the hub refreshes: it keeps the token
        extra[KEPT_KEY] = {"refresh_token": signed.token.refresh_token}
    service = hub.tenant(pending.tenant_id)
    meta = oauth_metadata(signed)
    sample_limit = hub.settings.signin_sample_limit if sample_limit is None else sample_limit
    if pending.connection_id:
        return service.reconnect(pending.connection_id, config, actor=actor, on_step=on_step, metadata=meta,
                                 sealed_extra=extra, sample_limit=sample_limit)
    return service.connect(pending.source_id, config, actor=actor, mode=Mode.LIVE, on_step=on_step,
                           metadata=meta, sealed_extra=extra, sample_limit=sample_limit)


def _required_defaults(hub: Hub, source_id: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The spec's required top-level fields a sign-in does not fill, with their defaults.

    A field's spec default, or a start date a year back for ``start_date``; the others (Google Sheets'
    spreadsheet, Facebook's ad accounts) the user gave at the start (`hub.oauth.fields`).
    """
    from hub.connectors import get_connector

    spec = get_connector(hub.catalogue.get(source_id), Mode.LIVE, settings=hub.settings).spec()
    props = spec.get("properties") or {}
    out: dict[str, Any] = {}
    for name in spec.get("required") or []:
        if name in config or name not in props:
            continue
        if "default" in props[name]:
            out[name] = props[name]["default"]
        elif name == "start_date":
            out[name] = (now() - timedelta(days=365)).strftime("%Y-%m-%dT00:00:00Z")
    return out


def start_in_app(
    hub: Hub,
    tenant_id: str,
    source_id: str,
    *,
    user: str,
    account: str | None = None,
    connection_id: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> str:
    """The authorize URL of a sign-in started in the app by ``user`` (their username), for the Connect dialog.

    ``connection_id`` names a failed connection of the same source to reconnect: the callback then tests
    that connection again with the new tokens, keeping its id and history. ``account`` is the provider's
    per-account part (Shopify's shop, Zendesk's subdomain), checked here. ``fields``: what the connector
    needs besides the tokens (`sign_in_spec`), checked here too; a `ConfigError` naming the field stores
    nothing. A reconnect keeps the connection's own fields where ``fields`` does not replace them.
    """
    return OAuthFlow(hub).start(
        tenant_id, source_id, user_id=user, face="app", account=account, connection_id=connection_id,
        fields=fields,
    )


def sign_in_spec(
    hub: Hub, tenant_id: str, source_id: str, *, connection_id: str | None = None
) -> dict[str, Any]:
    """The JSON Schema of what the Connect dialog asks before a sign-in (`hub.oauth.fields.asked_spec`).

    Empty ``properties`` when the sign-in needs nothing more (Intercom, Slack). For a reconnect, each
    field's ``default`` is the connection's own value, so the form shows it and a user may change it.
    """
    spec = connector_spec(hub, source_id)
    if spec is None:
        return {"type": "object", "properties": {}, "required": []}
    asked = asked_spec(spec, source_id)
    if connection_id is not None:
        conn = hub.tenant(tenant_id).get_connection(connection_id)
        kept = kept_fields(spec, source_id, conn.metadata.get("config") or {})
        for name, prop in asked["properties"].items():
            if name in kept:
                prop["default"] = kept[name]
    return asked


def finish_in_app(
    hub: Hub,
    params: Mapping[str, str],
    *,
    tenant_id: str,
    user: str,
    on_step: StepCallback | None = None,
    sample_limit: int | None = None,
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
    return connect_signed_in(hub, signed, actor=user, on_step=on_step, sample_limit=sample_limit)

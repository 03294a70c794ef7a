"""A token the hub obtained through a real sign-in reads a stream through a real catalogue connector.

The authorization server is oidc-provider (the session's, as Intercom's app: Intercom has no PKCE, so the
server's client without PKCE). The connector is airbyte-source-intercom, unmodified, whose spec takes a plain
access token (the hub keeps it fresh). It runs in a network namespace whose hosts file maps
``api.intercom.io`` to a local HTTPS double (tests/saas_double.py), which accepts only bearer tokens that the
authorization server's introspection, called with the hub's client credentials, reports active. After
Disconnect (RFC 7009 revocation at the server) the same token is refused.

A sign-in connects the source live (`connect_signed_in`): the real connector checks, discovers and samples,
a preview reads the double's admins, each use refreshes the expiring access token once (counted from the
server's own events), and a revoked refresh token fails the connection with "Authorization expired —
reconnect".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub import Hub, Settings
from hub.connectors.airbyte.connector import AirbyteConnector
from hub.exceptions import AuthError
from hub.models import Mode, Status
from hub.oauth.apps import app_for_source
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow
from hub.oauth.providers import KEPT_REFRESH_PATH, Token, connector_config, get_path
from hub.oauth.refresh import fresh_access_token
from tests.oidc_support import OidcServer, callback_params
from tests.saas_double import Double, Intercom, intercom_env


@pytest.fixture
def hub(oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home: Path) -> Iterator[Hub]:
    double, _ = intercom
    settings = Settings.from_env({
        "HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": "http://127.0.0.1:8596", **oidc.env("INTERCOM"),
        **intercom_env(double),
    }, demo_pace=0)
    h = Hub.open(settings)
    h.create_tenant("acme", name="Acme", business_type="saas")
    try:
        yield h
    finally:
        h.close()


def test_a_signed_in_token_reads_admins_through_the_intercom_connector_until_disconnect(
    hub: Hub, oidc: OidcServer, intercom: tuple[Double, Intercom], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    double, api = intercom
    tenant_id = hub.tenant("acme").tenant.id
    flow = OAuthFlow(hub)
    url = flow.start(tenant_id, "intercom", user_id="u-alice")
    assert "code_challenge" not in url  # Intercom has no PKCE
    signed = flow.finish(callback_params(oidc.consent(url)), user_id="u-alice")
    conn = connect_signed_in(hub, signed, actor="u-alice")
    assert conn.status == "connected", conn.status_detail

    # the token as the hub hands it to a connector: from its encrypted store, refreshed when expiring (the
    # session server's 30 s tokens are always inside the hub's 60 s margin: this use refreshes)
    token = fresh_access_token(hub, tenant_id, conn.id, actor="u-alice")
    assert oidc.introspect(token, provider="INTERCOM")["active"] is True
    app = app_for_source(hub.settings, "intercom")
    assert app is not None
    source = hub.catalogue.get("intercom")
    connector = AirbyteConnector(source, settings=hub.settings)
    config = connector.validate({
        **connector_config("intercom", Token(token), app.client_id, app.client_secret.get_secret_value()),
        "start_date": "2024-01-01T00:00:00Z",
    })
    # the stream as a connection stores it after its discover: the read is then one connector run
    connector.known_streams(config, {"admins": {
        "name": "admins", "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"],
    }})
    admins = list(connector.read(config, "admins", limit=10))
    assert [a["email"] for a in admins] == [f"admin{i}@acme.example" for i in (1, 2, 3)]
    assert double.seen("/admins")[-1][1] == 200 and token in api.tokens_seen

    hub.tenant("acme").disconnect(conn.id, actor="u-alice")  # revokes at the server (RFC 7009)
    assert oidc.introspect(token, provider="INTERCOM")["active"] is False
    refused = connector.check(config)
    assert not refused.ok and double.seen("/tags")[-1][1] == 401
    assert refused.message == "Unauthorized. Please ensure you are authenticated correctly."
    # the connector's own output (its logs, kept for the server log) and every log record: no token
    logged = "\n".join([*connector.logs, *(f"{r.getMessage()} {r.args!r}" for r in caplog.records)])
    assert token not in logged and app.client_secret.get_secret_value() not in logged


def test_a_sign_in_connects_intercom_live_refreshes_on_use_and_fails_once_revoked(
    hub: Hub, oidc: OidcServer, intercom: tuple[Double, Intercom]
) -> None:
    double, api = intercom
    svc = hub.tenant("acme")
    flow = OAuthFlow(hub)
    url = flow.start(svc.tenant.id, "intercom", user_id="u-bob")
    signed = flow.finish(callback_params(oidc.consent(url)), user_id="u-bob")
    # no sample at connect (HUB_SIGNIN_SAMPLE_LIMIT=0): the double serves the check's and admins' endpoints
    conn = connect_signed_in(hub, signed, actor="u-bob")
    # the real connector checked (/tags) and discovered through the double with the signed-in token
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert conn.mode is Mode.LIVE
    assert "admins" in conn.metadata["streams"]
    assert conn.metadata["oauth"]["provider"] == "INTERCOM" and conn.metadata["credentials_expire_at"]
    assert signed.token.access_token in api.tokens_seen
    shown = str(conn.model_dump())
    assert signed.token.access_token not in shown and str(signed.token.refresh_token) not in shown

    # the session server's 30 s tokens are inside the hub's 60 s refresh margin: the preview refreshes first,
    # exactly once at the server, and reads with the new token
    before = oidc.counts().get("refresh_token", 0)
    preview = svc.preview(conn.id, "admins", limit=10, actor="u-bob")
    assert [a["email"] for a in preview.records] == [f"admin{i}@acme.example" for i in (1, 2, 3)]
    assert oidc.counts().get("refresh_token", 0) == before + 1
    assert api.tokens_seen[-1] != signed.token.access_token and double.seen("/admins")[-1][1] == 200

    # the refresh token the hub keeps (rotated by that refresh), revoked at the provider: the next use fails
    sealed = hub.db.store(svc.tenant.id).get_sealed(conn.id)
    assert sealed is not None
    stored = hub.keys.open_config(sealed, tenant_id=svc.tenant.id, connection_id=conn.id)
    refresh = get_path(stored, KEPT_REFRESH_PATH)
    assert refresh and refresh != signed.token.refresh_token  # the server rotates refresh tokens
    client_id, client_secret = oidc.client("INTERCOM")
    httpx.post(oidc.revoke_url, data={"token": refresh, "token_type_hint": "refresh_token",
                                       "client_id": client_id, "client_secret": client_secret},
               timeout=10).raise_for_status()
    with pytest.raises(AuthError, match="Authorization expired — reconnect"):
        svc.preview(conn.id, "admins", limit=10, actor="u-bob")
    failed = svc.get_connection(conn.id)
    assert failed.status is Status.FAILED
    assert "Authorization expired — reconnect" in (failed.status_detail or "")

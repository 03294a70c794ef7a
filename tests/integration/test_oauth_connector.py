"""A token the hub obtained through a real sign-in reads a stream through a real catalogue connector.

The authorization server is oidc-provider (the session's, as Intercom's app: Intercom has no PKCE, so the
server's client without PKCE). The connector is airbyte-source-intercom, unmodified, whose spec takes a plain
access token (the hub keeps it fresh). It runs in a network namespace whose hosts file maps
``api.intercom.io`` to a local HTTPS double (tests/saas_double.py), which accepts only bearer tokens that the
authorization server's introspection, called with the hub's client credentials, reports active. After
Disconnect (RFC 7009 revocation at the server) the same token is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.connectors.airbyte.connector import AirbyteConnector
from hub.connectors.airbyte.install import Installer
from hub.oauth.apps import app_for_source
from hub.oauth.connect import connect_signed_in
from hub.oauth.flow import OAuthFlow
from hub.oauth.providers import Token, connector_config
from hub.oauth.refresh import fresh_access_token
from tests.airbyte_support import ensure_cache
from tests.oidc_support import OidcServer, callback_params
from tests.saas_double import Double, Intercom, api_double, outside_netns

HOST = "api.intercom.io"


@pytest.fixture(scope="module")
def intercom(oidc: OidcServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Double, Intercom]]:
    ensure_cache()

    def active(token: str) -> bool:
        return oidc.introspect(token, provider="INTERCOM")["active"] is True

    with outside_netns(active) as introspect, api_double(
        [HOST], api := Intercom(introspect), tmp_path_factory.mktemp("intercom")
    ) as double:
        yield double, api


@pytest.fixture
def hub(oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home: Path) -> Iterator[Hub]:
    double, _ = intercom
    cache = ensure_cache()
    package = Catalogue.bundled().get("intercom").connector_package
    assert package is not None
    settings = Settings.from_env(
        {"HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": "http://127.0.0.1:8596", **oidc.env("INTERCOM")},
        demo_pace=0, connectors_dir=cache, connector_wrapper=double.wrapper(Installer(cache).path(package)),
        connector_ca_bundle=double.ca_bundle,
    )
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

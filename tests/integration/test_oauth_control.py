"""A connector that refreshes its own sign-in: the rotated config it reports (CONTROL) is stored at once,
encrypted, on every path that runs it (connect, the health check, a preview).

The sources whose spec forces a refresh token with the client id and secret (`CONNECTOR_REFRESHES`:
Salesforce, HubSpot, Google Analytics 4, Google Sheets) are refreshed by their connectors, not the hub. Here
the connector is tests/fixtures/protocol_connector.py laid out as Google Sheets' pinned package, so the hub
holds it to that package's shipped spec (the refresh token and client secret are secrets there); it sends a
new refresh token in a CONTROL message whenever it runs with one, as the CDK's single-use refresh token
authenticator does. The first refresh token comes from a real sign-in at oidc-provider, through
`connector_config`, the mapping of a token response to the spec's ``credentials``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.exceptions import ConnectorError
from hub.models import Mode, Status
from hub.oauth.apps import app_for_source
from hub.oauth.flow import OAuthFlow
from hub.oauth.providers import CONNECTOR_REFRESHES, connector_config
from tests.airbyte_support import catalogue_with_faker, protocol_connector
from tests.integration.api_support import bytes_at_rest
from tests.oidc_support import OidcServer, callback_params

SHEET = "https://docs.google.com/spreadsheets/d/1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb/edit"


@pytest.fixture
def hub(oidc: OidcServer, hub_home: Path, tmp_path: Path) -> Iterator[Hub]:
    package = Catalogue.bundled().get("google-sheets").connector_package
    assert package is not None and "google-sheets" in CONNECTOR_REFRESHES
    settings = Settings.from_env(
        {"HUB_HOME": str(hub_home), "HUB_PUBLIC_URL": "http://127.0.0.1:8595", **oidc.env("GOOGLE")},
        demo_pace=0, connectors_dir=protocol_connector(tmp_path / "connectors", package),
        catalogue_path=catalogue_with_faker(tmp_path, package=package),
    )
    h = Hub.open(settings)
    h.create_tenant("acme", name="Acme", business_type="saas")
    try:
        yield h
    finally:
        h.close()


def _stored(hub: Hub, conn_id: str) -> dict[str, Any]:
    tenant_id = hub.tenant("acme").tenant.id
    sealed = hub.db.store(tenant_id).get_sealed(conn_id)
    assert sealed is not None
    return hub.keys.open_config(sealed, tenant_id=tenant_id, connection_id=conn_id)


def test_rotated_refresh_tokens_are_stored_at_once_and_encrypted_on_every_path(
    hub: Hub, oidc: OidcServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    svc = hub.tenant("acme")
    flow = OAuthFlow(hub)
    url = flow.start(svc.tenant.id, "google-sheets", user_id="u-alice", fields={"spreadsheet_id": SHEET})
    signed = flow.finish(callback_params(oidc.consent(url)), user_id="u-alice")
    app = app_for_source(hub.settings, "google-sheets")
    assert app is not None and signed.token.refresh_token
    secret = app.client_secret.get_secret_value()
    credentials = connector_config("google-sheets", signed.token, app.client_id, secret)
    config = {"spreadsheet_id": SHEET, **credentials}
    assert config["credentials"]["refresh_token"] == signed.token.refresh_token
    tokens = [signed.token.refresh_token]

    # connect: the check refreshed and reported a new refresh token, stored before the connect finished
    conn = svc.connect("faker", config, actor="u-alice", mode=Mode.LIVE, sample_limit=0)
    assert conn.status is Status.CONNECTED, conn.status_detail
    tokens.append(_stored(hub, conn.id)["credentials"]["refresh_token"])
    # the health check (the monitor's path) stores the one its check reports
    record = svc.check_connection(conn.id, actor="monitor")
    assert record is not None and record.outcome == "ok"
    tokens.append(_stored(hub, conn.id)["credentials"]["refresh_token"])
    # a preview whose read fails after the CONTROL message: the new token is kept all the same
    with pytest.raises(ConnectorError):
        svc.preview(conn.id, "users", limit=10, actor="u-alice")
    stored = _stored(hub, conn.id)
    tokens.append(stored["credentials"]["refresh_token"])

    assert len(set(tokens)) == 4, "each run's rotated refresh token replaced the one before"
    assert all(t.startswith("rt-") for t in tokens[1:])
    assert stored["spreadsheet_id"] == SHEET and stored["credentials"]["client_secret"] == secret
    assert "refresh_token" not in str(svc.get_connection(conn.id).metadata)  # public config: no secrets

    with hub.db.begin(write=False) as c:
        rows = "\n".join(str(c.execute(sa.text(f"SELECT * FROM {t}")).all())
                         for t in sa.inspect(c).get_table_names())
    at_rest = bytes_at_rest(hub.settings.home).decode("latin-1")
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    for value in [*tokens, secret]:
        assert value not in rows and value not in at_rest and value not in logged

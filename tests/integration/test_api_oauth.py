"""The API's OAuth sign-in against oidc-provider: start with a key, the provider's pages, the callback
without a key (authorised by the state), a redirect only to an allowed origin, and no code or token in
the URL the browser is sent back to. The sign-in is Intercom's: the connection is live, its real connector
checking and discovering through the session's Intercom double (tests/saas_double.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.settings import Settings
from hub.storage.tables import oauth_states
from tests.integration.api_support import make_key
from tests.oidc_support import OidcServer
from tests.saas_double import Double, Intercom, intercom_env

FRONT = "http://127.0.0.1:3999"


@pytest.fixture
def api(
    oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home
) -> Iterator[tuple[TestClient, Hub]]:
    settings = Settings.from_env({
        "HUB_HOME": str(hub_home), "HUB_API_PUBLIC_URL": "http://127.0.0.1:8597",
        "HUB_API_CORS_ORIGINS": FRONT, **oidc.env("INTERCOM"), **intercom_env(intercom[0]),
    })
    hub = Hub.open(settings)
    hub.create_tenant("acme", name="Acme", business_type="saas")
    with TestClient(create_app(settings=settings, hub=hub)) as client:
        yield client, hub
    hub.close()


def _start(client: TestClient, key: str, **body: object) -> str:
    r = client.post("/api/oauth/intercom/start", json=body, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    url: str = r.json()["authorize_url"]
    return url


def test_start_provider_callback_and_back_to_the_front_end(api, oidc):
    client, hub = api
    caller = make_key(hub, "acme", "web")
    url = _start(client, caller.key, return_to=f"{FRONT}/done")
    back = oidc.consent(url)
    assert back.startswith("http://127.0.0.1:8597/api/oauth/callback?")
    r = client.get(back.removeprefix("http://127.0.0.1:8597"), follow_redirects=False)  # no key
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith(f"{FRONT}/done?connection_id=") and "status=connected" in location
    assert "code" not in location.split("?", 1)[1].replace("connection_id", "")
    conn_id = location.split("connection_id=")[1].split("&")[0]
    conn = hub.tenant("acme").get_connection(conn_id)
    assert conn.metadata["credentials_expire_at"] and conn.mode == "live"
    assert "admins" in conn.metadata["streams"]  # discovered by the real connector

    again = client.get(back.removeprefix("http://127.0.0.1:8597"), follow_redirects=False)
    assert again.status_code == 400 and "already used" in again.json()["error"]


def test_return_to_must_be_an_allowed_origin(api):
    client, hub = api
    caller = make_key(hub, "acme", "web")
    r = client.post("/api/oauth/intercom/start", json={"return_to": "https://evil.example/x"},
                    headers=caller.headers)
    assert r.status_code == 422 and "HUB_API_CORS_ORIGINS" in r.text


def test_only_a_failed_connection_of_the_same_source_can_be_reconnected_from_the_api(api):
    client, hub = api
    caller = make_key(hub, "acme", "web")
    connected = hub.tenant("acme").connect("intercom", {}, actor="alice", mode="demo")
    r = client.post("/api/oauth/intercom/start", json={"connection_id": connected.id}, headers=caller.headers)
    assert r.status_code in (400, 409, 422), r.text
    assert "cannot be reconnected with a intercom sign-in" in r.text and "Only a failed connection" in r.text
    with hub.db.begin(write=False) as c:
        assert c.execute(sa.select(sa.func.count()).select_from(oauth_states)).scalar() == 0  # none started


def test_start_needs_a_key_but_the_callback_does_not(api):
    client, _ = api
    assert client.post("/api/oauth/intercom/start", json={}).status_code == 401
    r = client.get("/api/oauth/callback?state=x&code=y")
    assert r.status_code == 400 and "not one the hub started" in r.json()["error"]

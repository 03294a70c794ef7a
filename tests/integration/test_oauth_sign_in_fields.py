"""The fields a sign-in carries besides its tokens (`hub.oauth.fields`), against oidc-provider.

Google Sheets' connector needs its spreadsheet as well as the tokens: the start takes it (app, API),
checks it (a missing, unknown, secret or malformed field is refused naming it, and nothing is stored), the
pending sign-in keeps it (``oauth_states.fields``), and the connect after the callback gets it. The real
airbyte-source-google-sheets then checks the connection inside a network namespace where Google is
unreachable: the connection fails, for the network, not for a missing field. A reconnect keeps the
connection's fields unless new ones replace them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.exceptions import ConfigError
from hub.models import Connection, Status
from hub.oauth.connect import finish_in_app, start_in_app
from hub.oauth.flow import OAuthFlow
from hub.settings import Settings
from hub.storage.tables import oauth_states
from tests.integration.api_support import make_key
from tests.oidc_support import SHEET, SHEET_FIELDS, OidcServer, callback_params, sheets_env
from tests.saas_double import Double, Intercom

APP_URL = "http://127.0.0.1:8594"
#: The failure kinds of a check that could not reach Google (the connector reports a failed token request
#: as an error of its own); never ``config``, the kind of a missing field.
UNREACHABLE = ("network", "source_error")
OTHER_SHEET = "https://docs.google.com/spreadsheets/d/2xYz/edit"


@pytest.fixture
def hub(oidc: OidcServer, intercom: tuple[Double, Intercom], hub_home) -> Iterator[Hub]:
    env = sheets_env(oidc, intercom[0], APP_URL)
    h = Hub.open(Settings.from_env({"HUB_HOME": str(hub_home), "HUB_API_PUBLIC_URL": APP_URL, **env}))
    h.create_tenant("acme", name="Acme", business_type="saas")
    try:
        yield h
    finally:
        h.close()


def _tid(hub: Hub) -> str:
    return hub.tenant("acme").tenant.id


def _states(hub: Hub) -> list[dict[str, Any]]:
    with hub.db.begin(write=False, tenant_id=_tid(hub)) as c:
        return [dict(r._mapping) for r in c.execute(sa.select(oauth_states)).all()]


def _sealed(hub: Hub, conn_id: str) -> dict[str, Any]:
    sealed = hub.db.store(_tid(hub)).get_sealed(conn_id)
    assert sealed is not None
    return hub.keys.open_config(sealed, tenant_id=_tid(hub), connection_id=conn_id)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "Google Sheets needs Spreadsheet Link ('spreadsheet_id') before you sign in."),
        ({"spreadsheet_id": "  "}, "needs Spreadsheet Link"),
        ({**SHEET_FIELDS, "credentials": {"auth_type": "Client"}}, "filled by the Google Sheets sign-in"),
        ({**SHEET_FIELDS, "spreadsheet": SHEET}, "Google Sheets has no field 'spreadsheet' a sign-in can"),
        ({"spreadsheet_id": SHEET, "batch_size": "many"}, "The field 'batch_size' is invalid"),
    ],
)
def test_a_missing_or_wrong_field_is_refused_before_the_redirect_storing_nothing(hub, fields, words):
    with pytest.raises(ConfigError) as err:
        start_in_app(hub, _tid(hub), "google-sheets", user="alice", fields=fields)
    assert words in err.value.message and err.value.hint
    assert _states(hub) == [] and hub.tenant("acme").audit_log(action="oauth.start") == []


def test_a_secret_field_is_refused_not_carried(hub):
    # Facebook Marketing's spec has a top-level secret access_token (hidden): a sign-in never carries one
    with pytest.raises(ConfigError, match="'access_token' is a secret; a sign-in carries no secrets"):
        OAuthFlow(hub).fields("facebook-marketing", {"account_ids": ["1"], "access_token": "EAAB"})
    assert OAuthFlow(hub).fields("facebook-marketing", {"account_ids": ["111"]}) == {
        "account_ids": ["111"]
    }
    with pytest.raises(ConfigError, match="property_ids"):  # GA4's property ids are numbers
        OAuthFlow(hub).fields("google-analytics", {"property_ids": ["not-a-number"]})


def _tested_not_refused(conn: Connection) -> None:
    """Tested by the real connector with the field: refused for Google being unreachable, not for a field."""
    assert conn.status is Status.FAILED
    assert conn.metadata["check"]["kind"] in UNREACHABLE, conn.status_detail
    assert "required" not in conn.status_detail and "spreadsheet" not in conn.status_detail.lower()


def test_the_fields_reach_the_connect_and_a_reconnect_keeps_or_replaces_them(hub, oidc):
    url = start_in_app(hub, _tid(hub), "google-sheets", user="alice", fields=SHEET_FIELDS)
    (pending,) = _states(hub)
    assert pending["fields"] == SHEET_FIELDS
    start = hub.tenant("acme").audit_log(action="oauth.start")[-1]
    assert start.detail == {"face": "app", "fields": ["spreadsheet_id"]}  # names, not values
    first = finish_in_app(hub, callback_params(oidc.consent(url)), tenant_id=_tid(hub), user="alice")
    assert _states(hub) == []
    assert first.metadata["config"]["spreadsheet_id"] == SHEET  # shown: not a secret
    stored = _sealed(hub, first.id)
    assert stored["spreadsheet_id"] == SHEET and stored["credentials"]["refresh_token"]
    _tested_not_refused(first)

    # reconnect without fields: the connection's own are carried (with the spec's defaults it was made with)
    start_in_app(hub, _tid(hub), "google-sheets", user="alice", connection_id=first.id)
    (pending,) = _states(hub)
    assert pending["connection_id"] == first.id
    assert pending["fields"] == {k: v for k, v in first.metadata["config"].items() if k != "credentials"}
    assert pending["fields"]["spreadsheet_id"] == SHEET
    # with a field given: it replaces the connection's
    url = start_in_app(hub, _tid(hub), "google-sheets", user="alice", connection_id=first.id,
                       fields={"spreadsheet_id": OTHER_SHEET})
    again = finish_in_app(hub, callback_params(oidc.consent(url)), tenant_id=_tid(hub), user="alice")
    assert again.id == first.id and again.metadata["config"]["spreadsheet_id"] == OTHER_SHEET
    assert _sealed(hub, again.id)["spreadsheet_id"] == OTHER_SHEET
    assert [c.id for c in hub.tenant("acme").list_connections()] == [first.id]
    _tested_not_refused(again)


def test_the_api_start_takes_the_fields_and_points_at_a_wrong_one(hub):
    with TestClient(create_app(settings=hub.settings, hub=hub)) as client:
        auth = {"Authorization": f"Bearer {make_key(hub, 'acme', 'web').key}"}
        r = client.post("/api/oauth/google-sheets/start", json={}, headers=auth)
        assert r.status_code == 422, r.text
        (issue,) = r.json()["detail"]
        assert issue["loc"] == ["body", "fields", "spreadsheet_id"] and "Spreadsheet Link" in issue["msg"]
        wrong = {"fields": {**SHEET_FIELDS, "x": 1}}
        r = client.post("/api/oauth/google-sheets/start", json=wrong, headers=auth)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "fields", "x"]
        unknown = {"fields": SHEET_FIELDS, "connection_id": "5d0f3c4e-1b2a-4c3d-9e8f-0000000000aa"}
        r = client.post("/api/oauth/google-sheets/start", json=unknown, headers=auth)
        assert r.status_code == 404, r.text  # a reconnect of a connection this tenant does not have
        assert _states(hub) == []

        r = client.post("/api/oauth/google-sheets/start", json={"fields": SHEET_FIELDS}, headers=auth)
        assert r.status_code == 200, r.text
        (pending,) = _states(hub)
        assert pending["fields"] == SHEET_FIELDS and pending["face"] == "api"
        assert parse_qs(urlsplit(r.json()["authorize_url"]).query)["redirect_uri"] == [
            f"{APP_URL}/api/oauth/callback"
        ]

"""Real OAuth sign-in in the app: the Connect dialog's **Sign in with <Provider>** (or the demo consent
without an app), and the hidden ``oauth_callback`` page, against the tests' oidc-provider.

The provider's own login and consent pages are walked with `OidcServer.consent` (the service-level
automatic interaction); the browser test in ``tests/e2e/test_oauth_browser.py`` clicks through them. The
callbacks that connect are Intercom's: the connection is live, its real connector checking and discovering
through the session's Intercom double (tests/saas_double.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from hub.models import Mode, Status
from hub.oauth.providers import KEPT_REFRESH_PATH, get_path
from hub.storage.tables import oauth_states
from tests.app.support import (
    has_text,
    new_app,
    ok,
    open_hub,
    rendered,
    show_every_card,
    sign_in,
    status_labels,
)
from tests.oidc_support import SHEET, OidcServer, callback_params, sheets_env
from tests.saas_double import Double, Intercom, intercom_env

APP_URL = "http://127.0.0.1:8599"
CALLBACK = "app_pages/oauth_callback.py"


@pytest.fixture
def google(oidc: OidcServer, monkeypatch: pytest.MonkeyPatch) -> OidcServer:
    """The Google app pointed at oidc-provider, and the app's public address."""
    for key, value in oidc.env("GOOGLE").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUB_PUBLIC_URL", APP_URL)
    return oidc


@pytest.fixture
def intercom_app(
    oidc: OidcServer, intercom: tuple[Double, Intercom], monkeypatch: pytest.MonkeyPatch
) -> OidcServer:
    """The Intercom app pointed at oidc-provider, its connector at the double, and the app's address."""
    for key, value in {**oidc.env("INTERCOM"), **intercom_env(intercom[0])}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUB_PUBLIC_URL", APP_URL)
    return oidc


def _dialog(source_id: str, user: str = "alice") -> AppTest:
    at = sign_in(user)
    return ok(show_every_card(at).button(key=f"all_connect_{source_id}").click().run())


def _sheets_dialog(user: str = "alice") -> AppTest:
    """Google Sheets' dialog with its spreadsheet filled in (asked before the sign-in)."""
    return ok(_dialog("google-sheets", user).text_input(key="spec__spreadsheet_id").input(SHEET).run())


def _link(at: AppTest) -> str:
    links = at.get("link_button")
    assert len(links) == 1, [str(x) for x in links]
    assert links[0].proto.label.startswith("Sign in with ")
    return str(links[0].proto.url)


def _callback(at: AppTest, params: dict[str, str]) -> AppTest:
    """The provider's redirect back to ``oauth_callback`` in the session of ``at``."""
    for key, value in params.items():
        at.query_params[key] = value
    return ok(at.switch_page(CALLBACK).run())


def _stored(tenant: str = "acme") -> tuple[list, list[str]]:
    hub = open_hub()
    try:
        service = hub.tenant(tenant)
        return service.list_connections(), [e.action for e in service.audit_log()]
    finally:
        hub.close()


def _tokens(connection_id: str, tenant: str = "acme") -> list[str]:
    hub = open_hub()
    try:
        tid = hub.tenant(tenant).tenant.id
        config = hub.keys.open_config(hub.db.store(tid).get_sealed(connection_id), tenant_id=tid,
                                      connection_id=connection_id)
        return [str(t) for t in (config.get("access_token"), get_path(config, KEPT_REFRESH_PATH)) if t]
    finally:
        hub.close()


def test_with_an_app_the_dialog_offers_sign_in_beside_sample_data_and_shows_the_redirect_uri(google):
    at = _sheets_dialog()
    url = _link(at)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(google.authorize_url)
    assert query["redirect_uri"] == [f"{APP_URL}/oauth_callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert at.button(key="consent_sample") is not None
    assert not [b for b in at.button if b.key == "consent_approve"]  # no simulated consent beside it
    assert has_text(at, f"`{APP_URL}/oauth_callback`")
    # a rerun of the dialog reuses its sign-in (one state), it does not start another
    ok(at.run())
    assert _link(at) == url


def test_without_an_app_the_dialog_keeps_the_demo_consent(monkeypatch):
    monkeypatch.setenv("HUB_PUBLIC_URL", APP_URL)
    at = _dialog("google-sheets")
    assert not at.get("link_button")
    assert at.button(key="consent_approve") is not None and at.button(key="consent_sample") is not None
    ok(at.button(key="consent_approve").click().run())
    assert [c.status for c in _stored()[0]] == [Status.CONNECTED]


def test_square_keeps_the_demo_consent_even_with_an_app_since_no_connector_takes_its_tokens(monkeypatch):
    monkeypatch.setenv("HUB_PUBLIC_URL", APP_URL)
    monkeypatch.setenv("HUB_OAUTH_SQUARE_CLIENT_ID", "sq0idp-example")
    monkeypatch.setenv("HUB_OAUTH_SQUARE_CLIENT_SECRET", "sq0csp-secret-value")
    at = _dialog("square")
    assert not at.get("link_button")  # no "Sign in with Square" that would end in "no connector"
    assert at.button(key="consent_approve") is not None


def test_shopify_asks_for_the_shop_first_and_checks_it(monkeypatch):
    monkeypatch.setenv("HUB_PUBLIC_URL", APP_URL)
    monkeypatch.setenv("HUB_OAUTH_SHOPIFY_CLIENT_ID", "shopify-app-id")
    monkeypatch.setenv("HUB_OAUTH_SHOPIFY_CLIENT_SECRET", "shopify-app-secret-value")
    at = _dialog("shopify")
    assert not at.get("link_button") and at.button(key="oauth_sign_in_disabled").disabled
    ok(at.text_input(key="oauth_account").input("not a shop!").run())
    assert not at.get("link_button") and has_text(at, "needs your shop (letters, digits and dashes)")
    ok(at.text_input(key="oauth_account").input("acme.myshopify.com").run())
    url = _link(at)
    assert url.startswith("https://acme.myshopify.com/admin/oauth/authorize?")
    assert parse_qs(urlsplit(url).query)["scope"][0].count(",") >= 1  # Shopify's comma-separated scopes
    assert "shopify-app-secret-value" not in rendered(at)


def test_the_callback_connects_clears_the_url_and_shows_no_token(intercom_app):
    at = _dialog("intercom")
    back = intercom_app.consent(_link(at))
    params = callback_params(back)
    assert back.startswith(f"{APP_URL}/oauth_callback?") and params["code"]
    _callback(at, params)
    assert dict(at.query_params) == {}  # no code or state left in the address
    assert has_text(at, "Intercom is connected")
    assert status_labels(at) and "Finishing" not in status_labels(at)[0]  # the box ended on the result
    (conn,), actions = _stored()
    assert conn.status is Status.CONNECTED and conn.metadata["oauth"]["provider"] == "INTERCOM"
    assert conn.mode is Mode.LIVE and "admins" in conn.metadata["streams"]
    assert actions[-1] == "connection.status" and "oauth.callback" in actions
    tokens = _tokens(conn.id)
    page = rendered(at)
    session = repr({k: at.session_state[k] for k in at.session_state})
    assert len(tokens) == 2 and not [t for t in (*tokens, params["code"]) if t in page or t in session]
    # a rerun shows the result again and does not finish twice
    ok(at.run())
    assert has_text(at, "Intercom is connected") and len(_stored()[0]) == 1


def test_a_denied_consent_says_so_and_stores_nothing(google):
    at = _sheets_dialog()
    params = callback_params(google.consent(_link(at), abort=True))
    assert params["error"] == "access_denied"
    _callback(at, params)
    assert dict(at.query_params) == {}
    assert has_text(at, "You declined the request, so nothing was connected.")
    connections, actions = _stored()
    assert connections == [] and actions[-1] == "oauth.denied"


def test_a_provider_error_such_as_invalid_scope_is_shown_and_audited(google):
    at = _sheets_dialog()
    state = parse_qs(urlsplit(_link(at)).query)["state"][0]
    # what a provider sends back when it refuses the scopes asked for (RFC 6749, 4.1.2.1)
    _callback(at, {"state": state, "error": "invalid_scope", "error_description": "unknown scope"})
    assert dict(at.query_params) == {}
    assert has_text(at, "The provider refused the sign-in (invalid_scope).")
    assert has_text(at, "Nothing was connected or stored.")
    connections, actions = _stored()
    assert connections == [] and actions[-1] == "oauth.callback"


def test_a_reused_callback_is_refused(intercom_app):
    at = _dialog("intercom")
    params = callback_params(intercom_app.consent(_link(at)))
    _callback(at, params)
    again = _callback(sign_in("alice"), params)  # the same address opened again (history, another tab)
    assert has_text(again, "This sign-in was already used or never started here.")
    assert len(_stored()[0]) == 1


def test_another_users_callback_is_refused_and_audited(google):
    at = _sheets_dialog("alice")
    hub = open_hub()
    try:  # carol of alice's tenant: the callback of alice's sign-in lands in carol's session
        hub.create_user("carol", tenant="acme", name="Carol", password="demo-carol-pw")
    finally:
        hub.close()
    params = callback_params(google.consent(_link(at)))
    mallory = _callback(sign_in("carol", "demo-carol-pw"), params)
    assert has_text(mallory, "This sign-in was started by someone else; nothing was connected.")
    connections, actions = _stored()
    assert connections == [] and actions[-1] == "oauth.callback"
    hub = open_hub()
    try:
        entry = hub.tenant("acme").audit_log()[-1]
    finally:
        hub.close()
    assert entry.outcome == "error" and entry.actor == "carol"
    assert entry.detail["reason"] == "another user's state"


def test_a_callback_before_sign_in_waits_out_of_the_url_for_it(intercom_app):
    at = _dialog("intercom")
    params = callback_params(intercom_app.consent(_link(at)))
    fresh = new_app()  # the provider sends the browser back into a new session, not yet signed in
    for key, value in params.items():
        fresh.query_params[key] = value
    ok(fresh.run())
    assert dict(fresh.query_params) == {} and fresh.button(key="signin_submit") is not None
    sign_in("alice", at=fresh)
    assert has_text(fresh, "Intercom is connected")
    assert [c.status for c in _stored()[0]] == [Status.CONNECTED]


def test_reconnect_of_an_expired_sign_in_keeps_the_connection(intercom_app):
    at = _dialog("intercom")
    _callback(at, callback_params(intercom_app.consent(_link(at))))
    (conn,), _ = _stored()
    hub = open_hub()
    try:  # the provider refused a refresh: "Authorization expired — reconnect"
        hub.tenant("acme").authorization_expired(conn.id, actor="hub", reason="invalid_grant")
    finally:
        hub.close()
    at = show_every_card(sign_in("alice"))
    assert at.button(key="all_connect_intercom").label == "Reconnect"  # the failed card's button
    ok(at.button(key="all_connect_intercom").click().run())
    assert has_text(at, "Authorization expired — reconnect") and has_text(at, "keeps its id and history")
    assert not [b for b in at.button if b.key == "dialog_retry_button"]  # the refused tokens: no Retry
    _callback(at, callback_params(intercom_app.consent(_link(at))))
    assert has_text(at, "Intercom is connected")
    (again,), _ = _stored()
    assert again.id == conn.id and again.status is Status.CONNECTED
    assert "credentials_refresh_error" not in again.metadata


# --------------------------------------------------------------------------- fields besides the tokens


@pytest.fixture
def sheets_app(
    oidc: OidcServer, intercom: tuple[Double, Intercom], monkeypatch: pytest.MonkeyPatch
) -> OidcServer:
    """The Google app at oidc-provider; the real Google Sheets connector where Google is unreachable."""
    for key, value in sheets_env(oidc, intercom[0], APP_URL).items():
        monkeypatch.setenv(key, value)
    return oidc


def _pending() -> list[dict]:
    hub = open_hub()
    try:
        tid = hub.tenant("acme").tenant.id
        with hub.db.begin(write=False, tenant_id=tid) as c:
            return [dict(r._mapping) for r in c.execute(sa.select(oauth_states)).all()]
    finally:
        hub.close()


def test_google_sheets_asks_for_its_spreadsheet_before_the_sign_in(google):
    at = _dialog("google-sheets")
    assert not at.get("link_button") and at.button(key="oauth_sign_in_disabled").disabled
    assert has_text(at, "Fill in **Spreadsheet Link** first, then sign in.")
    assert _pending() == [] and "oauth.start" not in _stored()[1]  # nothing started, nothing stored
    ok(at.text_input(key="spec__spreadsheet_id").input(f"  {SHEET} ").run())
    _link(at)
    (pending,) = _pending()
    assert pending["fields"] == {"spreadsheet_id": SHEET}
    # another spreadsheet: a new sign-in that carries it (the first one's state is not reused)
    ok(at.text_input(key="spec__spreadsheet_id").input(SHEET + "#gid=0").run())
    _link(at)
    assert [p["fields"]["spreadsheet_id"] for p in _pending()].count(SHEET + "#gid=0") == 1


def test_a_malformed_field_is_refused_in_the_dialog_naming_it(google):
    at = _dialog("google-analytics")
    assert has_text(at, "Fill in **Property IDs** first, then sign in.")
    ok(at.text_area(key="spec__property_ids").input("123, not-a-number").run())
    assert not at.get("link_button") and any("property_ids" in e.value for e in at.error)
    assert _pending() == []
    ok(at.text_area(key="spec__property_ids").input("123, 456").run())
    _link(at)
    assert [p["fields"] for p in _pending()] == [{"property_ids": ["123", "456"]}]


def test_a_sheets_sign_in_from_the_dialog_connects_with_its_spreadsheet(sheets_app):
    at = _sheets_dialog()
    (pending,) = _pending()
    assert pending["fields"] == {"spreadsheet_id": SHEET}
    _callback(at, callback_params(sheets_app.consent(_link(at))))
    assert _pending() == []
    (conn,), actions = _stored()
    assert "oauth.callback" in actions and conn.metadata["config"]["spreadsheet_id"] == SHEET
    hub = open_hub()
    try:
        tid = hub.tenant("acme").tenant.id
        sealed = hub.db.store(tid).get_sealed(conn.id)
        config = hub.keys.open_config(sealed, tenant_id=tid, connection_id=conn.id)
    finally:
        hub.close()
    assert config["spreadsheet_id"] == SHEET
    # tested by the real connector with it: Google is unreachable from its namespace, no field is missing
    assert conn.status is Status.FAILED and conn.metadata["check"]["kind"] in ("network", "source_error")
    assert "required" not in conn.status_detail and "spreadsheet" not in conn.status_detail.lower()
    # its Connect dialog now reconnects it, the form showing its spreadsheet, which may be changed
    at = show_every_card(sign_in("alice"))
    ok(at.button(key="all_connect_google-sheets").click().run())
    assert has_text(at, "keeps its id and history")
    assert at.text_input(key="spec__spreadsheet_id").value == SHEET
    _link(at)
    assert [(p["connection_id"], p["fields"]["spreadsheet_id"]) for p in _pending()] == [(conn.id, SHEET)]

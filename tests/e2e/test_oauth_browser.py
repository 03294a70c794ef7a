"""Real OAuth sign-in in a real browser: Connect → Sign in with Intercom → oidc-provider's own development
login and consent pages → back to the hub's ``oauth_callback`` in a new tab (a new Streamlit session, which
the sign-in cookie restores) → Connected. Afterwards the address holds no code or state, and no token or
code is in the page text, the server's log or the database. The connection is live: Intercom's real connector
checks and discovers through the session's Intercom double (tests/saas_double.py), which accepts only the
tokens the server reports active.

Its own app server: the shared one (`app_server`) has no OAuth app configured, and HUB_PUBLIC_URL must name
this server's port for the redirect URI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, Request, expect

from hub import Hub
from hub.oauth.providers import KEPT_REFRESH_PATH, get_path
from hub.settings import Settings
from tests.e2e import flows
from tests.e2e.support import StreamlitServer, click, free_port, open_app, settle, shot, watch_reruns
from tests.oidc_support import OidcServer
from tests.saas_double import Double, Intercom, intercom_env

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def oauth_server(
    oidc: OidcServer, intercom: tuple[Double, Intercom], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """``streamlit run app.py``: the Intercom app pointed at oidc-provider, its connector at the double."""
    base = tmp_path_factory.mktemp("e2e-oauth")
    port = free_port()
    env = {
        "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}", **oidc.env("INTERCOM"), **intercom_env(intercom[0]),
    }
    server = StreamlitServer(hub_home=base / "hubhome", log_path=base / "streamlit.log", env=env, port=port)
    server.hub_home.mkdir()
    server.typed_secrets.add(oidc.client("INTERCOM")[1])  # the app's client secret never reaches the log
    try:
        server.start(timeout=60)
        yield server
    finally:
        server.close()
    assert not server.leaked_secrets(), server.leaked_secrets()


def test_sign_in_with_the_providers_own_pages_and_back_to_connected(
    page: Page, oauth_server: StreamlitServer, oidc: OidcServer, artifacts_dir: Path
) -> None:
    def shots(where: Page, name: str) -> Path:
        return shot(where, artifacts_dir, name)

    page.set_default_timeout(30_000)
    watch_reruns(page)
    callbacks: list[str] = []

    def seen(request: Request) -> None:
        if "/oauth_callback?" in request.url:
            callbacks.append(request.url)

    page.context.on("request", seen)
    open_app(page, oauth_server.url)
    flows.sign_in_as(page, "alice", "demo")

    flows.show_every_card(page)
    dialog = flows.open_connect_dialog(page, "intercom", "Intercom", flows.ALL)
    expect(dialog.get_by_text(f"{oauth_server.url}oauth_callback")).to_be_visible()
    link = dialog.locator(".st-key-oauth_sign_in").get_by_role("link", name="Sign in with Intercom")
    authorize = re.compile(rf"^{re.escape(oidc.authorize_url)}\?.*state=")  # Intercom: no PKCE
    expect(link).to_have_attribute("href", authorize)
    shots(page, "01-dialog")
    settle(page)
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value  # st.link_button opens the provider in a new tab
    tab.set_default_timeout(30_000)

    # oidc-provider's development interactions: its login page, then its consent page
    tab.wait_for_url(f"{oidc.issuer}/**")
    tab.locator('input[name="login"]').fill("alice")
    tab.locator('input[name="password"]').fill("any")
    shots(tab, "02-provider-login")
    tab.locator('button[type="submit"]').click()
    expect(tab.get_by_role("button", name="Continue")).to_be_visible()
    shots(tab, "03-provider-consent")
    tab.get_by_role("button", name="Continue").click()

    # back at the hub: a new session, signed in again by the cookie, finishes the sign-in
    tab.wait_for_url(f"{oauth_server.url}oauth_callback**")
    expect(tab.get_by_text("Intercom is connected")).to_be_visible(timeout=60_000)
    shots(tab, "04-connected")
    assert callbacks, "the provider never sent the browser back"
    code = parse_qs(urlsplit(callbacks[0]).query)["code"][0]
    query = parse_qs(urlsplit(tab.url).query)
    assert "code" not in query and "state" not in query, tab.url

    with Hub.open(Settings.from_env({"HUB_HOME": str(oauth_server.hub_home)})) as hub:
        service = hub.tenant("acme")
        (conn,) = service.list_connections()
        assert conn.status.value == "connected" and conn.metadata["oauth"]["provider"] == "INTERCOM"
        assert conn.mode.value == "live" and "admins" in conn.metadata["streams"]
        tid = service.tenant.id
        sealed = hub.db.store(tid).get_sealed(conn.id)
        config = hub.keys.open_config(sealed, tenant_id=tid, connection_id=conn.id)
        secrets = [str(config["access_token"]), str(get_path(config, KEPT_REFRESH_PATH)), code]
        with hub.db.begin(write=False) as c:
            dump = str([c.execute(sa.text(f"SELECT * FROM {t}")).all()
                        for t in ("tenant_airbyte_connections", "audit_logs", "oauth_states")])
    text = tab.inner_text("body") + page.inner_text("body")
    log = oauth_server.log_path.read_text(errors="replace")
    for where, content in (("page", text), ("server log", log), ("database", dump), ("address", tab.url)):
        assert not [s for s in secrets if s in content], f"a token or the code is in the {where}"

    # the connection is usable from the result: its preview opens
    click(tab, tab.locator(".st-key-oauth_preview").get_by_role("button"))
    expect(tab.get_by_role("heading", name="Data preview", exact=True)).to_be_visible()

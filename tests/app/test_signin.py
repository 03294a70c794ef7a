"""The sign-in gate: nothing before sign-in, wrong passwords, every page gated, sign-in/out audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from hub.auth import cookie_key, session_username
from tests.app.support import ROOT, has_text, new_app, ok, open_hub, sign_in, texts
from tests.demo_support import forget_demo_pools, wait_for_demo_pools

PAGES = ["connect", "connections", "preview", "next_steps", "audit", "oauth_callback"]


def test_signed_out_visitor_sees_only_the_sign_in_form_and_the_demo_accounts():
    at = ok(new_app().run())
    assert [w.key for w in at.text_input] == ["signin_username", "signin_password"]
    assert (
        at.text_input(key="signin_password").proto.type == at.text_input(key="signin_password").proto.PASSWORD
    )
    assert has_text(at, "Demo accounts")
    assert has_text(at, "alice") and has_text(at, "bob") and has_text(at, "Acme Outfitters (E-commerce)")
    assert not has_text(at, "Recommended for")
    assert not at.sidebar.button  # no navigation, no sign-out
    assert [t.value for t in at.title] == [":material/hub: Data Source Hub"]


def test_wrong_password_is_refused_and_audited():
    at = sign_in("alice", "not-the-password")
    assert [e.value for e in at.error] == ["Wrong username or password. Check both and try again."]
    assert not has_text(at, "Recommended for")
    assert at.text_input(key="signin_password").value == ""  # the typed password is not kept
    assert "not-the-password" not in str(
        at.session_state.to_dict() if hasattr(at.session_state, "to_dict") else dict(at.session_state.items())
    )
    hub = open_hub()
    try:
        failed = hub.tenant("acme").audit_log(action="auth.sign_in_failed")
        assert [r.actor for r in failed] == ["alice"]
    finally:
        hub.close()


def test_unknown_user_is_refused_with_the_same_words():
    at = sign_in("mallory", "demo")
    assert [e.value for e in at.error] == ["Wrong username or password. Check both and try again."]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_gated(page):
    """A page script run on its own (a deep link without a session) shows only the sign-in prompt."""
    at = ok(AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=30).run())
    assert [w.value for w in at.warning] == ["Please sign in to see this page."]
    assert not at.title and not at.dataframe and not at.button


def test_sign_in_lands_on_the_catalogue_and_sign_out_returns_to_the_form():
    at = sign_in()
    assert [t.value for t in at.title] == ["Acme Outfitters"]
    assert at.sidebar.button(key="sign_out")
    assert has_text(at, "Signed in as Alice (Acme Outfitters) · `alice`")
    ok(at.sidebar.button(key="sign_out").click().run())
    assert [w.key for w in at.text_input] == ["signin_username", "signin_password"]
    assert not has_text(at, "Recommended for")
    hub = open_hub()
    try:
        actions = [r.action for r in hub.tenant("acme").audit_log()]
        assert actions[-2:] == ["auth.sign_in", "auth.sign_out"]
        assert hub.tenant("acme").verify_audit().ok
    finally:
        hub.close()


def test_a_user_added_with_the_cli_signs_in_to_their_own_tenant_only():
    hub = open_hub()
    try:
        hub.ensure_demo_accounts()
        hub.create_user("gina", tenant="globex", name="Gina Globex", password="gina-pass-1")
        hub.tenant("acme").connect(
            "shopify", {"account": "acme-outfitters.myshopify.com"}, actor="alice", mode="demo"
        )
    finally:
        hub.close()
    at = sign_in("gina", "gina-pass-1")
    assert [t.value for t in at.title] == ["Globex Cloud"]
    assert not any("Connected" in t for t in texts(at) if "badge" in t)  # Acme's Shopify is not Globex's
    assert has_text(at, "Recommended for SaaS")


def test_settings_come_from_streamlit_secrets_when_the_environment_has_none():
    at = new_app()
    at.secrets["HUB_PRODUCT_NAME"] = "Acme Data Desk"
    ok(at.run())
    assert [t.value for t in at.title] == [":material/hub: Acme Data Desk"]
    at = sign_in(at=at)
    ok(at.button(key="rec_connect_shopify").click().run())
    assert has_text(at, "Shopify wants to let Acme Data Desk read:")


def test_no_demo_accounts_outside_the_embedded_default(monkeypatch, hub_home):
    import base64
    import os

    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{hub_home / 'shared.db'}")
    monkeypatch.setenv("HUB_ENCRYPTION_KEYS", f"k1:{key}")
    at = ok(new_app().run())
    assert not has_text(at, "Demo accounts")
    at = sign_in("alice", "demo", at=at)
    assert [e.value for e in at.error] == ["Wrong username or password. Check both and try again."]
    hub = open_hub()
    try:
        assert hub.list_tenants() == []
    finally:
        hub.close()


def test_the_server_warms_up_the_demo_data_while_the_visitor_signs_in() -> None:
    forget_demo_pools()
    ok(new_app().run())  # only the sign-in form: nothing asks for demo data yet
    assert wait_for_demo_pools(30), "the app did not start building the demo data's pools"


def test_after_five_failures_the_form_says_when_to_try_again(monkeypatch):
    monkeypatch.setenv("HUB_SIGN_IN_MAX_FAILURES", "5")
    at = new_app()
    for attempt in range(5):
        at = sign_in("alice", f"wrong-{attempt}", at=at)
        assert [e.value for e in at.error] == ["Wrong username or password. Check both and try again."]
    at = sign_in("alice", "demo", at=at)  # the right password is refused too while locked out
    locked = "Too many failed sign-ins for this username. Try again in 15 minutes."
    assert [e.value for e in at.error] == [locked]
    assert not has_text(at, "Recommended for")
    at = sign_in("nobody-here", "x-1", at=at)  # the limit is per username
    assert [e.value for e in at.error] == ["Wrong username or password. Check both and try again."]
    hub = open_hub()
    try:
        failed = hub.tenant("acme").audit_log(action="auth.sign_in_failed")
        assert [(r.detail["reason"], r.outcome) for r in failed][-1] == ("locked out", "denied")
    finally:
        hub.close()


def _cookie_scripts(at: AppTest) -> list[str]:
    """The scripts the run renders (the sign-in cookie's writer is the only one)."""
    return [el.proto.body for el in at.get("html") if el.proto.unsafe_allow_javascript]


def test_the_sign_in_run_writes_the_signed_cookie_and_sign_out_deletes_it():
    """The cookie is written by a script in the sign-in run itself (no component, no extra rerun)."""
    at = sign_in()
    assert not at.get("iframe") and not at.get("component_instance")
    [script] = _cookie_scripts(at)
    written = r'document\.cookie = "hub_session=([\w.-]+); Path=/; Expires=([^;"]+); SameSite=Strict"'
    cookie = re.search(written, script)
    assert cookie, script
    assert '(location.protocol === "https:" ? "; Secure" : "")' in script
    expires = datetime.strptime(cookie.group(2), "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    hub = open_hub()
    try:
        assert session_username(cookie_key(hub.settings), cookie.group(1)) == "alice"
    finally:
        hub.close()
    ok(at.run())  # a later run renders the same script: the browser runs it once
    assert _cookie_scripts(at) == [script]

    ok(at.sidebar.button(key="sign_out").click().run())
    assert _cookie_scripts(at) == [
        '<script>document.cookie = "hub_session=; Path=/; Max-Age=0; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    ]

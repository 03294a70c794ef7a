"""The hub in a real headless Chromium against ``streamlit run app.py`` (fixtures in conftest.py).

One server for the session on a fresh embedded default: alice (Acme Outfitters, e-commerce) does the
Shopify flow, bob (Globex Cloud, SaaS) the PostgreSQL sample-data flow, so neither flow sees the
other's connections whatever the order. Screenshots of each step go to ``artifacts/e2e/<test>/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.support import StreamlitServer, click, key_locator, open_app, settle, sign_in, sign_in_form
from ui.auth import COOKIE_NAME

pytestmark = pytest.mark.e2e

Shots = Callable[[str], Path]

#: Records in ``window.__mostCards`` the most elements matching a selector at any moment from now on.
_COUNT_MOST_CARDS = """selector => {
  const count = () => { window.__mostCards = Math.max(window.__mostCards || 0,
                                                     document.querySelectorAll(selector).length); };
  count();
  new MutationObserver(count).observe(document.body, {childList: true, subtree: true});
}"""


def test_sign_in_gate(app_page: Page, app_server: StreamlitServer, shots: Shots) -> None:
    page = app_page
    # A page's own URL does not get past the sign-in form.
    open_app(page, app_server.url + "preview")
    flows.wait_sign_in_form(page)
    expect(page.get_by_role("heading", name="Data preview")).to_have_count(0)
    expect(page.get_by_text("Demo accounts")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "password")
    # The deep link shows the sign-in form itself, not Streamlit's "Page not found" over it.
    settle(page)
    expect(page.get_by_role("dialog", name="Page not found")).to_have_count(0)

    sign_in(page, "alice", "not-the-password")
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    shots("wrong-password")
    expect(page.get_by_role("heading", name=re.compile("^Recommended for"))).to_have_count(0)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # the field is blanked

    # Signing in at the deep link opens the page that was asked for.
    settle(page)
    sign_in(page, "alice", "demo")
    # Mid-rerun, Streamlit may briefly keep the previous run's heading beside the new one: wait for the
    # page, let the reruns settle, then there is exactly one.
    heading = page.get_by_role("heading", name="Data preview")
    expect(heading.first).to_be_visible()
    settle(page)
    expect(heading).to_have_count(1)
    expect(page.get_by_text("Wrong username or password.")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_contain_text("alice")


#: Counts in ``window.__runs`` the script runs that end from now on (the app's state leaves "running").
_COUNT_RUNS = """() => {
  window.__runs = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver((records) => {
    window.__runs += records.filter((r) => r.oldValue === "running").length;
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}"""
_HAS_COOKIE = "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))"


def _signed_out(page: Page) -> None:
    flows.wait_sign_in_form(page)
    settle(page)
    expect(page.get_by_role("heading", name=re.compile("^Recommended for"))).to_have_count(0)


def test_the_sign_in_cookie_survives_a_reload_and_sign_out_deletes_it(
    app_page: Page, app_server: StreamlitServer
) -> None:
    page = app_page
    page.evaluate(_COUNT_RUNS)
    flows.sign_in_as(page, "alice", "demo")  # waits for the cookie in the browser, then for the app to settle
    assert page.evaluate("window.__runs") == 1  # the sign-in is one run: writing the cookie reruns nothing
    [cookie] = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    assert (cookie["path"], cookie["sameSite"], cookie["secure"]) == ("/", "Strict", False)  # http here
    assert 6 * 86_400 < cookie["expires"] - time.time() <= 7 * 86_400  # the token's own expiry, 7 days

    # A reload opens a new session: the cookie signs it in, no form.
    page.reload()
    expect(page.get_by_role("heading", name="Recommended for E-commerce")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_contain_text("alice")
    expect(sign_in_form(page)).to_have_count(0)

    # Sign out deletes the cookie: the next reload shows the form.
    settle(page)
    click(page, page.get_by_role("button", name="Sign out"))
    flows.wait_sign_in_form(page)
    page.wait_for_function(f"name => !({_HAS_COOKIE})(name)", arg=COOKIE_NAME)
    page.reload()
    _signed_out(page)

    # A cookie the app did not sign (same user, another key) signs nobody in.
    forged = jwt.encode({"sub": "alice", "exp": int(time.time()) + 3600}, "f" * 43, algorithm="HS256")
    page.context.add_cookies([{"name": COOKIE_NAME, "value": forged, "url": app_server.url}])
    page.reload()
    _signed_out(page)


def test_shopify_consent_preview_continue(app_page: Page, shots: Shots) -> None:
    page = app_page
    flows.sign_in_as(page, "alice", "demo")

    # Landing: the recommendations for the tenant's business type, Shopify among them, nothing connected.
    expect(page.get_by_role("heading", name="Recommended for E-commerce")).to_be_visible()
    shopify = flows.card(page, "shopify")
    expect(shopify).to_contain_text(flows.NOT_CONNECTED)
    expect(shopify).to_contain_text("OAuth")
    expect(page.get_by_text("Connect at least one source to continue.")).to_be_visible()
    expect(flows.continue_button(page)).to_have_count(0)
    shots("catalogue")

    # Consent: provider, scopes in words, the account, the demo line, Approve and Cancel.
    dialog = flows.open_connect_dialog(page, "shopify", "Shopify")
    expect(dialog).to_contain_text("Shopify wants to let Data Source Hub read")
    expect(dialog).to_contain_text("read_orders")
    expect(dialog).to_contain_text("acme-outfitters.myshopify.com")
    expect(dialog).to_contain_text("Demo: no real account is contacted")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_visible()
    expect(dialog.get_by_text("Setup guide: Shopify")).to_be_visible()
    shots("consent")

    summary = flows.approve(page, dialog)
    expect(summary).to_have_text(re.compile(r"^Connected · 5 streams · "))
    for step in ("Connecting", "Testing the connection", "Discovering streams", "Sampling records"):
        expect(dialog.get_by_text(step, exact=True)).to_be_visible()
    shots("connected-dialog")
    flows.close_dialog_done(page, dialog)

    # The card shows the connection with its counts and the Demo badge; Continue counts it.
    expect(shopify).to_contain_text(flows.CONNECTED)
    expect(shopify).to_contain_text("Demo")
    expect(flows.continue_button(page)).to_have_accessible_name("Continue with 1 integration")
    shots("card-connected")

    # Data preview: the orders stream as a dataframe with Shopify's order fields.
    frame = flows.open_preview(page, "shopify", "orders")
    rows, columns = flows.dataframe_shape(frame)
    assert rows == 100, rows  # the sample limit; the demo stream holds more
    assert columns >= 18, columns
    headers = flows.dataframe_headers(frame)
    assert headers[:4] == ["id", "name", "order_number", "email"], headers
    expect(page.get_by_role("heading", name="Schema")).to_be_visible()
    expect(key_locator(page, "preview_download_csv").get_by_role("button")).to_be_visible()
    shots("preview-orders")

    # Continue with 1 integration -> Next steps with the summary and the manifest.
    click(page, page.get_by_role("link", name="Connect", exact=True))
    button = flows.continue_button(page)
    expect(button).to_have_accessible_name("Continue with 1 integration")
    click(page, button)
    expect(page.get_by_role("heading", name="Next steps", exact=True)).to_be_visible()
    expect(page.get_by_text("You are continuing with")).to_contain_text("1 integration")
    expect(page.get_by_text(re.compile(r"Shopify.* · Connected · 5 streams"))).to_be_visible()
    expect(key_locator(page, "manifest_download").get_by_role("button")).to_have_accessible_name(
        "Download manifest (JSON)"
    )
    shots("next-steps")


def test_postgres_sample_data(app_page: Page, shots: Shots) -> None:
    page = app_page
    flows.sign_in_as(page, "bob", "demo")
    expect(page.get_by_role("heading", name="Recommended for SaaS")).to_be_visible()
    flows.show_every_card(page)
    # Every run keeps the page's elements in place (the cookie component has its own slot): a rerun
    # never shows a stale copy of a card beside the new one.
    page.evaluate(_COUNT_MOST_CARDS, ".st-key-all_card_postgres")

    postgres = flows.card(page, "postgres", flows.ALL)
    expect(postgres).to_contain_text("Database")
    expect(postgres).to_contain_text(flows.NOT_CONNECTED)
    dialog = flows.open_connect_dialog(page, "postgres", "PostgreSQL", flows.ALL)
    # The live form is there too: host, port, database, user, password (masked), SSL mode.
    for label in ("Host", "Port", "Database", "Username", "Password", "SSL mode"):
        expect(dialog.get_by_label(label, exact=True)).to_be_visible()
    expect(dialog.get_by_label("Password", exact=True)).to_have_attribute("type", "password")
    shots("database-form")

    summary = flows.use_sample_data(page, dialog)
    expect(summary).to_have_text(re.compile(r"^Connected · \d+ streams · "))
    shots("sample-connected")
    flows.close_dialog_done(page, dialog)

    expect(postgres).to_contain_text(flows.CONNECTED)
    expect(postgres).to_contain_text("Demo")
    expect(flows.continue_button(page)).to_have_accessible_name("Continue with 1 integration")
    shots("card-connected")
    assert page.evaluate("window.__mostCards") == 1

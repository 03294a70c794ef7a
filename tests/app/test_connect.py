"""The Connect page: recommendations, search, and every connect dialog through to Connected or Failed."""

from __future__ import annotations

import pytest
import streamlit as st

from hub.catalogue import Catalogue
from hub.models import AuthKind, Mode, Status
from tests.app.support import (
    STRIPE_KEY,
    closed_port,
    has_text,
    new_app,
    ok,
    open_hub,
    rendered,
    show_every_card,
    sign_in,
    status_labels,
    texts,
)


def _connections(tenant: str = "acme"):
    hub = open_hub()
    try:
        return hub.tenant(tenant).list_connections()
    finally:
        hub.close()


def _audit_actions(tenant: str = "acme") -> list[str]:
    hub = open_hub()
    try:
        return [r.action for r in hub.tenant(tenant).audit_log()]
    finally:
        hub.close()


def _rec_ids(at) -> list[str]:
    return [
        b.key.removeprefix("rec_connect_") for b in at.button if b.key and b.key.startswith("rec_connect_")
    ]


def _session_values(at) -> str:
    return repr({k: at.session_state[k] for k in at.session_state})


@pytest.mark.parametrize(
    ("user", "business", "slug"), [("alice", "E-commerce", "ecommerce"), ("bob", "SaaS", "saas")]
)
def test_recommended_row_follows_the_business_type(user, business, slug):
    at = sign_in(user)
    assert has_text(at, f"Recommended for {business}")
    hub = open_hub()
    try:
        expected = [r.id for r in hub.catalogue.recommend(slug, limit=4)]
        reasons = [r.reason for r in hub.catalogue.recommend(slug, limit=4)]
    finally:
        hub.close()
    assert _rec_ids(at) == expected
    assert all(has_text(at, reason) for reason in reasons)


def test_recommendations_differ_between_tenants():
    assert _rec_ids(sign_in("alice")) != _rec_ids(sign_in("bob"))


def _all_cards(at) -> list[str]:
    """The source ids of the cards under "All integrations", in page order."""
    keys = [b.key for b in at.button if b.key]
    return [k.removeprefix("all_connect_") for k in keys if k.startswith("all_connect_")]


def test_catalogue_cards_categories_and_an_empty_search():
    at = sign_in()
    hub = open_hub()
    try:
        total = len(hub.catalogue.sources)
        categories = hub.catalogue.categories()
        in_order = [s.id for s in hub.catalogue.sources]
        payments = [s.id for s in hub.catalogue.search(category="Payments")]
    finally:
        hub.close()
    # The page opens on the recommendations, the search box and the categories: no other card yet.
    assert _all_cards(at) == []
    assert at.pills(key="catalogue_category").value is None
    assert has_text(at, f"**All** shows all {total}")
    assert at.pills(key="catalogue_category").options == [f"All · {total}"] + [
        f"{c} · {n}" for c, n in categories.items()
    ]
    # **All**: every integration, in catalogue order, each with its badges.
    ok(at.pills(key="catalogue_category").set_value("All").run())
    assert _all_cards(at) == in_order
    assert has_text(at, ":gray-badge[OAuth]") and has_text(at, ":gray-badge[API key]")
    assert has_text(at, ":gray-badge[Database]") and has_text(at, ":gray-badge[File]")
    assert has_text(at, "Not connected")
    # A category: its cards only.
    ok(at.pills(key="catalogue_category").set_value("Payments").run())
    assert sorted(_all_cards(at)) == sorted(payments) == ["square", "stripe"]
    ok(at.text_input(key="catalogue_search").input("zzzz-nothing").run())
    assert has_text(at, "No integrations match “zzzz-nothing” in Payments.")
    # Clear search: the search box empties and every card shows again.
    ok(at.button(key="catalogue_clear").click().run())
    assert at.text_input(key="catalogue_search").value == ""
    assert _all_cards(at) == in_order
    # Unselecting the category goes back to the opening view.
    ok(at.pills(key="catalogue_category").set_value(None).run())
    assert _all_cards(at) == []


def test_a_search_without_a_category_looks_through_every_integration():
    at = sign_in()
    ok(at.text_input(key="catalogue_search").input("payments").run())
    assert at.pills(key="catalogue_category").value is None
    hub = open_hub()
    try:
        expected = [s.id for s in hub.catalogue.search("payments")]
        total = len(hub.catalogue.sources)
    finally:
        hub.close()
    assert _all_cards(at) == expected and {"stripe", "square"} <= set(expected)
    ok(at.text_input(key="catalogue_search").input("zzzz-nothing").run())
    assert has_text(at, "No integrations match “zzzz-nothing”.")
    ok(at.button(key="catalogue_clear").click().run())
    assert len(_all_cards(at)) == total


def test_a_malformed_catalogue_file_falls_back_with_a_notice(tmp_path, monkeypatch):
    broken = tmp_path / "sources.json"
    broken.write_text('[{"id": "shopify"}]', encoding="utf-8")
    monkeypatch.setenv("HUB_CATALOGUE_PATH", str(broken))
    at = sign_in()
    (warning,) = at.warning
    assert warning.value.startswith("The catalogue file could not be used: ")
    assert "bundled" in warning.value
    assert show_every_card(at).button(key="all_connect_shopify")  # the bundled catalogue is shown


@pytest.mark.parametrize("form", ["top-level key", "[hub] table"])
def test_streamlit_secrets_can_point_the_app_at_another_catalogue(tmp_path, monkeypatch, form):
    import json

    from hub.catalogue import DEFAULT_PATH

    doc = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    doc["sources"] = doc["sources"][:3]
    doc["sources"][0]["name"] = "Shopify Plus"
    path = tmp_path / "staging_sources.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.delenv("HUB_CATALOGUE_PATH", raising=False)  # only st.secrets names the file
    at = new_app()
    if form == "top-level key":
        at.secrets["HUB_CATALOGUE_PATH"] = str(path)
    else:
        at.secrets["hub"] = {"catalogue_path": str(path)}
    at = show_every_card(sign_in(at=at))
    assert sorted(b.key for b in at.button if b.key.startswith("all_connect_")) == [
        "all_connect_shopify",
        "all_connect_stripe",
        "all_connect_woocommerce",
    ]
    assert any("Shopify Plus" in t for t in texts(at))
    assert not at.warning  # the file was used, no fallback notice


def test_oauth_consent_dialog_connects_shopify():
    at = sign_in()
    ok(at.button(key="rec_connect_shopify").click().run())
    assert has_text(at, "Shopify wants to let Data Source Hub read:")
    assert has_text(at, "**Account:** acme-outfitters.myshopify.com")
    assert has_text(at, "Demo: no real account is contacted")
    assert has_text(at, "Setup guide: Shopify")
    assert not _connections()  # nothing stored before Approve
    ok(at.button(key="consent_approve").click().run())
    assert status_labels(at)[-1].startswith("Connected · 5 streams · ")
    (conn,) = _connections()
    assert conn.source_id == "shopify" and conn.status is Status.CONNECTED and conn.mode is Mode.DEMO
    assert conn.created_by == "alice"
    assert conn.metadata["config"]["account"] == "acme-outfitters.myshopify.com"
    assert "access_token" not in conn.metadata["config"]  # the token lives only in the encrypted config
    actions = _audit_actions()
    assert "connection.create" in actions and actions.count("connection.status") >= 2
    ok(at.button(key="dialog_done").click().run())
    assert not has_text(at, "wants to let")  # the dialog closed
    assert has_text(
        at, ":green-badge[:material/check_circle: Connected] :violet-badge[:material/science: Demo]"
    )
    assert has_text(at, ":small[:gray[5 streams · ")
    assert has_text(at, ":violet-badge[:material/science: Demo]")
    assert [b.label for b in at.button if b.key == "continue_button"] == ["Continue with 1 integration"]


def test_cancel_in_the_consent_dialog_stores_nothing():
    at = sign_in()
    before = _audit_actions()
    ok(show_every_card(at).button(key="all_connect_hubspot").click().run())
    assert has_text(at, "HubSpot wants to let Data Source Hub read:")
    ok(at.button(key="consent_cancel").click().run())
    assert not has_text(at, "wants to let")
    assert _connections() == []
    assert _audit_actions() == before
    assert not [b for b in at.button if b.key == "continue_button"]


def test_api_key_source_shows_its_connectors_spec_and_a_missing_field_is_named_with_nothing_stored():
    at = sign_in()
    ok(at.button(key="rec_connect_stripe").click().run())
    secret = at.text_input(key="spec__client_secret")  # Stripe's own spec: "Secret Key", airbyte_secret
    assert secret.proto.type == secret.proto.PASSWORD and secret.label == "Secret Key"
    assert at.text_input(key="spec__account_id").label == "Account ID"
    assert at.text_input(key="spec__start_date").placeholder == "2017-01-25T00:00:00Z"
    assert at.button(key="apikey_sample").label == "Use sample data"  # demo mode stays
    at.text_input(key="spec__client_secret").input(STRIPE_KEY)
    ok(at.button(key="spec_submit").click().run())
    assert any("'account_id' is required" in e.value for e in at.error)
    assert _connections() == []  # validated before anything is stored or run
    assert STRIPE_KEY not in _session_values(at) and STRIPE_KEY not in rendered(at)


@pytest.mark.parametrize(
    ("card", "form", "streams"),
    [("rec_connect_stripe", "apikey", 5), ("rec_connect_shopify", "consent", 5)],
)
def test_use_sample_data_connects_a_demo_with_no_credentials(card, form, streams):
    at = sign_in()
    ok(at.button(key=card).click().run())
    assert at.button(key=f"{form}_sample").label == "Use sample data"
    ok(at.button(key=f"{form}_sample").click().run())  # nothing typed, nothing approved
    assert status_labels(at)[-1].startswith(f"Connected · {streams} streams")
    (conn,) = _connections()
    assert conn.status is Status.CONNECTED and conn.mode is Mode.DEMO
    assert conn.metadata["config"] == {"sample": True}
    ok(at.button(key="dialog_done").click().run())
    assert has_text(at, ":violet-badge[:material/science: Demo]")


#: The first catalogue source of each auth kind: each kind has its own connect dialog.
ONE_PER_KIND = {s.auth_kind: s.id for s in reversed(Catalogue.load().sources)}


@pytest.mark.parametrize("source_id", sorted(ONE_PER_KIND.values()))
def test_every_connect_dialog_offers_sample_data(source_id):
    # `none` is the sample data generator, which only the Airbyte tests' catalogue lists (faker_entry.json)
    assert set(ONE_PER_KIND) == set(AuthKind) - {AuthKind.NONE}
    at = sign_in()
    ok(show_every_card(at).button(key=f"all_connect_{source_id}").click().run())
    labels = [b.label for b in at.button if b.key and b.key.endswith("_sample")]
    assert labels == ["Use sample data"]


def test_an_auth_choice_shows_the_chosen_options_fields():
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_mailchimp").click().run())
    choice = at.radio(key="spec__credentials")
    assert choice.options == ["OAuth2.0", "API Key"] and choice.value == 1  # not OAuth: a key is typed
    assert at.text_input(key="spec__credentials__apikey").proto.type == 1  # PASSWORD
    ok(choice.set_value(0).run())
    assert at.text_input(key="spec__credentials__access_token")
    assert not [t for t in at.text_input if t.key == "spec__credentials__apikey"]


def test_database_with_sample_data():
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    assert at.text_input(key="db_password").proto.type == at.text_input(key="db_password").proto.PASSWORD
    assert at.selectbox(key="db_ssl_mode").value == "prefer"
    ok(at.button(key="db_sample").click().run())
    assert status_labels(at)[-1].startswith("Connected · 4 streams")
    (conn,) = _connections()
    assert conn.source_id == "postgres" and conn.mode is Mode.DEMO and conn.status is Status.CONNECTED


def test_database_that_refuses_shows_the_reason_and_retry_runs_again():
    port = closed_port()
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    at.text_input(key="db_host").input("127.0.0.1")
    at.number_input(key="db_port").set_value(port)
    at.text_input(key="db_database").input("shop")
    at.text_input(key="db_username").input("reader")
    at.text_input(key="db_password").input("Db-Pa55-Secret")
    ok(at.button(key="db_submit").click().run())
    assert status_labels(at)[-1] == "Failed"
    assert has_text(at, f"127.0.0.1:{port}") and has_text(at, "refused")
    (conn,) = _connections()
    assert conn.status is Status.FAILED and conn.mode is Mode.LIVE
    assert conn.metadata["config"]["host"] == "127.0.0.1" and "password" not in conn.metadata["config"]
    assert "Db-Pa55-Secret" not in _session_values(at) and "Db-Pa55-Secret" not in rendered(at)
    ok(at.run())
    ok(at.button(key="dialog_retry_button").click().run())
    assert status_labels(at)[-1] == "Failed"
    assert has_text(at, "refused")
    assert _audit_actions().count("connection.retest") == 1
    assert "Db-Pa55-Secret" not in _session_values(at) and "Db-Pa55-Secret" not in rendered(at)


@pytest.mark.postgres
def test_database_form_connects_a_live_postgres(postgres):
    database = postgres.create_database()
    postgres.psql(
        "CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, created_at timestamptz);"
        "INSERT INTO customers VALUES (1, 'a@example.com', now()), (2, 'b@example.com', now());",
        database=database,
    )
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    at.text_input(key="db_host").input("127.0.0.1")
    at.number_input(key="db_port").set_value(postgres.port)
    at.text_input(key="db_database").input(database)
    at.text_input(key="db_username").input("postgres")
    at.text_input(key="db_password").input(postgres.password)
    at.selectbox(key="db_ssl_mode").set_value("disable")
    ok(at.button(key="db_submit").click().run())
    (conn,) = _connections()
    assert conn.mode is Mode.LIVE
    assert conn.status is Status.CONNECTED, conn.status_detail
    assert postgres.password not in rendered(at) and postgres.password not in _session_values(at)
    ok(at.button(key="dialog_done").click().run())
    card = [t for t in texts(at) if ":gray-badge[Database] :green-badge" in t]  # the card's text
    assert card and "Live" in card[0] and "Demo" not in card[0]


def test_file_source_with_a_sample_file():
    at = sign_in("bob")
    ok(show_every_card(at).button(key="all_connect_csv").click().run())
    ok(at.button(key="file_sample").click().run())
    assert status_labels(at)[-1].startswith("Connected · 1 stream")
    (conn,) = _connections("globex")
    assert conn.source_id == "csv" and conn.name == "CSV file · orders_export.csv"


def test_continue_label_counts_and_leads_to_next_steps():
    at = sign_in()
    assert not [b for b in at.button if b.key == "continue_button"]
    ok(at.button(key="rec_connect_shopify").click().run())
    ok(at.button(key="consent_approve").click().run())
    ok(at.button(key="dialog_done").click().run())
    assert at.button(key="continue_button").label == "Continue with 1 integration"
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    ok(at.button(key="db_sample").click().run())
    ok(at.button(key="dialog_done").click().run())
    assert at.button(key="continue_button").label == "Continue with 2 integrations"
    ok(at.button(key="continue_button").click().run())
    assert [t.value for t in at.title] == ["Next steps"]
    assert has_text(at, "You are continuing with **2 integrations**.")
    assert at.download_button(key="manifest_download")
    ok(at.button(key="back_to_connect").click().run())
    assert [t.value for t in at.title] == ["Acme Outfitters"]


def test_preview_button_in_the_dialog_opens_the_preview():
    at = sign_in()
    ok(at.button(key="rec_connect_shopify").click().run())
    ok(at.button(key="consent_approve").click().run())
    ok(at.button(key="dialog_preview").click().run())
    assert [t.value for t in at.title] == ["Data preview"]
    assert at.dataframe


def test_a_rerun_during_a_paced_demo_connect_ends_it_interrupted_and_retry_connects(monkeypatch):
    # A rerun (a dismissed dialog, the sign-in cookie) stops the script at its next Streamlit call: here
    # the progress line of the first finished step, with the row already stored.
    monkeypatch.setenv("HUB_DEMO_PACE", "0.05")
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    real_markdown = st.markdown

    def rerun_at_first_step(body, *args, **kwargs):
        if "**Connecting**" in str(body):
            st.rerun()
        return real_markdown(body, *args, **kwargs)

    monkeypatch.setattr(st, "markdown", rerun_at_first_step)
    ok(at.button(key="db_sample").click().run())
    monkeypatch.setattr(st, "markdown", real_markdown)

    (conn,) = _connections()
    assert conn.status is Status.FAILED and conn.status_detail.startswith("Interrupted")
    assert "connection.interrupted" in _audit_actions()
    # the dialog kept the row: it shows why and offers Retry, not an empty form
    assert has_text(at, "Interrupted")
    ok(at.button(key="dialog_retry_button").click().run())
    assert status_labels(at)[-1].startswith("Connected · 4 streams")
    (conn,) = _connections()
    assert conn.status is Status.CONNECTED

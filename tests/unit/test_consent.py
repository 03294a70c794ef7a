"""hub.auth: the simulated OAuth consent and the sign-in cookie key."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from hub import Hub
from hub.auth import approve, consent_request, cookie_key, humanize_stream
from hub.catalogue import Catalogue
from hub.connectors import get_connector
from hub.exceptions import InputError
from hub.models import AuthKind, Tenant
from hub.settings import Settings

CATALOGUE = Catalogue.bundled()  # every entry, SQLite files too
OAUTH = [s.id for s in CATALOGUE.sources if s.auth_kind is AuthKind.OAUTH2]
OTHER = [s.id for s in CATALOGUE.sources if s.auth_kind is not AuthKind.OAUTH2]
ACME = Tenant(
    id="3f0c8b9e-0000-4000-8000-000000000001",
    slug="acme",
    name="Acme Outfitters",
    business_type="ecommerce",
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def test_shopify_consent_reads_like_a_provider_screen():
    request = consent_request(CATALOGUE.get("shopify"), ACME, "Data Source Hub")
    assert request.headline == "Shopify wants to let Data Source Hub read:"
    assert request.account == "acme-outfitters.myshopify.com"
    assert [s.name for s in request.scopes] == [s.name for s in CATALOGUE.get("shopify").scopes]
    assert all(s.description for s in request.scopes)
    assert "Product variants" in request.reads and "Orders" in request.reads
    assert request.demo_note.startswith("Demo: no real account is contacted")


@pytest.mark.parametrize("source_id", OAUTH)
def test_every_oauth_source_has_a_consent_that_the_demo_connector_accepts(source_id):
    source = CATALOGUE.get(source_id)
    request = consent_request(source, ACME, "Hub")
    assert request.provider == source.name
    assert request.account and request.account == consent_request(source, ACME, "Hub").account  # stable
    assert len(request.reads) == len(source.streams)
    config = approve(request)
    assert isinstance(config["access_token"], SecretStr)
    assert config["scopes"] == [s.name for s in source.scopes]
    connector = get_connector(source, "demo", tenant=ACME.id)
    validated = connector.validate(config)
    assert connector.check(validated).ok


def test_each_approval_issues_a_new_token_that_stays_masked():
    request = consent_request(CATALOGUE.get("hubspot"), ACME, "Hub")
    first, second = approve(request), approve(request)
    token = first["access_token"].get_secret_value()
    assert token != second["access_token"].get_secret_value()
    assert len(token) > 40
    assert token not in repr(first) and token not in str(first)


def test_accounts_differ_between_tenants():
    globex = ACME.model_copy(
        update={"id": "3f0c8b9e-0000-4000-8000-000000000002", "slug": "globex", "name": "Globex Cloud"}
    )
    for source_id in OAUTH:
        source = CATALOGUE.get(source_id)
        assert consent_request(source, ACME, "Hub").account != consent_request(source, globex, "Hub").account


@pytest.mark.parametrize("source_id", OTHER)
def test_sources_without_oauth_have_no_consent(source_id):
    with pytest.raises(InputError, match="does not use OAuth"):
        consent_request(CATALOGUE.get(source_id), ACME, "Hub")


def test_stream_names_in_words():
    assert humanize_stream("product_variants") == "Product variants"
    assert humanize_stream("Opportunity") == "Opportunities"
    assert humanize_stream("orders") == "Orders"


def test_a_demo_consent_connects_through_the_service_and_the_token_is_not_stored_in_clear(hub_home):
    hub = Hub.open(Settings.from_env())
    try:
        hub.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
        svc = hub.tenant("acme")
        config = approve(consent_request(CATALOGUE.get("shopify"), svc.tenant, "Hub"))
        token = config["access_token"].get_secret_value()
        conn = svc.connect("shopify", config, actor="alice", mode="demo")
        assert conn.status.value == "connected"
        assert conn.metadata["config"]["account"] == "acme-outfitters.myshopify.com"
        assert token not in str(conn.model_dump())
    finally:
        hub.close()
    for path in hub_home.iterdir():
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path.name


def test_cookie_key_is_generated_once_with_mode_0600(hub_home):
    settings = Settings.from_env()
    first = cookie_key(settings)
    path = hub_home / "cookie.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cookie_key(settings).get_secret_value() == first.get_secret_value()
    assert len(first.get_secret_value()) >= 32


def test_cookie_key_from_the_environment_wins(hub_home, monkeypatch):
    monkeypatch.setenv("HUB_COOKIE_KEY", "from-the-environment-0123456789abcdef")
    assert cookie_key(Settings.from_env()).get_secret_value() == "from-the-environment-0123456789abcdef"
    assert not (hub_home / "cookie.key").exists()

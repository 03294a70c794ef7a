"""The OAuth provider table: one entry per OAuth source of the catalogue, and each token mapping yields a
config the source's shipped connector spec accepts (checked with jsonschema against the real spec)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from hub.catalogue import Catalogue
from hub.connectors.airbyte.specs import shipped_spec
from hub.exceptions import InputError
from hub.oauth.providers import CONNECTOR_REFRESHES, PROVIDERS, SOURCES, Token, connector_config, for_source

TOKEN = Token(access_token="at-secret-1", refresh_token="rt-secret-1")
CATALOGUE = Catalogue.bundled()
OAUTH_SOURCES = [e for e in CATALOGUE if e.auth_kind == "oauth2"]
WITH_SPEC = [e for e in OAUTH_SOURCES if e.connector_package is not None]


def _spec(source_id: str) -> dict[str, Any]:
    package = CATALOGUE.get(source_id).connector_package
    assert package is not None
    return shipped_spec(package)["connectionSpecification"]


def test_every_oauth_source_has_exactly_one_entry():
    assert sorted(e.id for e in OAUTH_SOURCES) == sorted(SOURCES)
    assert {s.provider for s in SOURCES.values()} <= set(PROVIDERS)
    assert SOURCES["google-analytics"].provider == SOURCES["google-sheets"].provider == "GOOGLE"


@pytest.mark.parametrize("source_id", [e.id for e in WITH_SPEC])
def test_the_mapped_config_is_valid_for_the_shipped_spec(source_id):
    config = connector_config(source_id, TOKEN, "client-id", "client-secret")
    schema = dict(_spec(source_id))
    # the user's other fields (shop, start date, ids) come from the Connect form, not from the token
    schema["required"] = [k for k in schema.get("required", []) if k in config]
    jsonschema.Draft7Validator(schema).validate(config)
    assert schema["required"] or "credentials" in config


def _oauth_branch_requires_refresh(spec: dict[str, Any]) -> bool:
    creds = spec["properties"].get("credentials")
    if creds is None:  # top-level fields (Salesforce, Intercom)
        return "refresh_token" in spec.get("required", [])
    branches = [b for b in creds["oneOf"] if "client_id" in b.get("properties", {})]
    return any("refresh_token" in b.get("required", []) for b in branches)


def test_the_connector_refreshes_exactly_where_the_spec_forces_a_refresh_token():
    forced = {e.id for e in WITH_SPEC if _oauth_branch_requires_refresh(_spec(e.id))}
    assert forced == CONNECTOR_REFRESHES == {"salesforce", "hubspot", "google-analytics", "google-sheets"}


@pytest.mark.parametrize("source_id", sorted(CONNECTOR_REFRESHES))
def test_no_refresh_token_for_a_source_that_needs_one_is_a_clear_error(source_id):
    with pytest.raises(InputError, match="no refresh token") as info:
        connector_config(source_id, Token(access_token="at-secret-1"), "cid", "cs")
    assert "at-secret-1" not in str(info.value)


def test_square_has_a_provider_but_no_connector_yet():
    with pytest.raises(InputError, match="ships no connector"):
        connector_config("square", TOKEN, "cid", "cs")


def test_a_source_without_oauth_is_refused():
    with pytest.raises(InputError, match="does not sign in with OAuth"):
        for_source("stripe")


def test_a_token_repr_hides_both_tokens():
    assert "secret" not in repr(TOKEN) and "secret" not in str(TOKEN)


def test_per_account_endpoints_take_the_name_or_the_pasted_host():
    shopify = PROVIDERS["SHOPIFY"]
    assert shopify.endpoint(shopify.token_url, "Acme-Outfitters.myshopify.com") == (
        "https://acme-outfitters.myshopify.com/admin/oauth/access_token"
    )
    zendesk = PROVIDERS["ZENDESK"]
    assert zendesk.endpoint(zendesk.authorize_url, "acme").startswith("https://acme.zendesk.com/")
    for bad in ("", "evil.com/x", "a b", "x@evil.example"):
        with pytest.raises(InputError, match="needs your"):
            shopify.endpoint(shopify.authorize_url, bad)


def test_google_asks_for_offline_access_and_consent():
    google = PROVIDERS["GOOGLE"]
    assert google.extra_params["access_type"] == "offline" and google.extra_params["prompt"] == "consent"
    assert google.pkce and google.revoke_url == "https://oauth2.googleapis.com/revoke"


def test_every_provider_uses_https_and_says_how_it_differs():
    for p in PROVIDERS.values():
        assert all(u.startswith("https://") for u in (p.authorize_url, p.token_url, p.revoke_url or "https://"))
        assert p.differs, p.key

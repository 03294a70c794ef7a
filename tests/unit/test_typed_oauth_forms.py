"""OAuth sources before their sign-in is live: the live form takes what their connector's spec lets a user
type (a private app token, an API token, a service account key), never the sign-in's own option, and the
service validates with that same schema. Shipped specs only: no connector is installed here."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.connectors import AIRBYTE_TYPED_OAUTH, get_connector, has_live, validate_config, wrap_secrets
from hub.connectors.airbyte.forms import FormField, build_config, form_fields
from hub.connectors.airbyte.specs import shipped_spec, typed_credentials
from hub.exceptions import ConfigError
from hub.models import AuthKind, Mode

OAUTH = [s for s in Catalogue.bundled() if s.auth_kind is AuthKind.OAUTH2 and s.connector_package]


def _all(fields: list[FormField]) -> list[FormField]:
    out: list[FormField] = []
    for field in fields:
        out.append(field)
        for choice in field.choices:
            out.extend(_all(choice.fields))
    return out


@pytest.fixture
def hub(hub_home: Path):
    with Hub.open(Settings(home=hub_home, demo_pace=0)) as opened:
        opened.create_tenant("acme", name="Acme", business_type="ecommerce")
        yield opened


@pytest.mark.parametrize("source", OAUTH, ids=lambda s: s.id)
def test_an_oauth_source_is_live_exactly_when_its_spec_has_typed_credentials(source, hub: Hub) -> None:
    full = shipped_spec(source.connector_package)
    typed = typed_credentials(full)
    # live through a sign-in whenever it has a connector; a typed form only where its spec has one
    assert has_live(source.id) == (source.connector_package is not None)
    assert (typed is not None) == (source.id in AIRBYTE_TYPED_OAUTH)
    if typed is None:
        return
    auth = full["advanced_auth"]
    key, value = auth.get("predicate_key") or [], auth.get("predicate_value")
    fields = form_fields(typed)
    for field in _all(fields):
        for choice in field.choices:  # no option of the sign-in's, only the typed ones
            assert value not in choice.constants.values() or len(key) != 2, (field.key, choice.title)
    assert any(f.secret and f.required for f in _all(fields))  # a token (or key) to type, masked
    assert hub.source_spec(source.id, Mode.LIVE) == typed  # what the form and the API show


def test_salesforce_takes_only_what_a_sign_in_gives() -> None:
    assert typed_credentials(shipped_spec(Catalogue.bundled().get("salesforce").connector_package)) is None


def test_the_service_takes_a_shopify_api_password_and_refuses_the_sign_in_option(hub: Hub) -> None:
    spec = hub.source_spec("shopify", Mode.LIVE)
    fields = form_fields(spec)
    typed = build_config(
        fields, {"spec__shop": "acme-store", "spec__credentials__api_password": SecretStr("shpat_123456")}
    )
    assert typed["credentials"] == {"auth_method": "api_password", "api_password": SecretStr("shpat_123456")}
    validate_config(spec, typed)
    signed = {"shop": "acme-store", "credentials": {"auth_method": "oauth2.0", "access_token": "x" * 12}}
    svc = hub.tenant("acme")
    with pytest.raises(ConfigError) as err:
        svc.connect("shopify", signed, actor="t", mode=Mode.LIVE)
    assert err.value.field is not None and err.value.field.startswith("credentials")
    assert "x" * 12 not in err.value.message
    # the same config made by a sign-in (never typed) is what the connector's whole spec takes
    shopify = get_connector(hub.catalogue.get("shopify"), Mode.LIVE, settings=hub.settings)
    assert shopify.validate(signed, signed_in=True)["credentials"]["auth_method"] == "oauth2.0"
    with pytest.raises(ConfigError, match=r"'credentials\.token' is required"):
        svc.connect("notion", {"credentials": {"auth_type": "token"}}, actor="t", mode=Mode.LIVE)
    assert svc.list_connections() == []  # refused before anything is stored or installed


@pytest.mark.parametrize(
    ("source_id", "config", "secret"),
    [
        (
            "hubspot",
            {"credentials": {"credentials_title": "Private App Credentials", "access_token": "pat-1"}},
            "pat-1",
        ),
        (
            "slack",
            {
                "start_date": "2024-01-01T00:00:00Z",
                "lookback_window": 7,
                "join_channels": False,
                "credentials": {"option_title": "API Token Credentials", "api_token": "xoxb-1"},
            },
            "xoxb-1",
        ),
        (
            "zendesk-support",
            {
                "subdomain": "acme",
                "credentials": {"credentials": "api_token", "email": "a@acme.test", "api_token": "zd-1"},
            },
            "zd-1",
        ),
        ("intercom", {"start_date": "2024-01-01T00:00:00Z", "access_token": "ic-tok"}, "ic-tok"),
    ],
)
def test_token_configs_validate_with_the_same_schema_and_keep_the_secret_masked(
    hub: Hub, source_id: str, config: dict, secret: str
) -> None:
    checked = validate_config(hub.source_spec(source_id, Mode.LIVE), config)
    assert checked
    assert secret not in repr(wrap_secrets(hub.source_spec(source_id, Mode.LIVE), checked))

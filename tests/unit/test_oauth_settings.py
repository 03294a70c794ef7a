"""OAuth apps come from HUB_ settings (so st.secrets, the API, the CLI and the monitor see the same ones);
a half-configured app or a bad URL is a clear error naming the variable."""

from __future__ import annotations

import pytest

from hub.exceptions import InputError
from hub.oauth.apps import app_for_source, configured_app
from hub.settings import Settings

GOOGLE = {
    "HUB_OAUTH_GOOGLE_CLIENT_ID": "gid.apps.example",
    "HUB_OAUTH_GOOGLE_CLIENT_SECRET": "g-secret-value",
    "HUB_PUBLIC_URL": "https://hub.example.com/",
    "HUB_API_PUBLIC_URL": "https://api.hub.example.com",
}


def test_no_app_means_demo_consent_only():
    s = Settings.from_env({})
    assert configured_app(s, "GOOGLE") is None and app_for_source(s, "shopify") is None
    assert s.redirect_uri("app") is None and s.redirect_uri("api") is None


def test_google_analytics_and_sheets_share_one_app_with_google_endpoints():
    s = Settings.from_env(GOOGLE)
    ga, sheets = app_for_source(s, "google-analytics"), app_for_source(s, "google-sheets")
    assert ga is not None and ga == sheets
    assert ga.client_id == "gid.apps.example" and ga.client_secret.get_secret_value() == "g-secret-value"
    assert ga.provider.token_url == "https://oauth2.googleapis.com/token"
    assert app_for_source(s, "salesforce") is None and app_for_source(s, "stripe") is None


def test_the_redirect_uris_to_register():
    s = Settings.from_env(GOOGLE)
    assert s.redirect_uri("app") == "https://hub.example.com/oauth_callback"
    assert s.redirect_uri("api") == "https://api.hub.example.com/api/oauth/callback"


def test_endpoint_overrides_point_a_provider_elsewhere():
    s = Settings.from_env({
        **GOOGLE,
        "HUB_OAUTH_SALESFORCE_CLIENT_ID": "sf", "HUB_OAUTH_SALESFORCE_CLIENT_SECRET": "sfs",
        "HUB_OAUTH_SALESFORCE_TOKEN_URL": "https://test.salesforce.com/services/oauth2/token",
    })
    app = configured_app(s, "SALESFORCE")
    assert app is not None
    assert app.provider.token_url == "https://test.salesforce.com/services/oauth2/token"
    assert app.provider.authorize_url == "https://login.salesforce.com/services/oauth2/authorize"


URL = {"HUB_PUBLIC_URL": "https://h"}


@pytest.mark.parametrize(("env", "names"), [
    ({"HUB_OAUTH_SLACK_CLIENT_ID": "x", **URL}, "HUB_OAUTH_SLACK_CLIENT_SECRET is missing"),
    ({"HUB_OAUTH_SLACK_CLIENT_SECRET": "x", **URL}, "HUB_OAUTH_SLACK_CLIENT_ID is missing"),
    ({"HUB_OAUTH_SLACK_CLIENT_ID": "x", "HUB_OAUTH_SLACK_CLIENT_SECRET": "y"}, "neither HUB_PUBLIC_URL"),
    ({"HUB_PUBLIC_URL": "hub.example.com"}, "HUB_PUBLIC_URL must be an http(s) URL"),
    ({"HUB_OAUTH_NOTION_TOKEN_URL": "ftp://x"}, "HUB_OAUTH_NOTION_TOKEN_URL must be an http(s) URL"),
])
def test_a_half_configured_app_names_the_variable(env, names):
    with pytest.raises(InputError) as info:
        Settings.from_env(env)
    assert names in str(info.value)
    assert "Setting ?" not in str(info.value)


def test_the_client_secret_never_shows():
    slack = {"HUB_OAUTH_SLACK_CLIENT_ID": "x", "HUB_OAUTH_SLACK_CLIENT_SECRET": "slk-sec"}
    s = Settings.from_env({**GOOGLE, **slack})
    app = configured_app(s, "SLACK")
    assert "slk-sec" not in repr(s) and "slk-sec" not in repr(app) and "g-secret-value" not in str(s)


def test_a_square_app_offers_no_sign_in_since_the_hub_ships_no_square_connector():
    s = Settings.from_env({"HUB_OAUTH_SQUARE_CLIENT_ID": "sq", "HUB_OAUTH_SQUARE_CLIENT_SECRET": "sqs",
                           "HUB_PUBLIC_URL": "https://hub.example.com"})
    assert configured_app(s, "SQUARE") is not None  # the settings are read ...
    assert app_for_source(s, "square") is None  # ... but a consent could not become a connection


def test_starting_a_square_sign_in_says_there_is_no_connector_not_that_no_app_is_set(tmp_path):
    from hub import Hub
    from hub.oauth.flow import OAuthFlow

    env = {"HUB_OAUTH_SQUARE_CLIENT_ID": "sq", "HUB_OAUTH_SQUARE_CLIENT_SECRET": "sqs",
           "HUB_PUBLIC_URL": "https://hub.example.com", "HUB_MONITOR": "off"}
    hub = Hub.open(Settings.from_env(env, home=tmp_path))
    try:
        with pytest.raises(InputError, match="ships no connector for square") as info:
            OAuthFlow(hub).app("square")
        assert "demo connection" in (info.value.hint or "")
    finally:
        hub.close()

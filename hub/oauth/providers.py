"""The OAuth providers behind the catalogue's OAuth sources; a token response -> the connector's config.

How a token response becomes the ``credentials`` a source's connector spec expects is `connector_config`.

Checked against each provider's own documentation (found with the project's `search` tool,
5 and 6 December 2026); where a row says "not RFC 7009" or similar, the provider differs from the standard:

* Shopify — https://shopify.dev/docs/apps/build/authentication-authorization/authenticate-standalone-apps
  (per-shop endpoints ``https://{shop}.myshopify.com/admin/oauth/authorize|access_token``; comma-separated
  scopes; the callback carries an ``hmac`` Shopify signs with the client secret; offline tokens do not
  expire; no PKCE; no RFC 7009 endpoint — an app is uninstalled through the Admin API instead).
* Salesforce — https://help.salesforce.com/HTViewHelpDoc?id=remoteaccess_oauth_web_server_flow.htm,
  ...remoteaccess_oauth_refresh_token_flow.htm, and
  https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html (PKCE
  recommended; a refresh token only with the ``refresh_token`` scope; rotation is a per-app option; the token
  response has ``issued_at`` and ``instance_url`` but no ``expires_in``: the lifetime is the org's session
  timeout; sandboxes use ``test.salesforce.com``; ``/services/oauth2/revoke`` takes ``token=``).
* HubSpot — https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide and
  https://developers.hubspot.com/changelog/upcoming-expiration-of-oauth-access-tokens-is-changing (access
  tokens live 30 minutes, refresh tokens do not rotate; the token endpoint accepts ``code_verifier``;
  revocation is ``DELETE /oauth/v1/refresh-tokens/{token}``, not RFC 7009; v1 is deprecated for v3 in 2027).
* Google (Analytics 4 and Sheets share one app) —
  https://developers.google.com/identity/protocols/oauth2/web-server (``access_type=offline`` for a refresh
  token and ``prompt=consent`` to get one again on a reconnect; PKCE S256; access tokens one hour; refresh
  tokens do not rotate; ``https://oauth2.googleapis.com/revoke`` takes ``token=``).
* Slack — https://docs.slack.dev/authentication/using-token-rotation (``oauth.v2.access``; comma-separated
  scopes; tokens never expire unless the app turns token rotation on, then 12 hours with a rotating refresh
  token; errors come back as HTTP 200 with ``"ok": false``; revocation is ``auth.revoke`` with the token as
  bearer, not RFC 7009).
* Notion — https://developers.notion.com/reference/authorization (``owner=user``; the token request
  authenticates with HTTP Basic and a JSON body; no scopes: access is chosen per page by the user; the
  access token does not expire and no refresh token is documented).
* Intercom — https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth
  (the authorize page is ``https://app.intercom.com/oauth``, the token endpoint
  ``https://api.intercom.io/auth/eagle/token`` with the client secret in the body; redirect URLs must be
  HTTPS; permissions are set on the app, not in the request; tokens do not expire and come without a refresh
  token; no revocation endpoint for a third party).
* Zendesk — https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token and
  https://developer.zendesk.com/rest_api/docs/support/grant_type_tokens (per-account endpoints under
  ``https://{subdomain}.zendesk.com/oauth/``; PKCE supported; refresh tokens now issued; revocation is
  ``DELETE /api/v2/oauth/tokens/current``, not RFC 7009).
* Square — https://developer.squareup.com/docs/oauth-api/overview and .../oauth-api/best-practices
  (``/oauth2/authorize`` with ``session=false``; ``ObtainToken`` takes a JSON body and answers with an
  ISO-8601 ``expires_at`` instead of ``expires_in``; access tokens 30 days; refresh tokens of the code flow
  do not expire, those of the PKCE flow are single use (they rotate); ``/oauth2/revoke`` authenticates with
  ``Authorization: Client <secret>``, not RFC 7009). The catalogue ships no Square connector, so there is no
  spec to map to, and the Connect dialog keeps the demo consent even with an app configured
  (`hub.oauth.apps.app_for_source`).
* Facebook Marketing — https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow,
  .../access-tokens/get-long-lived and https://developers.facebook.com/docs/marketing-api/overview/authorization
  (versioned endpoints ``https://www.facebook.com/v25.0/dialog/oauth`` and
  ``https://graph.facebook.com/v25.0/oauth/access_token``, v25.0 being the newest Graph API version the
  documentation names; comma-separated scopes; PKCE only in the OIDC flow, still marked "in testing", so not
  used; no refresh token: a short-lived token is exchanged for a ~60-day one with
  ``grant_type=fb_exchange_token``; revocation is ``DELETE /me/permissions``, not RFC 7009).

**Who refreshes.** Where a source's spec takes a plain access token, the hub refreshes (where the provider
issues refresh tokens at all) and hands the connector a fresh access token. The specs of Salesforce,
HubSpot, Google Analytics 4 and Google Sheets *require* a refresh token with the client id and secret
(`CONNECTOR_REFRESHES`): those connectors refresh themselves, and a rotated config they report is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from hub.exceptions import InputError

ClientAuth = Literal["client_secret_basic", "client_secret_post"]
#: none = no refresh token; static = a refresh token that stays valid; rotating = each refresh returns a
#: new one and retires the old; optional = the operator's app setting decides (Slack, Salesforce).
Refresh = Literal["none", "static", "rotating", "optional"]


@dataclass(frozen=True)
class Provider:
    """One OAuth app kind; URLs may hold ``{shop}`` or ``{subdomain}`` (see `account_field`)."""

    key: str  # upper case: the settings' oauth_<key lower>_client_id / _client_secret
    name: str  # "Sign in with <name>"
    authorize_url: str
    token_url: str
    revoke_url: str | None  # only an RFC 7009 endpoint (POST token=...); None where the provider has none
    client_auth: ClientAuth
    pkce: bool  # S256 supported
    refresh: Refresh
    access_token_lifetime_s: int | None  # None = does not expire (or the response says)
    scope_separator: str = " "
    extra_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    account_field: str | None = None  # the connection field the endpoints are templated on
    send_scopes: bool = True  # False where scopes are fixed on the app (Notion, Intercom)
    differs: str = ""  # where the provider departs from RFC 6749/7009/7636, in a line

    def endpoint(self, template: str, account: str | None) -> str:
        """``template`` with the per-account part filled in; a clear error when it is missing or odd."""
        if self.account_field is None:
            return template
        value = (account or "").strip().lower()
        for suffix in (".myshopify.com", ".zendesk.com"):  # users paste the full host
            value = value.removesuffix(suffix)
        if not value or not value.replace("-", "").isalnum():
            raise InputError(
                f"{self.name} needs your {self.account_field} (letters, digits and dashes) to sign in.",
                hint=f"Type the {self.account_field} as in its address, e.g. `acme` for acme"
                f"{'.myshopify.com' if self.key == 'SHOPIFY' else '.zendesk.com'}.",
            )
        return template.format(**{self.account_field: value})


PROVIDERS: Mapping[str, Provider] = MappingProxyType({
    p.key: p
    for p in (
        Provider(
            "SHOPIFY", "Shopify",
            "https://{shop}.myshopify.com/admin/oauth/authorize",
            "https://{shop}.myshopify.com/admin/oauth/access_token",
            None, "client_secret_post", pkce=False, refresh="none", access_token_lifetime_s=None,
            scope_separator=",", account_field="shop",
            differs="per-shop endpoints; HMAC-signed callback; no PKCE; no RFC 7009 revocation",
        ),
        Provider(
            "SALESFORCE", "Salesforce",
            "https://login.salesforce.com/services/oauth2/authorize",
            "https://login.salesforce.com/services/oauth2/token",
            "https://login.salesforce.com/services/oauth2/revoke",
            "client_secret_post", pkce=True, refresh="optional", access_token_lifetime_s=None,
            differs="no expires_in (session timeout); refresh token only with the refresh_token scope",
        ),
        Provider(
            "HUBSPOT", "HubSpot",
            "https://app.hubspot.com/oauth/authorize",
            "https://api.hubapi.com/oauth/v1/token",
            None, "client_secret_post", pkce=True, refresh="static", access_token_lifetime_s=1800,
            differs="revocation is DELETE /oauth/v1/refresh-tokens/{token}",
        ),
        Provider(
            "GOOGLE", "Google",
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            "https://oauth2.googleapis.com/revoke",
            "client_secret_post", pkce=True, refresh="static", access_token_lifetime_s=3600,
            extra_params=MappingProxyType({
                "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true",
            }),
            differs="a refresh token only with access_type=offline (again only with prompt=consent)",
        ),
        Provider(
            "SLACK", "Slack",
            "https://slack.com/oauth/v2/authorize",
            "https://slack.com/api/oauth.v2.access",
            None, "client_secret_post", pkce=False, refresh="optional", access_token_lifetime_s=None,
            scope_separator=",",
            differs="errors as HTTP 200 with ok=false; expiry only with token rotation (12 h); auth.revoke",
        ),
        Provider(
            "NOTION", "Notion",
            "https://api.notion.com/v1/oauth/authorize",
            "https://api.notion.com/v1/oauth/token",
            None, "client_secret_basic", pkce=False, refresh="none", access_token_lifetime_s=None,
            extra_params=MappingProxyType({"owner": "user"}), send_scopes=False,
            differs="no scopes (pages are chosen on consent); JSON token request",
        ),
        Provider(
            "INTERCOM", "Intercom",
            "https://app.intercom.com/oauth",
            "https://api.intercom.io/auth/eagle/token",
            None, "client_secret_post", pkce=False, refresh="none", access_token_lifetime_s=None,
            send_scopes=False, differs="scopes are fixed on the app; tokens do not expire",
        ),
        Provider(
            "ZENDESK", "Zendesk",
            "https://{subdomain}.zendesk.com/oauth/authorizations/new",
            "https://{subdomain}.zendesk.com/oauth/tokens",
            None, "client_secret_post", pkce=True, refresh="rotating", access_token_lifetime_s=None,
            account_field="subdomain",
            differs="per-account endpoints; revocation is DELETE /api/v2/oauth/tokens/current",
        ),
        Provider(
            "SQUARE", "Square",
            "https://connect.squareup.com/oauth2/authorize",
            "https://connect.squareup.com/oauth2/token",
            None, "client_secret_post", pkce=True, refresh="rotating", access_token_lifetime_s=30 * 86400,
            extra_params=MappingProxyType({"session": "false"}),
            differs="JSON token request; expires_at (ISO 8601) instead of expires_in; with PKCE each refresh "
            "token is single use; revoke with Authorization: Client <secret>",
        ),
        Provider(
            "FACEBOOK", "Facebook",
            "https://www.facebook.com/v25.0/dialog/oauth",
            "https://graph.facebook.com/v25.0/oauth/access_token",
            None, "client_secret_post", pkce=False, refresh="none", access_token_lifetime_s=60 * 86400,
            scope_separator=",",
            differs="no refresh token (fb_exchange_token for a long-lived one); DELETE /me/permissions",
        ),
    )
})


@dataclass(frozen=True)
class Token:
    """The parts of a token response a connector config needs (never logged: see `__repr__`)."""

    access_token: str
    refresh_token: str | None = None

    def __repr__(self) -> str:
        return f"Token(access_token=***, refresh_token={'***' if self.refresh_token else None})"


Mapper = Callable[[Token, str, str], dict[str, Any]]


def _nested(const: dict[str, str], *, refresh: bool = False, secret: bool = True) -> Mapper:
    """``{"credentials": {...const, access or refresh token, client id/secret}}``."""

    def build(token: Token, client_id: str, client_secret: str) -> dict[str, Any]:
        creds: dict[str, Any] = dict(const)
        if refresh:
            creds["refresh_token"] = _need_refresh(token)
        else:
            creds["access_token"] = token.access_token
        if secret:
            creds.update(client_id=client_id, client_secret=client_secret)
        return {"credentials": creds}

    return build


def _need_refresh(token: Token) -> str:
    if not token.refresh_token:
        raise InputError(
            "The provider sent no refresh token, which this source's connector needs.",
            hint="Allow offline access in the provider's app settings (Salesforce: the refresh_token scope), "
            "then connect again.",
        )
    return token.refresh_token


def _salesforce(token: Token, client_id: str, client_secret: str) -> dict[str, Any]:
    return {"auth_type": "Client", "client_id": client_id, "client_secret": client_secret,
            "refresh_token": _need_refresh(token)}


def _intercom(token: Token, client_id: str, client_secret: str) -> dict[str, Any]:
    return {"access_token": token.access_token, "client_id": client_id, "client_secret": client_secret}


def _google_analytics(token: Token, client_id: str, client_secret: str) -> dict[str, Any]:
    out = _nested({"auth_type": "Client"}, refresh=True)(token, client_id, client_secret)
    out["credentials"]["access_token"] = token.access_token  # optional in the spec; saves a first refresh
    return out


@dataclass(frozen=True)
class SourceOAuth:
    """How one catalogue source signs in: its provider and its connector config fragment."""

    source_id: str
    provider: str  # a `PROVIDERS` key
    credentials: Mapper | None  # None where the catalogue ships no connector (Square)
    connector_refreshes: bool = False  # the spec forces a refresh token: the connector refreshes itself
    #: where `credentials` puts the access token in the connector config (None: it puts none)
    access_path: tuple[str, ...] | None = ("credentials", "access_token")
    #: where the stored config keeps the refresh token: the connector's own field where it refreshes,
    #: else `KEPT_REFRESH_PATH` (the hub's, never given to the connector)
    refresh_path: tuple[str, ...] | None = None

    @property
    def stored_refresh_path(self) -> tuple[str, ...]:
        """Where the connection's sealed config holds the refresh token."""
        return self.refresh_path or KEPT_REFRESH_PATH


#: Where a connection the hub refreshes keeps its refresh token: a top-level object of the sealed config
#: that `without_hub_keys` takes out before the connector sees the config (the specs of Shopify, Slack and
#: Zendesk forbid extra fields in their credentials).
KEPT_KEY = "hub_oauth"
KEPT_REFRESH_PATH: tuple[str, ...] = (KEPT_KEY, "refresh_token")


_CREDS_REFRESH = ("credentials", "refresh_token")

SOURCES: Mapping[str, SourceOAuth] = MappingProxyType({
    s.source_id: s
    for s in (
        SourceOAuth("shopify", "SHOPIFY", _nested({"auth_method": "oauth2.0"})),
        SourceOAuth("salesforce", "SALESFORCE", _salesforce, connector_refreshes=True, access_path=None,
                    refresh_path=("refresh_token",)),
        SourceOAuth("hubspot", "HUBSPOT", _nested({"credentials_title": "OAuth Credentials"}, refresh=True),
                    connector_refreshes=True, access_path=None, refresh_path=_CREDS_REFRESH),
        SourceOAuth("google-analytics", "GOOGLE", _google_analytics, connector_refreshes=True,
                    refresh_path=_CREDS_REFRESH),
        SourceOAuth("google-sheets", "GOOGLE", _nested({"auth_type": "Client"}, refresh=True),
                    connector_refreshes=True, access_path=None, refresh_path=_CREDS_REFRESH),
        SourceOAuth("slack", "SLACK", _nested({"option_title": "Default OAuth2.0 authorization"})),
        SourceOAuth("notion", "NOTION", _nested({"auth_type": "OAuth2.0"})),
        SourceOAuth("intercom", "INTERCOM", _intercom, access_path=("access_token",)),
        SourceOAuth("zendesk-support", "ZENDESK", _nested({"credentials": "oauth2.0"})),
        SourceOAuth("square", "SQUARE", None, access_path=None),
        SourceOAuth("facebook-marketing", "FACEBOOK", _nested({"auth_type": "Client"})),
    )
})

#: The sources whose connector spec requires a refresh token (and so refreshes by itself).
CONNECTOR_REFRESHES = frozenset(s.source_id for s in SOURCES.values() if s.connector_refreshes)


def for_source(source_id: str) -> tuple[SourceOAuth, Provider]:
    """The sign-in entry of a source and its provider; `InputError` for a source without OAuth."""
    entry = SOURCES.get(source_id)
    if entry is None:
        raise InputError(f"Source {source_id!r} does not sign in with OAuth.",
                         hint="Connect it with its own form instead.")
    return entry, PROVIDERS[entry.provider]


def connector_config(source_id: str, token: Token, client_id: str, client_secret: str) -> dict[str, Any]:
    """The part of the connector config the token fills (merge it into the user's other fields)."""
    entry, provider = for_source(source_id)
    if entry.credentials is None:
        raise InputError(
            f"{provider.name} sign-in works, but the hub ships no connector for {source_id!r} yet.",
            hint="Use the demo connection until the connector is added to the catalogue.",
        )
    return entry.credentials(token, client_id, client_secret)


def without_hub_keys(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as a connector takes it: the hub's own part (`KEPT_KEY`) left out."""
    return {k: v for k, v in config.items() if k != KEPT_KEY}


def get_path(config: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` in ``config`` (nested objects), or None."""
    value: Any = config
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def set_path(config: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Put ``value`` at ``path`` in ``config``, creating the objects on the way."""
    target = config
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value

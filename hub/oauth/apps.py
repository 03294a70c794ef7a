"""The OAuth apps an operator configured (`Settings`), with their endpoints after any overrides."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import SecretStr

from hub.oauth.providers import PROVIDERS, SOURCES, Provider
from hub.settings import OAUTH_ENDPOINTS, Settings


@dataclass(frozen=True)
class OAuthApp:
    """One provider's app: its id, its secret (never shown) and the provider with overridden endpoints."""

    provider: Provider
    client_id: str
    client_secret: SecretStr


def configured_app(settings: Settings, provider_key: str) -> OAuthApp | None:
    """The app of ``provider_key`` when its client id and secret are set, else None (demo consent only)."""
    low = provider_key.lower()
    client_id = settings.oauth_value(f"oauth_{low}_client_id")
    secret = settings.oauth_value(f"oauth_{low}_client_secret")
    if client_id is None or secret is None:
        return None
    overrides = {part: settings.oauth_value(f"oauth_{low}_{part}") for part in OAUTH_ENDPOINTS}
    provider = replace(PROVIDERS[provider_key], **{k: v for k, v in overrides.items() if v is not None})
    return OAuthApp(provider=provider, client_id=client_id, client_secret=secret)


def app_for_source(settings: Settings, source_id: str) -> OAuthApp | None:
    """The app a source signs in with (Google Analytics 4 and Google Sheets share GOOGLE's), or None.

    None also for a source whose sign-in has no connector to hand the tokens to (Square): the consent
    would succeed and the connection could not be made, so such a source keeps the demo consent.
    """
    entry = SOURCES.get(source_id)
    if entry is None or entry.credentials is None:
        return None
    return configured_app(settings, entry.provider)

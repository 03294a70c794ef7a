"""The simulated OAuth consent of demo mode.

A real OAuth provider shows a consent screen: who asks, for which account, which scopes. In demo
mode nothing leaves the machine; `consent_request` builds what that screen shows from the catalogue
entry and the tenant, and `approve` returns the config the demo connector accepts (an ``account``,
a synthetic ``access_token`` and the granted ``scopes``), as a real token exchange would.

    request = consent_request(catalogue.get("shopify"), tenant, "Data Source Hub")
    config = approve(request)          # {"account": ..., "access_token": SecretStr(...), "scopes": [...]}
    service.connect("shopify", config, actor="alice", mode="demo")
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub.exceptions import InputError
from hub.models import AuthKind, Scope, SourceEntry, Tenant

#: Stream names that read badly when only their underscores are replaced.
_STREAM_WORDS: dict[str, str] = {
    "Account": "Accounts",
    "Contact": "Contacts",
    "Opportunity": "Opportunities",
    "Lead": "Leads",
    "export": "Raw event export",
    "engage": "People profiles",
    "ads_insights": "Ad insights",
    "ad_sets": "Ad sets",
    "daily_active_users": "Daily active users",
    "weekly_active_users": "Weekly active users",
}

#: Account templates per source: ``{slug}`` is the tenant's name as a slug, ``{name}`` its name,
#: ``{n}`` a stable number derived from tenant and source.
_ACCOUNTS: dict[str, str] = {
    "shopify": "{slug}.myshopify.com",
    "salesforce": "{slug}.my.salesforce.com",
    "slack": "{slug}.slack.com",
    "zendesk-support": "{slug}.zendesk.com",
    "hubspot": "{name} (HubSpot portal {n})",
    "square": "{name} (Square seller account)",
    "intercom": "{name} (Intercom workspace)",
    "notion": "{name} (Notion workspace)",
    "google-analytics": "{name} (GA4 property {n})",
    "google-sheets": "{name} (Google Drive)",
    "facebook-marketing": "{name} (ad account act_{n})",
}


class ConsentRequest(BaseModel):
    """What the simulated consent screen shows. Holds no secret."""

    model_config = ConfigDict(frozen=True)

    source_id: str = Field(description="The catalogue id, e.g. `shopify`.")
    provider: str = Field(description="The provider's display name, e.g. `Shopify`.")
    icon: str = Field(description="The source's icon.")
    product_name: str = Field(description="Who asks for access (HUB_PRODUCT_NAME).")
    account: str = Field(description="The account that will be connected.")
    scopes: list[Scope] = Field(description="Scopes requested, each with a plain-word description.")
    reads: list[str] = Field(description="The streams we will read, in words.")

    @property
    def headline(self) -> str:
        """The headline: "<Provider> wants to let <Product> read:"."""
        return f"{self.provider} wants to let {self.product_name} read:"

    @property
    def demo_note(self) -> str:
        """The line that says nothing real happens."""
        return (
            f"Demo: no real account is contacted. "
            f"{self.product_name} receives synthetic {self.provider} data."
        )


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "account"


def _stable_number(*parts: str, digits: int = 9) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return int(digest[:15], 16) % (10 ** (digits - 1) * 9) + 10 ** (digits - 1)


def humanize_stream(name: str) -> str:
    """A stream name in words: ``product_variants`` -> ``Product variants``; ``Account`` -> ``Accounts``."""
    if name in _STREAM_WORDS:
        return _STREAM_WORDS[name]
    words = name.replace("-", "_").split("_")
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:] if text else name


def account_for(source: SourceEntry, tenant: Tenant) -> str:
    """The account a demo consent connects for this tenant (stable across calls)."""
    template = _ACCOUNTS.get(source.id, "{name} ({provider} account)")
    return template.format(
        slug=_slugify(tenant.name),
        name=tenant.name,
        provider=source.name,
        n=_stable_number(tenant.id, source.id),
    )


def consent_request(source: SourceEntry, tenant: Tenant, product_name: str) -> ConsentRequest:
    """What the consent screen for ``source`` shows to ``tenant``.

    Raises:
        InputError: the source does not use OAuth (API-key, database and file sources have forms).

    """
    if source.auth_kind is not AuthKind.OAUTH2:
        raise InputError(
            f"{source.name} does not use OAuth (it uses {source.auth_kind.value.replace('_', ' ')}).",
            hint="Use its connection form instead.",
        )
    return ConsentRequest(
        source_id=source.id,
        provider=source.name,
        icon=source.icon,
        product_name=product_name,
        account=account_for(source, tenant),
        scopes=list(source.scopes),
        reads=[humanize_stream(s) for s in source.streams],
    )


def approve(request: ConsentRequest) -> dict[str, Any]:
    """The config a real token exchange would yield: account, a synthetic access token, the scopes.

    The token is a `SecretStr` (random, meaningless outside this hub) so it stays masked until the
    service encrypts it.
    """
    token = f"demo_{request.source_id.replace('-', '_')}_{secrets.token_urlsafe(32)}"
    return {
        "account": request.account,
        "access_token": SecretStr(token),
        "scopes": [scope.name for scope in request.scopes],
    }


__all__ = ["ConsentRequest", "account_for", "approve", "consent_request", "humanize_stream"]

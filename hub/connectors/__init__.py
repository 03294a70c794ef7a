"""Connector registry: which class serves a source in a mode.

Demo connectors serve every catalogue entry (`hub.connectors.demo`). Live connectors are listed in
`LIVE_CONNECTORS` by source id; a source without one can only be connected in demo mode.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from hub.connectors.base import (
    Config,
    Connector,
    public_config,
    reveal,
    secret_fields,
    validate_config,
    wrap_secrets,
)
from hub.exceptions import ConfigError
from hub.models import Mode, SourceEntry

if TYPE_CHECKING:
    from hub.settings import Settings

#: source id -> "module:Class" of its live connector (imported on first use).
LIVE_CONNECTORS: dict[str, str] = {
    "postgres": "hub.connectors.sql:PostgresConnector",
    "supabase": "hub.connectors.sql:SupabaseConnector",
    "mysql": "hub.connectors.sql:MySQLConnector",
    "mariadb": "hub.connectors.sql:MySQLConnector",
    "sqlite": "hub.connectors.sql:SQLiteConnector",
}


#: OAuth sources whose connector also takes credentials a user can type (`typed_credentials` of its
#: spec): a private app token (HubSpot), an API password (Shopify), an API token (Slack, Zendesk), an
#: integration token (Notion), an access token (Intercom, Facebook's system user), a service account key
#: (Google Analytics, Google Sheets). Their live form is that part of the spec, never the sign-in's
#: option; Salesforce's connector takes only what a sign-in gives.
AIRBYTE_TYPED_OAUTH: frozenset[str] = frozenset(
    {
        "shopify",
        "hubspot",
        "slack",
        "zendesk-support",
        "notion",
        "intercom",
        "facebook-marketing",
        "google-analytics",
        "google-sheets",
    }
)

#: Sources served live by their pinned Airbyte connector (`hub.connectors.airbyte`): the files, the
#: sample data generator, the API-key sources (their live form is the connector's spec) and the OAuth
#: sources: with typed credentials (their live form), and every one with a connector through a sign-in
#: (`hub.oauth.connect`: its config comes from the OAuth flow; Salesforce's only that way).
AIRBYTE_LIVE: frozenset[str] = (
    frozenset({"faker", "csv", "excel", "woocommerce", "stripe", "mixpanel", "jira", "mailchimp"})
    | AIRBYTE_TYPED_OAUTH
    | {"salesforce"}
)


def _load(target: str) -> type[Connector]:
    module, _, name = target.partition(":")
    cls: type[Connector] = getattr(importlib.import_module(module), name)
    return cls


def has_live(source_id: str) -> bool:
    """Whether ``source_id`` has a live connector."""
    return source_id in LIVE_CONNECTORS or source_id in AIRBYTE_LIVE


def get_connector(
    source: SourceEntry,
    mode: Mode | str,
    *,
    tenant: str = "demo",
    seed: int = 0,
    settings: Settings | None = None,
) -> Connector:
    """The connector for ``source`` in ``mode``.

    Args:
        source: the catalogue entry.
        mode: `Mode.DEMO` (synthetic streams, deterministic per tenant/source/seed) or `Mode.LIVE`.
        tenant: the tenant id or slug that seeds demo data.
        seed: extra seed for demo data.
        settings: passed to live connectors (e.g. ``HUB_SQLITE_ROOT``).

    """
    if type(mode) is not Mode:
        mode = Mode(mode)
    if mode is Mode.DEMO:
        from hub.connectors.demo import DemoConnector

        return DemoConnector(source, tenant=tenant, seed=seed)
    if source.id in AIRBYTE_LIVE and source.connector_package is not None:
        from hub.connectors.airbyte.connector import AirbyteConnector

        return AirbyteConnector(source, settings=settings)
    if source.id not in LIVE_CONNECTORS:
        live = ", ".join(sorted({*LIVE_CONNECTORS, *AIRBYTE_LIVE}))
        raise ConfigError(
            f"{source.name} has no live connector yet.",
            field="mode",
            hint=f"Connect it in demo mode. Live connectors exist for: {live}.",
        )
    cls = _load(LIVE_CONNECTORS[source.id])
    return cls(source, settings=settings)  # type: ignore[call-arg]


__all__ = [
    "AIRBYTE_LIVE",
    "AIRBYTE_TYPED_OAUTH",
    "LIVE_CONNECTORS",
    "Config",
    "Connector",
    "get_connector",
    "has_live",
    "public_config",
    "reveal",
    "secret_fields",
    "validate_config",
    "wrap_secrets",
]

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


#: Sources served live by their pinned Airbyte connector (`hub.connectors.airbyte`): the files, the
#: sample data generator, the API-key sources (their live form is the connector's spec) and the OAuth
#: sources with a connector in the catalogue (their config comes from a sign-in, `hub.oauth.connect`).
AIRBYTE_LIVE: frozenset[str] = frozenset(
    {"faker", "csv", "excel", "woocommerce", "stripe", "mixpanel", "jira", "mailchimp"}
    | {"shopify", "salesforce", "hubspot", "google-analytics", "google-sheets", "slack", "notion",
       "intercom", "zendesk-support", "facebook-marketing"}
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

"""Helpers shared by the HTTP API tests: a real hub on SQLite in the test's HUB_HOME, two tenants, keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from hub import Hub
from hub.settings import Settings


@dataclass(frozen=True)
class Caller:
    """An API key of one tenant, ready to send."""

    tenant: str
    key_id: str
    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def open_hub() -> Hub:
    """A hub on the embedded SQLite default under the test's HUB_HOME, with tenants acme and globex."""
    hub = Hub.open(Settings.from_env())
    hub.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    hub.create_tenant("globex", name="Globex Cloud", business_type="saas")
    return hub


def make_key(hub: Hub, tenant: str, name: str) -> Caller:
    """A new API key of ``tenant``."""
    meta, secret = hub.create_api_key(tenant, name=name)
    return Caller(tenant=tenant, key_id=meta.id, name=meta.name, key=secret.get_secret_value())


def stripe_key() -> str:
    """A fresh Stripe-format test key (matches `^sk_(test|live)_[0-9A-Za-z]{24,99}$`), unique per call."""
    return "sk_test_" + secrets.token_hex(16)


def bytes_at_rest(home: Path) -> bytes:
    """Every byte the hub keeps on disk under HUB_HOME (the database, its -wal and -shm, key files)."""
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())

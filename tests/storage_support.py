"""Helpers for the storage tests: a migrated PostgreSQL database with the app role, hubs on either backend."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from hub import Hub
from hub.settings import Settings
from hub.storage.crypto import generate_entry
from hub.storage.migrations import migrations
from tests.servers import PostgresServer

APP_PASSWORD = f"app-{secrets.token_hex(8)}"


@dataclass
class PgDatabase:
    """A fresh database with the migration applied by the superuser, and the app role able to log in."""

    server: PostgresServer
    name: str
    keys: str

    @property
    def app_url(self) -> str:
        return self.server.url(self.name, user="hub_app", password=APP_PASSWORD)

    @property
    def admin_url(self) -> str:
        return self.server.url(self.name)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.app_url,
            "admin_database_url": self.admin_url,
            "encryption_keys": self.keys,
        }
        values.update(overrides)
        return Settings.from_env(**values)

    def admin_engine(self) -> sa.Engine:
        return sa.create_engine(self.admin_url)

    def app_engine(self) -> sa.Engine:
        return sa.create_engine(self.app_url)


def make_pg_database(server: PostgresServer) -> PgDatabase:
    """Apply the PostgreSQL migrations as the superuser to a fresh database; let hub_app log in."""
    name = server.create_database()
    for migration in migrations("postgresql"):
        server.psql(migration.sql, database=name)
    server.psql(f"ALTER ROLE hub_app WITH LOGIN PASSWORD '{APP_PASSWORD}'")
    return PgDatabase(server=server, name=name, keys=generate_entry("k1"))


def open_hub(backend: str, pg: PgDatabase | None = None, **overrides: Any) -> Hub:
    """A hub on the embedded SQLite default (fresh HUB_HOME per test) or on PostgreSQL as the app role."""
    if backend == "sqlite":
        return Hub.open(Settings.from_env(**overrides))
    assert pg is not None
    return Hub.open(pg.settings(**overrides))


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def raw_admin(hub: Hub) -> sa.Engine:
    """A plain engine on the hub's admin URL (tampering and inspection in tests)."""
    return sa.create_engine(hub.db.admin_url)


def sqlite_path(hub: Hub) -> Path:
    return Path(hub.db.url.database or "")


def sqlite_exec(hub: Hub, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run SQL on the hub's SQLite file with the standard library (bypassing the hub)."""
    con = sqlite3.connect(sqlite_path(hub))
    try:
        rows = con.execute(sql, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def admin_exec(hub: Hub, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Run SQL over the admin URL (superuser on PostgreSQL, the file on SQLite); rows if any."""
    engine = raw_admin(hub)
    try:
        with engine.begin() as conn:
            res = conn.execute(sa.text(sql), params or {})
            return list(res.all()) if res.returns_rows else []
    finally:
        engine.dispose()


def demo_config(hub: Hub, source_id: str, tenant_slug: str) -> dict[str, Any]:
    """A config the demo connector accepts (what the consent or the form would give)."""
    from hub.auth.demo import approve, consent_request
    from hub.models import AuthKind

    source = hub.catalogue.get(source_id)
    if source.auth_kind is AuthKind.OAUTH2:
        return approve(consent_request(source, hub.tenant(tenant_slug).tenant, "Hub"))
    return {}


# --------------------------------------------------------------------------- data written by older hubs

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY_COMMIT = "95d3a2c"


def legacy_expected() -> dict[str, Any]:
    """What tests/fixtures/make_legacy_fixtures.py recorded with the fixtures (heads, counts, key)."""
    return json.loads((FIXTURES / f"hub_{LEGACY_COMMIT}_expected.json").read_text(encoding="utf-8"))


def load_legacy_sqlite(path: Path) -> None:
    """Rebuild the SQLite database the hub of 95d3a2c wrote (its text dump) at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript((FIXTURES / f"hub_{LEGACY_COMMIT}_sqlite.sql").read_text(encoding="utf-8"))
    finally:
        con.close()


def legacy_postgres_dump() -> str:
    """The data the hub of 95d3a2c wrote to PostgreSQL (a data-only dump for its schema, 0001)."""
    return (FIXTURES / f"hub_{LEGACY_COMMIT}_postgres.sql").read_text(encoding="utf-8")


def verify_all(engine: sa.Engine) -> dict[str, tuple[bool, int, str]]:
    """Every tenant's chain checked with `verify_chain` over plain reads: slug -> (ok, rows, head)."""
    from hub.storage.audit import verify_chain
    from hub.storage.tables import audit_logs, tenants

    out = {}
    with engine.connect() as conn:
        for tenant in conn.execute(sa.select(tenants)).all():
            rows = conn.execute(
                sa.select(audit_logs).where(audit_logs.c.tenant_id == tenant.id).order_by(audit_logs.c.seq)
            ).mappings().all()
            result = verify_chain(rows, head=tenant.audit_head)
            out[tenant.slug] = (result.ok, result.rows, tenant.audit_head)
    return out

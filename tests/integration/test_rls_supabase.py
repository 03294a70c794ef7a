"""Row level security as Supabase uses it: a non-superuser admin, and PostgREST's per-request JWT claims.

(a) ``hub_admin``'s policies, exercised by a login role that is a member of ``hub_admin`` but no superuser
    (HUB_ADMIN_DATABASE_URL): tenants, users and key rotation across tenants work; the audit log still
    only takes INSERT and SELECT. The database is migrated first by the superuser (the owner, as
    ``supabase db push`` or ``python -m hub migrate`` would), so this role never changes the schema:
    migrating needs the owner (CREATE on the schema, CREATEROLE for ``hub_app``), which an admin for
    daily work need not have.
(b) The ``request.jwt.claims`` branch of ``hub_current_tenant()``: Supabase's roles ``anon``,
    ``authenticated`` and ``service_role`` exist before the migration (as on Supabase), a login role
    ``authenticator`` connects the way PostgREST does and, per request, ``SET LOCAL ROLE`` plus
    ``set_config('request.jwt.claims', ..., true)``. The migration revokes everything from ``anon`` and
    ``authenticated``; the operator then grants ``authenticated`` what the README says (`EXPOSE_TO_API`).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from hub import Hub
from hub.models import Tenant
from hub.storage.crypto import generate_entry
from tests.servers import PostgresServer
from tests.storage_support import PgDatabase, make_pg_database, unique_slug

pytestmark = pytest.mark.postgres

TABLES = ("tenants", "users", "tenant_airbyte_connections", "audit_logs", "api_keys")
AUTHENTICATOR_PASSWORD = f"auth-{secrets.token_hex(8)}"

#: Supabase's API roles, as Supabase creates them (NOLOGIN NOINHERIT; service_role bypasses RLS), and the
#: login role PostgREST connects as. Roles belong to the cluster: made only when missing.
SUPABASE_ROLES = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator LOGIN NOINHERIT;
  END IF;
END $$;
ALTER ROLE authenticator WITH LOGIN PASSWORD '{AUTHENTICATOR_PASSWORD}';
GRANT anon, authenticated, service_role TO authenticator;
"""

#: What an operator grants ``authenticated`` to expose the hub's tables through Supabase's API (README,
#: "PostgreSQL and Supabase"): hub_app's privileges, minus the users' password hashes.
EXPOSE_TO_API = """
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT SELECT ON public.tenants TO authenticated;
GRANT UPDATE (audit_head) ON public.tenants TO authenticated;
GRANT SELECT (id, tenant_id, username, name, created_at, disabled) ON public.users TO authenticated;
GRANT SELECT, INSERT ON public.tenant_airbyte_connections TO authenticated;
GRANT UPDATE (name, status, status_detail, metadata, encrypted_config, key_id, updated_at, last_checked_at)
  ON public.tenant_airbyte_connections TO authenticated;
GRANT SELECT, INSERT ON public.audit_logs TO authenticated;
GRANT SELECT, INSERT ON public.api_keys TO authenticated;
GRANT UPDATE (revoked_at) ON public.api_keys TO authenticated;
"""


@dataclass
class Setup:
    pg: PgDatabase
    ops_url: str
    ops_dsn: str
    a: Tenant
    b: Tenant


@pytest.fixture(scope="module")
def setup(postgres: PostgresServer) -> Iterator[Setup]:
    postgres.psql(SUPABASE_ROLES)  # before migrating, as on Supabase
    pg = make_pg_database(postgres)  # migrated by the superuser (the owner)
    postgres.psql(EXPOSE_TO_API, database=pg.name)
    ops, password = f"hub_ops_{secrets.token_hex(4)}", secrets.token_hex(12)
    postgres.psql(
        f"CREATE ROLE {ops} LOGIN PASSWORD '{password}' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB; "
        f"GRANT hub_admin TO {ops}"
    )
    ops_url = postgres.url(pg.name, user=ops, password=password)
    with Hub.open(pg.settings(admin_database_url=ops_url)) as hub:
        a = hub.create_tenant(unique_slug("a"), name="A", business_type="saas")
        b = hub.create_tenant(unique_slug("b"), name="B", business_type="retail")
        for t in (a, b):
            hub.tenant(t.slug).connect("postgres", {}, actor="setup", mode="demo")
            hub.create_api_key(t.slug, name="k")
    yield Setup(pg, ops_url, postgres.dsn(pg.name, user=ops, password=password), a, b)


# --------------------------------------------------------------------------- (a) a non-superuser admin


def test_a_non_superuser_member_of_hub_admin_does_the_work_across_tenants(setup: Setup) -> None:
    with psycopg.connect(setup.ops_dsn) as pc:
        role = pc.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert role.fetchone() == (False, False)
    settings = setup.pg.settings(admin_database_url=setup.ops_url)
    with Hub.open(settings) as hub:
        assert hub.db.rls_warning is None  # the app role is still hub_app
        slugs = {t.slug for t in hub.list_tenants()}
        assert {setup.a.slug, setup.b.slug} <= slugs
        user = f"u{secrets.token_hex(4)}"
        hub.create_user(user, tenant=setup.b.slug, name="Bea", password="a-long-password")
        assert user in [u.username for u in hub.list_users(setup.b.slug)]
        hub.remove_user(user)
        assert user not in [u.username for u in hub.list_users(setup.b.slug)]

    # key rotation re-encrypts every tenant's secrets through the admin connection
    keys = f"{generate_entry('k2')},{setup.pg.keys}"
    with Hub.open(setup.pg.settings(admin_database_url=setup.ops_url, encryption_keys=keys)) as hub:
        totals = hub.rotate_keys(actor="ops")
        assert totals["failed"] == 0 and totals["rotated"] >= 2
        assert hub.rotate_keys(actor="ops")["rotated"] == 0
        for t in (setup.a, setup.b):
            assert "key.rotate" in [r.action for r in hub.tenant(t.slug).audit_log()]
            assert hub.tenant(t.slug).verify_audit().ok


def test_even_the_admin_only_appends_to_the_audit_log(setup: Setup) -> None:
    with psycopg.connect(setup.ops_dsn) as pc:
        tenants = pc.execute("SELECT DISTINCT tenant_id FROM audit_logs").fetchall()
        assert {str(r[0]) for r in tenants} >= {setup.a.id, setup.b.id}  # SELECT across tenants
        for sql in ("UPDATE audit_logs SET actor = 'x'", "DELETE FROM audit_logs"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), pc.transaction():
                pc.execute(sql)
        with pc.transaction():  # INSERT it may (the hub appends key.rotate rows this way)
            row = pc.execute("SELECT * FROM audit_logs WHERE tenant_id = %s ORDER BY seq DESC LIMIT 1",
                             (setup.b.id,))
            values = dict(zip([d.name for d in row.description or []], row.fetchone() or (), strict=True))
            _insert(pc, "audit_logs", {**values, "id": _uuid(), "seq": values["seq"] + 1000})
            raise_rollback(pc)


# --------------------------------------------------------------------------- (b) Supabase's API roles


@pytest.fixture
def api(setup: Setup) -> Iterator[psycopg.Connection]:
    dsn = setup.pg.server.dsn(setup.pg.name, user="authenticator", password=AUTHENTICATOR_PASSWORD)
    with psycopg.connect(dsn) as pc:
        yield pc


def _request(pc: psycopg.Connection, role: str, claims: dict[str, Any] | None) -> None:
    """What PostgREST does at the start of each request's transaction."""
    pc.execute(f"SET LOCAL ROLE {role}")
    if claims is not None:
        pc.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))


def test_a_jwt_tenant_sees_only_its_rows(api: psycopg.Connection, setup: Setup) -> None:
    with api.transaction():
        _request(api, "authenticated", {"role": "authenticated", "tenant_id": setup.a.id})
        assert api.execute("SELECT hub_current_tenant()::text").fetchone() == (setup.a.id,)
        for table in ("tenant_airbyte_connections", "audit_logs", "api_keys"):
            seen = {str(r[0]) for r in api.execute(f"SELECT DISTINCT tenant_id FROM {table}").fetchall()}
            assert seen == {setup.a.id}, table
        assert [str(r[0]) for r in api.execute("SELECT id FROM tenants").fetchall()] == [setup.a.id]
        others = api.execute("SELECT count(*) FROM users WHERE tenant_id = %s", (setup.b.id,))
        assert others.fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # password hashes are not exposed
            api.execute("SELECT password_hash FROM users")
        raise_rollback(api)


def test_a_jwt_tenant_cannot_insert_for_another_tenant(api: psycopg.Connection, setup: Setup) -> None:
    with api.transaction():
        _request(api, "authenticated", {"tenant_id": setup.a.id})
        row = api.execute("SELECT * FROM tenant_airbyte_connections LIMIT 1")
        values = dict(zip([d.name for d in row.description or []], row.fetchone() or (), strict=True))
        _insert(api, "tenant_airbyte_connections", {**values, "id": _uuid()})  # its own tenant: allowed
        refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security")
        with refused, api.transaction():
            _insert(api, "tenant_airbyte_connections", {**values, "id": _uuid(), "tenant_id": setup.b.id})
        raise_rollback(api)


def test_without_a_claim_authenticated_sees_nothing_and_anon_may_read_nothing(
    api: psycopg.Connection, setup: Setup
) -> None:
    with api.transaction():
        _request(api, "authenticated", {"role": "authenticated"})  # signed in, but no tenant_id claim
        for table in ("tenants", "tenant_airbyte_connections", "audit_logs", "api_keys"):
            assert api.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        raise_rollback(api)
    for table in TABLES:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), api.transaction():
            _request(api, "anon", {"role": "anon", "tenant_id": setup.a.id})  # even with a claim
            api.execute(f"SELECT count(*) FROM {table}")


# --------------------------------------------------------------------------- helpers


def _uuid() -> str:
    return str(uuid.uuid4())


def _insert(pc: psycopg.Connection, table: str, values: dict[str, Any]) -> None:
    cols = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    params = [psycopg.types.json.Jsonb(v) if isinstance(v, dict | list) else v for v in values.values()]
    pc.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)


def raise_rollback(pc: psycopg.Connection) -> None:
    """Leave the data as it was: end the surrounding ``pc.transaction()`` with a rollback."""
    raise psycopg.Rollback()

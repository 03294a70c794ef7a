"""The tenant-neutral side: look-ups before a tenant is known, and the admin work across tenants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from typing_extensions import override

from hub.exceptions import InputError
from hub.models import ApiKey, Tenant, User
from hub.storage.audit import AuditDraft
from hub.storage.base import Directory, SignInRecord
from hub.storage.crypto import Sealed
from hub.storage.database import Database
from hub.storage.sql import SqlStore, append_audit
from hub.storage.tables import (
    USER_COLUMNS,
    sign_in_failures,
    tenant_settings,
    tenants,
    to_api_key,
    to_joined_tenant,
    to_tenant,
    to_user,
    users,
)


class SqlDirectory(Directory):
    """Look-ups before a tenant is known, and admin work across tenants."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @override
    def find_tenant(self, slug_or_id: str) -> Tenant | None:
        with self.db.begin(write=False, action="look up the tenant") as c:
            row = self.db.dialect.find_tenant(c, slug_or_id.strip())
        return to_tenant(row) if row else None

    @override
    def list_tenants(self) -> list[Tenant]:
        self.db.require_admin("list tenants")
        with self.db.begin(write=False, admin=True, action="list tenants") as c:
            rows = c.execute(sa.select(tenants).order_by(tenants.c.slug)).all()
        return [to_tenant(r) for r in rows]

    @override
    def create_tenant(self, tenant: Tenant, audit: AuditDraft | None = None) -> Tenant:
        self.db.require_admin("create the tenant")
        with self.db.begin(write=True, admin=True, tenant_id=tenant.id, action="create the tenant") as c:
            exists = c.execute(sa.select(tenants.c.id).where(tenants.c.slug == tenant.slug)).first()
            if exists:
                raise InputError(
                    f"A tenant with slug {tenant.slug!r} already exists.",
                    hint="Pick another slug, or use the existing tenant.",
                )
            c.execute(
                sa.insert(tenants).values(
                    id=tenant.id,
                    slug=tenant.slug,
                    name=tenant.name,
                    business_type=tenant.business_type,
                    created_at=tenant.created_at,
                    audit_head="",
                )
            )
            append_audit(
                c,
                tenant.id,
                audit
                or AuditDraft(
                    "tenant.create",
                    actor="system",
                    target_type="tenant",
                    target_id=tenant.id,
                    detail={"slug": tenant.slug, "name": tenant.name, "business_type": tenant.business_type},
                ),
            )
        return tenant

    @override
    def create_user(self, user: User, password_hash: str, audit: AuditDraft) -> User:
        self.db.require_admin("create the user")
        with self.db.begin(write=True, admin=True, tenant_id=user.tenant_id, action="create the user") as c:
            exists = c.execute(sa.select(users.c.id).where(users.c.username == user.username)).first()
            if exists:
                raise InputError(
                    f"A user named {user.username!r} already exists.", hint="Pick another username."
                )
            c.execute(
                sa.insert(users).values(
                    id=user.id,
                    tenant_id=user.tenant_id,
                    username=user.username,
                    name=user.name,
                    password_hash=password_hash,
                    created_at=user.created_at,
                    disabled=user.disabled,
                )
            )
            append_audit(c, user.tenant_id, audit)
        return user

    @override
    def remove_user(self, username: str, audit: AuditDraft) -> User | None:
        self.db.require_admin("remove the user")
        with self.db.begin(write=True, admin=True, action="remove the user") as c:
            row = c.execute(sa.select(*USER_COLUMNS).where(users.c.username == username)).first()
            if row is None:
                return None
            user = to_user(row)
            self.db.dialect.set_tenant(c, user.tenant_id)  # known only now
            c.execute(sa.delete(users).where(users.c.id == user.id))
            append_audit(c, user.tenant_id, audit)
        return user

    @override
    def users(self, tenant_id: str) -> list[User]:
        with self.db.begin(write=False, admin=True, tenant_id=tenant_id, action="list users") as c:
            rows = c.execute(
                sa.select(*USER_COLUMNS).where(users.c.tenant_id == tenant_id).order_by(users.c.username)
            ).all()
        return [to_user(r) for r in rows]

    @override
    def sign_in_record(self, username: str) -> SignInRecord | None:
        with self.db.begin(write=False, action="look up the user") as c:
            row = self.db.dialect.sign_in_row(c, username)
        if row is None:
            return None
        return SignInRecord(user=to_user(row), tenant=to_joined_tenant(row), password_hash=row.password_hash)

    @override
    def recent_sign_in_failures(self, username: str, since: datetime) -> list[datetime]:
        with self.db.begin(write=False, action="count failed sign-ins") as c:
            rows = c.execute(
                sa.select(sign_in_failures.c.at)
                .where(sign_in_failures.c.username == username, sign_in_failures.c.at >= since)
                .order_by(sign_in_failures.c.at)
            ).all()
        return [r.at for r in rows]

    @override
    def add_sign_in_failure(self, username: str, at: datetime, *, prune_before: datetime) -> None:
        with self.db.begin(write=True, action="record a failed sign-in") as c:
            c.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.at < prune_before))
            c.execute(sa.insert(sign_in_failures).values(id=str(uuid.uuid4()), username=username, at=at))

    @override
    def clear_sign_in_failures(self, username: str) -> None:
        with self.db.begin(write=True, action="clear failed sign-ins") as c:
            c.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.username == username))

    @override
    def api_key_by_hash(self, key_hash: str) -> tuple[ApiKey, Tenant] | None:
        with self.db.begin(write=False, action="look up the API key") as c:
            row = self.db.dialect.api_key_row(c, key_hash)
        if row is None:
            return None
        return to_api_key(row), to_joined_tenant(row)

    def settings_with(self, name: str, key: str) -> list[tuple[str, dict[str, Any], Sealed | None]]:
        """``(tenant id, value, sealed part)`` of every tenant's setting ``name`` whose value has ``key``."""
        self.db.require_admin("read the settings of every tenant")
        s = tenant_settings.c
        with self.db.begin(write=False, admin=True, action="read the settings of every tenant") as c:
            rows = c.execute(sa.select(tenant_settings).where(s.name == name)).all()
        return [
            (
                str(r.tenant_id),
                dict(r.value),
                Sealed(r.key_id, r.encrypted_value) if r.encrypted_value and r.key_id else None,
            )
            for r in rows
            if isinstance(r.value, dict) and key in r.value
        ]

    @override
    def admin_store(self, tenant_id: str) -> SqlStore:
        return SqlStore(self.db, tenant_id, admin=True)


__all__ = ["SqlDirectory"]

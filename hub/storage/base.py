"""The storage interfaces.

* `Store` is bound to one tenant when it is made; every query it runs carries that tenant (and on
  PostgreSQL, row level security enforces it again in the database).
* `Directory` is the tenant-neutral side: look-ups that must find the tenant first (a tenant by slug,
  a user signing in, an API key by hash) and the admin work across tenants (tenants, users).

Both return ``None`` for "not found" and raise `StorageError` when the database fails. Writes that the
audit log must record take an `AuditDraft` and append it in the same transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.models import ApiKey, AuditEntry, Connection, Status, Tenant, User
from hub.storage.audit import AuditDraft
from hub.storage.crypto import Sealed


@dataclass(frozen=True)
class SignInRecord:
    """What sign-in needs: the user, their tenant and the bcrypt hash."""

    user: User
    tenant: Tenant
    password_hash: str

    def __repr__(self) -> str:
        return f"SignInRecord(user={self.user.username!r}, tenant={self.tenant.slug!r})"


class Store(ABC):
    """One tenant's connections, audit log and API keys."""

    tenant_id: str

    # ------------------------------------------------------------------ tenant
    @abstractmethod
    def get_tenant(self) -> Tenant | None:
        """The tenant this store is bound to."""

    # ------------------------------------------------------------------ connections
    @abstractmethod
    def insert_connection(self, conn: Connection, sealed: Sealed | None, audit: AuditDraft) -> Connection:
        """Insert a new connection and its audit row in one transaction."""

    @abstractmethod
    def update_connection(
        self,
        connection_id: str,
        *,
        expect_status: Status | None,
        changes: Mapping[str, Any],
        audit: AuditDraft | None,
        sealed: Sealed | None = None,
        erase_secret: bool = False,
        current: Connection | None = None,
    ) -> Connection | None:
        """Apply ``changes`` (columns of the connection) if its status is still ``expect_status``.

        ``sealed`` replaces the stored secret; ``erase_secret`` sets it to NULL. Returns the updated
        connection, or None when it does not exist or its status changed meanwhile (nothing is written).
        ``current`` (optional) is the caller's copy of the row: a store may build the returned model from
        it plus ``changes``, reading back only the columns the update did not set (a concurrent rename
        still shows).
        """

    @abstractmethod
    def get_connection(self, connection_id: str) -> Connection | None:
        """One connection of this tenant."""

    @abstractmethod
    def get_connections(self, connection_ids: Sequence[str]) -> dict[str, Connection]:
        """Those of ``connection_ids`` that are this tenant's connections, by id, in one read."""

    @abstractmethod
    def get_sealed(self, connection_id: str) -> Sealed | None:
        """The stored encrypted config of one connection (None when erased or unknown)."""

    @abstractmethod
    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        """The tenant's connections, newest first."""

    @abstractmethod
    def list_sealed(self) -> list[tuple[str, Sealed]]:
        """(connection id, sealed config) of every connection that still has a secret."""

    @abstractmethod
    def replace_sealed(self, connection_id: str, *, old_key_id: str, sealed: Sealed) -> bool:
        """Swap the ciphertext if it is still under ``old_key_id``; False if it changed meanwhile."""

    # ------------------------------------------------------------------ audit
    @abstractmethod
    def append_audit(self, draft: AuditDraft) -> AuditEntry:
        """Append one row to this tenant's chain (in its own transaction)."""

    @abstractmethod
    def audit_entries(
        self, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[AuditEntry]:
        """The tenant's audit rows by seq."""

    @abstractmethod
    def audit_rows(self) -> list[dict[str, Any]]:
        """Raw audit rows ordered by seq (for verification)."""

    @abstractmethod
    def audit_head(self) -> str:
        """``tenants.audit_head``."""

    # ------------------------------------------------------------------ API keys and users
    @abstractmethod
    def insert_api_key(self, key: ApiKey, key_hash: str, audit: AuditDraft) -> ApiKey:
        """Store an API key's hash and metadata."""

    @abstractmethod
    def list_api_keys(self) -> list[ApiKey]:
        """The tenant's API keys, newest first."""

    @abstractmethod
    def revoke_api_key(self, key_id: str, audit: AuditDraft) -> ApiKey | None:
        """Mark a key revoked (idempotent); None when unknown."""

    @abstractmethod
    def list_users(self) -> list[User]:
        """The tenant's users."""


class Directory(ABC):
    """Tenant-neutral look-ups and the admin work across tenants."""

    @abstractmethod
    def find_tenant(self, slug_or_id: str) -> Tenant | None:
        """A tenant by slug or id."""

    @abstractmethod
    def list_tenants(self) -> list[Tenant]:
        """Every tenant (admin)."""

    @abstractmethod
    def create_tenant(self, tenant: Tenant) -> Tenant:
        """Insert a tenant and its first audit row ``tenant.create`` (admin)."""

    @abstractmethod
    def create_user(self, user: User, password_hash: str, audit: AuditDraft) -> User:
        """Insert a user and audit it in their tenant (admin)."""

    @abstractmethod
    def remove_user(self, username: str, audit: AuditDraft) -> User | None:
        """Delete a user and audit it in their tenant (admin); None when unknown."""

    @abstractmethod
    def users(self, tenant_id: str) -> list[User]:
        """A tenant's users (admin)."""

    @abstractmethod
    def sign_in_record(self, username: str) -> SignInRecord | None:
        """The user, tenant and hash for a sign-in."""

    @abstractmethod
    def recent_sign_in_failures(self, username: str, since: datetime) -> list[datetime]:
        """When ``username``'s failed sign-ins since ``since`` happened, oldest first."""

    @abstractmethod
    def add_sign_in_failure(self, username: str, at: datetime, *, prune_before: datetime) -> None:
        """Record a failed sign-in; rows older than ``prune_before`` (any username) are deleted."""

    @abstractmethod
    def clear_sign_in_failures(self, username: str) -> None:
        """Forget ``username``'s failed sign-ins (after a successful one)."""

    @abstractmethod
    def api_key_by_hash(self, key_hash: str) -> tuple[ApiKey, Tenant] | None:
        """An API key (revoked ones included) and its tenant."""

    @abstractmethod
    def admin_store(self, tenant_id: str) -> Store:
        """A store for one tenant over the admin connection (key rotation)."""


__all__ = ["Directory", "SignInRecord", "Store"]

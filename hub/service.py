"""Use cases: the one place that runs the status machine, stores, encrypts and audits.

Faces (Streamlit pages, CLI, HTTP API) call these and nothing below them.

    hub = Hub.open(Settings.from_env())        # tenant-neutral; safe to share (st.cache_resource)
    acme = hub.tenant("acme")                  # bound to one tenant; every query carries it
    conn = acme.connect("shopify", {...}, actor="alice", mode="demo", on_step=print)
    acme.preview(conn.id, "orders", limit=100, actor="alice")

INTERFACE DRAFT: the storage issue implements the bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import SecretStr

from hub.catalogue import Catalogue
from hub.models import (
    ApiKey,
    AuditEntry,
    AuditVerification,
    Connection,
    Mode,
    Preview,
    StepEvent,
    StreamInfo,
    Tenant,
    User,
)
from hub.settings import Settings

StepCallback = Callable[[StepEvent], None]


class TenantService:
    """The use cases of one tenant. Made by `Hub.tenant`; never crosses to another tenant."""

    tenant: Tenant

    def connect(
        self,
        source_id: str,
        config: Mapping[str, Any],
        *,
        actor: str,
        mode: Mode | str | None = None,
        name: str | None = None,
        on_step: StepCallback | None = None,
    ) -> Connection:
        """Validate against the spec, then connecting -> testing (check, discover, sample) -> connected.

        ``mode`` None means: live when the source has a live connector and ``config`` is not empty,
        else demo. A config that fails validation raises `ConfigError` and stores nothing. A failed
        check stores the connection as ``failed`` with the reason in ``status_detail`` and returns it.
        """
        raise NotImplementedError

    def reconnect(
        self, connection_id: str, config: Mapping[str, Any], *, actor: str, on_step: StepCallback | None = None
    ) -> Connection:
        """A failed connection with new credentials: failed -> connecting -> testing -> ..."""
        raise NotImplementedError

    def retest(self, connection_id: str, *, actor: str, on_step: StepCallback | None = None) -> Connection:
        """Re-test (connected) or retry (failed) with the stored config: -> testing -> connected|failed."""
        raise NotImplementedError

    def rename(self, connection_id: str, name: str, *, actor: str) -> Connection:
        """Rename a connection."""
        raise NotImplementedError

    def disconnect(self, connection_id: str, *, actor: str) -> Connection:
        """-> disconnected; the secret is erased, the row stays for the audit trail."""
        raise NotImplementedError

    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        """This tenant's connections, newest first."""
        raise NotImplementedError

    def get_connection(self, connection_id: str) -> Connection:
        """One connection (metadata only); `NotFound` for unknown ids and other tenants' ids."""
        raise NotImplementedError

    def streams(self, connection_id: str) -> list[StreamInfo]:
        """Discover the streams of a connected connection."""
        raise NotImplementedError

    def preview(self, connection_id: str, stream: str, *, limit: int = 100, actor: str) -> Preview:
        """A bounded sample of one stream (audited as ``connection.preview``)."""
        raise NotImplementedError

    def audit_log(self, *, action: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """This tenant's audit rows, oldest first."""
        raise NotImplementedError

    def verify_audit(self) -> AuditVerification:
        """Check the hash chain and ``tenants.audit_head``."""
        raise NotImplementedError

    def record(
        self,
        action: str,
        *,
        actor: str,
        target_type: str = "",
        target_id: str = "",
        outcome: str = "ok",
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one audit row (for actions outside this class: sign-in, API requests...)."""
        raise NotImplementedError


class Hub:
    """Tenant-neutral entry point: settings, catalogue, storage, keys. Thread-safe; holds no tenant state."""

    settings: Settings
    catalogue: Catalogue

    @classmethod
    def open(cls, settings: Settings | None = None) -> Hub:
        """Open (and on first use create) the storage; load the catalogue and the keys."""
        raise NotImplementedError

    def close(self) -> None:
        """Dispose of the database engines."""
        raise NotImplementedError

    def tenant(self, slug_or_id: str) -> TenantService:
        """The services bound to one tenant; `NotFound` for an unknown tenant."""
        raise NotImplementedError

    def create_tenant(self, slug: str, *, name: str, business_type: str, actor: str = "cli") -> Tenant:
        """Create a tenant (business type validated against the catalogue's business types)."""
        raise NotImplementedError

    def list_tenants(self) -> list[Tenant]:
        """All tenants (admin connection)."""
        raise NotImplementedError

    def create_user(
        self, username: str, *, tenant: str, name: str, password: SecretStr | str, actor: str = "cli"
    ) -> User:
        """Create a user of a tenant; the password is stored bcrypt-hashed."""
        raise NotImplementedError

    def list_users(self, tenant: str) -> list[User]:
        """A tenant's users."""
        raise NotImplementedError

    def remove_user(self, username: str, *, actor: str = "cli") -> None:
        """Remove a user (audited as ``user.remove`` in their tenant)."""
        raise NotImplementedError

    def authenticate(self, username: str, password: SecretStr | str) -> tuple[User, Tenant] | None:
        """Check a password; audits ``auth.sign_in`` or ``auth.sign_in_failed``. None when it fails."""
        raise NotImplementedError

    def ensure_demo_accounts(self) -> bool:
        """On the embedded default only: create acme/alice and globex/bob once. True if created."""
        raise NotImplementedError

    def rotate_keys(self, *, actor: str = "cli") -> dict[str, int]:
        """Re-encrypt every stored secret under the first key; counts per outcome."""
        raise NotImplementedError

    def create_api_key(self, tenant: str, *, name: str, actor: str = "cli") -> tuple[ApiKey, SecretStr]:
        """A new API key; the plaintext is returned once and only its hash is stored."""
        raise NotImplementedError

    def list_api_keys(self, tenant: str) -> list[ApiKey]:
        """A tenant's API keys (metadata)."""
        raise NotImplementedError

    def revoke_api_key(self, tenant: str, key_id: str, *, actor: str = "cli") -> ApiKey:
        """Revoke an API key."""
        raise NotImplementedError

    def resolve_api_key(self, key: SecretStr | str) -> tuple[ApiKey, Tenant] | None:
        """The key's metadata and tenant, or None when it is unknown or revoked."""
        raise NotImplementedError


def demo_streams(catalogue: Catalogue, source_id: str, *, tenant: str = "demo", seed: int = 0) -> list[StreamInfo]:
    """Streams of a source's demo connector, without storage (CLI ``streams --demo``)."""
    raise NotImplementedError


def demo_preview(
    catalogue: Catalogue, source_id: str, stream: str, *, limit: int = 100, tenant: str = "demo", seed: int = 0
) -> Preview:
    """A demo sample without storage (CLI ``preview --demo``)."""
    raise NotImplementedError

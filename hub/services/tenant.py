"""`TenantService`: every use case of one tenant, bound to it when made (`Hub.tenant`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.models import ApiKey, AuditEntry, AuditVerification, User
from hub.services.files import FileSources
from hub.services.health import Health
from hub.services.previews import Previews
from hub.storage.audit import AuditDraft, verify_chain


class TenantService(Health, FileSources, Previews):
    """The use cases of one tenant. Made by `Hub.tenant`; never crosses to another tenant.

    Connections (connect, reconnect, rename, disconnect, list) come from `Connections`, re-test and an
    expired sign-in from `Testing` (its base), connecting an uploaded file from `FileSources`, checks and
    health views from `Health` (a `Connections`), streams
    and previews from `Previews`; the audit log and the tenant's users and API keys are here.
    """

    # ------------------------------------------------------------------ audit

    def audit_log(
        self, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[AuditEntry]:
        """The tenant's audit rows, oldest first (``newest_first`` reverses; ``limit`` keeps the first N)."""
        return self._store.audit_entries(action=action, limit=limit, newest_first=newest_first)

    def verify_audit(self) -> AuditVerification:
        """Check the hash chain and ``tenants.audit_head``."""
        return verify_chain(self._store.audit_rows(), head=self._store.audit_head())

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
        return self._store.append_audit(
            AuditDraft(
                action,
                actor=actor,
                target_type=target_type,
                target_id=target_id,
                outcome=outcome,
                detail=detail or {},
            )
        )

    # ------------------------------------------------------------------ the tenant's accounts

    def users(self) -> list[User]:
        """The tenant's users."""
        return self._store.list_users()

    def api_keys(self) -> list[ApiKey]:
        """The tenant's API keys (metadata)."""
        return self._store.list_api_keys()

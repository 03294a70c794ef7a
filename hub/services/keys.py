"""Encryption keys: re-encrypt every stored secret under the current key (``python -m hub keys rotate``)."""

from __future__ import annotations

import logging

from hub.exceptions import CryptoError
from hub.models import Outcome
from hub.storage import Database
from hub.storage.audit import AuditDraft
from hub.storage.crypto import KeyRing
from hub.storage.sql import SqlStore

log = logging.getLogger(__name__)


class KeyRotation:
    """Key rotation across tenants (a base of `Hub`, which supplies ``db`` and ``keys``)."""

    db: Database
    keys: KeyRing

    def rotate_keys(self, *, actor: str = "cli") -> dict[str, int]:
        """Re-encrypt every stored secret under the first key; counts per outcome.

        Each tenant with anything to do gets one ``key.rotate`` audit row with its counts and the ids of
        the connections that could not be decrypted (at most 50).
        """
        totals = {"rotated": 0, "already_current": 0, "failed": 0}
        current = self.keys.current_id
        for tenant in self.db.directory.list_tenants():
            store = self.db.directory.admin_store(tenant.id)
            counts = {"rotated": 0, "already_current": 0, "failed": 0}
            failed_ids: list[str] = []
            for conn_id, sealed in store.list_sealed():
                if sealed.key_id == current:
                    counts["already_current"] += 1
                    continue
                try:
                    fresh = self.keys.reseal(sealed, tenant_id=tenant.id, connection_id=conn_id)
                except CryptoError as exc:
                    log.warning("key rotation: %s", exc.message)
                    counts["failed"] += 1
                    failed_ids.append(conn_id)
                    continue
                if store.replace_sealed(conn_id, old_key_id=sealed.key_id, sealed=fresh):
                    counts["rotated"] += 1
                else:  # disconnected or reconnected meanwhile: nothing under the old key any more
                    counts["already_current"] += 1
            webhook = self._rotate_settings(store, tenant.id)
            if webhook is not None:
                counts[webhook] += 1
            if any(counts.values()):
                store.append_audit(
                    AuditDraft(
                        "key.rotate",
                        actor=actor,
                        target_type="key",
                        target_id=current,
                        outcome=Outcome.ERROR if counts["failed"] else Outcome.OK,
                        detail={**counts, "key_id": current, "failed_connections": failed_ids[:50]},
                    )
                )
            for k, v in counts.items():
                totals[k] += v
        return totals

    def _rotate_settings(self, store: SqlStore, tenant_id: str) -> str | None:
        """Re-seal the tenant's alert webhook (URL and secret) under the current key.

        The count it adds to (``rotated``, ``already_current``, ``failed``), or None when there is none.
        """
        from hub.services.alerts import LEGACY_SECRET_LABEL, SETTING, WEBHOOK_LABEL

        stored = store.get_setting(SETTING)
        if stored is None or stored[1] is None:
            return None
        value, sealed = stored[0], stored[1]
        if sealed.key_id == self.keys.current_id:
            return "already_current"
        label = LEGACY_SECRET_LABEL if "webhook_url" in value else WEBHOOK_LABEL
        try:
            fresh = self.keys.reseal(sealed, tenant_id=tenant_id, connection_id=label)
        except CryptoError as exc:
            log.warning("key rotation: the alert webhook: %s", exc.message)
            return "failed"
        draft = AuditDraft(
            "alert.settings",
            actor="hub",
            target_type="tenant",
            target_id=tenant_id,
            detail={"rotated_to": fresh.key_id},
        )
        done = store.replace_setting(SETTING, value, fresh, expect=sealed, audit=draft)
        return "rotated" if done else "already_current"  # else changed meanwhile: sealed anew already

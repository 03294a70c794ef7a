"""Encryption keys: re-encrypt every stored secret under the current key (``python -m hub keys rotate``)."""

from __future__ import annotations

import logging

from hub.exceptions import CryptoError
from hub.models import Outcome
from hub.storage import Database
from hub.storage.audit import AuditDraft
from hub.storage.crypto import KeyRing

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

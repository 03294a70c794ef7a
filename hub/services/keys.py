"""Encryption keys: re-encrypt every stored secret under the current key (``python -m hub keys rotate``)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from hub.exceptions import CryptoError
from hub.models import Outcome
from hub.storage import Database
from hub.storage.audit import AuditDraft
from hub.storage.crypto import KeyRing, Sealed

log = logging.getLogger(__name__)


class KeyRotation:
    """Key rotation across tenants (a base of `Hub`, which supplies ``db`` and ``keys``)."""

    db: Database
    keys: KeyRing

    def rotate_keys(self, *, actor: str = "cli") -> dict[str, int]:
        """Re-encrypt every stored secret under the first key; counts per outcome.

        The connections' configs and the tenant settings' secrets (alert destinations, the hand-off's
        destination) alike. Each tenant with anything to do gets one ``key.rotate`` audit row with its
        counts and what could not be decrypted (connection ids, ``setting:<name>``; at most 50).
        """
        totals = {"rotated": 0, "already_current": 0, "failed": 0}
        current = self.keys.current_id
        for tenant in self.db.directory.list_tenants():
            store = self.db.directory.admin_store(tenant.id)
            counts = {"rotated": 0, "already_current": 0, "failed": 0}
            failed_ids: list[str] = []
            # the connections' configs (bound to their id), then the settings' secrets (bound to a label)
            work = [(cid, cid, sealed, store.replace_sealed) for cid, sealed in store.list_sealed()]
            for name, value, sealed in store.list_sealed_settings():
                label = _setting_label(name, value)
                work.append((f"setting:{name}", label, sealed, partial(_replace_setting, store, name)))
            for what, bound_to, sealed, replace in work:
                if sealed.key_id == current:
                    counts["already_current"] += 1
                    continue
                try:
                    fresh = self.keys.reseal(sealed, tenant_id=tenant.id, connection_id=bound_to)
                except CryptoError as exc:
                    log.warning("key rotation: %s", exc.message)
                    counts["failed"] += 1
                    failed_ids.append(what)
                    continue
                if replace(bound_to, old_key_id=sealed.key_id, sealed=fresh):
                    counts["rotated"] += 1
                else:  # disconnected, reconnected or saved again meanwhile: nothing under the old key
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


def _setting_label(name: str, value: dict[str, Any]) -> str:
    """The label a tenant setting's secret is sealed under (the key ring binds a ciphertext to it).

    A setting without a known label cannot be opened: it is counted as failed, never left silently.
    """
    from hub.handoff import target
    from hub.services import alerts

    if name == alerts.SETTING:  # a URL still in the clear: only the secret is sealed, the older way
        return alerts.LEGACY_SECRET_LABEL if "webhook_url" in value else alerts.WEBHOOK_LABEL
    if name == target.SETTING:
        return target.SECRET_LABEL
    return f"(no label known for the setting {name!r})"


def _replace_setting(store: Any, name: str, _label: str, *, old_key_id: str, sealed: Sealed) -> bool:
    return bool(store.replace_sealed_setting(name, old_key_id=old_key_id, sealed=sealed))

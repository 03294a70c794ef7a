"""Tenant settings (``tenant_settings``) and raised alerts (``alert_events``), a part of `SqlStore`.

An alert row is inserted once per change of state: the insert does nothing when the tenant already has a row
with the same ``dedupe_key``, so two monitors (or one restarted) that see the same change raise it once.
Rows are then only marked: the channels delivered, the attempts and the last error, ``sent_at`` when done.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hub.storage.audit import AuditDraft
from hub.storage.crypto import Sealed
from hub.storage.tables import alert_events, tenant_settings

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Connection as SAConnection

    from hub.storage.database import Database

_a = alert_events.c
_s = tenant_settings.c


class AlertStore:
    """Settings and alerts of the store's tenant (mixed into `SqlStore`: ``_tx``, ``tenant_id``, ``db``)."""

    tenant_id: str
    db: Database

    def _tx(self, *, write: bool, action: str) -> AbstractContextManager[SAConnection]:
        raise NotImplementedError

    def _append_audit_in(self, c: SAConnection, draft: AuditDraft) -> None:
        raise NotImplementedError

    def _insert(self) -> Any:
        return postgresql.insert if self.db.backend == "postgresql" else sqlite.insert

    # ------------------------------------------------------------------ settings

    def get_setting(self, name: str) -> tuple[dict[str, Any], Sealed | None] | None:
        """The setting ``name``: its JSON value and its sealed secret part, or None when never set."""
        with self._tx(write=False, action="read the tenant's settings") as c:
            row = c.execute(
                sa.select(tenant_settings).where(_s.tenant_id == self.tenant_id, _s.name == name)
            ).first()
        if row is None:
            return None
        sealed = Sealed(row.key_id, row.encrypted_value) if row.encrypted_value and row.key_id else None
        return dict(row.value or {}), sealed

    def put_setting(self, name: str, value: dict[str, Any], sealed: Sealed | None, audit: AuditDraft) -> None:
        """Store the setting ``name`` (replacing it), audited in the same transaction."""
        values = {
            "tenant_id": self.tenant_id,
            "name": name,
            "value": value,
            "encrypted_value": sealed.token if sealed else None,
            "key_id": sealed.key_id if sealed else None,
        }
        stmt = self._insert()(tenant_settings).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_s.tenant_id, _s.name],
            set_={k: stmt.excluded[k] for k in ("value", "encrypted_value", "key_id")},
        )
        with self._tx(write=True, action="store the tenant's settings") as c:
            c.execute(stmt)
            self._append_audit_in(c, audit)

    def list_sealed_settings(self) -> list[tuple[str, dict[str, Any], Sealed]]:
        """(name, value, sealed part) of every setting of the tenant that holds a secret."""
        with self._tx(write=False, action="list the settings' secrets") as c:
            rows = c.execute(
                sa.select(_s.name, _s.value, _s.encrypted_value, _s.key_id).where(
                    _s.tenant_id == self.tenant_id, _s.encrypted_value.is_not(None)
                )
            ).all()
        return [(r.name, dict(r.value or {}), Sealed(r.key_id or "", r.encrypted_value)) for r in rows]

    def replace_sealed_setting(self, name: str, *, old_key_id: str, sealed: Sealed) -> bool:
        """Swap the setting's ciphertext if still under ``old_key_id``; False if it changed meanwhile."""
        with self._tx(write=True, action="re-encrypt the setting's secret") as c:
            res = c.execute(
                sa.update(tenant_settings)
                .where(_s.tenant_id == self.tenant_id, _s.name == name, _s.key_id == old_key_id)
                .values(encrypted_value=sealed.token, key_id=sealed.key_id)
            )
        return bool(res.rowcount == 1)

    def replace_setting(
        self,
        name: str,
        value: dict[str, Any],
        sealed: Sealed | None,
        *,
        expect: Sealed | None,
        audit: AuditDraft,
    ) -> bool:
        """Replace the setting ``name`` only while its sealed part is still ``expect``; whether it did."""
        stored = _s.encrypted_value.is_(None) if expect is None else _s.encrypted_value == expect.token
        with self._tx(write=True, action="store the tenant's settings") as c:
            done = c.execute(
                sa.update(tenant_settings)
                .where(_s.tenant_id == self.tenant_id, _s.name == name, stored)
                .values(
                    value=value,
                    encrypted_value=sealed.token if sealed else None,
                    key_id=sealed.key_id if sealed else None,
                )
                .returning(_s.name)
            ).first()
            if done is not None:
                self._append_audit_in(c, audit)
        return done is not None

    # ------------------------------------------------------------------ alerts

    def add_alert(self, row: dict[str, Any]) -> bool:
        """Insert one alert; False when the tenant already raised one with its ``dedupe_key``."""
        values = {**row, "tenant_id": self.tenant_id}
        stmt = (
            self._insert()(alert_events)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[_a.tenant_id, _a.dedupe_key])
            .returning(_a.id)
        )
        with self._tx(write=True, action="record the alert") as c:
            return c.execute(stmt).first() is not None

    def pending_alerts(self, *, max_attempts: int, connection_id: str | None = None) -> list[dict[str, Any]]:
        """Alerts not yet delivered that have attempts left, oldest first (one connection's when given)."""
        stmt = sa.select(alert_events).where(
            _a.tenant_id == self.tenant_id, _a.sent_at.is_(None), _a.attempts < max_attempts
        )
        if connection_id is not None:
            stmt = stmt.where(_a.connection_id == connection_id)
        with self._tx(write=False, action="read the alerts to send") as c:
            rows = c.execute(stmt.order_by(_a.at)).mappings().all()
        return [dict(r) for r in rows]

    def list_alerts(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The tenant's alerts, newest first."""
        stmt = sa.select(alert_events).where(_a.tenant_id == self.tenant_id).order_by(_a.at.desc())
        with self._tx(write=False, action="read the alerts") as c:
            rows = c.execute(stmt.limit(max(0, int(limit)))).mappings().all()
        return [dict(r) for r in rows]

    def mark_alert(
        self,
        alert_id: str,
        *,
        delivered: list[str],
        error: str,
        sent_at: datetime | None,
        audit: AuditDraft | None,
    ) -> None:
        """Record one delivery attempt of an alert (audited with ``audit`` when it is done)."""
        with self._tx(write=True, action="record the alert's delivery") as c:
            c.execute(
                sa.update(alert_events)
                .where(_a.tenant_id == self.tenant_id, _a.id == alert_id)
                .values(delivered=delivered, last_error=error, sent_at=sent_at, attempts=_a.attempts + 1)
            )
            if audit is not None:
                self._append_audit_in(c, audit)


__all__ = ["AlertStore"]

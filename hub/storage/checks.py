"""The check history of a tenant's connections (``connection_checks``), a part of `SqlStore`.

Rows are written once and deleted by the retention (``HUB_CHECK_RETENTION_DAYS``), never updated. Every
query names the tenant and a connection, so it runs on the timeline index
(``tenant_id, connection_id, at``): the newest page costs the same with 1,000 or 100,000 rows stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from hub.models import CheckRecord
from hub.storage.tables import connection_checks, is_uuid, to_check

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Connection as SAConnection

_INSERT_CHECK = sa.insert(connection_checks)
_c = connection_checks.c


class CheckHistory:
    """Check rows of the store's tenant (mixed into `SqlStore`, which provides ``_tx`` and ``tenant_id``)."""

    tenant_id: str

    def _tx(self, *, write: bool, action: str) -> AbstractContextManager[SAConnection]:
        raise NotImplementedError

    def add_check(self, record: CheckRecord, *, prune_before: datetime | None = None) -> None:
        """Store one check; with ``prune_before``, delete the connection's checks older than that."""
        values = record.model_dump()
        values["kind"] = record.kind.value
        if record.tenant_id != self.tenant_id:
            raise ValueError("A check can only be stored for the store's own tenant.")
        with self._tx(write=True, action="store the check") as c:
            c.execute(_INSERT_CHECK, values)
            if prune_before is not None:
                c.execute(
                    sa.delete(connection_checks).where(
                        _c.tenant_id == self.tenant_id,
                        _c.connection_id == record.connection_id,
                        _c.at < prune_before,
                    )
                )

    def list_checks(
        self, connection_id: str, *, limit: int = 100, before: datetime | None = None
    ) -> list[CheckRecord]:
        """The connection's checks, newest first: ``limit`` of them, older than ``before`` when given."""
        if not is_uuid(connection_id):
            return []
        stmt = sa.select(connection_checks).where(
            _c.tenant_id == self.tenant_id, _c.connection_id == connection_id
        )
        if before is not None:
            stmt = stmt.where(_c.at < before)
        stmt = stmt.order_by(_c.at.desc()).limit(max(0, int(limit)))
        with self._tx(write=False, action="read the check history") as c:
            rows = c.execute(stmt).all()
        return [to_check(r) for r in rows]

    def uptime(self, connection_ids: Sequence[str], since: datetime) -> dict[str, tuple[int, int]]:
        """``{connection id: (ok checks, all checks)}`` since ``since`` (ids without checks are left out)."""
        ids = [i for i in connection_ids if is_uuid(i)]
        if not ids:
            return {}
        ok = sa.func.sum(sa.case((_c.outcome == "ok", 1), else_=0))
        stmt = (
            sa.select(_c.connection_id, ok.label("ok"), sa.func.count().label("n"))
            .where(_c.tenant_id == self.tenant_id, _c.connection_id.in_(ids), _c.at >= since)
            .group_by(_c.connection_id)
        )
        with self._tx(write=False, action="read the uptime") as c:
            rows = c.execute(stmt).all()
        return {r.connection_id: (int(r.ok or 0), int(r.n)) for r in rows}


__all__ = ["CheckHistory"]

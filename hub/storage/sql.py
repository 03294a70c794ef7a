"""The tenant-bound `Store` on SQLAlchemy Core, one code path for SQLite and PostgreSQL.

Every query names the store's tenant, and on PostgreSQL every transaction is also bound to it
(`Database.begin`), so row level security checks it again. An audited change writes its audit row in the
same transaction (`append_audit`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection as SAConnection
from typing_extensions import override

from hub.exceptions import InputError, StorageError
from hub.models import ApiKey, AuditEntry, Connection, Status, Tenant, User
from hub.storage.alerts import AlertStore
from hub.storage.audit import GENESIS, AuditDraft, build_row, to_entry
from hub.storage.base import Store
from hub.storage.checks import CheckHistory
from hub.storage.crypto import Sealed
from hub.storage.database import Database
from hub.storage.tables import (
    API_KEY_COLUMNS,
    CONNECTION_COLUMNS,
    USER_COLUMNS,
    api_keys,
    audit_logs,
    connections,
    is_uuid,
    now,
    tenants,
    to_api_key,
    to_connection,
    to_tenant,
    to_user,
    users,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

#: The connection columns an update may set.
UPDATABLE = frozenset(
    {
        "name",
        "status",
        "status_detail",
        "metadata",
        "updated_at",
        "last_checked_at",
        "encrypted_config",
        "key_id",
    }
)

_LAST_SEQ = (
    sa.select(sa.func.coalesce(sa.func.max(audit_logs.c.seq), 0))
    .where(audit_logs.c.tenant_id == tenants.c.id)
    .scalar_subquery()
)
_HEAD = sa.select(tenants.c.audit_head, _LAST_SEQ.label("last_seq")).where(
    tenants.c.id == sa.bindparam("tid")
)
# The head names the newest row exactly (its hash covers its seq), so an unchanged head means an unchanged
# chain: comparing it is the whole check (seq stays unique by audit_logs_tenant_seq_key).
_SWAP_HEAD = (
    sa.update(tenants)
    .where(tenants.c.id == sa.bindparam("tid"), tenants.c.audit_head == sa.bindparam("old"))
    .values(audit_head=sa.bindparam("new"))
)
_INSERT_AUDIT = sa.insert(audit_logs)
_INSERT_CONNECTION = sa.insert(connections)
# Made once: building a statement costs more than running it. The SET clause comes from the parameters'
# column names; the bind names start with "_" so that none is a column's.
_UPDATE_CONNECTION = (
    sa.update(connections)
    .where(connections.c.id == sa.bindparam("_id"), connections.c.tenant_id == sa.bindparam("_tenant"))
    .returning(*CONNECTION_COLUMNS)
)
_UPDATE_CONNECTION_IF = _UPDATE_CONNECTION.where(connections.c.status == sa.bindparam("_expect"))

#: How often an append re-reads the head after another transaction appended first (PostgreSQL).
_MAX_ATTEMPTS = 200


def append_audit(
    conn: SAConnection, tenant_id: str, draft: AuditDraft, *, at: datetime | None = None
) -> dict[str, Any]:
    """Append one row to ``tenant_id``'s chain inside the caller's transaction; the row written.

    Read the head, build the row that follows it, then move the head with a compare-and-set. SQLite: the
    transaction began with BEGIN IMMEDIATE, so no one else can append meanwhile and the swap succeeds.
    PostgreSQL: the UPDATE takes the tenant row's lock until commit; a transaction that lost the race sees
    the new head there, updates nothing, and reads again. ``at``: the time of the change it records.
    """
    for _attempt in range(_MAX_ATTEMPTS):
        found = conn.execute(_HEAD, {"tid": tenant_id}).first()
        if found is None:
            raise StorageError(
                f"Tenant {tenant_id} does not exist (or is not visible to this role).", transient=False
            )
        row = build_row(
            draft,
            tenant_id=tenant_id,
            seq=int(found.last_seq) + 1,
            prev_hash=found.audit_head or GENESIS,
            at=at or now(),
        )
        swapped = conn.execute(_SWAP_HEAD, {"tid": tenant_id, "old": found.audit_head, "new": row["hash"]})
        if swapped.rowcount == 1:
            conn.execute(_INSERT_AUDIT, row)
            return row
    raise StorageError(f"Could not append to the audit log of tenant {tenant_id}: too much contention.")


def _column_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Model values as column values: enums as their stored strings (the drivers would not agree)."""
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}


class SqlStore(CheckHistory, AlertStore, Store):
    """A `Store` for one tenant on SQLite or PostgreSQL."""

    def __init__(self, db: Database, tenant_id: str, *, admin: bool = False) -> None:
        if not is_uuid(tenant_id):
            raise InputError(f"Tenant id {tenant_id!r} is not a uuid.")
        self.db = db
        self.tenant_id = tenant_id
        self.admin = admin

    def __repr__(self) -> str:
        return f"SqlStore(tenant_id={self.tenant_id!r}, backend={self.db.backend!r})"

    @override
    def _tx(self, *, write: bool, action: str) -> AbstractContextManager[SAConnection]:
        return self.db.begin(write=write, tenant_id=self.tenant_id, admin=self.admin, action=action)

    @override
    def _append_audit_in(self, c: SAConnection, draft: AuditDraft) -> None:
        append_audit(c, self.tenant_id, draft)

    def _mine(self, table: sa.Table, row_id: str) -> tuple[sa.ColumnElement[bool], ...]:
        """The WHERE clause of one row of this tenant."""
        return (table.c.id == row_id, table.c.tenant_id == self.tenant_id)

    # ------------------------------------------------------------------ tenant
    @override
    def get_tenant(self) -> Tenant | None:
        with self._tx(write=False, action="read the tenant") as conn:
            row = conn.execute(sa.select(tenants).where(tenants.c.id == self.tenant_id)).first()
        return to_tenant(row) if row else None

    # ------------------------------------------------------------------ connections
    @override
    def insert_connection(self, conn: Connection, sealed: Sealed | None, audit: AuditDraft) -> Connection:
        if conn.tenant_id != self.tenant_id:
            raise InputError("A connection can only be stored for the store's own tenant.")
        values = _column_values(conn.model_dump())
        values.update(
            encrypted_config=sealed.token if sealed else None, key_id=sealed.key_id if sealed else None
        )
        with self._tx(write=True, action="store the connection") as c:
            c.execute(_INSERT_CONNECTION, values)
            append_audit(c, self.tenant_id, audit, at=conn.updated_at)
        return conn

    @override
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
        # ``current`` is not needed: the UPDATE returns the whole row (a concurrent rename included)
        if not is_uuid(connection_id):
            return None
        values = _column_values(changes)
        if sealed is not None:
            values.update(encrypted_config=sealed.token, key_id=sealed.key_id)
        if erase_secret:
            values.update(encrypted_config=None, key_id=None)
        if not UPDATABLE.issuperset(values):
            raise InputError(f"Cannot change connection columns {sorted(set(values) - UPDATABLE)}.")
        stmt, params = _UPDATE_CONNECTION, {**values, "_id": connection_id, "_tenant": self.tenant_id}
        if expect_status is not None:
            stmt, params["_expect"] = _UPDATE_CONNECTION_IF, expect_status.value
        with self._tx(write=True, action="update the connection") as c:
            row = c.execute(stmt, params).first()
            if row is None:
                return None
            if audit is not None:
                append_audit(c, self.tenant_id, audit, at=values.get("updated_at"))
        return to_connection(row)

    @override
    def get_connection(self, connection_id: str) -> Connection | None:
        if not is_uuid(connection_id):
            return None
        with self._tx(write=False, action="read the connection") as c:
            stmt = sa.select(*CONNECTION_COLUMNS).where(*self._mine(connections, connection_id))
            row = c.execute(stmt).first()
        return to_connection(row) if row else None

    @override
    def get_connections(self, connection_ids: Sequence[str]) -> dict[str, Connection]:
        ids = [i for i in dict.fromkeys(connection_ids) if is_uuid(i)]
        if not ids:
            return {}
        with self._tx(write=False, action="read connections") as c:
            stmt = sa.select(*CONNECTION_COLUMNS).where(
                connections.c.tenant_id == self.tenant_id, connections.c.id.in_(ids)
            )
            return {conn.id: conn for conn in map(to_connection, c.execute(stmt))}

    @override
    def get_sealed(self, connection_id: str) -> Sealed | None:
        if not is_uuid(connection_id):
            return None
        with self._tx(write=False, action="read the connection's secret") as c:
            row = c.execute(
                sa.select(connections.c.encrypted_config, connections.c.key_id).where(
                    *self._mine(connections, connection_id)
                )
            ).first()
        if row is None or row.encrypted_config is None or row.key_id is None:
            return None
        return Sealed(row.key_id, row.encrypted_config)

    @override
    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        stmt = sa.select(*CONNECTION_COLUMNS).where(connections.c.tenant_id == self.tenant_id)
        if not include_disconnected:
            stmt = stmt.where(connections.c.status != Status.DISCONNECTED.value)
        stmt = stmt.order_by(connections.c.created_at.desc(), connections.c.id.desc())
        with self._tx(write=False, action="list connections") as c:
            rows = c.execute(stmt).all()
        return [to_connection(r) for r in rows]

    @override
    def list_sealed(self) -> list[tuple[str, Sealed]]:
        with self._tx(write=False, action="list stored secrets") as c:
            rows = c.execute(
                sa.select(connections.c.id, connections.c.encrypted_config, connections.c.key_id)
                .where(connections.c.tenant_id == self.tenant_id, connections.c.encrypted_config.is_not(None))
                .order_by(connections.c.created_at)
            ).all()
        return [(r.id, Sealed(r.key_id or "", r.encrypted_config)) for r in rows]

    @override
    def replace_sealed(self, connection_id: str, *, old_key_id: str, sealed: Sealed) -> bool:
        with self._tx(write=True, action="re-encrypt the connection's secret") as c:
            res = c.execute(
                sa.update(connections)
                .where(*self._mine(connections, connection_id), connections.c.key_id == old_key_id)
                .values(encrypted_config=sealed.token, key_id=sealed.key_id)
            )
        return bool(res.rowcount == 1)

    # ------------------------------------------------------------------ audit
    @override
    def append_audit(self, draft: AuditDraft) -> AuditEntry:
        with self._tx(write=True, action="write the audit log") as c:
            row = append_audit(c, self.tenant_id, draft)
        return to_entry(row)

    @override
    def audit_entries(
        self, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[AuditEntry]:
        stmt = sa.select(audit_logs).where(audit_logs.c.tenant_id == self.tenant_id)
        if action:
            stmt = stmt.where(audit_logs.c.action == action)
        stmt = stmt.order_by(audit_logs.c.seq.desc() if newest_first else audit_logs.c.seq)
        if limit is not None:
            stmt = stmt.limit(max(0, int(limit)))
        with self._tx(write=False, action="read the audit log") as c:
            rows = c.execute(stmt).mappings().all()
        return [to_entry(dict(r)) for r in rows]

    @override
    def audit_rows(self) -> list[dict[str, Any]]:
        stmt = (
            sa.select(audit_logs).where(audit_logs.c.tenant_id == self.tenant_id).order_by(audit_logs.c.seq)
        )
        with self._tx(write=False, action="read the audit log") as c:
            rows = c.execute(stmt).mappings().all()
        return [dict(r) for r in rows]

    @override
    def audit_head(self) -> str:
        with self._tx(write=False, action="read the audit head") as c:
            head = c.execute(sa.select(tenants.c.audit_head).where(tenants.c.id == self.tenant_id)).scalar()
        return str(head or "")

    # ------------------------------------------------------------------ API keys and users
    @override
    def insert_api_key(self, key: ApiKey, key_hash: str, audit: AuditDraft) -> ApiKey:
        with self._tx(write=True, action="store the API key") as c:
            c.execute(
                sa.insert(api_keys).values(
                    id=key.id,
                    tenant_id=self.tenant_id,
                    name=key.name,
                    key_hash=key_hash,
                    created_at=key.created_at,
                    revoked_at=None,
                )
            )
            append_audit(c, self.tenant_id, audit)
        return key

    @override
    def list_api_keys(self) -> list[ApiKey]:
        with self._tx(write=False, action="list API keys") as c:
            rows = c.execute(
                sa.select(*API_KEY_COLUMNS)
                .where(api_keys.c.tenant_id == self.tenant_id)
                .order_by(api_keys.c.created_at.desc())
            ).all()
        return [to_api_key(r) for r in rows]

    @override
    def revoke_api_key(self, key_id: str, audit: AuditDraft) -> ApiKey | None:
        if not is_uuid(key_id):
            return None
        where = self._mine(api_keys, key_id)
        with self._tx(write=True, action="revoke the API key") as c:
            row = c.execute(
                sa.update(api_keys)
                .where(*where, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now())
                .returning(*API_KEY_COLUMNS)
            ).first()
            if row is not None:
                append_audit(c, self.tenant_id, audit)
            else:
                row = c.execute(sa.select(*API_KEY_COLUMNS).where(*where)).first()
        return to_api_key(row) if row else None

    @override
    def list_users(self) -> list[User]:
        with self._tx(write=False, action="list users") as c:
            rows = c.execute(
                sa.select(*USER_COLUMNS).where(users.c.tenant_id == self.tenant_id).order_by(users.c.username)
            ).all()
        return [to_user(r) for r in rows]


__all__ = ["SqlStore", "append_audit"]

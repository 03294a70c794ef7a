"""Everything that differs between SQLite and PostgreSQL, in one place.

* SQLite (the embedded default): one file in WAL mode, pragmas on every connection, writes begin with
  ``BEGIN IMMEDIATE`` (so audit appends are serialised), the schema version in ``PRAGMA user_version``.
* PostgreSQL/Supabase: every tenant-bound transaction first runs ``set_config('app.tenant_id', ...,
  true)`` so row level security keeps tenants apart in the database itself; look-ups that must find the
  tenant first go through the migration's ``SECURITY DEFINER`` functions; the schema version is what
  ``public.hub_schema_version()`` returns; migrations hold an advisory lock so replicas starting together
  apply them once.

Both: JSON columns are written with the audit log's canonical encoder, and the queries, the audit chain's
compare-and-set on ``tenants.audit_head`` and the row mapping are the same code (`hub.storage.sql`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.engine import Connection as SAConnection
from typing_extensions import override

from hub.exceptions import StorageError
from hub.storage.audit import canonical_json
from hub.storage.tables import (
    API_KEY_COLUMNS,
    JOINED_TENANT_COLUMNS,
    UTCDateTime,
    UUIDText,
    api_keys,
    tenants,
    users,
)

log = logging.getLogger(__name__)


class Dialect(ABC):
    """One database's ways: engine set-up, the tenant of a transaction, look-ups, schema version."""

    #: SQLAlchemy's backend name, also the folder of this database's migration files.
    name: str

    @abstractmethod
    def engine(self, url: URL) -> Engine:
        """A pooled engine for ``url`` with this database's connection settings."""

    def begin(self, conn: SAConnection, *, write: bool) -> None:
        """Start the transaction of ``conn`` (``write``: it will write)."""
        conn.begin()

    @abstractmethod
    def set_tenant(self, conn: SAConnection, tenant_id: str) -> None:
        """Bind the current transaction to one tenant (where the database enforces it)."""

    @abstractmethod
    def find_tenant(self, conn: SAConnection, key: str) -> Any:
        """A tenant row by slug or id (columns of ``tenants``), or None."""

    @abstractmethod
    def sign_in_row(self, conn: SAConnection, username: str) -> Any:
        """A user's row with ``password_hash`` and the joined tenant columns, or None."""

    @abstractmethod
    def api_key_row(self, conn: SAConnection, key_hash: str) -> Any:
        """An API key's row (no hash) with the joined tenant columns, or None."""

    @abstractmethod
    def schema_version(self, conn: SAConnection) -> int:
        """The schema version recorded in the database; 0 when it has no hub schema."""

    @abstractmethod
    def lock_migrations(self, conn: SAConnection) -> None:
        """Keep other processes from migrating until this transaction ends."""

    @abstractmethod
    def run_script(self, conn: SAConnection, script: str) -> None:
        """Run a migration file (several statements, no parameters) inside the transaction."""


def _joined(table: sa.Table, *columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    return sa.select(*columns, *JOINED_TENANT_COLUMNS).join(tenants, tenants.c.id == table.c.tenant_id)


class SqliteDialect(Dialect):
    """SQLite: the file, its pragmas, BEGIN IMMEDIATE for writes, ``user_version``."""

    name = "sqlite"

    @override
    def engine(self, url: URL) -> Engine:
        _create_private_file(url)
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=10,
            max_overflow=20,
            json_serializer=canonical_json,
        )
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
        return engine

    @override
    def begin(self, conn: SAConnection, *, write: bool) -> None:
        # read by _sqlite_on_begin: a writer takes the write lock at BEGIN, so that a read-then-write (the
        # audit head, then the row that follows it) can never be overtaken by another writer
        conn.execution_options(hub_write=write)
        conn.begin()

    @override
    def set_tenant(self, conn: SAConnection, tenant_id: str) -> None:
        """Nothing: SQLite has no row level security; every query of the store names its tenant."""

    @override
    def find_tenant(self, conn: SAConnection, key: str) -> Any:
        stmt = sa.select(tenants).where(sa.or_(tenants.c.slug == key, tenants.c.id == key))
        return conn.execute(stmt).first()

    @override
    def sign_in_row(self, conn: SAConnection, username: str) -> Any:
        return conn.execute(_joined(users, *users.c).where(users.c.username == username)).first()

    @override
    def api_key_row(self, conn: SAConnection, key_hash: str) -> Any:
        stmt = _joined(api_keys, *API_KEY_COLUMNS).where(api_keys.c.key_hash == key_hash)
        return conn.execute(stmt).first()

    @override
    def schema_version(self, conn: SAConnection) -> int:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)

    @override
    def lock_migrations(self, conn: SAConnection) -> None:
        """Nothing more: the migration's transaction began with BEGIN IMMEDIATE."""

    @override
    def run_script(self, conn: SAConnection, script: str) -> None:
        # the sqlite3 module runs one statement per call (executescript would commit first)
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                conn.exec_driver_sql(statement, execution_options={"no_parameters": True})
                statement = ""
        if statement.strip():
            raise StorageError("A SQLite migration file ends in an incomplete statement.", transient=False)


def _create_private_file(url: URL) -> None:
    """Create the database file owner-only (SQLite gives its -wal and -shm files the same mode)."""
    if not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as exc:
        raise StorageError(
            f"Could not create the folder {path.parent}: {exc.strerror}.",
            hint="Set HUB_HOME to a writable folder.",
            transient=False,
        ) from exc


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the driver's own BEGIN is off: _sqlite_on_begin issues it
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = NORMAL")
    mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
    cur.close()
    if mode and str(mode[0]).lower() != "wal":
        log.warning("SQLite journal mode is %s, not WAL", mode[0])


def _sqlite_on_begin(conn: SAConnection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("hub_write") else "BEGIN")


_SET_TENANT = sa.text("SELECT set_config('app.tenant_id', :tenant_id, true)")
# The look-up functions' rows, typed like the tables' (uuids as text, times aware UTC).
_FIND_TENANT = sa.text("SELECT * FROM public.hub_find_tenant(:key)").columns(
    id=UUIDText(), created_at=UTCDateTime()
)
_SIGN_IN = sa.text("SELECT * FROM public.hub_sign_in_lookup(:username)").columns(
    id=UUIDText(), tenant_id=UUIDText(), created_at=UTCDateTime(), tenant_created_at=UTCDateTime()
)
_API_KEY = sa.text("SELECT * FROM public.hub_api_key_lookup(:key_hash)").columns(
    id=UUIDText(),
    tenant_id=UUIDText(),
    created_at=UTCDateTime(),
    revoked_at=UTCDateTime(),
    tenant_created_at=UTCDateTime(),
)
_HAS_VERSION_FUNCTION = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p "
    "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = 'public' AND p.proname = 'hub_schema_version')"
)
#: Any fixed number: the advisory lock every hub process takes to migrate.
_MIGRATION_LOCK = 0x4855424D  # "HUBM"


class PostgresDialect(Dialect):
    """PostgreSQL/Supabase: the tenant setting, the SECURITY DEFINER look-ups, ``hub_schema_version()``."""

    name = "postgresql"

    @override
    def engine(self, url: URL) -> Engine:
        return sa.create_engine(
            url,
            connect_args={"connect_timeout": 5, "application_name": "data-source-hub"},
            pool_size=10,
            max_overflow=30,
            pool_recycle=1800,
            json_serializer=canonical_json,
        )

    @override
    def set_tenant(self, conn: SAConnection, tenant_id: str) -> None:
        conn.execute(_SET_TENANT, {"tenant_id": tenant_id})

    @override
    def find_tenant(self, conn: SAConnection, key: str) -> Any:
        return conn.execute(_FIND_TENANT, {"key": key}).first()

    @override
    def sign_in_row(self, conn: SAConnection, username: str) -> Any:
        return conn.execute(_SIGN_IN, {"username": username}).first()

    @override
    def api_key_row(self, conn: SAConnection, key_hash: str) -> Any:
        return conn.execute(_API_KEY, {"key_hash": key_hash}).first()

    @override
    def schema_version(self, conn: SAConnection) -> int:
        # Two statements: a call of a function that does not exist fails when it is parsed. The catalog is
        # read as a table (not with to_regprocedure's cache), so that a migration that just committed in
        # another session is seen by the one that waited for it.
        if not conn.execute(_HAS_VERSION_FUNCTION).scalar():
            return 0
        return int(conn.execute(sa.text("SELECT public.hub_schema_version()")).scalar() or 0)

    @override
    def lock_migrations(self, conn: SAConnection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})

    @override
    def run_script(self, conn: SAConnection, script: str) -> None:
        # no parameters: psycopg then sends the file as one simple query (several statements, and the
        # "%" of format() left alone)
        conn.exec_driver_sql(script, execution_options={"no_parameters": True})


def dialect_for(url: URL) -> Dialect:
    """The `Dialect` of a normalised URL (SQLite or PostgreSQL)."""
    return SqliteDialect() if url.get_backend_name() == "sqlite" else PostgresDialect()


__all__ = ["Dialect", "PostgresDialect", "SqliteDialect", "dialect_for"]

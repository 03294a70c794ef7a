"""The SQL store on SQLAlchemy Core: SQLite (the embedded default) and PostgreSQL/Supabase.

SQLite: ``$HUB_HOME/hub.db`` in WAL mode, created on first use, ``PRAGMA user_version`` holds the schema
version; writes take ``BEGIN IMMEDIATE`` so concurrent audit appends are serialised.

PostgreSQL: the schema is ``supabase/migrations/*_init.sql`` (row level security; the app connects as a
role that owns nothing). Every transaction of a tenant-bound store first runs
``set_config('app.tenant_id', <tenant>, true)``, so the database itself keeps tenants apart. Audit appends
are a compare-and-set on ``tenants.audit_head`` (the UPDATE takes the tenant row's lock until commit), so
concurrent appends from any number of threads or replicas form one chain.

Nothing tenant-specific is kept in process memory: any replica can serve any request. (A tenant-bound
store remembers the audit head it last committed on SQLite, but only as a hint that the next append
checks against the database in the same statement.)

The hot path (connect: three transactions, each a connection write plus an audit append) runs on the
driver's own connection; on SQLite from a few connections kept aside for it (`Database._sqlite_checkout`),
and rows come back as JSON that pydantic-core validates in one call.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.engine import Connection as SAConnection
from typing_extensions import override

from hub.exceptions import HubError, InputError, StorageError
from hub.models import ApiKey, AuditEntry, Connection, Mode, Status, Tenant, User
from hub.storage.audit import GENESIS, AuditDraft, build_row_text, canonical_json, iso, to_entry
from hub.storage.base import Directory, SignInRecord, Store
from hub.storage.crypto import Sealed

log = logging.getLogger(__name__)

#: Bump with a new entry in ``_SQLITE_MIGRATIONS`` (and a new file in supabase/migrations).
SCHEMA_VERSION = 1
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "supabase" / "migrations"
APP_ROLE = "hub_app"
ADMIN_ROLE = "hub_admin"
TENANT_TABLES = ("tenants", "users", "tenant_airbyte_connections", "audit_logs", "api_keys")


# --------------------------------------------------------------------------- column types


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UUIDText(sa.types.TypeDecorator[str]):
    """A uuid: native ``uuid`` on PostgreSQL, 36-character text on SQLite; always ``str`` in Python."""

    impl = sa.String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(sa.String(36))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)


JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# --------------------------------------------------------------------------- schema (contracts.md)

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("business_type", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("audit_head", sa.Text, nullable=False, server_default=""),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
)

connections = sa.Table(
    "tenant_airbyte_connections",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("auth_kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_detail", sa.Text, nullable=False, server_default=""),
    sa.Column("metadata", JSONDoc, nullable=False),
    sa.Column("encrypted_config", sa.Text, nullable=True),
    sa.Column("key_id", sa.Text, nullable=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("last_checked_at", UTCDateTime(), nullable=True),
    sa.Index("tenant_airbyte_connections_tenant_created_idx", "tenant_id", "created_at"),
)

audit_logs = sa.Table(
    "audit_logs",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target_type", sa.Text, nullable=False, server_default=""),
    sa.Column("target_id", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("detail", JSONDoc, nullable=False),
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.UniqueConstraint("tenant_id", "seq", name="audit_logs_tenant_seq_key"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", UUIDText(), primary_key=True),
    sa.Column("tenant_id", UUIDText(), sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

_CONN_PUBLIC = [c for c in connections.c if c.name not in ("encrypted_config", "key_id")]

#: version -> SQL statements that bring a SQLite database from version-1 to version.
_SQLITE_MIGRATIONS: dict[int, list[str]] = {}

#: SQLite: idle driver connections the hot path keeps (like the pool's size).
_RAW_IDLE_MAX = 10

_PG_SET_TENANT = sa.text("SELECT set_config('app.tenant_id', :tenant_id, true)")


def now() -> datetime:
    """The current time in UTC (microseconds, as both databases store it)."""
    return datetime.now(UTC)


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a canonical uuid string (ids from users are checked before they reach SQL).

    Canonical means 8-4-4-4-12 hexadecimal digits (either case), as ``str(uuid.UUID(value)) ==
    value.lower()`` would accept, without building the `uuid.UUID`.
    """
    return isinstance(value, str) and len(value) == 36 and _uuid_text(value)


@lru_cache(maxsize=4096)
def _uuid_text(value: str) -> bool:
    # memoised: the hot path checks the same few tenant and connection ids several times per write
    # (only 36-character strings get here, so the cache stays small)
    return _UUID_RE.fullmatch(value) is not None


# --------------------------------------------------------------------------- URLs and errors


def normalize_url(url: str) -> URL:
    """``postgresql://`` / ``postgres://`` -> psycopg 3; ``sqlite:///path``; anything else is an error."""
    try:
        parsed = make_url(
            url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
        )
    except sa_exc.ArgumentError:
        raise StorageError(
            "HUB_DATABASE_URL is not a database URL.",
            hint="Use postgresql://user:password@host:5432/db or leave it unset for SQLite.",
            transient=False,
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise StorageError(
        f"Unsupported database {backend!r} in HUB_DATABASE_URL.",
        hint="The hub stores its state in PostgreSQL (postgresql://...) or SQLite (the default).",
        transient=False,
    )


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    return f"PostgreSQL at {url.host}:{url.port or 5432}/{url.database} (user {url.username})"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    first = re.sub(r"password=\S+", "password=***", first)
    return first[:300]


def _from_driver(exc: BaseException) -> sa_exc.StatementError | None:
    """A driver's own exception (sqlite3, psycopg) as SQLAlchemy would have wrapped it; None otherwise."""
    if isinstance(exc, sqlite3.Error):
        base: type[Exception] = sqlite3.Error
    elif type(exc).__module__.startswith("psycopg"):
        import psycopg

        base = psycopg.Error
    else:
        return None
    if not isinstance(exc, Exception):
        return None
    return sa_exc.DBAPIError.instance(None, None, exc, base)


def translate(exc: sa_exc.SQLAlchemyError, *, action: str, url: URL) -> HubError:
    """A library error as a `StorageError` that says what failed where, and what to do (never secrets)."""
    reason = _reason(exc)
    low = reason.lower()
    where = _where(url)
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if "read-only" in low or "readonly" in low or sqlstate == "25006":
        return StorageError(
            f"Could not {action}: {where} is read-only ({reason}).",
            hint="Give the hub write access to its database (file permissions, or turn off "
            "default_transaction_read_only / use the primary server).",
            transient=False,
        )
    if sqlstate == "42501" or "permission denied" in low:
        return StorageError(
            f"Could not {action}: permission denied on {where} ({reason}).",
            hint="Work across tenants needs HUB_ADMIN_DATABASE_URL (the owner); the app role only has the "
            "grants of the migration.",
            transient=False,
        )
    if isinstance(exc, sa_exc.IntegrityError):
        return StorageError(
            f"Could not {action}: it conflicts with data already stored ({reason}).", transient=False
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or (
        sqlstate is not None and sqlstate.startswith("08")
    ):
        if "database is locked" in low or "busy" in low:
            return StorageError(
                f"Could not {action}: {where} is busy ({reason}).", hint="Try again in a moment."
            )
        return StorageError(
            f"Could not {action}: {where} is unreachable or unusable ({reason}).",
            hint="Check that the database is running and HUB_DATABASE_URL is right.",
        )
    return StorageError(f"Could not {action} on {where}: {reason}.", transient=False)


# --------------------------------------------------------------------------- the database


class Database:
    """Engines for the app and admin connections, the schema check and the RLS self-check."""

    def __init__(self, url: str, *, admin_url: str | None = None, create: bool = True) -> None:
        self.url = normalize_url(url)
        self.backend = self.url.get_backend_name()
        self.admin_url = normalize_url(admin_url) if admin_url else self.url
        self.rls_warning: str | None = None
        self._raw_idle: list[Any] = []  # SQLite: the hot path's idle driver connections
        self._engine = self._make_engine(self.url)
        self._admin_engine = self._engine if self.admin_url == self.url else self._make_engine(self.admin_url)
        try:
            self._ensure_schema(create=create)
            if self.backend == "postgresql":
                self.rls_warning = self._check_rls()
                if self.rls_warning:
                    log.warning("%s", self.rls_warning)
        except BaseException:
            self.dispose()
            raise

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite."""
        return self.backend == "sqlite"

    # ------------------------------------------------------------------ engines

    def _make_engine(self, url: URL) -> Engine:
        if url.get_backend_name() == "sqlite":
            path = Path(url.database or "")
            if url.database and url.database != ":memory:":
                try:
                    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    if not path.exists():  # owner-only; SQLite gives its -wal and -shm files the same mode
                        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                except OSError as exc:
                    raise StorageError(
                        f"Could not create the folder {path.parent}: {exc.strerror}.",
                        hint="Set HUB_HOME to a writable folder.",
                        transient=False,
                    ) from exc
            engine = sa.create_engine(
                url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=10, max_overflow=20
            )

            @sa.event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA busy_timeout = 30000")
                cur.execute("PRAGMA foreign_keys = ON")
                cur.execute("PRAGMA synchronous = NORMAL")
                mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
                cur.close()
                if mode and str(mode[0]).lower() != "wal":
                    log.warning("SQLite journal mode is %s, not WAL", mode[0])

            @sa.event.listens_for(engine, "begin")
            def _on_begin(conn: SAConnection) -> None:
                immediate = conn.get_execution_options().get("hub_write", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        return sa.create_engine(
            url,
            connect_args={"connect_timeout": 5, "application_name": "data-source-hub"},
            pool_size=10,
            max_overflow=30,
            pool_pre_ping=False,
            pool_recycle=1800,
        )

    def dispose(self) -> None:
        """Close every pooled connection."""
        while self._raw_idle:
            try:
                self._raw_idle.pop().close()
            except IndexError:  # another thread took the last one
                break
        self._engine.dispose()
        if self._admin_engine is not self._engine:
            self._admin_engine.dispose()

    @contextmanager
    def begin(
        self,
        *,
        write: bool,
        tenant_id: str | None = None,
        admin: bool = False,
        action: str = "use the database",
    ) -> Iterator[SAConnection]:
        """One transaction; errors become `StorageError`. On PostgreSQL it carries the tenant setting."""
        engine = self._admin_engine if admin else self._engine
        url = self.admin_url if admin else self.url
        try:
            with engine.connect() as conn:
                if write and self.is_sqlite:
                    conn.execution_options(hub_write=True)
                try:
                    with conn.begin():
                        if tenant_id is not None and not self.is_sqlite:
                            conn.execute(_PG_SET_TENANT, {"tenant_id": tenant_id})
                        yield conn
                except Exception as exc:  # errors raised by the driver itself (the hot path's raw cursor)
                    wrapped = _from_driver(exc)
                    if wrapped is None:
                        raise
                    if isinstance(wrapped, sa_exc.OperationalError | sa_exc.InterfaceError):
                        conn.invalidate()  # a broken connection must not go back to the pool
                    raise wrapped from exc
        except HubError:
            raise
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, action=action, url=url) from exc

    def raw_begin(
        self, *, tenant_id: str, admin: bool = False, action: str
    ) -> AbstractContextManager[_Raw]:
        """One transaction on the driver's own connection (the hot path; no SQLAlchemy per statement).

        SQLite: BEGIN IMMEDIATE on a connection from `_sqlite_checkout` (a small context-manager class,
        cheaper than a generator). PostgreSQL: BEGIN and the tenant setting in one round trip (the tenant
        id is a checked uuid, so it is written into that statement). Errors become `StorageError`.
        """
        if not is_uuid(tenant_id):
            raise InputError(f"Tenant id {tenant_id!r} is not a uuid.")
        if self.is_sqlite:
            return _SqliteTx(self, action)
        return self._pg_raw_begin(tenant_id=tenant_id, admin=admin, action=action)

    @contextmanager
    def _pg_raw_begin(self, *, tenant_id: str, admin: bool, action: str) -> Iterator[_Raw]:
        engine = self._admin_engine if admin else self._engine
        url = self.admin_url if admin else self.url
        try:
            fairy = engine.raw_connection()
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, action=action, url=url) from exc
        broken = False
        driver: Any = fairy.driver_connection
        try:
            try:
                driver.autocommit = True  # we send BEGIN ourselves, with the setting
                driver.execute(f"BEGIN; SELECT set_config('app.tenant_id', '{tenant_id}', true)")
                yield _Raw(False, driver)
                driver.execute("COMMIT")
            except BaseException as exc:
                try:
                    if driver.info.transaction_status != 0:  # not idle
                        driver.execute("ROLLBACK")
                except Exception:  # the connection itself is gone
                    broken = True
                wrapped = _from_driver(exc) if isinstance(exc, Exception) else None
                if wrapped is None:
                    raise
                broken = broken or isinstance(wrapped, sa_exc.OperationalError | sa_exc.InterfaceError)
                raise translate(wrapped, action=action, url=url) from exc
        finally:
            if not broken:
                try:
                    driver.autocommit = False
                except Exception:
                    broken = True
            if broken:
                fairy.invalidate()
            fairy.close()

    def _sqlite_checkout(self, action: str) -> Any:
        """An idle sqlite3 connection of the hot path, or a new one.

        The hot path keeps its own few connections (made by the engine, so with the same pragmas, then
        detached from its pool): a list pop instead of the pool's check-out, reset and check-in.
        """
        try:
            return self._raw_idle.pop()
        except IndexError:
            pass
        try:
            fairy = self._engine.raw_connection()
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, action=action, url=self.url) from exc
        driver = fairy.driver_connection
        fairy.detach()
        return driver

    def _sqlite_checkin(self, driver: Any, *, broken: bool) -> None:
        if broken or driver.in_transaction or len(self._raw_idle) >= _RAW_IDLE_MAX:
            try:
                driver.close()
            except Exception:  # already unusable
                log.debug("closing a hot-path SQLite connection failed", exc_info=True)
            return
        self._raw_idle.append(driver)

    # ------------------------------------------------------------------ schema

    def _ensure_schema(self, *, create: bool) -> None:
        if self.is_sqlite:
            self._ensure_sqlite_schema(create=create)
        else:
            self._ensure_pg_schema(create=create)

    def _ensure_sqlite_schema(self, *, create: bool) -> None:
        with self.begin(write=True, action="create the hub's tables") as conn:
            version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"{_where(self.url)} has schema version {version}, "
                    f"newer than this hub ({SCHEMA_VERSION}).",
                    hint="Upgrade the hub, or point HUB_HOME elsewhere.",
                    transient=False,
                )
            if version == 0:
                if not create:
                    raise StorageError(f"{_where(self.url)} has no hub schema.", transient=False)
                metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for stmt in _SQLITE_MIGRATIONS.get(v, []):
                    conn.exec_driver_sql(stmt)
                conn.exec_driver_sql(f"PRAGMA user_version = {v}")

    def _ensure_pg_schema(self, *, create: bool) -> None:
        with self.begin(write=False, action="open the hub's database") as conn:
            present = conn.execute(
                sa.text("SELECT to_regclass('public.tenant_airbyte_connections')")
            ).scalar()
            version = None
            if present is not None:
                version = conn.execute(
                    sa.text(
                        "SELECT CASE WHEN to_regprocedure('public.hub_schema_version()') IS NULL THEN 0 "
                        "ELSE public.hub_schema_version() END"
                    )
                ).scalar()
        if present is None:
            if not create:
                raise StorageError(
                    f"{_where(self.url)} has no hub schema.", hint=migration_hint(), transient=False
                )
            log.info("applying the hub's migrations to %s", _where(self.admin_url))
            apply_migrations(self._admin_engine, self.admin_url)
        elif version is not None and int(version) > SCHEMA_VERSION:
            raise StorageError(
                f"{_where(self.url)} has schema version {version}, newer than this hub ({SCHEMA_VERSION}).",
                hint="Upgrade the hub.",
                transient=False,
            )

    def _check_rls(self) -> str | None:
        """Whether the app role could bypass row level security; a warning (or None)."""
        with self.begin(write=False, action="check the database role") as conn:
            row = conn.execute(
                sa.text(
                    "SELECT r.rolname, r.rolsuper, r.rolbypassrls, "
                    "EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' "
                    "AND t.tablename = ANY(:tables) "
                    "        AND pg_has_role(current_user, t.tableowner, 'MEMBER')) AS owner, "
                    "EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = :admin "
                    "        AND pg_has_role(current_user, a.oid, 'MEMBER')) AS admin "
                    "FROM pg_roles r WHERE r.rolname = current_user"
                ),
                {"tables": list(TENANT_TABLES), "admin": ADMIN_ROLE},
            ).one()
        reasons = []
        if row.rolsuper:
            reasons.append("is a superuser")
        if row.rolbypassrls:
            reasons.append("has BYPASSRLS")
        if row.owner:
            reasons.append("owns the hub's tables")
        if row.admin:
            reasons.append(f"is a member of {ADMIN_ROLE}")
        if not reasons:
            return None
        return (
            f"The hub connects to PostgreSQL as role {row.rolname!r}, which {' and '.join(reasons)}: "
            "row level "
            f"security does not apply to it, so tenant isolation rests on the application alone. Connect as "
            f"the app role {APP_ROLE!r} (HUB_DATABASE_URL) and keep the owner for HUB_ADMIN_DATABASE_URL."
        )

    def require_admin(self, action: str) -> None:
        """PostgreSQL without HUB_ADMIN_DATABASE_URL: the app role cannot work across tenants."""
        if not self.is_sqlite and self.admin_url == self.url and self.rls_warning is None:
            raise StorageError(
                f"Could not {action}: the app role ({self.url.username}) only sees one tenant at a time.",
                hint="Set HUB_ADMIN_DATABASE_URL to the owner's connection string for work across tenants.",
                transient=False,
            )

    # ------------------------------------------------------------------ faces

    def store(self, tenant_id: str, *, admin: bool = False) -> SqlStore:
        """A store bound to one tenant."""
        return SqlStore(self, tenant_id, admin=admin)

    @property
    def directory(self) -> SqlDirectory:
        """Tenant-neutral look-ups and admin work."""
        return SqlDirectory(self)


def migration_files() -> list[Path]:
    """The PostgreSQL migrations in order."""
    return sorted(MIGRATIONS_DIR.glob("*.sql"))


def migration_hint() -> str:
    """How to apply the schema by hand."""
    files = ", ".join(p.name for p in migration_files()) or "supabase/migrations/*.sql"
    return (
        f"Apply {files} as the owner (`supabase db push`, or psql -f), or set HUB_ADMIN_DATABASE_URL so the "
        "hub can apply it."
    )


def apply_migrations(engine: Engine, url: URL) -> None:
    """Run every migration file (as the admin/owner connection) in one transaction."""
    files = migration_files()
    if not files:
        raise StorageError(f"No migration files in {MIGRATIONS_DIR}.", transient=False)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for path in files:
                cur.execute(path.read_text())
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
    except HubError:
        raise
    except Exception as exc:  # psycopg errors arrive unwrapped from the raw connection
        wrapped = exc if isinstance(exc, sa_exc.SQLAlchemyError) else sa_exc.DBAPIError(None, None, exc)
        err = translate(wrapped, action="apply the hub's migrations", url=url)
        err.hint = migration_hint()
        raise err from exc


# --------------------------------------------------------------------------- rows -> models


def _tenant(row: Any) -> Tenant:
    return Tenant(
        id=str(row.id),
        slug=row.slug,
        name=row.name,
        business_type=row.business_type,
        created_at=_utc(row.created_at),
    )


def _joined_tenant(row: Any) -> Tenant:
    """The tenant columns of a user or API-key row joined with its tenant (or a look-up function's row)."""
    return Tenant(
        id=str(row.tenant_id),
        slug=row.slug,
        name=row.tenant_name,
        business_type=row.business_type,
        created_at=_utc(row.tenant_created_at),
    )


def _user(row: Any) -> User:
    return User(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        username=row.username,
        name=row.name,
        created_at=_utc(row.created_at),
        disabled=bool(row.disabled),
    )


def _api_key(row: Any) -> ApiKey:
    return ApiKey(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        name=row.name,
        created_at=_utc(row.created_at),
        revoked_at=_utc(row.revoked_at) if row.revoked_at else None,
    )


def _connection(row: Any) -> Connection:
    # plain values validated by pydantic-core (faster than model_construct, and checked)
    return Connection.model_validate(
        {
            "id": str(row.id),
            "tenant_id": str(row.tenant_id),
            "source_id": row.source_id,
            "name": row.name,
            "mode": row.mode,
            "auth_kind": row.auth_kind,
            "status": row.status,
            "status_detail": row.status_detail or "",
            "metadata": row.metadata or {},
            "created_by": row.created_by,
            "created_at": _utc(row.created_at),
            "updated_at": _utc(row.updated_at),
            "last_checked_at": _utc(row.last_checked_at) if row.last_checked_at else None,
        }
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _insert_params(raw: _Raw, conn: Connection, sealed: Sealed | None) -> list[Any]:
    """The values of `_SQL_INSERT_CONN` (in `_CONN_COLS` order, then the sealed config and its key id)."""
    ts = raw.ts
    return [
        conn.id,
        conn.tenant_id,
        conn.source_id,
        conn.name,
        conn.mode.value,
        conn.auth_kind.value,
        conn.status.value,
        conn.status_detail,
        raw.js(conn.metadata),
        conn.created_by,
        ts(conn.created_at),
        ts(conn.updated_at),
        ts(conn.last_checked_at),
        sealed.token if sealed else None,
        sealed.key_id if sealed else None,
    ]


# The hot path (connect: three transactions, each a connection write plus an audit append) runs its
# statements on the driver's own cursor inside the SQLAlchemy transaction: same SQL on both databases,
# "?" placeholders (psycopg's "%s" substituted), values adapted here. Everything else uses SQLAlchemy Core.

_CONN_COLS = [c.name for c in _CONN_PUBLIC]
_TS_COLS = ("created_at", "updated_at", "last_checked_at")
_SQL_INSERT_CONN = (
    f"INSERT INTO tenant_airbyte_connections ({', '.join(_CONN_COLS)}, encrypted_config, key_id) "
    f"VALUES ({', '.join('?' * (len(_CONN_COLS) + 2))})"
)
_SQL_HEAD = (
    "SELECT audit_head, (SELECT coalesce(max(seq), 0) FROM audit_logs WHERE tenant_id = ?) "
    "FROM tenants WHERE id = ?"
)
_AUDIT_COLS = (
    "id",
    "tenant_id",
    "seq",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "detail",
    "prev_hash",
    "hash",
)
_SQL_INSERT_AUDIT = f"INSERT INTO audit_logs ({', '.join(_AUDIT_COLS)}) VALUES ({', '.join('?' * 12)})"
_SQL_UPDATE_HEAD = "UPDATE tenants SET audit_head = ? WHERE id = ?"
# The head names the newest row exactly (its hash covers its seq), so an unchanged head is an unchanged
# newest row: comparing the head alone is the whole check (seq stays unique by audit_logs_tenant_seq_key).
_SQL_SQLITE_CAS_HEAD = "UPDATE tenants SET audit_head = ? WHERE id = ? AND audit_head = ?"
_SQL_PG_APPEND = (
    "WITH upd AS (UPDATE tenants SET audit_head = ? WHERE id = ? AND audit_head = ? RETURNING id) "
    f"INSERT INTO audit_logs ({', '.join(_AUDIT_COLS)}) "
    "SELECT ?, upd.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM upd"
)
_SQL_PG_INSERT_CONN_HEAD = f"WITH w AS ({_SQL_INSERT_CONN} RETURNING 1) {_SQL_HEAD}"


def _pg_with_head(update_sql: str) -> str:
    """An UPDATE ... RETURNING that also returns the tenant's audit head and last seq (PostgreSQL)."""
    return (
        f"WITH u AS ({update_sql}) SELECT u.*, t.audit_head, (SELECT coalesce(max(seq), 0) FROM audit_logs "
        "WHERE tenant_id = ?) FROM u, tenants t WHERE t.id = ?"
    )


_UPDATABLE = frozenset(
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
_UPDATE_SQL: dict[tuple[tuple[str, ...], bool, bool], str] = {}
_ENUMS = (Status, Mode)


def _sqlite_json_value(col: str) -> str:
    """A connection column as a JSON value pydantic-core reads directly (SQLite)."""
    if col == "metadata":
        return "json(metadata)"
    if col in _TS_COLS:  # "YYYY-MM-DD HH:MM:SS.ffffff" naive UTC -> RFC 3339 with Z (NULL stays NULL)
        return f"{col} || 'Z'"
    return col


#: One connection row as a JSON object (SQLite), for `Connection.model_validate_json`.
_SQLITE_CONN_JSON = "json_object(" + ", ".join(f"'{c}', {_sqlite_json_value(c)}" for c in _CONN_COLS) + ")"
# the rows' JSON objects joined as text (json_group_array would parse each object again); NULL when empty
_SQL_LIST_SQLITE = (
    f"SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT {_SQLITE_CONN_JSON} AS j "
    "FROM tenant_airbyte_connections WHERE {where} ORDER BY created_at DESC, id DESC)"
)
_SQL_LIST_PG = (
    "SELECT coalesce(json_agg(json_build_object("
    + ", ".join(f"'{c}', {c}" for c in _CONN_COLS)
    + ") ORDER BY created_at DESC, id DESC), '[]')::text FROM tenant_airbyte_connections WHERE {where}"
)
_CONNECTIONS = TypeAdapter(list[Connection])


class _SqliteTx:
    """`Database.raw_begin` on SQLite: BEGIN IMMEDIATE ... COMMIT on a hot-path sqlite3 connection.

    Any error rolls back, returns the connection (closed when it broke) and becomes `StorageError` when
    it came from the driver; other exceptions pass through unchanged.
    """

    __slots__ = ("action", "db", "driver")

    def __init__(self, db: Database, action: str) -> None:
        self.db = db
        self.action = action
        self.driver: Any = None

    def __enter__(self) -> _Raw:
        driver = self.driver = self.db._sqlite_checkout(self.action)
        try:
            driver.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            self._fail(exc)
            raise
        return _Raw(True, driver)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        driver = self.driver
        if exc is None:
            try:
                driver.commit()
            except BaseException as err:
                self._fail(err)
                raise
            self.db._sqlite_checkin(driver, broken=False)
            return
        self._fail(exc)  # not a driver error: it propagates unchanged

    def _fail(self, exc: BaseException) -> None:
        """Roll back and return the connection; raise the translated error for a driver error."""
        driver = self.driver
        broken = False
        try:
            try:
                driver.rollback()
            except Exception:  # the connection itself is gone
                broken = True
            wrapped = _from_driver(exc) if isinstance(exc, Exception) else None
            if wrapped is None:
                return
            broken = broken or isinstance(wrapped, sa_exc.OperationalError | sa_exc.InterfaceError)
            raise translate(wrapped, action=self.action, url=self.db.url) from exc
        finally:
            self.db._sqlite_checkin(driver, broken=broken)


class _Raw:
    """A driver connection (sqlite3 or psycopg) in a transaction, with per-dialect value adaptation."""

    def __init__(self, sqlite: bool, driver: Any) -> None:
        self.sqlite = sqlite
        self.driver = driver

    @classmethod
    def of(cls, db: Database, conn: SAConnection) -> _Raw:
        """The driver connection under a SQLAlchemy transaction."""
        return cls(db.is_sqlite, conn.connection.driver_connection)

    def run(self, sql: str, params: tuple[Any, ...] | list[Any]) -> Any:
        return self.driver.execute(sql if self.sqlite else sql.replace("?", "%s"), params)

    def ts(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        if value.tzinfo is UTC:  # the canonical text (formatted once per time object), its SQLite form
            return iso(value)[:-6].replace("T", " ", 1)
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # the text SQLAlchemy's SQLite DateTime stores: "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC); the
        # aware value's text ends in "+00:00", cut off here (cheaper than a naive copy of the datetime)
        return value.isoformat(" ", "microseconds")[:-6]

    def js(self, value: Any) -> Any:
        if self.sqlite:
            return canonical_json(value)
        from psycopg.types.json import Jsonb

        return Jsonb(value)

    def adapt(self, column: str, value: Any) -> Any:
        if column in _TS_COLS:
            return self.ts(value)
        if column == "metadata":
            return self.js(value)
        return value

    def connection(self, row: tuple[Any, ...]) -> Connection:
        data = dict(zip(_CONN_COLS, row, strict=True))
        if self.sqlite:
            data["metadata"] = json.loads(data["metadata"]) if data["metadata"] else {}
            for col in _TS_COLS:
                if data[col] is not None:
                    data[col] = datetime.fromisoformat(data[col])
        return _connection(_Row(data))


class _Row:
    """Attribute access over a dict (what `_connection` reads)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


def _update_sql(columns: tuple[str, ...], guarded: bool, sqlite: bool) -> str:
    """UPDATE ... RETURNING the row: its columns (PostgreSQL) or one JSON object (SQLite)."""
    key = (columns, guarded, sqlite)
    sql = _UPDATE_SQL.get(key)
    if sql is None:
        sets = ", ".join(f"{c} = ?" for c in columns)
        guard = " AND status = ?" if guarded else ""
        returning = _SQLITE_CONN_JSON if sqlite else ", ".join(_CONN_COLS)
        sql = (
            f"UPDATE tenant_airbyte_connections SET {sets} WHERE id = ? AND tenant_id = ?{guard} "
            f"RETURNING {returning}"
        )
        _UPDATE_SQL[key] = sql
    return sql


#: The connection model's columns an update may change (the others never change after the insert).
_MUTABLE = ("last_checked_at", "metadata", "name", "status", "status_detail", "updated_at")
_NOT_MODEL = frozenset({"encrypted_config", "key_id"})
_UPDATE_REST_SQL: dict[tuple[tuple[str, ...], bool], tuple[str, tuple[str, ...]]] = {}


def _update_sql_rest(columns: tuple[str, ...], guarded: bool) -> tuple[str, tuple[str, ...]]:
    """(UPDATE ... RETURNING the model columns it does not set, those columns) (SQLite).

    ``RETURNING 1`` when the update sets them all. Made once per shape of update.
    """
    key = (columns, guarded)
    plan = _UPDATE_REST_SQL.get(key)
    if plan is None:
        rest = tuple(c for c in _MUTABLE if c not in columns)
        sets = ", ".join(f"{c} = ?" for c in columns)
        guard = " AND status = ?" if guarded else ""
        sql = (
            f"UPDATE tenant_airbyte_connections SET {sets} WHERE id = ? AND tenant_id = ?{guard} "
            f"RETURNING {', '.join(rest) or '1'}"
        )
        plan = _UPDATE_REST_SQL[key] = (sql, rest)
    return plan


def _updated_copy(
    current: Connection, changes: Mapping[str, Any], rest: tuple[str, ...], found: tuple[Any, ...]
) -> Connection:
    """``current`` with ``changes`` and the read-back ``rest`` columns (SQLite text values) applied.

    The changed values are the ones just written, typed as the model types them; the copy is not
    validated again (every value is either the caller's own typed value or converted here).
    """
    update: dict[str, Any] = {}
    for col, value in changes.items():
        if col in _NOT_MODEL:
            continue
        if col in _TS_COLS:
            if value is not None and value.tzinfo is not UTC:
                value = _utc(value)
        elif col == "status":
            if value is not None and type(value) is not Status:
                value = Status(value)
        elif col == "metadata" and type(value) is not dict:
            value = dict(value or {})
        update[col] = value
    for col, value in zip(rest, found, strict=False):
        if col in _TS_COLS:
            update[col] = datetime.fromisoformat(value).replace(tzinfo=UTC) if value is not None else None
        elif col == "metadata":
            update[col] = json.loads(value) if value else {}
        elif col == "status":
            update[col] = Status(value)
        else:
            update[col] = value if value is not None else ""
    return current.model_copy(update=update)


def append_audit(
    db: Database,
    conn: SAConnection,
    tenant_id: str,
    draft: AuditDraft,
    *,
    head: tuple[Any, Any] | None = None,
) -> dict[str, Any]:
    """Append one row to ``tenant_id``'s chain inside the caller's transaction; the row written.

    SQLite: the transaction began with BEGIN IMMEDIATE, so no one else can append meanwhile. PostgreSQL: a
    compare-and-set on ``tenants.audit_head`` (its row lock is held to commit; a loser re-reads and retries).
    ``head`` is ``(audit_head, max seq)`` when the caller already read it in its own statement.
    """
    return _append(_Raw.of(db, conn), tenant_id, draft, head=head)


def _append(
    raw: _Raw,
    tenant_id: str,
    draft: AuditDraft,
    *,
    head: tuple[Any, Any] | None = None,
    hint: tuple[str, int] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    # ``at``: the time of the change this row records (so one time object is formatted once for both)
    if not isinstance(at, datetime):
        at = now()
    if hint is not None and head is None and raw.sqlite:
        # SQLite: the (audit_head, seq) this store wrote last, tried as a compare-and-set on the head in the
        # UPDATE itself (the head's hash covers its seq, so the same head means the same newest row); a
        # stale hint costs the usual read below, never a row.
        row, text = build_row_text(draft, tenant_id=tenant_id, seq=hint[1] + 1, prev_hash=hint[0], at=at)
        if raw.run(_SQL_SQLITE_CAS_HEAD, (row["hash"], tenant_id, hint[0])).rowcount == 1:
            raw.run(_SQL_INSERT_AUDIT, _audit_values(raw, row, text))
            return row
    prefetched = head
    for _attempt in range(200):
        found = prefetched or raw.run(_SQL_HEAD, (tenant_id, tenant_id)).fetchone()
        prefetched = None
        if found is None:
            raise StorageError(
                f"Tenant {tenant_id} does not exist (or is not visible to this role).", transient=False
            )
        current, last_seq = found[0] or "", int(found[1])
        row, text = build_row_text(
            draft, tenant_id=tenant_id, seq=last_seq + 1, prev_hash=current or GENESIS, at=at
        )
        values = _audit_values(raw, row, text)
        if raw.sqlite:
            raw.run(_SQL_INSERT_AUDIT, values)
            raw.run(_SQL_UPDATE_HEAD, (row["hash"], tenant_id))
            return row
        if raw.run(_SQL_PG_APPEND, (row["hash"], tenant_id, current, *values[:1], *values[2:])).rowcount == 1:
            return row
        # another transaction appended first (we waited for its commit); read the new head and retry
    raise StorageError(f"Could not append to the audit log of tenant {tenant_id}: too much contention.")


def _audit_values(raw: _Raw, row: dict[str, Any], detail_text: str | None = None) -> list[Any]:
    """The values of `_SQL_INSERT_AUDIT`; ``detail_text`` is the detail's canonical JSON if known."""
    values = [row[c] for c in _AUDIT_COLS]
    values[3] = raw.ts(row["at"])
    values[9] = detail_text if raw.sqlite and detail_text is not None else raw.js(row["detail"])
    return values


# --------------------------------------------------------------------------- the tenant-bound store


class SqlStore(Store):
    """A `Store` for one tenant on SQLite or PostgreSQL."""

    def __init__(self, db: Database, tenant_id: str, *, admin: bool = False) -> None:
        if not is_uuid(tenant_id):
            raise InputError(f"Tenant id {tenant_id!r} is not a uuid.")
        self.db = db
        self.tenant_id = tenant_id
        self.admin = admin
        # SQLite: (audit_head, seq) of the last audit row this store committed; only a hint (see _append)
        self._hint: tuple[str, int] | None = None

    def __repr__(self) -> str:
        return f"SqlStore(tenant_id={self.tenant_id!r}, backend={self.db.backend!r})"

    def _tx(self, *, write: bool, action: str) -> Any:
        return self.db.begin(write=write, tenant_id=self.tenant_id, admin=self.admin, action=action)

    # ------------------------------------------------------------------ tenant
    @override
    def get_tenant(self) -> Tenant | None:
        with self._tx(write=False, action="read the tenant") as conn:
            row = conn.execute(sa.select(tenants).where(tenants.c.id == self.tenant_id)).first()
        return _tenant(row) if row else None

    # ------------------------------------------------------------------ connections
    @override
    def insert_connection(self, conn: Connection, sealed: Sealed | None, audit: AuditDraft) -> Connection:
        if conn.tenant_id != self.tenant_id:
            raise InputError("A connection can only be stored for the store's own tenant.")
        with self.db.raw_begin(
            tenant_id=self.tenant_id, admin=self.admin, action="store the connection"
        ) as raw:
            params = _insert_params(raw, conn, sealed)
            if self.db.is_sqlite:
                raw.run(_SQL_INSERT_CONN, params)
                written = _append(raw, self.tenant_id, audit, hint=self._hint, at=conn.updated_at)
            else:  # one round trip: the insert and the read of the audit head
                head = raw.run(_SQL_PG_INSERT_CONN_HEAD, [*params, self.tenant_id, self.tenant_id]).fetchone()
                written = _append(raw, self.tenant_id, audit, head=head, at=conn.updated_at)
        self._hint = (written["hash"], written["seq"])  # committed
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
        if not is_uuid(connection_id):
            return None
        values: dict[str, Any] = {
            k: (v.value if isinstance(v, _ENUMS) else v) for k, v in changes.items()
        }
        if sealed is not None:
            values.update(encrypted_config=sealed.token, key_id=sealed.key_id)
        if erase_secret:
            values.update(encrypted_config=None, key_id=None)
        if not _UPDATABLE.issuperset(values):
            raise InputError(f"Cannot change connection columns {sorted(set(values) - _UPDATABLE)}.")
        columns = tuple(sorted(values))
        sqlite = self.db.is_sqlite
        # SQLite with the caller's copy: the returned model is that copy plus the changes, and only the
        # columns the update did not set are read back (so a concurrent rename still shows)
        rest: tuple[str, ...] | None = None
        if (
            sqlite
            and current is not None
            and current.id == connection_id
            and current.tenant_id == self.tenant_id
        ):
            sql, rest = _update_sql_rest(columns, expect_status is not None)
        else:
            sql = _update_sql(columns, expect_status is not None, sqlite)
        with self.db.raw_begin(
            tenant_id=self.tenant_id, admin=self.admin, action="update the connection"
        ) as raw:
            params = [raw.adapt(k, values[k]) for k in columns] + [connection_id, self.tenant_id]
            if expect_status is not None:
                params.append(expect_status.value)
            if sqlite or audit is None:
                found = raw.run(sql, params).fetchone()
                head = None
            else:  # one round trip: the update and the read of the audit head
                found = raw.run(_pg_with_head(sql), [*params, self.tenant_id, self.tenant_id]).fetchone()
                head = (found[-2], found[-1]) if found is not None else None
                found = found[:-2] if found is not None else None
            if found is None:
                return None
            if rest is not None:
                assert current is not None
                row = _updated_copy(current, changes, rest, found)
            elif sqlite:  # the row as one JSON object: pydantic-core parses and checks it in one call
                row = Connection.model_validate_json(found[0])
            else:
                row = raw.connection(found)
            written = None
            if audit is not None:
                written = _append(
                    raw, self.tenant_id, audit, head=head, hint=self._hint, at=values.get("updated_at")
                )
        if written is not None:
            self._hint = (written["hash"], written["seq"])  # committed
        return row

    @override
    def get_connection(self, connection_id: str) -> Connection | None:
        if not is_uuid(connection_id):
            return None
        with self._tx(write=False, action="read the connection") as c:
            row = c.execute(
                sa.select(*_CONN_PUBLIC).where(
                    connections.c.id == connection_id, connections.c.tenant_id == self.tenant_id
                )
            ).first()
        return _connection(row) if row else None

    @override
    def get_sealed(self, connection_id: str) -> Sealed | None:
        if not is_uuid(connection_id):
            return None
        with self._tx(write=False, action="read the connection's secret") as c:
            row = c.execute(
                sa.select(connections.c.encrypted_config, connections.c.key_id).where(
                    connections.c.id == connection_id, connections.c.tenant_id == self.tenant_id
                )
            ).first()
        if row is None or row.encrypted_config is None or row.key_id is None:
            return None
        return Sealed(row.key_id, row.encrypted_config)

    @override
    def list_connections(self, *, include_disconnected: bool = True) -> list[Connection]:
        # The database builds one JSON array and pydantic-core parses it in one call: no per-row Python.
        where = "tenant_id = ?" + ("" if include_disconnected else " AND status <> ?")
        params = [self.tenant_id] if include_disconnected else [self.tenant_id, Status.DISCONNECTED.value]
        sql = _SQL_LIST_SQLITE.format(where=where) if self.db.is_sqlite else _SQL_LIST_PG.format(where=where)
        with self._tx(write=False, action="list connections") as c:
            text = _Raw.of(self.db, c).run(sql, params).fetchone()[0]
        return _CONNECTIONS.validate_json(text or "[]")

    @override
    def list_sealed(self) -> list[tuple[str, Sealed]]:
        with self._tx(write=False, action="list stored secrets") as c:
            rows = c.execute(
                sa.select(connections.c.id, connections.c.encrypted_config, connections.c.key_id)
                .where(
                    connections.c.tenant_id == self.tenant_id,
                    connections.c.encrypted_config.is_not(None),
                )
                .order_by(connections.c.created_at)
            ).all()
        return [(str(r.id), Sealed(r.key_id or "", r.encrypted_config)) for r in rows]

    @override
    def replace_sealed(self, connection_id: str, *, old_key_id: str, sealed: Sealed) -> bool:
        with self._tx(write=True, action="re-encrypt the connection's secret") as c:
            res = c.execute(
                sa.update(connections)
                .where(
                    connections.c.id == connection_id,
                    connections.c.tenant_id == self.tenant_id,
                    connections.c.key_id == old_key_id,
                )
                .values(encrypted_config=sealed.token, key_id=sealed.key_id)
            )
        return bool(res.rowcount == 1)

    # ------------------------------------------------------------------ audit
    @override
    def append_audit(self, draft: AuditDraft) -> AuditEntry:
        with self.db.raw_begin(
            tenant_id=self.tenant_id, admin=self.admin, action="write the audit log"
        ) as raw:
            row = _append(raw, self.tenant_id, draft, hint=self._hint)
        self._hint = (row["hash"], row["seq"])  # committed
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
        return [to_entry(r) for r in rows]

    @override
    def audit_rows(self) -> list[dict[str, Any]]:
        with self._tx(write=False, action="read the audit log") as c:
            rows = (
                c.execute(
                    sa.select(audit_logs)
                    .where(audit_logs.c.tenant_id == self.tenant_id)
                    .order_by(audit_logs.c.seq)
                )
                .mappings()
                .all()
            )
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
            append_audit(self.db, c, self.tenant_id, audit)
        return key

    @override
    def list_api_keys(self) -> list[ApiKey]:
        cols = [c for c in api_keys.c if c.name != "key_hash"]
        with self._tx(write=False, action="list API keys") as c:
            rows = c.execute(
                sa.select(*cols)
                .where(api_keys.c.tenant_id == self.tenant_id)
                .order_by(api_keys.c.created_at.desc())
            ).all()
        return [_api_key(r) for r in rows]

    @override
    def revoke_api_key(self, key_id: str, audit: AuditDraft) -> ApiKey | None:
        if not is_uuid(key_id):
            return None
        cols = [c for c in api_keys.c if c.name != "key_hash"]
        where = (api_keys.c.id == key_id, api_keys.c.tenant_id == self.tenant_id)
        with self._tx(write=True, action="revoke the API key") as c:
            row = c.execute(
                sa.update(api_keys)
                .where(*where, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now())
                .returning(*cols)
            ).first()
            if row is not None:
                append_audit(self.db, c, self.tenant_id, audit)
            else:
                row = c.execute(sa.select(*cols).where(*where)).first()
        return _api_key(row) if row else None

    @override
    def list_users(self) -> list[User]:
        cols = [c for c in users.c if c.name != "password_hash"]
        with self._tx(write=False, action="list users") as c:
            rows = c.execute(
                sa.select(*cols).where(users.c.tenant_id == self.tenant_id).order_by(users.c.username)
            ).all()
        return [_user(r) for r in rows]


# --------------------------------------------------------------------------- the directory


class SqlDirectory(Directory):
    """Look-ups before a tenant is known, and admin work across tenants."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @override
    def find_tenant(self, slug_or_id: str) -> Tenant | None:
        key = slug_or_id.strip()
        with self.db.begin(write=False, action="look up the tenant") as c:
            if self.db.is_sqlite:
                row = c.execute(
                    sa.select(tenants).where(sa.or_(tenants.c.slug == key, tenants.c.id == key))
                ).first()
            else:
                row = c.execute(sa.text("SELECT * FROM public.hub_find_tenant(:key)"), {"key": key}).first()
        return _tenant(row) if row else None

    @override
    def list_tenants(self) -> list[Tenant]:
        self.db.require_admin("list tenants")
        with self.db.begin(write=False, admin=True, action="list tenants") as c:
            rows = c.execute(sa.select(tenants).order_by(tenants.c.slug)).all()
        return [_tenant(r) for r in rows]

    @override
    def create_tenant(self, tenant: Tenant, audit: AuditDraft | None = None) -> Tenant:
        self.db.require_admin("create the tenant")
        with self.db.begin(write=True, admin=True, tenant_id=tenant.id, action="create the tenant") as c:
            exists = c.execute(sa.select(tenants.c.id).where(tenants.c.slug == tenant.slug)).first()
            if exists:
                raise InputError(
                    f"A tenant with slug {tenant.slug!r} already exists.",
                    hint="Pick another slug, or use the existing tenant.",
                )
            c.execute(
                sa.insert(tenants).values(
                    id=tenant.id,
                    slug=tenant.slug,
                    name=tenant.name,
                    business_type=tenant.business_type,
                    created_at=tenant.created_at,
                    audit_head="",
                )
            )
            append_audit(
                self.db,
                c,
                tenant.id,
                audit
                or AuditDraft(
                    "tenant.create",
                    actor="system",
                    target_type="tenant",
                    target_id=tenant.id,
                    detail={"slug": tenant.slug, "name": tenant.name, "business_type": tenant.business_type},
                ),
            )
        return tenant

    @override
    def create_user(self, user: User, password_hash: str, audit: AuditDraft) -> User:
        self.db.require_admin("create the user")
        with self.db.begin(write=True, admin=True, tenant_id=user.tenant_id, action="create the user") as c:
            exists = c.execute(sa.select(users.c.id).where(users.c.username == user.username)).first()
            if exists:
                raise InputError(
                    f"A user named {user.username!r} already exists.", hint="Pick another username."
                )
            c.execute(
                sa.insert(users).values(
                    id=user.id,
                    tenant_id=user.tenant_id,
                    username=user.username,
                    name=user.name,
                    password_hash=password_hash,
                    created_at=user.created_at,
                    disabled=user.disabled,
                )
            )
            append_audit(self.db, c, user.tenant_id, audit)
        return user

    @override
    def remove_user(self, username: str, audit: AuditDraft) -> User | None:
        self.db.require_admin("remove the user")
        cols = [c for c in users.c if c.name != "password_hash"]
        with self.db.begin(write=True, admin=True, action="remove the user") as c:
            row = c.execute(sa.select(*cols).where(users.c.username == username)).first()
            if row is None:
                return None
            user = _user(row)
            if not self.db.is_sqlite:
                c.execute(_PG_SET_TENANT, {"tenant_id": user.tenant_id})
            c.execute(sa.delete(users).where(users.c.id == user.id))
            append_audit(self.db, c, user.tenant_id, audit)
        return user

    @override
    def users(self, tenant_id: str) -> list[User]:
        cols = [c for c in users.c if c.name != "password_hash"]
        with self.db.begin(write=False, admin=True, tenant_id=tenant_id, action="list users") as c:
            rows = c.execute(
                sa.select(*cols).where(users.c.tenant_id == tenant_id).order_by(users.c.username)
            ).all()
        return [_user(r) for r in rows]

    @override
    def sign_in_record(self, username: str) -> SignInRecord | None:
        with self.db.begin(write=False, action="look up the user") as c:
            if self.db.is_sqlite:
                row = c.execute(
                    sa.select(
                        users,
                        tenants.c.slug,
                        tenants.c.name.label("tenant_name"),
                        tenants.c.business_type,
                        tenants.c.created_at.label("tenant_created_at"),
                    )
                    .join(tenants, tenants.c.id == users.c.tenant_id)
                    .where(users.c.username == username)
                ).first()
            else:
                row = c.execute(
                    sa.text("SELECT * FROM public.hub_sign_in_lookup(:u)"), {"u": username}
                ).first()
        if row is None:
            return None
        tenant = _joined_tenant(row)
        return SignInRecord(user=_user(row), tenant=tenant, password_hash=row.password_hash)

    @override
    def api_key_by_hash(self, key_hash: str) -> tuple[ApiKey, Tenant] | None:
        with self.db.begin(write=False, action="look up the API key") as c:
            if self.db.is_sqlite:
                row = c.execute(
                    sa.select(
                        api_keys.c.id,
                        api_keys.c.tenant_id,
                        api_keys.c.name,
                        api_keys.c.created_at,
                        api_keys.c.revoked_at,
                        tenants.c.slug,
                        tenants.c.name.label("tenant_name"),
                        tenants.c.business_type,
                        tenants.c.created_at.label("tenant_created_at"),
                    )
                    .join(tenants, tenants.c.id == api_keys.c.tenant_id)
                    .where(api_keys.c.key_hash == key_hash)
                ).first()
            else:
                row = c.execute(
                    sa.text("SELECT * FROM public.hub_api_key_lookup(:h)"), {"h": key_hash}
                ).first()
        if row is None:
            return None
        tenant = _joined_tenant(row)
        return _api_key(row), tenant

    @override
    def admin_store(self, tenant_id: str) -> SqlStore:
        return SqlStore(self.db, tenant_id, admin=True)


__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "SqlDirectory",
    "SqlStore",
    "api_keys",
    "apply_migrations",
    "audit_logs",
    "connections",
    "metadata",
    "migration_files",
    "normalize_url",
    "tenants",
    "translate",
    "users",
]

"""The database: URLs, engines, transactions, error translation, migrations at start-up, the RLS check.

SQLite: ``$HUB_HOME/hub.db``, created and migrated on first use. PostgreSQL: the app connects as a role
that owns nothing (row level security); the schema is migrated at start-up through the admin/owner URL
(``HUB_ADMIN_DATABASE_URL``) when it is behind, and the hub warns when its own role could bypass RLS.
The differences between the two live in `hub.storage.dialect`.

Nothing tenant-specific is kept in process memory: any replica can serve any request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine import Connection as SAConnection

from hub.exceptions import HubError, StorageError
from hub.storage.dialect import dialect_for
from hub.storage.migrations import (
    Migration,
    MigrationResult,
    latest_version,
    migration_hint,
    newer_schema_error,
    upgrade,
)
from hub.storage.tables import TENANT_TABLES

if TYPE_CHECKING:
    from hub.storage.directory import SqlDirectory
    from hub.storage.sql import SqlStore

log = logging.getLogger(__name__)

APP_ROLE = "hub_app"
ADMIN_ROLE = "hub_admin"

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


def describe(url: URL) -> str:
    """Where the database is, for messages (never the password)."""
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    return f"PostgreSQL at {url.host}:{url.port or 5432}/{url.database} (user {url.username})"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or ["the database driver gave no message"])[0]
    first = re.sub(r"password=\S+", "password=***", first)
    return first[:300]


def translate(exc: sa_exc.SQLAlchemyError, *, action: str, url: URL) -> HubError:
    """A library error as a `StorageError` that says what failed where, and what to do (never secrets)."""
    reason = _reason(exc)
    low = reason.lower()
    where = describe(url)
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
    """Engines for the app and admin connections, migrations at start-up and the RLS self-check.

    ``create=False`` refuses a database without the hub's schema instead of creating it.
    """

    def __init__(self, url: str, *, admin_url: str | None = None, create: bool = True) -> None:
        self.url = normalize_url(url)
        self.backend = self.url.get_backend_name()
        self.admin_url = normalize_url(admin_url) if admin_url else self.url
        self.dialect = dialect_for(self.url)
        self.rls_warning: str | None = None
        self._engine = self.dialect.engine(self.url)
        self._admin_engine = (
            self._engine if self.admin_url == self.url else self.dialect.engine(self.admin_url)
        )
        try:
            #: What opening the database migrated (nothing when it was up to date).
            self.migration = self._ensure_schema(create=create)
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

    def dispose(self) -> None:
        """Close every pooled connection."""
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
        """One transaction, bound to ``tenant_id`` when given; errors become `StorageError`."""
        engine = self._admin_engine if admin else self._engine
        try:
            with engine.connect() as conn:
                self.dialect.begin(conn, write=write)
                if tenant_id is not None:
                    self.dialect.set_tenant(conn, tenant_id)
                yield conn
                conn.commit()
        except HubError:
            raise
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, action=action, url=self.admin_url if admin else self.url) from exc

    # ------------------------------------------------------------------ schema

    def _ensure_schema(self, *, create: bool) -> MigrationResult:
        latest = latest_version(self.backend)
        with self.begin(write=False, action="open the hub's database") as conn:
            version = self.dialect.schema_version(conn)
        if version > latest:
            raise newer_schema_error(self.backend, version, latest)
        if version == latest:
            return MigrationResult(self.backend, version, version)
        if version == 0 and not create:
            raise StorageError(
                f"{describe(self.url)} has no hub schema.", hint=migration_hint(), transient=False
            )
        return self.migrate()

    def migrate(self, files: list[Migration] | None = None) -> MigrationResult:
        """Apply the pending migrations through the admin/owner connection.

        ``files``: the migrations to bring the database to (default: the ones shipped in the package).
        """
        try:
            with self.begin(write=True, admin=True, action="apply the hub's migrations") as conn:
                result = upgrade(conn, self.dialect, files)
        except StorageError as err:
            if self.backend == "postgresql" and isinstance(err.__cause__, sa_exc.SQLAlchemyError):
                err.hint = migration_hint()  # the database refused: say how to migrate as the owner
            raise
        if result.applied:
            log.info("migrated %s: %s", describe(self.admin_url), ", ".join(result.applied))
        return result

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
        from hub.storage.sql import SqlStore

        return SqlStore(self, tenant_id, admin=admin)

    @property
    def directory(self) -> SqlDirectory:
        """Tenant-neutral look-ups and admin work."""
        from hub.storage.directory import SqlDirectory

        return SqlDirectory(self)


__all__ = ["ADMIN_ROLE", "APP_ROLE", "Database", "describe", "normalize_url", "translate"]

"""The schema's migrations: numbered SQL files per database, shipped inside the package.

``hub/storage/migrations/<database>/NNNN_name.sql`` (``sqlite``, ``postgresql``): file ``NNNN`` brings the
schema from version ``NNNN - 1`` to ``NNNN``, and records that number itself as its last statement
(``PRAGMA user_version = NNNN`` on SQLite; ``CREATE OR REPLACE FUNCTION public.hub_schema_version()``
returning it on PostgreSQL), so a database migrated by other means (``supabase db push`` runs
``supabase/migrations/``, a copy of the PostgreSQL files) reads the same version. Both databases have the
same numbers.

`upgrade` applies the pending files in one transaction as the admin/owner connection, with other
migrating processes held off, and checks after each file that the database records its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

from sqlalchemy.engine import Connection as SAConnection

from hub.exceptions import StorageError
from hub.storage.dialect import Dialect

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered file of one database."""

    version: int
    name: str
    sql: str = field(repr=False)


@dataclass(frozen=True)
class MigrationResult:
    """What `upgrade` found and did."""

    backend: str
    from_version: int
    to_version: int
    applied: tuple[str, ...] = ()


def migrations(backend: str) -> list[Migration]:
    """The migration files of ``backend`` (``sqlite`` or ``postgresql``) in order, read from the package."""
    folder = resources.files(__package__ or __name__) / backend
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StorageError(
            f"The {backend} migrations are not numbered 0001, 0002, ... without gaps: "
            f"{[m.name for m in found]}.",
            transient=False,
        )
    return found


def latest_version(backend: str) -> int:
    """The schema version this hub brings ``backend`` to."""
    return len(migrations(backend))


def upgrade(conn: SAConnection, dialect: Dialect, files: list[Migration] | None = None) -> MigrationResult:
    """Apply the pending migrations inside ``conn``'s transaction (admin/owner connection).

    Other processes wait for this one (a lock, taken before the version is read), so replicas starting
    together apply each file once. ``files``: the migrations to bring the database to (default: the ones
    shipped for its dialect).
    """
    dialect.lock_migrations(conn)
    if files is None:
        files = migrations(dialect.name)
    start = dialect.schema_version(conn)
    if start > len(files):
        raise newer_schema_error(dialect.name, start, len(files))
    applied = []
    for migration in files[start:]:
        dialect.run_script(conn, migration.sql)
        recorded = dialect.schema_version(conn)
        if recorded != migration.version:
            raise StorageError(
                f"Migration {dialect.name}/{migration.name} left the schema version at {recorded}, "
                f"not {migration.version}.",
                hint="Each migration file must record its own number as its last statement.",
                transient=False,
            )
        applied.append(migration.name)
    return MigrationResult(dialect.name, start, len(files), tuple(applied))


def newer_schema_error(backend: str, version: int, latest: int) -> StorageError:
    """The database was migrated by a newer hub than this one."""
    return StorageError(
        f"The {backend} database has schema version {version}, newer than this hub ({latest}).",
        hint="Upgrade the hub (or, for the embedded default, point HUB_HOME elsewhere).",
        transient=False,
    )


def migration_hint() -> str:
    """How to apply the PostgreSQL schema by hand."""
    files = ", ".join(m.name for m in migrations("postgresql"))
    return (
        f"Run `python -m hub migrate` with HUB_ADMIN_DATABASE_URL set to the owner, or apply {files} "
        "(supabase/migrations/ for `supabase db push`, or psql -f) as the owner."
    )


__all__ = [
    "Migration",
    "MigrationResult",
    "latest_version",
    "migration_hint",
    "migrations",
    "newer_schema_error",
    "upgrade",
]

"""``python -m hub migrate``: bring the hub's database schema up to date.

Examples::

    python -m hub migrate          # the embedded default ($HUB_HOME/hub.db)
    HUB_ADMIN_DATABASE_URL=postgresql://owner:...@db/hub python -m hub migrate --json

Applies the numbered migration files shipped in the package that the database has not had yet, as the
owner (``HUB_ADMIN_DATABASE_URL``, else ``HUB_DATABASE_URL``). Needs no encryption keys. The hub also
does this when it opens its database; this command lets a deployment do it first, on its own.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from hub.cli import print_json

if TYPE_CHECKING:
    from hub.cli import Context


def _migrate(args: argparse.Namespace, ctx: Context) -> int:
    from hub.settings import Settings
    from hub.storage.database import Database, describe

    settings = Settings.from_env()
    db = Database(settings.url, admin_url=settings.admin_database_url)
    try:
        # opening the database applies what is pending; db.migration says what that was
        result = db.migration
        where = describe(db.admin_url)
    finally:
        db.dispose()
    if args.json:
        print_json(
            {
                "backend": result.backend,
                "database": where,
                "from_version": result.from_version,
                "to_version": result.to_version,
                "applied": list(result.applied),
            }
        )
    elif result.applied:
        print(
            f"Migrated {where} from schema version {result.from_version} to {result.to_version}: "
            f"{', '.join(result.applied)}."
        )
    else:
        print(f"{where} is up to date (schema version {result.to_version}).")
    return 0


def register(sub: Any) -> None:
    """Add ``migrate``."""
    cmd = sub.add_parser("migrate", help="apply the pending schema migrations to the hub's database")
    cmd.add_argument("--json", action="store_true", help="print what was applied as one JSON object")
    cmd.set_defaults(func=_migrate)

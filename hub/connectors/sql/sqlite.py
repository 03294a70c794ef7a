"""SQLite files under ``HUB_SQLITE_ROOT``, opened read-only; never the hub's own files."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from hub.connectors.base import Config
from hub.connectors.sql.base import SQLConnector
from hub.connectors.sql.catalog import (
    Table,
    sqlite_tables,
)
from hub.connectors.sql.errors import Target
from hub.exceptions import ConfigError
from hub.models import CheckResult


class SQLiteConnector(SQLConnector):
    """A SQLite file under ``HUB_SQLITE_ROOT`` (read-only; never the hub's own files)."""

    engine_name = "SQLite"

    def spec(self) -> dict[str, Any]:
        """``path``: a file under the server's SQLite folder."""
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "SQLite source",
            "type": "object",
            "required": ["path"],
            "additionalProperties": False,
            "properties": {
                "path": {
                    "type": "string",
                    "title": "File",
                    "description": "Path of the .db file, relative to the server's SQLite folder "
                    "(HUB_SQLITE_ROOT).",
                    "minLength": 1,
                    "maxLength": 1024,
                    "order": 0,
                },
            },
        }

    def _target(self, cfg: Config) -> Target:
        return Target(
            engine="SQLite",
            host="",
            port=0,
            user="",
            database=str(cfg.get("path", "")),
            ssl_mode="",
            timeout=5,
            default_port=0,
        )

    def resolve_path(self, raw: str) -> Path:
        """The real file for ``raw``; `ConfigError` when SQLite is off or the path leaves its folder."""
        root_setting = self.settings.sqlite_root
        if root_setting is None:
            raise ConfigError(
                "SQLite sources are turned off on this server.",
                field="path",
                hint="An administrator can turn them on by setting HUB_SQLITE_ROOT to the folder that holds "
                "the files.",
            )
        root = Path(root_setting).resolve()
        home = Path(self.settings.home).resolve()
        if root == home or root.is_relative_to(home) or home.is_relative_to(root):
            raise ConfigError(
                "SQLite sources are turned off: HUB_SQLITE_ROOT may not be the hub's own folder (HUB_HOME), "
                "inside it, or above it.",
                field="path",
                hint="Point HUB_SQLITE_ROOT at a folder that holds only the files to share.",
            )
        if "\x00" in raw:
            raise ConfigError(
                "The file path contains a NUL character.", field="path", hint="Enter a plain path."
            )
        given = Path(raw)
        candidate = (given if given.is_absolute() else root / given).resolve()
        if not candidate.is_relative_to(root):
            raise ConfigError(
                f"The file '{raw}' is outside the SQLite folder.",
                field="path",
                hint="Enter a path inside the server's SQLite folder (HUB_SQLITE_ROOT); links out of it are "
                "refused.",
            )
        if candidate.is_relative_to(home) or self._is_hub_file(candidate):
            raise ConfigError(
                f"The file '{raw}' belongs to the hub itself.",
                field="path",
                hint="Choose one of your own database files.",
            )
        if not candidate.is_file():
            raise ConfigError(
                f"There is no file '{raw}' in the SQLite folder.",
                field="path",
                hint="Check the file name; paths are relative to the SQLite folder.",
            )
        try:
            with candidate.open("rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise ConfigError(
                f"The file '{raw}' cannot be read.",
                field="path",
                hint="Ask the administrator to make it readable by the hub.",
            ) from exc
        if header and header != b"SQLite format 3\x00":
            raise ConfigError(
                f"The file '{raw}' is not a SQLite database.",
                field="path",
                hint="Choose a SQLite 3 database file.",
            )
        return candidate

    def _is_hub_file(self, candidate: Path) -> bool:
        """The hub's storage file (by path or inode, so hard links are caught too)."""
        own: list[Path] = []
        url = sa.make_url(self.settings.url)
        if url.get_backend_name() == "sqlite" and url.database:
            own.append(Path(url.database))
        home = Path(self.settings.home)
        if home.is_dir():
            own.extend(p for p in home.iterdir() if p.is_file())
        try:
            st = candidate.stat()
        except OSError:
            return False
        for path in own:
            with contextlib.suppress(OSError):
                if path.resolve() == candidate:
                    return True
                other = path.stat()
                if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                    return True
        return False

    def _engine_key(self, cfg: Config, *, checking: bool) -> tuple[Any, ...] | None:
        return None  # cheap to make; and the path is checked again on every operation

    def _make_engine(self, cfg: Config, *, checking: bool) -> sa.Engine:
        path = self.resolve_path(str(cfg["path"]))
        uri = f"file:{quote(str(path))}?mode=ro"

        def creator() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            return conn

        return sa.create_engine("sqlite://", creator=creator, poolclass=NullPool)

    def _tables(self, conn: sa.Connection, cfg: Config, *, stream: str | None = None) -> list[Table]:
        return sqlite_tables(conn, table=stream)

    def _where(self, cfg: Config) -> str:
        return f"the file '{cfg.get('path', '')}'"

    def _probe(self, conn: sa.Connection, cfg: Config) -> CheckResult:
        version = conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
        tables = self._tables(conn, cfg)
        if not tables:
            return CheckResult(
                ok=False,
                message=f"The file '{cfg['path']}' has no tables or views.",
                hint="Choose a database file that holds data.",
                kind="config",
            )
        return CheckResult(
            ok=True,
            message=(f"Opened '{cfg['path']}' read-only (SQLite {version}): {len(tables)} tables and views."),
        )

"""Live database connectors: PostgreSQL (and Supabase), MySQL/MariaDB, SQLite files.

``base`` holds what the three share (engines without secrets, check/discover/read, the bounded
SELECT); one module per database; ``catalog`` reads the system catalogs in a few queries;
``columns`` maps database types to JSON Schema; ``values`` makes fetched values JSON-safe;
``errors`` turns driver failures into messages a user can act on.
"""

from __future__ import annotations

from hub.connectors.sql.base import MAX_LIMIT
from hub.connectors.sql.mysql import MySQLConnector
from hub.connectors.sql.postgres import PostgresConnector, SupabaseConnector
from hub.connectors.sql.sqlite import SQLiteConnector

__all__ = ["MAX_LIMIT", "MySQLConnector", "PostgresConnector", "SQLiteConnector", "SupabaseConnector"]

"""Storage: a `Store` bound to one tenant, the SQL implementation (SQLite, PostgreSQL), crypto and audit.

Modules: `base` (the interfaces), `tables` (the schema as metadata, rows -> models), `dialect` (what
differs between SQLite and PostgreSQL), `database` (engines, transactions, errors), `sql` (the store),
`directory` (look-ups and admin work), `leases` (claims on work that replicas must not do twice at once),
`audit` (the hash chain), `crypto`, and `migrations` (the numbered SQL files shipped in the package).
"""

from __future__ import annotations

from hub.storage.audit import AUDIT_ACTIONS, AuditDraft, verify_chain
from hub.storage.base import Directory, SignInRecord, Store
from hub.storage.crypto import KeyRing, Sealed, generate_entry
from hub.storage.database import Database
from hub.storage.directory import SqlDirectory
from hub.storage.leases import Lease, Leases
from hub.storage.sql import SqlStore

__all__ = [
    "AUDIT_ACTIONS",
    "AuditDraft",
    "Database",
    "Directory",
    "KeyRing",
    "Lease",
    "Leases",
    "Sealed",
    "SignInRecord",
    "SqlDirectory",
    "SqlStore",
    "Store",
    "generate_entry",
    "verify_chain",
]

"""Storage: a `Store` bound to one tenant, the SQL implementation (SQLite, PostgreSQL), crypto and audit."""

from __future__ import annotations

from hub.storage.audit import AUDIT_ACTIONS, AuditDraft, verify_chain
from hub.storage.base import Directory, SignInRecord, Store
from hub.storage.crypto import KeyRing, Sealed, generate_entry
from hub.storage.sql import Database, SqlDirectory, SqlStore

__all__ = [
    "AUDIT_ACTIONS",
    "AuditDraft",
    "Database",
    "Directory",
    "KeyRing",
    "Sealed",
    "SignInRecord",
    "SqlDirectory",
    "SqlStore",
    "Store",
    "generate_entry",
    "verify_chain",
]

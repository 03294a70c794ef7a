"""Storage: 1,000 demo connects and a list of 1,000, on SQLite and PostgreSQL, beside plain SQL.

The hub's figure goes through `TenantService.connect`: config validation against the connector's spec, the
demo connector's check and discover, AES-256-GCM encryption, and three stored transitions (connecting,
testing, connected), each with its audit row in the hash chain; on PostgreSQL as the app role under row
level security, holding the connect's lease (taken before, released after: two more commits, issue 11). The
baseline writes the same rows with the same commits through the bare driver (sqlite3 / psycopg): the lease,
the connection row and its audit row, then two status updates each with an audit row, each commit also
updating the tenant's audit head, the check's history row (issue 14) in its own commit before the
last update, then the lease's release, with row contents of the same size as the hub's
(hash-sized counters, a ciphertext-sized constant, the same metadata and audit details); no validation,
encryption, hashing, RLS or models. Sampling is left out of both (``sample_limit=0``). The list returns
1,000 `Connection` models beside a plain SELECT returning dicts. Target: at most 3x the baseline.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from benchmarks._harness import Report, median_seconds, paired_medians, sized
from hub import Hub
from hub.settings import Settings

N = sized(1000, 10)
REPEAT = sized(5, 1)
TARGET = "<= 3x"

# The same row contents the hub writes for a demo CSV connect (sizes matter: every byte goes to the WAL),
# as constants (or counters, for the hashes): the baseline writes the same rows, but computes no hash and
# encrypts nothing.
_CIPHERTEXT = "A" * 40  # the size of the hub's base64 nonce+ciphertext+tag for the CSV config
_KEY_ID = "k20261127-000000"
_CHECK = {"latency_ms": 0.007, "message": "Demo: sample file 'CSV file sample' (orders_export)."}
_META_CONNECTING: dict[str, Any] = {"config": {}}
_META_CONNECTED: dict[str, Any] = {
    "check": _CHECK, "config": {}, "estimated_rows": {"orders_export": 5000}, "records_sampled": 0,
    "sample_counts": {}, "stream_count": 1, "streams": ["orders_export"], "total_records": 5000,
}
_FINGERPRINT = "0" * 64  # a sha256 hex digest's size

_STEPS = (
    ("testing", "Testing the connection to CSV file…", _META_CONNECTING,
     {"from": "connecting", "status_detail": "Testing the connection to CSV file…", "to": "testing"}),
    ("connected", "Connected · 1 stream · 5,000 records", _META_CONNECTED,
     {"from": "testing", "records_sampled": 0, "status_detail": "Connected · 1 stream · 5,000 records",
      "streams": 1, "to": "connected"}),
)

_COLS = (
    "id, tenant_id, source_id, name, mode, auth_kind, status, status_detail, metadata, created_by, "
    "created_at, updated_at, last_checked_at"
)


class _Baseline:
    """Plain SQL with the same statements and commits per connect (placeholder style per driver)."""

    def __init__(self, conn: Any, *, ph: str, tenant_id: str, commit: Callable[[], None]) -> None:
        self.conn = conn
        self.ph = ph
        self.tenant_id = tenant_id
        self.commit = commit
        self.seq = 1  # the tenant.create row

    def _p(self, n: int) -> str:
        return ", ".join([self.ph] * n)

    def _audit(self, cur: Any, conn_id: str, action: str, detail: dict[str, Any]) -> None:
        self.seq += 1
        # hash-sized values that differ per row, as the hub's do (a head rewritten with the same bytes is
        # an update SQLite skips writing: the tenant's page would never reach the WAL)
        prev_hash, new_hash = f"{self.seq - 1:064x}", f"{self.seq:064x}"
        now = datetime.now(UTC)
        cur.execute(
            "INSERT INTO audit_logs (id, tenant_id, seq, at, actor, action, target_type, target_id, "
            "outcome, "
            f"detail, prev_hash, hash) VALUES ({self._p(12)})",
            (
                str(uuid.uuid4()),
                self.tenant_id,
                self.seq,
                now,
                "bench",
                action,
                "connection",
                conn_id,
                "ok",
                json.dumps(detail),
                prev_hash,
                new_hash,
            ),
        )
        cur.execute(
            f"UPDATE tenants SET audit_head = {self.ph} WHERE id = {self.ph}", (new_hash, self.tenant_id)
        )

    def connect(self) -> None:
        cid = str(uuid.uuid4())
        now = datetime.now(UTC)
        cur = self.conn.cursor()
        lease = f"connect:{self.tenant_id}:{cid}"
        cur.execute(
            f"INSERT INTO leases (name, holder, expires_at) VALUES ({self._p(3)})",
            (lease, "bench", now + timedelta(seconds=30)),
        )
        self.commit()
        cur.execute(
            f"INSERT INTO tenant_airbyte_connections ({_COLS}, encrypted_config, key_id) "
            f"VALUES ({self._p(15)})",
            (
                cid,
                self.tenant_id,
                "csv",
                "CSV file",
                "demo",
                "file",
                "connecting",
                "Connecting to CSV file…",
                json.dumps(_META_CONNECTING),
                "bench",
                now,
                now,
                None,
                _CIPHERTEXT,
                _KEY_ID,
            ),
        )
        self._audit(cur, cid, "connection.create", {"mode": "demo", "name": "CSV file", "source_id": "csv"})
        self.commit()
        for status, detail, meta, audit_detail in _STEPS:
            now = datetime.now(UTC)
            if status == "connected":  # the check's history row and its retention, one commit (issue 14)
                cur.execute(
                    f"INSERT INTO connection_checks (id, tenant_id, connection_id, at, outcome, kind, "
                    f"latency_ms, stream_count, schema_fingerprint, message) VALUES ({self._p(10)})",
                    (str(uuid.uuid4()), self.tenant_id, cid, now, "ok", "ok", 0.1, 1, _FINGERPRINT, "ok"),
                )
                cur.execute(
                    f"DELETE FROM connection_checks WHERE tenant_id = {self.ph} "
                    f"AND connection_id = {self.ph} AND at < {self.ph}",
                    (self.tenant_id, cid, now - timedelta(days=30)),
                )
                self.commit()
            cur.execute(
                f"UPDATE tenant_airbyte_connections SET status = {self.ph}, status_detail = {self.ph}, "
                f"metadata = {self.ph}, updated_at = {self.ph}, last_checked_at = {self.ph} "
                f"WHERE id = {self.ph} AND tenant_id = {self.ph}",
                (status, detail, json.dumps(meta), now, now, cid, self.tenant_id),
            )
            self._audit(cur, cid, "connection.status", audit_detail)
            self.commit()
        cur.execute(f"DELETE FROM leases WHERE name = {self.ph} AND holder = {self.ph}", (lease, "bench"))
        self.commit()

    def list(self) -> list[dict[str, Any]]:
        cur = self.conn.cursor()
        cur.execute(
            f"SELECT {_COLS} FROM tenant_airbyte_connections WHERE tenant_id = {self.ph} "
            f"ORDER BY created_at DESC, id DESC",
            (self.tenant_id,),
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        # Decode to the same Python values psycopg gives on PostgreSQL (jsonb -> dict, timestamptz ->
        # datetime), so both databases' baselines return usable rows, not raw text.
        for row in rows:
            if isinstance(row["metadata"], str):
                row["metadata"] = json.loads(row["metadata"])
            for col in ("created_at", "updated_at", "last_checked_at"):
                if isinstance(row.get(col), str):
                    row[col] = datetime.fromisoformat(row[col])
        return rows


def _tenant(hub: Hub, prefix: str) -> str:
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    hub.create_tenant(slug, name=slug, business_type="saas")
    return slug


def _bench(report: Report, label: str, hub: Hub, make_baseline: Callable[[str], _Baseline]) -> None:
    warm = hub.tenant(_tenant(hub, "warm"))
    for _ in range(20):
        warm.connect("csv", {}, actor="bench", sample_limit=0)

    def ours() -> None:
        svc = hub.tenant(_tenant(hub, "run"))
        for _ in range(N):
            svc.connect("csv", {}, actor="bench", sample_limit=0)

    def plain() -> None:
        base = make_baseline("base")
        for _ in range(N):
            base.connect()

    plain_s, ours_s = paired_medians(plain, ours, repeat=REPEAT)
    report.add(
        f"{label}: {N:,} demo connects",
        ours_s,
        baseline="plain SQL, same rows and commits",
        baseline_seconds=plain_s,
        target=TARGET,
        note="3 audited transitions each; no sampling",
    )

    listed = hub.tenant(_tenant(hub, "list"))
    for _ in range(N):
        listed.connect("csv", {}, actor="bench", sample_limit=0)
    base = make_baseline("list")
    for _ in range(N):
        base.connect()
    assert len(listed.list_connections()) == N and len(base.list()) == N
    report.add(
        f"{label}: list {N:,} connections",
        median_seconds(listed.list_connections, repeat=7),
        baseline="plain SELECT, rows as dicts",
        baseline_seconds=median_seconds(base.list, repeat=7),
        target=TARGET,
        note="models with metadata",
    )


def _sqlite(report: Report) -> None:
    import sqlalchemy as sa

    from hub.storage.tables import metadata

    home = Path(tempfile.mkdtemp(prefix="hubbench-sqlite-"))
    plain_path = home / "plain.db"  # the baseline's own file: same schema, same pragmas, no hub
    engine = sa.create_engine(f"sqlite:///{plain_path}")
    metadata.create_all(engine)
    engine.dispose()
    db = sqlite3.connect(plain_path, timeout=30, isolation_level=None, check_same_thread=False)
    # the pragmas the hub sets on each of its connections (hub.storage.dialect: _sqlite_on_connect)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA journal_mode = WAL")

    def make(slug: str) -> _Baseline:
        if db.in_transaction:
            db.execute("COMMIT")
        tid = str(uuid.uuid4())
        db.execute(
            "INSERT INTO tenants (id, slug, name, business_type, created_at, audit_head) "
            "VALUES (?, ?, ?, ?, ?, '')",
            (tid, f"{slug}-{tid[:8]}", slug, "saas", datetime.now(UTC)),
        )
        base = _Baseline(
            db, ph="?", tenant_id=tid, commit=lambda: (db.execute("COMMIT"), db.execute("BEGIN"))
        )
        db.execute("BEGIN")
        return base

    with Hub.open(Settings.from_env(home=home, database_url=None, encryption_keys=None, demo_pace=0)) as hub:
        _bench(report, "SQLite", hub, make)
    if db.in_transaction:
        db.execute("COMMIT")
    db.close()


def _postgres(report: Report) -> None:
    from hub.storage.crypto import generate_entry
    from hub.storage.migrations import migrations
    from tests.servers import start_postgres

    server = start_postgres()
    try:
        name = server.create_database()
        for migration in migrations("postgresql"):
            server.psql(migration.sql, database=name)
        password = uuid.uuid4().hex
        server.psql(f"ALTER ROLE hub_app WITH LOGIN PASSWORD '{password}'")
        settings = Settings.from_env(
            database_url=server.url(name, user="hub_app", password=password),
            admin_database_url=server.url(name),
            encryption_keys=generate_entry("bench"),
            demo_pace=0,
        )
        with Hub.open(settings) as hub, psycopg.connect(server.dsn(name)) as pc:

            def make(slug: str) -> _Baseline:
                return _Baseline(
                    pc, ph="%s", tenant_id=hub.tenant(_tenant(hub, slug)).tenant.id, commit=pc.commit
                )

            _bench(report, "PostgreSQL", hub, make)
    finally:
        server.stop()


def run(report: Report) -> None:
    """SQLite, then PostgreSQL (a throwaway server)."""
    os.environ.setdefault("HUB_DEMO_PACE", "0")
    _sqlite(report)
    _postgres(report)

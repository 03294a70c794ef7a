"""Leases: short-lived claims on work that replicas must not do twice at once (``leases`` table).

A holder owns a lease until ``expires_at`` and renews it while its work goes on; once it has expired,
anyone may take it over. Taking one is atomic on both databases: an INSERT that does nothing when the
name exists, else an UPDATE that succeeds only while the stored lease is still expired (compare-and-set
on ``expires_at``), so two takers never both win. Times come from the hub's clock (UTC); replicas are
expected to keep their clocks within a small fraction of a lease of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hub.storage.database import Database
from hub.storage.tables import leases, now


@dataclass(frozen=True)
class Lease:
    """One stored lease."""

    name: str
    holder: str
    expires_at: datetime


class Leases:
    """The ``leases`` table of one database (no tenant: leases are not tenant data)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """Take ``name`` for ``holder`` for ``seconds``; False while another holder's lease is live."""
        at = now()
        until = at + timedelta(seconds=seconds)
        insert = (postgresql.insert if self.db.backend == "postgresql" else sqlite.insert)(leases)
        # RETURNING, not rowcount: the PostgreSQL driver does not report a row count for every statement
        with self.db.begin(write=True, action="take a lease") as c:
            added = c.execute(
                insert.values(name=name, holder=holder, expires_at=until)
                .on_conflict_do_nothing()
                .returning(leases.c.name)
            ).first()
            if added is not None:
                return True
            taken = c.execute(
                sa.update(leases)
                .where(leases.c.name == name, leases.c.expires_at < at)
                .values(holder=holder, expires_at=until)
                .returning(leases.c.name)
            ).first()
        return taken is not None

    def acquire_many(
        self, names: Sequence[str], holder: str, seconds: float, *, release: Sequence[str] = ()
    ) -> set[str]:
        """Take each of ``names`` that no other holder has live, and give ``release`` back: one transaction.

        The names taken. For work done in batches (the monitor's checks): one write instead of one per name.
        """
        at = now()
        until = at + timedelta(seconds=seconds)
        insert = (postgresql.insert if self.db.backend == "postgresql" else sqlite.insert)(leases)
        taken: set[str] = set()
        with self.db.begin(write=True, action="take leases") as c:
            if release:
                c.execute(
                    sa.delete(leases).where(leases.c.name.in_(list(release)), leases.c.holder == holder)
                )
            if not names:
                return taken
            rows = [{"name": n, "holder": holder, "expires_at": until} for n in dict.fromkeys(names)]
            taken.update(c.scalars(insert.values(rows).on_conflict_do_nothing().returning(leases.c.name)))
            rest = [n for n in dict.fromkeys(names) if n not in taken]
            if rest:
                taken.update(
                    c.scalars(
                        sa.update(leases)
                        .where(leases.c.name.in_(rest), leases.c.expires_at < at)
                        .values(holder=holder, expires_at=until)
                        .returning(leases.c.name)
                    )
                )
        return taken

    def renew(self, name: str, holder: str, seconds: float) -> bool:
        """Extend ``holder``'s lease by ``seconds`` from now; False when it is no longer theirs."""
        with self.db.begin(write=True, action="renew a lease") as c:
            renewed = c.execute(
                sa.update(leases)
                .where(leases.c.name == name, leases.c.holder == holder)
                .values(expires_at=now() + timedelta(seconds=seconds))
                .returning(leases.c.name)
            ).first()
        return renewed is not None

    def release(self, name: str, holder: str) -> None:
        """Give ``name`` up (nothing when another holder has taken it over meanwhile)."""
        with self.db.begin(write=True, action="release a lease") as c:
            c.execute(sa.delete(leases).where(leases.c.name == name, leases.c.holder == holder))

    def release_many(self, names: Sequence[str], holder: str) -> None:
        """Give each of ``names`` up (those still ``holder``'s), in one transaction."""
        if names:
            with self.db.begin(write=True, action="release leases") as c:
                c.execute(sa.delete(leases).where(leases.c.name.in_(list(names)), leases.c.holder == holder))

    def get(self, name: str) -> Lease | None:
        """The stored lease ``name``, live or expired."""
        with self.db.begin(write=False, action="read a lease") as c:
            row = c.execute(sa.select(leases).where(leases.c.name == name)).first()
        return Lease(row.name, row.holder, row.expires_at) if row else None

    def expired(self, prefix: str) -> list[Lease]:
        """The expired leases whose names start with ``prefix`` (their holders stopped renewing)."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self.db.begin(write=False, action="list expired leases") as c:
            rows = c.execute(
                sa.select(leases)
                .where(leases.c.name.like(pattern, escape="\\"), leases.c.expires_at < now())
                .order_by(leases.c.expires_at)
            ).all()
        return [Lease(r.name, r.holder, r.expires_at) for r in rows]


__all__ = ["Lease", "Leases"]

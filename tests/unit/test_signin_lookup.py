"""A sign-in (password or cookie) finds the user with one look-up by username, whatever the tenant count.

The SQL statements are counted on the hub's own engine (a ``before_cursor_execute`` listener), so the
test sees what the database sees; nothing of the hub is patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from hub import Hub, Settings


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    """The SQL statements the hub's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(" ".join(statement.split()))

    engine = hub.db._engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _reads(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.upper().startswith("SELECT") and f"FROM {table} " in f"{s} "]


def _tenant_listings(seen: list[str]) -> list[str]:
    """Reads of the tenants table not keyed by one id (the audit append reads its tenant's chain head)."""
    return [s for s in _reads(seen, "tenants") if "WHERE tenants.id = ?" not in s]


def _hub_with_tenants(count: int) -> Hub:
    hub = Hub.open(Settings.from_env())
    hub.ensure_demo_accounts()
    for i in range(count):
        hub.create_tenant(f"extra-{i}", name=f"Extra {i}", business_type="saas")
        hub.create_user(f"user{i}", tenant=f"extra-{i}", name=f"User {i}", password="pass-word-1")
    return hub


def test_password_sign_in_is_one_user_look_up_and_does_not_grow_with_tenants() -> None:
    hub = _hub_with_tenants(0)
    try:
        with statements(hub) as few:
            assert hub.authenticate("alice", "demo") is not None
    finally:
        hub.close()
    hub = _hub_with_tenants(12)
    try:
        with statements(hub) as many:
            assert hub.authenticate("alice", "demo") is not None
    finally:
        hub.close()
    assert len(many) == len(few)
    assert len(_reads(many, "users")) == 1, many
    assert not _tenant_listings(many), many  # the tenant comes with the user's row (a join)


def test_cookie_sign_in_is_one_user_look_up_and_audited() -> None:
    hub = _hub_with_tenants(0)
    try:
        with statements(hub) as few:
            found = hub.restore_sign_in("bob")
        assert found is not None and found[1].slug == "globex"
    finally:
        hub.close()
    hub = _hub_with_tenants(12)
    try:
        with statements(hub) as many:
            assert hub.restore_sign_in("user7") is not None
        assert hub.restore_sign_in("nobody") is None
        rows = hub.tenant("extra-7").audit_log(action="auth.sign_in")
        assert [(r.actor, r.detail) for r in rows] == [("user7", {"method": "cookie"})]
    finally:
        hub.close()
    assert len(many) == len(few), many
    assert len(_reads(many, "users")) == 1, many
    assert not _tenant_listings(many), many

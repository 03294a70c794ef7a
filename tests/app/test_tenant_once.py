"""One page run resolves the signed-in tenant once and passes it down (design.md, "Layers").

Counted through SQLAlchemy itself: a ``before_cursor_execute`` listener sees every statement the app's
hub sends. A tenant look-up reads the tenant's row to build a `Tenant` (its name among the columns), or
calls ``hub_find_tenant`` on PostgreSQL; keeping the audit head current reads only that column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.app.support import ok, open_hub, sign_in

_LOOKUP = re.compile(
    r"^\s*SELECT\b(.*\btenants\.name\b.*\bFROM\s+(\w+\.)?\"?tenants\b|.*\bhub_find_tenant\()", re.I | re.S
)


@contextmanager
def tenant_lookups() -> Iterator[list[str]]:
    """The tenant look-ups every engine in this process runs inside the block."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if _LOOKUP.search(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _seed() -> None:
    hub = open_hub()
    try:
        hub.ensure_demo_accounts()
        svc = hub.tenant("acme")
        svc.connect("shopify", {"account": "acme-outfitters.myshopify.com"}, actor="alice", mode="demo")
    finally:
        hub.close()


@pytest.mark.parametrize(
    "page",
    [
        "app_pages/connect.py",
        "app_pages/connections.py",
        "app_pages/preview.py",
        "app_pages/next_steps.py",
        "app_pages/audit.py",
    ],
)
def test_a_page_run_looks_the_tenant_up_once(page):
    _seed()
    at = sign_in()
    ok(at.switch_page(page).run())
    with tenant_lookups() as lookups:
        ok(at.run())
    assert len(lookups) == 1, lookups


def test_runs_with_the_connect_dialog_open_look_the_tenant_up_once():
    at = sign_in()
    with tenant_lookups() as lookups:
        ok(at.button(key="rec_connect_shopify").click().run())
    assert at.button(key="consent_approve")  # the dialog is open
    assert len(lookups) == 1, lookups
    with tenant_lookups() as lookups:  # connecting inside the dialog: stored, audited, still one look-up
        ok(at.button(key="consent_approve").click().run())
    assert at.button(key="dialog_done")  # connected
    assert len(lookups) == 1, lookups

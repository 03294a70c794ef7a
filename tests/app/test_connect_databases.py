"""The Connect page's database entries: Supabase, MariaDB and SQLite files, each with its connector's form."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.models import Mode, Status
from tests.app.support import has_text, ok, open_hub, show_every_card, sign_in, status_labels
from tests.integration.test_catalogue_offered import sqlite_shop


def _cards(at) -> set[str]:
    """The ids of every card under "All integrations" (the All category chosen)."""
    keys = [b.key for b in show_every_card(at).button if b.key]
    return {k.removeprefix("all_connect_") for k in keys if k.startswith("all_connect_")}


def _only_connection(source_id: str):
    hub = open_hub()
    try:
        (conn,) = hub.tenant("acme").list_connections()
    finally:
        hub.close()
    assert conn.source_id == source_id
    return conn


def test_the_catalogue_shows_supabase_and_mariadb_but_no_sqlite_without_a_root():
    at = sign_in()
    cards = _cards(at)
    assert {"postgres", "mysql", "supabase", "mariadb"} <= cards
    assert "sqlite" not in cards
    assert not has_text(at, "SQLite")


def test_supabase_form_offers_only_tls_and_explains_its_poolers():
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_supabase").click().run())
    ssl = at.selectbox(key="db_ssl_mode")
    assert ssl.value == "require"  # the options are shown in words; no "Off", "Allow" or "Prefer"
    words = ["Require TLS", "Require TLS and verify the CA", "Require TLS and verify the host name"]
    assert ssl.options == words
    assert at.number_input(key="db_port").value == 5432
    assert "6543" in at.number_input(key="db_port").help
    assert "<project-ref>" in at.text_input(key="db_username").help
    assert has_text(at, "aws-0-<region>.pooler.supabase.com")  # the setup guide's connection choices
    ok(at.button(key="db_sample").click().run())
    assert status_labels(at)[-1].startswith("Connected · 4 streams")
    conn = _only_connection("supabase")
    assert conn.mode is Mode.DEMO and conn.status is Status.CONNECTED


def test_mariadb_form_is_mysqls():
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_mariadb").click().run())
    assert at.number_input(key="db_port").value == 3306
    ssl = at.selectbox(key="db_ssl_mode")
    assert ssl.value == "preferred" and len(ssl.options) == 4  # MySQL's modes: preferred ... verify_identity
    assert not [t for t in at.text_input if t.key == "db_schemas"]  # schemas are PostgreSQL's
    ok(at.button(key="db_sample").click().run())
    assert status_labels(at)[-1].startswith("Connected · 4 streams")
    assert _only_connection("mariadb").status is Status.CONNECTED


def test_with_a_root_sqlite_has_a_card_and_a_file_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "shared"
    sqlite_shop(root)
    monkeypatch.setenv("HUB_SQLITE_ROOT", str(root))
    at = sign_in()
    assert "sqlite" in _cards(at)
    ok(at.button(key="all_connect_sqlite").click().run())
    assert not [t for t in at.text_input if t.key == "db_host"]
    ok(at.button(key="db_submit").click().run())
    assert has_text(at, "Enter the file's path")
    at.text_input(key="db_path").input("shop.db")
    ok(at.button(key="db_submit").click().run())
    assert status_labels(at)[-1].startswith("Connected · 1 stream")
    conn = _only_connection("sqlite")
    assert conn.mode is Mode.LIVE and conn.status is Status.CONNECTED

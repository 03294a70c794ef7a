"""SQLite sources: only files under HUB_SQLITE_ROOT, never the hub's own files, read-only."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from hub.connectors import get_connector
from hub.exceptions import ConnectorError
from hub.settings import Settings
from tests.integration.sql_fixtures import StatementLog, source


def _make_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(r'''
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(8,2),
            in_stock BOOLEAN,
                               added DATE, updated_at TIMESTAMP, photo BLOB, attrs JSON, notes, ratio REAL);
        INSERT INTO products VALUES (2, 'Mug', 7.5, 1, '2024-01-02', '2024-01-02 10:00:00', x'CAFE',
            '{"color": "red"}',
                                     'mixed', 0.5);
        INSERT INTO products VALUES (1, 'Tee', 19.99, 0, '2024-01-01', '2024-01-01 09:00:00', NULL, NULL,
            42, NULL);
        CREATE TABLE "odd ""name""" (k TEXT, v INTEGER);
        INSERT INTO "odd ""name""" VALUES ('a', 1);
        CREATE VIEW cheap AS SELECT id, name FROM products WHERE price < 10;
        CREATE TABLE pairs (a INTEGER NOT NULL, b TEXT NOT NULL, PRIMARY KEY (b, a));
        INSERT INTO pairs VALUES (2, 'x'), (1, 'y'), (1, 'x');
    ''')
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "sqlite-root"
    _make_db(r / "shop.db")
    return r


@pytest.fixture
def lite(root: Path, hub_home: Path):
    settings = Settings.from_env(sqlite_root=str(root))
    return get_connector(source("sqlite"), "live", settings=settings)


def test_sqlite_is_off_without_a_root(hub_home):
    conn = get_connector(source("sqlite"), "live", settings=Settings.from_env())
    result = conn.check({"path": "shop.db"})
    assert not result.ok and "turned off" in result.message and "HUB_SQLITE_ROOT" in result.hint


def test_discover_and_read(lite):
    assert lite.check({"path": "shop.db"}).ok
    with StatementLog() as log:
        streams = {s.name: s for s in lite.discover({"path": "shop.db"})}
    assert len(log.catalog) <= 2
    assert set(streams) == {"products", 'odd "name"', "cheap", "pairs"}
    props = streams["products"].json_schema["properties"]
    assert props["id"]["type"] == "integer"
    assert props["price"]["type"] == ["number", "null"]
    assert props["in_stock"]["type"] == ["boolean", "null"]
    assert props["added"]["format"] == "date"
    assert props["photo"]["contentEncoding"] == "base64"
    assert streams["products"].primary_key == ["id"]
    assert streams["products"].cursor_field == "updated_at"
    assert streams["pairs"].primary_key == ["b", "a"]
    rows = list(lite.read({"path": "shop.db"}, "products", limit=10))
    json.dumps(rows, allow_nan=False)
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[1]["photo"] == "yv4=" and rows[1]["attrs"] == {"color": "red"} and rows[1]["in_stock"] is True
    assert rows[0]["notes"] == 42 and rows[1]["notes"] == "mixed"  # no declared type: values as they are
    assert list(lite.read({"path": "shop.db"}, 'odd "name"', limit=5)) == [{"k": "a", "v": 1}]
    assert [(r["b"], r["a"]) for r in lite.read({"path": "shop.db"}, "pairs", limit=5)] == [
        ("x", 1),
        ("x", 2),
        ("y", 1),
    ]


def test_files_are_opened_read_only(lite, root):
    cfg = lite.validate({"path": "shop.db"})
    with pytest.raises(ConnectorError), lite._connect(cfg) as conn:
        conn.exec_driver_sql("DELETE FROM products")
    assert sqlite3.connect(root / "shop.db").execute("SELECT count(*) FROM products").fetchone() == (2,)


@pytest.mark.parametrize("path", ["../outside.db", "/etc/passwd", "sub/../../outside.db", "missing.db"])
def test_paths_outside_the_root_or_missing_are_refused(lite, root, path):
    _make_db(root.parent / "outside.db")
    result = lite.check({"path": path})
    assert not result.ok
    assert "outside the SQLite folder" in result.message or "no file" in result.message


def test_symlinks_out_of_the_root_are_refused(lite, root):
    _make_db(root.parent / "outside.db")
    (root / "link.db").symlink_to(root.parent / "outside.db")
    result = lite.check({"path": "link.db"})
    assert not result.ok and "outside the SQLite folder" in result.message


def test_the_hubs_own_database_is_never_a_source(tmp_path, hub_home):
    hub_home.mkdir(parents=True, exist_ok=True)
    _make_db(hub_home / "hub.db")
    # a root that is HUB_HOME itself, or above it, turns SQLite sources off
    for r in (hub_home, tmp_path):
        conn = get_connector(source("sqlite"), "live", settings=Settings.from_env(sqlite_root=str(r)))
        result = conn.check({"path": "hub.db"})
        assert not result.ok and "HUB_HOME" in result.message
    # a link (hard or symbolic) to it from an allowed root is refused
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    os.link(hub_home / "hub.db", allowed / "hard.db")
    (allowed / "soft.db").symlink_to(hub_home / "hub.db")
    conn = get_connector(source("sqlite"), "live", settings=Settings.from_env(sqlite_root=str(allowed)))
    for name in ("hard.db", "soft.db"):
        result = conn.check({"path": name})
        assert not result.ok, name
        assert "belongs to the hub" in result.message or "outside" in result.message


def test_not_a_sqlite_file(lite, root):
    (root / "notes.db").write_text("hello, not a database")
    result = lite.check({"path": "notes.db"})
    assert not result.ok and "not a SQLite database" in result.message

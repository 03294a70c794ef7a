"""Migrations shipped in the package: numbered per database, applied at start-up and by ``hub migrate``.

The SQLite side runs here; PostgreSQL and the installed wheel: tests/integration/test_migrations_postgres.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub import Hub
from hub.cli import main
from hub.exceptions import StorageError
from hub.settings import Settings
from hub.storage.database import Database
from hub.storage.migrations import Migration, latest_version, migrations
from hub.storage.tables import metadata
from tests.storage_support import legacy_expected, load_legacy_sqlite, verify_all

ROOT = Path(__file__).resolve().parents[2]

#: A second migration, as the next issue would ship one: it must be applied to databases made before it.
SQLITE_0002 = Migration(
    2,
    "0002_audit_actions_index.sql",
    "CREATE INDEX audit_logs_tenant_action_idx ON audit_logs (tenant_id, action);\n"
    "PRAGMA user_version = 2;\n",
)


def _schema(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        con.close()


def _user_version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    finally:
        con.close()


def test_both_databases_have_the_same_numbered_migrations_each_recording_its_number() -> None:
    lite, pg = migrations("sqlite"), migrations("postgresql")
    numbers = list(range(1, latest_version("sqlite") + 1))
    assert [m.version for m in lite] == [m.version for m in pg] == numbers
    assert [m.name for m in lite] == [m.name for m in pg]
    for m in lite:
        assert re.search(rf"PRAGMA user_version = {m.version};\s*$", m.sql), m.name
    for m in pg:
        assert re.search(
            rf"FUNCTION public\.hub_schema_version\(\) RETURNS integer\s+LANGUAGE sql IMMUTABLE AS "
            rf"\$\$ SELECT {m.version} \$\$",
            m.sql,
        ), m.name


def test_supabase_migrations_are_the_postgresql_files_byte_for_byte() -> None:
    supabase = sorted((ROOT / "supabase" / "migrations").glob("*.sql"))
    shipped = migrations("postgresql")
    assert len(supabase) == len(shipped)
    for path, migration in zip(supabase, shipped, strict=True):
        assert path.read_bytes() == migration.sql.encode("utf-8"), (path.name, migration.name)


def test_the_sqlite_schema_file_makes_what_create_all_made(tmp_path: Path) -> None:
    # 95d3a2c created SQLite databases with metadata.create_all: 0001 must make the very same schema
    made_then = tmp_path / "create_all.db"
    engine = sa.create_engine(f"sqlite:///{made_then}")
    metadata.create_all(engine)
    engine.dispose()
    with Hub.open(Settings.from_env(home=tmp_path / "home")) as hub:
        made_now = Path(hub.db.url.database or "")
        assert hub.db.migration.applied == ("0001_init.sql",)
    assert _schema(made_now) == _schema(made_then)
    assert _user_version(made_now) == latest_version("sqlite")


def test_a_database_made_by_95d3a2c_opens_unchanged_and_upgrades_keeping_rows_and_chains(
    hub_home: Path,
) -> None:
    path = hub_home / "hub.db"
    load_legacy_sqlite(path)
    expected = legacy_expected()["sqlite"]
    assert _user_version(path) == expected["user_version"] == 1
    before = _schema(path)

    db = Database(f"sqlite:///{path}")
    try:
        assert db.migration.from_version == db.migration.to_version == 1 and db.migration.applied == ()
        assert _schema(path) == before
        upgraded = db.migrate([*migrations("sqlite"), SQLITE_0002])
        assert (upgraded.from_version, upgraded.to_version) == (1, 2)
        assert upgraded.applied == ("0002_audit_actions_index.sql",)
        assert db.migrate([*migrations("sqlite"), SQLITE_0002]).applied == ()  # once only
    finally:
        db.dispose()
    assert _user_version(path) == 2
    assert ("index", "audit_logs_tenant_action_idx") in {(t, n) for t, n, _ in _schema(path)}

    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        checked = verify_all(engine)
        with engine.connect() as conn:
            counts = {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("tenants", "users", "tenant_airbyte_connections", "api_keys")
            }
    finally:
        engine.dispose()
    tenants = expected["tenants"]
    assert checked == {slug: (True, t["audit_rows"], t["audit_head"]) for slug, t in tenants.items()}
    assert counts == {
        "tenants": len(tenants),
        "users": sum(len(t["users"]) for t in tenants.values()),
        "tenant_airbyte_connections": sum(len(t["connections"]) for t in tenants.values()),
        "api_keys": sum(t["api_keys"] for t in tenants.values()),
    }
    # this hub knows only 0001: a database at 0002 is newer than it
    with pytest.raises(StorageError, match="schema version 2"):
        Hub.open(Settings.from_env())


def test_a_failed_migration_changes_nothing(hub_home: Path) -> None:
    path = hub_home / "hub.db"
    load_legacy_sqlite(path)
    broken = Migration(2, "0002_broken.sql", "CREATE TABLE extra (id TEXT);\nSELECT * FROM no_such_table;\n")
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(StorageError, match="no_such_table"):
            db.migrate([*migrations("sqlite"), broken])
    finally:
        db.dispose()
    assert _user_version(path) == 1 and "extra" not in {n for _, n, _ in _schema(path)}


def test_a_migration_that_does_not_record_its_number_is_refused(hub_home: Path) -> None:
    db = Database(f"sqlite:///{hub_home / 'hub.db'}")
    try:
        forgetful = Migration(2, "0002_forgetful.sql", "CREATE TABLE extra (id TEXT);\n")
        with pytest.raises(StorageError, match="left the schema version at 1"):
            db.migrate([*migrations("sqlite"), forgetful])
    finally:
        db.dispose()


def test_hub_migrate_creates_then_reports_up_to_date(
    hub_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["backend"] == "sqlite" and str(hub_home) in first["database"]
    assert (first["from_version"], first["to_version"], first["applied"]) == (0, 1, ["0001_init.sql"])
    assert main(["migrate", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["from_version"], again["to_version"], again["applied"]) == (1, 1, [])
    assert main(["migrate"]) == 0
    assert "is up to date (schema version 1)" in capsys.readouterr().out


def test_hub_migrate_with_a_newer_database_is_a_one_line_error(
    hub_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    con = sqlite3.connect(hub_home / "hub.db")
    con.execute("PRAGMA user_version = 7")
    con.close()
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "schema version 7" in err and err.count("\n") == 1

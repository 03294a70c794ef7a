"""Migrations shipped in the package: numbered per database, applied at start-up and by ``hub migrate``.

The SQLite side runs here; PostgreSQL and the installed wheel: tests/integration/test_migrations_postgres.py.
"""

from __future__ import annotations

import dataclasses
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

LATEST = latest_version("sqlite")

#: The migration after the shipped ones, as the next issue would ship one: it must be applied to databases
#: made before it.
SQLITE_NEXT = Migration(
    LATEST + 1,
    f"{LATEST + 1:04d}_audit_actions_index.sql",
    "CREATE INDEX audit_logs_tenant_action_idx ON audit_logs (tenant_id, action);\n"
    f"PRAGMA user_version = {LATEST + 1};\n",
)

#: The tables 0001 made (95d3a2c's); later files add the others.
INIT_TABLES = ("tenants", "users", "tenant_airbyte_connections", "audit_logs", "api_keys")


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


def test_the_sqlite_schema_files_make_what_create_all_made(tmp_path: Path) -> None:
    # 95d3a2c created SQLite databases with metadata.create_all: 0001 must make the very same schema, and
    # the files after it what create_all makes of the tables they add
    init_then = tmp_path / "create_all_init.db"
    engine = sa.create_engine(f"sqlite:///{init_then}")
    metadata.create_all(engine, tables=[metadata.tables[t] for t in INIT_TABLES])
    engine.dispose()
    init_now = tmp_path / "init.db"
    con = sqlite3.connect(init_now)
    try:
        con.executescript(migrations("sqlite")[0].sql)
    finally:
        con.close()
    assert _schema(init_now) == _schema(init_then)

    made_then = tmp_path / "create_all.db"
    engine = sa.create_engine(f"sqlite:///{made_then}")
    metadata.create_all(engine)
    engine.dispose()
    with Hub.open(Settings.from_env(home=tmp_path / "home")) as hub:
        made_now = Path(hub.db.url.database or "")
        assert hub.db.migration.applied == tuple(m.name for m in migrations("sqlite"))
    assert _schema(made_now) == _schema(made_then)
    assert _user_version(made_now) == LATEST

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
        # opening it applies the shipped files after 0001, leaving 0001's tables as they were
        assert (db.migration.from_version, db.migration.to_version) == (1, LATEST)
        assert db.migration.applied == tuple(m.name for m in migrations("sqlite")[1:])
        after = _schema(path)
        assert set(before) < set(after)
        assert {n for t, n, _ in after if t == "table"} == set(metadata.tables)
        assert db.migrate().applied == ()  # once only
        upgraded = db.migrate([*migrations("sqlite"), SQLITE_NEXT])
        assert (upgraded.from_version, upgraded.to_version) == (LATEST, LATEST + 1)
        assert upgraded.applied == (SQLITE_NEXT.name,)
        assert db.migrate([*migrations("sqlite"), SQLITE_NEXT]).applied == ()  # once only
    finally:
        db.dispose()
    assert _user_version(path) == LATEST + 1
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
    # this hub knows only the shipped files: a database past them is newer than it
    with pytest.raises(StorageError, match=f"schema version {LATEST + 1}"):
        Hub.open(Settings.from_env())


def test_a_failed_migration_changes_nothing(hub_home: Path) -> None:
    path = hub_home / "hub.db"
    load_legacy_sqlite(path)
    broken = Migration(
        LATEST + 1, "9999_broken.sql", "CREATE TABLE extra (id TEXT);\nSELECT * FROM no_such_table;\n"
    )
    db = Database(f"sqlite:///{path}")
    try:
        before = _schema(path)
        with pytest.raises(StorageError, match="no_such_table"):
            db.migrate([*migrations("sqlite"), broken])
    finally:
        db.dispose()
    assert _user_version(path) == LATEST and _schema(path) == before


def test_a_migration_that_does_not_record_its_number_is_refused(hub_home: Path) -> None:
    db = Database(f"sqlite:///{hub_home / 'hub.db'}")
    try:
        forgetful = Migration(LATEST + 1, "9999_forgetful.sql", "CREATE TABLE extra (id TEXT);\n")
        with pytest.raises(StorageError, match=f"left the schema version at {LATEST}"):
            db.migrate([*migrations("sqlite"), forgetful])
    finally:
        db.dispose()


def test_hub_migrate_creates_then_reports_up_to_date(
    hub_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["backend"] == "sqlite" and str(hub_home) in first["database"]
    shipped = [m.name for m in migrations("sqlite")]
    assert (first["from_version"], first["to_version"], first["applied"]) == (0, LATEST, shipped)
    assert main(["migrate", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["from_version"], again["to_version"], again["applied"]) == (LATEST, LATEST, [])
    assert main(["migrate"]) == 0
    assert f"is up to date (schema version {LATEST})" in capsys.readouterr().out


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


#: A sign-in in progress as 0004's oauth_states holds it (tenant acme-sqlite of the 95d3a2c fixture).
PENDING_ROW = {
    "id": "5d0f3c4e-1b2a-4c3d-9e8f-000000000006", "state_hash": "ab" * 32, "user_id": "alice-sqlite",
    "api_key_id": None, "source_id": "google-sheets", "connection_id": None, "face": "app",
    "redirect_uri": "http://127.0.0.1:8501/oauth_callback", "return_to": None, "account": None,
    "encrypted_verifier": "sealed-verifier", "key_id": "k1",
    "created_at": "2026-12-06 05:00:00.000000", "expires_at": "2099-12-06 05:10:00.000000",
}


def test_0006_adds_oauth_state_fields_keeping_the_sign_ins_in_progress(hub_home: Path) -> None:
    from hub.storage.oauth_states import OAuthStates

    path = hub_home / "hub.db"
    load_legacy_sqlite(path)
    tenant_id = legacy_expected()["sqlite"]["tenants"]["acme-sqlite"]["tenant_id"]
    con = sqlite3.connect(path)
    try:  # the database as the hub before 0006 left it, with a sign-in under way
        for m in migrations("sqlite")[1:5]:
            con.executescript(m.sql)
        con.execute(
            f"INSERT INTO oauth_states (tenant_id, {', '.join(PENDING_ROW)}) "
            f"VALUES (?, {', '.join('?' * len(PENDING_ROW))})",
            (tenant_id, *PENDING_ROW.values()),
        )
        con.commit()
    finally:
        con.close()
    assert _user_version(path) == 5

    db = Database(f"sqlite:///{path}")
    try:
        assert db.migration.applied == tuple(m.name for m in migrations("sqlite")[5:])
        assert db.migration.applied[0] == "0006_oauth_state_fields.sql"
        states = OAuthStates(db, tenant_id)
        kept = states.take(PENDING_ROW["state_hash"])
        assert kept is not None and kept.id == PENDING_ROW["id"] and kept.fields is None
        assert kept.verifier.token == "sealed-verifier"
        fields = {"spreadsheet_id": "https://docs.google.com/spreadsheets/d/x/edit", "batch_size": 10}
        states.add(dataclasses.replace(kept, fields=fields), "cd" * 32)
        again = states.take("cd" * 32)
        assert again is not None and again.fields == fields
    finally:
        db.dispose()
    assert _user_version(path) == LATEST

"""PostgreSQL migrations: a database made by 95d3a2c upgrades keeping its rows and chains.

Replicas starting together migrate once, and the installed wheel migrates with its own copy of the files
(``python -m hub migrate``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.storage.database import Database
from hub.storage.migrations import Migration, MigrationResult, latest_version, migrations
from hub.storage.tables import metadata as sql_metadata
from tests.servers import PostgresServer
from tests.storage_support import APP_PASSWORD, legacy_expected, legacy_postgres_dump, verify_all

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

LATEST = latest_version("postgresql")

#: The migration after the shipped ones, as the next issue would ship one: it must be applied to databases
#: made before it.
PG_NEXT = Migration(
    LATEST + 1,
    f"{LATEST + 1:04d}_audit_actions_index.sql",
    "CREATE INDEX audit_logs_tenant_action_idx ON public.audit_logs (tenant_id, action);\n"
    "CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer\n"
    f"LANGUAGE sql IMMUTABLE AS $$ SELECT {LATEST + 1} $$;\n",
)


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM public.{table}")).scalar() or 0)


def test_a_database_made_by_95d3a2c_upgrades_keeping_rows_and_chains(postgres: PostgresServer) -> None:
    name = postgres.create_database()
    postgres.psql(migrations("postgresql")[0].sql, database=name)  # 0001 is 95d3a2c's init, byte for byte
    postgres.psql(legacy_postgres_dump(), database=name)
    postgres.psql(f"ALTER ROLE hub_app WITH LOGIN PASSWORD '{APP_PASSWORD}'")
    app_url = postgres.url(name, user="hub_app", password=APP_PASSWORD)
    tenants = legacy_expected()["postgres"]["tenants"]

    db = Database(app_url, admin_url=postgres.url(name))
    try:
        # opening it applies the shipped files after 0001 through the admin connection
        assert (db.migration.from_version, db.migration.to_version) == (1, LATEST)
        assert db.migration.applied == tuple(m.name for m in migrations("postgresql")[1:])
        assert db.migrate().applied == ()  # once only
        assert db.rls_warning is None
        for slug, want in tenants.items():  # as the app role, under row level security
            store = db.store(want["tenant_id"])
            assert store.audit_head() == want["audit_head"] and len(store.audit_rows()) == want["audit_rows"]
            assert {c.id for c in store.list_connections()} == set(want["connections"]), slug
        upgraded = db.migrate([*migrations("postgresql"), PG_NEXT])
        assert (upgraded.from_version, upgraded.to_version) == (LATEST, LATEST + 1)
        assert upgraded.applied == (PG_NEXT.name,)
        assert db.migrate([*migrations("postgresql"), PG_NEXT]).applied == ()  # once only
    finally:
        db.dispose()
    assert postgres.psql("SELECT public.hub_schema_version()", database=name).strip() == str(LATEST + 1)
    tables = postgres.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", database=name)
    assert set(tables.split()) == set(sql_metadata.tables)
    assert "audit_logs_tenant_action_idx" in postgres.psql(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'audit_logs'", database=name
    )

    engine = sa.create_engine(postgres.url(name))
    try:
        assert verify_all(engine) == {s: (True, t["audit_rows"], t["audit_head"]) for s, t in tenants.items()}
        assert _count(engine, "tenants") == len(tenants)
        assert _count(engine, "users") == sum(len(t["users"]) for t in tenants.values())
        connections = sum(len(t["connections"]) for t in tenants.values())
        assert _count(engine, "tenant_airbyte_connections") == connections
        assert _count(engine, "api_keys") == sum(t["api_keys"] for t in tenants.values())
    finally:
        engine.dispose()


def test_replicas_opening_an_empty_database_together_apply_the_migrations_once(
    postgres: PostgresServer,
) -> None:
    name = postgres.create_database()
    results: list[MigrationResult] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            db = Database(postgres.url(name))
            results.append(db.migration)
            db.dispose()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    applied = [r.applied for r in results]
    assert sorted(applied) == [(), (), (), tuple(m.name for m in migrations("postgresql"))]
    assert postgres.psql("SELECT public.hub_schema_version()", database=name).strip() == str(LATEST)


def _copy_project(dest: Path) -> Path:
    """The files a wheel is built from (not the repo itself: the build leaves files behind)."""
    src = dest / "src"
    shutil.copytree(ROOT / "hub", src / "hub", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    return src


def test_the_installed_wheel_migrates_postgres_with_python_m_hub(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    src = _copy_project(tmp_path)
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", str(dist), str(src)],
        check=True, cwd=tmp_path, timeout=300,
    )
    (wheel,) = dist.glob("data_source_hub-*.whl")

    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True, timeout=120,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True, cwd=tmp_path, timeout=300,
    )
    # The hub's dependencies come from the environment running the tests (a venv itself, whose packages
    # --system-site-packages does not reach); the hub itself only from the wheel.
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )
    (site / "outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    name = postgres.create_database()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(HUB_DATABASE_URL=postgres.url(name), HUB_HOME=str(tmp_path / "home"))
    outside = tmp_path / "elsewhere"  # a working directory without the repo's hub/ in it
    outside.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args], cwd=outside, env=env, capture_output=True, text=True, timeout=120
        )

    where = run("-c", "import hub.storage.migrations as m; print(m.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv)

    first = run("-m", "hub", "migrate", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["backend"] == "postgresql"
    shipped = [m.name for m in migrations("postgresql")]
    assert (report["from_version"], report["to_version"], report["applied"]) == (0, LATEST, shipped)
    again = run("-m", "hub", "migrate", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["applied"] == []
    assert postgres.psql("SELECT public.hub_schema_version()", database=name).strip() == str(LATEST)
    assert postgres.psql("SELECT to_regclass('public.audit_logs')", database=name).strip() == "audit_logs"


def test_0006_adds_oauth_state_fields_keeping_the_sign_ins_in_progress(postgres: PostgresServer) -> None:
    from hub.storage.oauth_states import OAuthStates

    name = postgres.create_database()
    for m in migrations("postgresql")[:5]:  # the database as the hub before 0006 left it
        postgres.psql(m.sql, database=name)
    postgres.psql(legacy_postgres_dump(), database=name)
    postgres.psql(f"ALTER ROLE hub_app WITH LOGIN PASSWORD '{APP_PASSWORD}'")
    tenant_id = next(iter(legacy_expected()["postgres"]["tenants"].values()))["tenant_id"]
    postgres.psql(  # a sign-in under way, as 0004's table holds it
        "INSERT INTO public.oauth_states (id, tenant_id, state_hash, user_id, source_id, face, redirect_uri, "
        "encrypted_verifier, key_id, created_at, expires_at) VALUES ('5d0f3c4e-1b2a-4c3d-9e8f-000000000006', "
        f"'{tenant_id}', '{'ab' * 32}', 'alice', 'google-sheets', 'app', "
        "'http://127.0.0.1:8501/oauth_callback', 'sealed-verifier', 'k1', now(), "
        "now() + interval '10 minutes')",
        database=name,
    )
    db = Database(postgres.url(name, user="hub_app", password=APP_PASSWORD), admin_url=postgres.url(name))
    try:
        assert db.migration.from_version == 5
        assert db.migration.applied[0] == "0006_oauth_state_fields.sql"
        states = OAuthStates(db, tenant_id)  # as the app role, under row level security
        kept = states.take("ab" * 32)
        assert kept is not None and kept.fields is None and kept.verifier.token == "sealed-verifier"
        fields = {"property_ids": ["123", "456"]}
        states.add(dataclasses.replace(kept, fields=fields), "cd" * 32)
        stored = postgres.psql("SELECT jsonb_typeof(fields) FROM public.oauth_states", database=name)
        assert stored.strip() == "object"
        again = states.take("cd" * 32)
        assert again is not None and again.fields == fields
    finally:
        db.dispose()

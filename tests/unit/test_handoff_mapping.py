"""The mapping of stored configs to Airbyte source configurations (hub/handoff/mapping.py).

Every mapped configuration is validated against the same source's component schema in Airbyte's spec
(``source-postgres``, ``source-mysql``, ``source-<connector>``), so a field name or an enum value the hub
gets wrong fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import SecretStr

from hub.catalogue import Catalogue
from hub.handoff.mapping import NotHandOffable, SourcePlan, handed_off, hub_may_refresh, source_plan
from hub.models import AuthKind, Connection, Mode, SourceEntry, Status
from hub.settings import Settings
from tests.airbyte_api_support import source_schema

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Catalogue.load(ROOT / "data" / "mock_sources.json", settings=Settings(sqlite_root=ROOT))
SETTINGS = Settings()


class _OAuthSettings:
    """Stands in for the OAuth work's settings accessor (HUB_OAUTH_<PROVIDER>_CLIENT_ID/_SECRET)."""

    def __init__(self, apps: dict[str, tuple[str, str]]) -> None:
        self.apps = apps

    def oauth_app(self, provider: str) -> tuple[str, str] | None:
        return self.apps.get(provider)


def _conn(
    source: SourceEntry, *, mode: Mode = Mode.LIVE, metadata: dict[str, Any] | None = None
) -> Connection:
    now = datetime.now(UTC)
    return Connection(
        id="c1", tenant_id="t1", source_id=source.id, name=f"My {source.name}", mode=mode,
        auth_kind=source.auth_kind, status=Status.CONNECTED, metadata=metadata or {}, created_by="u1",
        created_at=now, updated_at=now,
    )


def _valid(plan: SourcePlan) -> dict[str, Any]:
    body = {**plan.configuration, "sourceType": plan.source_type}
    jsonschema.Draft202012Validator(source_schema(plan.source_type)).validate(body)
    return body


def test_postgres_maps_to_source_postgres_fields():
    pg = CATALOGUE.get("postgres")
    cfg = {"host": "db.example.com", "port": 5432, "database": "shop", "username": "hub_reader",
           "password": SecretStr("pw-9a8b"), "schemas": ["public", "sales"],
           "ssl_mode": {"mode": "verify-full", "ca_certificate": "-----BEGIN CERTIFICATE-----\nX\n"},
           "connect_timeout": 10}
    plan = source_plan(_conn(pg), pg, cfg, SETTINGS)
    body = _valid(plan)
    assert body["sourceType"] == "postgres" and body["password"] == "pw-9a8b"
    assert body["replication_method"] == {"method": "Standard"} and body["schemas"] == ["public", "sales"]
    assert body["ssl_mode"]["mode"] == "verify-full" and "connect_timeout" not in body
    assert "pw-9a8b" not in repr(plan)


def test_supabase_is_postgres_too():
    sb = CATALOGUE.get("supabase")
    cfg = {"host": "db.x.supabase.co", "port": 6543, "database": "postgres", "username": "hub_reader",
           "password": "p", "ssl_mode": {"mode": "require"}}
    assert _valid(source_plan(_conn(sb), sb, cfg, SETTINGS))["schemas"] == ["public"]


@pytest.mark.parametrize("source_id", ["mysql", "mariadb"])
def test_mysql_and_mariadb_map_to_source_mysql(source_id: str):
    entry = CATALOGUE.get(source_id)
    cfg = {"host": "db", "port": 3306, "database": "shop", "username": "r", "password": SecretStr("x"),
           "ssl_mode": {"mode": "verify_identity", "ca_certificate": "PEM"}}
    body = _valid(source_plan(_conn(entry), entry, cfg, SETTINGS))
    assert body["sourceType"] == "mysql" and body["replication_method"] == {"method": "STANDARD"}
    assert "schemas" not in body and body["ssl_mode"] == {"mode": "verify_identity", "ca_certificate": "PEM"}


def test_every_live_connector_has_the_same_named_source_in_airbyte():
    # the hub's live connectors' specs are Airbyte's own: the sourceType is the definition name
    for entry in CATALOGUE.sources:
        if entry.connector_package is None or entry.auth_kind is not AuthKind.API_KEY:
            continue
        schema = source_schema(entry.airbyte_connector.removeprefix("source-"))  # type: ignore[union-attr]
        assert schema["properties"]["sourceType"]["enum"] == [entry.airbyte_connector.removeprefix("source-")]


def test_api_key_connector_config_passes_unchanged():
    stripe = CATALOGUE.get("stripe")
    start = "2024-01-01T00:00:00Z"
    cfg = {"account_id": "acct_1", "client_secret": SecretStr("sk_live_abc"), "start_date": start}
    body = _valid(source_plan(_conn(stripe), stripe, cfg, SETTINGS))
    assert body == {"account_id": "acct_1", "client_secret": "sk_live_abc", "start_date": start,
                    "sourceType": "stripe"}


def test_oauth_source_carries_the_hub_apps_credentials():
    hubspot = CATALOGUE.get("hubspot")
    cfg = {"credentials": {"credentials_title": "OAuth Credentials", "refresh_token": SecretStr("rt-1")}}
    settings = _OAuthSettings({"hubspot": ("hub-app-id", "hub-app-secret")})
    body = _valid(source_plan(_conn(hubspot), hubspot, cfg, settings))  # type: ignore[arg-type]
    assert body["credentials"] == {"credentials_title": "OAuth Credentials", "refresh_token": "rt-1",
                                   "client_id": "hub-app-id", "client_secret": "hub-app-secret"}


def test_google_sources_share_the_google_app():
    sheets = CATALOGUE.get("google-sheets")
    cfg = {"spreadsheet_id": "https://docs.google.com/spreadsheets/d/1", "credentials":
           {"auth_type": "Client", "refresh_token": "rt"}}
    body = _valid(source_plan(_conn(sheets), sheets, cfg, _OAuthSettings({"google": ("g", "gs")})))  # type: ignore[arg-type]
    assert body["credentials"]["client_id"] == "g"


def test_oauth_without_the_hub_app_is_refused_clearly():
    hubspot = CATALOGUE.get("hubspot")
    cfg = {"credentials": {"credentials_title": "OAuth Credentials", "refresh_token": "rt"}}
    with pytest.raises(NotHandOffable, match="OAuth app") as caught:
        source_plan(_conn(hubspot), hubspot, cfg, SETTINGS)  # no OAuth settings at all: tolerated
    assert "HUBSPOT" in caught.value.hint and "rt" not in str(caught.value).split()


def test_demo_sqlite_and_local_files_are_refused_with_the_reason():
    shopify, sqlite, csv = CATALOGUE.get("shopify"), CATALOGUE.get("sqlite"), CATALOGUE.get("csv")
    with pytest.raises(NotHandOffable, match="demo connection"):
        source_plan(_conn(shopify, mode=Mode.DEMO), shopify, {}, SETTINGS)
    with pytest.raises(NotHandOffable, match="SQLite file"):
        source_plan(_conn(sqlite), sqlite, {"path": "shop.db"}, SETTINGS)
    local = {"dataset_name": "d", "format": "csv", "url": "/srv/uploads/orders.csv",
             "provider": {"storage": "local"}}
    with pytest.raises(NotHandOffable, match="hub's own disk"):
        source_plan(_conn(csv), csv, local, SETTINGS)


def test_a_remote_file_maps_unchanged():
    csv = CATALOGUE.get("csv")
    cfg = {"dataset_name": "orders", "format": "csv", "url": "https://example.com/orders.csv",
           "provider": {"storage": "HTTPS"}}
    assert _valid(source_plan(_conn(csv), csv, cfg, SETTINGS))["url"] == "https://example.com/orders.csv"


def test_the_hub_stops_refreshing_once_handed_off():
    hubspot = CATALOGUE.get("hubspot")
    assert hub_may_refresh(_conn(hubspot)) and not handed_off(_conn(hubspot))
    gone = _conn(hubspot, metadata={"airbyte": {"handed_off": True, "source_id": "s"}})
    assert handed_off(gone) and not hub_may_refresh(gone)


def test_the_hub_never_refreshes_a_disconnected_connection():
    hubspot = CATALOGUE.get("hubspot")
    kept = _conn(hubspot, metadata={"airbyte": {"handed_off": True, "source_id": "s"}})
    assert not hub_may_refresh(kept.model_copy(update={"status": Status.DISCONNECTED}))
    assert not hub_may_refresh(_conn(hubspot).model_copy(update={"status": Status.DISCONNECTED}))

"""Session-wide fixtures: an isolated HUB_HOME, demo pacing off, and the real database servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.airbyte_api_support import PrismServer, start_prism
from tests.airbyte_fake import FakeAirbyte
from tests.oidc_support import OidcServer, start_oidc
from tests.saas_double import Double, Intercom, api_double, outside_netns
from tests.servers import MariaDBServer, PostgresServer, start_mariadb, start_postgres

#: Fixtures of the local alert receivers (webhook, SMTP) and of the hand-off, for any test that names them.
pytest_plugins = ["tests.integration.alert_support", "tests.integration.handoff_support"]

# Every test (and every subprocess it starts) runs without demo pacing and away from ./.hub.
os.environ["HUB_DEMO_PACE"] = "0"
# No health monitor thread in the app's process unless a test asks for one (it would check in the background).
os.environ["HUB_MONITOR"] = "0"
for _var in ("HUB_DATABASE_URL", "HUB_ADMIN_DATABASE_URL", "HUB_ENCRYPTION_KEYS", "HUB_SQLITE_ROOT"):
    os.environ.pop(_var, None)


@pytest.fixture(autouse=True)
def hub_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HUB_HOME per test, so no test sees another's state or the developer's ./.hub."""
    home = tmp_path / "hubhome"
    monkeypatch.setenv("HUB_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcServer]:
    """The OAuth authorization server (npm oidc-provider) for the whole session; 30 s access tokens."""
    server = start_oidc()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def intercom(oidc: OidcServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Double, Intercom]]:
    """Intercom's API (``api.intercom.io``) as a double in a network namespace, for the whole session.

    It accepts only bearer tokens the session's authorization server reports active (introspection as
    Intercom's app), so a signed-in connection reads through the real airbyte-source-intercom
    (`tests.saas_double.intercom_env` gives the settings that run it there).
    """
    from tests.airbyte_support import ensure_cache

    ensure_cache()

    def active(token: str) -> bool:
        return oidc.introspect(token, provider="INTERCOM")["active"] is True

    with outside_netns(active) as introspect, api_double(
        ["api.intercom.io"], api := Intercom(introspect), tmp_path_factory.mktemp("intercom")
    ) as double:
        yield double, api


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDBServer]:
    """A MariaDB server for the whole session."""
    server = start_mariadb()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    """Stoplight Prism serving Airbyte's public API spec (fixed seed, request validation on)."""
    server = start_prism(tmp_path_factory.mktemp("prism"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_airbyte() -> Iterator[FakeAirbyte]:
    """The stateful mock of Airbyte's public API (tests/airbyte_fake.py), fresh per test."""
    server = FakeAirbyte().start()
    try:
        yield server
    finally:
        server.stop()

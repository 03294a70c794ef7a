"""Shared pieces of the hand-off tests: a warehouse configuration with a recognisable password, a hub
pointed at the stateful fake, and a look through every file of HUB_HOME for a plaintext secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import Hub
from hub.settings import Settings
from tests.airbyte_fake import CLIENT_ID, CLIENT_SECRET, FakeAirbyte

WAREHOUSE_PW = "wh-pw-5e2a91c7"  # a test password to look for
WAREHOUSE: dict[str, Any] = {
    "host": "wh.example.com", "port": 5432, "database": "warehouse", "schema": "analytics",
    "username": "loader", "password": WAREHOUSE_PW, "ssl": True,
}


def airbyte_env(monkeypatch: pytest.MonkeyPatch, fake: FakeAirbyte) -> None:
    """The Airbyte settings in the environment (for the CLI, the app and Settings.from_env)."""
    monkeypatch.setenv("HUB_AIRBYTE_API_URL", fake.url)
    monkeypatch.setenv("HUB_AIRBYTE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("HUB_AIRBYTE_CLIENT_SECRET", CLIENT_SECRET)


@pytest.fixture
def handoff_hub(hub_home: Path, fake_airbyte: FakeAirbyte, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    """A hub whose settings point at the fake, with tenant acme."""
    airbyte_env(monkeypatch, fake_airbyte)
    h = Hub.open(Settings.from_env())
    h.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    yield h
    h.close()


def plaintext_in_home(home: Path, secret: str) -> list[str]:
    """The files under ``home`` whose bytes contain ``secret`` (the database, its WAL, logs...)."""
    needle = secret.encode()
    return [str(p) for p in home.rglob("*") if p.is_file() and needle in p.read_bytes()]

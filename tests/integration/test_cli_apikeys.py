"""``python -m hub apikeys create|list|revoke`` against a real hub on SQLite.

One test runs the real ``python -m hub`` process; the others call the same entry point, ``hub.cli.main``,
in-process (each subprocess costs about a second of interpreter start-up).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.cli import main
from hub.settings import Settings
from tests.integration.api_support import bytes_at_rest, make_key, open_hub

ROOT = Path(__file__).resolve().parents[2]


def hub_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def hub_cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``python -m hub ARGS`` in-process: (exit code, stdout, stderr)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def test_create_list_revoke(hub_home: Path, hub_cli: Any) -> None:
    open_hub().close()

    made = hub_process("apikeys", "create", "--tenant", "acme", "--name", "web-frontend")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert (
        len(made.stdout.splitlines()) == 1
    )  # the key alone on stdout: KEY=$(python -m hub apikeys create ...)
    assert len(key) >= 32
    assert "will not be shown again" in made.stderr
    assert "web-frontend" in made.stderr
    assert key not in made.stderr

    listed = hub_cli("apikeys", "list", "--tenant", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    [meta] = json.loads(listed.stdout)
    assert meta["name"] == "web-frontend"
    assert meta["revoked_at"] is None
    assert key not in listed.stdout
    assert json.loads(hub_cli("apikeys", "list", "--tenant", "globex", "--json").stdout) == []
    table = hub_cli("apikeys", "list", "--tenant", "acme")
    assert "web-frontend" in table.stdout
    assert "active" in table.stdout

    hub = Hub.open(Settings.from_env())
    try:
        with TestClient(create_app(hub)) as client:
            ok = client.get("/api/connections", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200
            revoked = hub_cli("apikeys", "revoke", "--tenant", "acme", meta["id"])
            assert revoked.returncode == 0, revoked.stderr
            assert "Revoked" in revoked.stdout
            denied = client.get("/api/connections", headers={"Authorization": f"Bearer {key}"})
            assert denied.status_code == 401
        actions = [e.action for e in hub.tenant("acme").audit_log()]
        assert "apikey.create" in actions
        assert "apikey.revoke" in actions
        assert key not in json.dumps([e.model_dump(mode="json") for e in hub.tenant("acme").audit_log()])
    finally:
        hub.close()

    [after] = json.loads(hub_cli("apikeys", "list", "--tenant", "acme", "--json").stdout)
    assert after["revoked_at"] is not None
    assert "revoked" in hub_cli("apikeys", "list", "--tenant", "acme").stdout
    assert key.encode() not in bytes_at_rest(hub_home)


def test_create_json_prints_the_key_once_with_its_metadata(hub_cli: Any) -> None:
    open_hub().close()
    made = hub_cli("apikeys", "create", "--tenant", "globex", "--json")
    assert made.returncode == 0, made.stderr
    doc = json.loads(made.stdout)
    assert doc["name"] == "api"
    assert doc["key"]
    assert set(doc) >= {"id", "tenant_id", "name", "created_at", "revoked_at", "key"}


def test_errors(hub_cli: Any) -> None:
    hub = open_hub()
    try:
        acme_key = make_key(hub, "acme", "acme-key")
    finally:
        hub.close()
    cross = hub_cli("apikeys", "revoke", "--tenant", "globex", acme_key.key_id)  # another tenant's key id
    assert cross.returncode == 1
    assert cross.stderr.startswith("error: ")
    [still] = json.loads(hub_cli("apikeys", "list", "--tenant", "acme", "--json").stdout)
    assert still["revoked_at"] is None
    unknown_tenant = hub_cli("apikeys", "create", "--tenant", "nobody")
    assert unknown_tenant.returncode == 1
    assert unknown_tenant.stderr.startswith("error: ")
    assert "nobody" in unknown_tenant.stderr
    unknown_key = hub_cli("apikeys", "revoke", "--tenant", "acme", "no-such-key")
    assert unknown_key.returncode == 1
    assert unknown_key.stderr.startswith("error: ")
    usage = hub_cli("apikeys", "create")
    assert usage.returncode == 2
    assert "--tenant" in usage.stderr

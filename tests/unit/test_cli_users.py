"""``python -m hub users add|list|remove``: real CLI, real SQLite under the test's HUB_HOME."""

from __future__ import annotations

import getpass
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub import Hub
from hub.cli import main
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tenants(hub_home):
    hub = Hub.open(Settings.from_env())
    hub.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    hub.create_tenant("globex", name="Globex Cloud", business_type="saas")
    hub.close()


def _hub() -> Hub:
    return Hub.open(Settings.from_env())


def test_add_with_password_stdin_then_sign_in(tenants, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    assert (
        main(["users", "add", "carol", "--tenant", "acme", "--name", "Carol Diaz", "--password-stdin"]) == 0
    )
    out = capsys.readouterr().out
    assert "carol" in out and "acme" in out
    hub = _hub()
    try:
        signed = hub.authenticate("carol", "correct horse battery")
        assert signed is not None and signed[1].slug == "acme"
        assert hub.authenticate("carol", "correct horse battery\n") is None  # the newline is not part of it
        actions = [r.action for r in hub.tenant("acme").audit_log()]
        assert "user.create" in actions and "auth.sign_in" in actions
    finally:
        hub.close()


def test_password_is_never_printed_or_stored_in_clear(tenants, monkeypatch, capsys, hub_home):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Pl41n-Text-Passw0rd\n"))
    assert (
        main(["users", "add", "dave", "--tenant", "acme", "--name", "Dave", "--password-stdin", "--json"])
        == 0
    )
    captured = capsys.readouterr()
    assert "Pl41n-Text-Passw0rd" not in captured.out + captured.err
    user = json.loads(captured.out)
    assert user["username"] == "dave" and "password" not in json.dumps(user)
    for path in hub_home.iterdir():
        if path.is_file():
            assert b"Pl41n-Text-Passw0rd" not in path.read_bytes()


def test_hidden_prompt_asks_twice(tenants, monkeypatch, capsys):
    answers = iter(["s3cret-one", "s3cret-one"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "erin", "--tenant", "globex", "--name", "Erin"]) == 0
    hub = _hub()
    try:
        assert hub.authenticate("erin", "s3cret-one") is not None
    finally:
        hub.close()


def test_hidden_prompt_mismatch_is_an_error(tenants, monkeypatch, capsys):
    answers = iter(["one", "two"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "erin", "--tenant", "globex", "--name", "Erin"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "differ" in err
    hub = _hub()
    try:
        assert hub.list_users("globex") == []
    finally:
        hub.close()


def test_empty_password_is_refused(tenants, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert main(["users", "add", "frank", "--tenant", "acme", "--name", "Frank", "--password-stdin"]) == 1
    assert "empty" in capsys.readouterr().err


def test_unknown_tenant_is_an_error(tenants, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("pw\n"))
    assert main(["users", "add", "gina", "--tenant", "nope", "--name", "Gina", "--password-stdin"]) == 1
    assert "nope" in capsys.readouterr().err


def test_list_is_per_tenant_and_remove_works(tenants, monkeypatch, capsys):
    for name, tenant in (("carol", "acme"), ("bob2", "globex")):
        monkeypatch.setattr(sys, "stdin", io.StringIO("pw-123\n"))
        assert (
            main(["users", "add", name, "--tenant", tenant, "--name", name.title(), "--password-stdin"]) == 0
        )
    capsys.readouterr()
    assert main(["users", "list", "--tenant", "acme", "--json"]) == 0
    assert [u["username"] for u in json.loads(capsys.readouterr().out)] == ["carol"]
    assert main(["users", "list", "--tenant", "globex"]) == 0
    table = capsys.readouterr().out
    assert "bob2" in table and "carol" not in table
    assert main(["users", "remove", "carol"]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--tenant", "acme", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["users", "remove", "carol"]) == 1
    assert "carol" in capsys.readouterr().err
    hub = _hub()
    try:
        assert hub.authenticate("carol", "pw-123") is None
        assert "user.remove" in [r.action for r in hub.tenant("acme").audit_log()]
    finally:
        hub.close()


def test_usage_errors_exit_2(tenants, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["users", "add", "x", "--name", "X"])  # --tenant missing
    assert exc.value.code == 2


def test_the_real_command_line(tenants, hub_home):
    """One run through ``python -m hub`` as a user types it (a subprocess, stdin piped)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub",
            "users",
            "add",
            "hana",
            "--tenant",
            "acme",
            "--name",
            "Hana",
            "--password-stdin",
        ],
        input="pipe-pass\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "hub", "users", "list", "--tenant", "acme", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert [u["username"] for u in json.loads(listed.stdout)] == ["hana"]

"""Settings come from HUB_* variables; a bad value names the variable and says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.exceptions import InputError
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_embedded_hub():
    s = Settings.from_env({})
    assert s.embedded
    assert s.url == f"sqlite:///{(Path('.hub') / 'hub.db').resolve()}"
    assert s.admin_url == s.url
    assert s.demo_pace == 0.6
    assert s.product_name == "Data Source Hub"
    assert s.sqlite_root is None


def test_database_url_turns_off_the_embedded_default():
    s = Settings.from_env({"HUB_DATABASE_URL": "postgresql://u@127.0.0.1/db", "HUB_DEMO_PACE": "0"})
    assert not s.embedded
    assert s.url == "postgresql://u@127.0.0.1/db"
    assert s.demo_pace == 0


@pytest.mark.parametrize(("var", "value"), [("HUB_DEMO_PACE", "fast"), ("HUB_DEMO_PACE", "-1")])
def test_a_bad_value_names_the_variable(var, value):
    with pytest.raises(InputError, match=var) as info:
        Settings.from_env({var: value})
    assert "Fix the environment variable" in str(info.value)


def test_encryption_keys_are_masked_in_repr():
    s = Settings.from_env({"HUB_ENCRYPTION_KEYS": "k1:c2VjcmV0LWtleS1tYXRlcmlhbA=="})
    assert "c2VjcmV0" not in repr(s)
    assert "c2VjcmV0" not in str(s.model_dump())


def test_cli_exits_1_with_one_error_line_for_a_bad_setting(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HUB_HOME": str(tmp_path), "HUB_DEMO_PACE": "fast"}
    out = subprocess.run([sys.executable, "-m", "hub", "tenants", "list"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "error: Setting HUB_DEMO_PACE is invalid: Input should be a valid number, unable to parse string as "
        "a number. Fix the environment variable (see README, Settings)."
    ]


def test_embedded_state_is_readable_by_its_owner_only(tmp_path):
    from hub import Hub

    home = tmp_path / "state"
    hub = Hub.open(Settings.from_env({"HUB_HOME": str(home), "HUB_DEMO_PACE": "0"}))
    try:
        hub.create_tenant("perm", name="Perm", business_type="saas")
        hub.tenant("perm").connect("csv", {}, actor="t")
    finally:
        hub.close()
    assert home.stat().st_mode & 0o777 == 0o700
    for name in ("hub.db", "hub.db-wal", "master.key"):
        path = home / name
        if path.exists():
            assert path.stat().st_mode & 0o077 == 0, f"{name} is readable by others"
    assert (home / "hub.db").exists() and (home / "master.key").exists()

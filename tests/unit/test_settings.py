"""Settings come from HUB_* variables; a bad value names the variable and says what to do."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("HUB_DEMO_PACE", "fast"),
        ("HUB_DEMO_PACE", "-1"),
        ("HUB_CHECK_RETENTION_DAYS", "6"),  # the 7-day uptime needs 7 days of checks
        ("HUB_MONITOR_CONCURRENCY", "0"),
        ("HUB_ALERT_AFTER_FAILURES", "0"),
    ],
)
def test_a_bad_value_names_the_variable(var, value):
    with pytest.raises(InputError, match=var) as info:
        Settings.from_env({var: value})
    assert "Fix the environment variable" in str(info.value)


def test_a_short_cookie_key_is_refused_without_echoing_it():
    with pytest.raises(InputError, match="HUB_COOKIE_KEY") as info:
        Settings.from_env({"HUB_COOKIE_KEY": "short-cookie-secret"})
    assert "at least 32 characters" in str(info.value)
    assert "short-cookie-secret" not in f"{info.value} {info.value.hint} {info.value!r}"
    assert Settings.from_env({"HUB_COOKIE_KEY": "k" * 32}).cookie_key is not None


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


# --------------------------------------------------------------------------- every HUB_* variable, one place

_HUB_NAME = re.compile(r"\bHUB_[A-Z][A-Z0-9_]*\b")
#: Where the hub's faces live; tests and benchmarks may set variables for the code under test.
_CODE = [ROOT / "hub", ROOT / "ui", ROOT / "app_pages", ROOT / "app.py"]


def _code_files() -> list[Path]:
    return [p for place in _CODE for p in ([place] if place.is_file() else sorted(place.rglob("*.py")))]


def test_every_field_is_read_from_its_hub_variable():
    names = Settings.env_names()
    assert sorted(names.values()) == sorted(Settings.model_fields)
    assert all(var == f"HUB_{field.upper()}" for var, field in names.items())


def test_every_hub_variable_the_code_names_is_a_settings_field():
    """A ``HUB_*`` name in the code (read, or named in a message) is one `Settings` reads, so that
    ``st.secrets`` and the environment can both set it; nothing reads ``os.environ`` for one itself."""
    known = set(Settings.env_names())
    found = {
        (str(path.relative_to(ROOT)), name)
        for path in _code_files()
        for name in _HUB_NAME.findall(path.read_text(encoding="utf-8"))
    }
    assert found, "the scan found no HUB_* names at all: the paths above are wrong"
    assert sorted((where, name) for where, name in found if name not in known) == []


#: Readers not yet moved onto `Settings`: the HTTP API's CORS origins (its branch switches to
#: ``settings.api_cors_origins``; then this set is empty and goes).
def test_only_settings_reads_a_hub_variable_from_the_environment():
    reads_one = re.compile(r"(environ|getenv)[^\n]*[\"']HUB_[A-Z]")  # by its name, not a HUB_ prefix filter
    offenders = {
        str(path.relative_to(ROOT))
        for path in _code_files()
        if path.name != "settings.py" and reads_one.search(path.read_text(encoding="utf-8"))
    }
    assert not offenders


def _readme_settings_table() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `HUB_")]
    return [name for row in rows for name in re.findall(r"`(HUB_[A-Z0-9_]+)`", row.split("|")[1])]


def test_the_readme_settings_table_lists_every_setting():
    listed = _readme_settings_table()
    assert len(listed) == len(set(listed)), "a variable is listed twice"
    assert set(listed) == set(Settings.env_names())


def test_airbyte_settings_are_read_and_the_url_checked():
    s = Settings.from_env(
        {"HUB_AIRBYTE_API_URL": "https://api.airbyte.com/v1/", "HUB_AIRBYTE_CLIENT_ID": "app",
         "HUB_AIRBYTE_CLIENT_SECRET": "s3cr3t-value"}
    )
    assert s.airbyte_api_url == "https://api.airbyte.com/v1" and s.airbyte_configured
    assert "s3cr3t-value" not in repr(s)
    assert not Settings().airbyte_configured  # unset by default: no hand-off
    with pytest.raises(InputError, match="HUB_AIRBYTE_API_URL"):
        Settings.from_env({"HUB_AIRBYTE_API_URL": "api.airbyte.com"})

"""The app keeps one hub per configuration: any change of a setting, a secret included, opens another."""

from __future__ import annotations

from pathlib import Path

from hub.settings import Settings
from ui.session import _fingerprint


def test_any_setting_secrets_included_changes_the_cached_hubs_key(tmp_path: Path) -> None:
    base = {"HUB_HOME": str(tmp_path)}
    same = _fingerprint(Settings.from_env(base))
    assert _fingerprint(Settings.from_env(dict(base))) == same
    airbyte = {
        **base,
        "HUB_AIRBYTE_API_URL": "https://airbyte.example/api/public/v1",
        "HUB_AIRBYTE_CLIENT_ID": "id",
        "HUB_AIRBYTE_CLIENT_SECRET": "first",
    }
    changed = {
        _fingerprint(Settings.from_env(airbyte)),
        _fingerprint(Settings.from_env({**airbyte, "HUB_AIRBYTE_CLIENT_SECRET": "second"})),
        _fingerprint(
            Settings.from_env(
                {
                    **base,
                    "HUB_PUBLIC_URL": "https://hub.example",
                    "HUB_OAUTH_GOOGLE_CLIENT_ID": "g",
                    "HUB_OAUTH_GOOGLE_CLIENT_SECRET": "s",
                }
            )
        ),
    }
    assert len(changed) == 3 and same not in changed
    assert "first" not in _fingerprint(Settings.from_env(airbyte))  # a hash, never the secret itself

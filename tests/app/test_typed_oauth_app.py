"""An OAuth source's connect dialog before its sign-in is live: beside the consent screen, the part of its
connector's spec a user can type (Shopify's API password), validated by the service with that schema and
connected live. No connector is installed: the first connect's install fails at once, with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hub.models import Mode, Status
from tests.app.support import has_text, ok, open_hub, rendered, show_every_card, sign_in, status_labels

TOKEN = "shpat_" + "0123456789abcdef" * 2  # Shopify's admin API access token format


@pytest.fixture
def shopify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUB_CONNECTORS_DIR", str(tmp_path / "connectors"))  # nothing installed yet
    monkeypatch.setenv("HUB_CONNECTOR_PYTHON", str(tmp_path / "no-such-python3.11"))  # so the install stops
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_shopify").click().run())
    return at


def _connections():
    with open_hub() as hub:
        return hub.tenant("acme").list_connections()


def test_the_token_form_is_the_specs_typed_option_and_is_validated_with_nothing_stored(shopify: AppTest):
    at = shopify
    assert has_text(at, "Shopify wants to let Data Source Hub read:")  # the sign-in stays first
    assert "Or connect Shopify with a token" in [e.label for e in at.expander]
    assert at.text_input(key="spec__shop").label == "Shopify Store"
    secret = at.text_input(key="spec__credentials__api_password")
    assert secret.proto.type == secret.proto.PASSWORD
    # only the API password option: no choice offering the OAuth sign-in's own fields
    assert not [w for w in [*at.radio, *at.selectbox] if w.key == "spec__credentials"]
    assert not has_text(at, "OAuth2.0")
    secret.input(TOKEN)
    ok(at.button(key="spec_submit").click().run())
    assert any("'shop' is required" in e.value for e in at.error)
    assert _connections() == []  # validated before anything is stored or installed
    assert TOKEN not in rendered(at)


def test_a_token_connects_live_and_the_first_install_says_what_is_missing(
    shopify: AppTest, hub_home: Path
) -> None:
    at = shopify
    at.text_input(key="spec__shop").input("acme-outfitters")
    at.text_input(key="spec__credentials__api_password").input(TOKEN)
    ok(at.button(key="spec_submit").click().run())
    (conn,) = _connections()
    assert conn.mode is Mode.LIVE and conn.status is Status.FAILED
    assert "HUB_CONNECTOR_PYTHON" in conn.status_detail  # the install's reason, in words
    assert conn.metadata["config"]["credentials"]["auth_method"] == "api_password"
    assert "Failed" in status_labels(at)[-1]
    assert TOKEN not in rendered(at) and TOKEN not in repr(conn)
    assert not any(TOKEN.encode() in p.read_bytes() for p in hub_home.rglob("*") if p.is_file())

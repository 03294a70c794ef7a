"""The connect dialog's live form, drawn from the connector's own spec (ui/spec_form.py), under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hub.models import Mode, Status
from tests.airbyte_support import catalogue_with_faker, ensure_cache
from tests.app.support import ok, open_hub, rendered, show_every_card, sign_in, status_labels


@pytest.fixture
def faker_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app with the sample data generator in its catalogue and the tests' installed connectors."""
    monkeypatch.setenv("HUB_CONNECTORS_DIR", str(ensure_cache()))
    monkeypatch.setenv("HUB_CATALOGUE_PATH", str(catalogue_with_faker(tmp_path)))
    return sign_in()


def _connections(tenant: str = "acme"):
    hub = open_hub()
    return hub.tenant(tenant).list_connections()


def test_the_generators_form_is_its_spec_and_connects_the_real_connector(faker_app: AppTest):
    at = faker_app
    ok(show_every_card(at).button(key="all_connect_faker").click().run())
    # every field of faker's spec is optional: folded, with the spec's defaults and titles
    count = at.number_input(key="spec__count")
    assert count.value == 1000 and count.label == "Count"
    assert at.number_input(key="spec__seed").value == -1
    assert at.checkbox(key="spec__always_updated").value is True
    assert "Optional fields" in [e.label for e in at.expander]
    assert at.button(key="none_sample").label == "Use sample data"  # demo mode stays
    count.set_value(7)
    ok(at.button(key="spec_submit").click().run(timeout=180))  # the real connector, on a loaded machine
    assert status_labels(at)[-1].startswith("Connected")
    (conn,) = _connections()
    assert conn.mode is Mode.LIVE and conn.status is Status.CONNECTED
    assert conn.metadata["config"]["count"] == 7
    # its preview reads through the connector, showing the records read so far in a status box
    ok(at.button(key="dialog_preview").click().run(timeout=180))
    at.selectbox(key="preview_stream").set_value("users")
    ok(at.run(timeout=180))
    assert "Read 7 records of users" in status_labels(at)
    assert "Read 7 of up to 100 records" in rendered(at)  # the progress bar's last words
    assert at.dataframe[0].value.shape[0] == 7

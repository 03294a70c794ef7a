"""The file source's upload form under AppTest: a format picker and the reader's options, with a real upload
read by the real ``airbyte-source-file`` (from the tests' connector cache)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hub.models import Mode, Status
from tests.airbyte_support import ensure_cache
from tests.app.support import has_text, ok, open_hub, show_every_card, sign_in, status_labels

#: Seconds an AppTest run that runs the connector may take (check, discover and sample on a loaded machine).
RUN_S = 180
#: Semicolon-separated text whose name says nothing about its format.
EXPORT = b"id;customer;amount\n1;Ada, Lovelace;12.50\n2;Grace Hopper;7.25\n"


@pytest.fixture
def file_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUB_CONNECTORS_DIR", str(ensure_cache()))
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_csv").click().run())
    return at


def test_a_file_without_a_known_extension_is_read_as_the_format_and_delimiter_picked(
    file_app: AppTest, hub_home: Path
) -> None:
    at = file_app
    assert at.selectbox(key="file_format").value == "auto"
    at.file_uploader(key="file_upload").upload("export.txt", EXPORT, "text/plain")
    ok(at.run())
    assert has_text(at, "does not say its format")  # the picker is asked for
    at.selectbox(key="file_format").set_value("csv")
    ok(at.run())
    at.selectbox(key="file_sep").set_value(";")
    at.text_area(key="file_reader_options").input('{"skipinitialspace": true}')
    ok(at.button(key="file_connect").click().run(timeout=RUN_S))
    assert status_labels(at)[-1].startswith("Connected"), status_labels(at)
    with open_hub() as hub:
        svc = hub.tenant("acme")
        (conn,) = svc.list_connections()
        assert conn.mode is Mode.LIVE and conn.status is Status.CONNECTED, conn.status_detail
        options = json.loads(conn.metadata["config"]["reader_options"])
        assert options == {"skipinitialspace": True, "sep": ";"}
        assert conn.metadata["config"]["format"] == "csv"
        rows = svc.preview(conn.id, "export_txt", limit=5, actor="test").records
    assert [r["customer"] for r in rows] == ["Ada, Lovelace", "Grace Hopper"]  # split on ";" only
    assert [float(r["amount"]) for r in rows] == [12.5, 7.25]


def test_reader_options_that_are_not_json_are_refused_and_nothing_is_kept(
    file_app: AppTest, hub_home: Path
) -> None:
    at = file_app
    at.file_uploader(key="file_upload").upload("orders.csv", b"id,name\n1,a\n", "text/csv")
    ok(at.run())
    assert at.selectbox(key="file_sep").value == ""  # a comma, as the name says CSV
    at.text_area(key="file_reader_options").input("sep=;")
    ok(at.button(key="file_connect").click().run(timeout=RUN_S))
    assert has_text(at, "The reader options are not a JSON object.")
    with open_hub() as hub:
        assert hub.tenant("acme").list_connections() == []
    uploads = hub_home / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_failed_file_shows_the_connectors_last_log_lines_in_its_details(file_app: AppTest) -> None:
    at = file_app
    at.file_uploader(key="file_upload").upload(
        "orders.parquet", b"id,name\n1,a\n", "application/octet-stream"
    )
    ok(at.button(key="file_connect").click().run(timeout=RUN_S))
    assert status_labels(at)[-1] == "Failed"
    ok(at.run())  # the dialog again: the failed connection's reason, Retry, and the details
    assert "Details: the connector's last log lines" in [e.label for e in at.expander]
    assert at.code and "orders.parquet" in "\n".join(c.value for c in at.code)
    with open_hub() as hub:
        (conn,) = hub.tenant("acme").list_connections()
    assert conn.status is Status.FAILED and conn.metadata["check"]["logs"]

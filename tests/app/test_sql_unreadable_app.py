"""A PostgreSQL source with unreadable relations in the app: the dialog and the Data preview say which."""

from __future__ import annotations

import pytest

from hub.models import Status
from tests.app.support import has_text, ok, open_hub, rendered, show_every_card, sign_in
from tests.integration.unreadable_fixtures import broken_postgres, config

pytestmark = pytest.mark.postgres


def test_the_dialog_and_the_preview_name_each_unreadable_stream_and_why(postgres):
    cfg = config(broken_postgres(postgres))
    at = sign_in()
    ok(show_every_card(at).button(key="all_connect_postgres").click().run())
    at.text_input(key="db_host").input(str(cfg["host"]))
    at.number_input(key="db_port").set_value(cfg["port"])
    at.text_input(key="db_database").input(str(cfg["database"]))
    at.text_input(key="db_username").input(str(cfg["username"]))
    at.text_input(key="db_password").input(str(cfg["password"]))
    ok(at.button(key="db_submit").click().run())
    with open_hub() as hub:
        (conn,) = hub.tenant("acme").list_connections()
    assert conn.status is Status.CONNECTED, conn.status_detail
    # the success state keeps the list in a warning beside Done / Preview data
    assert [w.value for w in at.warning if "cannot be read" in w.value] == [
        "4 streams cannot be read: archived_count (the view's query fails: relation \"archive\" does not "
        "exist); closing (the view's query fails: the ledger is closed); monthly (not populated: run "
        "REFRESH MATERIALIZED VIEW public.monthly); payroll (permission denied for table salaries)."
    ]

    ok(at.button(key="dialog_preview").click().run())
    picker = at.selectbox(key="preview_stream")
    assert "monthly · cannot be read" in picker.options and picker.value == "orders"  # a readable one opens
    assert at.dataframe and has_text(at, "4 streams cannot be read")
    picker.set_value("monthly")
    ok(at.run())
    assert not at.dataframe
    assert [e.value for e in at.error] == [
        "The stream 'monthly' cannot be read: the materialized view has not been populated."
    ]
    page = rendered(at)
    assert "REFRESH MATERIALIZED VIEW public.monthly" in page and "psycopg" not in page

"""Finish an OAuth sign-in: the provider sends the browser back here (``<HUB_PUBLIC_URL>/oauth_callback``).

Hidden from the menu. The ``code``/``state``/``error`` query parameters leave the address bar on the first
run (`ui.session.take_callback_params`); `hub.oauth.connect.finish_in_app` checks the state against the
signed-in user, exchanges the code and runs the normal connect, shown step by step. The outcome is kept as
an id or a message in ``oauth_result`` so that a rerun shows it again without finishing twice.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from hub.exceptions import HubError, NotFound
from hub.models import Connection, Mode, Status, StepEvent
from hub.oauth.connect import finish_in_app
from hub.presenting import plural, records_sampled, stream_count
from ui.components import failure_box, run_with_progress
from ui.session import go_to, require_context, take_callback_params

ctx = require_context()
params = take_callback_params()

st.title("Connecting your account")

just_ran = params is not None
if params is not None:
    st.session_state["oauth_result"] = None

    def _finish(on_step: Callable[[StepEvent], None]) -> Connection:
        try:
            return finish_in_app(ctx.hub, params, tenant_id=ctx.tenant.id, user=ctx.username, on_step=on_step)
        except HubError as exc:  # shown in the status box by run_with_progress; kept for a rerun
            st.session_state["oauth_result"] = {"error": exc.message, "hint": exc.hint or ""}
            raise

    finished = run_with_progress("Finishing your sign-in…", _finish)
    if finished is not None:
        st.session_state["oauth_result"] = {"connection_id": finished.id}

result = st.session_state.get("oauth_result") or {}
conn: Connection | None = None
if result.get("connection_id"):
    try:
        conn = ctx.service.get_connection(str(result["connection_id"]))
    except NotFound:
        conn = None

if conn is not None and Status(conn.status) is Status.CONNECTED:
    source = ctx.hub.catalogue.get(conn.source_id)
    streams, records = stream_count(conn), records_sampled(conn)
    counts = " · ".join(
        part
        for part in (
            plural(streams, "stream") if streams is not None else "",
            f"{plural(records, 'record')} sampled" if records is not None else "",
        )
        if part
    )
    demo = " It serves demo data until its live connector ships." if Mode(conn.mode) is Mode.DEMO else ""
    st.success(
        f"**{source.name} is connected** as {conn.name}. {counts}{demo}", icon=":material/check_circle:"
    )
elif conn is not None:
    failure_box(conn)
elif result.get("error"):
    if not just_ran:  # this run's status box already said it
        st.error(str(result["error"]), icon=":material/error:")
        if result.get("hint"):
            st.caption(str(result["hint"]))
    st.caption("Nothing was connected or stored.")
elif not just_ran:
    st.info("There is no sign-in to finish here. Start one from a source's Connect dialog.",
            icon=":material/info:")

left, middle, _ = st.columns([1, 1, 2])
if conn is not None and Status(conn.status) is Status.CONNECTED:
    left.button(
        "Preview data",
        key="oauth_preview",
        type="primary",
        icon=":material/table_view:",
        on_click=go_to,
        args=("app_pages/preview.py",),
        kwargs={"preview_target": conn.id},
        width="stretch",
    )
    middle.button(
        "Connections",
        key="oauth_connections",
        icon=":material/cable:",
        on_click=go_to,
        args=("app_pages/connections.py",),
        width="stretch",
    )
else:
    left.button(
        "Back to Connect",
        key="oauth_back",
        type="primary" if conn is None else "secondary",
        icon=":material/arrow_back:",
        on_click=go_to,
        args=("app_pages/connect.py",),
        width="stretch",
    )
    if conn is not None:
        middle.button(
            "Connections",
            key="oauth_connections",
            icon=":material/cable:",
            on_click=go_to,
            args=("app_pages/connections.py",),
            width="stretch",
        )

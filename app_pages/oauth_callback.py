"""Finish an OAuth sign-in: the provider sends the browser back here (``<HUB_PUBLIC_URL>/oauth_callback``).

Hidden from the menu. The ``code``/``state``/``error`` query parameters leave the address bar on the first
run (`ui.session.take_callback_params`); `hub.oauth.connect.finish_in_app` checks the state against the
signed-in user, exchanges the code and runs the normal connect. While the hub works the page draws nothing
new: a rerun (the sign-in cookie's component answers right after a new session's first run) can only stop
a run where it draws, and stopping a connect half-way would fail it. The steps, in an ``st.status`` box,
and the outcome are kept in ``oauth_result`` (an id or a message and the step lines, never a token), so
that every later run shows them again without finishing twice.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from hub.exceptions import HubError, NotFound
from hub.models import Connection, Mode, Status, StepEvent
from hub.oauth.connect import finish_in_app
from hub.presenting import failure_text, sample_summary, status_text
from ui.components import step_line
from ui.session import go_to, release_callback_params, require_context, take_callback_params

ctx = require_context()
params = take_callback_params()

st.title("Connecting your account")

box = None
if params is not None:
    box = st.status("Finishing your sign-in…", expanded=True)  # stopped here, the answer stays held
    release_callback_params()
    events: list[StepEvent] = []
    outcome: dict[str, Any]
    try:
        finished = finish_in_app(ctx.hub, params, tenant_id=ctx.tenant.id, user=ctx.username,
                                 on_step=events.append)
        outcome = {"connection_id": finished.id}
    except HubError as exc:  # refused: nothing was stored, and the refusal is audited
        outcome = {"error": exc.message, "hint": exc.hint or ""}
    outcome["steps"] = [step_line(e) for e in events if e.state in ("done", "error")]
    st.session_state["oauth_result"] = outcome

result: dict[str, Any] = st.session_state.get("oauth_result") or {}
conn: Connection | None = None
if result.get("connection_id"):
    try:
        conn = ctx.service.get_connection(str(result["connection_id"]))
    except NotFound:  # disconnected since
        conn = None
connected = conn is not None and Status(conn.status) is Status.CONNECTED

if result:
    if conn is not None:
        label, state = (status_text(conn), "complete") if connected else ("Failed", "error")
    else:
        label, state = "Could not finish the sign-in", "error"
    if box is None:  # a later run: the box again, as it ended
        box = st.status(label, expanded=True, state=state)
    box.update(label=label, state=state, expanded=True)
    with box:
        for line in result.get("steps", []):
            st.markdown(line)
        if conn is not None and not connected:
            reason, todo = failure_text(conn)
            st.markdown(f"**What happened:** {reason}")
            st.markdown(f"**What to do:** {todo}")
        elif conn is None and result.get("error"):
            st.error(str(result["error"]), icon=":material/error:")
            if result.get("hint"):
                st.caption(str(result["hint"]))
            st.caption("Nothing was connected or stored.")
else:
    st.info("There is no sign-in to finish here. Start one from a source's Connect dialog.",
            icon=":material/info:")

if conn is not None and connected:
    source = ctx.hub.catalogue.get(conn.source_id)
    demo = " (demo data)" if Mode(conn.mode) is Mode.DEMO else ""
    st.success(
        f"**{source.name} is connected{demo}** as {conn.name}. {sample_summary(conn)}.",
        icon=":material/check_circle:",
    )

left, middle, _ = st.columns([1, 1, 2])
if conn is not None and connected:
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
else:
    left.button(
        "Back to Connect",
        key="oauth_back",
        type="primary",
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

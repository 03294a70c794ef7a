"""Connections: every connection of the tenant with its state, last check, and actions."""

from __future__ import annotations

import streamlit as st

from hub.exceptions import NotFound
from hub.models import Connection, Status
from hub.presenting import failure_text, shows_handed_off, time_ago
from ui.components import connection_badges, run_with_progress, show_error
from ui.session import go_to, require_context

ctx = require_context()


def _flag(name: str, connection_id: str) -> None:
    st.session_state[name] = connection_id


def _start_rename(connection_id: str, name: str) -> None:
    st.session_state["rename_connection"] = connection_id
    st.session_state["rename_name"] = name


def _find(connection_id: str) -> Connection | None:
    try:
        return ctx.service.get_connection(connection_id)
    except NotFound as exc:
        show_error(exc)
        return None


@st.dialog("Rename connection", on_dismiss=lambda: _flag("rename_connection", ""))
def _rename_dialog(connection_id: str) -> None:
    conn = _find(connection_id)
    if conn is None:
        return
    if not st.session_state.get("rename_name"):
        st.session_state["rename_name"] = conn.name
    st.text_input("New name", key="rename_name", max_chars=120)
    left, right = st.columns(2)
    if left.button("Save", key="rename_save", type="primary", width="stretch"):
        name = str(st.session_state.get("rename_name") or "").strip()
        if not name:
            st.error("Give the connection a name.", icon=":material/edit:")
            return
        try:
            ctx.service.rename(conn.id, name, actor=ctx.username)
        except Exception as exc:  # shown in the dialog; the page stays usable
            show_error(exc, where="the rename dialog")
            return
        st.session_state["rename_connection"] = None
        st.session_state["connections_notice"] = f"Renamed to “{name}”."
        st.rerun()
    if right.button("Cancel", key="rename_cancel", width="stretch"):
        st.session_state["rename_connection"] = None
        st.rerun()


@st.dialog("Disconnect?", on_dismiss=lambda: _flag("confirm_disconnect", ""))
def _disconnect_dialog(connection_id: str) -> None:
    conn = _find(connection_id)
    if conn is None:
        return
    st.markdown(
        f"Disconnect **{conn.name}**? Its stored credentials are erased and it stops being used. "
        "The record stays in the audit log. This cannot be undone; you can connect the source again later."
    )
    airbyte = shows_handed_off(conn)
    if airbyte:
        st.radio(
            "It was handed off to Airbyte. Its Airbyte connection and source:",
            ["delete", "keep"],
            format_func=lambda c: {"delete": "Delete them too (Airbyte stops syncing it)",
                                   "keep": "Keep them (Airbyte keeps syncing with the same sign-in)"}[c],
            key="disconnect_airbyte_choice",
        )
        st.caption("Either way the hub stops refreshing its sign-in.")
    left, right = st.columns(2)
    if left.button(
        "Disconnect",
        key="confirm_disconnect_button",
        type="primary",
        icon=":material/link_off:",
        width="stretch",
    ):
        try:
            keep = airbyte and st.session_state.get("disconnect_airbyte_choice") == "keep"
            ctx.service.disconnect(conn.id, actor=ctx.username, keep_airbyte=keep)
        except Exception as exc:
            show_error(exc, where="the disconnect dialog")
            return
        st.session_state["confirm_disconnect"] = None
        st.session_state["connections_notice"] = f"Disconnected “{conn.name}”."
        st.rerun()
    if right.button("Cancel", key="cancel_disconnect", width="stretch"):
        st.session_state["confirm_disconnect"] = None
        st.rerun()


st.title("Connections")
st.caption("Every connection of your team: its state, when it was last checked, and what you can do with it.")
_watched = ctx.service.health_summary()
if _watched:
    _failing = sum(1 for v in _watched if v.status.value == "failed")
    _drifted = sum(1 for v in _watched if v.drift)
    st.caption(
        f":material/monitor_heart: Health: {len(_watched)} watched · {_failing} failing · "
        f"{_drifted} with schema changes to accept (see the Health page)."
    )

notice = st.session_state.get("connections_notice")
if notice:
    st.success(notice, icon=":material/check:")
    st.session_state["connections_notice"] = None

retest_id = st.session_state.get("retest_connection")
if retest_id:
    st.session_state["retest_connection"] = None
    target = _find(str(retest_id))
    if target is not None:
        target_id = target.id
        run_with_progress(
            f"Re-testing {target.name}…",
            lambda step: ctx.service.retest(target_id, actor=ctx.username, on_step=step),
        )

show_all = st.toggle("Show disconnected connections", key="connections_show_disconnected")
connections = ctx.service.list_connections(include_disconnected=show_all)
sources = {s.id: s for s in ctx.hub.catalogue.sources}

if not connections:
    st.info("No connections yet. Pick a source in the catalogue to connect it.", icon=":material/cable:")
    st.button(
        "Go to the catalogue", key="connections_to_connect", on_click=go_to, args=("app_pages/connect.py",)
    )
    st.stop()

widths = [2.2, 2.2, 2.8, 1.3, 3.2]
for col, head in zip(st.columns(widths), ["Source", "Name", "State", "Last checked", ""], strict=True):
    col.caption(head)

for conn in connections:
    source = sources.get(conn.source_id)
    status = Status(conn.status)
    with st.container(border=True, key=f"conn_row_{conn.id}"):
        cols = st.columns(widths, vertical_alignment="center")
        cols[0].markdown(f"{source.icon if source else ''} **{source.name if source else conn.source_id}**")
        cols[1].markdown(conn.name)
        cols[1].caption(f"by {conn.created_by} · {time_ago(conn.created_at)}")
        cols[2].markdown(connection_badges(conn))
        cols[3].markdown(time_ago(conn.last_checked_at))
        with cols[4], st.container(horizontal=True, gap="small"):
            disabled = status is Status.DISCONNECTED
            st.button(
                "Re-test" if status is not Status.FAILED else "Retry",
                key=f"retest_{conn.id}",
                icon=":material/refresh:",
                disabled=disabled or status in {Status.CONNECTING, Status.TESTING},
                on_click=_flag,
                args=("retest_connection", conn.id),
            )
            st.button(
                "Rename",
                key=f"rename_{conn.id}",
                icon=":material/edit:",
                disabled=disabled,
                on_click=_start_rename,
                args=(conn.id, conn.name),
            )
            st.button(
                "Disconnect",
                key=f"disconnect_{conn.id}",
                icon=":material/link_off:",
                disabled=disabled,
                on_click=_flag,
                args=("confirm_disconnect", conn.id),
            )
        if status is Status.FAILED:
            reason, todo = failure_text(conn)
            st.caption(f":material/error: {reason} {todo}")

if st.session_state.get("rename_connection"):
    _rename_dialog(str(st.session_state["rename_connection"]))
elif st.session_state.get("confirm_disconnect"):
    _disconnect_dialog(str(st.session_state["confirm_disconnect"]))

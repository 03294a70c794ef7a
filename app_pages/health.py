"""Health: every connection's state, uptime, latency, last check and error, and schema changes to accept."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hub.exceptions import HubError
from hub.presenting import STATUS_LABELS, time_ago
from ui.badges import STATUS_BADGES
from ui.errors import show_error
from ui.session import require_context

ctx = require_context()
st.title("Health")
st.caption(
    "Each connection is checked on a schedule; a failure says what kind it is and what to do. "
    "Schema changes wait here until you accept them."
)

views = ctx.service.health_summary()
if not views:
    st.info("Nothing to watch yet: connect a source first.", icon=":material/monitor_heart:")
    st.stop()


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


frame = pd.DataFrame(
    [
        {
            "Connection": v.name,
            "State": f"{'✅' if v.status.value == 'connected' else '⛔'} {STATUS_LABELS[v.status]}",
            "Uptime 24 h": _pct(v.uptime_24h),
            "Uptime 7 d": _pct(v.uptime_7d),
            "Latency": v.latencies_ms,
            "Last check": time_ago(v.last_checked_at),
            "Last error": f"{v.last_error_kind.value}: {v.what_to_do}" if v.last_error_kind else "",
            "Schema": f"Changed: {v.drift['summary']}" if v.drift else "Unchanged",
            "Credentials expire": v.credentials_expire_at or "",
        }
        for v in views
    ]
)
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    key="health_table",
    column_config={
        "Uptime 24 h": st.column_config.NumberColumn(format="%.1f %%"),
        "Uptime 7 d": st.column_config.NumberColumn(format="%.1f %%"),
        "Latency": st.column_config.LineChartColumn("Latency (ms)", y_min=0),
    },
)

names = {v.connection_id: v.name for v in views}
chosen = st.selectbox("Details of", list(names), format_func=lambda i: names[i], key="health_connection")
view = next(v for v in views if v.connection_id == chosen)
badge = STATUS_BADGES[view.status]
st.badge(badge.label, icon=badge.icon, color=badge.color)
if view.last_error:
    st.error(f"{view.last_error}\n\n**What to do:** {view.what_to_do}", icon=":material/error:")
if view.drift:
    with st.container(border=True):
        st.markdown(f"**Schema changes:** {view.drift['summary']}")
        st.json(view.drift["diff"], expanded=False)
        if st.button("Accept changes", key="health_accept_drift", icon=":material/done_all:"):
            try:
                ctx.service.accept_drift(view.connection_id, actor=ctx.username)
            except HubError as exc:
                show_error(exc, where="accepting the schema changes")
            else:
                st.success("The new schema is now the accepted one.", icon=":material/done_all:")
                st.rerun()
checks = ctx.service.check_history(view.connection_id, limit=50)
st.dataframe(
    pd.DataFrame(
        [
            {"At": c.at, "Result": c.kind.value, "Latency (ms)": c.latency_ms, "Message": c.message}
            for c in checks
        ]
    ),
    hide_index=True,
    width="stretch",
    key="health_timeline",
)

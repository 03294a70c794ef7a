"""Health: every connection's state, uptime, latency, last check and error, and schema changes to accept."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from hub.exceptions import HubError
from hub.presenting import STATUS_LABELS, time_ago
from ui.badges import STATUS_BADGES
from ui.errors import show_error
from ui.session import require_context

if TYPE_CHECKING:
    from hub.services.alerts import AlertRecord

ctx = require_context()
st.title("Health")
st.caption(
    "Each connection is checked on a schedule; a failure says what kind it is and what to do. "
    "Schema changes wait here until you accept them."
)

with st.expander("Alerts", icon=":material/notifications:"):
    current = ctx.service.alert_destinations()
    saved_notice = st.session_state.pop("alerts_saved", None)
    if saved_notice is not None:
        st.success("Alert destinations saved.", icon=":material/save:")
        if saved_notice:  # a secret the hub made: shown this once, then gone from the session
            st.info(f"The webhook's signing secret, shown this once: `{saved_notice}`", icon=":material/key:")
    st.caption(
        "A message when a connection starts failing, recovers, changes its schema, or its credentials are "
        "about to expire: once per change. Webhooks get Slack-compatible JSON signed with the secret "
        "(`X-Hub-Signature-256`)."
    )
    with st.form("health_alerts_form", border=False, clear_on_submit=True):  # the secret is not kept typed
        url = st.text_input(  # masked (it may hold a token); sent back unchanged, the stored URL is kept
            "Webhook URL",
            value=current.webhook_url or "",
            key="alerts_webhook",
            help="Shown masked once saved: a webhook URL can be a credential.",
        )
        secret = st.text_input(
            "Webhook secret",
            type="password",
            key="alerts_secret",
            placeholder=f"unchanged ({current.webhook_secret})" if current.webhook_secret else "made for you",
        )
        emails = st.text_input(
            "E-mail addresses", value=", ".join(current.emails), key="alerts_emails", help="Comma-separated."
        )
        saved = st.form_submit_button("Save alerts", icon=":material/save:")
    if saved:
        try:
            _view, made = ctx.service.set_alert_destinations(
                webhook_url=url,
                webhook_secret=secret or None,
                emails=[e for e in emails.replace(";", ",").split(",") if e.strip()],
                actor=ctx.username,
            )
        except HubError as exc:
            show_error(exc, where="saving the alert destinations")
        else:
            for key in ("alerts_webhook", "alerts_secret", "alerts_emails"):  # shown anew: as stored
                st.session_state.pop(key, None)
            st.session_state["alerts_saved"] = made or ""
            st.rerun()
    if current.emails and not current.email_enabled:
        st.warning("This server has no SMTP server set (HUB_SMTP_URL): e-mails cannot be sent.")
    if st.button("Send a test alert", key="alerts_test", icon=":material/send:"):
        try:
            results = ctx.service.test_alert(actor=ctx.username)
        except HubError as exc:
            show_error(exc, where="sending a test alert")
        else:
            for r in results:
                (st.success if r.ok else st.error)(f"{r.channel}: {r.message}")

views = ctx.service.health_summary()
if not views:
    st.info("Nothing to watch yet: connect a source first.", icon=":material/monitor_heart:")
    st.stop()


#: The state as an icon beside its word (never colour alone; a table cell shows emoji, not material icons).
_STATE_ICONS = {"connected": "✅", "failed": "⛔", "testing": "⏳", "connecting": "⏳", "disconnected": "➖"}


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


frame = pd.DataFrame(
    [
        {
            "Connection": v.name,
            "State": f"{_STATE_ICONS.get(v.status.value, '')} {STATUS_LABELS[v.status]}",
            "Uptime 24 h": _pct(v.uptime_24h),
            "Uptime 7 d": _pct(v.uptime_7d),
            "Latency": v.latencies_ms,
            "Last check": time_ago(v.last_checked_at),
            "Last error": f"{v.last_error_kind.value}: {v.last_error} What to do: {v.what_to_do}"
            if v.last_error_kind
            else "",
            "Schema": f"Changed: {v.drift['summary']}" if v.drift else "Unchanged",
            "Credentials": v.credentials_warning
            or (f"expire {v.credentials_expire_at}" if v.credentials_expire_at else ""),
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
if view.credentials_warning:
    st.warning(f"{view.credentials_warning} Reconnect to renew them.", icon=":material/key_off:")
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

st.subheader("Recent alerts")
_EVENTS = {
    "failing": "🔴 Failing",
    "recovered": "🟢 Recovered",
    "drift": "⚠️ Schema changed",
    "credentials_expiring": "🔑 Credentials expiring",
}


def _delivery(a: AlertRecord) -> str:
    rounds = f"{a.attempts} attempt{'' if a.attempts == 1 else 's'}"
    if a.state == "delivered":
        return "✅ Delivered"
    if a.state == "no_destination":
        return "➖ No destination was set"
    if a.state == "pending":
        return f"⏳ Retrying ({rounds} so far): {a.last_error}"
    return f"⛔ Failed after {rounds}: {a.last_error}"


alerts = ctx.service.alert_history(limit=50)
if not alerts:
    st.caption("No alerts yet: they come when a connection starts failing, recovers or changes its schema.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": time_ago(a.at),
                    "Alert": _EVENTS.get(a.event, a.event),
                    "Connection": a.connection_name or "",
                    "Sent to": ", ".join(a.delivered) or "—",
                    "Delivery": _delivery(a),
                }
                for a in alerts
            ]
        ),
        hide_index=True,
        width="stretch",
        key="health_alert_history",
    )

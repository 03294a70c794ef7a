"""Next steps: what "Continue with N integrations" leads to: the summary, the manifest, the way on."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from hub.exceptions import HubError
from hub.handoff.panel import JOB_LOOKS, NEEDS, handoff_panel
from hub.handoff.target import hand_off_many, handoff_jobs, set_handoff_setup
from hub.models import Mode, StreamInfo
from hub.presenting import connected, manifest, manifest_json, plural, schema_columns, status_text
from ui.components import connection_badges, show_error
from ui.session import go_to, require_context

ctx = require_context()
ready = connected(ctx.service.list_connections())
sources = {s.id: s for s in ctx.hub.catalogue.sources}

st.title("Next steps")
if not ready:
    st.info("Nothing is connected yet. Connect at least one source, then continue.", icon=":material/cable:")
    st.button(
        "Back to the catalogue",
        key="back_to_connect",
        icon=":material/arrow_back:",
        on_click=go_to,
        args=("app_pages/connect.py",),
    )
    st.stop()

streams: dict[str, list[StreamInfo]] = {}
for conn in ready:
    try:
        streams[conn.id] = ctx.service.streams(conn.id)
    except Exception as exc:  # one broken source must not hide the others
        streams[conn.id] = []
        show_error(exc, where=f"the streams of {conn.name}")

total_streams = sum(len(v) for v in streams.values())
total_columns = sum(len(schema_columns(s)) for v in streams.values() for s in v)
st.markdown(
    f"You are continuing with **{plural(len(ready), 'integration')}**. Here is what the hub hands on."
)
m1, m2, m3 = st.columns(3)
m1.metric("Integrations", len(ready))
m2.metric("Streams", total_streams)
m3.metric("Columns", total_columns)

st.subheader("What you connected")
for conn in ready:
    source = sources.get(conn.source_id)
    title = f"{source.icon + ' ' if source else ''}{conn.name} · {status_text(conn)}"
    with st.expander(title, expanded=len(ready) == 1):
        st.markdown(connection_badges(conn))
        for stream in streams[conn.id]:
            cols = schema_columns(stream)
            key = f" · key {', '.join(stream.primary_key)}" if stream.primary_key else ""
            cursor = f" · cursor {stream.cursor_field}" if stream.cursor_field else ""
            st.markdown(f"**{stream.name}** — {plural(len(cols), 'column')}{key}{cursor}")
            st.caption(", ".join(cols))

st.subheader("What happens next")
demo = any(c.mode == Mode.DEMO for c in ready)
st.markdown(
    "1. **Sync.** Each connection's configuration follows the Airbyte protocol, so it can be handed "
    "unchanged to an Airbyte server for scheduled syncs.\n"
    "2. **Model.** The manifest below lists every stream with its schema, primary key and cursor: the "
    "input for your warehouse models.\n"
    "3. **Share.** Hand the manifest to your data team; it contains no credentials."
    + (
        "\n\n:violet-badge[:material/science: Demo] Demo connections serve synthetic data; connect the "
        "real accounts before the first sync."
        if demo
        else ""
    )
)

document = manifest(
    ctx.tenant, ready, streams, sources=sources, product_name=ctx.product_name, now=datetime.now(UTC)
)
left, right, _ = st.columns([1.3, 1.3, 2])
left.download_button(
    "Download manifest (JSON)",
    manifest_json(document),
    file_name=f"{ctx.tenant.slug}-integrations-manifest.json",
    mime="application/json",
    key="manifest_download",
    type="primary",
    icon=":material/download:",
    on_click="ignore",
    width="stretch",
)
right.button(
    "Back to the catalogue",
    key="back_to_connect",
    icon=":material/arrow_back:",
    on_click=go_to,
    args=("app_pages/connect.py",),
    width="stretch",
)
st.caption("The manifest carries no secrets and no tokens: connection settings, streams and schemas only.")

# --------------------------------------------------------------------------- the hand-off to Airbyte


def _edit_destination(destination: dict[str, object]) -> None:
    """Open the destination form with the stored (non-secret) values."""
    st.session_state["handoff_edit_destination"] = True
    for name in ("host", "database", "schema", "username"):
        st.session_state[f"handoff_dest_{name}"] = str(destination.get(name) or "")
    st.session_state["handoff_dest_port"] = int(str(destination.get("port") or 5432))
    st.session_state["handoff_dest_ssl"] = bool(destination.get("ssl"))


def _destination_form(stored: bool) -> None:
    st.markdown("**Your warehouse** (PostgreSQL): where Airbyte writes the data.")
    st.session_state.setdefault("handoff_dest_port", 5432)
    c1, c2 = st.columns([3, 1])
    c1.text_input("Host", key="handoff_dest_host", placeholder="warehouse.example.com")
    c2.number_input("Port", key="handoff_dest_port", min_value=1, max_value=65535, step=1)
    c3, c4 = st.columns(2)
    c3.text_input("Database", key="handoff_dest_database", placeholder="analytics")
    c4.text_input("Schema", key="handoff_dest_schema", placeholder="public")
    c5, c6 = st.columns(2)
    c5.text_input("User", key="handoff_dest_username", placeholder="airbyte")
    c6.text_input(
        "Password",
        key="handoff_dest_password",
        type="password",
        placeholder="unchanged" if stored else "",
        help="Stored encrypted and never shown again." + (" Leave empty to keep it." if stored else ""),
    )
    st.checkbox("Use SSL", key="handoff_dest_ssl")
    if st.button("Save destination", key="handoff_dest_save", type="primary", icon=":material/save:"):
        config = {
            name: st.session_state.get(f"handoff_dest_{name}")
            for name in ("host", "port", "database", "schema", "username", "password", "ssl")
        }
        config["schema"] = config["schema"] or "public"
        try:
            set_handoff_setup(ctx.service, destination_config=config, actor=ctx.username)
        except HubError as exc:
            show_error(exc, where="the destination form")
            return
        st.session_state["handoff_edit_destination"] = False  # the form (and its password) goes away
        st.session_state["handoff_notice"] = "The destination is saved (its password encrypted)."
        st.rerun()


st.divider()
st.subheader("Hand off to Airbyte")
panel = handoff_panel(ctx.service)
notice = st.session_state.pop("handoff_notice", None)
if notice:
    st.success(notice, icon=":material/check:")
for failed in st.session_state.pop("handoff_errors", None) or []:
    st.error(failed, icon=":material/error:")

if not panel.configured:
    st.info(NEEDS, icon=":material/send:")
    st.caption("Not set on this hub: " + ", ".join(f"`{name}`" for name in panel.missing) + ".")
elif not panel.setup.has_destination or st.session_state.get("handoff_edit_destination"):
    _destination_form(panel.setup.has_destination)
else:
    dest = panel.setup.destination
    st.markdown(
        f":material/warehouse: **{panel.setup.destination_name}**: PostgreSQL "
        f"`{dest.get('username')}@{dest.get('host')}:{dest.get('port')}/{dest.get('database')}` "
        f"· schema `{dest.get('schema')}`"
    )
    st.button("Change destination", key="handoff_change_destination", icon=":material/edit:",
              on_click=_edit_destination, args=(dest,))
    st.markdown("**Choose the streams** each connection sends (all by default).")
    for row in panel.rows:
        if row.can_send:
            st.multiselect(f"{row.name}", row.streams, default=row.streams,
                           key=f"handoff_streams_{row.connection_id}")
        else:
            st.caption(f":material/block: **{row.name}** cannot be handed off: {row.reason}")
    kind = st.radio("Schedule", ["manual", "cron"], horizontal=True, key="handoff_schedule_kind",
                    format_func=lambda k: {"manual": "Manual", "cron": "Cron expression"}[k])
    if kind == "cron":
        st.text_input("Cron expression (Quartz, UTC)", key="handoff_cron", placeholder="0 0 2 * * ?")
    chosen = {
        row.connection_id: list(st.session_state.get(f"handoff_streams_{row.connection_id}") or [])
        for row in panel.rows
        if row.can_send
    }
    chosen = {cid: names for cid, names in chosen.items() if names}
    if st.button(f"Send {plural(len(chosen), 'connection')} to Airbyte", key="handoff_send", type="primary",
                 icon=":material/send:", disabled=not chosen):
        schedule = st.session_state.get("handoff_cron") if kind == "cron" else "manual"
        try:
            outcomes = hand_off_many(ctx.service, list(chosen), actor=ctx.username, streams=chosen,
                                     schedule=str(schedule or ""))
        except HubError as exc:
            show_error(exc, where="the hand-off")
        else:
            done = [o for o in outcomes if o.ok]
            st.session_state["handoff_notice"] = f"Sent {plural(len(done), 'connection')} to Airbyte."
            st.session_state["handoff_errors"] = [f"{o.name}: {o.error}" for o in outcomes if not o.ok]
            st.rerun()

if panel.configured and panel.sent:
    st.markdown("**Handed off**")
    for row in panel.sent:
        with st.container(border=True, key=f"handoff_row_{row.connection_id}"):
            cols = st.columns([2, 3, 3, 1.4], vertical_alignment="center")
            cols[0].markdown(f"**{row.name}**")
            cols[1].caption(f"Airbyte source `{row.source_id or '-'}`")
            cols[2].caption(f"Airbyte connection `{row.airbyte_connection_id or '-'}`")
            cols[3].markdown(f"{JOB_LOOKS.get(str(row.job_status), '')} {row.job_status}")
    if st.button("Refresh job status", key="handoff_refresh", icon=":material/refresh:"):
        try:
            jobs = handoff_jobs(ctx.service, actor=ctx.username)
        except HubError as exc:
            show_error(exc, where="the job status")
        else:
            st.session_state["handoff_errors"] = [f"{j.name}: {j.error}" for j in jobs if j.error]
            st.rerun()

"""Next steps: what "Continue with N integrations" leads to: the summary, the manifest, the way on."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

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

"""Data preview: connection -> stream -> schema and a sample dataframe with typed columns, downloads."""

from __future__ import annotations

from typing import Any

import streamlit as st

from hub.ddl import export
from hub.exceptions import HubError, NotFound, StreamError
from hub.models import Mode, Preview, Status
from hub.presenting import (
    plural,
    schema_columns,
    schema_rows,
    status_label,
    stored_streams,
    unreadable_streams,
)
from ui.columns import ColumnSpec, column_specs, csv_bytes, display_frame, parquet_bytes, raw_frame
from ui.components import show_error, unreadable_notice
from ui.session import go_to, require_context

SAMPLE_LIMIT = 100

ctx = require_context()
st.title("Data preview")
st.caption(
    f"A sample of up to {SAMPLE_LIMIT} records per stream, read when you open it. Nothing is synced yet."
)

connections = [
    c
    for c in ctx.service.list_connections(include_disconnected=False)
    if Status(c.status) is Status.CONNECTED
]
ids = [c.id for c in connections]
by_id = {c.id: c for c in connections}
sources = {s.id: s for s in ctx.hub.catalogue.sources}

# A connection asked for by another page or by the URL (?connection=ID): only this tenant's own.
# The URL counts when the page opens (a link); later the picker rules and the URL follows it.
first_view = "preview_connection" not in st.session_state
asked = st.session_state.get("preview_target") or (st.query_params.get("connection") if first_view else None)
st.session_state["preview_target"] = None
if asked and asked not in by_id:
    try:
        other = ctx.service.get_connection(str(asked))
        st.info(
            f"“{other.name}” is {status_label(other).lower().rstrip('…')} and has no data to preview. "
            "Re-test it on the Connections page.",
            icon=":material/info:",
        )
    except NotFound as exc:
        show_error(exc)
    asked = None

if not connections:
    st.info("Nothing to preview yet: connect a source first.", icon=":material/table_view:")
    st.button("Go to the catalogue", key="preview_to_connect", on_click=go_to, args=("app_pages/connect.py",))
    st.stop()

if asked:
    st.session_state["preview_connection"] = asked
if st.session_state.get("preview_connection") not in by_id:
    st.session_state["preview_connection"] = ids[0]


def _connection_label(connection_id: str) -> str:
    conn = by_id[connection_id]
    source = sources.get(conn.source_id)
    demo = " · demo" if conn.mode == "demo" else ""
    return f"{source.icon + ' ' if source else ''}{conn.name}{demo}"


left, right = st.columns(2)
with left:
    conn_id = st.selectbox("Connection", ids, key="preview_connection", format_func=_connection_label)
conn = by_id[str(conn_id)]
if st.query_params.get("connection") != conn.id:
    st.query_params["connection"] = conn.id

# The streams recorded by the last test; discover again only for a connection that recorded none.
estimates = stored_streams(conn)
if estimates is None:
    estimates = {s.name: s.estimated_rows for s in ctx.service.streams(conn.id)}
if not estimates:
    st.info(f"{conn.name} has no streams to preview.", icon=":material/info:")
    st.stop()
names = list(estimates)
unreadable = unreadable_streams(conn)
if st.session_state.get("preview_stream") not in names:
    st.session_state["preview_stream"] = next((n for n in names if n not in unreadable), names[0])


def _stream_label(name: str) -> str:
    if name in unreadable:
        return f"{name} · cannot be read"
    rows = estimates.get(name)
    return f"{name} · {plural(rows, 'record')}" if rows is not None else name


with right:
    stream_name = st.selectbox("Stream", names, key="preview_stream", format_func=_stream_label)

unreadable_notice(conn)


def _read_live(stream: str) -> Preview:
    """A live source's sample inside ``st.status``: the records read so far as they arrive."""
    with st.status(f"Reading {stream}…", expanded=True) as box:
        bar = st.progress(0.0, text="Starting the connector…")

        def on_progress(count: int) -> None:
            text = f"Read {count:,} of up to {SAMPLE_LIMIT:,} records…"
            bar.progress(min(count / SAMPLE_LIMIT, 1.0), text=text)
            box.update(label=f"Reading {stream} · {text}")

        try:
            preview = ctx.service.preview(
                conn.id, stream, limit=SAMPLE_LIMIT, actor=ctx.username, on_progress=on_progress
            )
        except HubError:
            box.update(label=f"Could not read {stream}", state="error", expanded=False)
            raise
        box.update(
            label=f"Read {plural(len(preview.records), 'record')} of {stream}",
            state="complete",
            expanded=False,
        )
    return preview


try:
    if Mode(conn.mode) is Mode.LIVE:  # a connector reading a source: show its progress
        preview = _read_live(str(stream_name))
    else:
        preview = ctx.service.preview(conn.id, str(stream_name), limit=SAMPLE_LIMIT, actor=ctx.username)
except StreamError as exc:  # e.g. a view that is not populated yet: the reason and what to do
    show_error(exc)
    st.stop()
stream = preview.stream
columns = schema_columns(stream)
specs = column_specs(stream, conn.source_id, preview.records)

m1, m2, m3 = st.columns(3)
m1.metric("Records in this sample", f"{len(preview.records):,}")
m2.metric(
    "Records in the stream", f"{stream.estimated_rows:,}" if stream.estimated_rows is not None else "unknown"
)
m3.metric("Columns", f"{len(columns):,}")


def _column_config(spec: ColumnSpec) -> Any:
    label = spec.name
    if spec.kind in {"money", "money_cents"}:
        return st.column_config.NumberColumn(label, format=spec.format or "%.2f", help=spec.help)
    if spec.kind in {"datetime", "unix_datetime"}:
        return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", help=spec.help)
    if spec.kind == "date":
        return st.column_config.DateColumn(label, format="YYYY-MM-DD", help=spec.help)
    if spec.kind == "link":
        return st.column_config.LinkColumn(label, help=spec.help)
    if spec.kind == "json":
        return st.column_config.JsonColumn(label, help=spec.help, width="medium")
    if spec.kind == "boolean":
        return st.column_config.CheckboxColumn(label, help=spec.help)
    if spec.kind in {"integer", "number"}:
        return st.column_config.NumberColumn(label, help=spec.help)
    return st.column_config.TextColumn(label, help=spec.help)


st.subheader(f"{stream.name}")
st.dataframe(
    display_frame(preview.records, specs),
    hide_index=True,
    column_config={spec.name: _column_config(spec) for spec in specs},
    width="stretch",
)

raw = raw_frame(preview.records, columns)
base = f"{conn.source_id}-{stream.name}-sample"
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button(
    "Download CSV",
    csv_bytes(raw),
    file_name=f"{base}.csv",
    mime="text/csv",
    key="preview_download_csv",
    icon=":material/download:",
    on_click="ignore",
    width="stretch",
)
d2.download_button(
    "Download Parquet",
    parquet_bytes(raw),
    file_name=f"{base}.parquet",
    mime="application/vnd.apache.parquet",
    key="preview_download_parquet",
    icon=":material/download:",
    on_click="ignore",
    width="stretch",
)
st.caption(
    "Downloads keep the raw values: amounts in cents where the source sends cents, timestamps as sent."
)

st.subheader("Schema")
keys = []
if stream.primary_key:
    keys.append(f"primary key **{', '.join(stream.primary_key)}**")
if stream.cursor_field:
    keys.append(f"cursor **{stream.cursor_field}**")
if stream.namespace:
    keys.append(f"namespace **{stream.namespace}**")
if keys:
    st.markdown(" · ".join(keys))
st.table(schema_rows(stream), hide_index=True)

# The schema as JSON Schema and as PostgreSQL DDL, from the discovered columns and this sample (hub.ddl).
with st.expander("Export the schema: JSON Schema or PostgreSQL CREATE TABLE", icon=":material/schema:"):
    ddl = export([(stream, preview.records)], "sql")
    json_schema = export([(stream, preview.records)], "json")
    sql_tab, json_tab = st.tabs(["PostgreSQL DDL", "JSON Schema"])
    with sql_tab:
        st.code(ddl, language="sql")
        st.download_button(
            "Download DDL", ddl, file_name=f"{conn.source_id}-{stream.name}.sql", mime="application/sql",
            key="preview_download_ddl", icon=":material/download:", on_click="ignore",
        )
    with json_tab:
        st.code(json_schema, language="json")
        st.download_button(
            "Download JSON Schema", json_schema, file_name=f"{conn.source_id}-{stream.name}.schema.json",
            mime="application/schema+json", key="preview_download_jsonschema", icon=":material/download:",
            on_click="ignore",
        )

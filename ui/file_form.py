"""The file source's form in the connect dialog: upload a file, say its format and how to read it.

The format comes from the file's name unless the user picks one (a ``.txt`` export, a file without an
extension, a ``.json`` file that holds JSON Lines). Delimited text takes a delimiter and an encoding; any
other option of the file connector's reader (``reader_options``, keyword arguments of its pandas reader)
can be given as JSON under "More reader options". The hub checks them (`hub.uploads.reader_options`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from hub.models import Connection, SourceEntry, StepEvent
from hub.uploads import FORMAT_NAMES, detected_format, reader_options
from ui.components import run_with_progress
from ui.session import Context

#: The format picker's first option: the file's name says it.
FROM_NAME = "auto"
#: Delimiters offered for delimited text ("" = the reader's default: a comma, a tab for .tsv).
DELIMITERS = {
    "": "Comma (a tab for .tsv)",
    ";": "Semicolon (;)",
    "\t": "Tab",
    "|": "Pipe (|)",
    ",": "Comma (,)",
}
#: Encodings offered ("" = the reader's default, UTF-8).
ENCODINGS = {"": "UTF-8", "latin-1": "Latin-1 (ISO-8859-1)", "cp1252": "Windows-1252", "utf-16": "UTF-16"}


def render(ctx: Context, *, action_button: Callable[..., None], failed: Connection | None) -> None:
    """The uploader, the format picker and the reader's options, then the form's Connect button."""
    limit = ctx.hub.settings.upload_max_mb
    uploaded = st.file_uploader(
        f"Upload a file (up to {limit:g} MB)",
        key="file_upload",
        help="CSV or other delimited text, Excel, JSON, JSON Lines or Parquet. The hub keeps it privately "
        "for your team and deletes it when you disconnect.",
    )
    detected = detected_format(uploaded.name) if uploaded is not None else None
    st.selectbox(
        "Format",
        [FROM_NAME, *FORMAT_NAMES],
        key="file_format",
        format_func=lambda f: _from_name(detected) if f == FROM_NAME else FORMAT_NAMES[f],
        help="The file's name says it for .csv, .tsv, .xlsx, .xls, .json, .jsonl and .parquet; pick it "
        "for any other name.",
    )
    if uploaded is not None and detected is None and st.session_state.get("file_format") == FROM_NAME:
        st.warning(
            f"The name “{uploaded.name}” does not say its format: pick it above.", icon=":material/help:"
        )
    if _chosen_format(detected) in ("csv", None):
        left, right = st.columns(2)
        left.selectbox("Delimiter", list(DELIMITERS), key="file_sep", format_func=DELIMITERS.__getitem__)
        right.selectbox("Encoding", list(ENCODINGS), key="file_encoding", format_func=ENCODINGS.__getitem__)
    with st.expander("More reader options"):
        st.text_area(
            "Reader options (JSON)",
            key="file_reader_options",
            placeholder='{"header": 0, "skiprows": 2}',
            help="Passed to the file connector's reader (pandas) as keyword arguments, as Airbyte's "
            "`reader_options`. The delimiter and encoding above win over the same names here.",
            height=80,
        )
    action_button(
        "Connect" if failed is None else "Connect this file",
        "file_connect",
        "upload",
        icon=":material/upload_file:",
        help_text="Check the file, list its streams and read a first sample.",
    )


def connect(
    ctx: Context,
    source: SourceEntry,
    failed: Connection | None,
    *,
    on_step: Callable[[Callable[[StepEvent], None]], Callable[[StepEvent], None]],
) -> Connection | None:
    """Connect the file in the uploader with the chosen format and options (or the failed one, anew)."""
    uploaded = st.session_state.get("file_upload")
    if uploaded is None:
        st.error("Choose a file first, or use sample data.", icon=":material/edit:")
        return None
    chosen = st.session_state.get("file_format")
    csv = _chosen_format(detected_format(uploaded.name)) in ("csv", None)
    named: dict[str, Any] = (
        {"sep": st.session_state.get("file_sep"), "encoding": st.session_state.get("file_encoding")}
        if csv
        else {}
    )
    return run_with_progress(
        f"Connecting {uploaded.name}…",
        lambda step: ctx.service.connect_file(
            source.id,
            uploaded,
            file_name=uploaded.name,
            file_format=None if chosen in (None, FROM_NAME) else str(chosen),
            reader_options=reader_options(st.session_state.get("file_reader_options"), **named),
            actor=ctx.username,
            connection_id=failed.id if failed is not None else None,
            on_step=on_step(step),
        ),
    )


def _from_name(detected: str | None) -> str:
    return (
        f"From the file's name: {FORMAT_NAMES[detected]}"
        if detected in FORMAT_NAMES
        else "From the file's name"
    )


def _chosen_format(detected: str | None) -> str | None:
    """The format the file will be read as: the picked one, else the one its name says (None: unknown)."""
    chosen = st.session_state.get("file_format")
    return detected if chosen in (None, FROM_NAME) else str(chosen)

"""Audit log: the tenant's append-only, hash-chained rows; filter by action; verify the chain."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from hub.models import AuditAction
from ui.session import require_context

ROWS_SHOWN = 500

ctx = require_context()
st.title("Audit log")
st.caption(
    "Every action in your account, newest first. Each row is chained to the one before it; "
    "rows never carry secrets."
)

actions = [a.value for a in AuditAction]  # in the enum's order: grouped by what they concern
left, right = st.columns([2, 1], vertical_alignment="bottom")
with left:
    action = st.selectbox("Action", ["All actions", *actions], key="audit_action")
with right:
    verify = st.button("Verify the chain", key="audit_verify", icon=":material/verified:", width="stretch")

if verify:
    result = ctx.service.verify_audit()
    if result.ok:
        st.success(f"The audit chain is intact: {result.rows:,} rows checked.", icon=":material/verified:")
    else:
        where = f" at row {result.first_broken_seq}" if result.first_broken_seq is not None else ""
        st.error(f"The audit chain is broken{where}: {result.reason}", icon=":material/gpp_bad:")

chosen = None if action == "All actions" else str(action)
rows = ctx.service.audit_log(action=chosen, limit=ROWS_SHOWN, newest_first=True)
st.caption(f"{len(rows):,} rows" + (f" (the newest {ROWS_SHOWN})" if len(rows) == ROWS_SHOWN else ""))
frame = pd.DataFrame(
    [
        {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "target": f"{r.target_type}:{r.target_id}" if r.target_type else r.target_id,
            "outcome": r.outcome.value,
            "detail": json.dumps(r.detail, ensure_ascii=False, sort_keys=True) if r.detail else "",
        }
        for r in rows
    ],
    columns=["seq", "at", "actor", "action", "target", "outcome", "detail"],
)
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    column_config={
        "seq": st.column_config.NumberColumn("#", width="small"),
        "at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
        "detail": st.column_config.JsonColumn("Detail"),
    },
)

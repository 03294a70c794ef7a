"""Connect: the catalogue with recommendations, categories, search, cards and the connect dialogs.

The page opens on the recommendations, the search box and the category pills. The "All integrations"
cards follow a choice: a search, a category, or the **All** pill for every card. Each card is a handful of
elements for the browser to draw, and the whole catalogue at once made the page after a sign-in take
about twice as long to appear (``python -m benchmarks ui``); the recommendations are what most users
connect first.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from hub.models import SourceEntry
from hub.presenting import business_type_name, card_connections, connected, continue_label
from ui.components import source_card
from ui.dialogs import open_dialog, show_connect_dialog
from ui.session import go_to, require_context

COLUMNS = 4
ALL = "All"

ctx = require_context()
catalogue = ctx.hub.catalogue
connections = ctx.service.list_connections()
cards = card_connections(connections)
ready = connected(connections)
business = business_type_name(ctx.tenant.business_type)


def _preview(connection_id: str) -> None:
    go_to("app_pages/preview.py", preview_target=connection_id)


def _clear_search() -> None:
    st.session_state["catalogue_search"] = ""
    st.session_state["catalogue_category"] = ALL


def _grid(sources: Sequence[SourceEntry], *, prefix: str, reasons: dict[str, str] | None = None) -> None:
    for start in range(0, len(sources), COLUMNS):
        row = st.columns(COLUMNS)
        for column, source in zip(row, sources[start : start + COLUMNS], strict=False):
            with column:
                source_card(
                    source,
                    cards.get(source.id),
                    prefix=prefix,
                    reason=(reasons or {}).get(source.id),
                    on_connect=open_dialog,
                    on_preview=_preview,
                )


# --------------------------------------------------------------------------- header

title, action = st.columns([3, 1], vertical_alignment="center")
with title:
    st.title(ctx.tenant.name)
    st.markdown(
        f":blue-badge[:material/storefront: {business}] "
        f":gray[Connect the tools your business runs on. Credentials are encrypted; demo connections use "
        f"synthetic data.]"
    )
with action:
    if ready:
        st.button(
            continue_label(len(ready)),
            key="continue_button",
            type="primary",
            icon=":material/arrow_forward:",
            icon_position="right",
            on_click=go_to,
            args=("app_pages/next_steps.py",),
            width="stretch",
        )
    else:
        st.caption("Connect at least one source to continue.")

if catalogue.fallback_reason:
    st.warning(
        f"The catalogue file could not be used: {catalogue.fallback_reason}", icon=":material/warning:"
    )

# --------------------------------------------------------------------------- recommended

recommendations = catalogue.recommend(ctx.tenant.business_type, limit=4)
st.subheader(f"Recommended for {business}")
_grid(
    [catalogue.get(r.id) for r in recommendations],
    prefix="rec",
    reasons={r.id: f":material/lightbulb: {r.reason}" for r in recommendations},
)

# --------------------------------------------------------------------------- all integrations

st.subheader("All integrations")
counts = catalogue.categories()
total = sum(counts.values())
options = [ALL, *counts]
if st.session_state.get("catalogue_category") not in (None, *options):
    st.session_state["catalogue_category"] = None  # a category the catalogue no longer has
search_col, pills_col = st.columns([1, 3], vertical_alignment="bottom")
with search_col:
    query = st.text_input(
        "Search",
        key="catalogue_search",
        placeholder="Search by name, category or tag",
        icon=":material/search:",
        label_visibility="collapsed",
    )
with pills_col:
    category = st.pills(
        "Category",
        options,
        key="catalogue_category",
        format_func=lambda c: f"{ALL} · {total}" if c == ALL else f"{c} · {counts[c]}",
        label_visibility="collapsed",
    )

query = (query or "").strip()
if not query and category is None:
    st.caption(f"Search, or pick a category to see its integrations: **{ALL}** shows all {total}.")
elif results := catalogue.search(query or None, category=None if category in (None, ALL) else category):
    _grid(results, prefix="all")
else:
    where = f" in {category}" if category not in (None, ALL) else ""
    st.info(f"No integrations match “{query}”{where}.", icon=":material/search_off:")
    st.button("Clear search", key="catalogue_clear", icon=":material/close:", on_click=_clear_search)

show_connect_dialog(ctx)

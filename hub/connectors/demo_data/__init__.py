"""Demo data for every catalogue source: one module per family, one `SourceDef` per source.

`get_source(source_id)` returns the definition; `DEMO_SOURCES` maps every known id to it.
"""

from __future__ import annotations

from hub.connectors.demo_data import (
    analytics,
    commerce,
    communication,
    crm,
    files,
    marketing,
    payments,
    productivity,
)
from hub.connectors.demo_data._core import ANCHOR, Gen, SourceDef, StreamDef, World, pools

DEMO_SOURCES: dict[str, SourceDef] = {
    s.id: s
    for module in (commerce, payments, crm, analytics, communication, productivity, marketing, files)
    for s in module.SOURCES
}


def get_source(source_id: str) -> SourceDef | None:
    """The demo definition of ``source_id`` (None when there is none)."""
    return DEMO_SOURCES.get(source_id)


__all__ = ["ANCHOR", "DEMO_SOURCES", "Gen", "SourceDef", "StreamDef", "World", "get_source", "pools"]

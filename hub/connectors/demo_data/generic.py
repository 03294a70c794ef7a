"""Fallbacks so the demo connector serves *every* catalogue entry, even ones added after this module.

* A database entry without its own demo (e.g. ``supabase``, ``mariadb``, ``sqlite``) gets the sample shop
  tables of PostgreSQL or MySQL, in a namespace that fits it.
* A stream name this package does not know gets a small generic stream (id, name, status, timestamps),
  so discover and read still agree with a hand-written schema. Known sources never use it.
"""

from __future__ import annotations

import dataclasses

from hub.connectors.demo_data._core import Columns, Gen, I, S, SourceDef, StreamDef, iso, stream_schema
from hub.connectors.demo_data.commerce import MYSQL, POSTGRES

_NAMESPACES = {"mariadb": ("mysql", "shop"), "mysql": ("mysql", "shop"), "sqlite": ("postgres", "main")}


def database_alias(source_id: str) -> SourceDef:
    """The sample shop tables for a database entry (PostgreSQL flavour unless it is MySQL-like)."""
    flavour, namespace = _NAMESPACES.get(source_id, ("postgres", "public"))
    base = MYSQL if flavour == "mysql" else POSTGRES
    streams = {name: dataclasses.replace(s, namespace=namespace) for name, s in base.streams.items()}
    return SourceDef(source_id, streams, base.default_account)


def _generic(g: Gen) -> Columns:
    created = g.timeline("created", 365)
    words = g.pool("word", "words")
    nouns = g.pool("noun", "words")
    return {
        "id": g.idx + 1,
        "name": [f"{a.title()} {b}" for a, b in zip(words, nouns, strict=True)],
        "status": g.pick("status", ["active", "inactive", "archived"], [80, 15, 5]),
        "created_at": iso(created),
        "updated_at": iso(g.later("updated", created, 60)),
    }


GENERIC_SCHEMA = stream_schema(
    {
        "id": I(minimum=1),
        "name": S(),
        "status": S(enum=["active", "inactive", "archived"]),
        "created_at": S("date-time"),
        "updated_at": S("date-time"),
    }
)


def generic_source(source_id: str, streams: list[str]) -> SourceDef:
    """Generic demo streams with the given names."""
    return SourceDef.of(
        source_id,
        *(StreamDef(name, GENERIC_SCHEMA, _generic, cursor_field="updated_at", rows=500) for name in streams),
    )


SOURCES: list[SourceDef] = []

"""``python -m hub sources`` and ``python -m hub recommend``: browse the catalogue.

    python -m hub sources                                  # every source, as a table
    python -m hub sources --category Payments --json       # one category, as JSON
    python -m hub sources --search "crm deals"             # every word must match
    python -m hub recommend --business-type ecommerce      # ranked, with a reason each

The catalogue file is ``data/mock_sources.json``, or the file named by ``HUB_CATALOGUE_PATH``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hub.catalogue import BUSINESS_TYPES, business_type_name
from hub.cli import print_json
from hub.models import AuthKind

if TYPE_CHECKING:
    from hub.catalogue import Catalogue
    from hub.cli import Context
    from hub.models import SourceEntry

AUTH_LABELS: dict[AuthKind, str] = {
    AuthKind.OAUTH2: "OAuth",
    AuthKind.API_KEY: "API key",
    AuthKind.DATABASE: "Database",
    AuthKind.FILE: "File",
    AuthKind.NONE: "No sign-in",
}


def source_json(entry: SourceEntry) -> dict[str, Any]:
    """The object ``sources --json`` prints for one entry (contracts.md)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "category": entry.category,
        "auth_kind": entry.auth_kind.value,
        "description": entry.description,
        "streams": list(entry.streams),
        "tags": list(entry.tags),
    }


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths[:-1], strict=True)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _note_fallback(catalogue: Catalogue) -> None:
    if catalogue.fallback_reason:
        sys.stderr.write(f"note: {catalogue.fallback_reason}\n")


def _sources(args: argparse.Namespace, ctx: Context) -> int:
    catalogue = ctx.catalogue
    _note_fallback(catalogue)
    found = catalogue.search(args.search, category=args.category)
    if args.json:
        print_json([source_json(s) for s in found])
        return 0
    if not found:
        where = f" in {catalogue.category(args.category)}" if args.category else ""
        print(f"No sources match {args.search!r}{where}. Run `python -m hub sources` to see them all.")
        return 0
    rows = [
        [s.id, s.name, s.category, AUTH_LABELS[s.auth_kind], str(len(s.streams)), s.description]
        for s in found
    ]
    print(format_table(["ID", "NAME", "CATEGORY", "AUTH", "STREAMS", "DESCRIPTION"], rows))
    categories = {s.category for s in found}
    print(f"\n{len(found)} source{'s' if len(found) != 1 else ''} in {len(categories)} "
          f"categor{'ies' if len(categories) != 1 else 'y'}.")
    return 0


def _recommend(args: argparse.Namespace, ctx: Context) -> int:
    catalogue = ctx.catalogue
    _note_fallback(catalogue)
    recs = catalogue.recommend(args.business_type, limit=args.limit)
    if args.json:
        print_json([r.model_dump(mode="json") for r in recs])
        return 0
    print(f"Recommended for {business_type_name(args.business_type)}\n")
    rows = [[str(i), r.id, r.name, f"{r.score:.2f}", r.reason] for i, r in enumerate(recs, start=1)]
    print(format_table(["#", "ID", "NAME", "SCORE", "WHY"], rows))
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(sub: Any) -> None:
    """Add ``sources`` and ``recommend`` to the CLI."""
    p = sub.add_parser(
        "sources",
        help="list the integrations in the catalogue",
        description="List the catalogue's integrations, optionally filtered by category and search words. "
        "The catalogue is data/mock_sources.json, or the file named by HUB_CATALOGUE_PATH.",
    )
    p.add_argument("--category", metavar="C", help="only this category (case-insensitive), e.g. Payments")
    p.add_argument("--search", metavar="Q", help="words to find in name, category, tags and description")
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    p.set_defaults(func=_sources)

    slugs = ", ".join(BUSINESS_TYPES)
    r = sub.add_parser(
        "recommend",
        help="recommend sources for a business type",
        description=f"Rank the catalogue's sources for a business type ({slugs}), each with a reason.",
    )
    r.add_argument("--business-type", required=True, metavar="T", help=f"one of: {slugs}")
    r.add_argument("--limit", type=_positive, default=4, metavar="N", help="how many to show (default 4)")
    r.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    r.set_defaults(func=_recommend)

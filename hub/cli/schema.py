"""``python -m hub schema``: a stream's schema as JSON Schema or PostgreSQL CREATE TABLE DDL.

python -m hub schema --tenant acme CONNECTION_ID                   # every stream, JSON Schema (an array)
python -m hub schema --tenant acme CONNECTION_ID orders --format sql
python -m hub schema --demo shopify orders                          # demo data, no storage

The schema comes from discovery; a sample of each stream (``--sample``, default 100 records, read
through the audited preview) fills in what discovery cannot say (see `hub.ddl`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hub.cli import cli_actor
from hub.ddl import export
from hub.exceptions import NotFound
from hub.models import StreamInfo

if TYPE_CHECKING:
    from hub.cli import Context


def _sample_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1000:
        raise argparse.ArgumentTypeError("use 0 to 1000")
    return value


def _pick(streams: list[StreamInfo], name: str | None, where: str) -> list[StreamInfo]:
    if name is None:
        return streams
    for s in streams:
        if s.name == name:
            return [s]
    names = ", ".join(s.name for s in streams) or "none"
    raise NotFound(f"{where} has no stream {name!r}.", hint=f"Streams: {names}.")


def _schema(args: argparse.Namespace, ctx: Context) -> int:
    if bool(args.demo) == bool(args.tenant):
        args.parser.error(
            "give exactly one of --demo (a catalogue SOURCE_ID) or --tenant T (a CONNECTION_ID)"
        )
    samples: list[tuple[StreamInfo, list[dict[str, Any]]]] = []
    if args.demo:
        from hub import demo_preview, demo_streams

        for s in _pick(demo_streams(ctx.catalogue, args.id), args.stream, args.id):
            rows = (
                demo_preview(ctx.catalogue, args.id, s.name, limit=args.sample).records if args.sample else []
            )
            samples.append((s, rows))
    else:
        svc = ctx.hub.tenant(args.tenant)
        for s in _pick(svc.streams(args.id), args.stream, f"Connection {args.id}"):
            rows = (
                svc.preview(args.id, s.name, limit=args.sample, actor=cli_actor()).records
                if args.sample
                else []
            )
            samples.append((s, rows))
    sys.stdout.write(export(samples, args.format) + "\n")
    return 0


def register(sub: Any) -> None:
    """Add the ``schema`` command."""
    p = sub.add_parser(
        "schema",
        help="print a stream's schema as JSON Schema or PostgreSQL DDL",
        description="With --tenant: a CONNECTION_ID (the sample is read through the audited preview). With "
        "--demo: a catalogue SOURCE_ID, no storage. Without STREAM: every stream.",
    )
    p.add_argument("--tenant", metavar="T", help="ID is a connection id of this tenant")
    p.add_argument("--demo", action="store_true", help="ID is a catalogue source id (demo data, no storage)")
    p.add_argument("id", metavar="CONNECTION_ID|SOURCE_ID")
    p.add_argument("stream", metavar="STREAM", nargs="?", help="one stream (default: all)")
    p.add_argument(
        "--format",
        choices=["json", "sql"],
        default="json",
        help="json: JSON Schema (default); sql: CREATE TABLE for PostgreSQL",
    )
    p.add_argument(
        "--sample",
        type=_sample_size,
        default=100,
        metavar="N",
        help="records sampled per stream to refine the schema (0-1000, default 100)",
    )
    p.set_defaults(func=_schema, parser=p)

"""``python -m hub handoff ...``: hand connections off to Airbyte, its setup, and the jobs.

One command with four forms (the first word after ``handoff`` picks one; connection ids are UUIDs, so they
never clash with these words)::

    python -m hub handoff setup --tenant T [--workspace-id ID] --destination-config FILE
                                [--destination-name N]
    python -m hub handoff show --tenant T [--json]
    python -m hub handoff --tenant T [CONNECTION_ID ...] [--streams a,b | --streams ID=a,b ...]
                                     [--schedule manual|'CRON'] [--json]
    python -m hub handoff jobs --tenant T [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.cli import cli_actor, print_json
from hub.exceptions import InputError

if TYPE_CHECKING:
    from hub.cli import Context

_FORMS = ("setup", "show", "jobs")
#: The options each form takes (anything else given is a usage error).
_OPTIONS = {
    "setup": {"workspace_id", "destination_config", "destination_name", "json"},
    "show": {"json"},
    "jobs": {"json"},
    "run": {"streams", "schedule", "json"},
}
_USAGE = """python -m hub handoff --tenant T [CONNECTION_ID ...] [--streams a,b | --streams ID=a,b ...]
                        [--schedule manual|CRON] [--json]
       python -m hub handoff setup --tenant T [--workspace-id ID] --destination-config FILE
                        [--destination-name NAME] [--json]
       python -m hub handoff show --tenant T [--json]
       python -m hub handoff jobs --tenant T [--json]"""


def register(sub: Any) -> None:
    """Add ``handoff`` (run, ``setup``, ``show``, ``jobs``)."""
    h = sub.add_parser(
        "handoff",
        usage=_USAGE,
        help="hand connections off to Airbyte (setup, show, run, jobs)",
        description="Send connected sources to an Airbyte deployment (HUB_AIRBYTE_API_URL, "
        "HUB_AIRBYTE_CLIENT_ID, HUB_AIRBYTE_CLIENT_SECRET). `setup` stores the tenant's destination (a "
        "PostgreSQL warehouse by default; the JSON file's password is stored encrypted, never shown); the "
        "bare form hands off the given connections (none: every connected one), creating or updating the "
        "Airbyte source and connection and starting the first sync; `jobs` reads each one's newest job.",
    )
    h.add_argument("words", nargs="*", metavar="setup|show|jobs|CONNECTION_ID",
                   help="a form (setup, show, jobs), or the connections to hand off")
    h.add_argument("--tenant", required=True, metavar="T", help="The tenant's slug.")
    h.add_argument("--streams", action="append", default=None, metavar="a,b | ID=a,b",
                   help="Streams to sync (default: all). `a,b` for every connection given, `ID=a,b` for one "
                   "(repeat).")
    h.add_argument("--schedule", default=None, metavar="manual|CRON",
                   help="`manual` (default) or a Quartz cron expression, e.g. '0 0 2 * * ?'.")
    h.add_argument("--workspace-id", default=None, metavar="ID", help="setup: the Airbyte workspace to use "
                   "(default: one is created on the first hand-off and remembered).")
    h.add_argument("--destination-config", default=None, metavar="FILE",
                   help="setup: a JSON file with the destination configuration (host, port, database, "
                   "schema, username, password, ssl).")
    h.add_argument("--destination-name", default=None, metavar="NAME",
                   help="setup: the destination's name in Airbyte (default: Warehouse).")
    h.add_argument("--json", action="store_true", help="Print JSON.")
    h.set_defaults(func=_handoff, handoff_parser=h)


def _handoff(args: argparse.Namespace, ctx: Context) -> int:
    form = args.words[0] if args.words and args.words[0] in _FORMS else "run"
    words = args.words[1:] if form != "run" else args.words
    given = {name for name in ("workspace_id", "destination_config", "destination_name", "streams",
                               "schedule", "json") if getattr(args, name) not in (None, False)}
    wrong = sorted(given - _OPTIONS[form])
    if wrong:
        args.handoff_parser.error(
            f"handoff {form if form != 'run' else '(run)'} does not take "
            + ", ".join("--" + w.replace("_", "-") for w in wrong)
        )
    if form != "run" and words:
        args.handoff_parser.error(f"handoff {form} takes no connection ids (got {' '.join(words)})")
    return {"setup": _setup, "show": _show, "jobs": _jobs, "run": _run}[form](args, ctx, words)


def _print_setup(view: Any) -> None:
    print(f"Workspace: {view.workspace_id or '(created on the first hand-off)'}")
    print(f"Destination: {view.destination_name} ({view.destination_type or 'not set up'})"
          + (f", Airbyte id {view.destination_id}" if view.destination_id else ""))
    for key, value in view.destination.items():
        if key not in ("destinationType", "tunnel_method"):
            print(f"  {key}: {json.dumps(value) if isinstance(value, dict | list) else value}")
    if not view.configured:
        print("Note: this hub has no Airbyte settings yet; set HUB_AIRBYTE_API_URL, "
              "HUB_AIRBYTE_CLIENT_ID and HUB_AIRBYTE_CLIENT_SECRET before handing off.")


def _setup(args: argparse.Namespace, ctx: Context, _words: list[str]) -> int:
    from hub.handoff.target import set_handoff_setup

    if not args.destination_config:
        args.handoff_parser.error("handoff setup needs --destination-config FILE (a JSON object)")
    path = Path(args.destination_config)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"Cannot read {path}: {exc.strerror}.", hint="Give the path of a JSON file."
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}).",
            hint="Give a JSON object such as {\"host\": ..., \"database\": ..., \"username\": ..., "
            "\"password\": ...}.",
        ) from None
    view = set_handoff_setup(ctx.hub.tenant(args.tenant), destination_config=config, actor=cli_actor(),
                             workspace_id=args.workspace_id, destination_name=args.destination_name)
    if args.json:
        print_json(view.model_dump(mode="json"))
    else:
        _print_setup(view)
    return 0


def _show(args: argparse.Namespace, ctx: Context, _words: list[str]) -> int:
    from hub.handoff.target import handoff_setup

    view = handoff_setup(ctx.hub.tenant(args.tenant))
    if args.json:
        print_json(view.model_dump(mode="json"))
    elif not view.has_destination:
        print(f"No hand-off destination is set up for {args.tenant}. Set one with "
              f"`python -m hub handoff setup --tenant {args.tenant} --destination-config FILE`.")
    else:
        _print_setup(view)
    return 0


def _streams(values: list[str] | None, ids: list[str]) -> dict[str, list[str]]:
    """``--streams`` values as {connection id: streams}; ``a,b`` applies to every id given ("*" if none)."""
    out: dict[str, list[str]] = {}
    for value in values or []:
        target, sep, names = value.rpartition("=")
        streams = [n.strip() for n in names.split(",") if n.strip()]
        if not streams:
            raise InputError(
                f"--streams {value!r} names no stream.", hint="Give e.g. --streams orders,customers."
            )
        if sep:
            out[target.strip()] = streams
        else:
            for cid in ids or ["*"]:
                out[cid] = streams
    return out


def _run(args: argparse.Namespace, ctx: Context, ids: list[str]) -> int:
    from hub.handoff.target import hand_off_many, parse_schedule

    streams = _streams(args.streams, ids)
    service = ctx.hub.tenant(args.tenant)
    if "*" in streams:  # `--streams a,b` without ids: every connected connection
        every = streams.pop("*")
        streams.update({c.id: every for c in service.list_connections() if c.id not in streams})
    outcomes = hand_off_many(service, ids or None, actor=cli_actor(), streams=streams,
                             schedule=parse_schedule(args.schedule))
    if args.json:
        print_json([o.model_dump(mode="json") for o in outcomes])
    else:
        from hub.cli.catalogue import format_table

        rows = [[o.connection_id, o.name, "ok" if o.ok else "failed", o.source_id or "-",
                 o.airbyte_connection_id or "-", o.job_status or "-"] for o in outcomes]
        print(format_table(["ID", "NAME", "HAND-OFF", "AIRBYTE SOURCE", "AIRBYTE CONNECTION", "JOB"], rows))
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        sys.stderr.write(f"error: {o.name} ({o.connection_id}): {o.error}\n")
    return 1 if failed else 0


def _jobs(args: argparse.Namespace, ctx: Context, _words: list[str]) -> int:
    from hub.handoff.target import handoff_jobs

    jobs = handoff_jobs(ctx.hub.tenant(args.tenant), actor=cli_actor())
    if args.json:
        print_json([j.model_dump(mode="json") for j in jobs])
        return 0
    if not jobs:
        print(f"No connection of {args.tenant} has been handed off yet. Hand some off with "
              f"`python -m hub handoff --tenant {args.tenant}`.")
        return 0
    from hub.cli.catalogue import format_table

    rows = [[j.connection_id, j.name, j.source_id or "-", j.airbyte_connection_id or "-",
             str(j.job_id) if j.job_id is not None else "-", j.job_status] for j in jobs]
    print(format_table(["ID", "NAME", "AIRBYTE SOURCE", "AIRBYTE CONNECTION", "JOB", "STATUS"], rows))
    for j in jobs:
        if j.error:
            sys.stderr.write(f"warning: {j.name}: {j.error}\n")
    return 0

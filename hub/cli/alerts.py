"""``python -m hub alerts set|show|test --tenant T``: a tenant's alert destinations and a sample alert."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hub.cli import cli_actor, print_json

if TYPE_CHECKING:
    from hub.cli import Context


def register(sub: Any) -> None:
    """Add ``alerts set``, ``alerts show`` and ``alerts test``."""
    a = sub.add_parser("alerts", help="where a tenant's health alerts go (webhook, e-mail)")
    asub = a.add_subparsers(dest="alerts_command", required=True, metavar="SUBCOMMAND")
    s = asub.add_parser(
        "set",
        help="replace the destinations (audited)",
        description="Replaces the webhook and the e-mail addresses. A webhook keeps its stored secret unless "
        "--webhook-secret-stdin gives a new one; the first webhook without one gets a random secret, printed "
        "once. The secret is stored encrypted and never shown again.",
    )
    s.add_argument("--tenant", required=True, help="The tenant's slug.")
    s.add_argument("--webhook", default=None, metavar="URL", help="The webhook URL (omit for no webhook).")
    s.add_argument(
        "--webhook-secret-stdin",
        action="store_true",
        help="Read the webhook's signing secret from standard input (never from the command line).",
    )
    s.add_argument("--email", action="append", default=[], metavar="ADDRESS", help="An address (repeat).")
    s.add_argument("--json", action="store_true", help="Print JSON.")
    s.set_defaults(func=_set)
    show = asub.add_parser("show", help="the destinations (the secret masked)")
    show.add_argument("--tenant", required=True, help="The tenant's slug.")
    show.add_argument("--json", action="store_true", help="Print JSON.")
    show.set_defaults(func=_show)
    h = asub.add_parser("history", help="the alerts raised recently, newest first, and how delivery went")
    h.add_argument("--tenant", required=True, help="The tenant's slug.")
    h.add_argument("--limit", type=int, default=20, help="How many (default 20).")
    h.add_argument("--json", action="store_true", help="Print JSON.")
    h.set_defaults(func=_history)
    t = asub.add_parser("test", help="send a sample alert to every destination now")
    t.add_argument("--tenant", required=True, help="The tenant's slug.")
    t.add_argument("--json", action="store_true", help="Print JSON.")
    t.set_defaults(func=_test)


def _print(view: Any) -> None:
    print(f"Webhook: {view.webhook_url or '-'}")
    if view.webhook_url:
        print(f"Webhook secret: {view.webhook_secret}")
    print(f"E-mail: {', '.join(view.emails) or '-'}")
    if view.emails and not view.email_enabled:
        print("Note: this hub has no SMTP server (HUB_SMTP_URL, HUB_ALERT_FROM); e-mails cannot be sent.")


def _set(args: argparse.Namespace, ctx: Context) -> int:
    secret = sys.stdin.readline().strip() if args.webhook_secret_stdin else None
    view, made = ctx.hub.tenant(args.tenant).set_alert_destinations(
        webhook_url=args.webhook, webhook_secret=secret, emails=args.email, actor=cli_actor()
    )
    if args.json:
        print_json({**view.model_dump(mode="json"), "new_webhook_secret": made})
        return 0
    _print(view)
    if made:
        print(
            f"\nThe webhook's signing secret (shown this once; verify X-Hub-Signature-256 with it):\n{made}"
        )
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    view = ctx.hub.tenant(args.tenant).alert_destinations()
    if args.json:
        print_json(view.model_dump(mode="json"))
    else:
        _print(view)
    return 0


def _test(args: argparse.Namespace, ctx: Context) -> int:
    results = ctx.hub.tenant(args.tenant).test_alert(actor=cli_actor())
    if args.json:
        print_json([r.model_dump(mode="json") for r in results])
    else:
        for r in results:
            print(f"{r.channel}: {'sent' if r.ok else 'failed: ' + r.message}")
    if not all(r.ok for r in results):
        failed = "; ".join(r.message for r in results if not r.ok)
        sys.stderr.write(f"error: {failed}\n")
        return 1
    return 0


def _history(args: argparse.Namespace, ctx: Context) -> int:
    from hub.cli.catalogue import format_table

    alerts = ctx.hub.tenant(args.tenant).alert_history(limit=args.limit)
    if args.json:
        print_json([a.model_dump(mode="json") for a in alerts])
    elif not alerts:
        print(f"Tenant {args.tenant} has had no alerts.")
    else:
        rows = [
            [
                a.at.isoformat(timespec="seconds"),
                a.event,
                a.connection_name or "-",
                ", ".join(a.delivered) or "-",
                a.state if not a.last_error else f"{a.state} ({a.attempts} attempts): {a.last_error[:60]}",
            ]
            for a in alerts
        ]
        print(format_table(["AT", "ALERT", "CONNECTION", "SENT TO", "DELIVERY"], rows))
    return 0

"""``python -m hub health|monitor|drift``: connection health, the monitor, and accepting schema changes."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING, Any

from hub.cli import cli_actor, print_json

if TYPE_CHECKING:
    from hub.cli import Context
    from hub.models import ConnectionHealth


def register(sub: Any) -> None:
    """Add ``health``, ``monitor`` and ``drift accept``."""
    h = sub.add_parser("health", help="the health of a tenant's connections (or one, with its timeline)")
    h.add_argument("--tenant", required=True, help="The tenant's slug.")
    h.add_argument(
        "connection_id", nargs="?", metavar="CONNECTION_ID", help="One connection, with its checks."
    )
    h.add_argument("--limit", type=int, default=20, help="Checks shown for one connection (default 20).")
    h.add_argument("--json", action="store_true", help="Print JSON.")
    h.set_defaults(func=_health)

    m = sub.add_parser(
        "monitor",
        help="check every due connection of every tenant, again and again (or --once, for cron)",
        description="Runs until SIGTERM or Ctrl-C; checks in flight then finish and release their leases. "
        "Any number of monitors may run: a lease per connection keeps them from checking one twice. On "
        "PostgreSQL it needs HUB_ADMIN_DATABASE_URL (it lists every tenant).",
    )
    m.add_argument("--once", action="store_true", help="Run one cycle and exit.")
    m.add_argument("--tick", type=float, default=None, help="Seconds between cycles (default: interval/10).")
    m.add_argument("--json", action="store_true", help="With --once: print the cycle's report as JSON.")
    m.set_defaults(func=_monitor)

    d = sub.add_parser("drift", help="schema changes found by the checks")
    dsub = d.add_subparsers(dest="drift_command", required=True, metavar="SUBCOMMAND")
    accept = dsub.add_parser("accept", help="make the schema last discovered the accepted one (audited)")
    accept.add_argument("--tenant", required=True, help="The tenant's slug.")
    accept.add_argument("connection_id", metavar="CONNECTION_ID")
    accept.add_argument("--json", action="store_true", help="Print the connection as JSON.")
    accept.set_defaults(func=_drift_accept)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _row(v: ConnectionHealth) -> list[str]:
    from hub.presenting import time_ago

    return [
        v.connection_id,
        v.name,
        v.status.value,
        _pct(v.uptime_24h),
        _pct(v.uptime_7d),
        time_ago(v.last_checked_at),
        v.last_error_kind.value if v.last_error_kind else "-",
        v.drift["summary"] if v.drift else "-",
    ]


def _health(args: argparse.Namespace, ctx: Context) -> int:
    from hub.cli.catalogue import format_table

    scope = ctx.hub.tenant(args.tenant)
    head = ["ID", "NAME", "STATE", "UPTIME 24H", "UPTIME 7D", "LAST CHECK", "FAILURE", "SCHEMA CHANGES"]
    if args.connection_id is None:
        views = scope.health_summary()
        if args.json:
            print_json([v.model_dump(mode="json") for v in views])
        elif not views:
            print(f"Tenant {args.tenant} has no connections to watch.")
        else:
            print(format_table(head, [_row(v) for v in views]))
        return 0
    view = scope.connection_health(args.connection_id)
    checks = scope.check_history(args.connection_id, limit=args.limit)
    if args.json:
        print_json({**view.model_dump(mode="json"), "checks": [c.model_dump(mode="json") for c in checks]})
        return 0
    print(format_table(head, [_row(view)]))
    if view.last_error:
        print(f"\nLast error ({view.last_error_kind}): {view.last_error}\nWhat to do: {view.what_to_do}")
    if view.credentials_warning:
        print(f"\nCredentials: {view.credentials_warning}")
    if view.drift:
        print(
            f"\nSchema changes not accepted yet: {view.drift['summary']}. "
            f"Accept them with: python -m hub drift accept --tenant {args.tenant} {view.connection_id}"
        )
    rows = [
        [
            c.at.isoformat(timespec="seconds"),
            c.kind.value,
            "-" if c.latency_ms is None else f"{c.latency_ms:.0f} ms",
            c.message[:80],
        ]
        for c in checks
    ]
    print("\n" + format_table(["AT", "RESULT", "LATENCY", "MESSAGE"], rows))
    return 0


def _monitor(args: argparse.Namespace, ctx: Context) -> int:
    from hub.services.monitor import Monitor

    monitor = Monitor(ctx.hub)

    def stop(signum: int, _frame: Any) -> None:
        sys.stderr.write(f"monitor: signal {signum}, finishing the checks in flight\n")
        monitor.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.once:
        report = monitor.run_once()
        if args.json:
            print_json(
                {
                    "due": report.due,
                    "checked": report.checked,
                    "failed": report.failed,
                    "skipped": report.skipped,
                    "recovered": report.recovered,
                }
            )
        else:
            print(
                f"{report.due} due, {len(report.checked)} checked, {len(report.failed)} failing, "
                f"{report.skipped} skipped."
            )
        return 0
    settings = ctx.hub.settings
    sys.stderr.write(
        f"monitor: started (every {settings.check_interval_s:g} s, {settings.monitor_concurrency} at once);"
        " SIGTERM finishes the checks in flight\n"
    )
    sys.stderr.flush()
    monitor.run(tick=args.tick)
    return 0


def _drift_accept(args: argparse.Namespace, ctx: Context) -> int:
    conn = ctx.hub.tenant(args.tenant).accept_drift(args.connection_id, actor=cli_actor())
    if args.json:
        print_json(conn.public())
    else:
        print(f"Accepted the schema of {conn.name} ({conn.id}) as discovered.")
    return 0

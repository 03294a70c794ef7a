"""Tenants, connections, streams, previews, the audit log and the encryption keys.

python -m hub tenants add acme --name "Acme Outfitters" --business-type ecommerce
python -m hub tenants list --json
python -m hub connect --tenant acme shopify --demo                 # prints the new connection's id
python -m hub connect --tenant acme postgres --config db.json --name "Warehouse" --json
python -m hub connections --tenant acme
python -m hub streams --demo shopify                               # no storage (tenant "demo", seed 0)
python -m hub streams --tenant acme CONNECTION_ID --json
python -m hub preview --demo shopify orders --limit 5 --format csv
python -m hub preview --tenant acme CONNECTION_ID orders --format json
python -m hub retest --tenant acme CONNECTION_ID
python -m hub disconnect --tenant acme CONNECTION_ID
python -m hub audit --tenant acme --verify
python -m hub keys generate
python -m hub keys rotate
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.cli import cli_actor, print_json
from hub.exceptions import ConfigError, InputError
from hub.models import Connection, Preview, Status, StreamInfo
from hub.presenting import cannot_be_read, unreadable_streams

if TYPE_CHECKING:
    from hub.cli import Context


def _table(headers: list[str], rows: list[list[str]]) -> str:
    from hub.cli.catalogue import format_table

    return format_table(headers, rows)


def _when(conn_time: Any) -> str:
    return conn_time.strftime("%Y-%m-%d %H:%M:%S") if conn_time else "-"


# --------------------------------------------------------------------------- tenants


def _tenant_json(t: Any) -> dict[str, Any]:
    data: dict[str, Any] = t.model_dump(mode="json")
    return data


def _tenants_add(args: argparse.Namespace, ctx: Context) -> int:
    tenant = ctx.hub.create_tenant(
        args.slug, name=args.name, business_type=args.business_type, actor=cli_actor()
    )
    if args.json:
        print_json(_tenant_json(tenant))
    else:
        print(f"Created tenant {tenant.slug} ({tenant.name}, {tenant.business_type}): {tenant.id}")
    return 0


def _tenants_list(args: argparse.Namespace, ctx: Context) -> int:
    found = ctx.hub.list_tenants()
    if args.json:
        print_json([_tenant_json(t) for t in found])
        return 0
    if not found:
        print("No tenants yet. Add one with `python -m hub tenants add SLUG --name N --business-type B`.")
        return 0
    print(
        _table(
            ["SLUG", "NAME", "BUSINESS TYPE", "ID", "CREATED"],
            [[t.slug, t.name, t.business_type, t.id, _when(t.created_at)] for t in found],
        )
    )
    return 0


# --------------------------------------------------------------------------- connections


def _read_config(path: str) -> dict[str, Any]:
    p = Path(path)
    try:
        text = sys.stdin.read() if path == "-" else p.read_text()
    except OSError as exc:
        raise InputError(
            f"Could not read the config file {path}: {exc.strerror}.",
            hint="Pass a JSON file with --config FILE.json.",
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The config file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}).",
            hint="Fix the JSON and try again.",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"The config file {path} must hold one JSON object.", hint='For example {"host": "..."}.'
        )
    return data


def _connection_row(c: Connection) -> list[str]:
    return [
        c.id,
        c.source_id,
        c.name,
        c.mode.value,
        c.status.value,
        _when(c.last_checked_at),
        c.status_detail,
    ]


_CONN_HEADERS = ["ID", "SOURCE", "NAME", "MODE", "STATUS", "LAST CHECKED", "DETAIL"]


def _report(conn: Connection, args: argparse.Namespace, *, verb: str) -> int:
    """Print a connection after connect/retest; a failed check exits 1 with an error line."""
    if getattr(args, "json", False):
        print_json(conn.public())
    elif verb == "connect":
        print(conn.id)
    else:
        print(_table(_CONN_HEADERS, [_connection_row(conn)]))
    if conn.status is Status.FAILED:
        sys.stderr.write(f"error: {verb} failed: {conn.status_detail}\n")
        return 1
    if unreadable_streams(conn):  # connected, but not every stream can be read: say which and why
        sys.stderr.write(f"note: {cannot_be_read(unreadable_streams(conn))}\n")
    return 0


def _connect(args: argparse.Namespace, ctx: Context) -> int:
    svc = ctx.hub.tenant(args.tenant)
    if args.file:
        path = Path(args.file)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise InputError(f"Cannot read {args.file}: {exc.strerror}.", hint="Check the path.") from None
        with handle:
            conn = svc.connect_file(
                args.source_id,
                handle,
                file_name=path.name,
                file_format=args.format,
                actor=cli_actor(),
                name=args.name,
            )
        return _report(conn, args, verb="connect")
    if args.demo:  # sample data: the service connects it with no credentials
        config: dict[str, Any] = {}
        mode: str | None = "demo"
    else:
        config = _read_config(args.config)
        mode = args.mode
    conn = svc.connect(args.source_id, config, actor=cli_actor(), mode=mode, name=args.name)
    return _report(conn, args, verb="connect")


def _connections(args: argparse.Namespace, ctx: Context) -> int:
    found = ctx.hub.tenant(args.tenant).list_connections(include_disconnected=not args.active)
    if args.json:
        print_json([c.public() for c in found])
        return 0
    if not found:
        print(
            f"Tenant {args.tenant} has no connections. Connect one with "
            f"`python -m hub connect --tenant {args.tenant} SOURCE_ID --demo`."
        )
        return 0
    print(_table(_CONN_HEADERS, [_connection_row(c) for c in found]))
    for c in found:
        if unreadable_streams(c):
            print(f"{c.id}: {cannot_be_read(unreadable_streams(c))}")
    return 0


def _retest(args: argparse.Namespace, ctx: Context) -> int:
    conn = ctx.hub.tenant(args.tenant).retest(args.connection_id, actor=cli_actor())
    return _report(conn, args, verb="retest")


def _disconnect(args: argparse.Namespace, ctx: Context) -> int:
    conn = ctx.hub.tenant(args.tenant).disconnect(
        args.connection_id, actor=cli_actor(), keep_airbyte=args.keep_airbyte
    )
    if args.json:
        print_json(conn.public())
    else:
        print(f"Disconnected {conn.id} ({conn.name}); its stored credentials were erased.")
    return 0


# --------------------------------------------------------------------------- streams and preview


def _one_of(args: argparse.Namespace) -> None:
    if bool(args.demo) == bool(args.tenant):
        args.parser.error(
            "give exactly one of --demo (a catalogue SOURCE_ID) or --tenant T (a CONNECTION_ID)"
        )


def _stream_json(s: StreamInfo) -> dict[str, Any]:
    return {
        "name": s.name,
        "json_schema": s.json_schema,
        "primary_key": list(s.primary_key),
        "cursor_field": s.cursor_field,
        "estimated_rows": s.estimated_rows,
    }


def _streams(args: argparse.Namespace, ctx: Context) -> int:
    _one_of(args)
    if args.demo:
        from hub import demo_streams

        found = demo_streams(ctx.catalogue, args.id)
    else:
        found = ctx.hub.tenant(args.tenant).streams(args.id)
    if args.json:
        print_json([_stream_json(s) for s in found])
        return 0
    rows = [
        [
            s.name,
            str(len(s.json_schema.get("properties") or {})),
            ",".join(s.primary_key) or "-",
            s.cursor_field or "-",
            f"{s.estimated_rows:,}" if s.estimated_rows is not None else "-",
        ]
        for s in found
    ]
    print(_table(["STREAM", "COLUMNS", "PRIMARY KEY", "CURSOR", "ROWS (EST.)"], rows))
    if args.tenant:  # what the connection's last test could not read
        note = cannot_be_read(unreadable_streams(ctx.hub.tenant(args.tenant).get_connection(args.id)))
        if note:
            print(note)
    return 0


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return "" if value is None else value


def _columns(preview: Preview) -> list[str]:
    names = list((preview.stream.json_schema.get("properties") or {}).keys())
    seen = set(names)
    for rec in preview.records:
        for key in rec:
            if key not in seen:
                seen.add(key)
                names.append(key)
    return names


def _preview(args: argparse.Namespace, ctx: Context) -> int:
    _one_of(args)
    if args.demo:
        from hub import demo_preview

        result = demo_preview(ctx.catalogue, args.id, args.stream, limit=args.limit)
    else:
        result = ctx.hub.tenant(args.tenant).preview(
            args.id, args.stream, limit=args.limit, actor=cli_actor()
        )
    if args.format == "json":
        print_json(result.records)
        return 0
    cols = _columns(result)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for rec in result.records:
            writer.writerow([_cell(rec.get(c)) for c in cols])
        return 0
    import pandas as pd

    from hub.frames import to_dataframe

    frame = to_dataframe(result.records, result.stream.json_schema)
    with pd.option_context("display.max_columns", 12, "display.width", 160, "display.max_colwidth", 30):
        print(frame.to_string(index=False, max_colwidth=30) if len(frame) else "(no records)")
    label = "demo" if result.mode.value == "demo" else "live"
    print(
        f"\n{len(result.records)} record{'s' if len(result.records) != 1 else ''} of {result.source_id}/"
        f"{result.stream.name} ({label})."
    )
    return 0


# --------------------------------------------------------------------------- audit and keys


def _audit(args: argparse.Namespace, ctx: Context) -> int:
    svc = ctx.hub.tenant(args.tenant)
    if args.verify:
        result = svc.verify_audit()
        if args.json:
            print_json(result.model_dump(mode="json"))
        elif result.ok:
            print(f"The audit log of {args.tenant} verifies: {result.rows} rows, chain and head intact.")
        if not result.ok:
            sys.stderr.write(
                f"error: the audit log of {args.tenant} is broken at row {result.first_broken_seq}: "
                f"{result.reason}\n"
            )
            return 1
        return 0
    rows = svc.audit_log(action=args.action, limit=args.limit, newest_first=args.limit is not None)
    if args.limit is not None:
        rows.reverse()  # the newest N, printed oldest first
    if args.json:
        print_json([r.model_dump(mode="json") for r in rows])
        return 0
    if not rows:
        print(f"The audit log of {args.tenant} is empty.")
        return 0
    print(
        _table(
            ["SEQ", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL"],
            [
                [
                    str(r.seq),
                    _when(r.at),
                    r.actor,
                    r.action,
                    f"{r.target_type}:{r.target_id}" if r.target_type else "-",
                    r.outcome.value,
                    json.dumps(r.detail, ensure_ascii=False, default=str)[:80],
                ]
                for r in rows
            ],
        )
    )
    return 0


def _keys_generate(args: argparse.Namespace, ctx: Context) -> int:
    from hub.storage.crypto import generate_entry

    print(generate_entry(args.id))
    return 0


def _keys_rotate(args: argparse.Namespace, ctx: Context) -> int:
    counts = ctx.hub.rotate_keys(actor=cli_actor())
    if args.json:
        print_json({**counts, "key_id": ctx.hub.keys.current_id})
    else:
        print(
            f"Re-encrypted under key {ctx.hub.keys.current_id}: {counts['rotated']} rotated, "
            f"{counts['already_current']} already current, {counts['failed']} failed."
        )
    if counts["failed"]:
        sys.stderr.write(
            f"error: {counts['failed']} secrets could not be decrypted with the configured keys "
            "(see the log lines above for their connection and key ids)\n"
        )
        return 1
    return 0


# --------------------------------------------------------------------------- register


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be 1 to 10000, got {value}")
    return value


def register(sub: Any) -> None:
    """Add tenants, connect, connections, streams, preview, retest, disconnect, audit and keys."""
    t = sub.add_parser(
        "tenants",
        help="add and list tenants (businesses)",
        description="Tenants are businesses; each has its own connections and audit log. On "
        "PostgreSQL this uses HUB_ADMIN_DATABASE_URL.",
    )
    tsub = t.add_subparsers(dest="tenants_command", required=True, metavar="COMMAND")
    ta = tsub.add_parser("add", help="create a tenant")
    ta.add_argument("slug", metavar="SLUG", help="lowercase letters, digits and '-'; used with --tenant")
    ta.add_argument("--name", required=True, metavar="N", help="the business's name")
    ta.add_argument("--business-type", required=True, metavar="B", help="e.g. ecommerce, saas")
    ta.add_argument("--json", action="store_true", help="print the tenant as JSON")
    ta.set_defaults(func=_tenants_add)
    tl = tsub.add_parser("list", help="list tenants")
    tl.add_argument("--json", action="store_true", help="print a JSON array")
    tl.set_defaults(func=_tenants_list)

    c = sub.add_parser(
        "connect",
        help="connect a source for a tenant",
        description="Validate the config, then check, discover and sample the source; prints the "
        "new connection's id. A failed check is stored (status failed) and exits 1.",
    )
    c.add_argument("--tenant", required=True, metavar="T", help="the tenant's slug")
    c.add_argument("source_id", metavar="SOURCE_ID", help="a catalogue id, e.g. shopify")
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--demo", action="store_true", help="a demo connection with sample data (no credentials needed)"
    )
    how.add_argument(
        "--config", metavar="FILE.json", help="the connector config as a JSON file ('-' = stdin)"
    )
    how.add_argument(
        "--file",
        metavar="PATH",
        help="a file source's file (.csv, .tsv, .xlsx, .xls, .json, .jsonl, .parquet), stored by the hub",
    )
    c.add_argument(
        "--format",
        choices=["csv", "excel", "excel_binary", "json", "jsonl", "parquet"],
        default=None,
        help="with --file: the file's format (default: from its extension)",
    )
    c.add_argument(
        "--mode",
        choices=["demo", "live"],
        default=None,
        help="with --config: force the mode (default: live when the source has a live connector)",
    )
    c.add_argument("--name", metavar="N", help="a name for the connection")
    c.add_argument("--json", action="store_true", help="print the connection object")
    c.set_defaults(func=_connect)

    ls = sub.add_parser("connections", help="list a tenant's connections")
    ls.add_argument("--tenant", required=True, metavar="T", help="the tenant's slug")
    ls.add_argument("--active", action="store_true", help="leave out disconnected ones")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.set_defaults(func=_connections)

    s = sub.add_parser(
        "streams",
        help="list the streams of a demo source or a connection",
        description="With --demo: a catalogue SOURCE_ID, no storage. With --tenant: a CONNECTION_ID.",
    )
    s.add_argument("--demo", action="store_true", help="ID is a catalogue source id (demo data, no storage)")
    s.add_argument("--tenant", metavar="T", help="ID is a connection id of this tenant")
    s.add_argument("id", metavar="SOURCE_ID|CONNECTION_ID")
    s.add_argument("--json", action="store_true", help="print a JSON array")
    s.set_defaults(func=_streams, parser=s)

    p = sub.add_parser(
        "preview",
        help="print a sample of one stream",
        description="With --demo: a catalogue SOURCE_ID, no storage. With --tenant: a CONNECTION_ID "
        "(audited).",
    )
    p.add_argument("--demo", action="store_true", help="ID is a catalogue source id (demo data, no storage)")
    p.add_argument("--tenant", metavar="T", help="ID is a connection id of this tenant")
    p.add_argument("id", metavar="SOURCE_ID|CONNECTION_ID")
    p.add_argument("stream", metavar="STREAM")
    p.add_argument("--limit", type=_limit, default=20, metavar="N", help="records to read (default 20)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=_preview, parser=p)

    r = sub.add_parser("retest", help="re-test (or retry) a connection with its stored config")
    r.add_argument("--tenant", required=True, metavar="T")
    r.add_argument("connection_id", metavar="CONNECTION_ID")
    r.add_argument("--json", action="store_true", help="print the connection object")
    r.set_defaults(func=_retest)

    d = sub.add_parser("disconnect", help="disconnect: erase the stored secret, keep the row")
    d.add_argument("--tenant", required=True, metavar="T")
    d.add_argument("connection_id", metavar="CONNECTION_ID")
    d.add_argument(
        "--keep-airbyte",
        action="store_true",
        help="a connection handed off to Airbyte: keep its Airbyte connection and source (default: delete "
        "them); the hub stops refreshing its tokens either way",
    )
    d.add_argument("--json", action="store_true", help="print the connection object")
    d.set_defaults(func=_disconnect)

    a = sub.add_parser("audit", help="print or verify a tenant's audit log")
    a.add_argument("--tenant", required=True, metavar="T")
    a.add_argument(
        "--verify", action="store_true", help="check the hash chain; exit 1 naming the first broken row"
    )
    a.add_argument("--action", metavar="A", help="only this action, e.g. connection.create")
    a.add_argument("--limit", type=_limit, metavar="N", help="only the newest N rows")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=_audit)

    k = sub.add_parser("keys", help="encryption keys: generate an entry, rotate stored secrets")
    ksub = k.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    kg = ksub.add_parser("generate", help="print a new HUB_ENCRYPTION_KEYS entry (id:base64key)")
    kg.add_argument("--id", metavar="ID", help="the key id (default: k<date>-<random>)")
    kg.set_defaults(func=_keys_generate)
    kr = ksub.add_parser("rotate", help="re-encrypt every stored secret under the first key")
    kr.add_argument("--json", action="store_true", help="print the counts as JSON")
    kr.set_defaults(func=_keys_rotate)

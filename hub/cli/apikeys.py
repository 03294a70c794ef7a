"""``python -m hub apikeys create|list|revoke``: tenant-scoped keys for the HTTP API.

A key is printed once, when it is made; the hub stores only its hash.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hub.cli import print_json

if TYPE_CHECKING:
    from hub.cli import Context
    from hub.models import ApiKey

_NOT_SHOWN_AGAIN = (
    "Store this key now: it will not be shown again (only its hash is kept). "
    "Send it as 'Authorization: Bearer <key>'."
)


def register(sub: Any) -> None:
    """Add the ``apikeys`` command and its subcommands."""
    parser = sub.add_parser("apikeys", help="create, list and revoke API keys for the HTTP API")
    commands = parser.add_subparsers(dest="apikeys_command", required=True, metavar="SUBCOMMAND")

    create = commands.add_parser("create", help="make a key for a tenant (printed once)")
    create.add_argument("--tenant", required=True, help="The tenant's slug.")
    create.add_argument("--name", default="api", help="A name for the key; the audit actor (default: api).")
    create.add_argument("--json", action="store_true", help="Print the key and its metadata as JSON.")
    create.set_defaults(func=_create)

    listing = commands.add_parser("list", help="list a tenant's keys (never the keys themselves)")
    listing.add_argument("--tenant", required=True, help="The tenant's slug.")
    listing.add_argument("--json", action="store_true", help="Print a JSON array.")
    listing.set_defaults(func=_list)

    revoke = commands.add_parser("revoke", help="revoke a key: calls with it then get 401")
    revoke.add_argument("--tenant", required=True, help="The tenant's slug.")
    revoke.add_argument("key_id", metavar="KEY_ID", help="The key's id (from `apikeys list`).")
    revoke.add_argument("--json", action="store_true", help="Print the revoked key's metadata as JSON.")
    revoke.set_defaults(func=_revoke)


def _meta(key: ApiKey) -> dict[str, Any]:
    return key.model_dump(mode="json")


def _create(args: argparse.Namespace, ctx: Context) -> int:
    key, secret = ctx.hub.create_api_key(args.tenant, name=args.name, actor="cli")
    if args.json:
        print_json({**_meta(key), "key": secret.get_secret_value()})
    else:
        # the key alone on stdout, so that `KEY=$(python -m hub apikeys create ...)` works
        sys.stdout.write(secret.get_secret_value() + "\n")
    sys.stderr.write(f"Created API key '{key.name}' (id {key.id}) for tenant {args.tenant}.\n")
    sys.stderr.write(_NOT_SHOWN_AGAIN + "\n")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    keys = ctx.hub.list_api_keys(args.tenant)
    if args.json:
        print_json([_meta(k) for k in keys])
        return 0
    if not keys:
        print(f"No API keys for tenant {args.tenant}. "
              f"Make one with: python -m hub apikeys create --tenant {args.tenant}")
        return 0
    rows = [
        (k.id, k.name, k.created_at.isoformat(timespec="seconds"),
         "revoked " + k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "active")
        for k in keys
    ]
    head = ("ID", "NAME", "CREATED", "STATE")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _revoke(args: argparse.Namespace, ctx: Context) -> int:
    key = ctx.hub.revoke_api_key(args.tenant, args.key_id, actor="cli")
    if args.json:
        print_json(_meta(key))
    else:
        print(f"Revoked API key '{key.name}' (id {key.id}). Calls with it now get 401.")
    return 0

r"""``python -m hub users add|list|remove``: the people who sign in to the app, each in one tenant.

Examples::

    python -m hub users add carol --tenant acme --name "Carol Diaz"       # hidden prompt, asked twice
    printf '%s\n' "$PASSWORD" | python -m hub users add carol --tenant acme --name "Carol" --password-stdin
    python -m hub users list --tenant acme --json
    python -m hub users remove carol
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from hub.cli import print_json
from hub.exceptions import InputError

if TYPE_CHECKING:
    from hub.cli import Context
    from hub.models import User


def _user_json(user: User) -> dict[str, Any]:
    return user.model_dump(
        mode="json", include={"id", "tenant_id", "username", "name", "created_at", "disabled"}
    )


def _read_password(from_stdin: bool) -> SecretStr:
    """The new password: the first line of stdin, or a hidden prompt asked twice."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password.removesuffix("\r")
    else:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Repeat the password: ")
        except EOFError:
            raise InputError(
                "No password was entered.", hint="Type it at the prompt, or pipe it in with --password-stdin."
            ) from None
        if password != again:
            raise InputError(
                "The two passwords differ.", hint="Run the command again and type the same password."
            )
    if not password:
        raise InputError(
            "The password is empty.", hint="Give a password of at least 4 characters (12 or more is better)."
        )
    return SecretStr(password)


def _add(args: argparse.Namespace, ctx: Context) -> int:
    password = _read_password(args.password_stdin)
    user = ctx.hub.create_user(
        args.username, tenant=args.tenant, name=args.name, password=password, actor="cli"
    )
    if args.json:
        print_json(_user_json(user))
    else:
        print(f"Created user {user.username} ({user.name}) in tenant {args.tenant}.")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    users = ctx.hub.list_users(args.tenant)
    if args.json:
        print_json([_user_json(u) for u in users])
        return 0
    if not users:
        print(
            f"Tenant {args.tenant} has no users. "
            f"Add one with: python -m hub users add USERNAME --tenant {args.tenant}"
        )
        return 0
    width = max(len("USERNAME"), *(len(u.username) for u in users))
    print(f"{'USERNAME':<{width}}  NAME")
    for user in users:
        suffix = "  (disabled)" if user.disabled else ""
        print(f"{user.username:<{width}}  {user.name}{suffix}")
    return 0


def _remove(args: argparse.Namespace, ctx: Context) -> int:
    ctx.hub.remove_user(args.username, actor="cli")
    print(f"Removed user {args.username}.")
    return 0


def register(sub: Any) -> None:
    """Add ``users add|list|remove``."""
    users = sub.add_parser("users", help="add, list and remove the people who sign in to the app")
    cmds = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    add = cmds.add_parser("add", help="add a user to a tenant (password bcrypt-hashed)")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--tenant", required=True, help="the tenant's slug")
    add.add_argument("--name", required=True, help="the person's display name")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (no prompt)",
    )
    add.add_argument("--json", action="store_true", help="print the new user as JSON")
    add.set_defaults(func=_add)

    lst = cmds.add_parser("list", help="a tenant's users")
    lst.add_argument("--tenant", required=True, help="the tenant's slug")
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.set_defaults(func=_list)

    rm = cmds.add_parser("remove", help="remove a user (audited in their tenant)")
    rm.add_argument("username", metavar="USERNAME")
    rm.set_defaults(func=_remove)

"""The command line: ``python -m hub COMMAND ...`` (conventions in reference/contracts.md).

Each module of this package adds its commands with ``register(subparsers)``; a command's handler is
``func(args, ctx) -> int``. Domain errors print one line ``error: ...`` on stderr and exit 1; usage
errors exit 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import importlib
import json
import logging
import sys
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hub.exceptions import HubError

if TYPE_CHECKING:
    from hub import Hub
    from hub.catalogue import Catalogue

#: Modules that add commands, in the order they appear in ``--help``.
COMMAND_MODULES = (
    "catalogue",
    "connections",
    "health",
    "alerts",
    "schema",
    "users",
    "apikeys",
    "connectors",
    "handoff",
    "migrate",
)


class Context:
    """What handlers share: the catalogue and, opened on first use, the hub's storage."""

    @cached_property
    def catalogue(self) -> Catalogue:
        """The catalogue; a malformed file is an error here (the CLI exits with it)."""
        from hub.catalogue import Catalogue

        return Catalogue.load()

    @cached_property
    def hub(self) -> Hub:
        """The hub opened from the environment (``HUB_*``)."""
        from hub import Hub
        from hub.settings import Settings

        return Hub.open(Settings.from_env())

    def close(self) -> None:
        """Close the hub if it was opened."""
        if "hub" in self.__dict__:
            self.hub.close()


def cli_actor() -> str:
    """The audit actor for a command: ``cli:<os user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


def print_json(value: Any) -> None:
    """Print exactly one JSON document on stdout."""
    json.dump(value, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every module's commands."""
    parser = _Parser(prog="python -m hub", description="Data Source Hub: connect and preview data sources.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"hub.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hub.cli.{name}":
                continue  # not written yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit code."""
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    args = build_parser().parse_args(argv)
    ctx = Context()
    try:
        code: int = args.func(args, ctx)
        return code
    except HubError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    finally:
        with contextlib.suppress(HubError):
            ctx.close()

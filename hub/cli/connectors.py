"""``python -m hub connectors ...``: the Airbyte connectors installed on this machine.

Examples::

    python -m hub connectors list                 # every pinned connector: installed?, disk size
    python -m hub connectors install faker csv    # these sources' connectors (progress on stderr)
    python -m hub connectors install --all
    python -m hub connectors remove faker
    python -m hub connectors check-pins           # install every pin; its spec = the shipped spec?

The venvs live under ``HUB_CONNECTORS_DIR`` (default ``$HUB_HOME/connectors``), one per package version.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from hub.cli import print_json
from hub.exceptions import HubError, InputError

if TYPE_CHECKING:
    from hub.cli import Context
    from hub.connectors.airbyte.install import Installer
    from hub.models import ConnectorPackage, SourceEntry


def _installer() -> Installer:
    from hub.connectors.airbyte.connector import installer_for
    from hub.settings import Settings

    return installer_for(Settings.from_env())


def _pinned(ctx: Context) -> dict[str, tuple[ConnectorPackage, list[str]]]:
    """Package key -> (package, the source ids it serves), in catalogue order."""
    found: dict[str, tuple[ConnectorPackage, list[str]]] = {}
    for source in ctx.catalogue:
        pkg = source.connector_package
        if pkg is not None:
            found.setdefault(pkg.key, (pkg, []))[1].append(source.id)
    return found


def _package_of(ctx: Context, source_id: str) -> ConnectorPackage:
    """The package of a catalogue source, or ``airbyte-source-x==1.2.3`` given directly."""
    if "==" in source_id:
        from pydantic import ValidationError

        from hub.models import ConnectorPackage

        name, _, version = source_id.partition("==")
        try:
            return ConnectorPackage(name=name.strip(), version=version.strip())
        except ValidationError:
            raise InputError(
                f"{source_id!r} is not a connector package pin.", hint="Write airbyte-source-NAME==VERSION."
            ) from None
    source: SourceEntry = ctx.catalogue.get(source_id)
    if source.connector_package is None:
        with_pins = ", ".join(s.id for s in ctx.catalogue if s.connector_package is not None)
        raise InputError(
            f"{source.name} is served by the hub's own connector; there is nothing to install.",
            hint=f"Sources with an Airbyte connector: {with_pins}.",
        )
    return source.connector_package


def _row(installer: Installer, pkg: ConnectorPackage, sources: list[str]) -> dict[str, Any]:
    from hub.connectors.airbyte.install import folder_size

    path = installer.path(pkg)
    installed = installer.is_installed(pkg)
    return {
        "package": pkg.name,
        "version": pkg.version,
        "sources": sources,
        "installed": installed,
        "path": str(path),
        "size_bytes": folder_size(path) if installed else 0,
    }


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB"


def _list(args: argparse.Namespace, ctx: Context) -> int:
    installer = _installer()
    rows = [_row(installer, pkg, sources) for pkg, sources in _pinned(ctx).values()]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        state = f"installed, {_mb(r['size_bytes'])}" if r["installed"] else "not installed"
        print(f"{r['package']:<46} {r['version']:<10} {state:<22} {', '.join(r['sources'])}")
    total = sum(r["size_bytes"] for r in rows)
    print(f"{sum(r['installed'] for r in rows)} of {len(rows)} installed ({_mb(total)}) in {installer.root}")
    return 0


def _install(args: argparse.Namespace, ctx: Context) -> int:
    pinned = _pinned(ctx)
    if args.all == bool(args.sources):
        raise InputError("Name the sources to install, or pass --all (not both).", hint="See --help.")
    if args.all:
        wanted = list(pinned.values())
    else:
        chosen = {(pkg := _package_of(ctx, s)).key: pkg for s in args.sources}  # csv and excel share one
        wanted = [pinned.get(key, (pkg, [])) for key, pkg in chosen.items()]
    installer = _installer()
    rows, failed = [], []
    for pkg, sources in wanted:
        try:
            installer.ensure(pkg, on_progress=lambda m: print(m, file=sys.stderr, flush=True))
        except HubError as exc:
            failed.append(pkg.name)
            print(f"error: {exc}", file=sys.stderr, flush=True)
        rows.append(_row(installer, pkg, sources))
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            if r["installed"]:
                print(f"{r['package']} {r['version']}: installed ({_mb(r['size_bytes'])}) at {r['path']}")
    return 1 if failed else 0


def _remove(args: argparse.Namespace, ctx: Context) -> int:
    pkg = _package_of(ctx, args.source)
    installer = _installer()
    removed = installer.remove(pkg)
    if args.json:
        print_json({"package": pkg.name, "version": pkg.version, "removed": removed})
    else:
        print(f"{pkg.name} {pkg.version}: {'removed' if removed else 'was not installed'}.")
    return 0


def _check_pins(args: argparse.Namespace, ctx: Context) -> int:
    """Install every pin, run its ``spec``, compare with (or, with --write-specs, write) the shipped spec."""
    from pathlib import Path

    from hub.connectors.airbyte.runner import Run
    from hub.connectors.airbyte.specs import shipped_spec, spec_document, spec_file_name

    installer = _installer()
    results: list[dict[str, Any]] = []
    for pkg, sources in _pinned(ctx).values():
        result: dict[str, Any] = {"package": pkg.name, "version": pkg.version, "sources": sources}
        try:
            installer.ensure(pkg, on_progress=lambda m: print(m, file=sys.stderr, flush=True))
            run = Run(
                installer.command(pkg), "spec", timeout=300, max_message_bytes=50_000_000, name=pkg.name
            )
            specs = [m.spec for m in run.messages() if m.spec is not None]
            spec = specs[-1].model_dump(mode="json", exclude_none=True)
            if args.write_specs:
                folder = Path(__file__).resolve().parent.parent / "connectors" / "airbyte" / "specs"
                (folder / spec_file_name(pkg)).write_text(spec_document(pkg, spec), encoding="utf-8")
                result["spec"] = "written"
            else:
                result["spec"] = "same" if shipped_spec(pkg) == spec else "differs from the shipped spec"
            result["size_bytes"] = _row(installer, pkg, sources)["size_bytes"]
            result["ok"] = result["spec"] in ("same", "written")
        except (HubError, IndexError) as exc:
            result.update(ok=False, error=str(exc) or "no spec")
        results.append(result)
        print(
            f"{pkg.name} {pkg.version}: {result.get('spec') or result.get('error')}",
            file=sys.stderr,
            flush=True,
        )
    if args.json:
        print_json(results)
    return 0 if all(r["ok"] for r in results) else 1


def register(sub: Any) -> None:
    """Add ``connectors list|install|remove|check-pins``."""
    cmd = sub.add_parser("connectors", help="the Airbyte connectors installed on this machine")
    verbs = cmd.add_subparsers(dest="verb", required=True, metavar="VERB")

    ls = verbs.add_parser("list", help="every pinned connector: version, installed, disk size")
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(func=_list)

    inst = verbs.add_parser("install", help="install the connectors of these sources (or --all)")
    inst.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="catalogue source ids, or airbyte-source-NAME==VERSION pins",
    )
    inst.add_argument("--all", action="store_true", help="every pinned connector")
    inst.add_argument("--json", action="store_true", help="print one JSON array")
    inst.set_defaults(func=_install)

    rm = verbs.add_parser("remove", help="delete a source's connector venv")
    rm.add_argument("source", metavar="SOURCE", help="a catalogue source id")
    rm.add_argument("--json", action="store_true", help="print one JSON object")
    rm.set_defaults(func=_remove)

    pins = verbs.add_parser(
        "check-pins", help="install every pin, run its spec, compare with the shipped spec"
    )
    pins.add_argument(
        "--write-specs", action="store_true", help="write the shipped specs instead of comparing"
    )
    pins.add_argument("--json", action="store_true", help="print one JSON array")
    pins.set_defaults(func=_check_pins)

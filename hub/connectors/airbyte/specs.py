"""The pinned connectors' specs, shipped in the package (``specs/<package>.json``).

Forms, validation and ``GET /api/airbyte/sources/{id}/spec`` use them before a connector is installed
(an install is a few hundred MB). ``python -m hub connectors check-pins --write-specs`` refreshes them
from the installed connectors; a test compares them with the ``spec`` of the connectors it installs.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from hub.exceptions import ConnectorError
from hub.models import ConnectorPackage

FOLDER = "specs"


def spec_file_name(package: ConnectorPackage) -> str:
    """The shipped file of ``package``: one per package, holding its pinned version's spec."""
    return f"{package.name}.json"


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(FOLDER, name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def shipped_spec(package: ConnectorPackage) -> dict[str, Any]:
    """The full ConnectorSpecification of ``package`` at its pinned version (a copy)."""
    try:
        data = _load(spec_file_name(package))
    except FileNotFoundError:
        raise ConnectorError(
            f"No spec is shipped for {package.name}.",
            hint="Run `python -m hub connectors check-pins --write-specs` and commit the file.",
        ) from None
    if data.get("version") != package.version:
        raise ConnectorError(
            f"The shipped spec of {package.name} is for version {data.get('version')}, the catalogue pins "
            f"{package.version}.",
            hint="Run `python -m hub connectors check-pins --write-specs` after changing a pin.",
        )
    spec: dict[str, Any] = json.loads(json.dumps(data["spec"]))
    return spec


def spec_document(package: ConnectorPackage, spec: dict[str, Any]) -> str:
    """The text of ``package``'s shipped spec file (stable: sorted keys)."""
    body = {"package": package.name, "version": package.version, "spec": spec}
    return json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

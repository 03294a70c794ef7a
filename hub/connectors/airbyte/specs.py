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


def typed_credentials(spec: dict[str, Any]) -> dict[str, Any] | None:
    """``spec`` (a full ConnectorSpecification) with only the credentials a user can type in; None if none.

    The spec's ``advanced_auth`` says which part a sign-in fills: with a ``predicate_key`` such as
    ``["credentials", "auth_method"]`` and ``predicate_value`` ``"oauth2.0"``, the option of the
    ``credentials`` choice whose discriminator is that value is the OAuth one; the other options (a
    private app token, an API token, a service account key) are kept. Without a predicate, a sign-in
    only fills fields a user may also type (Intercom's ``access_token``) unless it needs the OAuth app's
    own client id and secret. Returns the ``connectionSpecification`` (a copy).
    """
    schema: dict[str, Any] = json.loads(json.dumps(spec["connectionSpecification"]))
    auth = spec.get("advanced_auth")
    if not isinstance(auth, dict):
        return schema
    key, value = auth.get("predicate_key") or [], auth.get("predicate_value")
    if not key:
        oauth = auth.get("oauth_config_specification") or {}
        server = oauth.get("complete_oauth_server_output_specification") or {}  # the OAuth app's id, secret
        needs_app = set(server.get("properties") or {}) & set(schema.get("required") or [])
        return None if needs_app else schema
    if len(key) != 2:  # a discriminator at the top: the whole spec is the sign-in's (Salesforce)
        return None
    field, discriminator = key
    choice = (schema.get("properties") or {}).get(field) or {}
    options = choice.get("oneOf") or []
    typed = [
        o for o in options if ((o.get("properties") or {}).get(discriminator) or {}).get("const") != value
    ]
    if not typed:
        return None
    choice["oneOf"] = typed
    choice.pop("default", None)
    return schema

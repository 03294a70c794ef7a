"""The fields a sign-in carries besides its tokens: what the user fills in before being sent to the provider.

A source's connector spec needs more than the tokens a sign-in gives: Google Sheets its spreadsheet,
Google Analytics 4 its property ids, Facebook Marketing its ad accounts. Without them the connect after
the callback is refused, naming the missing field, and the user can fix nothing there. So the start of a
sign-in takes them (`checked_fields`), the pending sign-in keeps them (``oauth_states.fields``), and the
connect merges them into the config (`hub.oauth.connect.connect_signed_in`).

Which fields: the top-level properties of the connector's spec that the sign-in does not fill (the
``credentials`` its token response maps to, the account part such as Shopify's shop, the hub's own
`hub.oauth.providers.KEPT_KEY`), that are not hidden and not secret. Of those, the required ones with no
default are **asked** (`asked_spec`, the Connect dialog's form); ``start_date`` is not asked either, as the
hub fills in a year back when it is required and missing. Any other carried field is optional.

**Secrets are refused**, not sealed: the fields stay in the clear in ``oauth_states`` and in the
connection's metadata, like every non-secret config value. No shipped OAuth spec needs a secret besides its
credentials (a test checks that), and a token typed in belongs in the token form, not a sign-in.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub.connectors.base import validate_config
from hub.exceptions import ConfigError
from hub.models import Mode
from hub.oauth.providers import KEPT_KEY, PROVIDERS, SOURCES, Token, connector_config

if TYPE_CHECKING:
    from hub.services.hub import Hub

#: Required fields the hub fills itself when missing (`hub.oauth.connect`), so a sign-in does not ask them.
FILLED_BY_HUB = frozenset({"start_date"})


def connector_spec(hub: Hub, source_id: str) -> dict[str, Any] | None:
    """The ``connectionSpecification`` of a signing-in source's live connector; None where it has none."""
    entry = SOURCES.get(source_id)
    if entry is None or entry.credentials is None:  # no sign-in, or no connector to map to (Square)
        return None
    from hub.connectors import get_connector

    connector = get_connector(hub.catalogue.get(source_id), Mode.LIVE, settings=hub.settings)
    spec: dict[str, Any] = connector.spec()
    return spec


def _filled_by_sign_in(source_id: str) -> set[str]:
    """The top-level config keys the sign-in itself fills (credentials, the account part, the hub's own)."""
    filled = set(connector_config(source_id, Token("access", "refresh"), "client-id", "client-secret"))
    account = PROVIDERS[SOURCES[source_id].provider].account_field
    return filled | {KEPT_KEY} | ({account} if account else set())


def carried_spec(spec: Mapping[str, Any], source_id: str) -> dict[str, Any]:
    """The JSON Schema of the fields a sign-in of ``source_id`` may carry; ``required``: the asked ones."""
    filled = _filled_by_sign_in(source_id)
    props = {
        name: copy.deepcopy(prop)
        for name, prop in (spec.get("properties") or {}).items()
        if name not in filled
        and isinstance(prop, Mapping)
        and not prop.get("airbyte_secret")
        and not prop.get("airbyte_hidden")
    }
    asked = [
        name
        for name in spec.get("required") or []
        if name in props and "default" not in props[name] and name not in FILLED_BY_HUB
    ]
    return {"type": "object", "properties": props, "required": asked, "additionalProperties": False}


def asked_spec(spec: Mapping[str, Any], source_id: str) -> dict[str, Any]:
    """Only the asked fields of `carried_spec` (the Connect dialog's form; empty properties: ask nothing)."""
    carried = carried_spec(spec, source_id)
    asked = carried["required"]
    return {**carried, "properties": {name: carried["properties"][name] for name in asked}}


def kept_fields(spec: Mapping[str, Any], source_id: str, public_config: Mapping[str, Any]) -> dict[str, Any]:
    """The carried fields of a connection's stored public config (a reconnect keeps them)."""
    carried = carried_spec(spec, source_id)["properties"]
    return {k: copy.deepcopy(v) for k, v in public_config.items() if k in carried}


def checked_fields(
    spec: Mapping[str, Any], source_id: str, source_name: str, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """``fields`` checked against `carried_spec`: the asked ones present, each valid; a copy.

    `ConfigError` (``field`` set) names the field and what to do: a field the sign-in fills itself, a
    secret one, an unknown one, a missing asked one, a value of the wrong shape. Strings are trimmed; empty
    ones and empty lists count as missing. Only the given fields are returned (the spec's defaults apply
    at the connect).
    """
    schema = carried_spec(spec, source_id)
    props = schema["properties"]
    all_props = spec.get("properties") or {}
    stripped = {str(k): v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    given = {k: v for k, v in stripped.items() if v not in (None, "", [])}
    for name in sorted(given):
        if name in props:
            continue
        if name in _filled_by_sign_in(source_id):
            raise ConfigError(
                f"'{name}' is filled by the {source_name} sign-in itself, not given as a field.",
                field=name, hint="Leave it out of the fields (an account part such as the shop goes in "
                "`account`).",
            )
        if isinstance(all_props.get(name), Mapping) and all_props[name].get("airbyte_secret"):
            raise ConfigError(
                f"'{name}' is a secret; a sign-in carries no secrets in its fields.",
                field=name, hint="Leave it out, or connect with a token instead of signing in.",
            )
        raise ConfigError(
            f"{source_name} has no field '{name}' a sign-in can carry.",
            field=name, hint=f"Use one of: {', '.join(sorted(props)) or 'none'}.",
        )
    for name in schema["required"]:
        if name not in given:
            prop = props[name]
            title = prop.get("title") or name
            example = _example(prop)
            raise ConfigError(
                f"{source_name} needs {title} ('{name}') before you sign in.",
                field=name,
                hint=f"Fill in {title}{f' (for example {example})' if example else ''}, then sign in.",
            )
    try:
        validated = validate_config(schema, given)
    except ConfigError as exc:  # names the field (and the value: never a secret here); add what it takes
        prop = props.get((exc.field or "").split(".")[0]) or {}
        title, example = prop.get("title") or exc.field, _example(prop)
        like = prop.get("pattern_descriptor") or (f"for example {example}" if example else "")
        raise ConfigError(
            exc.message, field=exc.field, hint=f"Correct {title}{f' ({like})' if like else ''}, then sign in."
        ) from None
    return {name: validated[name] for name in given}


def _example(prop: Mapping[str, Any]) -> str | None:
    examples = prop.get("examples")
    if isinstance(examples, list) and examples:
        first = examples[0]
        return ", ".join(map(str, first)) if isinstance(first, list) else str(first)
    return None

"""A connector's config form, read from its own spec (JSON Schema, Draft 7 with Airbyte's extensions).

`form_fields` walks a ``connectionSpecification`` into plain `FormField` descriptions, in the order the
connector asks for (``order``, then required before optional, then title); `build_config` turns the values
typed into those fields back into a config for the service. The Streamlit widgets are in
``ui/spec_form.py``; nothing here imports streamlit, so the walking, ordering, defaults and coercion are
tested against the shipped specs without a browser.

What the walk understands: ``required``; the types string, integer, number, boolean and array (of
strings, or of an enum: a multi-select); ``enum`` (a select box); ``oneOf`` choices of objects such as an
auth type (one choice, then that choice's own fields; the branch's ``const`` discriminator is filled in,
never asked); ``airbyte_secret`` (a password input); ``airbyte_hidden`` (not shown); ``order``;
``description`` (help); ``examples`` (placeholder); ``default``; ``multiline``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub.exceptions import ConfigError

Kind = Literal["string", "integer", "number", "boolean", "enum", "multiselect", "list", "json", "choice"]

#: Widget keys start with this; nested fields join their path with ``__``.
KEY_PREFIX = "spec"


class Choice(BaseModel):
    """One option of a ``oneOf``: its title, the discriminator it sets and its own fields."""

    model_config = ConfigDict(frozen=True)

    title: str
    constants: dict[str, Any] = Field(
        description="The ``const`` fields of the option, filled in for the user."
    )
    fields: list[FormField] = Field(default_factory=list)


class FormField(BaseModel):
    """One input of the form."""

    model_config = ConfigDict(frozen=True)

    path: tuple[str, ...] = Field(
        description="Where the value goes in the config, e.g. (credentials, apikey)."
    )
    key: str = Field(description="The widget's stable key: ``spec__credentials__apikey``.")
    kind: Kind
    title: str
    help: str | None = Field(default=None, description="The spec's description, without HTML tags.")
    placeholder: str | None = Field(default=None, description="The first of the spec's examples.")
    required: bool = False
    secret: bool = False
    multiline: bool = False
    default: Any = None
    options: list[Any] = Field(default_factory=list, description="enum / multiselect values.")
    minimum: float | None = None
    maximum: float | None = None
    choices: list[Choice] = Field(default_factory=list, description="A ``oneOf``'s options (kind choice).")
    default_choice: int = Field(default=0, description="The option selected at first.")


Choice.model_rebuild()


def widget_key(path: tuple[str, ...]) -> str:
    """The widget key of a config path: ``("credentials", "apikey")`` -> ``spec__credentials__apikey``."""
    return "__".join((KEY_PREFIX, *path))


def form_fields(spec: Mapping[str, Any]) -> list[FormField]:
    """The fields of a connector spec, in the order a user fills them in (hidden fields left out)."""
    return _fields(spec, ())


def secret_keys(fields: list[FormField]) -> list[str]:
    """The widget keys of every secret field, in every choice (the page takes them out of its state)."""
    keys: list[str] = []
    for field in fields:
        if field.secret:
            keys.append(field.key)
        for choice in field.choices:
            keys.extend(secret_keys(choice.fields))
    return keys


def split_optional(fields: list[FormField]) -> tuple[list[FormField], list[FormField]]:
    """The required fields (and choices), then the optional ones (shown folded, as Airbyte's UI does)."""
    main = [f for f in fields if f.required or f.kind == "choice"]
    return main, [f for f in fields if f not in main]


def build_config(fields: list[FormField], values: Mapping[str, Any]) -> dict[str, Any]:
    """The config from the widgets' ``values`` (widget key -> value), coerced to the spec's types.

    An empty input is left out, so the spec's default applies or validation names the missing field. A
    choice's value is the index (or title) of the option picked; its constants are filled in and only its
    own fields are read. Secrets stay `SecretStr`. Raises `ConfigError` naming the field whose text cannot
    be read as its type (a number, a JSON object).
    """
    config: dict[str, Any] = {}
    for field in fields:
        if field.kind == "choice":
            choice = field.choices[_choice_index(field, values.get(field.key))]
            config[field.path[-1]] = {**choice.constants, **build_config(choice.fields, values)}
            continue
        value = _coerce(field, values.get(field.key))
        if value is not None:
            config[field.path[-1]] = value
    return config


# --------------------------------------------------------------------------- walking the schema


def _fields(schema: Mapping[str, Any], prefix: tuple[str, ...]) -> list[FormField]:
    required = set(schema.get("required") or [])
    found: list[tuple[tuple[Any, ...], FormField]] = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping) or "const" in prop:
            continue  # a discriminator: filled in from the choice
        is_required = name in required
        if prop.get("airbyte_hidden") and not (is_required and "default" not in prop):
            continue
        field = _field((*prefix, name), prop, required=is_required)
        if field is None:
            continue
        order = prop.get("order")
        rank = (order is None, order if isinstance(order, int | float) else 0, not is_required, field.title)
        found.append((rank, field))
    return [field for _, field in sorted(found, key=lambda item: item[0])]


def _field(path: tuple[str, ...], prop: Mapping[str, Any], *, required: bool) -> FormField | None:
    common: dict[str, Any] = {
        "path": path,
        "key": widget_key(path),
        "title": str(prop.get("title") or prop.get("tittle") or _humanise(path[-1])),
        "help": _plain(prop.get("description")),
        "placeholder": _placeholder(prop),
        "required": required,
        "secret": bool(prop.get("airbyte_secret")),
        "multiline": bool(prop.get("multiline")),
        "default": prop.get("default"),
        "minimum": _number(prop.get("minimum")),
        "maximum": _number(prop.get("maximum")),
    }
    options = prop.get("oneOf") or prop.get("anyOf")
    if options and all(isinstance(o, Mapping) and "properties" in o for o in options):
        return FormField(kind="choice", **common, **_choices(path, options, prop.get("default")))
    types = _types(prop)
    if "object" in types and isinstance(prop.get("properties"), Mapping) and prop["properties"]:
        return FormField(kind="choice", **common, **_choices(path, [prop], None))  # one option: a group
    if "enum" in prop:
        return FormField(kind="enum", options=list(prop["enum"]), **common)
    if "array" in types:
        items = prop.get("items") or {}
        if isinstance(items, Mapping) and "enum" in items:
            return FormField(kind="multiselect", options=list(items["enum"]), **common)
        return FormField(kind="list", **common)
    if "object" in types:  # a free-form object (no choices): JSON text
        return FormField(kind="json", **{**common, "multiline": True})
    for kind in ("boolean", "integer", "number"):
        if kind in types:
            return FormField(kind=kind, **common)
    if "string" in types or not types:
        return FormField(kind="string", **common)
    return None


def _choices(path: tuple[str, ...], options: list[Mapping[str, Any]], default: Any) -> dict[str, Any]:
    choices: list[Choice] = []
    for index, option in enumerate(options):
        constants = {
            name: prop["const"]
            for name, prop in (option.get("properties") or {}).items()
            if isinstance(prop, Mapping) and "const" in prop
        }
        title = str(option.get("title") or ", ".join(map(str, constants.values())) or f"Option {index + 1}")
        choices.append(Choice(title=title, constants=constants, fields=_fields(option, path)))
    return {"choices": choices, "default_choice": _default_choice(choices, default)}


def _default_choice(choices: list[Choice], default: Any) -> int:
    """The spec's default option; else the first that is not OAuth; else the first.

    OAuth tokens come from a sign-in flow, nobody types them.
    """
    for index, choice in enumerate(choices):
        if default is not None and (default == choice.title or default in choice.constants.values()):
            return index
    for index, choice in enumerate(choices):
        words = " ".join([choice.title, *map(str, choice.constants.values())]).lower()
        if "oauth" not in words:
            return index
    return 0


def _types(prop: Mapping[str, Any]) -> set[str]:
    kind = prop.get("type")
    if isinstance(kind, list):
        return {str(k) for k in kind} - {"null"}
    return {str(kind)} if kind else set()


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _plain(text: Any) -> str | None:
    """A description without its HTML: ``<a href="u">here</a>`` becomes ``here (u)``."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = re.sub(r"<a [^>]*href=[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", r"\2 (\1)", text)
    return re.sub(r"<[^>]+>", "", text).strip()


def _placeholder(prop: Mapping[str, Any]) -> str | None:
    examples = prop.get("examples")
    if isinstance(examples, list) and examples:
        first = examples[0]
        return first if isinstance(first, str) else json.dumps(first)
    if isinstance(examples, str):
        return examples
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- coercion


def _choice_index(field: FormField, value: Any) -> int:
    if isinstance(value, int) and 0 <= value < len(field.choices):
        return value
    for index, choice in enumerate(field.choices):
        if value == choice.title:
            return index
    return field.default_choice


def _coerce(field: FormField, value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value if value.get_secret_value() else None
    if value is None:
        return None
    if field.kind == "boolean":
        return bool(value)
    if field.kind == "multiselect":
        return list(value) or None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if field.kind == "integer":
        return _as_number(field, value, int)
    if field.kind == "number":
        return _as_number(field, value, float)
    if field.kind == "list":
        items = value if isinstance(value, list) else re.split(r"[,\n]", str(value))
        cleaned = [str(item).strip() for item in items if str(item).strip()]
        return cleaned or None
    if field.kind == "json":
        if isinstance(value, Mapping):
            return dict(value)
        try:
            parsed = json.loads(str(value))
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ConfigError(
                f"The field '{'.'.join(field.path)}' must be a JSON object.",
                field=".".join(field.path),
                hint='Enter it as {"name": "value"}, or leave it empty.',
            )
        return parsed
    if field.secret:
        return SecretStr(str(value))
    return value


def _as_number(field: FormField, value: Any, kind: type[int] | type[float]) -> int | float:
    try:
        number = float(value)
        if kind is int and not number.is_integer():
            raise ValueError(value)
        return int(number) if kind is int else number
    except (TypeError, ValueError):
        name = ".".join(field.path)
        raise ConfigError(
            f"The field '{name}' must be {'a whole number' if kind is int else 'a number'}.",
            field=name,
            hint="Correct it and try again.",
        ) from None

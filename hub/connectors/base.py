"""The connector interface: the four operations of the Airbyte protocol."""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema
from pydantic import SecretStr

from hub.exceptions import ConfigError
from hub.models import CheckResult, SourceEntry, StreamInfo

Config = dict[str, Any]


def secret_fields(spec: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the spec's properties marked ``airbyte_secret: true`` (nested objects included)."""
    found: list[str] = []
    for name, prop in (spec.get("properties") or {}).items():
        path = f"{prefix}{name}"
        if prop.get("airbyte_secret"):
            found.append(path)
        if prop.get("type") == "object" or "properties" in prop:
            found.extend(secret_fields(prop, prefix=f"{path}."))
        for option in prop.get("oneOf", []) or []:
            found.extend(secret_fields(option, prefix=f"{path}."))
    return sorted(set(found))


def wrap_secrets(spec: Mapping[str, Any], config: Mapping[str, Any]) -> Config:
    """A copy of ``config`` with every string the spec marks ``airbyte_secret`` as a `SecretStr`.

    With `secret_fields`, this is the one place that decides what in a config is secret. Services wrap a
    config the moment it arrives, so its secrets stay masked in reprs, errors and logs until the
    connector (or the encryption) reveals them. Every string inside a secret object counts as secret.
    """
    hidden = set(secret_fields(spec))

    def wrap(value: Any, path: str, inside: bool) -> Any:
        secret = inside or path in hidden
        if isinstance(value, Mapping):
            return {str(k): wrap(v, f"{path}.{k}" if path else str(k), secret) for k, v in value.items()}
        return SecretStr(value) if secret and isinstance(value, str) else value

    wrapped: Config = wrap(config, "", False)
    return wrapped


def public_config(spec: Mapping[str, Any], config: Mapping[str, Any]) -> Config:
    """The part of ``config`` that may be shown and stored in the clear: no secret field, no `SecretStr`."""
    hidden = set(secret_fields(spec))

    def strip(value: Mapping[str, Any], prefix: str) -> Config:
        out: Config = {}
        for key, item in value.items():
            path = f"{prefix}{key}"
            if path in hidden or isinstance(item, SecretStr):
                continue
            out[str(key)] = strip(item, f"{path}.") if isinstance(item, Mapping) else item
        return out

    return strip(config, "")


def reveal(value: Any) -> Any:
    """The plain value of a `SecretStr` (or the value itself). Call only where the secret is used."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def reveal_config(config: Mapping[str, Any]) -> Config:
    """A copy of ``config`` with every `SecretStr` (at any depth) replaced by its plain value."""
    return {k: reveal_config(v) if isinstance(v, Mapping) else reveal(v) for k, v in config.items()}


#: repr(spec) -> (a private copy of the spec, its validator); specs are few (one per source and auth kind).
_VALIDATORS: dict[str, tuple[dict[str, Any], jsonschema.protocols.Validator]] = {}
_VALIDATORS_MAX = 512


def validator_for(spec: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    """A Draft 7 validator for ``spec``, built once per distinct spec (a hit is checked with ``==``)."""
    key = repr(spec)
    hit = _VALIDATORS.get(key)
    if hit is not None and hit[0] == spec:
        return hit[1]
    own = copy.deepcopy(dict(spec))  # later changes to the caller's spec cannot reach the cached one
    validator = jsonschema.Draft7Validator(own)
    if len(_VALIDATORS) >= _VALIDATORS_MAX:
        _VALIDATORS.clear()
    _VALIDATORS[key] = (own, validator)
    return validator


def validate_config(
    spec: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    validator: jsonschema.protocols.Validator | None = None,
) -> Config:
    """Validate ``config`` against a connector spec; apply defaults. Raise `ConfigError` naming the field.

    ``validator`` is ``spec``'s own validator when the caller keeps one (else a cached one is looked up).
    The error message never contains the value of a secret field.
    """
    plain = reveal_config(config)
    data: Config = {}
    for name, prop in (spec.get("properties") or {}).items():
        if name in plain:
            data[name] = plain[name]
        elif "default" in prop:
            data[name] = prop["default"]
    extra = set(plain) - set(data)
    if extra and spec.get("additionalProperties") is False:
        field = sorted(extra)[0]
        raise ConfigError(
            f"Unknown field '{field}'.", field=field, hint="Remove it; see the connector's spec."
        )
    data.update({k: plain[k] for k in extra})
    if validator is None:
        validator = validator_for(spec)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.path), list(e.path)))
    if errors:
        err = _chosen_branch_error(errors[0])
        path = ".".join(str(p) for p in err.absolute_path)
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            field = f"{path}.{missing}" if path else missing
            raise ConfigError(
                f"The field '{field}' is required.", field=field, hint="Fill it in and try again."
            )
        # jsonschema's message quotes the failing value; never quote one that is or holds a secret.
        secrets_here = [f for f in secret_fields(spec) if not path or f == path or f.startswith(f"{path}.")]
        title = (spec.get("properties", {}).get(path, {}) or {}).get("title", path)
        what = f"is invalid ({err.validator})" if secrets_here else f"is invalid: {err.message}"
        raise ConfigError(
            f"The field '{path or title or 'config'}' {what}.",
            field=path or None,
            hint="Correct it and try again.",
        )
    return data


def _chosen_branch_error(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a ``oneOf`` (an auth type...), the error inside the option the config chose by its ``const``.

    jsonschema reports "is not valid under any of the given schemas"; the user needs "the field
    'credentials.apikey' is required". The chosen option is the one whose discriminator matched (no
    ``const`` error among its errors); without one, the error stays as it is.
    """
    while err.validator in ("oneOf", "anyOf") and err.context:
        by_option: dict[int, list[jsonschema.ValidationError]] = {}
        for sub in err.context:
            by_option.setdefault(int(sub.schema_path[0]), []).append(sub)
        chosen = [subs for subs in by_option.values() if not any(s.validator == "const" for s in subs)]
        if len(chosen) != 1:
            return err
        err = sorted(chosen[0], key=lambda e: (len(e.path), list(e.path)))[0]
    return err


class Connector(ABC):
    """One source's spec/check/discover/read. ``config`` is validated against ``spec()`` by the caller."""

    def __init__(self, source: SourceEntry) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"{type(self).__name__}(source={self.source.id!r})"

    @abstractmethod
    def spec(self) -> dict[str, Any]:
        """JSON Schema of the configuration; secret fields carry ``airbyte_secret: true``."""

    def form_spec(self) -> dict[str, Any]:
        """The part of `spec` a user fills in (the forms, the API's spec route): all of it by default."""
        return self.spec()

    @abstractmethod
    def check(self, config: Config) -> CheckResult:
        """Can we connect with this config? Never raises for a failed connection: returns ok=False."""

    @abstractmethod
    def discover(self, config: Config) -> list[StreamInfo]:
        """The streams with their JSON Schemas, keys and cursors."""

    @abstractmethod
    def read(self, config: Config, stream: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """At most ``limit`` records of ``stream``; never loads the whole stream."""

    def validate(self, config: Mapping[str, Any], *, signed_in: bool = False) -> Config:
        """Validate ``config`` against what a user may fill in (`form_spec`; see `validate_config`).

        A config a sign-in made (``signed_in``) is validated against the whole spec.
        """
        return validate_config(self.spec() if signed_in else self.form_spec(), config)

    #: Whether `check` and `discover` may run at once (in two threads) on a connect: true where each is
    #: its own subprocess (the Airbyte connectors); the hub's SQL connectors share one engine.
    concurrent_check_discover: bool = False

    def recent_logs(self) -> list[str]:
        """The last log lines of the latest operation, scrubbed of secrets, for troubleshooting (none)."""
        return []

    def needs_install(self) -> bool:
        """Whether the first operation will install something first (an Airbyte connector's venv)."""
        return False

    def install(self, on_progress: Callable[[str], None] | None = None) -> None:
        """Install what `needs_install` names, reporting lines to ``on_progress``; nothing by default."""
        return None

    def catalog(self, config: Config) -> dict[str, Any] | None:
        """What `discover` found with ``config`` worth storing with the connection (None: nothing).

        A preview then hands it back to `known_streams` instead of discovering again.
        """
        return None

    def known_streams(self, config: Config, catalog: Mapping[str, Any]) -> list[StreamInfo] | None:
        """The streams of a stored `catalog`, taken as discovered for ``config`` (None: discover again)."""
        return None

    def sample_config(self) -> Config | None:
        """The config of this connector's sample data (no credentials), or None when it has none.

        The connect service uses it when a demo connection is asked for with no config ("Use sample
        data"). It is the connector's own, not user input, so it need not match the credentials form
        of ``spec()``; ``check`` must accept it.
        """
        return None

"""The demo connector: synthetic but realistic streams for every catalogue entry.

Each source's streams carry the real Airbyte connector's stream and field names, a JSON Schema written by
hand, its primary key and cursor, and a fixed size (``estimated_rows``). Records are deterministic for a
(tenant, source, seed): seeds come from ``hashlib.sha256`` over ``tenant|source|stream|seed|column``, and
``read(limit=n)`` returns the first ``n`` records of one stable sequence. Relations hold inside a source
(an order's customer exists, totals add up). The generators live in `hub.connectors.demo_data`.

``check`` never contacts anything: OAuth sources need the signed-in ``account`` from the simulated consent;
API-key sources test the key against the format the provider documents (``SourceEntry.api_key.pattern``),
so a malformed key is a real failure; database and file sources always pass. `DemoConnector.sample_config`
("Use sample data", no credentials) passes for every kind.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from hub.connectors.base import Config, Connector, reveal, validate_config, validator_for
from hub.connectors.demo_data import get_source
from hub.connectors.demo_data._core import SourceDef, StreamDef, World
from hub.connectors.demo_data.generic import database_alias, generic_source
from hub.exceptions import NotFound
from hub.models import AuthKind, CheckResult, FailureKind, SourceEntry, StreamInfo

#: What each API key is called and what it looks like, in words (the pattern itself is in the catalogue).
KEY_WORDS: dict[str, tuple[str, str]] = {
    "stripe": ("Stripe secret key", "it should start with sk_test_ or sk_live_"),
    "woocommerce": (
        "WooCommerce consumer key",
        "it should start with ck_ followed by 40 hexadecimal characters",
    ),
    "mixpanel": ("Mixpanel project secret", "it should be 32 hexadecimal characters"),
    "jira": ("Jira API token", "it should start with ATATT (or be a 24-character legacy token)"),
    "mailchimp": (
        "Mailchimp API key",
        "it should be 32 hexadecimal characters followed by the data center, like -us21",
    ),
}


#: (id of the catalogue entry, tenant, seed) -> (the entry, its spec, the spec's validator). The entry is
#: kept so its id is never reused while cached, and compared by identity on a hit. Never given out: a
#: caller's `spec()` is always a new dict.
_SPECS: dict[tuple[int, str, int], tuple[SourceEntry, dict[str, Any], Any]] = {}
_SPECS_MAX = 512


class DemoConnector(Connector):
    """Serves any catalogue entry with deterministic demo streams.

    Args:
        source: the catalogue entry.
        tenant: the tenant id or slug that seeds the data (different tenants see different records).
        seed: an extra seed (the CLI's ``--demo`` form uses 0).

    """

    def __init__(self, source: SourceEntry, *, tenant: str = "demo", seed: int = 0) -> None:
        super().__init__(source)
        self.tenant = tenant
        self.seed = seed
        self._def = _definition(source)
        self._worlds: dict[str | None, World] = {}

    def __repr__(self) -> str:
        return f"DemoConnector(source={self.source.id!r}, tenant={self.tenant!r}, seed={self.seed})"

    # ------------------------------------------------------------------ spec

    def spec(self) -> dict[str, Any]:
        """The config schema for the entry's auth kind (secret fields carry ``airbyte_secret: true``)."""
        src = self.source
        kind = _kind(src)
        base: dict[str, Any] = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": f"{src.name} (demo)",
            "description": "Demo mode with an empty config connects sample data, no credentials needed.",
            "type": "object",
            "additionalProperties": False,
        }
        if kind is AuthKind.OAUTH2:
            base["required"] = ["account"]
            base["properties"] = {
                "account": {
                    "type": "string",
                    "minLength": 1,
                    "title": "Account",
                    "description": f"The {src.name} account signed in through the consent screen.",
                    "examples": [self._default_account()],
                },
                "access_token": {
                    "type": "string",
                    "title": "Access token",
                    "airbyte_secret": True,
                    "description": "Issued by the (simulated) consent; never shown again.",
                },
                "refresh_token": {
                    "type": "string",
                    "title": "Refresh token",
                    "airbyte_secret": True,
                    "description": "Issued by a real sign-in (an operator's OAuth app); kept to refresh.",
                },
                "scopes": {
                    "type": "array",
                    "title": "Scopes",
                    "items": {"type": "string"},
                    "default": [s.name for s in src.scopes],
                },
            }
        elif kind is AuthKind.API_KEY:
            label, _ = KEY_WORDS.get(src.id, (f"{src.name} API key", ""))
            key: dict[str, Any] = {
                "type": "string",
                "title": label[:1].upper() + label[1:],
                "airbyte_secret": True,
            }
            if src.api_key is not None:
                key["description"] = f"Find it in {src.api_key.where}."
                key["examples"] = [src.api_key.example]
            base["required"] = ["api_key"]
            base["properties"] = {
                "api_key": key,
                "account": {
                    "type": "string",
                    "title": "Account",
                    "description": "A label for the account (optional).",
                },
            }
        elif kind is AuthKind.DATABASE:
            base["properties"] = {
                "sample": {
                    "type": "boolean",
                    "const": True,
                    "default": True,
                    "title": "Use sample data",
                    "description": "Demo tables: customers, orders, order_items, products.",
                },
            }
        else:
            base["properties"] = {
                "file_name": {
                    "type": "string",
                    "title": "File name",
                    "description": "Shown as the file's name.",
                },
            }
        return base

    def validate(self, config: Mapping[str, Any], *, signed_in: bool = False) -> Config:
        """`Connector.validate`, with this connector's spec and its validator made once, not per call."""
        key = (id(self.source), self.tenant, self.seed)
        hit = _SPECS.get(key)
        if hit is None or hit[0] is not self.source:
            spec = self.spec()
            hit = (self.source, spec, validator_for(spec))
            if len(_SPECS) >= _SPECS_MAX:
                _SPECS.clear()
            _SPECS[key] = hit
        return validate_config(hit[1], config, validator=hit[2])

    def sample_config(self) -> Config:
        """Sample data, no credentials: ``{"sample": True}``, with the sample file's name for a file source.

        Not valid against the OAuth and API-key forms of `spec` (they describe a connection with
        credentials); `check` accepts it for every kind.
        """
        config: Config = {"sample": True}
        if _kind(self.source) is AuthKind.FILE and "{tenant}" not in self._def.default_account:
            config["file_name"] = self._def.default_account
        return config

    # ------------------------------------------------------------------ check

    def check(self, config: Config) -> CheckResult:
        """Demo check: nothing is contacted, but a missing account or a malformed API key fails."""
        t0 = time.perf_counter()
        src = self.source
        kind = _kind(src)
        ok, message, hint = True, "", ""
        # Sample data stands in for credentials only where none were given: a typed key is still checked.
        sample = config.get("sample") is True and not ({"account", "api_key"} & set(config))
        if sample and kind in (AuthKind.OAUTH2, AuthKind.API_KEY):
            message = f"Demo: sample {src.name} data; no credentials needed and no real account is contacted"
        elif kind is AuthKind.OAUTH2:
            account = str(reveal(config.get("account")) or "").strip()
            if account:
                message = f"Demo: signed in to {account} (no real account is contacted)"
            else:
                ok, message = False, f"No {src.name} account is signed in."
                hint = "Approve the consent screen to sign in, then try again."
        elif kind is AuthKind.API_KEY:
            ok, message, hint = self._check_key(config)
        elif kind is AuthKind.DATABASE:
            tables = ", ".join(self._def.streams)
            ns = next(iter(self._def.streams.values())).namespace or "public"
            message = f"Demo: sample data in {ns} ({tables}); no database is contacted."
        else:
            name = str(config.get("file_name") or "").strip() or f"{src.name} sample"
            message = f"Demo: sample file '{name}' ({', '.join(self._def.streams)})."
        # what kind of failure (the health view's "what to do"): no sign-in is an authorization to renew, a
        # malformed key a setting that does not fit the source
        failure: FailureKind | None = None
        if not ok:
            failure = FailureKind.AUTH_EXPIRED if kind is AuthKind.OAUTH2 else FailureKind.CONFIG
        return CheckResult(
            ok=ok, message=message, hint=hint, kind=failure, latency_ms=(time.perf_counter() - t0) * 1000
        )

    def _check_key(self, config: Config) -> tuple[bool, str, str]:
        src = self.source
        label, words = KEY_WORDS.get(src.id, (f"{src.name} API key", ""))
        where = src.api_key.where if src.api_key is not None else f"your {src.name} account settings"
        hint = f"Copy the key from {where.rstrip('.')}."
        raw = reveal(config.get("api_key"))
        key = raw if isinstance(raw, str) else ""
        if not key.strip():
            return False, f"The {label} is empty.", hint
        if key != key.strip():
            return False, f"The {label} has spaces or line breaks around it.", "Paste it again without them."
        if src.api_key is not None:
            try:
                matched = re.fullmatch(src.api_key.pattern, key) is not None
            except re.error:  # a broken pattern in the catalogue must not pass every key
                matched = False
            if not matched:
                specific = _diagnose(src.id, key)
                if specific:
                    return False, specific, hint
                what = words or f"it does not have the documented format ({src.api_key.example})"
                return False, f"This is not a {label}: {what}.", hint
        account = str(config.get("account") or "").strip()
        where_to = f" for {account}" if account else ""
        return True, f"Demo: the {label}{where_to} has the right format (no real account is contacted)", ""

    # ------------------------------------------------------------------ discover / read

    def discover(self, config: Config | None = None) -> list[StreamInfo]:
        """The entry's streams, each with its hand-written schema, keys, cursor and size."""
        world = self._world(config)
        return [self._info(self._stream(name), world) for name in self.source.streams]

    def stream_info(self, stream: str) -> StreamInfo:
        """One stream's `StreamInfo` (`NotFound` naming the valid streams)."""
        return self._info(self._stream(stream), self._world(None))

    def read(self, config: Config | None, stream: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """The first ``limit`` records of ``stream`` (at most its size), always the same for this tenant.

        Records are read-only views: nested objects (an order's ``customer``, a billing address) may be
        shared between records of this connector, so copy before changing one.
        """
        sdef = self._stream(stream)
        world = self._world(config)
        yield from world.records(sdef.name, limit)

    def generate(self, stream: str, n: int, *, config: Config | None = None) -> list[dict[str, Any]]:
        """Bulk API: the first ``n`` records of ``stream`` as a list (same records as `read`)."""
        sdef = self._stream(stream)
        return self._world(config).records(sdef.name, n)

    # ------------------------------------------------------------------ helpers

    def _stream(self, name: str) -> StreamDef:
        if name not in self.source.streams or name not in self._def.streams:
            valid = ", ".join(self.source.streams)
            raise NotFound(
                f"{self.source.name} has no stream '{name}'.",
                hint=f"Valid streams: {valid}.",
            )
        return self._def.streams[name]

    def _info(self, sdef: StreamDef, world: World) -> StreamInfo:
        # A copy of the schema: the definitions are shared by every connector in the process, so a
        # caller editing the returned schema (adding a title, dropping a column) must not change them.
        return StreamInfo(
            name=sdef.name,
            json_schema=sdef.schema_copy(),
            primary_key=list(sdef.primary_key),
            cursor_field=sdef.cursor_field,
            estimated_rows=world.rows(sdef.name),
            namespace=sdef.namespace,
        )

    def _default_account(self) -> str:
        return World(self._def, tenant=self.tenant, seed=self.seed).account

    def _world(self, config: Config | None) -> World:
        account = None
        if config:
            value = reveal(config.get("account"))
            account = str(value).strip() if value else None
        world = self._worlds.get(account)
        if world is None:
            world = World(self._def, tenant=self.tenant, seed=self.seed, account=account)
            self._worlds[account] = world
        return world


_HEX = re.compile(r"^[0-9a-fA-F]+$")


def _diagnose(source_id: str, key: str) -> str | None:
    """A precise reason for the common mistakes (a publishable key, a missing suffix), or None.

    Only the documented, non-secret prefixes are ever named; never the key or any other part of it.
    """
    if source_id == "stripe":
        if key.startswith("pk_"):
            return (
                "This is a Stripe publishable key (pk_...): the connector needs the secret key, "
                "which starts with sk_test_ or sk_live_."
            )
        if key.startswith("rk_"):
            return (
                "This is a Stripe restricted key (rk_...): the connector needs the secret key, "
                "which starts with sk_test_ or sk_live_."
            )
        if key.startswith(("sk_test_", "sk_live_")):
            return (
                "This Stripe secret key is incomplete or mistyped: after sk_test_ or sk_live_ come "
                "at least 24 letters and digits."
            )
    if source_id == "woocommerce":
        if key.startswith("cs_"):
            return (
                "This is the WooCommerce consumer secret (cs_...): paste the consumer key, "
                "which starts with ck_."
            )
        if key.startswith("ck_"):
            return (
                "This WooCommerce consumer key is incomplete or mistyped: ck_ is followed by "
                "40 hexadecimal characters."
            )
    if source_id == "mailchimp" and len(key) == 32 and _HEX.match(key):
        return "This Mailchimp API key is missing its data center at the end (like -us21)."
    if source_id == "mixpanel" and _HEX.match(key) and len(key) != 32:
        return f"This is not a Mixpanel project secret: it has {len(key)} characters instead of 32."
    return None


def _definition(source: SourceEntry) -> SourceDef:
    """The demo definition for an entry: its own, a database alias, or generic streams for unknown names.

    Cached per (id, auth kind, streams): the definitions are code, so one object per shape is enough,
    and every connector for it shares the process-wide stream sizes (see `World`).
    """
    return _definition_for(source.id, _kind(source), tuple(source.streams))


def _kind(source: SourceEntry) -> AuthKind:
    """The entry's auth kind as the enum (already one when the entry was validated: no enum call)."""
    kind = source.auth_kind
    return kind if type(kind) is AuthKind else AuthKind(kind)


@lru_cache(maxsize=256)
def _definition_for(source_id: str, kind: AuthKind, stream_names: tuple[str, ...]) -> SourceDef:
    known = get_source(source_id)
    if known is None and kind is AuthKind.DATABASE:
        known = database_alias(source_id)
    missing = [s for s in stream_names if known is None or s not in known.streams]
    if not missing and known is not None:
        return known
    extra = generic_source(source_id, missing)
    streams = dict(known.streams) if known is not None else {}
    streams.update(extra.streams)
    return SourceDef(
        source_id, streams, known.default_account if known is not None else extra.default_account
    )


__all__ = ["KEY_WORDS", "DemoConnector"]

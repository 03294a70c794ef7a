"""A connection's stored config -> the Airbyte source configuration for the same connector (API v1).

The mapping per kind (verified against the components of Airbyte's ``api_sdk.yaml``, see the tests):

- live Airbyte connectors (a ``connector_package`` in the catalogue): the hub's specs are Airbyte's own,
  so the config passes unchanged, plus ``sourceType`` (the definition name without ``source-``);
- PostgreSQL / Supabase -> ``source-postgres``: host, port, database, username, password, schemas,
  ``ssl_mode`` {mode, ca_certificate} (same mode names), ``replication_method`` {method: Standard}
  (cursor-based: CDC needs a replication slot and publication the hub never asked for), no tunnel;
- MySQL / MariaDB -> ``source-mysql``: the same fields without schemas, ssl modes
  preferred/required/verify_ca/verify_identity, ``replication_method`` {method: STANDARD};
- OAuth sources: the config unchanged, and every object holding a ``refresh_token`` gets the
  ``client_id`` / ``client_secret`` of the hub's OAuth app for that provider, the app that issued the
  token (Airbyte cannot refresh a token with another app's credentials, airbytehq/airbyte#79592);
- demo connections, uploaded or local files and SQLite files: refused, with the reason.

Who refreshes rotated tokens after a hand-off: Airbyte. Providers that rotate refresh tokens invalidate
the old one on each refresh, so two parties refreshing lock one of them out. Once a connection is handed
off its metadata says so (``airbyte.handed_off``) and `hub_may_refresh` is False: the hub's token refresh
must skip it, and the hub follows that connection's health through Airbyte's jobs instead.

The hub's own connection options with no Airbyte field (``connect_timeout``) are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub.connectors.airbyte.specs import shipped_spec, typed_credentials
from hub.connectors.base import validator_for
from hub.exceptions import InputError
from hub.models import AuthKind, Connection, Mode, SourceEntry, Status
from hub.settings import Settings

#: Catalogue ids whose OAuth app is shared with another id (one Google app serves GA4 and Sheets).
OAUTH_PROVIDER = {"google-analytics": "google", "google-sheets": "google"}
#: Where source-file reads from without the hub's disk.
REMOTE_SCHEMES = {"http", "https", "s3", "gs", "gcs", "az", "azure", "sftp", "ssh", "scp"}


class NotHandOffable(InputError):
    """A connection that cannot be handed off to Airbyte (the message says why)."""


@dataclass(frozen=True)
class SourcePlan:
    """What the hand-off sends for one connection: Airbyte's ``sourceType`` and the configuration.

    ``configuration`` holds secrets in the clear, only for the API call: it is excluded from the repr.
    """

    source_type: str
    configuration: dict[str, Any] = field(repr=False)


def handed_off(conn: Connection) -> bool:
    """True when the connection's metadata records a hand-off (Airbyte owns its syncs and tokens)."""
    return bool((conn.metadata.get("airbyte") or {}).get("handed_off"))


def health_through_airbyte(conn: Connection) -> bool:
    """Whether the connection's health follows its Airbyte jobs, not the hub's checks.

    A handed-off sign-in: Airbyte refreshes its tokens now, so a check with the hub's copy would fail on
    an expired access token and page someone for nothing. Its health is the job status that the Next
    steps page (or ``handoff jobs``) reads from Airbyte.
    """
    return handed_off(conn) and "oauth" in conn.metadata


def hub_may_refresh(conn: Connection) -> bool:
    """Whether the hub may refresh this connection's OAuth tokens: not once Airbyte has them, nor gone."""
    return not handed_off(conn) and conn.status is not Status.DISCONNECTED


def source_plan(
    conn: Connection, source: SourceEntry, config: Mapping[str, Any], settings: Settings
) -> SourcePlan:
    """The Airbyte source configuration for ``conn``; ``config`` is the decrypted stored config."""
    name = conn.name
    if conn.mode is Mode.DEMO:
        raise NotHandOffable(
            f"'{name}' is a demo connection: its data is synthetic and exists only inside the hub.",
            hint="Connect the real source (live mode), then hand it off.",
        )
    if source.airbyte_connector is None or source.id == "sqlite":
        raise NotHandOffable(
            f"'{name}' reads a SQLite file on the hub's own disk, which Airbyte cannot reach.",
            hint="Copy the data into a database server (e.g. PostgreSQL), connect that, and hand it off.",
        )
    if source.airbyte_connector == "source-postgres":
        return SourcePlan("postgres", _database(config, schemas=True, standard="Standard"))
    if source.airbyte_connector == "source-mysql":
        return SourcePlan("mysql", _database(config, schemas=False, standard="STANDARD"))
    if source.auth_kind is AuthKind.FILE:
        _require_remote_file(name, config)
    out = _plain(config)
    if source.auth_kind is AuthKind.OAUTH2 and not _typed_credentials(source, out):
        client_id, client_secret = _oauth_app(settings, source)
        if not _inject_app(out, client_id, client_secret):
            raise NotHandOffable(
                f"'{name}' has no refresh token stored, so Airbyte could not keep it signed in.",
                hint="Reconnect the source (sign in again), then hand it off.",
            )
    return SourcePlan(source.airbyte_connector.removeprefix("source-"), out)


def _typed_credentials(source: SourceEntry, config: Mapping[str, Any]) -> bool:
    """Whether an OAuth source's ``config`` holds credentials a user typed (a private app token...).

    Those are the connector's own config, handed over unchanged; a sign-in's tokens need the hub's app.
    """
    if source.connector_package is None:
        return False
    spec = typed_credentials(shipped_spec(source.connector_package))
    return spec is not None and validator_for(spec).is_valid(dict(config))


def _plain(config: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy with `SecretStr` values revealed (the copy goes to Airbyte only)."""

    def reveal(value: Any) -> Any:
        if hasattr(value, "get_secret_value"):
            return value.get_secret_value()
        if isinstance(value, Mapping):
            return {k: reveal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [reveal(v) for v in value]
        return value

    return {k: reveal(v) for k, v in config.items()}


def _database(config: Mapping[str, Any], *, schemas: bool, standard: str) -> dict[str, Any]:
    cfg = _plain(config)
    out: dict[str, Any] = {
        "host": cfg["host"],
        "port": int(cfg["port"]),
        "database": cfg["database"],
        "username": cfg["username"],
        "replication_method": {"method": standard},
        "tunnel_method": {"tunnel_method": "NO_TUNNEL"},
    }
    if cfg.get("password"):
        out["password"] = cfg["password"]
    if schemas:
        out["schemas"] = list(cfg.get("schemas") or ["public"])
    ssl = cfg.get("ssl_mode") or {}
    if ssl.get("mode"):
        out["ssl_mode"] = {"mode": ssl["mode"]}
        if ssl.get("ca_certificate"):
            out["ssl_mode"]["ca_certificate"] = ssl["ca_certificate"]
    return out


def _require_remote_file(name: str, config: Mapping[str, Any]) -> None:
    storage = str((config.get("provider") or {}).get("storage") or "").lower()
    url = str(config.get("url") or "")
    scheme = urlsplit(url).scheme.lower()
    if storage == "local" or scheme not in REMOTE_SCHEMES:
        raise NotHandOffable(
            f"'{name}' reads a file on the hub's own disk (an upload or a local path), which Airbyte "
            "cannot reach.",
            hint="Put the file where Airbyte can read it (HTTPS, S3, GCS, Azure, SFTP) and connect that URL.",
        )


def _oauth_app(settings: Settings, source: SourceEntry) -> tuple[str, str]:
    """The hub's OAuth app (client id, secret) for the source's provider, read tolerant of absence.

    The OAuth settings belong to the OAuth work (one pair per provider); this reads either a
    ``settings.oauth_app(provider)`` accessor or ``oauth_<provider>_client_id`` / ``_client_secret`` fields.
    """
    provider = OAUTH_PROVIDER.get(source.id, source.id).replace("-", "_").lower()
    client_id: Any = None
    client_secret: Any = None
    accessor = getattr(settings, "oauth_app", None)
    if callable(accessor):
        app = accessor(provider)
        if isinstance(app, tuple) and len(app) == 2:
            client_id, client_secret = app
        elif app is not None:
            client_id, client_secret = getattr(app, "client_id", None), getattr(app, "client_secret", None)
    else:
        client_id = getattr(settings, f"oauth_{provider}_client_id", None)
        client_secret = getattr(settings, f"oauth_{provider}_client_secret", None)
    if hasattr(client_secret, "get_secret_value"):
        client_secret = client_secret.get_secret_value()
    if not client_id or not client_secret:
        raise NotHandOffable(
            f"'{source.name}' was authorised through an OAuth app whose credentials the hub does not have, "
            "and Airbyte needs them to refresh the token.",
            hint=f"Set the hub's OAuth app for {provider.upper()} (client id and secret; README, OAuth), "
            "then hand it off.",
        )
    return str(client_id), str(client_secret)


def _inject_app(config: dict[str, Any], client_id: str, client_secret: str) -> bool:
    """Put the app's credentials next to every ``refresh_token``; False when there is none."""
    found = False
    if "refresh_token" in config:
        config["client_id"], config["client_secret"] = client_id, client_secret
        found = True
    for value in config.values():
        if isinstance(value, dict) and _inject_app(value, client_id, client_secret):
            found = True
    return found

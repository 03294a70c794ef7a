"""`AirbyteConnector`: a catalogue source served live by its pinned ``airbyte-source-*`` package."""

from __future__ import annotations

import hashlib
import json
import shlex
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from airbyte_protocol.models import Status as AirbyteStatus
from airbyte_protocol.models import Type
from pydantic import SecretStr

from hub.connectors.airbyte.install import Installer, Progress
from hub.connectors.airbyte.runner import LOG_LINES, Run
from hub.connectors.airbyte.specs import shipped_spec, typed_credentials
from hub.connectors.base import Config, Connector, reveal_config, secret_fields
from hub.exceptions import ConnectorError
from hub.models import AuthKind, CheckResult, ConnectorPackage, SourceEntry, StreamInfo

if TYPE_CHECKING:
    from hub.settings import Settings


def installer_for(settings: Settings) -> Installer:
    """The installer of the connectors' venvs, as the settings say."""
    return Installer(
        settings.connectors_path,
        python=settings.connector_python,
        timeout=settings.connector_install_timeout_s,
    )


class AirbyteConnector(Connector):
    """spec from the shipped file; check, discover and read by running the installed connector.

    The first operation that needs the connector installs it (`Installer.ensure`), reporting through
    ``on_progress``. ``on_control`` receives a config the connector updated itself (CONTROL message).
    ``logs`` holds the last LOG lines of the latest run, scrubbed of secrets.
    """

    concurrent_check_discover = True  # two subprocesses; the runner keeps nothing shared between runs

    def __init__(self, source: SourceEntry, *, settings: Settings | None = None) -> None:
        super().__init__(source)
        if source.connector_package is None:
            raise ConnectorError(f"{source.name} has no Airbyte connector package in the catalogue.")
        from hub.settings import Settings

        self.package: ConnectorPackage = source.connector_package
        self.settings = settings or Settings()
        self.installer = installer_for(self.settings)
        self.on_progress: Progress | None = None
        self.on_control: Callable[[dict[str, Any]], None] | None = None
        self.logs: deque[str] = deque(maxlen=LOG_LINES)
        self._streams: dict[
            str, dict[str, dict[str, Any]]
        ] = {}  # config fingerprint -> name -> AirbyteStream

    def spec(self) -> dict[str, Any]:
        """The ``connectionSpecification`` of the pinned version (shipped; no install needed).

        All of it: a stored config may hold a sign-in's tokens (`hub.oauth.connect`) or typed credentials,
        and either validates, and has its secret fields wrapped, against it.
        """
        spec: dict[str, Any] = shipped_spec(self.package)["connectionSpecification"]
        return spec

    def form_spec(self) -> dict[str, Any]:
        """What a user fills in: for an OAuth source, the part a user can type.

        That is `typed_credentials`: a token, never the sign-in's option, which only the OAuth flow fills
        (`hub.oauth.connect`). Any other source's is its whole spec.
        """
        if self.source.auth_kind is AuthKind.OAUTH2:
            typed = typed_credentials(shipped_spec(self.package))
            if typed is not None:
                return typed
        return self.spec()

    # ------------------------------------------------------------------ operations

    def check(self, config: Config) -> CheckResult:
        """``check``: SUCCEEDED, or FAILED with the connector's message (a TRACE error counts as FAILED)."""
        started = time.perf_counter()
        run = self._run("check", config, timeout=self.settings.connector_check_timeout_s)
        try:
            statuses = [m.connectionStatus for m in run.messages() if m.connectionStatus is not None]
        except ConnectorError as exc:
            return CheckResult(ok=False, message=exc.message, hint=exc.hint, transient=exc.transient)
        finally:
            self.logs = run.logs
        latency = round((time.perf_counter() - started) * 1000, 1)
        if not statuses:
            return CheckResult(
                ok=False,
                message=f"The {self.source.name} connector finished its check without a result.",
                hint="Retry; if it persists, the server log has the connector's output.",
                latency_ms=latency,
            )
        status = statuses[-1]
        if status.status is AirbyteStatus.SUCCEEDED:
            return CheckResult(ok=True, message=status.message or "Access confirmed.", latency_ms=latency)
        return CheckResult(
            ok=False,
            # the CDK quotes its message (a repr), sometimes twice: the user sees the words only
            message=(status.message or f"The {self.source.name} connector refused the connection.")
            .strip()
            .strip("'\""),
            hint="Correct the connection details and try again.",
            latency_ms=latency,
        )

    def discover(self, config: Config) -> list[StreamInfo]:
        """``discover``: the streams with their JSON Schemas, primary keys and default cursors."""
        run = self._run("discover", config, timeout=self.settings.connector_discover_timeout_s)
        try:
            catalogs = [m.catalog for m in run.messages() if m.catalog is not None]
        finally:
            self.logs = run.logs
        if not catalogs:
            raise ConnectorError(
                f"The {self.source.name} connector listed no streams.",
                hint="Check the connection details; the server log has the connector's output.",
            )
        raw = [s.model_dump(mode="json", exclude_none=True) for s in catalogs[-1].streams]
        self._streams[_fingerprint(config)] = {s["name"]: s for s in raw}
        return [_stream_info(s) for s in raw]

    def read(self, config: Config, stream: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """Up to ``limit`` records of ``stream`` (full refresh); the connector is stopped at ``limit``."""
        known = self._streams.get(_fingerprint(config))
        if known is None:
            self.discover(config)
            known = self._streams[_fingerprint(config)]
        if stream not in known:
            raise ConnectorError(
                f"{self.source.name} has no stream {stream!r}.", hint=f"Streams: {', '.join(known)}."
            )
        catalog = {
            "streams": [
                {
                    "stream": known[stream],
                    "sync_mode": "full_refresh",
                    "destination_sync_mode": "overwrite",
                }
            ]
        }
        if limit <= 0:
            return
        run = self._run("read", config, catalog=catalog, timeout=self.settings.connector_read_timeout_s)
        messages = run.messages()
        count = 0
        try:
            for message in messages:
                record = message.record
                if message.type is Type.RECORD and record is not None and record.stream == stream:
                    yield record.data
                    count += 1
                    if count >= limit:
                        break
        finally:
            messages.close()  # stops the connector at once when the preview has its records
            self.logs = run.logs

    def recent_logs(self) -> list[str]:
        """The connector's last LOG (and stderr) lines of its latest run, scrubbed of the config's secrets."""
        return list(self.logs)

    def needs_install(self) -> bool:
        """True until the pinned package's venv is in place."""
        return not self.installer.is_installed(self.package)

    def install(self, on_progress: Callable[[str], None] | None = None) -> None:
        """Install the pinned package now (once; `Installer.ensure`), reporting to ``on_progress``."""
        self.installer.ensure(self.package, on_progress=on_progress or self.on_progress)

    def catalog(self, config: Config) -> dict[str, Any] | None:
        """The AirbyteStreams discovered with ``config`` (name -> stream), for the connection's metadata."""
        known = self._streams.get(_fingerprint(config))
        return dict(known) if known is not None else None

    def known_streams(self, config: Config, catalog: Mapping[str, Any]) -> list[StreamInfo] | None:
        """Take a stored catalog as discovered: a preview then runs only ``read``."""
        if not catalog or not all(isinstance(v, Mapping) and "name" in v for v in catalog.values()):
            return None
        streams = {str(k): dict(v) for k, v in catalog.items()}
        self._streams[_fingerprint(config)] = streams
        return [_stream_info(s) for s in streams.values()]

    def sample_config(self) -> Config | None:
        """None: sample data is the demo connector's ("Use sample data")."""
        return None

    # ------------------------------------------------------------------ helpers

    def _run(
        self, verb: str, config: Config, *, timeout: float, catalog: Mapping[str, Any] | None = None
    ) -> Run:
        self.installer.ensure(self.package, on_progress=self.on_progress)
        wrapper = shlex.split(self.settings.connector_wrapper or "")
        env: dict[str, str] = {}
        if self.settings.connector_ca_bundle is not None:
            bundle = str(self.settings.connector_ca_bundle)
            env = {"REQUESTS_CA_BUNDLE": bundle, "SSL_CERT_FILE": bundle}
        return Run(
            [*wrapper, *self.installer.command(self.package)],
            verb,
            env=env,
            config=reveal_config(config),
            catalog=catalog,
            timeout=timeout,
            max_message_bytes=int(self.settings.connector_max_message_mb * 1_000_000),
            secrets=_secrets(self.spec(), config),
            on_control=self.on_control,
            name=f"The {self.source.name} connector",
        )


def _secrets(spec: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Every secret string of ``config``: its `SecretStr` values and the fields the spec marks secret."""
    marked = set(secret_fields(spec))
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, str) and path in marked:
            found.append(value)

    walk(config, "")
    return found


def _fingerprint(config: Config) -> str:
    """A digest of the config: `read` reuses the streams discovered with it (never the plain config)."""
    text = json.dumps(reveal_config(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _stream_info(raw: Mapping[str, Any]) -> StreamInfo:
    keys = raw.get("source_defined_primary_key") or []
    cursor = raw.get("default_cursor_field") or []
    return StreamInfo(
        name=raw["name"],
        json_schema=raw.get("json_schema") or {},
        primary_key=[".".join(k) for k in keys],
        cursor_field=".".join(cursor) if cursor else None,
        namespace=raw.get("namespace"),
    )

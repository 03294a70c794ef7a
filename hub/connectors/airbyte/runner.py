"""Run one Airbyte protocol operation (spec, check, discover, read) of an installed connector.

The connector runs as a subprocess in its own process group. Its config and catalog go in files of a
private temporary folder (0700, files 0600) deleted afterwards, never in argv or the environment. Its
stdout is read line by line, each line bounded in size and parsed with the protocol's own models
(`airbyte-protocol-models-pdv2`); lines that are not messages are logged and skipped. LOG messages are
kept (the last ones, scrubbed of secrets), a TRACE error becomes a `ConnectorError` with the
connector's message for users, CONTROL messages (a new config) go to a callback at once.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from airbyte_protocol.models import AirbyteMessage, Type
from pydantic import ValidationError

from hub.connectors.airbyte import procs
from hub.exceptions import ConnectorError

log = logging.getLogger(__name__)

#: LOG lines kept per run, for troubleshooting.
LOG_LINES = 50


def scrubber(secrets: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces every one of ``secrets`` in a text with ``****``."""
    words = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 3}, key=len, reverse=True)

    def scrub(text: str) -> str:
        for word in words:
            text = text.replace(word, "****")
        return text

    return scrub


@contextmanager
def private_files(files: Mapping[str, Any]) -> Iterator[dict[str, Path]]:
    """Each of ``files`` (name -> JSON value) written to a 0600 file in a fresh 0700 folder, removed after."""
    folder = Path(tempfile.mkdtemp(prefix="hub-connector-"))  # mkdtemp makes it 0700
    paths: dict[str, Path] = {}
    try:
        for name, value in files.items():
            path = folder / f"{name}.json"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh)
            paths[name] = path
        yield paths
    finally:
        for path in paths.values():
            path.unlink(missing_ok=True)
        folder.rmdir()


class Run:
    """One operation of a connector; iterate `messages()` once.

    Args:
        command: the connector's command (its venv's python and entry script).
        verb: ``spec``, ``check``, ``discover`` or ``read``.
        config: the plain config (secrets revealed), written to a private file; None for ``spec``.
        catalog: the configured catalog for ``read``.
        timeout: seconds the whole operation may take; then the process group is ended.
        max_message_bytes: the largest single line (message) accepted.
        secrets: strings scrubbed from everything logged or kept.
        on_control: called with a connector's new config (a CONTROL message) as soon as it arrives.
        name: the connector's name in messages ("The Faker connector ...").
        env: variables added to the child's environment (never a secret: configs go in files).

    """

    def __init__(
        self,
        command: list[str],
        verb: str,
        *,
        config: Mapping[str, Any] | None = None,
        catalog: Mapping[str, Any] | None = None,
        timeout: float,
        max_message_bytes: int,
        secrets: Iterable[str] = (),
        on_control: Callable[[dict[str, Any]], None] | None = None,
        name: str = "The connector",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.command = command
        self.verb = verb
        self.config = config
        self.catalog = catalog
        self.timeout = timeout
        self.max_message_bytes = max_message_bytes
        self.scrub = scrubber(secrets)
        self.on_control = on_control
        self.name = name
        self.env = dict(env or {})
        self.logs: deque[str] = deque(maxlen=LOG_LINES)
        self.timed_out = False
        self.pid: int | None = None  # the connector's process (and group) id while it runs

    def messages(self) -> Generator[AirbyteMessage, None, None]:
        """The connector's messages other than LOG, TRACE and CONTROL (handled here), as they arrive.

        Closing the iterator early (a preview that has its records) ends the connector at once.
        Raises `ConnectorError`: a TRACE error (the connector's own message), a time limit, an oversized
        message, or an exit other than 0.
        """
        files: dict[str, Any] = {}
        if self.config is not None:
            files["config"] = dict(self.config)
        if self.catalog is not None:
            files["catalog"] = dict(self.catalog)
        with private_files(files) as paths:
            argv: list[str | Path] = [*self.command, self.verb]
            for name, path in paths.items():
                argv += [f"--{name}", path]
            proc = procs.start(
                argv,
                cwd=next(iter(paths.values())).parent if paths else None,
                env=procs.child_env(self.env),
            )
            self.pid = proc.pid
            timer = threading.Timer(self.timeout, self._expire, args=(proc,))
            timer.daemon = True
            timer.start()
            stderr = threading.Thread(target=self._drain_stderr, args=(proc,), daemon=True)
            stderr.start()
            error: ConnectorError | None = None
            wanted = True  # False once the caller closed the iterator: the rest of the output is unwanted
            try:
                assert proc.stdout is not None
                while True:
                    try:
                        line = proc.stdout.readline(self.max_message_bytes + 1)
                    except ValueError:  # closed by the time limit while waiting
                        break
                    if not line:
                        break
                    if len(line) > self.max_message_bytes:
                        raise self._too_big()
                    message = self._parse(line)
                    if message is None:
                        continue
                    if message.type is Type.LOG and message.log is not None:
                        self._log(message.log.level.value, message.log.message)
                    elif message.type is Type.TRACE and message.trace is not None:
                        error = self._trace(message) or error
                    elif message.type is Type.CONTROL and message.control is not None:
                        self._control(message)
                    else:
                        yield message
            except GeneratorExit:
                wanted = False
                raise
            finally:
                timer.cancel()
                # a limit, an error or a shutdown lets the connector end cleanly (TERM, then KILL); a caller
                # that has its records kills it at once, as a bare `kill` would
                code = procs.stop(proc, grace=procs.GRACE_S if wanted else 0)
                stderr.join(timeout=1)
            if self.timed_out:
                raise ConnectorError(
                    f"{self.name} did not finish `{self.verb}` within {self.timeout:g} seconds "
                    "and was stopped.",
                    hint="Retry later; if it keeps happening, check the source's status or raise the time "
                    "limit (see README, Settings).",
                    transient=True,
                )
            if error is not None:
                raise error
            if code != 0:
                how = f"was killed (signal {-code})" if code < 0 else f"exited with code {code}"
                last = f" Last log line: {self.logs[-1]}" if self.logs else ""
                raise ConnectorError(
                    f"{self.name} {how} during `{self.verb}`.{last}",
                    hint="Retry; if it persists, the server log has the connector's output.",
                    transient=True,
                )

    def _expire(self, proc: Any) -> None:
        self.timed_out = True
        procs.stop(proc)

    def _too_big(self) -> ConnectorError:
        mb = self.max_message_bytes / 1_000_000
        return ConnectorError(
            f"{self.name} sent a single message (record) larger than {mb:g} MB during `{self.verb}`; "
            "it was stopped.",
            hint="Choose another stream, or raise HUB_CONNECTOR_MAX_MESSAGE_MB.",
        )

    def _parse(self, line: bytes) -> AirbyteMessage | None:
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            return None
        try:
            return AirbyteMessage.model_validate_json(text)
        except ValidationError:
            log.info("%s: not a protocol message: %s", self.name, self.scrub(text[:500]))
            return None

    def _log(self, level: str, text: str) -> None:
        clean = self.scrub(text)
        self.logs.append(f"{level} {clean}")
        log.debug("%s: %s %s", self.name, level, clean)

    def _drain_stderr(self, proc: Any) -> None:
        try:
            for raw in proc.stderr:
                self._log("STDERR", raw.decode("utf-8", errors="replace").rstrip()[:2000])
        except (ValueError, OSError):  # closed while reading: the process was ended
            pass

    def _trace(self, message: AirbyteMessage) -> ConnectorError | None:
        trace = message.trace
        if trace is None or trace.error is None:
            return None
        err = trace.error
        log.warning(
            "%s reported an error during %s: %s\n%s",
            self.name,
            self.verb,
            self.scrub(err.internal_message or ""),
            self.scrub(err.stack_trace or ""),
        )
        kind = err.failure_type.value if err.failure_type is not None else "system_error"
        text = self.scrub(err.message or "").strip() or f"{self.name} failed during `{self.verb}`."
        return ConnectorError(
            text,
            hint="Correct the connection details and try again."
            if kind == "config_error"
            else "Retry; if it persists, the server log has the details.",
            transient=kind == "transient_error",
        )

    def _control(self, message: AirbyteMessage) -> None:
        control = message.control
        update = getattr(control, "connectorConfig", None)
        config = getattr(update, "config", None)
        if config is None or self.on_control is None:
            return
        new = config if isinstance(config, dict) else config.model_dump()
        self.on_control(new)
        log.info("%s updated its own config (CONTROL); stored", self.name)

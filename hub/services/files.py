"""Connecting a file source from a file the user hands over (app upload, API multipart, CLI ``--file``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

from hub.exceptions import InputError
from hub.models import AuthKind, Connection, Mode
from hub.services.connections import Connections
from hub.services.probe import StepCallback


class FileSources(Connections):
    """`connect_file`: store the file in the tenant's folder, then the one connect path."""

    def connect_file(
        self,
        source_id: str,
        data: IO[bytes] | Iterable[bytes],
        *,
        file_name: str,
        actor: str,
        file_format: str | None = None,
        reader_options: Mapping[str, Any] | None = None,
        name: str | None = None,
        connection_id: str | None = None,
        on_step: StepCallback | None = None,
        sample_limit: int | None = None,
    ) -> Connection:
        """Connect ``source_id`` live on an uploaded file; with ``connection_id``, reconnect that failed one.

        ``file_name`` is the name the user gave (a label, never a path); ``file_format`` a format they
        chose, else the extension says it; ``reader_options`` the reader's options
        (`hub.uploads.reader_options`: a delimiter, an encoding). The file is stored under the size limit
        (`FileTooLarge` keeps nothing), then connected like any config (check, discover, sample: a failed
        check is stored as ``failed`` and keeps the file for a retry). When the connect stores nothing
        (the config is refused, the source is no file source), the file is deleted again.
        """
        source = self.hub.catalogue.get(source_id)
        if source.auth_kind is not AuthKind.FILE:
            raise InputError(
                f"{source.name} is not a file source; it cannot take an uploaded file.",
                hint="Upload to a file source such as `csv` or `excel`.",
            )
        uploads = self.uploads()
        stored = uploads.save(data, label=file_name, chosen=file_format)
        config = stored.config(reader_options)
        try:
            if connection_id is not None:
                return self.reconnect(
                    connection_id,
                    config,
                    actor=actor,
                    on_step=on_step,
                    sample_limit=sample_limit,
                    file_label=stored.label,
                )
            return self.connect(
                source.id,
                config,
                actor=actor,
                mode=Mode.LIVE,
                name=name,
                on_step=on_step,
                sample_limit=sample_limit,
                file_label=stored.label,
            )
        except BaseException:
            if not self._file_in_use(stored.path.name):
                uploads.delete(stored.path.name)
            raise

    def _file_in_use(self, stored_as: str) -> bool:
        """Whether a stored connection refers to the file (a connect that failed after storing its row)."""
        return any(
            isinstance(c.metadata.get("upload"), dict) and c.metadata["upload"].get("stored_as") == stored_as
            for c in self.list_connections(include_disconnected=False)
        )

"""Files as sources: each tenant's uploaded files, and what a file source's config may point at.

A file source is read by ``airbyte-source-file`` with *local* storage from a file the hub holds:

- an upload (app, API or CLI) is written by `Uploads.save` to ``<HUB_UPLOADS_DIR>/<tenant id>/`` (folders
  0700, files 0600) under a random name; the name the user gave is kept only as a label
  (``file_name`` in the config), never used as a path;
- a file given by HTTPS URL is downloaded by the hub itself (`hub.downloads`) into the same folder,
  through the host policy, and then read like an upload.

`checked_file_config` is the guard every live connect of a file source goes through: a local path must
be a file in the tenant's own folder (never another tenant's file, nor any other file of the server),
and the connector's remote storages (S3, GCS, SSH...) are refused, since the connector would reach
them without the host policy. The file is deleted on disconnect, and when a connect stores nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hub.exceptions import ConfigError, FileTooLarge, InputError

#: File name extension -> the connector's ``format``.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel_binary",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
#: A format chosen without an extension that says it: the extension the stored copy gets.
_EXTENSION_OF = {
    "csv": ".csv",
    "excel": ".xlsx",
    "excel_binary": ".xlsb",
    "json": ".json",
    "jsonl": ".jsonl",
    "parquet": ".parquet",
}
#: The formats a user may pick for a file whose name does not say it, in their words.
FORMAT_NAMES: dict[str, str] = {
    "csv": "CSV (or other delimited text)",
    "excel": "Excel",
    "json": "JSON",
    "jsonl": "JSON Lines",
    "parquet": "Parquet",
}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,7}$")
_CHUNK = 1 << 20


def supported() -> str:
    """The extensions the hub reads, for messages: ``.csv, .tsv, ...``."""
    return ", ".join(FORMATS)


def file_format(label: str, choice: str | None = None) -> str:
    """The connector ``format`` of a file: ``choice`` if given, else from ``label``'s extension."""
    if choice:
        if choice not in _EXTENSION_OF:
            raise InputError(
                f"Unknown file format {choice!r}.", hint=f"Choose one of: {', '.join(_EXTENSION_OF)}."
            )
        return choice
    ext = Path(label).suffix.lower()
    if ext not in FORMATS:
        said = f"ends with {ext!r}" if ext else "has no extension"
        raise InputError(
            f"The file name {label!r} {said}; the hub reads {supported()} files.",
            hint="Rename the file with the extension of its format, or choose the format.",
        )
    return FORMATS[ext]


def detected_format(label: str) -> str | None:
    """The connector ``format`` ``label``'s extension says, or None (no extension, or one not read here)."""
    return FORMATS.get(Path(label).suffix.lower())


def reader_options(text: str | None = None, **named: Any) -> dict[str, Any]:
    """The file connector's ``reader_options`` (keyword arguments of its pandas reader).

    ``text`` is a JSON object typed by the user (the API's and CLI's ``reader_options``, the form's "more
    options"); ``named`` are the form's pickers (``sep="; "``), which win over the text. Empty values
    are left out. `InputError` when the text is not a JSON object.
    """
    options: dict[str, Any] = {}
    if text is not None and text.strip():
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            parsed = exc
        if not isinstance(parsed, dict):
            raise InputError(
                "The reader options are not a JSON object.",
                hint='Write them as {"name": value}, for example {"sep": ";", "encoding": "latin-1"}, or '
                "leave them empty.",
            )
        options.update(parsed)
    options.update({k: v for k, v in named.items() if v not in (None, "")})
    return options


def clean_label(name: str) -> str:
    """The name a user gave a file, as a label: its last path part, printable, at most 200 characters."""
    last = re.split(r"[\\/]", name or "")[-1]
    text = "".join(ch for ch in last if ch.isprintable()).strip()
    return text[:200] or "file"


def dataset_name(label: str) -> str:
    """The stream name of a file: its name without the extension, in letters, digits and underscores."""
    stem = Path(label).stem if Path(label).suffix.lower() in FORMATS else label
    name = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_").lower()
    return name[:100] or "file"


@dataclass(frozen=True)
class StoredFile:
    """A file the hub holds for a tenant: ``path`` on disk, ``label`` the name the user gave."""

    path: Path
    label: str
    format: str
    size: int
    origin: str | None = None  # the URL it was downloaded from (without its query), if any

    def config(self, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``airbyte-source-file`` config that reads this file with local storage.

        Nothing but the connector's own fields: it passes them to its reader as keyword arguments (and an
        Airbyte server would too), so the label stays in the connection's metadata. ``options`` are the
        reader's (`reader_options`); a ``.tsv`` file is read with a tab unless they say otherwise.
        """
        config: dict[str, Any] = {
            "dataset_name": dataset_name(self.label),
            "format": self.format,
            "url": str(self.path),
            "provider": {"storage": "local"},
        }
        merged: dict[str, Any] = {"sep": "\t"} if Path(self.label).suffix.lower() == ".tsv" else {}
        merged.update(options or {})
        if merged:
            config["reader_options"] = json.dumps(merged)
        return config


class Uploads:
    """One tenant's folder of files: save (size-limited), find, delete."""

    def __init__(self, root: Path, tenant_id: str, *, max_bytes: int) -> None:
        if not re.fullmatch(r"[0-9A-Za-z-]{1,64}", tenant_id):
            raise ValueError(f"not a tenant id: {tenant_id!r}")
        self.root = root.resolve()  # absolute: the connector runs in another folder (HUB_HOME may be ./.hub)
        self.folder = self.root / tenant_id
        self.max_bytes = max_bytes

    def _ensure_folder(self) -> Path:
        for path in (self.root, self.folder):
            path.mkdir(mode=0o700, exist_ok=True, parents=True)
            path.chmod(0o700)  # mkdir's mode is masked by the umask
        return self.folder

    def too_large(self, label: str) -> FileTooLarge:
        """The error for a file over the limit."""
        mb = self.max_bytes / 1_000_000
        return FileTooLarge(
            f"{label!r} is larger than {mb:g} MB, the largest file this hub takes (HUB_UPLOAD_MAX_MB).",
            hint="Upload a smaller file (e.g. an export of fewer rows), or ask an administrator to raise "
            "HUB_UPLOAD_MAX_MB.",
        )

    def save(self, data: IO[bytes] | Iterable[bytes], *, label: str, chosen: str | None = None) -> StoredFile:
        """Write ``data`` (a binary file or chunks) to a new 0600 file; `FileTooLarge` keeps nothing.

        ``chosen`` is a format the user picked; None takes it from ``label``'s extension.
        """
        label = clean_label(label)
        fmt = file_format(label, chosen)
        ext = Path(label).suffix.lower()
        if FORMATS.get(ext) != fmt:
            ext = _EXTENSION_OF[fmt]
        path = self._ensure_folder() / f"{uuid.uuid4().hex}{ext}"
        chunks = _chunks(data)
        size = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self.too_large(label)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if size == 0:
            path.unlink(missing_ok=True)
            raise InputError(f"{label!r} is empty.", hint="Upload a file with a header row and data.")
        return StoredFile(path=path, label=label, format=fmt, size=size)

    def owned(self, url: str) -> Path | None:
        """The file ``url`` names when it is one of this tenant's stored files, else None."""
        path = Path(url)
        if not path.is_absolute() or path.parent != self.folder or not _STORED_NAME.match(path.name):
            return None
        return path if path.is_file() and not path.is_symlink() else None

    def delete(self, stored_as: str) -> bool:
        """Delete a stored file by its stored name; False when there was none."""
        if not _STORED_NAME.match(stored_as or ""):
            return False
        path = self.folder / stored_as
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def remove_all(self) -> None:
        """Delete the tenant's folder (tests and tenant removal)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _chunks(data: IO[bytes] | Iterable[bytes]) -> Iterable[bytes]:
    read = getattr(data, "read", None)
    if read is None:
        yield from data
        return
    while chunk := read(_CHUNK):
        yield chunk


def storage_of(config: Mapping[str, Any]) -> str | None:
    """The ``provider.storage`` of a file config (None when absent)."""
    provider = config.get("provider")
    if isinstance(provider, Mapping):
        storage = provider.get("storage")
        return str(storage) if storage is not None else None
    return None


def upload_metadata(
    uploads: Uploads, config: Mapping[str, Any], *, label: str | None
) -> dict[str, Any] | None:
    """What a connection's metadata keeps of its file (label, stored name, size, format), if it has one."""
    if storage_of(config) != "local":
        return None
    path = uploads.owned(str(config.get("url") or ""))
    if path is None:
        return None
    return {
        "file_name": label or path.name,
        "stored_as": path.name,
        "size_bytes": path.stat().st_size,
        "format": str(config.get("format") or ""),
    }


def relabel(text: str, uploads: Uploads, upload: Mapping[str, Any] | None) -> str:
    """``text`` (a connector's message) with the stored file's path replaced by the user's name for it."""
    if not upload or not upload.get("stored_as"):
        return text
    path = str(uploads.folder / str(upload["stored_as"]))
    label = repr(str(upload.get("file_name") or "the file"))
    return text.replace(f"file://{path}", label).replace(path, label)


def checked_local(uploads: Uploads, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` when its local path is one of the tenant's stored files; else `ConfigError`."""
    url = str(config.get("url") or "")
    if uploads.owned(url) is None:
        raise ConfigError(
            "A file source reads only a file uploaded to this hub (or downloaded by it from an HTTPS URL).",
            field="url",
            hint="Upload the file (app, `POST /api/connections/upload`, or `connect --file PATH`), or give "
            "its https:// URL with provider storage HTTPS.",
        )
    out = dict(config)
    if not out.get("format"):
        out["format"] = file_format(url)
    return out


def refused_storage(storage: str | None) -> ConfigError:
    """The error for a storage the hub does not let the connector reach by itself."""
    what = f"Reading files from {storage!r}" if storage else "A file source without provider storage"
    return ConfigError(
        f"{what} is not offered by this hub: the connector would reach that server outside the hub's "
        "host policy.",
        field="provider.storage",
        hint="Upload the file, or give its https:// URL (provider storage HTTPS): the hub downloads it.",
    )


__all__ = [
    "FORMATS",
    "StoredFile",
    "Uploads",
    "checked_local",
    "clean_label",
    "dataset_name",
    "file_format",
    "refused_storage",
    "relabel",
    "storage_of",
    "supported",
    "upload_metadata",
]

"""Envelope-free AES-256-GCM for stored connector configs, with key ids so keys can rotate.

* A key ring holds ``(key id, 32-byte key)`` pairs; the first encrypts, all decrypt.
* Keys come from ``HUB_ENCRYPTION_KEYS`` (``id:base64key,id:base64key``) or, on the embedded default only,
  from ``$HUB_HOME/master.key`` (same entries, one per line, newest first), generated with mode 0600 on
  first use. The app calls that a *local key*.
* Each ciphertext is ``base64(nonce || ciphertext+tag)`` with a random 96-bit nonce; the associated data
  binds it to its tenant and connection, so a ciphertext copied to another row or tenant fails to decrypt.
* A malformed entry is an error when the ring is loaded (naming the entry's position and id, never the key).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from hub.exceptions import CryptoError

if TYPE_CHECKING:
    from hub.settings import Settings

KEY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_FILE_NAME = "master.key"
_FORMAT = "v1"
#: The plaintext's JSON (one encoder for every call; the same text as json.dumps with these options).
_CONFIG_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Sealed:
    """A ciphertext and the id of the key that made it (what the database stores)."""

    key_id: str
    token: str

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, token=<{len(self.token)} chars>)"


def generate_entry(key_id: str | None = None) -> str:
    """A new ``id:base64key`` entry (for ``python -m hub keys generate``)."""
    kid = key_id or f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    if not KEY_ID_RE.match(kid):
        raise CryptoError(
            f"Key id {kid!r} is not valid.", hint="Use letters, digits, '.', '_' or '-' (max 64)."
        )
    return f"{kid}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def _aad(tenant_id: str, connection_id: str) -> bytes:
    return f"{_FORMAT}|tenant={tenant_id}|connection={connection_id}".encode()


class KeyRing:
    """The hub's encryption keys. ``repr`` never shows key material."""

    def __init__(self, keys: list[tuple[str, bytes]], *, origin: str, local: bool = False) -> None:
        if not keys:
            raise CryptoError(
                f"No encryption keys in {origin}.", hint="Add an entry made by `python -m hub keys generate`."
            )
        seen: set[str] = set()
        for kid, key in keys:
            if kid in seen:
                raise CryptoError(
                    f"Key id {kid!r} appears twice in {origin}.", hint="Give each key a unique id."
                )
            if len(key) != KEY_BYTES:
                raise CryptoError(f"Key {kid!r} in {origin} is not {KEY_BYTES} bytes.")
            seen.add(kid)
        self._keys: dict[str, AESGCM] = {kid: AESGCM(key) for kid, key in keys}
        self._order = [kid for kid, _ in keys]
        self.origin = origin
        self.local = local

    def __repr__(self) -> str:
        return f"KeyRing(ids={self._order!r}, origin={self.origin!r}, local={self.local})"

    @property
    def current_id(self) -> str:
        """The id of the key that encrypts."""
        return self._order[0]

    @property
    def key_ids(self) -> list[str]:
        """Every key id, the encrypting one first."""
        return list(self._order)

    # ------------------------------------------------------------------ loading

    @staticmethod
    def parse(text: str, *, origin: str, separator: str = ",") -> list[tuple[str, bytes]]:
        """Parse ``id:base64key`` entries; `CryptoError` names the entry (position and id), never the key."""
        entries = [e.strip() for e in text.replace("\n", separator).split(separator)]
        entries = [e for e in entries if e and not e.startswith("#")]
        out: list[tuple[str, bytes]] = []
        for pos, entry in enumerate(entries, start=1):
            kid, sep, b64 = entry.partition(":")
            kid = kid.strip()
            where = f"{origin}, entry {pos}"
            if not sep or not kid:
                raise CryptoError(
                    f"{where} is malformed: expected 'id:base64key'.",
                    hint="Make an entry with `python -m hub keys generate`.",
                )
            if not KEY_ID_RE.match(kid):
                raise CryptoError(
                    f"{where} has an invalid key id (letters, digits, '.', '_', '-' only; max 64).",
                    hint="Make an entry with `python -m hub keys generate`.",
                )
            try:
                key = base64.b64decode(b64.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise CryptoError(
                    f"{where} (key id {kid!r}) is malformed: the key is not standard base64.",
                    hint="Make an entry with `python -m hub keys generate`.",
                ) from None
            if len(key) != KEY_BYTES:
                raise CryptoError(
                    f"{where} (key id {kid!r}) is malformed: the key is {len(key)} bytes, not {KEY_BYTES}.",
                    hint="Make an entry with `python -m hub keys generate`.",
                )
            out.append((kid, key))
        return out

    @classmethod
    def from_text(
        cls, text: str | SecretStr, *, origin: str = "HUB_ENCRYPTION_KEYS", local: bool = False
    ) -> KeyRing:
        """A ring from ``id:key,...`` text."""
        raw = text.get_secret_value() if isinstance(text, SecretStr) else text
        return cls(cls.parse(raw, origin=origin), origin=origin, local=local)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """``HUB_ENCRYPTION_KEYS``, else (embedded default only) ``$HUB_HOME/master.key``, made if missing."""
        if settings.encryption_keys is not None:
            return cls.from_text(settings.encryption_keys, origin="HUB_ENCRYPTION_KEYS")
        if not settings.embedded:
            raise CryptoError(
                "HUB_ENCRYPTION_KEYS is required when HUB_DATABASE_URL is set.",
                hint="Generate an entry with `python -m hub keys generate` and set "
                "HUB_ENCRYPTION_KEYS=<entry>.",
            )
        return cls.from_file(settings.home / KEY_FILE_NAME, create=True)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = False) -> KeyRing:
        """The local key file (one entry per line, newest first); created with mode 0600 when missing."""
        if not path.exists():
            if not create:
                raise CryptoError(f"The key file {path} does not exist.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # written aside, then linked into place: a concurrent reader never sees a half-written file
                tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(generate_entry() + "\n")
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass  # another process made it first; read theirs
                finally:
                    tmp.unlink()
            except OSError as exc:
                raise CryptoError(f"Could not create the key file {path}: {exc.strerror}.") from exc
        try:
            text = path.read_text()
        except OSError as exc:
            raise CryptoError(f"Could not read the key file {path}: {exc.strerror}.") from exc
        return cls(cls.parse(text, origin=str(path), separator="\n"), origin=str(path), local=True)

    # ------------------------------------------------------------------ use

    def encrypt(self, plaintext: bytes, *, tenant_id: str, connection_id: str) -> Sealed:
        """Encrypt under the current key, bound to the tenant and connection."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        ct = self._keys[self.current_id].encrypt(nonce, plaintext, _aad(tenant_id, connection_id))
        return Sealed(self.current_id, base64.b64encode(nonce + ct).decode())

    def decrypt(self, sealed: Sealed, *, tenant_id: str, connection_id: str) -> bytes:
        """Decrypt; `CryptoError` names the unknown key id or says the ciphertext does not belong here."""
        aes = self._keys.get(sealed.key_id)
        if aes is None:
            raise CryptoError(
                f"Connection {connection_id} is encrypted with key {sealed.key_id!r}, "
                "which is not configured.",
                hint=f"Add key {sealed.key_id!r} to HUB_ENCRYPTION_KEYS (known: {', '.join(self._order)}).",
            )
        try:
            raw = base64.b64decode(sealed.token, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError(
                f"The stored secret of connection {connection_id} is corrupt (not base64)."
            ) from None
        if len(raw) <= NONCE_BYTES:
            raise CryptoError(f"The stored secret of connection {connection_id} is corrupt (too short).")
        try:
            return aes.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(tenant_id, connection_id))
        except InvalidTag:
            raise CryptoError(
                f"The stored secret of connection {connection_id} does not decrypt "
                f"with key {sealed.key_id!r}.",
                hint="It was altered, copied from another connection or tenant, or the key is wrong. "
                "Reconnect with new credentials.",
            ) from None

    def seal_config(self, config: Mapping[str, Any], *, tenant_id: str, connection_id: str) -> Sealed:
        """Encrypt a connector config (JSON; `SecretStr` values revealed only into the plaintext)."""
        from hub.connectors.base import reveal_config

        data = _CONFIG_JSON.encode(reveal_config(config)).encode()
        return self.encrypt(data, tenant_id=tenant_id, connection_id=connection_id)

    def open_config(self, sealed: Sealed, *, tenant_id: str, connection_id: str) -> dict[str, Any]:
        """Decrypt a sealed connector config."""
        data = json.loads(self.decrypt(sealed, tenant_id=tenant_id, connection_id=connection_id))
        if not isinstance(data, dict):
            raise CryptoError(f"The stored secret of connection {connection_id} is not a config object.")
        return data

    def reseal(self, sealed: Sealed, *, tenant_id: str, connection_id: str) -> Sealed:
        """Decrypt and encrypt again under the current key."""
        plain = self.decrypt(sealed, tenant_id=tenant_id, connection_id=connection_id)
        return self.encrypt(plain, tenant_id=tenant_id, connection_id=connection_id)


__all__ = ["KEY_FILE_NAME", "KeyRing", "Sealed", "generate_entry"]

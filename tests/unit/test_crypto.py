"""AES-256-GCM with key ids: binding to tenant and connection, key loading, clear errors, masked reprs."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from hub import Hub
from hub.exceptions import CryptoError
from hub.settings import Settings
from hub.storage.crypto import KeyRing, Sealed, generate_entry

T1, T2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
C1, C2 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


def test_round_trip_and_binding_to_tenant_and_connection() -> None:
    ring = KeyRing.from_text(generate_entry("k1"))
    sealed = ring.seal_config({"api_key": SecretStr("sk_live_x"), "n": 1}, tenant_id=T1, connection_id=C1)
    assert sealed.key_id == "k1"
    assert ring.open_config(sealed, tenant_id=T1, connection_id=C1) == {"api_key": "sk_live_x", "n": 1}
    raw = base64.b64decode(sealed.token)
    assert len(raw) == 12 + len(b'{"api_key":"sk_live_x","n":1}') + 16  # nonce + ciphertext + tag
    for tenant, conn in ((T2, C1), (T1, C2), (T2, C2)):
        with pytest.raises(CryptoError, match="does not decrypt"):
            ring.open_config(sealed, tenant_id=tenant, connection_id=conn)
    again = ring.seal_config({"api_key": "sk_live_x", "n": 1}, tenant_id=T1, connection_id=C1)
    assert again.token != sealed.token  # a fresh random nonce each time
    tampered = Sealed("k1", base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 1])).decode())
    with pytest.raises(CryptoError):
        ring.open_config(tampered, tenant_id=T1, connection_id=C1)


def test_first_key_encrypts_all_keys_decrypt_and_unknown_ids_are_named() -> None:
    old, new = generate_entry("old"), generate_entry("new")
    sealed_old = KeyRing.from_text(old).encrypt(b"x", tenant_id=T1, connection_id=C1)
    both = KeyRing.from_text(f"{new},{old}")
    assert both.current_id == "new" and both.key_ids == ["new", "old"]
    assert both.decrypt(sealed_old, tenant_id=T1, connection_id=C1) == b"x"
    assert both.reseal(sealed_old, tenant_id=T1, connection_id=C1).key_id == "new"
    with pytest.raises(CryptoError) as err:
        KeyRing.from_text(new).decrypt(sealed_old, tenant_id=T1, connection_id=C1)
    assert "'old'" in str(err.value) and C1 in str(err.value)
    wrong_same_id = KeyRing.from_text(generate_entry("old"))
    with pytest.raises(CryptoError, match="does not decrypt"):
        wrong_same_id.decrypt(sealed_old, tenant_id=T1, connection_id=C1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("k1", ["entry 1", "id:base64key"]),
        ("k1:not*base64", ["entry 1", "'k1'", "base64"]),
        (f"k1:{base64.b64encode(b'short').decode()}", ["entry 1", "'k1'", "5 bytes"]),
        ("{good},bad id:{key}", ["entry 2", "invalid key id"]),
        ("{good},{good}", ["appears twice"]),
        ("", ["No encryption keys"]),
    ],
)
def test_malformed_entries_are_named_without_the_key(text: str, words: list[str]) -> None:
    good = generate_entry("k1")
    key = good.split(":", 1)[1]
    text = text.replace("{good}", good).replace("{key}", key)
    with pytest.raises(CryptoError) as err:
        KeyRing.from_text(text)
    message = f"{err.value} {err.value.hint}"
    for w in words:
        assert w in message
    assert key not in message and "not*base64" not in message


def test_reprs_never_show_key_material() -> None:
    entry = generate_entry("k1")
    key = entry.split(":", 1)[1]
    ring = KeyRing.from_text(entry)
    sealed = ring.encrypt(b"secret", tenant_id=T1, connection_id=C1)
    assert key not in repr(ring) and key not in str(ring.__dict__.get("_order"))
    assert sealed.token not in repr(sealed)
    assert entry not in repr(Settings.from_env(encryption_keys=entry))


def test_local_key_file_is_generated_0600_and_reused(hub_home: Path) -> None:
    with Hub.open(Settings.from_env()) as hub:
        assert hub.local_key and hub.keys.origin.endswith("master.key")
        first = hub.keys.current_id
    path = hub_home / "master.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with Hub.open(Settings.from_env()) as hub:
        assert hub.keys.current_id == first
    # newest first, one per line: a new line on top becomes the encrypting key
    path.write_text(generate_entry("newer") + "\n" + path.read_text())
    with Hub.open(Settings.from_env()) as hub:
        assert hub.keys.key_ids == ["newer", first]


def test_environment_keys_win_and_are_required_with_a_database_url() -> None:
    entry = generate_entry("env1")
    with Hub.open(Settings.from_env(encryption_keys=entry)) as hub:
        assert not hub.local_key and hub.keys.current_id == "env1"
    with pytest.raises(CryptoError, match="HUB_ENCRYPTION_KEYS is required"):
        Hub.open(Settings.from_env(database_url="postgresql://u:p@127.0.0.1:1/x"))


def test_a_malformed_key_fails_at_start_up(hub_home: Path) -> None:
    with pytest.raises(CryptoError, match="entry 2"):
        Hub.open(Settings.from_env(encryption_keys=f"{generate_entry('a')},b:!!"))
    assert not (hub_home / "hub.db").exists()  # nothing opened before the keys were checked

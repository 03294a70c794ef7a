"""The sign-in cookie's token: only an unexpired token that this key signed names a user."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from hub.auth import session_token, session_username

KEY = SecretStr("k" * 43)
LATER = datetime.now(UTC) + timedelta(days=7)


def test_a_token_names_its_user_until_it_expires() -> None:
    token = session_token(KEY, "alice", LATER)
    assert session_username(KEY, token) == "alice"
    assert session_token(KEY, "alice", LATER) == token  # the same inputs, the same token (the same cookie)
    claims = jwt.decode(token, KEY.get_secret_value(), algorithms=["HS256"])
    assert claims == {"sub": "alice", "exp": int(LATER.timestamp())}  # the user and the expiry, nothing else
    expired = session_token(KEY, "alice", datetime.now(UTC) - timedelta(seconds=5))
    assert session_username(KEY, expired) is None


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t: session_token(SecretStr("o" * 43), "alice", LATER), id="another key"),
        pytest.param(lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), id="signature changed"),
        pytest.param(
            lambda t: ".".join([t.split(".")[0], _b64({"sub": "bob", "exp": int(LATER.timestamp())}),
                                t.split(".")[2]]),
            id="user swapped",
        ),
        pytest.param(
            lambda t: ".".join([_b64({"alg": "none"}), _b64({"sub": "alice", "exp": 4102444800}), ""]),
            id="alg none",
        ),
        pytest.param(lambda t: jwt.encode({"sub": "alice"}, "k" * 43, algorithm="HS256"), id="no expiry"),
        pytest.param(
            lambda t: jwt.encode({"exp": int(LATER.timestamp())}, "k" * 43, algorithm="HS256"), id="no user"
        ),
        pytest.param(lambda t: "not-a-token", id="garbage"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_anything_else_names_nobody(forge) -> None:
    assert session_username(KEY, forge(session_token(KEY, "alice", LATER))) is None

"""Config validation names the field and never quotes a secret value back."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hub.connectors.base import secret_fields, validate_config
from hub.exceptions import ConfigError

SPEC = {
    "type": "object",
    "required": ["host", "password"],
    "additionalProperties": False,
    "properties": {
        "host": {"type": "string", "minLength": 1},
        "port": {"type": "integer", "default": 5432},
        "password": {"type": "string", "airbyte_secret": True, "minLength": 12},
        "tunnel": {
            "type": "object",
            "properties": {
                "user": {"type": "string"},
                "private_key": {"type": "string", "airbyte_secret": True},
            },
            "required": ["user"],
            "additionalProperties": False,
        },
    },
}
SECRET = "s3cr3t-Value-Zq"


def test_secret_fields_include_nested_paths():
    assert secret_fields(SPEC) == ["password", "tunnel.private_key"]


def test_defaults_are_applied_and_secrets_revealed_only_to_the_caller():
    data = validate_config(SPEC, {"host": "db", "password": SecretStr(SECRET + "-long")})
    assert data == {"host": "db", "port": 5432, "password": SECRET + "-long"}


def test_missing_field_is_named():
    with pytest.raises(ConfigError, match="'password' is required") as info:
        validate_config(SPEC, {"host": "db"})
    assert info.value.field == "password"


def test_wrong_type_names_the_field_and_quotes_a_non_secret_value():
    with pytest.raises(ConfigError, match="'port'") as info:
        validate_config(SPEC, {"host": "db", "password": SECRET + "-long", "port": "many"})
    assert "many" in str(info.value)


@pytest.mark.parametrize(
    "config",
    [
        {"host": "db", "password": "short" + SECRET[:3]},  # the secret itself is invalid
        {"host": "db", "password": SECRET + "-long", "tunnel": {"private_key": SECRET}},  # object holding one
        {"host": "db", "password": SECRET + "-long", "tunnel": {"user": 7, "private_key": SECRET}},
        {"host": "db", "password": SECRET + "-long", "tunnel": SECRET},  # a secret pasted into the object
    ],
)
def test_an_invalid_value_that_is_or_holds_a_secret_is_never_quoted(config):
    with pytest.raises(ConfigError) as info:
        validate_config(SPEC, config)
    text = f"{info.value} {info.value!r} {info.value.args}"
    assert SECRET not in text
    assert SECRET[:5] not in text
    assert info.value.field is not None


def test_unknown_field_is_refused_by_name():
    with pytest.raises(ConfigError, match="Unknown field 'pasword'"):
        validate_config(SPEC, {"host": "db", "password": SECRET + "-long", "pasword": "x"})

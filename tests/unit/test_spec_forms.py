"""The live form read from a connector's own spec (hub.connectors.airbyte.forms), on real shipped specs."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hub.catalogue import Catalogue
from hub.connectors import validate_config, wrap_secrets
from hub.connectors.airbyte.forms import FormField, build_config, form_fields, secret_keys, split_optional
from hub.connectors.airbyte.specs import shipped_spec
from hub.exceptions import ConfigError
from hub.models import ConnectorPackage


def _spec(source_id: str) -> dict:
    if source_id == "faker":  # in the Airbyte tests' catalogue only
        package = ConnectorPackage(name="airbyte-source-faker", version="7.2.1")
    else:
        package = Catalogue.bundled().get(source_id).connector_package
    assert package is not None
    return shipped_spec(package)["connectionSpecification"]


def _by_key(fields: list[FormField]) -> dict[str, FormField]:
    out: dict[str, FormField] = {}
    for field in fields:
        out[field.key] = field
        for choice in field.choices:
            out.update(_by_key(choice.fields))
    return out


def test_stripe_fields_follow_the_specs_order_with_secrets_help_and_placeholders():
    fields = form_fields(_spec("stripe"))
    assert [f.key for f in fields][:3] == ["spec__account_id", "spec__client_secret", "spec__start_date"]
    secret = fields[1]
    assert secret.secret and secret.required and secret.kind == "string" and secret.title == "Secret Key"
    # HTML in descriptions becomes text with the link's address
    assert (
        secret.help is not None
        and "<a" not in secret.help
        and "https://dashboard.stripe.com/apikeys" in secret.help
    )
    start = fields[2]
    assert start.placeholder == "2017-01-25T00:00:00Z" and not start.required
    workers = _by_key(fields)["spec__num_workers"]
    assert (workers.kind, workers.default, workers.minimum, workers.maximum) == ("integer", 10, 1, 20)
    main, optional = split_optional(fields)
    assert [f.key for f in main] == ["spec__account_id", "spec__client_secret"]
    assert "spec__start_date" in [f.key for f in optional]


def test_stripe_config_built_from_typed_values_validates_with_defaults_and_masks_the_key():
    spec = _spec("stripe")
    fields = form_fields(spec)
    typed = {
        "spec__account_id": " acct_123 ",
        "spec__client_secret": SecretStr("sk_test_abc"),
        "spec__start_date": "",
    }
    config = build_config(fields, typed)
    assert config["account_id"] == "acct_123" and "start_date" not in config  # empty: the default applies
    validated = validate_config(spec, wrap_secrets(spec, config))
    assert validated["start_date"] == "2017-01-25T00:00:00Z" and validated["client_secret"] == "sk_test_abc"
    assert "sk_test_abc" not in repr(wrap_secrets(spec, validated))


def test_shopify_auth_choice_fills_its_discriminator_and_defaults_to_the_typed_credentials():
    spec = _spec("shopify")
    fields = form_fields(spec)
    creds = _by_key(fields)["spec__credentials"]
    assert creds.kind == "choice" and [c.title for c in creds.choices] == ["OAuth2.0", "API Password"]
    assert creds.choices[creds.default_choice].title == "API Password"  # OAuth tokens come from a sign-in
    assert creds.choices[1].constants == {"auth_method": "api_password"}
    # the discriminator is never a field to fill in
    assert "spec__credentials__auth_method" not in _by_key(fields)
    assert secret_keys(fields) == [
        "spec__credentials__client_id",
        "spec__credentials__client_secret",
        "spec__credentials__access_token",
        "spec__credentials__api_password",
    ]
    config = build_config(
        fields,
        {
            "spec__shop": "acme",
            "spec__credentials": "API Password",
            "spec__credentials__api_password": SecretStr("shpat_1"),
        },
    )
    assert config["credentials"]["auth_method"] == "api_password"
    assert validate_config(spec, config)["credentials"]["api_password"] == "shpat_1"


def test_a_missing_field_inside_the_chosen_option_is_named():
    spec = _spec("shopify")
    config = build_config(form_fields(spec), {"spec__shop": "acme", "spec__credentials": 1})
    with pytest.raises(ConfigError) as err:
        validate_config(spec, config)
    assert err.value.field == "credentials.api_password"
    assert "'credentials.api_password' is required" in err.value.message


def test_hubspot_private_app_token():
    spec = _spec("hubspot")
    fields = form_fields(spec)
    creds = fields[0]
    assert creds.key == "spec__credentials" and creds.required
    assert creds.choices[creds.default_choice].title == "Private App"
    config = build_config(
        fields, {"spec__credentials__access_token": SecretStr("pat-na1-1"), "spec__num_worker": "2"}
    )
    assert config == {
        "credentials": {
            "credentials_title": "Private App Credentials",
            "access_token": SecretStr("pat-na1-1"),
        },
        "num_worker": 2,
    }
    wrapped = wrap_secrets(spec, validate_config(spec, config))
    assert "pat-na1-1" not in repr(wrapped)


def test_file_format_enum_and_storage_choice():
    spec = _spec("csv")
    fields = form_fields(spec)
    by_key = _by_key(fields)
    fmt = by_key["spec__format"]
    assert fmt.kind == "enum" and fmt.default == "csv" and "parquet" in fmt.options
    provider = by_key["spec__provider"]
    titles = [c.title for c in provider.choices]
    assert titles[0] == "HTTPS: Public Web" and "Local Filesystem (limited)" in titles
    assert by_key["spec__provider__port"].default == "22"
    local = titles.index("Local Filesystem (limited)")
    config = build_config(
        fields,
        {
            "spec__dataset_name": "orders",
            "spec__url": "/data/orders.csv",
            "spec__provider": local,
            "spec__format": "csv",
        },
    )
    assert config["provider"] == {"storage": "local"}
    assert validate_config(spec, config)["format"] == "csv"


def test_faker_numbers_are_coerced_and_a_bad_one_is_named():
    spec = _spec("faker")
    fields = form_fields(spec)
    assert [f.key for f in fields][:2] == ["spec__count", "spec__seed"]
    assert _by_key(fields)["spec__always_updated"].kind == "boolean"
    config = build_config(fields, {"spec__count": "12", "spec__seed": 3.0, "spec__always_updated": False})
    assert config == {"count": 12, "seed": 3, "always_updated": False}
    with pytest.raises(ConfigError) as err:
        build_config(fields, {"spec__count": "1.5"})
    assert err.value.field == "count" and "whole number" in err.value.message


def test_lists_multiselects_and_hidden_fields():
    fb = form_fields(_spec("facebook-marketing"))
    by_key = _by_key(fb)
    assert by_key["spec__account_ids"].kind == "list"
    assert by_key["spec__campaign_statuses"].kind == "multiselect"
    config = build_config(fb, {"spec__account_ids": "111, 222\n333", "spec__campaign_statuses": []})
    assert config["account_ids"] == ["111", "222", "333"] and "campaign_statuses" not in config
    # mailchimp's data_center is airbyte_hidden: the connector fills it in itself
    assert "spec__data_center" not in _by_key(form_fields(_spec("mailchimp")))


@pytest.mark.parametrize("source_id", [s.id for s in Catalogue.bundled() if s.connector_package])
def test_every_shipped_spec_gives_a_form_and_an_empty_form_names_a_required_field(source_id):
    spec = _spec(source_id)
    fields = form_fields(spec)
    assert fields
    keys = list(_by_key(fields))
    assert len(keys) == len(set(keys))
    config = build_config(fields, {})
    if spec.get("required"):
        with pytest.raises(ConfigError) as err:
            validate_config(spec, config)
        assert err.value.field

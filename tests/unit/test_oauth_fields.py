"""What each OAuth source's sign-in asks besides its tokens (`hub.oauth.fields`), over the shipped specs."""

from __future__ import annotations

import pytest

from hub.catalogue import Catalogue
from hub.connectors.airbyte.specs import shipped_spec
from hub.exceptions import ConfigError
from hub.oauth.fields import asked_spec, carried_spec, checked_fields
from hub.oauth.providers import SOURCES, Token, connector_config

CATALOGUE = Catalogue.bundled()
#: The required fields with no default that no sign-in fills: asked in the Connect dialog before it.
ASKED = {"google-sheets": ["spreadsheet_id"], "google-analytics": ["property_ids"],
         "facebook-marketing": ["account_ids"]}
WITH_CONNECTOR = [s for s, e in SOURCES.items() if e.credentials is not None]


def _spec(source_id: str) -> dict:
    package = CATALOGUE.get(source_id).connector_package
    assert package is not None
    spec: dict = shipped_spec(package)["connectionSpecification"]
    return spec


@pytest.mark.parametrize("source_id", WITH_CONNECTOR)
def test_each_sign_in_asks_only_what_nothing_else_fills_and_never_a_secret(source_id: str) -> None:
    spec = _spec(source_id)
    asked = asked_spec(spec, source_id)
    assert asked["required"] == list(asked["properties"]) == ASKED.get(source_id, [])
    carried = carried_spec(spec, source_id)["properties"]
    assert not [n for n, p in carried.items() if p.get("airbyte_secret") or p.get("airbyte_hidden")]
    assert "credentials" not in carried and "hub_oauth" not in carried
    assert "shop" not in carried and "subdomain" not in carried  # the account part is asked on its own
    # every required field is asked, or filled by the sign-in, its default or the hub (a start date)
    filled = set(connector_config(source_id, Token("a", "r"), "id", "secret")) | {"shop", "subdomain"}
    props = spec.get("properties") or {}
    left = [n for n in spec.get("required") or [] if n not in asked["properties"] and n not in filled
            and "default" not in props[n] and n != "start_date"]
    assert left == []


def test_checked_fields_refuses_a_secret_and_keeps_only_what_was_given() -> None:
    spec = _spec("facebook-marketing")
    with pytest.raises(ConfigError, match="'client_secret' is a secret") as err:
        checked_fields(spec, "facebook-marketing", "Facebook Marketing",
                       {"account_ids": ["1"], "client_secret": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(err.value)
    given = {"account_ids": ["123"], "page_size": 50}
    assert checked_fields(spec, "facebook-marketing", "Facebook Marketing", given) == given
    with pytest.raises(ConfigError, match="needs Ad Account ID") as missing:
        checked_fields(spec, "facebook-marketing", "Facebook Marketing", {"account_ids": []})
    assert missing.value.field == "account_ids" and "111111111111111" in missing.value.hint
    with pytest.raises(ConfigError, match=r"account_ids\.0") as wrong:
        checked_fields(spec, "facebook-marketing", "Facebook Marketing", {"account_ids": ["act_12"]})
    assert wrong.value.hint == "Correct Ad Account ID(s) (The Ad Account ID must be a number.), then sign in."

"""One catalogue API connector, unmodified (airbyte-source-woocommerce), against a local HTTPS double.

The connector runs inside a network namespace whose hosts file maps the shop's real host name to the
namespace's own loopback, where the double answers with a certificate from a test CA (tests/saas_double.py):
nothing it sends can leave the machine. The hub reaches it only through its settings
(HUB_CONNECTOR_WRAPPER, HUB_CONNECTOR_CA_BUNDLE).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import Hub, Settings
from hub.catalogue import Catalogue
from hub.connectors.airbyte.connector import AirbyteConnector
from hub.connectors.airbyte.install import Installer
from hub.models import Mode, Status
from tests.airbyte_support import ensure_cache
from tests.saas_double import Double, WooCommerce, api_double

SHOP = "shop.acme-outfitters.example.com"
KEY = "ck_" + "1" * 40
SECRET = "cs_" + "2" * 40


@pytest.fixture(scope="module")
def woo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Double, WooCommerce]]:
    ensure_cache()
    api = WooCommerce(KEY, SECRET)
    with api_double([SHOP], api, tmp_path_factory.mktemp("woo")) as double:
        yield double, api


def _settings(double: Double, **extra: object) -> Settings:
    cache = ensure_cache()
    package = Catalogue.bundled().get("woocommerce").connector_package
    assert package is not None
    return Settings(
        connectors_dir=cache,
        connector_wrapper=double.wrapper(Installer(cache).path(package)),
        connector_ca_bundle=double.ca_bundle,
        **extra,
    )


def _config(key: str = KEY) -> dict[str, str]:
    return {"api_key": key, "api_secret": SECRET, "shop": SHOP, "start_date": "2024-01-01"}


def test_check_a_wrong_key_and_all_pages_with_one_429_retried(woo: tuple[Double, WooCommerce]) -> None:
    double, api = woo
    source = Catalogue.bundled().get("woocommerce")
    connector = AirbyteConnector(source, settings=_settings(double))
    assert connector.check(connector.validate(_config())).ok
    assert double.seen("/wp-json/wc/v3/system_status/tools")[-1][1] == 200

    wrong = connector.check(connector.validate(_config("ck_" + "9" * 40)))
    assert not wrong.ok
    # the connector's own words for WooCommerce's 401
    assert wrong.message == "Unauthorized. Please ensure you are authenticated correctly."
    assert double.seen("/wp-json/wc/v3/system_status/tools")[-1][1] == 401
    assert "ck_9999" not in wrong.message

    records = list(connector.read(connector.validate(_config()), "customers", limit=1000))
    assert [r["id"] for r in records] == list(range(1, 251))  # 3 pages of 100, 100, 50
    pages = [(r.query.get("offset", "0"), code) for r, code in double.seen("/wp-json/wc/v3/customers")]
    assert pages[-4:] == [("0", 200), ("100", 429), ("100", 200), ("200", 200)]  # the 429 was retried
    assert api.throttled


def test_connect_through_the_services_stores_the_keys_encrypted(
    woo: tuple[Double, WooCommerce], tmp_path: Path
) -> None:
    double, _ = woo
    hub = Hub.open(_settings(double, home=tmp_path / "home", demo_pace=0))
    try:
        hub.create_tenant("acme", name="Acme", business_type="ecommerce")
        acme = hub.tenant("acme")
        # no mode: a config with the live connector's fields goes live; sampling 25 streams is skipped
        conn = acme.connect("woocommerce", _config(), actor="alice", sample_limit=0)
        assert conn.mode is Mode.LIVE and conn.status is Status.CONNECTED, conn.status_detail
        assert conn.metadata["config"] == {"shop": SHOP, "start_date": "2024-01-01"}
        preview = acme.preview(conn.id, "customers", limit=3, actor="alice")
        assert [r["email"] for r in preview.records] == [f"customer{i}@example.com" for i in (1, 2, 3)]
    finally:
        hub.close()
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert KEY.encode() not in data and SECRET.encode() not in data

"""The Airbyte connectors the tests run, from a cache folder keyed by package and version.

`make test`'s set-up step installs them there (``python -m hub connectors install csv woocommerce
intercom airbyte-source-faker==...`` with ``HUB_CONNECTORS_DIR`` set to the cache), so the suite
never installs one; when the cache is missing (pytest run by hand on a fresh machine) the session fixture
fills it once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hub.catalogue import Catalogue
from hub.connectors.airbyte.install import Installer
from hub.models import ConnectorPackage, SourceEntry

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("HUB_TEST_CONNECTORS_DIR") or Path.home() / ".cache" / "hub-connectors")


def faker_entry() -> SourceEntry:
    """The sample data generator's catalogue entry (``tests/fixtures/faker_entry.json``)."""
    raw = json.loads((ROOT / "tests" / "fixtures" / "faker_entry.json").read_text(encoding="utf-8"))
    return SourceEntry.model_validate(raw)


def catalogue_with_faker(folder: Path) -> Path:
    """A copy of the catalogue plus the faker entry, for HUB_CATALOGUE_PATH."""
    data = json.loads((ROOT / "data" / "mock_sources.json").read_text(encoding="utf-8"))
    data["sources"].append(json.loads((ROOT / "tests" / "fixtures" / "faker_entry.json").read_text()))
    path = folder / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def packages_under_test() -> list[ConnectorPackage]:
    """The packages the tests run: faker, file, WooCommerce and Intercom (against their HTTPS doubles)."""
    catalogue = Catalogue.load(ROOT / "data" / "mock_sources.json")
    file_pkg = catalogue.get("csv").connector_package
    woo_pkg = catalogue.get("woocommerce").connector_package
    intercom_pkg = catalogue.get("intercom").connector_package
    faker_pkg = faker_entry().connector_package
    assert file_pkg is not None and faker_pkg is not None and woo_pkg is not None and intercom_pkg is not None
    return [faker_pkg, file_pkg, woo_pkg, intercom_pkg]


def ensure_cache() -> Path:
    """The cache folder with the tests' connectors installed (a no-op after `make test`'s set-up)."""
    installer = Installer(CACHE)
    for pkg in packages_under_test():
        installer.ensure(pkg)
    return CACHE

"""The Airbyte connectors the tests run, from a cache folder keyed by package and version.

`make test`'s set-up step installs them there (``python -m hub connectors install csv woocommerce
intercom airbyte-source-faker==...`` with ``HUB_CONNECTORS_DIR`` set to the cache), so the suite
never installs one; when the cache is missing (pytest run by hand on a fresh machine) the session fixture
fills it once.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from hub.catalogue import Catalogue
from hub.connectors.airbyte.install import MARKER, Installer
from hub.models import ConnectorPackage, SourceEntry

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("HUB_TEST_CONNECTORS_DIR") or Path.home() / ".cache" / "hub-connectors")


def faker_entry() -> SourceEntry:
    """The sample data generator's catalogue entry (``tests/fixtures/faker_entry.json``)."""
    raw = json.loads((ROOT / "tests" / "fixtures" / "faker_entry.json").read_text(encoding="utf-8"))
    return SourceEntry.model_validate(raw)


def catalogue_with_faker(folder: Path, *, package: ConnectorPackage | None = None) -> Path:
    """A copy of the catalogue plus the faker entry, for HUB_CATALOGUE_PATH.

    ``package``: the entry runs that package instead of faker's (and so has its shipped spec).
    """
    data = json.loads((ROOT / "data" / "mock_sources.json").read_text(encoding="utf-8"))
    entry = json.loads((ROOT / "tests" / "fixtures" / "faker_entry.json").read_text())
    if package is not None:
        entry["connector_package"] = package.model_dump(mode="json")
    data["sources"].append(entry)
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


def protocol_connector(root: Path, package: ConnectorPackage | None = None) -> Path:
    """tests/fixtures/protocol_connector.py laid out as the installed venv of ``package`` (default faker).

    The hub runs it exactly like a connector it installed (the venv's python and entry script); the
    package's shipped spec stays its spec. Returns the connectors folder.
    """
    pkg = package or faker_entry().connector_package
    assert pkg is not None
    installer = Installer(root)
    venv = installer.path(pkg)
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    shutil.copy(ROOT / "tests" / "fixtures" / "protocol_connector.py", installer.command(pkg)[1])
    marker = {"package": pkg.name, "version": pkg.version, "python": sys.executable, "installed_at": "test"}
    (venv / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return root

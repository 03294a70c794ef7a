"""Fixtures for the browser tests: one ``streamlit run app.py`` per session and the system Chromium.

- `app_server`: the app on a free loopback port with its own temp ``HUB_HOME`` (the embedded default
  with the demo accounts), demo pacing off, no ``HUB_DATABASE_URL``. Stopped by its process group at
  the end; its log is copied to ``artifacts/e2e/`` when a browser test failed.
- pytest-playwright's ``browser``/``page`` fixtures, with Chromium launched from ``/usr/bin/chromium``
  (``browser_type_launch_args``) at a fixed viewport (``browser_context_args``).
- `app_page`: a fresh page (own cookies, so signed out) on the app, its first run finished. When the
  test fails, a screenshot of the page goes to ``artifacts/e2e/<test>/failure.png``.
- `shots`: ``shots("name")`` saves a numbered screenshot of the current page for the test run.

Test-run screenshots and logs only ever go under ``artifacts/`` (gitignored), never ``docs/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.airbyte_support import CACHE
from tests.e2e.support import (
    ARTIFACTS,
    CHROMIUM_LAUNCH,
    REPO,
    VIEWPORT,
    StreamlitServer,
    open_app,
    shot,
    watch_reruns,
)

_FAILED_KEY = pytest.StashKey[bool]()
SERVER_LOG = "streamlit-server.log"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Remember each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.failed and "app_server" in getattr(item, "fixturenames", ()):
        item.session.stash[_FAILED_KEY] = True
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The system Chromium with the flags that keep it off the network (never `playwright install`)."""
    return {**browser_type_launch_args, **CHROMIUM_LAUNCH}


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """No base URL: tests open `app_server.url`.

    Overriding this also keeps pytest-playwright's own ``base_url`` fallback (an instance-method
    session fixture, deprecated in pytest 9) from raising under ``filterwarnings = error``.
    """
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A fixed viewport and locale, so screenshots and layouts are the same on every machine."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-US", "timezone_id": "UTC"}


@pytest.fixture(scope="session")
def app_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """``streamlit run app.py`` for the whole session, on its own embedded default (fresh HUB_HOME)."""
    base = tmp_path_factory.mktemp("e2e-server")
    server = StreamlitServer(
        REPO / "app.py",
        cwd=REPO,
        hub_home=base / "hubhome",
        log_path=base / "streamlit.log",
        env={"HUB_CONNECTORS_DIR": str(CACHE)},  # the Airbyte connectors `make test` installed
    )
    server.hub_home.mkdir()
    (ARTIFACTS / SERVER_LOG).unlink(missing_ok=True)  # a log from an earlier failing run
    server.typed_secrets.add("demo-carol-pw")  # a password a flow signs in with ("demo" is public)
    try:
        server.start(timeout=60)
        yield server
    finally:
        server.close()  # stops it and removes its temp secrets file; the log and HUB_HOME are ours
        if request.session.stash.get(_FAILED_KEY, False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(server.log_path, ARTIFACTS / SERVER_LOG)
    # like the other suites: no password typed in a page and no key of the server's reaches its log
    assert not server.leaked_secrets(), server.leaked_secrets()


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid.split("::", 1)[-1]).strip("-")[:120]


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """This test's folder under ``artifacts/e2e/`` (emptied first)."""
    folder = ARTIFACTS / _slug(request.node.nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@pytest.fixture
def app_page(
    page: Page, app_server: StreamlitServer, artifacts_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A signed-out page on the app with its first run finished; a screenshot is kept if the test fails."""
    page.set_default_timeout(30_000)
    watch_reruns(page)
    open_app(page, app_server.url)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            shot(page, artifacts_dir, "failure", full_page=True)
            (artifacts_dir / "failure.html").write_text(page.content())
        except Exception as exc:  # the page may be gone; the failure itself is what matters
            print(f"could not save the failure screenshot: {exc}")


@pytest.fixture
def shots(app_page: Page, artifacts_dir: Path) -> Callable[[str], Path]:
    """``shots("consent")`` saves ``artifacts/e2e/<test>/NN-consent.png``."""
    counter = iter(range(1, 100))

    def take(name: str) -> Path:
        return shot(app_page, artifacts_dir, f"{next(counter):02d}-{name}")

    return take

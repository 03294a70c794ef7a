"""The app in a real browser: start-up, sign-in and the connect flow, beside a bare Streamlit page.

Figures (medians; every server is a fresh ``streamlit run`` subprocess, runs interleaved so that
load from elsewhere on the machine hits app and baseline alike):

- server start → sign-in form visible (the app on an existing HUB_HOME, i.e. a restart), beside
  server start → "hi" visible for a one-line page (``st.write("hi")``). Target: at most 1.5x.
- the same on a fresh HUB_HOME (first run: database, keys and demo accounts are created).
- sign-in → catalogue visible (the first sign-in after the start, and a second user's on the warm
  server), and Connect → Connected (demo OAuth consent, pacing off, with the Approve → Connected part
  on its own), each beside one click → rerun rendered on a bare page (one Streamlit round trip).

Chromium is launched once (outside the timings); every measurement uses a fresh browser context.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from benchmarks._harness import Report, sized
from tests.e2e import flows
from tests.e2e.support import (
    CHROMIUM_LAUNCH,
    REPO,
    VIEWPORT,
    StreamlitServer,
    key_locator,
    settle,
    sign_in,
    watch_reruns,
)

REPEAT = sized(5, 1)
# also creates the "existing HUB_HOME" of the restart figure (its first start is not counted)
WARMUP = sized(1, 0)
BARE_PAGE = 'import streamlit as st; st.write("hi")\n'
BARE_CLICK = 'import streamlit as st\nif st.button("Go"):\n    st.write("done")\n'


def _new_page(browser: Browser) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(60_000)
    watch_reruns(page)
    return page


def _start_to_visible(
    browser: Browser, server: StreamlitServer, visible: Callable[[Page], None]
) -> tuple[float, Page]:
    """Seconds from starting ``server`` to ``visible(page)`` returning; the page stays open."""
    t0 = time.perf_counter()
    server.start(timeout=120)
    page = _new_page(browser)
    page.goto(server.url, wait_until="commit")
    visible(page)
    return time.perf_counter() - t0, page


def _bare_start(browser: Browser, script: Path) -> float:
    server = StreamlitServer(script, cwd=script.parent)
    try:
        seconds, page = _start_to_visible(
            browser, server, lambda p: expect(p.get_by_text("hi", exact=True)).to_be_visible(timeout=60_000)
        )
        page.context.close()
        return seconds
    finally:
        server.close()


def _bare_click(browser: Browser, script: Path) -> float:
    server = StreamlitServer(script, cwd=script.parent)
    try:
        _, page = _start_to_visible(
            browser,
            server,
            lambda p: expect(p.get_by_role("button", name="Go")).to_be_visible(timeout=60_000),
        )
        seconds = _timed_click(
            page,
            page.get_by_role("button", name="Go"),
            lambda: expect(page.get_by_text("done", exact=True)).to_be_visible(timeout=60_000),
        )
        page.context.close()
        return seconds
    finally:
        server.close()


def _app_start(browser: Browser, home: Path) -> float:
    server = StreamlitServer(REPO / "app.py", cwd=REPO, hub_home=home)
    try:
        seconds, page = _start_to_visible(browser, server, flows.wait_sign_in_form)
        page.context.close()
        return seconds
    finally:
        server.close()


def _timed_click(page: Page, target: Locator, outcome: Callable[[], object]) -> float:
    """Seconds from clicking ``target`` (once the app has settled) to ``outcome()`` returning.

    After a sign-in the cookie component may rerun the app once more; on a loaded machine that rerun can
    start after a short quiet period, and the target is then briefly on the page twice (Playwright
    refuses to click either). So the wait before the click (not timed) asks for one target and a
    whole second without a run.
    """
    expect(target).to_have_count(1, timeout=60_000)
    settle(page, quiet_ms=1000)
    expect(target).to_have_count(1, timeout=60_000)
    t0 = time.perf_counter()
    target.click()
    outcome()
    return time.perf_counter() - t0


def _app_fresh(browser: Browser) -> tuple[float, float, float, float, float]:
    """Start → sign-in form, sign-in → catalogue, Connect → Connected, Approve → Connected, and a
    second user's sign-in → catalogue, on a fresh HUB_HOME.

    Connect → Connected is the sum of the three waits a user sits through: Connect → consent dialog,
    Approve → "Connected · N streams" in the dialog, Done → the card shows Connected. The app is
    idle before each click (`settle`), and that idle time is not counted.
    """
    home = Path(tempfile.mkdtemp(prefix="hubbench-ui-"))
    server = StreamlitServer(REPO / "app.py", cwd=REPO, hub_home=home)
    try:
        start, page = _start_to_visible(browser, server, flows.wait_sign_in_form)
        settle(page)
        t0 = time.perf_counter()
        sign_in(page, "alice", "demo")
        expect(page.get_by_role("heading", name="Recommended for E-commerce")).to_be_visible(timeout=60_000)
        signed_in = time.perf_counter() - t0

        dialog = page.get_by_role("dialog", name="Connect Shopify")
        connect = _timed_click(
            page,
            key_locator(page, "rec_connect_shopify").get_by_role("button"),
            lambda: expect(dialog).to_be_visible(timeout=60_000),
        )
        approve = _timed_click(
            page,
            dialog.locator(".st-key-consent_approve").get_by_role("button"),
            lambda: flows.wait_connected_in_dialog(dialog),
        )
        connect += approve
        connect += _timed_click(
            page,
            dialog.locator(".st-key-dialog_done").get_by_role("button"),
            lambda: expect(flows.card(page, "shopify")).to_contain_text(flows.CONNECTED, timeout=60_000),
        )
        page.context.close()

        # A second user on the now warm server (imports, caches and the catalogue loaded).
        page = _new_page(browser)
        page.goto(server.url, wait_until="commit")
        flows.wait_sign_in_form(page)
        settle(page)
        t0 = time.perf_counter()
        sign_in(page, "bob", "demo")
        expect(page.get_by_role("heading", name="Recommended for SaaS")).to_be_visible(timeout=60_000)
        warm_sign_in = time.perf_counter() - t0
        page.context.close()
        return start, signed_in, connect, approve, warm_sign_in
    finally:
        server.close()
        shutil.rmtree(home, ignore_errors=True)


def _round(browser: Browser, bare: Path, click: Path, warm_home: Path, *, reverse: bool) -> dict[str, float]:
    """One measurement of every figure; ``reverse`` flips the order, so no figure always has the same
    neighbour (a server that just stopped, a context being torn down)."""
    figures: dict[str, float] = {}

    def fresh() -> None:
        keys = ("fresh", "sign_in", "connect", "approve", "warm_sign_in")
        figures.update(zip(keys, _app_fresh(browser), strict=True))

    steps: list[Callable[[], object]] = [
        lambda: figures.update(bare=_bare_start(browser, bare)),
        lambda: figures.update(warm=_app_start(browser, warm_home)),
        lambda: figures.update(click=_bare_click(browser, click)),
        fresh,
    ]
    for step in reversed(steps) if reverse else steps:
        step()
    return figures


def run(report: Report) -> None:
    """Measure and add the rows (see the module docstring)."""
    tmp = Path(tempfile.mkdtemp(prefix="hubbench-bare-"))
    # Names that shadow no module: the script folder is on sys.path of `python -m streamlit`.
    bare, click = tmp / "hub_bench_bare_page.py", tmp / "hub_bench_bare_click.py"
    bare.write_text(BARE_PAGE)
    click.write_text(BARE_CLICK)
    warm_home = Path(tempfile.mkdtemp(prefix="hubbench-ui-home-"))
    samples: dict[str, list[float]] = {
        k: [] for k in ("bare", "click", "warm", "fresh", "sign_in", "warm_sign_in", "connect", "approve")
    }
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**CHROMIUM_LAUNCH)
            try:
                for i in range(WARMUP + REPEAT):
                    figures = _round(browser, bare, click, warm_home, reverse=i % 2 == 1)
                    if i >= WARMUP:
                        for key, value in figures.items():
                            samples[key].append(value)
            finally:
                browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(warm_home, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in samples.items()}

    def spread(key: str) -> str:
        return f"n={REPEAT}, range {min(samples[key]):.2f}–{max(samples[key]):.2f} s"

    report.add(
        "server start → sign-in form visible",
        med["warm"],
        baseline="bare st.write page start → visible",
        baseline_seconds=med["bare"],
        target="≤ 1.5x",
        note=f"existing HUB_HOME (a restart); {spread('warm')}; bare {spread('bare')}",
    )
    report.add(
        "server start → sign-in form visible (first run)",
        med["fresh"],
        baseline="bare st.write page start → visible",
        baseline_seconds=med["bare"],
        note=f"fresh HUB_HOME: creates db, keys, demo accounts; {spread('fresh')}",
    )
    report.add(
        "sign-in → catalogue visible (first sign-in after start)",
        med["sign_in"],
        baseline="bare page click → rerun rendered",
        baseline_seconds=med["click"],
        note=f"alice/demo; {spread('sign_in')}; bare click {spread('click')}",
    )
    report.add(
        "sign-in → catalogue visible (warm server)",
        med["warm_sign_in"],
        baseline="bare page click → rerun rendered",
        baseline_seconds=med["click"],
        note=f"bob/demo after alice's session; {spread('warm_sign_in')}",
    )
    report.add(
        "Connect → consent → Approve → Connected",
        med["connect"],
        baseline="bare page click → rerun rendered",
        baseline_seconds=med["click"],
        note=f"Shopify, demo, HUB_DEMO_PACE=0; sum of the 3 click → outcome waits; {spread('connect')}",
    )
    report.add(
        "of which Approve → Connected · N streams in the dialog",
        med["approve"],
        baseline="bare page click → rerun rendered",
        baseline_seconds=med["click"],
        note=f"connect: check, discover, sample 5 streams; first connect of the server; {spread('approve')}",
    )

"""``python -m tests.e2e.screenshots [FOLDER]``: the README's images, taken from the running app.

Starts ``streamlit run app.py`` on a fresh temp HUB_HOME (demo accounts, pacing off), signs in as
alice in the system Chromium at a fixed 1400x900 viewport, and saves:

- ``connect.png``: the Connect page with "Recommended for E-commerce" and the catalogue;
- ``consent.png``: Shopify's demo consent dialog;
- ``preview.png``: the Data preview of the Shopify connection's ``orders`` stream.

``make screenshots`` writes them to ``docs/`` (committed on purpose). Without an argument they go to
``artifacts/screenshots/`` (gitignored). `tests/e2e/test_screenshots_stable.py` runs it twice into temporary
folders and compares the images byte for byte; the suite never writes to ``docs/``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e import flows
from tests.e2e.support import (
    CHROMIUM_LAUNCH,
    REPO,
    VIEWPORT,
    StreamlitServer,
    open_app,
    settle,
    shot,
    watch_reruns,
)

#: Chromium re-rasters only the changed part of a tile by default, so the anti-aliasing of a few edge pixels
#: (a card's rounded corner) depended on what was drawn there before; whole tiles give the same pixels.
_LAUNCH = {**CHROMIUM_LAUNCH, "args": [*CHROMIUM_LAUNCH["args"], "--disable-partial-raster"]}

#: True once no finite animation or transition is running (infinite ones, like a spinner, never end).
_NO_TRANSITIONS = """() => document.getAnimations().every(
  a => a.playState !== "running" || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)"""


def _still(page: Page) -> None:
    """Wait for the app to settle, with no focus ring and no hover effect in the picture.

    Focus and pointer leave first; then the picture waits for the transitions that started (a pill's
    border fading out) to end and for two frames (the grid is a canvas that redraws on the next frame),
    so that no run catches one half-way.
    """
    settle(page)
    page.evaluate("document.activeElement instanceof HTMLElement && document.activeElement.blur()")
    page.mouse.move(800, 40)  # empty header space: hovering the sidebar would show its collapse button
    page.wait_for_function(_NO_TRANSITIONS, polling="raf")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def take(folder: Path) -> list[Path]:
    """Run the flow once and save the images into ``folder``; return their paths."""
    saved: list[Path] = []
    with (
        tempfile.TemporaryDirectory(prefix="hub-screenshots-") as tmp,
        StreamlitServer(
            REPO / "app.py", cwd=REPO, hub_home=Path(tmp) / "hubhome", log_path=Path(tmp) / "streamlit.log"
        ) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(**_LAUNCH)
        try:
            context = browser.new_context(
                viewport=VIEWPORT, locale="en-US", timezone_id="UTC", device_scale_factor=1
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            watch_reruns(page)
            open_app(page, server.url)
            flows.sign_in_as(page, "alice", "demo")
            _still(page)
            saved.append(shot(page, folder, "connect"))

            dialog = flows.open_connect_dialog(page, "shopify", "Shopify")
            _still(page)
            saved.append(shot(page, folder, "consent"))
            flows.approve(page, dialog)
            flows.close_dialog_done(page, dialog)

            flows.open_preview(page, "shopify", "orders")
            _still(page)
            saved.append(shot(page, folder, "preview"))
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    """Parse the folder argument and take the screenshots."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.e2e.screenshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "folder",
        nargs="?",
        default=str(REPO / "artifacts" / "screenshots"),
        help="where to write the PNGs (make screenshots: docs)",
    )
    args = parser.parse_args(argv)
    folder = Path(args.folder).resolve()
    for path in take(folder):
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

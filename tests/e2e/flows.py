"""The app's user flows as browser steps, shared by the e2e tests, the screenshots and the UI benchmark.

Every step waits for a condition a user would see (a heading, a badge, a dialog), never for time, and
clicks only once the app has settled (`support.click`). Handles are the widgets' ``key=`` names
(Streamlit renders them as ``st-key-<key>`` CSS classes): cards ``<grid>_card_<source id>`` with
buttons ``<grid>_connect_<id>`` and ``<grid>_preview_<id>`` (grid ``rec`` = recommended, ``all``),
the consent buttons ``consent_approve``/``consent_cancel``, ``db_sample``, ``dialog_done``,
``continue_button``, and the preview pickers ``preview_connection``/``preview_stream``.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import click, key_locator, settle, sign_in, sign_in_form
from ui.auth import COOKIE_NAME

RECOMMENDED = "rec"
ALL = "all"


def wait_sign_in_form(page: Page) -> None:
    """The sign-in form is on screen."""
    expect(sign_in_form(page)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def sign_in_as(page: Page, username: str, password: str) -> None:
    """Sign in from the sign-in form; wait for the catalogue and for the browser to hold the sign-in cookie.

    The sign-in run itself writes the cookie (a script in the page, no rerun); waiting for it to reach the
    browser means a reload from here on stays signed in.
    """
    settle(page)
    sign_in(page, username, password)
    expect(page.get_by_role("heading", name=re.compile(r"^Recommended for "))).to_be_visible()
    page.wait_for_function(
        "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))", arg=COOKIE_NAME
    )
    settle(page)


def card(page: Page, source_id: str, grid: str = RECOMMENDED) -> Locator:
    """A catalogue card (bordered container) by source id."""
    return key_locator(page, f"{grid}_card_{source_id}")


def show_every_card(page: Page) -> None:
    """Choose the catalogue's **All** category: a card for every integration under "All integrations"."""
    pill = key_locator(page, "catalogue_category").get_by_role("radio", name=re.compile(r"^All · \d+$"))
    click(page, pill)
    expect(page.locator("[class*='st-key-all_card_']").first).to_be_visible()


def search_catalogue(page: Page, text: str, source_id: str) -> None:
    """Type ``text`` into the catalogue's search box and wait for ``source_id``'s card among the matches."""
    box = key_locator(page, "catalogue_search").get_by_role("textbox")
    settle(page)
    box.fill(text)
    box.press("Enter")
    expect(card(page, source_id, ALL)).to_be_visible()


# The state badge's word, then the stream and record counts ("Connected · 5 streams · 250 records
# sampled"); badges hold an icon whose ligature text ("check_circle") comes first, and the counts may
# sit beside the badge rather than in it, so this matches inside the card's whole text.
CONNECTED = re.compile(r"\bConnected\b.*\b\d+ streams? · [\d,]+ records?", re.DOTALL)
NOT_CONNECTED = "Not connected"


def open_connect_dialog(page: Page, source_id: str, name: str, grid: str = RECOMMENDED) -> Locator:
    """Click the card's Connect and return the open dialog ("Connect <name>")."""
    button = key_locator(page, f"{grid}_connect_{source_id}").get_by_role("button")
    click(page, button)
    dialog = page.get_by_role("dialog", name=f"Connect {name}")
    expect(dialog).to_be_visible()
    return dialog


def wait_connected_in_dialog(dialog: Locator) -> Locator:
    """The dialog's progress box finished with "Connected · N streams · M records sampled"."""
    summary = dialog.get_by_text(re.compile(r"^Connected · \d+ streams? · [\d,]+ records? sampled$"))
    expect(summary).to_be_visible(timeout=60_000)
    return summary


def approve(page: Page, dialog: Locator) -> Locator:
    """Approve the demo consent and wait until the dialog reports the connection."""
    click(page, dialog.locator(".st-key-consent_approve").get_by_role("button"))
    return wait_connected_in_dialog(dialog)


def use_sample_data(page: Page, dialog: Locator) -> Locator:
    """Click "Use sample data" in a database dialog and wait until it reports the connection."""
    click(page, dialog.locator(".st-key-db_sample").get_by_role("button", name="Use sample data"))
    return wait_connected_in_dialog(dialog)


def close_dialog_done(page: Page, dialog: Locator) -> None:
    """Click Done and wait for the dialog to close."""
    click(page, dialog.locator(".st-key-dialog_done").get_by_role("button", name="Done"))
    expect(dialog).to_be_hidden()


def connect_oauth(page: Page, source_id: str, name: str, grid: str = RECOMMENDED) -> None:
    """Connect → consent → Approve → Done, until the card shows Connected."""
    dialog = open_connect_dialog(page, source_id, name, grid)
    approve(page, dialog)
    close_dialog_done(page, dialog)
    expect(card(page, source_id, grid)).to_contain_text(CONNECTED)


def continue_button(page: Page) -> Locator:
    """The "Continue with N integration(s)" button."""
    return key_locator(page, "continue_button").get_by_role("button")


def open_preview(page: Page, source_id: str, stream: str, grid: str = RECOMMENDED) -> Locator:
    """From a connected card, open the Data preview and pick ``stream``; return the dataframe."""
    click(page, key_locator(page, f"{grid}_preview_{source_id}").get_by_role("button", name="Preview"))
    expect(page.get_by_role("heading", name="Data preview", exact=True)).to_be_visible()
    return pick_stream(page, stream)


def pick_stream(page: Page, stream: str) -> Locator:
    """Choose ``stream`` in the preview's stream picker; return its dataframe once shown."""
    combobox = key_locator(page, "preview_stream").get_by_role("combobox")
    expect(combobox).to_be_visible()
    # Options read "orders · 1,000 records" (the record count when the stream knows it).
    option = re.compile(rf"^{re.escape(stream)}( · .*)?$")
    if not option.match(combobox.input_value()):
        click(page, combobox)
        page.get_by_role("option", name=option).click()
        expect(combobox).to_have_value(option)
    expect(page.get_by_role("heading", name=stream, exact=True)).to_be_visible()
    settle(page)
    frame = page.locator('[data-testid="stDataFrame"]').first
    expect(frame).to_be_visible()
    return frame


def grid(frame: Locator) -> Locator:
    """The accessible table behind a rendered ``st.dataframe`` (glide data grid draws on a canvas)."""
    table = frame.locator('table[role="grid"]')
    expect(table).to_be_attached()
    return table


def dataframe_shape(frame: Locator) -> tuple[int, int]:
    """(data rows, columns) of a rendered ``st.dataframe``, from the grid's ARIA counts."""
    table = grid(frame)
    rows = int(table.get_attribute("aria-rowcount") or 0) - 1  # the header row counts too
    return rows, int(table.get_attribute("aria-colcount") or 0)


def dataframe_headers(frame: Locator, *, reads: int = 50) -> list[str]:
    """The column headers the grid has rendered (it virtualises: the leftmost ones that fit).

    The grid fills its headers in over a few frames, so they are read until two reads agree.
    """
    headers = grid(frame).locator('th[role="columnheader"]')
    expect(headers.first).to_be_attached()
    seen: list[str] | None = None
    for _ in range(reads):
        now = [h.strip() for h in headers.all_text_contents() if h.strip()]
        if now and now == seen:
            return now
        seen = now
        frame.page.wait_for_timeout(100)
    raise AssertionError(f"the grid's headers did not settle: {seen}")

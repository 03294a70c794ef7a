"""Helpers for the AppTest suite: a fresh app per test, sign-in, and looking through what it rendered."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from hub import Hub, Settings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
STRIPE_KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"  # Stripe's documented test-key format


def new_app() -> AppTest:
    """The app, isolated from any real ``.streamlit/secrets.toml`` (AppTest then uses ``at.secrets``)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["tests"] = {"isolated": True}
    return at


def ok(at: AppTest) -> AppTest:
    """Assert the run raised nothing (an uncaught exception shows as ``st.exception``)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(username: str = "alice", password: str = "demo", at: AppTest | None = None) -> AppTest:
    """Sign in through the form; returns the app on the landing page."""
    at = at if at is not None else new_app()  # not `or`: an AppTest that has not run yet is falsy (len 0)
    if not at._tree.children:  # never run yet
        ok(at.run())
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    ok(at.button(key="signin_submit").click().run())
    return at


def show_every_card(at: AppTest) -> AppTest:
    """Pick the catalogue's **All** category: a card for every integration (the page opens without them)."""
    return ok(at.pills(key="catalogue_category").set_value("All").run())


def open_hub() -> Hub:
    """A second Hub on the test's HUB_HOME, to check what the app stored (and to set up data)."""
    return Hub.open(Settings.from_env())


def nodes(at: AppTest) -> Iterator[Any]:
    """Every node of the rendered tree (main, sidebar, dialogs)."""
    stack: list[Any] = [at._tree]
    while stack:
        node = stack.pop()
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())


def texts(at: AppTest) -> list[str]:
    """The text of every element and the label of every block/widget that has one."""
    found: list[str] = []
    for node in nodes(at):
        for attr in ("value", "label", "body", "placeholder", "help"):
            try:
                value = getattr(node, attr, None)
            except Exception:  # widgets without a state yet
                continue
            if isinstance(value, str) and value:
                found.append(value)
    return found


def rendered(at: AppTest) -> str:
    """Everything the app sent to the browser, as text (the protos of every element)."""
    return "\n".join(str(getattr(node, "proto", "")) for node in nodes(at))


def has_text(at: AppTest, fragment: str) -> bool:
    """Whether any rendered text contains ``fragment``."""
    return any(fragment in t for t in texts(at))


def status_labels(at: AppTest) -> list[str]:
    """The labels of the ``st.status`` boxes."""
    return [s.label for s in at.status]


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

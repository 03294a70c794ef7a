"""State badges: each state's word (from `hub.presenting`) with an icon and a colour, never colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hub.models import Connection, Mode, Status
from hub.presenting import HANDED_OFF, STATUS_LABELS
from hub.presenting import NOT_CONNECTED as NOT_CONNECTED_LABEL


@dataclass(frozen=True)
class Badge:
    """A small label with an icon and a word (``ui.components.badge_md`` draws it)."""

    label: str
    icon: str
    color: Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"]


NOT_CONNECTED = Badge(NOT_CONNECTED_LABEL, ":material/radio_button_unchecked:", "gray")

_STATUS_LOOKS: dict[Status, tuple[str, Literal["blue", "green", "red", "gray"]]] = {
    Status.CONNECTING: (":material/sync:", "blue"),
    Status.TESTING: (":material/pending:", "blue"),
    Status.CONNECTED: (":material/check_circle:", "green"),
    Status.FAILED: (":material/error:", "red"),
    Status.DISCONNECTED: (":material/link_off:", "gray"),
}

STATUS_BADGES: dict[Status, Badge] = {
    status: Badge(STATUS_LABELS[status], icon, color) for status, (icon, color) in _STATUS_LOOKS.items()
}

DEMO_BADGE = Badge("Demo", ":material/science:", "violet")
LIVE_BADGE = Badge("Live", ":material/bolt:", "orange")
HANDOFF_BADGE = Badge(HANDED_OFF, ":material/send:", "blue")


def status_badge(connection: Connection | None) -> Badge:
    """The state badge of a card or a row; ``None`` (no connection) is "Not connected"."""
    if connection is None:
        return NOT_CONNECTED
    return STATUS_BADGES[Status(connection.status)]


def mode_badge(connection: Connection) -> Badge:
    """The "Demo" badge for demo connections, "Live" otherwise."""
    return DEMO_BADGE if Mode(connection.mode) is Mode.DEMO else LIVE_BADGE


__all__ = [
    "DEMO_BADGE",
    "HANDOFF_BADGE",
    "LIVE_BADGE",
    "NOT_CONNECTED",
    "STATUS_BADGES",
    "Badge",
    "mode_badge",
    "status_badge",
]

"""Shared widgets: badges, source cards, the step-by-step status runner, failure boxes.

`show_error` and `error_boundary` live in `ui.errors` (no pandas, so the sign-in page stays light) and
are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from hub.exceptions import ConfigError, HubError
from hub.models import Connection, FailureKind, SourceEntry, Status, StepEvent
from hub.presenting import (
    auth_kind_label,
    cannot_be_read,
    failure_text,
    shows_handed_off,
    status_counts,
    status_text,
    unreadable_streams,
)
from ui.badges import HANDOFF_BADGE, Badge, mode_badge, status_badge
from ui.errors import error_boundary, show_error

log = logging.getLogger("hub.app")

STEP_LABELS = {
    "connecting": "Connecting",
    "installing": "Installing the connector",
    "testing": "Testing the connection",
    "discovering": "Discovering streams",
    "sampling": "Sampling records",
}


def _escape(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def badge_md(badge: Badge, text: str | None = None) -> str:
    """A Markdown colour badge with its icon and word."""
    return f":{badge.color}-badge[{badge.icon} {_escape(text or badge.label)}]"


def connection_badges(connection: Connection | None, *, counts: bool = True) -> str:
    """The state badge, "Demo" or "Live", "Handed off to Airbyte" once handed off, and the counts below.

    The counts go on their own line in words rather than inside the badge, so a narrow card never
    cuts them off: "Connected" · "Demo" / "5 streams · 250 records sampled".
    """
    parts = [badge_md(status_badge(connection))]
    if connection is not None:
        parts.append(badge_md(mode_badge(connection)))
        if shows_handed_off(connection):
            parts.append(badge_md(HANDOFF_BADGE))
    text = " ".join(parts)
    numbers = status_counts(connection) if counts else ""
    return f"{text}  \n:small[:gray[{numbers}]]" if numbers else text


def kind_badge(source: SourceEntry) -> str:
    """The auth kind as a small grey badge ("OAuth", "API key", "Database", "File")."""
    return f":gray-badge[{auth_kind_label(source.auth_kind)}]"


def duration(seconds: float) -> str:
    """A step's duration: "12 ms", "0.6 s", "3.4 s"."""
    if seconds < 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def step_line(event: StepEvent) -> str:
    """The line a finished (or failed) step leaves in a progress box, with its duration."""
    label = STEP_LABELS.get(event.step, event.step.title())
    icon = ":material/check_circle:" if event.state == "done" else ":material/cancel:"
    message = f" — {event.message}" if event.message else ""
    return f"{icon} **{label}**{message} · {duration(event.seconds)}"


def run_with_progress(
    title: str, action: Callable[[Callable[[StepEvent], None]], Connection]
) -> Connection | None:
    """Run ``action(on_step)`` inside ``st.status``: one line per step with its duration.

    Returns the connection (connected or failed), or None when the service refused the input
    (a `HubError` such as a missing field; its message is shown, nothing was stored).
    """
    with st.status(title, expanded=True) as box:
        errors: list[str] = []

        def on_step(event: StepEvent) -> None:
            label = STEP_LABELS.get(event.step, event.step.title())
            if event.state == "error":
                errors.append(event.message)
            if event.state == "running":
                box.update(label=f"{label}…")
                return
            if event.state == "progress":  # records read so far, an install's stage: in the box's label
                box.update(label=f"{label} · {_escape(event.message)}")
                return
            st.markdown(step_line(event))

        try:
            connection = action(on_step)
        except ConfigError as exc:
            box.update(label="Check the form", state="error", expanded=True)
            st.error(exc.message, icon=":material/edit:")
            if exc.hint:
                st.caption(exc.hint)
            return None
        except HubError as exc:
            box.update(label="Could not finish", state="error", expanded=True)
            st.error(exc.message, icon=":material/error:")
            if exc.hint:
                st.caption(exc.hint)
            return None
        if Status(connection.status) is Status.CONNECTED:
            box.update(label=status_text(connection), state="complete", expanded=True)
        else:
            reason, todo = failure_text(connection)
            box.update(label="Failed", state="error", expanded=True)
            if not errors:  # the step lines did not say why
                st.markdown(f"**What happened:** {reason}")
            st.markdown(f"**What to do:** {todo}")
    return connection


def failure_box(connection: Connection) -> None:
    """The reason of a failed connection in words, and what to do."""
    reason, todo = failure_text(connection)
    st.error(f"**{connection.name} failed.** {reason}", icon=":material/error:")
    st.caption(f"What to do: {todo}")
    logs = (connection.metadata.get("check") or {}).get("logs")
    if logs:  # the connector's own last lines, for whoever troubleshoots it
        with st.expander("Details: the connector's last log lines", icon=":material/terminal:"):
            st.code("\n".join(map(str, logs)), language=None)


def unreadable_notice(connection: Connection) -> None:
    """Which streams the connection's last test could not read, and why (nothing when all were read)."""
    note = cannot_be_read(unreadable_streams(connection))
    if note:
        st.warning(note, icon=":material/visibility_off:")


def source_card(
    source: SourceEntry,
    connection: Connection | None,
    *,
    prefix: str,
    reason: str | None = None,
    on_connect: Callable[..., None],
    on_preview: Callable[..., None],
) -> None:
    """One catalogue card in a bordered container: icon, name, category, description, badges, actions.

    The text is one Markdown element, not one per line: the catalogue shows some 26 cards, and each element
    is a message the browser processes before it can draw the page (after a sign-in, one element per line
    made the catalogue take twice as long to appear).
    """
    with st.container(border=True, key=f"{prefix}_card_{source.id}"):
        st.markdown(
            f"##### {source.icon} {source.name}\n\n:gray[:small[{source.category}]]\n\n"
            f"{reason or source.description}\n\n{kind_badge(source)} {connection_badges(connection)}"
        )
        state = Status(connection.status) if connection is not None else None
        labels: dict[Status | None, tuple[str, str]] = {
            Status.FAILED: ("Retry", ":material/refresh:"),
            Status.CONNECTED: ("Connect another", ":material/add:"),
        }
        label, icon = labels.get(state, ("Connect", ":material/add_link:"))
        if state is Status.FAILED and connection is not None and _expired(connection):
            label, icon = "Reconnect", ":material/login:"  # a new sign-in, not a retry of the refused one
        if state is Status.CONNECTED and connection is not None:
            st.button(
                "Preview data",
                key=f"{prefix}_preview_{source.id}",
                icon=":material/table_view:",
                on_click=on_preview,
                args=(connection.id,),
                width="stretch",
            )
        st.button(
            label,
            key=f"{prefix}_connect_{source.id}",
            icon=icon,
            type="tertiary" if state is Status.CONNECTED else "secondary",
            on_click=on_connect,
            args=(source.id, connection.id if state is Status.FAILED and connection else None),
            width="stretch",
        )


def _expired(connection: Connection) -> bool:
    """A failed connection whose sign-in the provider no longer accepts ("Authorization expired")."""
    return bool((connection.metadata.get("check") or {}).get("kind") == FailureKind.AUTH_EXPIRED)


def setup_guide(source: SourceEntry) -> None:
    """The setup guide in an expander (every connect dialog has one)."""
    with st.expander(f"Setup guide: {source.name}", icon=":material/menu_book:"):
        for number, step in enumerate(source.setup_guide, start=1):
            st.markdown(f"{number}. {step}")
        if source.docs_url:
            st.markdown(f"[{source.name} documentation]({source.docs_url})")


__all__ = [
    "badge_md",
    "connection_badges",
    "duration",
    "error_boundary",
    "failure_box",
    "kind_badge",
    "run_with_progress",
    "setup_guide",
    "show_error",
    "source_card",
    "step_line",
    "unreadable_notice",
]

"""The connection status machine: one table of allowed transitions and one function that applies it."""

from __future__ import annotations

from hub.exceptions import TransitionError
from hub.models import Status

#: ``None`` is a connection that does not exist yet.
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.CONNECTING}),
    Status.CONNECTING: frozenset({Status.TESTING, Status.FAILED}),
    Status.TESTING: frozenset({Status.CONNECTED, Status.FAILED}),
    Status.CONNECTED: frozenset({Status.TESTING, Status.DISCONNECTED}),
    Status.FAILED: frozenset({Status.TESTING, Status.CONNECTING, Status.DISCONNECTED}),
    Status.DISCONNECTED: frozenset(),
}


def can_transition(current: Status | None, target: Status) -> bool:
    """Whether ``current -> target`` is allowed."""
    return target in TRANSITIONS[current]


def transition(current: Status | str | None, target: Status | str) -> Status:
    """Return ``target`` as a `Status` if ``current -> target`` is allowed, else raise `TransitionError`."""
    try:  # members pass as they are (an enum call per transition is measurable on the connect path)
        cur = current if current is None or type(current) is Status else Status(current)
        tgt = target if type(target) is Status else Status(target)
    except ValueError as exc:
        valid = ", ".join(s.value for s in Status)
        raise TransitionError(f"Unknown status {exc.args[0]!r}.", hint=f"Valid statuses: {valid}.") from exc
    if not can_transition(cur, tgt):
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[cur])) or "nothing (it is final)"
        name = cur.value if cur else "a new connection"
        raise TransitionError(
            f"A connection cannot go from {name} to {tgt.value}.",
            hint=f"From {name} it may go to: {allowed}.",
        )
    return tgt

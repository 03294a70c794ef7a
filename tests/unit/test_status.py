"""The status machine, pair by pair, against the table in reference/contracts.md (written out here)."""

from __future__ import annotations

import itertools

import pytest

from hub.exceptions import HubError, TransitionError
from hub.models import Status
from hub.status import can_transition, transition

# The contract table, spelled out independently of hub.status.TRANSITIONS.
NEW = None
LEGAL: set[tuple[str | None, str]] = {
    (NEW, "connecting"),
    ("connecting", "testing"),
    ("connecting", "failed"),
    ("testing", "connected"),
    ("testing", "failed"),
    ("connected", "testing"),
    ("connected", "disconnected"),
    ("failed", "testing"),
    ("failed", "connecting"),
    ("failed", "disconnected"),
}
STATES = ["connecting", "testing", "connected", "failed", "disconnected"]
ALL_PAIRS = list(itertools.product([NEW, *STATES], STATES))
ILLEGAL = [p for p in ALL_PAIRS if p not in LEGAL]


def _id(pair: tuple[str | None, str]) -> str:
    return f"{pair[0] or 'new'}->{pair[1]}"


def test_the_table_covers_every_pair() -> None:
    assert len(ALL_PAIRS) == 30
    assert len(LEGAL) == 10
    assert len(ILLEGAL) == 20
    assert {s.value for s in Status} == set(STATES)


@pytest.mark.parametrize("pair", sorted(LEGAL, key=_id), ids=_id)
def test_legal_transition(pair: tuple[str | None, str]) -> None:
    current, target = pair
    assert transition(current, target) is Status(target)
    # the enum and the stored string are interchangeable
    cur_enum = None if current is None else Status(current)
    assert transition(cur_enum, Status(target)) is Status(target)
    assert can_transition(cur_enum, Status(target))


@pytest.mark.parametrize("pair", ILLEGAL, ids=_id)
def test_illegal_transition_raises(pair: tuple[str | None, str]) -> None:
    current, target = pair
    with pytest.raises(TransitionError) as info:
        transition(current, target)
    err = info.value
    assert isinstance(err, HubError)
    assert target in err.message
    assert (current or "a new connection") in err.message
    assert err.hint.startswith("From ")
    assert not can_transition(None if current is None else Status(current), Status(target))


@pytest.mark.parametrize("target", STATES)
def test_disconnected_is_final(target: str) -> None:
    with pytest.raises(TransitionError) as info:
        transition("disconnected", target)
    assert "nothing (it is final)" in info.value.hint


def test_hint_lists_the_allowed_targets() -> None:
    with pytest.raises(TransitionError) as info:
        transition("failed", "connected")
    assert info.value.hint == "From failed it may go to: connecting, disconnected, testing."


@pytest.mark.parametrize(("current", "target"), [("paused", "testing"), ("testing", "done"), (None, "")])
def test_unknown_status_is_a_transition_error(current: str | None, target: str) -> None:
    with pytest.raises(TransitionError) as info:
        transition(current, target)
    assert "Unknown status" in info.value.message
    assert "connecting, testing, connected, failed, disconnected" in info.value.hint

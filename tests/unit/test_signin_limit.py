"""Failed sign-ins per username are limited: counted in the database, a sliding window, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub import Hub, Settings
from hub.exceptions import SignInLocked
from hub.storage.tables import now

MESSAGE = "Too many failed sign-ins for this username. Try again in "


def _hub(**overrides: object) -> Hub:
    hub = Hub.open(Settings.from_env(**overrides))
    hub.ensure_demo_accounts()
    return hub


def test_five_failures_lock_the_username_even_for_the_right_password() -> None:
    hub = _hub()
    try:
        for _ in range(5):
            assert hub.authenticate("alice", "wrong-guess") is None
        with pytest.raises(SignInLocked) as locked:
            hub.authenticate("alice", "demo")
        assert str(locked.value) == MESSAGE + "15 minutes."
        assert 14 * 60 < locked.value.retry_after <= 15 * 60
        rows = hub.tenant("acme").audit_log(action="auth.sign_in_failed")
        assert [r.detail["reason"] for r in rows] == ["wrong password"] * 5 + ["locked out"]
        assert rows[-1].outcome == "denied"
        assert hub.authenticate("bob", "demo") is not None  # another username is not affected
    finally:
        hub.close()


def test_a_second_replica_sees_the_lockout() -> None:
    first, second = _hub(), _hub()
    try:
        for _ in range(5):
            assert first.authenticate("bob", "nope-nope") is None
        with pytest.raises(SignInLocked):
            second.authenticate("bob", "demo")
    finally:
        first.close()
        second.close()


def test_unknown_usernames_lock_with_the_same_words() -> None:
    hub = _hub(sign_in_max_failures=2)
    try:
        for _ in range(2):
            assert hub.authenticate("mallory", "guess-1") is None
        with pytest.raises(SignInLocked) as locked:
            hub.authenticate("mallory", "guess-2")
        assert str(locked.value).startswith(MESSAGE)
    finally:
        hub.close()


def test_the_window_slides_and_old_rows_are_pruned() -> None:
    """Failures older than the window count for nothing (written directly with old times), and the
    next failure deletes them."""
    hub = _hub(sign_in_max_failures=3, sign_in_window_s=60)
    try:
        long_ago = now() - timedelta(seconds=120)
        for _ in range(5):
            hub.db.directory.add_sign_in_failure("alice", long_ago, prune_before=long_ago)
        assert hub.sign_in_lockout("alice") is None
        assert hub.authenticate("alice", "wrong-guess") is None
        assert hub.db.directory.recent_sign_in_failures("alice", long_ago - timedelta(seconds=1)) != []
        assert len(hub.db.directory.recent_sign_in_failures("alice", long_ago - timedelta(seconds=1))) == 1
        # two failures: still below the limit of three
        assert hub.authenticate("alice", "wrong-again") is None
        assert hub.authenticate("alice", "demo") is not None  # success forgets the failures
        assert hub.sign_in_lockout("alice") is None
        assert hub.db.directory.recent_sign_in_failures("alice", long_ago) == []
    finally:
        hub.close()


def test_a_refused_attempt_does_not_extend_the_lockout() -> None:
    hub = _hub(sign_in_max_failures=2)
    try:
        for _ in range(2):
            hub.authenticate("alice", "wrong-guess")
        first = hub.sign_in_lockout("alice")
        for _ in range(3):
            with pytest.raises(SignInLocked):
                hub.authenticate("alice", "wrong-guess")
        later = hub.sign_in_lockout("alice")
        assert first is not None and later is not None and later <= first
    finally:
        hub.close()

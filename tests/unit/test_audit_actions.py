"""One list of audit actions: the `AuditAction` enum, which storage checks rows against (see test_audit)."""

from __future__ import annotations

import re

from hub.models import AuditAction
from hub.storage.audit import AUDIT_ACTIONS


def test_storage_accepts_exactly_the_enum_values():
    assert frozenset(a.value for a in AuditAction) == AUDIT_ACTIONS
    assert len(AuditAction) == len(AUDIT_ACTIONS)  # no two members share a value


def test_every_action_is_a_subject_and_a_verb():
    for action in AuditAction:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", action.value), action
        assert action.name == action.value.upper().replace(".", "_")


def test_the_actions_of_the_new_capabilities_are_listed():
    # contracts.md: the actions that live connectors, OAuth, health and the hand-off will record
    for name in (
        "connection.interrupted",
        "connector.install",
        "connector.remove",
        "oauth.start",
        "oauth.callback",
        "oauth.denied",
        "oauth.refresh",
        "oauth.revoke",
        "health.change",
        "alert.sent",
        "drift.detect",
        "drift.accept",
        "handoff.setup",
        "handoff.source",
        "handoff.destination",
        "handoff.connection",
        "handoff.job",
    ):
        assert AuditAction(name).value == name


"""The audit log's hash chain: building rows and verifying a tenant's chain.

Each row's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces) of every other column;
``prev_hash`` is the previous row's hash (``GENESIS`` for the first), ``seq`` counts from 1 per tenant, and
``tenants.audit_head`` holds the newest hash, so that editing, deleting (the newest included) or
reordering rows is detected by `verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from hub.exceptions import InputError
from hub.models import AuditAction, AuditEntry, AuditVerification, Outcome

GENESIS = "0" * 64

#: Every action the hub audits: the values of `AuditAction` (contracts.md).
AUDIT_ACTIONS: frozenset[str] = frozenset(action.value for action in AuditAction)

_SECRETISH = re.compile(r"(pass(word)?|secret|token|api_?key|private|credential|authorization)", re.I)
REDACTED = "[redacted]"


def scrub(value: Any, *, _key: str = "") -> Any:
    """A JSON-safe copy of ``value`` with secret-looking keys and `SecretStr` values redacted.

    Numbers, booleans and None are kept even under a secret-looking key (a count is not a secret).
    """
    if isinstance(value, SecretStr):
        return REDACTED
    if _key and _SECRETISH.search(_key) and not isinstance(value, bool | int | float | type(None)):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): scrub(v, _key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def iso(at: datetime) -> str:
    """The canonical text of a time: UTC, microseconds, ``+00:00`` (a naive time is taken as UTC)."""
    value = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """The canonical JSON text: sorted keys, no spaces, non-ASCII characters as themselves (not escaped).

    Every audit hash ever written is over this text, so its options are part of the stored data: change
    none of them (``ensure_ascii=False`` and float ``repr`` included), or old chains stop verifying.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def new_id() -> str:
    """A random (version 4) uuid as text."""
    return str(uuid.uuid4())


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of every column but ``hash``.

    The one hash function of the chain: `build_row` writes it and `verify_chain` checks it.
    """
    body = {
        "id": str(row["id"]),
        "tenant_id": str(row["tenant_id"]),
        "seq": int(row["seq"]),
        "at": iso(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "outcome": str(row["outcome"]),
        "detail": row["detail"],
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


@dataclass(slots=True)
class AuditDraft:
    """What a service wants audited; the store adds id, seq, time and the chain.

    Not frozen: one is made for every audited change, and a frozen dataclass's ``__init__`` (a call per
    field) costs about twice as much. The store reads it once and keeps nothing of it but the row.
    """

    action: str
    actor: str
    target_type: str = ""
    target_id: str = ""
    outcome: Outcome | str = Outcome.OK
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action not in AUDIT_ACTIONS:
            raise InputError(
                f"Unknown audit action {self.action!r}.",
                hint=f"Use one of: {', '.join(sorted(AUDIT_ACTIONS))}.",
            )
        if type(self.outcome) is Outcome:
            return
        try:
            Outcome(self.outcome)
        except ValueError:
            raise InputError(
                f"Unknown audit outcome {self.outcome!r}.", hint="Use ok, error or denied."
            ) from None


def build_row(draft: AuditDraft, *, tenant_id: str, seq: int, prev_hash: str, at: datetime) -> dict[str, Any]:
    """The full row (with its hash) that follows ``prev_hash`` at position ``seq``."""
    row: dict[str, Any] = {
        "id": new_id(),
        "tenant_id": tenant_id,
        "seq": seq,
        "at": at,
        "actor": draft.actor[:200],
        "action": draft.action,
        "target_type": draft.target_type,
        "target_id": draft.target_id,
        "outcome": Outcome(draft.outcome).value,
        "detail": scrub(draft.detail),  # always a new dict (a mapping is copied, never kept)
        "prev_hash": prev_hash,
    }
    row["hash"] = row_hash(row)
    return row


def to_entry(row: Mapping[str, Any]) -> AuditEntry:
    """A stored row as the shared model."""
    return AuditEntry(
        id=str(row["id"]),
        tenant_id=str(row["tenant_id"]),
        seq=int(row["seq"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        target_type=row["target_type"],
        target_id=row["target_id"],
        outcome=Outcome(row["outcome"]),
        detail=dict(row["detail"] or {}),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def verify_chain(rows: Iterable[Mapping[str, Any]], *, head: str) -> AuditVerification:
    """Check seq, prev_hash and hash of every row (ordered by seq) and that the last hash is ``head``."""
    prev = GENESIS
    count = 0
    for expected_seq, row in enumerate(rows, start=1):
        count += 1
        seq = int(row["seq"])
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "duplicated or out of order"
            return AuditVerification(
                ok=False,
                rows=count,
                first_broken_seq=expected_seq,
                reason=f"Row {expected_seq} is {what} (found seq {seq} in its place).",
            )
        if row["prev_hash"] != prev:
            return AuditVerification(
                ok=False,
                rows=count,
                first_broken_seq=seq,
                reason=f"Row {seq} does not follow row {seq - 1}: its prev_hash does not match (a row was "
                "removed, inserted or reordered).",
            )
        if row_hash(row) != row["hash"]:
            return AuditVerification(
                ok=False,
                rows=count,
                first_broken_seq=seq,
                reason=f"Row {seq} was altered: its content does not match its hash.",
            )
        prev = row["hash"]
    if (head or GENESIS) != prev:
        return AuditVerification(
            ok=False,
            rows=count,
            first_broken_seq=count + 1,
            reason=f"The newest row(s) from row {count + 1} on are missing: the chain ends at row {count}, "
            "but the "
            "tenant's audit head points to a later row.",
        )
    return AuditVerification(ok=True, rows=count)


__all__ = [
    "AUDIT_ACTIONS",
    "GENESIS",
    "AuditDraft",
    "build_row",
    "canonical_json",
    "new_id",
    "row_hash",
    "scrub",
    "to_entry",
    "verify_chain",
]

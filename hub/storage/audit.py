"""The audit log's hash chain: building rows and verifying a tenant's chain.

Each row's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces) of every other column;
``prev_hash`` is the previous row's hash (``GENESIS`` for the first), ``seq`` counts from 1 per tenant, and
``tenants.audit_head`` holds the newest hash, so that editing, deleting (the newest included) or
reordering rows is detected by `verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import SecretStr

from hub.exceptions import InputError
from hub.models import AuditAction, AuditEntry, AuditVerification, Outcome

GENESIS = "0" * 64

#: Every action the hub audits: the values of `AuditAction` (contracts.md).
AUDIT_ACTIONS: frozenset[str] = frozenset(action.value for action in AuditAction)

_SECRETISH = re.compile(r"(pass(word)?|secret|token|api_?key|private|credential|authorization)", re.I)
REDACTED = "[redacted]"
_PLAIN = frozenset({int, float, bool, type(None)})
#: One encoder for every canonical text (`json.dumps` would build a new one per call; same output).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
#: Its C core, made once (`JSONEncoder.encode` makes a new one per call): the same output, without the
#: per-call circular-reference bookkeeping (a shared one would not be thread-safe), see `canonical_json`.
_C_CANONICAL = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None,
        _CANONICAL.default,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        True,
        False,
        True,
    )
    if getattr(json.encoder, "c_make_encoder", None) is not None
    else None
)


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return _SECRETISH.search(key) is not None


def scrub(value: Any, *, _key: str = "") -> Any:
    """A JSON-safe copy of ``value`` with secret-looking keys and `SecretStr` values redacted."""
    kind = type(value)
    if kind is str:  # the common cases first (exact types; subclasses take the general path)
        return REDACTED if _key and _secret_key(_key) else value
    if kind in _PLAIN:
        return value
    if kind is dict and not (_key and _secret_key(_key)):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if type(k) is str:  # the usual flat detail: plain values kept without a call per value
                kv = type(v)
                if kv in _PLAIN:
                    out[k] = v
                    continue
                if kv is str:
                    out[k] = REDACTED if _secret_key(k) else v
                    continue
            out[str(k)] = scrub(v, _key=str(k))
        return out
    if isinstance(value, SecretStr):
        return REDACTED
    if _key and _secret_key(_key) and not isinstance(value, bool | int | float | type(None)):
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


#: The last (datetime object, its `iso` text): one write's times are the same object, formatted once.
#: Read and replaced as one tuple, so threads never see a time with another's text.
_iso_last: tuple[datetime | None, str] = (None, "")


def iso(at: datetime) -> str:
    """The canonical text of a time: UTC, microseconds, ``+00:00``."""
    global _iso_last
    last = _iso_last
    if last[0] is at:
        return last[1]
    value = at
    if value.tzinfo is not UTC:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    # ``value.isoformat(timespec="microseconds")`` for a UTC time, by %-formatting (a third cheaper)
    text = "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (  # noqa: UP031 - see above
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )
    _iso_last = (at, text)
    return text


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text."""
    if _C_CANONICAL is None or type(value) is str:
        return _CANONICAL.encode(value)
    try:
        return "".join(_C_CANONICAL(value, 0))
    except RecursionError:  # a circular value: the checking encoder says so (ValueError)
        return _CANONICAL.encode(value)


def new_id() -> str:
    """A random (version 4) uuid as text: what ``str(uuid.uuid4())`` gives, without the `uuid.UUID` object."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of every column but ``hash``."""
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
    return build_row_text(draft, tenant_id=tenant_id, seq=seq, prev_hash=prev_hash, at=at)[0]


_enc = json.encoder.encode_basestring  # the string encoder canonical JSON uses (ensure_ascii=False)


def build_row_text(
    draft: AuditDraft, *, tenant_id: str, seq: int, prev_hash: str, at: datetime
) -> tuple[dict[str, Any], str]:
    """`build_row` and the canonical JSON of the row's ``detail`` (what the store writes).

    The hashed text is the canonical JSON of the body, assembled from its parts in sorted-key order so
    that ``detail`` is encoded once (for the hash and for the row); `row_hash` gives the same digest.
    """
    detail = scrub(draft.detail)  # always a new dict (a mapping is copied, never kept)
    detail_text = canonical_json(detail)
    outcome = draft.outcome.value if type(draft.outcome) is Outcome else Outcome(draft.outcome).value
    row_id = new_id()
    at_text = iso(at)
    actor = draft.actor[:200]
    action, target_type, target_id = draft.action, draft.target_type, draft.target_id
    row: dict[str, Any] = {
        "id": row_id,
        "tenant_id": tenant_id,
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "outcome": outcome,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    if (
        type(seq) is int
        and type(tenant_id) is str
        and type(prev_hash) is str
        and type(actor) is str
        and type(target_type) is str
        and type(target_id) is str
    ):
        text = (
            f'{{"action":{_enc(action)},"actor":{_enc(actor)},"at":"{at_text}",'
            f'"detail":{detail_text},"id":"{row_id}","outcome":{_enc(outcome)},'
            f'"prev_hash":{_enc(prev_hash)},"seq":{seq},"target_id":{_enc(target_id)},'
            f'"target_type":{_enc(target_type)},"tenant_id":{_enc(tenant_id)}}}'
        )
    else:  # unusual types: the general encoder over the body `row_hash` hashes
        text = canonical_json({**row, "at": at_text})
    row["hash"] = hashlib.sha256(text.encode()).hexdigest()
    return row, detail_text


def to_entry(row: Mapping[str, Any]) -> AuditEntry:
    """A stored row as the shared model."""
    at = row["at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return AuditEntry(
        id=str(row["id"]),
        tenant_id=str(row["tenant_id"]),
        seq=int(row["seq"]),
        at=at,
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
    "build_row_text",
    "canonical_json",
    "new_id",
    "row_hash",
    "scrub",
    "to_entry",
    "verify_chain",
]

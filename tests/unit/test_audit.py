"""The audit chain: hashing, verifying edits, deletions and reorders, and secrets kept out of details."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import SecretStr

from hub import Hub
from hub.exceptions import InputError
from hub.settings import Settings
from hub.storage.audit import GENESIS, AuditDraft, build_row, iso, row_hash, scrub, verify_chain

TENANT = "11111111-1111-4111-8111-111111111111"


def _chain(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        prev = rows[-1]["hash"] if rows else GENESIS
        draft = AuditDraft(
            "connection.status",
            actor="alice",
            target_type="connection",
            target_id=f"c{i}",
            detail={"to": "connected", "n": i},
        )
        rows.append(build_row(draft, tenant_id=TENANT, seq=i, prev_hash=prev, at=at + timedelta(seconds=i)))
    return rows


def test_hash_is_sha256_of_the_canonical_json_of_every_other_column() -> None:
    row = _chain(1)[0]
    body = {k: v for k, v in row.items() if k != "hash"}
    body["at"] = row["at"].isoformat(timespec="microseconds")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row["hash"] == hashlib.sha256(canonical.encode()).hexdigest() == row_hash(row)
    assert row["prev_hash"] == GENESIS and row["seq"] == 1


def test_an_intact_chain_verifies() -> None:
    rows = _chain(5)
    assert verify_chain(rows, head=rows[-1]["hash"]).ok
    assert verify_chain([], head="").ok


def test_an_edit_is_found_at_the_edited_row() -> None:
    rows = _chain(5)
    rows[2] = {**rows[2], "actor": "mallory"}
    result = verify_chain(rows, head=rows[-1]["hash"])
    assert (result.ok, result.first_broken_seq) == (False, 3) and "altered" in result.reason


def test_an_edit_with_a_recomputed_hash_breaks_the_next_row() -> None:
    rows = _chain(5)
    rows[2] = {**rows[2], "outcome": "error"}
    rows[2]["hash"] = row_hash(rows[2])
    result = verify_chain(rows, head=rows[-1]["hash"])
    assert (result.ok, result.first_broken_seq) == (False, 4)


def test_deleting_a_middle_row_is_found() -> None:
    rows = _chain(5)
    del rows[1]
    result = verify_chain(rows, head=rows[-1]["hash"])
    assert (result.ok, result.first_broken_seq) == (False, 2) and "missing" in result.reason


def test_deleting_the_newest_rows_is_found_through_the_head() -> None:
    rows = _chain(5)
    head = rows[-1]["hash"]
    result = verify_chain(rows[:3], head=head)
    assert (result.ok, result.first_broken_seq) == (False, 4) and "missing" in result.reason
    assert not verify_chain([], head=head).ok


def test_reordering_rows_is_found() -> None:
    rows = _chain(5)
    rows[1], rows[2] = {**rows[2], "seq": 2}, {**rows[1], "seq": 3}
    result = verify_chain(rows, head=rows[-1]["hash"])
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_details_never_keep_secrets_and_actions_are_checked() -> None:
    detail = scrub(
        {
            "password": "hunter2",
            "api_key": "sk_live_1",
            "nested": {"access_token": "t"},
            "secret": SecretStr("s"),
            "stream": "orders",
            "limit": 5,
            "items": [SecretStr("x")],
        }
    )
    assert detail == {
        "password": "[redacted]",
        "api_key": "[redacted]",
        "nested": {"access_token": "[redacted]"},
        "secret": "[redacted]",
        "stream": "orders",
        "limit": 5,
        "items": ["[redacted]"],
    }
    with pytest.raises(InputError, match="Unknown audit action"):
        AuditDraft("connection.exploded", actor="x")
    with pytest.raises(InputError, match="outcome"):
        AuditDraft("api.request", actor="x", outcome="maybe")


def test_concurrent_appends_form_one_chain_on_sqlite() -> None:
    with Hub.open(Settings.from_env()) as hub:
        hub.create_tenant("busy", name="Busy", business_type="saas")
        svc = hub.tenant("busy")

        def work(i: int) -> None:
            for j in range(25):
                svc.record("api.request", actor=f"t{i}", detail={"j": j})

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result = svc.verify_audit()
        assert result.ok and result.rows == 1 + 8 * 25
        assert [e.seq for e in svc.audit_log()] == list(range(1, 202))
        newest = svc.audit_log(limit=3, newest_first=True)
        assert [e.seq for e in newest] == [201, 200, 199]


def test_flat_details_keep_plain_values_and_redact_secret_strings() -> None:
    detail: dict[Any, Any] = {
        "password": "hunter2", "to": "connected", "n": 3, "ratio": 0.5, "ok": True, "none": None, 7: "x"
    }
    assert scrub(detail) == {
        "password": "[redacted]",
        "to": "connected",
        "n": 3,
        "ratio": 0.5,
        "ok": True,
        "none": None,
        "7": "x",
    }
    assert detail["password"] == "hunter2"  # the caller's dict is left as it was
    row = build_row(
        AuditDraft("connection.status", actor="a", detail=detail),
        tenant_id=TENANT,
        seq=1,
        prev_hash=GENESIS,
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert row["detail"]["password"] == "[redacted]" and row["hash"] == row_hash(row)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 27, 9, 5, 35, 486372, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: still six digits
        datetime(1, 1, 1, tzinfo=UTC),  # a year below 1000: still four digits
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 6, 1, 12, 0, 0, 5),  # naive: read as UTC
        datetime(2026, 6, 1, 14, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),  # another zone
    ],
)
def test_the_canonical_time_text_is_isoformat_in_utc(at: datetime) -> None:
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    assert iso(at) == utc.isoformat(timespec="microseconds")
    assert iso(at) == iso(at)  # the memoised answer is the same


def test_rows_with_unusual_value_types_hash_as_the_verifier_expects() -> None:
    class Text(str):
        pass

    draft = AuditDraft(
        "connection.status", actor=Text("alice"), target_type="connection", target_id=Text("c1")
    )
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = build_row(draft, tenant_id=Text(TENANT), seq=1, prev_hash=GENESIS, at=at)
    assert row["hash"] == row_hash(row)
    assert verify_chain([row], head=row["hash"]).ok

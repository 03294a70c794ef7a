"""The audit chain over the real store: random details round-trip and verify; 95d3a2c's chains verify.

95d3a2c hashed with two encoders (``row_hash`` and an f-string JSON); the chain now has one canonical
encoder. The fixture (tests/fixtures, written by that commit under TZ=America/New_York) proves the bytes
hashed are still the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import Hub
from hub.models import Status
from hub.settings import Settings
from hub.storage.audit import scrub
from tests.storage_support import legacy_expected, load_legacy_sqlite, verify_all

# Text without lone surrogates (no UTF-8 form, so no database can store them).
_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
    | st.just("")
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_DETAILS = st.dictionaries(_TEXT, _JSON, max_size=5)


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub.open(Settings.from_env()) as h:
        h.create_tenant("chain", name="Chain ☕", business_type="saas")
        yield h


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(details=st.lists(_DETAILS, min_size=1, max_size=3), actor=_TEXT)
def test_rows_with_random_details_round_trip_and_the_chain_verifies(
    hub: Hub, details: list[dict[str, Any]], actor: str
) -> None:
    svc = hub.tenant("chain")
    for detail in details:
        written = svc.record("api.request", actor=actor, target_id=actor, detail=detail)
        read = svc.audit_log(limit=1, newest_first=True)[0]
        assert read == written
        assert read.detail == scrub(detail)  # what was hashed is what is stored, value for value
    result = svc.verify_audit()
    assert result.ok, result.reason


@pytest.fixture
def legacy_home(hub_home: Path) -> Path:
    load_legacy_sqlite(hub_home / "hub.db")
    return hub_home


def _legacy_settings() -> Settings:
    return Settings.from_env(encryption_keys=legacy_expected()["encryption_keys"])


def test_chains_written_by_95d3a2c_verify_with_todays_code(legacy_home: Path) -> None:
    expected = legacy_expected()["sqlite"]["tenants"]
    with Hub.open(_legacy_settings()) as hub:
        for slug, want in expected.items():
            svc = hub.tenant(slug)
            result = svc.verify_audit()
            assert result.ok, (slug, result.reason)
            assert result.rows == want["audit_rows"]
            assert svc._store.audit_head() == want["audit_head"]
            conns = {c.id: c for c in svc.list_connections()}
            assert set(conns) == set(want["connections"])
            for cid, values in want["connections"].items():
                got = conns[cid]
                assert (got.name, got.status.value) == (values["name"], values["status"])
                assert got.created_at.isoformat() == values["created_at"]
                assert got.updated_at.isoformat() == values["updated_at"]
            assert [u.username for u in svc.users()] == want["users"]
            assert len(svc.api_keys()) == want["api_keys"]
    engine = sa.create_engine(f"sqlite:///{legacy_home / 'hub.db'}")
    try:
        checked = verify_all(engine)
    finally:
        engine.dispose()
    assert checked == {slug: (True, w["audit_rows"], w["audit_head"]) for slug, w in expected.items()}


def test_todays_code_continues_a_legacy_chain_and_reads_its_secrets(legacy_home: Path) -> None:
    expected = legacy_expected()["sqlite"]["tenants"]["globex-sqlite"]
    with Hub.open(_legacy_settings()) as hub:
        svc = hub.tenant("globex-sqlite")
        (stripe,) = [c for c in svc.list_connections() if c.name == "Stripe"]
        # a retest decrypts the config 95d3a2c sealed (same key, same tenant and connection binding)
        assert svc.retest(stripe.id, actor="bob").status is Status.CONNECTED
        svc.record("api.request", actor="bob", detail={"after": "upgrade ✓", "n": -1.5})
        result = svc.verify_audit()
        assert result.ok and result.rows == expected["audit_rows"] + 3  # testing, connected, the record
        assert svc.audit_log()[expected["audit_rows"]].prev_hash == expected["audit_head"]

"""Property tests of the demo data: every stream of every source, at any preview size, for any tenant.

A sales demo previews whatever stream and size a customer asks for; none may crash, and a smaller
preview is always the head of a larger one (the same rows, so a page reload never reshuffles data).
"""

from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.catalogue import Catalogue
from hub.connectors import get_connector
from hub.models import Mode

CATALOGUE = Catalogue.bundled()
STREAMS = [
    (source.id, stream.name)
    for source in CATALOGUE.sources
    for stream in get_connector(source, Mode.DEMO, tenant="demo", seed=0).discover({})
]

tenants = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def _read(source_id: str, stream: str, limit: int, tenant: str, seed: int) -> list[dict]:
    connector = get_connector(CATALOGUE.get(source_id), Mode.DEMO, tenant=tenant, seed=seed)
    return list(islice(connector.read({}, stream, limit=limit), limit))


def test_every_source_has_demo_streams() -> None:
    assert {s for s, _ in STREAMS} == {source.id for source in CATALOGUE.sources}


@pytest.mark.parametrize(("source_id", "stream"), STREAMS, ids=[f"{s}.{t}" for s, t in STREAMS])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=1000), tenant=tenants, seed=seeds)
def test_any_preview_size_reads_a_stable_head(
    source_id: str, stream: str, limit: int, tenant: str, seed: int
) -> None:
    connector = get_connector(CATALOGUE.get(source_id), Mode.DEMO, tenant=tenant, seed=seed)
    info = next(s for s in connector.discover({}) if s.name == stream)
    records = _read(source_id, stream, limit, tenant, seed)
    expected = limit if info.estimated_rows is None else min(limit, info.estimated_rows)
    assert len(records) == expected
    fields = set(info.json_schema["properties"])
    assert all(set(r) == fields for r in records)
    head = max(1, limit // 3)
    assert _read(source_id, stream, head, tenant, seed) == records[:head]


@settings(max_examples=25, deadline=None)
@given(tenant=tenants, seed=seeds)
def test_the_first_page_of_orders_looks_like_a_real_store(tenant: str, seed: int) -> None:
    # a real export's first page names many customers, not one repeat buyer
    orders = _read("shopify", "orders", 20, tenant, seed)
    assert len({o["customer"]["id"] for o in orders}) >= 10

"""Recommendations per business type: ranked, explained, deterministic."""

from __future__ import annotations

import pytest

from hub.catalogue import _CATEGORY_REASON, _FIT, BUSINESS_TYPES, Catalogue, business_type_name
from hub.exceptions import InputError, UnknownBusinessType
from hub.models import Recommendation

SLUGS = ["ecommerce", "saas", "b2b-services", "agency", "marketplace", "retail"]
NAMES = {
    "ecommerce": "E-commerce",
    "saas": "SaaS",
    "b2b-services": "B2B services",
    "agency": "Agency",
    "marketplace": "Marketplace",
    "retail": "Retail",
}
# What a person in each business would expect at the top of the list.
TOP_PICK = {
    "ecommerce": "shopify",
    "saas": "stripe",
    "b2b-services": "salesforce",
    "agency": "google-analytics",
    "marketplace": "stripe",
    "retail": "square",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()  # every entry, SQLite files too (the hub offers them with HUB_SQLITE_ROOT)


def test_business_types_and_names() -> None:
    assert list(BUSINESS_TYPES) == SLUGS
    for slug, name in NAMES.items():
        assert BUSINESS_TYPES[slug].name == name
        assert business_type_name(slug) == name


@pytest.mark.parametrize("slug", SLUGS)
def test_recommend_every_business_type(catalogue: Catalogue, slug: str) -> None:
    recs = catalogue.recommend(slug)
    assert len(recs) == 4
    assert all(isinstance(r, Recommendation) for r in recs)
    assert recs[0].id == TOP_PICK[slug]
    assert len({r.id for r in recs}) == 4
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    for r in recs:
        entry = catalogue.get(r.id)
        assert r.name == entry.name
        assert slug in entry.business_types, "only sources that fit the business are recommended"
        assert r.reason and "\n" not in r.reason and len(r.reason) <= 100 and r.reason.endswith(".")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_fitting_source_has_its_own_reason(catalogue: Catalogue, slug: str) -> None:
    recs = catalogue.recommend(slug, limit=100)
    assert {r.id for r in recs} == {s.id for s in catalogue if slug in s.business_types}
    generic = set(_CATEGORY_REASON.values())
    assert not [r.id for r in recs if r.reason in generic], "each pairing has a reason written for it"


def test_reason_table_matches_the_catalogue(catalogue: Catalogue) -> None:
    """A reason written for a (business, source) pair the catalogue does not list would never show."""
    for slug, fits in _FIT.items():
        assert slug in BUSINESS_TYPES
        for source_id in fits:
            assert slug in catalogue.get(source_id).business_types, (slug, source_id)


def test_reasons_are_specific_to_the_business(catalogue: Catalogue) -> None:
    stripe = {
        slug: {r.id: r.reason for r in catalogue.recommend(slug, limit=100)}.get("stripe") for slug in SLUGS
    }
    present = [reason for reason in stripe.values() if reason]
    assert len(present) >= 3
    assert len(set(present)) == len(present)
    shopify_ecom = catalogue.recommend("ecommerce", limit=1)[0]
    assert shopify_ecom.reason == "Orders, customers and products are the core of an online store."


def test_order_is_deterministic(catalogue: Catalogue) -> None:
    reversed_catalogue = Catalogue(list(reversed(catalogue.sources)))
    for slug in SLUGS:
        first = catalogue.recommend(slug, limit=100)
        assert catalogue.recommend(slug, limit=100) == first
        assert reversed_catalogue.recommend(slug, limit=100) == first


def test_limit(catalogue: Catalogue) -> None:
    assert len(catalogue.recommend("saas", limit=1)) == 1
    assert catalogue.recommend("saas", limit=2) == catalogue.recommend("saas")[:2]
    with pytest.raises(InputError):
        catalogue.recommend("saas", limit=0)


def test_unknown_business_type_lists_the_valid_ones(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownBusinessType) as info:
        catalogue.recommend("restaurant")
    assert info.value.message == "Unknown business type 'restaurant'."
    assert info.value.hint == "Use one of: ecommerce, saas, b2b-services, agency, marketplace, retail."
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownBusinessType):
        business_type_name("E-commerce")  # the display name is not the slug


def test_new_source_without_a_written_reason_gets_its_category_reason(catalogue: Catalogue) -> None:
    cockroach = catalogue.get("mysql").model_copy(
        update={"id": "cockroachdb", "name": "CockroachDB", "business_types": ["retail"], "popularity": 100}
    )
    extended = Catalogue([*catalogue.sources, cockroach])
    recs = {r.id: r for r in extended.recommend("retail", limit=100)}
    assert recs["cockroachdb"].reason == _CATEGORY_REASON["Databases"]
    assert recs["cockroachdb"].score < recs["square"].score

"""The catalogue file, its loading, fallback, errors, look-ups and search."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hub.catalogue import BUSINESS_TYPES, CATALOGUE_ENV, DEFAULT_PATH, REPO_ROOT, Catalogue
from hub.exceptions import CatalogueError, InputError, NotFound
from hub.models import AuthKind, SourceEntry

DATA = REPO_ROOT / "data" / "mock_sources.json"
BUNDLED = REPO_ROOT / "hub" / "data" / "mock_sources.json"
RAW: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
RAW_ENTRIES: list[dict[str, Any]] = RAW["sources"]

# The fixed ids and stream names shared with the demo connector, the UI and the API.
PLAN_STREAMS = {
    "shopify": ["customers", "orders", "products", "product_variants", "transactions"],
    "woocommerce": ["customers", "orders", "products", "coupons"],
    "stripe": ["customers", "charges", "invoices", "subscriptions", "balance_transactions"],
    "square": ["payments", "customers", "orders", "refunds"],
    "salesforce": ["Account", "Contact", "Opportunity", "Lead"],
    "hubspot": ["contacts", "companies", "deals"],
    "postgres": ["customers", "orders", "order_items", "products"],
    "mysql": ["customers", "orders", "order_items", "products"],
    "supabase": ["customers", "orders", "order_items", "products"],
    "mariadb": ["customers", "orders", "order_items", "products"],
    "google-analytics": ["daily_active_users", "weekly_active_users", "devices", "locations", "pages",
                         "traffic_sources", "website_overview"],
    "mixpanel": ["export", "engage", "cohorts", "funnels"],
    "slack": ["channels", "users", "channel_messages", "channel_members"],
    "intercom": ["contacts", "conversations", "companies", "admins"],
    "zendesk-support": ["tickets", "users", "organizations", "satisfaction_ratings"],
    "notion": ["users", "databases", "pages", "blocks"],
    "jira": ["issues", "projects", "users"],
    "mailchimp": ["lists", "campaigns", "email_activity", "reports"],
    "facebook-marketing": ["campaigns", "ad_sets", "ads", "ads_insights"],
    "google-sheets": ["sales_pipeline", "marketing_budget"],
    "csv": ["orders_export"],
    "excel": ["inventory", "suppliers"],
}
PLAN_KEY_PATTERNS = {
    "stripe": r"^sk_(test|live)_[0-9A-Za-z]{24,99}$",
    "woocommerce": r"^ck_[0-9a-f]{40}$",
    "mixpanel": r"^[0-9a-f]{32}$",
    "jira": r"^(ATATT[0-9A-Za-z_\-=]{100,250}|[0-9A-Za-z]{24})$",
    "mailchimp": r"^[0-9a-f]{32}-us[0-9]{1,2}$",
}
# Keys shaped like each provider's (random characters, not real keys) and ones that are not.
GOOD_KEYS = {
    "stripe": ["sk_test_" + "a1B2" * 6, "sk_live_" + "Z9" * 40],
    "woocommerce": ["ck_" + "0123456789abcdef0123456789abcdef01234567"],
    "mixpanel": ["0123456789abcdef0123456789abcdef"],
    "jira": ["ATATT3xFfGF0" + "aB3_-=" * 20, "A" * 24],
    "mailchimp": ["0123456789abcdef0123456789abcdef-us21", "0123456789abcdef0123456789abcdef-us6"],
}
BAD_KEYS = {
    "stripe": ["pk_test_" + "a1B2" * 6, "sk_test_short", "sk_prod_" + "a" * 30],
    "woocommerce": ["cs_" + "0" * 40, "ck_" + "G" * 40],
    "mixpanel": ["0123456789ABCDEF0123456789ABCDEF", "abc"],
    "jira": ["ATATT" + "x" * 10, "token with spaces here!!"],
    "mailchimp": ["0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef-eu1"],
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(DATA)


def _write(tmp_path: Path, doc: Any, name: str = "catalogue.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the file


@pytest.mark.parametrize("raw", RAW_ENTRIES, ids=[e.get("id", "?") for e in RAW_ENTRIES])
def test_every_entry_validates(raw: dict[str, Any]) -> None:
    entry = SourceEntry.model_validate(raw)
    assert entry.setup_guide and all(step.strip() for step in entry.setup_guide)
    assert entry.docs_url and entry.docs_url.startswith("https://")
    assert entry.tags and entry.business_types
    assert re.fullmatch(r":material/[a-z0-9_]+:|[^\x00-\x7f]{1,3}", entry.icon), entry.icon
    if entry.auth_kind is AuthKind.OAUTH2:
        assert entry.scopes, "an OAuth source says which scopes it requests"
        assert all(s.description.endswith(".") for s in entry.scopes)
        guide = "\n".join(entry.setup_guide)
        named = all(s.name in guide for s in entry.scopes)
        assert named or entry.id == "notion", "the guide names the scopes"
    else:
        assert not entry.scopes
    assert (entry.api_key is not None) == (entry.auth_kind is AuthKind.API_KEY)


def test_size_and_categories(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 16
    assert len(catalogue.categories()) >= 7
    for cat in ("E-commerce", "Payments", "CRM", "Databases", "Analytics", "Communication",
                "Productivity", "Marketing", "Files"):
        assert cat in catalogue.categories()


def test_plan_ids_streams_and_connectors(catalogue: Catalogue) -> None:
    assert catalogue.ids() == list(PLAN_STREAMS)
    for source_id, streams in PLAN_STREAMS.items():
        assert catalogue.get(source_id).streams == streams
        assert catalogue.get(source_id).airbyte_connector.startswith("source-")
    assert catalogue.get("google-analytics").airbyte_connector == "source-google-analytics-data-api"
    assert catalogue.get("csv").airbyte_connector == catalogue.get("excel").airbyte_connector == "source-file"
    assert catalogue.get("supabase").airbyte_connector == "source-postgres"
    assert catalogue.get("mariadb").airbyte_connector == "source-mysql"


def test_issue_required_ids_present(catalogue: Catalogue) -> None:
    for source_id in ("shopify", "stripe", "postgres", "salesforce", "google-analytics", "slack", "hubspot",
                      "notion", "mysql"):
        assert source_id in catalogue


def test_bundled_copy_is_identical() -> None:
    assert BUNDLED.read_bytes() == DATA.read_bytes()


@pytest.mark.parametrize("source_id", sorted(PLAN_KEY_PATTERNS))
def test_api_key_formats(catalogue: Catalogue, source_id: str) -> None:
    fmt = catalogue.get(source_id).api_key
    assert fmt is not None
    assert fmt.pattern == PLAN_KEY_PATTERNS[source_id]
    for key in GOOD_KEYS[source_id]:
        assert re.fullmatch(fmt.pattern, key), key
    for key in BAD_KEYS[source_id]:
        assert not re.fullmatch(fmt.pattern, key), key
    assert "•" in fmt.example and not re.fullmatch(fmt.pattern, fmt.example), "the example is masked"
    assert "→" in fmt.where, "says where in the provider's UI the key is"


@pytest.mark.parametrize(("source_id", "scopes"), [
    ("shopify", {"read_orders", "read_customers", "read_products"}),
    ("google-analytics", {"https://www.googleapis.com/auth/analytics.readonly"}),
    ("slack", {"channels:read", "users:read", "channels:history"}),
    ("hubspot", {"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read"}),
    ("salesforce", {"api", "refresh_token"}),
])
def test_real_scope_names(catalogue: Catalogue, source_id: str, scopes: set[str]) -> None:
    assert scopes <= {s.name for s in catalogue.get(source_id).scopes}


def test_notion_explains_capabilities(catalogue: Catalogue) -> None:
    notion = catalogue.get("notion")
    assert "Read content" in {s.name for s in notion.scopes}
    assert "no OAuth scopes" in notion.setup_guide[0]


@pytest.mark.parametrize("source_id", ["postgres", "mysql"])
def test_database_guides_create_a_read_only_user(catalogue: Catalogue, source_id: str) -> None:
    guide = "\n".join(catalogue.get(source_id).setup_guide)
    assert "```sql" in guide
    assert re.search(r"CREATE (ROLE|USER)", guide)
    assert re.search(r"GRANT SELECT", guide)
    assert "Use sample data" in guide
    assert not re.search(r"GRANT (ALL|INSERT|UPDATE|DELETE)", guide)


def test_business_types_of_entries_are_known(catalogue: Catalogue) -> None:
    for entry in catalogue:
        assert set(entry.business_types) <= set(BUSINESS_TYPES), entry.id


# --------------------------------------------------------------------------- loading and fallback


def test_default_path_is_the_repo_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CATALOGUE_ENV, raising=False)
    assert Catalogue.default_path() == DEFAULT_PATH == DATA
    cat = Catalogue.load()
    assert cat.fallback_reason is None
    assert cat.origin == "data/mock_sources.json"


def test_env_var_points_at_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = copy.deepcopy(RAW)
    doc["sources"] = doc["sources"][:3]
    doc["sources"][0]["name"] = "Shopify Plus"
    monkeypatch.setenv(CATALOGUE_ENV, str(_write(tmp_path, doc)))
    cat = Catalogue.load()
    assert cat.ids() == ["shopify", "woocommerce", "stripe"]
    assert cat.get("shopify").name == "Shopify Plus"
    assert cat.fallback_reason is None


def test_a_plain_array_is_accepted(tmp_path: Path) -> None:
    cat = Catalogue.load(_write(tmp_path, RAW_ENTRIES[:2]))
    assert cat.ids() == ["shopify", "woocommerce"]


def test_missing_file_falls_back_to_the_bundled_copy(tmp_path: Path) -> None:
    cat = Catalogue.load(tmp_path / "gone.json")
    assert cat.fallback_reason == (
        f"{tmp_path / 'gone.json'} is missing; showing the catalogue bundled with the app."
    )
    assert cat.ids() == list(PLAN_STREAMS)
    assert cat.origin == "hub/data/mock_sources.json"


def test_missing_default_file_names_the_repo_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CATALOGUE_ENV, str(REPO_ROOT / "data" / "no_such_catalogue.json"))
    cat = Catalogue.load()
    assert cat.fallback_reason == (
        "data/no_such_catalogue.json is missing; showing the catalogue bundled with the app."
    )
    assert cat.ids() == list(PLAN_STREAMS)  # every entry but SQLite files (HUB_SQLITE_ROOT is not set)


def test_unreadable_file_falls_back(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue.json"
    folder.mkdir()  # reading a folder fails whoever we run as (root ignores file modes)
    cat = Catalogue.load(folder)
    assert cat.fallback_reason is not None
    assert "cannot be read" in cat.fallback_reason
    assert "bundled with the app" in cat.fallback_reason
    assert cat.ids() == list(PLAN_STREAMS)  # every entry but SQLite files (HUB_SQLITE_ROOT is not set)


def test_undecodable_file_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"id": "caf\xe9"}]')
    cat = Catalogue.load(path)
    assert cat.fallback_reason is not None and "cannot be read" in cat.fallback_reason


def _mutated(index: int, change: Any) -> list[dict[str, Any]]:
    entries = copy.deepcopy(RAW_ENTRIES)
    change(entries[index])
    return entries


def _set(key: str, value: Any) -> Any:
    return lambda e: e.__setitem__(key, value)


def _del(key: str) -> Any:
    return lambda e: e.pop(key)


MALFORMED = [
    # (index, change, expected message after "<path>: ")
    (2, _set("auth_kind", "password"),
     "entry 3 ('stripe'): field 'auth_kind': Input should be "
     "'oauth2', 'api_key', 'database', 'file' or 'none'"),
    (0, _del("streams"), "entry 1 ('shopify'): field 'streams': Field required"),
    (0, _set("streams", []), "entry 1 ('shopify'): field 'streams': List should have at least 1 item"),
    (0, lambda e: e["scopes"][1].pop("description"),
     "entry 1 ('shopify'): field 'scopes.1.description': Field required"),
    (4, _set("colour", "blue"), "entry 5 ('salesforce'): field 'colour': Extra inputs are not permitted"),
    (6, _set("id", "Postgre SQL"), "entry 7 ('Postgre SQL'): field 'id': String should match pattern"),
    (6, _set("popularity", 101),
     "entry 7 ('postgres'): field 'popularity': Input should be less than or equal to 100"),
    (1, _set("description", "x" * 161),
     "entry 2 ('woocommerce'): field 'description': String should have at most 160"),
    (1, _set("api_key", None),
     "entry 2 ('woocommerce'): field 'api_key': api_key sources need an api_key object"),
    (12, lambda e: e["api_key"].__setitem__("pattern", "^[0-9a-f{32}$"),
     "entry 13 ('mixpanel'): field 'api_key.pattern': not a valid regular expression"),
    (3, _set("business_types", ["retail", "restaurants"]),
     "entry 4 ('square'): field 'business_types': unknown business type 'restaurants'"),
    (3, _set("streams", ["payments", "payments"]),
     "entry 4 ('square'): field 'streams': duplicate stream name(s): payments"),
    (7, _set("id", "postgres"), "entry 8 ('postgres'): field 'id': duplicate id 'postgres' (also entry 7)"),
    (7, _del("id"), "entry 8: field 'id': Field required"),
    (21, _set("scopes", [{"name": "read", "description": "Read."}]),
     "entry 22 ('csv'): field 'scopes': only oauth2 sources request scopes, this one is file"),
]


@pytest.mark.parametrize(("index", "change", "expected"), MALFORMED,
                         ids=[m[2].split(": ")[1] for m in MALFORMED])
def test_malformed_entry_names_entry_and_field(
    tmp_path: Path, index: int, change: Any, expected: str
) -> None:
    path = _write(tmp_path, {"version": 1, "sources": _mutated(index, change)})
    with pytest.raises(CatalogueError) as info:
        Catalogue.load(path)
    assert info.value.message.startswith(f"{path}: {expected}")
    assert isinstance(info.value, InputError)
    assert "bundled with the app" in info.value.hint


@pytest.mark.parametrize(("text", "expected"), [
    ('{"sources": [', "not valid JSON: Expecting value (line 1, column 14)"),
    ('{"version": 1}', "expected a JSON array of sources"),
    ('"shopify"', "expected a JSON array of sources"),
    ("[]", "the catalogue has no sources"),
    ('[{"id": "a"}, 42]', "entry 1 ('a'): field 'name': Field required"),
    ('[42]', "entry 1: expected an object, got int"),
])
def test_malformed_documents(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        Catalogue.load(path)
    assert info.value.message.startswith(f"{path}: {expected}")


def test_load_or_fallback_uses_the_bundled_copy_and_says_why(tmp_path: Path) -> None:
    path = _write(tmp_path, _mutated(2, _set("auth_kind", "password")))
    cat = Catalogue.load_or_fallback(path)
    assert cat.ids() == list(PLAN_STREAMS)
    assert cat.fallback_reason is not None
    assert cat.fallback_reason.startswith(f"{path}: entry 3 ('stripe'): field 'auth_kind'")
    assert cat.fallback_reason.endswith("Showing the catalogue bundled with the app.")


def test_load_or_fallback_on_a_good_file_is_plain(tmp_path: Path) -> None:
    cat = Catalogue.load_or_fallback(DATA)
    assert cat.fallback_reason is None


def test_catalogue_repr_is_short(catalogue: Catalogue) -> None:
    assert repr(catalogue) == "Catalogue(22 sources from 'data/mock_sources.json')"


# --------------------------------------------------------------------------- look-ups


def test_get(catalogue: Catalogue) -> None:
    assert catalogue.get("stripe").name == "Stripe"
    assert catalogue.get("Shopify").id == "shopify"
    assert catalogue.get(" google-analytics ").id == "google-analytics"


@pytest.mark.parametrize(("typo", "suggestion"), [
    ("shopfy", "Did you mean: shopify?"),
    ("postgresql", "Did you mean: postgres"),
    ("hub-spot", "Did you mean: hubspot?"),
    ("zendesk", "Did you mean: zendesk-support?"),
])
def test_get_unknown_suggests_close_matches(catalogue: Catalogue, typo: str, suggestion: str) -> None:
    with pytest.raises(NotFound) as info:
        catalogue.get(typo)
    assert str(info.value).startswith(f"Unknown source {typo!r}. {suggestion}")


def test_get_unknown_without_close_match(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound) as info:
        catalogue.get("xyzzy")
    assert info.value.message == "Unknown source 'xyzzy'."
    assert "python -m hub sources" in info.value.hint
    assert isinstance(info.value, LookupError)


def test_categories_with_counts(catalogue: Catalogue) -> None:
    cats = catalogue.categories()
    assert sum(cats.values()) == len(catalogue)
    assert cats["Files"] == 3
    assert cats["Payments"] == 2
    assert next(iter(cats)) == "E-commerce"


# --------------------------------------------------------------------------- search


def _ids(entries: list[SourceEntry]) -> list[str]:
    return [e.id for e in entries]


def test_search_without_query_keeps_catalogue_order(catalogue: Catalogue) -> None:
    assert _ids(catalogue.search()) == catalogue.ids()
    assert _ids(catalogue.search("   ")) == catalogue.ids()


@pytest.mark.parametrize(("query", "first", "included"), [
    ("shop", "shopify", {"shopify"}),
    ("STRIPE", "stripe", {"stripe"}),
    ("crm", "salesforce", {"salesforce", "hubspot"}),  # tag and category; ties go to popularity
    ("databases", "postgres", {"postgres", "mysql"}),  # category
    ("mariadb", "mariadb", {"mariadb", "mysql"}),  # name first, then MySQL's tag
    ("warehouse", "postgres", {"postgres", "mysql"}),  # tag only
    ("subscriptions", "stripe", {"stripe"}),
    ("google", "google-analytics", {"google-analytics", "google-sheets"}),
    ("supabase", "supabase", {"supabase", "postgres"}),  # name first, then PostgreSQL's tag
])
def test_search_matches_name_category_tag_description(
    catalogue: Catalogue, query: str, first: str, included: set[str]
) -> None:
    found = _ids(catalogue.search(query))
    assert found[0] == first
    assert included <= set(found)


def test_search_every_word_must_match(catalogue: Catalogue) -> None:
    assert _ids(catalogue.search("crm deals")) == ["hubspot"]
    assert catalogue.search("stripe slack") == []


def test_search_with_category(catalogue: Catalogue) -> None:
    assert _ids(catalogue.search(category="payments")) == ["stripe", "square"]
    assert _ids(catalogue.search("refunds", category="Payments")) == ["square"]
    assert catalogue.search("shopify", category="Payments") == []


def test_search_unknown_category_lists_categories(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound) as info:
        catalogue.search(category="Gardening")
    assert info.value.message == "Unknown category 'Gardening'."
    assert "E-commerce" in info.value.hint and "Files" in info.value.hint


def test_search_no_match(catalogue: Catalogue) -> None:
    assert catalogue.search("blockchain") == []

"""The demo connector against every catalogue entry and every stream.

Records are checked against the hand-written schemas with jsonschema (Draft 7, formats checked: the
package's FormatChecker plus an RFC 3339 ``date-time`` check, since ``rfc3339-validator`` is not
installed). Relations are checked on the real generated streams.
"""

from __future__ import annotations

import gc
import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

import jsonschema
import pytest

from hub.catalogue import Catalogue
from hub.connectors import get_connector, secret_fields, validate_config
from hub.connectors.demo import DemoConnector
from hub.connectors.demo_data import _core
from hub.exceptions import ConfigError, NotFound
from hub.models import AuthKind, Mode, SourceEntry

CATALOGUE = Catalogue.bundled()  # every entry, SQLite files too
SOURCES = {s.id: s for s in CATALOGUE.sources}
STREAMS = [(s.id, name) for s in CATALOGUE.sources for name in s.streams]
SAMPLE = 200

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))  # raises on a day or hour out of range
    return True


def demo(source_id: str, tenant: str = "acme", seed: int = 0) -> DemoConnector:
    return DemoConnector(SOURCES[source_id], tenant=tenant, seed=seed)


def rows(source_id: str, stream: str, n: int, tenant: str = "acme") -> list[dict[str, Any]]:
    return list(demo(source_id, tenant).read({}, stream, limit=n))


def every(source_id: str, stream: str) -> list[dict[str, Any]]:
    c = demo(source_id)
    size = c.stream_info(stream).estimated_rows
    assert size is not None
    return c.generate(stream, size)


# --------------------------------------------------------------------------- discover, schema, keys


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_discover_lists_exactly_the_catalogue_streams(source_id: str) -> None:
    infos = demo(source_id).discover({})
    assert [i.name for i in infos] == SOURCES[source_id].streams
    for info in infos:
        props = info.json_schema["properties"]
        assert info.json_schema["type"] == "object"
        assert all(k in props for k in info.primary_key), info.name
        assert info.cursor_field is None or info.cursor_field in props, info.name
        assert info.estimated_rows and info.estimated_rows > 0
        jsonschema.Draft7Validator.check_schema(info.json_schema)


@pytest.mark.parametrize(("source_id", "stream"), STREAMS, ids=[f"{a}.{b}" for a, b in STREAMS])
def test_records_satisfy_the_declared_schema(source_id: str, stream: str) -> None:
    c = demo(source_id)
    info = c.stream_info(stream)
    records = list(c.read({}, stream, limit=SAMPLE))
    assert len(records) == min(SAMPLE, info.estimated_rows or 0)
    validator = jsonschema.Draft7Validator(info.json_schema, format_checker=FORMATS)
    for record in records:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, f"{stream}: {errors[0].message} at {list(errors[0].path)}"
    json.dumps(records)  # plain JSON types only (no numpy scalars)
    if info.primary_key:
        keys = Counter(tuple(json.dumps(r[k]) for k in info.primary_key) for r in records)
        assert max(keys.values()) == 1, f"duplicate primary key in {stream}"
    if info.cursor_field:
        cursor = [r[info.cursor_field] for r in records]
        assert all(v is not None for v in cursor)


@pytest.mark.parametrize(("source_id", "stream"), STREAMS, ids=[f"{a}.{b}" for a, b in STREAMS])
def test_read_limit_returns_a_prefix_of_one_stable_sequence(source_id: str, stream: str) -> None:
    ten = rows(source_id, stream, 10)
    hundred = rows(source_id, stream, 100)
    five_hundred = rows(source_id, stream, 500)
    assert hundred[:10] == ten
    assert five_hundred[:100] == hundred
    assert rows(source_id, stream, 0) == []


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_same_tenant_source_and_seed_give_the_same_records(source_id: str) -> None:
    for stream in SOURCES[source_id].streams:
        first = json.dumps(rows(source_id, stream, 50), sort_keys=True)
        again = json.dumps(
            list(DemoConnector(SOURCES[source_id], tenant="acme").read({}, stream, limit=50)), sort_keys=True
        )
        assert first == again, stream


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_other_tenants_and_seeds_see_other_records(source_id: str) -> None:
    for stream in SOURCES[source_id].streams:
        acme = rows(source_id, stream, 20, tenant="acme")
        assert acme != rows(source_id, stream, 20, tenant="globex"), stream
        assert acme != list(demo(source_id, "acme", seed=1).read({}, stream, limit=20)), stream


def test_registry_serves_demo_mode_with_this_connector() -> None:
    c = get_connector(SOURCES["stripe"], Mode.DEMO, tenant="acme", seed=3)
    assert isinstance(c, DemoConnector)
    assert (c.tenant, c.seed) == ("acme", 3)


# --------------------------------------------------------------------------- values that look real


def test_stripe_ids_have_their_prefixes_and_amounts_are_integer_cents() -> None:
    prefixes = {
        "customers": "cus_",
        "charges": "ch_",
        "invoices": "in_",
        "subscriptions": "sub_",
        "balance_transactions": "txn_",
    }
    for stream, prefix in prefixes.items():
        for r in rows("stripe", stream, 300):
            assert r["id"].startswith(prefix)
            assert isinstance(r["created"], int) and r["created"] > 1_500_000_000
    for r in rows("stripe", "charges", 300):
        assert isinstance(r["amount"], int) and not isinstance(r["amount"], bool)
        assert r["amount"] % 100 == 0 or r["amount"] > 0  # cents, e.g. 2900 for $29.00
        assert r["payment_intent"].startswith("pi_")
    assert {r["currency"] for r in rows("stripe", "charges", 50)} == {"usd"}


def _sf_suffix(id15: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = ""
    for block in range(3):
        chunk = id15[block * 5 : (block + 1) * 5]
        out += alphabet[sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")]
    return out


def test_salesforce_ids_are_18_characters_with_object_prefixes_and_checksum() -> None:
    for stream, prefix in {"Account": "001", "Contact": "003", "Opportunity": "006", "Lead": "00Q"}.items():
        ids = [r["Id"] for r in rows("salesforce", stream, 300)]
        assert len(set(ids)) == len(ids)
        for sf_id in ids:
            assert len(sf_id) == 18 and sf_id.startswith(prefix)
            assert sf_id[15:] == _sf_suffix(sf_id[:15])


def test_ga4_dates_are_yyyymmdd_and_every_row_names_the_property() -> None:
    for stream in SOURCES["google-analytics"].streams:
        records = rows("google-analytics", stream, 300)
        assert len({r["property_id"] for r in records}) == 1
        for r in records:
            datetime.strptime(r["date"], "%Y%m%d")
            assert re.fullmatch(r"\d{8}", r["date"])
    daily = rows("google-analytics", "daily_active_users", 400)
    assert [r["date"] for r in daily] == sorted(r["date"] for r in daily)


def test_shopify_rows_carry_shop_url_and_look_like_the_admin_api() -> None:
    orders = rows("shopify", "orders", 50)
    assert [o["order_number"] for o in orders[:3]] == [1001, 1002, 1003]
    assert [o["name"] for o in orders[:3]] == ["#1001", "#1002", "#1003"]
    for stream in SOURCES["shopify"].streams:
        assert {r["shop_url"] for r in rows("shopify", stream, 20)} == {"acme-outfitters.myshopify.com"}
    connected = list(demo("shopify").read({"account": "trailhead.myshopify.com"}, "orders", limit=3))
    assert {o["shop_url"] for o in connected} == {"trailhead.myshopify.com"}
    assert all(re.fullmatch(r"\d+\.\d\d", o["total_price"]) for o in orders)


def test_an_opaque_tenant_id_never_shows_up_in_account_names() -> None:
    tenant = "3f2a9c1e-1111-4abc-8def-0123456789ab"
    orders = rows("shopify", "orders", 5, tenant=tenant)
    assert {o["shop_url"] for o in orders} == {"demo-outfitters.myshopify.com"}
    assert all(tenant not in json.dumps(r) for r in rows("jira", "issues", 20, tenant=tenant))
    assert orders != rows("shopify", "orders", 5, tenant="9b1d2c3e-2222-4abc-8def-0123456789ab")


def test_names_and_emails_look_real() -> None:
    people = rows("hubspot", "contacts", 100)
    assert len({p["properties_email"] for p in people}) > 95
    for p in people:
        assert re.fullmatch(r"[A-Z][A-Za-z'\- ]+", p["properties_firstname"])
        assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}", p["properties_email"])
        assert p["properties"]["email"] == p["properties_email"]


# --------------------------------------------------------------------------- relations


def cents(money: str) -> int:
    return round(float(money) * 100)


def test_shopify_orders_customers_products_and_transactions_agree() -> None:
    customers = every("shopify", "customers")
    by_id = {c["id"]: c for c in customers}
    variants = {v["id"]: v for v in every("shopify", "product_variants")}
    products = {p["id"] for p in every("shopify", "products")}
    orders = rows("shopify", "orders", 1500)
    for o in orders:
        cust = by_id[o["customer"]["id"]]
        assert o["email"] == cust["email"] == o["customer"]["email"]
        items = sum(cents(li["price"]) * li["quantity"] for li in o["line_items"])
        assert items == cents(o["subtotal_price"])
        assert cents(o["total_price"]) == cents(o["subtotal_price"]) + cents(o["total_tax"]) - cents(
            o["total_discounts"]
        )
        for li in o["line_items"]:
            assert variants[li["variant_id"]]["product_id"] == li["product_id"] in products
            assert variants[li["variant_id"]]["price"] == li["price"]
        assert datetime.fromisoformat(cust["created_at"]) <= datetime.fromisoformat(o["created_at"])
    # The first orders only refer to customers within the same-sized sample, so previews join.
    sample_ids = {c["id"] for c in customers[:1500]}
    assert all(o["customer"]["id"] in sample_ids for o in orders)
    # Every order is counted in its customer's orders_count.
    assert sum(c["orders_count"] for c in customers) == demo("shopify").stream_info("orders").estimated_rows
    order_ids = {o["id"]: o for o in orders}
    refunds: dict[int, int] = defaultdict(int)
    for t in rows("shopify", "transactions", 1500):
        order = order_ids[t["order_id"]]
        if t["kind"] == "refund":
            refunds[order["order_number"]] += 1
            assert cents(t["amount"]) <= cents(order["total_price"])
            assert order["financial_status"] in ("refunded", "partially_refunded")
        else:
            assert t["amount"] == order["total_price"]
    assert refunds and max(refunds.values()) == 1


def test_stripe_customers_subscriptions_invoices_charges_and_balance_agree() -> None:
    customers = {c["id"]: c for c in every("stripe", "customers")}
    subs = {s["id"]: s for s in every("stripe", "subscriptions")}
    invoices = every("stripe", "invoices")
    by_sub: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for inv in invoices:
        sub = subs[inv["subscription"]]
        assert inv["customer"] == sub["customer"] in customers
        assert sub["created"] <= inv["created"]
        if sub["canceled_at"] is not None:
            assert inv["created"] <= sub["canceled_at"]  # no bills after a cancellation
        item = sub["items"]["data"][0]
        if inv["total"] == 0:  # the first invoice of a trial
            assert sub["status"] == "trialing" and inv["billing_reason"] == "subscription_create"
        else:
            assert inv["total"] == item["price"]["unit_amount"] * item["quantity"]
        by_sub[inv["subscription"]].append(inv)
    assert [i["created"] for i in invoices] == sorted(i["created"] for i in invoices)
    for sub_id, billed in by_sub.items():
        interval = subs[sub_id]["items"]["data"][0]["price"]["recurring"]["interval"]
        starts = [i["period_start"] for i in billed]
        assert {b - a for a, b in itertools.pairwise(starts)} <= {
            (365 if interval == "year" else 30) * 86_400
        }
        assert billed[0]["billing_reason"] == "subscription_create"
        assert billed[-1]["period_start"] == subs[sub_id]["current_period_start"]
    behind = {s["customer"] for s in subs.values() if s["status"] in ("past_due", "unpaid")}
    assert {c for c, row in customers.items() if row["delinquent"]} == behind
    by_id = {i["id"]: i for i in invoices}
    charges = {c["id"]: c for c in rows("stripe", "charges", 2000)}
    for ch in charges.values():
        assert ch["customer"] == by_id[ch["invoice"]]["customer"]
        assert ch["amount"] == by_id[ch["invoice"]]["total"] > 0
        assert ch["paid"] == (by_id[ch["invoice"]]["status"] == "paid")
    for txn in rows("stripe", "balance_transactions", 1000):
        charge = charges[txn["source"]]
        assert charge["status"] == "succeeded" and txn["amount"] == charge["amount"]
        assert txn["net"] == txn["amount"] - txn["fee"]


def test_salesforce_contacts_and_opportunities_belong_to_existing_accounts() -> None:
    accounts = {a["Id"]: a for a in every("salesforce", "Account")}
    for c in rows("salesforce", "Contact", 2000):
        assert c["AccountId"] in accounts
    for o in rows("salesforce", "Opportunity", 2000):
        assert o["Name"].startswith(accounts[o["AccountId"]]["Name"])
        assert o["IsWon"] == (o["StageName"] == "Closed Won")


def test_hubspot_deals_point_at_existing_contacts_and_companies() -> None:
    companies = {c["id"] for c in every("hubspot", "companies")}
    contacts = {c["id"]: c for c in every("hubspot", "contacts")}
    for d in rows("hubspot", "deals", 1000):
        assert d["contacts"] and all(c in contacts for c in d["contacts"])
        assert all(c in companies for c in d["companies"])
        assert d["companies"] == contacts[d["contacts"][0]]["companies"]
        for name, value in d["properties"].items():
            assert d[f"properties_{name}"] == value


def _first(values: list[Any] | None) -> Any:
    return values[0] if values else None


def _when(value: int | float | str) -> float:
    """A record's time as Unix seconds (epoch numbers, ISO 8601 with Z/offset, or naive GMT strings)."""
    if isinstance(value, (int, float)):
        return float(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# (source, child stream, child's parent reference, child's time, parent stream, parent key, parent's time)
PARENT_REFS: list[tuple[str, str, Any, str | None, str, str, str | None]] = [
    ("shopify", "orders", lambda r: r["customer"]["id"], "created_at", "customers", "id", "created_at"),
    ("shopify", "transactions", lambda r: r["order_id"], "created_at", "orders", "id", "created_at"),
    (
        "woocommerce",
        "orders",
        lambda r: r["customer_id"] or None,  # 0 is a guest checkout
        "date_created_gmt",
        "customers",
        "id",
        "date_created_gmt",
    ),
    ("stripe", "subscriptions", lambda r: r["customer"], "created", "customers", "id", "created"),
    ("stripe", "invoices", lambda r: r["customer"], "created", "customers", "id", "created"),
    ("stripe", "invoices", lambda r: r["subscription"], "created", "subscriptions", "id", "created"),
    ("stripe", "charges", lambda r: r["customer"], "created", "customers", "id", "created"),
    ("square", "orders", lambda r: r["customer_id"], "created_at", "customers", "id", "created_at"),
    ("square", "payments", lambda r: r["customer_id"], "created_at", "customers", "id", "created_at"),
    ("salesforce", "Contact", lambda r: r["AccountId"], "CreatedDate", "Account", "Id", "CreatedDate"),
    ("salesforce", "Opportunity", lambda r: r["AccountId"], "CreatedDate", "Account", "Id", "CreatedDate"),
    ("hubspot", "contacts", lambda r: _first(r["companies"]), "createdAt", "companies", "id", "createdAt"),
    ("hubspot", "deals", lambda r: _first(r["contacts"]), "createdAt", "contacts", "id", "createdAt"),
    ("hubspot", "deals", lambda r: _first(r["companies"]), "createdAt", "companies", "id", "createdAt"),
    ("postgres", "orders", lambda r: r["customer_id"], "created_at", "customers", "id", "created_at"),
    ("mysql", "orders", lambda r: r["customer_id"], "created_at", "customers", "id", "created_at"),
    (
        "intercom",
        "contacts",
        lambda r: _first([c["id"] for c in r["companies"]["data"]]),
        "created_at",
        "companies",
        "id",
        "created_at",
    ),
    (
        "intercom",
        "conversations",
        lambda r: r["contacts"]["contacts"][0]["id"],
        "created_at",
        "contacts",
        "id",
        "created_at",
    ),
    (
        "zendesk-support",
        "users",
        lambda r: r["organization_id"],
        "created_at",
        "organizations",
        "id",
        "created_at",
    ),
    ("zendesk-support", "tickets", lambda r: r["requester_id"], "created_at", "users", "id", "created_at"),
    ("jira", "issues", lambda r: r["projectKey"], None, "projects", "key", None),
    (
        "notion",
        "pages",
        lambda r: r["parent"]["database_id"],
        "created_time",
        "databases",
        "id",
        "created_time",
    ),
]


@pytest.mark.parametrize(
    ("source_id", "stream", "ref", "when", "parent", "key", "parent_when"),
    PARENT_REFS,
    ids=[f"{c[0]}.{c[1]}->{c[4]}" for c in PARENT_REFS],
)
def test_the_preview_of_a_child_stream_names_many_parents_that_existed_before(
    source_id: str, stream: str, ref: Any, when: str | None, parent: str, key: str, parent_when: str | None
) -> None:
    """The Data preview (first 100 records) must not show the same one or two customers again and again."""
    preview = rows(source_id, stream, 100)
    parent_size = demo(source_id).stream_info(parent).estimated_rows or 0
    parents = {p[key]: p for p in rows(source_id, parent, min(parent_size, 2000))}
    named = [(r, ref(r)) for r in preview if ref(r) is not None]
    assert len(named) >= 25, f"only {len(named)} of the first 100 {stream} name a {parent} row"
    ids = [pid for _, pid in named]
    distinct = len(set(ids))
    assert distinct >= min(30, len(ids) // 2, parent_size), f"{stream}: {distinct} distinct {parent}"
    if parent_size >= 100:
        top_id, top = Counter(ids).most_common(1)[0]
        assert top <= 8, f"{top} of the first 100 {stream} name the same {parent} {top_id}"
        first_ten = [pid for _, pid in named[:10]]
        assert len(set(first_ten)) >= len(first_ten) - 3, first_ten
    for record, pid in named:
        assert pid in parents, f"{stream} names {parent} {pid}, not among the first {len(parents)}"
        if when is not None and parent_when is not None:
            assert _when(parents[pid][parent_when]) <= _when(record[when]), (stream, pid)


@pytest.mark.parametrize(("source_id", "namespace"), [("postgres", "public"), ("mysql", "shop")])
def test_database_sample_tables_join_and_add_up(source_id: str, namespace: str) -> None:
    infos = demo(source_id).discover({})
    assert {i.namespace for i in infos} == {namespace}
    customers = {c["id"] for c in every(source_id, "customers")}
    products = {p["id"]: p for p in every(source_id, "products")}
    orders = {o["id"]: o for o in every(source_id, "orders")}
    items = every(source_id, "order_items")
    per_order: dict[int, float] = defaultdict(float)
    for it in items:
        assert it["order_id"] in orders
        assert it["unit_price"] == products[it["product_id"]]["price"]
        assert abs(it["line_total"] - it["unit_price"] * it["quantity"]) < 0.005
        per_order[it["order_id"]] += it["line_total"]
    assert set(per_order) == set(orders)
    for oid, o in orders.items():
        assert o["customer_id"] in customers
        assert abs(per_order[oid] - o["discount_amount"] - o["total_amount"]) < 0.01
        date.fromisoformat(o["order_date"])


def test_other_sources_refer_to_rows_that_exist() -> None:
    def ids(source: str, stream: str, key: str = "id") -> set[Any]:
        return {r[key] for r in every(source, stream)}

    slack_users, slack_channels = ids("slack", "users"), ids("slack", "channels")
    for m in rows("slack", "channel_messages", 1000):
        assert m["user"] in slack_users and m["channel_id"] in slack_channels
        assert abs(float(m["ts"]) - m["float_ts"]) < 1e-3
    members = every("slack", "channel_members")
    assert len({(m["channel_id"], m["member_id"]) for m in members}) == len(members)
    zd_users = ids("zendesk-support", "users")
    tickets = {t["id"]: t for t in every("zendesk-support", "tickets")}
    for t in list(tickets.values())[:1000]:
        assert t["requester_id"] in zd_users
    for r in rows("zendesk-support", "satisfaction_ratings", 500):
        assert tickets[r["ticket_id"]]["status"] in ("solved", "closed")
    ic_contacts = ids("intercom", "contacts")
    for conv in rows("intercom", "conversations", 1000):
        assert conv["contacts"]["contacts"][0]["id"] in ic_contacts
    pages = ids("notion", "pages")
    databases = ids("notion", "databases")
    assert all(b["parent"]["page_id"] in pages for b in rows("notion", "blocks", 1000))
    assert all(p["parent"]["database_id"] in databases for p in rows("notion", "pages", 500))
    projects = ids("jira", "projects", "key")
    keys = [i["key"] for i in rows("jira", "issues", 1000)]
    assert len(set(keys)) == len(keys) and all(k.split("-")[0] in projects for k in keys)
    campaigns = ids("mailchimp", "campaigns")
    assert all(a["campaign_id"] in campaigns for a in rows("mailchimp", "email_activity", 1000))
    ads = ids("facebook-marketing", "ads")
    assert all(i["ad_id"] in ads for i in rows("facebook-marketing", "ads_insights", 1000))
    suppliers = ids("excel", "suppliers", "Supplier ID")
    assert all(i["Supplier ID"] in suppliers for i in every("excel", "inventory"))


# --------------------------------------------------------------------------- spec and check

VALID_KEYS = {
    "stripe": "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "woocommerce": "ck_" + "0123456789abcdef" * 2 + "01234567",
    "mixpanel": "0123456789abcdef0123456789abcdef",
    "jira": "ATATT3xFfGF0" + "a1B2c3D4e5" * 12,
    "mailchimp": "0123456789abcdef0123456789abcdef-us21",
}
API_KEY_SOURCES = sorted(s.id for s in CATALOGUE.sources if s.auth_kind is AuthKind.API_KEY)
BAD_KEY = "pk_live_THIS-IS-MY-SECRET-9f8e7d"


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_spec_marks_secrets_and_accepts_a_demo_config(source_id: str) -> None:
    entry = SOURCES[source_id]
    c = demo(source_id)
    spec = c.spec()
    jsonschema.Draft7Validator.check_schema(spec)
    kind = AuthKind(entry.auth_kind)
    oauth = ["access_token", "refresh_token"]
    expected = {AuthKind.OAUTH2: oauth, AuthKind.API_KEY: ["api_key"]}.get(kind, [])
    assert secret_fields(spec) == expected
    config = {
        AuthKind.OAUTH2: {"account": "acme.example.com", "access_token": "demo-token"},
        AuthKind.API_KEY: {"api_key": VALID_KEYS.get(source_id, "x")},
        AuthKind.DATABASE: {},
        AuthKind.FILE: {"file_name": "export.csv"},
    }[kind]
    validated = validate_config(spec, config)
    if kind is AuthKind.DATABASE:
        assert validated == {"sample": True}
    with pytest.raises(ConfigError):
        validate_config(spec, {**config, "password": "x"})


@pytest.mark.parametrize("source_id", API_KEY_SOURCES)
def test_api_key_check_accepts_the_documented_format(source_id: str) -> None:
    assert source_id in VALID_KEYS, "add a valid example key for this new api_key source"
    result = demo(source_id).check({"api_key": VALID_KEYS[source_id]})
    assert result.ok, result.message
    assert VALID_KEYS[source_id] not in result.message


@pytest.mark.parametrize("source_id", API_KEY_SOURCES)
@pytest.mark.parametrize("bad", [BAD_KEY, "", " " + "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"])
def test_api_key_check_rejects_a_malformed_key_without_echoing_it(source_id: str, bad: str) -> None:
    result = demo(source_id).check({"api_key": bad})
    assert not result.ok
    assert result.hint
    text = f"{result.message} {result.hint}"
    if bad.strip():
        assert bad.strip() not in text and "SECRET" not in text
    assert SOURCES[source_id].name.split()[0] in result.message


def test_stripe_key_message_says_what_is_wrong_and_where_to_look() -> None:
    result = demo("stripe").check({"api_key": "whsec_abc123"})
    assert result.message == "This is not a Stripe secret key: it should start with sk_test_ or sk_live_."
    assert result.hint.startswith("Copy the key from Stripe Dashboard")
    assert result.hint.endswith(".") and not result.hint.endswith("..")
    assert "whsec_abc123" not in result.message + result.hint


@pytest.mark.parametrize(
    ("source_id", "key", "words"),
    [
        ("stripe", "pk_live_51H8xkF2eZvKYlo2C0123456789abcd", "publishable key"),
        ("stripe", "sk_live_short", "incomplete"),
        ("woocommerce", "cs_" + "ab" * 20, "consumer secret"),
        ("mailchimp", "0123456789abcdef0123456789abcdef", "data center"),
        ("mixpanel", "0123456789abcdef", "16 characters instead of 32"),
    ],
)
def test_common_key_mistakes_get_a_precise_reason(source_id: str, key: str, words: str) -> None:
    result = demo(source_id).check({"api_key": key})
    assert not result.ok
    assert words in result.message
    assert key not in result.message + result.hint


def test_oauth_check_needs_the_signed_in_account() -> None:
    ok = demo("shopify").check({"account": "acme-outfitters.myshopify.com", "access_token": "t"})
    assert ok.ok
    assert ok.message == "Demo: signed in to acme-outfitters.myshopify.com (no real account is contacted)"
    missing = demo("shopify").check({})
    assert not missing.ok and missing.hint


@pytest.mark.parametrize("source_id", ["postgres", "mysql", "csv", "excel"])
def test_sample_database_and_file_checks_pass(source_id: str) -> None:
    result = demo(source_id).check({})
    assert result.ok and result.message.startswith("Demo:")


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_sample_config_checks_for_every_source_and_names_no_secret(source_id: str) -> None:
    c = demo(source_id)
    config = c.sample_config()
    assert config["sample"] is True and not set(secret_fields(c.spec())) & set(config)
    result = c.check(config)
    assert result.ok and result.message.startswith("Demo:"), result.message


@pytest.mark.parametrize("source_id", API_KEY_SOURCES)
def test_a_typed_key_is_checked_even_beside_the_sample_flag(source_id: str) -> None:
    result = demo(source_id).check({"sample": True, "api_key": BAD_KEY})
    assert not result.ok and BAD_KEY not in result.message + result.hint


def test_an_oauth_account_beside_the_sample_flag_is_the_signed_in_one() -> None:
    result = demo("shopify").check({"sample": True, "account": "trailhead.myshopify.com"})
    assert result.ok and "signed in to trailhead.myshopify.com" in result.message


# --------------------------------------------------------------------------- errors and fallbacks


@pytest.mark.parametrize("source_id", ["shopify", "salesforce"])
def test_unknown_stream_is_not_found_and_names_the_valid_streams(source_id: str) -> None:
    c = demo(source_id)
    with pytest.raises(NotFound) as info:
        list(c.read({}, "invoices_2019", limit=5))
    text = str(info.value)
    assert "invoices_2019" in text
    assert all(name in text for name in SOURCES[source_id].streams)
    with pytest.raises(NotFound):
        c.stream_info("nope")


def test_entries_added_later_are_still_served() -> None:
    base = SOURCES["postgres"].model_dump()
    supabase = SourceEntry(
        **{**base, "id": "supabase", "name": "Supabase", "airbyte_connector": "source-postgres"}
    )
    infos = DemoConnector(supabase).discover({})
    assert [i.name for i in infos] == supabase.streams
    new = SourceEntry(
        **{
            **SOURCES["notion"].model_dump(),
            "id": "asana",
            "name": "Asana",
            "streams": ["tasks"],
            "airbyte_connector": "source-asana",
        }
    )
    c = DemoConnector(new)
    [info] = c.discover({})
    records = list(c.read({}, "tasks", limit=20))
    validator = jsonschema.Draft7Validator(info.json_schema, format_checker=FORMATS)
    assert len(records) == 20 and all(validator.is_valid(r) for r in records)


def test_reading_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    rows("shopify", "orders", 50)
    assert gc.isenabled()
    gc.disable()
    try:
        rows("shopify", "orders", 50)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_repr_and_messages_never_hold_the_token() -> None:
    c = demo("slack")
    result = c.check({"account": "acme.slack.com", "access_token": "xoxp-secret-token"})
    assert "xoxp-secret-token" not in repr(c) + result.message + result.hint


# --------------------------------------------------------------------------- discover cache (process-wide)


def _sizes(source_id: str, tenant: str, seed: int = 0) -> dict[str, int | None]:
    return {i.name: i.estimated_rows for i in demo(source_id, tenant, seed).discover({})}


@pytest.mark.parametrize("source_id", ["stripe", "shopify", "slack", "zendesk-support", "postgres"])
def test_cached_sizes_equal_sizes_computed_from_scratch_per_tenant_and_seed(source_id: str) -> None:
    keys = [("acme", 0), ("globex", 0), ("acme", 7)]
    _core.clear_size_cache()
    cold = {k: _sizes(source_id, *k) for k in keys}
    assert _core.size_cache_len() > 0
    warm = {k: _sizes(source_id, *k) for k in reversed(keys)}  # fresh connectors, sizes from the cache
    assert warm == cold
    if source_id in ("stripe", "slack"):  # derived sizes really differ per tenant and seed: no mix-up
        assert len({json.dumps(v, sort_keys=True) for v in cold.values()}) == len(keys)


def test_a_cached_size_is_the_number_of_records_read() -> None:
    _sizes("stripe", "acme")  # warm
    c = demo("stripe", "acme")
    for stream in ("charges", "invoices", "balance_transactions"):
        size = c.stream_info(stream).estimated_rows
        assert size is not None
        assert len(c.generate(stream, size + 50)) == size


def test_reads_are_the_same_with_a_cold_or_a_warm_size_cache() -> None:
    _core.clear_size_cache()
    cold = {s: rows("shopify", s, 120, "initech") for s in ("transactions", "orders")}
    cold["charges"] = rows("stripe", "charges", 120, "initech")
    _sizes("shopify", "initech")
    _sizes("stripe", "initech")
    warm = {s: rows("shopify", s, 120, "initech") for s in ("transactions", "orders")}
    warm["charges"] = rows("stripe", "charges", 120, "initech")
    assert json.dumps(warm, sort_keys=True) == json.dumps(cold, sort_keys=True)


def test_the_size_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_core, "SIZE_CACHE_MAX", 6)
    _core.clear_size_cache()
    for tenant in ("t1", "t2", "t3", "t4"):
        _sizes("slack", tenant)  # one derived size (channel_members) per tenant
        _sizes("zendesk-support", tenant)  # one derived size (satisfaction_ratings) per tenant
    assert _core.size_cache_len() == 6
    _core.clear_size_cache()
    assert _core.size_cache_len() == 0


@pytest.mark.parametrize("source_id", ["stripe", "postgres", "notion"])
def test_editing_a_discovered_schema_changes_no_later_discover(source_id: str) -> None:
    first = demo(source_id).discover({})
    pristine = json.dumps([i.json_schema for i in first], sort_keys=True)
    for info in first:
        info.json_schema["title"] = "edited"
        info.json_schema["required"].clear()
        for prop in info.json_schema["properties"].values():
            prop["type"] = "edited"
        info.json_schema["properties"].clear()
    c = demo(source_id)
    again = c.discover({})
    assert json.dumps([i.json_schema for i in again], sort_keys=True) == pristine
    # the records still validate against the schema, on the same connector that was edited too
    validator = jsonschema.Draft7Validator(again[0].json_schema, format_checker=FORMATS)
    records = list(c.read({}, again[0].name, limit=20))
    assert records and all(validator.is_valid(r) for r in records)


def test_editing_a_generic_stream_schema_leaves_other_generic_streams_alone() -> None:
    new = SourceEntry(
        **{
            **SOURCES["notion"].model_dump(),
            "id": "asana",
            "name": "Asana",
            "streams": ["tasks", "projects"],
            "airbyte_connector": "source-asana",
        }
    )
    tasks, projects = DemoConnector(new).discover({})
    tasks.json_schema["properties"]["id"]["type"] = "edited"
    assert projects.json_schema["properties"]["id"]["type"] != "edited"
    [tasks_again, _] = DemoConnector(new).discover({})
    assert tasks_again.json_schema["properties"]["id"]["type"] != "edited"


def test_validation_never_uses_a_spec_a_caller_changed() -> None:
    c = demo("csv")
    spec = c.spec()
    spec["properties"]["file_name"]["type"] = "integer"
    spec["additionalProperties"] = True
    assert c.validate({"file_name": "export.csv"}) == {"file_name": "export.csv"}
    with pytest.raises(ConfigError, match="Unknown field 'other'"):
        c.validate({"other": 1})
    assert demo("csv").spec()["properties"]["file_name"]["type"] == "string"


def test_validation_follows_the_entry_the_connector_was_made_for() -> None:
    file_entry = SOURCES["csv"]
    as_database = SourceEntry(**{**file_entry.model_dump(), "auth_kind": "database"})
    assert DemoConnector(file_entry, tenant="t").validate({}) == {}
    assert DemoConnector(as_database, tenant="t").validate({}) == {"sample": True}
    with pytest.raises(ConfigError, match="file_name"):
        DemoConnector(file_entry, tenant="t").validate({"file_name": 5})

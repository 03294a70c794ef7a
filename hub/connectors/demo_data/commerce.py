"""E-commerce demo sources: Shopify, WooCommerce, Square, and the PostgreSQL/MySQL sample shop tables.

All four sell from the same kind of catalogue (an outdoor outfitter), so a sales demo that connects
several of them tells one story. Relations hold inside each source: every order's customer and every
line item's product exist, line items add up to the subtotal, ``total = subtotal + tax - discounts``,
transactions and refunds point at existing orders and payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hub.connectors.demo_data._core import (
    ANCHOR_TS,
    DAY,
    A,
    B,
    Columns,
    Gen,
    I,
    N,
    O,
    S,
    SourceDef,
    StreamDef,
    World,
    _ascii_slug,
    col,
    dates,
    head_start,
    iso,
    money,
    place_field,
    stream_schema,
)

# --------------------------------------------------------------------------- the catalogue of goods

#: product type, SKU code, nouns, median price in cents, variant options
PRODUCT_TYPES: list[tuple[str, str, list[str], int, list[str]]] = [
    (
        "Jackets",
        "JKT",
        ["Shell Jacket", "Down Jacket", "Rain Jacket", "Softshell Jacket", "Insulated Parka"],
        18900,
        ["S", "M", "L"],
    ),
    (
        "Fleece",
        "FLC",
        ["Fleece Pullover", "Quarter-Zip Fleece", "Fleece Hoodie", "Grid Fleece"],
        7900,
        ["S", "M", "L"],
    ),
    (
        "Base Layers",
        "BSL",
        ["Merino Crew", "Merino Leggings", "Long Sleeve Tee", "Merino Tank"],
        5500,
        ["S", "M", "L"],
    ),
    ("Hats", "HAT", ["Beanie", "Trucker Cap", "Sun Hat", "Pom Beanie"], 2900, ["Black", "Navy", "Olive"]),
    ("Socks", "SCK", ["Hiking Socks", "Trail Crew Socks", "Ski Socks", "Liner Socks"], 1900, ["S", "M", "L"]),
    (
        "Backpacks",
        "BPK",
        ["Daypack 22L", "Trail Pack 35L", "Travel Pack 40L", "Summit Pack 18L"],
        12900,
        ["Black", "Slate", "Rust"],
    ),
    (
        "Tents",
        "TNT",
        ["2-Person Tent", "Ultralight Tent", "Family Tent 4P", "Bivy Shelter"],
        32900,
        ["Green", "Sand", "Orange"],
    ),
    (
        "Sleeping Bags",
        "SLB",
        ["Down Sleeping Bag", "Synthetic Sleeping Bag", "Quilt"],
        19900,
        ["Regular", "Long", "Wide"],
    ),
    (
        "Footwear",
        "FTW",
        ["Trail Runner", "Hiking Boot", "Camp Slipper", "Approach Shoe"],
        13900,
        ["8", "9", "10"],
    ),
    (
        "Accessories",
        "ACC",
        ["Water Bottle", "Headlamp", "Trekking Poles", "Camp Mug", "Dry Bag"],
        3500,
        ["Black", "Blue", "Orange"],
    ),
]
TYPE_P = [10, 9, 9, 8, 10, 9, 4, 5, 8, 12]
ADJECTIVES = [
    "Alpine",
    "Summit",
    "Ridge",
    "Cascade",
    "Glacier",
    "Trailhead",
    "Basecamp",
    "Canyon",
    "Timberline",
    "Northwind",
    "Evergreen",
    "Sierra",
    "Boundary",
    "Switchback",
    "Highland",
    "Tundra",
    "Coastal",
    "Granite",
    "Aspen",
    "Bristlecone",
]
VARIANTS_PER_PRODUCT = 3


@dataclass(frozen=True)
class Goods:
    """The products of one shop: numbers other streams need without building the product rows."""

    type_idx: np.ndarray  # product -> index in PRODUCT_TYPES
    title: list[str]
    price: np.ndarray  # product -> base price in cents
    created: np.ndarray  # product -> unix seconds


def goods(g: Gen, n: int) -> Goods:
    """The first ``n`` products (type, title, base price, creation time) from the products stream's seeds."""
    t = g.pick_idx("type", len(PRODUCT_TYPES), TYPE_P, n)
    adj = g.pick("adjective", ADJECTIVES, n=n)
    noun_pick = g.ints("noun", 0, 60, n).tolist()
    titles = []
    for ti, a, k in zip(t.tolist(), adj, noun_pick, strict=True):
        nouns = PRODUCT_TYPES[ti][2]
        titles.append(f"{a} {nouns[k % len(nouns)]}")
    median = np.array([p[3] for p in PRODUCT_TYPES])[t]
    raw = median * g.lognormal("price", 1.0, 0.3, n)
    price = (np.round(raw / 500) * 500 - 100).astype(np.int64)  # $5 steps minus $1: 49.00, 54.00, 149.00
    price = np.maximum(price, 900)
    created = _created(g, n)
    return Goods(t, titles, price, created)


def _created(g: Gen, n: int) -> np.ndarray:
    jitter = g.uniform("created", n=n)
    span = 1130 * DAY
    return ANCHOR_TS - span + span * (np.arange(n) + jitter) / g.N


def unique_slugs(titles: list[str], *, first_suffix: int) -> list[str]:
    """URL handles as the shop makes them: the title's slug, with ``-1``, ``-2``... for repeated titles.

    Shopify starts repeats at ``-1``, WordPress at ``-2``. Depends only on earlier rows (prefix-stable).
    """
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        slug = _ascii_slug(title, "-")
        k = seen.get(slug, 0)
        seen[slug] = k + 1
        out.append(slug if k == 0 else f"{slug}-{k - 1 + first_suffix}")
    return out


def shop_iso(ts: np.ndarray) -> list[str]:
    """Times as a US Eastern shop reports them: ``2025-07-04T10:15:00-04:00`` (DST approximated by date)."""
    if len(ts) == 0:
        return []
    day = ts.astype("int64").astype("datetime64[s]").astype("datetime64[D]")
    doy = (day - day.astype("datetime64[Y]")).astype(np.int64)
    summer = (doy >= 69) & (doy <= 306)
    offset = np.where(summer, -4, -5)
    local = np.datetime_as_string((ts + offset * 3600).astype("int64").astype("datetime64[s]"), unit="s")
    return np.strings.add(local, np.where(summer, "-04:00", "-05:00")).tolist()


# --------------------------------------------------------------------------- Shopify

SHOP_TZ_NOTE = "Times carry the shop's UTC offset, as the Shopify Admin API returns them."

SHOPIFY_CUSTOMERS = 36_000
SHOPIFY_ORDERS = 100_000
SHOPIFY_PRODUCTS = 240


def _shopify_products(g: Gen) -> Columns:
    gd = goods(g, g.n)
    ids = g.seq_ids("id", 7_400_000_000_000, 7_900_000_000_000, gap=4_000_000)
    type_names = [PRODUCT_TYPES[t][0] for t in gd.type_idx.tolist()]
    status = g.pick("status", ["active", "draft", "archived"], [90, 6, 4])
    created = gd.created
    published = np.where(np.array(status) == "draft", np.nan, created + g.uniform("pub", 0, 3 * DAY))
    inventory = g.ints("inventory", 0, 240, g.n * VARIANTS_PER_PRODUCT).reshape(g.n, VARIANTS_PER_PRODUCT)
    tags = g.pick(
        "tags",
        [
            "",
            "new",
            "bestseller",
            "sale",
            "gift, holiday",
            "waterproof",
            "merino, warm",
            "ultralight",
            "bestseller, staff-pick",
        ],
        [20, 10, 12, 10, 8, 10, 8, 8, 6],
    )
    vendor = g.pick(
        "vendor",
        [_brand(g.world), "Northbound Supply Co.", "Granite Gear Works", "Fjell & Co."],
        [70, 10, 10, 10],
    )
    return {
        "id": ids,
        "title": gd.title,
        "handle": unique_slugs(gd.title, first_suffix=1),
        "vendor": vendor,
        "product_type": type_names,
        "status": status,
        "tags": tags,
        "total_inventory": inventory.sum(axis=1),
        "total_variants": VARIANTS_PER_PRODUCT,
        "published_at": [
            None if np.isnan(p) else s
            for p, s in zip(published.tolist(), shop_iso(np.nan_to_num(published)), strict=True)
        ],
        "created_at": shop_iso(created),
        "updated_at": shop_iso(g.later("updated", created, 200)),
        "shop_url": g.world.account,
        "_price": gd.price,
        "_inventory": inventory,
        "_created": created,
        "_type": gd.type_idx,
    }


def _brand(world: World) -> str:
    """The shop's own brand, from the account (``acme-outfitters.myshopify.com`` -> ``Acme Outfitters``)."""
    head = world.account.split(".")[0].replace("-", " ").strip()
    name = head.title() if head else "Demo"
    return name if " " in name else f"{name} Outfitters"


def _shopify_variants(g: Gen) -> Columns:
    n_products = -(-g.n // VARIANTS_PER_PRODUCT)
    p = g.parent("products", n_products)
    prod = g.idx // VARIANTS_PER_PRODUCT
    opt = g.idx % VARIANTS_PER_PRODUCT
    type_idx = p["_type"][prod]
    option = [PRODUCT_TYPES[t][4][o] for t, o in zip(type_idx.tolist(), opt.tolist(), strict=True)]
    # The largest size costs a little more, as in many real shops.
    price = p["_price"][prod] + np.where((opt == 2) & np.isin(type_idx, [0, 1]), 1000, 0)
    created = p["_created"][prod]
    codes = [PRODUCT_TYPES[t][1] for t in type_idx.tolist()]
    return {
        "id": g.seq_ids("id", 40_000_000_000_000, 46_000_000_000_000, gap=9_000_000),
        "product_id": p["id"][prod],
        "title": option,
        "sku": [
            f"{c}-{k + 1001:04d}-{o.upper()[:3]}"
            for c, k, o in zip(codes, prod.tolist(), option, strict=True)
        ],
        "price": money(price),
        "inventory_quantity": p["_inventory"][prod, opt],
        "taxable": (type_idx >= 0),
        "created_at": shop_iso(created),
        "updated_at": shop_iso(g.later("updated", created, 120)),
        "shop_url": g.world.account,
        "_price": price,
    }


@dataclass
class OrderBook:
    """The numbers of the first ``n`` orders, computed with numpy only (no dicts)."""

    n: int
    created: np.ndarray
    customer: np.ndarray  # customer index
    item_order: np.ndarray  # item -> order index
    item_variant: np.ndarray  # item -> variant index
    item_qty: np.ndarray
    item_price: np.ndarray  # cents
    item_start: np.ndarray  # order -> first item index (len n + 1)
    subtotal: np.ndarray
    discount: np.ndarray
    tax: np.ndarray
    total: np.ndarray
    fin_code: np.ndarray  # index into FINANCIAL

    @property
    def financial(self) -> list[str]:
        """Shopify-style financial status of each order."""
        return _FIN_ARR[self.fin_code].tolist()


FINANCIAL = ["paid", "refunded", "partially_refunded", "pending", "voided"]
_FIN_ARR = np.array(FINANCIAL, dtype=object)


def _order_book(
    g: Gen,
    n: int,
    *,
    customers: int,
    variants: int,
    variant_price: np.ndarray | None,
    tax_rate: float = 0.08,
    span_days: float = 1095,
    customer_span_days: float | None = None,
) -> OrderBook:
    """Customer, items and totals of the first ``n`` orders of the stream ``g`` describes.

    ``customer_span_days`` is how long the customers' timeline is (it ends with the orders'): when it is
    longer, part of the customers predate the first order, who then come from many customers.
    """
    idx = np.arange(n, dtype=np.int64)
    span = span_days * DAY
    created = ANCHOR_TS - span + span * (idx + g.uniform("created", n=n)) / g.N
    head = head_start(span_days, customer_span_days or span_days)
    customer = g.ref("customer", customers, n=n, skew=1.6, head=head)
    counts = 1 + g.pick_idx("items", 4, [52, 30, 13, 5], n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    m = int(starts[-1])
    item_order = np.repeat(idx, counts)
    # Products launched over time: an order only contains variants that existed by then.
    upto = np.clip(np.floor((item_order + 1) * variants / g.N).astype(np.int64) + 30, 1, variants)
    variant = np.minimum((g.uniform("variant", n=m) * upto).astype(np.int64), upto - 1)
    qty = 1 + g.pick_idx("qty", 3, [82, 14, 4], m)
    if variant_price is None:
        raise ValueError("variant prices are required")
    price = variant_price[variant]
    subtotal = np.bincount(item_order, weights=price * qty, minlength=n).astype(np.int64)
    has_code = g.bools("discount", 0.16, n)
    pct = np.where(g.bools("discount_pct", 0.5, n), 10, 20)
    discount = np.where(has_code, np.round(subtotal * pct / 100), 0).astype(np.int64)
    tax = np.round((subtotal - discount) * tax_rate).astype(np.int64)
    total = subtotal + tax - discount
    fin_code = g.pick_idx("financial", len(FINANCIAL), [88, 4, 3, 3, 2], n)
    return OrderBook(
        n,
        created,
        customer,
        item_order,
        variant,
        qty,
        price,
        starts,
        subtotal,
        discount,
        tax,
        total,
        fin_code,
    )


#: The shop has taken orders for three years; a quarter of its customers signed up (or were imported)
#: in the year before that, so the first orders already come from many different customers.
SHOPIFY_ORDER_DAYS = 1095.0
SHOPIFY_CUSTOMER_DAYS = 1460.0


def _shopify_book(g: Gen, n: int) -> OrderBook:
    world = g.world
    key = "shopify:book"
    have: OrderBook | None = world._memo.get(key)
    if have is not None and have.n >= n:
        return have
    og = Gen(world, world.source.streams["orders"], n) if g.sdef.name != "orders" else g
    variants = world.rows("product_variants")
    vp = world.columns("product_variants", variants)["_price"]
    book = _order_book(
        og,
        n,
        customers=world.rows("customers"),
        variants=variants,
        variant_price=vp,
        span_days=SHOPIFY_ORDER_DAYS,
        customer_span_days=SHOPIFY_CUSTOMER_DAYS,
    )
    world._memo[key] = book
    return book


def _shopify_people(world: World, n: int) -> Columns:
    """Who the first ``n`` customers are (ids, names, e-mails, sign-up time): what orders need of them.

    Drawn from the customers stream's own seeds, so orders can name their customers without building the
    customers' order statistics (which need the whole order book).
    """
    have: Columns | None = world._memo.get("shopify:people")
    if have is not None and len(have["id"]) >= n:
        return have
    g = Gen(world, world.source.streams["customers"], n)
    first, last, emails = g.people("person")
    out: Columns = {
        "id": g.seq_ids("id", 6_800_000_000_000, 7_100_000_000_000, gap=5_000_000),
        "first": first,
        "last": last,
        "email": emails,
        "created": g.timeline("created", SHOPIFY_CUSTOMER_DAYS),
    }
    world._memo["shopify:people"] = out
    return out


def _shopify_customers(g: Gen) -> Columns:
    who = _shopify_people(g.world, g.n)
    created = who["created"][: g.n]
    first, last, emails = who["first"][: g.n], who["last"][: g.n], who["email"][: g.n]
    ids = who["id"][: g.n]
    # orders_count, total_spent and last_order_id agree with the orders stream (the whole order book).
    book = _shopify_book(g, g.world.rows("orders"))
    order_ids = _order_ids(g.world, book.n)
    paid = (book.fin_code == 0) | (book.fin_code == 2)
    counts = np.bincount(book.customer, minlength=g.n)[: g.n]
    spent = np.bincount(book.customer, weights=np.where(paid, book.total, 0), minlength=g.n)[: g.n].astype(
        np.int64
    )
    last_idx = np.full(max(g.n, int(book.customer.max()) + 1 if book.n else g.n), -1, dtype=np.int64)
    last_idx[book.customer] = np.arange(book.n)  # later orders overwrite earlier ones
    last_idx = last_idx[: g.n]
    last_time = np.where(last_idx >= 0, book.created[np.maximum(last_idx, 0)], created)
    accepts = g.bools("marketing", 0.42)
    tags = np.where(spent > 150_000, "VIP", np.where(accepts, "newsletter", ""))
    state = g.pick("state", ["enabled", "disabled", "invited"], [90, 6, 4])
    return {
        "id": ids,
        "email": emails,
        "first_name": first,
        "last_name": last,
        "phone": g.nulls("phone_null", g.phones("phone"), 0.45),
        "state": state,
        "orders_count": counts,
        "total_spent": money(spent),
        "currency": "USD",
        "verified_email": g.bools("verified", 0.93),
        "tags": tags.tolist(),
        "accepts_marketing": accepts,
        "last_order_id": [int(order_ids[k]) if k >= 0 else None for k in last_idx.tolist()],
        "created_at": shop_iso(created),
        "updated_at": shop_iso(np.maximum(last_time, created)),
        "shop_url": g.world.account,
    }


def _order_ids(world: World, n: int) -> np.ndarray:
    og = Gen(world, world.source.streams["orders"], n)
    return og.seq_ids("id", 5_100_000_000_000, 5_300_000_000_000, gap=2_000_000)


def _shopify_orders(g: Gen) -> Columns:
    book = _shopify_book(g, g.n)
    n = g.n
    cust = _shopify_people(g.world, int(book.customer[:n].max()) + 1 if n else 1)
    var = g.parent("product_variants", int(book.item_variant[: book.item_start[n]].max()) + 1 if n else 1)
    prod = g.parent("products", SHOPIFY_PRODUCTS)
    ids = _order_ids(g.world, n)
    ci = book.customer[:n]
    c_id = cust["id"][ci].tolist()
    c_email = col(cust["email"], ci)
    c_first = col(cust["first"], ci)
    c_last = col(cust["last"], ci)
    m = int(book.item_start[n])
    item_ids = g.scalar("line_item_id", 13_000_000_000_000, 14_000_000_000_000) + np.cumsum(
        g.ints("line_item_gap", 1, 3_000_000, m)
    )
    v = book.item_variant[:m]
    p_of_v = v // VARIANTS_PER_PRODUCT
    v_id = var["id"][v].tolist()
    p_id = prod["id"][p_of_v].tolist()
    titles = col(prod["title"], p_of_v)
    v_title = col(var["title"], v)
    skus = col(var["sku"], v)
    prices = col(var["price"], v)  # the variant's price string, as Shopify copies it
    qty = book.item_qty[:m].tolist()
    items_all = [
        {
            "id": i,
            "variant_id": vi,
            "product_id": pi,
            "title": t,
            "variant_title": vt,
            "sku": s,
            "quantity": q,
            "price": pr,
        }
        for i, vi, pi, t, vt, s, q, pr in zip(
            item_ids.tolist(), v_id, p_id, titles, v_title, skus, qty, prices, strict=True
        )
    ]
    starts = book.item_start[: n + 1].tolist()
    line_items = [items_all[starts[k] : starts[k + 1]] for k in range(n)]
    fin = _FIN_ARR[book.fin_code[:n]].tolist()
    created = book.created[:n]
    age_days = (ANCHOR_TS - created) / DAY
    voided = book.fin_code[:n] == FINANCIAL.index("voided")
    fulfil = [
        None if v or a <= 2 else "fulfilled" for v, a in zip(voided.tolist(), age_days.tolist(), strict=True)
    ]
    cancelled: list[str | None] = [None] * n
    where = np.flatnonzero(voided)
    cancel_ts = created[where] + g.uniform("cancel", 600, 2 * DAY)[where]
    for k, s in zip(where.tolist(), shop_iso(cancel_ts), strict=True):
        cancelled[k] = s
    created_s = shop_iso(created)
    numbers = 1001 + g.idx
    return {
        "id": ids,
        "name": [f"#{k}" for k in numbers.tolist()],
        "order_number": numbers,
        "email": c_email,
        "financial_status": fin,
        "fulfillment_status": fulfil,
        "total_price": money(book.total[:n]),
        "subtotal_price": money(book.subtotal[:n]),
        "total_tax": money(book.tax[:n]),
        "total_discounts": money(book.discount[:n]),
        "currency": "USD",
        "processed_at": created_s,
        "cancelled_at": cancelled,
        "customer": [
            {"id": i, "email": e, "first_name": f, "last_name": la}
            for i, e, f, la in zip(c_id, c_email, c_first, c_last, strict=True)
        ],
        "line_items": line_items,
        "source_name": g.pick(
            "source", ["web", "pos", "shopify_draft_order", "iphone", "android"], [74, 12, 4, 6, 4]
        ),
        "created_at": created_s,
        "updated_at": shop_iso(g.later("updated", created, 30)),
        "shop_url": g.world.account,
        "_total": book.total[:n],
        "_created": created,
    }


#: the transactions behind each financial status (FINANCIAL order): kinds, in time order
_TXN_KINDS: list[list[str]] = [
    ["sale"],
    ["sale", "refund"],
    ["sale", "refund"],
    ["authorization"],
    ["authorization", "void"],
]
_TXN_COUNT = np.array([len(k) for k in _TXN_KINDS])


def _shopify_txn_rows(world: World) -> int:
    book = _shopify_book_for(world, world.rows("orders"))
    return int(_TXN_COUNT[book.fin_code].sum())


def _shopify_book_for(world: World, n: int) -> OrderBook:
    return _shopify_book(Gen(world, world.source.streams["orders"], n), n)


def _shopify_transactions(g: Gen) -> Columns:
    # Each order's transactions, in order sequence: a sale (or an authorization), then any refund or void.
    book = _shopify_book_for(g.world, min(g.n, g.world.rows("orders")))
    counts = _TXN_COUNT[book.fin_code[: book.n]]
    starts = np.concatenate([[0], np.cumsum(counts)])
    order = np.searchsorted(starts, g.idx, side="right") - 1
    pos = g.idx - starts[order]
    code = book.fin_code[order]
    kind = [_TXN_KINDS[c][p] for c, p in zip(code.tolist(), pos.tolist(), strict=True)]
    total = book.total[order]
    partial = np.round(total * g.uniform("partial", 0.15, 0.6)).astype(np.int64)
    amount = np.where((code == FINANCIAL.index("partially_refunded")) & (pos == 1), partial, total)
    after = np.where(
        pos == 0,
        g.uniform("delay", 1, 40),
        np.where(
            code == FINANCIAL.index("voided"),
            g.uniform("void_after", 600, DAY),
            g.uniform("refund_after", DAY, 20 * DAY),
        ),
    )
    created = np.minimum(book.created[order] + after, np.maximum(ANCHOR_TS - 60, book.created[order] + 1))
    status = np.where((code == FINANCIAL.index("pending")) & (pos == 0), "pending", "success")
    stamp = shop_iso(created)
    return {
        "id": g.seq_ids("id", 6_200_000_000_000, 6_400_000_000_000, gap=2_000_000),
        "order_id": _order_ids(g.world, book.n)[order],
        "kind": kind,
        "status": status.tolist(),
        "amount": money(amount),
        "currency": "USD",
        "gateway": g.pick("gateway", ["shopify_payments", "paypal", "gift_card", "manual"], [80, 14, 3, 3]),
        "processed_at": stamp,
        "created_at": stamp,
        "shop_url": g.world.account,
    }


_SHOP_TIME = S("date-time")
_SHOP_TIME_N = S("date-time", null=True)
_MONEY = S(pattern=r"^-?\d+\.\d{2}$")

SHOPIFY = SourceDef.of(
    "shopify",
    StreamDef(
        "customers",
        stream_schema(
            {
                "id": I(),
                "email": S("email"),
                "first_name": S(),
                "last_name": S(),
                "phone": S(null=True),
                "state": S(enum=["enabled", "disabled", "invited", "declined"]),
                "orders_count": I(minimum=0),
                "total_spent": _MONEY,
                "currency": S(),
                "verified_email": B(),
                "tags": S(),
                "accepts_marketing": B(),
                "last_order_id": I(null=True),
                "created_at": _SHOP_TIME,
                "updated_at": _SHOP_TIME,
                "shop_url": S(),
            }
        ),
        _shopify_customers,
        cursor_field="updated_at",
        rows=SHOPIFY_CUSTOMERS,
    ),
    StreamDef(
        "orders",
        stream_schema(
            {
                "id": I(),
                "name": S(pattern=r"^#\d+$"),
                "order_number": I(minimum=1001),
                "email": S("email"),
                "financial_status": S(
                    enum=[
                        "pending",
                        "authorized",
                        "partially_paid",
                        "paid",
                        "partially_refunded",
                        "refunded",
                        "voided",
                    ]
                ),
                "fulfillment_status": S(null=True, enum=["fulfilled", "partial", "restocked"]),
                "total_price": _MONEY,
                "subtotal_price": _MONEY,
                "total_tax": _MONEY,
                "total_discounts": _MONEY,
                "currency": S(),
                "processed_at": _SHOP_TIME,
                "cancelled_at": _SHOP_TIME_N,
                "customer": O({"id": I(), "email": S("email"), "first_name": S(), "last_name": S()}),
                "line_items": A(
                    O(
                        {
                            "id": I(),
                            "variant_id": I(),
                            "product_id": I(),
                            "title": S(),
                            "variant_title": S(),
                            "sku": S(),
                            "quantity": I(minimum=1),
                            "price": _MONEY,
                        }
                    )
                ),
                "source_name": S(),
                "created_at": _SHOP_TIME,
                "updated_at": _SHOP_TIME,
                "shop_url": S(),
            }
        ),
        _shopify_orders,
        cursor_field="updated_at",
        rows=SHOPIFY_ORDERS,
    ),
    StreamDef(
        "products",
        stream_schema(
            {
                "id": I(),
                "title": S(),
                "handle": S(),
                "vendor": S(),
                "product_type": S(),
                "status": S(enum=["active", "draft", "archived"]),
                "tags": S(),
                "total_inventory": I(),
                "total_variants": I(minimum=1),
                "published_at": _SHOP_TIME_N,
                "created_at": _SHOP_TIME,
                "updated_at": _SHOP_TIME,
                "shop_url": S(),
            }
        ),
        _shopify_products,
        cursor_field="updated_at",
        rows=SHOPIFY_PRODUCTS,
    ),
    StreamDef(
        "product_variants",
        stream_schema(
            {
                "id": I(),
                "product_id": I(),
                "title": S(),
                "sku": S(),
                "price": _MONEY,
                "inventory_quantity": I(),
                "taxable": B(),
                "created_at": _SHOP_TIME,
                "updated_at": _SHOP_TIME,
                "shop_url": S(),
            }
        ),
        _shopify_variants,
        cursor_field="updated_at",
        rows=SHOPIFY_PRODUCTS * VARIANTS_PER_PRODUCT,
    ),
    StreamDef(
        "transactions",
        stream_schema(
            {
                "id": I(),
                "order_id": I(),
                "kind": S(enum=["authorization", "capture", "sale", "void", "refund"]),
                "status": S(enum=["pending", "failure", "success", "error"]),
                "amount": _MONEY,
                "currency": S(),
                "gateway": S(),
                "processed_at": _SHOP_TIME,
                "created_at": _SHOP_TIME,
                "shop_url": S(),
            }
        ),
        _shopify_transactions,
        cursor_field="created_at",
        rows=SHOPIFY_ORDERS * 107 // 100,
        rows_fn=_shopify_txn_rows,
    ),
    default_account="{tenant}-outfitters.myshopify.com",
)


# --------------------------------------------------------------------------- WooCommerce

WOO_CUSTOMERS = 4_200
WOO_ORDERS = 12_000
WOO_PRODUCTS = 180
WOO_COUPONS = 60


def _wc_address(
    g: Gen,
    prefix: str,
    first: list[str],
    last: list[str],
    emails: list[str] | None,
    phones: list[str] | None,
    n: int | None = None,
) -> list[dict[str, Any]]:
    size = g.n if n is None else n
    place = g.places(prefix + ":place", size)
    city = place_field(place, 0)
    region = place_field(place, 1)
    country = place_field(place, 3)
    street = g.pool(prefix + ":street", "streets", size)
    post = g.pool(prefix + ":postcode", "postcodes", size)
    company = g.nulls(prefix + ":company", g.pool(prefix + ":company_name", "companies", size), 0.85)
    out = []
    for k in range(size):
        addr = {
            "first_name": first[k],
            "last_name": last[k],
            "company": company[k] or "",
            "address_1": street[k],
            "address_2": "",
            "city": city[k],
            "state": region[k],
            "postcode": post[k],
            "country": country[k],
        }
        if emails is not None:
            addr["email"] = emails[k]
        if phones is not None:
            addr["phone"] = phones[k]
        out.append(addr)
    return out


#: Customers start earlier than the orders (1000 days), so the first orders name many customers.
WOO_CUSTOMER_DAYS = 1350.0


def _wc_customers(g: Gen) -> Columns:
    created = g.timeline("created", WOO_CUSTOMER_DAYS)
    first, last, emails = g.people("person")
    billing = _wc_address(g, "billing", first, last, emails, g.phones("phone", e164=False))
    local = [e.split("@")[0] for e in emails]
    return {
        "id": g.seq_ids("id", 2, 40, gap=3),
        "date_created": [s[:-1] for s in iso(created - 5 * 3600)],
        "date_created_gmt": [s[:-1] for s in iso(created)],
        "date_modified": [s[:-1] for s in iso(g.later("modified", created, 200) - 5 * 3600)],
        "date_modified_gmt": [s[:-1] for s in iso(g.later("modified", created, 200))],
        "email": emails,
        "first_name": first,
        "last_name": last,
        "role": "customer",
        "username": local,
        "billing": billing,
        "shipping": [{k: v for k, v in b.items() if k not in ("email", "phone")} for b in billing],
        "is_paying_customer": g.bools("paying", 0.8),
        "avatar_url": [
            f"https://secure.gravatar.com/avatar/{h}?s=96&d=mm&r=g" for h in g.hexes("avatar", 32)
        ],
    }


def _wc_products(g: Gen) -> Columns:
    gd = goods(g, g.n)
    ids = g.seq_ids("id", 10, 30, gap=6)
    on_sale = g.bools("on_sale", 0.15)
    sale = np.round(gd.price * 0.8 / 100) * 100 - 1
    price = np.where(on_sale, sale, gd.price).astype(np.int64)
    slugs = unique_slugs(gd.title, first_suffix=2)
    site = g.world.account
    created = gd.created
    stock = g.ints("stock", 0, 150)
    return {
        "id": ids,
        "name": gd.title,
        "slug": slugs,
        "permalink": [f"https://{site}/product/{s}/" for s in slugs],
        "date_created": [s[:-1] for s in iso(created)],
        "date_modified": [s[:-1] for s in iso(g.later("modified", created, 300))],
        "type": g.pick("type", ["simple", "variable"], [70, 30]),
        "status": g.pick("status", ["publish", "draft", "private"], [92, 6, 2]),
        "featured": g.bools("featured", 0.08),
        "catalog_visibility": "visible",
        "sku": [
            f"{PRODUCT_TYPES[t][1]}-{i:04d}" for t, i in zip(gd.type_idx.tolist(), ids.tolist(), strict=True)
        ],
        "price": money(price),
        "regular_price": money(gd.price),
        "sale_price": [
            s if o else "" for s, o in zip(money(sale.astype(np.int64)), on_sale.tolist(), strict=True)
        ],
        "on_sale": on_sale,
        "total_sales": g.ints("sales", 0, 900),
        "stock_quantity": stock,
        "stock_status": np.where(stock == 0, "outofstock", "instock").tolist(),
        "categories": [
            [{"id": 15 + t, "name": PRODUCT_TYPES[t][0], "slug": _ascii_slug(PRODUCT_TYPES[t][0], "-")}]
            for t in gd.type_idx.tolist()
        ],
        "_price": price,
    }


def _wc_coupons(g: Gen) -> Columns:
    created = g.timeline("created", 900)
    words = ["WELCOME", "SUMMER", "TRAIL", "FALL", "HOLIDAY", "SPRING", "VIP", "FRIENDS", "CAMP", "SNOW"]
    kind = g.pick("kind", ["percent", "fixed_cart", "fixed_product"], [65, 25, 10])
    pct = g.pick("pct", [10, 15, 20, 25], [40, 25, 25, 10])
    fixed = g.pick("fixed", [500, 1000, 1500, 2000])
    amount = [
        f"{p}.00" if k == "percent" else f"{f // 100}.00" for k, p, f in zip(kind, pct, fixed, strict=True)
    ]
    expires = created + g.uniform("expires", 20, 120) * DAY
    codes = [f"{w}{p}".lower() for w, p in zip(g.pick("word", words), pct, strict=True)]
    return {
        "id": g.seq_ids("id", 300, 400, gap=4),
        "code": codes,
        "amount": amount,
        "date_created": [s[:-1] for s in iso(created)],
        "date_modified": [s[:-1] for s in iso(g.later("modified", created, 30))],
        "discount_type": kind,
        "description": [
            f"{p}% off for the {w.lower()} campaign" for w, p in zip(g.pick("word", words), pct, strict=True)
        ],
        "date_expires": g.nulls("no_expiry", [s[:-1] for s in iso(expires)], 0.3),
        "usage_count": g.ints("usage", 0, 400),
        "individual_use": g.bools("individual", 0.7),
        "usage_limit": g.nulls("no_limit", g.pick("limit", [100, 250, 500, 1000]), 0.5),
        "free_shipping": g.bools("free_shipping", 0.2),
        "minimum_amount": g.pick("minimum", ["0.00", "50.00", "75.00", "100.00"], [50, 20, 20, 10]),
        "maximum_amount": "0.00",
    }


def _wc_orders(g: Gen) -> Columns:
    world = g.world
    products = world.columns("products", WOO_PRODUCTS)
    book = _order_book(
        g,
        g.n,
        customers=WOO_CUSTOMERS,
        variants=WOO_PRODUCTS,
        variant_price=products["_price"],
        tax_rate=0.07,
        span_days=1000,
        customer_span_days=WOO_CUSTOMER_DAYS,
    )
    n = g.n
    guest = g.bools("guest", 0.12)
    cust = g.parent("customers", int(book.customer.max()) + 1 if n else 1)
    ci = book.customer
    cust_id = np.where(guest, 0, cust["id"][ci])
    bill = col(cust["billing"], ci)
    m = int(book.item_start[n])
    v = book.item_variant[:m]
    item_ids = g.scalar("item_id", 100, 200) + np.cumsum(g.ints("item_gap", 1, 3, m))
    p_ids = products["id"][v].tolist()
    names = col(products["name"], v)
    skus = col(products["sku"], v)
    qty = book.item_qty[:m].tolist()
    price = book.item_price[:m]
    totals = money(price * book.item_qty[:m])
    items = [
        {
            "id": i,
            "name": nm,
            "product_id": p,
            "variation_id": 0,
            "quantity": q,
            "sku": s,
            "price": pr / 100,
            "subtotal": t,
            "total": t,
        }
        for i, nm, p, q, s, pr, t in zip(
            item_ids.tolist(), names, p_ids, qty, skus, price.tolist(), totals, strict=True
        )
    ]
    starts = book.item_start.tolist()
    created = book.created
    fin = book.financial
    status_map = {
        "paid": "completed",
        "refunded": "refunded",
        "partially_refunded": "completed",
        "pending": "on-hold",
        "voided": "cancelled",
    }
    status = [status_map[f] for f in fin]
    recent = (ANCHOR_TS - created) / DAY < 2
    status = [
        "processing" if (r and s == "completed") else s for s, r in zip(status, recent.tolist(), strict=True)
    ]
    paid = np.isin(np.array(status), ["completed", "processing", "refunded"])
    method = g.pick("method", ["stripe", "ppcp-gateway", "bacs", "cod"], [64, 28, 5, 3])
    title = {
        "stripe": "Credit Card (Stripe)",
        "ppcp-gateway": "PayPal",
        "bacs": "Direct bank transfer",
        "cod": "Cash on delivery",
    }
    keys = g.b62("order_key", 13)
    loc = [s[:-1] for s in iso(created - 5 * 3600)]
    gmt = [s[:-1] for s in iso(created)]
    done = [s[:-1] for s in iso(created + 3 * DAY)]
    ids = g.seq_ids("id", 1000, 1500, gap=2)
    return {
        "id": ids,
        "parent_id": 0,
        "number": [str(i) for i in ids.tolist()],
        "order_key": [f"wc_order_{k}" for k in keys],
        "created_via": g.pick("via", ["checkout", "admin", "rest-api"], [90, 7, 3]),
        "status": status,
        "currency": "USD",
        "date_created": loc,
        "date_created_gmt": gmt,
        "date_modified": [s[:-1] for s in iso(g.later("modified", created, 10) - 5 * 3600)],
        "discount_total": money(book.discount),
        "shipping_total": "0.00",
        "total": money(book.total),
        "total_tax": money(book.tax),
        "prices_include_tax": False,
        "customer_id": cust_id,
        "customer_ip_address": [
            f"{a}.{b}.{c}.{d}" for a, b, c, d in g.ints("ip", 1, 255, n * 4).reshape(-1, 4).tolist()
        ]
        if n
        else [],
        "billing": bill,
        "shipping": [{k: v for k, v in b.items() if k not in ("email", "phone")} for b in bill],
        "payment_method": method,
        "payment_method_title": [title[x] for x in method],
        "transaction_id": [
            f"ch_{t}" if m_ == "stripe" and p else ""
            for t, m_, p in zip(g.b62("txn", 24), method, paid.tolist(), strict=True)
        ],
        "date_paid": [s if p else None for s, p in zip(gmt, paid.tolist(), strict=True)],
        "date_completed": [s if st == "completed" else None for s, st in zip(done, status, strict=True)],
        "line_items": [items[starts[k] : starts[k + 1]] for k in range(n)],
        "_subtotal": book.subtotal,
    }


_WC_TIME = S(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
_WC_TIME_N = S(null=True, pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
_WC_ADDRESS = {
    "first_name": S(),
    "last_name": S(),
    "company": S(),
    "address_1": S(),
    "address_2": S(),
    "city": S(),
    "state": S(),
    "postcode": S(),
    "country": S(),
}
_WC_BILLING = O({**_WC_ADDRESS, "email": S("email"), "phone": S()})
_WC_SHIPPING = O(_WC_ADDRESS)

WOOCOMMERCE = SourceDef.of(
    "woocommerce",
    StreamDef(
        "customers",
        stream_schema(
            {
                "id": I(),
                "date_created": _WC_TIME,
                "date_created_gmt": _WC_TIME,
                "date_modified": _WC_TIME,
                "date_modified_gmt": _WC_TIME,
                "email": S("email"),
                "first_name": S(),
                "last_name": S(),
                "role": S(),
                "username": S(),
                "billing": _WC_BILLING,
                "shipping": _WC_SHIPPING,
                "is_paying_customer": B(),
                "avatar_url": S("uri"),
            }
        ),
        _wc_customers,
        cursor_field="date_modified_gmt",
        rows=WOO_CUSTOMERS,
    ),
    StreamDef(
        "orders",
        stream_schema(
            {
                "id": I(),
                "parent_id": I(),
                "number": S(),
                "order_key": S(),
                "created_via": S(),
                "status": S(
                    enum=["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]
                ),
                "currency": S(),
                "date_created": _WC_TIME,
                "date_created_gmt": _WC_TIME,
                "date_modified": _WC_TIME,
                "discount_total": _MONEY,
                "shipping_total": _MONEY,
                "total": _MONEY,
                "total_tax": _MONEY,
                "prices_include_tax": B(),
                "customer_id": I(minimum=0),
                "customer_ip_address": S("ipv4"),
                "billing": _WC_BILLING,
                "shipping": _WC_SHIPPING,
                "payment_method": S(),
                "payment_method_title": S(),
                "transaction_id": S(),
                "date_paid": _WC_TIME_N,
                "date_completed": _WC_TIME_N,
                "line_items": A(
                    O(
                        {
                            "id": I(),
                            "name": S(),
                            "product_id": I(),
                            "variation_id": I(),
                            "quantity": I(minimum=1),
                            "sku": S(),
                            "price": N(),
                            "subtotal": _MONEY,
                            "total": _MONEY,
                        }
                    )
                ),
            }
        ),
        _wc_orders,
        cursor_field="date_modified",
        rows=WOO_ORDERS,
    ),
    StreamDef(
        "products",
        stream_schema(
            {
                "id": I(),
                "name": S(),
                "slug": S(),
                "permalink": S("uri"),
                "date_created": _WC_TIME,
                "date_modified": _WC_TIME,
                "type": S(enum=["simple", "grouped", "external", "variable"]),
                "status": S(enum=["draft", "pending", "private", "publish"]),
                "featured": B(),
                "catalog_visibility": S(),
                "sku": S(),
                "price": _MONEY,
                "regular_price": _MONEY,
                "sale_price": S(),
                "on_sale": B(),
                "total_sales": I(minimum=0),
                "stock_quantity": I(null=True),
                "stock_status": S(enum=["instock", "outofstock", "onbackorder"]),
                "categories": A(O({"id": I(), "name": S(), "slug": S()})),
            }
        ),
        _wc_products,
        cursor_field="date_modified",
        rows=WOO_PRODUCTS,
    ),
    StreamDef(
        "coupons",
        stream_schema(
            {
                "id": I(),
                "code": S(),
                "amount": _MONEY,
                "date_created": _WC_TIME,
                "date_modified": _WC_TIME,
                "discount_type": S(enum=["percent", "fixed_cart", "fixed_product"]),
                "description": S(),
                "date_expires": _WC_TIME_N,
                "usage_count": I(minimum=0),
                "individual_use": B(),
                "usage_limit": I(null=True),
                "free_shipping": B(),
                "minimum_amount": _MONEY,
                "maximum_amount": _MONEY,
            }
        ),
        _wc_coupons,
        cursor_field="date_modified",
        rows=WOO_COUPONS,
    ),
    default_account="shop.{tenant}.com",
)

# --------------------------------------------------------------------------- Square

SQ_CUSTOMERS = 2_400
SQ_ORDERS = 15_000
SQ_LOCATIONS = ["L8GK2M1RD0Q7S", "LQ4H7JX9B2N5V"]
#: cafe-style menu of a shop with a counter: (name, cents)
SQ_MENU = [
    ("Drip Coffee", 350),
    ("Latte", 525),
    ("Cappuccino", 495),
    ("Cold Brew", 475),
    ("Chai Latte", 525),
    ("Croissant", 395),
    ("Blueberry Muffin", 375),
    ("Breakfast Burrito", 895),
    ("Trail Mix Bar", 325),
    ("Beanie", 2900),
    ("Sticker Pack", 600),
    ("Water Bottle", 3500),
    ("Map: Local Trails", 1200),
    ("Headlamp", 4200),
    ("Hand Warmers", 450),
]


def _sq_money(cents: np.ndarray) -> list[dict[str, Any]]:
    return [{"amount": int(c), "currency": "USD"} for c in cents.tolist()]


#: Customers start earlier than the orders (900 days), so the first orders name many customers.
SQ_CUSTOMER_DAYS = 1200.0


def _sq_customers(g: Gen) -> Columns:
    created = g.timeline("created", SQ_CUSTOMER_DAYS)
    first, last, emails = g.people("person", work_share=0.1)
    place = g.places("place")
    return {
        "id": g.b62("id", 26, n=None),
        "created_at": iso(created, ms=True),
        "updated_at": iso(g.later("updated", created, 120), ms=True),
        "given_name": first,
        "family_name": last,
        "email_address": g.nulls("no_email", emails, 0.15),
        "phone_number": g.nulls("no_phone", g.phones("phone"), 0.35),
        "address": [
            {
                "address_line_1": s,
                "locality": c,
                "administrative_district_level_1": r,
                "postal_code": p,
                "country": k,
            }
            for s, c, r, p, k in zip(
                g.pool("street", "streets"),
                place_field(place, 0),
                place_field(place, 1),
                g.pool("post", "postcodes"),
                place_field(place, 3),
                strict=True,
            )
        ],
        "preferences": [{"email_unsubscribed": bool(u)} for u in g.bools("unsub", 0.07).tolist()],
        "creation_source": g.pick(
            "source", ["DIRECTORY", "FIRST_PARTY", "INSTANT_PROFILE", "LOYALTY"], [20, 15, 55, 10]
        ),
        "version": g.ints("version", 0, 6),
    }


def _sq_core(world: World, n: int) -> Columns:
    """Numbers and ids of the first ``n`` orders, shared by orders, payments (one per order) and refunds."""
    have: Columns | None = world._memo.get("sq:core")
    if have is not None and have["n"] >= n:
        return have
    g = Gen(world, world.source.streams["orders"], n)
    prices = np.array([p for _, p in SQ_MENU], dtype=np.int64)
    book = _order_book(
        g,
        n,
        customers=SQ_CUSTOMERS,
        variants=len(SQ_MENU),
        variant_price=prices,
        tax_rate=0.0875,
        span_days=900,
        customer_span_days=SQ_CUSTOMER_DAYS,
    )
    has_customer = g.bools("has_customer", 0.45)
    top = int(book.customer.max()) + 1 if n else 1
    customer_ids = Gen(world, world.source.streams["customers"], top).b62("id", 26)
    tip = np.where(g.bools("tips", 0.4), np.round(book.subtotal * g.pick("tip_pct", [0.1, 0.15, 0.2])), 0)
    out: Columns = {
        "n": n,
        "book": book,
        "id": g.b62("id", 29),
        "location": g.pick("location", SQ_LOCATIONS, [70, 30]),
        "customer": [
            c if h else None
            for c, h in zip(col(customer_ids, book.customer), has_customer.tolist(), strict=True)
        ],
        "tip": tip.astype(np.int64),
        "total": book.total + tip.astype(np.int64),
        "canceled": book.fin_code == FINANCIAL.index("voided"),
        "payment_id": Gen(world, world.source.streams["payments"], n).b62("id", 29),
    }
    world._memo["sq:core"] = out
    return out


def _sq_orders(g: Gen) -> Columns:
    n = g.n
    core = _sq_core(g.world, n)
    book: OrderBook = core["book"]
    m = int(book.item_start[n])
    uids = g.b62("item_uid", 22, n=m)
    names = [SQ_MENU[v][0] for v in book.item_variant[:m].tolist()]
    catalog = g.world.memo(
        "sq:catalog",
        lambda: Gen(g.world, g.sdef, len(SQ_MENU)).b62("catalog", 24, n=len(SQ_MENU)),
    )
    items = [
        {
            "uid": u,
            "name": nm,
            "quantity": str(q),
            "catalog_object_id": catalog[v],
            "base_price_money": {"amount": p, "currency": "USD"},
            "total_money": {"amount": p * q, "currency": "USD"},
        }
        for u, nm, q, v, p in zip(
            uids,
            names,
            book.item_qty[:m].tolist(),
            book.item_variant[:m].tolist(),
            book.item_price[:m].tolist(),
            strict=True,
        )
    ]
    starts = book.item_start[: n + 1].tolist()
    canceled = core["canceled"][:n]
    state = np.where(canceled, "CANCELED", "COMPLETED").tolist()
    created = book.created[:n]
    closed = iso(created + g.uniform("close", 20, 300), ms=True)
    return {
        "id": core["id"][:n],
        "location_id": core["location"][:n],
        "source": [
            {"name": s} for s in g.pick("source", ["Square Point of Sale", "Square Online"], [85, 15])
        ],
        "customer_id": core["customer"][:n],
        "line_items": [items[starts[k] : starts[k + 1]] for k in range(n)],
        "total_money": _sq_money(core["total"][:n]),
        "total_tax_money": _sq_money(book.tax[:n]),
        "total_discount_money": _sq_money(book.discount[:n]),
        "total_tip_money": _sq_money(core["tip"][:n]),
        "state": state,
        "version": g.ints("version", 3, 6),
        "created_at": iso(created, ms=True),
        "updated_at": closed,
        "closed_at": [c if s == "COMPLETED" else None for c, s in zip(closed, state, strict=True)],
    }


def _sq_payments(g: Gen) -> Columns:
    # One payment per order, in the same sequence (a payment is taken when the order is closed).
    n = g.n
    core = _sq_core(g.world, n)
    total = core["total"][:n]
    tip = core["tip"][:n]
    created = core["book"].created[:n] + 5
    brand = g.pick(
        "brand", ["VISA", "MASTERCARD", "AMERICAN_EXPRESS", "DISCOVER", "INTERAC"], [52, 28, 12, 5, 3]
    )
    source = g.pick("source", ["CARD", "CASH", "WALLET"], [78, 12, 10])
    fee = np.where(np.array(source) == "CASH", 0, np.round(total * 0.026 + 15)).astype(np.int64)
    ids = core["payment_id"][:n]
    later = iso(created + 2, ms=True)
    return {
        "id": ids,
        "created_at": iso(created, ms=True),
        "updated_at": later,
        "amount_money": _sq_money(total - tip),
        "tip_money": _sq_money(tip),
        "total_money": _sq_money(total),
        "processing_fee": [
            []
            if f == 0
            else [{"effective_at": e, "type": "INITIAL", "amount_money": {"amount": f, "currency": "USD"}}]
            for f, e in zip(fee.tolist(), later, strict=True)
        ],
        "status": np.where(core["canceled"][:n], "CANCELED", "COMPLETED").tolist(),
        "source_type": source,
        "card_details": [
            None
            if s != "CARD"
            else {
                "status": "CAPTURED",
                "entry_method": e,
                "card": {"card_brand": b, "last_4": f"{d:04d}", "exp_month": mo, "exp_year": y},
            }
            for s, e, b, d, mo, y in zip(
                source,
                g.pick("entry", ["CONTACTLESS", "EMV", "KEYED"], [70, 26, 4]),
                brand,
                g.ints("last4", 0, 10000).tolist(),
                g.ints("exp_m", 1, 13).tolist(),
                g.ints("exp_y", 2027, 2032).tolist(),
                strict=True,
            )
        ],
        "location_id": core["location"][:n],
        "order_id": core["id"][:n],
        "customer_id": core["customer"][:n],
        "receipt_number": [i[:4] for i in ids],
        "receipt_url": [f"https://squareup.com/receipt/preview/{i}" for i in ids],
    }


def _sq_refunds(g: Gen) -> Columns:
    # About one completed payment in 30 is refunded (in part or in full), in payment order.
    n = g.n
    stride = 30
    core = _sq_core(g.world, min(SQ_ORDERS, n * stride + stride))
    k = np.minimum(g.idx * stride + g.ints("pick", 0, stride), core["n"] - 1)
    total = core["total"][k]
    full = g.bools("full", 0.6)
    amount = np.where(full, total, np.maximum(100, np.round(total * g.uniform("part", 0.2, 0.7)))).astype(
        np.int64
    )
    created = core["book"].created[k] + 5 + g.uniform("after", 0.2, 12) * DAY
    pay = col(core["payment_id"], k)
    return {
        "id": [f"{p}_{r}" for p, r in zip(pay, g.b62("id", 22), strict=True)],
        "status": g.pick("status", ["COMPLETED", "PENDING", "REJECTED", "FAILED"], [92, 4, 2, 2]),
        "amount_money": _sq_money(amount),
        "payment_id": pay,
        "order_id": col(core["id"], k),
        "location_id": col(core["location"], k),
        "reason": g.pick("reason", ["Returned goods", "Accidental charge", "Cancelled order", "Wrong size"]),
        "created_at": iso(created, ms=True),
        "updated_at": iso(created + 3600, ms=True),
    }


_SQ_MONEY = O({"amount": I(), "currency": S()})
_SQ_TIME = S("date-time")

SQUARE = SourceDef.of(
    "square",
    StreamDef(
        "payments",
        stream_schema(
            {
                "id": S(),
                "created_at": _SQ_TIME,
                "updated_at": _SQ_TIME,
                "amount_money": _SQ_MONEY,
                "tip_money": _SQ_MONEY,
                "total_money": _SQ_MONEY,
                "processing_fee": A(O({"effective_at": _SQ_TIME, "type": S(), "amount_money": _SQ_MONEY})),
                "status": S(enum=["APPROVED", "PENDING", "COMPLETED", "CANCELED", "FAILED"]),
                "source_type": S(
                    enum=["CARD", "BANK_ACCOUNT", "WALLET", "BUY_NOW_PAY_LATER", "CASH", "EXTERNAL"]
                ),
                "card_details": O(
                    {
                        "status": S(),
                        "entry_method": S(),
                        "card": O(
                            {
                                "card_brand": S(),
                                "last_4": S(pattern=r"^\d{4}$"),
                                "exp_month": I(),
                                "exp_year": I(),
                            }
                        ),
                    },
                    null=True,
                ),
                "location_id": S(),
                "order_id": S(),
                "customer_id": S(null=True),
                "receipt_number": S(),
                "receipt_url": S("uri"),
            }
        ),
        _sq_payments,
        cursor_field="updated_at",
        rows=SQ_ORDERS,
    ),
    StreamDef(
        "customers",
        stream_schema(
            {
                "id": S(),
                "created_at": _SQ_TIME,
                "updated_at": _SQ_TIME,
                "given_name": S(),
                "family_name": S(),
                "email_address": S("email", null=True),
                "phone_number": S(null=True),
                "address": O(
                    {
                        "address_line_1": S(),
                        "locality": S(),
                        "administrative_district_level_1": S(),
                        "postal_code": S(),
                        "country": S(),
                    }
                ),
                "preferences": O({"email_unsubscribed": B()}),
                "creation_source": S(),
                "version": I(),
            }
        ),
        _sq_customers,
        cursor_field="updated_at",
        rows=SQ_CUSTOMERS,
    ),
    StreamDef(
        "orders",
        stream_schema(
            {
                "id": S(),
                "location_id": S(),
                "source": O({"name": S()}),
                "customer_id": S(null=True),
                "line_items": A(
                    O(
                        {
                            "uid": S(),
                            "name": S(),
                            "quantity": S(pattern=r"^\d+$"),
                            "catalog_object_id": S(),
                            "base_price_money": _SQ_MONEY,
                            "total_money": _SQ_MONEY,
                        }
                    )
                ),
                "total_money": _SQ_MONEY,
                "total_tax_money": _SQ_MONEY,
                "total_discount_money": _SQ_MONEY,
                "total_tip_money": _SQ_MONEY,
                "state": S(enum=["OPEN", "COMPLETED", "CANCELED", "DRAFT"]),
                "version": I(),
                "created_at": _SQ_TIME,
                "updated_at": _SQ_TIME,
                "closed_at": S("date-time", null=True),
            }
        ),
        _sq_orders,
        cursor_field="updated_at",
        rows=SQ_ORDERS,
    ),
    StreamDef(
        "refunds",
        stream_schema(
            {
                "id": S(),
                "status": S(enum=["PENDING", "COMPLETED", "REJECTED", "FAILED"]),
                "amount_money": _SQ_MONEY,
                "payment_id": S(),
                "order_id": S(),
                "location_id": S(),
                "reason": S(),
                "created_at": _SQ_TIME,
                "updated_at": _SQ_TIME,
            }
        ),
        _sq_refunds,
        cursor_field="created_at",
        rows=SQ_ORDERS // 30,
    ),
)

# --------------------------------------------------------------------------- database sample tables

DB_CUSTOMERS = 2_000
DB_ORDERS = 8_000
DB_PRODUCTS = 120


def _db_time(ts: np.ndarray) -> list[str]:
    return iso(ts, ms=False)


def _db_products(g: Gen) -> Columns:
    gd = goods(g, g.n)
    return {
        "id": g.idx + 1,
        "sku": [f"{PRODUCT_TYPES[t][1]}-{k + 1:04d}" for k, t in enumerate(gd.type_idx.tolist())],
        "name": gd.title,
        "category": [PRODUCT_TYPES[t][0] for t in gd.type_idx.tolist()],
        "price": gd.price / 100,
        "created_at": _db_time(gd.created),
        "_price": gd.price,
    }


#: Customers start earlier than the orders (1000 days), so the first orders name many customers.
DB_CUSTOMER_DAYS = 1350.0


def _db_customers(g: Gen) -> Columns:
    created = g.timeline("created", DB_CUSTOMER_DAYS)
    first, last, emails = g.people("person")
    place = g.places("place")
    return {
        "id": g.idx + 1,
        "first_name": first,
        "last_name": last,
        "email": emails,
        "phone": g.nulls("no_phone", g.phones("phone", e164=False), 0.3),
        "city": place_field(place, 0),
        "country": place_field(place, 3),
        "created_at": _db_time(created),
        "updated_at": _db_time(g.later("updated", created, 200)),
    }


def _db_book(world: World, n: int) -> OrderBook:
    key = "db:book"
    have: OrderBook | None = world._memo.get(key)
    if have is not None and have.n >= n:
        return have
    og = Gen(world, world.source.streams["orders"], n)
    prices = world.columns("products", DB_PRODUCTS)["_price"]
    book = _order_book(
        og,
        n,
        customers=DB_CUSTOMERS,
        variants=DB_PRODUCTS,
        variant_price=prices,
        tax_rate=0.0,
        span_days=1000,
        customer_span_days=DB_CUSTOMER_DAYS,
    )
    world._memo[key] = book
    return book


def _db_orders(g: Gen) -> Columns:
    book = _db_book(g.world, g.n)
    status = {
        "paid": "delivered",
        "refunded": "refunded",
        "partially_refunded": "delivered",
        "pending": "pending",
        "voided": "cancelled",
    }
    created = book.created[: g.n]
    st = [status[f] for f in _FIN_ARR[book.fin_code[: g.n]].tolist()]
    recent = (ANCHOR_TS - created) / DAY < 4
    st = ["shipped" if (r and s == "delivered") else s for s, r in zip(st, recent.tolist(), strict=True)]
    total = book.subtotal[: g.n] - book.discount[: g.n]
    return {
        "id": g.idx + 1,
        "customer_id": book.customer[: g.n] + 1,
        "status": st,
        "order_date": dates(created),
        "total_amount": total / 100,
        "discount_amount": book.discount[: g.n] / 100,
        "currency": "USD",
        "created_at": _db_time(created),
        "updated_at": _db_time(g.later("updated", created, 8)),
    }


def _db_items_rows(world: World) -> int:
    return int(_db_book(world, DB_ORDERS).item_start[DB_ORDERS])


def _db_order_items(g: Gen) -> Columns:
    # Enough orders to cover the first n items: every item has at least one per order.
    book = _db_book(g.world, min(g.n, DB_ORDERS))
    while int(book.item_start[book.n]) < g.n and book.n < DB_ORDERS:
        book = _db_book(g.world, min(book.n * 2, DB_ORDERS))
    n = g.n
    price = book.item_price[:n]
    qty = book.item_qty[:n]
    return {
        "id": g.idx + 1,
        "order_id": book.item_order[:n] + 1,
        "product_id": book.item_variant[:n] + 1,
        "quantity": qty,
        "unit_price": price / 100,
        "line_total": price * qty / 100,
    }


_DB_TIME = S("date-time")


def _db_source(source_id: str, namespace: str) -> SourceDef:
    return SourceDef.of(
        source_id,
        StreamDef(
            "customers",
            stream_schema(
                {
                    "id": I(),
                    "first_name": S(),
                    "last_name": S(),
                    "email": S("email"),
                    "phone": S(null=True),
                    "city": S(),
                    "country": S(pattern=r"^[A-Z]{2}$"),
                    "created_at": _DB_TIME,
                    "updated_at": _DB_TIME,
                }
            ),
            _db_customers,
            cursor_field="updated_at",
            rows=DB_CUSTOMERS,
            namespace=namespace,
        ),
        StreamDef(
            "orders",
            stream_schema(
                {
                    "id": I(),
                    "customer_id": I(),
                    "status": S(enum=["pending", "shipped", "delivered", "cancelled", "refunded"]),
                    "order_date": S("date"),
                    "total_amount": N(),
                    "discount_amount": N(minimum=0),
                    "currency": S(),
                    "created_at": _DB_TIME,
                    "updated_at": _DB_TIME,
                }
            ),
            _db_orders,
            cursor_field="updated_at",
            rows=DB_ORDERS,
            namespace=namespace,
        ),
        StreamDef(
            "order_items",
            stream_schema(
                {
                    "id": I(),
                    "order_id": I(),
                    "product_id": I(),
                    "quantity": I(minimum=1),
                    "unit_price": N(minimum=0),
                    "line_total": N(minimum=0),
                }
            ),
            _db_order_items,
            cursor_field=None,
            rows=DB_ORDERS * 2,
            namespace=namespace,
            rows_fn=_db_items_rows,
        ),
        StreamDef(
            "products",
            stream_schema(
                {
                    "id": I(),
                    "sku": S(),
                    "name": S(),
                    "category": S(),
                    "price": N(minimum=0),
                    "created_at": _DB_TIME,
                }
            ),
            _db_products,
            cursor_field="created_at",
            rows=DB_PRODUCTS,
            namespace=namespace,
        ),
        default_account="{tenant}-sample",
    )


POSTGRES = _db_source("postgres", "public")
MYSQL = _db_source("mysql", "shop")

SOURCES = [SHOPIFY, WOOCOMMERCE, SQUARE, POSTGRES, MYSQL]
__all__ = ["SOURCES"]

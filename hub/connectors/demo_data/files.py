"""File-like demo data: Google Sheets tabs, a CSV export and an Excel workbook.

Column names are the sheet's header row, as Airbyte's Google Sheets and File connectors use them.
Google Sheets cells come through as strings (what the Sheets API returns); the CSV and Excel sheets have
numbers where the file has numbers. Inventory rows name existing suppliers.
"""

from __future__ import annotations

import numpy as np

from hub.connectors.demo_data._core import (
    ANCHOR_TS,
    DAY,
    Columns,
    Gen,
    I,
    N,
    S,
    SourceDef,
    StreamDef,
    col,
    dates,
    money,
    place_field,
    stream_schema,
)
from hub.connectors.demo_data.commerce import PRODUCT_TYPES, goods

# --------------------------------------------------------------------------- Google Sheets

STAGES = [
    ("Lead", 10),
    ("Qualified", 20),
    ("Demo", 40),
    ("Proposal", 60),
    ("Negotiation", 80),
    ("Won", 100),
    ("Lost", 0),
]
CHANNELS = ["Paid search", "Paid social", "Email", "Events", "Content", "Partnerships"]


def _sales_pipeline(g: Gen) -> Columns:
    created = g.timeline("created", 300)
    company = g.ints("company", 0, len(g.world.pools.companies))
    # six sales reps own the deals: a team of the same six whatever the number of rows asked for
    first, last, _ = g.people("owner", 6)
    owners = [f"{f} {la}" for f, la in zip(first, last, strict=True)]
    owner = [owners[i] for i in g.ints("owner_pick", 0, len(owners)).tolist()]
    stage = g.pick_idx("stage", len(STAGES), [15, 15, 14, 12, 9, 20, 15])
    amount = np.round(g.lognormal("amount", 18_000, 0.8), -2).astype(np.int64) * 100
    close = created + g.uniform("cycle", 20, 120) * DAY
    product = g.pick("product", ["Platform", "Platform + Support", "Add-on seats", "Services"])
    return {
        "Deal ID": [f"D-{1000 + i}" for i in g.idx.tolist()],
        "Company": g.world.pools.companies[company].tolist(),
        "Deal Name": [
            f"{c.split(',')[0]} - {p}"
            for c, p in zip(g.world.pools.companies[company].tolist(), product, strict=True)
        ],
        "Owner": owner,
        "Stage": [STAGES[s][0] for s in stage.tolist()],
        "Amount (USD)": money(amount),
        "Probability": [f"{STAGES[s][1]}%" for s in stage.tolist()],
        "Created": dates(created),
        "Expected Close": dates(close),
        "Next Step": g.pick(
            "next", ["Send proposal", "Book demo", "Security review", "Legal review", "Follow up", ""]
        ),
    }


def _marketing_budget(g: Gen) -> Columns:
    month = g.idx // len(CHANNELS)
    channel = g.idx % len(CHANNELS)
    start = np.datetime64("2026-11", "M") - np.timedelta64(int(g.N // len(CHANNELS)), "M")
    months = (start + month.astype("timedelta64[M]")).astype(str).tolist()
    budget = np.round(
        np.array([9000, 7000, 2000, 4000, 3000, 2500])[channel] * g.uniform("scale", 0.8, 1.3), -2
    )
    actual = np.round(budget * g.uniform("actual", 0.82, 1.12), 2)
    return {
        "Month": months,
        "Channel": [CHANNELS[c] for c in channel.tolist()],
        "Budget": money((budget * 100).astype(np.int64)),
        "Actual": money((actual * 100).astype(np.int64)),
        "Variance": money(((budget - actual) * 100).round().astype(np.int64)),
        "Notes": g.pick(
            "notes", ["", "", "Holiday push", "New creative tested", "Paused mid-month", "Webinar"]
        ),
    }


_CELL = S()

GOOGLE_SHEETS = SourceDef.of(
    "google-sheets",
    StreamDef(
        "sales_pipeline",
        stream_schema(
            {
                k: _CELL
                for k in [
                    "Deal ID",
                    "Company",
                    "Deal Name",
                    "Owner",
                    "Stage",
                    "Amount (USD)",
                    "Probability",
                    "Created",
                    "Expected Close",
                    "Next Step",
                ]
            }
        ),
        _sales_pipeline,
        primary_key=(),
        cursor_field=None,
        rows=250,
    ),
    StreamDef(
        "marketing_budget",
        stream_schema({k: _CELL for k in ["Month", "Channel", "Budget", "Actual", "Variance", "Notes"]}),
        _marketing_budget,
        primary_key=(),
        cursor_field=None,
        rows=24 * len(CHANNELS),
    ),
    default_account="{tenant}@gmail.com",
)

# --------------------------------------------------------------------------- CSV file


def _orders_export(g: Gen) -> Columns:
    created = g.timeline("created", 365)
    gd = goods(g, 150)
    item = g.ints("item", 0, 150)
    qty = 1 + g.pick_idx("qty", 3, [82, 14, 4])
    unit = gd.price[item]
    _, _, emails = g.people("person")
    place = g.places("place")
    return {
        "order_id": 20_001 + g.idx,
        "order_date": dates(created),
        "customer_email": emails,
        "product": col(gd.title, item),
        "sku": [
            f"{PRODUCT_TYPES[t][1]}-{i + 1:04d}"
            for t, i in zip(gd.type_idx[item].tolist(), item.tolist(), strict=True)
        ],
        "quantity": qty,
        "unit_price": unit / 100,
        "total": unit * qty / 100,
        "status": g.pick("status", ["shipped", "delivered", "cancelled", "returned"], [15, 75, 5, 5]),
        "country": place_field(place, 3),
    }


CSV = SourceDef.of(
    "csv",
    StreamDef(
        "orders_export",
        stream_schema(
            {
                "order_id": I(),
                "order_date": S("date"),
                "customer_email": S("email"),
                "product": S(),
                "sku": S(),
                "quantity": I(minimum=1),
                "unit_price": N(minimum=0),
                "total": N(minimum=0),
                "status": S(),
                "country": S(pattern=r"^[A-Z]{2}$"),
            }
        ),
        _orders_export,
        primary_key=("order_id",),
        cursor_field=None,
        rows=5_000,
    ),
    default_account="orders_export.csv",
)

# --------------------------------------------------------------------------- Excel workbook

SUPPLIERS = 40


def _suppliers(g: Gen) -> Columns:
    company = g.ints("company", 0, len(g.world.pools.companies))
    first, last, _ = g.people("contact")
    domains = g.world.pools.company_domains[company].tolist()
    place = g.places("place")
    return {
        "Supplier ID": [f"SUP-{101 + i}" for i in g.idx.tolist()],
        "Supplier": g.world.pools.companies[company].tolist(),
        "Contact": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "Email": [f"{f.lower()}@{d}" for f, d in zip(first, domains, strict=True)],
        "Phone": g.phones("phone", e164=False),
        "Country": place_field(place, 2),
        "Lead Time (days)": g.pick("lead", [7, 10, 14, 21, 30, 45]),
        "Payment Terms": g.pick("terms", ["Net 30", "Net 45", "Net 60", "Prepaid"], [50, 20, 20, 10]),
    }


def _inventory(g: Gen) -> Columns:
    gd = goods(g, g.n)
    on_hand = g.ints("on_hand", 0, 400)
    reorder = g.pick("reorder", [10, 20, 25, 40, 50])
    supplier = g.ints("supplier", 0, SUPPLIERS)
    sup = g.parent("suppliers", SUPPLIERS)
    counted = ANCHOR_TS - g.uniform("counted", 0, 30) * DAY
    return {
        "SKU": [f"{PRODUCT_TYPES[t][1]}-{i + 1:04d}" for i, t in enumerate(gd.type_idx.tolist())],
        "Product": gd.title,
        "Category": [PRODUCT_TYPES[t][0] for t in gd.type_idx.tolist()],
        "Supplier ID": col(sup["Supplier ID"], supplier),
        "On Hand": on_hand,
        "Reorder Point": reorder,
        "Unit Cost": np.round(gd.price * g.uniform("margin", 0.35, 0.55) / 100, 2),
        "Warehouse": g.pick("warehouse", ["Burlington, VT", "Reno, NV", "Columbus, OH"], [50, 30, 20]),
        "Last Counted": dates(counted),
    }


EXCEL = SourceDef.of(
    "excel",
    StreamDef(
        "inventory",
        stream_schema(
            {
                "SKU": S(),
                "Product": S(),
                "Category": S(),
                "Supplier ID": S(pattern=r"^SUP-\d+$"),
                "On Hand": I(minimum=0),
                "Reorder Point": I(minimum=0),
                "Unit Cost": N(minimum=0),
                "Warehouse": S(),
                "Last Counted": S("date"),
            }
        ),
        _inventory,
        primary_key=("SKU",),
        cursor_field=None,
        rows=300,
    ),
    StreamDef(
        "suppliers",
        stream_schema(
            {
                "Supplier ID": S(pattern=r"^SUP-\d+$"),
                "Supplier": S(),
                "Contact": S(),
                "Email": S("email"),
                "Phone": S(),
                "Country": S(),
                "Lead Time (days)": I(minimum=0),
                "Payment Terms": S(),
            }
        ),
        _suppliers,
        primary_key=("Supplier ID",),
        cursor_field=None,
        rows=SUPPLIERS,
    ),
    default_account="inventory.xlsx",
)

SOURCES = [GOOGLE_SHEETS, CSV, EXCEL]

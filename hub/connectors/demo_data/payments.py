"""Stripe demo data: a SaaS business billing subscriptions.

Amounts are integers in cents, times are Unix seconds, ids carry Stripe's prefixes (``cus_``, ``sub_``,
``in_``, ``ch_``, ``txn_``, ``pi_``). Each invoice belongs to a subscription and its customer; each
invoice is paid (or not) by one charge; each succeeded charge has one balance transaction whose
``net = amount - fee``.
"""

from __future__ import annotations

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
    O,
    S,
    SourceDef,
    StreamDef,
    World,
    col,
    stream_schema,
)

CUSTOMERS = 3_000
SUBSCRIPTIONS = 2_200
INVOICES = 12_000

#: plan nickname, monthly price in cents
PLANS = [("Starter", 2900), ("Growth", 9900), ("Scale", 29900), ("Enterprise", 99900)]
PLAN_P = [45, 35, 15, 5]


def _customers(g: Gen) -> Columns:
    created = g.timeline("created", 900)
    first, last, emails = g.people("person", work_share=0.7)
    updated = g.later("updated", created, 120, p_same=0.5)
    deleted = g.bools("deleted", 0.02)
    return {
        "id": g.b62("id", 14, "cus_"),
        "email": emails,
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "phone": g.nulls("no_phone", g.phones("phone"), 0.6),
        "currency": "usd",
        "balance": np.where(g.bools("credit", 0.05), -g.pick_idx("credit_amt", 5) * 1000 - 500, 0),
        "delinquent": g.bools("delinquent", 0.04),
        "created": created.astype(np.int64),
        "updated": updated.astype(np.int64),
        "is_deleted": deleted,
    }


def _subscriptions(g: Gen) -> Columns:
    created = g.timeline("created", 880)
    cust_idx = g.ref("customer", CUSTOMERS)
    cust = g.parent("customers", int(cust_idx.max()) + 1 if g.n else 1)
    plan = g.pick_idx("plan", len(PLANS), PLAN_P)
    yearly = g.bools("yearly", 0.2)
    qty = 1 + g.pick_idx("seats", 5, [70, 12, 8, 6, 4])
    status = g.pick("status", ["active", "trialing", "past_due", "canceled", "unpaid"], [68, 6, 4, 20, 2])
    period = np.where(yearly, 365, 30) * DAY
    canceled = np.array(status) == "canceled"
    # A canceled subscription ran for a while and stopped; the others run to the demo anchor.
    life = g.uniform("life", 20, 500) * DAY
    active_until = np.where(canceled, np.minimum(created + life, ANCHOR_TS - DAY), ANCHOR_TS)
    cycles = np.floor(np.maximum(0.0, active_until - created) / period)
    start = created + cycles * period
    canceled_at = np.where(canceled, active_until, np.nan)
    trial = np.array(status) == "trialing"
    price_ids = g.world.memo("stripe:prices", lambda: {
        (p, y): f"price_{s}" for (p, y), s in zip(
            [(p, y) for p in range(len(PLANS)) for y in (False, True)],
            Gen(g.world, g.sdef, 8).b62("price_ids", 24, n=8), strict=True)
    })
    item_ids = g.b62("item_id", 14, "si_")
    unit = np.array([p for _, p in PLANS])[plan] * np.where(yearly, 10, 1)
    items = [{"object": "list", "data": [{
        "id": si, "object": "subscription_item", "quantity": q,
        "price": {"id": price_ids[(p, y)], "nickname": f"{PLANS[p][0]} {'yearly' if y else 'monthly'}",
                  "unit_amount": u, "currency": "usd", "recurring": {"interval": "year" if y else "month"}},
    }]} for si, q, p, y, u in zip(item_ids, qty.tolist(), plan.tolist(), yearly.tolist(), unit.tolist(), strict=True)]
    return {
        "id": g.b62("id", 24, "sub_"),
        "customer": col(cust["id"], cust_idx),
        "status": status,
        "items": items,
        "currency": "usd",
        "current_period_start": start.astype(np.int64),
        "current_period_end": (start + period).astype(np.int64),
        "cancel_at_period_end": g.bools("cape", 0.05) & ~canceled,
        "canceled_at": [None if np.isnan(c) else int(c) for c in canceled_at.tolist()],
        "trial_end": [int(c + 14 * DAY) if t else None for c, t in zip(created.tolist(), trial.tolist(), strict=True)],
        "start_date": created.astype(np.int64),
        "created": created.astype(np.int64),
        "updated": g.later("updated", start, 20).astype(np.int64),
        "_amount": unit * qty,
    }


def _invoice_core(world: World, n: int) -> dict[str, Any]:
    """The numbers of the first ``n`` invoices (shared by invoices, charges, balance transactions)."""
    key = "stripe:invoices"
    have = world._memo.get(key)
    if have is not None and have["n"] >= n:
        return have  # type: ignore[no-any-return]
    g = Gen(world, world.source.streams["invoices"], n)
    created = g.timeline("created", 870)
    sub_idx = g.ref("subscription", SUBSCRIPTIONS, skew=1.2)
    status = g.pick_idx("status", 4, [90, 5, 2, 3])  # paid, open, uncollectible, void
    reason = g.pick("reason", ["subscription_cycle", "subscription_create", "subscription_update", "manual"],
                    [78, 14, 5, 3])
    out = {"n": n, "created": created, "sub_idx": sub_idx, "status": status, "reason": reason,
           "id": g.b62("id", 24, "in_"), "charge_id": g.b62("charge_id", 24, "ch_"),
           "pi": g.b62("payment_intent", 24, "pi_")}
    world._memo[key] = out
    return out


_INVOICE_STATUS = np.array(["paid", "open", "uncollectible", "void"], dtype=object)


def _invoices(g: Gen) -> Columns:
    core = _invoice_core(g.world, g.n)
    n = g.n
    si = core["sub_idx"][:n]
    subs = g.parent("subscriptions", int(si.max()) + 1 if n else 1)
    amount = subs["_amount"][si]
    st = core["status"][:n]
    paid = st == 0
    created = core["created"][:n]
    prefix = g.world.memo("stripe:invoice_prefix", lambda: g.b62("number_prefix", 8, n=1)[0].upper())
    period_start = created - 30 * DAY
    return {
        "id": core["id"][:n],
        "customer": col(subs["customer"], si),
        "subscription": col(subs["id"], si),
        "status": _INVOICE_STATUS[st].tolist(),
        "number": [f"{prefix}-{k + 1:04d}" for k in range(n)],
        "amount_due": amount,
        "amount_paid": np.where(paid, amount, 0),
        "total": amount,
        "currency": "usd",
        "billing_reason": core["reason"][:n],
        "period_start": period_start.astype(np.int64),
        "period_end": created.astype(np.int64),
        "created": created.astype(np.int64),
        "updated": (created + np.where(paid, 3600, 3 * DAY)).astype(np.int64),
        "_amount": amount,
    }


_FAILURES = ["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error"]


def _charges(g: Gen) -> Columns:
    inv = g.parent("invoices", g.n)
    core = _invoice_core(g.world, g.n)
    n = g.n
    amount = inv["_amount"][:n]
    ok = core["status"][:n] == 0
    refunded_full = ok & g.bools("refund", 0.02)
    refunded_part = ok & ~refunded_full & g.bools("refund_part", 0.01)
    refunded_amt = np.where(refunded_full, amount, np.where(refunded_part, amount // 2, 0))
    created = core["created"][:n] + g.uniform("delay", 30, 3600)
    fail = g.pick("failure", _FAILURES, [50, 25, 12, 8, 5])
    return {
        "id": core["charge_id"][:n],
        "amount": amount,
        "amount_captured": np.where(ok, amount, 0),
        "amount_refunded": refunded_amt,
        "currency": "usd",
        "customer": inv["customer"][:n],
        "status": np.where(ok, "succeeded", "failed").tolist(),
        "paid": ok,
        "refunded": refunded_full,
        "captured": ok,
        "payment_intent": core["pi"][:n],
        "invoice": core["id"][:n],
        "failure_code": [None if o else f for o, f in zip(ok.tolist(), fail, strict=True)],
        "created": created.astype(np.int64),
        "updated": (created + np.where(refunded_amt > 0, 5 * DAY, 0)).astype(np.int64),
    }


def _succeeded(world: World, n: int) -> np.ndarray:
    """Indices of the first ``n`` succeeded charges (fewer if there are not that many)."""
    m = min(INVOICES, max(16, int(n * 1.2) + 16))
    while True:
        core = _invoice_core(world, m)
        ok = np.flatnonzero(core["status"][:m] == 0)
        if len(ok) >= n or m >= INVOICES:
            return ok[:n]
        m = min(INVOICES, m * 2)


def _balance_rows(world: World) -> int:
    return len(_succeeded(world, INVOICES))


def _balance_transactions(g: Gen) -> Columns:
    k = _succeeded(g.world, g.n)
    ch = g.parent("charges", int(k.max()) + 1 if len(k) else 1)
    amount = ch["amount"][k]
    fee = np.round(amount * 0.029 + 30).astype(np.int64)
    created = ch["created"][k]
    available = created + 2 * 86_400
    return {
        "id": g.b62("id", 24, "txn_"),
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "usd",
        "type": "charge",
        "status": np.where(available > ANCHOR_TS, "pending", "available").tolist(),
        "source": col(ch["id"], k),
        "available_on": available,
        "created": created,
    }


_TS = I(minimum=0)

STRIPE = SourceDef.of(
    "stripe",
    StreamDef("customers", stream_schema({
        "id": S(pattern=r"^cus_[0-9A-Za-z]{14}$"), "email": S("email"), "name": S(), "phone": S(null=True),
        "currency": S(null=True), "balance": I(), "delinquent": B(), "created": _TS, "updated": _TS,
        "is_deleted": B(),
    }), _customers, cursor_field="updated", rows=CUSTOMERS),
    StreamDef("charges", stream_schema({
        "id": S(pattern=r"^ch_[0-9A-Za-z]{24}$"), "amount": I(minimum=0), "amount_captured": I(minimum=0),
        "amount_refunded": I(minimum=0), "currency": S(), "customer": S(pattern=r"^cus_"),
        "status": S(enum=["succeeded", "pending", "failed"]), "paid": B(), "refunded": B(), "captured": B(),
        "payment_intent": S(pattern=r"^pi_"), "invoice": S(null=True), "failure_code": S(null=True),
        "created": _TS, "updated": _TS,
    }), _charges, cursor_field="updated", rows=INVOICES),
    StreamDef("invoices", stream_schema({
        "id": S(pattern=r"^in_[0-9A-Za-z]{24}$"), "customer": S(pattern=r"^cus_"), "subscription": S(null=True),
        "status": S(enum=["draft", "open", "paid", "uncollectible", "void"]), "number": S(),
        "amount_due": I(minimum=0), "amount_paid": I(minimum=0), "total": I(), "currency": S(),
        "billing_reason": S(), "period_start": _TS, "period_end": _TS, "created": _TS, "updated": _TS,
    }), _invoices, cursor_field="updated", rows=INVOICES),
    StreamDef("subscriptions", stream_schema({
        "id": S(pattern=r"^sub_[0-9A-Za-z]{24}$"), "customer": S(pattern=r"^cus_"),
        "status": S(enum=["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled",
                          "unpaid", "paused"]),
        "items": O({"object": S(), "data": A(O({
            "id": S(pattern=r"^si_"), "object": S(), "quantity": I(minimum=1),
            "price": O({"id": S(pattern=r"^price_"), "nickname": S(), "unit_amount": I(minimum=0), "currency": S(),
                        "recurring": O({"interval": S(enum=["day", "week", "month", "year"])})}),
        }))}),
        "currency": S(), "current_period_start": _TS, "current_period_end": _TS, "cancel_at_period_end": B(),
        "canceled_at": I(null=True), "trial_end": I(null=True), "start_date": _TS, "created": _TS, "updated": _TS,
    }), _subscriptions, cursor_field="updated", rows=SUBSCRIPTIONS),
    StreamDef("balance_transactions", stream_schema({
        "id": S(pattern=r"^txn_[0-9A-Za-z]{24}$"), "amount": I(), "fee": I(minimum=0), "net": I(), "currency": S(),
        "type": S(), "status": S(enum=["available", "pending"]), "source": S(), "available_on": _TS,
        "created": _TS,
    }), _balance_transactions, cursor_field="created", rows=int(INVOICES * 0.9), rows_fn=_balance_rows),
    default_account="{tenant}",
)

SOURCES = [STRIPE]

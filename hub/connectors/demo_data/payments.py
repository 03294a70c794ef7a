"""Stripe demo data: a SaaS business billing subscriptions.

Amounts are integers in cents, times are Unix seconds, ids carry Stripe's prefixes (``cus_``, ``sub_``,
``si_``, ``price_``, ``in_``, ``ch_``, ``pi_``, ``txn_``).

The billing is simulated, not sampled: every subscription is invoiced at the start of each billing period
(monthly or yearly) from its creation until it was canceled or until the demo anchor, so the invoices
stream is the time-ordered union of all subscriptions' billing cycles. Each invoice with something to pay
is paid by one charge (or a failed one), each succeeded charge has one balance transaction with
``net = amount - fee``, and a customer is ``delinquent`` exactly when one of their subscriptions is past due
or unpaid. Invoice numbers are per customer (``4F1A9C2B-0003``), as Stripe numbers them by default.
"""

from __future__ import annotations

import numpy as np

from hub.connectors.demo_data._core import (
    _UPPER_ALNUM,
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
    chars,
    col,
    head_start,
    stream_schema,
)

CUSTOMERS = 3_000
SUBSCRIPTIONS = 2_200

#: plan nickname, monthly price in cents (a yearly plan costs ten months)
PLANS = [("Starter", 2900), ("Growth", 9900), ("Scale", 29900), ("Enterprise", 99900)]
PLAN_P = [45, 35, 15, 5]
SUB_STATUS = ["active", "trialing", "past_due", "canceled", "unpaid"]
SUB_STATUS_P = [66, 8, 4, 20, 2]
ACTIVE, TRIALING, PAST_DUE, CANCELED, UNPAID = range(5)
TRIAL_DAYS = 14
_INVOICE_STATUS = np.array(["paid", "open", "uncollectible", "void"], dtype=object)
PAID, OPEN, UNCOLLECTIBLE, VOID = range(4)
_FAILURES = ["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error"]


# --------------------------------------------------------------------------- the simulation (numbers only)


#: Subscriptions start over 880 days; customers over 1200 days ending at the same instant, so about a
#: quarter of them (accounts made before the first paid plan) exist before the first subscription.
SUB_DAYS = 880.0
CUSTOMER_DAYS = 1200.0


def _subs(world: World) -> Columns:
    """Every subscription's customer, plan, status and billing window."""

    def make() -> Columns:
        g = Gen(world, world.source.streams["subscriptions"], SUBSCRIPTIONS)
        created = g.timeline("created", SUB_DAYS)
        status = g.pick_idx("status", len(SUB_STATUS), SUB_STATUS_P)
        # Only a subscription started in the last two weeks can still be in its trial.
        status = np.where((status == TRIALING) & (ANCHOR_TS - created > TRIAL_DAYS * DAY), ACTIVE, status)
        # ...and one started in the last two days has not been canceled yet.
        status = np.where((status == CANCELED) & (ANCHOR_TS - created < 2 * DAY), ACTIVE, status)
        yearly = g.bools("yearly", 0.2)
        period = np.where(yearly, 365.0, 30.0) * DAY
        canceled = status == CANCELED
        life = g.uniform("life", 20, 500) * DAY
        until = np.where(canceled, np.minimum(created + life, ANCHOR_TS - DAY), ANCHOR_TS)
        plan = g.pick_idx("plan", len(PLANS), PLAN_P)
        qty = 1 + g.pick_idx("seats", 5, [70, 12, 8, 6, 4])
        return {
            "created": created,
            "customer": g.ref("customer", CUSTOMERS, head=head_start(SUB_DAYS, CUSTOMER_DAYS)),
            "status": status,
            "yearly": yearly,
            "period": period,
            "until": until,
            # the last period that started (and was invoiced, a minute later) before the end
            "last_cycle": np.maximum(0, np.floor((until - created - 60.0) / period)).astype(np.int64),
            "plan": plan,
            "qty": qty,
            "amount": np.array([p for _, p in PLANS])[plan] * np.where(yearly, 10, 1) * qty,
        }

    return world.memo("stripe:subs", make)


def _schedule(world: World) -> Columns:
    """Every invoice ever issued, in time order: which subscription, which cycle, when, how much, status."""

    def make() -> Columns:
        s = _subs(world)
        cycles = s["last_cycle"] + 1
        sub = np.repeat(np.arange(SUBSCRIPTIONS), cycles)
        first = np.repeat(np.concatenate([[0], np.cumsum(cycles)[:-1]]), cycles)
        k = np.arange(len(sub)) - first
        start = s["created"][sub] + k * s["period"][sub]
        order = np.argsort(start, kind="stable")
        sub, k, start = sub[order], k[order], start[order]
        t = start + 60.0  # an invoice is finalized a minute after its period starts
        n = len(sub)
        g = Gen(world, world.source.streams["invoices"], n, rows=n)
        trial = (s["status"][sub] == TRIALING) & (k == 0)
        amount = np.where(trial, 0, s["amount"][sub])
        status = np.array([PAID, UNCOLLECTIBLE, VOID])[g.pick_idx("status", 3, [97, 1, 2])]
        last = k == s["last_cycle"][sub]
        status = np.where(last & (s["status"][sub] == PAST_DUE), OPEN, status)
        status = np.where(last & (s["status"][sub] == UNPAID), UNCOLLECTIBLE, status)
        status = np.where(amount == 0, PAID, status)
        customer = s["customer"][sub]
        # Per-customer invoice numbers: the how-many-th invoice of this customer this is.
        seen: dict[int, int] = {}
        number = np.empty(n, dtype=np.int64)
        for i, c in enumerate(customer.tolist()):
            seen[c] = seen.get(c, 0) + 1
            number[i] = seen[c]
        charged = np.flatnonzero((amount > 0) & (status != VOID))  # invoice position of each charge
        return {
            "n": n,
            "sub": sub,
            "cycle": k,
            "t": t,
            "start": start,
            "amount": amount,
            "status": status,
            "customer": customer,
            "number": number,
            "reason": np.where(k == 0, "subscription_create", "subscription_cycle"),
            "charged": charged,
            "succeeded": np.flatnonzero(status[charged] == PAID),  # charge index of each balance txn
        }

    return world.memo("stripe:schedule", make)


def _ids(world: World, stream: str, column: str, n: int, k: int, prefix: str) -> list[str]:
    """The first ``n`` ids of a stream's id sequence (e.g. ``cus_`` for customers), memoised by length."""
    key = f"stripe:ids:{stream}:{column}"
    have: list[str] | None = world._memo.get(key)
    if have is None or len(have) < n:
        have = Gen(world, world.source.streams[stream], n).b62(column, k, prefix)
        world._memo[key] = have
    return have


def _top(idx: np.ndarray) -> int:
    return int(idx.max()) + 1 if len(idx) else 1


# --------------------------------------------------------------------------- streams


def _customers(g: Gen) -> Columns:
    created = g.timeline("created", CUSTOMER_DAYS)
    first, last, emails = g.people("person", work_share=0.7)
    updated = g.later("updated", created, 120, p_same=0.5)
    s = _subs(g.world)
    behind = np.isin(s["status"], [PAST_DUE, UNPAID])
    delinquent = np.bincount(s["customer"][behind], minlength=CUSTOMERS)[: g.n] > 0
    prefixes = chars(g.rng("invoice_prefix"), g.n, 8, _UPPER_ALNUM)
    return {
        "id": _ids(g.world, "customers", "id", g.n, 14, "cus_")[: g.n],
        "email": emails,
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "phone": g.nulls("no_phone", g.phones("phone"), 0.6),
        "currency": "usd",
        "balance": np.where(g.bools("credit", 0.05), -g.pick_idx("credit_amt", 5) * 1000 - 500, 0),
        "delinquent": delinquent,
        "created": created.astype(np.int64),
        "updated": updated.astype(np.int64),
        "is_deleted": g.bools("deleted", 0.02) & ~delinquent,
        "_prefix": prefixes,
    }


def _subscriptions(g: Gen) -> Columns:
    n = g.n
    s = {k: v[:n] for k, v in _subs(g.world).items()}
    cus = _ids(g.world, "customers", "id", _top(s["customer"]), 14, "cus_")
    start = s["created"] + s["last_cycle"] * s["period"]
    canceled = s["status"] == CANCELED
    trial = s["status"] == TRIALING
    price_ids = g.world.memo(
        "stripe:prices",
        lambda: dict(
            zip(
                [(p, y) for p in range(len(PLANS)) for y in (False, True)],
                Gen(g.world, g.sdef, 8).b62("price_ids", 24, "price_", n=8),
                strict=True,
            )
        ),
    )
    items = [
        {
            "object": "list",
            "data": [
                {
                    "id": si,
                    "object": "subscription_item",
                    "quantity": q,
                    "price": {
                        "id": price_ids[(p, y)],
                        "nickname": f"{PLANS[p][0]} {'yearly' if y else 'monthly'}",
                        "unit_amount": PLANS[p][1] * (10 if y else 1),
                        "currency": "usd",
                        "recurring": {"interval": "year" if y else "month"},
                    },
                }
            ],
        }
        for si, q, p, y in zip(
            g.b62("item_id", 14, "si_"),
            s["qty"].tolist(),
            s["plan"].tolist(),
            s["yearly"].tolist(),
            strict=True,
        )
    ]
    return {
        "id": _ids(g.world, "subscriptions", "id", n, 24, "sub_")[:n],
        "customer": col(cus, s["customer"]),
        "status": [SUB_STATUS[k] for k in s["status"].tolist()],
        "items": items,
        "currency": "usd",
        "current_period_start": start.astype(np.int64),
        "current_period_end": (start + s["period"]).astype(np.int64),
        "cancel_at_period_end": g.bools("cape", 0.05) & ~canceled & ~trial,
        "canceled_at": [
            int(u) if c else None for u, c in zip(s["until"].tolist(), canceled.tolist(), strict=True)
        ],
        "trial_end": [
            int(c + TRIAL_DAYS * DAY) if t else None
            for c, t in zip(s["created"].tolist(), trial.tolist(), strict=True)
        ],
        "start_date": s["created"].astype(np.int64),
        "created": s["created"].astype(np.int64),
        "updated": np.where(canceled, s["until"], np.maximum(start, s["created"])).astype(np.int64),
    }


def _invoice_rows(world: World) -> int:
    return int(_schedule(world)["n"])


def _invoices(g: Gen) -> Columns:
    n = g.n
    sch = _schedule(g.world)
    sub = sch["sub"][:n]
    s = _subs(g.world)
    customer = sch["customer"][:n]
    cus = g.parent("customers", _top(customer))
    status = sch["status"][:n]
    amount = sch["amount"][:n]
    t = sch["t"][:n]
    paid = status == PAID
    updated = np.minimum(t + np.where(paid, 3600.0, 3 * DAY), np.maximum(ANCHOR_TS, t))
    return {
        "id": _ids(g.world, "invoices", "id", n, 24, "in_")[:n],
        "customer": col(cus["id"], customer),
        "subscription": col(_ids(g.world, "subscriptions", "id", _top(sub), 24, "sub_"), sub),
        "status": _INVOICE_STATUS[status].tolist(),
        "number": [
            f"{p}-{k:04d}"
            for p, k in zip(col(cus["_prefix"], customer), sch["number"][:n].tolist(), strict=True)
        ],
        "amount_due": amount,
        "amount_paid": np.where(paid, amount, 0),
        "total": amount,
        "currency": "usd",
        "billing_reason": sch["reason"][:n].tolist(),
        "period_start": sch["start"][:n].astype(np.int64),
        "period_end": (sch["start"][:n] + s["period"][sub]).astype(np.int64),
        "created": t.astype(np.int64),
        "updated": updated.astype(np.int64),
    }


def _charge_rows(world: World) -> int:
    return len(_schedule(world)["charged"])


def _charges(g: Gen) -> Columns:
    n = g.n
    sch = _schedule(g.world)
    pos = sch["charged"][:n]  # the invoice each charge pays
    amount = sch["amount"][pos]
    ok = sch["status"][pos] == PAID
    customer = sch["customer"][pos]
    refunded_full = ok & g.bools("refund", 0.015)
    refunded_part = ok & ~refunded_full & g.bools("refund_part", 0.01)
    refunded_amt = np.where(refunded_full, amount, np.where(refunded_part, amount // 2, 0))
    created = sch["t"][pos] + g.uniform("delay", 30, 3600)
    fail = g.pick("failure", _FAILURES, [50, 25, 12, 8, 5])
    return {
        "id": _ids(g.world, "charges", "id", n, 24, "ch_")[:n],
        "amount": amount,
        "amount_captured": np.where(ok, amount, 0),
        "amount_refunded": refunded_amt,
        "currency": "usd",
        "customer": col(_ids(g.world, "customers", "id", _top(customer), 14, "cus_"), customer),
        "status": np.where(ok, "succeeded", "failed").tolist(),
        "paid": ok,
        "refunded": refunded_full,
        "captured": ok,
        "payment_intent": g.b62("payment_intent", 24, "pi_"),
        "invoice": col(_ids(g.world, "invoices", "id", _top(pos), 24, "in_"), pos),
        "failure_code": [None if o else f for o, f in zip(ok.tolist(), fail, strict=True)],
        "created": created.astype(np.int64),
        "updated": (created + np.where(refunded_amt > 0, 5 * DAY, 0)).astype(np.int64),
    }


def _balance_rows(world: World) -> int:
    return len(_schedule(world)["succeeded"])


def _balance_transactions(g: Gen) -> Columns:
    sch = _schedule(g.world)
    charge = sch["succeeded"][: g.n]  # the charge each balance transaction settles
    pos = sch["charged"][charge]
    amount = sch["amount"][pos]
    fee = np.round(amount * 0.029 + 30).astype(np.int64)
    created = (
        sch["t"][pos]
        + Gen(g.world, g.world.source.streams["charges"], _top(charge)).uniform("delay", 30, 3600)[charge]
    ).astype(np.int64)
    available = created + 2 * 86_400
    return {
        "id": g.b62("id", 24, "txn_"),
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "usd",
        "type": "charge",
        "status": np.where(available > ANCHOR_TS, "pending", "available").tolist(),
        "source": col(_ids(g.world, "charges", "id", _top(charge), 24, "ch_"), charge),
        "available_on": available,
        "created": created,
    }


_TS = I(minimum=0)

STRIPE = SourceDef.of(
    "stripe",
    StreamDef(
        "customers",
        stream_schema(
            {
                "id": S(pattern=r"^cus_[0-9A-Za-z]{14}$"),
                "email": S("email"),
                "name": S(),
                "phone": S(null=True),
                "currency": S(null=True),
                "balance": I(),
                "delinquent": B(),
                "created": _TS,
                "updated": _TS,
                "is_deleted": B(),
            }
        ),
        _customers,
        cursor_field="updated",
        rows=CUSTOMERS,
    ),
    StreamDef(
        "charges",
        stream_schema(
            {
                "id": S(pattern=r"^ch_[0-9A-Za-z]{24}$"),
                "amount": I(minimum=0),
                "amount_captured": I(minimum=0),
                "amount_refunded": I(minimum=0),
                "currency": S(),
                "customer": S(pattern=r"^cus_"),
                "status": S(enum=["succeeded", "pending", "failed"]),
                "paid": B(),
                "refunded": B(),
                "captured": B(),
                "payment_intent": S(pattern=r"^pi_"),
                "invoice": S(null=True),
                "failure_code": S(null=True),
                "created": _TS,
                "updated": _TS,
            }
        ),
        _charges,
        cursor_field="updated",
        rows=24_000,
        rows_fn=_charge_rows,
    ),
    StreamDef(
        "invoices",
        stream_schema(
            {
                "id": S(pattern=r"^in_[0-9A-Za-z]{24}$"),
                "customer": S(pattern=r"^cus_"),
                "subscription": S(null=True),
                "status": S(enum=["draft", "open", "paid", "uncollectible", "void"]),
                "number": S(),
                "amount_due": I(minimum=0),
                "amount_paid": I(minimum=0),
                "total": I(),
                "currency": S(),
                "billing_reason": S(),
                "period_start": _TS,
                "period_end": _TS,
                "created": _TS,
                "updated": _TS,
            }
        ),
        _invoices,
        cursor_field="updated",
        rows=25_000,
        rows_fn=_invoice_rows,
    ),
    StreamDef(
        "subscriptions",
        stream_schema(
            {
                "id": S(pattern=r"^sub_[0-9A-Za-z]{24}$"),
                "customer": S(pattern=r"^cus_"),
                "status": S(
                    enum=[
                        "incomplete",
                        "incomplete_expired",
                        "trialing",
                        "active",
                        "past_due",
                        "canceled",
                        "unpaid",
                        "paused",
                    ]
                ),
                "items": O(
                    {
                        "object": S(),
                        "data": A(
                            O(
                                {
                                    "id": S(pattern=r"^si_"),
                                    "object": S(),
                                    "quantity": I(minimum=1),
                                    "price": O(
                                        {
                                            "id": S(pattern=r"^price_"),
                                            "nickname": S(),
                                            "unit_amount": I(minimum=0),
                                            "currency": S(),
                                            "recurring": O(
                                                {"interval": S(enum=["day", "week", "month", "year"])}
                                            ),
                                        }
                                    ),
                                }
                            )
                        ),
                    }
                ),
                "currency": S(),
                "current_period_start": _TS,
                "current_period_end": _TS,
                "cancel_at_period_end": B(),
                "canceled_at": I(null=True),
                "trial_end": I(null=True),
                "start_date": _TS,
                "created": _TS,
                "updated": _TS,
            }
        ),
        _subscriptions,
        cursor_field="updated",
        rows=SUBSCRIPTIONS,
    ),
    StreamDef(
        "balance_transactions",
        stream_schema(
            {
                "id": S(pattern=r"^txn_[0-9A-Za-z]{24}$"),
                "amount": I(),
                "fee": I(minimum=0),
                "net": I(),
                "currency": S(),
                "type": S(),
                "status": S(enum=["available", "pending"]),
                "source": S(),
                "available_on": _TS,
                "created": _TS,
            }
        ),
        _balance_transactions,
        cursor_field="created",
        rows=23_000,
        rows_fn=_balance_rows,
    ),
    default_account="{tenant}",
)

SOURCES = [STRIPE]

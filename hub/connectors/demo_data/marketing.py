"""Marketing demo data: Mailchimp (lists, campaigns, email_activity, reports) and Facebook Marketing.

Mailchimp campaigns go to existing lists, each sent campaign has one report whose rates agree with its
counts, and e-mail activity happens on sent campaigns after they were sent. Facebook ad sets belong to
existing campaigns, ads to existing ad sets, and each insights row is one ad on one day with
``ctr = clicks / impressions`` and ``cpc = spend / clicks``.
"""

from __future__ import annotations

import hashlib
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
    col,
    dates,
    iso,
    stream_schema,
)

# --------------------------------------------------------------------------- Mailchimp

MC_LISTS = [
    ("Newsletter", 18_000),
    ("Customers", 9_500),
    ("Product updates", 6_200),
    ("Wholesale partners", 420),
]
MC_CAMPAIGNS = 120
MC_UNSENT = 2  # the newest campaigns are still drafts
MC_ACTIVITY = 40_000
CAMPAIGN_TOPICS = [
    "New arrivals are here",
    "Our biggest sale of the season",
    "Trail guide: 5 autumn hikes",
    "Last chance: 20% off ends tonight",
    "Meet the makers",
    "Your winter layering checklist",
    "Members-only early access",
    "Back in stock",
    "Gift guide for the outdoorsy",
    "Product update: faster checkout",
    "Thank you for a great year",
    "Weekend flash sale",
]


def _mc_brand(world: World) -> str:
    head = world.account.split(".")[0].replace("-", " ").title()
    return head or "Demo"


def _mc_lists(g: Gen) -> Columns:
    # The audiences exist before the first campaign goes out (campaigns span the last 900 days).
    created = g.timeline("created", 1000, end=ANCHOR_TS - 910 * DAY)
    core = _mc_campaign_core(g.world, MC_CAMPAIGNS)
    sent_per_list = np.bincount(core["list"][core["sent"]], minlength=len(MC_LISTS))
    brand = _mc_brand(g.world)
    members = np.array([MC_LISTS[i % len(MC_LISTS)][1] for i in range(g.n)])
    members = np.round(members * g.uniform("size", 0.7, 1.3)).astype(np.int64)
    names = [MC_LISTS[i % len(MC_LISTS)][0] for i in range(g.n)]
    domain = g.world.account.split(".")[0].replace("-", "") + ".com"
    return {
        "id": g.hexes("id", 10),
        "web_id": g.seq_ids("web_id", 100_000, 900_000, gap=3000),
        "name": names,
        "contact": [
            {
                "company": brand,
                "address1": "100 Main St",
                "city": "Burlington",
                "state": "VT",
                "zip": "05401",
                "country": "US",
            }
            for _ in range(g.n)
        ],
        "permission_reminder": "You are receiving this because you signed up on our website.",
        "campaign_defaults": [
            {"from_name": brand, "from_email": f"hello@{domain}", "subject": "", "language": "en"}
            for _ in range(g.n)
        ],
        "date_created": iso(created),
        "list_rating": g.ints("rating", 2, 6),
        "email_type_option": False,
        "subscribe_url_short": [f"https://eepurl.com/{s}" for s in g.b62("short", 6)],
        "visibility": "pub",
        "stats": [
            {
                "member_count": int(m),
                "unsubscribe_count": int(m * 0.04),
                "cleaned_count": int(m * 0.02),
                "campaign_count": int(sent_per_list[i % len(MC_LISTS)]),
                "open_rate": round(o, 4),
                "click_rate": round(c, 4),
                "last_sub_date": iso(np.array([ANCHOR_TS - DAY * d]))[0],
            }
            for i, (m, o, c, d) in enumerate(
                zip(
                    members.tolist(),
                    g.uniform("open", 25, 45).tolist(),
                    g.uniform("click", 1.5, 5).tolist(),
                    g.uniform("last", 0.1, 3).tolist(),
                    strict=True,
                )
            )
        ],
        "_members": members,
    }


def _mc_campaign_core(world: World, n: int) -> dict[str, Any]:
    key = "mc:campaigns"
    have = world._memo.get(key)
    if have is not None and have["n"] >= n:
        return have
    g = Gen(world, world.source.streams["campaigns"], n)
    created = g.timeline("created", 900)
    lst = g.pick_idx("list", len(MC_LISTS), [55, 30, 12, 3])
    sent = g.idx < (MC_CAMPAIGNS - MC_UNSENT)
    send = created + g.uniform("send_delay", 0.2, 4) * DAY
    open_rate = g.uniform("open_rate", 0.22, 0.48)
    click_rate = open_rate * g.uniform("ctor", 0.06, 0.18)
    out = {
        "n": n,
        "created": created,
        "list": lst,
        "sent": sent,
        "send": send,
        "id": g.hexes("id", 10),
        "open_rate": open_rate,
        "click_rate": click_rate,
        "topic": g.pick("topic", CAMPAIGN_TOPICS),
    }
    world._memo[key] = out
    return out


def _mc_campaigns(g: Gen) -> Columns:
    core = _mc_campaign_core(g.world, g.n)
    n = g.n
    lists = g.parent("lists", len(MC_LISTS))
    li = core["list"][:n]
    recipients = (lists["_members"][li] * np.where(core["sent"][:n], 1.0, 0.0)).astype(np.int64)
    sent = core["sent"][:n]
    opens_u = np.round(recipients * core["open_rate"][:n]).astype(np.int64)
    clicks_u = np.round(recipients * core["click_rate"][:n]).astype(np.int64)
    dc = _mc_brand(g.world).lower().replace(" ", "")
    web = g.seq_ids("web_id", 1_000_000, 9_000_000, gap=40)
    return {
        "id": core["id"][:n],
        "web_id": web,
        "type": "regular",
        "create_time": iso(core["created"][:n]),
        "archive_url": [f"https://mailchi.mp/{dc}/{i}" for i in core["id"][:n]],
        "status": np.where(sent, "sent", "save").tolist(),
        "emails_sent": recipients,
        "send_time": [s if ok else "" for s, ok in zip(iso(core["send"][:n]), sent.tolist(), strict=True)],
        "content_type": "template",
        "recipients": [
            {"list_id": lid, "list_name": ln, "recipient_count": int(r)}
            for lid, ln, r in zip(
                col(lists["id"], li), col(lists["name"], li), recipients.tolist(), strict=True
            )
        ],
        "settings": [
            {
                "subject_line": t,
                "preview_text": "Open to see what's new",
                "title": f"{t} ({k + 1})",
                "from_name": _mc_brand(g.world),
                "reply_to": f"hello@{dc}.com",
            }
            for k, t in enumerate(core["topic"][:n])
        ],
        "tracking": [{"opens": True, "html_clicks": True, "text_clicks": False} for _ in range(n)],
        "report_summary": [
            {
                "opens": int(o * 1.6),
                "unique_opens": int(o),
                "open_rate": round(float(r), 4) if o else 0.0,
                "clicks": int(c * 1.4),
                "subscriber_clicks": int(c),
                "click_rate": round(float(cr), 4) if o else 0.0,
            }
            for o, r, c, cr in zip(
                opens_u.tolist(),
                core["open_rate"][:n].tolist(),
                clicks_u.tolist(),
                core["click_rate"][:n].tolist(),
                strict=True,
            )
        ],
        "_recipients": recipients,
        "_list_id": col(lists["id"], li),
        "_list_name": col(lists["name"], li),
        "_opens": opens_u,
        "_clicks": clicks_u,
    }


def _mc_reports(g: Gen) -> Columns:
    c = g.parent("campaigns", g.n)
    core = _mc_campaign_core(g.world, g.n)
    n = g.n
    sent = c["_recipients"][:n]
    opens, clicks = c["_opens"][:n], c["_clicks"][:n]
    bounces = np.round(sent * g.uniform("bounce", 0.002, 0.012)).astype(np.int64)
    send = core["send"][:n]
    return {
        "id": c["id"][:n],
        "campaign_title": [s["title"] for s in c["settings"][:n]],
        "type": "regular",
        "list_id": c["_list_id"][:n],
        "list_name": c["_list_name"][:n],
        "subject_line": [s["subject_line"] for s in c["settings"][:n]],
        "preview_text": [s["preview_text"] for s in c["settings"][:n]],
        "emails_sent": sent,
        "abuse_reports": g.ints("abuse", 0, 3),
        "unsubscribed": np.round(sent * g.uniform("unsub", 0.001, 0.004)).astype(np.int64),
        "send_time": iso(send),
        "bounces": [
            {"hard_bounces": int(b * 0.3), "soft_bounces": int(b - int(b * 0.3)), "syntax_errors": 0}
            for b in bounces.tolist()
        ],
        "opens": [
            {
                "opens_total": int(o * 1.6),
                "unique_opens": int(o),
                "open_rate": round(o / max(s, 1), 4),
                "last_open": t,
            }
            for o, s, t in zip(opens.tolist(), sent.tolist(), iso(send + 9 * DAY), strict=True)
        ],
        "clicks": [
            {
                "clicks_total": int(k * 1.4),
                "unique_clicks": int(k),
                "unique_subscriber_clicks": int(k),
                "click_rate": round(k / max(s, 1), 4),
                "last_click": t,
            }
            for k, s, t in zip(clicks.tolist(), sent.tolist(), iso(send + 8 * DAY), strict=True)
        ],
    }


def _mc_activity(g: Gen) -> Columns:
    # Activity rows in time order: each belongs to a sent campaign that went out before it.
    sent_total = MC_CAMPAIGNS - MC_UNSENT
    camp = g.ref("campaign", sent_total)
    c = g.parent("campaigns", int(camp.max()) + 1 if g.n else 1)
    core = _mc_campaign_core(g.world, int(camp.max()) + 1 if g.n else 1)
    t = core["send"][camp] + g.lognormal("delay", 0.4 * DAY, 1.2)
    _, _, emails = g.people("person")
    action = g.pick("action", ["open", "click", "bounce"], [78, 19, 3])
    dc = _mc_brand(g.world).lower().replace(" ", "")
    ip = g.ints("ip", 1, 255, g.n * 4).reshape(-1, 4).tolist() if g.n else []
    return {
        "campaign_id": col(c["id"], camp),
        "list_id": col(c["_list_id"], camp),
        "list_is_active": True,
        "email_id": [hashlib.md5(e.encode(), usedforsecurity=False).hexdigest() for e in emails],
        "email_address": emails,
        "action": action,
        "type": [
            ("hard" if h else "soft") if a == "bounce" else None
            for a, h in zip(action, g.bools("hard", 0.3).tolist(), strict=True)
        ],
        "timestamp": iso(np.minimum(t, ANCHOR_TS)),
        "url": [
            f"https://{dc}.com/collections/new?utm_source=mailchimp" if a == "click" else None for a in action
        ],
        "ip": [
            None if a == "bounce" else f"{p[0]}.{p[1]}.{p[2]}.{p[3]}" for a, p in zip(action, ip, strict=True)
        ],
    }


_MC_ID = S(pattern=r"^[0-9a-f]{10}$")
_MC_TIME = S("date-time")

MAILCHIMP = SourceDef.of(
    "mailchimp",
    StreamDef(
        "lists",
        stream_schema(
            {
                "id": _MC_ID,
                "web_id": I(),
                "name": S(),
                "contact": O(
                    {"company": S(), "address1": S(), "city": S(), "state": S(), "zip": S(), "country": S()}
                ),
                "permission_reminder": S(),
                "campaign_defaults": O(
                    {"from_name": S(), "from_email": S("email"), "subject": S(), "language": S()}
                ),
                "date_created": _MC_TIME,
                "list_rating": I(),
                "email_type_option": B(),
                "subscribe_url_short": S("uri"),
                "visibility": S(enum=["pub", "prv"]),
                "stats": O(
                    {
                        "member_count": I(minimum=0),
                        "unsubscribe_count": I(minimum=0),
                        "cleaned_count": I(minimum=0),
                        "campaign_count": I(minimum=0),
                        "open_rate": N(),
                        "click_rate": N(),
                        "last_sub_date": _MC_TIME,
                    }
                ),
            }
        ),
        _mc_lists,
        cursor_field="date_created",
        rows=len(MC_LISTS),
    ),
    StreamDef(
        "campaigns",
        stream_schema(
            {
                "id": _MC_ID,
                "web_id": I(),
                "type": S(),
                "create_time": _MC_TIME,
                "archive_url": S("uri"),
                "status": S(enum=["save", "paused", "schedule", "sending", "sent"]),
                "emails_sent": I(minimum=0),
                "send_time": S(),
                "content_type": S(),
                "recipients": O({"list_id": _MC_ID, "list_name": S(), "recipient_count": I(minimum=0)}),
                "settings": O(
                    {
                        "subject_line": S(),
                        "preview_text": S(),
                        "title": S(),
                        "from_name": S(),
                        "reply_to": S("email"),
                    }
                ),
                "tracking": O({"opens": B(), "html_clicks": B(), "text_clicks": B()}),
                "report_summary": O(
                    {
                        "opens": I(minimum=0),
                        "unique_opens": I(minimum=0),
                        "open_rate": N(),
                        "clicks": I(minimum=0),
                        "subscriber_clicks": I(minimum=0),
                        "click_rate": N(),
                    }
                ),
            }
        ),
        _mc_campaigns,
        cursor_field="create_time",
        rows=MC_CAMPAIGNS,
    ),
    StreamDef(
        "email_activity",
        stream_schema(
            {
                "campaign_id": _MC_ID,
                "list_id": _MC_ID,
                "list_is_active": B(),
                "email_id": S(pattern=r"^[0-9a-f]{32}$"),
                "email_address": S("email"),
                "action": S(enum=["open", "click", "bounce"]),
                "type": S(null=True),
                "timestamp": _MC_TIME,
                "url": S("uri", null=True),
                "ip": S("ipv4", null=True),
            }
        ),
        _mc_activity,
        primary_key=("timestamp", "email_id", "action"),
        cursor_field="timestamp",
        rows=MC_ACTIVITY,
    ),
    StreamDef(
        "reports",
        stream_schema(
            {
                "id": _MC_ID,
                "campaign_title": S(),
                "type": S(),
                "list_id": _MC_ID,
                "list_name": S(),
                "subject_line": S(),
                "preview_text": S(),
                "emails_sent": I(minimum=0),
                "abuse_reports": I(minimum=0),
                "unsubscribed": I(minimum=0),
                "send_time": _MC_TIME,
                "bounces": O(
                    {
                        "hard_bounces": I(minimum=0),
                        "soft_bounces": I(minimum=0),
                        "syntax_errors": I(minimum=0),
                    }
                ),
                "opens": O(
                    {
                        "opens_total": I(minimum=0),
                        "unique_opens": I(minimum=0),
                        "open_rate": N(),
                        "last_open": _MC_TIME,
                    }
                ),
                "clicks": O(
                    {
                        "clicks_total": I(minimum=0),
                        "unique_clicks": I(minimum=0),
                        "unique_subscriber_clicks": I(minimum=0),
                        "click_rate": N(),
                        "last_click": _MC_TIME,
                    }
                ),
            }
        ),
        _mc_reports,
        cursor_field="send_time",
        rows=MC_CAMPAIGNS - MC_UNSENT,
    ),
    default_account="{tenant}",
)

# --------------------------------------------------------------------------- Facebook Marketing

FB_CAMPAIGNS = 40
FB_ADSETS = 120
FB_ADS = 360
FB_INSIGHT_DAYS = 180
FB_INSIGHT_ADS = 40
OBJECTIVES = [
    ("OUTCOME_SALES", 45),
    ("OUTCOME_TRAFFIC", 25),
    ("OUTCOME_AWARENESS", 15),
    ("OUTCOME_LEADS", 15),
]
AUDIENCES = [
    "Lookalike 1% - Purchasers",
    "Retargeting - 30 day visitors",
    "Interest - Hiking & Camping",
    "Broad - US 25-54",
    "Interest - Trail running",
    "Cart abandoners - 7 days",
]
CREATIVES = [
    "Carousel - New arrivals",
    "Video - Product demo 15s",
    "Static - 20% off",
    "UGC - Customer review",
    "Collection - Best sellers",
    "Reel - Behind the scenes",
]


def _fb_account(world: World) -> str:
    return world.memo(
        "fb:account",
        lambda: str(
            Gen(world, world.source.streams["campaigns"], 1).scalar(
                "account", 100_000_000_000_000, 999_999_999_999_999
            )
        ),
    )


def _fb_ids(g: Gen, base: int) -> list[str]:
    return [str(i) for i in g.seq_ids("id", base, base + 900_000_000_000, gap=4_000_000_000).tolist()]


def _fb_time(ts: np.ndarray) -> list[str]:
    return [s[:-1] + "+00:00" for s in iso(ts)]


def _fb_campaigns(g: Gen) -> Columns:
    created = g.timeline("created", 700)
    objective = g.pick("objective", [o for o, _ in OBJECTIVES], [w for _, w in OBJECTIVES])
    age = (ANCHOR_TS - created) / DAY
    status = np.where(
        age > 120,
        np.where(g.bools("archived", 0.4), "ARCHIVED", "PAUSED"),
        np.where(g.bools("paused", 0.3), "PAUSED", "ACTIVE"),
    ).tolist()
    budget = np.round(g.lognormal("budget", 5000, 0.7), -2).astype(np.int64)
    season = g.pick("season", ["Spring", "Summer", "Fall", "Holiday", "Always-on"])
    names = [
        f"{s} {o.split('_')[1].title()} - {k + 1:02d}"
        for k, (s, o) in enumerate(zip(season, objective, strict=True))
    ]
    stop = created + g.uniform("length", 14, 90) * DAY
    return {
        "id": _fb_ids(g, 23_850_000_000_000_000),
        "account_id": _fb_account(g.world),
        "name": names,
        "objective": objective,
        "status": status,
        "effective_status": status,
        "buying_type": "AUCTION",
        "daily_budget": budget.astype(float),
        "lifetime_budget": None,
        "budget_remaining": np.round(budget * g.uniform("remaining", 0, 1)).astype(float),
        "start_time": _fb_time(created + 3600),
        "stop_time": [s if st != "ACTIVE" else None for s, st in zip(_fb_time(stop), status, strict=True)],
        "created_time": _fb_time(created),
        "updated_time": _fb_time(g.later("updated", created, 60)),
        "special_ad_categories": [[] for _ in range(g.n)],
        "_created": created,
    }


def _fb_adsets(g: Gen) -> Columns:
    camp_idx = g.idx * FB_CAMPAIGNS // FB_ADSETS  # three ad sets per campaign, made with it
    camps = g.parent("campaigns", int(camp_idx.max()) + 1 if g.n else 1)
    created = camps["_created"][camp_idx] + g.uniform("after", 60, 2 * DAY)
    status = col(camps["status"], camp_idx)
    budget = np.round(g.lognormal("budget", 2000, 0.6), -2)
    audience = g.pick("audience", AUDIENCES)
    countries = g.pick("countries", [["US"], ["US", "CA"], ["US", "CA", "GB"], ["GB", "IE"], ["AU", "NZ"]])
    return {
        "id": _fb_ids(g, 23_851_000_000_000_000),
        "account_id": _fb_account(g.world),
        "campaign_id": col(camps["id"], camp_idx),
        "name": audience,
        "status": status,
        "effective_status": status,
        "daily_budget": budget,
        "lifetime_budget": None,
        "bid_amount": g.nulls("no_bid", g.ints("bid", 50, 400), 0.7),
        "bid_strategy": g.pick(
            "bid_strategy", ["LOWEST_COST_WITHOUT_CAP", "COST_CAP", "LOWEST_COST_WITH_BID_CAP"], [75, 15, 10]
        ),
        "billing_event": "IMPRESSIONS",
        "optimization_goal": g.pick(
            "goal", ["OFFSITE_CONVERSIONS", "LINK_CLICKS", "REACH", "LEAD_GENERATION"], [50, 25, 15, 10]
        ),
        "targeting": [
            {"age_min": a, "age_max": a + s, "geo_locations": {"countries": c}}
            for a, s, c in zip(
                g.pick("age", [18, 21, 25, 30]), g.pick("span", [20, 30, 40]), countries, strict=True
            )
        ],
        "start_time": _fb_time(created),
        "end_time": None,
        "created_time": _fb_time(created),
        "updated_time": _fb_time(g.later("updated", created, 40)),
        "_created": created,
        "_campaign": camp_idx,
    }


def _fb_ads(g: Gen) -> Columns:
    set_idx = g.idx * FB_ADSETS // FB_ADS
    sets = g.parent("ad_sets", int(set_idx.max()) + 1 if g.n else 1)
    created = sets["_created"][set_idx] + g.uniform("after", 60, DAY)
    creative = g.pick("creative", CREATIVES)
    status = col(sets["status"], set_idx)
    return {
        "id": _fb_ids(g, 23_852_000_000_000_000),
        "account_id": _fb_account(g.world),
        "campaign_id": col(sets["campaign_id"], set_idx),
        "adset_id": col(sets["id"], set_idx),
        "name": creative,
        "status": status,
        "effective_status": status,
        "creative": [
            {"id": str(c)}
            for c in g.seq_ids("creative", 120_000_000_000_000, 129_000_000_000_000, gap=3_000_000).tolist()
        ],
        "bid_type": "ABSOLUTE_OCPM",
        "created_time": _fb_time(created),
        "updated_time": _fb_time(g.later("updated", created, 40)),
        "_set": set_idx,
    }


def _fb_insights(g: Gen) -> Columns:
    day, ad = g.idx // FB_INSIGHT_ADS, g.idx % FB_INSIGHT_ADS
    ads = g.parent("ads", FB_INSIGHT_ADS)
    sets = g.parent("ad_sets", FB_ADSETS)
    camps = g.parent("campaigns", FB_CAMPAIGNS)
    s_idx = ads["_set"][ad]
    c_idx = sets["_campaign"][s_idx]
    ts = ANCHOR_TS - (FB_INSIGHT_DAYS - day) * DAY
    impressions = np.round(g.lognormal("impressions", 4000, 0.7)).astype(np.int64)
    reach = np.round(impressions / g.uniform("freq", 1.05, 1.9)).astype(np.int64)
    clicks = np.round(impressions * g.uniform("ctr", 0.006, 0.025)).astype(np.int64)
    spend = np.round(impressions / 1000 * g.uniform("cpm", 7, 22), 2)
    purchases = np.round(clicks * g.uniform("cvr", 0.01, 0.05)).astype(np.int64)
    d = dates(ts)
    return {
        "account_id": _fb_account(g.world),
        "account_name": _mc_brand(g.world),
        "campaign_id": col(camps["id"], c_idx),
        "campaign_name": col(camps["name"], c_idx),
        "adset_id": col(sets["id"], s_idx),
        "adset_name": col(sets["name"], s_idx),
        "ad_id": col(ads["id"], ad),
        "ad_name": col(ads["name"], ad),
        "date_start": d,
        "date_stop": d,
        "impressions": impressions,
        "reach": reach,
        "frequency": np.round(impressions / np.maximum(reach, 1), 6),
        "clicks": clicks,
        "unique_clicks": np.round(clicks * 0.9).astype(np.int64),
        "ctr": np.round(clicks / np.maximum(impressions, 1) * 100, 6),
        "cpc": [round(s / c, 6) if c else None for s, c in zip(spend.tolist(), clicks.tolist(), strict=True)],
        "cpm": np.round(spend / np.maximum(impressions, 1) * 1000, 6),
        "spend": spend,
        "objective": col(camps["objective"], c_idx),
        "account_currency": "USD",
        "actions": [
            [{"action_type": "link_click", "value": float(c)}, {"action_type": "purchase", "value": float(p)}]
            for c, p in zip(clicks.tolist(), purchases.tolist(), strict=True)
        ],
    }


_FB_ID = S(pattern=r"^\d+$")
_FB_TIME = S("date-time")
_FB_STATUS = S(enum=["ACTIVE", "PAUSED", "DELETED", "ARCHIVED"])

FACEBOOK = SourceDef.of(
    "facebook-marketing",
    StreamDef(
        "campaigns",
        stream_schema(
            {
                "id": _FB_ID,
                "account_id": _FB_ID,
                "name": S(),
                "objective": S(),
                "status": _FB_STATUS,
                "effective_status": S(),
                "buying_type": S(),
                "daily_budget": N(null=True),
                "lifetime_budget": N(null=True),
                "budget_remaining": N(null=True),
                "start_time": _FB_TIME,
                "stop_time": S("date-time", null=True),
                "created_time": _FB_TIME,
                "updated_time": _FB_TIME,
                "special_ad_categories": A(S()),
            }
        ),
        _fb_campaigns,
        cursor_field="updated_time",
        rows=FB_CAMPAIGNS,
    ),
    StreamDef(
        "ad_sets",
        stream_schema(
            {
                "id": _FB_ID,
                "account_id": _FB_ID,
                "campaign_id": _FB_ID,
                "name": S(),
                "status": _FB_STATUS,
                "effective_status": S(),
                "daily_budget": N(null=True),
                "lifetime_budget": N(null=True),
                "bid_amount": I(null=True),
                "bid_strategy": S(),
                "billing_event": S(),
                "optimization_goal": S(),
                "targeting": O({"age_min": I(), "age_max": I(), "geo_locations": O({"countries": A(S())})}),
                "start_time": _FB_TIME,
                "end_time": S("date-time", null=True),
                "created_time": _FB_TIME,
                "updated_time": _FB_TIME,
            }
        ),
        _fb_adsets,
        cursor_field="updated_time",
        rows=FB_ADSETS,
    ),
    StreamDef(
        "ads",
        stream_schema(
            {
                "id": _FB_ID,
                "account_id": _FB_ID,
                "campaign_id": _FB_ID,
                "adset_id": _FB_ID,
                "name": S(),
                "status": _FB_STATUS,
                "effective_status": S(),
                "creative": O({"id": _FB_ID}),
                "bid_type": S(),
                "created_time": _FB_TIME,
                "updated_time": _FB_TIME,
            }
        ),
        _fb_ads,
        cursor_field="updated_time",
        rows=FB_ADS,
    ),
    StreamDef(
        "ads_insights",
        stream_schema(
            {
                "account_id": _FB_ID,
                "account_name": S(),
                "campaign_id": _FB_ID,
                "campaign_name": S(),
                "adset_id": _FB_ID,
                "adset_name": S(),
                "ad_id": _FB_ID,
                "ad_name": S(),
                "date_start": S("date"),
                "date_stop": S("date"),
                "impressions": I(minimum=0),
                "reach": I(minimum=0),
                "frequency": N(minimum=0),
                "clicks": I(minimum=0),
                "unique_clicks": I(minimum=0),
                "ctr": N(minimum=0),
                "cpc": N(null=True),
                "cpm": N(minimum=0),
                "spend": N(minimum=0),
                "objective": S(),
                "account_currency": S(),
                "actions": A(O({"action_type": S(), "value": N()})),
            }
        ),
        _fb_insights,
        primary_key=("date_start", "account_id", "ad_id"),
        cursor_field="date_start",
        rows=FB_INSIGHT_DAYS * FB_INSIGHT_ADS,
    ),
    default_account="{tenant}",
)

SOURCES = [MAILCHIMP, FACEBOOK]

"""Communication and support demo data: Slack, Intercom and Zendesk Support.

Slack messages are posted by existing users in existing channels (``ts`` strings like
``"1717171717.123456"``); channel members are existing users. Intercom contacts belong to existing
companies and conversations to existing contacts and admins (times are Unix seconds, as Intercom
sends them). Zendesk tickets are requested by end users of existing organizations and assigned to
agents; satisfaction ratings rate existing solved tickets.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hub.connectors.demo_data._core import (
    ANCHOR_TS,
    DAY,
    MAP,
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
    head_start,
    iso,
    place_field,
    stream_schema,
)

# --------------------------------------------------------------------------- Slack

SL_CHANNELS = 40
SL_USERS = 120
SL_MESSAGES = 20_000
CHANNEL_NAMES = [
    "general",
    "random",
    "announcements",
    "engineering",
    "product",
    "design",
    "marketing",
    "sales",
    "support",
    "customer-success",
    "ops",
    "data",
    "hiring",
    "incidents",
    "deploys",
    "standup",
    "watercooler",
    "launch-q3",
    "launch-q4",
    "pricing",
    "partnerships",
    "finance",
    "legal",
    "security",
    "mobile",
    "web",
    "growth",
    "feedback",
    "wins",
    "help-it",
    "office-nyc",
    "office-london",
    "remote",
    "book-club",
    "pets",
    "music",
    "running",
    "events",
    "onboarding",
    "leadership",
]
MESSAGES = [
    "Morning all! Standup in 10.",
    "Shipped the new checkout flow :rocket:",
    "Can someone review my PR?",
    "Customer reported a bug with CSV exports, looking into it.",
    "Lunch order going in at 12:30",
    "The dashboard numbers look off for last week, anyone else seeing that?",
    "Great work on the launch!",
    "Reminder: all-hands Thursday at 4pm",
    "Who owns the billing webhook?",
    "Deploy finished, all green.",
    "Adding this to the retro doc.",
    "Thanks for the quick fix!",
    "Here are the notes from the customer call.",
    "Quick poll: Tuesday or Wednesday for the offsite?",
    "On it :eyes:",
    "+1, makes sense to me",
    "We hit 1,000 signups this week :tada:",
    "Heads up: maintenance window tonight 10-11pm UTC",
    "Draft of the Q4 plan is in the shared drive.",
    "Can we move the sync to tomorrow?",
]


def _team_id(world: World) -> str:
    return world.memo(
        "slack:team", lambda: Gen(world, world.source.streams["users"], 1).upper_ids("team", "T0", 9)[0]
    )


def _slack_users(g: Gen) -> Columns:
    created = g.timeline("created", 1500)
    first, last, _ = g.people("person")
    domain = g.world.account.split(".")[0].replace("-", "") + ".com"
    handles = [f"{_ascii_slug(f)}.{_ascii_slug(la)}" for f, la in zip(first, last, strict=True)]
    bots = g.idx < 3
    place = g.places("place")
    names = [
        ["slackbot", "github", "jira-cloud"][i] if b else h
        for i, (h, b) in enumerate(zip(handles, bots.tolist(), strict=True))
    ]
    real = [
        n.title() if b else f"{f} {la}" for n, b, f, la in zip(names, bots.tolist(), first, last, strict=True)
    ]
    return {
        "id": g.upper_ids("id", "U0", 9),
        "team_id": _team_id(g.world),
        "name": names,
        "real_name": real,
        "deleted": g.bools("deleted", 0.06) & ~bots,
        "is_admin": (g.idx < 6) & ~bots,
        "is_bot": bots,
        "tz": place_field(place, 4),
        "updated": g.later("updated", created, 300).astype(np.int64),
        "profile": [
            {"email": None if b else f"{h}@{domain}", "display_name": "" if b else f, "title": "" if b else t}
            for h, b, f, t in zip(handles, bots.tolist(), first, g.pool("title", "job_titles"), strict=True)
        ],
    }


def _slack_channels(g: Gen) -> Columns:
    created = g.timeline("created", 1400)
    members = np.where(
        g.idx < 3, SL_USERS - 10, np.minimum(SL_USERS - 5, np.round(g.lognormal("members", 14, 0.6)))
    )
    members = members.astype(np.int64)
    users = g.parent("users", SL_USERS)
    creator = g.ints("creator", 3, 12)
    names = [CHANNEL_NAMES[i] if i < len(CHANNEL_NAMES) else f"project-{i}" for i in range(g.n)]
    topics = g.pick("topic", ["", "Company-wide news", "Ask anything", "Weekly updates here", "Be kind :)"])
    return {
        "id": g.upper_ids("id", "C0", 9),
        "name": names,
        "is_channel": True,
        "is_private": (g.bools("private", 0.15) & (g.idx >= 3)),
        "is_archived": g.bools("archived", 0.08) & (g.idx >= 3),
        "is_general": g.idx == 0,
        "created": created.astype(np.int64),
        "creator": col(users["id"], creator),
        "num_members": members,
        "is_member": g.bools("member", 0.7) | (g.idx < 3),
        "topic": [{"value": t} for t in topics],
        "purpose": [{"value": f"Conversations about {n.replace('-', ' ')}"} for n in names],
        "_members": members,
    }


def _slack_member_rows(world: World) -> int:
    return int(world.columns("channels", SL_CHANNELS)["_members"].sum())


def _slack_members(g: Gen) -> Columns:
    ch = g.parent("channels", SL_CHANNELS)
    counts = ch["_members"]
    starts = np.concatenate([[0], np.cumsum(counts)])
    channel = np.searchsorted(starts, g.idx, side="right") - 1
    pos = g.idx - starts[channel]
    # Members of a channel are distinct users: a per-channel rotation of the user list.
    offset = np.array(
        [int(v) for v in g.world.rng("channel_members", "offset").integers(0, SL_USERS, SL_CHANNELS)]
    )
    user = (offset[channel] + pos) % SL_USERS
    users = g.parent("users", SL_USERS)
    return {"member_id": col(users["id"], user), "channel_id": col(ch["id"], channel)}


def _slack_messages(g: Gen) -> Columns:
    t = g.timeline("ts", 240)
    ch = g.parent("channels", SL_CHANNELS)
    users = g.parent("users", SL_USERS)
    channel = g.pick_idx("channel", SL_CHANNELS, (1.0 / (np.arange(SL_CHANNELS) + 2)).tolist())
    user = g.ints("user", 3, SL_USERS)
    micro = g.ints("micro", 0, 1_000_000)
    ts = [f"{int(a)}.{b:06d}" for a, b in zip(t.tolist(), micro.tolist(), strict=True)]
    float_ts = np.floor(t) + micro / 1e6
    threaded = g.bools("thread", 0.12)
    replies = np.where(threaded, g.ints("replies", 1, 9), 0)
    text = g.pick("text", MESSAGES)
    react = g.bools("react", 0.25)
    emoji = g.pick("emoji", ["thumbsup", "tada", "eyes", "heart", "raised_hands", "white_check_mark"])
    rcount = g.ints("rcount", 1, 6)
    team = _team_id(g.world)
    return {
        "channel_id": col(ch["id"], channel),
        "ts": ts,
        "float_ts": np.round(float_ts, 6),
        "type": "message",
        "subtype": g.nulls("subtype", g.pick("subtype_kind", ["channel_join", "bot_message"]), 0.93),
        "user": col(users["id"], user),
        "text": text,
        "thread_ts": [s if th else None for s, th in zip(ts, threaded.tolist(), strict=True)],
        "reply_count": replies,
        "reactions": [
            [{"name": e, "count": c, "users": []}] if r else []
            for r, e, c in zip(react.tolist(), emoji, rcount.tolist(), strict=True)
        ],
        "team": team,
        "client_msg_id": g.uuids("client_msg_id"),
    }


_SLACK_ID = {p: S(pattern=rf"^{p}[0-9A-Z]{{8,12}}$") for p in ("C", "U", "T")}

SLACK = SourceDef.of(
    "slack",
    StreamDef(
        "channels",
        stream_schema(
            {
                "id": _SLACK_ID["C"],
                "name": S(),
                "is_channel": B(),
                "is_private": B(),
                "is_archived": B(),
                "is_general": B(),
                "created": I(minimum=0),
                "creator": _SLACK_ID["U"],
                "num_members": I(minimum=0),
                "is_member": B(),
                "topic": O({"value": S()}),
                "purpose": O({"value": S()}),
            }
        ),
        _slack_channels,
        cursor_field=None,
        rows=SL_CHANNELS,
    ),
    StreamDef(
        "users",
        stream_schema(
            {
                "id": _SLACK_ID["U"],
                "team_id": _SLACK_ID["T"],
                "name": S(),
                "real_name": S(),
                "deleted": B(),
                "is_admin": B(),
                "is_bot": B(),
                "tz": S(null=True),
                "updated": I(minimum=0),
                "profile": O({"email": S("email", null=True), "display_name": S(), "title": S()}),
            }
        ),
        _slack_users,
        cursor_field=None,
        rows=SL_USERS,
    ),
    StreamDef(
        "channel_messages",
        stream_schema(
            {
                "channel_id": _SLACK_ID["C"],
                "ts": S(pattern=r"^\d{10}\.\d{6}$"),
                "float_ts": N(),
                "type": S(),
                "subtype": S(null=True),
                "user": _SLACK_ID["U"],
                "text": S(),
                "thread_ts": S(null=True),
                "reply_count": I(minimum=0),
                "reactions": A(O({"name": S(), "count": I(minimum=1), "users": A(S())})),
                "team": _SLACK_ID["T"],
                "client_msg_id": S("uuid"),
            }
        ),
        _slack_messages,
        primary_key=("channel_id", "ts"),
        cursor_field="float_ts",
        rows=SL_MESSAGES,
    ),
    StreamDef(
        "channel_members",
        stream_schema({"member_id": _SLACK_ID["U"], "channel_id": _SLACK_ID["C"]}),
        _slack_members,
        primary_key=("channel_id", "member_id"),
        cursor_field=None,
        rows=SL_CHANNELS * 15,
        rows_fn=_slack_member_rows,
    ),
    default_account="{tenant}.slack.com",
)

# --------------------------------------------------------------------------- Intercom

IC_ADMINS = 15
IC_COMPANIES = 400
IC_CONTACTS = 3_000
IC_CONVERSATIONS = 6_000
SUBJECTS = [
    "Can't log in",
    "Question about billing",
    "How do I export my data?",
    "Feature request: dark mode",
    "Integration with Slack not syncing",
    "Refund request",
    "Upgrade to annual plan",
    "Bug in the dashboard",
    "Password reset email not arriving",
    "API rate limits",
    "Invite teammates",
    "Cancel my subscription",
]


def _workspace(world: World) -> str:
    return world.memo("ic:workspace", lambda: Gen(world, world.source.streams["admins"], 1).hexes("ws", 8)[0])


def _ic_admins(g: Gen) -> Columns:
    first, last, _ = g.people("person")
    domain = g.world.account.split(".")[0].replace("-", "") + ".com"
    return {
        "type": "admin",
        "id": [str(i) for i in g.seq_ids("id", 4_100_000, 7_900_000, gap=5_000).tolist()],
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "email": [f"{_ascii_slug(f)}@{domain}" for f in first],
        "job_title": g.pick(
            "title",
            [
                "Support Specialist",
                "Customer Success Manager",
                "Support Lead",
                "Solutions Engineer",
                "Head of Support",
            ],
            [50, 25, 10, 10, 5],
        ),
        "away_mode_enabled": g.bools("away", 0.1),
        "away_mode_reassign": g.bools("reassign", 0.5),
        "has_inbox_seat": g.bools("seat", 0.9),
        "team_ids": [[t] for t in g.pick("team", [5_001_001, 5_001_002, 5_001_003]).__iter__()],
    }


#: Companies go back further than contacts (950 days), contacts further than conversations (900 days),
#: so the first contacts and conversations name many different companies and contacts.
IC_COMPANY_DAYS = 1300.0
IC_CONTACT_DAYS = 950.0


def _ic_companies(g: Gen) -> Columns:
    created = g.timeline("created", IC_COMPANY_DAYS)
    company = g.ints("company", 0, len(g.world.pools.companies))
    plan = g.pick("plan", ["Starter", "Growth", "Scale"], [50, 35, 15])
    return {
        "type": "company",
        "id": g.hexes("id", 24),
        "company_id": [f"acct_{i}" for i in g.seq_ids("company_id", 1000, 3000, gap=3).tolist()],
        "name": g.world.pools.companies[company].tolist(),
        "website": [f"https://{d}" for d in g.world.pools.company_domains[company].tolist()],
        "industry": g.nulls(
            "no_industry",
            g.pick("industry", ["Software", "Retail", "Healthcare", "Education", "Finance", "Media"]),
            0.3,
        ),
        "size": np.round(g.lognormal("size", 40, 1.2)).astype(np.int64) + 1,
        "monthly_spend": np.round(g.lognormal("spend", 300, 0.9), 2),
        "session_count": g.ints("sessions", 0, 4000),
        "user_count": g.ints("users", 1, 80),
        "plan": [
            {"type": "plan", "id": str(9000 + ["Starter", "Growth", "Scale"].index(p)), "name": p}
            for p in plan
        ],
        "created_at": created.astype(np.int64),
        "updated_at": g.later("updated", created, 200).astype(np.int64),
        "remote_created_at": (created - g.uniform("remote", 0, 30) * DAY).astype(np.int64),
    }


def _ic_contacts(g: Gen) -> Columns:
    created = g.timeline("created", IC_CONTACT_DAYS)
    comp_idx = g.ref("company", IC_COMPANIES, skew=1.2, head=head_start(IC_CONTACT_DAYS, IC_COMPANY_DAYS))
    comp = g.parent("companies", int(comp_idx.max()) + 1 if g.n else 1)
    has_company = g.bools("has_company", 0.75)
    first, last, emails = g.people("person")
    role = g.pick("role", ["user", "lead"], [75, 25])
    place = g.places("place")
    seen = g.later("seen", created, 400)
    return {
        "type": "contact",
        "id": g.hexes("id", 24),
        "workspace_id": _workspace(g.world),
        "external_id": [
            f"usr_{i}" if r == "user" else None
            for i, r in zip(g.seq_ids("external", 10_000, 90_000, gap=4).tolist(), role, strict=True)
        ],
        "role": role,
        "email": emails,
        "phone": g.nulls("no_phone", g.phones("phone"), 0.7),
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "owner_id": None,
        "has_hard_bounced": g.bools("bounced", 0.01),
        "marked_email_as_spam": False,
        "unsubscribed_from_emails": g.bools("unsub", 0.08),
        "created_at": created.astype(np.int64),
        "updated_at": seen.astype(np.int64),
        "signed_up_at": [
            int(c) if r == "user" else None for c, r in zip(created.tolist(), role, strict=True)
        ],
        "last_seen_at": seen.astype(np.int64),
        "browser": g.pick("browser", ["chrome", "safari", "firefox", "edge"], [60, 28, 7, 5]),
        "os": g.pick("os", ["Windows 11", "OS X 14", "iOS 17", "Android 14"], [35, 30, 22, 13]),
        "location": [
            {"type": "location", "country": c, "region": r, "city": ci}
            for c, r, ci in zip(
                place_field(place, 2), place_field(place, 1), place_field(place, 0), strict=True
            )
        ],
        "companies": [
            {
                "type": "list",
                "data": [{"type": "company", "id": c}] if h else [],
                "total_count": 1 if h else 0,
            }
            for c, h in zip(col(comp["id"], comp_idx), has_company.tolist(), strict=True)
        ],
    }


def _ic_conversations(g: Gen) -> Columns:
    created = g.timeline("created", 900)
    contact_idx = g.ref("contact", IC_CONTACTS, skew=1.4, head=head_start(900, IC_CONTACT_DAYS))
    contacts = g.parent("contacts", int(contact_idx.max()) + 1 if g.n else 1)
    admins = g.parent("admins", IC_ADMINS)
    admin_idx = g.ints("admin", 0, IC_ADMINS)
    state = g.pick("state", ["open", "closed", "snoozed"], [8, 88, 4])
    age = (ANCHOR_TS - created) / DAY
    state = [s if a < 10 else "closed" for s, a in zip(state, age.tolist(), strict=True)]
    first_reply = g.lognormal("first_reply", 1800, 1.0)
    updated = np.minimum(created + first_reply + g.lognormal("resolve", 8 * 3600, 1.0), ANCHOR_TS)
    subject = g.pick("subject", SUBJECTS)
    c_ids = col(contacts["id"], contact_idx)
    c_names = col(contacts["name"], contact_idx)
    c_emails = col(contacts["email"], contact_idx)
    rated = g.bools("rated", 0.3)
    rating = g.pick("rating", [5, 4, 3, 2, 1], [55, 25, 10, 5, 5])
    return {
        "type": "conversation",
        "id": [str(i) for i in g.seq_ids("id", 100_000_000, 190_000_000, gap=40).tolist()],
        "created_at": created.astype(np.int64),
        "updated_at": updated.astype(np.int64),
        "waiting_since": [
            int(u) if s == "open" else None for u, s in zip(updated.tolist(), state, strict=True)
        ],
        "snoozed_until": [
            int(u + DAY) if s == "snoozed" else None for u, s in zip(updated.tolist(), state, strict=True)
        ],
        "source": [
            {
                "type": "conversation",
                "id": str(k),
                "delivered_as": "customer_initiated",
                "subject": s,
                "body": f"<p>{s}</p>",
                "author": {"type": "user", "id": i, "name": n, "email": e},
            }
            for k, s, i, n, e in zip(
                g.seq_ids("source_id", 2_000_000_000, 2_100_000_000, gap=50).tolist(),
                subject,
                c_ids,
                c_names,
                c_emails,
                strict=True,
            )
        ],
        "contacts": [{"type": "contact.list", "contacts": [{"type": "contact", "id": i}]} for i in c_ids],
        "open": [s != "closed" for s in state],
        "state": state,
        "read": g.bools("read", 0.9),
        "priority": g.pick("priority", ["not_priority", "priority"], [90, 10]),
        "admin_assignee_id": [int(a) for a in col(admins["id"], admin_idx)],
        "team_assignee_id": None,
        "statistics": [
            {"time_to_admin_reply": int(f), "time_to_first_close": int(u - c)}
            for f, u, c in zip(first_reply.tolist(), updated.tolist(), created.tolist(), strict=True)
        ],
        "conversation_rating": [
            {"rating": r, "remark": None, "created_at": int(u)} if ok else None
            for ok, r, u in zip(rated.tolist(), rating, updated.tolist(), strict=True)
        ],
    }


_HEX24 = S(pattern=r"^[0-9a-f]{24}$")
_UNIX = I(minimum=0)

INTERCOM = SourceDef.of(
    "intercom",
    StreamDef(
        "contacts",
        stream_schema(
            {
                "type": S(),
                "id": _HEX24,
                "workspace_id": S(),
                "external_id": S(null=True),
                "role": S(enum=["user", "lead"]),
                "email": S("email", null=True),
                "phone": S(null=True),
                "name": S(null=True),
                "owner_id": I(null=True),
                "has_hard_bounced": B(),
                "marked_email_as_spam": B(),
                "unsubscribed_from_emails": B(),
                "created_at": _UNIX,
                "updated_at": _UNIX,
                "signed_up_at": I(null=True),
                "last_seen_at": I(null=True),
                "browser": S(null=True),
                "os": S(null=True),
                "location": O(
                    {"type": S(), "country": S(null=True), "region": S(null=True), "city": S(null=True)}
                ),
                "companies": O(
                    {"type": S(), "data": A(O({"type": S(), "id": _HEX24})), "total_count": I(minimum=0)}
                ),
            }
        ),
        _ic_contacts,
        cursor_field="updated_at",
        rows=IC_CONTACTS,
    ),
    StreamDef(
        "conversations",
        stream_schema(
            {
                "type": S(),
                "id": S(pattern=r"^\d+$"),
                "created_at": _UNIX,
                "updated_at": _UNIX,
                "waiting_since": I(null=True),
                "snoozed_until": I(null=True),
                "source": O(
                    {
                        "type": S(),
                        "id": S(),
                        "delivered_as": S(),
                        "subject": S(),
                        "body": S(),
                        "author": O(
                            {"type": S(), "id": _HEX24, "name": S(null=True), "email": S("email", null=True)}
                        ),
                    }
                ),
                "contacts": O({"type": S(), "contacts": A(O({"type": S(), "id": _HEX24}))}),
                "open": B(),
                "state": S(enum=["open", "closed", "snoozed"]),
                "read": B(),
                "priority": S(enum=["priority", "not_priority"]),
                "admin_assignee_id": I(null=True),
                "team_assignee_id": I(null=True),
                "statistics": O({"time_to_admin_reply": I(null=True), "time_to_first_close": I(null=True)}),
                "conversation_rating": O(
                    {"rating": I(minimum=1), "remark": S(null=True), "created_at": _UNIX}, null=True
                ),
            }
        ),
        _ic_conversations,
        cursor_field="updated_at",
        rows=IC_CONVERSATIONS,
    ),
    StreamDef(
        "companies",
        stream_schema(
            {
                "type": S(),
                "id": _HEX24,
                "company_id": S(),
                "name": S(),
                "website": S("uri", null=True),
                "industry": S(null=True),
                "size": I(null=True),
                "monthly_spend": N(),
                "session_count": I(minimum=0),
                "user_count": I(minimum=0),
                "plan": O({"type": S(), "id": S(), "name": S()}),
                "created_at": _UNIX,
                "updated_at": _UNIX,
                "remote_created_at": I(null=True),
            }
        ),
        _ic_companies,
        cursor_field="updated_at",
        rows=IC_COMPANIES,
    ),
    StreamDef(
        "admins",
        stream_schema(
            {
                "type": S(),
                "id": S(pattern=r"^\d+$"),
                "name": S(),
                "email": S("email"),
                "job_title": S(null=True),
                "away_mode_enabled": B(),
                "away_mode_reassign": B(),
                "has_inbox_seat": B(),
                "team_ids": A(I()),
            }
        ),
        _ic_admins,
        cursor_field=None,
        rows=IC_ADMINS,
    ),
    default_account="{tenant}",
)

# --------------------------------------------------------------------------- Zendesk Support

ZD_ORGS = 300
ZD_USERS = 3_500
ZD_AGENTS = 25
ZD_TICKETS = 9_000
ZD_GROUPS = [360_001_000_001, 360_001_000_002, 360_001_000_003]
TICKET_SUBJECTS = [
    "Order hasn't arrived",
    "Wrong size delivered",
    "Request a refund",
    "Change shipping address",
    "Damaged item",
    "Discount code not working",
    "Question about sizing",
    "Cancel my order",
    "Warranty claim",
    "Missing item in package",
    "Account locked",
    "Invoice needed for expense",
]


def _zd_base(world: World) -> str:
    return f"https://{world.account}/api/v2"


#: Organizations go back further than users (1300 days), users further than tickets (1100 days).
ZD_ORG_DAYS = 1750.0
ZD_USER_DAYS = 1300.0


def _zd_orgs(g: Gen) -> Columns:
    created = g.timeline("created", ZD_ORG_DAYS)
    company = g.ints("company", 0, len(g.world.pools.companies))
    ids = g.seq_ids("id", 360_000_000_000, 369_000_000_000, gap=3_000_000)
    return {
        "id": ids,
        "url": [f"{_zd_base(g.world)}/organizations/{i}.json" for i in ids.tolist()],
        "name": g.world.pools.companies[company].tolist(),
        "domain_names": [[d] for d in g.world.pools.company_domains[company].tolist()],
        "details": "",
        "notes": "",
        "group_id": None,
        "shared_tickets": False,
        "shared_comments": False,
        "tags": [
            [t] if t else [] for t in g.pick("tag", ["", "vip", "wholesale", "partner"], [70, 10, 15, 5])
        ],
        "external_id": None,
        "organization_fields": [{} for _ in range(g.n)],
        "created_at": iso(created),
        "updated_at": iso(g.later("updated", created, 300)),
        "_domain": g.world.pools.company_domains[company],
    }


def _zd_users(g: Gen) -> Columns:
    created = g.timeline("created", ZD_USER_DAYS)
    agent = g.idx < ZD_AGENTS
    org_idx = g.ref("org", ZD_ORGS, head=head_start(ZD_USER_DAYS, ZD_ORG_DAYS))
    orgs = g.parent("organizations", int(org_idx.max()) + 1 if g.n else 1)
    in_org = g.bools("in_org", 0.35) & ~agent
    first, last, emails = g.people("person")
    support = g.world.account.split(".")[0] + ".com"
    emails = [
        f"{_ascii_slug(f)}.{_ascii_slug(la)}@{support}" if a else e
        for f, la, e, a in zip(first, last, emails, agent.tolist(), strict=True)
    ]
    place = g.places("place")
    ids = g.seq_ids("id", 380_000_000_000, 389_000_000_000, gap=2_000_000)
    seen = g.later("login", created, 600)
    return {
        "id": ids,
        "url": [f"{_zd_base(g.world)}/users/{i}.json" for i in ids.tolist()],
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "email": emails,
        "created_at": iso(created),
        "updated_at": iso(seen),
        "time_zone": place_field(place, 0),
        "iana_time_zone": place_field(place, 4),
        "phone": g.nulls("no_phone", g.phones("phone"), 0.7),
        "locale": "en-US",
        "locale_id": 1,
        "organization_id": [
            int(o) if i else None for o, i in zip(orgs["id"][org_idx].tolist(), in_org.tolist(), strict=True)
        ],
        "role": np.where(g.idx == 0, "admin", np.where(agent, "agent", "end-user")).tolist(),
        "verified": g.bools("verified", 0.8) | agent,
        "active": ~g.bools("inactive", 0.02),
        "suspended": g.bools("suspended", 0.01) & ~agent,
        "last_login_at": [
            s if (a or r) else None
            for s, a, r in zip(iso(seen), agent.tolist(), g.bools("logged", 0.4).tolist(), strict=True)
        ],
        "tags": [[] for _ in range(g.n)],
        "user_fields": [{} for _ in range(g.n)],
        "_org": np.where(in_org, org_idx, -1),
    }


def _zd_ticket_core(world: World, n: int) -> dict[str, Any]:
    key = "zd:tickets"
    have = world._memo.get(key)
    if have is not None and have["n"] >= n:
        return have
    g = Gen(world, world.source.streams["tickets"], n)
    created = g.timeline("created", 1100)
    requester = ZD_AGENTS + g.ref("requester", ZD_USERS - ZD_AGENTS, head=head_start(1100, ZD_USER_DAYS))
    status = g.pick_idx("status", 6, [3, 4, 3, 2, 10, 78])  # new open pending hold solved closed
    age = (ANCHOR_TS - created) / DAY
    status = np.where((age > 25) & (status < 4), 5, np.where((age > 10) & (status < 4), 4, status))
    out = {
        "n": n,
        "created": created,
        "requester": requester,
        "status": status,
        "assignee": g.ints("assignee", 1, ZD_AGENTS),
        "group": g.ints("group", 0, len(ZD_GROUPS)),
        "id": g.scalar("id", 10_000, 40_000) + g.idx,
        "updated": np.minimum(created + g.lognormal("resolve", 1.5 * DAY, 1.0), ANCHOR_TS),
    }
    world._memo[key] = out
    return out


def _zd_user_ids(world: World, n: int) -> np.ndarray:
    """The ids of the first ``n`` users (the users stream's own id sequence)."""
    return Gen(world, world.source.streams["users"], n).seq_ids(
        "id", 380_000_000_000, 389_000_000_000, gap=2_000_000
    )


_ZD_STATUS = np.array(["new", "open", "pending", "hold", "solved", "closed"], dtype=object)


def _zd_tickets(g: Gen) -> Columns:
    core = _zd_ticket_core(g.world, g.n)
    n = g.n
    req = core["requester"][:n]
    users = g.parent("users", int(req.max()) + 1 if n else ZD_AGENTS + 1)
    org_idx = users["_org"][req]
    orgs = g.parent("organizations", ZD_ORGS)
    created = core["created"][:n]
    status = core["status"][:n]
    updated = core["updated"][:n]
    subject = g.pick("subject", TICKET_SUBJECTS)
    ids = core["id"][:n]
    channel = g.pick("channel", ["email", "web", "chat", "api"], [55, 25, 15, 5])
    assignee = [
        None if s == 0 else int(a)
        for s, a in zip(status.tolist(), users["id"][core["assignee"][:n]].tolist(), strict=True)
    ]
    return {
        "id": ids,
        "url": [f"{_zd_base(g.world)}/tickets/{i}.json" for i in ids.tolist()],
        "external_id": None,
        "type": g.nulls(
            "no_type", g.pick("type", ["question", "incident", "problem", "task"], [55, 30, 5, 10]), 0.2
        ),
        "subject": subject,
        "raw_subject": subject,
        "description": [
            f"Hi, {s.lower()}. Order reference #{1000 + (i % 9000)}. Thanks!"
            for s, i in zip(subject, ids.tolist(), strict=True)
        ],
        "priority": g.nulls(
            "no_priority", g.pick("priority", ["low", "normal", "high", "urgent"], [20, 60, 15, 5]), 0.15
        ),
        "status": _ZD_STATUS[status].tolist(),
        "recipient": f"support@{g.world.account.split('.')[0]}.com",
        "requester_id": users["id"][req],
        "submitter_id": users["id"][req],
        "assignee_id": assignee,
        "organization_id": [
            int(o) if k >= 0 else None
            for o, k in zip(orgs["id"][np.maximum(org_idx, 0)].tolist(), org_idx.tolist(), strict=True)
        ],
        "group_id": [ZD_GROUPS[k] for k in core["group"][:n].tolist()],
        "collaborator_ids": [[] for _ in range(n)],
        "follower_ids": [[] for _ in range(n)],
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": [[c] for c in channel],
        "custom_fields": [[] for _ in range(n)],
        "via": [{"channel": c} for c in channel],
        "brand_id": 360_000_000_001,
        "generated_timestamp": updated.astype(np.int64),
        "created_at": iso(created),
        "updated_at": iso(updated),
    }


def _zd_ratings(g: Gen) -> Columns:
    # Every third solved or closed ticket is rated (the first n such tickets, in ticket order).
    want = g.n * 3 + 3
    m = min(ZD_TICKETS, max(32, int(want / 0.8) + 32))
    while True:
        core = _zd_ticket_core(g.world, m)
        done = np.flatnonzero(core["status"][:m] >= 4)[::3]
        if len(done) >= g.n or m >= ZD_TICKETS:
            break
        m = min(ZD_TICKETS, m * 2)
    k = done[: g.n]
    req, agent = core["requester"][k], core["assignee"][k]
    user_ids = _zd_user_ids(g.world, int(max(req.max(), agent.max())) + 1 if len(k) else 1)
    score = g.pick("score", ["good", "bad"], [86, 14])
    created = core["updated"][k] + g.uniform("after", 0.1, 3) * DAY
    ids = g.seq_ids("id", 370_000_000_000, 379_000_000_000, gap=900_000)
    return {
        "id": ids,
        "url": [f"{_zd_base(g.world)}/satisfaction_ratings/{i}.json" for i in ids.tolist()],
        "assignee_id": user_ids[agent],
        "group_id": [ZD_GROUPS[i] for i in core["group"][k].tolist()],
        "requester_id": user_ids[req],
        "ticket_id": core["id"][k],
        "score": score,
        "comment": [
            c if s == "good" else b
            for s, c, b in zip(
                score,
                g.pick("good_comment", ["", "Quick and friendly, thank you!", "Solved my problem.", ""]),
                g.pick("bad_comment", ["Took too long.", "Still waiting for my refund.", ""]),
                strict=True,
            )
        ],
        "reason": [
            None if s == "good" else r
            for s, r in zip(
                score,
                g.pick(
                    "reason",
                    [
                        "The issue took too long to resolve",
                        "The issue was not resolved",
                        "The agent's knowledge is unsatisfactory",
                        "Some other reason",
                    ],
                ),
                strict=True,
            )
        ],
        "created_at": iso(created),
        "updated_at": iso(created),
    }


def _zd_rating_rows(world: World) -> int:
    core = _zd_ticket_core(world, ZD_TICKETS)
    return len(np.flatnonzero(core["status"] >= 4)[::3])


_ZD_TIME = S("date-time")
_ZD_ID_N = I(null=True)

ZENDESK = SourceDef.of(
    "zendesk-support",
    StreamDef(
        "tickets",
        stream_schema(
            {
                "id": I(),
                "url": S("uri"),
                "external_id": S(null=True),
                "type": S(null=True),
                "subject": S(),
                "raw_subject": S(),
                "description": S(),
                "priority": S(null=True),
                "status": S(enum=["new", "open", "pending", "hold", "solved", "closed"]),
                "recipient": S(null=True),
                "requester_id": I(),
                "submitter_id": I(),
                "assignee_id": _ZD_ID_N,
                "organization_id": _ZD_ID_N,
                "group_id": _ZD_ID_N,
                "collaborator_ids": A(I()),
                "follower_ids": A(I()),
                "has_incidents": B(),
                "is_public": B(),
                "due_at": S("date-time", null=True),
                "tags": A(S()),
                "custom_fields": A(MAP()),
                "via": O({"channel": S()}),
                "brand_id": I(),
                "generated_timestamp": I(minimum=0),
                "created_at": _ZD_TIME,
                "updated_at": _ZD_TIME,
            }
        ),
        _zd_tickets,
        cursor_field="generated_timestamp",
        rows=ZD_TICKETS,
    ),
    StreamDef(
        "users",
        stream_schema(
            {
                "id": I(),
                "url": S("uri"),
                "name": S(),
                "email": S("email"),
                "created_at": _ZD_TIME,
                "updated_at": _ZD_TIME,
                "time_zone": S(),
                "iana_time_zone": S(),
                "phone": S(null=True),
                "locale": S(),
                "locale_id": I(),
                "organization_id": _ZD_ID_N,
                "role": S(enum=["end-user", "agent", "admin"]),
                "verified": B(),
                "active": B(),
                "suspended": B(),
                "last_login_at": S("date-time", null=True),
                "tags": A(S()),
                "user_fields": MAP(),
            }
        ),
        _zd_users,
        cursor_field="updated_at",
        rows=ZD_USERS,
    ),
    StreamDef(
        "organizations",
        stream_schema(
            {
                "id": I(),
                "url": S("uri"),
                "name": S(),
                "domain_names": A(S()),
                "details": S(null=True),
                "notes": S(null=True),
                "group_id": _ZD_ID_N,
                "shared_tickets": B(),
                "shared_comments": B(),
                "tags": A(S()),
                "external_id": S(null=True),
                "organization_fields": MAP(),
                "created_at": _ZD_TIME,
                "updated_at": _ZD_TIME,
            }
        ),
        _zd_orgs,
        cursor_field="updated_at",
        rows=ZD_ORGS,
    ),
    StreamDef(
        "satisfaction_ratings",
        stream_schema(
            {
                "id": I(),
                "url": S("uri"),
                "assignee_id": _ZD_ID_N,
                "group_id": _ZD_ID_N,
                "requester_id": I(),
                "ticket_id": I(),
                "score": S(enum=["offered", "unoffered", "good", "bad"]),
                "comment": S(null=True),
                "reason": S(null=True),
                "created_at": _ZD_TIME,
                "updated_at": _ZD_TIME,
            }
        ),
        _zd_ratings,
        cursor_field="updated_at",
        rows=ZD_TICKETS // 4,
        rows_fn=_zd_rating_rows,
    ),
    default_account="{tenant}.zendesk.com",
)

SOURCES = [SLACK, INTERCOM, ZENDESK]

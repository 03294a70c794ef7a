"""Productivity demo data: Notion (users, databases, pages, blocks) and Jira (issues, projects, users).

Notion ids are UUIDs; pages live in existing databases and blocks in existing pages; ``properties`` is a
list of ``{name, value}`` as the Airbyte connector emits it. Jira issues belong to existing projects,
their keys count up per project (``WEB-1``, ``WEB-2``...), and reporters and assignees are existing users.
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
    O,
    S,
    SourceDef,
    StreamDef,
    _ascii_slug,
    col,
    iso,
    place_field,
    stream_schema,
)

# --------------------------------------------------------------------------- Notion

NT_USERS = 25
NT_DATABASES = 12
NT_PAGES = 1_500
NT_BLOCKS = 15_000
DATABASES = [
    ("Projects", "📁"),
    ("Tasks", "✅"),
    ("Meeting notes", "🗒️"),
    ("Docs", "📄"),
    ("Roadmap", "🗺️"),
    ("Bugs", "🐞"),
    ("Hiring pipeline", "👥"),
    ("Content calendar", "🗓️"),
    ("OKRs", "🎯"),
    ("Customer interviews", "🎤"),
    ("Reading list", "📚"),
    ("Vendors", "🏷️"),
]
PAGE_TITLES = [
    "Q3 planning",
    "Onboarding checklist",
    "Weekly sync",
    "Launch retro",
    "Pricing page refresh",
    "Customer call notes",
    "API v2 design",
    "Holiday campaign",
    "Hiring plan",
    "Support macros",
    "Data warehouse migration",
    "Brand guidelines",
    "Quarterly OKRs",
    "Incident postmortem",
    "Partner program",
    "Mobile app beta",
]
STATUSES = ["Not started", "In progress", "Done"]
BLOCK_TYPES = [
    ("paragraph", 50),
    ("heading_1", 4),
    ("heading_2", 8),
    ("bulleted_list_item", 18),
    ("to_do", 10),
    ("callout", 3),
    ("quote", 2),
    ("divider", 3),
    ("code", 2),
]


def _rich(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": text, "link": None}, "plain_text": text, "href": None}]


def _notion_url(title: str, uuid: str) -> str:
    return f"https://www.notion.so/{_ascii_slug(title, '-').title()}-{uuid.replace('-', '')}"


def _nt_users(g: Gen) -> Columns:
    first, last, _ = g.people("person")
    bot = g.idx >= g.N - 2
    domain = g.world.account.split(".")[0] + ".com"
    return {
        "object": "user",
        "id": g.uuids("id"),
        "name": [
            ("Zapier" if i % 2 else "Airbyte integration") if b else f"{f} {la}"
            for i, (f, la, b) in enumerate(zip(first, last, bot.tolist(), strict=True))
        ],
        "avatar_url": g.nulls(
            "no_avatar",
            [
                f"https://s3-us-west-2.amazonaws.com/public.notion-static.com/{h}/avatar.png"
                for h in g.uuids("avatar")
            ],
            0.4,
        ),
        "type": np.where(bot, "bot", "person").tolist(),
        "person": [
            None if b else {"email": f"{_ascii_slug(f)}@{domain}"}
            for f, b in zip(first, bot.tolist(), strict=True)
        ],
    }


#: Pages are written over 800 days; the team set its databases up in the 100 days before the first page,
#: so every page (even the first ones, in any database) belongs to a database made before it.
NT_PAGE_DAYS = 800.0


def _nt_databases(g: Gen) -> Columns:
    created = g.timeline("created", 100, end=ANCHOR_TS - NT_PAGE_DAYS * DAY)
    ids = g.uuids("id")
    names = [DATABASES[i % len(DATABASES)][0] for i in range(g.n)]
    props = [
        [
            {"name": "Name", "value": {"id": "title", "name": "Name", "type": "title"}},
            {"name": "Status", "value": {"id": "s%3Bq", "name": "Status", "type": "status"}},
            {"name": "Owner", "value": {"id": "o%5Dw", "name": "Owner", "type": "people"}},
            {"name": "Due", "value": {"id": "d%3Fe", "name": "Due", "type": "date"}},
        ]
        for _ in range(g.n)
    ]
    return {
        "object": "database",
        "id": ids,
        "title": [_rich(n) for n in names],
        "description": [
            [] if d else _rich(f"Everything about {n.lower()}")
            for n, d in zip(names, g.bools("no_desc", 0.5).tolist(), strict=True)
        ],
        "properties": props,
        "parent": [{"type": "workspace", "workspace": True} for _ in range(g.n)],
        "url": [_notion_url(n, i) for n, i in zip(names, ids, strict=True)],
        "archived": False,
        "is_inline": g.bools("inline", 0.15),
        "icon": [{"type": "emoji", "emoji": DATABASES[i % len(DATABASES)][1]} for i in range(g.n)],
        "created_time": iso(created, ms=True),
        "last_edited_time": iso(g.later("edited", created, 400), ms=True),
    }


def _nt_pages(g: Gen) -> Columns:
    created = g.timeline("created", NT_PAGE_DAYS)
    db_idx = g.ints("database", 0, NT_DATABASES)
    dbs = g.parent("databases", NT_DATABASES)
    users = g.parent("users", NT_USERS)
    who = g.ints("owner", 0, NT_USERS - 2)
    ids = g.uuids("id")
    titles = [f"{t}" for t in g.pick("title", PAGE_TITLES)]
    status = g.pick("status", STATUSES, [20, 25, 55])
    due = created + g.uniform("due", 3, 60) * DAY
    user_ids = col(users["id"], who)
    props = [
        [
            {"name": "Name", "value": {"id": "title", "type": "title", "title": _rich(t)}},
            {"name": "Status", "value": {"id": "s%3Bq", "type": "status", "status": {"name": s}}},
            {
                "name": "Owner",
                "value": {"id": "o%5Dw", "type": "people", "people": [{"object": "user", "id": u}]},
            },
            {"name": "Due", "value": {"id": "d%3Fe", "type": "date", "date": {"start": d, "end": None}}},
        ]
        for t, s, u, d in zip(titles, status, user_ids, [x[:10] for x in iso(due)], strict=True)
    ]
    return {
        "object": "page",
        "id": ids,
        "parent": [{"type": "database_id", "database_id": d} for d in col(dbs["id"], db_idx)],
        "properties": props,
        "url": [_notion_url(t, i) for t, i in zip(titles, ids, strict=True)],
        "archived": g.bools("archived", 0.04),
        "created_by": [{"object": "user", "id": u} for u in user_ids],
        "created_time": iso(created, ms=True),
        "last_edited_time": iso(g.later("edited", created, 200), ms=True),
        "_created": created,
    }


def _nt_blocks(g: Gen) -> Columns:
    # Blocks come in page order: about ten per page, the page's first block is a heading.
    page = np.minimum(g.idx // 10, NT_PAGES - 1)
    pages = g.parent("pages", int(page.max()) + 1 if g.n else 1)
    kind = g.pick("type", [b for b, _ in BLOCK_TYPES], [w for _, w in BLOCK_TYPES])
    kind = ["heading_1" if i % 10 == 0 else k for i, k in zip(g.idx.tolist(), kind, strict=True)]
    created = pages["_created"][page] + g.uniform("after", 0, 2 * DAY)
    edited = np.minimum(g.later("edited", created, 90), ANCHOR_TS)
    return {
        "object": "block",
        "id": g.uuids("id"),
        "parent": [{"type": "page_id", "page_id": p} for p in col(pages["id"], page)],
        "type": kind,
        "has_children": [
            k == "bulleted_list_item" and c
            for k, c in zip(kind, g.bools("children", 0.1).tolist(), strict=True)
        ],
        "archived": False,
        "created_time": iso(created, ms=True),
        "last_edited_time": iso(edited, ms=True),
    }


_UUID = S("uuid")
_RICH = A(
    O(
        {
            "type": S(),
            "text": O({"content": S(), "link": MAP(null=True)}),
            "plain_text": S(),
            "href": S(null=True),
        }
    )
)
_NT_TIME = S("date-time")
_PROP_LIST = A(O({"name": S(), "value": MAP()}))

NOTION = SourceDef.of(
    "notion",
    StreamDef(
        "users",
        stream_schema(
            {
                "object": S(),
                "id": _UUID,
                "name": S(null=True),
                "avatar_url": S("uri", null=True),
                "type": S(enum=["person", "bot"]),
                "person": O({"email": S("email")}, null=True),
            }
        ),
        _nt_users,
        cursor_field=None,
        rows=NT_USERS,
    ),
    StreamDef(
        "databases",
        stream_schema(
            {
                "object": S(),
                "id": _UUID,
                "title": _RICH,
                "description": _RICH,
                "properties": _PROP_LIST,
                "parent": O({"type": S(), "workspace": B()}),
                "url": S("uri"),
                "archived": B(),
                "is_inline": B(),
                "icon": O({"type": S(), "emoji": S()}, null=True),
                "created_time": _NT_TIME,
                "last_edited_time": _NT_TIME,
            }
        ),
        _nt_databases,
        cursor_field="last_edited_time",
        rows=NT_DATABASES,
    ),
    StreamDef(
        "pages",
        stream_schema(
            {
                "object": S(),
                "id": _UUID,
                "parent": O({"type": S(), "database_id": _UUID}),
                "properties": _PROP_LIST,
                "url": S("uri"),
                "archived": B(),
                "created_by": O({"object": S(), "id": _UUID}),
                "created_time": _NT_TIME,
                "last_edited_time": _NT_TIME,
            }
        ),
        _nt_pages,
        cursor_field="last_edited_time",
        rows=NT_PAGES,
    ),
    StreamDef(
        "blocks",
        stream_schema(
            {
                "object": S(),
                "id": _UUID,
                "parent": O({"type": S(), "page_id": _UUID}),
                "type": S(enum=[b for b, _ in BLOCK_TYPES]),
                "has_children": B(),
                "archived": B(),
                "created_time": _NT_TIME,
                "last_edited_time": _NT_TIME,
            }
        ),
        _nt_blocks,
        cursor_field="last_edited_time",
        rows=NT_BLOCKS,
    ),
    default_account="{tenant}",
)

# --------------------------------------------------------------------------- Jira

JR_PROJECTS = [
    ("WEB", "Website"),
    ("MOB", "Mobile App"),
    ("API", "Public API"),
    ("OPS", "Operations"),
    ("DATA", "Data Platform"),
    ("SUP", "Support Escalations"),
    ("MKT", "Marketing Site"),
    ("SEC", "Security"),
]
JR_USERS = 60
JR_ISSUES = 5_000
ISSUE_TYPES = [("Story", 40), ("Task", 30), ("Bug", 25), ("Epic", 5)]
SUMMARIES = [
    "Add SSO login",
    "Fix flaky checkout test",
    "Update dependencies",
    "Improve search relevance",
    "Dashboard loads slowly",
    "Add CSV export",
    "Migrate to new payments API",
    "Dark mode",
    "Rate limit the public API",
    "Refactor notification service",
    "Crash on Android 14 when offline",
    "Add audit log for admin actions",
    "Onboarding email sequence",
    "Rotate database credentials",
    "Broken link on pricing page",
    "Add retries to webhook delivery",
]


def _jira_base(g: Gen) -> str:
    return f"https://{g.world.account}/rest/api/3"


def _jr_projects(g: Gen) -> Columns:
    ids = 10_000 + g.idx
    base = _jira_base(g)
    return {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": [f"{base}/project/{i}" for i in ids.tolist()],
        "id": [str(i) for i in ids.tolist()],
        "key": [JR_PROJECTS[i][0] for i in range(g.n)],
        "name": [JR_PROJECTS[i][1] for i in range(g.n)],
        "avatarUrls": [
            {
                "48x48": f"https://{g.world.account}/rest/api/3/universal_avatar/view/type/project/avatar/"
                f"{10400 + i}"
            }
            for i in range(g.n)
        ],
        "projectTypeKey": g.pick("type", ["software", "business"], [85, 15]),
        "simplified": g.bools("simplified", 0.5),
        "style": g.pick("style", ["next-gen", "classic"]),
        "isPrivate": False,
        "entityId": g.uuids("entity"),
        "uuid": g.uuids("uuid"),
    }


def _jr_users(g: Gen) -> Columns:
    first, last, _ = g.people("person")
    app = g.idx >= g.N - 3
    place = g.places("place")
    domain = g.world.account.split(".")[0] + ".com"
    ids = g.hexes("id", 24)
    return {
        "self": [f"{_jira_base(g)}/user?accountId={i}" for i in ids],
        "accountId": ids,
        "accountType": np.where(app, "app", "atlassian").tolist(),
        "emailAddress": [
            None if (a or h) else f"{_ascii_slug(f)}.{_ascii_slug(la)}@{domain}"
            for f, la, a, h in zip(first, last, app.tolist(), g.bools("hidden", 0.3).tolist(), strict=True)
        ],
        "avatarUrls": [
            {"48x48": f"https://secure.gravatar.com/avatar/{h}?d=mm&s=48"} for h in g.hexes("avatar", 32)
        ],
        "displayName": [
            ("Automation for Jira", "Slack", "GitHub for Jira")[i % 3] if a else f"{f} {la}"
            for i, (f, la, a) in enumerate(zip(first, last, app.tolist(), strict=True))
        ],
        "active": ~g.bools("inactive", 0.05),
        "timeZone": place_field(place, 4),
        "locale": "en_US",
    }


def _jr_issues(g: Gen) -> Columns:
    created = g.timeline("created", 900)
    proj = g.pick_idx("project", len(JR_PROJECTS), [26, 18, 14, 10, 12, 10, 6, 4])
    number = np.zeros(g.n, dtype=np.int64)
    for k in range(len(JR_PROJECTS)):
        mask = proj == k
        number[mask] = np.arange(1, int(mask.sum()) + 1)
    projects = g.parent("projects", len(JR_PROJECTS))
    users = g.parent("users", JR_USERS)
    people = JR_USERS - 3
    reporter = g.ints("reporter", 0, people)
    assignee = g.ints("assignee", 0, people)
    unassigned = g.bools("unassigned", 0.12)
    kind = g.pick("type", [t for t, _ in ISSUE_TYPES], [w for _, w in ISSUE_TYPES])
    status = g.pick_idx("status", 4, [10, 15, 10, 65])  # To Do, In Progress, In Review, Done
    age = (ANCHOR_TS - created) / DAY
    status = np.where((age > 120) & (status < 3), np.where(g.bools("stale", 0.8), 3, status), status)
    names = ["To Do", "In Progress", "In Review", "Done"]
    cats = ["new", "indeterminate", "indeterminate", "done"]
    resolved = created + g.lognormal("cycle", 6 * DAY, 0.9)
    resolved = np.minimum(resolved, ANCHOR_TS)
    updated = np.where(status == 3, resolved, g.later("updated", created, 60))
    keys = [f"{JR_PROJECTS[p][0]}-{k}" for p, k in zip(proj.tolist(), number.tolist(), strict=True)]
    ids = g.scalar("id", 10_000, 20_000) + g.idx
    ts = _jira_time(created)
    up = _jira_time(updated)
    res = _jira_time(resolved)
    summary = g.pick("summary", SUMMARIES)
    acct = users["accountId"]
    disp = users["displayName"]
    fields = []
    for i in range(g.n):
        p, s, r, a = int(proj[i]), int(status[i]), int(reporter[i]), int(assignee[i])
        fields.append(
            {
                "summary": summary[i],
                "issuetype": {"name": kind[i], "subtask": False},
                "status": {"name": names[s], "statusCategory": {"key": cats[s]}},
                "priority": {"name": ("Medium", "High", "Low", "Highest")[(i * 7 + s) % 4]},
                "assignee": None if unassigned[i] else {"accountId": acct[a], "displayName": disp[a]},
                "reporter": {"accountId": acct[r], "displayName": disp[r]},
                "project": {"id": projects["id"][p], "key": JR_PROJECTS[p][0], "name": JR_PROJECTS[p][1]},
                "labels": [] if i % 3 else [("backend", "frontend", "customer", "tech-debt")[i % 4]],
                "created": ts[i],
                "updated": up[i],
                "resolutiondate": res[i] if s == 3 else None,
            }
        )
    base = _jira_base(g)
    return {
        "id": [str(i) for i in ids.tolist()],
        "key": keys,
        "self": [f"{base}/issue/{i}" for i in ids.tolist()],
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "fields": fields,
        "projectId": [projects["id"][p] for p in proj.tolist()],
        "projectKey": [JR_PROJECTS[p][0] for p in proj.tolist()],
        "created": ts,
        "updated": up,
    }


def _jira_time(ts: np.ndarray) -> list[str]:
    """Jira's timestamps: milliseconds and an offset (``2024-05-01T10:22:33.123+00:00``)."""
    return [s[:-1] + "+00:00" for s in iso(ts, ms=True)]


_JR_TIME = S("date-time")
_JR_USER = O({"accountId": S(), "displayName": S()})

JIRA = SourceDef.of(
    "jira",
    StreamDef(
        "issues",
        stream_schema(
            {
                "id": S(pattern=r"^\d+$"),
                "key": S(pattern=r"^[A-Z]+-\d+$"),
                "self": S("uri"),
                "expand": S(),
                "fields": O(
                    {
                        "summary": S(),
                        "issuetype": O({"name": S(), "subtask": B()}),
                        "status": O(
                            {
                                "name": S(),
                                "statusCategory": O({"key": S(enum=["new", "indeterminate", "done"])}),
                            }
                        ),
                        "priority": O({"name": S()}),
                        "assignee": O({"accountId": S(), "displayName": S()}, null=True),
                        "reporter": _JR_USER,
                        "project": O({"id": S(), "key": S(), "name": S()}),
                        "labels": A(S()),
                        "created": _JR_TIME,
                        "updated": _JR_TIME,
                        "resolutiondate": S("date-time", null=True),
                    }
                ),
                "projectId": S(),
                "projectKey": S(),
                "created": _JR_TIME,
                "updated": _JR_TIME,
            }
        ),
        _jr_issues,
        cursor_field="updated",
        rows=JR_ISSUES,
    ),
    StreamDef(
        "projects",
        stream_schema(
            {
                "expand": S(),
                "self": S("uri"),
                "id": S(pattern=r"^\d+$"),
                "key": S(pattern=r"^[A-Z]+$"),
                "name": S(),
                "avatarUrls": O({"48x48": S("uri")}),
                "projectTypeKey": S(),
                "simplified": B(),
                "style": S(),
                "isPrivate": B(),
                "entityId": _UUID,
                "uuid": _UUID,
            }
        ),
        _jr_projects,
        cursor_field=None,
        rows=len(JR_PROJECTS),
    ),
    StreamDef(
        "users",
        stream_schema(
            {
                "self": S("uri"),
                "accountId": S(),
                "accountType": S(enum=["atlassian", "app", "customer"]),
                "emailAddress": S("email", null=True),
                "avatarUrls": O({"48x48": S("uri")}),
                "displayName": S(),
                "active": B(),
                "timeZone": S(null=True),
                "locale": S(null=True),
            }
        ),
        _jr_users,
        primary_key=("accountId",),
        cursor_field=None,
        rows=JR_USERS,
    ),
    default_account="{tenant}.atlassian.net",
)

SOURCES = [NOTION, JIRA]

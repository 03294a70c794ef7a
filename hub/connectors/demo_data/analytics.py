"""Analytics demo data: Google Analytics 4 reports and Mixpanel (export, engage, cohorts, funnels).

GA4 rows are report rows: one per day (``date`` as ``YYYYMMDD``) and dimension combination, with the
property's id on every row. Daily traffic follows one curve (growth, weekly rhythm, noise) that every
report shares, so the breakdowns roughly add up to the website overview. Mixpanel events belong to
people in ``engage``; funnels have ordered steps whose counts only shrink.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hub.connectors.demo_data._core import (
    ANCHOR_TS,
    DAY,
    A,
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
    place_field,
    rng_for,
    stream_schema,
)

GA_DAYS = 730
DEVICES = [
    ("desktop", "Windows", "Chrome", 24),
    ("desktop", "Macintosh", "Chrome", 12),
    ("desktop", "Macintosh", "Safari", 8),
    ("desktop", "Windows", "Edge", 5),
    ("mobile", "iOS", "Safari", 24),
    ("mobile", "Android", "Chrome", 19),
    ("mobile", "iOS", "Chrome", 4),
    ("tablet", "iOS", "Safari", 4),
]
SOURCES_MEDIA = [
    ("google", "organic", 34),
    ("(direct)", "(none)", 22),
    ("google", "cpc", 12),
    ("facebook.com", "referral", 5),
    ("instagram", "social", 6),
    ("newsletter", "email", 7),
    ("bing", "organic", 3),
    ("duckduckgo", "organic", 2),
    ("chatgpt.com", "referral", 3),
    ("tiktok", "paid_social", 6),
]
PAGES = [
    ("/", 26),
    ("/collections/all", 10),
    ("/products/alpine-shell-jacket", 6),
    ("/products/trail-runner", 5),
    ("/cart", 8),
    ("/checkout", 5),
    ("/blogs/journal", 4),
    ("/pages/about", 3),
    ("/search?q=jacket", 4),
    ("/collections/sale", 7),
    ("/account/login", 4),
    ("/products/merino-crew", 5),
    ("/pages/size-guide", 3),
    ("/blogs/journal/layering-101", 3),
    ("/pages/contact", 3),
]
LOCATION_IDX = list(range(20))  # the first 20 places of _core.PLACES, heavy on the home market


def _property_id(world: World) -> str:
    return world.memo(
        "ga:property",
        lambda: str(
            rng_for(world.tenant, world.source.id, world.seed, "property").integers(250_000_000, 480_000_000)
        ),
    )


def _daily_users(world: World) -> np.ndarray:
    """Active users per day over the whole window (the curve every report shares)."""

    def make() -> np.ndarray:
        rng = rng_for(world.tenant, world.source.id, world.seed, "daily")
        day = np.arange(GA_DAYS)
        base = float(rng.integers(900, 4_000))
        growth = 1 + 1.2 * day / GA_DAYS
        dow = (np.floor((ANCHOR_TS - (GA_DAYS - day) * DAY) / DAY) + 4) % 7  # 0 = Monday
        weekly = np.array([1.0, 1.03, 1.02, 1.0, 0.94, 0.78, 0.82])[dow.astype(int)]
        season = 1 + 0.25 * np.exp(-((((day % 365) - 330) / 18.0) ** 2))  # late-November peak
        return np.round(base * growth * weekly * season * rng.lognormal(0, 0.08, GA_DAYS)).astype(np.int64)

    return world.memo("ga:daily", make)


def _ga_day_ts(day: np.ndarray) -> np.ndarray:
    return ANCHOR_TS - (GA_DAYS - day) * DAY


def _ga_metrics(g: Gen, users: np.ndarray) -> dict[str, Any]:
    new = np.round(users * g.uniform("new_share", 0.55, 0.8)).astype(np.int64)
    spu = g.uniform("spu", 1.1, 1.6)
    sessions = np.round(users * spu).astype(np.int64)
    ppv = g.uniform("ppv", 2.2, 5.5)
    views = np.round(sessions * ppv).astype(np.int64)
    return {
        "totalUsers": users,
        "newUsers": new,
        "sessions": sessions,
        "sessionsPerUser": np.round(sessions / np.maximum(users, 1), 4),
        "averageSessionDuration": np.round(g.lognormal("duration", 140, 0.3), 3),
        "screenPageViews": views,
        "screenPageViewsPerSession": np.round(views / np.maximum(sessions, 1), 4),
        "bounceRate": np.round(g.uniform("bounce", 0.32, 0.62), 4),
    }


def _ga_breakdown(g: Gen, weights: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day, combo, users) for rows that enumerate day-major, combination-minor."""
    k = len(weights)
    day, combo = g.idx // k, g.idx % k
    share = np.asarray(weights, dtype=float) / sum(weights)
    users = np.maximum(
        1,
        np.round(
            _daily_users(g.world)[np.minimum(day, GA_DAYS - 1)] * share[combo] * g.lognormal("noise", 1, 0.12)
        ),
    ).astype(np.int64)
    return day, combo, users


def _ga_common(g: Gen, day: np.ndarray) -> Columns:
    return {"property_id": _property_id(g.world), "date": dates(_ga_day_ts(day), compact=True)}


def _ga_daily(g: Gen) -> Columns:
    return {**_ga_common(g, g.idx), "active1DayUsers": _daily_users(g.world)[: g.n]}


def _ga_weekly(g: Gen) -> Columns:
    daily = _daily_users(g.world)
    rolling = np.convolve(daily, np.ones(7), mode="full")[:GA_DAYS] * 0.62  # people return within a week
    return {**_ga_common(g, g.idx), "active7DayUsers": np.round(rolling[: g.n]).astype(np.int64)}


def _ga_overview(g: Gen) -> Columns:
    users = _daily_users(g.world)[: g.n]
    return {**_ga_common(g, g.idx), **_ga_metrics(g, users)}


def _ga_devices(g: Gen) -> Columns:
    day, combo, users = _ga_breakdown(g, [d[3] for d in DEVICES])
    return {
        **_ga_common(g, day),
        "deviceCategory": [DEVICES[c][0] for c in combo.tolist()],
        "operatingSystem": [DEVICES[c][1] for c in combo.tolist()],
        "browser": [DEVICES[c][2] for c in combo.tolist()],
        **_ga_metrics(g, users),
    }


def _ga_locations(g: Gen) -> Columns:
    from hub.connectors.demo_data._core import PLACE_P

    w = PLACE_P[LOCATION_IDX].tolist()
    day, combo, users = _ga_breakdown(g, w)
    place = np.array(LOCATION_IDX)[combo]
    return {
        "property_id": _property_id(g.world),
        "region": place_field(place, 1),
        "country": place_field(place, 2),
        "city": place_field(place, 0),
        "date": dates(_ga_day_ts(day), compact=True),
        **_ga_metrics(g, users),
    }


def _ga_pages(g: Gen) -> Columns:
    day, combo, users = _ga_breakdown(g, [p[1] for p in PAGES])
    m = _ga_metrics(g, users)
    host = g.world.account
    return {
        **_ga_common(g, day),
        "hostName": host,
        "pagePathPlusQueryString": [PAGES[c][0] for c in combo.tolist()],
        "screenPageViews": m["screenPageViews"],
        "bounceRate": m["bounceRate"],
    }


def _ga_traffic(g: Gen) -> Columns:
    day, combo, users = _ga_breakdown(g, [s[2] for s in SOURCES_MEDIA])
    return {
        **_ga_common(g, day),
        "sessionSource": [SOURCES_MEDIA[c][0] for c in combo.tolist()],
        "sessionMedium": [SOURCES_MEDIA[c][1] for c in combo.tolist()],
        **_ga_metrics(g, users),
    }


_GA_DATE = S(pattern=r"^\d{8}$")
_GA_METRICS = {
    "totalUsers": I(minimum=0),
    "newUsers": I(minimum=0),
    "sessions": I(minimum=0),
    "sessionsPerUser": N(minimum=0),
    "averageSessionDuration": N(minimum=0),
    "screenPageViews": I(minimum=0),
    "screenPageViewsPerSession": N(minimum=0),
    "bounceRate": N(minimum=0),
}
_PID = S(pattern=r"^\d+$")


def _ga_stream(
    name: str,
    dims: dict[str, Any],
    build: Any,
    k: int,
    metrics: dict[str, Any] | None = None,
    order: list[str] | None = None,
) -> StreamDef:
    props = {"property_id": _PID, **dims, **(metrics if metrics is not None else _GA_METRICS)}
    if order:
        props = {key: props[key] for key in order}
    pk = ("property_id", *[d for d in dims])
    return StreamDef(name, stream_schema(props), build, primary_key=pk, cursor_field="date", rows=GA_DAYS * k)


GOOGLE_ANALYTICS = SourceDef.of(
    "google-analytics",
    _ga_stream("daily_active_users", {"date": _GA_DATE}, _ga_daily, 1, {"active1DayUsers": I(minimum=0)}),
    _ga_stream("weekly_active_users", {"date": _GA_DATE}, _ga_weekly, 1, {"active7DayUsers": I(minimum=0)}),
    _ga_stream(
        "devices",
        {"date": _GA_DATE, "deviceCategory": S(), "operatingSystem": S(), "browser": S()},
        _ga_devices,
        len(DEVICES),
    ),
    _ga_stream(
        "locations",
        {"region": S(), "country": S(), "city": S(), "date": _GA_DATE},
        _ga_locations,
        len(LOCATION_IDX),
    ),
    _ga_stream(
        "pages",
        {"date": _GA_DATE, "hostName": S(), "pagePathPlusQueryString": S()},
        _ga_pages,
        len(PAGES),
        {"screenPageViews": I(minimum=0), "bounceRate": N(minimum=0)},
    ),
    _ga_stream(
        "traffic_sources",
        {"date": _GA_DATE, "sessionSource": S(), "sessionMedium": S()},
        _ga_traffic,
        len(SOURCES_MEDIA),
    ),
    _ga_stream("website_overview", {"date": _GA_DATE}, _ga_overview, 1),
    default_account="www.{tenant}.com",
)

# --------------------------------------------------------------------------- Mixpanel

MP_PEOPLE = 5_000
MP_EVENTS = 60_000
MP_FUNNEL_DAYS = 90
EVENTS = [
    ("Viewed Page", 40),
    ("Viewed Product", 20),
    ("Searched", 8),
    ("Added to Cart", 9),
    ("Started Checkout", 5),
    ("Completed Purchase", 3),
    ("Signed Up", 2),
    ("Logged In", 8),
    ("Opened Email", 5),
]
BROWSERS = [
    ("Chrome", "Windows", 40),
    ("Safari", "iOS", 25),
    ("Chrome", "Android", 18),
    ("Safari", "Mac OS X", 9),
    ("Firefox", "Windows", 4),
    ("Edge", "Windows", 4),
]
FUNNELS = [
    ("Signup flow", ["Viewed Page", "Signed Up", "Logged In"]),
    ("Purchase funnel", ["Viewed Product", "Added to Cart", "Started Checkout", "Completed Purchase"]),
    ("Search to cart", ["Searched", "Viewed Product", "Added to Cart"]),
    ("Email re-engagement", ["Opened Email", "Viewed Page", "Completed Purchase"]),
]
COHORTS = [
    "Power users",
    "Purchased in last 30 days",
    "Churn risk",
    "Newsletter subscribers",
    "Mobile shoppers",
    "High intent - cart abandoners",
    "Signed up this month",
    "VIP customers",
    "Trial users",
    "Returning visitors",
    "EU visitors",
    "Referred by a friend",
]


def _mp_engage(g: Gen) -> Columns:
    first, last, emails = g.people("person")
    seen = g.timeline("seen", 400)
    place = g.places("place")
    br = g.pick_idx("browser", len(BROWSERS), [b[2] for b in BROWSERS])
    ids = g.uuids("distinct_id")
    return {
        "distinct_id": ids,
        "browser": [BROWSERS[b][0] for b in br.tolist()],
        "browser_version": g.pick("browser_version", ["126", "127", "17.4", "128", "18.0"]),
        "city": place_field(place, 0),
        "country_code": place_field(place, 3),
        "region": place_field(place, 1),
        "timezone": place_field(place, 4),
        "last_seen": iso(seen),
        "email": emails,
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "first_name": first,
        "last_name": last,
        "id": ids,
        "_browser": br,
        "_place": place,
    }


def _mp_export(g: Gen) -> Columns:
    time = g.timeline("time", 90)
    who = g.ints("person", 0, MP_PEOPLE)
    people = g.parent("engage", MP_PEOPLE)
    event = g.pick("event", [e for e, _ in EVENTS], [w for _, w in EVENTS])
    br = people["_browser"][who]
    place = people["_place"][who]
    host = g.world.account
    path = g.pick(
        "path", ["/", "/collections/all", "/products/alpine-shell-jacket", "/cart", "/pricing", "/blog"]
    )
    return {
        "event": event,
        "distinct_id": col(people["distinct_id"], who),
        "time": iso(time),
        "insert_id": g.hexes("insert_id", 32),
        "browser": [BROWSERS[b][0] for b in br.tolist()],
        "os": [BROWSERS[b][1] for b in br.tolist()],
        "city": place_field(place, 0),
        "country_code": place_field(place, 3),
        "current_url": [f"https://{host}{p}" for p in path],
        "mp_lib": g.pick("lib", ["web", "iphone", "android"], [70, 18, 12]),
    }


def _mp_project(world: World) -> int:
    return int(
        world.memo(
            "mp:project",
            lambda: int(
                rng_for(world.tenant, "mixpanel", world.seed, "project").integers(2_000_000, 3_400_000)
            ),
        )
    )


def _mp_cohorts(g: Gen) -> Columns:
    created = g.timeline("created", 600)
    names = [COHORTS[i % len(COHORTS)] for i in range(g.n)]
    return {
        "id": g.seq_ids("id", 1_200_000, 4_800_000, gap=900),
        "name": names,
        "description": [f"People in '{n.lower()}'" for n in names],
        "created": iso(created),
        "count": np.round(g.lognormal("count", 600, 1.0)).astype(np.int64),
        "is_visible": g.pick("visible", [1, 0], [90, 10]),
        "project_id": _mp_project(g.world),
    }


def _mp_funnels(g: Gen) -> Columns:
    k = len(FUNNELS)
    day, f = g.idx // k, g.idx % k
    ts = ANCHOR_TS - (MP_FUNNEL_DAYS - day) * DAY
    start = np.round(g.lognormal("start", 900, 0.3)).astype(np.int64)
    conv = g.uniform("conv", 0.35, 0.8, g.n * 4).reshape(g.n, 4) if g.n else np.zeros((0, 4))
    ids = g.world.memo("mp:funnel_ids", lambda: g.scalar("funnel", 7_000_000, 9_000_000) + np.arange(k) * 113)
    steps_out, analysis = [], []
    for r, (fi, s0) in enumerate(zip(f.tolist(), start.tolist(), strict=True)):
        events = FUNNELS[fi][1]
        counts = [s0]
        for j in range(1, len(events)):
            counts.append(round(counts[-1] * conv[r, j]))
        steps = []
        for j, (ev, c) in enumerate(zip(events, counts, strict=True)):
            steps.append(
                {
                    "count": c,
                    "avg_time": None if j == 0 else round(60.0 * (j + conv[r, j]) * 7, 2),
                    "avg_time_from_start": None if j == 0 else round(60.0 * (j + conv[r, j]) * 9, 2),
                    "goal": ev,
                    "overall_conv_ratio": round(c / s0, 4) if s0 else 0.0,
                    "step_conv_ratio": 1.0 if j == 0 else round(c / max(counts[j - 1], 1), 4),
                    "event": ev,
                    "step_label": ev,
                }
            )
        steps_out.append(steps)
        worst = int(np.argmin([1.0] + [s["step_conv_ratio"] for s in steps[1:]]))
        analysis.append(
            {"completion": counts[-1], "starting_amount": s0, "steps": len(events), "worst": worst}
        )
    return {
        "funnel_id": ids[f],
        "name": [FUNNELS[i][0] for i in f.tolist()],
        "date": dates(ts),
        "datetime": iso(ts),
        "steps": steps_out,
        "analysis": analysis,
    }


MIXPANEL = SourceDef.of(
    "mixpanel",
    StreamDef(
        "export",
        stream_schema(
            {
                "event": S(),
                "distinct_id": S(),
                "time": S("date-time"),
                "insert_id": S(),
                "browser": S(null=True),
                "os": S(null=True),
                "city": S(null=True),
                "country_code": S(null=True),
                "current_url": S("uri", null=True),
                "mp_lib": S(null=True),
            }
        ),
        _mp_export,
        primary_key=("insert_id",),
        cursor_field="time",
        rows=MP_EVENTS,
    ),
    StreamDef(
        "engage",
        stream_schema(
            {
                "distinct_id": S(),
                "browser": S(null=True),
                "browser_version": S(null=True),
                "city": S(null=True),
                "country_code": S(null=True),
                "region": S(null=True),
                "timezone": S(null=True),
                "last_seen": S("date-time"),
                "email": S("email", null=True),
                "name": S(null=True),
                "first_name": S(null=True),
                "last_name": S(null=True),
                "id": S(null=True),
            }
        ),
        _mp_engage,
        primary_key=("distinct_id",),
        cursor_field="last_seen",
        rows=MP_PEOPLE,
    ),
    StreamDef(
        "cohorts",
        stream_schema(
            {
                "id": I(),
                "name": S(),
                "description": S(null=True),
                "created": S("date-time"),
                "count": I(minimum=0),
                "is_visible": I(),
                "project_id": I(),
            }
        ),
        _mp_cohorts,
        cursor_field="created",
        rows=len(COHORTS),
    ),
    StreamDef(
        "funnels",
        stream_schema(
            {
                "funnel_id": I(),
                "name": S(),
                "date": S("date"),
                "datetime": S("date-time"),
                "steps": A(
                    O(
                        {
                            "count": I(minimum=0),
                            "avg_time": N(null=True),
                            "avg_time_from_start": N(null=True),
                            "goal": S(),
                            "overall_conv_ratio": N(minimum=0),
                            "step_conv_ratio": N(minimum=0),
                            "event": S(),
                            "step_label": S(),
                        }
                    )
                ),
                "analysis": O(
                    {
                        "completion": I(minimum=0),
                        "starting_amount": I(minimum=0),
                        "steps": I(minimum=1),
                        "worst": I(minimum=0),
                    }
                ),
            }
        ),
        _mp_funnels,
        primary_key=("funnel_id", "date"),
        cursor_field="date",
        rows=MP_FUNNEL_DAYS * len(FUNNELS),
    ),
    default_account="www.{tenant}.com",
)

SOURCES = [GOOGLE_ANALYTICS, MIXPANEL]

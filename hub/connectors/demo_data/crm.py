"""CRM demo data: Salesforce (Account, Contact, Opportunity, Lead) and HubSpot (contacts, companies, deals).

Salesforce ids are 18 characters with the object's key prefix (001 Account, 003 Contact, 006
Opportunity, 00Q Lead, 005 User) and the real case-safe checksum suffix. Contacts and opportunities
belong to existing accounts; a contact's e-mail uses its account's domain. HubSpot rows carry
``properties{}`` and the same values flattened as ``properties_<name>``; deals point at existing
contacts and companies.
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
    N,
    O,
    S,
    SourceDef,
    StreamDef,
    col,
    dates,
    head_start,
    iso,
    place_field,
    sf_ids,
    stream_schema,
)

# --------------------------------------------------------------------------- Salesforce

SF_ACCOUNTS = 1_500
SF_CONTACTS = 5_000
SF_OPPORTUNITIES = 3_000
SF_LEADS = 4_000
SF_INDUSTRIES = [
    "Technology",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Education",
    "Media",
    "Consulting",
    "Energy",
    "Transportation",
    "Hospitality",
    "Construction",
]
SF_STAGES = [  # stage, probability, forecast category, closed, won
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "BestCase", False, False),
    ("Negotiation/Review", 90, "Commit", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
]
SF_STAGE_P = [6, 6, 6, 5, 4, 3, 5, 5, 35, 25]
LEAD_SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Other"]
LEAD_SOURCE_P = [40, 15, 15, 8, 12, 10]
PRODUCTS = [
    "Platform License",
    "Implementation",
    "Annual Renewal",
    "Expansion Seats",
    "Premium Support",
    "Data Migration",
    "Training Package",
]


def _sf_owner_ids(g: Gen) -> list[str]:
    return g.world.memo(
        "sf:owners", lambda: sf_ids("005", np.arange(12) * 7 + g.scalar("owner", 1000, 50_000))
    )


def _sf_seq(g: Gen, prefix: str) -> list[str]:
    start = g.scalar("id", 200_000, 20_000_000)
    return sf_ids(prefix, start + np.cumsum(g.ints("id_gap", 1, 40)))


#: Accounts go back further than contacts and opportunities (the CRM was migrated with its accounts), so
#: the first contacts and opportunities belong to many different accounts.
SF_ACCOUNT_DAYS = 1900.0


def _sf_accounts(g: Gen) -> Columns:
    created = g.timeline("created", SF_ACCOUNT_DAYS)
    company = g.ints("company", 0, len(g.world.pools.companies))
    place = g.places("place")
    employees = np.round(g.lognormal("employees", 180, 1.4)).astype(np.int64) + 1
    revenue = np.round(employees * g.lognormal("rev_per_head", 160_000, 0.4), -3)
    return {
        "Id": _sf_seq(g, "001"),
        "Name": g.world.pools.companies[company].tolist(),
        "Type": g.pick(
            "type",
            ["Customer - Direct", "Customer - Channel", "Prospect", "Partner", "Other"],
            [40, 10, 38, 7, 5],
        ),
        "Industry": g.nulls("no_industry", g.pick("industry", SF_INDUSTRIES), 0.05),
        "AnnualRevenue": g.nulls("no_revenue", revenue, 0.15),
        "NumberOfEmployees": g.nulls("no_employees", employees, 0.1),
        "BillingCity": place_field(place, 0),
        "BillingCountry": place_field(place, 2),
        "OwnerId": g.pick("owner", _sf_owner_ids(g)),
        "CreatedDate": iso(created, ms=True),
        "SystemModstamp": iso(g.later("modstamp", created, 300), ms=True),
        "IsDeleted": False,
        "_company": company,
        "_created": created,
    }


def _sf_contacts(g: Gen) -> Columns:
    created = g.timeline("created", 1400)
    acc_idx = g.ref("account", SF_ACCOUNTS, skew=1.3, head=head_start(1400, SF_ACCOUNT_DAYS))
    acc = g.parent("Account", int(acc_idx.max()) + 1 if g.n else 1)
    domain = g.world.pools.company_domains[acc["_company"][acc_idx]].tolist()
    first, last, emails = g.people("person", domain=domain)
    place = g.places("place")
    return {
        "Id": _sf_seq(g, "003"),
        "AccountId": col(acc["Id"], acc_idx),
        "FirstName": first,
        "LastName": last,
        "Email": emails,
        "Phone": g.nulls("no_phone", g.phones("phone", e164=False), 0.25),
        "Title": g.pool("title", "job_titles"),
        "LeadSource": g.nulls("no_source", g.pick("source", LEAD_SOURCES, LEAD_SOURCE_P), 0.2),
        "MailingCity": place_field(place, 0),
        "CreatedDate": iso(created, ms=True),
        "SystemModstamp": iso(g.later("modstamp", created, 200), ms=True),
        "IsDeleted": False,
    }


def _sf_opportunities(g: Gen) -> Columns:
    created = g.timeline("created", 1300)
    acc_idx = g.ref("account", SF_ACCOUNTS, skew=1.2, head=head_start(1300, SF_ACCOUNT_DAYS))
    acc = g.parent("Account", int(acc_idx.max()) + 1 if g.n else 1)
    stage = g.pick_idx("stage", len(SF_STAGES), SF_STAGE_P)
    # Old opportunities are closed; the open pipeline is recent.
    age = (ANCHOR_TS - created) / DAY
    stage = np.where((age > 200) & (stage < 8), np.where(g.bools("old_won", 0.55), 8, 9), stage)
    amount = np.round(g.lognormal("amount", 24_000, 0.9), -2)
    close = created + g.uniform("cycle", 20, 160) * DAY
    # A closed deal closed in the past; open ones expect to close later.
    close = np.where(stage >= 8, np.minimum(close, ANCHOR_TS - g.uniform("closed_ago", 0.2, 10) * DAY), close)
    close = np.maximum(close, created)
    product = g.pick("product", PRODUCTS)
    names = col(acc["Name"], acc_idx)
    table = SF_STAGES
    return {
        "Id": _sf_seq(g, "006"),
        "AccountId": col(acc["Id"], acc_idx),
        "Name": [f"{a} - {p}" for a, p in zip(names, product, strict=True)],
        "StageName": [table[s][0] for s in stage.tolist()],
        "Amount": amount,
        "CloseDate": dates(close),
        "Probability": [table[s][1] for s in stage.tolist()],
        "IsClosed": [table[s][3] for s in stage.tolist()],
        "IsWon": [table[s][4] for s in stage.tolist()],
        "ForecastCategory": [table[s][2] for s in stage.tolist()],
        "CreatedDate": iso(created, ms=True),
        "SystemModstamp": iso(g.later("modstamp", created, 120), ms=True),
    }


def _sf_leads(g: Gen) -> Columns:
    created = g.timeline("created", 1200)
    company = g.ints("company", 0, len(g.world.pools.companies))
    first, last, emails = g.people("person", domain=g.world.pools.company_domains[company].tolist())
    status = g.pick(
        "status",
        ["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"],
        [25, 25, 20, 30],
    )
    return {
        "Id": _sf_seq(g, "00Q"),
        "FirstName": first,
        "LastName": last,
        "Company": g.world.pools.companies[company].tolist(),
        "Email": emails,
        "Status": status,
        "LeadSource": g.pick("source", LEAD_SOURCES, LEAD_SOURCE_P),
        "Rating": g.nulls("no_rating", g.pick("rating", ["Hot", "Warm", "Cold"], [20, 45, 35]), 0.3),
        "IsConverted": [s == "Closed - Converted" for s in status],
        "CreatedDate": iso(created, ms=True),
        "SystemModstamp": iso(g.later("modstamp", created, 90), ms=True),
    }


_SF_ID = {p: S(pattern=rf"^{p}[0-9A-Za-z]{{15}}$") for p in ("001", "003", "006", "00Q", "005")}
_SF_TIME = S("date-time")

SALESFORCE = SourceDef.of(
    "salesforce",
    StreamDef(
        "Account",
        stream_schema(
            {
                "Id": _SF_ID["001"],
                "Name": S(),
                "Type": S(null=True),
                "Industry": S(null=True),
                "AnnualRevenue": N(null=True),
                "NumberOfEmployees": I(null=True),
                "BillingCity": S(null=True),
                "BillingCountry": S(null=True),
                "OwnerId": _SF_ID["005"],
                "CreatedDate": _SF_TIME,
                "SystemModstamp": _SF_TIME,
                "IsDeleted": B(),
            }
        ),
        _sf_accounts,
        primary_key=("Id",),
        cursor_field="SystemModstamp",
        rows=SF_ACCOUNTS,
    ),
    StreamDef(
        "Contact",
        stream_schema(
            {
                "Id": _SF_ID["003"],
                "AccountId": _SF_ID["001"],
                "FirstName": S(null=True),
                "LastName": S(),
                "Email": S("email", null=True),
                "Phone": S(null=True),
                "Title": S(null=True),
                "LeadSource": S(null=True),
                "MailingCity": S(null=True),
                "CreatedDate": _SF_TIME,
                "SystemModstamp": _SF_TIME,
                "IsDeleted": B(),
            }
        ),
        _sf_contacts,
        primary_key=("Id",),
        cursor_field="SystemModstamp",
        rows=SF_CONTACTS,
    ),
    StreamDef(
        "Opportunity",
        stream_schema(
            {
                "Id": _SF_ID["006"],
                "AccountId": _SF_ID["001"],
                "Name": S(),
                "StageName": S(enum=[s[0] for s in SF_STAGES]),
                "Amount": N(null=True),
                "CloseDate": S("date"),
                "Probability": N(null=True),
                "IsClosed": B(),
                "IsWon": B(),
                "ForecastCategory": S(enum=["Omitted", "Pipeline", "BestCase", "Commit", "Closed"]),
                "CreatedDate": _SF_TIME,
                "SystemModstamp": _SF_TIME,
            }
        ),
        _sf_opportunities,
        primary_key=("Id",),
        cursor_field="SystemModstamp",
        rows=SF_OPPORTUNITIES,
    ),
    StreamDef(
        "Lead",
        stream_schema(
            {
                "Id": _SF_ID["00Q"],
                "FirstName": S(null=True),
                "LastName": S(),
                "Company": S(),
                "Email": S("email", null=True),
                "Status": S(),
                "LeadSource": S(null=True),
                "Rating": S(null=True),
                "IsConverted": B(),
                "CreatedDate": _SF_TIME,
                "SystemModstamp": _SF_TIME,
            }
        ),
        _sf_leads,
        primary_key=("Id",),
        cursor_field="SystemModstamp",
        rows=SF_LEADS,
    ),
    default_account="{tenant}.my.salesforce.com",
)

# --------------------------------------------------------------------------- HubSpot

HS_COMPANIES = 1_200
HS_CONTACTS = 6_000
HS_DEALS = 2_500
HS_INDUSTRIES = [
    "COMPUTER_SOFTWARE",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "MARKETING_AND_ADVERTISING",
    "RETAIL",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "CONSUMER_GOODS",
    "E_LEARNING",
    "MANAGEMENT_CONSULTING",
    "INTERNET",
]
HS_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]
HS_LIFECYCLE = [
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
]


def _hs_rows(
    g: Gen,
    props: dict[str, Any],
    created: np.ndarray,
    updated: np.ndarray,
    id_start: tuple[int, int],
    gap: int,
) -> Columns:
    """HubSpot's row shape: id, timestamps, archived, properties{} and properties_<name> columns."""
    names = list(props)
    values = [
        v.tolist() if isinstance(v, np.ndarray) else ([v] * g.n if isinstance(v, str) else list(v))
        for v in props.values()
    ]
    out: Columns = {
        "id": [str(i) for i in g.seq_ids("id", id_start[0], id_start[1], gap=gap).tolist()],
        "createdAt": iso(created, ms=True),
        "updatedAt": iso(updated, ms=True),
        "archived": False,
        "properties": [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)],
    }
    for k, v in zip(names, values, strict=True):
        out[f"properties_{k}"] = v
    return out


def _hs_owner_ids(g: Gen) -> list[str]:
    return g.world.memo(
        "hs:owners", lambda: [str(g.scalar("owner", 10_000_000, 90_000_000) + 7919 * k) for k in range(9)]
    )


#: Companies go back further than contacts (1100 days), contacts further than deals (1000 days).
HS_COMPANY_DAYS = 1500.0
HS_CONTACT_DAYS = 1100.0
HS_DEAL_DAYS = 1000.0


def _hs_companies(g: Gen) -> Columns:
    created = g.timeline("created", HS_COMPANY_DAYS)
    updated = g.later("updated", created, 300)
    company = g.ints("company", 0, len(g.world.pools.companies))
    place = g.places("place")
    employees = np.round(g.lognormal("employees", 60, 1.3)).astype(np.int64) + 1
    c_iso, u_iso = iso(created, ms=True), iso(updated, ms=True)
    cols = _hs_rows(
        g,
        {
            "name": g.world.pools.companies[company].tolist(),
            "domain": g.world.pools.company_domains[company].tolist(),
            "industry": g.nulls("no_industry", g.pick("industry", HS_INDUSTRIES), 0.2),
            "city": place_field(place, 0),
            "country": place_field(place, 2),
            "numberofemployees": g.nulls("no_employees", employees, 0.2),
            "annualrevenue": g.nulls(
                "no_revenue", np.round(employees * g.lognormal("rev", 120_000, 0.5), -3), 0.35
            ),
            "createdate": c_iso,
            "hs_lastmodifieddate": u_iso,
        },
        created,
        updated,
        (5_100_000_000, 5_400_000_000),
        9_000,
    )
    cols["_company"] = company
    return cols


def _hs_contacts(g: Gen) -> Columns:
    created = g.timeline("created", HS_CONTACT_DAYS)
    updated = g.later("updated", created, 200)
    has_company = g.bools("has_company", 0.8)
    comp_idx = g.ref("company", HS_COMPANIES, skew=1.2, head=head_start(HS_CONTACT_DAYS, HS_COMPANY_DAYS))
    comp = g.parent("companies", int(comp_idx.max()) + 1 if g.n else 1)
    domains = col(comp["properties_domain"], comp_idx)
    first, last, emails = g.people("person", work_share=0.0)
    work = [f"{e.split('@')[0]}@{d}" for e, d in zip(emails, domains, strict=True)]
    emails = [w if h else e for w, e, h in zip(work, emails, has_company.tolist(), strict=True)]
    names = col(comp["properties_name"], comp_idx)
    cols = _hs_rows(
        g,
        {
            "email": emails,
            "firstname": first,
            "lastname": last,
            "phone": g.nulls("no_phone", g.phones("phone"), 0.5),
            "company": [c if h else None for c, h in zip(names, has_company.tolist(), strict=True)],
            "jobtitle": g.nulls("no_title", g.pool("title", "job_titles"), 0.3),
            "lifecyclestage": g.pick("lifecycle", HS_LIFECYCLE, [20, 30, 15, 8, 7, 15, 2, 3]),
            "hs_lead_status": g.nulls(
                "no_status",
                g.pick(
                    "lead_status",
                    [
                        "NEW",
                        "OPEN",
                        "IN_PROGRESS",
                        "OPEN_DEAL",
                        "UNQUALIFIED",
                        "ATTEMPTED_TO_CONTACT",
                        "CONNECTED",
                        "BAD_TIMING",
                    ],
                ),
                0.3,
            ),
            "createdate": iso(created, ms=True),
            "lastmodifieddate": iso(updated, ms=True),
        },
        created,
        updated,
        (101, 3_000),
        2,
    )
    cols["companies"] = [
        [c] if h else [] for c, h in zip(col(comp["id"], comp_idx), has_company.tolist(), strict=True)
    ]
    cols["_company_idx"] = np.where(has_company, comp_idx, -1)
    return cols


def _hs_deals(g: Gen) -> Columns:
    created = g.timeline("created", HS_DEAL_DAYS)
    contact_idx = g.ref("contact", HS_CONTACTS, skew=1.3, head=head_start(HS_DEAL_DAYS, HS_CONTACT_DAYS))
    contacts = g.parent("contacts", int(contact_idx.max()) + 1 if g.n else 1)
    comp_idx = contacts["_company_idx"][contact_idx]
    comp = g.parent("companies", int(comp_idx.max()) + 1 if g.n and comp_idx.max() >= 0 else 1)
    stage = g.pick_idx("stage", len(HS_STAGES), [8, 8, 7, 6, 6, 38, 27])
    age = (ANCHOR_TS - created) / DAY
    stage = np.where((age > 150) & (stage < 5), np.where(g.bools("old_won", 0.55), 5, 6), stage)
    close = created + g.uniform("cycle", 14, 120) * DAY
    close = np.where(stage >= 5, np.minimum(close, ANCHOR_TS - g.uniform("closed_ago", 0.2, 10) * DAY), close)
    close = np.maximum(close, created)
    updated = np.maximum(g.later("updated", created, 60), np.where(stage >= 5, close, created))
    amount = np.round(g.lognormal("amount", 6_000, 0.9), -1)
    who = [
        c if c else f"{f} {la}"
        for c, f, la in zip(
            col(contacts["properties_company"], contact_idx),
            col(contacts["properties_firstname"], contact_idx),
            col(contacts["properties_lastname"], contact_idx),
            strict=True,
        )
    ]
    what = g.pick("what", ["Annual plan", "Pilot", "Expansion", "Renewal", "Onboarding package"])
    cols = _hs_rows(
        g,
        {
            "dealname": [f"{w} - {x}" for w, x in zip(who, what, strict=True)],
            "amount": amount,
            "dealstage": [HS_STAGES[s] for s in stage.tolist()],
            "pipeline": "default",
            "closedate": iso(close, ms=True),
            "createdate": iso(created, ms=True),
            "dealtype": g.pick("dealtype", ["newbusiness", "existingbusiness"], [65, 35]),
            "hubspot_owner_id": g.pick("owner", _hs_owner_ids(g)),
            "hs_is_closed_won": (stage == 5).tolist(),
            "hs_lastmodifieddate": iso(updated, ms=True),
        },
        created,
        updated,
        (9_800_000_000, 9_900_000_000),
        40_000,
    )
    cols["contacts"] = [[c] for c in col(contacts["id"], contact_idx)]
    comp_ids = col(comp["id"], np.maximum(comp_idx, 0))
    cols["companies"] = [[c] if k >= 0 else [] for c, k in zip(comp_ids, comp_idx.tolist(), strict=True)]
    return cols


def _hs_schema(props: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": S(pattern=r"^\d+$"),
        "createdAt": S("date-time"),
        "updatedAt": S("date-time"),
        "archived": B(),
        "properties": O(props),
    }
    row.update({f"properties_{k}": v for k, v in props.items()})
    row.update(extra or {})
    return stream_schema(row)


_HS_TIME = S("date-time")
_IDS = A(S(pattern=r"^\d+$"))

HUBSPOT = SourceDef.of(
    "hubspot",
    StreamDef(
        "contacts",
        _hs_schema(
            {
                "email": S("email"),
                "firstname": S(),
                "lastname": S(),
                "phone": S(null=True),
                "company": S(null=True),
                "jobtitle": S(null=True),
                "lifecyclestage": S(enum=HS_LIFECYCLE),
                "hs_lead_status": S(null=True),
                "createdate": _HS_TIME,
                "lastmodifieddate": _HS_TIME,
            },
            {"companies": _IDS},
        ),
        _hs_contacts,
        cursor_field="updatedAt",
        rows=HS_CONTACTS,
    ),
    StreamDef(
        "companies",
        _hs_schema(
            {
                "name": S(),
                "domain": S(),
                "industry": S(null=True),
                "city": S(null=True),
                "country": S(null=True),
                "numberofemployees": I(null=True),
                "annualrevenue": N(null=True),
                "createdate": _HS_TIME,
                "hs_lastmodifieddate": _HS_TIME,
            }
        ),
        _hs_companies,
        cursor_field="updatedAt",
        rows=HS_COMPANIES,
    ),
    StreamDef(
        "deals",
        _hs_schema(
            {
                "dealname": S(),
                "amount": N(null=True),
                "dealstage": S(enum=HS_STAGES),
                "pipeline": S(),
                "closedate": S("date-time", null=True),
                "createdate": _HS_TIME,
                "dealtype": S(null=True),
                "hubspot_owner_id": S(null=True),
                "hs_is_closed_won": B(),
                "hs_lastmodifieddate": _HS_TIME,
            },
            {"contacts": _IDS, "companies": _IDS},
        ),
        _hs_deals,
        cursor_field="updatedAt",
        rows=HS_DEALS,
    ),
    default_account="{tenant}.hubspot.com",
)

SOURCES = [SALESFORCE, HUBSPOT]

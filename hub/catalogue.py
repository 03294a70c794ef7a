"""The integration catalogue: ``data/mock_sources.json`` loaded into validated `SourceEntry` models.

Where the file comes from (`Catalogue.load`):

1. the ``path`` argument, else
2. ``HUB_CATALOGUE_PATH``: the ``catalogue_path`` of the settings given (else `Settings.from_env`), else
3. ``data/mock_sources.json`` in the repository (the parent folder of the ``hub`` package).

A file that is missing or cannot be read falls back to the copy bundled inside the package
(``hub/data/mock_sources.json``) and says so in `Catalogue.fallback_reason`: the catalogue never goes
blank. A file that can be read but is malformed raises `CatalogueError` naming the entry and the
field; `Catalogue.load_or_fallback` (for the app) turns that into a fallback too.

`Catalogue.load` gives the catalogue as the hub with those settings offers it (`Catalogue.offered`): an
entry that needs a setting the operator has not made is left out, so the app, the CLI and the API never
list it, and asking for it by id says which setting turns it on. Today that is SQLite files, which need
``HUB_SQLITE_ROOT``. The constructor and `Catalogue.bundled` keep every entry of the file.

The file is either a JSON array of entries or an object with a ``sources`` array (other top-level
keys, such as ``version``, are ignored).
"""

from __future__ import annotations

import difflib
import importlib.resources
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.exceptions import CatalogueError, InputError, NotFound, UnknownBusinessType
from hub.models import AuthKind, BusinessType, Recommendation, SourceEntry
from hub.settings import Settings

#: The variable behind `Settings.catalogue_path`: another catalogue file (tests, staging catalogues).
CATALOGUE_ENV = "HUB_CATALOGUE_PATH"

#: The repository root: the folder that holds the ``hub`` package.
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The catalogue file the hub reads by default.
DEFAULT_PATH = REPO_ROOT / "data" / "mock_sources.json"

_BUNDLED_NAME = "mock_sources.json"
_BUNDLED_LABEL = "hub/data/mock_sources.json"

BUSINESS_TYPES: dict[str, BusinessType] = {
    bt.slug: bt
    for bt in (
        BusinessType(slug="ecommerce", name="E-commerce"),
        BusinessType(slug="saas", name="SaaS"),
        BusinessType(slug="b2b-services", name="B2B services"),
        BusinessType(slug="agency", name="Agency"),
        BusinessType(slug="marketplace", name="Marketplace"),
        BusinessType(slug="retail", name="Retail"),
    )
}

# --------------------------------------------------------------------------- recommendations

#: business type -> source id -> (fit 0..1, one-line reason). The catalogue's ``business_types``
#: decides *whether* a source is recommended; this table decides how strongly and says why.
_FIT: dict[str, dict[str, tuple[float, str]]] = {
    "ecommerce": {
        "shopify": (1.0, "Orders, customers and products are the core of an online store."),
        "stripe": (0.9, "Payments, refunds and fees show what each order really earned."),
        "google-analytics": (0.85, "See which traffic sources and pages turn visitors into buyers."),
        "facebook-marketing": (0.8, "Tie ad spend on Facebook and Instagram to the orders it brings in."),
        "woocommerce": (0.75, "Orders, customers and coupons if your store runs on WordPress."),
        "mailchimp": (0.7, "E-mail campaigns and their clicks, to measure repeat purchases."),
        "zendesk-support": (0.55, "Support tickets reveal delivery and product problems early."),
        "square": (0.55, "In-person sales next to online ones, for one view of revenue."),
        "hubspot": (0.5, "Contacts and marketing e-mails around each customer's purchases."),
        "intercom": (0.5, "Chats with shoppers show what stops them from checking out."),
        "mysql": (0.45, "Order and product tables from a custom-built shop."),
        "postgres": (0.45, "Order and product tables from a custom-built shop."),
        "google-sheets": (0.4, "Merchandising plans and targets kept in spreadsheets."),
        "csv": (0.4, "Order exports from marketplaces and tools without an API."),
        "excel": (0.35, "Stock counts and supplier price lists kept in workbooks."),
        "mariadb": (0.45, "Order and product tables from a shop built on MariaDB."),
        "supabase": (0.4, "Orders and customers from a shop whose backend runs on Supabase."),
    },
    "saas": {
        "stripe": (1.0, "Subscriptions and invoices give you MRR, churn and expansion revenue."),
        "hubspot": (0.85, "Contacts and deals show how trials turn into paying customers."),
        "postgres": (0.8, "Your product database holds accounts, usage and feature adoption."),
        "mixpanel": (0.8, "Product events and funnels show where users activate or drop off."),
        "salesforce": (0.75, "Accounts and opportunities for sales-led deals and renewals."),
        "google-analytics": (0.7, "Traffic to your site and sign-up pages at the top of the funnel."),
        "intercom": (0.65, "Conversations with users point to friction in the product."),
        "mysql": (0.6, "Your product database holds accounts, usage and feature adoption."),
        "zendesk-support": (0.6, "Ticket volume and satisfaction per account flag churn risks."),
        "jira": (0.55, "Issues and projects show what engineering ships and how fast."),
        "slack": (0.45, "Shared customer channels and team conversations, searchable as data."),
        "notion": (0.4, "Roadmaps and specs your team keeps in Notion."),
        "google-sheets": (0.35, "Plans and forecasts that still live in spreadsheets."),
        "supabase": (0.75, "Your app's Supabase database holds accounts, usage and feature adoption."),
        "mariadb": (0.55, "Your product database holds accounts, usage and feature adoption."),
        "sqlite": (0.25, "An app database or export saved as a SQLite file, such as usage logs."),
    },
    "b2b-services": {
        "salesforce": (1.0, "Accounts, opportunities and leads follow each deal from first call to signing."),
        "hubspot": (0.9, "Contacts, companies and deals in one CRM, for a pipeline you can forecast."),
        "google-sheets": (0.65, "The spreadsheets where pipelines, rates and budgets often live."),
        "stripe": (0.6, "Invoices and payments show which clients pay on time."),
        "jira": (0.55, "Issues and projects show how delivery time is spent per client."),
        "zendesk-support": (0.5, "Client tickets and satisfaction ratings, per organization."),
        "google-analytics": (0.5, "Which pages and channels bring in enquiries."),
        "slack": (0.45, "Client channels and messages, to see where the team's time goes."),
        "notion": (0.45, "Proposals, briefs and client wikis kept in Notion."),
        "csv": (0.4, "Exports from time-tracking and accounting tools."),
        "excel": (0.4, "Rate cards, supplier lists and forecasts kept in workbooks."),
        "postgres": (0.4, "Your own systems' tables, such as bookings or projects."),
        "sqlite": (0.3, "A desktop tool's database file, such as bookings or time records."),
    },
    "agency": {
        "google-analytics": (1.0, "Traffic and conversions per client site: where every report starts."),
        "facebook-marketing": (0.95, "Spend, reach and clicks for the campaigns you run for clients."),
        "hubspot": (0.75, "Leads and deals generated for clients, from first touch to closed."),
        "google-sheets": (0.7, "Client budgets and media plans kept in spreadsheets."),
        "mailchimp": (0.65, "Opens and clicks of the newsletters you send for clients."),
        "slack": (0.6, "Client channels and messages, to see where the team's attention goes."),
        "notion": (0.55, "Briefs and project pages your team keeps in Notion."),
        "shopify": (0.5, "Store orders for e-commerce clients, to report on revenue, not just clicks."),
        "salesforce": (0.5, "Your own new-business pipeline: accounts and opportunities."),
        "jira": (0.5, "Issues and projects show the workload per client."),
        "csv": (0.35, "Exports from ad platforms and tools without an API."),
    },
    "marketplace": {
        "stripe": (1.0, "Charges, fees and balance transactions across both sides of the marketplace."),
        "postgres": (0.9, "Listings, orders and users live in your own database."),
        "google-analytics": (0.75, "Which channels bring buyers and which bring sellers."),
        "mixpanel": (0.75, "Search-to-purchase funnels show where buyers drop off."),
        "mysql": (0.7, "Listings, orders and users live in your own database."),
        "shopify": (0.6, "Orders and products if your storefront runs on Shopify."),
        "zendesk-support": (0.6, "Disputes and support tickets from buyers and sellers."),
        "intercom": (0.55, "Conversations with buyers and sellers, in one inbox."),
        "facebook-marketing": (0.5, "Ad spend to acquire buyers and sellers, and what it costs per sign-up."),
        "google-sheets": (0.3, "Seller lists and targets kept in spreadsheets."),
        "supabase": (0.65, "Listings, orders and users in your Supabase project's database."),
        "mariadb": (0.6, "Listings, orders and users live in your own database."),
    },
    "retail": {
        "square": (1.0, "In-store payments, orders and refunds straight from your point of sale."),
        "shopify": (0.85, "Online orders next to your shops, for one view of sales."),
        "excel": (0.75, "Stock levels and supplier lists, from the workbook you already use."),
        "mailchimp": (0.65, "Newsletters and promotions that bring customers back into store."),
        "google-analytics": (0.6, "Store-finder and product page visits before a purchase."),
        "facebook-marketing": (0.6, "Local ad campaigns and what they cost per visit."),
        "woocommerce": (0.6, "Online orders if your web shop runs on WordPress."),
        "csv": (0.55, "Exports from your till or stock system."),
        "google-sheets": (0.5, "Rotas, targets and store budgets kept in spreadsheets."),
        "zendesk-support": (0.45, "Complaints and returns questions, per store."),
        "mysql": (0.4, "Tables from your stock or loyalty system."),
        "postgres": (0.35, "Tables from your stock or loyalty system."),
        "mariadb": (0.35, "Tables from your stock or loyalty system."),
        "sqlite": (0.3, "The database file of a till or stock program, read from a copy."),
    },
}

#: Used when a source fits a business type but has no line in `_FIT` (e.g. a newly added entry).
_CATEGORY_REASON: dict[str, str] = {
    "E-commerce": "Orders, customers and products from your online sales.",
    "Payments": "Payments and refunds, to see revenue as it lands.",
    "CRM": "Contacts, companies and deals from your sales pipeline.",
    "Databases": "Tables from your own systems, next to your SaaS data.",
    "Analytics": "Traffic and behaviour, to see what drives results.",
    "Communication": "Conversations with customers and within the team.",
    "Customer Support": "Tickets and satisfaction, to spot problems early.",
    "Productivity": "Projects and documents that show how work gets done.",
    "Marketing": "Campaigns and their results, to see what pays off.",
    "Files": "Data kept in files and spreadsheets, alongside everything else.",
}
_DEFAULT_FIT = 0.5
_FIT_WEIGHT = 0.85  # the rest of the score is popularity


def business_type_name(slug: str) -> str:
    """The display name of a business type (``saas`` -> ``SaaS``); `UnknownBusinessType` otherwise."""
    return _business_type(slug).name


def _business_type(slug: str) -> BusinessType:
    try:
        return BUSINESS_TYPES[slug]
    except (KeyError, TypeError):
        valid = ", ".join(BUSINESS_TYPES)
        raise UnknownBusinessType(
            f"Unknown business type {slug!r}.", hint=f"Use one of: {valid}."
        ) from None


# --------------------------------------------------------------------------- loading


def _label(path: Path) -> str:
    """The path as a user would name it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _field_path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def _entry_label(index: int, raw: Any) -> str:
    """``entry 3 ('stripe')``: 1-based, as a person counts entries in the file."""
    ident = raw.get("id") if isinstance(raw, Mapping) else None
    return f"entry {index + 1} ({ident!r})" if isinstance(ident, str) and ident else f"entry {index + 1}"


def _check_entry(entry: SourceEntry) -> tuple[str, str] | None:
    """Rules across fields that the model alone does not express; (field, problem) or None."""
    if entry.auth_kind is AuthKind.API_KEY and entry.api_key is None:
        return "api_key", "api_key sources need an api_key object (pattern, example, where)"
    if entry.api_key is not None:
        try:
            re.compile(entry.api_key.pattern)
        except re.error as exc:
            return "api_key.pattern", f"not a valid regular expression: {exc}"
    if entry.scopes and entry.auth_kind is not AuthKind.OAUTH2:
        return "scopes", f"only oauth2 sources request scopes, this one is {entry.auth_kind.value}"
    if len(set(entry.streams)) != len(entry.streams):
        dupes = sorted({s for s in entry.streams if entry.streams.count(s) > 1})
        return "streams", f"duplicate stream name(s): {', '.join(dupes)}"
    unknown = [bt for bt in entry.business_types if bt not in BUSINESS_TYPES]
    if unknown:
        return "business_types", f"unknown business type {unknown[0]!r} (valid: {', '.join(BUSINESS_TYPES)})"
    return None


def parse_catalogue(text: str, *, label: str) -> list[SourceEntry]:
    """Parse and validate a catalogue document; `CatalogueError` names the entry and the field.

    Args:
        text: the JSON document.
        label: how to name the file in messages (e.g. ``data/mock_sources.json``).

    """
    hint = f"Correct {label} and try again, or remove the file to use the catalogue bundled with the app."
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{label}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).", hint=hint
        ) from exc
    raw_entries = doc.get("sources") if isinstance(doc, dict) else doc
    if not isinstance(raw_entries, list):
        raise CatalogueError(
            f"{label}: expected a JSON array of sources (or an object with a 'sources' array).", hint=hint
        )
    if not raw_entries:
        raise CatalogueError(f"{label}: the catalogue has no sources.", hint=hint)
    entries: list[SourceEntry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        where = _entry_label(index, raw)
        if not isinstance(raw, dict):
            raise CatalogueError(
                f"{label}: {where}: expected an object, got {type(raw).__name__}.", hint=hint
            )
        try:
            entry = SourceEntry.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _field_path(err["loc"]) or "(entry)"
            raise CatalogueError(f"{label}: {where}: field '{field}': {err['msg']}", hint=hint) from exc
        problem = _check_entry(entry)
        if problem:
            raise CatalogueError(f"{label}: {where}: field '{problem[0]}': {problem[1]}", hint=hint)
        if entry.id in seen:
            raise CatalogueError(
                f"{label}: {where}: field 'id': duplicate id {entry.id!r} (also entry {seen[entry.id] + 1})",
                hint=hint,
            )
        seen[entry.id] = index
        entries.append(entry)
    return entries


def _read_bundled() -> str:
    resource = importlib.resources.files("hub").joinpath("data", _BUNDLED_NAME)
    return resource.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class _Gate:
    """An entry a hub offers only once an operator has made a setting."""

    setting: str  # the `Settings` field that must be set
    message: str  # why the entry is not offered
    hint: str  # how an operator turns it on


#: source id -> the setting it needs (see the module docstring).
_GATES: dict[str, _Gate] = {
    "sqlite": _Gate(
        "sqlite_root",
        "SQLite files are turned off on this hub: HUB_SQLITE_ROOT is not set.",
        "An administrator can turn them on by setting HUB_SQLITE_ROOT to the folder that holds the files.",
    ),
}


@dataclass(frozen=True)
class _Hit:
    rank: int
    entry: SourceEntry


class Catalogue:
    """The validated catalogue; ``fallback_reason`` is set when the bundled copy was used instead.

    Immutable after loading and holds no tenant data, so one instance can be shared by every user
    of a server (e.g. through ``st.cache_resource``).
    """

    sources: list[SourceEntry]
    fallback_reason: str | None = None

    def __init__(
        self, sources: Sequence[SourceEntry], *, origin: str = "", fallback_reason: str | None = None
    ) -> None:
        """Wrap already validated entries (use `load` to read a file)."""
        self.sources = list(sources)
        self.origin = origin
        self.fallback_reason = fallback_reason
        self._by_id = {s.id: s for s in self.sources}
        self._turned_off: dict[str, _Gate] = {}  # entries `offered` left out, by id

    def __repr__(self) -> str:
        extra = ", fallback" if self.fallback_reason else ""
        return f"Catalogue({len(self.sources)} sources from {self.origin!r}{extra})"

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[SourceEntry]:
        return iter(self.sources)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._by_id

    # ----------------------------------------------------------------- loading

    @staticmethod
    def default_path(settings: Settings | None = None) -> Path:
        """``settings.catalogue_path`` if set, else ``data/mock_sources.json`` in the repository.

        Without ``settings`` they are read from the environment (`Settings.from_env`).
        """
        configured = (settings if settings is not None else Settings.from_env()).catalogue_path
        return configured.expanduser() if configured else DEFAULT_PATH

    @classmethod
    def bundled(cls, *, fallback_reason: str | None = None) -> Catalogue:
        """The copy shipped inside the package (``hub/data/mock_sources.json``)."""
        try:
            text = _read_bundled()
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogueError(
                f"The catalogue bundled with the app ({_BUNDLED_LABEL}) cannot be read: {exc}.",
                hint="Reinstall the hub package.",
            ) from exc
        return cls(parse_catalogue(text, label=_BUNDLED_LABEL), origin=_BUNDLED_LABEL,
                   fallback_reason=fallback_reason)

    @classmethod
    def load(cls, path: Path | None = None, *, settings: Settings | None = None) -> Catalogue:
        """Load and validate; `CatalogueError` (naming entry and field) when malformed.

        ``path`` defaults to `default_path` (of ``settings``). A missing or unreadable file falls back
        to the bundled copy, with ``fallback_reason`` saying why. The result is what a hub with
        ``settings`` (default: `Settings.from_env`) offers: see `offered`.
        """
        settings = settings if settings is not None else Settings.from_env()
        target = Path(path) if path is not None else cls.default_path(settings)
        label = _label(target)
        showing = "showing the catalogue bundled with the app."
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls.bundled(fallback_reason=f"{label} is missing; {showing}").offered(settings)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            fallback = cls.bundled(fallback_reason=f"{label} cannot be read ({reason}); {showing}")
            return fallback.offered(settings)
        return cls(parse_catalogue(text, label=label), origin=label).offered(settings)

    @classmethod
    def load_or_fallback(cls, path: Path | None = None, *, settings: Settings | None = None) -> Catalogue:
        """Like `load`, but a malformed file falls back to the bundled copy too, saying why."""
        settings = settings if settings is not None else Settings.from_env()
        try:
            return cls.load(path, settings=settings)
        except CatalogueError as exc:
            reason = f"{exc.message.rstrip('.')}. Showing the catalogue bundled with the app."
            return cls.bundled(fallback_reason=reason).offered(settings)

    def offered(self, settings: Settings) -> Catalogue:
        """The entries a hub with ``settings`` offers: those that need a setting it lacks are left out.

        SQLite files need ``HUB_SQLITE_ROOT``. `get` of an entry left out says which setting turns it on.
        """
        off = {s.id: _GATES[s.id] for s in self.sources
               if s.id in _GATES and getattr(settings, _GATES[s.id].setting) is None}
        if not off:
            return self
        kept = Catalogue([s for s in self.sources if s.id not in off], origin=self.origin,
                         fallback_reason=self.fallback_reason)
        kept._turned_off = {**self._turned_off, **off}
        return kept

    # ----------------------------------------------------------------- look-ups

    def ids(self) -> list[str]:
        """Every source id, in catalogue order."""
        return [s.id for s in self.sources]

    def get(self, source_id: str) -> SourceEntry:
        """One entry; `NotFound` suggesting close matches."""
        try:
            return self._by_id[source_id]
        except (KeyError, TypeError):
            pass
        key = str(source_id).strip().lower()
        if key in self._by_id:  # forgive case and stray spaces: "Shopify", " stripe "
            return self._by_id[key]
        gate = self._turned_off.get(key)
        if gate is not None:
            raise NotFound(gate.message, hint=gate.hint)
        names = {s.name.lower(): s.id for s in self.sources}
        close = difflib.get_close_matches(key, list(self._by_id), n=3, cutoff=0.6)
        close += [names[n] for n in difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)]
        close = list(dict.fromkeys(close))[:3]
        if close:
            raise NotFound(f"Unknown source {source_id!r}. Did you mean: {', '.join(close)}?")
        raise NotFound(
            f"Unknown source {source_id!r}.",
            hint="Run `python -m hub sources` to list the catalogue.",
        )

    def categories(self) -> dict[str, int]:
        """Category -> number of sources, in the order categories first appear in the catalogue."""
        counts: dict[str, int] = {}
        for s in self.sources:
            counts[s.category] = counts.get(s.category, 0) + 1
        return counts

    def category(self, name: str) -> str:
        """The catalogue's spelling of a category (case-insensitive); `NotFound` listing the categories."""
        wanted = name.strip().casefold()
        for cat in self.categories():
            if cat.casefold() == wanted:
                return cat
        listing = ", ".join(self.categories())
        raise NotFound(f"Unknown category {name!r}.", hint=f"Categories: {listing}.")

    def search(self, query: str | None = None, *, category: str | None = None) -> list[SourceEntry]:
        """By name, category, tag and description (case-insensitive; every word must match).

        Without a query the entries come in catalogue order; with one, best matches first: name,
        then id, tag, category and description, ties broken by popularity.
        """
        pool = self.sources
        if category:
            cat = self.category(category)
            pool = [s for s in pool if s.category == cat]
        words = (query or "").casefold().split()
        if not words:
            return list(pool)
        hits = [_Hit(rank, s) for s in pool if (rank := _rank(s, words)) > 0]
        hits.sort(key=lambda h: (-h.rank, -h.entry.popularity, h.entry.name.casefold()))
        return [h.entry for h in hits]

    # ----------------------------------------------------------------- recommendations

    def recommend(self, business_type: str, *, limit: int = 4) -> list[Recommendation]:
        """Ranked sources with a one-line reason; `UnknownBusinessType` lists the valid slugs.

        A source is a candidate when its catalogue entry lists the business type. Its score is its
        fit for that business (0..1, see ``_FIT``) weighted 85 %, plus popularity weighted 15 %.
        Ties go to the more popular source, then to the id, so the order is deterministic.
        """
        bt = _business_type(business_type)
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}.", hint="Ask for one or more.")
        fits = _FIT.get(bt.slug, {})
        recs: list[tuple[float, int, str, Recommendation]] = []
        for s in self.sources:
            if bt.slug not in s.business_types:
                continue
            fit, reason = fits.get(s.id, (_DEFAULT_FIT, ""))
            if not reason:
                generic = f"{s.name} data that {bt.name} businesses often connect."
                reason = _CATEGORY_REASON.get(s.category, generic)
            score = round(_FIT_WEIGHT * fit + (1 - _FIT_WEIGHT) * s.popularity / 100, 3)
            rec = Recommendation(id=s.id, name=s.name, reason=reason, score=score)
            recs.append((score, s.popularity, s.id, rec))
        recs.sort(key=lambda r: (-r[0], -r[1], r[2]))
        return [r[3] for r in recs[:limit]]


def _rank(entry: SourceEntry, words: list[str]) -> int:
    """Relevance of ``entry`` for every word (0 when some word matches nothing)."""
    name = entry.name.casefold()
    tags = [t.casefold() for t in entry.tags]
    total = 0
    for w in words:
        if name.startswith(w) or entry.id.startswith(w):
            score = 100
        elif w in name or w in entry.id:
            score = 80
        elif w in tags:
            score = 60
        elif any(w in t for t in tags):
            score = 50
        elif w in entry.category.casefold():
            score = 40
        elif w in entry.description.casefold():
            score = 20
        else:
            return 0
        total += score
    return total


__all__ = [
    "BUSINESS_TYPES",
    "CATALOGUE_ENV",
    "DEFAULT_PATH",
    "Catalogue",
    "business_type_name",
    "parse_catalogue",
]

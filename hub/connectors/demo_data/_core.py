"""The machinery behind the demo streams: seeds, value pools, vectorised column makers, schema helpers.

How a demo stream is made:

* Every stream of every source is a `StreamDef`: a hand-written JSON Schema, its primary key, cursor
  field, a fixed size (``estimated_rows``) and a *builder* ``build(g: Gen) -> Columns`` that returns the
  first ``g.n`` rows as columns (lists or numpy arrays, one per schema property; keys starting with ``_``
  are private helpers for other streams and never emitted).
* Randomness comes from one numpy ``Generator`` per column, seeded from
  ``sha256("tenant|source|stream|seed|column")`` (never ``hash()``, which is salted per process). numpy
  draws element after element, so the first ``k`` values of a column do not depend on how many rows
  were asked for: ``read(10)`` is a prefix of ``read(100)``. Nothing may sort or shuffle across rows.
* Rows are in cursor order. Row ``i`` of a stream with ``N`` rows happens at about ``i/N`` of the
  stream's time span, which ends at `ANCHOR` (a fixed instant, so the data never changes under a test).
* A child row refers to a parent that already existed at that time (`Gen.ref`). Parent streams start
  earlier than their children (a shop that imported its customers, a CRM with accounts before the first
  deal): a *head start* share of the parents exists before the first child row, so the first rows of a
  child stream name many different parents instead of the first one or two. The first `PREVIEW_ROWS`
  child rows pick among the first `PREVIEW_ROWS` parents and row ``i`` after them among the first
  ``i + 1`` at most, so the first ``k`` orders (``k`` >= `PREVIEW_ROWS`) only refer to customers among
  the first ``k`` customers and a preview of both streams joins.
* Value pools (names, companies, cities, words) are built with Faker once per locale and sampled with
  numpy; Faker is never called per row.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from faker import Faker

Columns = dict[str, Any]
Schema = dict[str, Any]

#: The instant every demo timeline ends at (fixed, so the same seed always gives the same records).
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
ANCHOR_TS = ANCHOR.timestamp()
DAY = 86_400.0
#: How many records the product's Data preview shows; the first this many rows of a child stream pick
#: their parents among this many parents (so they are spread out and a preview of both streams joins).
PREVIEW_ROWS = 100

# --------------------------------------------------------------------------- schema helpers
# Schemas are written by hand per stream with these small helpers (they only spell JSON Schema).

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def _t(kind: str, null: bool, **extra: Any) -> Schema:
    out: Schema = {"type": ["null", kind] if null else kind}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def S(
    fmt: str | None = None,
    *,
    null: bool = False,
    enum: Sequence[str] | None = None,
    pattern: str | None = None,
) -> Schema:
    """A string (optionally with a ``format``: date-time, date, email, uri, uuid)."""
    values = [*enum, None] if (enum is not None and null) else (list(enum) if enum else None)
    return _t("string", null, format=fmt, enum=values, pattern=pattern)


def I(*, null: bool = False, minimum: int | None = None) -> Schema:  # noqa: E743
    """An integer."""
    return _t("integer", null, minimum=minimum)


def N(*, null: bool = False, minimum: float | None = None) -> Schema:
    """A number."""
    return _t("number", null, minimum=minimum)


def B(*, null: bool = False) -> Schema:
    """A boolean."""
    return _t("boolean", null)


def O(props: dict[str, Schema], *, null: bool = False, optional: Sequence[str] = ()) -> Schema:  # noqa: E743
    """An object whose properties are all present (except ``optional``); no other properties."""
    out = _t("object", null, properties=props)
    out["required"] = [k for k in props if k not in optional]
    out["additionalProperties"] = False
    return out


def A(items: Schema, *, null: bool = False) -> Schema:
    """An array of ``items``."""
    return _t("array", null, items=items)


def MAP(values: Schema | None = None, *, null: bool = False) -> Schema:
    """An object with free keys (e.g. custom fields)."""
    out = _t("object", null)
    out["additionalProperties"] = values if values is not None else True
    return out


def stream_schema(props: dict[str, Schema], *, title: str = "") -> Schema:
    """A stream's record schema: Draft 7, every property present, nothing else."""
    out: Schema = {"$schema": DRAFT7, "type": "object"}
    if title:
        out["title"] = title
    out["properties"] = props
    out["required"] = list(props)
    out["additionalProperties"] = False
    return out


# --------------------------------------------------------------------------- stream definitions


@dataclass(frozen=True)
class StreamDef:
    """One demo stream: schema, keys, size and the builder that makes its rows."""

    name: str
    schema: Schema
    build: Callable[[Gen], Columns]
    primary_key: tuple[str, ...] = ("id",)
    cursor_field: str | None = None
    rows: int = 1000
    namespace: str | None = None
    description: str = ""
    #: when set, the exact size follows from other streams (e.g. order items from orders): ``rows`` is
    #: then only the estimate shown before it is computed.
    rows_fn: Callable[[World], int] | None = None

    @cached_property
    def _schema_pickle(self) -> bytes:
        return pickle.dumps(self.schema, protocol=pickle.HIGHEST_PROTOCOL)

    def schema_copy(self) -> Schema:
        """A fresh deep copy of ``schema``, made in C from a pickle made once (our own bytes, never input).

        About twice as fast as parsing the schema's JSON text and several times faster than
        `copy.deepcopy`; callers may change the copy freely.
        """
        return pickle.loads(self._schema_pickle)  # noqa: S301 - bytes made by this process from code


@dataclass
class SourceDef:
    """The demo streams of one catalogue source, in the catalogue's order."""

    id: str
    streams: dict[str, StreamDef]
    #: the demo account shown in rows when the config does not name one (``{tenant}`` is replaced).
    default_account: str = "{tenant}"

    @classmethod
    def of(cls, source_id: str, *streams: StreamDef, default_account: str = "{tenant}") -> SourceDef:
        """Build from stream definitions."""
        return cls(source_id, {s.name: s for s in streams}, default_account)


# --------------------------------------------------------------------------- seeding


def seed_int(*parts: object) -> int:
    """A 128-bit seed from sha256 over the parts joined with ``|`` (stable across processes)."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def rng_for(*parts: object) -> np.random.Generator:
    """A numpy Generator seeded from `seed_int`."""
    return np.random.Generator(np.random.PCG64(seed_int(*parts)))


# --------------------------------------------------------------------------- value pools

_FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me", "aol.com"]
_FREE_MAIL_P = [0.45, 0.12, 0.14, 0.12, 0.08, 0.05, 0.04]

#: Real places (city, region, country, ISO code, IANA time zone) so analytics and addresses read right.
PLACES: list[tuple[str, str, str, str, str]] = [
    ("New York", "New York", "United States", "US", "America/New_York"),
    ("Brooklyn", "New York", "United States", "US", "America/New_York"),
    ("Los Angeles", "California", "United States", "US", "America/Los_Angeles"),
    ("San Francisco", "California", "United States", "US", "America/Los_Angeles"),
    ("San Diego", "California", "United States", "US", "America/Los_Angeles"),
    ("Seattle", "Washington", "United States", "US", "America/Los_Angeles"),
    ("Portland", "Oregon", "United States", "US", "America/Los_Angeles"),
    ("Denver", "Colorado", "United States", "US", "America/Denver"),
    ("Boulder", "Colorado", "United States", "US", "America/Denver"),
    ("Austin", "Texas", "United States", "US", "America/Chicago"),
    ("Dallas", "Texas", "United States", "US", "America/Chicago"),
    ("Chicago", "Illinois", "United States", "US", "America/Chicago"),
    ("Minneapolis", "Minnesota", "United States", "US", "America/Chicago"),
    ("Boston", "Massachusetts", "United States", "US", "America/New_York"),
    ("Atlanta", "Georgia", "United States", "US", "America/New_York"),
    ("Miami", "Florida", "United States", "US", "America/New_York"),
    ("Salt Lake City", "Utah", "United States", "US", "America/Denver"),
    ("Phoenix", "Arizona", "United States", "US", "America/Phoenix"),
    ("Burlington", "Vermont", "United States", "US", "America/New_York"),
    ("Toronto", "Ontario", "Canada", "CA", "America/Toronto"),
    ("Vancouver", "British Columbia", "Canada", "CA", "America/Vancouver"),
    ("Montreal", "Quebec", "Canada", "CA", "America/Toronto"),
    ("London", "England", "United Kingdom", "GB", "Europe/London"),
    ("Manchester", "England", "United Kingdom", "GB", "Europe/London"),
    ("Edinburgh", "Scotland", "United Kingdom", "GB", "Europe/London"),
    ("Dublin", "County Dublin", "Ireland", "IE", "Europe/Dublin"),
    ("Berlin", "Berlin", "Germany", "DE", "Europe/Berlin"),
    ("Munich", "Bavaria", "Germany", "DE", "Europe/Berlin"),
    ("Paris", "Ile-de-France", "France", "FR", "Europe/Paris"),
    ("Amsterdam", "North Holland", "Netherlands", "NL", "Europe/Amsterdam"),
    ("Stockholm", "Stockholm County", "Sweden", "SE", "Europe/Stockholm"),
    ("Madrid", "Community of Madrid", "Spain", "ES", "Europe/Madrid"),
    ("Sydney", "New South Wales", "Australia", "AU", "Australia/Sydney"),
    ("Melbourne", "Victoria", "Australia", "AU", "Australia/Melbourne"),
    ("Auckland", "Auckland", "New Zealand", "NZ", "Pacific/Auckland"),
    ("Tokyo", "Tokyo", "Japan", "JP", "Asia/Tokyo"),
    ("Singapore", "Singapore", "Singapore", "SG", "Asia/Singapore"),
    ("Sao Paulo", "Sao Paulo", "Brazil", "BR", "America/Sao_Paulo"),
    ("Mexico City", "Mexico City", "Mexico", "MX", "America/Mexico_City"),
    ("Bengaluru", "Karnataka", "India", "IN", "Asia/Kolkata"),
]
#: Heavier weight on the home market (the first 19 places are in the United States).
PLACE_P = np.array(
    [6, 3, 5, 4, 2, 4, 3, 3, 1, 3, 2, 4, 2, 3, 2, 2, 1, 1, 1]
    + [2] * 3
    + [3, 1, 1, 1]
    + [2, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1],
    dtype=float,
)
PLACE_P /= PLACE_P.sum()


def _ascii_slug(text: str, sep: str = "") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", sep, plain).strip(sep)


_UUIDISH = re.compile(r"^[0-9a-fA-F-]{16,}$")


@lru_cache(maxsize=1024)
def account_slug(tenant: str) -> str:
    """The name demo accounts are built from: the tenant's slug, or ``demo`` for an opaque id (a UUID)."""
    slug = _ascii_slug(tenant, "-")
    if not slug or _UUIDISH.match(tenant) or len(slug) > 30:
        return "demo"
    return slug


@dataclass(frozen=True)
class Pools:
    """Value pools built once with Faker (per locale); sampled with numpy."""

    first_names: np.ndarray
    last_names: np.ndarray
    companies: np.ndarray
    company_domains: np.ndarray
    job_titles: np.ndarray
    streets: np.ndarray
    postcodes: np.ndarray
    sentences: np.ndarray
    words: np.ndarray
    catch_phrases: np.ndarray
    user_agents: np.ndarray = field(repr=False)
    #: ASCII, lower-case forms of the names, for e-mail addresses (same order as the names).
    first_slugs: np.ndarray = field(default_factory=lambda: np.array([], dtype=object), repr=False)
    last_slugs: np.ndarray = field(default_factory=lambda: np.array([], dtype=object), repr=False)


def _unique(values: list[str], limit: int) -> np.ndarray:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
        if len(seen) >= limit:
            break
    return np.array(list(seen), dtype=object)


_POOLS_LOCK = threading.Lock()


def pools(locale: str = "en_US") -> Pools:
    """The value pools for ``locale`` (built once per process; tenant-neutral, from a fixed Faker seed).

    Building takes about 0.4 s. A caller that arrives while another thread builds them (a server's
    warm-up, see `Hub.warm_up`) waits for that build instead of making its own.
    """
    with _POOLS_LOCK:
        return _build_pools(locale)


@lru_cache(maxsize=4)
def _build_pools(locale: str) -> Pools:
    fake = Faker(locale)
    fake.seed_instance(20261101)
    companies = _unique([fake.company() for _ in range(900)], 600)
    # A company's domain follows from its name, so e-mails and websites agree with it.
    tlds = [".com", ".com", ".com", ".io", ".co", ".net"]
    domains = np.array(
        [
            _ascii_slug(c.split(",")[0].replace(" and ", " "), "")[:24] + tlds[i % len(tlds)]
            for i, c in enumerate(companies)
        ],
        dtype=object,
    )
    first = _unique([fake.first_name() for _ in range(2500)], 700)
    last = _unique([fake.last_name() for _ in range(2500)], 700)
    return Pools(
        first_names=first,
        last_names=last,
        companies=companies,
        company_domains=domains,
        job_titles=_unique([fake.job() for _ in range(800)], 300),
        streets=_unique([fake.street_address() for _ in range(700)], 500),
        postcodes=_unique([fake.postcode() for _ in range(600)], 400),
        sentences=_unique([fake.sentence(nb_words=10) for _ in range(500)], 400),
        words=_unique([fake.word() for _ in range(1500)], 600),
        catch_phrases=_unique([fake.catch_phrase() for _ in range(500)], 400),
        user_agents=_unique([fake.user_agent() for _ in range(200)], 100),
        first_slugs=np.array([_ascii_slug(x) or "user" for x in first], dtype=object),
        last_slugs=np.array([_ascii_slug(x) or "user" for x in last], dtype=object),
    )


# --------------------------------------------------------------------------- generation context

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UPPER_ALNUM = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_SF_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)


def chars(rng: np.random.Generator, n: int, k: int, alphabet: np.ndarray = _B62) -> list[str]:
    """``n`` random strings of ``k`` characters from ``alphabet`` (vectorised)."""
    if n == 0:
        return []
    text = alphabet[rng.integers(0, len(alphabet), size=(n, k))].tobytes().decode("ascii")
    return [text[i : i + k] for i in range(0, n * k, k)]


def iso(ts: np.ndarray, *, offset_hours: float = 0.0, ms: bool = False, z: bool = True) -> list[str]:
    """Unix seconds -> ISO 8601 strings: ``...Z`` (UTC) or with a fixed ``±HH:MM`` offset."""
    if len(ts) == 0:
        return []
    local = ts + offset_hours * 3600.0
    if ms:
        arr = np.datetime_as_string((local * 1000).astype("int64").astype("datetime64[ms]"), unit="ms")
    else:
        arr = np.datetime_as_string(local.astype("int64").astype("datetime64[s]"), unit="s")
    if offset_hours == 0 and z:
        suffix = "Z"
    else:
        sign = "-" if offset_hours < 0 else "+"
        h, m = divmod(round(abs(offset_hours) * 60), 60)
        suffix = f"{sign}{h:02d}:{m:02d}"
    return [s + suffix for s in arr.tolist()]


def dates(ts: np.ndarray, *, compact: bool = False) -> list[str]:
    """Unix seconds -> ``YYYY-MM-DD`` (or ``YYYYMMDD`` when ``compact``)."""
    if len(ts) == 0:
        return []
    arr = np.datetime_as_string(ts.astype("int64").astype("datetime64[s]").astype("datetime64[D]"), unit="D")
    out: list[str] = arr.tolist()
    return [s.replace("-", "") for s in out] if compact else out


def money(cents: np.ndarray | Sequence[int]) -> list[str]:
    """Integer cents -> strings with two decimals, like Shopify's and WooCommerce's APIs ("19.90").

    ``f"{c / 100:.2f}"`` is exact for integer cents: the float's error is far below half a cent.
    """
    values = cents.tolist() if isinstance(cents, np.ndarray) else list(cents)
    return [f"{c / 100:.2f}" for c in values]


def sf_ids(prefix: str, numbers: np.ndarray, pod: str = "5g") -> list[str]:
    """Salesforce 18-character ids: 3-character key prefix, pod, a base-62 record number, checksum.

    The last three characters are Salesforce's real case-safe suffix: for each block of five
    characters, a bit per upper-case letter, mapped to ``A-Z0-5``.
    """
    n = len(numbers)
    if n == 0:
        return []
    digits = np.empty((n, 7), dtype=np.int64)
    rest = numbers.astype(np.int64).copy()
    for pos in range(6, -1, -1):
        digits[:, pos] = rest % 62
        rest //= 62
    head = np.frombuffer((prefix + pod + "000").encode(), dtype=np.uint8)
    body = np.concatenate([np.broadcast_to(head, (n, len(head))), _B62[digits]], axis=1)  # 15 chars
    upper = (body >= ord("A")) & (body <= ord("Z"))
    weights = np.array([1, 2, 4, 8, 16], dtype=np.int64)
    suffix = np.stack(
        [_SF_SUFFIX[(upper[:, b * 5 : (b + 1) * 5] * weights).sum(axis=1)] for b in range(3)], axis=1
    )
    text = np.concatenate([body, suffix], axis=1).astype(np.uint8).tobytes().decode("ascii")
    return [text[i : i + 18] for i in range(0, n * 18, 18)]


def email_local(first: Sequence[str], last: Sequence[str], style: np.ndarray, num: np.ndarray) -> list[str]:
    """The local part of personal e-mail addresses in a few common styles (``first``/``last`` are slugs)."""
    out = []
    for f, la, s, d in zip(first, last, style.tolist(), num.tolist(), strict=True):
        if s == 0:
            out.append(f"{f}.{la}")
        elif s == 1:
            out.append(f"{f}{la}{d}")
        elif s == 2:
            out.append(f"{f[0]}{la}")
        elif s == 3:
            out.append(f"{f}_{la}{d}")
        else:
            out.append(f"{f}.{la}{d}")
    return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built.

    Building 100,000 orders makes about a million new dicts and lists; the collector's full passes over
    them cost about a third of the time, and these records hold no reference cycles for it to find.
    Reference counting still frees everything as usual; the collector is resumed (if it was running).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- stream sizes, process-wide

#: How many stream sizes the process keeps (a few ints per (tenant, source, seed, account); LRU beyond).
SIZE_CACHE_MAX = 4096

_SIZES: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_SIZES_LOCK = threading.Lock()


def _cached_size(key: tuple[Any, ...]) -> int | None:
    with _SIZES_LOCK:
        size = _SIZES.get(key)
        if size is not None:
            _SIZES.move_to_end(key)
        return size


def _store_size(key: tuple[Any, ...], size: int) -> None:
    with _SIZES_LOCK:
        _SIZES[key] = size
        _SIZES.move_to_end(key)
        while len(_SIZES) > SIZE_CACHE_MAX:
            _SIZES.popitem(last=False)


def clear_size_cache() -> None:
    """Forget every cached stream size (benchmarks use it to time a cold discover)."""
    with _SIZES_LOCK:
        _SIZES.clear()


def size_cache_len() -> int:
    """How many stream sizes are cached in this process."""
    with _SIZES_LOCK:
        return len(_SIZES)


class World:
    """Everything one demo connector generates: per (tenant, source, seed), memoising the columns.

    The columns and the memo live as long as the world (one connector). Sizes of streams whose size
    follows from other streams (``StreamDef.rows_fn``, e.g. Stripe's charges need the whole billing
    simulation) are also kept process-wide, so a fresh connector's ``discover`` is cheap: the service
    builds a new connector for every connect, retest and preview. That cache is safe to share across
    tenants and threads: it holds only ints computed deterministically from the tenant id, source, seed
    and account (synthetic data, no secrets), is bounded (`SIZE_CACHE_MAX`, least recently used out),
    and another replica or a restart recomputes exactly the same values.
    """

    def __init__(
        self, source: SourceDef, *, tenant: str, seed: int, account: str | None = None, locale: str = "en_US"
    ) -> None:
        self.source = source
        self.tenant = tenant
        self.seed = seed
        self.locale = locale
        self.account = account or source.default_account.format(tenant=account_slug(tenant))
        self._cache: dict[str, Columns] = {}
        self._memo: dict[str, Any] = {}

    @cached_property
    def _size_key(self) -> tuple[Any, ...]:
        """What a computed size depends on (made on first use: most streams have a fixed size).

        The source's streams (their sizes and the code that builds them, by identity), the seeds and the
        account. A test's ad-hoc SourceDef with a known id but other builders never shares an entry with
        the real one.
        """
        source = self.source
        shape = tuple((s.name, s.rows, s.build, s.rows_fn) for s in source.streams.values())
        return (source.id, shape, self.tenant, self.seed, self.account, self.locale)

    @property
    def pools(self) -> Pools:
        """The Faker value pools for this world's locale."""
        return pools(self.locale)

    def rng(self, stream: str, column: str) -> np.random.Generator:
        """The generator for one column of one stream."""
        return rng_for(self.tenant, self.source.id, stream, self.seed, column)

    def columns(self, stream: str, n: int) -> Columns:
        """At least the first ``n`` rows of ``stream`` as columns (memoised; rows beyond ``n`` may follow)."""
        sdef = self.source.streams[stream]
        n = min(n, self.rows(stream))
        have = self._cache.get(stream)
        if have is not None and have["_n"] >= n:
            return have
        cols = sdef.build(Gen(self, sdef, n))
        cols["_n"] = n
        self._cache[stream] = cols
        return cols

    def rows(self, stream: str) -> int:
        """The exact number of records ``stream`` has in this world."""
        sdef = self.source.streams[stream]
        rows_fn = sdef.rows_fn
        if rows_fn is None:
            return sdef.rows
        return int(self.memo(f"rows:{stream}", lambda: self._derived_rows(stream, rows_fn)))

    def _derived_rows(self, stream: str, rows_fn: Callable[[World], int]) -> int:
        key = (*self._size_key, stream)
        size = _cached_size(key)
        if size is None:
            size = int(rows_fn(self))
            _store_size(key, size)
        return size

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """A per-world memo for values several streams share (e.g. the whole order book's totals)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def records(self, stream: str, n: int) -> list[dict[str, Any]]:
        """The first ``n`` records of ``stream`` (at most its size)."""
        sdef = self.source.streams[stream]
        n = min(max(n, 0), self.rows(stream))
        if n == 0:
            return []
        with gc_paused():
            return self._records(sdef, n)

    def _records(self, sdef: StreamDef, n: int) -> list[dict[str, Any]]:
        cols = self.columns(sdef.name, n)
        keys = list(sdef.schema["properties"])
        values = []
        for k in keys:
            col = cols[k]
            if isinstance(col, np.ndarray):
                col = col[:n].tolist()
            elif isinstance(col, (str, int, float, bool)) or col is None:
                col = [col] * n
            else:
                col = col[:n]
            values.append(col)
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


class Gen:
    """The context a stream builder gets: ``n`` rows to make, one seeded RNG per column, helpers."""

    def __init__(self, world: World, sdef: StreamDef, n: int, *, rows: int | None = None) -> None:
        self.world = world
        self.sdef = sdef
        self.n = n
        #: the stream's size (pass ``rows`` when computing that size needs this very Gen)
        self.N = world.rows(sdef.name) if rows is None else rows
        self.idx = np.arange(n, dtype=np.int64)

    # -- randomness
    def rng(self, column: str) -> np.random.Generator:
        """A generator for ``column`` of this stream (independent of every other column)."""
        return self.world.rng(self.sdef.name, column)

    def scalar(self, column: str, lo: int, hi: int) -> int:
        """One stream-level random integer in [lo, hi) (e.g. where an id sequence starts)."""
        return int(self.world.rng("_scalar", f"{self.sdef.name}.{column}").integers(lo, hi))

    def ints(self, column: str, lo: int, hi: int, n: int | None = None) -> np.ndarray:
        """Uniform integers in [lo, hi)."""
        return self.rng(column).integers(lo, hi, size=self.n if n is None else n)

    def uniform(self, column: str, lo: float = 0.0, hi: float = 1.0, n: int | None = None) -> np.ndarray:
        """Uniform floats in [lo, hi)."""
        return self.rng(column).uniform(lo, hi, size=self.n if n is None else n)

    def lognormal(self, column: str, median: float, sigma: float, n: int | None = None) -> np.ndarray:
        """Log-normal values with the given median (skewed like prices, revenues, durations)."""
        return self.rng(column).lognormal(np.log(median), sigma, size=self.n if n is None else n)

    def bools(self, column: str, p: float, n: int | None = None) -> np.ndarray:
        """True with probability ``p``."""
        return self.rng(column).random(self.n if n is None else n) < p

    def pick(
        self, column: str, options: Sequence[Any], p: Sequence[float] | None = None, n: int | None = None
    ) -> list[Any]:
        """Values drawn from ``options`` (with weights ``p``; normalised)."""
        idx = self.pick_idx(column, len(options), p, n)
        arr = np.empty(len(options), dtype=object)
        arr[:] = list(options)
        return arr[idx].tolist()

    def pick_idx(
        self, column: str, k: int, p: Sequence[float] | None = None, n: int | None = None
    ) -> np.ndarray:
        """Indices in [0, k) (with weights ``p``)."""
        size = self.n if n is None else n
        rng = self.rng(column)
        if p is None:
            return rng.integers(0, k, size=size)
        w = np.asarray(p, dtype=float)
        cdf = np.cumsum(w / w.sum())
        return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), k - 1)

    def pool(self, column: str, name: str, n: int | None = None) -> list[Any]:
        """Values from a Faker pool (`Pools` attribute ``name``)."""
        arr: np.ndarray = getattr(self.world.pools, name)
        return arr[self.ints(column, 0, len(arr), n)].tolist()

    def nulls(self, column: str, values: Sequence[Any] | np.ndarray, p_null: float) -> list[Any]:
        """``values`` with about ``p_null`` of them replaced by None."""
        vals = values.tolist() if isinstance(values, np.ndarray) else list(values)
        mask = self.bools(column, p_null, len(vals)).tolist()
        return [None if m else v for v, m in zip(vals, mask, strict=True)]

    # -- identifiers
    def seq_ids(self, column: str, start_lo: int, start_hi: int, gap: int = 1) -> np.ndarray:
        """Ascending integer ids: a tenant-specific start plus random positive gaps (< ``gap``+1)."""
        start = self.scalar(column, start_lo, start_hi)
        if gap <= 1:
            return start + self.idx
        return start + np.cumsum(self.ints(column, 1, gap + 1))

    def b62(self, column: str, k: int, prefix: str = "", n: int | None = None) -> list[str]:
        """Random base-62 ids such as Stripe's ``ch_3Nc...`` (``prefix`` + ``k`` characters)."""
        out = chars(self.rng(column), self.n if n is None else n, k, _B62)
        return [prefix + s for s in out] if prefix else out

    def hexes(self, column: str, k: int, n: int | None = None) -> list[str]:
        """Random lowercase hex strings of length ``k``."""
        return chars(self.rng(column), self.n if n is None else n, k, _HEX)

    def upper_ids(self, column: str, prefix: str, k: int, n: int | None = None) -> list[str]:
        """Upper-case alphanumeric ids such as Slack's ``C04AB12CD3``."""
        return [prefix + s for s in chars(self.rng(column), self.n if n is None else n, k, _UPPER_ALNUM)]

    def uuids(self, column: str, n: int | None = None) -> list[str]:
        """Random version-4 UUID strings."""
        out = []
        for h in self.hexes(column, 32, n):
            variant = "89ab"[int(h[16], 16) & 3]
            out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
        return out

    # -- time
    def timeline(
        self, column: str = "created", span_days: float = 730.0, *, end: float = ANCHOR_TS
    ) -> np.ndarray:
        """Ascending Unix seconds: row i at about i/N of a span ending at ``end`` (cursor order)."""
        span = span_days * DAY
        jitter = self.uniform(column)
        return end - span + span * (self.idx + jitter) / self.N

    def later(
        self, column: str, base: np.ndarray, max_days: float, *, p_same: float = 0.0, end: float = ANCHOR_TS
    ) -> np.ndarray:
        """A time after ``base`` (e.g. updated_at), at most ``max_days`` later and not after ``end``.

        A change that would fall after ``end`` lands somewhere between ``base`` and ``end`` instead, so
        recent rows do not pile up on the anchor instant.
        """
        size = len(base)
        delta = self.rng(column).exponential(max_days * DAY / 4, size=size)
        delta = np.minimum(delta, max_days * DAY)
        room = np.maximum(end - base, 0.0)
        delta = np.where(delta > room, room * self.uniform(column + ":clip", 0.05, 0.95, size), delta)
        if p_same:
            delta = np.where(self.bools(column + ":same", p_same, size), 0.0, delta)
        return base + delta

    # -- relations
    def ref(
        self,
        column: str,
        parent_rows: int,
        *,
        n: int | None = None,
        skew: float = 1.0,
        head: float = 0.0,
        window: int = PREVIEW_ROWS,
    ) -> np.ndarray:
        """Indices of parents that existed when each row happened.

        ``head`` is the share of the parents created before this stream's first row (see `head_start`:
        the parent stream's timeline starts earlier and ends at the same instant). Row ``i`` then picks
        uniformly (or, with ``skew`` > 1, favouring recent parents: repeat buyers, active accounts) among
        the first ``min(existing(i), max(i + 1, window))`` parents, where ``existing(i)`` is how many
        parents were created before row ``i``'s earliest possible time. So every pick existed before the
        row, the first ``window`` rows name many different parents, and the first ``k >= window`` rows
        only name parents among the first ``k`` (a preview of both streams joins).
        """
        size = self.n if n is None else n
        idx = self.idx if n is None else np.arange(size, dtype=np.int64)
        share = head + (1.0 - head) * idx / self.N
        existing = np.floor(share * parent_rows).astype(np.int64)
        upto = np.clip(np.minimum(existing, np.maximum(idx + 1, window)), 1, parent_rows)
        u = self.uniform(column, n=size)
        if skew != 1.0:
            u = 1.0 - (1.0 - u) ** skew
        return np.minimum((u * upto).astype(np.int64), upto - 1)

    def parent(self, stream: str, upto: int) -> Columns:
        """The columns of another stream of the same source, for at least ``upto`` rows."""
        return self.world.columns(stream, max(int(upto), 1))

    def people(
        self, column: str, n: int | None = None, *, domain: list[str] | None = None, work_share: float = 0.25
    ) -> tuple[list[str], list[str], list[str]]:
        """First names, last names and matching e-mail addresses.

        Addresses use free mail domains, except ``work_share`` of them (or all, when ``domain`` is given)
        which use the given per-row company domains.
        """
        size = self.n if n is None else n
        p = self.world.pools
        fi = self.ints(column + ":first", 0, len(p.first_names), size)
        li = self.ints(column + ":last", 0, len(p.last_names), size)
        first, last = p.first_names[fi].tolist(), p.last_names[li].tolist()
        style = self.ints(column + ":style", 0, 5, size)
        num = self.ints(column + ":num", 1, 99, size)
        local = email_local(p.first_slugs[fi].tolist(), p.last_slugs[li].tolist(), style, num)
        free = self.pick(column + ":mail", _FREE_MAIL, _FREE_MAIL_P, size)
        if domain is not None:
            doms = domain
        else:
            work = self.bools(column + ":work", work_share, size).tolist()
            company = self.pool(column + ":company", "company_domains", size)
            doms = [c if w else f for c, w, f in zip(company, work, free, strict=True)]
        emails = [f"{lo}@{d}" for lo, d in zip(local, doms, strict=True)]
        return first, last, emails

    def phones(self, column: str, n: int | None = None, *, e164: bool = True) -> list[str]:
        """North American phone numbers (555 exchange, so none is a real subscriber's)."""
        size = self.n if n is None else n
        area = self.pick(
            column + ":area", [212, 303, 312, 415, 503, 512, 617, 646, 720, 206, 305, 802], n=size
        )
        line = self.ints(column + ":line", 100, 200, size).tolist()  # 555-0100..0199: reserved for fiction
        if e164:
            return [f"+1{a}555{ln:04d}" for a, ln in zip(area, line, strict=True)]
        return [f"({a}) 555-{ln:04d}" for a, ln in zip(area, line, strict=True)]

    def places(self, column: str, n: int | None = None) -> np.ndarray:
        """Indices into `PLACES` (weighted towards the home market)."""
        return self.pick_idx(column, len(PLACES), PLACE_P.tolist(), n)


def head_start(span_days: float, parent_span_days: float) -> float:
    """The share of a parent stream created before a child stream's first row (for `Gen.ref`).

    Both timelines end at the same instant; the parent's is ``parent_span_days`` long, the child's
    ``span_days``, so the parents of the first ``1 - span/parent_span`` of the parent timeline predate
    every child row.
    """
    return max(0.0, 1.0 - span_days / parent_span_days)


def col(values: Sequence[Any], idx: np.ndarray) -> list[Any]:
    """``values[idx]`` for a list or array, as a list."""
    if isinstance(values, np.ndarray):
        return values[idx].tolist()
    return [values[i] for i in idx.tolist()]


def place_field(idx: np.ndarray, field_no: int) -> list[str]:
    """One field of `PLACES` (0 city, 1 region, 2 country, 3 ISO code, 4 time zone) for each index."""
    table = np.array([p[field_no] for p in PLACES], dtype=object)
    return table[idx].tolist()

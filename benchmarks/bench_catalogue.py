"""Catalogue load + validate, recommendations and search, beside a plain ``json.load`` of the same file."""

from __future__ import annotations

import json

from benchmarks._harness import Report, median_seconds, sized
from hub.catalogue import BUSINESS_TYPES, DEFAULT_PATH, Catalogue


def run(report: Report) -> None:
    def plain_json() -> object:
        with DEFAULT_PATH.open(encoding="utf-8") as fh:
            return json.load(fh)

    baseline = median_seconds(plain_json, repeat=50, warmup=3)
    report.add("json.load of data/mock_sources.json", baseline, note="baseline: no validation")
    load = median_seconds(lambda: Catalogue.load(DEFAULT_PATH), repeat=50, warmup=3)
    report.add(f"Catalogue.load (read + validate {len(Catalogue.bundled())} entries)", load,
               baseline="json.load", baseline_seconds=baseline)
    fallback = median_seconds(lambda: Catalogue.load_or_fallback(DEFAULT_PATH.with_name("missing.json")),
                              repeat=50, warmup=3)
    report.add("Catalogue.load, file missing -> bundled copy", fallback, baseline="json.load",
               baseline_seconds=baseline)

    catalogue = Catalogue.load(DEFAULT_PATH)
    for slug in BUSINESS_TYPES:
        secs = median_seconds(lambda slug=slug: catalogue.recommend(slug), repeat=200, warmup=10)
        report.add(f"recommend({slug})", secs, baseline="json.load", baseline_seconds=baseline)
    every = median_seconds(lambda: [catalogue.recommend(s) for s in BUSINESS_TYPES], repeat=100, warmup=5)
    report.add("recommend, all 6 business types", every, baseline="json.load", baseline_seconds=baseline)

    for query in ("shopify", "crm deals", "payments", "blockchain"):
        secs = median_seconds(lambda q=query: catalogue.search(q), repeat=200, warmup=10)
        report.add(f"search({query!r})", secs, baseline="json.load", baseline_seconds=baseline)
    secs = median_seconds(lambda: catalogue.search(category="Files"), repeat=200, warmup=10)
    report.add("search(category='Files')", secs, baseline="json.load", baseline_seconds=baseline)

    # Schema inference and typed frames, on 1,000 demo Shopify orders (nested customer and line items).
    import pandas as pd

    from hub.connectors import get_connector
    from hub.frames import to_dataframe
    from hub.schema import compare, infer_schema

    connector = get_connector(catalogue.get("shopify"), "demo")
    config = connector.validate({"account": "acme-outfitters.myshopify.com"})
    orders = next(s for s in connector.discover(config) if s.name == "orders")
    records = list(connector.read(config, "orders", limit=sized(1000, 20)))
    plain = median_seconds(lambda: pd.DataFrame(records), repeat=20, warmup=2)
    report.add("pd.DataFrame(1,000 orders)", plain, note="baseline: untyped frame")
    infer = median_seconds(lambda: infer_schema(records), repeat=20, warmup=2)
    report.add("infer_schema(1,000 orders)", infer, baseline="pd.DataFrame", baseline_seconds=plain)
    inferred = infer_schema(records)
    cmp = median_seconds(lambda: compare(inferred, orders.json_schema), repeat=50, warmup=2)
    report.add("compare(inferred, declared) for orders", cmp, baseline="pd.DataFrame", baseline_seconds=plain)
    typed = median_seconds(lambda: to_dataframe(records, orders.json_schema), repeat=20, warmup=2)
    report.add("to_dataframe(1,000 orders, schema)", typed, baseline="pd.DataFrame", baseline_seconds=plain)

"""Use cases: the one place that runs the status machine, stores, encrypts and audits.

Faces (Streamlit pages, CLI, HTTP API) call these and nothing below them.

    hub = Hub.open(Settings.from_env())        # tenant-neutral; safe to share (st.cache_resource)
    acme = hub.tenant("acme")                  # bound to one tenant; every query carries it
    conn = acme.connect("shopify", {...}, actor="alice", mode="demo", on_step=print)
    acme.preview(conn.id, "orders", limit=100, actor="alice")

One module per job:

* `hub.services.hub` - `Hub`: opens storage, catalogue and keys; warm-up; hands out `TenantService`;
* `hub.services.accounts` - tenants, users, sign-in, API keys, the demo accounts; password and key hashing;
* `hub.services.keys` - key rotation;
* `hub.services.tenant` - `TenantService`: one tenant's use cases, made of
  `hub.services.connections` (connect and reconnect on one path, rename, disconnect, list),
  `hub.services.testing` (the testing step every connect ends with, re-test, an expired sign-in),
  `hub.services.files` (connect an uploaded file), `hub.services.health` (checks, health views) and
  `hub.services.previews` (streams and previews; the storage-free demo forms);
* `hub.services.scope` - what those share: the tenant, its store, a connection's stored config, the one
  stored and audited status change.

A connection's ``metadata`` (shown by the faces; never secrets) holds:

* ``config`` - the non-secret configuration (host, port, database, username, account, shop domain,
  scopes, ssl mode...); fields marked ``airbyte_secret`` live only in the encrypted config;
* ``streams`` - stream names found by the last successful check, ``stream_count``;
* ``sample_counts`` - records read per stream by the sample (up to `SAMPLE_LIMIT` each),
  ``records_sampled`` - their sum;
* ``estimated_rows`` - per stream, the connector's estimate (or null); ``total_records`` - the sum of
  the estimates, where a stream has none its sample count;
* ``check`` - ``{"message", "latency_ms"}`` of the last check;
* ``unreadable_streams`` - stream name -> why the last test could not read it (only when some could
  not; contracts.md).
"""

from __future__ import annotations

from hub.services.accounts import hash_api_key, hash_password
from hub.services.hub import Hub
from hub.services.previews import PREVIEW_MAX, demo_preview, demo_streams
from hub.services.probe import StepCallback
from hub.services.tenant import TenantService
from hub.services.testing import SAMPLE_LIMIT

__all__ = [
    "PREVIEW_MAX",
    "SAMPLE_LIMIT",
    "Hub",
    "StepCallback",
    "TenantService",
    "demo_preview",
    "demo_streams",
    "hash_api_key",
    "hash_password",
]

"""Unknown API keys from one client address get 429 with Retry-After after a burst (per API process)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from hub import Hub, Settings
from hub.api import create_app
from hub.api.limits import FailureLimiter
from tests.integration.api_support import make_key

WINDOW_S = 1.0


def _hub() -> Hub:
    hub = Hub.open(Settings.from_env(api_key_failure_burst=3, api_key_failure_window_s=WINDOW_S))
    hub.create_tenant("acme", name="Acme Outfitters", business_type="ecommerce")
    return hub


def test_a_burst_of_unknown_keys_gets_429_and_other_addresses_do_not() -> None:
    hub = _hub()
    good = make_key(hub, "acme", "ci")
    app = create_app(hub)
    bad = {"Authorization": "Bearer hub_not-a-real-key"}
    try:
        with (
            TestClient(app, client=("203.0.113.7", 50000)) as attacker,
            TestClient(app, client=("198.51.100.2", 50000)) as other,
        ):
            codes = [attacker.get("/api/airbyte/sources", headers=bad).status_code for _ in range(3)]
            assert codes == [401] * 3
            refused = attacker.get("/api/airbyte/sources", headers=bad)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW_S + 1
            assert "Try again in" in refused.json()["detail"]
            # the valid key from the same address waits too (guesses are not looked up while refused) ...
            assert attacker.get("/api/airbyte/sources", headers=good.headers).status_code == 429
            # ... while another address is not affected, bad or good
            assert other.get("/api/airbyte/sources", headers=bad).status_code == 401
            assert other.get("/api/airbyte/sources", headers=good.headers).status_code == 200
            time.sleep(WINDOW_S + 0.2)  # the window slides past the burst (a wait, not a timing assert)
            assert attacker.get("/api/airbyte/sources", headers=good.headers).status_code == 200
            assert attacker.get("/api/airbyte/sources", headers=bad).status_code == 401
    finally:
        hub.close()


def test_the_limiter_window_slides() -> None:
    clock = [100.0]
    limiter = FailureLimiter(2, 10, clock=lambda: clock[0])
    limiter.fail("a")
    clock[0] = 105
    limiter.fail("a")
    assert limiter.retry_after("a") == 5  # until the first failure is 10 s old
    assert limiter.retry_after("b") is None
    clock[0] = 110.5
    assert limiter.retry_after("a") is None  # one failure left in the window
    clock[0] = 116
    assert limiter.retry_after("a") is None and limiter._failures == {}  # forgotten when empty

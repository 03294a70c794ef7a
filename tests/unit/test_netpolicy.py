"""The host policy's rules on address literals (resolving a literal sends nothing; nothing connects here)."""

from __future__ import annotations

import pytest

from hub.exceptions import ConfigError
from hub.netpolicy import HostPolicy
from hub.settings import Settings

POOLER = "postgresql://postgres.hubproject:pw@127.0.0.1:6543/postgres"


def test_a_shared_pooler_stays_usable_for_other_projects_databases():
    policy = HostPolicy(Settings(database_url=POOLER, source_hosts="any"))
    ok = policy.resolve("127.0.0.1", 6543, database="postgres", username="postgres.otherproject")
    assert ok.addresses == ("127.0.0.1",)
    for user in ("postgres.hubproject", "postgres"):  # the hub's project, or a user that names none
        with pytest.raises(ConfigError, match="this hub's own database") as err:
            policy.resolve("127.0.0.1", 6543, database="postgres", username=user)
        assert err.value.field == "host"
    assert policy.resolve("127.0.0.1", 5432, database="postgres", username="postgres.hubproject").addresses


def test_this_machine_counts_as_the_hubs_host_whatever_loopback_or_unspecified_address_names_it():
    policy = HostPolicy(Settings(database_url="postgresql://u@localhost/hub", source_hosts="any"))
    for host in ("127.0.0.1", "127.0.0.2", "::1", "0.0.0.0", "::ffff:127.0.0.1"):
        with pytest.raises(ConfigError, match="own database"):
            policy.resolve(host, 5432, database="hub")
        assert policy.resolve(host, 5432, database="shop").addresses


@pytest.mark.parametrize("host", ["2002:a01:203::1", "2002:7f00:1::1"])
def test_6to4_addresses_are_judged_by_the_ipv4_address_inside(host):
    with pytest.raises(ConfigError, match=r"\((10\.1\.2\.3|127\.0\.0\.1)\)"):
        HostPolicy(Settings(source_hosts="public")).resolve(host, 5432)


def test_urls_go_through_the_same_policy():
    policy = HostPolicy(Settings(source_hosts="public"))
    with pytest.raises(ConfigError, match="a loopback address") as err:
        policy.resolve_url("https://127.0.0.1:8443/hook", field="webhook_url")
    assert err.value.field == "webhook_url"
    with pytest.raises(ConfigError, match="not an http"):
        policy.resolve_url("file:///etc/passwd")
    assert HostPolicy(Settings(source_hosts="any")).resolve_url("http://127.0.0.1/x").port == 80

"""The fault injector's draws on their own (faults.FaultInjector): which fault, how often, and what it carries.

test_faults.py shows each fault over HTTP; these hold the decisions a
client's resilience tests rely on: each rate is the share of requests that
meet its fault, the bands never overlap, a rate of 0 draws nothing (so
turning one kind of fault on does not reshuffle the others), and a planned
delivery cuts or stalls strictly inside the body.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from dataarts_emulator import EmulatorSettings
from dataarts_emulator.exceptions import INJECTED_SERVER_ERRORS, ConnectionReset, EmulatorError, ProxyPage, Throttled
from dataarts_emulator.faults import PLAIN, Delivery, FaultInjector

REQUESTS = 4000


def faults(count: int = REQUESTS, **rates: Any) -> Counter[str]:
    """What ``count`` requests meet: the name of each fault raised, or ``"none"``."""
    injector = FaultInjector(EmulatorSettings(seed=3, **rates))
    met: Counter[str] = Counter()
    for _ in range(count):
        try:
            injector.check_request(240)
        except (EmulatorError, ConnectionReset, ProxyPage) as fault:
            met[type(fault).__name__] += 1
        else:
            met["none"] += 1
    return met


@pytest.mark.parametrize(
    ("rate", "fault"),
    [
        ("throttle_rate", "Throttled"),
        ("reset_rate", "ConnectionReset"),
        ("proxy_page_rate", "ProxyPage"),
    ],
)
def test_a_rate_of_one_meets_every_request(rate: str, fault: str) -> None:
    assert faults(50, **{rate: 1.0}) == Counter({fault: 50})


def test_server_errors_are_500_502_and_503() -> None:
    met = faults(300, fault_rate=1.0)
    assert set(met) == {kind.__name__ for kind in INJECTED_SERVER_ERRORS}
    assert sorted(kind.status for kind in INJECTED_SERVER_ERRORS) == [500, 502, 503]


def test_each_rate_is_the_share_of_requests_that_meet_its_fault() -> None:
    met = faults(throttle_rate=0.1, fault_rate=0.2, reset_rate=0.3, proxy_page_rate=0.15)
    server_errors = sum(met[kind.__name__] for kind in INJECTED_SERVER_ERRORS)
    shares = {
        "Throttled": met["Throttled"] / REQUESTS,
        "server": server_errors / REQUESTS,
        "ConnectionReset": met["ConnectionReset"] / REQUESTS,
        "ProxyPage": met["ProxyPage"] / REQUESTS,
        "none": met["none"] / REQUESTS,
    }
    expected = {"Throttled": 0.1, "server": 0.2, "ConnectionReset": 0.3, "ProxyPage": 0.15, "none": 0.25}
    for name, share in expected.items():
        assert shares[name] == pytest.approx(share, abs=0.03), name


@pytest.mark.fact("F-LIMIT-3")
def test_throttling_carries_the_configured_retry_after_and_names_the_limit_as_the_gateway_does() -> None:
    injector = FaultInjector(EmulatorSettings(throttle_rate=1.0, retry_after_seconds=7))
    with pytest.raises(Throttled) as caught:
        injector.check_request(120)
    assert (caught.value.status, caught.value.error_code, caught.value.headers, caught.value.message) == (
        429,
        "APIG.0308",
        {"Retry-After": "7"},
        "The throttling threshold has been reached: policy user over ratelimit,limit:120,time:1 minute",
    )


def test_no_faults_draw_nothing_so_other_draws_are_unchanged() -> None:
    """Requests checked with every request fault off leave the delivery draws as they were."""
    settings = EmulatorSettings(seed=9, truncate_rate=0.5, stall_rate=0.5, trickle_rate=0.5)
    quiet, fresh = FaultInjector(settings), FaultInjector(settings)
    for _ in range(10):
        quiet.check_request(240)
    assert [quiet.plan_delivery(1000) for _ in range(20)] == [fresh.plan_delivery(1000) for _ in range(20)]


def test_the_same_seed_meets_the_same_faults() -> None:
    rates = {"throttle_rate": 0.2, "fault_rate": 0.2, "reset_rate": 0.2, "proxy_page_rate": 0.2}
    assert faults(200, **rates) == faults(200, **rates)


def test_a_body_too_small_to_cut_or_no_delivery_fault_is_sent_plain() -> None:
    everything = EmulatorSettings(truncate_rate=1.0, stall_rate=1.0, trickle_rate=1.0)
    assert FaultInjector(everything).plan_delivery(1) is PLAIN
    assert FaultInjector(EmulatorSettings()).plan_delivery(10**6) is PLAIN
    assert PLAIN.plain


def test_every_delivery_fault_at_rate_one() -> None:
    settings = EmulatorSettings(
        seed=4, truncate_rate=1.0, stall_rate=1.0, stall_seconds=2.5, trickle_rate=1.0, trickle_bytes_per_second=512
    )
    injector = FaultInjector(settings)
    assert injector.plan_delivery(2) == Delivery(cut=1, stall_at=1, stall_seconds=2.5, bytes_per_second=512)
    offsets = [injector.plan_delivery(10) for _ in range(300)]
    assert {delivery.cut for delivery in offsets} == set(range(1, 10))
    assert {delivery.stall_at for delivery in offsets} == set(range(1, 10))
    assert not any(delivery.plain for delivery in offsets)


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ({"truncate_rate": 1.0}, Delivery(cut=1)),
        ({"stall_rate": 1.0, "stall_seconds": 4.0}, Delivery(stall_at=1, stall_seconds=4.0)),
        ({"trickle_rate": 1.0, "trickle_bytes_per_second": 100}, Delivery(bytes_per_second=100)),
    ],
)
def test_each_delivery_fault_alone(rates: dict[str, float], expected: Delivery) -> None:
    delivery = FaultInjector(EmulatorSettings(**rates)).plan_delivery(2)  # type: ignore[arg-type]
    assert delivery == expected
    assert not delivery.plain


def test_delivery_rates_are_shares_of_downloads() -> None:
    injector = FaultInjector(EmulatorSettings(seed=5, truncate_rate=0.25, stall_rate=0.5, trickle_rate=0.75))
    planned = [injector.plan_delivery(100) for _ in range(REQUESTS)]
    assert sum(d.cut is not None for d in planned) / REQUESTS == pytest.approx(0.25, abs=0.03)
    assert sum(d.stall_at is not None for d in planned) / REQUESTS == pytest.approx(0.5, abs=0.03)
    assert sum(d.bytes_per_second is not None for d in planned) / REQUESTS == pytest.approx(0.75, abs=0.03)
    assert all(d.stall_seconds == (30.0 if d.stall_at is not None else 0.0) for d in planned)


def test_latency_is_given_in_milliseconds() -> None:
    assert FaultInjector(EmulatorSettings(latency_ms=250)).latency_seconds == 0.25

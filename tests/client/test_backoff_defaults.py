"""The policy every user runs: DEFAULT_POLICY's numbers, its decorrelated jitter, each validation at its limit.

The other backoff and waiting tests pass an explicit policy without jitter so
that they can assert exact delays; these hold the defaults themselves, end to
end on a fake clock, so that the path taken by a caller who passes no policy
cannot change unnoticed.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from dataarts_export_client.lib import DEFAULT_POLICY, Backoff, RetryPolicy, ServerError
from dataarts_export_client.lib.backoff import parse_retry_after
from dataarts_export_client.lib.errors import ConfigurationError

from .client_fakes import Script, error, status, workbook
from .twin_fakes import Twin

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_default_policy_numbers() -> None:
    """The documented defaults (the helpers page and RetryPolicy's docstring)."""
    expected = {
        "poll_interval": 1.0,
        "max_poll_interval": 10.0,
        "backoff_factor": 2.0,
        "jitter": "decorrelated",
        "retry_interval": 0.5,
        "max_retry_interval": 30.0,
        "max_retries": 5,
        "max_retry_after": 300.0,
        "max_download_attempts": 3,
        "follow_progress": True,
    }
    assert {name: value for name, value in asdict(DEFAULT_POLICY).items() if name in expected} == expected
    assert RetryPolicy() == DEFAULT_POLICY


def decorrelated(base: float, cap: float, rng: random.Random, count: int) -> list[float]:
    """The decorrelated-jitter schedule written out: uniform(base, 2 * previous), capped."""
    delays, previous = [], base
    for _ in range(count):
        previous = min(cap, rng.uniform(base, max(base, previous * 2.0)))
        delays.append(previous)
    return delays


@pytest.mark.parametrize(("schedule", "base", "cap"), [("poll_backoff", 1.0, 10.0), ("retry_backoff", 0.5, 30.0)])
def test_default_schedules_are_decorrelated_jitter(schedule: str, base: float, cap: float) -> None:
    backoff: Backoff = getattr(DEFAULT_POLICY, schedule)(random.Random(7))
    drawn = [backoff.next_delay() for _ in range(40)]
    assert drawn == decorrelated(base, cap, random.Random(7), 40)


def test_decorrelated_jitter_starts_over_after_reset() -> None:
    """After a reset the next delay is drawn from [base, 2 * base] again, however long the delays had grown."""
    rng = random.Random(11)
    backoff = DEFAULT_POLICY.poll_backoff(rng)
    draws = 1
    while backoff.next_delay() <= 2.0:
        draws += 1
    backoff.reset()
    replay = random.Random(11)
    decorrelated(1.0, 10.0, replay, draws)
    assert backoff.next_delay() == replay.uniform(1.0, 2.0)


def test_same_seed_same_schedule_and_no_seed_still_works() -> None:
    seeded = [DEFAULT_POLICY.retry_backoff(random.Random(3)) for _ in range(2)]
    assert [b.next_delay() for b in (seeded[0],) * 5] == [b.next_delay() for b in (seeded[1],) * 5]
    unseeded = DEFAULT_POLICY.retry_backoff()
    assert all(0.5 <= unseeded.next_delay() <= 30.0 for _ in range(20))


@pytest.mark.parametrize(
    ("jitter", "polls", "retries"),
    [
        ("none", [1.0, 2.0, 4.0, 8.0, 10.0, 10.0], [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]),
        ("full", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ],
)
def test_both_schedules_follow_the_policy_s_jitter(jitter: str, polls: list[float], retries: list[float]) -> None:
    """``none`` is the exponential ceiling itself; ``full`` draws from 0 up to it (0 with a generator that says 0)."""
    policy = RetryPolicy(jitter=jitter)  # type: ignore[arg-type]
    low = random.Random()
    low.uniform = lambda a, b: a  # type: ignore[method-assign]  # always the lower bound
    for schedule, expected in ((policy.poll_backoff(low), polls), (policy.retry_backoff(low), retries)):
        assert [schedule.next_delay() for _ in expected] == expected


def test_default_policy_end_to_end_on_a_fake_clock() -> None:
    """Retries start at 0.5 s and start over after a good answer; polls start at 1 s and keep growing."""
    caller = Twin(policy=None)  # as a caller who passes no policy
    busy = error(503, code="APIG.0201", msg="Backend unavailable")
    running = status(rate=None)  # no progress to follow: the poll backoff alone
    caller.wait(Script(busy, busy, running, busy, running, running, workbook()))
    retry1, retry2, poll1, retry_again, poll2, poll3 = caller.clock.sleeps
    assert 0.5 <= retry1 <= 1.0
    assert 0.5 <= retry2 <= 2 * retry1
    assert 1.0 <= poll1 <= 2.0
    assert 0.5 <= retry_again <= 1.0
    assert 1.0 <= poll2 <= min(10.0, 2 * poll1)
    assert 1.0 <= poll3 <= min(10.0, 2 * poll2)


def test_default_policy_gives_up_after_five_retries() -> None:
    caller = Twin(policy=None)  # as a caller who passes no policy
    script = Script(error(503, code="APIG.0201", msg="Backend unavailable", request_id="req-503"), repeat_last=True)
    with pytest.raises(ServerError) as caught:
        caller.wait(script)
    assert len(script.requests) == 6
    assert len(caller.clock.sleeps) == 5
    assert all(0.5 <= delay <= 30.0 for delay in caller.clock.sleeps)
    failure = caught.value
    assert (failure.status_code, failure.error_code, failure.request_id) == (503, "APIG.0201", "req-503")


VALID_AT_THE_LIMIT: list[dict[str, Any]] = [
    {"poll_interval": 1e-9, "retry_interval": 1e-9},
    {"poll_interval": 4.0, "max_poll_interval": 4.0},
    {"retry_interval": 4.0, "max_retry_interval": 4.0},
    {"backoff_factor": 1.0},
    {"backoff_factor": 1.5},
    {"max_retries": 0},
    {"max_download_attempts": 1},
    {"max_retry_after": 0.0},
    {"max_retry_after": 0.5},
    {"jitter": "full"},
    {"jitter": "decorrelated"},
    {"jitter": "none"},
]


@pytest.mark.parametrize("knobs", VALID_AT_THE_LIMIT)
def test_each_limit_itself_is_accepted(knobs: dict[str, Any]) -> None:
    policy = RetryPolicy(**knobs)
    assert all(getattr(policy, name) == value for name, value in knobs.items())


BAD = "max_retries >= 0, max_download_attempts >= 1 and max_retry_after >= 0 are required"
INVALID_PAST_THE_LIMIT: list[tuple[dict[str, Any], str]] = [
    ({"poll_interval": 0.0}, "poll_interval and retry_interval must be positive"),
    ({"retry_interval": 0.0}, "poll_interval and retry_interval must be positive"),
    ({"max_poll_interval": 0.99}, "the maximum intervals must not be below the initial intervals"),
    ({"max_retry_interval": 0.49}, "the maximum intervals must not be below the initial intervals"),
    ({"backoff_factor": 0.99}, "backoff_factor must be at least 1"),
    ({"max_retries": -1}, BAD),
    ({"max_download_attempts": 0}, BAD),
    ({"max_retry_after": -0.01}, BAD),
    ({"jitter": "FULL"}, "unknown jitter 'FULL'"),
    ({"jitter": "equal"}, "unknown jitter 'equal'"),
]


@pytest.mark.parametrize(("knobs", "message"), INVALID_PAST_THE_LIMIT)
def test_just_past_each_limit_is_refused_with_its_reason(knobs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetryPolicy(**knobs)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 06 May 2024 07:08:39 -0000",  # a date without zone is read as UTC
        "Mon, 06 May 2024 09:08:39 +0200",  # a zoned date keeps its zone
    ],
)
def test_retry_after_dates_are_read_in_their_zone(value: str) -> None:
    assert parse_retry_after(value, now=NOW) == 30.0


def test_retry_after_dates_are_measured_from_the_current_time_by_default() -> None:
    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    delay = parse_retry_after(in_an_hour)
    assert delay is not None
    assert 3590 <= delay <= 3600

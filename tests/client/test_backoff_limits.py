"""Backoff and ``Retry-After`` at the edges: any number of attempts, any header value, never an exception."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dataarts_export_client.lib import Backoff, ConfigurationError, RetryPolicy, parse_retry_after

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
JITTERS = st.sampled_from(["none", "full", "decorrelated"])


@given(
    base=st.floats(0.001, 10.0),
    spread=st.floats(1.0, 1e6),
    factor=st.floats(1.0, 1e6),
    jitter=JITTERS,
    seed=st.integers(0, 2**32 - 1),
)
def test_any_number_of_attempts_stays_within_the_cap(
    base: float, spread: float, factor: float, jitter: str, seed: int
) -> None:
    """Thousands of polls (an export without a rate for hours) keep drawing delays between 0 and the cap."""
    cap = base * spread
    backoff = Backoff(base, cap, factor, jitter, random.Random(seed))  # type: ignore[arg-type]
    for _ in range(2_000):
        delay = backoff.next_delay()
        assert 0.0 <= delay <= cap


def test_the_ceiling_reaches_the_cap_and_stays_there_past_float_range() -> None:
    """``2.0 ** 1100`` does not fit a float: the 1100th delay is still the cap, not an OverflowError."""
    backoff = Backoff(1.0, 10.0, 2.0, "none")
    delays = [backoff.next_delay() for _ in range(1_100)]
    assert delays[:5] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert set(delays[4:]) == {10.0}


@pytest.mark.parametrize(
    "knobs",
    [
        {"max_poll_interval": math.inf},
        {"max_retry_interval": math.inf},
        {"backoff_factor": math.inf},
        {"max_retry_after": math.inf},
        {"poll_interval": math.nan},
        {"max_retry_after": math.nan},
    ],
)
def test_a_policy_of_endless_or_undefined_intervals_is_refused(knobs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetryPolicy(**knobs)
    assert str(caught.value) == "the intervals, backoff_factor and max_retry_after must be finite numbers"


@pytest.mark.parametrize("value", ["²", "¹²⁰", "٣", "１２０", "12\u0663", "Mon, ٠٦ May 2024 07:08:39 GMT"])
def test_retry_after_with_digits_that_are_not_ascii_is_absent(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


@pytest.mark.parametrize(
    "value",
    ["Mon, 06 May 99999999999999999999 07:08:39 GMT", "Mon, 06 May 2024 07:08:39 +99999999999999999999"],
    ids=["year", "zone"],
)
def test_retry_after_dates_beyond_the_calendar_are_unreadable(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


@example("²")
@given(st.text(max_size=40))
def test_retry_after_never_raises_and_gives_a_wait_or_nothing(value: str) -> None:
    delay = parse_retry_after(value, now=NOW)
    assert delay is None or delay >= 0  # NaN fails this too


@given(st.from_regex(r"\A[0-9]{1,400}\Z"))
def test_retry_after_in_ascii_digits_is_read_whatever_its_length(value: str) -> None:
    assert parse_retry_after(value, now=NOW) == float(value)  # infinite past 1e308: the policy's cap applies

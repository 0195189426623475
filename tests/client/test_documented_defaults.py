"""The documented defaults and sets of the retry policy, and its value objects staying values.

These guard what mutation testing of module constants, dataclass defaults and
dataclass options found unguarded: the status codes worth a retry (the helpers page,
"Retries"; ``RetryPolicy``'s docstring), ``retry_start`` on by default, and
``RetryPolicy``, ``Reading`` and ``Pace`` being frozen, slotted values that a
caller cannot change under a running export.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from dataarts_export_client.lib import DEFAULT_POLICY, ApiError, RetryPolicy
from dataarts_export_client.lib.backoff import RETRYABLE_STATUS_CODES
from dataarts_export_client.lib.pacing import Pace, Reading

from .client_fakes import Script, error, workbook
from .twin_fakes import Twin

# docs/reference/helpers.md, "Retries.": "Connection errors, timeouts, HTTP 429/500/502/503/504 and ..."
DOCUMENTED_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def test_the_docs_and_the_docstring_name_the_same_retryable_statuses(repo_root: Path) -> None:
    readme = (repo_root / "docs" / "reference" / "helpers.md").read_text(encoding="utf-8")
    listed = re.search(r"\*\*Retries\.\*\* Connection errors, timeouts, HTTP ([\d/]+)", readme)
    assert listed is not None
    assert frozenset(int(code) for code in listed.group(1).split("/")) == DOCUMENTED_RETRYABLE
    docstring = re.search(r"\(connection error, ([\d, ]+)\)", RetryPolicy.__doc__ or "")
    assert docstring is not None
    assert frozenset(int(code) for code in docstring.group(1).split(", ")) == DOCUMENTED_RETRYABLE


@pytest.mark.parametrize("status_code", [400, 404, 428, 429, 430, 499, 500, 501, 502, 503, 504, 505, 599])
def test_a_poll_is_retried_exactly_on_the_documented_statuses(status_code: int) -> None:
    """One failed poll, then the workbook: retried (and done) on a documented status, raised on any other."""
    script = Script(error(status_code, code="X.0001", msg="failure"), workbook())
    caller = Twin(policy=None)  # as a caller who passes no policy
    if status_code in DOCUMENTED_RETRYABLE:
        caller.wait(script)
        assert len(script.requests) == 2
    else:
        with pytest.raises(ApiError) as caught:
            caller.wait(script)
        assert caught.value.status_code == status_code
        assert len(script.requests) == 1
    assert (status_code in RETRYABLE_STATUS_CODES) == (status_code in DOCUMENTED_RETRYABLE)


def test_a_failed_start_is_retried_by_default() -> None:
    """``retry_start`` is on unless the caller turns it off (RetryPolicy's docstring: "(the default)")."""
    assert RetryPolicy().retry_start is True
    assert DEFAULT_POLICY.retry_start is True
    assert RetryPolicy(retry_start=False).retry_start is False


@pytest.mark.parametrize(
    ("value", "field_name", "new_value"),
    [
        (DEFAULT_POLICY, "max_retries", 100),
        (RetryPolicy(max_retries=1), "retry_start", False),
        (Reading(at=1.0, percent=50.0), "percent", 99.0),
        (Pace(seconds=1.0, reason="backoff"), "seconds", 0.0),
    ],
)
def test_value_objects_cannot_be_changed_or_extended(value: object, field_name: str, new_value: object) -> None:
    """A policy shared by running exports, and the pacer's readings, stay what they were made as."""
    before = getattr(value, field_name)
    with pytest.raises(FrozenInstanceError):
        setattr(value, field_name, new_value)
    assert getattr(value, field_name) == before
    assert not hasattr(value, "__dict__")  # slotted: no per-instance dict to hold stray attributes
    with pytest.raises((FrozenInstanceError, AttributeError, TypeError)):
        value.stray = 1  # type: ignore[attr-defined]

"""The emulator's value objects: immutable, with the documented defaults, and no workbook bytes in a repr.

Guards what mutation testing of dataclass options, field defaults and
``@property`` bodies found unguarded in ``auth.py``, ``models.py`` and
``faults.py``: a request, a principal, a status or a delivery is shared
between threads and must not change once made; an export request built
directly means what an empty body means; a job logs without its workbook
or its lock; a delivery is plain only when it changes nothing.
"""

from __future__ import annotations

import math
import threading
from dataclasses import FrozenInstanceError, replace
from typing import Any

import pytest

from dataarts_emulator.auth import Authenticator, Principal, ReceivedRequest
from dataarts_emulator.faults import PLAIN, Delivery
from dataarts_emulator.models import ExportFile, ExportRequest, Job, JobStatus
from dataarts_emulator.settings import EmulatorSettings, Tenant

from .support import FakeClock
from .test_auth import signed

TENANT = Tenant("p", ("w",), ("token",))


@pytest.mark.parametrize(
    ("value", "field_name", "new_value"),
    [
        (ReceivedRequest("GET", "/", (), {}, b""), "method", "POST"),
        (Principal(TENANT, "token"), "method", "aksk"),
        (ExportRequest(), "asyn", False),
        (JobStatus("importing", 40), "rate", 100),
        (ExportFile(b"PK", '"etag"'), "etag", '"other"'),
        (Delivery(cut=10), "cut", None),
    ],
)
def test_value_objects_cannot_be_changed(value: object, field_name: str, new_value: object) -> None:
    before = getattr(value, field_name)
    with pytest.raises(FrozenInstanceError):
        setattr(value, field_name, new_value)
    assert getattr(value, field_name) == before


def test_a_principal_proved_by_token_has_no_access_key() -> None:
    assert Principal(TENANT, "token").access_key is None


@pytest.mark.parametrize("now", [0.0, 0.5])
def test_a_key_that_never_failed_is_not_locked_even_on_a_clock_that_starts_at_zero(now: float) -> None:
    """An injected clock may start at 0: a fresh lockout record must lock nothing, at any time."""
    clock = FakeClock(now)
    authenticator = Authenticator(EmulatorSettings(), clock)
    assert authenticator.authenticate(signed(clock)).method == "aksk"


def test_an_export_request_built_directly_is_what_an_empty_body_means() -> None:
    """The defaults: no type, no ids, asynchronous (the spec's default for ``asyn``)."""
    request = ExportRequest()
    assert request == ExportRequest.from_body({})
    assert (request.type, request.ids, request.asyn, request.directory_id) == (None, (), True, None)
    assert (request.biz_catalog_id, request.biz_catalog_id_list, request.model_id) == (None, (), None)
    assert request.requested_ids() == ()


def test_a_status_has_no_failure_group_unless_given() -> None:
    assert JobStatus("success", 100).group is None


def job(**changes: Any) -> Job:
    return Job(
        uuid="u", project_id="p", workspace="w", request=ExportRequest(), started_at=10.0, duration=4.0, **changes
    )


def test_a_new_job_has_no_failure_no_file_and_no_expiry() -> None:
    fresh = job()
    assert (fresh.failure, fresh.file, fresh.expires_at) == (None, None, math.inf)
    assert fresh.finishes_at == 14.0


def test_a_job_logs_without_its_workbook_and_its_lock() -> None:
    workbook = b"PK\x03\x04 secret workbook bytes"
    done = job()
    done.export_file(lambda _request, _held: workbook)
    assert done.file is not None
    assert done.file.content == workbook
    for text in (repr(done), repr(done.file)):
        assert "secret workbook bytes" not in text
        assert "lock" not in text.lower()
    assert "file=" not in repr(done)
    assert "etag=" in repr(done.file)


def test_jobs_compare_by_their_data_and_own_their_lock() -> None:
    """Each job has a lock of its own, which equality ignores and no caller can hand in."""
    first, second = job(), job()
    assert first == second
    assert first._file_lock is not second._file_lock
    with pytest.raises(TypeError):
        job(_file_lock=threading.Lock())


@pytest.mark.parametrize("change", [{"cut": 5}, {"stall_at": 5}, {"bytes_per_second": 100.0}])
def test_a_delivery_is_plain_only_when_it_changes_nothing(change: dict[str, Any]) -> None:
    assert Delivery() == PLAIN
    assert PLAIN.plain
    assert (PLAIN.cut, PLAIN.stall_at, PLAIN.stall_seconds, PLAIN.bytes_per_second) == (None, None, 0.0, None)
    assert not replace(PLAIN, **change).plain

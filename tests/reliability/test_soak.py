"""The small soak of the suite: 20 exports through the lib against a faulty emulator process, byte for byte.

It runs the same code as ``make soak`` (:mod:`tools.soak`), smaller and in
one thread, so that the order of requests, and with the seed every fault
each request meets, is the same on every run. Its mix cuts 60 % of
downloads short (twice the default) so that a client without resuming
fails here for certain rather than by chance: three cut attempts in a row
then end one export in five. The same run must fail when the start retry
or resuming is switched off: that is what shows the soak can catch either.
"""

from __future__ import annotations

import dataclasses

import pytest

from dataarts_export_client.lib.resume import Transfer
from tools.soak import DEFAULT_MIX, SOAK_POLICY, SoakConfig, SoakReport, run_soak

QUICK = dataclasses.replace(SOAK_POLICY, retry_interval=0.02, max_retry_interval=0.2)
SMALL = SoakConfig(
    exports=20,
    workers=1,
    concurrent=0,
    export_seconds=0.0,
    read_timeout=0.5,
    policy=QUICK,
    mix=dataclasses.replace(DEFAULT_MIX, truncate_rate=0.6, stall_seconds=1.5, retry_after_seconds=0, seed=20261130),
)


def assert_clean_failure(report: SoakReport) -> None:
    """Some exports failed, and each failure left nothing behind (no partial, no temporary file)."""
    (phase,) = report.phases
    assert phase.verdict.correct < phase.verdict.total, report.line()
    assert phase.verdict.leftovers == ()
    assert phase.verdict.problems
    assert all(problem.endswith("missing") for problem in phase.verdict.problems)
    assert report.emulator_crashes == 0


def test_the_small_soak_lands_every_export_byte_for_byte() -> None:
    report = run_soak(SMALL)
    assert report.ok, report.line()
    (phase,) = report.phases
    assert phase.verdict.correct == 20
    assert phase.errors.counts == {}
    assert phase.counters.failed_attempts > 0  # the faults did fire ...
    assert phase.counters.resumed_bytes > 0  # ... and broken downloads were resumed, not fetched again


def test_the_small_soak_fails_without_the_start_retry() -> None:
    report = run_soak(dataclasses.replace(SMALL, policy=dataclasses.replace(QUICK, retry_start=False)))
    assert_clean_failure(report)
    assert set(report.phases[0].errors.counts) <= {"ServerError", "NetworkError"}  # a failed start, given up


def test_the_small_soak_fails_without_resuming(monkeypatch: pytest.MonkeyPatch) -> None:
    # The lib has no switch for resuming: this makes it the client of before, which asks for the
    # whole file again after a broken transfer and counts every broken attempt against the limit.
    monkeypatch.setattr(Transfer, "request_headers", lambda self: {})
    monkeypatch.setattr(Transfer, "progressed", lambda self: False)
    report = run_soak(SMALL)
    assert_clean_failure(report)
    assert report.phases[0].counters.resumed_bytes == 0
    assert set(report.phases[0].errors.counts) <= {"DownloadError", "TruncatedDownload"}


def test_64_concurrent_async_exports_each_get_their_own_workbook() -> None:
    mix = dataclasses.replace(DEFAULT_MIX, fault_rate=0.1, throttle_rate=0.05, reset_rate=0.02, stall_rate=0.0, seed=64)
    report = run_soak(SoakConfig(exports=0, concurrent=64, export_seconds=0.2, policy=QUICK, mix=mix))
    assert report.ok, report.line()
    (phase,) = report.phases
    assert phase.verdict.correct == phase.verdict.total == 64

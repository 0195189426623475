"""The job state machine, retention and scoping, driven by an injected clock (no sleeping)."""

from __future__ import annotations

import pytest

from dataarts_emulator import AccessKey, EmulatorSettings, Tenant
from dataarts_emulator.exceptions import ExportNotFound, StoreFull
from dataarts_emulator.models import ExportRequest, JobStore
from dataarts_emulator.settings import ConfigError

from .support import FakeClock


def store(clock: FakeClock, seed: int | None = 1, **settings: float | int | str) -> JobStore:
    return JobStore(EmulatorSettings(seed=seed, **settings), clock)  # type: ignore[arg-type]


def test_rate_rises_then_the_export_succeeds(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=10)
    job = jobs.start("p", "w", ExportRequest(ids=("1",)))
    seen = []
    for _ in range(10):
        seen.append(jobs.status("p", "w", job.uuid)[1])
        clock.advance(1)
    assert [s.state for s in seen] == ["importing"] * 10
    assert [s.rate for s in seen] == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert all(s.group is None for s in seen)
    final = jobs.status("p", "w", job.uuid)[1]
    assert (final.state, final.rate, final.group) == ("success", 100, None)


def test_synchronous_export_is_finished_at_once(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=60)
    job = jobs.start("p", "w", ExportRequest(asyn=False))
    assert jobs.status("p", "w", job.uuid)[1].state == "success"


def test_marker_in_any_requested_id_fails_with_a_batch_operation_group(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=1)
    job = jobs.start("p", "w", ExportRequest(type="ER", ids=("1", "2", "x-fail-3")))
    assert jobs.status("p", "w", job.uuid)[1].state == "importing"
    clock.advance(1)
    status = jobs.status("p", "w", job.uuid)[1]
    assert status.state == "fail"
    group = status.group
    assert group is not None
    assert group["operation_status"] == "FAILED"
    assert (group["total"], group["success"], group["failed"]) == (3, 2, 1)
    assert group["tenant_id"] == "p"
    assert "x-fail-3" in group["logs"]
    model = jobs.start("p", "w", ExportRequest(asyn=False, model_id="fail"))
    assert jobs.status("p", "w", model.uuid)[1].state == "fail"


def test_empty_marker_disables_marker_failures(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=0, fail_marker="")
    job = jobs.start("p", "w", ExportRequest(ids=("fail",)))
    assert jobs.status("p", "w", job.uuid)[1].state == "success"


def test_failure_ratio_is_reproducible_for_a_seed(clock: FakeClock) -> None:
    def outcomes(seed: int) -> list[str]:
        jobs = store(clock, seed=seed, export_seconds=0, fail_ratio=0.5)
        started = [jobs.start("p", "w", ExportRequest()) for _ in range(40)]
        return [jobs.status("p", "w", job.uuid)[1].state for job in started]

    first = outcomes(11)
    assert first == outcomes(11)
    assert 5 < first.count("fail") < 35
    assert first != outcomes(12)


def test_uuids_are_reproducible_with_a_seed_and_random_without(clock: FakeClock) -> None:
    def uuids(seed: int | None) -> list[str]:
        jobs = store(clock, seed=seed)
        return [jobs.start("p", "w", ExportRequest()).uuid for _ in range(3)]

    assert uuids(5) == uuids(5)
    assert uuids(None) != uuids(None)
    assert len(set(uuids(5))) == 3


def test_jobs_are_scoped_by_project_and_workspace(clock: FakeClock) -> None:
    jobs = store(clock)
    job = jobs.start("p", "w", ExportRequest())
    for project, workspace in [("other", "w"), ("p", "other"), ("other", "other")]:
        with pytest.raises(ExportNotFound):
            jobs.get(project, workspace, job.uuid)
    with pytest.raises(ExportNotFound):
        jobs.get("p", "w", "never-started")


def test_finished_jobs_expire_after_the_ttl(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=5, job_ttl_seconds=30)
    job = jobs.start("p", "w", ExportRequest())
    clock.advance(34.9)
    assert jobs.get("p", "w", job.uuid) is job
    clock.advance(0.1)
    with pytest.raises(ExportNotFound):
        jobs.get("p", "w", job.uuid)
    assert len(jobs) == 0


def test_full_store_refuses_with_retry_after_until_a_job_expires(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=5, job_ttl_seconds=10, max_jobs=2)
    jobs.start("p", "w", ExportRequest())
    clock.advance(3)
    jobs.start("p", "w", ExportRequest())
    with pytest.raises(StoreFull) as full:
        jobs.start("p", "w", ExportRequest())
    assert full.value.retry_after == 12  # the first job expires at 15, now is 3
    assert len(jobs) == 2
    clock.advance(12)
    jobs.start("p", "w", ExportRequest())
    assert len(jobs) == 2


def test_request_from_body_reads_every_field_and_defaults_to_asynchronous() -> None:
    body = {
        "ids": ["1", "2"],
        "type": "DIM",
        "directory_id": "d",
        "biz_catalog_id": "b",
        "biz_catalog_id_list": ["c1"],
        "model_id": "m",
    }
    request = ExportRequest.from_body(body)
    assert request.asyn is True
    assert request.requested_ids() == ("1", "2", "c1", "d", "b", "m")
    assert ExportRequest.from_body({"asyn": False}).asyn is False


@pytest.mark.parametrize(
    "policy",
    [{"export_seconds": -1}, {"fail_ratio": 1.5}, {"max_jobs": 0}, {"job_ttl_seconds": -1}],
)
def test_job_settings_reject_nonsense_naming_the_setting(policy: dict[str, float]) -> None:
    (name,) = policy
    with pytest.raises(ConfigError, match=f"{name} must be"):
        EmulatorSettings(**policy)  # type: ignore[arg-type]


def test_reprs_of_tenants_and_settings_hide_tokens_secret_keys_and_security_tokens() -> None:
    secrets = ("team-iam-token-value", "team-secret-key-value", "team-sts-token-value")
    key = AccessKey("TEAMACCESSKEY0000001", secrets[1], security_token=secrets[2])
    tenant = Tenant(project_id="p1", workspaces=("w1",), tokens=(secrets[0],), access_keys=(key,), name="team")
    text = repr(EmulatorSettings(tenants=(tenant,)))
    for shown in ("TEAMACCESSKEY0000001", "'p1'", "'team'"):
        assert shown in text
    for secret in secrets:
        assert secret not in text

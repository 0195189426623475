"""The job store under any sequence of starts, polls and clock moves (hypothesis state machine).

The example-based tests in test_models.py pin single behaviours; this one
checks that the invariants hold together, whatever the order: the store
never holds more than ``max_jobs``; a job is visible only in its own
(project, workspace); its state only moves forward (``importing`` with a
non-decreasing rate, then one final outcome that never changes); it
disappears exactly when its retention ends; and a full store refuses a new
job only while it really is full.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from dataarts_emulator import EmulatorSettings
from dataarts_emulator.exceptions import ExportNotFound, StoreFull
from dataarts_emulator.models import ExportRequest, Job, JobStatus, JobStore

POLICY = EmulatorSettings(
    export_seconds=10.0, fail_marker="fail", fail_ratio=0.3, max_jobs=4, job_ttl_seconds=30.0, seed=5
)
SCOPES = [("p1", "w1"), ("p1", "w2"), ("p2", "w1")]
FINAL = {"fail", "success"}


class JobStoreMachine(RuleBasedStateMachine):
    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        self.now = 1_000.0
        self.store = JobStore(POLICY, lambda: self.now)
        self.last_seen: dict[str, JobStatus] = {}
        self.started: dict[str, Job] = {}

    def alive(self) -> list[Job]:
        return [job for job in self.started.values() if job.expires_at > self.now]

    @rule(
        target=jobs,
        scope=st.sampled_from(SCOPES),
        ids=st.lists(st.sampled_from(["1", "2", "x-fail-y"]), max_size=3),
        asyn=st.booleans(),
    )
    def start(self, scope: tuple[str, str], ids: list[str], asyn: bool) -> str:
        full = len(self.alive()) >= POLICY.max_jobs
        try:
            job = self.store.start(*scope, ExportRequest(type="TABLE_MODEL", ids=tuple(ids), asyn=asyn))
        except StoreFull as refused:
            retry_after = refused.retry_after
            assert full, "refused while there was room"
            assert retry_after >= 1
            return ""
        assert not full, "accepted while full"
        assert job.uuid not in self.started
        if any("fail" in item for item in ids):
            assert job.failure is not None, "a marked id always fails the export"
        self.started[job.uuid] = job
        return job.uuid

    # Steps around the export time (10 s) and the retention (30 s after the end) matter most.
    @rule(seconds=st.sampled_from([0.0, 1.0, 4.5, 9.99, 10.0, 30.0, 40.01]) | st.floats(min_value=0, max_value=45))
    def advance(self, seconds: float) -> None:
        self.now += seconds

    @rule(job_uuid=jobs)
    def poll(self, job_uuid: str) -> None:
        if not job_uuid:
            return
        job = self.started[job_uuid]
        if job.expires_at <= self.now:
            try:
                self.store.status(job.project_id, job.workspace, job_uuid)
            except ExportNotFound:
                return
            raise AssertionError("an expired job is still served")
        _, status = self.store.status(job.project_id, job.workspace, job_uuid)
        previous = self.last_seen.get(job_uuid)
        if previous is not None:
            if previous.state in FINAL:
                assert status == previous, "a finished export changed its outcome"
            elif status.state == "importing":
                assert status.rate >= previous.rate, "progress went backwards"
        if status.state == "importing":
            assert 0 <= status.rate <= 99
        else:
            assert status.rate == 100
            assert (status.state == "fail") == (job.failure is not None)
            if status.group is not None:
                assert status.group["operation_status"] == "FAILED"
        self.last_seen[job_uuid] = status

    @rule(job_uuid=jobs, scope=st.sampled_from(SCOPES))
    def poll_from_another_scope(self, job_uuid: str, scope: tuple[str, str]) -> None:
        if not job_uuid:
            return
        job = self.started[job_uuid]
        if (job.project_id, job.workspace) == scope:
            return
        try:
            self.store.get(*scope, job_uuid)
        except ExportNotFound:
            return
        raise AssertionError("a job leaked into another project or workspace")

    @invariant()
    def bounded(self) -> None:
        assert len(self.store) == len(self.alive()) <= POLICY.max_jobs


TestJobStoreMachine = JobStoreMachine.TestCase
TestJobStoreMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)

"""Tenants, export and import jobs and the job state machine: the emulator's state, free of HTTP.

A job moves ``importing`` -> ``success`` or ``importing`` -> ``fail``. Its
outcome is decided when it starts (from the requested ids and a seeded failure
ratio) so that a poll never changes what a later poll sees; its progress is a
pure function of the injected clock, which keeps tests free of sleeps.

Jobs are scoped by ``(project_id, workspace)``: a uuid started in another
project or workspace is looked up under a different key and therefore answers
exactly like a uuid that never existed. Memory is bounded: finished jobs expire
``job_ttl_seconds`` after they finish, and a full store refuses new jobs with
:class:`~dataarts_emulator.exceptions.StoreFull` (429 with ``Retry-After``)
instead of growing. How long jobs run, when they fail and how long they are
kept come straight from :class:`~dataarts_emulator.settings.EmulatorSettings`.
Import jobs (:class:`~dataarts_emulator.importing.ImportJob`) share the store,
its bounds and its expiry; a uuid names an export or an import, never both,
and each result call finds only its own kind.
"""

from __future__ import annotations

import heapq
import math
import random
import threading
import uuid as uuid_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .design import Row
from .exceptions import ExportNotFound, ImportNotFound, StoreFull
from .importing import ImportJob, ImportStatus, RowOutcome
from .ranges import etag_of
from .settings import EmulatorSettings

Clock = Callable[[], float]
"""Seconds since the epoch, like :func:`time.time`; injected so tests control time."""

ExportState = Literal["importing", "fail", "success"]


@dataclass(frozen=True)
class ExportRequest:
    """The validated body of ``ExportDesignModels`` (``ExportParam``)."""

    type: str | None = None
    ids: tuple[str, ...] = ()
    asyn: bool = True
    directory_id: str | None = None
    biz_catalog_id: str | None = None
    biz_catalog_id_list: tuple[str, ...] = ()
    model_id: str | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ExportRequest:
        """Build from a body the spec already accepted; an absent ``asyn`` means asynchronous."""

        def text(name: str) -> str | None:
            value = body.get(name)
            return value if isinstance(value, str) else None

        def texts(name: str) -> tuple[str, ...]:
            value = body.get(name)
            return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()

        asyn = body.get("asyn")
        return cls(
            type=text("type"),
            ids=texts("ids"),
            asyn=asyn if isinstance(asyn, bool) else True,
            directory_id=text("directory_id"),
            biz_catalog_id=text("biz_catalog_id"),
            biz_catalog_id_list=texts("biz_catalog_id_list"),
            model_id=text("model_id"),
        )

    def requested_ids(self) -> tuple[str, ...]:
        """Every id the request names, in order: the failure marker is looked for in all of them."""
        singles = tuple(v for v in (self.directory_id, self.biz_catalog_id, self.model_id) if v is not None)
        return self.ids + self.biz_catalog_id_list + singles


@dataclass(frozen=True)
class JobStatus:
    """What ``ExportDesignResult`` reports: state, progress (0-100) and the failure group."""

    state: ExportState
    rate: int
    group: dict[str, Any] | None = None


@dataclass(frozen=True)
class ExportFile:
    """A finished export's workbook and its strong ``ETag``: set together, so no reader sees one without the other."""

    content: bytes = field(
        repr=False,  # pragma: no mutate (equivalent: None is as false as False)
    )
    etag: str


@dataclass
class Job:
    """One export. ``failure`` is decided at start; ``None`` means the export will succeed.

    ``file`` holds the workbook and its entity tag once built (see :meth:`export_file`);
    it lives and expires with the job, so the store's bounds bound it too. ``held``
    is the rows of the requested ids the workspace held when the export started.
    """

    uuid: str
    project_id: str
    workspace: str
    request: ExportRequest
    started_at: float
    duration: float
    failure: dict[str, Any] | None = None
    expires_at: float = field(default=math.inf)
    file: ExportFile | None = field(
        default=None,
        repr=False,  # pragma: no mutate (equivalent: None is as false as False)
    )
    held: Mapping[str, Row] = field(
        default_factory=dict,
        repr=False,  # pragma: no mutate (equivalent: None is as false as False)
    )
    _file_lock: threading.Lock = field(
        default_factory=threading.Lock,
        init=False,  # pragma: no mutate (equivalent: None is as false as False)
        repr=False,  # pragma: no mutate (equivalent: None is as false as False)
        compare=False,  # pragma: no mutate (equivalent: None is as false as False)
    )

    def export_file(self, build: Callable[[ExportRequest, Mapping[str, Row]], bytes]) -> ExportFile:
        """The finished export's file: ``build(request, held)`` on the first call only, however many callers race."""
        with self._file_lock:
            if self.file is None:
                content = build(self.request, self.held)
                self.file = ExportFile(content, etag_of(content))
            return self.file

    @property
    def finishes_at(self) -> float:
        return self.started_at + self.duration

    def status(self, now: float) -> JobStatus:
        """The state at ``now``: rising rate while importing, then the decided outcome.

        A synchronous export (no duration) is done whatever the clock says; a
        wall clock stepped back before the start reads as no progress yet.
        """
        if self.duration > 0 and now < self.finishes_at:
            elapsed = max(0.0, now - self.started_at)
            rate = int(100 * elapsed / self.duration)
            return JobStatus("importing", min(99, rate))  # pragma: no mutate (equivalent: the rate is < 100 here)
        if self.failure is not None:
            return JobStatus("fail", 100, self.failure)
        return JobStatus("success", 100)


class JobStore:
    """Creates, finds and expires jobs; thread-safe, bounded, deterministic for a given seed."""

    def __init__(self, settings: EmulatorSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        seed = settings.seed
        # Separate streams, so that enabling a failure ratio does not change the uuids handed out.
        self._fail_rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
        # Seeded uuids only when a seed is given; otherwise real random uuids.
        self._uuid_rng = None if seed is None else _uuid_stream(seed)
        self._jobs: dict[tuple[str, str, str], Job | ImportJob] = {}
        self._expiry: list[tuple[float, tuple[str, str, str]]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._jobs)

    def start(
        self, project_id: str, workspace: str, request: ExportRequest, held: Mapping[str, Row] | None = None
    ) -> Job:
        """Start an export of ``request`` (``held``: rows the workspace holds); ``asyn=false`` finishes at once.

        Raises :class:`StoreFull` when full.
        """
        with self._lock:
            now = self._clock()
            job_uuid = self._new_uuid(now)
            duration = self._settings.export_seconds if request.asyn else 0.0
            job = Job(job_uuid, project_id, workspace, request, now, duration, held=dict(held or {}))
            job.failure = self._decide_failure(job)
            self._keep(job)
            return job

    def start_import(self, project_id: str, workspace: str, action: str, outcomes: tuple[RowOutcome, ...]) -> ImportJob:
        """Keep an import whose rows were decided (``outcomes``); it reports for ``import_seconds``.

        Raises :class:`StoreFull` when full.
        """
        with self._lock:
            now = self._clock()
            job_uuid = self._new_uuid(now)
            job = ImportJob(job_uuid, project_id, workspace, action, now, self._settings.import_seconds, outcomes)
            self._keep(job)
            return job

    def _new_uuid(self, now: float) -> str:
        """A uuid for a new job, once expired jobs are gone and there is room (:class:`StoreFull` otherwise)."""
        self._purge(now)
        if len(self._jobs) >= self._settings.max_jobs:
            oldest = self._expiry[0][0]  # a full store holds at least one job (max_jobs >= 1)
            raise StoreFull(max(1, math.ceil(min(oldest, now + 86400) - now)))
        return str(
            uuid_module.uuid4()
            if self._uuid_rng is None
            else uuid_module.UUID(int=self._uuid_rng.getrandbits(128), version=4)
        )

    def _keep(self, job: Job | ImportJob) -> None:
        job.expires_at = job.finishes_at + self._settings.job_ttl_seconds
        key = (job.project_id, job.workspace, job.uuid)
        self._jobs[key] = job
        heapq.heappush(self._expiry, (job.expires_at, key))

    def get(self, project_id: str, workspace: str, job_uuid: str) -> Job:
        """The export, only within its own (project, workspace); else :class:`ExportNotFound`."""
        job = self._get(project_id, workspace, job_uuid, self._clock())
        if not isinstance(job, Job):
            raise ExportNotFound
        return job

    def status(self, project_id: str, workspace: str, job_uuid: str) -> tuple[Job, JobStatus]:
        """The export and its state now (one reading of the clock for both)."""
        now = self._clock()
        job = self._get(project_id, workspace, job_uuid, now)
        if not isinstance(job, Job):
            raise ExportNotFound
        return job, job.status(now)

    def import_status(self, project_id: str, workspace: str, job_uuid: str) -> tuple[ImportJob, ImportStatus]:
        """The import and its state now; :class:`ImportNotFound` for any other uuid."""
        now = self._clock()
        job = self._get(project_id, workspace, job_uuid, now)
        if not isinstance(job, ImportJob):
            raise ImportNotFound
        return job, job.status(now)

    def _get(self, project_id: str, workspace: str, job_uuid: str, now: float) -> Job | ImportJob | None:
        with self._lock:
            self._purge(now)
            return self._jobs.get((project_id, workspace, job_uuid))

    def _purge(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] <= now:
            _, key = heapq.heappop(self._expiry)
            del self._jobs[key]  # each job is queued once, when it starts

    def _decide_failure(self, job: Job) -> dict[str, Any] | None:
        ids = job.request.requested_ids()
        marker = self._settings.fail_marker
        marked = [item for item in ids if marker and marker in item]
        # Always draw, so the failure sequence depends only on the seed and the number of jobs.
        draw = self._fail_rng.random()
        unlucky = draw < self._settings.fail_ratio  # pragma: no mutate (equivalent: "<=" differs when draw == ratio)
        if not marked and not unlucky:
            return None
        total = max(1, len(ids))
        failed = len(marked) if marked else total
        if marked:
            logs = "; ".join(f"export of {item} failed: object not found" for item in marked[:20])
        else:
            logs = "export failed: injected failure (fail_ratio)"
        return failure_group(job, total=total, failed=failed, logs=logs)


def _uuid_stream(seed: int) -> random.Random:
    """The seeded source of uuids: a stream apart from the failure stream (seeded with ``seed`` itself)."""
    return random.Random(seed + 1)  # noqa: S311  # pragma: no mutate (equivalent: any seed but the failure one)


def failure_group(job: Job, *, total: int, failed: int, logs: str) -> dict[str, Any]:
    """A ``BatchOperationVO``-shaped dict describing a failed export."""
    return {
        "id": job.uuid,
        "tenant_id": job.project_id,
        "group_id": job.uuid,
        "biz_name": "export",
        "biz_id": job.uuid,
        "operation_status": "FAILED",
        "operation_type": "EXPORT",
        "biz_info": job.request.type or "",
        "create_by": "dataarts-emulator",
        "remark": "",
        "total": total,
        "success": total - failed,
        "failed": failed,
        "rate": "100",
        "logs": logs,
        "groups": [],
    }

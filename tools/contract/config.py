"""The project's schemathesis settings, read from ``schemathesis.toml``, the one place they are written.

The runner, its embedded emulator and the pytest suite take the seed and the
worker count from here instead of restating them, so a change to the file is
a change to every run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemathesis.config import get_workers_count

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
PROJECT_CONFIG = ROOT / "schemathesis.toml"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
AUTO = "auto"
# `schemathesis run --workers` accepts 1-64.
MAX_WORKERS = 64


def project_settings(path: Path | None = None) -> dict[str, Any]:
    """``schemathesis.toml`` (or ``path``) as a dict, a fresh copy each call: callers may change it."""
    with (path or PROJECT_CONFIG).open("rb") as stream:
        return tomllib.load(stream)


def project_seed(settings: Mapping[str, Any] | None = None) -> int:
    """The seed of every run that names none: schemathesis's and the embedded emulator's."""
    value = (project_settings() if settings is None else settings).get("seed")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{PROJECT_CONFIG.name}: `seed` must be an integer")
    return value


def available_workers() -> int:
    """What ``--workers auto`` means: the CPUs this process may run on (schemathesis's own rule), at most 64."""
    return max(1, min(get_workers_count(), MAX_WORKERS))


def resolve_workers(value: int | str | None) -> int:
    """A worker count: ``None`` takes ``workers`` from ``schemathesis.toml``; ``auto`` is :func:`available_workers`.

    Safe for every phase: in schemathesis 4.32 the workers are threads that
    each take one operation through examples, coverage and fuzzing, one
    dependency layer at a time, while the stateful phase always runs its
    sequences one at a time on one thread, so the count never interleaves the
    steps of a sequence.
    """
    if value is None:
        value = project_settings().get("workers", AUTO)
    if value == AUTO:
        return available_workers()
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_WORKERS:
        raise ValueError(f"workers must be {AUTO!r} or a whole number from 1 to {MAX_WORKERS}, not {value!r}")
    return value

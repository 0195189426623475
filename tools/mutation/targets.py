"""The core that ``make mutation`` covers, and the tests each part is mutated against.

A module is listed with the test files that exercise it directly. mutmut
then runs each mutant only against those of the listed tests that reach the
mutated function, so a module's score says how well *its own* tests guard it;
the blind-spot mutants (:mod:`.blind_spots`) are judged by the same files.
``test_public_names.py`` judges the ``__all__`` of every module that has one.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENT = "dataarts_export_client"
EMULATOR = "dataarts_emulator"


@dataclass(frozen=True)
class Target:
    """One core module (path inside the staged ``src/``) and the test files run against its mutants."""

    module: str
    tests: tuple[str, ...]


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """The test files of ``groups``, each once, in order."""
    return tuple(dict.fromkeys(test for group in groups for test in group))


_NAMES = ("tests/client/test_public_names.py",)
_TWINS = ("tests/client/test_twins.py", "tests/client/test_twins_details.py", "tests/client/test_decision_details.py")
_WAITING = ("tests/client/test_waiting.py", "tests/client/test_status_probe.py", "tests/client/test_async_helpers.py")
_STARTING = (
    "tests/client/test_start_decisions.py",
    "tests/client/test_downloading.py",
    "tests/client/test_async_helpers.py",
)
_DOWNLOADING = (
    "tests/client/test_downloading.py",
    "tests/client/test_resume.py",
    "tests/client/test_disk_errors.py",
    "tests/client/test_destination.py",
    "tests/client/test_async_helpers.py",
)

CORE: tuple[Target, ...] = (
    Target(
        f"{CLIENT}/lib/signing.py",
        ("tests/client/test_signing.py", "tests/client/test_signing_headers.py", "tests/client/test_insecure_http.py"),
    ),
    Target(
        f"{CLIENT}/lib/backoff.py",
        (
            "tests/client/test_backoff_and_names.py",
            "tests/client/test_backoff_defaults.py",
            "tests/client/test_backoff_limits.py",
            "tests/client/test_documented_defaults.py",
            *_NAMES,
        ),
    ),
    Target(
        f"{CLIENT}/lib/pacing.py",
        (
            "tests/client/test_pacing.py",
            "tests/client/test_pacing_limits.py",
            "tests/client/test_documented_defaults.py",
            *_NAMES,
        ),
    ),
    Target(
        f"{CLIENT}/lib/decisions.py",
        _union(_TWINS, _WAITING, _STARTING, _DOWNLOADING, ("tests/client/test_transport_errors.py",), _NAMES),
    ),
    Target(f"{CLIENT}/lib/transport_errors.py", ("tests/client/test_transport_errors.py", *_NAMES)),
    Target(
        f"{CLIENT}/lib/io_loops.py",
        _union(
            _TWINS,
            _WAITING,
            _STARTING,
            _DOWNLOADING,
            (
                "tests/client/test_deadline.py",
                "tests/client/test_watchdog_arming.py",
                "tests/client/test_settings.py",
                "tests/client/test_body_limits.py",
            ),
            _NAMES,
        ),
    ),
    Target(f"{CLIENT}/lib/start.py", _union(_TWINS, _STARTING, _NAMES)),
    Target(f"{CLIENT}/lib/wait.py", _union(_TWINS, _WAITING, _NAMES)),
    Target(f"{CLIENT}/lib/download.py", _union(_TWINS, _DOWNLOADING, _NAMES)),
    Target(
        f"{CLIENT}/lib/atomic_file.py",
        (
            "tests/client/test_atomic_file.py",
            "tests/client/test_disk_errors.py",
            "tests/client/test_downloading.py",
            "tests/client/test_destination.py",
            *_NAMES,
        ),
    ),
    Target(
        f"{CLIENT}/lib/destination.py",
        (
            "tests/client/test_destination.py",
            "tests/client/test_disk_errors.py",
            "tests/client/test_downloading.py",
            *_NAMES,
        ),
    ),
    Target(
        f"{CLIENT}/lib/cli/outcomes.py",
        (
            "tests/client/test_cli_outcomes.py",
            "tests/client/test_cli.py",
            "tests/client/test_cli_exit_code_help.py",
            "tests/client/test_cli_settings.py",
            "tests/client/test_cli_import.py",
            *_NAMES,
        ),
    ),
    Target(f"{CLIENT}/lib/import_decisions.py", ("tests/client/test_import_decisions.py", *_NAMES)),
    Target(f"{CLIENT}/lib/imports.py", ("tests/client/test_imports.py", *_NAMES)),
    Target(
        f"{EMULATOR}/upload.py",
        ("tests/emulator/test_upload.py", "tests/emulator/test_import_http.py"),
    ),
    Target(
        f"{EMULATOR}/importing.py",
        ("tests/emulator/test_importing.py", "tests/emulator/test_import_http.py"),
    ),
    Target(
        f"{EMULATOR}/design.py",
        ("tests/emulator/test_importing.py", "tests/emulator/test_import_http.py"),
    ),
    Target(
        f"{EMULATOR}/auth.py",
        ("tests/emulator/test_auth.py", "tests/emulator/test_auth_limits.py", "tests/emulator/test_value_objects.py"),
    ),
    Target(
        f"{EMULATOR}/models.py",
        (
            "tests/emulator/test_models.py",
            "tests/emulator/test_models_details.py",
            "tests/emulator/test_models_stateful.py",
            "tests/emulator/test_value_objects.py",
            "tests/emulator/test_odd_input.py",
            "tests/emulator/test_import_http.py",
        ),
    ),
    Target(
        f"{EMULATOR}/faults.py",
        ("tests/emulator/test_faults.py", "tests/emulator/test_fault_draws.py", "tests/emulator/test_value_objects.py"),
    ),
)


def test_files() -> list[str]:
    """Every test file of the core, each once, in a stable order."""
    return sorted({test for target in CORE for test in target.tests})

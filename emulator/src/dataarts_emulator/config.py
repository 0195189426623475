"""Emulator settings, the demo tenant, and how CLI flags, environment and a config file combine.

Precedence, highest first: command-line flag, ``DATAARTS_EMULATOR_<NAME>``
environment variable, ``--config`` file, built-in default. The built-in
default is one demo tenant whose credentials are printed at start-up, so a
newcomer can call the emulator without configuring anything.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .models import AccessKey, JobPolicy, Tenant

ENV_PREFIX = "DATAARTS_EMULATOR_"

# The project and workspace ids are the spec's own examples, so example-driven tools hit the demo tenant.
DEMO_PROJECT_ID = "0833a5737480d53b2f25c010dc1a7b88"
DEMO_WORKSPACE = "2ceb3c2b4b2d4b1c9d5a0a8b6a0c1e3f"
DEMO_TOKEN = "dataarts-emulator-demo-token"  # noqa: S105 - a published demo credential
DEMO_AK = "EMULATORDEMOAK000001"
DEMO_SK = "emulator-demo-secret-key-not-a-secret-01"
DEMO_TENANT = Tenant(
    project_id=DEMO_PROJECT_ID,
    workspaces=(DEMO_WORKSPACE,),
    tokens=(DEMO_TOKEN,),
    access_keys=(AccessKey(DEMO_AK, DEMO_SK),),
    name="demo",
)


class ConfigError(ValueError):
    """A config file, flag or environment variable that cannot be used; the message says which."""


def _rate(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything that shapes the emulator's behaviour; the defaults give a quiet, fault-free demo.

    Jobs: ``export_seconds`` (how long an asynchronous export stays
    ``importing``), ``fail_marker`` (a requested id containing it makes the
    export fail; empty disables), ``fail_ratio`` (fraction of exports failing
    at random), ``max_jobs`` and ``job_ttl_seconds`` (retention).
    Faults on spec paths (never on ``/healthz``): ``fault_rate`` (500/502/503),
    ``throttle_rate`` (429 with ``Retry-After``), ``truncate_rate`` (workbook
    bodies cut short), ``latency_ms`` (added to every answer). ``seed`` makes
    uuids, failures and faults reproducible (``None``: different every run).
    Auth: ``date_window_seconds`` (allowed ``X-Sdk-Date`` skew),
    ``lockout_failures``/``lockout_seconds`` (AK locking; 0 failures disables).
    """

    tenants: tuple[Tenant, ...] = (DEMO_TENANT,)
    export_seconds: float = 3.0
    fail_marker: str = "fail"
    fail_ratio: float = 0.0
    max_jobs: int = 1000
    job_ttl_seconds: float = 3600.0
    fault_rate: float = 0.0
    throttle_rate: float = 0.0
    truncate_rate: float = 0.0
    latency_ms: float = 0.0
    seed: int | None = None
    date_window_seconds: float = 900.0
    lockout_failures: int = 5
    lockout_seconds: float = 300.0
    max_body_bytes: int = 1024 * 1024
    retry_after_seconds: int = 1

    def __post_init__(self) -> None:
        if not self.tenants:
            raise ConfigError("at least one tenant is needed")
        for name in ("fail_ratio", "fault_rate", "throttle_rate", "truncate_rate"):
            _rate(name, getattr(self, name))
        if self.fault_rate + self.throttle_rate > 1.0:
            raise ConfigError("fault_rate + throttle_rate must not exceed 1")
        if self.latency_ms < 0 or self.max_body_bytes < 1 or self.retry_after_seconds < 0:
            raise ConfigError("latency_ms, max_body_bytes and retry_after_seconds must be positive")
        try:
            self.job_policy()
        except ValueError as error:
            raise ConfigError(str(error)) from None

    def job_policy(self) -> JobPolicy:
        """The part of the settings the job store needs."""
        return JobPolicy(
            export_seconds=self.export_seconds,
            fail_marker=self.fail_marker,
            fail_ratio=self.fail_ratio,
            max_jobs=self.max_jobs,
            job_ttl_seconds=self.job_ttl_seconds,
        )


_SETTING_TYPES: dict[str, Callable[[str], Any]] = {
    "export_seconds": float,
    "fail_marker": str,
    "fail_ratio": float,
    "max_jobs": int,
    "job_ttl_seconds": float,
    "fault_rate": float,
    "throttle_rate": float,
    "truncate_rate": float,
    "latency_ms": float,
    "seed": int,
    "date_window_seconds": float,
    "lockout_failures": int,
    "lockout_seconds": float,
    "max_body_bytes": int,
    "retry_after_seconds": int,
}


def _tenant_from_mapping(raw: Any, index: int) -> Tenant:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"tenants[{index}] must be a mapping")
    unknown = set(raw) - {"name", "project_id", "workspaces", "tokens", "access_keys"}
    if unknown:
        raise ConfigError(f"tenants[{index}]: unknown keys {sorted(unknown)}")
    keys = []
    for key_index, key in enumerate(raw.get("access_keys") or ()):
        if not isinstance(key, Mapping) or not key.get("ak") or not key.get("sk"):
            raise ConfigError(f"tenants[{index}].access_keys[{key_index}] needs ak and sk")
        token = key.get("security_token")
        keys.append(AccessKey(str(key["ak"]), str(key["sk"]), None if token is None else str(token)))
    try:
        return Tenant(
            project_id=str(raw.get("project_id") or ""),
            workspaces=tuple(str(w) for w in raw.get("workspaces") or ()),
            tokens=tuple(str(t) for t in raw.get("tokens") or ()),
            access_keys=tuple(keys),
            name=str(raw.get("name") or f"tenant-{index}"),
        )
    except ValueError as error:
        raise ConfigError(f"tenants[{index}]: {error}") from None


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Settings from a YAML or JSON file (JSON is YAML); see the README for the format."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"config file {path} must hold a mapping")
    unknown = set(raw) - set(_SETTING_TYPES) - {"tenants"}
    if unknown:
        raise ConfigError(f"config file {path}: unknown keys {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "tenants":
            if not isinstance(value, list):
                raise ConfigError("tenants must be a list")
            values["tenants"] = tuple(_tenant_from_mapping(item, i) for i, item in enumerate(value))
        elif value is not None:
            try:
                values[name] = _SETTING_TYPES[name](value)
            except (TypeError, ValueError):
                kind = _SETTING_TYPES[name].__name__
                raise ConfigError(f"config file {path}: {name}={value!r} is not a {kind}") from None
    return values


@dataclass(frozen=True)
class ServerOptions:
    """What ``python -m dataarts_emulator`` runs: where to listen and with which settings."""

    settings: EmulatorSettings = field(default_factory=EmulatorSettings)
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"


# (flag name, type, help); each is also DATAARTS_EMULATOR_<NAME> in upper case.
_FLAGS: tuple[tuple[str, Callable[[str], Any], str], ...] = (
    ("host", str, "interface to bind (default 127.0.0.1)"),
    ("port", int, "port to listen on (default 8000)"),
    ("log-level", str, "uvicorn log level (default info)"),
    ("config", str, "YAML or JSON file with tenants and settings"),
    ("token", str, "IAM token accepted for the command-line tenant (repeatable; env: comma-separated)"),
    ("ak", str, "access key of the command-line tenant"),
    ("sk", str, "secret key of the command-line tenant"),
    ("security-token", str, "security token the AK must send (temporary credentials)"),
    ("project-id", str, "project id of the command-line tenant"),
    ("workspace", str, "workspace of the command-line tenant (repeatable; env: comma-separated)"),
    ("export-seconds", float, "seconds an asynchronous export stays 'importing' (default 3)"),
    ("fail-marker", str, "a requested id containing this fails the export (default 'fail'; '' disables)"),
    ("fail-ratio", float, "fraction of exports that fail at random (default 0)"),
    ("fault-rate", float, "fraction of API requests answered 500/502/503 (default 0)"),
    ("latency-ms", float, "milliseconds added to every API answer (default 0)"),
    ("throttle-rate", float, "fraction of API requests answered 429 (default 0)"),
    ("truncate-rate", float, "fraction of workbook downloads cut short (default 0)"),
    ("max-jobs", int, "most exports kept at once; more gives 429 (default 1000)"),
    ("job-ttl-seconds", float, "seconds a finished export stays retrievable (default 3600)"),
    ("seed", int, "seed for uuids, failures and faults (default: random)"),
)
_REPEATABLE = {"token", "workspace"}


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser; every flag defaults to None so that absence is visible."""
    parser = argparse.ArgumentParser(
        prog="python -m dataarts_emulator",
        description="Local emulator of DataArts Studio's Excel export API. "
        f"Every flag can also be set as {ENV_PREFIX}<NAME> (e.g. {ENV_PREFIX}FAULT_RATE); flags win.",
    )
    for name, kind, text in _FLAGS:
        if name in _REPEATABLE:
            parser.add_argument(f"--{name}", action="append", help=text)
        else:
            parser.add_argument(f"--{name}", type=kind, help=text)
    return parser


def _from_env(environ: Mapping[str, str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind, _ in _FLAGS:
        raw = environ.get(ENV_PREFIX + name.replace("-", "_").upper())
        if raw is None or raw == "":
            continue
        key = name.replace("-", "_")
        if name in _REPEATABLE:
            values[key] = [item.strip() for item in raw.split(",") if item.strip()]
            continue
        try:
            values[key] = kind(raw)
        except ValueError:
            parser.error(f"{ENV_PREFIX}{key.upper()}={raw!r} is not a valid {kind.__name__}")
    return values


def _cli_tenant(values: Mapping[str, Any], base: Sequence[Tenant]) -> tuple[Tenant, ...]:
    names = ("token", "ak", "sk", "security_token", "project_id", "workspace")
    if not any(values.get(name) for name in names):
        return tuple(base)
    if bool(values.get("ak")) != bool(values.get("sk")):
        raise ConfigError("--ak and --sk go together")
    ak, sk = values.get("ak") or DEMO_AK, values.get("sk") or DEMO_SK
    tenant = Tenant(
        project_id=values.get("project_id") or DEMO_PROJECT_ID,
        workspaces=tuple(values.get("workspace") or (DEMO_WORKSPACE,)),
        tokens=tuple(values.get("token") or (DEMO_TOKEN,)),
        access_keys=(AccessKey(ak, sk, values.get("security_token")),),
        name="command-line",
    )
    return (*base, tenant)


def options_from(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> ServerOptions:
    """Combine flags, environment and config file into :class:`ServerOptions`.

    Config-file tenants come first; the single-tenant flags (``--token``,
    ``--ak``/``--sk``, ``--project-id``, ``--workspace``) add one more tenant,
    filling what they leave out from the demo tenant. With neither, the demo
    tenant alone is configured.
    """
    parser = build_parser()
    cli = {k: v for k, v in vars(parser.parse_args(argv)).items() if v is not None}
    merged = {**_from_env(os.environ if environ is None else environ, parser), **cli}
    try:
        file_values = load_config_file(merged["config"]) if merged.get("config") else {}
        base_tenants: tuple[Tenant, ...] = file_values.pop("tenants", ())
        overrides = {name: merged[name] for name in _SETTING_TYPES if name in merged}
        tenants = _cli_tenant(merged, base_tenants) or (DEMO_TENANT,)
        settings = replace(EmulatorSettings(), **{**file_values, **overrides, "tenants": tenants})
    except ConfigError as error:
        parser.error(str(error))
    return ServerOptions(
        settings=settings,
        host=merged.get("host", "127.0.0.1"),
        port=merged.get("port", 8000),
        log_level=merged.get("log_level", "info"),
    )

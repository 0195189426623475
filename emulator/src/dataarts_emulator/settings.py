"""Every emulator setting, declared once: a dataclass field with its default, type, help and bounds.

The command-line flags, the ``DATAARTS_EMULATOR_*`` environment variables,
the config-file keys, the ``--help`` text and the docs' flag table all come
from these fields (:func:`declared`), so adding a setting is one new field.
They are plain dataclass fields with :func:`setting` metadata rather than a
settings library: no extra dependency, and :class:`EmulatorSettings` stays a
plain typed, frozen object that tests build and ``dataclasses.replace`` at will.

Three dataclasses hold them, by who consumes them: :class:`EmulatorSettings`
(everything :func:`~dataarts_emulator.create_app` needs; also config-file
keys), :class:`ServerOptions` (where ``python -m dataarts_emulator`` listens)
and :class:`TenantFlags` (the single-tenant flags). Bounds are checked where
the object is built, with a message naming the setting.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ENV_PREFIX = "DATAARTS_EMULATOR_"


class ConfigError(ValueError):
    """A config file, flag or environment variable that cannot be used; the message says which."""


@dataclass(frozen=True)
class Setting:
    """What a field is as a setting: help text, where it can be set, and the values it allows."""

    help: str
    flag: bool = True  # a --flag and a DATAARTS_EMULATOR_* variable
    config_key: bool = True  # a key of the --config file
    repeatable: bool = False  # flag given several times; variable comma-separated
    minimum: float | None = None
    maximum: float | None = None
    shown_default: str | None = None  # how the default reads in help and the docs, when not the value itself


def setting(default: Any, help: str, **options: Any) -> Any:
    """A dataclass field that is a setting (see :class:`Setting` for ``options``)."""
    return field(default=default, metadata={"setting": Setting(help, **options)})


@dataclass(frozen=True)
class AccessKey:
    """An AK/SK pair; ``security_token`` set means temporary credentials that must send it."""

    ak: str
    sk: str
    security_token: str | None = None

    def __repr__(self) -> str:
        # Secrets never end up in logs or test output.
        return f"AccessKey(ak={self.ak!r}, sk=***, security_token={'***' if self.security_token else None})"


@dataclass(frozen=True)
class Tenant:
    """One project with the workspaces it may use and the credentials that act for it."""

    project_id: str
    workspaces: tuple[str, ...]
    tokens: tuple[str, ...] = ()
    access_keys: tuple[AccessKey, ...] = ()
    name: str = "tenant"

    def __repr__(self) -> str:
        # Tokens are secrets like the secret keys: a repr of the settings must not show them.
        return (
            f"Tenant(project_id={self.project_id!r}, workspaces={self.workspaces!r}, "
            f"tokens=<{len(self.tokens)} hidden>, access_keys={self.access_keys!r}, name={self.name!r})"
        )

    def __post_init__(self) -> None:
        if not self.project_id:
            raise ValueError("a tenant needs a project_id")
        if not self.workspaces:
            raise ValueError(f"tenant {self.project_id} needs at least one workspace")


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

_RATE = {"minimum": 0, "maximum": 1}


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything that shapes the emulator's behaviour; the defaults give a quiet, fault-free demo."""

    tenants: tuple[Tenant, ...] = setting(
        (DEMO_TENANT,), "tenants and their credentials (see Config file)", flag=False, shown_default="demo"
    )
    export_seconds: float = setting(3.0, "seconds an asynchronous export stays 'importing'", minimum=0)
    import_seconds: float = setting(3.0, "seconds an import stays 'importing' before its result is reported", minimum=0)
    strict_workspaces: bool = setting(
        False,
        "exporting ids a workspace does not hold is refused (400 EMU.0410) instead of answered with made-up rows",
        shown_default="off",
    )
    max_objects: int = setting(
        100_000, "most design objects of one kind a workspace holds; more refuses the import", minimum=1
    )
    fail_marker: str = setting("fail", "a requested id containing this fails the export ('' disables)")
    fail_ratio: float = setting(0.0, "fraction of exports that fail at random", **_RATE)
    fault_rate: float = setting(0.0, "fraction of API requests answered 500/502/503", **_RATE)
    throttle_rate: float = setting(0.0, "fraction of API requests answered 429 with Retry-After", **_RATE)
    truncate_rate: float = setting(0.0, "fraction of workbook downloads cut short", **_RATE)
    reset_rate: float = setting(0.0, "fraction of API requests whose connection is reset before any answer", **_RATE)
    proxy_page_rate: float = setting(0.0, "fraction of API requests answered 200 with an HTML proxy page", **_RATE)
    stall_rate: float = setting(0.0, "fraction of workbook downloads that stall mid-transfer", **_RATE)
    stall_seconds: float = setting(30.0, "seconds a stalled download waits before sending the rest", minimum=0)
    trickle_rate: float = setting(0.0, "fraction of workbook downloads sent slowly", **_RATE)
    trickle_bytes_per_second: float = setting(
        1024.0, "speed of a slowly sent workbook, in bytes per second", minimum=0.001
    )
    latency_ms: float = setting(0.0, "milliseconds added to every API answer", minimum=0)
    retry_after_seconds: int = setting(1, "Retry-After of injected throttling, in seconds", minimum=0)
    max_jobs: int = setting(1000, "most exports kept at once; more gives 429", minimum=1)
    job_ttl_seconds: float = setting(3600.0, "seconds a finished export stays retrievable", minimum=0)
    max_body_bytes: int = setting(1024 * 1024, "largest request body accepted, in bytes", minimum=1)
    date_window_seconds: float = setting(900.0, "allowed X-Sdk-Date skew of signed requests, in seconds", minimum=0)
    lockout_failures: int = setting(5, "an AK with more failed signatures in a row is locked (0 disables)", minimum=0)
    lockout_seconds: float = setting(300.0, "seconds a locked AK stays locked", minimum=0)
    flow_control: bool = setting(
        False,
        "apply Huawei's documented per-user limits a minute (429 APIG.0308 beyond them)",
        shown_default="off",
    )
    seed: int | None = setting(None, "seed for uuids, failures and faults", shown_default="random")

    def __post_init__(self) -> None:
        if not self.tenants:
            raise ConfigError("at least one tenant is needed")
        check_bounds(self)
        if self.fault_rate + self.throttle_rate + self.reset_rate + self.proxy_page_rate > 1.0:
            raise ConfigError("fault_rate + throttle_rate + reset_rate + proxy_page_rate must not exceed 1")


@dataclass(frozen=True)
class ServerOptions:
    """What ``python -m dataarts_emulator`` runs: where it listens, and with which settings."""

    host: str = setting(
        "127.0.0.1", "interface to bind; any other than loopback is warned about at start-up", config_key=False
    )
    port: int = setting(8000, "port to listen on", config_key=False, minimum=0, maximum=65535)
    log_level: str = setting("info", "uvicorn log level", config_key=False)
    config: str | None = setting(None, "YAML or JSON file with tenants and settings", config_key=False)
    settings: EmulatorSettings = field(default_factory=EmulatorSettings)

    def __post_init__(self) -> None:
        check_bounds(self)


@dataclass(frozen=True)
class TenantFlags:
    """The single-tenant flags: one more tenant, taking what they leave out from the demo tenant.

    Its credentials are the demo ones only when none is given: a tenant given a
    token or an AK/SK of its own does not also accept the published demo
    credentials (anyone who has read the docs could call it).
    """

    token: tuple[str, ...] = setting(
        (),
        "IAM token of the command-line tenant; with --token or --ak given, no demo credential is accepted",
        config_key=False,
        repeatable=True,
        shown_default="demo",
    )
    ak: str | None = setting(
        None,
        "access key of the command-line tenant; with --token or --ak given, no demo credential is accepted",
        config_key=False,
        shown_default="demo",
    )
    sk: str | None = setting(None, "secret key of --ak", config_key=False, shown_default="demo")
    security_token: str | None = setting(
        None, "makes --ak temporary: requests must send it as X-Security-Token", config_key=False
    )
    project_id: str | None = setting(None, "project of the command-line tenant", config_key=False, shown_default="demo")
    workspace: tuple[str, ...] = setting(
        (), "workspaces of the command-line tenant", config_key=False, repeatable=True, shown_default="demo"
    )

    def given(self) -> bool:
        """Whether any single-tenant flag was given."""
        return any(getattr(self, f.name) for f in dataclasses.fields(self))

    def tenant(self) -> Tenant:
        """The tenant these flags describe; the demo tenant fills the gaps (its credentials only if none is given)."""
        if bool(self.ak) != bool(self.sk):
            raise ConfigError("--ak and --sk go together")
        if self.security_token and not self.ak:
            raise ConfigError("--security-token goes with --ak and --sk (it makes that access key temporary)")
        own = bool(self.token or self.ak)
        keys = (AccessKey(self.ak, self.sk, self.security_token),) if self.ak and self.sk else ()
        return Tenant(
            project_id=self.project_id or DEMO_PROJECT_ID,
            workspaces=self.workspace or (DEMO_WORKSPACE,),
            tokens=self.token if own else (DEMO_TOKEN,),
            access_keys=keys if own else (AccessKey(DEMO_AK, DEMO_SK),),
            name="command-line",
        )


@dataclass(frozen=True)
class Declared:
    """One setting as the outside world sees it: names, Python type, default and :class:`Setting`."""

    name: str
    kind: type
    default: Any
    setting: Setting
    owner: type

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def shown_default(self) -> str:
        """The default as ``--help`` and the docs show it."""
        if self.setting.shown_default is not None:
            return self.setting.shown_default
        if self.default is None:
            return "–"
        if isinstance(self.default, float) and self.default.is_integer():
            return str(int(self.default))
        return str(self.default)


def _scalar_type(hint: Any) -> type:
    """``int`` for ``int | None``, ``str`` for ``tuple[str, ...]``: the type of one value."""
    args = [arg for arg in typing.get_args(hint) if arg is not type(None) and arg is not Ellipsis]
    if args:
        return _scalar_type(args[0])
    return typing.cast(type, hint)


@cache
def declared() -> tuple[Declared, ...]:
    """Every setting, in flag order: server options, then the tenant flags, then the emulator settings."""
    found = []
    for owner in (ServerOptions, TenantFlags, EmulatorSettings):
        hints = typing.get_type_hints(owner)
        for item in dataclasses.fields(owner):
            meta = item.metadata.get("setting")
            if isinstance(meta, Setting):
                found.append(Declared(item.name, _scalar_type(hints[item.name]), item.default, meta, owner))
    return tuple(found)


def declared_in(owner: type) -> Iterator[Declared]:
    """The settings held by ``owner``."""
    return (item for item in declared() if item.owner is owner)


def check_bounds(instance: object) -> None:
    """Raise :class:`ConfigError` naming the first setting of ``instance`` outside its bounds."""
    for item in declared_in(type(instance)):
        value, low, high = getattr(instance, item.name), item.setting.minimum, item.setting.maximum
        if not isinstance(value, int | float):
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            raise ConfigError(f"{item.name} must be {_bounds(low, high)}, got {value}")


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f">= {low:g}" if low is not None else f"<= {high:g}"


_SWITCH_WORDS = {
    "true": True,
    "on": True,
    "yes": True,
    "1": True,
    "false": False,
    "off": False,
    "no": False,
    "0": False,
}
"""How a switch (a ``bool`` setting) is written in a flag, a variable or the config file."""


def parse_switch(raw: Any) -> bool:
    """A switch's value: a boolean as it is, or one of :data:`_SWITCH_WORDS` (any case); :class:`ValueError` else."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _SWITCH_WORDS:
        return _SWITCH_WORDS[raw.strip().lower()]
    raise ValueError(raw)


def parse_value(item: Declared, raw: Any) -> Any:
    """``raw`` (text from a flag or variable, or a value from the config file) as the setting's type.

    Raises :class:`ValueError` for anything else: booleans are only switches,
    and lists and mappings are never numbers or text here.
    """
    if item.kind is bool:
        return parse_switch(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(raw)
    if item.kind is int and isinstance(raw, float) and not raw.is_integer():
        raise ValueError(raw)
    return item.kind(raw)

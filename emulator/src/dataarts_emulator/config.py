"""Where settings come from: command-line flags, ``DATAARTS_EMULATOR_*`` variables and a config file.

Precedence, highest first: command-line flag, environment variable,
``--config`` file, built-in default. Which flags, variables and keys exist,
their types and help text all come from the declaration in
:mod:`dataarts_emulator.settings`; this module only reads and combines them.
The built-in default is one demo tenant whose credentials are printed at
start-up, so a newcomer can call the emulator without configuring anything.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .settings import (
    DEMO_TENANT,
    ENV_PREFIX,
    AccessKey,
    ConfigError,
    Declared,
    EmulatorSettings,
    ServerOptions,
    Tenant,
    TenantFlags,
    declared,
    declared_in,
    parse_switch,
    parse_value,
)

_TENANT_KEYS = frozenset({"name", "project_id", "workspaces", "tokens", "access_keys"})


def _flags() -> list[Declared]:
    return [item for item in declared() if item.setting.flag]


def _help(item: Declared) -> str:
    how = "; repeatable, env comma-separated" if item.setting.repeatable else ""
    return f"{item.setting.help} (default: {item.shown_default}{how})"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser; every flag defaults to None so that absence is visible.

    ``prog`` is the name ``--help`` and usage errors show: by default argparse's,
    the name the program was started by (``dataarts-emulator``, the console script).
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Local emulator of DataArts Studio's Excel export API. "
        f"Every flag can also be set as {ENV_PREFIX}<NAME> (e.g. {ENV_PREFIX}FAULT_RATE); flags win.",
    )
    for item in _flags():
        if item.setting.repeatable:
            parser.add_argument(item.flag, dest=item.name, action="append", help=_help(item))
        elif item.kind is bool:  # a switch: the flag alone turns it on, or give on/off, true/false
            parser.add_argument(
                item.flag, dest=item.name, nargs="?", const=True, type=parse_switch, metavar="on|off", help=_help(item)
            )
        else:
            parser.add_argument(item.flag, dest=item.name, type=item.kind, help=_help(item))
    return parser


def _from_env(environ: Mapping[str, str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in _flags():
        raw = environ.get(item.env)
        if not raw:
            continue
        if item.setting.repeatable:
            values[item.name] = [part.strip() for part in raw.split(",") if part.strip()]
            continue
        try:
            values[item.name] = parse_value(item, raw)
        except ValueError:
            parser.error(f"{item.env}={raw!r} is not a valid {item.kind.__name__}")
    return values


def _tenant_from_mapping(raw: Any, index: int) -> Tenant:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"tenants[{index}] must be a mapping")
    unknown = set(raw) - _TENANT_KEYS
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
    """Settings from a YAML or JSON file (JSON is YAML), keyed like :class:`EmulatorSettings`' fields."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"config file {path} must hold a mapping")
    keys = {item.name: item for item in declared_in(EmulatorSettings) if item.setting.config_key}
    unknown = set(raw) - set(keys)
    if unknown:
        raise ConfigError(f"config file {path}: unknown keys {sorted(map(str, unknown))}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "tenants":
            if not isinstance(value, list):
                raise ConfigError(f"config file {path}: tenants must be a list")
            values["tenants"] = tuple(_tenant_from_mapping(item, i) for i, item in enumerate(value))
        elif value is not None:
            try:
                values[name] = parse_value(keys[name], value)
            except ValueError:
                kind = keys[name].kind.__name__
                raise ConfigError(f"config file {path}: {name}={value!r} is not a {kind}") from None
    return values


def _given(owner: type, merged: Mapping[str, Any]) -> dict[str, Any]:
    """The values ``merged`` holds for ``owner``'s settings (repeatable ones as tuples)."""
    return {
        item.name: tuple(merged[item.name]) if item.setting.repeatable else merged[item.name]
        for item in declared_in(owner)
        if item.name in merged
    }


def options_from(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None, *, prog: str | None = None
) -> ServerOptions:
    """Combine flags, environment and config file into :class:`ServerOptions`.

    Config-file tenants come first; the single-tenant flags (``--token``,
    ``--ak``/``--sk``, ``--project-id``, ``--workspace``) add one more tenant,
    filling what they leave out from the demo tenant. With neither, the demo
    tenant alone is configured. Errors exit with a usage message naming the setting (and ``prog``,
    as :func:`build_parser` does).
    """
    parser = build_parser(prog)
    cli = {name: value for name, value in vars(parser.parse_args(argv)).items() if value is not None}
    merged = {**_from_env(os.environ if environ is None else environ, parser), **cli}
    try:
        file_values = load_config_file(merged["config"]) if merged.get("config") else {}
        tenants: tuple[Tenant, ...] = file_values.pop("tenants", ())
        flags = TenantFlags(**_given(TenantFlags, merged))
        if flags.given():
            tenants = (*tenants, flags.tenant())
        settings = EmulatorSettings(
            **{**file_values, **_given(EmulatorSettings, merged), "tenants": tenants or (DEMO_TENANT,)}
        )
        return ServerOptions(**_given(ServerOptions, merged), settings=settings)
    except ConfigError as error:
        parser.error(str(error))

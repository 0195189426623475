"""Which ``openapi.yaml`` the emulator reads, and reading it once.

In a source checkout this module sits at
``<root>/emulator/src/dataarts_emulator/spec.py``; when ``<root>/openapi.yaml``
exists there, that hand-written root file is read, so the emulator and
schemathesis always read one and the same file (an edit to the spec reaches
the emulator without ``make generate``). Installed from a wheel there is no
such root, and the copy shipped inside ``dataarts_export_client``
(``openapi.yaml``, a generated artifact covered by the drift check) is read.
The choice depends only on where this file lies and whether that one file
exists: no environment variable, no search up the directory tree.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

SPEC_NAME = "openapi.yaml"
SPEC_PACKAGE = "dataarts_export_client"
_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_LAYOUT = ("dataarts_emulator", "src", "emulator")  # this directory, its parent, its grandparent


def checkout_spec(package_dir: Path = _PACKAGE_DIR) -> Path | None:
    """``<root>/openapi.yaml`` when ``package_dir`` is ``<root>/emulator/src/dataarts_emulator`` and it exists."""
    ancestors = (package_dir, package_dir.parent, package_dir.parent.parent)
    if tuple(path.name for path in ancestors) != _CHECKOUT_LAYOUT:
        return None
    candidate = package_dir.parents[2] / SPEC_NAME
    return candidate if candidate.is_file() else None


def spec_source(package_dir: Path = _PACKAGE_DIR) -> Path | Traversable:
    """The file the emulator reads: the checkout's root spec, else the client package's copy."""
    return checkout_spec(package_dir) or importlib.resources.files(SPEC_PACKAGE).joinpath(SPEC_NAME)


def parse_spec(source: Path | Traversable) -> dict[str, Any]:
    """The OpenAPI document in ``source``."""
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(spec, dict):
        raise TypeError(f"{source} is not an OpenAPI document")
    return spec


@cache
def load_spec() -> dict[str, Any]:
    """The spec from :func:`spec_source`, read once per process (treat it as read-only)."""
    return parse_spec(spec_source())


def follow_refs(spec: Mapping[str, Any], node: Any, pointer: str = "") -> tuple[Any, str]:
    """``node`` (found at JSON pointer ``pointer`` in ``spec``) with its local ``$ref`` chain followed.

    Returns the target and its own pointer, so that a schema found there can be compiled in place.
    """
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        pointer = node["$ref"].removeprefix("#")
        node = spec
        for part in pointer.split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, pointer

"""Each core module's ``__all__`` names public objects it has, each once and in order.

``__all__`` is what ``from module import *`` gives and what the docs'
"Where the helpers live" lists from: a name misspelt there (or a list turned
into something else) breaks a star import with an ``AttributeError`` and
hides a helper from the documented API. ``MODULES`` is every core module
of ``tools/mutation/targets.py`` that has an ``__all__`` (a test of the
mutation tool holds the two together; this file runs inside the mutation
run's staged tree, where ``tools`` cannot be imported).
"""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "dataarts_export_client.lib.atomic_file",
    "dataarts_export_client.lib.backoff",
    "dataarts_export_client.lib.cli.outcomes",
    "dataarts_export_client.lib.decisions",
    "dataarts_export_client.lib.destination",
    "dataarts_export_client.lib.download",
    "dataarts_export_client.lib.import_decisions",
    "dataarts_export_client.lib.imports",
    "dataarts_export_client.lib.io_loops",
    "dataarts_export_client.lib.pacing",
    "dataarts_export_client.lib.start",
    "dataarts_export_client.lib.transport_errors",
    "dataarts_export_client.lib.wait",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_the_module_s_own_public_names(name: str) -> None:
    module = importlib.import_module(name)
    listed = module.__all__
    assert isinstance(listed, list)
    assert listed == sorted(set(listed), key=lambda item: (not item.isupper(), item))
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)  # noqa: S102 - the star import that __all__ steers
    assert sorted(key for key in namespace if key != "__builtins__") == sorted(listed)
    assert all(not public.startswith("_") for public in listed)

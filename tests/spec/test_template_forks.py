"""Each forked template names the stock template it was forked from, and that stock template has not moved.

A template in ``overrides/templates/`` replaces openapi-python-client's template
of the same name wholesale. When the generator is upgraded and its stock
template changes (a bug fix, a new feature), the fork keeps rendering the old
code silently. So each fork starts with a header recording the generator
version and the sha256 of the stock template it was forked from::

    {# fork-of: openapi-python-client==0.29.1 templates/errors.py.jinja sha256=... (...) #}

and these tests fail when the pinned generator's stock template no longer has
that hash: diff the old and new stock templates, carry the change into the
fork, then record the new version and hash.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import tomllib
from pathlib import Path

import openapi_python_client
import pytest

GENERATOR = "openapi-python-client"
STOCK_TEMPLATES = Path(openapi_python_client.__file__).parent / "templates"
HEADER = re.compile(
    r"^\{# fork-of: openapi-python-client==(?P<version>\S+) templates/(?P<stock>\S+) "
    r"sha256=(?P<sha256>[0-9a-f]{64}) \(checked by tests/spec/test_template_forks\.py\) #\}\n"
)


def forks(repo_root: Path) -> list[Path]:
    return sorted((repo_root / "overrides" / "templates").rglob("*.jinja"))


def header_of(template: Path) -> re.Match[str]:
    match = HEADER.match(template.read_text(encoding="utf-8"))
    assert match, f"{template.name}: no fork-of header on the first line (see this test's docstring)"
    return match


def pinned_generator_version(repo_root: Path) -> str:
    """The version pyproject.toml pins for the generator (``openapi-python-client==X``, in a dependency group)."""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    groups: dict[str, list[str | dict[str, str]]] = project["dependency-groups"]
    requirements = [item for group in groups.values() for item in group if isinstance(item, str)]
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        if name.strip() == GENERATOR:
            return version.strip()
    raise AssertionError(f"{GENERATOR} is not pinned with == in pyproject.toml")


def test_there_are_forks_to_check(repo_root: Path) -> None:
    assert len(forks(repo_root)) >= 5


def test_the_installed_generator_is_the_pinned_one(repo_root: Path) -> None:
    assert importlib.metadata.version(GENERATOR) == pinned_generator_version(repo_root)


@pytest.mark.parametrize("name", ["README.md.jinja", "errors.py.jinja", "endpoint_module.py.jinja"])
def test_well_known_forks_are_checked(repo_root: Path, name: str) -> None:
    assert name in {template.name for template in forks(repo_root)}


def test_each_fork_records_the_stock_template_it_replaces(repo_root: Path) -> None:
    for template in forks(repo_root):
        header = header_of(template)
        relative = template.relative_to(repo_root / "overrides" / "templates").as_posix()
        assert header["stock"] == relative, f"{relative} overrides the stock template of its own name"
        assert (STOCK_TEMPLATES / relative).is_file(), f"{relative}: the generator has no such stock template"


def test_each_fork_was_checked_against_the_pinned_generator(repo_root: Path) -> None:
    pinned = pinned_generator_version(repo_root)
    stale = [t.name for t in forks(repo_root) if header_of(t)["version"] != pinned]
    assert not stale, f"forks recorded against another {GENERATOR} than {pinned}: {stale}"


def test_stock_templates_are_unchanged_since_the_fork(repo_root: Path) -> None:
    moved: list[str] = []
    for template in forks(repo_root):
        header = header_of(template)
        actual = hashlib.sha256((STOCK_TEMPLATES / header["stock"]).read_bytes()).hexdigest()
        if actual != header["sha256"]:
            moved.append(f"{header['stock']}: recorded sha256={header['sha256']}, stock now sha256={actual}")
    assert not moved, (
        "the stock template changed since it was forked; merge the change into overrides/templates/ "
        "and record the new hash:\n" + "\n".join(moved)
    )

"""The README a newcomer reads in one screen, its links into the site, and the newcomer's path through both.

Links between the pages under docs/ are checked by ``make docs`` (MkDocs'
strict build validates each link and anchor); the README is not part of the
site, so its links are checked here, the way GitHub resolves them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from tests.docs import markdown
from tests.docs.markdown import DOCS, README, ROOT

README_MAX_LINES = 200


def anchors(page: Path) -> set[str]:
    """The anchors of ``page``'s headings, as Python-Markdown's toc (MkDocs) and GitHub make them for these pages."""
    text = markdown.BLOCK_RE.sub("", page.read_text(encoding="utf-8"))
    return {slugify(re.sub(r"[`*]", "", heading), "-") for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


def test_the_readme_fits_one_screen() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= README_MAX_LINES


def readme_links() -> list[str]:
    text = markdown.BLOCK_RE.sub("", README.read_text(encoding="utf-8"))
    return [link for link in re.findall(r"\]\(([^)]+)\)", text) if "://" not in link]


def test_the_readme_links_into_every_recipe_and_reference_page() -> None:
    linked = {link.split("#", 1)[0] for link in readme_links()}
    pages = {page.relative_to(ROOT).as_posix() for page in DOCS.rglob("*.md")}
    wanted = {page for page in pages if page.startswith(("docs/recipes/", "docs/reference/"))}
    wanted -= {"docs/reference/api/emulator.md"}  # one entry to the API reference is enough
    assert wanted <= linked, f"the README does not link to {sorted(wanted - linked)}"


@pytest.mark.parametrize("link", readme_links())
def test_the_readme_links_resolve(link: str) -> None:
    """Each relative link names a file of the repository and, after ``#``, one of its headings."""
    path, _, anchor = link.partition("#")
    target = ROOT / path
    assert target.is_file(), f"{link}: no such file"
    if anchor:
        assert anchor in anchors(target), f"{link}: no heading {anchor!r} in {path}"


def test_a_broken_anchor_is_seen() -> None:
    """The anchor check above can fail: a heading that is not there is not among the anchors."""
    assert "exit-codes" in anchors(DOCS / "reference" / "cli.md")
    assert "no-such-heading" not in anchors(DOCS / "reference" / "cli.md")


# The newcomer's path (issue 17): each friction point, and where its answer is, in the README and the site.
NEWCOMER_PATH = {
    "where the commands are": (".venv/bin", DOCS / "install.md"),
    "building the wheels": ("make dist", DOCS / "install.md"),
    "flags for make emulator": ("EMULATOR_ARGS", DOCS / "recipes" / "test-your-pipeline.md"),
    "the helpers' signatures (timeout= is required)": ("timeout=", DOCS / "reference" / "helpers.md"),
}


@pytest.mark.parametrize("point", sorted(NEWCOMER_PATH))
def test_the_newcomers_path_is_in_the_readme_and_the_site(point: str) -> None:
    words, page = NEWCOMER_PATH[point]
    assert words in README.read_text(encoding="utf-8"), point
    assert words in page.read_text(encoding="utf-8"), point

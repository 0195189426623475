"""The documentation as the tests read it: its pages, their code blocks and markers, their tables.

The pages are ``README.md`` and every Markdown file under ``docs/``, found by
glob, so a page added later is read (and its blocks run) without a change
here. A block is a fenced code block, with the ``<!-- docs-test: ... -->``
comment on the line before it, if any, as its marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MARKER_PREFIX = "docs-test:"
BLOCK_RE = re.compile(
    r"(?:<!-- docs-test: (?P<marker>[^\n]*?) -->\n)?^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE
)
# The markers a block can carry; a marker not listed here is a typo, and a test says so.
RUN = "run against the emulator"
PLACEHOLDERS = "placeholders"
SIGNATURES = "signatures of dataarts_export_client.lib"
PYTEST_FILE = "pytest file "
NAMES_IN = "names in "
QUICK_START_FILE = "test_my_pipeline.py"
# The pages that show the plugin's quick start; the wheel's description (emulator/README.md) shows it too.
QUICK_START_PAGES = (README, DOCS / "recipes" / "test-your-pipeline.md")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    lang: str
    body: str
    marker: str | None

    @property
    def name(self) -> str:
        """The page and the block's first line, to tell blocks apart in a test id or a message."""
        first = next((line for line in self.body.splitlines() if line.strip()), "")
        return f"{self.page.relative_to(ROOT).as_posix()}: {first[:60]}"

    @property
    def run_name(self) -> str | None:
        """For a block marked to run against the emulator, its name in parentheses after the marker, or ''."""
        if self.marker is None or not self.marker.startswith(RUN):
            return None
        rest = self.marker.removeprefix(RUN).strip()
        return rest.strip("()") if rest else ""


def pages() -> list[Path]:
    """README.md, then every page under docs/, in a stable order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


@cache
def blocks(page: Path) -> tuple[Block, ...]:
    """Every fenced code block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    return tuple(Block(page, match["lang"], match["body"], match["marker"]) for match in BLOCK_RE.finditer(text))


def all_blocks() -> list[Block]:
    return [block for page in pages() for block in blocks(page)]


def marked(marker: str) -> list[Block]:
    """The blocks of every page whose marker is ``marker``."""
    return [block for block in all_blocks() if block.marker == marker]


def marked_prefix(prefix: str) -> list[Block]:
    """The blocks of every page whose marker starts with ``prefix``."""
    return [block for block in all_blocks() if (block.marker or "").startswith(prefix)]


def the_block(marker: str) -> Block:
    """The one block of all pages marked ``marker``."""
    (block,) = marked(marker)
    return block


def quick_start() -> str:
    """The plugin's quick start: a test file of a user's own (the same text on every page that shows it)."""
    shown = {block.body for block in marked(PYTEST_FILE + QUICK_START_FILE)}
    assert len(shown) == 1, "every page shows the same quick start"
    return shown.pop()


def table_after(page: Path, heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after the line ``heading``, header and rule rows left out."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def table_headed(page: Path, first_header: str) -> list[list[str]]:
    """The cells of the table whose header row starts with the cell ``first_header``, header and rule left out."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows: list[list[str]] = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def section(page: Path, heading: str) -> str:
    """The text under the line ``heading`` up to the next heading of the same or a higher level."""
    text = page.read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    body = text.split(f"\n{heading}\n", 1)[1]
    ends = [body.find(f"\n{'#' * n} ") for n in range(1, len(level) + 1)]
    found = [end for end in ends if end >= 0]
    return body[: min(found)] if found else body


def inline_code(page: Path) -> list[str]:
    """The inline code spans of ``page``'s prose (fenced blocks left out)."""
    text = BLOCK_RE.sub("", page.read_text(encoding="utf-8"))
    return re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text)

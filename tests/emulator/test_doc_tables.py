"""The emulator's tables in docs/reference/emulator.md match the code they describe, in both directions.

- "What it answers": every (status, ``error_code``) pair is one exception type
  of ``dataarts_emulator.exceptions``, and every type is in the table.
- "Flags and environment variables": one row per declared setting, in
  declaration order, with its flag, variable, config key, default and help
  text exactly as ``dataarts_emulator.settings`` declares them.
"""

from __future__ import annotations

from pathlib import Path

from dataarts_emulator.exceptions import error_types
from dataarts_emulator.settings import Declared, declared
from tests.docs import markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "emulator.md"
SOURCE = Path(__file__).resolve().parents[2] / "emulator" / "src" / "dataarts_emulator"


def table_after(heading: str) -> list[list[str]]:
    return markdown.table_after(PAGE, heading)


def test_error_table_lists_exactly_the_exception_types() -> None:
    documented = set()
    for _, statuses, codes in table_after("## What it answers"):
        if codes == "–":
            continue
        for status, code in zip(statuses.split(" / "), codes.split(" / "), strict=True):
            documented.add((int(status), code.strip("`")))
    declared_pairs = {(kind.status, kind.error_code) for kind in error_types()}
    assert documented - declared_pairs == set(), "the page lists answers the emulator does not give"
    assert declared_pairs - documented == set(), "answers missing from the page's table"


def test_each_error_code_is_written_once_in_the_emulator() -> None:
    sources = [path.read_text(encoding="utf-8") for path in sorted(SOURCE.glob("*.py"))]
    for kind in error_types():
        count = sum(text.count(f'"{kind.error_code}"') for text in sources)
        assert count == 1, f"{kind.error_code} is written {count} times in emulator code"


def expected_row(item: Declared) -> list[str]:
    repeatable = item.setting.repeatable
    flag = f"`{item.flag}`" + (" (repeatable)" if repeatable else "") if item.setting.flag else "–"
    env = f"`{item.env}`" + (" (comma-separated)" if repeatable else "") if item.setting.flag else "–"
    key = f"`{item.name}`" if item.setting.config_key else "–"
    literal = item.setting.shown_default is None and item.default is not None
    default = f"`{item.shown_default}`" if literal else item.shown_default
    return [flag, env, key, default, item.setting.help]


def test_flag_table_matches_the_declaration() -> None:
    expected = [expected_row(item) for item in declared()]
    rendered = "\n".join("| " + " | ".join(row) + " |" for row in expected)
    assert table_after("## Flags and environment variables") == expected, f"expected rows:\n{rendered}"

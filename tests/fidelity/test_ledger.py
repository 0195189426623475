"""The fidelity ledger (docs/fidelity.md) is complete and honest.

Every fact has a source and at least one test that pins it; every code the
emulator sends and every error code in the spec's examples has a row that
says where it comes from; no test pins a fact the ledger does not have; the
README points to the ledger. Each check is also run on a ledger broken on
purpose, to show that it can fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataarts_emulator.exceptions import error_types
from dataarts_emulator.spec import parse_spec

from .ledger import (
    ROOT,
    Fact,
    duplicated,
    ledger_facts,
    misattributed_codes,
    missing_codes,
    pinned_facts,
    read_ledger,
    unknown,
    unpinned,
    unsourced,
)

EMULATOR_CODES = {kind.error_code for kind in error_types()}


def _example_codes(node: Any, inside_example: bool = False) -> Iterator[str]:
    """Every ``error_code`` under an ``example``/``examples`` of the spec (body examples, any depth)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if inside_example and key == "error_code" and isinstance(value, str):
                yield value
            yield from _example_codes(value, inside_example or key in ("example", "examples"))
    elif isinstance(node, list):
        for item in node:
            yield from _example_codes(item, inside_example)


SPEC_EXAMPLE_CODES = set(_example_codes(parse_spec(ROOT / "openapi.yaml")))


@pytest.fixture(scope="module")
def facts() -> list[Fact]:
    return ledger_facts()


def test_the_ledger_has_facts_in_every_area(facts: list[Fact]) -> None:
    sections = {fact.section for fact in facts}
    assert {"Endpoints and regions", "Errors", "Flow control", "The emulator's own answers"} <= sections
    assert len(facts) >= 40


def test_every_fact_has_a_source_and_a_unique_id(facts: list[Fact]) -> None:
    assert unsourced(facts) == []
    assert duplicated(facts) == []


def test_every_fact_is_pinned_by_a_test_and_every_pinned_fact_exists(facts: list[Fact]) -> None:
    pinned = pinned_facts()
    assert unpinned(facts, pinned) == [], "facts no test carries as @pytest.mark.fact"
    assert unknown(facts, pinned) == [], "tests pin facts the ledger does not have"


def test_every_code_the_emulator_sends_has_a_row_saying_where_it_comes_from(facts: list[Fact]) -> None:
    assert {"APIG.0101", "APIG.0202", "APIG.0301", "APIG.0308", "DLG.0818", "EMU.0404"} <= EMULATOR_CODES
    assert missing_codes(facts, EMULATOR_CODES) == []
    assert misattributed_codes(facts, EMULATOR_CODES) == []


def test_every_error_code_of_the_spec_s_examples_has_a_row(facts: list[Fact]) -> None:
    assert {"DLG.0818", "APIG.0301", "APIG.0308"} <= SPEC_EXAMPLE_CODES
    assert missing_codes(facts, SPEC_EXAMPLE_CODES) == []
    assert misattributed_codes(facts, SPEC_EXAMPLE_CODES) == []


def test_the_readme_points_to_the_ledger() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[docs/fidelity.md](docs/fidelity.md)" in readme


BROKEN = """
## Errors

| ID | Fact | Source | Toolkit |
| --- | --- | --- | --- |
| F-ERR-1 | `APIG.0301` on failed authentication. | doc page: https://example.invalid | Emulator. |
| F-ERR-2 | `EMU.0400` for bad input. | doc page: https://example.invalid | Emulator. |
| F-ERR-3 | `DLG.0818` for a missing workspace. | | Emulator. |
| F-ERR-3 | `DLG.0818` again. | emulator's own | Emulator. |
"""


def test_the_checks_catch_a_broken_ledger(tmp_path: Path) -> None:
    """Each check fails on its own defect: no source, a duplicate, unpinned and unknown IDs, codes."""
    broken = read_ledger(BROKEN)
    assert unsourced(broken) == ["F-ERR-3"]
    assert duplicated(broken) == ["F-ERR-3"]
    pinned = {"F-ERR-1": {"test_a.py"}, "F-ERR-9": {"test_b.py"}}
    assert unpinned(broken, pinned) == ["F-ERR-2", "F-ERR-3", "F-ERR-3"]
    assert unknown(broken, pinned) == ["F-ERR-9"]
    assert missing_codes(broken, {"APIG.0301", "APIG.0308"}) == ["APIG.0308"]
    # EMU.0400 sourced as a doc page, DLG.0818 only as the emulator's own: both misattributed.
    assert misattributed_codes(broken, {"APIG.0301", "EMU.0400", "DLG.0818"}) == ["DLG.0818", "EMU.0400"]
    with pytest.raises(ValueError, match="4 cells"):
        read_ledger("| F-X-1 | only | three |")
    (tmp_path / "test_pins.py").write_text(
        '@pytest.mark.fact("F-ERR-1",\n  "F-ERR-2")\ndef test_x(): ...\nfact("F-ERR-3")\n', encoding="utf-8"
    )
    assert pinned_facts(tmp_path) == {"F-ERR-1": {"test_pins.py"}, "F-ERR-2": {"test_pins.py"}}

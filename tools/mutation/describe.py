"""Describe surviving mutants as ``file:line: change`` (run inside a staged tree).

mutmut reads its configuration from the current directory when it is
imported, so this runs as its own process with the staged tree as working
directory: ``python -m tools.mutation.describe MUTANT...``. It prints one
JSON object per mutant: the file (as in the repository), the line and the
lines removed and added.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .staging import PACKAGES, ROOT


def repository_path(staged_module: Path) -> str:
    """``src/<package>/...`` in the staged tree as the path of the same file in the repository."""
    package, *rest = staged_module.relative_to("src").parts
    return str((PACKAGES[package] / Path(*rest)).relative_to(ROOT))


def function_start(source_lines: list[str], mutant: str) -> int:
    """The 0-based index of the ``def`` line of the function that ``mutant`` changes (0 if not found).

    mutmut names a mutant ``<module>.x_<function>__mutmut_<n>`` or, for a
    method, ``<module>.xǁ<Class>ǁ<method>__mutmut_<n>``.
    """
    generated = mutant.rpartition(".")[2].rpartition("__mutmut_")[0]
    if generated.startswith("xǁ"):
        class_name, _, function = generated[2:].partition("ǁ")
    else:
        class_name, function = "", generated.removeprefix("x_")
    start = 0
    if class_name:
        start = next((i for i, line in enumerate(source_lines) if line.startswith(f"class {class_name}")), 0)
    for index in range(start, len(source_lines)):
        # A method is indented under its class; a module-level function is not (a method may share its name).
        text = source_lines[index].strip() if class_name else source_lines[index]
        if text.startswith((f"def {function}(", f"async def {function}(")):
            return index
    return start


def locate(source_lines: list[str], removed: list[str], start: int = 0) -> int:
    """The 1-based line of the first removed line at or after index ``start`` (0 if it cannot be found)."""
    if not removed:
        return 0
    first = removed[0].strip()
    for number in range(start, len(source_lines)):
        if source_lines[number].strip() == first:
            return number + 1
    return 0


def describe(name: str) -> dict[str, object]:
    # Imported here: mutmut reads its configuration from the working directory on import.
    from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant  # noqa: PLC0415

    data = find_mutant(name)
    diff = get_diff_for_mutant(name, path=data.path).splitlines()
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    staged = Path(data.path)
    original = Path("src") / staged.relative_to("mutants/src") if staged.is_relative_to("mutants") else staged
    source_lines = original.read_text(encoding="utf-8").splitlines()
    return {
        "mutant": name,
        "file": repository_path(original),
        "line": locate(source_lines, removed, function_start(source_lines, name)),
        "removed": [line.strip() for line in removed],
        "added": [line.strip() for line in added],
    }


def main(names: list[str]) -> int:
    for name in names:
        print(json.dumps(describe(name), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

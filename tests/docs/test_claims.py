"""What the docs claim about the code, held to the code: the kinds of claim that went stale before.

Each test reads the claim from the page and the truth from the tree, the
Makefile, a program's ``--help`` or ``schemathesis.toml``, so that the next
rename, new module, new target or changed status shows up as a failure here
rather than as a wrong sentence a reader trusts.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import dataarts_emulator
from dataarts_export_client import lib
from dataarts_export_client.lib.cli.transfer import DOCUMENTED_ACTIONS
from tests.docs import markdown, programs
from tests.docs.markdown import DOCS, ROOT
from tools.mutation.targets import CORE

LIB = Path(lib.__file__).parent
ARCHITECTURE = DOCS / "reference" / "architecture.md"
CONTRACT = DOCS / "reference" / "contract.md"
DEVELOPMENT = DOCS / "reference" / "development.md"
MUTATION = DOCS / "reference" / "mutation-testing.md"
IMPORT = DOCS / "import.md"
INSTALL = DOCS / "install.md"
# Flags of programs that are not the project's, named in the docs: flag -> the program it belongs to.
OTHER_PROGRAMS_FLAGS = {
    "--resolution": "uv pip install",
    "--strict": "mkdocs build",
    "--check": "ruff format",
    # The command line's page shows what it refuses: an abbreviation and a misspelling.
    "--time": "dataarts-export, refused",
    "--tiemout": "dataarts-export, refused",
}


def cells(page: Path, heading: str, column: int) -> list[str]:
    return [row[column] for row in markdown.table_after(page, heading)]


def test_the_helper_module_table_lists_the_modules_on_disk() -> None:
    """Architecture's table of lib/ lists each module once, the command line's modules included, and no other."""
    rows = markdown.table_after(ARCHITECTURE, "## The client: where the helpers live")
    listed = {name for first, _ in rows for name in re.findall(r"`([\w/]+\.py)`", first)}
    cli_row = next(second for first, second in rows if first == "`cli/`")
    listed |= {f"cli/{name}" for name in re.findall(r"`(\w+\.py)`", cli_row)}
    on_disk = {path.relative_to(LIB).as_posix() for path in LIB.rglob("*.py")}
    on_disk -= {"__init__.py", "__main__.py", "cli/__init__.py"}
    assert listed == on_disk, f"missing: {sorted(on_disk - listed)}; gone: {sorted(listed - on_disk)}"


def package_modules(package: ModuleType) -> dict[str, ModuleType]:
    """Every module of ``package``, by its name and by its path from the package (``cli.output``)."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        relative = info.name.removeprefix(f"{package.__name__}.")
        found[relative] = module
        found.setdefault(relative.rsplit(".", 1)[-1], module)
    return found


def resolves(name: str, modules: dict[str, ModuleType]) -> bool:
    """``module.attribute`` or ``Class.attribute`` names something in one of ``modules``."""
    head, *rest = name.split(".")
    candidates: list[object] = [modules[head]] if head in modules else []
    candidates += [vars(module)[head] for module in modules.values() if head in vars(module)]
    for candidate in candidates:
        found = candidate
        for part in rest:
            found = getattr(found, part, None)
        if found is not None:
            return True
    return False


@pytest.mark.parametrize("block", markdown.marked_prefix(markdown.NAMES_IN), ids=lambda block: block.marker)
def test_the_names_in_a_diagram_exist(block: markdown.Block) -> None:
    """Each ``module.py`` of a diagram is a module of its package, each ``Name.attribute`` exists."""
    package = importlib.import_module((block.marker or "").removeprefix(markdown.NAMES_IN))
    modules = package_modules(package) | package_modules(lib) | package_modules(dataarts_emulator) | {"lib": lib}
    files = set(re.findall(r"\b(\w+)\.py\b", block.body))
    assert files, "the diagram names its modules"
    assert not {name for name in files if name not in modules}, "a module the diagram names is not in the package"
    dotted = set(re.findall(r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b", block.body)) - {f"{name}.py" for name in files}
    assert dotted, "the diagram names functions and methods"
    missing = sorted(name for name in dotted if not resolves(name, modules))
    assert missing == [], f"named in the diagram but not in the code: {missing}"


def make_targets() -> set[str]:
    """The targets ``make help`` lists."""
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(re.findall(r"^  make (\S+)", shown.stdout, re.MULTILINE))


def test_the_make_targets_named_are_the_makefiles() -> None:
    """Every ``make X`` of every page is a target ``make help`` lists, and Development's table lists them all."""
    targets = make_targets()
    assert {"contract", "test", "docs", "dist", "emulator"} <= targets
    for page in markdown.pages():
        text = page.read_text(encoding="utf-8")
        named = set(re.findall(r"`make ([a-z][\w-]*)", text)) | set(re.findall(r"^make ([a-z][\w-]*)", text, re.M))
        assert named <= targets, f"{page.name} names targets make help does not list: {sorted(named - targets)}"
    table = {re.sub(r"`make (\S+)`", r"\1", cell) for cell in cells(DEVELOPMENT, "## Make targets", 0)}
    assert table == targets, f"Development's table: missing {sorted(targets - table)}, stale {sorted(table - targets)}"


def test_the_flags_named_in_prose_are_real() -> None:
    """A ``--flag`` in a page's prose is an option of one of the project's programs (or of a program named here)."""
    known = set().union(*(programs.options(program) for program in programs.HELP_COMMANDS)) | set(OTHER_PROGRAMS_FLAGS)
    named = {
        (page.relative_to(ROOT).as_posix(), flag)
        for page in markdown.pages()
        for span in markdown.inline_code(page)
        for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", span)
    }
    assert len(named) >= 30
    unknown = sorted((page, flag) for page, flag in named if flag not in known)
    assert unknown == [], f"flags no program takes: {unknown}"


def statuses(text: str) -> set[str]:
    return set(re.findall(r"\b([1-5](?:\d\d|xx))\b", text))


def test_the_contract_statuses_are_schemathesis_tomls() -> None:
    """The statuses ``positive_data_acceptance`` accepts, per operation, as the Checks table says them."""
    settings = tomllib.loads((ROOT / "schemathesis.toml").read_text(encoding="utf-8"))
    default = set(settings["checks"]["positive_data_acceptance"]["expected-statuses"])
    per_operation = {
        operation["include-operation-id"]: set(operation["checks"]["positive_data_acceptance"]["expected-statuses"])
        for operation in settings["operations"]
    }
    (row,) = [
        what for check, what in markdown.table_after(CONTRACT, "## Checks") if check == "`positive_data_acceptance`"
    ]
    said = dict(re.findall(r"`((?:Export|Import)\w+)` ([^;]+)", row))
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    operation_ids = {
        operation["operationId"]
        for path in spec["paths"].values()
        for operation in path.values()
        if "operationId" in operation
    }
    assert said.keys() == operation_ids
    for operation, text in said.items():
        assert statuses(text) == per_operation.get(operation, default), (operation, text)


def test_the_checks_table_lists_the_checks_schemathesis_toml_enables() -> None:
    """The Checks table lists exactly the checks that run; each one left out is named with why."""
    settings = tomllib.loads((ROOT / "schemathesis.toml").read_text(encoding="utf-8"))["checks"]
    switched = {name: value["enabled"] for name, value in settings.items() if isinstance(value, dict)}
    thresholds = {name for name, value in settings.items() if not isinstance(value, dict)}  # max_response_time
    enabled = {name for name, on in switched.items() if on} | thresholds
    listed = {name for cell in cells(CONTRACT, "## Checks", 0) for name in re.findall(r"`(\w+)`", cell)}
    assert listed == enabled, f"missing {sorted(enabled - listed)}, not enabled {sorted(listed - enabled)}"
    checks = markdown.section(CONTRACT, "## Checks")
    for name in (name for name, on in switched.items() if not on):
        assert f"**`{name}`**" in checks, f"{name} is left out without a word why"


def test_the_mutation_table_lists_the_core_modules() -> None:
    """One row per module of tools/mutation/targets.py, in its order, then the total."""
    rows = [row[0].replace("`", "") for row in markdown.table_headed(MUTATION, "module (core)")]
    expected = [
        target.module.removeprefix("dataarts_export_client/").replace("dataarts_emulator/", "emulator ")
        for target in CORE
    ]
    assert rows == [*expected, "all"]


def test_the_pages_are_all_in_the_nav() -> None:
    """Every page under docs/ has a place in mkdocs.yml's navigation (the strict build says so too)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def entries(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, list):
            return [entry for item in nav for entry in entries(item)]
        if isinstance(nav, dict):
            return [entry for value in nav.values() for entry in entries(value)]
        return []

    in_nav = entries(config["nav"])
    assert len(in_nav) == len(set(in_nav)), "each page once"
    on_disk = {page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")}
    assert set(in_nav) == on_disk, (
        f"not in the nav: {sorted(on_disk - set(in_nav))}; gone: {sorted(set(in_nav) - on_disk)}"
    )


REPOSITORY_PATH = re.compile(
    r"^(?:generated|emulator|tools|tests|overrides|examples|docs|\.ci)/[\w./-]*$"
    r"|^(?:openapi\.yaml|schemathesis\.toml|mkdocs\.yml|pyproject\.toml|uv\.lock|Makefile|CHANGELOG\.md|BENCHMARKS\.md"
    r"|README\.md|generator-config\.yaml|\.spectral\.yaml|benchmarks\.png)$"
)


def test_the_repository_paths_named_exist() -> None:
    """A file or folder of the repository named in a page (``lib/`` paths are the helpers' folder) exists."""
    named = {
        (page.relative_to(ROOT).as_posix(), span)
        for page in markdown.pages()
        for span in markdown.inline_code(page)
        if REPOSITORY_PATH.match(span) and "<" not in span
    }
    assert len(named) >= 30
    lib_folder = LIB.relative_to(ROOT)
    missing = sorted(
        (page, span)
        for page, span in named
        if not (ROOT / span).exists() and not (ROOT / lib_folder.parent / span).exists()
    )
    assert missing == [], f"named but not in the repository: {missing}"


def test_each_packages_dependencies_are_declared_where_the_docs_say() -> None:
    """Install's table names the file each package's version and dependencies are set in: they are there."""
    packages = {
        "dataarts-export-client": ROOT / "generated" / "dataarts-export-client" / "pyproject.toml",
        "dataarts-emulator": ROOT / "emulator" / "pyproject.toml",
    }
    rows = markdown.table_after(INSTALL, "## Packages and versions")
    assert {row[0].strip("`") for row in rows} == set(packages)
    for row in rows:
        (source,) = re.findall(r"`([^`]+)`", row[3])[:1]
        text = (ROOT / source).read_text(encoding="utf-8")
        project = tomllib.loads(packages[row[0].strip("`")].read_text(encoding="utf-8"))["project"]
        for dependency in project["dependencies"]:
            assert f'"{dependency}"' in text, f"{dependency} is not set in {source}"


def test_the_type_to_action_table_is_the_one_copy_maps() -> None:
    """Import's table of documented counterparts is ``copy``'s mapping, no more and no less."""
    rows = markdown.table_after(IMPORT, "### Which `--action` reads which `--type`")
    assert {first.strip("`"): second.strip("`") for first, second in rows} == dict(DOCUMENTED_ACTIONS)

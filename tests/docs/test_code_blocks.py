"""Every code block of the README and of the pages under docs/ that claims to run is run (or, for commands, checked).

- ``python`` blocks run in order, one script per page, against an emulator on a
  free port (the plugin's ``dataarts_emulator``; the documented
  ``http://127.0.0.1:8000`` is replaced by its address). The block marked
  ``<!-- docs-test: placeholders -->`` (the demo tenant's names) runs first in
  every page's script.
- Shell blocks marked ``<!-- docs-test: run against the emulator -->`` run in
  bash against such an emulator, each against its own; ``(name)`` after the
  marker names the block for the expectations of :data:`EXPECTED`. The curl
  walkthrough's export is moved to success on the emulator's clock right
  after its first status call has answered ``importing``, however slowly the
  machine starts ``curl`` and ``python``; nothing else depends on timing.
- Other shell blocks hold commands a reader types: each ``make`` line must be
  a real target (``make -n``) and the flags in its ``*_ARGS`` real flags of the
  program they go to; each ``dataarts-emulator``, ``python -m
  dataarts_emulator``, ``dataarts-export`` and ``python -m tools.*`` line must
  parse; each ``schemathesis`` line must name real options; a wheel installed
  from ``dist/`` must be one ``make dist`` builds.
- The blocks marked ``<!-- docs-test: signatures of dataarts_export_client.lib
  -->`` (the export helpers' and the import helpers') must match the helpers'
  real signatures.
- ``yaml`` blocks are emulator config files and must load.
- A ``python`` block marked ``<!-- docs-test: pytest file NAME -->`` is a test
  file of a user's own: it runs under pytest here (the plugin's quick start
  also in a fresh environment of the built wheels, in ``tests/packaging``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.metadata
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataarts_emulator.config import load_config_file, options_from
from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client import lib
from dataarts_export_client.lib.cli import build_parser
from tests.docs import markdown, programs
from tests.docs.markdown import ROOT, Block

PACKAGE_README = ROOT / "generated" / "dataarts-export-client" / "README.md"
EMULATOR_README = ROOT / "emulator" / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"
SHELLS = {"bash", "sh", "console"}

# Appended to a page's script: every client the page builds must really work.
EVERY_CLIENT_WORKS = """
from dataarts_export_client.api.export import export_design_models as _start
from dataarts_export_client.models import ExportModelsResult as _Started, ExportParam as _Param

for _name in ("client", "signed_client", "env_client"):
    _answer = _start.sync(PROJECT_ID, client=globals()[_name], workspace=WORKSPACE, body=_Param())
    assert isinstance(_answer, _Started), (_name, _answer)
print("every client of the page works")
"""
EPILOGUES = {ROOT / "docs" / "reference" / "client.md": EVERY_CLIENT_WORKS}


def python_pages() -> list[Path]:
    """The pages with ``python`` blocks to run (test files of a user's own left out)."""
    return [page for page in markdown.pages() if any(is_script(block) for block in markdown.blocks(page))]


def is_script(block: Block) -> bool:
    return block.lang == "python" and (block.marker is None or block.marker == markdown.PLACEHOLDERS)


def run_python(script: str, emulator_url: str, directory: Path) -> subprocess.CompletedProcess[str]:
    (directory / "docs_examples.py").write_text(script.replace(DOCUMENTED_URL, emulator_url), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "docs_examples.py"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def command_lines(body: str) -> Iterator[list[str]]:
    """Commands of a shell block, without comments, continuation lines joined."""
    for line in body.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words:
            yield words


@pytest.fixture
def emulator_url(dataarts_emulator: RunningEmulator) -> str:
    return dataarts_emulator.base_url


def test_the_pages_are_found_and_every_marker_is_known() -> None:
    """A page's blocks run only if the runner sees their markers: a misspelt or old marker is an error."""
    pages = markdown.pages()
    assert markdown.README in pages
    assert len([page for page in pages if page.is_relative_to(markdown.DOCS)]) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for comment in re.findall(r"^<!--\s*([a-z]+-test\b[^>]*?)\s*-->", text, re.MULTILINE):
            assert comment.startswith(markdown.MARKER_PREFIX), f"{page.name}: unknown marker <!-- {comment} -->"
        for block in markdown.blocks(page):
            marker = block.marker
            if marker is None:
                continue
            known = (
                marker in {markdown.PLACEHOLDERS, markdown.SIGNATURES}
                or block.run_name is not None
                or marker.startswith((markdown.PYTEST_FILE, markdown.NAMES_IN))
            )
            assert known, f"{block.name}: unknown marker {marker!r}"
        assert len(re.findall("^<!-- docs-test:", text, re.MULTILINE)) == len(
            [b for b in markdown.blocks(page) if b.marker]
        ), f"{page.name}: a marker that is not on the line right before a code block"


def test_readme_has_the_two_commands() -> None:
    text = markdown.README.read_text(encoding="utf-8")
    assert "make contract" in text
    assert "make test" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make contract" in ci
    assert "make test" in ci, "CI runs the README's test command"


@pytest.mark.parametrize("page", python_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_python_blocks_run_against_the_emulator(page: Path, emulator_url: str, tmp_path: Path) -> None:
    placeholders = markdown.the_block(markdown.PLACEHOLDERS)
    scripts = [block.body for block in markdown.blocks(page) if is_script(block)]
    if placeholders.page != page:
        scripts.insert(0, placeholders.body)
    scripts.append(EPILOGUES.get(page, ""))
    result = run_python("\n\n".join(scripts), emulator_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    if page in EPILOGUES:
        assert "every client of the page works" in result.stdout


def test_the_pages_that_export_save_a_workbook(emulator_url: str, tmp_path: Path) -> None:
    """The README's and Export once's examples write the workbook into the current directory."""
    for page in (markdown.README, ROOT / "docs" / "recipes" / "export-once.md"):
        folder = tmp_path / page.stem
        folder.mkdir()
        scripts = [markdown.the_block(markdown.PLACEHOLDERS).body]
        scripts += [block.body for block in markdown.blocks(page) if block.lang == "python" and block.marker is None]
        result = run_python("\n\n".join(scripts), emulator_url, folder)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "saved" in result.stdout
        assert list(folder.glob("*.xlsx")), f"{page.name}: export_to_file wrote the workbook into the current directory"


def test_generated_package_readme_runs(emulator_url: str, tmp_path: Path) -> None:
    """The package's own README (from overrides/templates/README.md.jinja), with the docs' placeholders."""
    placeholders = markdown.the_block(markdown.PLACEHOLDERS).body
    assert "BASE_URL =" in placeholders
    package_blocks = [block.body for block in markdown.blocks(PACKAGE_README) if block.lang == "python"]
    assert len(package_blocks) >= 3
    script = "\n\n".join([placeholders, *package_blocks, 'print("saved", path)'])
    result = run_python(script, emulator_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.glob("*.xlsx"))


@dataclass(frozen=True)
class Expected:
    """What a marked shell block's output must show, and the emulator's export time for it."""

    shows: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    export_seconds: float = 1.0
    finish_after_first_poll: bool = False


# By the name after the marker; a block without a name (or a name not here) must just succeed.
EXPECTED = {
    # '"status":"importing"': the first status call; 'File Name': the download is a zip archive (.xlsx).
    "curl-walkthrough": Expected(
        shows=('"status":"importing"', "File Name"), export_seconds=600, finish_after_first_poll=True
    ),
    "export-once": Expected(writes=("models.xlsx",)),
    "readme-cli": Expected(writes=("models.xlsx",)),
    "nightly-script": Expected(shows=("saved exports/table-models-",)),
    "start-then-download": Expected(writes=("collected.xlsx",)),
    # Printed by `import` and again by `import-result`: every row imported, and the IDs to export them by.
    "import-cli": Expected(
        shows=('"failed": 0, "failed_rows": [], "object_ids": ["1224641525420683264", "1224641525420683265"]',),
        writes=("codes.xlsx",),
    ),
}


def expected_of(block: Block) -> Expected:
    return EXPECTED.get(block.run_name or "", Expected())


def marked_shell_blocks() -> list[Block]:
    return [block for block in markdown.all_blocks() if block.lang in SHELLS and block.run_name is not None]


def test_every_expectation_names_a_block() -> None:
    names = [block.run_name for block in marked_shell_blocks()]
    assert len(names) == len(set(names)), "each marked block has its own name"
    assert set(EXPECTED) <= set(names)


@contextlib.contextmanager
def finishing_after_the_first_poll(emulator: RunningEmulator, export_seconds: float) -> Iterator[None]:
    """Move the emulator's clock past ``export_seconds`` once it has answered a first status poll.

    The walkthrough's first poll then shows ``importing`` and its loop then gets
    the workbook, however slowly the machine runs ``curl`` and ``python``.
    """
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            if any(request.path.endswith("/export-result") for request in emulator.requests):
                emulator.advance(export_seconds)
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(
    "block",
    [
        pytest.param(
            block,
            id=block.run_name or block.name,
            marks=pytest.mark.dataarts_emulator(
                export_seconds=EXPECTED.get(block.run_name or "", Expected()).export_seconds
            ),
        )
        for block in marked_shell_blocks()
    ],
)
def test_marked_shell_blocks_run(block: Block, dataarts_emulator: RunningEmulator, tmp_path: Path) -> None:
    """The walkthroughs and command-line examples, as a reader pastes them."""
    expected = expected_of(block)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    clock = (
        finishing_after_the_first_poll(dataarts_emulator, expected.export_seconds)
        if expected.finish_after_first_poll
        else contextlib.nullcontext()
    )
    with clock:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block.body.replace(DOCUMENTED_URL, dataarts_emulator.base_url)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected.shows:
        assert text in result.stdout, result.stdout
    for name in expected.writes:
        assert (tmp_path / name).exists(), f"the block saved {name} where it said"


def pytest_files() -> list[Block]:
    return [block for block in markdown.all_blocks() if (block.marker or "").startswith(markdown.PYTEST_FILE)]


@pytest.mark.parametrize("block", pytest_files(), ids=lambda block: block.name)
def test_pytest_files_are_passing_test_files(block: Block, tmp_path: Path) -> None:
    """A test file of a user's own, as a page shows it: it passes under pytest with the plugin installed."""
    name = (block.marker or "").removeprefix(markdown.PYTEST_FILE)
    (tmp_path / name).write_text(block.body, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed", result.stdout), result.stdout


def test_the_quick_start_is_one_text_in_under_ten_lines() -> None:
    """The plugin's quick start is the same on each page that shows it and in the wheel's description."""
    shown_on = {block.page for block in markdown.marked(markdown.PYTEST_FILE + markdown.QUICK_START_FILE)}
    assert shown_on == set(markdown.QUICK_START_PAGES)
    quick_start = markdown.quick_start()
    assert quick_start in EMULATOR_README.read_text(encoding="utf-8"), "the wheel's description shows the same test"
    assert len([line for line in quick_start.splitlines() if line.strip()]) < 10, "a test of your own in < 10 lines"


def reader_commands() -> list[Block]:
    return [block for block in markdown.all_blocks() if block.lang in SHELLS and block.run_name is None]


def test_shell_commands_name_real_targets_and_flags() -> None:
    checked = 0
    for block in reader_commands():
        for words in command_lines(block.body):
            try:
                checked += check_command(words)
            except (AssertionError, SystemExit, argparse.ArgumentError) as error:
                pytest.fail(f"{block.name}: {' '.join(words)}: {error!r}")
    assert checked >= 15


def check_make(words: list[str]) -> None:
    """A ``make`` line: a real target (``make -n``), and real flags in the variables that pass flags on."""
    result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(words)}: {result.stderr}"
    for word in words:
        name, _, value = word.partition("=")
        if name == "EMULATOR_ARGS":
            options_from(shlex.split(value), environ={})
        elif name in programs.ARGS_VARIABLES:
            args = shlex.split(value)
            args = args[: args.index("--")] if "--" in args else args
            program = programs.ARGS_VARIABLES[name]
            assert not programs.unknown_flags(program, args), (word, program)


def check_command(words: list[str]) -> bool:
    """Fail unless a reader's command names a real target or real flags; False for commands not checked."""
    program = Path(words[0]).name
    if words[0] == "make":
        check_make(words)
    elif program == "dataarts-export" and "--help" in words:
        with pytest.raises(SystemExit) as shown:
            build_parser().parse_args(words[1:])
        assert shown.value.code == 0
    elif program == "dataarts-export":
        build_parser().parse_args(words[1:])
    elif program == "dataarts-emulator" and words[1:] == ["--help"]:
        with pytest.raises(SystemExit) as shown:
            options_from(words[1:], environ={})
        assert shown.value.code == 0
    elif program == "dataarts-emulator":
        options_from(words[1:], environ={})
    elif "dataarts_emulator" in words:
        options_from(words[words.index("dataarts_emulator") + 1 :], environ={})
    elif len(words) > 2 and words[1] == "-m" and words[2] in programs.HELP_COMMANDS:
        assert not programs.unknown_flags(words[2], words[3:]), words
    elif program == "schemathesis" and words[1:2] == ["run"]:
        assert not programs.unknown_flags("schemathesis run", words[2:]), words
    elif program == "pip" and words[1:2] == ["install"] and any(word.startswith("dist/") for word in words):
        for wheel in (word for word in words if word.startswith("dist/")):
            assert wheel in built_wheels(), f"make dist builds {sorted(built_wheels())}, not {wheel}"
    else:
        return False
    return True


def built_wheels() -> set[str]:
    """The wheels ``make dist`` writes: each package's name and version, as installed in .venv."""
    return {
        f"dist/{name.replace('-', '_')}-{importlib.metadata.version(name)}-py3-none-any.whl"
        for name in ("dataarts-export-client", "dataarts-emulator")
    }


def test_the_signatures_shown_are_the_helpers_signatures() -> None:
    """Each line of the signatures blocks, read as a ``def``, matches the helper's real signature.

    Same names in the same order and of the same kind, the same defaults and
    return type; a parameter may be left out only if it has a default (the
    text says which: ``clock`` and ``sleep``).
    """
    shown_blocks = markdown.marked(markdown.SIGNATURES)
    lines = [line for block in shown_blocks for line in block.body.splitlines()]
    assert len(shown_blocks) >= 2
    assert {"export_to_file", "import_file", "async_import_file"} <= {line.split("(", 1)[0] for line in lines}
    for line in lines:
        shown = ast.parse(f"def {line}: ...").body[0]
        assert isinstance(shown, ast.FunctionDef)
        real = inspect.signature(getattr(lib, shown.name))
        shown_params = {arg.arg: (kind, default) for kind, arg, default in _shown_parameters(shown.args)}
        for name, parameter in real.parameters.items():
            if name not in shown_params:
                assert name in {"clock", "sleep"}, (line, name)
                assert parameter.default is not parameter.empty, (line, name)
                continue
            kind, default = shown_params[name]
            assert parameter.kind == kind, (line, name)
            if default is None:
                assert parameter.default is parameter.empty, f"{line}: {name} has a default"
            else:
                assert parameter.default == eval(ast.unparse(default), vars(lib)), (line, name)  # noqa: S307
        assert [name for name in real.parameters if name in shown_params] == list(shown_params), line
        assert shown.returns is not None
        assert ast.unparse(shown.returns) == real.return_annotation, line


def _shown_parameters(args: ast.arguments) -> Iterator[tuple[inspect._ParameterKind, ast.arg, ast.expr | None]]:
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        yield inspect.Parameter.POSITIONAL_OR_KEYWORD, arg, default
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        yield inspect.Parameter.KEYWORD_ONLY, arg, kw_default


def test_yaml_blocks_are_valid_emulator_configs(tmp_path: Path) -> None:
    yaml_blocks = [block for block in markdown.all_blocks() if block.lang == "yaml"]
    assert yaml_blocks
    for index, block in enumerate(yaml_blocks):
        path = tmp_path / f"config-{index}.yaml"
        path.write_text(block.body, encoding="utf-8")
        values = load_config_file(path)
        options = options_from(["--config", str(path)], environ={})
        assert options.settings.tenants == values["tenants"]

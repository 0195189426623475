"""Every code block of the README that claims to run is run (or, for long-running commands, checked).

- ``python`` blocks run in order, as one script, against an emulator on a free
  port (the plugin's ``dataarts_emulator``; the README's ``http://127.0.0.1:8000``
  is replaced by its address).
- Shell blocks marked ``<!-- readme-test: run against the emulator -->`` run
  in bash against such an emulator too, each against its own. The curl
  walkthrough's export is moved to success on the emulator's clock right
  after its first status call has answered ``importing``, however slowly the
  machine starts ``curl`` and ``python``; nothing else depends on timing (the
  walkthrough polls until the workbook is there).
- Other shell blocks hold commands a reader types: each ``make`` line must be a
  real target (``make -n``) and its ``EMULATOR_ARGS`` real flags, each
  ``dataarts-emulator``, ``python -m dataarts_emulator`` and ``dataarts-export``
  line must parse, and each ``schemathesis`` line must name real options.
- The block of helper signatures (marked ``<!-- readme-test: signatures of
  dataarts_export_client.lib -->``) must match the helpers' real signatures.
- ``yaml`` blocks are emulator config files and must load.
- The plugin's quick start (the ``python`` block marked
  ``<!-- readme-test: pytest file test_my_pipeline.py -->``) is a test file
  of a user's own: it runs under pytest here, and in a fresh environment of
  the built wheels in ``tests/packaging``.
"""

from __future__ import annotations

import ast
import contextlib
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

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PACKAGE_README = ROOT / "generated" / "dataarts-export-client" / "README.md"
EMULATOR_README = ROOT / "emulator" / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"
RUN_MARKER = "<!-- readme-test: run against the emulator -->"
QUICK_START_FILE = "test_my_pipeline.py"
QUICK_START_MARKER = f"<!-- readme-test: pytest file {QUICK_START_FILE} -->"
SIGNATURES = "<!-- readme-test: signatures of dataarts_export_client.lib -->"
BLOCK_RE = re.compile(r"(?P<marker><!--[^\n]*-->\n)?```(?P<lang>[a-z]*)\n(?P<body>.*?)```", re.DOTALL)


# Appended to the README's examples: every client they build must really work.
EVERY_CLIENT_WORKS = """
for name in ("client", "signed_client", "env_client"):
    answer = export_design_models.sync(PROJECT_ID, client=globals()[name], workspace=WORKSPACE, body=ExportParam())
    assert isinstance(answer, ExportModelsResult), (name, answer)
print("every README client works")
"""


def blocks(lang: str | set[str], readme: Path = README) -> list[tuple[str, bool]]:
    """(body, marked to run) of every block in ``lang``."""
    langs = {lang} if isinstance(lang, str) else lang
    return [
        (match["body"], (match["marker"] or "").strip() == RUN_MARKER)
        for match in BLOCK_RE.finditer(readme.read_text(encoding="utf-8"))
        if match["lang"] in langs
    ]


def quick_start() -> str:
    """The README's test file of the plugin quick start."""
    text = README.read_text(encoding="utf-8")
    (body,) = [
        match["body"] for match in BLOCK_RE.finditer(text) if (match["marker"] or "").strip() == QUICK_START_MARKER
    ]
    return body


def run_python(script: str, emulator_url: str, directory: Path) -> subprocess.CompletedProcess[str]:
    (directory / "readme_examples.py").write_text(script.replace(DOCUMENTED_URL, emulator_url), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "readme_examples.py"],
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


def test_readme_has_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make contract" in text
    assert "make test" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci, "CI runs the README's test command"


def test_python_blocks_run_against_the_emulator(emulator_url: str, tmp_path: Path) -> None:
    plugin_test_file = quick_start()
    python_blocks = [body for body, _ in blocks("python") if body != plugin_test_file]
    assert len(python_blocks) >= 5
    result = run_python("\n\n".join([*python_blocks, EVERY_CLIENT_WORKS]), emulator_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "saved" in result.stdout
    assert "every README client works" in result.stdout
    assert list(tmp_path.glob("*.xlsx")), "export_to_file wrote the workbook into the current directory"


def test_generated_package_readme_runs(emulator_url: str, tmp_path: Path) -> None:
    """The package's own README (from overrides/templates/README.md.jinja), with the placeholders of ours."""
    placeholders = blocks("python")[0][0]
    assert "BASE_URL =" in placeholders
    package_blocks = [body for body, _ in blocks("python", PACKAGE_README)]
    assert len(package_blocks) >= 3
    script = "\n\n".join([placeholders, *package_blocks, 'print("saved", path)'])
    result = run_python(script, emulator_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.glob("*.xlsx"))


@dataclass(frozen=True)
class MarkedBlock:
    """A shell block marked to run, what its output must show, and the emulator's export time for it."""

    name: str
    body: str
    shows: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    export_seconds: float = 1.0
    finish_after_first_poll: bool = False


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


def marked_blocks() -> list[MarkedBlock]:
    marked = [body for body, run in blocks({"bash", "sh", "console"}) if run]
    assert len(marked) == 2, "the curl walkthrough and the CLI examples are marked to run"
    curl, cli = sorted(marked, key=lambda body: "dataarts-export" in body)
    return [
        # '"status":"importing"': the first status call; 'File Name': the download is a zip archive (.xlsx).
        MarkedBlock(
            "curl-walkthrough",
            curl,
            shows=('"status":"importing"', "File Name"),
            export_seconds=600,
            finish_after_first_poll=True,
        ),
        MarkedBlock("command-line", cli, writes=("models.xlsx",)),
    ]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(
    "block",
    [
        pytest.param(block, id=block.name, marks=pytest.mark.dataarts_emulator(export_seconds=block.export_seconds))
        for block in marked_blocks()
    ],
)
def test_marked_shell_blocks_run(block: MarkedBlock, dataarts_emulator: RunningEmulator, tmp_path: Path) -> None:
    """The curl walkthrough and the command-line examples, as a reader pastes them."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    clock = (
        finishing_after_the_first_poll(dataarts_emulator, block.export_seconds)
        if block.finish_after_first_poll
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
    for text in block.shows:
        assert text in result.stdout, result.stdout
    for name in block.writes:
        assert (tmp_path / name).exists(), f"the block saved {name} where it said"


def test_the_plugin_quick_start_is_a_passing_test_file(tmp_path: Path) -> None:
    """Nine lines from ``pip install`` to a green test: the install line and the pytest run around this file."""
    (tmp_path / QUICK_START_FILE).write_text(quick_start(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", QUICK_START_FILE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert quick_start() in EMULATOR_README.read_text(encoding="utf-8"), "the wheel's description shows the same test"
    text = README.read_text(encoding="utf-8")
    walkthrough = text[text.index("### Testing your own code") :].split("\n### ", 1)[0]
    lines = [
        line for body, _ in blocks({"bash", "python"}, README) if body in walkthrough for line in body.splitlines()
    ]
    assert len([line for line in lines if line.strip()]) < 10, "pip install to a green test in under ten lines"


def test_shell_commands_name_real_targets_and_flags() -> None:
    checked = 0
    for body, run in blocks({"bash", "sh", "console"}):
        if not run:
            checked += sum(check_command(words) for words in command_lines(body))
    assert checked >= 6


def check_command(words: list[str]) -> bool:
    """Fail unless a reader's command names a real target or real flags; False for commands not checked."""
    if words[0] == "make":
        result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{' '.join(words)}: {result.stderr}"
        for word in words:
            if word.startswith("EMULATOR_ARGS="):
                options_from(shlex.split(word.removeprefix("EMULATOR_ARGS=")), environ={})
    elif words[0] == "dataarts-export":
        build_parser().parse_args(words[1:])
    elif Path(words[0]).name == "dataarts-emulator" and words[1:] == ["--help"]:
        with pytest.raises(SystemExit) as shown:
            options_from(words[1:], environ={})
        assert shown.value.code == 0
    elif Path(words[0]).name == "dataarts-emulator":
        options_from(words[1:], environ={})
    elif "dataarts_emulator" in words:
        options_from(words[words.index("dataarts_emulator") + 1 :], environ={})
    elif words[0].endswith("schemathesis") and words[1:2] == ["run"]:
        help_text = subprocess.run(
            [str(ROOT / ".venv/bin/schemathesis"), "run", "--help"], capture_output=True, text=True, check=True
        ).stdout
        for flag in (word.split("=")[0] for word in words if word.startswith("--")):
            assert flag in help_text, f"schemathesis run has no {flag}"
    else:
        return False
    return True


def test_the_signatures_shown_are_the_helpers_signatures() -> None:
    """Each line of the signatures block, read as a ``def``, matches the helper's real signature.

    Same names in the same order and of the same kind, the same defaults and
    return type; a parameter may be left out only if it has a default (the
    text says which: ``clock`` and ``sleep``).
    """
    text = README.read_text(encoding="utf-8")
    (body,) = [match["body"] for match in BLOCK_RE.finditer(text) if (match["marker"] or "").strip() == SIGNATURES]
    lines = body.splitlines()
    assert len(lines) >= 5
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
    yaml_blocks = [body for body, _ in blocks("yaml")]
    assert yaml_blocks
    for index, body in enumerate(yaml_blocks):
        path = tmp_path / f"config-{index}.yaml"
        path.write_text(body, encoding="utf-8")
        values = load_config_file(path)
        options = options_from(["--config", str(path)], environ={})
        assert options.settings.tenants == values["tenants"]

"""One error root: ``except DataArtsError`` catches every error the package raises on purpose.

The root and ``UnexpectedResponse`` are defined in the generated ``errors``
module (the errors template) and re-exported by ``lib``; the generated
``UnexpectedContentType`` and ``InvalidJSONBody`` are kinds of
``UnexpectedResponse``, the same error the streaming helpers raise for an
answer they cannot read. A static scan of the package's ``raise`` statements
keeps new code in the family.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import dataarts_export_client
from dataarts_export_client import errors, lib
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import (
    AkSkAuth,
    ConfigurationError,
    DataArtsError,
    RetryPolicy,
    UnexpectedResponse,
)
from dataarts_export_client.lib import errors as lib_errors

from .client_fakes import PROJECT_ID, UUID, WORKSPACE, Script, client_for
from .twin_fakes import Twin

PACKAGE = Path(dataarts_export_client.__file__).parent

# Raised on purpose, yet deliberately outside the family, each for a stated reason.
OUTSIDE_THE_FAMILY = {
    # atomic_file: no free temporary name beside the destination; an OSError about the caller's
    # disk like every other error of writing the file, which callers already handle as OSError.
    "FileExistsError",
    # redaction.clip: a programming error (limit < 1) in a helper the emulator shares.
    "ValueError",
    # generated models: raised and caught inside from_dict, never escapes.
    "TypeError",
    # cli: argparse's own protocol for a bad option value (argparse turns it into exit code 2).
    "ArgumentTypeError",
    # lib/__main__: the exit code.
    "SystemExit",
    # cli.signals: SIGTERM or SIGHUP, a BaseException as KeyboardInterrupt is, caught by main (exit 128+N).
    "Terminated",
}


def exception_classes(module: object) -> list[type[BaseException]]:
    return [
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseException) and value.__module__.startswith("dataarts_export_client")
    ]


def test_lib_reexports_the_generated_root_and_unexpected_response() -> None:
    assert lib.DataArtsError is errors.DataArtsError
    assert lib.UnexpectedResponse is errors.UnexpectedResponse


@pytest.mark.parametrize("module", [errors, lib_errors, lib], ids=["errors", "lib.errors", "lib"])
def test_every_exception_class_derives_from_the_root(module: object) -> None:
    classes = exception_classes(module)
    assert classes
    assert [cls.__name__ for cls in classes if not issubclass(cls, DataArtsError)] == []


def test_the_generated_negotiation_errors_are_unexpected_responses() -> None:
    assert issubclass(errors.UnexpectedContentType, UnexpectedResponse)
    assert issubclass(errors.InvalidJSONBody, UnexpectedResponse)
    assert issubclass(errors.InvalidJSONBody, ValueError)
    assert not issubclass(errors.UnexpectedStatus, UnexpectedResponse)  # an undocumented status, a different case


def answering(status_code: int, content: bytes, headers: dict[str, str], **client_kwargs: bool) -> object:
    script = Script(httpx.Response(status_code, content=content, headers=headers))
    return export_design_result.sync(
        PROJECT_ID, client=client_for(script, **client_kwargs), uuid=UUID, workspace=WORKSPACE
    )


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ((200, b"<html>proxy</html>", {"Content-Type": "text/html", "X-Request-Id": "px-1"}), "UnexpectedContentType"),
        ((200, b"{broken", {"Content-Type": "application/json", "X-Request-Id": "px-1"}), "InvalidJSONBody"),
    ],
)
def test_except_dataarts_error_catches_the_generated_operations_errors(
    answer: tuple[int, bytes, dict[str, str]], kind: str
) -> None:
    with pytest.raises(DataArtsError) as caught:
        answering(*answer)
    assert type(caught.value).__name__ == kind
    assert isinstance(caught.value, UnexpectedResponse)
    assert caught.value.request_id == "px-1"
    assert "request id px-1" in str(caught.value)


def test_except_dataarts_error_catches_an_undocumented_status() -> None:
    with pytest.raises(DataArtsError) as caught:
        answering(418, b"teapot", {"Content-Type": "text/plain"}, raise_on_unexpected_status=True)
    assert isinstance(caught.value, errors.UnexpectedStatus)


def test_generated_and_helper_unreadable_answers_are_one_error() -> None:
    """The same HTML page from a proxy: one type to catch, the same attributes, whichever layer read it."""
    page = httpx.Response(200, content=b"<html>login</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(UnexpectedResponse) as from_generated:
        export_design_result.sync(PROJECT_ID, client=client_for(Script(page)), uuid=UUID, workspace=WORKSPACE)
    with pytest.raises(UnexpectedResponse) as from_helper:  # after its bounded retries, with the default policy
        Twin(policy=None).wait(Script(page, repeat_last=True), timeout=10)
    for error in (from_generated.value, from_helper.value):
        assert (error.status_code, error.content_type, error.content) == (200, "text/html", b"<html>login</html>")
        assert "b'<html>login</html>'" in str(error)
        assert error.reason


@pytest.mark.parametrize(
    "build",
    [
        lambda: RetryPolicy(poll_interval=0),
        lambda: RetryPolicy(jitter="sometimes"),  # type: ignore[arg-type]
        lambda: AkSkAuth("", "secret"),
    ],
    ids=["policy-interval", "policy-jitter", "empty-access-key"],
)
def test_bad_settings_raise_configuration_error_which_stays_a_value_error(build: object) -> None:
    assert callable(build)
    with pytest.raises(ConfigurationError) as caught:
        build()
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, DataArtsError)


def raised_class_names(source: str) -> list[str]:
    """Dotted names of the classes constructed in ``raise Name(...)`` / ``raise module.Name(...)`` statements."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = ast.unparse(node.exc.func)
            if name.rpartition(".")[2][:1].isupper():  # a class, not a helper that builds one
                names.append(name)
    return names


def resolve(name: str, module: ModuleType) -> type[BaseException]:
    """The class ``name`` (maybe dotted) stands for in ``module``, or a builtin."""
    first, *rest = name.split(".")
    value = vars(module).get(first, vars(builtins).get(first))
    for attribute in rest:
        value = getattr(value, attribute)
    assert isinstance(value, type), f"cannot resolve the raised class {name} in {module.__name__}"
    assert issubclass(value, BaseException)
    return value


def package_modules() -> list[ModuleType]:
    return [
        importlib.import_module(
            ".".join(("dataarts_export_client", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
                ".__init__"
            )
        )
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_every_raise_in_the_package_names_a_dataarts_error() -> None:
    outside: dict[str, list[str]] = {}
    modules = package_modules()
    assert len(modules) > 30
    for module in modules:
        for name in raised_class_names(inspect.getsource(module)):
            if name.rpartition(".")[2] in OUTSIDE_THE_FAMILY:
                continue
            if not issubclass(resolve(name, module), DataArtsError):
                outside.setdefault(name, []).append(module.__name__)
    assert outside == {}


def test_the_scan_sees_a_raise_outside_the_family() -> None:
    assert raised_class_names("def f():\n    raise RuntimeError('x')\n") == ["RuntimeError"]
    assert not issubclass(resolve("RuntimeError", lib_errors), DataArtsError)
    assert resolve("errors.UnexpectedContentType", export_design_result) is errors.UnexpectedContentType

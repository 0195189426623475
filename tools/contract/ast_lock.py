"""One ``ast.parse`` at a time in a contract run: CPython 3.11's parser is not safe in two threads at once.

With several operations in one dependency layer (the three starts: ``ExportDesignModels``,
``ImportModels``, ``ImportCatalogs``), two schemathesis workers generate at the same time,
and Hypothesis describes the lambdas of their strategies by parsing their source with
``ast.parse``. CPython 3.11 converts the parsed tree to Python objects with a recursion
counter shared between threads, so two parses at once fail with ``SystemError: AST
constructor recursion depth mismatch`` (seen in ``make contract``: an error, not a
finding, on a random operation). Holding a lock around ``ast.parse`` costs nothing
measurable (each parse is one source file, parsed once and cached by Hypothesis) and
leaves the workers generating in parallel otherwise.
"""

from __future__ import annotations

import ast
import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["serialise_ast_parsing"]

_LOCK = threading.Lock()


def serialise_ast_parsing() -> None:
    """Make ``ast.parse`` take a process-wide lock (once; later calls change nothing)."""
    parse: Callable[..., Any] = ast.parse
    if getattr(parse, "serialised", False):
        return

    @functools.wraps(parse)
    def serialised(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return parse(*args, **kwargs)

    serialised.serialised = True  # type: ignore[attr-defined]
    ast.parse = serialised

"""Routing from the spec's ``paths``: which operation a raw request path and method reach.

The emulator has no hand-written list of paths: each spec path template
becomes a pattern over the raw (still percent-encoded) path, so an encoded
``/`` stays inside its parameter, as it does at Huawei's API gateway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .exceptions import MethodNotAllowed, RouteNotFound

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CACHED_PATHS = 256  # raw paths whose match is remembered: a client polls the same path over and over
_UNSEEN: Any = object()


@dataclass(frozen=True)
class Route:
    """One spec path: its template, the pattern matching raw paths, and its operations by method."""

    template: str
    pattern: re.Pattern[str]
    operations: Mapping[str, str]  # upper-case method -> operationId

    @property
    def allowed(self) -> str:
        """The ``Allow`` header value for this path."""
        return ", ".join(sorted(self.operations))


@dataclass(frozen=True)
class RouteMatch:
    """A matched route, its decoded path parameters, and the operation the method selects."""

    route: Route
    path_params: dict[str, str]
    operation_id: str


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            # One raw segment: a percent-encoded "/" stays inside the parameter.
            pattern += f"(?P<{name}>[^/]+)"
    return re.compile(f"^{pattern}$")


class SpecRouter:
    """Matches raw request paths and methods against the spec's path templates."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        routes = []
        for template, item in spec.get("paths", {}).items():
            operations = {
                method.upper(): str(operation.get("operationId", method))
                for method, operation in item.items()
                if method in HTTP_METHODS
            }
            routes.append(Route(template, _compile(template), operations))
        self.routes: tuple[Route, ...] = tuple(routes)
        self._found: dict[str, tuple[Route, tuple[tuple[str, str], ...]] | None] = {}

    @property
    def operation_ids(self) -> set[str]:
        """Every operationId the spec routes to."""
        return {op for route in self.routes for op in route.operations.values()}

    def find(self, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        """The route whose template matches ``raw_path``, with decoded path parameters, or None."""
        found = self._found.get(raw_path, _UNSEEN)
        if found is _UNSEEN:
            found = self._search(raw_path)
            if len(self._found) >= _CACHED_PATHS:
                self._found.clear()
            self._found[raw_path] = found
        if found is None:
            return None
        route, params = found
        return route, dict(params)

    def _search(self, raw_path: str) -> tuple[Route, tuple[tuple[str, str], ...]] | None:
        for route in self.routes:
            found = route.pattern.match(raw_path)
            if found:
                return route, tuple((k, unquote(v)) for k, v in found.groupdict().items())
        return None

    def match(self, method: str, raw_path: str) -> RouteMatch:
        """The operation ``method`` reaches at ``raw_path``; :class:`RouteNotFound` or :class:`MethodNotAllowed`."""
        found = self.find(raw_path)
        if found is None:
            raise RouteNotFound
        route, path_params = found
        operation_id = route.operations.get(method)
        if operation_id is None:
            raise MethodNotAllowed(method, route.allowed)
        return RouteMatch(route, path_params, operation_id)

"""The design objects a workspace holds: what imports create and exports show, free of HTTP.

Objects live per (project, workspace, kind) — a kind is what the rows of a
sheet layout describe (tables, code tables, ...; see
:class:`~dataarts_emulator.workbook.SheetLayout`) — keyed by their ID, each
the cells of its layout's row (ID first). They get there by seeding (the
pytest plugin, :meth:`DesignStore.put`) or by an import
(:func:`~dataarts_emulator.importing.plan_import`, applied under
:meth:`DesignStore.holding`, so an import is decided and applied as one step
that no other import interleaves). An export reads the rows of the ids it
names (:meth:`DesignStore.rows`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

Row = tuple[str, ...]  # pragma: no mutate (equivalent: a type alias, for type checkers)
"""The cells of one object, in its layout's column order; the first is its ID."""
Objects = dict[str, Row]  # pragma: no mutate (equivalent: a type alias, for type checkers)
"""The objects of one kind in one workspace, by ID."""


class DesignStore:
    """Design objects by (project, workspace, kind) and ID; thread-safe."""

    def __init__(self) -> None:
        self._objects: dict[tuple[str, str, str], Objects] = {}
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, project_id: str, workspace: str, kind: str) -> Iterator[Objects]:
        """The objects of ``kind`` in the workspace, to read and change while no other caller can."""
        with self._lock:
            yield self._objects.setdefault((project_id, workspace, kind), {})

    def rows(self, project_id: str, workspace: str, kind: str, ids: Iterable[str]) -> dict[str, Row]:
        """The rows of those of ``ids`` the workspace holds (a snapshot: later changes do not show)."""
        with self.holding(project_id, workspace, kind) as objects:
            return {object_id: objects[object_id] for object_id in ids if object_id in objects}

    def all_rows(self, project_id: str, workspace: str, kind: str) -> list[Row]:
        """Every object of ``kind`` in the workspace, in the order they were first stored."""
        with self.holding(project_id, workspace, kind) as objects:
            return list(objects.values())

    def put(self, project_id: str, workspace: str, kind: str, rows: Iterable[Row]) -> None:
        """Store ``rows`` as they are (seeding), each replacing the object with its ID."""
        with self.holding(project_id, workspace, kind) as objects:
            objects.update((row[0], row) for row in rows)


def code_index(objects: Mapping[str, Row], key: int) -> dict[str, str]:
    """The ID of each object by the text of its ``key`` column (its code)."""
    return {row[key]: object_id for object_id, row in objects.items()}

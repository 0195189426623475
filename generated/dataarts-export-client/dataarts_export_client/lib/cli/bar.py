"""The progress bar of ``dataarts-export`` at a terminal, drawn with rich.

A module of its own so that rich is imported only when a bar is drawn
(:func:`.output.progress_display` imports it for a terminal): the library,
and runs whose stderr is a file or a pipe, never pay rich's import time.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from ..results import ExportProgress
from .output import Sanitiser

__all__ = ["ProgressBar"]


class _DetailColumn(ProgressColumn):
    """Elapsed time for the export; bytes, speed and time left for the download."""

    def __init__(self) -> None:
        super().__init__()
        self._elapsed = TimeElapsedColumn()
        self._transfer = (DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())

    def render(self, task: Task) -> Text:
        if task.fields.get("download"):
            return Text(" ").join(column.render(task) for column in self._transfer)
        return self._elapsed.render(task)


class ProgressBar:
    """A live bar: the export's rate while it runs, then the download's bytes, speed and time left; an import's rate.

    rich redraws it in place, fits it to the terminal's width, and its
    transfer columns compute speed and time left from a moving window. It
    starts drawing at the first report, so a command that fails before any
    progress leaves the terminal as it was; :meth:`close` stops redrawing and
    leaves the last state on screen.

    The service's words in it (the uuid, the status) pass the sanitiser and
    are drawn as plain text (``markup=False``): rich would otherwise read
    ``[link=...]`` as a link and fail on a stray ``[/x]``.
    """

    def __init__(self, err: TextIO, sanitise: Sanitiser) -> None:
        self.uuid: str | None = None
        self.noun = "export"
        self._sanitise = sanitise
        self._jobs: dict[str, TaskID] = {}
        self._download: TaskID | None = None
        description = TextColumn("{task.description}", markup=False)
        self._bar = Progress(description, BarColumn(), TaskProgressColumn(), _DetailColumn(), console=Console(file=err))
        self._drawing = False

    def __call__(self, progress: ExportProgress) -> None:
        self.uuid, self.noun = progress.uuid, progress.noun
        description = self._sanitise(f"{progress.noun} {progress.uuid[:8]} {progress.status.value}")
        if progress.noun not in self._jobs:  # a row per job: copy's export, then its import
            self._jobs[progress.noun] = self._add(description, total=100)
        self._bar.update(self._jobs[progress.noun], description=description, completed=progress.percent or 0)

    def begin(self, noun: str) -> None:
        """A new job is being started: no uuid to come back to yet."""
        self.uuid, self.noun = None, noun

    def note(self, text: str) -> None:
        """``text``, sanitised, as a line above the bar (rich keeps the bar below it)."""
        self._bar.console.print(Text(self._sanitise(text)), soft_wrap=True)

    def transfer(self, received: int, total: int | None) -> None:
        if self._download is None:
            self._download = self._add("download", total=total, download=True)
        self._bar.update(self._download, completed=received, total=total)

    def close(self) -> None:
        if self._drawing:
            self._bar.stop()
            self._drawing = False

    def _add(self, description: str, *, total: int | None, download: bool = False) -> TaskID:
        if not self._drawing:
            self._bar.start()
            self._drawing = True
        return self._bar.add_task(description, total=total, download=download)

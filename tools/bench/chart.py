"""The chart of ``BENCHMARKS.md``: every panel of every section, as grouped bars, drawn with matplotlib."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from .results import Panel

COLUMNS = 3


def _label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _draw(axes: Axes, panel: Panel) -> None:
    names = list(panel.series)
    width = 0.8 / len(names)
    for index, name in enumerate(names):
        positions = [category + (index - (len(names) - 1) / 2) * width for category in range(len(panel.categories))]
        bars = axes.bar(positions, panel.series[name], width, label=name)
        axes.bar_label(bars, labels=[_label(value) for value in panel.series[name]], fontsize=7, padding=1)
    if panel.target is not None:
        axes.axhline(panel.target, color="crimson", linestyle="--", linewidth=1, label=f"target {_label(panel.target)}")
    axes.set_xticks(range(len(panel.categories)), panel.categories, fontsize=8)
    axes.set_title(panel.title, fontsize=9)
    axes.set_ylabel(panel.unit, fontsize=8)
    axes.tick_params(axis="y", labelsize=7)
    if panel.log_scale:
        axes.set_yscale("symlog", linthresh=1)  # like log, but a zero still has a place
    axes.margins(y=0.15)
    axes.legend(fontsize=7, loc="best")


def draw(panels: Sequence[Panel], path: Path, *, title: str) -> None:
    """Write ``panels`` to ``path`` as one PNG, three panels a row."""
    mpl.use("Agg")  # no display: the chart only goes to a file
    rows = math.ceil(len(panels) / COLUMNS)
    figure, grid = plt.subplots(rows, COLUMNS, figsize=(5 * COLUMNS, 3.6 * rows), squeeze=False)
    for axes, panel in zip(grid.flat, panels, strict=False):
        _draw(axes, panel)
    for axes in list(grid.flat)[len(panels) :]:
        axes.set_visible(False)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)

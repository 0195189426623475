"""What a benchmark reports: table rows with their verdicts, and chart panels of the same figures."""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One line of the table: this project's figure beside its peers', and the target it is held to.

    ``met`` is ``None`` for an informational row (figures shown, no target).
    """

    benchmark: str
    ours: str
    peers: str
    target: str
    measured: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return "info" if self.met is None else ("met" if self.met else "MISSED")


@dataclass(frozen=True)
class Panel:
    """One chart: a value per (series, category), drawn as grouped bars, with the target as a line if it has one."""

    title: str
    unit: str
    categories: Sequence[str]
    series: Mapping[str, Sequence[float]]
    log_scale: bool = False
    target: float | None = None


@dataclass(frozen=True)
class Section:
    """A benchmark's result: its rows, its panels and a sentence on how it was measured."""

    name: str
    rows: list[Row]
    panels: list[Panel] = field(default_factory=list)
    method: str = ""


RELATIONS: Mapping[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}


def ratio_row(
    benchmark: str, ours: str, peers: str, *, value: float, limit: float, relation: str, of: str, unit: str = "x"
) -> Row:
    """A row whose target is ``value <relation> limit``, e.g. ``<= 1.05x raw httpx``."""
    met = RELATIONS[relation](value, limit)
    shown = f"{value:.0%}" if unit == "%" else f"{value:.3f}{unit}"
    target = f"{relation} {limit:.0%} {of}" if unit == "%" else f"{relation} {limit:g}{unit} {of}"
    return Row(benchmark, ours, peers, target.replace("<=", "≤").replace(">=", "≥"), shown, met)


def paired_ratio(ours: Sequence[float], peer: Sequence[float]) -> float:
    """The median over rounds of ours / peer, each round's two figures taken back to back.

    The machine's speed drifts over seconds on a shared host; within one round
    both variants meet the same speed, so each round's ratio is fair and the
    median of them is what a drift cannot move, unlike a ratio of two
    figures taken from different rounds.
    """
    return statistics.median(mine / theirs for mine, theirs in zip(ours, peer, strict=True))

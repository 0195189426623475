"""``python -m tools.soak``: run a soak, print one line, exit 1 unless every export is right.

Every fault rate of the mix is a flag named like the emulator's own
(``--fault-rate``, ``--truncate-rate``, ...), defaulting to the issue's mix.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence

from dataarts_export_client.lib import DEFAULT_POLICY

from .mix import DEFAULT_MIX, FaultMix
from .runner import SOAK_POLICY, SoakConfig, SoakReport, run_soak


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.soak", description=__doc__)
    defaults = SoakConfig()
    parser.add_argument(
        "-n", "--exports", type=int, default=defaults.exports, help="sync exports (default: %(default)s)"
    )
    parser.add_argument(
        "--workers", type=int, default=defaults.workers, help="threads of the sync phase (default: %(default)s)"
    )
    parser.add_argument(
        "--concurrent",
        type=int,
        default=defaults.concurrent,
        help="async exports run at once (default: %(default)s; 0 skips)",
    )
    parser.add_argument(
        "--export-seconds",
        type=float,
        default=defaults.export_seconds,
        help="how long each export runs (default: %(default)s)",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=defaults.read_timeout,
        help="the client's read timeout, below --stall-seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--policy",
        choices=("soak", "default"),
        default="soak",
        help="the lib's retry policy: SOAK_POLICY (ten retries, short intervals) or the lib's DEFAULT_POLICY "
        "(default: %(default)s)",
    )
    mix = parser.add_argument_group("fault mix (the emulator's flags)")
    for field in dataclasses.fields(FaultMix):
        default = getattr(DEFAULT_MIX, field.name)
        mix.add_argument(
            "--" + field.name.replace("_", "-"), type=type(default), default=default, help="default: %(default)s"
        )
    return parser


def config_from(argv: Sequence[str] | None = None) -> SoakConfig:
    """The :class:`SoakConfig` the command line asks for."""
    args = vars(build_parser().parse_args(argv))
    mix = FaultMix(**{field.name: args.pop(field.name) for field in dataclasses.fields(FaultMix)})
    policy = SOAK_POLICY if args.pop("policy") == "soak" else DEFAULT_POLICY
    return SoakConfig(mix=mix, policy=policy, **args)


def details(report: SoakReport) -> list[str]:
    """What went wrong, one line each (nothing when all is well)."""
    lines = []
    for phase in report.phases:
        lines += [
            f"  {phase.name}: {name} x{count}, first: {phase.errors.first[name]}"
            for name, count in phase.errors.counts.most_common()
        ]
        lines += [f"  {phase.name}: {problem}" for problem in phase.verdict.problems[:10]]
        lines += [f"  {phase.name}: left behind: {name}" for name in phase.verdict.leftovers[:10]]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    config = config_from(argv)
    report = run_soak(config)
    print(f"{report.line()} [{config.mix.describe()}]", flush=True)
    for line in details(report):
        print(line, file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

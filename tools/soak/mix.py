"""The faults a soak run meets: one :class:`FaultMix`, turned into the emulator's own flags.

Every field is an emulator setting of the same name (see the docs' flag
table), so a mix reads exactly as the emulator is started; the defaults are
the mix of issue 9: 20 % server errors, 10 % throttling, 30 % truncated
downloads, some stalls, trickles and resets, 20 ms of latency, and a seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultMix:
    """Emulator fault settings for a soak run (rates are fractions of requests or of downloads)."""

    fault_rate: float = 0.2
    throttle_rate: float = 0.1
    reset_rate: float = 0.05
    proxy_page_rate: float = 0.0
    truncate_rate: float = 0.3
    stall_rate: float = 0.05
    stall_seconds: float = 3.0
    trickle_rate: float = 0.05
    trickle_bytes_per_second: float = 16384.0
    latency_ms: float = 20.0
    retry_after_seconds: int = 1
    seed: int = 1

    def emulator_args(self) -> list[str]:
        """The emulator's command-line flags for this mix."""
        args = []
        for field in dataclasses.fields(self):
            args += ["--" + field.name.replace("_", "-"), str(getattr(self, field.name))]
        return args

    def describe(self) -> str:
        """The mix in one short phrase, for the summary line."""
        return (
            f"5xx {self.fault_rate:.0%}, 429 {self.throttle_rate:.0%}, reset {self.reset_rate:.0%}, "
            f"html {self.proxy_page_rate:.0%}, truncate {self.truncate_rate:.0%}, stall {self.stall_rate:.0%}, "
            f"trickle {self.trickle_rate:.0%}, {self.latency_ms:g} ms, seed {self.seed}"
        )


DEFAULT_MIX = FaultMix()

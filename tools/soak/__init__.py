"""``make soak`` (``python -m tools.soak``): many exports through the lib against a misbehaving emulator.

Nothing may be lost under faults: every export lands byte-correct, or the
run says which did not and why. :func:`run_soak` is the whole run
(:mod:`.runner`); :class:`FaultMix` the faults (:mod:`.mix`); the plan and
the verdict on the files are in :mod:`.plan`, the wire counters in
:mod:`.counting`. ``tests/reliability`` runs a small soak.
"""

from .mix import DEFAULT_MIX, FaultMix
from .runner import SOAK_POLICY, SoakConfig, SoakReport, run_soak

__all__ = ["DEFAULT_MIX", "SOAK_POLICY", "FaultMix", "SoakConfig", "SoakReport", "run_soak"]

"""Hand-written helpers of the DataArts export client.

Everything in this subpackage is written by hand in ``overrides/lib`` and
copied into the generated package by ``make generate``; regeneration never
touches it otherwise.
"""

from .signing import AkSkAuth

__all__ = ["AkSkAuth"]

"""Mutation testing of the core (``make mutation``): mutmut, one staged tree, one table.

Why mutmut: it is maintained, fast (it switches mutants inside one forked
pytest per mutant through trampolines instead of rewriting files and starting
an interpreter each time), runs each mutant only against the tests that reach
the mutated function, caches results by function hash so a rerun only tests
what changed, and honours ``# pragma: no mutate`` for the equivalent mutants
we mark. cosmic-ray, the other maintained tool, rewrites files in place and
starts the test command per mutant: several times slower on two cores.

mutmut only understands ``src/``-style layouts, and names mutants by their
import path, so :mod:`.staging` lays the two packages out as ``src/`` in
``.mutation/`` (with the tests), and the run happens there: the working
tree is never modified.
"""

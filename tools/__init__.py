"""Repository tools: generation and drift check, the contract runner, benchmarks.

A regular package so that ``tools.contract`` imports by its one name from the
repository root: ``python -m tools.contract`` (``make contract``), pytest
(``pythonpath = ["."]`` in ``pyproject.toml``) and schemathesis's module hooks
(``hooks = "tools.contract.hooks"``) all find it without ``sys.path`` edits.
"""

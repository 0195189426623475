"""``make bench``: the project's figures beside its peers', measured in one run on one machine.

Each benchmark module measures one thing and returns a :class:`~.results.Section`:
rows for the one table (this project, its peers, the target and whether it is
met) and panels for the chart. ``python -m tools.bench`` runs them all, prints
the table, writes ``BENCHMARKS.md`` and ``benchmarks.png``, and exits non-zero
when a target is missed. Every server listens on 127.0.0.1 only and is stopped
afterwards. Timings live here and never in the test suite.

Modules: :mod:`.poll` (one signed status poll), :mod:`.download` (a 200 MiB
workbook to disk), :mod:`.waiter` (waiting for 3/10/30 s exports),
:mod:`.servers` (emulator vs bare Starlette vs Prism under autocannon),
:mod:`.workbook` (workbook cost for 1k/10k/50k ids), :mod:`.contract`
(``make contract`` cases per second); the ``*_worker`` modules and
:mod:`.stub` / :mod:`.bare_app` run in their own interpreters.
"""

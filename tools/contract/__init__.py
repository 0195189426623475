"""Contract testing: schemathesis against the embedded emulator or any server.

``python -m tools.contract`` (what ``make contract`` runs) is the runner; the
modules, one job each:

* :mod:`.config` — the project settings (seed, workers, phases) read from
  ``schemathesis.toml``, the one place they are written;
* :mod:`.credentials` — the tenant to test as, from the environment;
* :mod:`.signer` — signs the final prepared request (AK/SK) or adds the token;
* :mod:`.auth` — the schemathesis auth provider and global hooks;
* :mod:`.workbook` — checks the Excel answer is an Office Open XML package;
* :mod:`.hooks` — the CLI hooks module ``schemathesis.toml`` names;
* :mod:`.emulator` — the embedded emulator with credentials made up per run;
* :mod:`.command` — the ``schemathesis run`` command line and its masked output;
* :mod:`.events` — what the NDJSON event log says about a run;
* :mod:`.summary` — the one-screen summary; :mod:`.reports` — report files;
* :mod:`.runner` — arguments and the run itself.

Nothing is imported here, so loading :mod:`.hooks` stays cheap.
"""

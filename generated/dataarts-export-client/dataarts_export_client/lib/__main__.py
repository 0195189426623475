"""``python -m dataarts_export_client.lib``: the ``dataarts-export`` command line, for environments without the script.

See :mod:`.cli`; the console script and this entry point run the same ``main``.
"""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

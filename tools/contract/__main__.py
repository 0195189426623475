"""``python -m tools.contract``: what ``make contract`` runs (see :mod:`.runner`)."""

import sys

from .runner import main

sys.exit(main())

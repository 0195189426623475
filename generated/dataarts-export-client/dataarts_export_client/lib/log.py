"""The helpers' logger, in one place so that the helpers log to it and the CLI can turn it up.

Polls and retries are logged at DEBUG, never with credentials, headers or
signatures; the library adds no handler (the application decides where logs go).
"""

from __future__ import annotations

import logging

__all__ = ["LOGGER_NAME", "logger"]

LOGGER_NAME = "dataarts_export_client"
logger = logging.getLogger(LOGGER_NAME)

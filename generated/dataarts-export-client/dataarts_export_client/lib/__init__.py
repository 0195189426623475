"""Hand-written helpers of the DataArts export client.

Everything in this subpackage is written by hand, here and nowhere else:
``make generate`` rewrites the rest of the package and leaves this folder
alone (openai-python keeps ``src/openai/lib`` beside its generated core the
same way).

* Authentication: :class:`AkSkAuth` (AK/SK signing), :func:`token_client`
  (IAM token), :func:`client_from_env` (either, from the environment).
* Exports: :func:`wait_for_export`, :func:`download_export`,
  :func:`export_to_file`, :func:`start_export`, :func:`poll_export_status`
  and their ``async_`` twins.
* Imports: :func:`import_file`, :func:`start_import`, :func:`wait_for_import`
  and their ``async_`` twins, returning an :class:`ImportOutcome`.
* Command line: ``dataarts-export`` (``python -m dataarts_export_client.lib``),
  in :mod:`.cli`.
* Errors: :class:`DataArtsError` and its subclasses.
"""

from .backoff import DEFAULT_POLICY, Backoff, Jitter, RetryPolicy, parse_retry_after
from .download import async_download_export, async_export_to_file, download_export, export_to_file
from .environment import client_from_env, endpoint_for_region, token_client
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DataArtsError,
    DestinationError,
    DownloadError,
    ExportFailed,
    ExportTimeout,
    ImportFailed,
    ImportPartiallyFailed,
    ImportTimeout,
    InsecureTransportError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    TruncatedDownload,
    UnexpectedResponse,
)
from .filenames import safe_file_name
from .imports import (
    async_import_file,
    async_start_import,
    async_wait_for_import,
    import_file,
    start_import,
    wait_for_import,
)
from .results import ExportProgress, ExportReady, ExportSnapshot, ImportOutcome, ImportProgress, ImportRow
from .signing import AkSkAuth
from .start import async_start_export, start_export
from .wait import async_poll_export_status, async_wait_for_export, poll_export_status, wait_for_export

__all__ = [
    "DEFAULT_POLICY",
    "AkSkAuth",
    "ApiError",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "ConfigurationError",
    "DataArtsError",
    "DestinationError",
    "DownloadError",
    "ExportFailed",
    "ExportProgress",
    "ExportReady",
    "ExportSnapshot",
    "ExportTimeout",
    "ImportFailed",
    "ImportOutcome",
    "ImportPartiallyFailed",
    "ImportProgress",
    "ImportRow",
    "ImportTimeout",
    "InsecureTransportError",
    "Jitter",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "RetryPolicy",
    "ServerError",
    "ThrottledError",
    "TruncatedDownload",
    "UnexpectedResponse",
    "async_download_export",
    "async_export_to_file",
    "async_import_file",
    "async_poll_export_status",
    "async_start_export",
    "async_start_import",
    "async_wait_for_export",
    "async_wait_for_import",
    "client_from_env",
    "download_export",
    "endpoint_for_region",
    "export_to_file",
    "import_file",
    "parse_retry_after",
    "poll_export_status",
    "safe_file_name",
    "start_export",
    "start_import",
    "token_client",
    "wait_for_export",
    "wait_for_import",
]

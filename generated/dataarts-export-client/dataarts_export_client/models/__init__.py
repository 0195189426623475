"""Contains all the data models used in inputs/outputs"""

from .batch_operation import BatchOperation
from .error_data import ErrorData
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .excel_upload import ExcelUpload
from .export_job import ExportJob
from .export_models_result import ExportModelsResult
from .export_param import ExportParam
from .export_result import ExportResult
from .export_state import ExportState
from .export_status import ExportStatus
from .import_action import ImportAction
from .import_catalogs_action_id import ImportCatalogsActionId
from .import_result import ImportResult
from .operation_status import OperationStatus

__all__ = (
    "BatchOperation",
    "ErrorData",
    "ErrorDetail",
    "ErrorResponse",
    "ExcelUpload",
    "ExportJob",
    "ExportModelsResult",
    "ExportParam",
    "ExportResult",
    "ExportState",
    "ExportStatus",
    "ImportAction",
    "ImportCatalogsActionId",
    "ImportResult",
    "OperationStatus",
)

"""Huawei's documented answers, as facts for the tests (docs/fidelity.md gives each one's source).

Each value is what a Huawei source shows the service (or its gateway)
answering; the tests of every layer feed them through the spec, the
generated models, the helpers and the CLI. They are facts quoted for
testing, not copies of Huawei's files.
"""

from __future__ import annotations

from typing import Any

SEED_IMPORTING: dict[str, Any] = {"data": {"status": "importing", "group": None, "rate": "0"}}
"""The seed's 200 example of ExportDesignResult (F-RESULT-1, F-RESULT-4, F-RATE-1)."""

IMPORT_RESULT_SUCCESS: dict[str, Any] = {
    "data": {
        "group": {
            "biz_id": None,
            "biz_info": None,
            "biz_name": None,
            "create_by": "abc",
            "failed": 0,
            "group_id": "1014919548664713216",
            "groups": [
                {
                    "biz_id": None,
                    "biz_info": '{"op_name":"test","op_number":0}',
                    "biz_name": "test",
                    "create_by": "abc",
                    "failed": 0,
                    "group_id": "1014919548664713216",
                    "groups": None,
                    "id": "1014919548861845504",
                    "logs": None,
                    "operation_status": "SUCCESS",
                    "operation_type": "IMPORT_CODETABLE",
                    "rate": None,
                    "remark": "SKIP",
                    "success": 0,
                    "tenant_id": "xxx",
                    "total": 0,
                }
            ],
            "id": None,
            "logs": None,
            "operation_status": "SUCCESS",
            "operation_type": "IMPORT_CODETABLE",
            "rate": "1.00",
            "remark": None,
            "success": 2,
            "tenant_id": "xxx",
            "total": 2,
        },
        "rate": "1.00",
        "status": "success",
    }
}
"""The 200 example of ImportResult in the API Explorer (``ImportResult.json``): the same
``DsProcessImportResultVO`` that ExportDesignResult answers (F-RESULT-5, F-RATE-2)."""

EU_2022_UNWRAPPED: dict[str, Any] = {
    "status": "success",
    "group": {"id": 1014919548861845504, "group_id": 1014919548664713216, "biz_id": 7, "operation_status": "SUCCESS"},
    "rate": "1.00",
}
"""The shape of Huawei's 2022 EU API reference: no ``data`` wrapper, IDs as Long (F-RESULT-7).
Its pages give the fields and types, not an example body: the values are the ImportResult example's."""

RUNNING_AT_HALF_AS_A_FRACTION: dict[str, Any] = {"data": {"status": "importing", "group": None, "rate": "0.50"}}
"""Not documented: a running export on the fraction scale, which F-RATE-4 decides how to read."""

DATAARTS_ERROR: dict[str, Any] = {"errors": [{"error_code": "DLG.0818", "error_msg": "workspace not found"}]}
"""DataArts Architecture's own error shape, as Huawei's Terraform provider reads it (F-ERR-2, F-WS-1)."""

GATEWAY_THROTTLED: dict[str, Any] = {
    "error_code": "APIG.0308",
    "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:240,time:1 minute",
    "request_id": "acbc548ac6f2a0dbdb9e3518a7c0ff84",
}
"""The API gateway's throttling answer (F-ERR-3, F-LIMIT-3); the request id is the APIG FAQ's example's."""

API_REFERENCE_ERROR: dict[str, Any] = {"error_code": "DS.6000", "error_msg": "request failed", "data": {}}
"""DataArts Studio's documented error body, with a code the API reference names (F-ERR-1)."""

SEED_ERROR: dict[str, Any] = {"data": {}}
"""The seed's 400/401/403 body: ``data`` alone (F-ERR-1)."""

"""Huawei's documented answers validate against the spec, and the spec's own examples say what Huawei documents.

The contract is strict where the sources agree and admits what they show:
the seed's and ImportResult's answers validate, every error shape validates,
and the 2022 EU page's unwrapped shape and the API Explorer's loosely typed
example bodies do not (docs/fidelity.md says why each is so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..fidelity.documented import (
    API_REFERENCE_ERROR,
    DATAARTS_ERROR,
    EU_2022_UNWRAPPED,
    GATEWAY_THROTTLED,
    IMPORT_RESULT_SUCCESS,
    SEED_ERROR,
    SEED_IMPORTING,
)

SPEC_URI = "urn:test:openapi"
RESULT_PATH = "/v2/{project_id}/design/export-result"
MODEL_PATH = "/v2/{project_id}/design/export-model"


@pytest.fixture(scope="module")
def spec(spec_path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return loaded


def problems(spec: dict[str, Any], schema: str, instance: object) -> list[str]:
    """What the spec's schema ``schema`` (a components name) finds wrong with ``instance``."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))
    validator = OAS31Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=registry)
    return [error.message for error in validator.iter_errors(instance)]


def example(spec: dict[str, Any], response: str, name: str) -> Any:
    return spec["components"]["responses"][response]["content"]["application/json"]["examples"][name]["value"]


@pytest.mark.fact("F-RESULT-1", "F-RESULT-4", "F-RATE-1")
def test_the_seed_s_answer_validates(spec: dict[str, Any]) -> None:
    assert problems(spec, "DsExportResultVO", SEED_IMPORTING) == []


@pytest.mark.fact("F-RESULT-5", "F-RESULT-6", "F-RATE-2")
def test_import_result_s_documented_answer_validates_with_its_nulls(spec: dict[str, Any]) -> None:
    assert problems(spec, "DsExportResultVO", IMPORT_RESULT_SUCCESS) == []
    unknown_state = {"data": {**IMPORT_RESULT_SUCCESS["data"], "group": {"operation_status": "PAUSED"}}}
    assert problems(spec, "DsExportResultVO", unknown_state) != [], "the enum stays strict"


@pytest.mark.fact("F-RESULT-7")
def test_the_2022_eu_page_s_shape_does_not_validate(spec: dict[str, Any]) -> None:
    """The contract is strict on what today's sources agree on: a server answering this goes red."""
    assert any(
        "'data' is a required property" in problem for problem in problems(spec, "DsExportResultVO", EU_2022_UNWRAPPED)
    )
    long_ids = problems(spec, "BatchOperationVO", EU_2022_UNWRAPPED["group"])
    assert len(long_ids) == 3, long_ids
    assert all("is not of type 'string', 'null'" in problem for problem in long_ids)


@pytest.mark.fact("F-ERR-1", "F-ERR-2", "F-ERR-3")
@pytest.mark.parametrize("body", [SEED_ERROR, API_REFERENCE_ERROR, DATAARTS_ERROR, GATEWAY_THROTTLED])
def test_every_documented_error_shape_validates(spec: dict[str, Any], body: dict[str, Any]) -> None:
    assert problems(spec, "ErrorResponse", body) == []


@pytest.mark.fact("F-ERR-4")
def test_error_codes_and_messages_keep_their_documented_lengths(spec: dict[str, Any]) -> None:
    assert problems(spec, "ErrorResponse", {"error_code": "X" * 129}) != []
    assert problems(spec, "ErrorResponse", {"errors": [{"error_msg": "m" * 10241}]}) != []


@pytest.mark.fact("F-PARAM-5")
@pytest.mark.parametrize(
    "body",
    [
        {"asyn": "true", "ids": ["1226583503525818368"], "model_id": "1213499006739791872", "type": "ER"},
        {"ids": [1160236484595425279], "type": "TABLE_MODEL"},
        {"biz_catalog_id": 1160236484595425282},
    ],
)
def test_the_api_explorer_s_loosely_typed_examples_do_not_validate(spec: dict[str, Any], body: dict[str, Any]) -> None:
    assert problems(spec, "ExportParam", body) != []


@pytest.mark.fact("F-WS-1", "F-ERR-2")
def test_the_bad_request_example_is_a_missing_workspace_in_dataarts_architecture_s_shape(
    spec: dict[str, Any],
) -> None:
    assert example(spec, "BadRequest", "workspaceNotFound") == {
        "errors": [{"error_code": "DLG.0818", "error_msg": "The workspace does not exist."}]
    }


@pytest.mark.fact("F-AUTH-5", "F-ERR-3")
def test_the_unauthorized_example_is_the_gateway_s(spec: dict[str, Any]) -> None:
    value = example(spec, "Unauthorized", "badSignature")
    assert set(value) == {"error_code", "error_msg", "request_id"}
    assert value["error_code"] == "APIG.0301"
    assert value["error_msg"] == "Incorrect IAM authentication information: verify aksk signature fail"


@pytest.mark.fact("F-LIMIT-3")
def test_the_throttling_example_is_worded_as_the_gateway(spec: dict[str, Any]) -> None:
    value = example(spec, "TooManyRequests", "throttled")
    assert set(value) == {"error_code", "error_msg", "request_id"}
    assert value["error_code"] == "APIG.0308"
    assert value["error_msg"] == (
        "The throttling threshold has been reached: policy user over ratelimit,limit:240,time:1 minute"
    )


@pytest.mark.fact("F-WS-3")
def test_the_forbidden_example_is_the_seed_s_body_without_an_invented_code(spec: dict[str, Any]) -> None:
    assert example(spec, "Forbidden", "noAccess") == {"data": {}}


@pytest.mark.fact("F-EMU-5")
def test_the_416_example_carries_the_emulator_s_own_code(spec: dict[str, Any]) -> None:
    answer = spec["paths"][RESULT_PATH]["get"]["responses"]["416"]["content"]["application/json"]
    assert answer["examples"]["pastTheEnd"]["value"]["error_code"] == "EMU.0416"


@pytest.mark.fact("F-LIMIT-1", "F-LIMIT-2")
def test_each_operation_records_its_documented_flow_control(spec: dict[str, Any]) -> None:
    result = spec["paths"][RESULT_PATH]["get"]
    model = spec["paths"][MODEL_PATH]["post"]
    assert result["x-flow-control-per-minute"] == {"api": 21600, "user": 240}
    assert model["x-flow-control-per-minute"] == {"api": 10800, "user": 120}
    assert "240 a minute per user" in result["description"]
    assert "120 a minute per user" in model["description"]


@pytest.mark.fact("F-RATE-1", "F-RATE-2", "F-RATE-3")
def test_rate_documents_both_scales_and_the_status_as_the_authority(spec: dict[str, Any]) -> None:
    rate = spec["components"]["schemas"]["DsExportResultVOData"]["properties"]["rate"]
    assert rate["examples"] == ["0", "1.00"]
    for said in ('`"0"` to `"100"`', '`"0.00"` to\n`"1.00"`', "at\n`success` the progress is complete"):
        assert said in rate["description"]

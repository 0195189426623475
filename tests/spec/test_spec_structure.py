"""The spec says what the seed documentation says, field by field.

These tests pin the structure of openapi.yaml to the endpoint's documentation
(``shared/seed``) and to the reference facts, so an edit that drops a field,
an enum value, a required flag or a media type fails here before it reaches
the generated client or the emulator.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

RESULT_PATH = "/v2/{project_id}/design/export-result"
MODEL_PATH = "/v2/{project_id}/design/export-model"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_4740123afedceb52.txt"

BATCH_OPERATION_FIELDS = {
    "id": "string",
    "tenant_id": "string",
    "group_id": "string",
    "biz_name": "string",
    "biz_id": "string",
    "operation_status": "enum",
    "operation_type": "string",
    "biz_info": "string",
    "create_by": "string",
    "remark": "string",
    "total": "integer",
    "success": "integer",
    "failed": "integer",
    "rate": "string",
    "logs": "string",
    "groups": "array",
}


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local ``$ref`` pointers until a concrete node."""
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        target: Any = spec
        for part in parts:
            target = target[part]
        node = target
    return node


@pytest.fixture(scope="module")
def spec(spec_path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def result_get(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"][RESULT_PATH]["get"]
    return operation


def parameters(spec: dict[str, Any], path: str, method: str) -> dict[tuple[str, str], dict[str, Any]]:
    """All parameters of an operation (path-level and its own), keyed by (in, name)."""
    item = spec["paths"][path]
    found = {}
    for raw in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        param = resolve(spec, raw)
        found[(param["in"], param["name"])] = param
    return found


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.1")


@pytest.mark.fact("F-OP-1", "F-PARAM-3")
def test_result_operation_identity(result_get: dict[str, Any]) -> None:
    assert result_get["operationId"] == "ExportDesignResult"
    assert result_get["tags"] == ["export"]
    assert "Content-Type" in result_get["description"]
    assert "application/json;charset=UTF-8" in result_get["description"]


@pytest.mark.fact("F-PARAM-1")
@pytest.mark.parametrize(("path", "method"), [(RESULT_PATH, "get"), (MODEL_PATH, "post")])
def test_parameters_follow_the_seed(spec: dict[str, Any], path: str, method: str) -> None:
    params = parameters(spec, path, method)
    assert params[("path", "project_id")]["required"] is True
    assert params[("header", "workspace")]["required"] is True
    assert params[("header", "X-Project-Id")].get("required", False) is False
    assert ("header", "X-Auth-Token") not in params, "the token is a security scheme, not a parameter"
    for param in params.values():
        assert param["schema"]["type"] == "string"
        assert param.get("description")
    for key in (("path", "project_id"), ("header", "workspace"), ("header", "X-Project-Id")):
        schema = params[key]["schema"]
        assert (schema["minLength"], schema["maxLength"]) == (3, 64), f"{key}: 3 to 64 as the API Explorer says"


@pytest.mark.fact("F-PARAM-4")
def test_uuid_query_is_required_with_the_seed_example(spec: dict[str, Any]) -> None:
    uuid = parameters(spec, RESULT_PATH, "get")[("query", "uuid")]
    assert uuid["required"] is True
    assert uuid["example"] == "fd653968-864b-45f6-9842-2b125d2dbfb7"
    assert (uuid["schema"]["minLength"], uuid["schema"]["maxLength"]) == (1, 64)
    assert "assumption" in uuid["description"], "Huawei gives no length: the spec says it is its own"


@pytest.mark.fact("F-AUTH-1", "F-AUTH-2")
def test_security_token_or_aksk(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["token"] == {**schemes["token"], "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    assert schemes["aksk"]["name"] == "Authorization"
    assert "SDK-HMAC-SHA256" in schemes["aksk"]["description"]
    # Alternatives: either scheme alone satisfies the operation.
    assert spec["security"] == [{"token": []}, {"aksk": []}]


@pytest.mark.fact("F-RESULT-2", "F-RESULT-3", "F-RESULT-4", "F-RATE-1")
def test_success_has_json_status_and_excel_file(spec: dict[str, Any], result_get: dict[str, Any]) -> None:
    ok = result_get["responses"]["200"]
    media = list(ok["content"])
    assert media[0] == "application/json", "JSON first: the generator's primary model"
    assert XLSX in media
    for binary in media[1:]:
        schema = resolve(spec, ok["content"][binary]["schema"])
        assert (schema["type"], schema["format"]) == ("string", "binary")
    assert {"Content-Disposition", "X-Request-Id"} <= set(ok["headers"])
    example = ok["content"]["application/json"]["examples"]["importing"]["value"]
    assert example == {"data": {"status": "importing", "group": None, "rate": "0"}}


@pytest.mark.fact("F-RESULT-1")
def test_status_object(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    envelope = schemas["DsExportResultVO"]
    assert envelope["required"] == ["data"]
    data = resolve(spec, envelope["properties"]["data"])
    assert set(data["properties"]) == {"status", "group", "rate"}
    assert data["required"] == ["status"]
    assert resolve(spec, data["properties"]["status"])["enum"] == ["importing", "fail", "success"]
    assert data["properties"]["rate"]["type"] == "string"
    group_options = data["properties"]["group"]["oneOf"]
    assert {"$ref": "#/components/schemas/BatchOperationVO"} in group_options
    assert {"type": "null"} in group_options


@pytest.mark.fact("F-RESULT-5", "F-RESULT-6", "F-RATE-5")
def test_batch_operation_has_every_seed_field_each_nullable(spec: dict[str, Any]) -> None:
    """Every seed field, of the seed's type, each admitting ``null`` as Huawei's documented ImportResult shows."""
    vo = spec["components"]["schemas"]["BatchOperationVO"]
    props = vo["properties"]
    assert set(props) == set(BATCH_OPERATION_FIELDS)
    assert vo["readOnly"] is True
    for name, kind in BATCH_OPERATION_FIELDS.items():
        schema = props[name]
        assert schema.get("description"), name
        if kind == "enum":
            assert {"type": "null"} in schema["oneOf"], name
            enum = resolve(spec, next(option for option in schema["oneOf"] if "$ref" in option))
            assert enum["enum"] == ["RUNNING", "SUCCESS", "FAILED"]
            continue
        assert schema["type"] == [kind, "null"], name
        if kind == "array":
            assert schema["items"] == {"$ref": "#/components/schemas/BatchOperationVO"}
    for counter in ("total", "success", "failed"):
        assert props[counter]["default"] == 0
    assert props["rate"]["default"] == "0"


def declared_names(node: Any) -> set[str]:
    """Names the spec declares: schema properties, parameters, headers and security scheme header names."""
    names: set[str] = set()
    if isinstance(node, dict):
        names |= set(node.get("properties", {}))
        names |= set(node.get("headers", {}))
        if node.get("in") in {"path", "query", "header"} and isinstance(node.get("name"), str):
            names.add(node["name"])
        for value in node.values():
            names |= declared_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= declared_names(item)
    return names


def test_every_seed_field_is_in_the_spec(spec: dict[str, Any]) -> None:
    """Every row name of every table in the seed is declared by the spec."""
    if not SEED.exists():
        pytest.skip(f"seed documentation not found at {SEED}")
    seed_names = set(re.findall(r"^\| ([A-Za-z_][\w-]*) \|", SEED.read_text(encoding="utf-8"), re.MULTILINE))
    seed_names -= {"Parameter", "Status"}
    # Content-Type is described in prose: OpenAPI ignores a header parameter of that name.
    seed_names.discard("Content-Type")
    assert len(seed_names) >= 20, "the seed's tables were not found"
    missing = sorted(seed_names - declared_names(spec))
    assert not missing, f"seed fields missing from openapi.yaml: {missing}"


@pytest.mark.fact("F-ERR-1", "F-ERR-2", "F-ERR-3", "F-ERR-4", "F-ERR-5")
@pytest.mark.parametrize("status", ["400", "401", "403"])
def test_error_answers_carry_data_and_error_fields(
    spec: dict[str, Any], result_get: dict[str, Any], status: str
) -> None:
    response = resolve(spec, result_get["responses"][status])
    assert "X-Request-Id" in response["headers"]
    schema = resolve(spec, response["content"]["application/json"]["schema"])
    assert schema["properties"]["data"]["type"] == ["object", "null"]
    assert "required" not in schema, "each of the three error shapes leaves out the others' members"
    assert schema["properties"]["error_code"]["maxLength"] == 128
    assert schema["properties"]["error_msg"]["maxLength"] == 10240
    assert schema["properties"]["request_id"]["type"] == "string"
    detail = resolve(spec, schema["properties"]["errors"]["items"])
    assert detail["properties"]["error_code"]["maxLength"] == 128
    assert detail["properties"]["error_msg"]["maxLength"] == 10240


@pytest.mark.fact("F-LIMIT-4")
def test_throttling_answer_has_retry_after(spec: dict[str, Any], result_get: dict[str, Any]) -> None:
    response = resolve(spec, result_get["responses"]["429"])
    assert {"Retry-After", "X-Request-Id"} <= set(response["headers"])


@pytest.mark.fact("F-OP-2", "F-PARAM-5")
def test_export_model_companion(spec: dict[str, Any]) -> None:
    post = spec["paths"][MODEL_PATH]["post"]
    assert post["operationId"] == "ExportDesignModels"
    assert post["tags"] == ["export"]
    assert post["requestBody"]["required"] is True
    body = resolve(spec, post["requestBody"]["content"]["application/json"]["schema"])
    props = body["properties"]
    assert set(props) == {"ids", "asyn", "type", "directory_id", "biz_catalog_id", "biz_catalog_id_list", "model_id"}
    assert "required" not in body
    assert props["ids"]["uniqueItems"] is True
    assert props["asyn"]["type"] == "boolean"
    assert props["biz_catalog_id_list"]["minItems"] == 1
    for name in ("directory_id", "biz_catalog_id", "model_id", "type"):
        assert props[name]["type"] == "string", "long IDs travel as strings"
    answer = resolve(spec, post["responses"]["200"]["content"]["application/json"]["schema"])
    job = resolve(spec, answer["properties"]["data"])
    assert job["required"] == ["uuid"]


def test_link_chains_export_model_to_export_result(spec: dict[str, Any]) -> None:
    links = spec["paths"][MODEL_PATH]["post"]["responses"]["200"]["links"]
    link = links["ExportDesignResult"]
    assert link["operationId"] == "ExportDesignResult"
    assert link["parameters"]["uuid"] == "$response.body#/data/uuid"
    assert link["parameters"]["project_id"] == "$request.path.project_id"
    assert link["parameters"]["workspace"] == "$request.header.workspace"


@pytest.mark.fact("F-REGION-1", "F-REGION-2")
def test_servers_regional_template_eu_site_and_emulator(spec: dict[str, Any]) -> None:
    regional, eu, local = spec["servers"]
    assert regional["url"] == "https://dayu.{region}.myhuaweicloud.com"
    assert "cn-north-4" in regional["variables"]["region"]["enum"]
    assert "eu-west-101" not in regional["variables"]["region"]["enum"], "the EU region has its own domain"
    assert eu["url"] == "https://dayu.eu-west-101.myhuaweicloud.eu"
    assert local["url"].startswith("http://127.0.0.1:")


@pytest.mark.fact("F-PARAM-6")
def test_range_headers_are_optional_and_admit_the_live_service_may_ignore_them(spec: dict[str, Any]) -> None:
    params = parameters(spec, RESULT_PATH, "get")
    for name in ("Range", "If-Range"):
        param = params[("header", name)]
        assert param.get("required", False) is False
        assert param["schema"]["type"] == "string"
    assert "may ignore" in params[("header", "Range")]["description"]
    assert "`200`" in params[("header", "Range")]["description"]


def test_partial_answer_and_unsatisfiable_range(spec: dict[str, Any], result_get: dict[str, Any]) -> None:
    partial = result_get["responses"]["206"]
    assert partial["headers"]["Content-Range"]["required"] is True
    assert {"ETag", "Accept-Ranges", "X-Request-Id"} <= set(partial["headers"])
    assert "application/json" not in partial["content"], "a range is of the workbook only"
    assert XLSX in partial["content"]
    assert "`200`" in partial["description"]
    assert "live service" in partial["description"]
    unsatisfiable = result_get["responses"]["416"]
    assert "Content-Range" in unsatisfiable["headers"]
    assert resolve(spec, unsatisfiable["content"]["application/json"]["schema"]) == resolve(
        spec, {"$ref": "#/components/schemas/ErrorResponse"}
    )
    assert {"ETag", "Accept-Ranges"} <= set(result_get["responses"]["200"]["headers"])

"""The import calls in the spec say what Huawei's definitions say (docs/fidelity.md, section "Import calls").

Each test reads the operation as the spec declares it, through the same
``$ref`` follower the emulator uses, so a fact changed in ``openapi.yaml``
without the ledger (or the other way round) turns red here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataarts_emulator.spec import follow_refs as follow_pointer
from dataarts_emulator.spec import parse_spec

from .test_documented_answers import problems

MODELS_PATH = "/v2/{project_id}/design/models/action"
CATALOGS_PATH = "/v2/{project_id}/design/catalogs/action"
RESULT_PATH = "/v2/{project_id}/design/catelogs/process-import"
ACTIONS = [
    "import_relation",
    "import_dimension",
    "import_codetable",
    "import_datastandard",
    "import_bizmetric",
    "import_bizcatalog",
    "import_atomic",
    "import_derivative",
    "import_compound",
    "import_aggregation",
]
"""The ten values of ``action-id``, in the order of the API Explorer's enum (``ImportModels.json``)."""


def follow_refs(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with its ``$ref`` chain followed (the emulator's follower, without the pointer)."""
    return follow_pointer(spec, node)[0]


def words(text: str) -> str:
    """``text`` with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def spec(spec_path: Path) -> dict[str, Any]:
    return parse_spec(spec_path)


def operation(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def parameters(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    """The operation's parameters (the path's too), ``$ref``s followed, by name."""
    listed = [*spec["paths"][path].get("parameters", []), *operation(spec, path, method).get("parameters", [])]
    return {found["name"]: found for found in (follow_refs(spec, item) for item in listed)}


def upload_body(spec: dict[str, Any], path: str) -> dict[str, Any]:
    body: dict[str, Any] = follow_refs(spec, operation(spec, path, "post")["requestBody"])
    return body


@pytest.mark.fact("F-IMPORT-1", "F-IMPORT-2", "F-IMPORT-3")
def test_the_three_operations_are_where_huawei_puts_them(spec: dict[str, Any]) -> None:
    assert operation(spec, MODELS_PATH, "post")["operationId"] == "ImportModels"
    assert operation(spec, CATALOGS_PATH, "post")["operationId"] == "ImportCatalogs"
    assert operation(spec, RESULT_PATH, "get")["operationId"] == "ImportResult"
    for path in (MODELS_PATH, CATALOGS_PATH):
        form = upload_body(spec, path)["content"]["multipart/form-data"]["schema"]
        schema = follow_refs(spec, form)
        assert schema["required"] == ["file"]
        assert schema["properties"]["file"]["format"] == "binary"
    assert parameters(spec, CATALOGS_PATH, "post")["action-id"]["schema"]["enum"] == ["start-import"]
    assert parameters(spec, RESULT_PATH, "get")["uuid"]["required"] is True


@pytest.mark.fact("F-IMPORT-4", "F-IMPORT-5", "F-IMPORT-6")
def test_action_model_and_directory_are_the_definitions(spec: dict[str, Any]) -> None:
    declared = parameters(spec, MODELS_PATH, "post")
    action = declared["action-id"]
    assert action["required"] is True
    assert follow_refs(spec, action["schema"])["enum"] == ACTIONS
    assert declared["model_id"]["required"] is False
    assert "required with `import_relation`" in words(declared["model_id"]["description"])
    assert declared["directory_id"]["required"] is False


@pytest.mark.fact("F-IMPORT-7", "F-IMPORT-8")
def test_skip_exist_is_the_definitions_spelling_and_x_language_a_free_string(spec: dict[str, Any]) -> None:
    for path in (MODELS_PATH, CATALOGS_PATH):
        skip = parameters(spec, path, "post")["skip-exist"]
        assert (skip["in"], skip["schema"]) == ("query", {"type": "boolean", "default": False})
        assert "skip_exist" not in parameters(spec, path, "post")
        assert "`skip_exist`" in skip["description"], "the conflict is said where the parameter is"
    language = parameters(spec, MODELS_PATH, "post")["X-Language"]
    assert (language["in"], language["required"]) == ("header", False)
    assert "enum" not in language["schema"]


@pytest.mark.fact("F-IMPORT-9", "F-IMPORT-11")
def test_the_starts_answer_a_uuid_linked_to_the_result(spec: dict[str, Any]) -> None:
    assert "under 4 MB and under 3,000 rows" in words(upload_body(spec, MODELS_PATH)["description"])
    for path in (MODELS_PATH, CATALOGS_PATH):
        answer = follow_refs(spec, operation(spec, path, "post")["responses"]["200"])
        schema = answer["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ExportModelsResult"}
        assert answer["links"]["ImportResult"]["parameters"]["uuid"] == "$response.body#/data/uuid"
        assert answer["links"]["ImportResult"]["operationId"] == "ImportResult"


@pytest.mark.fact("F-IMPORT-12", "F-IMPORT-13")
def test_the_result_is_the_documented_status_object(spec: dict[str, Any]) -> None:
    from ..fidelity.documented import IMPORT_RESULT_SUCCESS  # noqa: PLC0415 - the one answer this test needs

    answer = follow_refs(spec, operation(spec, RESULT_PATH, "get")["responses"]["200"])
    schema = follow_refs(spec, answer["content"]["application/json"]["schema"])
    assert schema["properties"]["data"] == {"$ref": "#/components/schemas/DsExportResultVOData"}
    assert problems(spec, "DsExportResultVO", IMPORT_RESULT_SUCCESS) == []


@pytest.mark.fact("F-LIMIT-5", "F-LIMIT-6")
def test_the_import_calls_record_their_flow_control(spec: dict[str, Any]) -> None:
    for path, method, limits in [
        (MODELS_PATH, "post", {"api": 10800, "user": 120}),
        (CATALOGS_PATH, "post", {"api": 10800, "user": 120}),
        (RESULT_PATH, "get", {"api": 21600, "user": 240}),
    ]:
        declared = operation(spec, path, method)
        assert declared["x-flow-control-per-minute"] == limits
        assert f"{limits['user']} a minute per user" in words(declared["description"])
        assert "partly an assumption" in words(declared["description"])

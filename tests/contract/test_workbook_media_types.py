"""The contract run checks every binary answer the spec declares as a workbook, reading the list from the spec."""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.contract.config import SPEC
from tools.contract.workbook import binary_media_types

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_spec_declares_the_workbook_under_its_two_media_types() -> None:
    assert binary_media_types(SPEC) == (XLSX, "application/octet-stream")


def test_a_binary_media_type_the_spec_adds_is_checked_too(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    responses = spec["paths"]["/v2/{project_id}/design/export-result"]["get"]["responses"]
    responses["200"]["content"]["application/zip"] = {"schema": {"type": "string", "format": "binary"}}
    responses["202"] = {"$ref": "#/components/responses/Accepted"}
    spec["components"].setdefault("responses", {})["Accepted"] = {
        "description": "a workbook by reference",
        "content": {"application/x-excel": {"schema": {"$ref": "#/components/schemas/ExcelFile"}}},
    }
    responses["418"] = {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    assert binary_media_types(changed) == (XLSX, "application/octet-stream", "application/zip", "application/x-excel")

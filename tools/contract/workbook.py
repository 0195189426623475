"""Checking the binary answer of ``ExportDesignResult`` as what it claims to be: an Excel workbook.

Registered as a schemathesis deserializer for the workbook's media types, so
``response_schema_conformance`` judges the body itself rather than any bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from dataarts_emulator.routing import HTTP_METHODS
from dataarts_emulator.spec import follow_refs, parse_spec


def binary_media_types(spec_path: Path) -> tuple[str, ...]:
    """The media types the spec answers with a ``format: binary`` body (the workbook's), in spec order.

    Read from the spec rather than written out here, so that a media type the
    spec adds is checked as a workbook too.
    """
    spec = parse_spec(spec_path)
    found: dict[str, None] = {}
    for item in spec.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for response in operation.get("responses", {}).values():
                for media_type, content in follow_refs(spec, response)[0].get("content", {}).items():
                    if follow_refs(spec, content.get("schema", {}))[0].get("format") == "binary":
                        found[media_type] = None
    return tuple(found)


def describe_workbook(context: Any, response: Any) -> str:
    """The body must be an OOXML package (a ZIP holding ``[Content_Types].xml``); returns a short description.

    A string, as ``format: binary`` wants, so the schema check passes on a
    real workbook; a body that is no workbook (e.g. cut short in transit)
    raises, which schemathesis reports.
    """
    content: bytes = response.content
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as error:
        raise ValueError(f"the body is not an Excel workbook ({len(content)} bytes): {error}") from None
    if "[Content_Types].xml" not in names:
        raise ValueError("the body is a ZIP archive but not an Office Open XML package")
    return f"<Excel workbook, {len(content)} bytes>"

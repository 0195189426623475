"""Checking the binary answer of ``ExportDesignResult`` as what it claims to be: an Excel workbook.

Registered as a schemathesis deserializer for the workbook's media types, so
``response_schema_conformance`` judges the body itself rather than any bytes.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

WORKBOOK_MEDIA_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")


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

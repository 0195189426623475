"""Reading an uploaded workbook without trusting it: the form, the file name, the zip, the XML.

An import call carries an Excel file from anyone who holds credentials, so
every step is bounded before it is taken, and each refusal is its own
:mod:`~dataarts_emulator.exceptions` type (a 400 with a code), raised before
anything in a workspace changes:

* the form: ``multipart/form-data`` parsed by python-multipart (Starlette's
  form parser) with one ``file`` field, under :data:`MAX_FILE_BYTES`, whose
  file name is a plain base name (no directory, no control characters);
* the zip: at most :data:`MAX_PARTS` entries whose *declared* sizes add up to
  at most :data:`MAX_INFLATED_BYTES` (a zip bomb is refused before a byte is
  inflated); then every part is inflated chunk by chunk and discarded, to
  check that it holds what it declares (zipfile never inflates past a
  declared size, and a part that lies about it fails its CRC check), so that
  a bomb in a part no import reads (a picture, say) is refused too; the
  parts the sheet is read from are then inflated against the same budget,
  counted each time they are read;
* the XML: parsed by defusedxml's expat reader, which refuses DTDs, entity
  declarations and external references, fed chunk by chunk as it is
  inflated, so no part is ever held inflated in memory;
* the sheet: the first sheet of the workbook, inline or shared strings,
  stopped as soon as it has more than :data:`MAX_DATA_ROWS` data rows.

Huawei documents the limits as "under 4 MB and under 3,000 rows" (API
Explorer ``ImportModels``/``ImportCatalogs``, the SDK's request bodies);
reading 4 MB as 4 MiB and the rows as data rows (the header row not
counted) are this emulator's assumptions (``docs/fidelity.md``).
"""

from __future__ import annotations

import email.message
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from .exceptions import (
    HostileFileName,
    NotAWorkbook,
    TooManyRows,
    UnsafeWorkbookXml,
    UploadMalformed,
    UploadMissing,
    UploadTooLarge,
    WorkbookTooLarge,
)

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The file must be smaller than this ("under 4 MB", read as 4 MiB)."""
FORM_OVERHEAD_BYTES = 64 * 1024
"""What a form may add to its file (boundaries, part headers): the body limit of an upload is the file's plus this."""
MAX_DATA_ROWS = 2999
"""At most this many data rows ("under 3,000 rows"; the header row is not counted)."""
MAX_INFLATED_BYTES = 32 * 1024 * 1024
"""The parts of one workbook may declare, and inflate to, this many bytes in all."""
MAX_PARTS = 1000
"""A workbook has a dozen parts; more is no workbook of any layout."""
MAX_FILE_NAME_BYTES = 255
MAX_COLUMNS = 16384
"""Excel's last column (XFD): a cell reference past it is no spreadsheet's."""
CHUNK_BYTES = 64 * 1024
"""The most of a part inflated at a time: what a part costs in memory, however large it inflates."""
_SHARED_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_DISPOSITION = "Content-Disposition"  # pragma: no mutate (equivalent: any header name, written and read alike)
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")


@dataclass(frozen=True)
class Upload:
    """The ``file`` field of an import form: its bytes and its (checked) file name, if it had one."""

    content: bytes = field(repr=False)  # pragma: no mutate (equivalent: repr=None is as false as False)
    file_name: str | None


# --------------------------------------------------------------------------- the form


def _boundary(content_type: str | None) -> bytes:
    media_type, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UploadMissing("the body is not a multipart/form-data form: send the workbook as its field 'file'")
    return boundary


def _disposition(raw: bytes) -> email.message.Message:
    """The ``Content-Disposition`` of a part as a message header, which reads RFC 2231 ``filename*`` too."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise HostileFileName("the form part's Content-Disposition is not UTF-8 text") from None
    message = email.message.Message()
    message[_DISPOSITION] = text
    return message


def _is_the_file(disposition: bytes | None) -> bool:
    """Whether a part with this ``Content-Disposition`` is the form's field ``file``."""
    if disposition is None:
        return False
    message = _disposition(disposition)
    name = message.get_param("name", header=_DISPOSITION)  # pragma: no mutate (equivalent: "NAME": names ignore case)
    return message.get_content_disposition() == "form-data" and name == "file"


def checked_file_name(name: str | None) -> str | None:
    """``name`` when it is a plain file name; :class:`HostileFileName` for a path, a control character or a long one."""
    if name is None:
        return None
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise HostileFileName("the file name must be a plain name, without a directory")
    if any(not character.isprintable() for character in name):
        raise HostileFileName("the file name holds control characters")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME_BYTES:
        raise HostileFileName(f"the file name is longer than {MAX_FILE_NAME_BYTES} bytes")
    return name


@dataclass
class _Part:
    """The part of the form being read: its headers as they come, and the bytes of the field ``file``."""

    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes | None = None
    chunks: list[bytes] | None = None
    """The file's bytes so far; ``None`` while the part is not (or not yet known to be) the field ``file``."""
    size: int = 0


class _FormReader:
    """python-multipart callbacks that keep the ``file`` part (bounded) and nothing else."""

    def __init__(self) -> None:
        self.files: list[tuple[bytes, str | None]] = []
        self._part = _Part()  # pragma: no mutate (equivalent: each part begins with _part_begin, which sets it)

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._part.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._part.header_value += data[start:end]

    def _header_end(self) -> None:
        part = self._part
        if part.header_name.strip().lower() == b"content-disposition":
            part.disposition = part.header_value.strip()
        part.header_name = part.header_value = b""

    def _headers_finished(self) -> None:
        if _is_the_file(self._part.disposition):
            self._part.chunks = []

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.chunks is None:
            return
        part.size += end - start
        if part.size >= MAX_FILE_BYTES:
            raise UploadTooLarge(f"the file must be smaller than {MAX_FILE_BYTES} bytes (4 MB)")
        part.chunks.append(data[start:end])

    def _part_end(self) -> None:
        part = self._part
        if part.chunks is not None and part.disposition is not None:
            self.files.append((b"".join(part.chunks), _disposition(part.disposition).get_filename()))


def read_upload(content_type: str | None, body: bytes) -> Upload:
    """The ``file`` field of a ``multipart/form-data`` body, checked; refusals raise before anything else."""
    reader = _FormReader()
    parser = MultipartParser(_boundary(content_type), reader.callbacks())  # type: ignore[arg-type]
    try:
        for start in range(0, len(body), CHUNK_BYTES):  # as a body arrives: a file too large stops the reading
            parser.write(body[start : start + CHUNK_BYTES])
        parser.finalize()
    except MultipartParseError as error:
        raise UploadMalformed(f"the multipart/form-data body cannot be read: {error}") from None
    if parser.state != MultipartState.END:
        raise UploadMalformed("the multipart/form-data body ends before its closing boundary")
    if not reader.files:
        raise UploadMissing("the form has no field 'file': send the workbook as its field 'file'")
    if len(reader.files) > 1:
        raise UploadMalformed("the form has more than one field 'file'")
    content, name = reader.files[0]
    return Upload(content, checked_file_name(name))


# --------------------------------------------------------------------------- the zip and its XML


class _Budget:
    """Inflated bytes left for the parts the sheet is read from, each counted every time it is read."""

    def __init__(self, total: int) -> None:
        self.left = total

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise WorkbookTooLarge(f"the workbook inflates to more than {MAX_INFLATED_BYTES} bytes")


def _open_zip(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        raise NotAWorkbook("the file is not an .xlsx workbook (not a zip archive)") from None
    entries = archive.infolist()
    if len(entries) > MAX_PARTS:
        raise NotAWorkbook(f"the file has more than {MAX_PARTS} parts: not an .xlsx workbook")
    if sum(entry.file_size for entry in entries) > MAX_INFLATED_BYTES:
        raise WorkbookTooLarge(f"the workbook declares more than {MAX_INFLATED_BYTES} bytes once inflated")
    for entry in entries:
        _inflate(archive, entry, _discard)
    return archive


def _discard(_chunk: bytes) -> None:
    """What :func:`_open_zip` does with the bytes of a part: inflating them was the check."""


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, take: Callable[[bytes], object]) -> None:
    """Hand part ``entry`` to ``take`` chunk by chunk; :class:`NotAWorkbook` when it does not inflate as declared."""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                take(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):  # a CRC or size lie, a cut or odd part
        raise NotAWorkbook(f"the part {entry.filename} cannot be inflated") from None


def _parse(archive: zipfile.ZipFile, name: str, handler: ContentHandler, budget: _Budget) -> None:
    """Inflate part ``name`` chunk by chunk into a DTD-refusing XML parser (and so entities and external ones)."""
    try:
        entry = archive.getinfo(name)
    except KeyError:
        raise NotAWorkbook(f"the workbook has no part {name}") from None
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setContentHandler(handler)

    def feed(chunk: bytes) -> None:
        budget.spend(len(chunk))
        parser.feed(chunk)

    try:
        _inflate(archive, entry, feed)
        parser.close()
    except DefusedXmlException:
        raise UnsafeWorkbookXml(f"{name} declares a DTD, entities or external references") from None
    except SAXException as error:
        raise NotAWorkbook(f"{name} is not well-formed XML: {error}") from None


class _Relationships(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.targets: dict[str, tuple[str | None, str]] = {}

    def startElement(self, name: str, attrs: Any) -> None:
        if name == "Relationship" and "Id" in attrs and "Target" in attrs:
            self.targets[attrs["Id"]] = (attrs.get("Type"), attrs["Target"])


class _FirstSheet(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.relationship: str | None = None

    def startElement(self, name: str, attrs: Any) -> None:
        if name == "sheet" and self.relationship is None:
            self.relationship = next((value for key, value in attrs.items() if key.endswith(":id")), None)


class _SharedStrings(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []
        self._text: list[str] | None = None
        self._in_text = False  # pragma: no mutate (equivalent: every start tag sets it before any text arrives)

    def startElement(self, name: str, attrs: Any) -> None:
        if name == "si":
            self._text = []
        self._in_text = name == "t" and self._text is not None

    def endElement(self, name: str) -> None:
        if name == "si" and self._text is not None:
            self.strings.append("".join(self._text))
            self._text = None
        if name == "t":
            self._in_text = False  # pragma: no mutate (equivalent: None is as false as False)

    def characters(self, content: str) -> None:
        if self._in_text and self._text is not None:
            self._text.append(content)


def column_index(reference: str) -> int:
    """The 0-based column of a cell reference (``"B7"`` -> 1); :class:`NotAWorkbook` for anything else.

    A reference is one to three capital letters and a row number, up to
    Excel's last column (``XFD``).
    """
    matched = _CELL_REFERENCE.fullmatch(reference)
    if matched is None:
        raise NotAWorkbook(f"{reference[:20]!r} is not a cell reference")
    index = 0
    for character in matched[1]:
        index = index * 26 + ord(character) - ord("A") + 1
    if index > MAX_COLUMNS:
        raise NotAWorkbook(f"the cell reference {reference!r} is past the last column")
    return index - 1


@dataclass(frozen=True)
class SheetRow:
    """One row of the sheet: its number as Excel shows it, and its non-empty cells by 0-based column."""

    number: int
    cells: dict[int, str]

    def values(self, width: int) -> list[str]:
        """The first ``width`` cells, empty ones as ``""``."""
        return [self.cells.get(index, "") for index in range(width)]

    def beyond(self, width: int) -> bool:
        """Whether a cell past the first ``width`` holds text."""
        return any(index >= width and text for index, text in self.cells.items())


class _Sheet(ContentHandler):
    """The rows of a worksheet, stopped past :data:`MAX_DATA_ROWS` data rows."""

    def __init__(self, shared: list[str]) -> None:
        super().__init__()
        self.rows: list[SheetRow] = []
        self._shared = shared
        self._cells: dict[int, str] | None = None
        self._number = 0
        self._column = -1
        self._kind: str | None = None  # pragma: no mutate (equivalent: every cell's start tag sets it before use)
        self._text: list[str] | None = None
        self._collect = False  # pragma: no mutate (equivalent: every start tag sets it before any text arrives)

    def startElement(self, name: str, attrs: Any) -> None:
        if name == "row":
            self._cells = {}
            number = attrs.get("r")
            self._number = int(number) if number and number.isdigit() else self._number + 1
        elif name == "c" and self._cells is not None:
            reference = attrs.get("r")
            self._column = column_index(reference) if reference else self._column + 1
            self._kind = attrs.get("t")
            self._text = []
        self._collect = name in ("v", "t") and self._text is not None

    def endElement(self, name: str) -> None:
        if name in ("v", "t"):
            self._collect = False  # pragma: no mutate (equivalent: None is as false as False)
        elif name == "c" and self._cells is not None and self._text is not None:
            text = self._cell_text("".join(self._text))
            if text:
                self._cells[self._column] = text
            self._text = None
        elif name == "row" and self._cells is not None:
            self.rows.append(SheetRow(self._number, self._cells))
            self._cells, self._column = None, -1
            if len(self.rows) - 1 > MAX_DATA_ROWS:
                raise TooManyRows(f"the sheet has more than {MAX_DATA_ROWS} data rows (under 3,000 are accepted)")

    def characters(self, content: str) -> None:
        if self._collect and self._text is not None:
            self._text.append(content)

    def _cell_text(self, raw: str) -> str:
        if self._kind != "s":
            return raw
        if not raw.strip().isdigit() or int(raw) >= len(self._shared):
            raise NotAWorkbook(f"a cell refers to shared string {raw[:20]!r}, which the workbook does not hold")
        return self._shared[int(raw)]


def _part_path(target: str) -> str:
    """A relationship target of ``xl/workbook.xml`` as a part name (``worksheets/sheet1.xml`` -> ``xl/...``)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def read_sheet(content: bytes) -> list[SheetRow]:
    """The rows of the first sheet of the workbook in ``content`` (header first); refusals raise."""
    with _open_zip(content) as archive:
        budget = _Budget(MAX_INFLATED_BYTES)
        first = _FirstSheet()
        _parse(archive, "xl/workbook.xml", first, budget)
        relationships = _Relationships()
        _parse(archive, "xl/_rels/workbook.xml.rels", relationships, budget)
        if first.relationship not in relationships.targets:
            raise NotAWorkbook("the workbook names no sheet")
        _, target = relationships.targets[first.relationship]
        shared = _SharedStrings()
        for shared_kind, shared_target in relationships.targets.values():
            if shared_kind == _SHARED_STRINGS:
                _parse(archive, _part_path(shared_target), shared, budget)
        sheet = _Sheet(shared.strings)
        _parse(archive, _part_path(target), sheet, budget)
    if not sheet.rows:
        raise NotAWorkbook("the first sheet is empty: it needs at least its header row")
    return sheet.rows


def data_rows(rows: list[SheetRow]) -> Iterator[SheetRow]:
    """The rows after the header that hold any text (Excel keeps formatted empty rows)."""
    return (row for row in rows[1:] if any(row.cells.values()))

"""The pure pieces shared by sync and async helpers: backoff schedules, Retry-After, file names, atomic writes."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataarts_export_client.lib import Backoff, parse_retry_after, safe_file_name
from dataarts_export_client.lib.atomic_file import AtomicFileWriter
from dataarts_export_client.lib.filenames import clip_name, numbered_name
from dataarts_export_client.types import content_disposition_file_name

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_no_jitter_is_exponential_and_capped() -> None:
    backoff = Backoff(1.0, 10.0, 2.0, "none")
    assert [backoff.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


@given(seed=st.integers(0, 2**32 - 1), factor=st.floats(1.0, 4.0))
def test_full_jitter_stays_below_the_exponential_ceiling(seed: int, factor: float) -> None:
    backoff = Backoff(0.5, 8.0, factor, "full", random.Random(seed))
    for attempt in range(10):
        delay = backoff.next_delay()
        assert 0.0 <= delay <= min(8.0, 0.5 * factor**attempt)


@given(seed=st.integers(0, 2**32 - 1))
def test_decorrelated_jitter_stays_between_base_and_cap(seed: int) -> None:
    backoff = Backoff(1.0, 15.0, 3.0, "decorrelated", random.Random(seed))
    previous = 1.0
    for _ in range(20):
        delay = backoff.next_delay()
        assert 1.0 <= delay <= min(15.0, previous * 3.0)
        previous = delay


def test_jitter_spreads_delays() -> None:
    backoff = Backoff(1.0, 100.0, 2.0, "decorrelated", random.Random(1))
    assert len({round(backoff.next_delay(), 6) for _ in range(10)}) > 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 06 May 2024 07:08:39 GMT", 30.0),
        ("Mon, 06 May 2024 07:00:00 GMT", 0.0),  # in the past: now
        ("Monday, 06-May-24 07:09:09 GMT", 60.0),  # obsolete RFC 850 form
        (None, None),
        ("", None),
        ("-5", None),
        ("soon", None),
        ("1.5", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="report.xlsx"', "report.xlsx"),
        ("attachment; filename=report.xlsx", "report.xlsx"),
        ('attachment; filename="a \\"quoted\\" name.xlsx"', 'a "quoted" name.xlsx'),
        ("attachment; filename*=UTF-8''%E4%B8%AD%E6%96%87.xlsx; filename=\"fallback.xlsx\"", "中文.xlsx"),
        ("attachment; FILENAME*=utf-8'en'caf%C3%A9.xlsx", "café.xlsx"),
        ("attachment; filename*=bogus-charset''x.xlsx; filename=plain.xlsx", "plain.xlsx"),
        ("attachment; filename*=UTF-8''%FF%FE; filename=plain.xlsx", "plain.xlsx"),
        ("attachment", None),
        ("", None),
        (None, None),
    ],
)
def test_content_disposition_file_name(header: str | None, expected: str | None) -> None:
    assert content_disposition_file_name(header) == expected


@given(st.text(max_size=600))
def test_safe_file_name_never_escapes_or_hides(candidate: str) -> None:
    name = safe_file_name(candidate, fallback="fallback.xlsx")
    assert name
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert name not in (".", "..")
    assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in name)
    assert len(name.encode("utf-8")) <= 255
    assert name.lower().endswith(".xlsx")


def test_safe_file_name_falls_back() -> None:
    assert safe_file_name(None, fallback="u.xlsx") == "u.xlsx"
    assert safe_file_name("...", fallback="u.xlsx") == "u.xlsx"
    assert safe_file_name("..", fallback="../..") == "export.xlsx"
    assert safe_file_name("nul", fallback="x") == "_nul.xlsx"
    assert safe_file_name("\udcff", fallback="u") == "u.xlsx"  # a lone surrogate is no character of a name


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("Makefile", "Makefile.xlsx"),
        ("report.xls", "report.xls.xlsx"),
        ("report.XLSX", "report.XLSX"),
        ("report.", "report.xlsx"),
        (".xlsx", "xlsx.xlsx"),
        ("a" * 254 + ".csv", "a" * 250 + ".xlsx"),
    ],
)
def test_safe_file_name_ends_in_xlsx(candidate: str, expected: str) -> None:
    assert safe_file_name(candidate, fallback="u.xlsx") == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abc", 2, "ab"),
        ("\N{GRINNING FACE}" * 3, 11, "\N{GRINNING FACE}" * 2),
        ("\N{GRINNING FACE}" * 3, 12, "\N{GRINNING FACE}" * 3),
        ("e\N{COMBINING ACUTE ACCENT}", 2, "e"),
        ("x\udcff", 2, "x\udcff"),  # a byte of a non-UTF-8 name (surrogate escape) counts as one byte
        ("", 0, ""),
    ],
)
def test_clip_name_cuts_whole_characters_by_bytes(text: str, limit: int, expected: str) -> None:
    assert clip_name(text, limit) == expected


@pytest.mark.parametrize(
    ("name", "number", "expected"),
    [
        ("report.xlsx", 0, "report.xlsx"),
        ("report.xlsx", 1, "report (1).xlsx"),
        ("report.final.xlsx", 12, "report.final (12).xlsx"),
        ("README", 3, "README (3)"),
        ("a" * 250 + ".xlsx", 7, "a" * 246 + " (7).xlsx"),
    ],
)
def test_numbered_name_puts_the_number_before_the_extension(name: str, number: int, expected: str) -> None:
    assert numbered_name(name, number) == expected
    assert len(os.fsencode(numbered_name(name, number))) <= 255


def test_atomic_writer_commits_or_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with AtomicFileWriter(target) as writer:
        writer.write(b"abc")
        assert writer.temporary.parent == tmp_path
        assert not target.exists()
        writer.commit()
    assert target.read_bytes() == b"abc"

    def interrupted() -> None:
        with AtomicFileWriter(target) as writer:
            writer.write(b"partial")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
    with AtomicFileWriter(target) as writer:
        writer.write(b"left without commit")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]

"""The bench's own logic, without timing anything: verdicts, parsing, the report, the stub and the chart.

``make bench`` itself is never run here (timings do not belong in the suite);
these tests keep the parts that decide "met" or "missed" honest.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dataarts_emulator.upload import read_sheet
from dataarts_export_client.lib import AkSkAuth
from tools.bench import chart, contract, import_worker, importing, report, waiter
from tools.bench.processes import BenchError
from tools.bench.results import Panel, Row, Section, paired_ratio, ratio_row
from tools.bench.stub import ACCESS_KEY, PATH, PROJECT, READY, RUNNING, SECRET_KEY, StubHandler, StubServer


def test_the_poll_ratio_pairs_rounds_so_that_one_lucky_round_cannot_decide_it() -> None:
    # The machine's speed drifts (1.0, 1.5, 0.9); ours is truly 2 % slower, except one lucky round.
    speeds = [1.0, 1.5, 0.9, 1.0, 1.2]
    peer = [speed * 1.0 for speed in speeds]
    ours = [speed * 1.02 for speed in speeds]
    ours[2] = 0.5  # a disturbance-free outlier: best-of-rounds would call ours 0.56x
    assert paired_ratio(ours, peer) == pytest.approx(1.02)
    with pytest.raises(ValueError, match=r"shorter|longer"):
        paired_ratio(ours, peer[:-1])


@pytest.mark.parametrize(
    ("value", "limit", "relation", "met"),
    [
        (1.05, 1.05, "<=", True),
        (1.0501, 1.05, "<=", False),
        (0.8, 0.8, ">=", True),
        (0.7999, 0.8, ">=", False),
        (1.0, 1.0, ">", False),
        (1.0001, 1.0, ">", True),
        (2.0, 2.0, "<", False),
    ],
)
def test_ratio_rows_meet_their_target_exactly_at_the_boundary(
    value: float, limit: float, relation: str, met: bool
) -> None:
    row = ratio_row("b", "ours", "peers", value=value, limit=limit, relation=relation, of="x")
    assert row.met is met
    assert row.verdict == ("met" if met else "MISSED")


def test_percent_rows_show_percentages() -> None:
    row = ratio_row("b", "o", "p", value=0.94, limit=0.8, relation=">=", of="of raw httpx", unit="%")
    assert (row.target, row.measured) == ("≥ 80% of raw httpx", "94%")


def test_waiter_lateness_bound_is_half_a_second_or_five_percent() -> None:
    assert [waiter.allowed_lateness(s) for s in (3.0, 10.0, 30.0)] == [0.5, 0.5, 1.5]


def test_contract_speed_prefers_the_runners_own_figure() -> None:
    output = "Test cases:\n  1947 generated, 1947 passed\n...62.4 s, completed\nSpeed: 41.5 cases/s\n"
    assert contract.cases_per_second(output, wall_seconds=100.0) == (41.5, "the runner's summary")


def test_contract_speed_falls_back_to_schemathesis_count_over_running_time() -> None:
    output = "Test cases:\n  1,947 generated, 1947 passed\nOperations: 2 tested; links: 1; 62.4 s, completed\n"
    rate, _source = contract.cases_per_second(output, wall_seconds=100.0)
    assert rate == pytest.approx(1947 / 62.4)


def test_contract_speed_without_a_case_count_is_an_error() -> None:
    with pytest.raises(BenchError):
        contract.cases_per_second("CONTRACT RED: nothing ran", wall_seconds=1.0)


def test_markdown_holds_every_row_with_its_verdict_and_the_context() -> None:
    rows = [
        Row("poll", "ours 1 ms", "httpx 1 ms", "≤ 1.05x", "1.000x", True),
        Row("memory", "ours 99 MiB", "", "≤ 16 MiB", "99 MiB", False),
        Row("size", "1k ids 0.1 s", "", "—", "", None),
    ]
    text = report.markdown(
        [Section("s", rows, method="how")], date="D", command="make bench", machine="M", peers="P", chart="c.png"
    )
    assert "`make bench`" in text
    assert "**Date:** D" in text
    assert "**Machine:** M" in text
    assert "1 targets met, 1 missed" in text
    assert "| memory | ours 99 MiB | — | ≤ 16 MiB | 99 MiB | ❌ missed |" in text
    assert "| poll | ours 1 ms | httpx 1 ms | ≤ 1.05x | 1.000x | ✅ met |" in text
    assert "![The same figures as a chart](c.png)" in text


@pytest.fixture
def stub_url() -> Iterator[str]:
    StubHandler.workbook_bytes = 3 * 1024 * 1024 + 5
    StubHandler.block = b"x" * (1024 * 1024)
    with StubServer(("127.0.0.1", 0), StubHandler) as stub:
        thread = threading.Thread(target=stub.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{stub.server_address[1]}"
        stub.shutdown()


def test_stub_refuses_unsigned_requests_and_serves_signed_ones(stub_url: str) -> None:
    with httpx.Client(base_url=stub_url) as plain:
        assert plain.get(PATH, params={"uuid": RUNNING}).status_code == 401
    with httpx.Client(base_url=stub_url, auth=AkSkAuth(ACCESS_KEY, SECRET_KEY, project_id=PROJECT)) as signed:
        status = signed.get(PATH, params={"uuid": RUNNING})
        assert status.json()["data"]["status"] == "importing"
        workbook = signed.get(PATH, params={"uuid": READY})
        assert len(workbook.content) == int(workbook.headers["content-length"]) == 3 * 1024 * 1024 + 5
        assert signed.get(PATH, params={"uuid": "other"}).status_code == 400


def test_chart_is_a_png_of_every_panel(tmp_path: Path) -> None:
    panels = [
        Panel("a", "ms", ["x"], {"ours": [1.0], "theirs": [2.0]}, target=1.5),
        Panel("b", "MiB", ["x", "y"], {"ours": [0.0, 300.0]}, log_scale=True),
    ]
    path = tmp_path / "chart.png"
    chart.draw(panels, path, title="t")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_the_import_bench_is_one_of_the_benchmarks_run_alone_with_only_import() -> None:
    from tools.bench.__main__ import _benchmarks, _parser  # noqa: PLC0415 - the module make bench runs

    names = ["poll", "download", "servers", "workbook", "waiter", "import", "contract"]
    assert _parser(names).parse_args(["--only", "import"]).only == ["import"]
    assert _benchmarks(_parser(names).parse_args([]))["import"] is importing.run


def test_the_imported_workbook_is_the_largest_an_import_takes() -> None:
    """2,999 data rows (3,000 with the header), under 4 MiB: the documented limits, nearly reached."""
    content = import_worker.workbook()
    assert 3.5 * 2**20 < len(content) < 4 * 2**20
    rows = read_sheet(content)
    assert len(rows) == 3_000
    assert len({row.values(4)[1] for row in rows[1:]}) == 2_999, "every code its own"


def test_a_lying_bomb_declares_small_sizes_for_its_zeros_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "_ENTRY_LIMIT", 8 << 20)
    monkeypatch.setattr(importing, "_BOMB_BYTES", 600_000)
    content, inflated = importing.zip_bomb()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        declared = {entry.filename: entry.file_size for entry in archive.infolist()}
    zeros = {name: size for name, size in declared.items() if name.startswith("xl/media/zeros")}
    assert sum(zeros.values()) == inflated > 32 << 20
    with zipfile.ZipFile(io.BytesIO(importing.lying(content))) as archive:
        lied = {entry.filename: entry.file_size for entry in archive.infolist()}
    assert lied == {name: 1000 if name in zeros else size for name, size in declared.items()}
    assert read_sheet(importing.workbook_of_one())[1].values(1) == ["1"], "the bombs ride on a real workbook"


@pytest.mark.parametrize(
    ("seconds", "growth", "met"),
    [(0.5, 50.0, True), (0.501, 1.0, False), (0.1, 50.1, False), (0.1, None, False)],
)
def test_a_zip_bomb_row_is_met_at_half_a_second_and_50_mb_or_less(
    seconds: float, growth: float | None, met: bool
) -> None:
    row = importing._bomb_row("bomb", seconds, "400 EMU.0426", growth)
    assert row.met is met
    assert row.target == "≤ 0.5 s, RSS growth ≤ 50 MB"

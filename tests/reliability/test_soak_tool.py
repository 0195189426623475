"""The soak's own parts, without a server: the plan, the verdict, the wire counters and the command line."""

from __future__ import annotations

from pathlib import Path

import httpx

from dataarts_export_client.lib import DEFAULT_POLICY
from tools.soak import SOAK_POLICY
from tools.soak.__main__ import config_from
from tools.soak.counting import Counters, CountingTransport
from tools.soak.mix import DEFAULT_MIX
from tools.soak.plan import judge, plan


def test_every_planned_export_asks_for_its_own_ids(tmp_path: Path) -> None:
    planned = plan(80, tmp_path)
    id_sets = [tuple(item.body.ids or ()) for item in planned]
    assert len(set(id_sets)) == 80
    assert len({item.dest for item in planned}) == 80
    assert len({item.expected() for item in planned}) == 80


def test_the_verdict_sees_wrong_missing_and_leftover_files(tmp_path: Path) -> None:
    planned = plan(4, tmp_path)
    planned[0].dest.write_bytes(planned[0].expected())
    planned[1].dest.write_bytes(planned[1].expected()[:-1])
    planned[2].dest.write_bytes(planned[3].expected())  # another export's workbook: a mix-up
    (tmp_path / ".sync-0003.xlsx.part").write_bytes(b"PK")
    verdict = judge(planned, tmp_path)
    assert verdict.correct == 1
    assert verdict.total == 4
    assert [problem.split(": ")[1] for problem in verdict.problems] == ["wrong bytes", "wrong bytes", "missing"]
    assert verdict.leftovers == (".sync-0003.xlsx.part",)


def test_the_counters_see_retries_and_resumed_bytes() -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(206, headers={"Content-Range": "bytes 100-199/200"}, content=b"x" * 100),
            httpx.Response(200, content=b"whole"),
        ]
    )
    counters = Counters()
    transport = CountingTransport(httpx.MockTransport(lambda request: next(answers)), counters)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1") as client:
        client.get("/a")
        client.get("/a", headers={"Range": "bytes=100-"})
        client.get("/a", headers={"Range": "bytes=0-9"})
    assert (counters.requests, counters.failed_attempts, counters.resumes, counters.resumed_bytes) == (3, 1, 1, 100)


def test_the_command_line_sets_the_size_and_every_fault_of_the_mix() -> None:
    config = config_from(["-n", "7", "--concurrent", "0", "--truncate-rate", "0.5", "--seed", "9"])
    assert config.exports == 7
    assert config.concurrent == 0
    assert config.mix.truncate_rate == 0.5
    assert config.mix.seed == 9
    assert config.mix.fault_rate == DEFAULT_MIX.fault_rate
    assert config_from([]).mix == DEFAULT_MIX
    assert config_from([]).policy == SOAK_POLICY
    assert config_from(["--policy", "default"]).policy == DEFAULT_POLICY
    args = DEFAULT_MIX.emulator_args()
    assert args[args.index("--truncate-rate") + 1] == "0.3"
    assert args[args.index("--latency-ms") + 1] == "20.0"

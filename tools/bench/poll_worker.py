"""Time one signed status poll three ways: ``python -m tools.bench.poll_worker BASE_URL ROUNDS COUNT``.

All three variants live in this one interpreter, each with its own
connection pool, and take turns poll by poll (see :func:`measure`) so that a
disturbance on the machine hits them alike. Prints one JSON line: seconds
per poll, per variant, per round.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import httpx
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkdataartsstudio.v1 import DataArtsStudioClient, ExportDesignResultRequest

from dataarts_export_client import Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import AkSkAuth

from .stub import ACCESS_KEY, PATH, PROJECT, RUNNING, SECRET_KEY, WORKSPACE

Poll = Callable[[], object]


def generated_poll(base_url: str) -> Poll:
    """The generated ``sync_detailed``, parsing the answer into the generated model."""
    client = Client(base_url, httpx_args={"auth": AkSkAuth(ACCESS_KEY, SECRET_KEY, project_id=PROJECT)})

    def poll() -> object:
        answer = export_design_result.sync_detailed(PROJECT, client=client, uuid=RUNNING, workspace=WORKSPACE)
        if answer.status_code != 200 or answer.parsed is None:
            raise SystemExit(f"generated call: unexpected answer {answer.status_code}")
        return answer.parsed

    return poll


def httpx_poll(base_url: str) -> Poll:
    """Plain ``httpx.Client.get`` with the same signing, decoding the JSON into a dict."""
    http = httpx.Client(base_url=base_url, auth=AkSkAuth(ACCESS_KEY, SECRET_KEY, project_id=PROJECT))

    def poll() -> object:
        answer = http.get(PATH, params={"uuid": RUNNING}, headers={"workspace": WORKSPACE})
        answer.raise_for_status()
        return answer.json()["data"]["status"]

    return poll


def sdk_poll(base_url: str) -> Poll:
    """Huawei's official ``huaweicloudsdkdataartsstudio`` client (``requests`` underneath)."""
    client = (
        DataArtsStudioClient.new_builder()
        .with_credentials(BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT))
        .with_endpoints([base_url])
        .build()
    )
    request = ExportDesignResultRequest(workspace=WORKSPACE, uuid=RUNNING)

    def poll() -> object:
        return client.export_design_result(request).data.status

    return poll


def measure(polls: dict[str, Poll], rounds: int, count: int) -> dict[str, list[float]]:
    """Seconds per poll for each variant in each round, after a warm-up of ``count // 4`` polls each.

    Within a round the variants take turns poll by poll (the order rotating),
    so that all of them meet the same machine speed, and each finds the
    processor's caches as a program polling now and then does: just used by
    someone else.
    """
    for poll in polls.values():
        for _ in range(max(count // 4, 1)):
            poll()
    names = list(polls)
    clock = time.perf_counter
    timings: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for turn in range(count):
            shift = turn % len(names)
            for name in names[shift:] + names[:shift]:
                poll = polls[name]
                started = clock()
                poll()
                spent[name] += clock() - started
        for name in names:
            timings[name].append(spent[name] / count)
    return timings


def main(base_url: str, rounds: int, count: int) -> None:
    polls = {"generated": generated_poll(base_url), "httpx": httpx_poll(base_url), "sdk": sdk_poll(base_url)}
    print(json.dumps(measure(polls, rounds, count)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

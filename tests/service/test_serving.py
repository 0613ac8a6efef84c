"""Releases a running service can trust, bounded requests, and what an operator reads (real servers).

* live switch: while clients keep asking, ``build/current`` is switched twice (to copies of a
  built release, as a build does at its end); the service follows within its poll interval,
  every answer is a 200, no request sent after an answer from a newer release was received is
  answered from an older one (requests in flight finish on the release they began on), ETags change with the release, and the release the service left is pruned
  once unpinned while a pinned one never is;
* bounded requests: 413 for a body over the cap (declared or chunked), 414 for a long request
  target, 431 for large headers, a request that trickles in is cut off at the receipt deadline;
* operations: ``/health`` and ``/health/ready``, no ``server`` header, one JSON access-log line
  per request, 503s with ``Retry-After`` that name their cause.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gcmkg.releases import in_use, prune, switch_current
from gcmkg.service.runner import Limits
from gcmkg.settings import Settings
from tests.service.conftest import ENDLESS, UNMETERED, Server, free_port, protocol_build, start_server, stop_server

pytestmark = pytest.mark.server

FOLLOW = {"timeout": 4.0, "workers": 1, "burst_workers": 1, "follow": 0.2} | UNMETERED


def release_of(response: httpx.Response) -> str:
    return response.headers["etag"].removeprefix('W/"').rsplit("-", 1)[0]


def copy_release(build_dir: Path, source: Path, name: str) -> Path:
    target = build_dir / "releases" / name
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture
def switching(service_build: Settings, tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    """A server over a build folder of its own, holding a copy of the service build's release."""
    build_dir = tmp_path / "build"
    (build_dir / "releases").mkdir(parents=True)
    source = (service_build.build_dir / "current").resolve()
    first = copy_release(build_dir, source, "r1")
    switch_current(build_dir, first)
    server = start_server(build_dir, service_build.base_iri, free_port(), tmp_path / "serve.log", FOLLOW)
    yield server, build_dir, source
    stop_server(server)


def wait_for(url: str, release: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if httpx.get(url + "health", timeout=5).json()["release"] == release:
            return
        time.sleep(0.05)
    raise AssertionError(f"the service did not switch to {release} within {seconds} s")


def test_two_switches_while_serving(switching: tuple[Server, Path, Path]) -> None:
    server, build_dir, source = switching
    seen: list[tuple[float, int, str | None, float]] = []  # sent, status, release, received
    bound_seen: list[int] = []
    stop = threading.Event()
    paths = [
        "sparql?query=ASK%7B%7D",
        "queries/objectives",
        "id/a-73-l-66/en/annex/objective/7",
        "dumps/",
        "dataset",
    ]

    def client(offset: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            n = offset
            while not stop.is_set():
                n += 1
                sent = time.monotonic()
                response = http.get(paths[n % len(paths)])
                release = release_of(response) if "etag" in response.headers else None
                seen.append((sent, response.status_code, release, time.monotonic()))

    def watch_pool() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while not stop.is_set():
                workers = http.get("health").json()["workers"]
                bound_seen.append(workers["alive"] + workers["starting"] - workers["bound"])
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)] + [threading.Thread(target=watch_pool)]
    for t in threads:
        t.start()
    def answered_from(release: str, count: int = 15, deadline_s: float = 120) -> None:
        """Let the clients run until ``count`` answers came from ``release`` (however slow the machine)."""
        deadline = time.monotonic() + deadline_s
        while sum(r == release for _, _, r, _ in list(seen)) < count and time.monotonic() < deadline:
            time.sleep(0.1)

    try:
        answered_from("r1")
        for name in ("r2", "r3"):
            switch_current(build_dir, copy_release(build_dir, source, name))
            wait_for(server.url, name)
            answered_from(name)
            prune(build_dir, keep=1)  # what a build does after its switch
    finally:
        stop.set()
        for t in threads:
            t.join(30)

    assert all(sum(r == name for _, _, r, _ in seen) >= 15 for name in ("r1", "r2", "r3"))  # each was served
    assert {status for _, status, _, _ in seen} == {200}, [s for s in seen if s[1] != 200][:5]
    releases = {release for _, _, release, _ in seen if release}
    first_answer = {r: min(received for _, _, x, received in seen if x == r) for r in releases}
    assert sorted(first_answer, key=first_answer.__getitem__) == ["r1", "r2", "r3"]
    # once a client has had an answer from a newer release, no request sent later gets an older one
    late = [(t, r) for t, _, r, _ in seen if r and any(first_answer[n] < t for n in releases if n > r)]
    assert late == [], "requests sent after a switch were answered from an older release"
    assert max(bound_seen) <= 0, "the worker pool grew past its bound"

    health = httpx.get(server.url + "health").json()
    assert health["release"] == "r3" and health["switches"] == 2 and health["quads"] > 30_000
    dump = (build_dir / "releases" / "r3" / "dumps" / "gcmkg.nq").read_bytes()
    assert health["dump_sha256"] == hashlib.sha256(dump).hexdigest()
    # r1 was closed after its last request, so the second prune deleted it; r2 is the previous one
    assert sorted(p.name for p in (build_dir / "releases").iterdir()) == ["r2", "r3"]
    etags = {httpx.get(server.url + "id/a-73-l-66/en/annex/objective/7").headers["etag"] for _ in range(2)}
    assert len(etags) == 1 and release_of(httpx.get(server.url + "dataset")) == "r3"


def test_a_pinned_release_is_never_pruned(service_build: Settings, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    (build_dir / "releases").mkdir(parents=True)
    source = (service_build.build_dir / "current").resolve()
    first = copy_release(build_dir, source, "r1")
    switch_current(build_dir, first)
    limits = {**FOLLOW, "follow": 0}  # this service stays on r1
    server = start_server(build_dir, service_build.base_iri, free_port(), tmp_path / "serve.log", limits)
    try:
        for name in ("r2", "r3", "r4"):
            switch_current(build_dir, copy_release(build_dir, source, name))
            prune(build_dir, keep=0)
        assert first.is_dir() and in_use(first)
        assert sorted(p.name for p in (build_dir / "releases").iterdir()) == ["r1", "r4"]
        # its query workers can still be replaced: a timeout kills one
        stopped = httpx.get(server.url + "sparql", params={"query": ENDLESS}, timeout=30)
        assert stopped.status_code == 503 and stopped.headers["retry-after"]
        assert "longer than the 4 s limit" in stopped.text
        for _ in range(3):
            answer = httpx.get(server.url + "sparql", params={"query": "ASK {}"}, timeout=30)
            assert answer.status_code == 200 and release_of(answer) == "r1"
    finally:
        stop_server(server)
    assert not in_use(first)
    prune(build_dir, keep=0)
    assert sorted(p.name for p in (build_dir / "releases").iterdir()) == ["r4"]


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A small store behind tight request limits, with the access log on."""
    port = free_port()
    build_dir = tmp_path_factory.mktemp("bounded-build")
    protocol_build(build_dir, f"http://127.0.0.1:{port}/")
    limits = {"workers": 1, "max_body_bytes": 4096, "max_url_bytes": 2048, "max_header_bytes": 4096} | UNMETERED
    limits |= {"receipt_timeout": 1.0, "keep_alive": 1}
    server = start_server(
        build_dir, f"http://127.0.0.1:{port}/", port, build_dir / "serve.log", limits, access_log=True
    )
    yield server
    stop_server(server)


def test_a_body_over_the_cap_is_refused_before_it_is_read(bounded: Server) -> None:
    declared = httpx.post(
        bounded.url + "sparql", content="ASK {}" + " " * 5000, headers={"Content-Type": "application/sparql-query"}
    )
    assert declared.status_code == 413 and "at most 4096" in declared.text

    def chunks() -> Iterator[bytes]:
        yield b"ASK {}"
        for _ in range(10):
            yield b" " * 1000

    chunked = httpx.post(bounded.url + "sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert chunked.status_code == 413 and "passed 4096 bytes" in chunked.text
    small = httpx.post(bounded.url + "sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert small.status_code == 200


def test_a_long_target_or_large_headers_are_refused(bounded: Server) -> None:
    long_get = httpx.get(bounded.url + "sparql", params={"query": "ASK {}" + " " * 3000})
    assert long_get.status_code == 414 and "send a long query by POST" in long_get.text
    big_headers = httpx.get(bounded.url + "sparql", params={"query": "ASK {}"}, headers={"X-Padding": "x" * 5000})
    assert big_headers.status_code == 431
    assert httpx.get(bounded.url + "sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_request_that_trickles_in_is_cut_off(bounded: Server) -> None:
    host, port = bounded.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        started = time.monotonic()
        connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        closed = False
        while time.monotonic() - started < 8:
            try:
                connection.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            time.sleep(0.2)
            connection.settimeout(0.01)
            try:
                if connection.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            connection.settimeout(10)
    assert closed, "a request trickling in for 8 s was not cut off"
    assert time.monotonic() - started < 4  # the deadline is 1 s


def test_health_and_readiness(bounded: Server) -> None:
    health = httpx.get(bounded.url + "health")
    body = health.json()
    assert health.status_code == 200 and health.headers["cache-control"] == "no-store" and "etag" not in health.headers
    assert body["release"] == "w3c-protocol" and body["quads"] > 0
    assert re.fullmatch("[0-9a-f]{64}", body["dump_sha256"])  # of the dumps protocol_build writes
    assert body["workers"]["alive"] >= 1 and body["workers"]["bound"] == 1 + Limits().burst_workers
    ready = httpx.get(bounded.url + "health/ready")
    assert ready.status_code == 200 and "w3c-protocol" in ready.text
    assert "server" not in health.headers


def test_each_request_is_one_json_access_line(bounded: Server) -> None:
    httpx.get(bounded.url + "sparql", params={"query": "ASK {}"}, headers={"User-Agent": "access-log-test"})
    httpx.get(bounded.url + "sparql", params={"query": "ASK {"}, headers={"User-Agent": "access-log-test"})
    time.sleep(0.3)
    lines = [line for line in bounded.log.read_text().splitlines() if "access-log-test" in line]
    records = [json.loads(line.split("gcmkg.access: ", 1)[1]) for line in lines]
    assert [r["status"] for r in records] == [200, 400]
    assert all(r["release"] == "w3c-protocol" and r["path"] == "/sparql" and r["ms"] >= 0 for r in records)
    assert "Traceback" not in bounded.log.read_text()

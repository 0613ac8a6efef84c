"""Replayed answers written by the protocol (:mod:`gcmkg.service.wire`), over raw sockets.

The wire lane must send the bytes the whole stack sent for the same request, with the current
``Date`` only; keep the order of answers on a connection; leave every request it must not
answer (conditional, HTTP/1.0, ``Connection: close``, ad-hoc queries) to the stack; and write
the access-log line the stack writes.  Answers are read with h11, a client-side HTTP parser.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import h11
import httpx
import pytest

from gcmkg.service import wire
from gcmkg.settings import Settings

from .conftest import SERVICE_LIMITS, Server, free_port, start_server, stop_server

PARA = "/id/a-73-l-66/en/annex/para/31"


def on_wire(url: str) -> int:
    hits: int = httpx.get(url + "health").json()["on_wire"]["hits"]
    return hits


def exchange(url: str, raw: bytes, answers: int = 1) -> tuple[list[bytes], bool]:
    """Send ``raw`` on one connection, read ``answers`` answers whole; the raw bytes of each, and
    whether the server then closed the connection.  (A HEAD's answer is read to the end of its
    head: h11 reads a body where Content-Length says, not knowing the request was a HEAD.)"""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    out: list[bytes] = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        pending = b""  # read, not yet part of an answer
        while len(out) < answers:
            if raw.startswith(b"HEAD "):
                while b"\r\n\r\n" not in pending:
                    pending += sock.recv(65536)
                head, _, pending = pending.partition(b"\r\n\r\n")
                out.append(head + b"\r\n\r\n")
                continue
            parser = h11.Connection(h11.CLIENT)  # one per answer: the bytes of each are its own
            if pending:  # (no bytes would tell h11 the connection closed)
                parser.receive_data(pending)
            while not isinstance(event := parser.next_event(), h11.EndOfMessage):
                assert event is not h11.PAUSED and not isinstance(event, h11.ConnectionClosed), event
                if event is h11.NEED_DATA:
                    data = sock.recv(65536)
                    assert data, "the server closed the connection within an answer"
                    pending += data
                    parser.receive_data(data)
            rest = parser.trailing_data[0]
            out.append(pending[: len(pending) - len(rest)])
            pending = rest
        sock.settimeout(0.5)
        try:
            closed = sock.recv(1) == b""
        except TimeoutError:
            closed = False
    return out, closed


def request(path: str, accept: str = "text/turtle", extra: str = "", version: str = "1.1", method: str = "GET") -> bytes:
    return (
        f"{method} {path} HTTP/{version}\r\nHost: test\r\nAccept: {accept}\r\nUser-Agent: wire-test\r\n{extra}\r\n"
    ).encode()


def without_date(answer: bytes) -> bytes:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.startswith(b"date: ")]
    assert len(lines) == len(head.split(b"\r\n")) - 1, "one Date header"
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_the_third_identical_request_is_written_on_the_wire_byte_for_byte(service_url: str) -> None:
    path = f"{PARA}?wire-test=1"  # a key no other test asks for
    hits = on_wire(service_url)
    computed, _ = exchange(service_url, request(path))
    replayed, _ = exchange(service_url, request(path))  # the replay answers it; its bytes are recorded
    assert on_wire(service_url) == hits
    written, closed = exchange(service_url, request(path))
    assert on_wire(service_url) == hits + 1
    assert not closed  # kept alive, as the stack keeps it
    assert without_date(written[0]) == without_date(replayed[0]) == without_date(computed[0])
    assert written[0].startswith(b"HTTP/1.1 200 OK\r\ndate: ") and b"annex/para/31" in written[0]


def test_every_format_and_head_on_the_wire_are_the_stack_s_answers(service_url: str) -> None:
    for accept in ("text/turtle", "application/n-triples", "text/html", "application/ld+json"):
        for method in ("GET", "HEAD"):
            raw = request(f"{PARA}?wire-formats=1", accept, method=method)
            answers = [without_date(exchange(service_url, raw)[0][0]) for _ in range(3)]
            assert answers[0] == answers[1] == answers[2], (accept, method)
            if method == "HEAD":
                assert answers[2].endswith(b"\r\n\r\n") and b"content-length: " in answers[2]


def test_a_connection_keeps_its_order_with_wire_and_stack_answers_pipelined(service_url: str) -> None:
    paths = [f"{PARA}?wire-order={n}" for n in range(4)]
    for path in paths[:2]:  # these two go on the wire from now on; the other two are new
        exchange(service_url, request(path))
        exchange(service_url, request(path))
    hits = on_wire(service_url)
    sequence = [paths[0], paths[2], paths[1], paths[3], paths[0]]
    answers, closed = exchange(service_url, b"".join(request(p) for p in sequence), answers=len(sequence))
    assert len(answers) == len(sequence) and not closed
    for path, answer in zip(sequence, answers, strict=True):
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        location = answer.split(b"content-location: ", 1)[1].split(b"\r\n", 1)[0]
        assert location.decode().startswith(path.partition("?")[0])
    assert on_wire(service_url) >= hits + 1  # some went on the wire (those behind a computed one wait)


def test_what_the_stack_must_answer_never_goes_on_the_wire(service_url: str) -> None:
    path = f"{PARA}?wire-not=1"
    first, _ = exchange(service_url, request(path))
    exchange(service_url, request(path))
    etag = first[0].split(b"etag: ", 1)[1].split(b"\r\n", 1)[0].decode()
    hits = on_wire(service_url)
    conditional, _ = exchange(service_url, request(path, extra=f"If-None-Match: {etag}\r\n"))
    assert conditional[0].startswith(b"HTTP/1.1 304 ")
    old, closed = exchange(service_url, request(path, version="1.0"))
    assert old[0].startswith(b"HTTP/1.1 200 ") and closed
    close, closed = exchange(service_url, request(path, extra="Connection: close\r\n"))
    assert b"connection: close\r\n" in close[0] and closed
    query = "/sparql?query=ASK%7B%7D"  # ad-hoc queries are charged to a budget: always the stack
    for _ in range(3):
        exchange(service_url, request(query, "application/sparql-results+json"))
    assert on_wire(service_url) == hits


def test_an_origin_is_part_of_the_key(service_url: str) -> None:
    path = f"{PARA}?wire-origin=1"
    for _ in range(3):
        plain, _ = exchange(service_url, request(path))
        cross, _ = exchange(service_url, request(path, extra="Origin: https://example.org\r\n"))
    assert b"access-control-allow-origin: *" in cross[0]
    assert b"access-control-allow-origin" not in plain[0]
    assert b"vary: Accept, Accept-Encoding, Origin\r\n" in plain[0]


@pytest.fixture(scope="module")
def logging_server(service_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("wire-log")
    server = start_server(
        service_settings.build_dir,
        service_settings.base_iri,
        free_port(),
        folder / "serve.log",
        SERVICE_LIMITS,
        access_log=True,
    )
    yield server
    stop_server(server)


def access_lines(log: Path, marker: str) -> list[dict[str, object]]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        if "gcmkg.access: " in line and marker in line:
            lines.append(json.loads(line[line.index("{") :]))
    return lines


def test_a_wire_answer_is_logged_as_the_stack_logs_it(logging_server: Server) -> None:
    path = f"{PARA}?wire-log=%C3%A9t%C3%A9"
    for _ in range(3):
        exchange(logging_server.url, request(path))
    assert on_wire(logging_server.url) == 1
    deadline = time.monotonic() + 5
    while len(lines := access_lines(logging_server.log, "wire-log=")) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(lines) == 3, lines
    assert all(0 <= line.pop("ms") < 1000 for line in lines)  # type: ignore[operator]
    assert lines[0] == lines[1] == lines[2]
    assert lines[2]["path"] == PARA and lines[2]["query"] == "wire-log=%C3%A9t%C3%A9"
    assert lines[2]["status"] == 200 and lines[2]["agent"] == "wire-test" and lines[2]["release"]


def test_behind_a_proxy_the_log_names_the_client_the_proxy_names(logging_server: Server) -> None:
    """uvicorn takes the client from X-Forwarded-For of a trusted proxy (loopback): so must the
    wire lane's line, behind nginx as the README deploys it."""
    path = f"{PARA}?wire-forwarded=1"
    hits = on_wire(logging_server.url)
    for address in ("203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.1, 203.0.113.9"):
        exchange(logging_server.url, request(path, extra=f"X-Forwarded-For: {address}\r\n"))
    assert on_wire(logging_server.url) == hits + 2
    deadline = time.monotonic() + 5
    while len(lines := access_lines(logging_server.log, "wire-forwarded")) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [line["client"] for line in lines] == ["203.0.113.7"] * 3 + ["203.0.113.9"]


def test_the_proxy_client_is_uvicorn_s() -> None:
    client = wire.proxy_client("127.0.0.1")
    forwarded = [(b"x-forwarded-for", b"198.51.100.1, 203.0.113.9")]
    assert client(("127.0.0.1", 5000), forwarded) == "203.0.113.9"  # the last address the proxy did not add
    assert client(("192.0.2.1", 5000), forwarded) == "192.0.2.1"  # an untrusted peer: its own address
    assert client(("127.0.0.1", 5000), []) == "127.0.0.1"
    assert wire.proxy_client("*")(("192.0.2.1", 5000), forwarded) == "198.51.100.1"


# the rules, without a server --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target", "headers", "keyed"),
    [
        (b"GET", b"/id/x", [(b"accept", b"text/turtle")], True),
        (b"HEAD", b"/id/x?format=html", [], True),
        (b"POST", b"/id/x", [], False),
        (b"GET", b"/sparql?query=ASK%7B%7D", [], False),
        (b"GET", b"/sparql", [], False),
        (b"GET", b"/health", [], False),
        (b"GET", b"/mcp", [], False),
        (b"GET", b"*", [], False),
        (b"GET", b"http://example.org/id/x", [], False),
        (b"GET", b"/id/x#part", [], False),
        (b"GET", "/id/\u00e9".encode(), [], False),
        (b"GET", b"/id/x", [(b"if-none-match", b'"x"')], False),
        (b"GET", b"/id/x", [(b"if-modified-since", b"Tue, 01 Dec 2026 00:00:00 GMT")], False),
        (b"GET", b"/id/x", [(b"range", b"bytes=0-1")], False),
        (b"GET", b"/id/x", [(b"content-length", b"0")], False),
        (b"GET", b"/id/x", [(b"expect", b"100-continue")], False),
        (b"GET", b"/id/x", [(b"x-forwarded-for", b"203.0.113.7")], True),
    ],
)
def test_wire_key_takes_only_requests_no_outer_layer_can_change(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], keyed: bool
) -> None:
    assert (wire.wire_key(method, target, headers) is not None) is keyed


def test_wire_key_is_the_replay_key_on_the_raw_target() -> None:
    headers = [(b"accept", b"text/html"), (b"user-agent", b"a"), (b"accept-encoding", b"gzip")]
    key = wire.wire_key(b"GET", b"/id/x?a=1", headers)
    assert key == (b"GET", b"/id/x?a=1", b"text/html", b"gzip", False)
    assert wire.wire_key(b"GET", b"/id/x?a=1", [*headers, (b"user-agent", b"b")]) == key
    assert wire.wire_key(b"GET", b"/id/x?a=1", [*headers, (b"origin", b"https://a")]) != key


def test_recorded_splits_off_the_server_headers_and_refuses_other_shapes() -> None:
    defaults = [(b"date", b"Tue, 01 Dec 2026 10:00:00 GMT")]
    head = b"HTTP/1.1 200 OK\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\ncontent-length: 2\r\n\r\n"
    answer = wire.recorded([head, b"ok"], defaults)
    assert answer == wire.WireAnswer(200, b"HTTP/1.1 200 OK\r\n", b"content-length: 2\r\n\r\n", b"ok")
    assert wire.recorded([head], defaults) == wire.WireAnswer(200, answer.status_line, answer.head, b"")
    assert wire.recorded([head, b"o", b"k"], defaults) == answer
    later = [(b"date", b"Tue, 01 Dec 2026 10:00:01 GMT")]
    assert wire.recorded([head, b"ok"], later) is None  # not what that cycle's server headers were
    assert wire.recorded([], defaults) is None
    assert wire.recorded([b"HTTP/1.1 200 OK\r\n"], defaults) is None  # no end of head


def test_a_wire_table_is_bounded_and_keeps_what_it_has() -> None:
    table = wire.WireAnswers(max_bytes=100, max_entries=2)
    small = wire.WireAnswer(200, b"HTTP/1.1 200 OK\r\n", b"\r\n", b"x" * 10)
    keys = [(b"GET", f"/{n}".encode(), b"", b"", False) for n in range(3)]
    table.add(keys[0], small)
    table.add(keys[0], wire.WireAnswer(200, b"", b"", b"other"))  # the first recording stays
    assert table.get(keys[0]) == small
    table.add(keys[1], wire.WireAnswer(200, b"", b"", b"y" * 200))  # over the byte bound: not kept
    assert table.get(keys[1]) is None
    table.add(keys[1], small)
    table.add(keys[2], small)  # over the entry bound
    assert table.get(keys[2]) is None and table.status() == {"entries": 2, "bytes": 2 * small.size, "hits": 0}


class _Sink:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


def test_a_recording_keeps_a_head_and_one_body_only_and_passes_everything_on() -> None:
    sink = _Sink()
    kept = wire.Recording(sink, max_bytes=100)
    kept.write(b"head")
    kept.write(b"body")
    assert kept.chunks == [b"head", b"body"] and not kept.given_up
    streamed = wire.Recording(sink, max_bytes=100)
    for part in (b"head", b"a", b"b", b"c"):  # a streamed answer: more than one body message
        streamed.write(part)
    assert streamed.given_up and streamed.chunks == []
    large = wire.Recording(sink, max_bytes=10)
    large.write(b"head")
    large.write(b"x" * 20)  # past the table's bound: never held
    assert large.given_up and large.chunks == []
    assert sink.written == [b"head", b"body", b"head", b"a", b"b", b"c", b"head", b"x" * 20]

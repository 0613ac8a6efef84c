"""Two replicas behind nginx, deployed as ``deploy/`` describes (real nginx, real ``gcmkg serve``, loopback).

The deployment is made from the repository's own sample files, so they cannot rot:
``deploy/nginx/gcmkg.conf`` is run by Debian's nginx (``make nginx``) with only its replica
ports, listen address, cache and log paths replaced, and each replica is started from the
``Environment=`` and ``ExecStart=`` lines of ``deploy/systemd/gcmkg@.service`` (the instance is
the port; only the paths are replaced) and stopped as that unit stops it (SIGTERM to the web
process alone, ``KillMode=mixed``).  Each replica serves a build folder of its own holding a
*copy* of the release, made with a plain ``cp -r`` (no times kept, the second copy's dated an
hour earlier), as on another machine.  The release is the session's service build
(``tests/service/conftest.py``), so its IRIs start with the session's service address rather
than nginx's (in a deployment the base IRI is the balancer's public address, README "Scaling
out"); every check compares answers, which do not depend on it.

* the limits of the nginx sample agree with the service's own defaults;
* through nginx a client gets what one service gives it (the same status, type, validators and
  bytes): the SPARQL protocol by GET and both POSTs with content negotiation, a citation's 303,
  a resource's Turtle and page, a saved query, a dump (compressed once, a range of it), 304 for
  a conditional request, 400 for a malformed query, 403 for an update; nginx itself refuses a
  body over the service's cap, lets a 20 KiB GET query through, caches the immutable editor
  files, and the replicas see the client's address, not nginx's nor one the client made up;
* both replicas give the same ETag, Last-Modified and bytes for the same resource, and their
  ``/health`` the same release, quads, dump checksum and version;
* a rolling switch under load: clients keep asking through nginx while a second build's release
  (same input, another id) is copied to both replicas; replica 1 is stopped, repointed and
  restarted, replica 2 switched live (repointed, then SIGHUP, the unit's reload).  Every request
  is answered 200, no answer names two releases, and every request sent after the switch is
  answered from the new one.

Besides the session's service build, which other modules share, the module makes one build of
its own (the second release), in the background from its start.  Measured on 2 cores shared
with other work (load about 10): 157 s in all, 76 s of CPU, most of it the two builds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from gcmkg.releases import built_at, switch_current
from gcmkg.service.app import ADHOC_WAIT_S
from gcmkg.service.request_limits import RequestLimits
from gcmkg.service.runner import Limits
from gcmkg.settings import PROJECT_ROOT, Settings
from tests.service.conftest import UNMETERED, free_port

pytestmark = pytest.mark.server

NGINX = Path("/usr/sbin/nginx")
NGINX_SAMPLE = PROJECT_ROOT / "deploy" / "nginx" / "gcmkg.conf"
UNIT_SAMPLE = PROJECT_ROOT / "deploy" / "systemd" / "gcmkg@.service"
# Small replicas (one worker per lane), and budgets no test reaches: every client here is one address.
REPLICA_OPTIONS = ["--workers", "1", "--burst-workers", "1"] + [
    option for name, value in UNMETERED.items() for option in (f"--{name.replace('_', '-')}", str(value))
]
OBJECTIVES = "SELECT (COUNT(?o) AS ?n) WHERE { ?o a gcm:Objective ; gcm:inDocument/gcm:symbol 'A/73/L.66' }"
OBJECTIVE_7 = "id/a-73-l-66/en/annex/objective/7"
CLIENT_ADDRESS = "127.0.0.2"  # loopback too, but not nginx's address: what the replicas must log


# --- the deployment ---------------------------------------------------------------------------


def unit_command(port: int, build_dir: Path, base_iri: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment ``gcmkg@<port>.service`` runs, with this checkout's paths."""
    unit = UNIT_SAMPLE.read_text(encoding="utf-8").replace("%i", str(port))
    environment = dict(
        line.removeprefix("Environment=").split("=", 1) for line in unit.splitlines() if line.startswith("Environment=")
    )
    assert set(environment) == {"GCMKG_ROOT", "GCMKG_BUILD_DIR", "GCMKG_BASE_IRI"}, environment
    environment |= {"GCMKG_ROOT": str(PROJECT_ROOT), "GCMKG_BUILD_DIR": str(build_dir), "GCMKG_BASE_IRI": base_iri}
    (exec_start,) = (line.removeprefix("ExecStart=") for line in unit.splitlines() if line.startswith("ExecStart="))
    program, *arguments = shlex.split(exec_start)
    assert program.endswith("/bin/gcmkg"), program
    return [sys.executable, "-m", "gcmkg.cli", *arguments, *REPLICA_OPTIONS], environment


@dataclass
class Replica:
    port: int
    build_dir: Path  # this "machine"'s build folder: releases/<id>/ copies and the current link
    log: Path
    base_iri: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        command, environment = unit_command(self.port, self.build_dir, self.base_iri)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=os.environ | environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self.ready, 120, f"replica {self.port} ready", self)

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"replica {self.port} exited with {self.process.returncode}:\n{self.log_tail()}")
        try:
            return httpx.get(self.url + "health/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """As systemd stops the unit (KillMode=mixed): SIGTERM to the web process, which drains and stops
        its workers; then SIGKILL to whatever of the unit (here: its process group) is left."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"replica {self.port} did not stop within 30 s of SIGTERM") from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def health(self) -> dict[str, object]:
        return httpx.get(self.url + "health", timeout=10).json()  # type: ignore[no-any-return]

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def wait_until(condition: Callable[[], bool], seconds: float, what: str, replica: Replica | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not {what} within {seconds} s" + (f":\n{replica.log_tail()}" if replica else ""))


def copy_release(release: Path, replica: Replica) -> Path:
    """The release folder copied into the replica's build folder with a plain ``cp -r`` (no times kept)."""
    target = replica.build_dir / "releases" / release.name
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-r", str(release), str(target)], check=True)
    return target


def nginx_conf(tmp: Path, listen: int, replicas: list[Replica]) -> Path:
    """The sample, with its ports and paths replaced, inside a main configuration that keeps everything in ``tmp``."""
    sample = NGINX_SAMPLE.read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8001 ": f"server 127.0.0.1:{replicas[0].port} ",
        "server 127.0.0.1:8002 ": f"server 127.0.0.1:{replicas[1].port} ",
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "/var/cache/nginx/gcmkg": str(tmp / "cache"),
        "/var/log/nginx/gcmkg.access.log": str(tmp / "access.log"),
    }
    for old, new in replacements.items():
        assert sample.count(old) == 1, f"{NGINX_SAMPLE}: expected {old!r} once"
        sample = sample.replace(old, new)
    (tmp / "gcmkg.conf").write_text(sample, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = tmp / "nginx.conf"
    main.write_text(
        f"""# written by tests/service/test_replicas.py: everything nginx writes stays in {tmp}
user {pwd.getpwuid(os.getuid()).pw_name};
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} info;
events {{ worker_connections 256; }}
http {{
{temp_paths}
    access_log off;
    include {tmp / "gcmkg.conf"};
}}
""",
        encoding="utf-8",
    )
    return main


@dataclass
class Deployment:
    url: str  # nginx's address
    base_iri: str  # the releases' base IRI (the session's service address: every IRI of an answer starts with it)
    replicas: list[Replica]
    first: Path  # the release the replicas start with, as built
    second_build: subprocess.Popen[bytes]  # the second build (same input, another release id)
    second_dir: Path

    def second(self) -> Path:
        assert self.second_build.wait(300) == 0, (self.second_dir / "build.log").read_text(errors="replace")
        return (self.second_dir / "current").resolve()


@pytest.fixture(scope="module")
def second_build(
    tmp_path_factory: pytest.TempPathFactory, service_port: int
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A second build of the same input (another release id), in a process of its own, started
    first so that it runs while the session's service build is made and the other tests run."""
    build_dir = tmp_path_factory.mktemp("replicas-second-build")
    command = [sys.executable, "-m", "gcmkg.cli", "--build-dir", str(build_dir)]
    command += ["--base-iri", f"http://127.0.0.1:{service_port}/", "build", "--quiet"]
    with (build_dir / "build.log").open("wb") as log:
        build = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    yield build, build_dir
    if build.poll() is None:
        build.kill()
        build.wait()


@pytest.fixture(scope="module")
def deployment(
    second_build: tuple[subprocess.Popen[bytes], Path],
    service_build: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """nginx in front of two replicas, each over its own copy of the session's service build."""
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: `make nginx` installs Debian's nginx")
    tmp = tmp_path_factory.mktemp("replicas")
    first = (service_build.build_dir / "current").resolve()
    base_iri = service_build.base_iri
    replicas = [
        Replica(free_port(), tmp / f"machine-{n}" / "build", tmp / f"machine-{n}.log", base_iri) for n in (1, 2)
    ]
    for n, replica in enumerate(replicas):
        copy = copy_release(first, replica)
        if n == 1:  # a copy made an hour earlier: nothing may depend on when a copy was made
            earlier = time.time() - 3600
            for path in (copy, *copy.rglob("*")):
                os.utime(path, (earlier, earlier))
        switch_current(replica.build_dir, copy)
    nginx_dir = tmp / "nginx"
    nginx_dir.mkdir()
    listen = free_port()
    url = f"http://127.0.0.1:{listen}/"
    nginx = None
    try:
        for replica in replicas:
            replica.start()
        conf = nginx_conf(nginx_dir, listen, replicas)
        command = [str(NGINX), "-p", str(nginx_dir), "-e", str(nginx_dir / "error.log"), "-c", str(conf)]
        with (nginx_dir / "stderr.log").open("wb") as stderr:
            nginx = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=stderr)

        def nginx_answers() -> bool:
            if nginx.poll() is not None:
                logs = (nginx_dir / "stderr.log").read_text() + (nginx_dir / "error.log").read_text()
                raise AssertionError(f"nginx exited: {logs}")
            try:
                return httpx.get(url + "health/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(nginx_answers, 20, "nginx answering")
        yield Deployment(url, base_iri, replicas, first, *second_build)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        for replica in replicas:
            replica.stop()


# --- the sample's limits ----------------------------------------------------------------------


def directive(name: str) -> str:
    (value,) = re.findall(rf"^\s*{name}\s+([^;]+);", NGINX_SAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    return value


def seconds(value: str) -> float:
    assert value.endswith("s"), value
    return float(value[:-1])


def test_the_sample_configuration_agrees_with_the_services_limits() -> None:
    requests, queries = RequestLimits(), Limits()
    assert directive("client_max_body_size") == f"{requests.max_body_bytes // 2**20}m"
    _, size = directive("large_client_header_buffers").split()
    assert size == f"{requests.max_url_bytes // 1024}k" == f"{requests.max_header_bytes // 1024}k"
    assert seconds(directive("client_header_timeout")) == requests.receipt_timeout_s
    # nginx drops an idle upstream connection before the replica does
    assert seconds(directive("keepalive_timeout")) < requests.keep_alive_s
    # the longest answer (time limit + the wait for a worker) arrives before nginx gives up on a replica
    assert seconds(directive("proxy_read_timeout")) > queries.timeout_s + ADHOC_WAIT_S
    assert directive("gzip") == "off"  # the service compresses; nginx passes it through
    assert directive("proxy_set_header X-Forwarded-For") == "$remote_addr"  # set, never appended to


# --- one service, through nginx ---------------------------------------------------------------

# name → (method, path, headers, body): requests whose answer through nginx must be the replica's own
EXCHANGES: dict[str, tuple[str, str, dict[str, str], dict[str, str] | bytes | None]] = {
    "count": ("GET", "sparql", {"Accept": "application/sparql-results+json"}, {"query": OBJECTIVES}),
    "ask": ("GET", "sparql?query=ASK%7B%7D", {"Accept": "text/csv"}, None),
    "form": ("POST", "sparql", {"Accept": "application/sparql-results+xml"}, {"query": OBJECTIVES}),
    "construct": (
        "POST",
        "sparql",
        {"Accept": "text/turtle", "Content-Type": "application/sparql-query"},
        b"CONSTRUCT { ?objective ?p ?value } WHERE { ?objective a gcm:Objective ; gcm:number 7 ; "
        b"gcm:inDocument/gcm:symbol 'A/73/L.66' ; ?p ?value }",
    ),
    "turtle": ("GET", OBJECTIVE_7, {"Accept": "text/turtle"}, None),
    "page": ("GET", OBJECTIVE_7, {"Accept": "text/html"}, None),
    "cite": ("GET", "id?cite=A/73/L.66, para. 23 (c)", {}, None),
    "saved": ("GET", "queries/objectives", {"Accept": "application/sparql-results+json"}, None),
    "void": ("GET", "dataset", {"Accept": "text/turtle"}, None),
    "dump": ("GET", "dumps/graph-catalogue.nq", {"Accept-Encoding": "gzip"}, None),
    "malformed": ("GET", "sparql?query=SELEC%20*", {"Accept": "application/sparql-results+json"}, None),
    "update": ("POST", "sparql", {}, {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
}
SAME_HEADERS = ("content-type", "content-encoding", "etag", "last-modified", "cache-control", "vary", "location")


def exchange(
    url: str, method: str, path: str, headers: dict[str, str], body: dict[str, str] | bytes | None
) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as http:
        if method == "GET":
            return http.get(path, headers=headers, params=body if isinstance(body, dict) else None)
        if isinstance(body, dict):
            return http.post(path, headers=headers, data=body)
        return http.post(path, headers=headers, content=body)


def test_through_nginx_a_client_gets_what_one_replica_gives(deployment: Deployment) -> None:
    direct = deployment.replicas[0].url
    answers = {}
    for name, request in EXCHANGES.items():
        proxied, alone = exchange(deployment.url, *request), exchange(direct, *request)
        assert proxied.status_code == alone.status_code < 500, (name, proxied.status_code, proxied.text[:300])
        for header in SAME_HEADERS:
            assert proxied.headers.get(header) == alone.headers.get(header), (name, header)
        assert proxied.content == alone.content, name
        answers[name] = proxied

    assert answers["count"].json()["results"]["bindings"][0]["n"]["value"] == "23"
    assert '<literal datatype="http://www.w3.org/2001/XMLSchema#integer">23</literal>' in answers["form"].text
    assert answers["ask"].text.strip().endswith("true")
    objective = deployment.base_iri + OBJECTIVE_7
    constructed = list(parse(answers["construct"].content, format=RdfFormat.TURTLE))
    assert {t.subject.value for t in constructed} == {objective}
    assert answers["turtle"].headers["content-type"].startswith("text/turtle")
    described = list(parse(answers["turtle"].content, format=RdfFormat.TURTLE, base_iri=deployment.base_iri))
    assert any(t.subject.value == objective for t in described)
    assert (
        answers["page"].headers["content-type"].startswith("text/html")
        and "Address and reduce vulnerabilities" in answers["page"].text
    )
    cite = answers["cite"]
    assert cite.status_code == 303 and cite.headers["location"].endswith("/id/a-73-l-66/en/annex/para/23/c")
    assert answers["saved"].status_code == 200 and len(answers["saved"].json()["results"]["bindings"]) == 23
    assert answers["dump"].headers["content-encoding"] == "gzip"
    assert answers["dump"].content == (deployment.first / "dumps" / "graph-catalogue.nq").read_bytes()
    assert answers["malformed"].status_code == 400 and "line" in answers["malformed"].text.lower()
    assert answers["update"].status_code == 403


def test_conditional_requests_and_ranges_pass_through(deployment: Deployment) -> None:
    with httpx.Client(base_url=deployment.url, timeout=30) as http:
        first = http.get(OBJECTIVE_7, headers={"Accept": "text/turtle"})
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = http.get(OBJECTIVE_7, headers={"Accept": "text/turtle", "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        since = http.get(OBJECTIVE_7, headers={"Accept": "text/turtle", "If-Modified-Since": modified})
        assert since.status_code == 304

        dump = (deployment.first / "dumps" / "gcmkg.nq").read_bytes()
        whole = http.get("dumps/gcmkg.nq", headers={"Accept-Encoding": "gzip"})
        assert whole.headers["content-encoding"] == "gzip"  # once: httpx decoded it into the file itself
        assert whole.content == dump
        part = http.get("dumps/gcmkg.nq", headers={"Range": "bytes=100-199", "Accept-Encoding": "gzip"})
        assert part.status_code == 206 and part.content == dump[100:200] and "content-encoding" not in part.headers


def test_nginx_enforces_the_services_request_caps_and_caches_only_immutable_files(deployment: Deployment) -> None:
    with httpx.Client(base_url=deployment.url, timeout=30) as http:
        too_big = http.post(
            "sparql",
            content=b"#" * (RequestLimits().max_body_bytes + 1),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert too_big.status_code == 413 and "nginx" in too_big.text  # refused at the door, not by a replica
        long_query = "ASK {} #" + "x" * 20_000  # a long GET query still fits the service's 32 KiB target
        assert (
            http.get("sparql", params={"query": long_query}, headers={"Accept": "text/csv"})
            .text.strip()
            .endswith("true")
        )

        page = http.get("sparql", headers={"Accept": "text/html"}).text
        asset = re.search(r'/static/[0-9a-f]{16}/[^"]+\.js', page)
        assert asset is not None
        fetched = [http.get(asset.group(0), headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
        assert [f.headers["x-cache-status"] for f in fetched] in (["MISS", "HIT"], ["HIT", "HIT"])
        assert fetched[1].headers["content-encoding"] == "gzip" and fetched[1].content == fetched[0].content
        plain = http.get(asset.group(0), headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == fetched[0].content  # never a gzip copy
        # everything else belongs to a release and goes to a replica every time
        assert "x-cache-status" not in http.get(OBJECTIVE_7, headers={"Accept": "text/turtle"}).headers


def test_the_replicas_see_the_clients_address(deployment: Deployment) -> None:
    agent = f"gcmkg-replica-test-{time.monotonic_ns()}"
    transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
    with httpx.Client(base_url=deployment.url, timeout=30, transport=transport) as http:
        for _ in range(4):
            forged = {"User-Agent": agent, "X-Forwarded-For": "203.0.113.9"}  # a client's own claim
            assert http.get("health/ready", headers=forged).status_code == 200

    def logged() -> list[dict[str, object]]:
        return [
            json.loads(line.split(": ", 1)[1])  # "<time> INFO gcmkg.access: {json}"
            for replica in deployment.replicas
            for line in replica.log.read_text().splitlines()
            if agent in line
        ]

    wait_until(lambda: len(logged()) == 4, 10, "4 access-log lines")
    lines = logged()
    assert {line["client"] for line in lines} == {CLIENT_ADDRESS}  # not nginx's 127.0.0.1, not the made-up address


# --- the replicas agree -----------------------------------------------------------------------

AGREEING = [
    (OBJECTIVE_7, {"Accept": "text/turtle"}),
    (OBJECTIVE_7, {"Accept": "text/html"}),
    ("dataset", {"Accept": "text/turtle"}),
    ("queries/objectives", {"Accept": "text/csv"}),
    ("dumps/gcmkg.nq", {}),
    ("sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
]


def test_both_replicas_give_the_same_validators_and_bytes(deployment: Deployment) -> None:
    one, two = deployment.replicas
    for path, headers in AGREEING:
        first, second = (httpx.get(replica.url + path, headers=headers, timeout=30) for replica in (one, two))
        assert first.status_code == second.status_code == 200, path
        assert first.headers["etag"] == second.headers["etag"], path
        assert first.headers["last-modified"] == second.headers["last-modified"], path
        assert first.content == second.content, path
    # the time is the build's, as recorded in the release, not either copy's
    assert httpx.get(one.url + "dataset", timeout=30).headers["last-modified"] == format_http_date(deployment.first)


def format_http_date(release: Path) -> str:
    return format_datetime(built_at(release), usegmt=True)


def test_each_replicas_health_names_the_same_release_and_data(deployment: Deployment) -> None:
    keys = ("release", "built", "quads", "dump_sha256", "version")
    one, two = ({key: replica.health()[key] for key in keys} for replica in deployment.replicas)
    assert one == two
    dump = (deployment.first / "dumps" / "gcmkg.nq").read_bytes()
    assert one["release"] == deployment.first.name and one["dump_sha256"] == hashlib.sha256(dump).hexdigest()
    assert one["quads"] == sum(1 for line in dump.splitlines() if line.strip())


# --- a rolling switch -------------------------------------------------------------------------


@dataclass
class Answer:
    sent: float
    received: float
    request: str
    status: int | None  # None: no answer (a connection error)
    releases: frozenset[str]  # every release the answer names (ETag, body)
    error: str = ""


def releases_named(request: str, response: httpx.Response) -> frozenset[str]:
    """Every release an answer names: its ETag's, and its body's where the body names one."""
    named = set()
    if "etag" in response.headers:
        named.add(response.headers["etag"].removeprefix('W/"').rsplit("-", 1)[0])
    if request in ("GET sparql/completions", "GET health"):
        named.add(response.json()["release"])
    elif request == "GET sparql":
        named.update(re.findall(r'<code id="release">([^<]+)</code>', response.text))
    return frozenset(named)


LOAD: list[tuple[str, str, dict[str, str], dict[str, str] | None]] = [
    ("GET", "sparql", {"Accept": "text/html"}, None),  # the editor page names its release, so does its ETag
    ("GET", "sparql/completions", {}, None),
    ("GET", "sparql?query=ASK%7B%7D", {"Accept": "text/csv"}, None),
    ("POST", "sparql", {"Accept": "application/sparql-results+json"}, {"query": OBJECTIVES}),
    ("GET", OBJECTIVE_7, {"Accept": "text/turtle"}, None),
    ("GET", "queries/objectives", {"Accept": "text/csv"}, None),
    ("GET", "health", {}, None),
]


def test_a_rolling_switch_under_load_loses_nothing_and_never_mixes_releases(deployment: Deployment) -> None:
    one, two = deployment.replicas
    old = deployment.first.name
    answers: list[Answer] = []
    stop = threading.Event()

    def client(offset: int) -> None:
        with httpx.Client(base_url=deployment.url, timeout=60) as http:
            n = offset
            while not stop.is_set():
                n += 1
                method, path, headers, body = LOAD[n % len(LOAD)]
                sent = time.monotonic()
                try:
                    response = http.request(method, path, headers=headers, data=body)
                except httpx.HTTPError as error:
                    answers.append(Answer(sent, time.monotonic(), f"{method} {path}", None, frozenset(), repr(error)))
                    continue
                request = f"{method} {path}"
                named = releases_named(request, response) if response.status_code == 200 else frozenset()
                if response.status_code == 200 and not named and method == "GET":
                    error = "names no release"
                elif method == "POST" and response.status_code == 200 and '"23"' not in response.text:
                    error = "wrong count"
                else:
                    error = ""
                answers.append(Answer(sent, time.monotonic(), request, response.status_code, named, error))

    new = deployment.second()  # built in the background while the other tests ran
    assert new.name != old
    threads = [threading.Thread(target=client, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(answers) >= 30, 60, "answering the load")
        copies = [copy_release(new, replica) for replica in (one, two)]  # every machine gets it first
        # replica 1: stop (drains), repoint, start, wait until ready and nginx's fail_timeout is over
        stopped = time.monotonic()
        one.stop()
        switch_current(one.build_dir, copies[0])
        one.start()
        restarted = time.monotonic()
        assert one.health()["release"] == new.name
        time.sleep(2.5)
        # replica 2: live, as `systemctl reload` does: repoint, then SIGHUP
        switch_current(two.build_dir, copies[1])
        assert two.process is not None
        two.process.send_signal(signal.SIGHUP)
        wait_until(lambda: two.health()["release"] == new.name, 30, "replica 2 on the new release", two)
        switched = time.monotonic()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)

    failed = [a for a in answers if a.status != 200 or a.error]
    assert failed == [], failed[:5]
    assert all(len(a.releases) <= 1 for a in answers), [a for a in answers if len(a.releases) > 1][:5]
    assert {a.releases for a in answers if a.releases} == {frozenset({old}), frozenset({new.name})}
    during = [a for a in answers if stopped < a.sent and a.received < restarted]
    assert during, "no request was answered while replica 1 was down"
    late = [a for a in answers if a.sent > switched and a.releases != frozenset({new.name}) and a.releases]
    assert late == [], late[:5]
    assert sum(1 for a in answers if a.sent > switched) >= 5
    print(f"rolling switch: {len(answers)} answers, {len(during)} while replica 1 was down or starting, all 200")

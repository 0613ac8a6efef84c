"""The two servers the benchmarks compare, started over the same built store on loopback.

* gcmkg: ``gcmkg serve`` (uvicorn, its query workers);
* the reference: ``oxigraph serve-read-only --union-default-graph`` over the same store folder,
  with the same per-query time limit, so that it sees what gcmkg's endpoint sees.

Both are started in a session of their own and stopped with their whole process group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from wrk import ProcessTree

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    url: str  # ends with "/"
    process: subprocess.Popen[bytes]
    log: Path | None = None  # where its output goes (read when it ends early)

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:]) if self.log else ""

    @property
    def tree(self) -> ProcessTree:
        return ProcessTree(self.process.pid)

    def wait_until_up(self, path: str, seconds: float = 120) -> float:
        """Seconds until ``path`` answered (any status).  The probe names itself, so that its
        queries are not charged to the budget of the load's clients (gcmkg budgets per client)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}\n{self.log_tail()}")
            try:
                httpx.get(self.url + path, timeout=2, headers={"User-Agent": "bench-readiness-probe"})
                return time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.02)
        raise SystemExit(f"{self.name} did not answer within {seconds:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def start_gcmkg(build_dir: Path, base_iri: str, *extra: str, port: int | None = None) -> Server:
    """``gcmkg serve`` on ``port`` (a free one by default); its log goes to a temporary file."""
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="gcmkg-serve-", suffix=".log")[1])
    argv = [str(BIN / "gcmkg"), "--build-dir", str(build_dir), "--base-iri", base_iri, "serve", "--port", str(port)]
    argv += ["--no-access-log", "--log-level", "warning", *extra]
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server("gcmkg", f"http://127.0.0.1:{port}/", process, log)
    server.wait_until_up("sparql?query=ASK%7B%7D")
    return server


def start_oxigraph(store: Path, timeout_s: float | None) -> Server:
    """The reference server; ``timeout_s`` None: no query time limit.  Oxigraph 0.5 watches each
    query's limit from a thread of its own that lives as long as the limit, so at a few thousand
    requests a second with a 10 s limit it runs out of threads (the kernel's map count) and
    aborts: the throughput benchmark, which sends no query that needs the limit, runs it without."""
    port = free_port()
    argv = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    argv += ["--union-default-graph"]
    if timeout_s is not None:
        argv += ["--timeout-s", f"{timeout_s:g}"]
    log = Path(tempfile.mkstemp(prefix="oxigraph-serve-", suffix=".log")[1])
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server("oxigraph", f"http://127.0.0.1:{port}/", process, log)
    server.wait_until_up("query?query=ASK%7B%7D")
    return server


def start_trivial(size: int) -> Server:
    """``bench/trivial_server.py``: the same answer of ``size`` bytes to every request."""
    port = free_port()
    argv = [str(BIN / "python"), str(Path(__file__).with_name("trivial_server.py")), "--port", str(port)]
    argv += ["--size", str(size)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server("trivial", f"http://127.0.0.1:{port}/", process)
    server.wait_until_up("")
    return server

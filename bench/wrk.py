"""Load generation with wrk (Debian's package), and the figures of the processes under load.

wrk is a C load generator: on this machine it drives a trivial endpoint at tens of thousands of
requests per second, far above what either server answers, so it is not the bottleneck (the
benchmarks show that by running it against a ``304`` answer first).  :func:`run` drives one URL
set at a fixed number of connections (one wrk thread each, so that each connection is one
client with its own ``User-Agent``) and returns latency percentiles and the count of each status.

:class:`ProcessTree` reads the CPU time and resident memory of a server and all its descendants
(query workers included) from ``/proc``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("requests.lua")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Request:
    """One request of a load: method, path with query string, Accept, and an optional body."""

    method: str
    path: str
    accept: str = "*/*"
    content_type: str | None = None
    body: str | None = None

    def line(self) -> str:
        fields = [self.method, self.path, self.accept]
        if self.body is not None:
            fields += [self.content_type or "application/octet-stream", self.body.replace("\n", "\\n")]
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"a request field holds a tab or newline: {self}")
        return "\t".join(fields)


@dataclass
class Result:
    """What wrk saw: counts, latency percentiles in milliseconds, statuses."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: int = 0
    timeouts: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, *statuses: int) -> int:
        return sum(n for s, n in self.statuses.items() if s in statuses)

    @property
    def errors(self) -> int:
        """Answers that are not 2xx/3xx, and sockets that failed or timed out."""
        return sum(n for s, n in self.statuses.items() if s >= 400) + self.socket_errors + self.timeouts


def available() -> bool:
    return shutil.which("wrk") is not None


def command(
    base_url: str, request_file: Path, *, connections: int, seconds: float, client: str, timeout_s: float
) -> list[str]:
    return [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout_s:g}s",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(request_file),
        client,
    ]


def parse(output: str) -> Result:
    line = next((x for x in output.splitlines() if x.startswith("gcmkg-wrk ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result line:\n{output[-2000:]}")
    data = json.loads(line.removeprefix("gcmkg-wrk "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        statuses={int(s): n for s, n in data["statuses"].items()},
        socket_errors=data["socket_errors"],
        timeouts=data["timeouts"],
    )


@dataclass
class Load:
    """One group of clients: the requests they cycle through, and how many connections send them."""

    name: str
    base_url: str
    requests: Sequence[Request]
    connections: int
    client: str = "bench"


def run_together(loads: Sequence[Load], *, seconds: float, timeout_s: float = 30) -> dict[str, Result]:
    """Run every load at the same time for ``seconds``; each group's own figures."""
    with tempfile.TemporaryDirectory(prefix="gcmkg-wrk-") as folder:
        processes = []
        for load in loads:
            request_file = Path(folder) / f"{load.name}.tsv"
            request_file.write_text("\n".join(r.line() for r in load.requests) + "\n", encoding="utf-8")
            argv = command(
                load.base_url,
                request_file,
                connections=load.connections,
                seconds=seconds,
                client=load.client,
                timeout_s=timeout_s,
            )
            processes.append(
                (load, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
            )
        results = {}
        for load, process in processes:
            output, _ = process.communicate(timeout=seconds + timeout_s + 30)
            if process.returncode != 0:
                raise RuntimeError(f"wrk failed for {load.name} ({process.returncode}):\n{output[-2000:]}")
            results[load.name] = parse(output)
        return results


def run(load: Load, *, seconds: float, timeout_s: float = 30) -> Result:
    return run_together([load], seconds=seconds, timeout_s=timeout_s)[load.name]


class ProcessTree:
    """CPU seconds and resident memory of a process and its descendants, read from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def pids(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def cpu_seconds(self) -> float:
        """User and system time of the live processes and of the children they have reaped."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / CLOCK_TICKS

    def pss_mib(self) -> float:
        """Proportional set size: each page shared by several processes (a forked worker's, a
        library's) counted once in all, split between them; the memory the service really holds."""
        total = 0
        for pid in self.pids():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        return total / 1024

    def rss_mib(self) -> float:
        """Resident set size summed over the processes: a page shared by several counts in each."""
        total = 0
        for pid in self.pids():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
            except OSError:
                continue
        return total / 1024

    def count(self) -> int:
        return len(self.pids())

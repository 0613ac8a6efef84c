"""Faults while serving, and what the clients saw (``make faults``; prints figures, not a test).

A service over a build folder of its own is put under a steady load by six clients (two each
dereferencing IRIs, running saved queries and running ad-hoc queries), and then, in turn:

1. steady load;
2. one query worker is killed with ``SIGKILL``;
3. ``gcmkg build`` runs into the same build folder while the service serves, and the service
   switches to the new release by itself;
4. the same again (the release the service started on is now two builds old);
5. the service itself is killed with ``SIGKILL`` and started again on the same port.

For each phase it prints the requests, their statuses (and connection failures), and the
releases the answers came from (read off their ``ETag``), in the order first seen; and how long
the switch and the restart took.

    .venv/bin/python bench/faults.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

import cases
from servers import BIN, Server, free_port, start_gcmkg

NUMBERS = range(1, 24)  # the objectives


@dataclass
class Seen:
    phase: str  # the phase in effect when the answer (or the error) came back: a request cut off
    #             by the kill of phase 5 was sent in phase 4, but it is the kill that cut it
    kind: str
    started: float  # when the request was sent (monotonic clock)
    received: float  # when its answer came back
    outcome: str  # the status, or the name of the connection error
    release: str | None
    detail: str = ""  # for a connection error: the request and the error's message


@dataclass
class Clients:
    """Client loops that record every answer until stopped."""

    url: str
    requests: dict[str, tuple[str, list[str]]]  # kind -> (Accept, paths)
    phase: str = "start"
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def loop(self, kind: str, offset: int) -> None:
        accept, paths = self.requests[kind]
        agent = f"faults-{kind}-{offset}"  # each loop is a client of its own, as separate users are
        with httpx.Client(base_url=self.url, timeout=30, headers={"Accept": accept, "User-Agent": agent}) as client:
            n = offset
            while not self.stopping.is_set():
                n += 1
                started = time.monotonic()
                path = paths[n % len(paths)]
                try:
                    response = client.get(path)
                except httpx.HTTPError as error:
                    detail = f"{kind} {path[:80]}: {error!r}"
                    error_seen = Seen(self.phase, kind, started, time.monotonic(), type(error).__name__, None, detail)
                    self.seen.append(error_seen)
                    time.sleep(0.05)
                    continue
                etag = response.headers.get("etag", "")
                release = etag.removeprefix('W/"').rsplit("-", 1)[0] if etag else None
                status = response.status_code
                detail = f"{kind} {path[:80]}: {response.text[:160]!r}" if status >= 400 else ""
                self.seen.append(Seen(self.phase, kind, started, time.monotonic(), str(status), release, detail))

    def start(self) -> list[threading.Thread]:
        loops = [(kind, i * 11) for kind in self.requests for i in range(2)]
        threads = [threading.Thread(target=self.loop, args=loop, daemon=True) for loop in loops]
        for t in threads:
            t.start()
        return threads


def query_workers(service: Server) -> list[int]:
    """The query worker processes: the forkserver's children."""
    pids = service.tree.pids()
    by_parent: dict[int, list[int]] = {}
    for pid in pids:
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        by_parent.setdefault(parent, []).append(pid)
    forkservers = [
        pid for pid in pids if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes() and pid != service.process.pid
    ]
    return [child for server in forkservers for child in by_parent.get(server, [])]


def release_of(url: str) -> str:
    return str(httpx.get(url + "health", timeout=10).json()["release"])


def build(build_dir: Path, base: str) -> float:
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "gcmkg"), "--build-dir", str(build_dir), "--base-iri", base, "build", "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def wait_for_switch(url: str, old: str, seconds: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if release_of(url) != old:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"the service did not switch from release {old} within {seconds:.0f} s")


def report(clients: Clients, phases: list[str]) -> None:
    """Per phase: outcomes, and the releases answered from in the order the requests were *sent*.

    A request sent after an answer from a newer release came back must not be answered from an
    older one ("late"): in-flight requests finish on the release they began on, new ones do not.
    """
    print(f"\n{'phase':28} {'requests':>8}  outcomes  · releases answered from, in order · late answers")
    for phase in phases:
        seen = sorted((s for s in clients.seen if s.phase == phase), key=lambda s: s.started)
        outcomes = Counter(s.outcome for s in seen)
        releases: list[str] = []
        first_answer: dict[str, float] = {}
        for s in sorted(seen, key=lambda s: s.received):
            if s.release and s.release not in first_answer:
                first_answer[s.release] = s.received
                releases.append(s.release)
        late = 0
        for s in seen:
            newer = releases[releases.index(s.release) + 1 :] if s.release else []
            late += any(first_answer[r] < s.started for r in newer)
        by_kind = Counter((s.outcome, s.kind) for s in seen if s.outcome != "200")

        def kinds(outcome: str, by_kind: Counter[tuple[str, str]] = by_kind) -> str:  # kinds met by a non-200
            counts = ", ".join(f"{k} {c}" for (o, k), c in by_kind.items() if o == outcome)
            return f" ({counts})" if counts else ""

        text = ", ".join(f"{o}×{n}{kinds(o)}" for o, n in sorted(outcomes.items()))
        print(f"{phase:28} {len(seen):8}  {text}  · {' → '.join(releases)} · {late}")
    errors = [s for s in clients.seen if s.detail]
    origin = min((s.started for s in clients.seen), default=0.0)
    for s in [e for e in errors if e.phase != phases[-1] or not e.outcome.isalpha()][:20]:  # not the kill's own
        print(f"  {s.outcome} at {s.started - origin:7.2f} s (answered after {s.received - s.started:.2f} s, "
              f"{s.phase}): {s.detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5, help="load after each fault")
    parser.add_argument("--serve", default="", help="extra gcmkg serve options, e.g. '--keep-alive 30'")
    args = parser.parse_args()
    base = "http://127.0.0.1:8000/"
    with tempfile.TemporaryDirectory(prefix="gcmkg-faults-") as folder:
        build_dir = Path(folder)
        print(f"first build: {build(build_dir, base):.1f} s")
        port = free_port()
        service = start_gcmkg(build_dir, base, *args.serve.split(), port=port)
        iris = cases.provision_iris((build_dir / "current").resolve() / "store", base, 50)
        saved = [cases.saved("objective-actions", "objective", str(n), base) for n in NUMBERS]
        requests = {
            "deref": (cases.TURTLE, [cases.deref(i, base).ours.path for i in iris]),
            "saved": (cases.JSON, [pair.ours.path for pair in saved]),
            "adhoc": (cases.JSON, [cases.lookup(i).ours.path for i in iris]),
        }
        clients = Clients(service.url, requests)
        phases = ["1 steady", "2 worker killed", "3 rebuild while serving", "4 second rebuild", "5 service killed"]
        threads = clients.start()
        try:
            clients.phase = phases[0]
            time.sleep(args.seconds)

            clients.phase = phases[1]
            workers = query_workers(service)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
            print(f"killed query worker {workers[0] if workers else '(none found)'} of {len(workers)}")
            time.sleep(args.seconds)

            for phase in phases[2:4]:
                clients.phase = phase
                old = release_of(service.url)
                took = build(build_dir, base)
                switched = wait_for_switch(service.url, old)
                print(f"{phase}: build {took:.1f} s; the service switched {switched:.2f} s after it ended")
                time.sleep(args.seconds)

            clients.phase = phases[4]
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait(10)
            killed = time.monotonic()
            service = start_gcmkg(build_dir, base, *args.serve.split(), port=port)
            print(f"service killed and started again: answering {time.monotonic() - killed:.2f} s after the kill")
            time.sleep(args.seconds)
        finally:
            clients.stopping.set()
            for t in threads:
                t.join(35)
            service.stop()
        report(clients, phases)
        remaining = sorted(p.name for p in (build_dir / "releases").iterdir())
        print(f"\nreleases left in the build folder: {len(remaining)} ({', '.join(remaining)})")


if __name__ == "__main__":
    main()

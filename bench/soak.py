"""Soak: the mixed load of a public endpoint, against gcmkg and the Oxigraph server in turn.

Not a test: it prints figures (``make soak``).  32 clients for ``--seconds`` (120) each phase,
loopback only, every loop bounded in time:

* **well-behaved**: 10 clients dereference provision IRIs (Turtle), 10 run saved queries, 12 run
  cheap ad-hoc queries (a lookup by IRI, a small join, a regex over action texts);
* **with pathological clients**: the same, but 4 of the 12 ad-hoc clients send queries that run
  into a limit (a cross product, an unbounded property path, a join on string values) and, on
  gcmkg only, a 6 KB query nested 2,500 deep (it crashes the parser of pyoxigraph, and so would
  crash the reference server: it is not sent there).

Each phase runs first on gcmkg, then on the Oxigraph server, over the same store.  For each kind
of request it prints the count, throughput, errors by status and the p50/p95/p99 latency; for
each server its CPU time per request and its resident memory (every process, query workers
included) at the end of the phase.  Two probes send one request every 200 ms throughout, as a
cheap ad-hoc client and as a pathological one, and report how fast each answer or refusal came.

    .venv/bin/python bench/soak.py --build-dir build [--seconds 120]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

import cases
import wrk
from servers import Server, start_gcmkg, start_oxigraph

PROBE_EVERY_S = 0.2


@dataclass
class Probe:
    """One client sending a request every 200 ms: latency by status."""

    name: str
    url: str
    path: str
    user_agent: str
    seen: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter[str] = field(default_factory=Counter)

    def run(self, until: float) -> None:
        with httpx.Client(
            base_url=self.url, timeout=30, headers={"User-Agent": self.user_agent, "Accept": cases.JSON}
        ) as client:
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    status = client.get(self.path).status_code
                except httpx.HTTPError as error:
                    self.failures[type(error).__name__] += 1
                else:
                    self.seen[status].append(time.perf_counter() - started)
                time.sleep(PROBE_EVERY_S)

    def summary(self) -> str:
        parts = []
        for status, latencies in sorted(self.seen.items()):
            ordered = sorted(latencies)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            parts.append(
                f"{status}×{len(ordered)} p50 {statistics.median(ordered) * 1000:.0f} ms p95 {p95 * 1000:.0f} ms"
            )
        parts += [f"{name}×{n}" for name, n in self.failures.items()]
        return f"{self.name}: " + ("; ".join(parts) or "no answer")


def loads(server: Server, pairs: dict[str, list[cases.Pair]], hostile: bool) -> list[wrk.Load]:
    side = "ours" if server.name == "gcmkg" else "theirs"

    def requests(kind: str) -> list[wrk.Request]:
        return [getattr(p, side) for p in pairs[kind]]

    groups = [
        wrk.Load("deref", server.url, requests("deref"), 10, "deref"),
        wrk.Load("saved", server.url, requests("saved"), 10, "saved"),
        wrk.Load("adhoc", server.url, requests("adhoc"), 8 if hostile else 12, "adhoc"),
    ]
    if hostile:
        patho = requests("patho")
        if server.name == "gcmkg":
            patho.append(wrk.Request("POST", "/sparql", cases.JSON, "application/sparql-query", cases.nested(2500)))
        groups.append(wrk.Load("patho", server.url, patho, 4, "patho"))
    return groups


def phase(server: Server, pairs: dict[str, list[cases.Pair]], hostile: bool, seconds: float) -> None:
    side = "ours" if server.name == "gcmkg" else "theirs"
    probes = [
        Probe("probe adhoc", server.url, getattr(pairs["adhoc"][0], side).path, "probe-adhoc"),
    ]
    if hostile:
        probes.append(Probe("probe patho", server.url, getattr(pairs["patho"][0], side).path, "probe-patho"))
    tree = server.tree
    cpu_before = tree.cpu_seconds()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=p.run, args=(until,), daemon=True) for p in probes]
    for t in threads:
        t.start()
    results = wrk.run_together(loads(server, pairs, hostile), seconds=seconds, timeout_s=30)
    for t in threads:
        t.join(40)
    cpu = tree.cpu_seconds() - cpu_before
    total = sum(r.requests for r in results.values())
    title = f"{server.name} · {'with 4 pathological clients' if hostile else 'well-behaved clients only'}"
    print(
        f"\n{title} · {seconds:g} s · {total} requests · CPU {cpu:.1f} s ({cpu / max(total, 1) * 1000:.2f} ms/request)"
        f" · RSS {tree.rss_mib():.0f} MiB (PSS {tree.pss_mib():.0f} MiB) in {tree.count()} processes"
    )
    print(
        f"  {'kind':7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses / socket errors"
    )
    for name, r in results.items():
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(r.statuses.items()))
        sockets = f"; socket errors {r.socket_errors}, timeouts {r.timeouts}" if r.socket_errors or r.timeouts else ""
        print(
            f"  {name:7} {r.requests:8} {r.rps:7.0f} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.p99_ms:8.1f}"
            f"  {statuses}{sockets}"
        )
    for probe in probes:
        print(f"  {probe.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=cases.ROOT / "build")
    parser.add_argument("--base-iri", default="http://127.0.0.1:8000/")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--timeout", type=float, default=10, help="per-query time limit of both servers")
    args = parser.parse_args()
    if not wrk.available():
        raise SystemExit("wrk is not installed (make soak installs Debian's wrk)")
    build_dir = args.build_dir.resolve()
    store = (build_dir / "current").resolve() / "store"
    base = args.base_iri
    iris = cases.provision_iris(store, base, 200)
    pairs = {
        "deref": [cases.deref(iri, base) for iri in iris],
        "saved": [cases.saved("objective-actions", "objective", str(n), base) for n in range(1, 24)]
        + [cases.saved_plain("objectives", base)],
        "adhoc": [cases.lookup(iri) for iri in iris[:50]]
        + [cases.objectives_join(base)]
        + [cases.regex_over_actions(base, w) for w in ("remittance", "detention", "recruitment", "consular")],
        "patho": cases.pathological(base),
    }
    print(f"soak · store {store} · 32 clients · {args.seconds:g} s per phase · query limit {args.timeout:g} s")
    for hostile in (False, True):
        for start in (
            lambda: start_gcmkg(build_dir, base, "--timeout", f"{args.timeout:g}"),
            lambda: start_oxigraph(store, args.timeout),
        ):
            server = start()
            try:
                phase(server, pairs, hostile, args.seconds)
            finally:
                server.stop()


if __name__ == "__main__":
    main()

"""Throughput and latency of gcmkg beside the Oxigraph server, over the same store (``make bench``).

Not a test: it prints figures.  Three servers run on loopback over the same built store, one at
a time: gcmkg over its embedded store, gcmkg over the Oxigraph server as its remote SPARQL
backend (``--sparql-backend``, :mod:`gcmkg.remote`: the cost of the network hop, with the
engine's CPU counted in the row), and the Oxigraph server itself; they receive the same
questions (:mod:`cases`: each pair asks the same of gcmkg and of Oxigraph, and every answer is
checked to be 200, and every request is asked once, before anything is timed):

* **deref** — an IRI as Turtle (``/id/…``); on Oxigraph the CONSTRUCT of its statements;
* **deref-html** — the same IRI as an HTML page (Oxigraph: the same CONSTRUCT);
* **saved** — three saved queries (objective-actions for each objective, provision-text, objectives);
* **adhoc** — a lookup by IRI, a small join, a regex over action texts.

For each, at 1, 4, 16 and 32 connections (wrk, one thread per connection, ``--seconds`` each):
requests per second, p50 and p95 latency, CPU per request of the server (all its processes) and
its resident memory, and the ratio gcmkg ÷ Oxigraph of the throughput.  Each server's memory at
rest is printed first: RSS summed over its processes, and PSS, which counts a page shared by
forked workers once (the figure for "the whole service under 150 MiB").  First, wrk is shown not
to be the bottleneck: at each number of connections it drives ``bench/trivial_server.py``, which
only answers (4 KiB, with the deref cells' request file); a cell well below that rate is not held
back by wrk, and the CPU wrk spends per request says what it takes of the two cores.

    .venv/bin/python bench/bench_service.py --build-dir build [--seconds 5] [--connections 1 4 16 32]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

import cases
import wrk
from servers import Server, start_gcmkg, start_oxigraph, start_trivial

AT_REST_S = 5.0  # how long a server idles after starting before its memory is read


def groups(base: str, iris: list[str]) -> dict[str, list[cases.Pair]]:
    return {
        "deref": [cases.deref(i, base) for i in iris],
        "deref-html": [cases.deref(i, base, "text/html") for i in iris],
        "saved:objective-actions": [cases.saved("objective-actions", "objective", str(n), base) for n in range(1, 24)],
        "saved:provision-text": [
            cases.saved(
                "provision-text",
                "provision",
                f"id/a-73-l-66/en/annex/para/{n}",
                base,
                literal=f"<{base}id/a-73-l-66/en/annex/para/{n}>",
            )
            for n in range(17, 40)
        ],
        "saved:objectives": [cases.saved_plain("objectives", base)],
        "adhoc:lookup": [cases.lookup(i) for i in iris[:50]],
        "adhoc:join": [cases.objectives_join(base)],
        "adhoc:regex": [cases.regex_over_actions(base, w) for w in ("remittance", "detention", "recruitment")],
    }


def check(server: Server, pairs: dict[str, list[cases.Pair]], side: str) -> None:
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=60) as client:
        for kind, items in pairs.items():
            request = getattr(items[0], side)
            status = client.get(request.path, headers={"Accept": request.accept}).status_code
            if status != 200:
                raise SystemExit(f"{server.name} answered {status} to {kind}: {request.path[:120]}")


def warm(server: Server, pairs: dict[str, list[cases.Pair]], side: str) -> None:
    """Ask every request of every cell twice, on every server alike, before anything is timed: the
    cells measure answers in steady state (gcmkg computes an answer once per release and replays
    it, Oxigraph warms its own caches); how long each pass took is printed, for the cold cost.
    The requests carry the headers wrk sends and no others (httpx's default ``Accept-Encoding``
    removed): an answer depends on them, and a warm-up with other headers warms other answers."""
    passes = []
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=60, headers={"User-Agent": "bench-warm-up"}) as client:
        client.headers.pop("accept-encoding", None)
        for _ in range(2):
            started, count = time.perf_counter(), 0
            for items in pairs.values():
                for pair in items:
                    request = getattr(pair, side)
                    headers = {"Accept": request.accept}
                    if request.body is None:
                        client.get(request.path, headers=headers)
                    else:
                        headers["Content-Type"] = request.content_type or "application/octet-stream"
                        client.request(request.method, request.path, content=request.body, headers=headers)
                    count += 1
            passes.append(time.perf_counter() - started)
    print(f"{server.name} warm-up: each of the {count} requests twice, in {passes[0]:.1f} s and {passes[1]:.1f} s")


def measure(
    server: Server, requests: list[wrk.Request], connections: int, seconds: float, engine: Server | None = None
) -> dict[str, float]:
    """One cell; ``engine``: a remote backend whose CPU and memory count toward the server's."""
    trees = [server.tree] + ([engine.tree] if engine else [])
    cpu = sum(t.cpu_seconds() for t in trees)
    result = wrk.run(wrk.Load("cell", server.url, requests, connections, f"bench-{connections}"), seconds=seconds)
    cpu = sum(t.cpu_seconds() for t in trees) - cpu
    ok = result.count(200)
    return {
        "rps": ok / result.seconds,
        "p50": result.p50_ms,
        "p95": result.p95_ms,
        "cpu_ms": cpu / max(result.requests, 1) * 1000,
        "rss": sum(t.rss_mib() for t in trees),
        "errors": result.errors,
    }


def ceiling(pairs: dict[str, list[cases.Pair]], connections: Sequence[int], seconds: float) -> None:
    """What wrk itself can drive here: the same script and connections against a server that only
    answers (bench/trivial_server.py), with an answer the size of a resource's Turtle."""
    requests = [pair.ours for pair in pairs["deref"]]
    server = start_trivial(4096)
    try:
        for n in connections:
            tree = server.tree
            before = tree.cpu_seconds()
            started = os.times()
            result = wrk.run(wrk.Load("ceiling", server.url, requests, n, "ceiling"), seconds=seconds)
            wrk_cpu = os.times().children_user + os.times().children_system
            wrk_cpu -= started.children_user + started.children_system
            per_request = 1000 / max(result.requests, 1)
            print(
                f"load generator ceiling, {n} connections: wrk drives a server that only answers (4 KiB) at "
                f"{result.count(200) / result.seconds:.0f} req/s; CPU ms per request: wrk {wrk_cpu * per_request:.3f}, "
                f"that server {(tree.cpu_seconds() - before) * per_request:.3f}"
            )
    finally:
        server.stop()


def cell(f: dict[str, float], width: int) -> str:
    return f"{f['rps']:{width}.0f} {f['p50']:6.1f} {f['p95']:7.1f} {f['cpu_ms']:5.2f} {f['rss']:5.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=cases.ROOT / "build")
    parser.add_argument("--base-iri", default="http://127.0.0.1:8000/")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 16, 32])
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    if not wrk.available():
        raise SystemExit("wrk is not installed (make bench installs Debian's wrk)")
    build_dir = args.build_dir.resolve()
    store = (build_dir / "current").resolve() / "store"
    base = args.base_iri
    pairs = groups(base, cases.provision_iris(store, base, 200))
    # gcmkg's budgets are per client: the benchmark's connections are one client each, and
    # unmetered so that the cells measure the service, not its refusals
    unmetered = ["--client-queries", "64", "--client-seconds", "1e6", "--heavy-after", "1e6"]
    figures: dict[tuple[str, str, int], dict[str, float]] = {}
    crashes: dict[str, int] = {}
    engine = start_oxigraph(store, args.timeout)  # the remote backend of the second row

    def remote() -> Server:
        backend = ["--sparql-backend", engine.url + "query"]
        return start_gcmkg(build_dir, base, "--timeout", f"{args.timeout:g}", *unmetered, *backend)

    ceiling(pairs, args.connections, args.seconds)
    try:
        for name, start in (
            ("gcmkg", lambda: start_gcmkg(build_dir, base, "--timeout", f"{args.timeout:g}", *unmetered)),
            ("remote", remote),
            ("oxigraph", lambda: start_oxigraph(store, None)),  # no limit: see start_oxigraph
        ):
            if name == "oxigraph":
                engine.stop()
            server = start()
            side = "theirs" if name == "oxigraph" else "ours"
            try:
                time.sleep(AT_REST_S)
                tree = server.tree
                print(
                    f"{name} at rest, {AT_REST_S:g} s after its first answer: RSS {tree.rss_mib():.0f} MiB, "
                    f"PSS {tree.pss_mib():.0f} MiB in {tree.count()} processes"
                )
                check(server, pairs, side)
                warm(server, pairs, side)
                for kind, items in pairs.items():
                    requests = [getattr(p, side) for p in items]
                    for connections in args.connections:
                        if server.process.poll() is not None:  # a server that died is reported and started again
                            print(
                                f"{name} ended ({server.process.returncode}) before {kind} × {connections}; restarted"
                            )
                            crashes[name] = crashes.get(name, 0) + 1
                            server = start()
                        also = engine if name == "remote" else None
                        figures[name, kind, connections] = measure(server, requests, connections, args.seconds, also)
            finally:
                server.stop()
    finally:
        engine.stop()
    print(f"\nstore {store} · {args.seconds:g} s per cell · req/s of 200 answers; latency in ms; CPU ms per request")
    print("remote: gcmkg with the Oxigraph server as its SPARQL backend (CPU and memory: both processes)")
    header = (
        f"{'request':24} {'conn':>4} | {'gcmkg req/s':>11} {'p50':>6} {'p95':>7} {'cpu':>5} {'rss':>5} | "
        f"{'remote req/s':>12} {'p50':>6} {'p95':>7} {'cpu':>5} {'rss':>5} | "
        f"{'oxigraph req/s':>14} {'p50':>6} {'p95':>7} {'cpu':>5} {'rss':>5} | {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for kind in pairs:
        for connections in args.connections:
            a, r, b = (figures[name, kind, connections] for name in ("gcmkg", "remote", "oxigraph"))
            errors = (
                f"  errors: gcmkg {a['errors']:.0f}, remote {r['errors']:.0f}, oxigraph {b['errors']:.0f}"
                if a["errors"] or r["errors"] or b["errors"]
                else ""
            )
            ratio = a["rps"] / b["rps"] if b["rps"] else float("inf")
            print(f"{kind:24} {connections:>4} | {cell(a, 11)} | {cell(r, 12)} | {cell(b, 14)} | {ratio:6.2f}{errors}")
    if crashes:
        print(
            "servers that died during the run (and were restarted): "
            + ", ".join(f"{n} ×{c}" for n, c in crashes.items())
        )


if __name__ == "__main__":
    main()

"""Latency and throughput of the gcmkg service, side by side with the Oxigraph server.

Not a test: it prints figures.  Both servers run over the *same* built store, on loopback, in
the same run, and receive the same queries:

* **saved** — the saved query ``objective-actions`` (objective 7) through ``/queries/...``
  (parameters bound as RDF terms); on Oxigraph the same text with the value bound by a
  ``VALUES`` block at the top of its ``WHERE`` (Oxigraph has no saved queries).
  Falls back to the same SPARQL through ``/sparql`` when the saved-query router is absent.
* **adhoc** — an ad-hoc SELECT (the 23 objectives with their headings) through ``/sparql``.
* **deref** — dereferencing an objective's IRI as Turtle (``/id/...``); on Oxigraph the
  equivalent CONSTRUCT of the resource's outgoing and incoming statements.  Skipped while
  ``/id/...`` does not answer.

For each, at concurrency 1, 4 and 16: median and p95 latency and requests per second, and the
ratios gcmkg/Oxigraph (latency: >1 means gcmkg is slower; throughput: <1 means gcmkg is slower).

    .venv/bin/python bench/bench_service.py --build-dir build [--requests 200] [--concurrency 1 4 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Case:
    name: str
    ours: Request
    theirs: Request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}: {url}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer within {seconds:.0f} s: {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def absolute_prefixes(text: str, base: str) -> str:
    """Project queries write ``PREFIX gcm: <ontology#>``; Oxigraph gets the absolute IRI."""
    return re.sub(r"PREFIX\s+(\w*):\s*<(?!https?:)([^>]*)>", lambda m: f"PREFIX {m[1]}: <{base}{m[2]}>", text)


def cases(base: str, ours_url: str, client: httpx.Client) -> list[Case]:
    json_accept = {"Accept": "application/sparql-results+json"}
    gcm = f"{base}ontology#"
    adhoc = (
        f"PREFIX gcm: <{gcm}>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "SELECT ?objective ?number ?heading WHERE { ?objective a gcm:Objective ; gcm:status ?s ; "
        "gcm:number ?number ; gcm:heading ?heading ; gcm:inDocument ?d . ?d gcm:status gcm:status-final } "
        "ORDER BY xsd:integer(?number)"
    )
    adhoc = adhoc.replace("gcm:status ?s ; ", "")
    out = [
        Case(
            "adhoc",
            Request("GET", "sparql", {"query": adhoc}, json_accept),
            Request("GET", "query", {"query": adhoc}, json_accept),
        )
    ]

    saved_file = ROOT / "queries" / "objective-actions.rq"
    saved_text = absolute_prefixes(saved_file.read_text(encoding="utf-8"), base)
    bound = re.sub(r"WHERE\s*\{", "WHERE {\n  VALUES ?objective { 7 }", saved_text, count=1)
    theirs = Request("GET", "query", {"query": bound}, json_accept)
    probe = client.get(ours_url + "queries/objective-actions", params={"objective": "7"}, headers=json_accept)
    if probe.status_code == 200:
        ours = Request("GET", "queries/objective-actions", {"objective": "7"}, json_accept)
    else:
        print(f"(saved: /queries/objective-actions answered {probe.status_code}; using /sparql with the same text)")
        ours = Request("GET", "sparql", {"query": bound}, json_accept)
    out.insert(0, Case("saved", ours, theirs))

    iri = f"{base}id/a-73-l-66/en/annex/objective/7"
    path = iri.removeprefix(base)
    turtle = {"Accept": "text/turtle"}
    if client.get(ours_url + path, headers=turtle).status_code == 200:
        construct = (
            f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"
        )
        out.append(
            Case("deref", Request("GET", path, {}, turtle), Request("GET", "query", {"query": construct}, turtle))
        )
    else:
        print(f"(deref: {path} does not answer yet; skipped)")
    return out


async def load(base_url: str, request: Request, concurrency: int, total: int) -> tuple[list[float], float, int]:
    """``total`` requests from ``concurrency`` clients; latencies (s), elapsed (s), failures."""
    latencies: list[float] = []
    failures = 0
    remaining = total
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def one_client() -> None:
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                response = await client.request(
                    request.method, request.path, params=request.params, headers=request.headers
                )
                await response.aread()
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failures += 1

        for _ in range(3):  # warm-up (connections, caches)
            await client.request(request.method, request.path, params=request.params, headers=request.headers)
        start = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, failures


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--base-iri", default=os.environ.get("GCMKG_BASE_IRI", "http://127.0.0.1:8000/"))
    parser.add_argument("--requests", type=int, default=200, help="requests per case and concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--workers", type=int, default=2, help="gcmkg query workers")
    args = parser.parse_args()

    build_dir = Path(args.build_dir).resolve()
    store = (build_dir / "current").resolve() / "store"
    if not store.is_dir():
        raise SystemExit(f"no store in {build_dir}/current; run `make build` first")
    ours_port, theirs_port = free_port(), free_port()
    ours_url, theirs_url = f"http://127.0.0.1:{ours_port}/", f"http://127.0.0.1:{theirs_port}/"
    quiet = subprocess.DEVNULL
    ours_process = subprocess.Popen(
        [str(BIN / "gcmkg"), "--build-dir", str(build_dir), "--base-iri", args.base_iri, "serve",
         "--port", str(ours_port), "--no-access-log", "--log-level", "warning", "--workers", str(args.workers)],
        stdout=quiet, stderr=quiet, start_new_session=True,
    )  # fmt: skip
    theirs_process = subprocess.Popen(
        [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{theirs_port}",
         "--union-default-graph"],
        stdout=quiet, stderr=quiet, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(ours_url + "sparql", ours_process)
        wait_until_up(theirs_url + "query?query=ASK%7B%7D", theirs_process)
        with httpx.Client(timeout=30) as client:
            selected = cases(args.base_iri, ours_url, client)
            for case in selected:  # same answers from both, before timing anything
                a = client.request(
                    case.ours.method, ours_url + case.ours.path, params=case.ours.params, headers=case.ours.headers
                )
                b = client.request(
                    case.theirs.method,
                    theirs_url + case.theirs.path,
                    params=case.theirs.params,
                    headers=case.theirs.headers,
                )
                if a.status_code != 200 or b.status_code != 200:
                    raise SystemExit(
                        f"{case.name}: gcmkg {a.status_code}, oxigraph {b.status_code}: {a.text[:200]} {b.text[:200]}"
                    )
        print(
            f"store {store} · {args.requests} requests per cell · gcmkg workers {args.workers} · {os.cpu_count()} CPUs"
        )
        header = (
            f"{'case':7} {'conc':>4} | {'gcmkg p50':>9} {'p95':>8} {'req/s':>7} | "
            f"{'oxigraph p50':>12} {'p95':>8} {'req/s':>7} | {'p50 ×':>6} {'p95 ×':>6} {'req/s ×':>7}"
        )
        print(header)
        print("-" * len(header))
        for case in selected:
            for concurrency in args.concurrency:
                ours_lat, ours_time, ours_fail = asyncio.run(load(ours_url, case.ours, concurrency, args.requests))
                theirs_lat, theirs_time, theirs_fail = asyncio.run(
                    load(theirs_url, case.theirs, concurrency, args.requests)
                )
                o50, o95, ors = statistics.median(ours_lat), p95(ours_lat), len(ours_lat) / ours_time
                t50, t95, trs = statistics.median(theirs_lat), p95(theirs_lat), len(theirs_lat) / theirs_time
                fails = f"  failures: gcmkg {ours_fail}, oxigraph {theirs_fail}" if ours_fail or theirs_fail else ""
                print(
                    f"{case.name:7} {concurrency:>4} | {o50 * 1000:7.1f}ms {o95 * 1000:6.1f}ms {ors:7.0f} | "
                    f"{t50 * 1000:10.1f}ms {t95 * 1000:6.1f}ms {trs:7.0f} | "
                    f"{o50 / t50:6.2f} {o95 / t95:6.2f} {ors / trs:7.2f}{fails}"
                )
    finally:
        stop(ours_process)
        stop(theirs_process)


if __name__ == "__main__":
    main()

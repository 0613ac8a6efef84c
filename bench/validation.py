"""Validation (stage ⑤) on a built release: seconds per part, several runs, and at larger scales.

Not a test: it prints figures (``make validate-bench``).  The release's N-Quads dump is loaded
into an in-memory store, as the build validates it, and validated with gcmkg's own engine (the
SHACL shapes compiled into SPARQL, :mod:`gcmkg.shacl`) and the ``shapes/checks/*.rq`` checks,
side by side on two threads.  Each part's seconds are printed, the median of the runs, and the
CPU seconds of all threads together (less sensitive than wall time to a busy machine).
``--scale 1 4 16`` validates the graph made of that many copies of the release (every IRI under
``id/`` renamed per copy), so time per quad shows whether each part is linear in the graph's size.
``--reference`` also times pyshacl (the reference engine) once at 1×.

    .venv/bin/python bench/validation.py --build-dir build [--runs 3] [--scale 1 4 16] [--reference]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from gcmkg.build import ontology_graph
from gcmkg.releases import CURRENT
from gcmkg.settings import load_settings
from gcmkg.store import GraphStore
from gcmkg.validate import violations


def copies(dump: bytes, base_iri: str, scale: int) -> GraphStore:
    """The graph of ``scale`` copies of the dump, each copy's resources under ``id/<n>/``."""
    store = Store()
    resources = f"<{base_iri}id/".encode()
    for n in range(scale):
        store.bulk_load(
            dump.replace(resources, f"<{base_iri}id/{n}/".encode()) if n else dump, format=RdfFormat.N_QUADS
        )
    return GraphStore(store, base_iri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", type=int, nargs="+", default=[1])
    parser.add_argument("--reference", action="store_true", help="also time pyshacl once, at 1x")
    args = parser.parse_args()
    release = args.build_dir / CURRENT
    base_iri = (release / "base-iri.txt").read_text(encoding="utf-8").strip()
    settings = load_settings(base_iri=base_iri, build_dir=args.build_dir)
    dump = (release / "dumps" / "gcmkg.nq").read_bytes()
    for scale in args.scale:
        store = copies(dump, base_iri, scale)
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            timings: dict[str, float] = {}
            cpu, started = time.process_time(), time.perf_counter()
            found = violations(
                store, settings.shapes_dir, ontology_graph(settings), threads=args.threads, timings=timings
            )
            timings["total (ontology parse and labels included)"] = time.perf_counter() - started
            timings["CPU of all threads (total)"] = time.process_time() - cpu
            runs.append(timings)
        print(f"{scale}x: {len(store)} quads, {len(found)} violation(s), {args.runs} runs, {args.threads} threads")
        for part in runs[0]:
            seconds = statistics.median(run[part] for run in runs)
            print(f"  {part:45} {seconds:7.3f} s  {seconds / len(store) * 1e6:6.2f} µs/quad")
        if args.reference and scale == 1:
            started = time.perf_counter()
            violations(store, settings.shapes_dir, ontology_graph(settings), engine="pyshacl", threads=args.threads)
            print(f"  {'the same with pyshacl (the reference)':45} {time.perf_counter() - started:7.3f} s")


if __name__ == "__main__":
    main()

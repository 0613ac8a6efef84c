"""The build and a few lookups at 1×, 4×, 16× and 64× the real corpus (``make bench-scale``).

Not a test: it prints figures.  For each scale it generates a synthetic corpus, builds it with
``gcmkg build`` in a process of its own, and prints the quads, the seconds of each build stage
(the build's last progress line, :class:`gcmkg.build.Stopwatch`) and their total, the time per
1,000 quads of each stage (a stage that grows faster than the graph shows there), and the peak
memory of the build: the most any one of its processes held (``getrusage``) and the most its
processes held together (their proportional set sizes in ``/proc``, sampled every 50 ms, so
that the pages the build's forked workers share with it count once).  Then it serves the release with
``gcmkg serve`` and times, one request after another, a resource's description by IRI (Turtle),
the saved query ``provision-text`` and an ad-hoc lookup by IRI, each over 20 provisions of the
first copy, and prints the median and its ratio to 1×.

The synthetic corpus (:func:`write_corpus`), honestly N times the work: N copies of the whole
corpus, the texts byte for byte (so every checksum is verified and every loader parses every
copy), each copy its own *edition* of the manifest, with its own document keys
(``a-73-l-66-x2`` …) and titles (the symbol stays: the loaders check it against the text), so
every IRI it mints is its own: every loader, linker, validation step, dump and the store work on
N copies; the linkers relate each copy's texts to each other (``edition``,
:func:`gcmkg.build.link_editions`).  Copy 1 is the real corpus, keys
unchanged, so the linkers' figures on their samples are those of the real build, and the lookups
ask for the same resources at every scale.  The catalogue and the ontology are not copied (one
vocabulary, one list of instruments), so the graph is a little less than N times the real one.
The corpus is written to a temporary folder, never into ``corpus/``.

    .venv/bin/python bench/scale.py [--scales 1,4,16,64] [--no-queries] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BIN = Path(sys.executable).parent
BASE = "http://127.0.0.1:8000/"
SAMPLED = 20  # provisions of copy 1 each lookup is timed over
# the memory the build may hold at 64× (all its processes together), checked and printed
BOUND_MIB = 3072


def copy_key(key: str, copy: int) -> str:
    return key if copy == 1 else f"{key}-x{copy}"


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def write_corpus(scale: int, folder: Path, source: Path = CORPUS) -> int:
    """``scale`` copies of the corpus in ``source`` (texts and manifest) into ``folder``; the documents written.

    Copy ``k`` > 1: each file as ``<name>-x<k>.txt`` (hard-linked where it can be), each document
    key and title marked with its copy, ``part_of`` pointing into the same copy, and the
    copy's texts one ``edition``.
    """
    manifest = tomllib.loads((source / "manifest.toml").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    keys = {document["key"] for text in manifest["text"] for document in text.get("document", [])}
    lines = ["# A synthetic corpus written by bench/scale.py: copies of corpus/, one edition each."]
    documents = 0
    for copy in range(1, scale + 1):
        for text in manifest["text"]:
            stem, suffix = text["file"].rsplit(".", 1)
            name = text["file"] if copy == 1 else f"{stem}-x{copy}.{suffix}"
            target = folder / name
            try:
                os.link(source / text["file"], target)
            except OSError:
                shutil.copyfile(source / text["file"], target)
            lines += ["", "[[text]]", f"file = {_toml(name)}"]
            lines += [f"{field_name} = {_toml(text[field_name])}" for field_name in ("sha256", "language", "loader")]
            if copy > 1:
                lines.append(f'edition = "x{copy}"')
            for document in text.get("document", []):
                lines += ["", "[[text.document]]"]
                for field_name, value in document.items():
                    if field_name == "key" or (field_name in ("part_of", "version_of") and value in keys):
                        value = copy_key(value, copy)
                    elif copy > 1 and field_name == "title":
                        value = f"{value} (synthetic copy {copy})"
                    lines.append(f"{field_name} = {_toml(value)}")
                documents += 1
    (folder / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return documents


@dataclass
class Built:
    scale: int
    quads: int
    seconds: float  # the build's own total ("built … in X s")
    stages: dict[str, float]
    max_process_mib: float  # getrusage: the largest of the build's processes
    tree_peak_mib: float  # /proc: the most its processes held together
    latency_ms: dict[str, float] = field(default_factory=dict)


def _tree_pss_mib(pid: int) -> float:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        each = todo.pop()
        try:  # Pss: a page the build's forked workers share with it counts once, not once each
            pss = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{each}/smaps_rollup").read_text(), re.MULTILINE)
        except OSError:
            pss = None
        total += int(pss[1]) if pss else 0
        todo += children.get(each, [])
    return total / 1024


def run_build(scale: int, corpus_dir: Path, build_dir: Path, log: Path) -> Built:
    """``gcmkg build`` of ``corpus_dir`` in a child process, its memory sampled while it runs.

    Its progress lines go to ``log`` as they come (a long build can be followed there).
    """
    argv = [str(BIN / "gcmkg"), "--corpus-dir", str(corpus_dir), "--build-dir", str(build_dir), "build"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with log.open("w", encoding="utf-8") as progress:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=progress, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss_mib(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    err = log.read_text(encoding="utf-8")
    if process.returncode != 0:
        raise SystemExit(f"the build at {scale}× failed ({process.returncode}):\n{err[-4000:]}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    built = re.search(r"built (\d+) quads from \d+ documents in ([\d.]+) s", out)
    stages_line = next(line for line in err.splitlines() if line.startswith("gcmkg: stages: "))
    stages = {
        m[1]: float(m[2])
        for m in re.finditer(r"([a-z ]+?) ([\d.]+) s(?:, |$)", stages_line.removeprefix("gcmkg: stages: "))
    }
    assert built, out
    # ru_maxrss of the children is the largest child's (KiB); unchanged when this one was smaller
    return Built(scale, int(built[1]), float(built[2]), stages, max(largest, before) / 1024, peak)


def time_lookups(build_dir: Path) -> dict[str, float]:
    """Median milliseconds of each lookup, asked one after another of ``gcmkg serve`` over the release."""
    sys.path.insert(0, str(Path(__file__).parent))
    import httpx

    from cases import JSON, TURTLE, query_path
    from servers import start_gcmkg

    paths = [f"id/a-73-l-66/en/annex/para/{n}" for n in range(17, 17 + SAMPLED)]
    requests = {
        "deref": [(p, TURTLE) for p in paths],
        "saved:provision-text": [(f"queries/provision-text?provision={p}", JSON) for p in paths],
        "adhoc:lookup": [
            (query_path(f"SELECT ?p ?o WHERE {{ <{BASE}{p}> ?p ?o }}", "sparql").lstrip("/"), JSON) for p in paths
        ],
    }
    server = start_gcmkg(build_dir, BASE)
    try:
        medians = {}
        with httpx.Client(timeout=60) as client:
            for kind, asked in requests.items():
                times = []
                for path, accept in asked * 3:
                    started = time.perf_counter()
                    answer = client.get(server.url + path, headers={"Accept": accept})
                    times.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise SystemExit(f"{kind}: {path} answered {answer.status_code}")
                medians[kind] = statistics.median(times) * 1000
        return medians
    finally:
        server.stop()


def print_table(results: list[Built]) -> None:
    base = results[0]
    stages = list(base.stages)
    header = f"{'scale':>5} {'quads':>10} {'total s':>8} {'s/1k q':>7} {'ratio':>6}"
    print(f"\n{header} {'max proc MiB':>12} {'all PSS MiB':>11}")
    for r in results:
        ratio = r.seconds / base.seconds if base.seconds else 0.0
        print(
            f"{r.scale:>4}× {r.quads:>10,} {r.seconds:>8.1f} {r.seconds / r.quads * 1000:>7.3f} {ratio:>6.1f} "
            f"{r.max_process_mib:>12.0f} {r.tree_peak_mib:>11.0f}"
        )
    print("\nseconds per stage (and per 1,000 quads):")
    print(f"{'stage':<14}" + "".join(f"{f'{r.scale}×':>20}" for r in results))
    for stage in stages:
        cells = [f"{r.stages.get(stage, 0.0):>9.2f} ({r.stages.get(stage, 0.0) / r.quads * 1000:.4f})" for r in results]
        print(f"{stage:<14}" + "".join(f"{cell:>20}" for cell in cells))
    if any(r.latency_ms for r in results):
        print("\nlookups, median ms (ratio to 1×), one request at a time:")
        print(f"{'lookup':<22}" + "".join(f"{f'{r.scale}×':>16}" for r in results))
        for kind in base.latency_ms:
            cells = [f"{r.latency_ms[kind]:.1f} ({r.latency_ms[kind] / base.latency_ms[kind]:.2f})" for r in results]
            print(f"{kind:<22}" + "".join(f"{cell:>16}" for cell in cells))
    largest = max(results, key=lambda r: r.scale)
    held = largest.tree_peak_mib
    verdict = "held" if held <= BOUND_MIB else "EXCEEDED"
    print(
        f"\nmemory bound: the build's processes together ≤ {BOUND_MIB} MiB at {largest.scale}×: "
        f"{held:.0f} MiB, {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scales", default="1,4,16,64", help="comma-separated multiples of the corpus (first: the 1× base)"
    )
    parser.add_argument("--no-queries", action="store_true", help="time the builds only")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temporary folder, removed)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gcmkg-scale-"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    results = []
    try:
        for scale in scales:
            corpus_dir, build_dir = work / f"corpus-{scale}", work / f"build-{scale}"
            shutil.rmtree(corpus_dir, ignore_errors=True)
            shutil.rmtree(build_dir, ignore_errors=True)
            documents = write_corpus(scale, corpus_dir)
            log = work / f"build-{scale}.log"
            print(f"{scale}×: {documents} documents, building (progress in {log}) …", flush=True)
            result = run_build(scale, corpus_dir, build_dir, log)
            stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.stages.items())
            print(f"{scale}×: seconds per stage: {stages}", flush=True)
            if not args.no_queries:
                result.latency_ms = time_lookups(build_dir)
            print(
                f"{scale}×: {result.quads:,} quads in {result.seconds:.1f} s, "
                f"{result.tree_peak_mib:.0f} MiB at most (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            results.append(result)
            if not args.keep:
                shutil.rmtree(build_dir, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results)


if __name__ == "__main__":
    main()

"""The build and a few lookups at 1×, 4×, 16× and 64× the real corpus (``make bench-scale``).

Not a test: it prints figures.  For each scale it generates a synthetic corpus, builds it with
``gcmkg build`` in a process of its own, and prints the quads, the wall and CPU seconds of each
build stage (the build's last progress lines, :class:`gcmkg.build.Stopwatch`) and their totals, and
the time per 1,000 quads of each (a stage that grows faster than the graph shows there).  Then the
issue's figures: whether the build's time is linear in the graph (:func:`linearity`: the marginal
seconds per 1,000 quads of the last step between scales against the first step's, wall and CPU),
the peak memory of the build's process, of its store writer and of all its processes together
(proportional set sizes from ``/proc``, sampled every 50 ms, so that a page the forked workers
share with the build counts once) against the bounds it holds (:func:`memory_bounds`), and the
lookups.  It serves the release with ``gcmkg serve`` and times, one request after another, a
resource's description by IRI (Turtle and HTML), the saved query ``provision-text`` and an ad-hoc
lookup by IRI, each over 20 provisions of the first copy: the first round ("computed": each answer
made on the store, the first time it is asked in the release), then five rounds taking turns
(asked again, as the service answers a repeated question), and prints the medians and their
ratios to 1×, against the issue's limit of 2×.

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
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BIN = Path(sys.executable).parent
BASE = "http://127.0.0.1:8000/"
SAMPLED = 20  # provisions of copy 1 each lookup is timed over
LOOKUP_ROUNDS = 5  # each lookup's median is of SAMPLED × LOOKUP_ROUNDS requests
# The memory the build holds, at any scale (measured at 1×, 4×, 16×: its process 108, 181, 470 MiB;
# its store writer 55, 144, 178 MiB).  The build's process holds the graph in memory (an
# in-memory pyoxigraph store, validated and indexed there, and the document model until the
# graph is made): about 0.65 KiB per quad, linear.  The store writer bulk-loads in slices and
# reads the store back in blocks (gcmkg.dumps): its memory does not grow with the corpus.
BUILD_BASE_MIB = 96
BUILD_KIB_PER_QUAD = 0.75
WRITER_MIB = 256
# Linear: the marginal cost per quad of the last step between scales at most this times the first step's.
LINEAR_LIMIT = 1.25
LATENCY_LIMIT = 2.0  # the issue: lookups at every scale no slower than 2× the 1× figure


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
    stages: dict[str, float]  # wall seconds per stage
    cpu: dict[str, float]  # CPU seconds per stage (the build's and its children's)
    peaks: dict[str, float]  # MiB at most (/proc, PSS): "build", "store writer", "workers", "all"
    latency_ms: dict[str, float] = field(default_factory=dict)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def _pss_mib(pid: int) -> float:
    try:  # Pss: a page the build's forked workers share with it counts once, not once each
        pss = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
    except OSError:
        return 0.0
    return int(pss[1]) / 1024 if pss else 0.0


def _tree_pss_mib(pid: int) -> dict[str, float]:
    """MiB held now by the build ``pid`` and its descendants: the build, its store writer, its workers, all."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    held = {"build": _pss_mib(pid), "store writer": 0.0, "workers": 0.0}
    todo = list(children.get(pid, []))
    while todo:
        each = todo.pop()
        try:
            writer = b"gcmkg.dumps" in Path(f"/proc/{each}/cmdline").read_bytes()
        except OSError:
            continue
        held["store writer" if writer else "workers"] += _pss_mib(each)
        todo += children.get(each, [])
    held["all"] = sum(held.values())
    return held


def _stage_seconds(err: str, prefix: str) -> dict[str, float]:
    line = next(line for line in err.splitlines() if line.startswith(prefix))
    return {m[1]: float(m[2]) for m in re.finditer(r"([a-z ]+?) ([\d.]+) s(?:, |$)", line.removeprefix(prefix))}


def run_build(scale: int, corpus_dir: Path, build_dir: Path, log: Path) -> Built:
    """``gcmkg build`` of ``corpus_dir`` in a child process, its memory sampled while it runs.

    Its progress lines go to ``log`` as they come (a long build can be followed there).
    """
    argv = [str(BIN / "gcmkg"), "--corpus-dir", str(corpus_dir), "--build-dir", str(build_dir), "build"]
    with log.open("w", encoding="utf-8") as progress:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=progress, text=True)
    peaks: dict[str, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for part, mib in _tree_pss_mib(process.pid).items():
                peaks[part] = max(peaks.get(part, 0.0), mib)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    err = log.read_text(encoding="utf-8")
    if process.returncode != 0:
        raise SystemExit(f"the build at {scale}× failed ({process.returncode}):\n{err[-4000:]}")
    built = re.search(r"built (\d+) quads from \d+ documents in ([\d.]+) s", out)
    assert built, out
    stages, cpu = _stage_seconds(err, "gcmkg: stages: "), _stage_seconds(err, "gcmkg: stages cpu: ")
    return Built(scale, int(built[1]), float(built[2]), stages, cpu, peaks)


def time_lookups(build_dir: Path) -> dict[str, float]:
    """Median milliseconds of each lookup, asked one after another of ``gcmkg serve`` over the release."""
    sys.path.insert(0, str(Path(__file__).parent))
    import httpx

    from cases import JSON, TURTLE, query_path
    from servers import start_gcmkg

    paths = [f"id/a-73-l-66/en/annex/para/{n}" for n in range(17, 17 + SAMPLED)]
    requests = {
        "deref:turtle": [(p, TURTLE) for p in paths],
        "deref:html": [(p, "text/html") for p in paths],
        "saved:provision-text": [(f"queries/provision-text?provision={p}", JSON) for p in paths],
        "adhoc:lookup": [
            (query_path(f"SELECT ?p ?o WHERE {{ <{BASE}{p}> ?p ?o }}", "sparql").lstrip("/"), JSON) for p in paths
        ],
    }
    server = start_gcmkg(build_dir, BASE)
    try:
        times: dict[str, list[float]] = {kind: [] for kind in requests}
        times |= {f"{kind} computed": [] for kind in requests}
        with httpx.Client(timeout=60) as client:
            # The first round asks each question for the first time in the release: its answer is
            # computed on the store, and timed as "computed".  The later rounds are answered as the
            # service answers a question asked before (from the release's caches); they take turns,
            # so that a busy moment of the machine falls on all of them, not on one.
            for round_number in range(LOOKUP_ROUNDS + 1):
                for kind, asked in requests.items():
                    for path, accept in asked:
                        started = time.perf_counter()
                        answer = client.get(server.url + path, headers={"Accept": accept})
                        times[kind if round_number else f"{kind} computed"].append(time.perf_counter() - started)
                        if answer.status_code != 200:
                            raise SystemExit(f"{kind}: {path} answered {answer.status_code}")
        return {kind: statistics.median(each) * 1000 for kind, each in times.items()}
    finally:
        server.stop()


def linearity(results: list[Built], seconds: Callable[[Built], float]) -> tuple[list[float], float]:
    """Marginal seconds per 1,000 quads of each step between scales, and the last step's over the first's.

    Marginal, not total over quads: the fixed costs of a build (an interpreter, the ontology, the
    catalogue) weigh on 1× alone, and would make any build look better than linear.
    """
    slopes = [
        (seconds(b) - seconds(a)) / (b.quads - a.quads) * 1000 for a, b in zip(results, results[1:], strict=False)
    ]
    return slopes, (slopes[-1] / slopes[0] if slopes and slopes[0] > 0 else float("nan"))


def memory_bounds(quads: int) -> dict[str, float]:
    """The MiB the build holds at most for a graph of ``quads`` (the constants above): per part, and all."""
    build = BUILD_BASE_MIB + BUILD_KIB_PER_QUAD * quads / 1024
    return {"build": build, "store writer": WRITER_MIB, "all": build + WRITER_MIB}


def print_table(results: list[Built]) -> None:
    base = results[0]
    print(f"\n{'scale':>5} {'quads':>10} {'wall s':>8} {'s/1k q':>7} {'CPU s':>8} {'CPU/1k q':>8}")
    for r in results:
        print(
            f"{r.scale:>4}× {r.quads:>10,} {r.seconds:>8.1f} {r.seconds / r.quads * 1000:>7.3f} "
            f"{r.cpu_seconds:>8.1f} {r.cpu_seconds / r.quads * 1000:>8.3f}"
        )
    for title, figures in (("wall", base.stages), ("CPU", base.cpu)):
        print(f"\n{title} seconds per stage (and per 1,000 quads):")
        print(f"{'stage':<16}" + "".join(f"{f'{r.scale}×':>20}" for r in results))
        for stage in figures:
            cells = []
            for r in results:
                value = (r.stages if title == "wall" else r.cpu).get(stage, 0.0)
                cells.append(f"{value:>9.2f} ({value / r.quads * 1000:.4f})")
            print(f"{stage:<16}" + "".join(f"{cell:>20}" for cell in cells))
    if len(results) > 1:
        print(f"\nlinear in size? marginal s per 1,000 quads between scales; linear if last/first ≤ {LINEAR_LIMIT}:")
        for title, seconds in (("wall", lambda r: r.seconds), ("CPU", lambda r: r.cpu_seconds)):
            slopes, ratio = linearity(results, seconds)
            pairs = zip(results, results[1:], slopes, strict=False)  # one slope per step
            steps = ", ".join(f"{a.scale}→{b.scale}× {slope:.3f}" for a, b, slope in pairs)
            verdict = "linear" if ratio <= LINEAR_LIMIT else "NOT LINEAR"
            print(f"  {title:<5} {steps}; last/first {ratio:.2f}: {verdict}")
    print(
        f"\npeak memory, MiB, against the bound (build ≤ {BUILD_BASE_MIB} + {BUILD_KIB_PER_QUAD} KiB per quad, "
        f"store writer ≤ {WRITER_MIB} at any scale, all ≤ their sum):"
    )
    print(f"{'scale':>5} " + "".join(f"{part:>24}" for part in ("build", "store writer", "all")) + f"{'workers':>10}")
    for r in results:
        bounds = memory_bounds(r.quads)
        cells = []
        for part in ("build", "store writer", "all"):
            held = r.peaks.get(part, 0.0)
            cells.append(f"{held:.0f} ≤ {bounds[part]:.0f} {'held' if held <= bounds[part] else 'EXCEEDED'}")
        print(f"{r.scale:>4}× " + "".join(f"{cell:>24}" for cell in cells) + f"{r.peaks.get('workers', 0.0):>10.0f}")
    if any(r.latency_ms for r in results):
        print(f"\nlookups, median ms (ratio to 1×), one request at a time; the limit: {LATENCY_LIMIT:g}× the 1× figure")
        print(f"{'lookup':<30}" + "".join(f"{f'{r.scale}×':>16}" for r in results) + "  verdict")
        for kind in base.latency_ms:
            ratios = [r.latency_ms[kind] / base.latency_ms[kind] for r in results]
            cells = [f"{r.latency_ms[kind]:.1f} ({ratio:.2f})" for r, ratio in zip(results, ratios, strict=True)]
            verdict = "within" if max(ratios) <= LATENCY_LIMIT else "OVER"
            print(f"{kind:<30}" + "".join(f"{cell:>16}" for cell in cells) + f"  {verdict}")


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
            cpu = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.cpu.items())
            print(f"{scale}×: CPU seconds per stage: {cpu}", flush=True)
            if not args.no_queries:
                result.latency_ms = time_lookups(build_dir)
            print(
                f"{scale}×: {result.quads:,} quads in {result.seconds:.1f} s, "
                f"{result.peaks.get('all', 0.0):.0f} MiB at most (load average {os.getloadavg()[0]:.1f})",
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

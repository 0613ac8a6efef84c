"""The build: corpus → parsed documents → quads → linked → validated → stored, swapped in.

Every build writes a new release folder ``build/releases/<id>/`` holding

* ``parsed/<key>-<lang>.json``  the document model each loader produced (stage ②);
* ``store/``                    the pyoxigraph store (stage ⑥);
* ``dumps/``                    ``gcmkg.nq`` (all named graphs), ``gcmkg.ttl`` (the union),
                                and one N-Quads file per named graph;
* ``search/``                   the full-text index of every provision (:mod:`gcmkg.search`),
                                written from the validated store;
* ``report.txt``                what was built, with counts, and the linkers' figures.
* ``built.txt``                 when it was built (UTC): the ``Last-Modified`` of its answers on
                                every replica (:func:`gcmkg.releases.built_at`).

Only when every stage passed is ``build/current`` switched (an atomic symlink replace) to the
new release.  A failed build deletes its own release folder and leaves ``build/current``
(the last good store and dumps) untouched.  The release before the current one is kept, and so
is any release a running service has pinned (:mod:`gcmkg.releases`); older ones are pruned.

Loaders are found through the ``gcmkg.loaders`` entry-point group (declared in
``pyproject.toml``), so this core package never imports ``loaders`` by name.

Stage ④ (linking): the catalogue (``catalogue/*.ttl``) is loaded once by a step of its own;
the linkers, described as :class:`gcmkg.links.Linker` in the ``gcmkg.linkers`` group, each
declare what they need (the documents, the catalogue, another linker's output) and run after
all texts are parsed, in the order those needs give (:func:`linker_order`).  A linker returns
:class:`gcmkg.links.Links`, model objects only; :mod:`gcmkg.rdf` turns them into quads.

Measurement (after stage ④): every linker whose :class:`~gcmkg.links.Linker` names a ``sample``
and a ``measure`` is measured against ``samples/{sample}`` (:func:`measure_linkers`); each
figure is printed, written in the report's ``quality`` section and published in the graph as
W3C DQV (:func:`gcmkg.rdf.quality_quads`, named graph ``graph/quality``).  A figure below its
target is flagged ("BELOW TARGET") but does not stop the build.  The release the figures were
computed on is named by the SHA-256 digest of the graph's sorted N-Quads (the quality graph
excepted), so the same input still gives byte-identical dumps.

Findings are numbered here and nowhere else (:func:`numbered_findings`): one series per
document, ``id/{key}/{lang}/finding/{n}``, the loader's findings first, then the linkers'.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, TypeVar

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat

from gcmkg import corpus, dumps, releases, search
from gcmkg.corpus import CorpusEntry
from gcmkg.errors import GcmkgError, ValidationFailed
from gcmkg.iris import Iris
from gcmkg.linking.catalogue import Catalogue
from gcmkg.links import CATALOGUE, DOCUMENTS, PROVIDED, Linker, Links, Measure
from gcmkg.model import Document, Finding
from gcmkg.rdf import (
    build_quads,
    catalogue_quads,
    compact_quads,
    document_quads,
    finding_quads,
    links_quads,
    quality_quads,
)
from gcmkg.settings import Settings
from gcmkg.store import GraphStore
from gcmkg.validate import violations

ONTOLOGY_FILE = "gcm.ttl"


class Loader(Protocol):
    def __call__(self, path: Path, entry: CorpusEntry) -> list[Document]: ...


Progress = Callable[[str], None]
R = TypeVar("R")


def _quiet(_: str) -> None:
    pass


def loaders() -> dict[str, Any]:
    """Installed loaders by name (entry points, loaded only when a text needs one)."""
    return {ep.name: ep for ep in entry_points(group="gcmkg.loaders")}


def linkers() -> list[Linker]:
    """Installed linkers (``gcmkg.linkers`` entry points), in the order they run."""
    found = []
    for ep in entry_points(group="gcmkg.linkers"):
        linker = ep.load()
        if not isinstance(linker, Linker) or linker.name != ep.name:
            raise GcmkgError(f"entry point gcmkg.linkers {ep.name} = {ep.value} is not a Linker named {ep.name!r}")
        found.append(linker)
    return linker_order(found)


def linker_order(linkers: Iterable[Linker]) -> list[Linker]:
    """The linkers ordered so that each runs after the linkers whose output it needs; ties by name.

    Raises :class:`GcmkgError` for a repeated name, a need nothing provides, or linkers that
    need each other in a cycle.
    """
    pending: dict[str, Linker] = {}
    for linker in sorted(linkers, key=lambda linker: linker.name):
        if linker.name in pending or linker.name in PROVIDED:
            raise GcmkgError(f"linker name {linker.name!r} is used twice (or names what the build provides)")
        pending[linker.name] = linker
    for linker in pending.values():
        for need in linker.needs:
            if need not in PROVIDED and need not in pending:
                raise GcmkgError(
                    f"linker {linker.name!r} needs {need!r}, which neither the build "
                    f"({', '.join(sorted(PROVIDED))}) nor an installed linker provides"
                )
    order: list[Linker] = []
    done: set[str] = set(PROVIDED)
    while pending:
        ready = next((linker for linker in pending.values() if done.issuperset(linker.needs)), None)
        if ready is None:
            waiting = {name: sorted(set(each.needs) - done) for name, each in pending.items()}
            cycle = "; ".join(f"{name} needs {', '.join(needs)}" for name, needs in waiting.items())
            raise GcmkgError(f"linkers need each other in a cycle: {cycle}")
        order.append(pending.pop(ready.name))
        done.add(ready.name)
    return order


@dataclass
class LoadedText:
    entry: CorpusEntry
    documents: list[Document]
    loader: str


@dataclass(frozen=True)
class Measured:
    """One figure of one linker against its hand-checked sample, as the build reports and publishes it."""

    linker: str
    sample: str  # file name in samples/
    entries: int  # the sample's entry count (:func:`sample_entries`)
    measure: Measure


@dataclass
class BuildResult:
    release: Path
    quads: int
    graphs: dict[str, int] = field(default_factory=dict)
    documents: list[str] = field(default_factory=list)
    seconds: float = 0.0
    measured: list[Measured] = field(default_factory=list)
    digest: str = ""  # the release as measured: SHA-256 of the sorted N-Quads, graph/quality excepted
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage (Stopwatch), not in the report

    @property
    def below_target(self) -> list[Measured]:
        return [m for m in self.measured if not m.measure.meets_target]


def _cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and of its ended children (forked workers, the store writer)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Stopwatch:
    """Seconds per stage of one build, in the order the stages ran (printed last; ``make bench-scale`` reads them).

    Wall seconds, and CPU seconds: the build's own, and its children's in the stage that waits for
    them to end (the forked workers of parse and link in theirs; the store writer, which runs
    beside validation and search, all in "store wait").  On a shared machine the CPU seconds
    say what a stage costs; the wall seconds also hold the time it waited for a core.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._last = time.perf_counter()
        self._last_cpu = _cpu_seconds()

    def lap(self, stage: str) -> None:
        """The time since the last lap is ``stage``'s (added to it, for a stage that runs in parts)."""
        now, cpu = time.perf_counter(), _cpu_seconds()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu

    def line(self) -> str:
        return "stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in self.seconds.items())

    def cpu_line(self) -> str:
        return "stages cpu: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in self.cpu.items())


def parse_corpus(settings: Settings, progress: Progress = _quiet) -> list[LoadedText]:
    """Stages ①–②: verify the corpus, then run each text's loader (texts side by side, :func:`in_processes`)."""
    entries = corpus.verify(settings.corpus_dir)
    progress(f"corpus: {len(entries)} texts, checksums verified")
    available = loaders()
    jobs: list[tuple[CorpusEntry, Path, Loader]] = []
    for entry in entries:
        if not entry.loader:
            progress(f"parse: {entry.file}: no loader yet, carried but not parsed")
            continue
        if entry.loader not in available:
            raise GcmkgError(
                f"corpus/manifest.toml: {entry.file} names loader {entry.loader!r}, which is not installed "
                f"(known: {', '.join(sorted(available)) or 'none'}; run `make install`)"
            )
        jobs.append((entry, entry.path(settings.corpus_dir), available[entry.loader].load()))
    loaded = []
    for (entry, _, _), (documents, seconds) in zip(jobs, in_processes(_parse_text, jobs), strict=True):
        count = sum(1 for d in documents for _ in d.walk())
        progress(f"parse: {entry.file}: {len(documents)} document(s), {count} provisions ({seconds:.1f} s)")
        loaded.append(LoadedText(entry, documents, f"loaders/{entry.loader}.py"))
    return loaded


def _parse_text(jobs: list[tuple[CorpusEntry, Path, Loader]], index: int) -> tuple[list[Document], float]:
    started = time.perf_counter()
    entry, path, load = jobs[index]
    return load(path, entry), time.perf_counter() - started


# The state a forked worker of in_processes reads its jobs from: inherited, never pickled.
_SHARED: Any = None


def _share(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _run_job(job: tuple[Callable[[Any, int], Any], int]) -> tuple[bool, Any]:
    function, index = job
    try:
        return True, function(_SHARED, index)
    except BaseException:  # run again where it is understood: the caller raises it (in_processes)
        return False, None


def in_processes(function: Callable[[Any, int], R], shared: Sequence[Any]) -> list[R]:
    """``function(shared, i)`` for each index of ``shared``, on every core the build may use; results in order.

    Pure-Python stages share no interpreter lock this way.  The workers are forks of the build,
    so ``shared`` (documents, loaders, linkers) reaches them without being pickled; only each
    result comes back pickled.  A job that raises is run again here, so that its error is raised
    with the type and traceback the command line reports.  One core, one job, or a caller with
    threads (a fork copies no thread but the caller's, and the locks the others held): no processes.
    """
    workers = min(len(shared), len(os.sched_getaffinity(0)))
    if workers < 2 or threading.active_count() > 1:
        return [function(shared, index) for index in range(len(shared))]
    context = multiprocessing.get_context("fork")
    # The workers inherit the build's heap (at 64× the corpus, millions of objects): frozen, the
    # cyclic collector of each worker leaves it alone instead of walking it again and again,
    # and does not touch (and so copy) its pages.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=(shared,)) as pool:
            results = list(pool.map(_run_job, [(function, index) for index in range(len(shared))]))
    finally:
        gc.unfreeze()
    return [value if ok else function(shared, index) for index, (ok, value) in enumerate(results)]


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and value.__class__.__module__ == "gcmkg.model":
        return value.value  # enums
    return value


def write_parsed(texts: list[LoadedText], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for text in texts:
        for document in text.documents:
            target = folder / f"{document.key}-{document.language}.json"
            target.write_text(json.dumps(_jsonable(document), ensure_ascii=False, indent=1), encoding="utf-8")


def ontology_graph(settings: Settings) -> rdflib.Graph:
    graph = rdflib.Graph()
    path = settings.ontology_dir / ONTOLOGY_FILE
    if path.is_file():
        graph.parse(path, format="turtle", publicID=settings.base_iri)
    return graph


def load_catalogue(settings: Settings) -> Catalogue:
    """Stage ④, first step: the instrument and actor catalogue that linkers may need."""
    return Catalogue.load(Iris(settings.base_iri), settings.catalogue_dir)


def run_linkers(
    iris: Iris, ordered: Iterable[Linker], provided: dict[str, object], progress: Progress = _quiet
) -> dict[str, Links]:
    """Stage ④: the linkers in the order given, each handed what it needs; their links by name.

    ``provided`` holds what the build provides (:data:`gcmkg.links.PROVIDED`); a need that is
    a linker's name gets that linker's links, so ``ordered`` must come from :func:`linker_order`.
    """
    return link_editions(iris, ordered, [provided], progress)


def link_editions(
    iris: Iris, ordered: Iterable[Linker], editions: Sequence[dict[str, object]], progress: Progress = _quiet
) -> dict[str, Links]:
    """:func:`run_linkers` once per edition (what the build provides for each), each linker's links concatenated.

    The real corpus is one edition; a synthetic one (``bench/scale.py``) holds copies of it, and
    a linker relates the texts of one copy to each other, never to another copy's.  The linkers
    that need only what the build provides run side by side (:func:`in_processes`), one job per
    linker and edition; a linker that needs another's links runs after, here.
    """
    ordered = list(ordered)
    found: list[dict[str, Links]] = [{} for _ in editions]
    seconds: dict[str, float] = defaultdict(float)
    jobs = [
        (iris, linker, provided, number)
        for linker in ordered
        if PROVIDED.issuperset(linker.needs)
        for number, provided in enumerate(editions)
    ]
    for (_, linker, _, number), (links, spent) in zip(jobs, in_processes(_run_linker, jobs), strict=True):
        found[number][linker.name] = links
        seconds[linker.name] += spent
    merged: dict[str, Links] = {}
    for linker in ordered:
        for number, (provided, links_of) in enumerate(zip(editions, found, strict=True)):
            if linker.name not in links_of:
                links_of[linker.name], spent = _run_linker([(iris, linker, {**provided, **links_of}, number)], 0)
                seconds[linker.name] += spent
        merged[linker.name] = links = _concatenated([links_of[linker.name] for links_of in found])
        progress(
            f"link: {linker.name}: {len(links.alignments)} alignments, {len(links.mentions)} mentions, "
            f"{len(links.findings)} findings ({seconds[linker.name]:.1f} s)"
        )
    return merged


def _run_linker(jobs: Sequence[tuple[Iris, Linker, dict[str, Any], int]], index: int) -> tuple[Links, float]:
    started = time.perf_counter()
    iris, linker, provided, _ = jobs[index]
    return linker.run(iris, **{need: provided[need] for need in linker.needs}), time.perf_counter() - started


def _concatenated(parts: list[Links]) -> Links:
    if len(parts) == 1:
        return parts[0]
    return Links(
        **{f.name: [item for part in parts for item in getattr(part, f.name)] for f in dataclasses.fields(Links)}
    )


def editions(texts: Iterable[LoadedText]) -> list[list[Document]]:
    """The documents of each edition (:attr:`gcmkg.corpus.CorpusEntry.edition`), editions in manifest order."""
    by_edition: dict[str, list[Document]] = {}
    for text in texts:
        by_edition.setdefault(text.entry.edition, []).extend(text.documents)
    return list(by_edition.values())


def sample_entries(sample: dict[str, Any]) -> int:
    """A sample's entry count: the items of its top-level lists (``[[entry]]``, ``[[draft]]`` …)."""
    return sum(len(value) for value in sample.values() if isinstance(value, list))


def read_sample(settings: Settings, name: str) -> dict[str, Any]:
    """``samples/{name}``, parsed; a missing or malformed sample is bad input."""
    path = settings.samples_dir / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GcmkgError(f"{path}: the sample a linker names is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise GcmkgError(f"{path}: not valid TOML: {error}") from None


def measure_linkers(
    settings: Settings, iris: Iris, ordered: Iterable[Linker], found: dict[str, Links], progress: Progress = _quiet
) -> list[Measured]:
    """Each linker that names a ``sample`` and a ``measure``, measured on its links; one progress line per figure.

    A figure below its target is reported, not fatal.  A linker that gives one metric twice is
    a fault of that linker (the figures would share an IRI).
    """
    measured: list[Measured] = []
    for linker in ordered:
        if linker.sample is None or linker.measure is None:
            continue
        sample = read_sample(settings, linker.sample)
        entries = sample_entries(sample)
        measures = linker.measure(sample, found[linker.name], iris)
        names = [m.metric for m in measures]
        if len(set(names)) != len(names):
            raise GcmkgError(f"linker {linker.name!r}: its measure gives a metric twice ({', '.join(names)})")
        for m in measures:
            flag = "  BELOW TARGET" if not m.meets_target else ""
            progress(
                f"measure: {linker.name}: {m.metric} {m.hits}/{m.total} = {m.value:.3f} "
                f"(target {m.target:.2f}, sample {linker.sample}){flag}"
            )
            measured.append(Measured(linker.name, linker.sample, entries, m))
    return measured


def graph_digest(store: GraphStore) -> str:
    """The release as measured: SHA-256 of its sorted N-Quads, every graph but ``graph/quality``."""
    quality = Iris(store.base_iri).graph("quality")
    return dumps.digest([dumps.sorted_graph_lines(store, g) for g in store.named_graphs() if g != quality])


def measured_quads(iris: Iris, digest: str, measured: list[Measured]) -> Iterator[Quad]:
    """The quality graph: the build of the release, and each linker's figures (:func:`gcmkg.rdf.quality_quads`)."""
    if not measured:
        return
    yield from build_quads(iris, digest)
    by_linker: dict[str, list[Measured]] = defaultdict(list)
    for m in measured:
        by_linker[m.linker].append(m)
    for linker, figures in by_linker.items():
        first = figures[0]
        yield from quality_quads(iris, digest, linker, first.sample, first.entries, [m.measure for m in figures])


def numbered_findings(
    documents: Iterable[Document], linked: Iterable[Links] = ()
) -> Iterator[tuple[Document, list[tuple[int, Finding]]]]:
    """Each document's findings with their numbers: the one place a finding is numbered.

    One series per document, from 1: the loader's findings in the order it recorded them, then
    each linker's in the order the linkers ran.
    """
    added: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for links in linked:
        for document, finding in links.findings:
            added[document.key, document.language].append(finding)
    for document in documents:
        findings = [*document.findings, *added.pop((document.key, document.language), [])]
        yield document, list(enumerate(findings, start=1))
    if added:
        raise GcmkgError(f"linker findings about documents that are not loaded: {', '.join(map('/'.join, added))}")


def graph_quads(settings: Settings, texts: list[LoadedText], linked: Iterable[Links] = ()) -> Iterator[Quad]:
    """Stage ③ and the RDF of stage ④: the Compact as a work, every document's text and findings, the links."""
    iris = Iris(settings.base_iri)
    linked = list(linked)
    yield from compact_quads(iris)
    for text in texts:
        for document in text.documents:
            yield from document_quads(iris, document, loader=text.loader)
    for document, numbered in numbered_findings([d for t in texts for d in t.documents], linked):
        yield from finding_quads(iris, document, numbered)
    for links in linked:
        yield from links_quads(iris, links)


def fill_graph(
    store: GraphStore,
    settings: Settings,
    texts: list[LoadedText],
    progress: Progress = _quiet,
    watch: Stopwatch | None = None,
) -> list[Measured]:
    """Stages ③–④ into ``store``: the ontology, the catalogue, the texts and the linkers' links; their figures."""
    watch = watch or Stopwatch()
    iris = Iris(settings.base_iri)
    catalogue = load_catalogue(settings)
    progress(f"catalogue: {len(catalogue.entries)} entries")
    watch.lap("catalogue")
    ordered = linkers()
    provided = [{DOCUMENTS: documents, CATALOGUE: catalogue} for documents in editions(texts)]
    linked = link_editions(iris, ordered, provided, progress)
    watch.lap("link")
    # into the store only now: the linkers' workers are forks, and a fork copies no store
    ontology = settings.ontology_dir / ONTOLOGY_FILE
    if ontology.is_file():
        store.load(ontology, graph=iris.graph("ontology"), rdf_format=RdfFormat.TURTLE)
    store.add(catalogue_quads(iris, catalogue.triples))
    store.add(graph_quads(settings, texts, linked.values()))
    watch.lap("rdf")
    measured = measure_linkers(settings, iris, ordered, linked, progress)
    watch.lap("measure")
    return measured


def fill_store(
    store: GraphStore, settings: Settings, texts: list[LoadedText], progress: Progress = _quiet
) -> tuple[list[Measured], str]:
    """:func:`fill_graph`, then the figures (graph ``quality``); the figures and the digest they were computed on."""
    measured = fill_graph(store, settings, texts, progress)
    digest = graph_digest(store)
    store.add(measured_quads(Iris(settings.base_iri), digest, measured))
    return measured, digest


def write_dumps(
    store: GraphStore, folder: Path, measured: list[Measured]
) -> tuple[dict[str, int], str, dumps.Repeated]:
    """The figures into ``store`` and every N-Quads dump into ``folder`` (:mod:`gcmkg.dumps`), sorted once.

    The graphs but ``quality`` are dumped first, and the digest the figures name is computed
    from those files.  Returns the quads per graph, the digest, and the triples that stand in
    several graphs (for the Turtle dump).
    """
    iris = Iris(store.base_iri)
    quality = iris.graph("quality")
    counts = dumps.write_graph_dumps(store, folder, [g for g in store.named_graphs() if g != quality])
    digest = dumps.file_digest([folder / dumps.graph_file(NamedNode(g)) for g in counts])
    store.add(measured_quads(iris, digest, measured))
    counts |= dumps.write_graph_dumps(store, folder, [g for g in store.named_graphs() if g == quality])
    repeated = dumps.write_merged([folder / dumps.graph_file(NamedNode(g)) for g in counts], folder / dumps.MERGED)
    return counts, digest, repeated


def build(settings: Settings, progress: Progress = _quiet) -> BuildResult:
    """Run every stage into a new release and switch ``build/current`` to it if all passed.

    The graph is built, validated and indexed in memory; the on-disk store and the Turtle dump
    are written from ``gcmkg.nq`` by a process of their own meanwhile (:func:`gcmkg.dumps.write_store`),
    which is waited for before the release is swapped in.
    """
    started = time.perf_counter()
    watch = Stopwatch()
    folder = settings.build_dir / releases.RELEASES
    folder.mkdir(parents=True, exist_ok=True)
    release = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-"), dir=folder))
    writer: subprocess.Popen[bytes] | None = None
    try:
        texts = parse_corpus(settings, progress)
        watch.lap("parse")
        write_parsed(texts, release / "parsed")
        watch.lap("parsed json")
        store = GraphStore.in_memory(settings.base_iri)
        measured = fill_graph(store, settings, texts, progress, watch)
        documents = [f"{d.key}/{d.language}" for t in texts for d in t.documents]
        del texts  # the document model is in the store now; the stages after read the store
        started_dumps = time.perf_counter()
        counts, digest, repeated = write_dumps(store, release / "dumps", measured)
        progress(
            f"graph: {len(store)} quads in {len(store.named_graphs())} named graphs, "
            f"N-Quads dumps written ({time.perf_counter() - started_dumps:.1f} s)"
        )
        watch.lap("dumps")
        # the on-disk store, and the Turtle dump in its order, meanwhile on the other core
        writer = dumps.start_store_writer(
            release / "dumps" / dumps.MERGED,
            release / "store",
            settings.base_iri,
            release / "dumps" / dumps.UNION,
            repeated,
        )
        watch.lap("start writer")
        progress("validate: SHACL shapes and shapes/checks/ … (the longest step)")
        started_validation = time.perf_counter()
        found = violations(store, settings.shapes_dir, ontology_graph(settings))
        if found:
            raise ValidationFailed([str(v) for v in found])
        progress(f"validate: all shapes and checks pass ({time.perf_counter() - started_validation:.1f} s)")
        watch.lap("validate")
        started_search = time.perf_counter()
        indexed, facets = search.entries(store)
        figures = search.write_index(release / search.INDEX_FOLDER, indexed, facets)
        seconds = time.perf_counter() - started_search
        progress(f"search: {figures.documents} provisions indexed, {figures.bytes / 1024:.0f} KiB ({seconds:.1f} s)")
        watch.lap("search")
        started_store = time.perf_counter()
        if writer.wait() != 0:
            raise GcmkgError(f"writing the store and gcmkg.ttl failed (exit code {writer.returncode})")
        progress(f"store: written, gcmkg.ttl too (waited {time.perf_counter() - started_store:.1f} s)")
        watch.lap("store wait")
        result = BuildResult(
            release=release,
            quads=len(store),
            graphs=counts,
            documents=documents,
            measured=measured,
            digest=digest,
            stages=watch.seconds,
        )
        result.seconds = time.perf_counter() - started
        (release / "report.txt").write_text(report(result), encoding="utf-8")
        releases.record_base_iri(release, settings.base_iri)
        releases.record_built(release)
    except BaseException:
        if writer is not None and writer.poll() is None:
            writer.kill()
            writer.wait()
        shutil.rmtree(release, ignore_errors=True)
        raise
    releases.switch_current(settings.build_dir, release)
    releases.prune(settings.build_dir, keep=1)
    watch.lap("report and swap")
    progress(f"store: {settings.build_dir / 'current'} -> {release.name}")
    progress(watch.line())
    progress(watch.cpu_line())
    return result


def report(result: BuildResult) -> str:
    lines = [f"release {result.release.name}", f"quads {result.quads}", f"seconds {result.seconds:.1f}", "documents:"]
    lines += [f"  {d}" for d in result.documents]
    lines.append("named graphs:")
    lines += [f"  {g} {n}" for g, n in sorted(result.graphs.items())]
    lines += quality_report(result)
    return "\n".join(lines) + "\n"


def quality_report(result: BuildResult) -> list[str]:
    """The report's ``quality`` section: one line per linker and metric, "BELOW TARGET" where it is."""
    if not result.measured:
        return ["quality: no linker names a sample and a measure"]
    below = result.below_target
    lines = [
        f"quality: {len(result.measured)} figures on hand-checked samples, release {result.digest}, "
        + (f"{len(below)} BELOW TARGET" if below else "all meet their targets"),
        f"  {'linker':<16} {'metric':<28} {'hits/total':>11} {'value':>6} {'target':>6}  sample",
    ]
    for m in result.measured:
        figure = m.measure
        flag = "  BELOW TARGET" if not figure.meets_target else ""
        lines.append(
            f"  {m.linker:<16} {figure.metric:<28} {f'{figure.hits}/{figure.total}':>11} {figure.value:>6.3f} "
            f"{figure.target:>6.2f}  {m.sample} ({m.entries} entries){flag}"
        )
        if figure.note:
            lines.append(f"  {'':<16} {figure.note}")
    return lines


def stderr_progress(message: str) -> None:
    print(f"gcmkg: {message}", file=sys.stderr, flush=True)

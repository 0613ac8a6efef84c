"""Supervised query execution: every untrusted (ad-hoc or saved) query runs here.

pyoxigraph 0.5 cannot cancel a query, executes ``SERVICE`` over HTTP, and aborts the whole
process when a query exhausts memory (:mod:`gcmkg.store`, hazards 1–4).  So a query never runs in the
web process.  :class:`QueryRunner` keeps a small pool of worker processes
(:mod:`gcmkg.service.worker`), each with the store opened read-only once and an address-space
limit.  For each query it

1. refuses updates and ``SERVICE`` from the text alone (:mod:`gcmkg.service.screening`),
   before any engine sees it — no outbound connection is ever made;
2. takes a free worker; when all are busy, and no worker is on its way already (at a cold start
   or as a replacement), it starts one more (up to ``burst_workers`` beyond ``workers``), so that
   a few slow queries do not hold up the quick ones; past that it waits for a free worker (at
   most ``max_wait_s``; then 503 "busy" with ``Retry-After``).  A burst worker is stopped once it
   has been idle for ``burst_idle_s``: a steady load slightly above ``workers`` keeps its burst
   workers instead of starting and stopping one per query;
3. sends the query; the worker parses, evaluates and serialises the *complete* result under
   the row and byte caps, in the thread that ran the query;
4. waits at most ``timeout_s`` for the answer; past that it kills the worker (the only way to
   stop a pyoxigraph query) and starts a fresh one in the background.  A worker that dies
   (memory limit) is replaced the same way.  The other workers keep answering meanwhile.

Outcomes are either a complete :class:`QueryOutcome` or an exception: :class:`QueryRejected`
(the client's query is wrong or not allowed — 4xx) or :class:`QueryLimitExceeded` (a limit
stopped it — 503/413), never a truncated result.

Defaults (:class:`Limits`, also the ``gcmkg serve`` options): 10 s per query, 10 000 result
rows (or triples), 16 MiB per result, 1024 MiB address space per worker, 2 workers started
with the service plus up to 4 more started when all are busy (and stopped after 5 s idle).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from gcmkg.errors import SettingsError
from gcmkg.remote import BackendFault
from gcmkg.representations import Representation, by_name
from gcmkg.service import worker as worker_module
from gcmkg.service.worker import Job, refusal
from gcmkg.store import Term

log = logging.getLogger("gcmkg.service.runner")


@dataclass(frozen=True)
class Limits:
    """Per-query limits of the service (documented defaults; ``gcmkg serve --help``)."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 16 * 2**20
    memory_mb: int = 1024
    workers: int = 2
    burst_workers: int = 4

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.max_rows < 1 or self.max_bytes < 1024:
            raise SettingsError(f"limits out of range: {self}")
        if self.workers < 1 or self.burst_workers < 0:
            raise SettingsError(f"limits out of range: {self}")
        if 0 < self.memory_mb < 256:
            raise SettingsError(f"memory_mb={self.memory_mb}: a worker needs at least 256 MiB (0 = no limit)")


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    representation: Representation  # what the body is written in
    form: str  # "select" | "ask" | "construct" | "describe"


class QueryRejected(Exception):
    """The client's query is malformed or not allowed (update, SERVICE) — a 4xx."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class QueryLimitExceeded(Exception):
    """A limit stopped the query: time or memory (503), rows or bytes (413), all workers busy (503)."""

    def __init__(
        self, message: str, status: int = 503, retry_after: int | None = None, *, spent_worker: bool = True
    ) -> None:
        """``spent_worker``: the query ran and cost a worker (stopped, or the worker died); not so
        for a query refused because every worker was busy or the service is shutting down."""
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after
        self.spent_worker = spent_worker and status == 503


class QueryFailed(Exception):
    """The engine failed on a query it accepted (a server fault — 500, logged)."""


RETRY_AFTER_S = 5  # what a 503 of a stopped query asks the client to wait before it tries again
BURST_IDLE_S = 5.0  # how long a burst worker may stay idle before it is stopped


def _ran_too_long(timeout_s: float, detail: str = "") -> str:
    """The answer to a query stopped by the time limit (``detail``: a remote backend's words)."""
    return (
        f"the query ran longer than the {timeout_s:g} s limit and was stopped{f' ({detail})' if detail else ''}; "
        "narrow the pattern, add LIMIT, or avoid unbounded property paths and cross products"
    )


def death_cause(exitcode: int | None, memory_mb: int) -> str:
    """Why a query worker died, from its exit code, in words for the client.

    >>> death_cause(-9, 1024)
    'the query worker was killed (SIGKILL) while it ran the query'
    >>> death_cause(-6, 1024)
    'the query needed more than the 1024 MiB memory limit'
    """
    if exitcode == -signal.SIGKILL:
        return "the query worker was killed (SIGKILL) while it ran the query"
    if exitcode == -signal.SIGABRT and memory_mb:  # the engine aborts when an allocation fails under the limit
        return f"the query needed more than the {memory_mb} MiB memory limit"
    if exitcode is not None and exitcode < 0:
        return f"the query engine crashed ({signal.Signals(-exitcode).name}) on the query"
    return f"the query worker ended unexpectedly (exit code {exitcode})"


class _Worker:
    def __init__(
        self, ctx: Any, store_dir: Path, base_iri: str, memory_mb: int, niceness: int, backend: str | None = None
    ) -> None:
        parent, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_module.main,
            args=(child, str(store_dir), base_iri, memory_mb, niceness, backend),
            name="gcmkg-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.ready = False  # it has opened the store and can take a query
        self.idle_since = time.monotonic()  # when it last went back to the idle pool

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError(f"query worker did not start within {timeout:.0f} s")
        kind, payload = self.conn.recv()
        if kind != "ready":
            self.kill()
            raise RuntimeError(str(payload))
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _IdlePool:
    """The idle workers, most recently used first: queries take the worker that went idle last,
    so under a light load the same few workers answer and a surplus one stays idle long enough to
    be stopped (a first-in-first-out queue would keep every worker just warm enough)."""

    def __init__(self) -> None:
        self._workers: deque[_Worker] = deque()
        self._ready = threading.Condition()

    def put(self, w: _Worker) -> None:
        with self._ready:
            self._workers.append(w)
            self._ready.notify()

    def get(self, timeout: float = 0.0) -> _Worker:
        """The most recently idle worker, waiting at most ``timeout``; ``queue.Empty`` past it."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._workers, timeout):
                raise queue.Empty
            return self._workers.pop()

    def take_idle_since(self, before: float) -> _Worker | None:
        """The worker idle longest, if it went idle before ``before`` (monotonic clock)."""
        with self._ready:
            if self._workers and self._workers[0].idle_since < before:
                return self._workers.popleft()
            return None

    def qsize(self) -> int:
        with self._ready:
            return len(self._workers)


class QueryRunner:
    """A pool of supervised query workers over one read-only store.

    Thread-safe: ``run`` blocks the calling thread (the web framework's thread pool) until the
    worker answers or the limit passes.
    """

    def __init__(
        self,
        store_dir: Path,
        base_iri: str,
        limits: Limits | None = None,
        *,
        max_wait_s: float | None = None,
        niceness: int = 0,
        burst_idle_s: float = BURST_IDLE_S,
        backend: str | None = None,
    ) -> None:
        """``max_wait_s``: how long a query waits for a free worker before it is refused (503
        busy); by default as long as a query may run.  ``niceness``: the workers' lower CPU
        priority (see :func:`gcmkg.service.worker.main`).  ``burst_idle_s``: how long a worker
        beyond ``workers`` may stay idle before it is stopped.  ``backend``: the query endpoint of
        the remote engine the workers send queries to (:mod:`gcmkg.remote`), None for the store."""
        self.store_dir = Path(store_dir)
        self.base_iri = base_iri
        self.limits = limits or Limits()
        self.max_wait_s = self.limits.timeout_s if max_wait_s is None else max_wait_s
        self.niceness = niceness
        self.burst_idle_s = burst_idle_s
        self.backend = backend
        # forkserver: workers fork from a clean single-threaded process that has already imported
        # pyoxigraph and the worker module, so a replacement starts in milliseconds, and never
        # from this multi-threaded web process (whose open store must not be forked).
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["gcmkg.service.worker"])
        self._idle = _IdlePool()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._starting = 0  # workers being started (burst workers and replacements): they count toward the bound
        self._arriving = 0  # of those, the ones that join the idle pool when ready (cold start, replacements)
        self._waiting = 0  # queries waiting for a free worker
        self.timeouts = 0  # queries stopped by the time limit (each one cost a worker)

    # lifecycle ----------------------------------------------------------------------------
    def start(self, *, wait: bool = True) -> QueryRunner:
        """Start the workers; with ``wait``, return once each has opened the store.

        Without it, the workers get ready in the background (a service answers what needs no
        worker meanwhile, and a query waits for the first worker ready, as for a busy pool).
        """
        if wait:
            self._ready([self._spawn() for _ in range(self.limits.workers)])
        else:  # even starting the forkserver takes a while: all of it in the background
            with self._lock:
                self._starting += self.limits.workers  # their slots are taken from now on
                self._arriving += self.limits.workers
            threading.Thread(target=self._start_counted, name="gcmkg-workers-start", daemon=True).start()
        threading.Thread(target=self._stop_idle_burst_workers, name="gcmkg-workers-trim", daemon=True).start()
        return self

    def _start_counted(self) -> None:
        workers = []
        for _ in range(self.limits.workers):
            try:
                workers.append(self._spawn(counted=True))
            except Exception:
                with self._lock:
                    self._starting -= 1
                    self._arriving -= 1
                log.exception("could not start a query worker")
        self._ready(workers, arriving=True)

    def _ready(self, workers: list[_Worker], *, arriving: bool = False) -> None:
        """Wait for ``workers`` to open the store, then put them in the idle pool; ``arriving``:
        they were counted in ``_arriving`` (a cold start in the background)."""
        for w in workers:
            try:
                w.wait_ready(60)
            except Exception:
                log.exception("a query worker did not start; it is replaced")
                if arriving:
                    with self._lock:
                        self._arriving -= 1
                self._retire(w)
                continue
            self._put_idle(w, arriving=arriving)
        log.info("query runner: %d workers ready on %s (%s)", len(workers), self.store_dir, self.limits)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in workers:
            w.process.join(2)
            w.kill()

    def __enter__(self) -> QueryRunner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, *, counted: bool = False) -> _Worker:
        """Start a worker and add it to the pool; ``counted``: its slot was reserved in ``_starting``."""
        w = _Worker(self._ctx, self.store_dir, self.base_iri, self.limits.memory_mb, self.niceness, self.backend)
        with self._lock:
            self._all.add(w)
            if counted:
                self._starting -= 1
        return w

    def _retire(self, w: _Worker) -> None:
        """Kill a worker (it may still be running a query) and start a replacement.

        The replacement counts toward the bound from now on, so a burst worker started meanwhile
        cannot take its place and leave the pool one too large when it arrives.
        """
        with self._lock:
            self._all.discard(w)
            self._starting += 1
            self._arriving += 1
        threading.Thread(target=self._replace, args=(w,), name="gcmkg-worker-replace", daemon=True).start()

    def _replace(self, old: _Worker) -> None:
        old.kill()
        delay = 0.5
        reserved = True  # the slot _retire reserved in _starting, until a new worker takes it
        try:
            while not self._closed:
                new = None
                try:
                    new = self._spawn(counted=True)
                    reserved = False
                    new.wait_ready(60)
                except Exception:
                    if new is not None:  # a worker that did not start is not part of the pool
                        self._drop(new)
                        with self._lock:
                            self._starting += 1
                        reserved = True
                    log.exception("could not start a replacement query worker; retrying in %.1f s", delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 30)
                    continue
                if self._closed:
                    new.kill()
                    with self._lock:
                        self._arriving -= 1
                else:
                    self._put_idle(new, arriving=True)
                return
        finally:
            if reserved:
                with self._lock:
                    self._starting -= 1
                    self._arriving -= 1

    def _put_idle(self, w: _Worker, *, arriving: bool = False) -> None:
        """Back to the idle pool (``arriving``: a worker counted in ``_arriving`` has arrived)."""
        w.idle_since = time.monotonic()
        with self._lock:
            if arriving:
                self._arriving -= 1
        self._idle.put(w)

    def _stop_idle_burst_workers(self) -> None:
        """While the runner is open: stop a worker beyond ``workers`` that has been idle for
        ``burst_idle_s`` (one per check, so the pool shrinks back gradually after a burst)."""
        while not self._closed:
            time.sleep(min(1.0, self.burst_idle_s / 2))
            with self._lock:
                surplus = len(self._all) > self.limits.workers
            w = self._idle.take_idle_since(time.monotonic() - self.burst_idle_s) if surplus else None
            if w is not None and not self._closed:
                log.info("burst query worker %d idle %.0f s: stopped", w.process.pid, self.burst_idle_s)
                self._drop(w)

    def _drop(self, w: _Worker) -> None:
        """Stop a worker that is not needed (or did not start) and take it out of the pool."""
        with self._lock:
            self._all.discard(w)
        w.kill()

    def status(self) -> dict[str, int]:
        """Workers alive (ready or still opening the store), busy and being started, the bound, and
        queries waiting for a worker."""
        with self._lock:
            alive, starting, waiting = len(self._all), self._starting, self._waiting
            ready = sum(w.ready for w in self._all)
        idle = self._idle.qsize()
        return {
            "alive": alive,
            "ready": ready,
            "busy": max(0, alive - idle),
            "starting": starting,
            "bound": self.limits.workers + self.limits.burst_workers,
            "waiting": waiting,
            "timeouts": self.timeouts,
        }

    # queries ------------------------------------------------------------------------------
    def run(
        self,
        query: str,
        *,
        result_format: Representation | None = None,
        substitutions: Mapping[str, Term] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> QueryOutcome:
        """Run a query in a worker; the complete serialised result, or an exception.

        ``result_format`` is one of :mod:`gcmkg.representations` (a results format for SELECT
        and ASK, a triples format for CONSTRUCT and DESCRIBE); None gives SPARQL JSON for
        SELECT/ASK and Turtle for CONSTRUCT/DESCRIBE.  ``substitutions`` bind variables
        to RDF terms (never spliced into the text).  Without ``default_graph_uris`` and
        ``named_graph_uris`` the default graph is the union of the named graphs.
        """
        refused = refusal(query)
        if refused:
            raise QueryRejected(refused.message, refused.status)
        job = Job(
            query=query,
            result_format=result_format.name if result_format else None,
            substitutions=dict(substitutions or {}),
            default_graph_uris=tuple(default_graph_uris),
            named_graph_uris=tuple(named_graph_uris),
            max_rows=self.limits.max_rows,
            max_bytes=self.limits.max_bytes,
            timeout_s=timeout_s or self.limits.timeout_s,
        )
        body, name, form = self._submit(job, job.timeout_s)
        return QueryOutcome(body, by_name(name), form)

    def _acquire(self) -> _Worker:
        """A free worker: an idle one, else a new burst worker if allowed, else wait (``queue.Empty``)."""
        try:
            return self._idle.get()
        except queue.Empty:
            pass
        with self._lock:
            # a worker on its way to the idle pool (cold start, replacement) will serve a waiting
            # query sooner than a new one would start; grow only when none is left unclaimed
            on_the_way = self._arriving > self._waiting
            grow = not on_the_way and len(self._all) + self._starting < self.limits.workers + self.limits.burst_workers
            if grow:
                self._starting += 1
            else:
                self._waiting += 1  # in the same step, so the next query sees this one's claim
        if grow:
            w = None
            try:
                w = self._spawn(counted=True)
                w.wait_ready(30)
                log.info("all query workers busy: started burst worker %d (%d in all)", w.process.pid, len(self._all))
                return w
            except Exception:
                log.exception("could not start a burst query worker")
                if w is None:  # not even started: give the reserved slot back
                    with self._lock:
                        self._starting -= 1
                else:
                    self._drop(w)
            with self._lock:
                self._waiting += 1
        try:
            return self._idle.get(timeout=self.max_wait_s)
        finally:
            with self._lock:
                self._waiting -= 1

    def _release(self, w: _Worker) -> None:
        """A worker is free again: back to the idle pool (burst workers are stopped later, by
        :meth:`_stop_idle_burst_workers`, once they have been idle for ``burst_idle_s``)."""
        self._put_idle(w)

    def _submit(self, job: Job, timeout_s: float) -> tuple[bytes, str, str]:
        """Run ``job`` on a free worker; stop it (kill the worker) after ``timeout_s``."""
        limits = self.limits
        if self._closed:
            raise QueryLimitExceeded("the service is shutting down", 503, retry_after=5, spent_worker=False)
        try:
            w = self._acquire()
        except queue.Empty:
            raise QueryLimitExceeded(
                f"all {limits.workers + limits.burst_workers} query workers are busy; retry shortly",
                503,
                retry_after=RETRY_AFTER_S,
                spent_worker=False,
            ) from None
        healthy = False
        try:
            w.conn.send(job)
            if not w.conn.poll(timeout_s):
                self.timeouts += 1
                log.warning("query stopped after %.1f s: %.200r", timeout_s, job.query)
                raise QueryLimitExceeded(_ran_too_long(timeout_s), retry_after=RETRY_AFTER_S)
            kind, payload = w.conn.recv()
            healthy = kind not in ("memory",)
        except (EOFError, OSError):
            w.process.join(1)
            reason = death_cause(w.process.exitcode, limits.memory_mb)
            log.warning("query worker died (pid %s: %s) on: %.200r", w.process.pid, reason, job.query)
            raise QueryLimitExceeded(f"{reason}; the query was stopped", retry_after=RETRY_AFTER_S) from None
        finally:
            if healthy:
                self._release(w)
            else:
                self._retire(w)
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "rejected":
            status, message = payload
            raise QueryRejected(message, status)
        if kind == "too_large":
            raise QueryLimitExceeded(str(payload), 413)
        if kind == "timeout":  # a remote backend did not answer within the query's time
            raise QueryLimitExceeded(_ran_too_long(timeout_s, str(payload)), retry_after=RETRY_AFTER_S)
        if kind == "backend":
            status, message = payload
            raise BackendFault(message, status)
        if kind == "memory":
            raise QueryLimitExceeded(
                f"{payload} ({limits.memory_mb} MiB); narrow the pattern or add LIMIT", retry_after=RETRY_AFTER_S
            )
        raise QueryFailed(str(payload))

"""What the service serves: one release at a time, switched live when a build swaps in another.

A :class:`Served` bundles everything that belongs to one release: its pin (so the pruner never
deletes it while it is open), the read-only store, the query workers over that store, and
whatever the routers cache for it.  :class:`Releases` holds the one being served now.

Each request takes the bundle current when it arrives and keeps it to the end (the
:class:`ServeRelease` middleware puts it in the request's state), so no answer mixes two
releases: its ETag, its data and its links all come from the same one.  When ``build/current``
points somewhere new (the watcher notices within ``poll_s``, or at once on ``SIGHUP``), the new
release is opened and warmed *beside* the old one, then becomes current in one assignment; the
old one is closed after its last request has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gcmkg.releases import CURRENT, Pin, Release
from gcmkg.service.describe import StatsCache
from gcmkg.service.runner import QueryRunner
from gcmkg.service.wire import WireAnswers
from gcmkg.store import GraphStore

log = logging.getLogger("gcmkg.service.serving")


class HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


Answer = TypeVar("Answer", bound=HasBody)


@dataclass(frozen=True)
class CachedResponse:
    """A response kept for the release's lifetime: a fresh ``Response`` is made from it per request."""

    body: bytes
    status: int
    headers: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, response: Response) -> CachedResponse:
        return cls(bytes(response.body), response.status_code, tuple(response.raw_headers))

    def response(self) -> Response:
        fresh = Response(self.body, status_code=self.status)
        fresh.raw_headers = list(self.headers)
        return fresh


class _Flight:
    """One computation of an answer under way, which the same key's other asks wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: Any = None  # set before ``done``: the computation's answer, or
        self.error: BaseException | None = None  # what it raised


class AnswerCache:
    """Answers computed once per release, by key; bounded in bytes and entries, the oldest go first.

    A release never changes, so an answer never goes stale: a resource description in one format,
    the same saved query with the same parameters, or the same ad-hoc query text, is answered from
    here after its first computation.  Through :meth:`answer`, asks of one key that arrive while
    its first computation runs wait for that computation instead of each running their own
    (``shared`` counts them), and get its answer or its error.  An error is not kept: an ask after
    it computes again.  (Trying again in turn instead would make the last of eight waiting asks of
    a query that runs into the time limit wait eight limits.)  What these computations raise is
    the query's own (rejected, stopped at a limit, the backend down), never one asker's: no client
    budget is charged here.
    """

    def __init__(self, max_bytes: int = 64 * 2**20, max_entries: int = 20_000) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, HasBody] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._bytes = 0
        self.hits = self.misses = self.shared = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self.hits += 1
            self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: HasBody) -> None:
        if len(answer.body) > self.max_bytes // 8:
            return  # one huge answer must not push out everything else
        with self._lock:
            previous = self._answers.pop(key, None)
            self._bytes -= len(previous.body) if previous else 0
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while self._bytes > self.max_bytes or len(self._answers) > self.max_entries:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)

    def answer(self, key: Hashable, run: Callable[[], Answer]) -> Answer:
        """The cached answer, or ``run()``'s, kept (errors are not kept: they raise); ``run`` is
        called once for the asks of a key that arrive together."""
        with self._lock:
            kept: Any = self._answers.get(key)
            if kept is not None:
                self.hits += 1
                self._answers.move_to_end(key)
                return kept
            flight = self._flights.get(key)
            first = flight is None
            if flight is None:  # this ask is the first: it runs
                flight = self._flights[key] = _Flight()
                self.misses += 1
            else:
                self.shared += 1
        if not first:
            flight.done.wait()  # the first ask's run has its own time limit
            if flight.error is not None:
                raise copy.copy(flight.error)  # a copy each: a traceback belongs to one raise
            shared: Any = flight.answer  # (an answer too large to keep is shared all the same)
            return shared
        try:
            answer = run()
            flight.answer = answer
            self.put(key, answer)
            return answer
        except BaseException as error:  # (whatever it is, the waiting asks must not take None)
            flight.error = error
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def status(self) -> dict[str, int]:
        with self._lock:
            return {
                "entries": len(self._answers),
                "bytes": self._bytes,
                "hits": self.hits,
                "misses": self.misses,
                "shared": self.shared,
                "computing": len(self._flights),
            }


@dataclass
class Served:
    """One release as the service serves it: the store, its query workers, what is cached for it.

    Two lanes of workers: ``runner`` for ad-hoc queries (``/sparql``, charged to client budgets,
    :mod:`.fairness`) and ``saved_runner`` for saved queries, so that saved queries never wait
    behind ad-hoc work; dereferencing reads the store in process and waits for neither.
    """

    pin: Pin
    release: Release
    store: GraphStore
    runner: QueryRunner
    saved_runner: QueryRunner
    stats: StatsCache
    answers: AnswerCache = field(default_factory=AnswerCache)
    replays: AnswerCache = field(default_factory=lambda: AnswerCache(max_bytes=32 * 2**20))  # whole answers (.replay)
    wire: WireAnswers = field(default_factory=WireAnswers)  # their bytes as sent, for the protocol (.wire)
    cache: dict[str, Any] = field(default_factory=dict)  # other per-release facts, by the router that made them
    users: int = 0
    retired: bool = False

    @property
    def id(self) -> str:
        return self.release.id

    def close(self) -> None:
        """Stop the workers and unpin (the store's files close when the last reference goes)."""
        self.runner.close()
        self.saved_runner.close()
        self.cache.clear()
        self.wire.clear()
        self.pin.close()


# open_release(pin, warm): open a release; ``warm``: return only once its query workers are ready
Opener = Callable[[Pin, bool], Served]


class Releases:
    """The release being served, and the switch to a new one.

    Thread-safe: requests acquire and release from the event loop and from worker threads.
    """

    def __init__(self, build_dir: Path, open_release: Opener) -> None:
        self.build_dir = build_dir
        self._open = open_release
        self._lock = threading.Lock()
        self._switching = threading.Lock()
        self._served: Served | None = None
        self.switches = 0

    def start(self) -> Served:
        served = self._open(Pin.take(self.build_dir), False)  # cold start: answer while workers start
        with self._lock:
            self._served = served
        return served

    def serving_now(self) -> Served | None:
        """The release served now, None before the first one opens (for the wire lane, :mod:`.wire`:
        an answer written at once holds no release)."""
        return self._served

    @property
    def served(self) -> Served:
        if self._served is None:
            raise RuntimeError("no release is being served (the app's lifespan has not started)")
        return self._served

    def acquire(self) -> Served:
        with self._lock:
            served = self.served
            served.users += 1
            return served

    def release(self, served: Served) -> None:
        with self._lock:
            served.users -= 1
            done = served.retired and served.users == 0
        if done:  # called on the event loop: stopping workers blocks, so it happens in a thread of its own
            threading.Thread(target=self._close, args=(served,), name="gcmkg-release-close", daemon=True).start()

    def pointed_to(self) -> Path:
        """The folder ``build/current`` points to now (a readlink, no lock)."""
        return (self.build_dir / CURRENT).resolve()

    def refresh(self) -> bool:
        """Switch to the release ``build/current`` points to, if it is another; True if it switched."""
        with self._switching:  # one switch at a time
            old = self.served
            if self.pointed_to() == old.pin.folder:
                return False
            new = self._open(Pin.take(self.build_dir), True)  # warmed beside the old one, then swapped in
            if new.pin.folder == old.pin.folder:  # switched back meanwhile
                new.close()
                return False
            with self._lock:
                self._served = new
                old.retired = True
                idle = old.users == 0
            self.switches += 1
            log.info("now serving release %s (was %s)", new.id, old.id)
            if idle:
                self._close(old)
            return True

    def close(self) -> None:
        with self._lock:
            served, self._served = self._served, None
        if served is not None:
            self._close(served)

    @staticmethod
    def _close(served: Served) -> None:
        try:
            served.close()
            log.info("closed release %s", served.id)
        except Exception:
            log.exception("closing release %s failed", served.id)

    async def watch(self, poll_s: float) -> None:
        """Follow ``build/current``: check every ``poll_s`` seconds, and at once on SIGHUP."""
        wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, wake.set)
        try:
            while True:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wake.wait(), poll_s)
                wake.clear()
                try:
                    if self.pointed_to() != self.served.pin.folder:
                        await run_in_threadpool(self.refresh)
                except Exception:  # a broken new release must not stop the service: keep the old one
                    log.exception("could not switch to the release %s points to", self.build_dir / CURRENT)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGHUP)


class ServeRelease:
    """ASGI middleware: each HTTP request holds the release current when it arrived, to its end."""

    def __init__(self, app: ASGIApp, releases: Releases) -> None:
        self.app = app
        self.releases = releases

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        served = self.releases.acquire()
        scope.setdefault("state", {})["served"] = served
        try:
            await self.app(scope, receive, send)
        finally:
            self.releases.release(served)

"""Fair shares of the ad-hoc query workers: per-client budgets, answered with 429 when spent.

A public endpoint's ad-hoc queries are unbounded in cost, so, as the Wikidata Query Service
does, each client gets a budget (:class:`ClientLimits`, ``gcmkg serve`` options):

* at most ``concurrent`` of its queries run at once;
* at most ``seconds_per_window`` seconds of query time in any ``window_s`` seconds (a query
  stopped by the time limit, or one whose worker died, is charged the whole limit);
* once it has used ``heavy_after_s`` seconds in the window it is a *heavy* client: its queries
  get a shorter time limit (``heavy_timeout_s``) and all heavy clients together share
  ``heavy_slots`` workers, so a few clients sending expensive queries cannot hold every worker
  while light clients wait.

A query over budget is refused at once with ``429 Too Many Requests`` and a ``Retry-After``
saying when the budget frees, before it reaches a worker: on arrival, by
:class:`RefuseOverBudget`, which takes the query's slot there and then (a :class:`Hold`).
A client is its address and its ``User-Agent`` (behind a proxy on loopback, uvicorn takes the
address from ``X-Forwarded-For``).  Saved queries and dereferencing are not charged: they run in a lane of their own
(:mod:`.serving`) and are answered from a per-release cache after their first run.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gcmkg.errors import SettingsError


@dataclass(frozen=True)
class ClientLimits:
    """Per-client budget for ad-hoc queries (documented defaults; ``gcmkg serve --help``)."""

    concurrent: int = 2
    seconds_per_window: float = 30.0
    window_s: float = 60.0
    heavy_after_s: float = 5.0
    heavy_timeout_s: float = 3.0
    heavy_slots: int = 1
    tracked: int = 10_000  # clients remembered at once; the least recently seen is forgotten first

    def __post_init__(self) -> None:
        if self.concurrent < 1 or self.seconds_per_window <= 0 or self.window_s <= 0 or self.tracked < 1:
            raise SettingsError(f"client limits out of range: {self}")
        if self.heavy_after_s <= 0 or self.heavy_timeout_s <= 0 or self.heavy_slots < 1:
            raise SettingsError(f"client limits out of range: {self}")


@dataclass
class Admission:
    """A query let through: the time limit it runs under (None: the runner's own).

    ``charge_at_least`` is set by the caller when the query cost more than its time: a query that
    was stopped or killed its worker is charged its whole time limit, however soon it ended.
    """

    timeout_s: float | None = None
    charge_at_least: float = 0.0


class OverBudget(Exception):
    """A client's query would go over its budget: 429, retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


@dataclass
class _Client:
    running: int = 0
    charges: deque[tuple[float, float]] = field(default_factory=deque)  # (when it ended, seconds)


class ClientBudgets:
    """The budgets of the clients seen lately.  Thread-safe.

    >>> now = [0.0]
    >>> budgets = ClientBudgets(ClientLimits(concurrent=1, seconds_per_window=10, window_s=60), clock=lambda: now[0])
    >>> with budgets.admit("a") as admission:
    ...     now[0] += 12          # a 12 s query
    >>> admission.timeout_s is None   # it ran under the runner's own limit
    True
    >>> try:
    ...     with budgets.admit("a"): pass
    ... except OverBudget as refusal:
    ...     print(refusal.retry_after)
    60
    >>> with budgets.admit("b"): pass   # another client is not affected
    >>> now[0] += 60
    >>> with budgets.admit("a"): pass   # the charge has left the window
    >>> now[0] += 60; budgets = ClientBudgets(ClientLimits(heavy_after_s=5), clock=lambda: now[0])
    >>> with budgets.admit("a"):
    ...     now[0] += 6
    >>> with budgets.admit("a") as admission:  # heavy now: a shorter limit, one shared slot
    ...     print(admission.timeout_s)
    ...     budgets.admit("b").__enter__() is not None   # a light client still gets in
    3.0
    True
    """

    def __init__(self, limits: ClientLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._heavy_running = 0
        self.refused = 0

    def _client(self, key: str, now: float) -> _Client:
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = _Client()
            while len(self._clients) > self.limits.tracked:
                self._clients.popitem(last=False)
        self._clients.move_to_end(key)
        while client.charges and client.charges[0][0] <= now - self.limits.window_s:
            client.charges.popleft()
        return client

    def _refusal(self, client: _Client, now: float) -> tuple[OverBudget | None, bool]:
        """Why a query of ``client`` would be refused now (or None), and whether it is heavy."""
        limits = self.limits
        if client.running >= limits.concurrent:
            return OverBudget(
                f"this client already has {client.running} queries running; at most {limits.concurrent} at once "
                "(wait for one to finish)",
                retry_after=1,
            ), False
        used = sum(seconds for _, seconds in client.charges)
        if used >= limits.seconds_per_window:
            # the budget frees as charges leave the window, oldest first
            freed, until = used, now
            for ended, seconds in client.charges:
                freed -= seconds
                until = ended + limits.window_s
                if freed < limits.seconds_per_window:
                    break
            return OverBudget(
                f"this client used {used:.0f} s of query time in the last {limits.window_s:g} s; at most "
                f"{limits.seconds_per_window:g} s are allowed (make queries cheaper: add LIMIT, bind terms)",
                retry_after=max(1, math.ceil(until - now)),
            ), False
        heavy = used >= limits.heavy_after_s
        if heavy and self._heavy_running >= limits.heavy_slots:
            return OverBudget(
                f"this client used {used:.0f} s of query time in the last {limits.window_s:g} s, and the "
                f"{limits.heavy_slots} worker(s) shared by such clients are busy; retry shortly",
                retry_after=2,
            ), True
        return None, heavy

    def status(self) -> dict[str, int]:
        """Clients tracked, queries holding a slot now (heavy ones apart), and refusals so far."""
        with self._lock:
            running = sum(client.running for client in self._clients.values())
            return {
                "tracked": len(self._clients),
                "running": running,
                "heavy_running": self._heavy_running,
                "refused": self.refused,
            }

    def hold(self, key: str) -> Hold:
        """One of ``key``'s query slots, held until :meth:`Hold.release`; or raise :class:`OverBudget`."""
        with self._lock:
            now = self._clock()
            client = self._client(key, now)
            refused, heavy = self._refusal(client, now)
            if refused is not None:
                self.refused += 1
                raise refused
            client.running += 1
            self._heavy_running += heavy
        return Hold(self, client, heavy)

    @contextmanager
    def admit(self, key: str) -> Iterator[Admission]:
        """Run the block as one of ``key``'s queries, or raise :class:`OverBudget`."""
        held = self.hold(key)
        try:
            with held.running() as admission:
                yield admission
        finally:
            held.release()


class Hold:
    """A query slot of one client, taken when its request arrives and given back when it ends.

    Taking the slot on arrival (:class:`RefuseOverBudget`) makes the decision once, on the event
    loop: a refusal never waits for a thread, and a query let in is not refused later because
    another request took the slot meanwhile.  Only the time spent in :meth:`running` is charged.
    """

    def __init__(self, budgets: ClientBudgets, client: _Client, heavy: bool) -> None:
        self._budgets, self._client, self._heavy = budgets, client, heavy
        self._held = True

    @contextmanager
    def running(self) -> Iterator[Admission]:
        """Run the block as the query; its time (or ``charge_at_least``) is charged when it ends."""
        clock = self._budgets._clock
        started = clock()
        admission = Admission(self._budgets.limits.heavy_timeout_s if self._heavy else None)
        try:
            yield admission
        finally:
            with self._budgets._lock:
                ended = clock()
                self._client.charges.append((ended, max(ended - started, admission.charge_at_least)))

    def release(self) -> None:
        """Give the slot back (once; again is a no-op)."""
        with self._budgets._lock:
            if self._held:
                self._held = False
                self._client.running -= 1
                self._budgets._heavy_running -= self._heavy


class RefuseOverBudget:
    """ASGI middleware: an ad-hoc query takes its client's slot on arrival, or is refused with 429.

    The check is made before the request waits for a thread or its body is read, so that a
    refusal is answered at once even when the service is busy; the slot (a :class:`Hold`, in
    ``scope["state"]["query_hold"]`` for the route) is given back when the answer has been sent.
    A ``GET`` without ``query`` (the service description, the editor) takes no slot.
    """

    def __init__(self, app: ASGIApp, budgets: ClientBudgets, path: str = "/sparql") -> None:
        self.app, self.budgets, self.path = app, budgets, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["path"] == self.path and _is_query(scope)):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        agent = next((v for k, v in scope.get("headers", []) if k == b"user-agent"), b"")
        try:
            held = self.budgets.hold(client_key(client[0] if client else None, agent.decode("latin-1")))
        except OverBudget as refused:
            response = PlainTextResponse(
                refused.message + "\n", status_code=429, headers={"Retry-After": str(refused.retry_after)}
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[HOLD] = held
        try:
            await self.app(scope, receive, send)
        finally:
            held.release()


HOLD = "query_hold"  # where RefuseOverBudget leaves a request's Hold, in the ASGI scope's state


def _is_query(scope: Scope) -> bool:
    if scope["method"] == "POST":
        return True
    if scope["method"] != "GET":
        return False
    return any(name == b"query" for name, _, _ in (p.partition(b"=") for p in scope["query_string"].split(b"&")))


def client_key(host: str | None, user_agent: str | None) -> str:
    """Who a request comes from, for budgets: its address and its ``User-Agent``."""
    return f"{host or '?'} {(user_agent or '')[:200]}"

"""The app factory: settings checked once, the routers, the middleware, error handling.

``create_app(settings, limits)`` checks that there is a built store, built with the base IRI
it is asked to serve (failing at start, not at the first request: :class:`~gcmkg.errors.NoStoreError`,
:class:`~gcmkg.releases.BaseIriMismatch`), reads the saved queries and the page
templates from the folders ``settings`` name, and in the app's lifespan pins and opens the
release ``build/current`` points to (store, query workers) and follows ``build/current`` to
switch live to each new release (:mod:`.serving`).  What belongs to the app lives on
``app.state``, what belongs to a release on the release the request holds; both reach handlers
through the typed dependencies of :mod:`.deps`; nothing is read at import time.  HTTP lives in
the routers: :mod:`.sparql` (the SPARQL 1.1 endpoint), :mod:`.resources` (dereferenceable IRIs,
home page, VoID, ontology, dumps), :mod:`.saved_queries` (``/queries``) and :mod:`.health`.

Middleware, outermost first: :class:`~.access_log.AccessLog` (one JSON line per request),
:class:`~.request_limits.BoundedRequests` (URL, header and body caps), :class:`~.cors.Cors`,
:class:`~.fairness.RefuseOverBudget` (429 on arrival for a client over its budget),
:class:`~.serving.ServeRelease` (the request holds one release to its end),
:class:`~.replay.ReplayAnswers` (a GET answer computed once per release, then replayed), :class:`CacheValidators`,
:class:`~.negotiation.AnnounceAlternates` (``Link`` and ``Content-Location`` of a negotiated answer),
:class:`HeadAsGet`, gzip (pages, results and dumps, for a client that accepts it; not a range).

``HEAD`` is answered wherever ``GET`` is, by one rule rather than a second route per path
(:class:`HeadAsGet`): the routers see a ``GET`` and the body is dropped on the way out, so the
headers (length, type, validators) are exactly those of the ``GET``.

Caching: a release never changes.  So every ``200`` answer to a GET carries an ``ETag`` derived
from the release id and what selects the representation (path, query string, ``Accept``), a
``Last-Modified`` of the release time, and ``Cache-Control: public``; a request whose
``If-None-Match`` matches gets ``304`` before anything runs.  A new release gives new ETags.
The ETag is weak: the gzip and the identity encoding of one answer share it (they are the same
representation, byte for byte once decoded), and ``Vary: Accept, Accept-Encoding`` tells caches
to keep them apart.  Every GET answer, 4xx included, carries ``Vary: Accept`` (an error body is
negotiated too: JSON for a JSON client).

Errors: a client fault is a 4xx whose plain-text body says what was wrong and what to send
(JSON when the client asked for JSON); a server fault is a 500 that is logged with its
traceback and says nothing about the internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gcmkg import __version__
from gcmkg.iris import Iris
from gcmkg.mcp.answers import AnswerLimits
from gcmkg.mcp.mount import McpMount
from gcmkg.releases import Pin, Release, check_base_iri, current_folder
from gcmkg.remote import BackendFault, RemoteStore, open_store
from gcmkg.service import docs, editor, health, heap, openapi, resources, saved_queries, search, sparql
from gcmkg.service.access_log import AccessLog
from gcmkg.service.cors import Cors
from gcmkg.service.describe import StatsCache
from gcmkg.service.fairness import ClientBudgets, ClientLimits, OverBudget, RefuseOverBudget
from gcmkg.service.negotiation import AnnounceAlternates, NotAcceptable
from gcmkg.service.pages import Pages
from gcmkg.service.replay import ReplayAnswers
from gcmkg.service.request_limits import BoundedRequests, RequestLimits
from gcmkg.service.runner import RETRY_AFTER_S, Limits, QueryFailed, QueryLimitExceeded, QueryRejected, QueryRunner
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.service.serving import Releases, Served, ServeRelease
from gcmkg.settings import Settings

log = logging.getLogger("gcmkg.service")

CACHE_CONTROL = "public, max-age=300"
ADHOC_WAIT_S = 2.0  # an ad-hoc query waits at most this long for a free worker, then 503 busy
ADHOC_NICENESS = 10  # ad-hoc workers yield the CPU to the web process and the saved-query lane
GZIP_MIN_BYTES = 1024  # smaller answers are not worth a compressor
GZIP_LEVEL = 6  # zlib's default: most of level 9's gain for a third of its time (dumps are megabytes)


def create_app(
    settings: Settings,
    limits: Limits | None = None,
    *,
    request_limits: RequestLimits | None = None,
    client_limits: ClientLimits | None = None,
    follow_current_s: float | None = 1.0,
    mcp_answers: AnswerLimits | None = None,
    serve_mcp: bool = True,
) -> FastAPI:
    """The service over the release ``build/current`` points to; workers start with the lifespan.

    ``mcp_answers``: the size of the ``/mcp`` tools' answers (``gcmkg serve --mcp-max-chars``);
    ``serve_mcp``: whether to serve ``/mcp`` (``gcmkg mcp`` serves MCP over stdio instead).
    ``follow_current_s``: how often to check whether a build has switched ``build/current`` (and
    then switch to the new release live, :mod:`.serving`); ``None`` serves the first release only.
    """
    limits = limits or Limits()
    request_limits = request_limits or RequestLimits()
    client_limits = client_limits or ClientLimits()
    folder = current_folder(settings.build_dir)  # no store: fail now, not at the first request
    check_base_iri(settings.build_dir, folder, settings.base_iri)  # another base IRI: fail now too (exit 3)
    if settings.sparql_backend:  # an engine that does not hold this release: fail now too (exit 3)
        RemoteStore.for_release(settings.sparql_backend, folder, settings.base_iri).check_holds(folder)
    iris = Iris(settings.base_iri)
    saved = load_catalog(settings.queries_dir)

    saved_limits = dataclasses.replace(limits, workers=1, burst_workers=1)

    def open_release(pin: Pin, warm: bool) -> Served:
        runners: list[QueryRunner] = []
        try:
            backend = settings.sparql_backend
            store = open_store(pin.release.folder, settings.base_iri, backend, timeout_s=limits.timeout_s)
            if isinstance(store, RemoteStore):  # a live switch to a release the engine does not hold fails here
                store.check_holds(pin.release.folder)
            runners.append(
                QueryRunner(
                    pin.release.store_dir,
                    settings.base_iri,
                    limits,
                    max_wait_s=ADHOC_WAIT_S,
                    niceness=ADHOC_NICENESS,
                    backend=backend,
                ).start(wait=warm)
            )
            runners.append(
                QueryRunner(pin.release.store_dir, settings.base_iri, saved_limits, backend=backend).start(wait=warm)
            )
        except BaseException:
            for runner in runners:
                runner.close()
            pin.close()
            raise
        release = pin.release
        log.info("opened release %s", release.id)  # its quads are counted by /health, when asked
        adhoc, saved_lane = runners
        stats = StatsCache(store, iris, release.dumps_dir, release.modified)
        if warm:  # a live switch: count VoID and its partitions (~1 s) before the release takes requests
            stats.get()
        return Served(pin, release, store, adhoc, saved_lane, stats)

    releases = Releases(settings.build_dir, open_release)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        served = await run_in_threadpool(releases.start)
        log.info("serving release %s at %s", served.id, settings.base_iri)
        heap.settle()
        watcher = asyncio.create_task(releases.watch(follow_current_s)) if follow_current_s else None
        try:
            async with mcp.lifespan() if mcp is not None else contextlib.nullcontext():
                yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await run_in_threadpool(releases.close)

    app = FastAPI(
        title="gcmkg — the Global Compact for Migration as a knowledge graph",
        version=__version__,
        description=(
            "SPARQL 1.1 endpoint, saved queries and dereferenceable IRIs over the GCM knowledge graph. "
            f"Per-query limits: {limits.timeout_s:g} s, {limits.max_rows} rows, {limits.max_bytes} bytes."
        ),
        lifespan=lifespan,
        docs_url=None,  # served offline by docs.install, not from a CDN
        redoc_url=None,
        # FastAPI's OpenTelemetry bridge looks for configured providers on every request (about a
        # fifth of a replayed answer's cost); the service has no tracer, and logs with AccessLog
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.limits = limits
    app.state.iris = iris
    app.state.releases = releases
    app.state.budgets = ClientBudgets(client_limits)
    app.state.saved_queries = saved
    app.state.pages = Pages(settings.templates_dir)

    app.include_router(sparql.router)
    app.include_router(resources.router)
    app.include_router(saved_queries.router(saved))
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(editor.router)
    mcp = McpMount(app.state, mcp_answers) if serve_mcp else None  # /mcp for AI assistants, built once up
    if mcp is not None:
        app.router.routes.append(Route("/mcp", mcp))
    openapi.install(app)
    docs.install(app, "gcmkg")

    _add_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(HeadAsGet)  # outside gzip: a HEAD's Content-Length is that of its GET, encoded the same
    app.add_middleware(AnnounceAlternates)
    app.add_middleware(CacheValidators)
    # the replay outside these: it keeps an answer as they made it (compressed per Accept-Encoding,
    # with its validators and the Link headers the router's choice sets), never redoing them
    app.add_middleware(ReplayAnswers)
    app.add_middleware(ServeRelease, releases=releases)
    app.add_middleware(RefuseOverBudget, budgets=app.state.budgets)
    app.add_middleware(
        Cors,
        methods=["GET", "HEAD", "POST", "OPTIONS"],
        # Mcp-Protocol-Version: what a browser-based MCP client sends to /mcp with each message
        request_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since", "Mcp-Protocol-Version"],
        exposed_headers=["ETag", "Last-Modified", "Content-Disposition", "Retry-After"],
        max_age=86400,
    )
    app.add_middleware(BoundedRequests, limits=request_limits)
    app.add_middleware(AccessLog)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory gcmkg.service.app:app_from_environment`` (settings from GCMKG_* variables)."""
    from gcmkg.settings import load_settings

    return create_app(load_settings())


# --- errors ---------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept and not request.url.path.startswith("/sparql")


def plain(message: str) -> str:
    r"""``message`` with every character that is not printable (controls, lone surrogates …) escaped.

    What a client sent is often quoted back in an error; quoted raw, a control character or a
    lone surrogate would make the answer unreadable or unencodable.

    >>> plain("invalid code point '\x01' in 'a\ud800'\nsecond line")
    "invalid code point '\\x01' in 'a\\ud800'\nsecond line"
    """
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode("ascii") for c in message)


def client_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A 4xx/5xx answer whose body says what went wrong (plain text, or JSON if asked for)."""
    message = plain(message)
    if _wants_json(request):
        return JSONResponse({"status": status, "detail": message}, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    async def rejected(request: Request, error: Exception) -> Response:
        assert isinstance(error, QueryRejected)
        return client_error(request, error.status, error.message)

    async def limited(request: Request, error: Exception) -> Response:
        assert isinstance(error, QueryLimitExceeded)
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return client_error(request, error.status, error.message, headers)

    async def backend_fault(request: Request, error: Exception) -> Response:
        assert isinstance(error, BackendFault)
        log.warning("%s on %s %s", error.message, request.method, request.url.path)
        headers = {"Retry-After": str(RETRY_AFTER_S)} if error.status == 503 else None
        return client_error(request, error.status, error.message, headers)

    async def over_budget(request: Request, error: Exception) -> Response:
        assert isinstance(error, OverBudget)
        return client_error(request, 429, error.message, {"Retry-After": str(error.retry_after)})

    async def not_acceptable(request: Request, error: Exception) -> Response:
        assert isinstance(error, NotAcceptable)
        return client_error(request, 406, error.message)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 304 or error.status_code < 400:
            return Response(status_code=error.status_code, headers=error.headers)
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            allowed = headers.get("Allow", "GET")
            detail = f"method {request.method} is not allowed here; use {allowed}"
        return client_error(request, error.status_code, detail, headers)

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('query', 'body'))}: {e.get('msg')}"
            for e in error.errors()
        )
        if _wants_json(request) or not request.url.path.startswith("/sparql"):
            return JSONResponse({"status": 422, "detail": error.errors()}, status_code=422)
        return PlainTextResponse(f"invalid request: {problems}\n", status_code=422)

    async def server_fault(request: Request, error: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s %s", incident, request.method, request.url, exc_info=error)
        return PlainTextResponse(
            f"internal server error (logged as {incident}); the request was not at fault\n", status_code=500
        )

    app.add_exception_handler(QueryRejected, rejected)
    app.add_exception_handler(QueryLimitExceeded, limited)
    app.add_exception_handler(NotAcceptable, not_acceptable)
    app.add_exception_handler(OverBudget, over_budget)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(BackendFault, backend_fault)
    app.add_exception_handler(QueryFailed, server_fault)
    app.add_exception_handler(Exception, server_fault)


# --- cache validators -----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def http_date(moment: datetime) -> str:
    """``moment`` as an HTTP date (a release's time: formatted once, not per request)."""
    return format_datetime(moment, usegmt=True)


class CacheValidators:
    """ETag / Last-Modified / Cache-Control on GET answers, and 304 for a matching validator.

    The representation of a GET is a function of the release, the path and query string, and
    the ``Accept`` header (the only header the routers negotiate on), so the validator is a hash
    of exactly those — computed *before* the request runs, which lets a revalidation skip it.
    The release is the one the request holds, so a validator always names the release the
    answer came from, even across a live switch; and it comes from the release's contents (its id
    and recorded build time), so every replica serving a copy of it gives the same validators.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def etag(release: Release, scope: Scope, headers: Headers) -> str:
        key = b"\0".join(
            [
                scope.get("path", "").encode(),
                scope.get("query_string", b""),
                headers.get("accept", "").encode(),
                __version__.encode(),
            ]
        )
        return f'W/"{release.id}-{hashlib.sha256(key).hexdigest()[:20]}"'

    @staticmethod
    def _not_modified(release: Release, headers: Headers, etag: str) -> bool:
        if_none_match = headers.get("if-none-match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag.removeprefix("W/") in tags
        if_modified_since = headers.get("if-modified-since")
        if if_modified_since:
            try:
                return parsedate_to_datetime(if_modified_since) >= release.modified
            except (TypeError, ValueError):
                return False
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith("/health"):
            await self.app(scope, receive, send)  # /health describes this process now, not the release
            return
        release = scope["state"]["served"].release  # the release this request holds (ServeRelease)
        headers = Headers(scope=scope)
        etag = self.etag(release, scope, headers)
        validators = {
            "ETag": etag,
            "Last-Modified": http_date(release.modified),
            "Cache-Control": CACHE_CONTROL,
            "Vary": "Accept",
        }
        if self._not_modified(release, headers, etag):
            response = Response(status_code=304, headers=validators)
            await response(scope, receive, send)
            return

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                vary = [v.strip() for v in out.get("vary", "").split(",") if v.strip()]
                if "accept" not in (v.lower() for v in vary):
                    out["Vary"] = ", ".join([*vary, "Accept"])
                if message["status"] in (200, 206):
                    # the release's ETag and time replace a route's own (a file's strong ETag and its
                    # mtime), so that the tag a client is given is the one that revalidates, in either
                    # encoding, and every copy of the release (another replica's) gives the same ones
                    out["ETag"] = etag
                    out["Last-Modified"] = validators["Last-Modified"]
                    if "cache-control" not in out:
                        out["Cache-Control"] = validators["Cache-Control"]
            await send(message)

        await self.app(scope, receive, send_with_validators)


class HeadAsGet:
    """``HEAD`` is ``GET`` without the body (RFC 9110 §9.3.2), on every route that has a ``GET``.

    The request goes on as a ``GET`` (so every router, saved query and future route answers it
    the same way); the answer's headers are sent unchanged (``Content-Length`` is the ``GET``'s)
    and its body is dropped.  Outer middleware (the access log) still sees the ``HEAD``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if message["type"] == "http.response.pathsend":
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)

"""``gcmkg serve``: serve the built store with uvicorn.

It serves; it never builds (the service wing does not import the build).  Without a built
store it stops with exit code 3 and says to run ``make build`` (``make serve`` builds first).
The limits' defaults are :class:`gcmkg.service.runner.Limits`'s; ``--workers`` is the number of
query worker processes (the web process itself is one uvicorn process with a thread pool).
"""

from __future__ import annotations

import argparse
import logging

from gcmkg.mcp.answers import AnswerLimits
from gcmkg.service.fairness import ClientLimits
from gcmkg.service.protocol import bounded_protocol
from gcmkg.service.request_limits import RequestLimits
from gcmkg.service.runner import Limits

_DEFAULTS = Limits()
_REQUESTS = RequestLimits()
_CLIENTS = ClientLimits()
_ANSWERS = AnswerLimits()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gcmkg.service.app import create_app
    from gcmkg.settings import load_settings

    settings = load_settings(
        base_iri=args.base_iri, build_dir=args.build_dir, corpus_dir=args.corpus_dir, sparql_backend=args.sparql_backend
    )
    limits = query_limits(args)
    request_limits = RequestLimits(
        max_url_bytes=args.max_url_bytes,
        max_header_bytes=args.max_header_bytes,
        max_body_bytes=args.max_body_bytes,
        keep_alive_s=args.keep_alive,
        receipt_timeout_s=args.receipt_timeout,
    )
    client_limits = ClientLimits(
        concurrent=args.client_queries,
        seconds_per_window=args.client_seconds,
        window_s=args.client_window,
        heavy_after_s=args.heavy_after,
        heavy_timeout_s=args.heavy_timeout,
        heavy_slots=args.heavy_slots,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("gcmkg.access").setLevel(logging.INFO if args.access_log else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a remote backend's client: else a line per engine request
    app = create_app(
        settings,
        limits,
        request_limits=request_limits,
        client_limits=client_limits,
        follow_current_s=args.follow or None,
        mcp_answers=AnswerLimits(max_chars=args.mcp_max_chars),
    )  # NoStoreError (exit 3) when nothing is built
    served = f"http://{args.host}:{args.port}/"
    if served != settings.base_iri:
        logging.getLogger("gcmkg.service").warning(
            "serving on %s but the graph's IRIs start with %s: they dereference only where that base IRI is served",
            served,
            settings.base_iri,
        )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,  # gcmkg.access writes one JSON line per request instead
        server_header=False,
        timeout_keep_alive=request_limits.keep_alive_s,
        http=bounded_protocol(request_limits, request_limits.receipt_timeout_s, app.state.releases.serving_now),
        forwarded_allow_ips=args.forwarded_allow_ips,  # None: uvicorn's $FORWARDED_ALLOW_IPS, else loopback
    )
    return 0


def add_query_limit_options(p: argparse.ArgumentParser) -> None:
    """The per-query limits and the worker pool, as ``gcmkg serve`` and ``gcmkg mcp`` take them."""
    p.add_argument("--timeout", type=float, default=_DEFAULTS.timeout_s, help="seconds a query may run")
    p.add_argument("--max-rows", type=int, default=_DEFAULTS.max_rows, help="result rows (or triples) per query")
    p.add_argument("--max-bytes", type=int, default=_DEFAULTS.max_bytes, help="bytes per serialised result")
    p.add_argument(
        "--memory-mb", type=int, default=_DEFAULTS.memory_mb, help="address-space limit per query worker (0 = none)"
    )
    p.add_argument(
        "--workers", type=int, default=_DEFAULTS.workers, help="query worker processes started with the service"
    )
    p.add_argument(
        "--burst-workers",
        type=int,
        default=_DEFAULTS.burst_workers,
        help="extra workers started when all are busy (stopped after 5 s idle), so slow queries do not delay others",
    )


def query_limits(args: argparse.Namespace) -> Limits:
    """The :class:`Limits` the options of :func:`add_query_limit_options` ask for."""
    return Limits(
        timeout_s=args.timeout,
        max_rows=args.max_rows,
        max_bytes=args.max_bytes,
        memory_mb=args.memory_mb,
        workers=args.workers,
        burst_workers=args.burst_workers,
    )


def add_serve_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "serve",
        help="serve the built store: /sparql, saved queries, dereferenceable IRIs",
        description=(
            "Serve the built store (run `make build` or `gcmkg build` first): /sparql, saved queries, "
            "dereferenceable IRIs. Each query runs in one of --workers worker processes under the limits below."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=int, default=8000, help="TCP port")
    add_query_limit_options(p)
    p.add_argument(
        "--sparql-backend",
        help="query endpoint URL of a remote SPARQL engine holding the release (env GCMKG_SPARQL_BACKEND; "
        "load it with `gcmkg engine load`); unset: the release's embedded store",
    )
    p.add_argument(
        "--client-queries", type=int, default=_CLIENTS.concurrent, help="ad-hoc queries one client may run at once"
    )
    p.add_argument(
        "--client-seconds",
        type=float,
        default=_CLIENTS.seconds_per_window,
        help="seconds of ad-hoc query time one client may use per --client-window (429 past it)",
    )
    p.add_argument("--client-window", type=float, default=_CLIENTS.window_s, help="the window of --client-seconds")
    p.add_argument(
        "--heavy-after",
        type=float,
        default=_CLIENTS.heavy_after_s,
        help="seconds of query time in the window after which a client is heavy",
    )
    p.add_argument(
        "--heavy-timeout", type=float, default=_CLIENTS.heavy_timeout_s, help="the time limit of a heavy client's query"
    )
    p.add_argument(
        "--heavy-slots", type=int, default=_CLIENTS.heavy_slots, help="workers all heavy clients share at once"
    )
    p.add_argument(
        "--mcp-max-chars", type=int, default=_ANSWERS.max_chars, help="characters per /mcp tool answer (then paged)"
    )
    p.add_argument("--max-url-bytes", type=int, default=_REQUESTS.max_url_bytes, help="request target (414 past it)")
    p.add_argument("--max-header-bytes", type=int, default=_REQUESTS.max_header_bytes, help="headers (431 past it)")
    p.add_argument("--max-body-bytes", type=int, default=_REQUESTS.max_body_bytes, help="request body (413 past it)")
    p.add_argument("--keep-alive", type=int, default=_REQUESTS.keep_alive_s, help="seconds an idle connection stays")
    p.add_argument(
        "--receipt-timeout",
        type=float,
        default=_REQUESTS.receipt_timeout_s,
        help="seconds a request may take to arrive whole (then the connection is closed)",
    )
    p.add_argument(
        "--follow",
        type=float,
        default=1.0,
        help="seconds between checks of build/current; a new release is served live (0 = never; SIGHUP checks now)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help=(
            "comma-separated addresses of the proxies whose X-Forwarded-For names the client (for the access log "
            "and client budgets); from other peers the header is ignored "
            "(default: $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1, a proxy on the same machine)"
        ),
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=True, help="log each request as a JSON line"
    )
    p.set_defaults(run=cmd_serve)

"""``gcmkg mcp``: the MCP server over stdio, for desktop assistants that start it themselves.

It opens the release ``build/current`` points to exactly as ``gcmkg serve`` does — through
``create_app``'s lifespan (pin, read-only store, the two lanes of supervised query workers,
the ad-hoc budget; following ``build/current`` to each new release) — but answers MCP on its
standard input and output instead of HTTP.  Without a built store it stops with exit code 3
(``create_app`` raises :class:`~gcmkg.errors.NoStoreError` before anything starts).

The release is opened inside the SDK's stdio transport (the MCP server's lifespan), which has
already pointed file descriptor 1 at standard error: the query workers it starts inherit that,
so nothing they might print can corrupt the protocol on standard output.  Logs go to standard
error.  The process ends when the client closes standard input.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from gcmkg.mcp.answers import AnswerLimits
from gcmkg.service.cli import add_query_limit_options, query_limits

_ANSWERS = AnswerLimits()


def cmd_mcp(args: argparse.Namespace) -> int:
    from gcmkg.mcp.server import GraphSource, build_server
    from gcmkg.service.app import create_app
    from gcmkg.settings import load_settings

    settings = load_settings(base_iri=args.base_iri, build_dir=args.build_dir, corpus_dir=args.corpus_dir)
    limits = query_limits(args)
    answers = AnswerLimits(max_chars=args.max_chars, default_rows=args.rows)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, limits, follow_current_s=args.follow or None, serve_mcp=False)  # NoStoreError: exit 3

    @asynccontextmanager
    async def release_open(_: Any) -> AsyncIterator[None]:
        async with app.router.lifespan_context(app):
            yield

    build_server(GraphSource.of(app.state), answers, lifespan=release_open).run("stdio")
    return 0


def add_mcp_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "mcp",
        help="serve the built store to an AI assistant over MCP on stdin/stdout (read-only)",
        description=(
            "Serve the built store (run `make build` first) as a Model Context Protocol server on standard input "
            "and output: one tool per saved query, sparql (bounded like /sparql) and schema; every answer cites the "
            "provisions it names and stays within --max-chars. The same server is mounted in `gcmkg serve` at /mcp."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--max-chars", type=int, default=_ANSWERS.max_chars, help="characters per answer (then paged)")
    p.add_argument("--rows", type=int, default=_ANSWERS.default_rows, help="rows per answer when no limit is asked")
    add_query_limit_options(p)
    p.add_argument("--follow", type=float, default=1.0, help="seconds between checks of build/current (0 = never)")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(run=cmd_mcp)

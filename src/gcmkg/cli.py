"""The ``gcmkg`` command line.

Exit codes (also in the README):

* 0 — success (for ``validate``: the graph conforms);
* 1 — the graph violates a SHACL shape or a check (each violation is printed);
* 2 — bad input: a corpus file missing or changed, a source text with unexpected structure,
  a malformed query, a bad option or setting (only the project's own errors,
  :class:`gcmkg.errors.GcmkgError`; anything else is a fault of the program and shows its
  traceback);
* 3 — no built store where one is needed (run ``gcmkg build``);
* 141 — standard output was closed early (``gcmkg query … | head``): the command stops
  quietly, as ``128 + SIGPIPE`` says by convention.

This module is where the two wings meet: each command imports the build (or the service) only
when it runs, so that ``gcmkg serve`` loads no build stage and ``gcmkg query`` neither.

Settings come from ``GCMKG_*`` environment variables (``GCMKG_ROOT`` for the project folder
when the package is installed outside its checkout) and the options below.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import QueryBoolean, QuerySolutions, serialize

from gcmkg import __version__, releases
from gcmkg.errors import GcmkgError, NoStoreError, ValidationFailed
from gcmkg.iris import prefixes_for
from gcmkg.representations import TURTLE
from gcmkg.settings import Settings, load_settings
from gcmkg.store import GraphStore

EXIT_OK, EXIT_INVALID, EXIT_INPUT, EXIT_NO_STORE = 0, 1, 2, 3
EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(base_iri=args.base_iri, build_dir=args.build_dir, corpus_dir=args.corpus_dir)


def _open_store(settings: Settings) -> GraphStore:
    # `query` and `validate` resolve gcm: and relative IRIs against the base IRI: it must be the store's
    releases.check_base_iri(settings.build_dir, releases.current_folder(settings.build_dir), settings.base_iri)
    return GraphStore.open_read_only(settings.store_dir, settings.base_iri)


def cmd_build(args: argparse.Namespace) -> int:
    from gcmkg.build import build, stderr_progress

    settings = _settings(args)
    result = build(settings, progress=stderr_progress if not args.quiet else lambda _: None)
    print(
        f"built {result.quads} quads from {len(result.documents)} documents in {result.seconds:.1f} s "
        f"-> {settings.build_dir / 'current'}"
    )
    return EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from gcmkg.build import parse_corpus, stderr_progress, write_parsed

    settings = _settings(args)
    texts = parse_corpus(settings, progress=stderr_progress)
    out = Path(args.out) if args.out else settings.build_dir / "parsed"
    write_parsed(texts, out)
    print(f"wrote {sum(len(t.documents) for t in texts)} parsed documents to {out}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from gcmkg.build import ontology_graph
    from gcmkg.validate import violations

    settings = _settings(args)
    store = _open_store(settings)
    timings: dict[str, float] = {}
    found = violations(store, settings.shapes_dir, ontology_graph(settings), engine=args.engine, timings=timings)
    for violation in found:
        print(violation)
    if args.timings:
        for part, seconds in timings.items():
            print(f"{part}: {seconds:.3f} s", file=sys.stderr)
    if found:
        print(f"{len(found)} violation(s)", file=sys.stderr)
        return EXIT_INVALID
    print(f"conforms: {len(store)} quads checked against shapes/ and shapes/checks/")
    return EXIT_OK


def _cell(term: object) -> str:
    value = getattr(term, "value", None)
    return "" if term is None else str(value if value is not None else term)


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = _open_store(settings)
    text = args.sparql
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise GcmkgError(f"cannot read the query file {text[1:]}: {error}") from error
    # the endpoint predeclares the same prefixes the same way (gcmkg.service.worker)
    prefixes = None if args.no_prefixes else prefixes_for(settings.base_iri)
    try:
        result = store.query(text, prefixes=prefixes)
    except SyntaxError as error:
        raise GcmkgError(f"malformed query: {error}") from error
    if isinstance(result, QueryBoolean):
        print("true" if bool(result) else "false")
    elif isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        print("\t".join(names))
        for solution in result:
            print("\t".join(_cell(solution[n]) for n in names))
    else:
        sys.stdout.write((serialize(result, format=TURTLE.rdf) or b"").decode("utf-8"))
    return EXIT_OK


def cmd_engine_load(args: argparse.Namespace) -> int:
    from gcmkg import engines

    dumps = releases.current_folder(_settings(args).build_dir) / "dumps"
    if args.engine == "oxigraph":
        if not args.location:
            raise GcmkgError("--location (the new database folder) is needed for --engine oxigraph")
        engines.load_oxigraph(dumps, Path(args.location))
        print(
            f"loaded {dumps} into {args.location}; serve it with: oxigraph serve-read-only --location "
            f"{args.location} --bind 127.0.0.1:7878 --timeout-s 10  (endpoint http://127.0.0.1:7878/query)"
        )
    else:
        engines.load_virtuoso(dumps, args.isql_port, password=args.password, user=args.user)
        print(f"loaded {dumps} into Virtuoso (isql port {args.isql_port}); its endpoint is http://HOST:PORT/sparql")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="gcmkg", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    top.add_argument("--version", action="version", version=f"gcmkg {__version__}")
    top.add_argument(
        "--base-iri", help="base IRI of every minted IRI (env GCMKG_BASE_IRI; default http://127.0.0.1:8000/)"
    )
    top.add_argument("--build-dir", help="where releases and build/current live (env GCMKG_BUILD_DIR)")
    top.add_argument("--corpus-dir", help="folder with the texts and manifest.toml (env GCMKG_CORPUS_DIR)")
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("build", help="verify, parse, convert, link, validate, store, dump; swap in if all pass")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser("parse", help="verify the corpus and run the loaders; write the document model as JSON")
    p.add_argument("--out", help="output folder (default build/parsed)")
    p.set_defaults(run=cmd_parse)

    p = commands.add_parser("validate", help="check the built store against shapes/ and shapes/checks/")
    p.add_argument(
        "--engine",
        choices=["sparql", "pyshacl"],
        default="sparql",
        help="sparql: the shapes compiled into queries on the store (default); pyshacl: the reference engine",
    )
    p.add_argument("--timings", action="store_true", help="print the seconds of the shapes and of each check")
    p.set_defaults(run=cmd_validate)

    p = commands.add_parser("query", help="run a SPARQL query on the built store (project prefixes predeclared)")
    p.add_argument("sparql", help="the query text, @FILE to read it from a file, or - for standard input")
    p.add_argument("--no-prefixes", action="store_true", help="do not predeclare the project's prefixes")
    p.set_defaults(run=cmd_query)
    p = commands.add_parser(
        "engine", help="put the built release into a remote SPARQL engine (then: serve --sparql-backend URL)"
    )
    engine_commands = p.add_subparsers(dest="engine_command", required=True)
    p = engine_commands.add_parser("load", help="bulk-load the current release's dumps with the engine's own loader")
    p.add_argument("--engine", required=True, choices=["oxigraph", "virtuoso"], help="which engine")
    p.add_argument("--location", help="oxigraph: the new (empty) database folder")
    p.add_argument(
        "--isql-port", type=int, default=1111, help="virtuoso: the isql port (its DirsAllowed must hold the dumps)"
    )
    p.add_argument("--user", default="dba", help="virtuoso: the isql user")
    p.add_argument("--password", default="dba", help="virtuoso: the isql password")
    p.set_defaults(run=cmd_engine_load)
    # the service adds `serve` itself, keeping HTTP concerns out of this file
    from gcmkg.service.cli import add_serve_command

    add_serve_command(commands)
    from gcmkg.mcp.stdio import add_mcp_command  # `mcp`: the same graph for AI assistants, over stdio

    add_mcp_command(commands)
    return top


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # inside the try: a closed pipe shows up here when the output was short
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except ValidationFailed as error:
        for violation in error.violations:
            print(violation, file=sys.stderr)
        print(
            f"gcmkg: build stopped: {len(error.violations)} violation(s); the last good store is unchanged",
            file=sys.stderr,
        )
        return EXIT_INVALID
    except NoStoreError as error:
        print(f"gcmkg: {error}", file=sys.stderr)
        return EXIT_NO_STORE
    except GcmkgError as error:
        print(f"gcmkg: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

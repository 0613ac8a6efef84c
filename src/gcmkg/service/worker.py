"""The query worker: a child process that opens the store read-only once and runs queries.

It exists because pyoxigraph cannot cancel a query and aborts the process when memory runs
out (:mod:`gcmkg.store`, hazard 2).  Each worker runs under an address-space limit (``RLIMIT_AS``),
runs one query at a time, and writes the complete result to bytes in the thread that ran it,
under the row and byte caps (hazards 3 and 4).  The parent (:mod:`gcmkg.service.runner`)
enforces the time limit by killing the worker and starting a fresh one.

Messages on the pipe are plain tuples of picklable values (pyoxigraph terms pickle):
request ``(kind, Job)``; reply ``("ok", (body, representation name, form))`` or
``(error_kind, message)`` with ``error_kind`` in ``rejected | too_large | memory | failed |
timeout | backend``.

With a remote backend (:mod:`gcmkg.remote`) the worker is the engine's client: the query is
parsed here first (nothing malformed is sent, and the errors are the local store's), sent with
the job's remaining time as the deadline, and its answer written under the same caps as it
streams in; the backend's faults are replied as ``timeout`` (the query's time ran out, 503)
or ``backend`` (status, message).
"""

from __future__ import annotations

import os
import re
import resource
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store

from gcmkg.iris import prefixes_for
from gcmkg.remote import BackendFault, BackendTimeout, RemoteStore, open_store
from gcmkg.representations import SPARQL_JSON, TURTLE, by_name
from gcmkg.service.results import TooLarge, serialize_boolean, serialize_solutions, serialize_triples
from gcmkg.service.screening import Screened, masked_iris, screen, syntax_hints
from gcmkg.store import Term


@dataclass(frozen=True)
class Job:
    query: str
    result_format: str | None = None  # a representation's name (gcmkg.representations); None: the form's default
    substitutions: dict[str, Term] = field(default_factory=dict)
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 16 * 2**20
    timeout_s: float = 10.0  # a remote backend's deadline (a local query is stopped by the runner)


class Rejected(Exception):
    """The query text is not a query this endpoint runs (message for the client, HTTP status)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


UPDATE_REFUSED = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is not accepted; "
    "send a SELECT, ASK, CONSTRUCT or DESCRIBE query"
)
SERVICE_REFUSED = (
    "federated queries are disabled: SERVICE is refused before evaluation and no outbound request is made; "
    "send the query without SERVICE"
)


MAX_DEPTH = 200  # pyoxigraph's parser crashes the process from about 2,500 levels; real queries nest < 20


def refusal(text: str, screened: Screened | None = None) -> Rejected | None:
    """Why a request text is refused before evaluation (update, SERVICE, nested too deep), or None."""
    screened = screened or screen(text)
    if screened.depth > MAX_DEPTH:
        return Rejected(f"the query nests brackets {screened.depth} levels deep; at most {MAX_DEPTH} are accepted", 400)
    if screened.form == "update":
        return Rejected(UPDATE_REFUSED, 403)
    if screened.uses_service:
        return Rejected(f"{SERVICE_REFUSED} (SERVICE at character {screened.service_at})", 403)
    return None


_POSITION = re.compile(r"error at (\d+):(\d+)")
# what the engine raises (RuntimeError) when it plans a query calling a function it does not have
_UNKNOWN_FUNCTION = re.compile(r"^The custom function (<[^>]*>) is not supported$")


def unknown_function(error: Exception) -> Rejected | None:
    """The client's query calls a function the engine does not know (→ 400), or None for anything else.

    >>> unknown_function(RuntimeError("The custom function <http://x/f> is not supported")).message[:38]
    'the query calls the unknown function <'
    >>> unknown_function(RuntimeError("something else")) is None
    True
    """
    match = _UNKNOWN_FUNCTION.match(str(error))
    if not match:
        return None
    return Rejected(
        f"the query calls the unknown function {match.group(1)}; use the SPARQL 1.1 built-in functions "
        "(STR, REGEX, CONCAT …) or the XSD casts (xsd:integer(?x), xsd:string(?x) …)"
    )


_CHAR_CLASS = re.compile(r",?\s*\[(?:[^\[\]]|\[[^\]]*\])*?(?:\.\.=|_\])[^\[\]]*\]")


def parser_message(error: SyntaxError, text: str, prefixes: Mapping[str, str] | None = None) -> str:
    """pyoxigraph's message, shortened, with the offending line, a caret under the column, and hints.

    The hints (:func:`~gcmkg.service.screening.syntax_hints`) name the common mistakes that the
    parser's "expected one of …" hides: an undeclared prefix, unbalanced brackets, a triple
    pattern without its object or without the ``.`` that ends it; ``prefixes`` are the predeclared
    ones (never hinted as undeclared).
    """
    message = _CHAR_CLASS.sub("", str(error)).replace(", [_]", "").rstrip(", ")
    if len(message) > 400:
        message = message[:400] + " …"
    match = _POSITION.search(message)
    line_no = column = None
    if match:
        line_no, column = int(match.group(1)), int(match.group(2))
        lines = text.splitlines() or [""]
        if 1 <= line_no <= len(lines):
            line = lines[line_no - 1]
            message += f"\n  line {line_no}: {line}\n  {' ' * (len(f'line {line_no}: ') + column - 1)}^"
    message += "".join(f"\n  hint: {hint}" for hint in syntax_hints(text, line_no, column, prefixes))
    return f"malformed query: {message}"


class _Executor:
    """Runs jobs against one read-only store (one per worker process)."""

    def __init__(self, store_dir: Path, base_iri: str, backend: str | None = None) -> None:
        self.store = open_store(store_dir.parent, base_iri, backend, connections=1)
        self.base_iri = base_iri
        self.empty = Store()
        self.prefixes = prefixes_for(base_iri)

    def check(self, job: Job) -> Screened:
        """Parse-level checks (evaluates nothing on the real store); what the screening saw."""
        screened = screen(job.query)
        refused = refusal(job.query, screened)
        if refused:
            raise refused
        if screened.ambiguous_iri:
            try:  # the grammar's tokenization: every <...> token is an IRI (see screening.py)
                self.empty.query(masked_iris(job.query), base_iri=self.base_iri, prefixes=self.prefixes)
            except SyntaxError as error:
                self._parse(job.query)  # a syntax error of its own: report that one
                iri = screened.ambiguous_iri
                raise Rejected(
                    parser_message(error, job.query, self.prefixes)
                    + f"\n  note: the SPARQL grammar reads {iri} as an IRI; write '?a < ?b' with spaces to compare"
                ) from None
            except Exception:  # it parsed; evaluating the masked text (e.g. a masked function IRI) may fail
                pass
        return screened

    def _parse(self, text: str) -> None:
        """Raise :class:`Rejected` with the parser's message if ``text`` is not a valid query."""
        try:  # on an empty in-memory store: ASK and ORDER BY evaluate, but over nothing
            self.empty.query(text, base_iri=self.base_iri, prefixes=self.prefixes)
        except SyntaxError as error:
            raise Rejected(parser_message(error, text, self.prefixes)) from None
        except Exception:  # it parsed; evaluation over nothing failed (e.g. an unknown function)
            return

    def run(self, job: Job) -> tuple[bytes, str, str]:
        screened = self.check(job)
        form = screened.form or ""
        if isinstance(self.store, RemoteStore):
            try:
                return self._run(job, screened, form)
            except SyntaxError as error:  # the engine's answer, mid-stream
                raise self.store.not_results(error) from None
        return self._run(job, screened, form)

    def _run(self, job: Job, screened: Screened, form: str) -> tuple[bytes, str, str]:
        protocol_dataset = bool(job.default_graph_uris or job.named_graph_uris)
        try:
            # the protocol's dataset overrides FROM; a query's own FROM overrides the union default
            result = self.store.query(
                job.query,
                substitutions=job.substitutions or None,
                default_graph=[NamedNode(u) for u in job.default_graph_uris] if protocol_dataset else None,
                named_graphs=[NamedNode(u) for u in job.named_graph_uris] if protocol_dataset else None,
                union_default_graph=not screened.has_dataset_clause,
                prefixes=self.prefixes,  # the project prefixes, as on the command line; the query's own win
                timeout_s=max(job.timeout_s * 0.9, job.timeout_s - 0.25),  # answer before the runner stops us
                max_rows=job.max_rows,
            )
        except SyntaxError as error:
            raise Rejected(parser_message(error, job.query, self.prefixes)) from None
        except RuntimeError as error:
            raise unknown_function(error) or error from None
        asked = by_name(job.result_format) if job.result_format else None
        if isinstance(result, QueryBoolean):
            representation = asked or SPARQL_JSON
            return serialize_boolean(result, representation), representation.name, "ask"
        if isinstance(result, QuerySolutions):
            representation = asked or SPARQL_JSON
            body = serialize_solutions(result, representation, job.max_rows, job.max_bytes)
            return body, representation.name, "select"
        representation = asked or TURTLE
        body = serialize_triples(result, representation, job.max_rows, job.max_bytes, self.prefixes)
        return body, representation.name, form if form in ("construct", "describe") else "construct"


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _tell(conn: Connection, message: tuple[str, object]) -> bool:
    """Send ``message`` to the service; False if it is gone (it stopped while this worker
    started, e.g. a service killed during its cold start): then the worker just ends."""
    try:
        conn.send(message)
    except (BrokenPipeError, EOFError, OSError):
        return False
    return True


def main(
    conn: Connection, store_dir: str, base_iri: str, memory_mb: int, niceness: int = 0, backend: str | None = None
) -> None:
    """Worker entry point (a ``multiprocessing`` target): serve jobs until the pipe closes.

    ``niceness`` lowers the worker's CPU priority, so that on a busy machine the web process
    (dereferencing, cached answers) and the saved-query lane are served first.  ``backend``: the
    query endpoint of a remote engine holding the release (:mod:`gcmkg.remote`), or None.
    """
    try:
        if niceness:
            os.nice(niceness)
        executor = _Executor(Path(store_dir), base_iri, backend)
        screen("ASK {}")  # compile the tokeniser now, while starting, not on the first query
        _limit_memory(memory_mb)
    except BaseException as error:  # report why we could not start, then exit
        _tell(conn, ("failed", f"worker could not start: {error}"))
        return
    if not _tell(conn, ("ready", os.getpid())):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply: tuple[str, object] = ("ok", executor.run(job))
        except Rejected as error:
            reply = ("rejected", (error.status, error.message))
        except TooLarge as error:
            reply = ("too_large", str(error))
        except BackendTimeout as error:
            reply = ("timeout", error.message)
        except BackendFault as error:
            reply = ("backend", (error.status, error.message))
        except MemoryError:
            reply = ("memory", "the query needed more memory than the per-query limit")
        except Exception as error:  # an engine error (e.g. OSError reading the store)
            reply = ("failed", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", "the result needed more memory than the per-query limit"))

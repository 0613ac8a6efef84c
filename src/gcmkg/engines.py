"""Remote SPARQL engines for a release: load its dumps with the engine's own bulk loader, and run one.

The service reads a release from a remote engine when ``GCMKG_SPARQL_BACKEND`` names the
engine's query endpoint (:mod:`gcmkg.remote`).  This module puts the release there, with each
engine's own tools (``gcmkg engine load``, and the tests' engine fixtures):

* **Oxigraph server** (the ``oxigraph`` command of the PyPI package ``oxigraph``):
  ``oxigraph load --location DIR --file dumps/gcmkg.nq`` into a new folder, then
  ``oxigraph serve-read-only --location DIR --bind HOST:PORT --timeout-s N`` (:func:`serve_oxigraph`);
  its query endpoint is ``http://HOST:PORT/query``.  Its only time limit is the server-wide
  ``--timeout-s``: give it the service's query limit.
* **OpenLink Virtuoso** (Debian's ``virtuoso-opensource``: ``virtuoso-t`` and ``isql-vt``): a
  database folder with the ini :func:`virtuoso_ini` writes (loopback ports, ``DirsAllowed`` the
  dumps folder, one thread per query so that one heavy query leaves the other cores to the rest,
  and ``ResultSetMaxRows`` far above any row cap of the service, because Virtuoso
  truncates results at it without saying so), then its bulk loader over isql:
  ``ld_dir(dumps, 'gcmkg.nq', …)``, ``rdf_loader_run()``, ``checkpoint`` (the loader reads
  N-Quads with their graphs).  Its query endpoint is ``http://HOST:PORT/sparql``.

Only ``dumps/gcmkg.nq`` is loaded: it holds every named graph (the per-graph files are the same
quads again).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from gcmkg.errors import GcmkgError
from gcmkg.remote import NO_GRAPH

ENGINES = ("oxigraph", "virtuoso")
VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
VIRTUOSO_MAX_ROWS = 10_000_000  # Virtuoso's silent row cap: far above any --max-rows of the service


class EngineError(GcmkgError):
    """An engine's tool is missing, failed, or the engine did not start (the message says which)."""


def oxigraph_command() -> str:
    """The ``oxigraph`` CLI: on PATH, or beside this Python (a virtual environment's bin/)."""
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        raise EngineError("the oxigraph command is missing: pip install oxigraph (a test dependency of gcmkg)")
    return found


def _run(command: list[str], what: str, timeout_s: float = 600) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0:
        raise EngineError(f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}")
    return done.stdout


def load_oxigraph(dumps: Path, location: Path) -> None:
    """Bulk-load a release's dumps into a new Oxigraph database folder."""
    if location.exists() and any(location.iterdir()):
        raise EngineError(f"{location}: not empty; an engine holds one release, load into a new folder")
    _run([oxigraph_command(), "load", "--location", str(location), "--file", str(dumps / "gcmkg.nq")], "oxigraph load")


def serve_oxigraph(location: Path, port: int, timeout_s: float, log: Path) -> subprocess.Popen[bytes]:
    """``oxigraph serve-read-only`` on loopback; returns once it answers (the caller stops it)."""
    command = [oxigraph_command(), "serve-read-only", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", f"{max(1, round(timeout_s))}"]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    _wait_for_port(process, port, 30, "oxigraph serve-read-only", log)
    return process


def virtuoso_ini(folder: Path, http_port: int, isql_port: int, dumps: Path) -> Path:
    """A virtuoso.ini for a database in ``folder`` (created on first start), on loopback ports."""
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(
        f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dumps}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 1
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxKeepAlives = 10
[SPARQL]
ResultSetMaxRows = {VIRTUOSO_MAX_ROWS}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
""",
        encoding="utf-8",
    )
    return ini


def start_virtuoso(ini: Path, http_port: int, log: Path) -> subprocess.Popen[bytes]:
    """``virtuoso-t`` in the foreground with ``ini``; returns once its HTTP port answers."""
    if not shutil.which(VIRTUOSO):
        raise EngineError("virtuoso-t is missing: `make virtuoso` installs Debian's virtuoso-opensource")
    command = [VIRTUOSO, "+foreground", "+configfile", str(ini)]
    process = subprocess.Popen(
        command, cwd=ini.parent, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    _wait_for_port(process, http_port, 120, "virtuoso-t", log)
    return process


def load_virtuoso(dumps: Path, isql_port: int, password: str = "dba", user: str = "dba") -> None:
    """Bulk-load a release's dumps into Virtuoso over isql (its folder must be in ``DirsAllowed``)."""
    if not shutil.which(ISQL):
        raise EngineError("isql-vt is missing: `make virtuoso` installs Debian's virtuoso-opensource")
    statements = (
        f"ld_dir('{dumps}', 'gcmkg.nq', '{NO_GRAPH}'); rdf_loader_run(); checkpoint; "
        "SELECT 'LOAD-ERROR', ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
    )
    out = _run([ISQL, f"127.0.0.1:{isql_port}", user, password, f"exec={statements}"], "Virtuoso's bulk loader")
    errors = [line for line in out.splitlines() if line.startswith("LOAD-ERROR")]
    if errors:
        raise EngineError("Virtuoso's bulk loader reported: " + "; ".join(errors))


def _wait_for_port(process: subprocess.Popen[bytes], port: int, timeout_s: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EngineError(f"{what} exited with {process.returncode}: {log.read_text(errors='replace')[-800:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise EngineError(f"{what} did not listen on port {port} within {timeout_s:.0f} s")

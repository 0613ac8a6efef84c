"""``/health`` and ``/health/ready``: what a load balancer and an operator ask of a replica.

* ``GET /health`` (JSON): the release served (id, build time, quads, the SHA-256 of its
  ``gcmkg.nq`` dump, so that replicas can be checked to serve the same data), the version of
  gcmkg serving it (it is part of every ``ETag``: replicas agree only when it agrees too), the query workers
  (alive, busy, being started, the bound, queries waiting for one, queries stopped by the time
  limit), how many live switches this process has made, the per-client query budgets
  (``clients``: clients tracked, ad-hoc queries holding a slot now, those of heavy clients, and
  refusals so far), and the store behind it: ``backend``,
  ``{"kind": "embedded", "reachable": true}`` for the release's own store, or for a remote SPARQL
  engine (``--sparql-backend``) ``kind`` ``remote``, its ``endpoint``, ``engine`` (``oxigraph``,
  ``virtuoso``, or ``""`` for another), its ``server`` header, ``reachable`` (whether it answered
  a probe within a second, now), ``probe_ms``, and ``error`` when it did not
  (:meth:`gcmkg.remote.RemoteStore.health`: probed at most once a second).  Always ``200`` while
  the process answers, the engine down or not: a balancer reads ``backend.reachable``.
* ``GET /health/ready``: ``200 ready`` while a release is served and at least one query worker
  is ready; otherwise ``503`` with ``Retry-After`` (a balancer takes the replica out meanwhile,
  e.g. in the second after a cold start, while the workers open the store).

Neither is cached (``Cache-Control: no-store``): they describe this process now.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from gcmkg import __version__
from gcmkg.remote import RemoteStore
from gcmkg.service.deps import ServedDep
from gcmkg.service.serving import Served

router = APIRouter(tags=["operations"])
NO_STORE = {"Cache-Control": "no-store"}
DUMP = "gcmkg.nq"


def dump_checksum(dumps_dir: Path) -> str | None:
    path = dumps_dir / DUMP
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_facts(served: Served) -> dict[str, Any]:
    """The facts of a release that never change: computed once, kept with the release."""
    facts = served.cache.get("health")
    if facts is None:
        facts = {
            "id": served.release.id,
            "built": served.release.modified.isoformat(),
            "quads": len(served.store),
            "dump_sha256": dump_checksum(served.release.dumps_dir),
        }
        served.cache["health"] = facts
    return facts  # type: ignore[no-any-return]


def backend_facts(served: Served) -> dict[str, Any]:
    """The store behind the release: embedded, or a remote engine and whether it answers now."""
    if isinstance(served.store, RemoteStore):
        return served.store.health()
    return {"kind": "embedded", "reachable": True}


@router.get("/health", summary="The release served, its checksum, the query workers and the store behind them")
def health(request: Request, served: ServedDep) -> Response:
    return JSONResponse(
        {
            "status": "ok",
            "release": served.release.id,
            **{k: v for k, v in release_facts(served).items() if k != "id"},
            "version": __version__,
            "workers": served.runner.status(),
            "answers": served.answers.status(),  # computed once per release (.serving.AnswerCache)
            "replayed": served.replays.status(),
            "on_wire": served.wire.status(),  # replayed answers written by the protocol (.wire)
            "switches": request.app.state.releases.switches,
            "clients": request.app.state.budgets.status(),  # ad-hoc query slots held now (.fairness)
            "backend": backend_facts(served),
        },
        headers=NO_STORE,
    )


@router.get(
    "/health/ready",
    summary="200 while this replica can answer queries, else 503",
    response_class=PlainTextResponse,
    responses={503: {"description": "not ready: no query worker ready", "content": {"text/plain": {}}}},
)
def ready(served: ServedDep) -> Response:
    if served.runner.status()["ready"] < 1:
        return PlainTextResponse(
            "not ready: no query worker is ready (they are starting or being restarted)\n",
            status_code=503,
            headers={**NO_STORE, "Retry-After": "2"},
        )
    return PlainTextResponse(f"ready: release {served.release.id}\n", headers=NO_STORE)

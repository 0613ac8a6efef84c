"""Typed dependencies for routers: what a request handler may use, taken from the app's state.

``create_app`` puts these on ``app.state`` once, at start, from the validated settings
(nothing is read at import time); handlers declare them by type::

    @router.get("/id/{path:path}")
    def resource(path: str, store: StoreDep, iris: IrisDep) -> Response: ...

* :data:`LimitsDep` — the per-query :class:`~gcmkg.service.runner.Limits` (shown on pages).
* :data:`ReleaseDep` — the release being served: its id and time (the cache validators'), and
  its folder, whose dumps ``/dumps`` lists.
* :data:`IrisDep` — the :class:`~gcmkg.iris.Iris` of the served graph's base IRI.
* :data:`StoreDep` — the built store opened read-only, for *trusted* in-process reads (fixed
  queries with bound terms, results materialised in the calling thread).  Never run a
  client's query text on it: that is what :data:`RunnerDep` is for.
* :data:`RunnerDep` — the supervised :class:`~gcmkg.service.runner.QueryRunner`.
* :data:`SavedQueriesDep` — the saved queries read from ``settings.queries_dir`` at start.
* :data:`PagesDep` — the HTML templates of ``settings.templates_dir``.
* :data:`DatasetStatsDep` — the release's statistics and VoID description, computed on first
  use and kept for the app's lifetime (the release never changes while it is served).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from gcmkg.iris import Iris
from gcmkg.service.describe import DatasetStats, StatsCache
from gcmkg.service.pages import Pages
from gcmkg.service.runner import Limits, QueryRunner
from gcmkg.service.saved_query_files import SavedQuery
from gcmkg.store import GraphStore


@dataclass(frozen=True)
class Release:
    """The built release the service publishes (``build/current`` resolved at start).

    The service keeps serving it, store and dumps alike, even when a build meanwhile swaps
    ``build/current`` to a newer one (restart the service to publish that).
    """

    id: str
    modified: datetime  # when the release was built (Last-Modified)
    folder: Path

    @property
    def store_dir(self) -> Path:
        return self.folder / "store"

    @property
    def dumps_dir(self) -> Path:
        return self.folder / "dumps"


def get_limits(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


def get_release(request: Request) -> Release:
    return request.app.state.release  # type: ignore[no-any-return]


def get_iris(request: Request) -> Iris:
    return request.app.state.iris  # type: ignore[no-any-return]


def get_store(request: Request) -> GraphStore:
    return request.app.state.store  # type: ignore[no-any-return]


def get_runner(request: Request) -> QueryRunner:
    runner = request.app.state.runner
    if runner is None:
        raise RuntimeError("the query runner is not running (the app's lifespan has not started)")
    return runner  # type: ignore[no-any-return]


def get_saved_queries(request: Request) -> dict[str, SavedQuery]:
    return request.app.state.saved_queries  # type: ignore[no-any-return]


def get_pages(request: Request) -> Pages:
    return request.app.state.pages  # type: ignore[no-any-return]


def get_dataset_stats(request: Request) -> DatasetStats:
    cache: StatsCache = request.app.state.dataset_stats
    return cache.get()


LimitsDep = Annotated[Limits, Depends(get_limits)]
ReleaseDep = Annotated[Release, Depends(get_release)]
IrisDep = Annotated[Iris, Depends(get_iris)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
SavedQueriesDep = Annotated[dict[str, SavedQuery], Depends(get_saved_queries)]
PagesDep = Annotated[Pages, Depends(get_pages)]
DatasetStatsDep = Annotated[DatasetStats, Depends(get_dataset_stats)]

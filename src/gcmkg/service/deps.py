"""Typed dependencies for routers: what a request handler may use.

What belongs to the app (limits, IRIs, saved queries, templates) ``create_app`` puts on
``app.state`` once, at start, from the validated settings (nothing is read at import time).
What belongs to a release (its store, query workers, statistics, dumps) comes from the
release the request holds (``request.state.served``, :mod:`.serving`), so one answer never
mixes two releases.  Handlers declare them by type::

    @router.get("/id/{path:path}")
    def resource(path: str, store: StoreDep, iris: IrisDep) -> Response: ...

* :data:`ServedDep` — the whole release this request holds (:class:`~.serving.Served`).
* :data:`LimitsDep` — the per-query :class:`~gcmkg.service.runner.Limits` (shown on pages).
* :data:`ReleaseDep` — the release this request is answered from: its id and time (the cache
  validators'), and its folder, whose dumps ``/dumps`` lists.
* :data:`IrisDep` — the :class:`~gcmkg.iris.Iris` of the served graph's base IRI.
* :data:`StoreDep` — the built store opened read-only, for *trusted* in-process reads (fixed
  queries with bound terms, results materialised in the calling thread).  Never run a
  client's query text on it: that is what :data:`RunnerDep` is for.
* :data:`RunnerDep` — the supervised :class:`~gcmkg.service.runner.QueryRunner` for ad-hoc
  queries; :data:`SavedRunnerDep` — the lane of workers for saved queries.
* :data:`AnswersDep` — the release's :class:`~.serving.AnswerCache` (answers computed once).
* :data:`BudgetsDep` — the per-client :class:`~.fairness.ClientBudgets` of ad-hoc queries.
* :data:`SavedQueriesDep` — the saved queries read from ``settings.queries_dir`` at start.
* :data:`PagesDep` — the HTML templates of ``settings.templates_dir``.
* :data:`DatasetStatsDep` — the release's statistics and VoID description, computed on first
  use and kept while the release is served (a release never changes); :data:`StatsCacheDep` —
  the same, not yet computed, for a handler that needs them only for some answers (counting them
  takes about a second: a resource's Turtle should not wait for it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gcmkg.iris import Iris
from gcmkg.releases import Release
from gcmkg.service.describe import DatasetStats, StatsCache
from gcmkg.service.fairness import ClientBudgets
from gcmkg.service.pages import Pages
from gcmkg.service.runner import Limits, QueryRunner
from gcmkg.service.saved_query_files import SavedQuery
from gcmkg.service.serving import AnswerCache, Served
from gcmkg.store import GraphStore


def get_limits(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


def get_served(request: Request) -> Served:
    """The release this request is answered from (held by :class:`~.serving.ServeRelease` to its end)."""
    return request.state.served  # type: ignore[no-any-return]


def get_release(request: Request) -> Release:
    return get_served(request).release


def get_iris(request: Request) -> Iris:
    return request.app.state.iris  # type: ignore[no-any-return]


def get_store(request: Request) -> GraphStore:
    return get_served(request).store


def get_runner(request: Request) -> QueryRunner:
    return get_served(request).runner


def get_saved_runner(request: Request) -> QueryRunner:
    return get_served(request).saved_runner


def get_answers(request: Request) -> AnswerCache:
    return get_served(request).answers


def get_budgets(request: Request) -> ClientBudgets:
    return request.app.state.budgets  # type: ignore[no-any-return]


def get_saved_queries(request: Request) -> dict[str, SavedQuery]:
    return request.app.state.saved_queries  # type: ignore[no-any-return]


def get_pages(request: Request) -> Pages:
    return request.app.state.pages  # type: ignore[no-any-return]


def get_dataset_stats(request: Request) -> DatasetStats:
    return get_served(request).stats.get()


def get_stats_cache(request: Request) -> StatsCache:
    return get_served(request).stats


ServedDep = Annotated[Served, Depends(get_served)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
ReleaseDep = Annotated[Release, Depends(get_release)]
IrisDep = Annotated[Iris, Depends(get_iris)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
SavedRunnerDep = Annotated[QueryRunner, Depends(get_saved_runner)]
AnswersDep = Annotated[AnswerCache, Depends(get_answers)]
BudgetsDep = Annotated[ClientBudgets, Depends(get_budgets)]
SavedQueriesDep = Annotated[dict[str, SavedQuery], Depends(get_saved_queries)]
PagesDep = Annotated[Pages, Depends(get_pages)]
DatasetStatsDep = Annotated[DatasetStats, Depends(get_dataset_stats)]
StatsCacheDep = Annotated[StatsCache, Depends(get_stats_cache)]

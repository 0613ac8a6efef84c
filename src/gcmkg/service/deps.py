"""Typed dependencies for routers: what a request handler may use, taken from the app's state.

``create_app`` puts these on ``app.state`` once, at start; handlers declare them by type::

    @router.get("/id/{path:path}")
    def resource(path: str, store: StoreDep, settings: SettingsDep) -> Response: ...

* :data:`SettingsDep` — the validated :class:`~gcmkg.settings.Settings`.
* :data:`StoreDep` — the built store opened read-only, for *trusted* in-process reads (fixed
  queries with bound terms, results materialised in the calling thread).  Never run a
  client's query text on it: that is what :data:`RunnerDep` is for.
* :data:`RunnerDep` — the supervised :class:`~gcmkg.service.runner.QueryRunner`.
* :data:`ReleaseDep` — the release being served (its id and time; what cache validators use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from gcmkg.service.runner import QueryRunner
from gcmkg.settings import Settings
from gcmkg.store import GraphStore


@dataclass(frozen=True)
class Release:
    """The built release the service publishes (``build/current`` resolved at start)."""

    id: str
    modified: datetime  # when the release was built (Last-Modified)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_store(request: Request) -> GraphStore:
    return request.app.state.store  # type: ignore[no-any-return]


def get_runner(request: Request) -> QueryRunner:
    runner = request.app.state.runner
    if runner is None:
        raise RuntimeError("the query runner is not running (the app's lifespan has not started)")
    return runner  # type: ignore[no-any-return]


def get_release(request: Request) -> Release:
    return request.app.state.release  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
ReleaseDep = Annotated[Release, Depends(get_release)]

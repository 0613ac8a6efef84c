"""The OpenAPI document (``/openapi.json``): what the service really accepts and answers.

FastAPI derives the document from the routes' signatures; this module makes it exact where a
signature cannot say it:

* a ``format`` parameter is an ``enum`` of the values the operation accepts (each short name and
  media type of the representations it offers, and the empty value, which means "by Accept"),
  written by :func:`format_query`, and every operation that has one documents ``406``;
* every operation documents the refusals any request can get before it reaches a route
  (:mod:`.request_limits`): ``400`` for a query string that is not UTF-8, ``414`` and ``431``
  for a request target or header block over its cap (:func:`install`);
* a parameter's schema can be replaced whole (:func:`replace_schema`): the saved queries use it
  to give each parameter the type, allowed values and syntax their binding checks
  (:mod:`.saved_queries`).

``tests/service/test_openapi.py`` runs schemathesis with all its checks over the document
against a running service, so a difference between the two is a failing test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Query
from fastapi.openapi.utils import get_openapi

from gcmkg.representations import Representation

# refusals any request may get before a route sees it (request_limits.py, protocol.py)
COMMON_RESPONSES: dict[str, dict[str, Any]] = {
    "400": {
        "description": "Bad request: the body says what was wrong (here, or for any operation: a query "
        "string that is not UTF-8 once percent-decoded)."
    },
    "414": {
        "description": "The request target (path and query string) is over the size cap; send a long query by POST."
    },
    "431": {"description": "The request headers are over the size cap."},
}
NOT_ACCEPTABLE = {"description": "No offered representation fits Accept / format; the body lists them."}


def format_values(offered: Sequence[Representation]) -> list[str]:
    """Every value of ``format=`` that selects one of ``offered``, then ``""`` (by Accept).

    >>> from gcmkg.representations import HTML, JSON
    >>> format_values([HTML, JSON])
    ['html', 'text/html', 'application/xhtml+xml', 'json', 'application/json', '']
    """
    values: list[str] = []
    for representation in offered:
        for value in (*representation.formats, *representation.media_types):
            if value not in values:
                values.append(value)
    return [*values, ""]


def replace_schema(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` that replaces a parameter's generated schema (keeping its title,
    description and default) by ``schema``: for values FastAPI would type as ``str | None``."""

    def update(generated: dict[str, Any]) -> None:
        kept: dict[str, Any] = {k: generated[k] for k in ("title", "description", "default") if k in generated}
        generated.clear()
        generated.update(kept)
        generated.update(schema)

    return update


def format_query(offered: Sequence[Representation], description: str) -> Any:
    """The ``Query(...)`` of a ``format`` parameter choosing among ``offered``.

    Used as ``Annotated[str | None, format_query(offered, "...")]``.
    """
    return Query(
        alias="format",
        description=description + " Empty or absent: by Accept.",
        json_schema_extra=replace_schema({"type": "string", "enum": format_values(offered)}),
    )


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the responses every operation may give."""

    def document() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, response in COMMON_RESPONSES.items():
                    responses.setdefault(status, dict(response))
                if any(p.get("name") == "format" and p.get("in") == "query" for p in operation.get("parameters", [])):
                    responses.setdefault("406", dict(NOT_ACCEPTABLE))
        app.openapi_schema = spec
        return spec

    app.openapi = document  # type: ignore[method-assign]

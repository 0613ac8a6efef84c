"""HTML pages: one Jinja2 environment for the linked-data and saved-query pages.

Pages are plain HTML with one small inline style sheet — no scripts, fonts or CDNs — so that
they work offline, print well and read well with a screen reader. Links to resources this
graph mints are written as root-relative paths (``/id/...``), so following them stays on the
service that rendered the page even when it runs at another address than the base IRI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import Literal, NamedNode
from starlette.responses import HTMLResponse

from gcmkg.service.describe import compact, prefixes_for

TEMPLATES = Path(__file__).parent / "templates"

_environment: Environment | None = None


def environment() -> Environment:
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _environment


class Linker:
    """Turns IRIs into links and display names for one page (labels looked up by the caller)."""

    def __init__(self, base_iri: str, labels: dict[str, str] | None = None) -> None:
        self.base_iri = base_iri
        self.labels = labels or {}
        self.prefixes = prefixes_for(base_iri)

    def href(self, iri: str) -> str:
        if iri.startswith(self.base_iri):
            return "/" + iri[len(self.base_iri) :]
        return iri

    def name(self, iri: str) -> str:
        if iri in self.labels:
            return self.labels[iri]
        return compact(iri, self.prefixes)

    def is_local(self, iri: str) -> bool:
        return iri.startswith(self.base_iri)


def term_view(term: Any, linker: Linker) -> dict[str, Any]:
    """A term as the templates show it: a link with a label, or a literal with its language."""
    if isinstance(term, NamedNode):
        return {
            "kind": "iri",
            "iri": term.value,
            "href": linker.href(term.value),
            "name": linker.name(term.value),
            "raw": term.value,
            "labelled": term.value in linker.labels,
        }
    if isinstance(term, Literal):
        datatype = term.datatype.value if term.datatype is not None else ""
        return {
            "kind": "literal",
            "value": term.value,
            "language": term.language or "",
            "datatype": compact(datatype, linker.prefixes) if datatype and not term.language else "",
        }
    return {"kind": "other", "value": str(term)}


def render(name: str, *, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render ``templates/{name}`` to a response."""
    html = environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=headers)

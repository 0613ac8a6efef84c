"""HTML pages: the Jinja2 templates of the linked-data and saved-query pages.

Pages are plain HTML with small inline style sheets — no fonts, CDNs or script files; the one
script is the inline handler of the "cite as" copy button, and the page reads without it — so
that they work offline, print well and read well with a screen reader. Links to resources this
graph mints are written as root-relative paths (``/id/...``, :meth:`gcmkg.iris.Iris.path_of`),
so following them stays on the service that rendered the page even when it runs at another
address than the base IRI. The reader's pages (``provision.html``, ``dossier.html``,
``document.html``) render the views of :mod:`gcmkg.provisions` and nothing else.

The templates are read from ``Settings.templates_dir`` (by default the package's own
``templates/`` folder); :class:`Pages` is made once by the app and reached through
:data:`gcmkg.service.deps.PagesDep`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import Literal, NamedNode
from starlette.responses import HTMLResponse

from gcmkg.iris import Iris, prefixes_for
from gcmkg.service.describe import compact


class Pages:
    """The page templates of one folder."""

    def __init__(self, templates_dir: Path) -> None:
        if not (templates_dir / "base.html").is_file():
            raise FileNotFoundError(f"{templates_dir}: no page templates here (base.html is missing)")
        self.environment = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self, name: str, *, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> HTMLResponse:
        """Render the template ``name`` to a response."""
        html = self.environment.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status_code, headers=headers)


class Linker:
    """Turns IRIs into links and display names for one page (labels looked up by the caller)."""

    def __init__(self, iris: Iris, labels: dict[str, str] | None = None) -> None:
        self.iris = iris
        self.labels = labels or {}
        self.prefixes = prefixes_for(iris.base)

    def href(self, iri: str) -> str:
        return self.iris.path_of(iri) or iri

    def name(self, iri: str) -> str:
        if iri in self.labels:
            return self.labels[iri]
        return compact(iri, self.prefixes)


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

"""Settings, validated once where a command or the app starts; never read at import time.

Every setting can be given as an environment variable or by the command-line options that
override them:

* ``GCMKG_BASE_IRI`` (``--base-iri``) — the base of every minted IRI;
* ``GCMKG_ROOT`` — the project folder holding ``ontology/``, ``shapes/``, ``queries/`` and
  ``corpus/``; by default the checkout this package was installed from.  Set it when the
  package is installed elsewhere (``pip install``) and the project's files live in a folder
  of their own;
* ``GCMKG_BUILD_DIR`` (``--build-dir``) — where releases and ``current`` live (default
  ``{root}/build``);
* ``GCMKG_CORPUS_DIR`` (``--corpus-dir``) — the texts and their manifest (default
  ``{root}/corpus``);
* ``GCMKG_SPARQL_BACKEND`` (``gcmkg serve --sparql-backend``) — the query endpoint URL of a
  remote SPARQL engine holding the release (:mod:`gcmkg.remote`); unset, the service queries
  the release's embedded store.

The HTML templates are the package's own (``gcmkg/service/templates``), so they travel with
an installed package; ``templates_dir`` overrides them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gcmkg.errors import SettingsError

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/"
# The checkout this module lives in (src/gcmkg/settings.py → the folder holding src/).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "service" / "templates"


@dataclass(frozen=True, init=False)
class Settings:
    """Where things are and what IRIs look like.

    ``base_iri`` is used at build time for every IRI the graph mints; it must end in ``/``
    so that ``{base_iri}id/...`` is dereferenceable on the service that serves the store.
    ``build_dir`` and ``corpus_dir`` default to folders of ``root``.

    >>> Settings(root=Path("/srv/gcmkg")).corpus_dir
    PosixPath('/srv/gcmkg/corpus')
    >>> Settings(base_iri="http://example.org/id")
    Traceback (most recent call last):
    ...
    gcmkg.errors.SettingsError: base IRI must end with '/' and have no query or fragment: 'http://example.org/id'
    """

    base_iri: str
    root: Path
    build_dir: Path
    corpus_dir: Path
    templates_dir: Path
    sparql_backend: str | None

    def __init__(
        self,
        base_iri: str = DEFAULT_BASE_IRI,
        root: Path = PROJECT_ROOT,
        build_dir: Path | None = None,
        corpus_dir: Path | None = None,
        templates_dir: Path | None = None,
        sparql_backend: str | None = None,
    ) -> None:
        parts = urlsplit(base_iri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(f"base IRI must be an absolute http(s) IRI, got {base_iri!r}")
        if not base_iri.endswith("/") or parts.query or parts.fragment:
            raise SettingsError(f"base IRI must end with '/' and have no query or fragment: {base_iri!r}")
        object.__setattr__(self, "base_iri", base_iri)
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "build_dir", build_dir or root / "build")
        object.__setattr__(self, "corpus_dir", corpus_dir or root / "corpus")
        object.__setattr__(self, "templates_dir", templates_dir or PACKAGE_TEMPLATES)
        backend = urlsplit(sparql_backend or "")
        if sparql_backend and (backend.scheme not in ("http", "https") or not backend.netloc):
            raise SettingsError(f"the SPARQL backend must be the http(s) URL of a query endpoint: {sparql_backend!r}")
        object.__setattr__(self, "sparql_backend", sparql_backend or None)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def catalogue_dir(self) -> Path:
        """The hand-edited instrument and actor catalogue (``catalogue/*.ttl``)."""
        return self.root / "catalogue"

    @property
    def samples_dir(self) -> Path:
        """The hand-checked samples the linkers are measured against (``samples/*.toml``)."""
        return self.root / "samples"

    @property
    def queries_dir(self) -> Path:
        """The saved queries (``*.rq``) the service publishes at ``/queries``."""
        return self.root / "queries"

    @property
    def current(self) -> Path:
        """The last good release (a symlink switched atomically by a build that passed)."""
        return self.build_dir / "current"

    @property
    def store_dir(self) -> Path:
        return self.current / "store"

    @property
    def dumps_dir(self) -> Path:
        return self.current / "dumps"


_ENVIRONMENT = {
    "base_iri": "GCMKG_BASE_IRI",
    "root": "GCMKG_ROOT",
    "build_dir": "GCMKG_BUILD_DIR",
    "corpus_dir": "GCMKG_CORPUS_DIR",
    "sparql_backend": "GCMKG_SPARQL_BACKEND",
}
_FOLDERS = ("root", "build_dir", "corpus_dir")


def load_settings(**overrides: str | Path | None) -> Settings:
    """Settings from the environment, with explicit overrides (None values ignored).

    Folders given relative are resolved against the working directory.
    """
    values: dict[str, str | Path] = {name: os.environ[var] for name, var in _ENVIRONMENT.items() if var in os.environ}
    values.update({name: value for name, value in overrides.items() if value is not None})
    unknown = set(values) - set(_ENVIRONMENT)
    if unknown:
        raise TypeError(f"load_settings() got unknown settings: {', '.join(sorted(unknown))}")
    folders = {name: Path(values[name]).resolve() for name in _FOLDERS if name in values}
    return Settings(
        base_iri=str(values.get("base_iri", DEFAULT_BASE_IRI)),
        root=folders.get("root", PROJECT_ROOT),
        build_dir=folders.get("build_dir"),
        corpus_dir=folders.get("corpus_dir"),
        sparql_backend=str(values["sparql_backend"]) if values.get("sparql_backend") else None,
    )

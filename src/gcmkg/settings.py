"""Settings, validated once where a command or the app starts; never read at import time.

Every setting can be given as an environment variable (``GCMKG_BASE_IRI`` …) or by the
command-line options that override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where things are and what IRIs look like.

    ``base_iri`` is used at build time for every IRI the graph mints; it must end in ``/``
    so that ``{base_iri}id/...`` is dereferenceable on the service that serves the store.
    """

    base_iri: str = DEFAULT_BASE_IRI
    root: Path = PROJECT_ROOT
    build_dir: Path = PROJECT_ROOT / "build"
    corpus_dir: Path = PROJECT_ROOT / "corpus"

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_iri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base IRI must be an absolute http(s) IRI, got {self.base_iri!r}")
        if not self.base_iri.endswith("/") or parts.query or parts.fragment:
            raise ValueError(f"base IRI must end with '/' and have no query or fragment: {self.base_iri!r}")

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


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (None values ignored)."""
    values: dict[str, object] = {}
    if "GCMKG_BASE_IRI" in os.environ:
        values["base_iri"] = os.environ["GCMKG_BASE_IRI"]
    if "GCMKG_BUILD_DIR" in os.environ:
        values["build_dir"] = Path(os.environ["GCMKG_BUILD_DIR"])
    if "GCMKG_CORPUS_DIR" in os.environ:
        values["corpus_dir"] = Path(os.environ["GCMKG_CORPUS_DIR"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    for name in ("build_dir", "corpus_dir"):
        if name in values:
            values[name] = Path(str(values[name])).resolve()
    return Settings(**values)  # type: ignore[arg-type]

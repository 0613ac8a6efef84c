"""Shared fixtures: the real graph, built once per test session from the project's corpus.

``built`` runs the real build (all stages, SHACL included) into a temporary build folder
and yields its settings; ``store`` opens that store read-only.  Tests that need a broken
corpus copy the corpus with ``corpus_copy``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gcmkg.build import BuildResult, build
from gcmkg.settings import PROJECT_ROOT, Settings, load_settings
from gcmkg.store import GraphStore

BASE_IRI = "http://127.0.0.1:8000/"


@pytest.fixture(scope="session")
def build_result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, BuildResult]]:
    settings = load_settings(base_iri=BASE_IRI, build_dir=tmp_path_factory.mktemp("build"))
    yield settings, build(settings)


@pytest.fixture(scope="session")
def built(build_result: tuple[Settings, BuildResult]) -> Settings:
    return build_result[0]


@pytest.fixture(scope="session")
def store(built: Settings) -> GraphStore:
    return GraphStore.open_read_only(built.store_dir, built.base_iri)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the project's corpus folder."""
    target = tmp_path / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", target)
    return target

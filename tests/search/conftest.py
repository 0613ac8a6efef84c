"""The search index of the real build (``built``: every stage, from the project's corpus)."""

from __future__ import annotations

import pytest

from gcmkg.search import INDEX_FOLDER, SearchIndex
from gcmkg.settings import Settings


@pytest.fixture(scope="session")
def index(built: Settings) -> SearchIndex:
    return SearchIndex.open(built.build_dir / "current" / INDEX_FOLDER)

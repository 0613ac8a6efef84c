"""Shared fixtures: the real graph, built once per test session from the project's corpus.

``built`` runs the real build (all stages, SHACL included) into a temporary build folder
and yields its settings; ``store`` opens that store read-only.  Tests that need a broken
corpus copy the corpus with ``corpus_copy``.

``browser`` is a headless Chromium (``/usr/bin/chromium``, which ``make browser`` installs),
launched by Playwright with ``executable_path`` (Playwright's own browser download is never used),
one per test module, each test in a fresh context (a fresh profile).  Per module, not per session:
Playwright's sync API runs an event loop in the test thread for as long as it is open, which
allows no second instance and no ``asyncio.run`` (the MCP tests') meanwhile; so one fixture, here,
for every browser test, and it is closed when its module ends.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from gcmkg.build import BuildResult, build
from gcmkg.settings import PROJECT_ROOT, Settings, load_settings
from gcmkg.store import GraphStore

BASE_IRI = "http://127.0.0.1:8000/"
CHROMIUM = Path("/usr/bin/chromium")
# the flags the project's browser tests run with: no sandbox (containers), no GPU, nothing fetched
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


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

"""Browser tests: the pages as a reader meets them, in Debian's Chromium driven headless by Playwright.

Fixtures:

* ``browser_url`` (session) — ``gcmkg serve`` over the session's graph (``built``, shared with
  the other tests, so no second build) on a free port; pages link by root-relative paths, so a
  base IRI that is not this address does not matter.  With ``GCMKG_TEST_SERVICE_BUILD`` set
  (see ``tests/service/conftest.py``) that finished build is served instead, for quick iteration.
* ``browser`` (per module, from tests/conftest.py) — a headless Chromium.
* ``page`` — a new context (downloads accepted) and page per test; when the test ends, a
  full-page screenshot goes to ``build/test-artefacts/browser/<test>.png`` (``build/`` is
  ignored by git), and ``shoot(name)`` keeps one of any intermediate page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from service.conftest import SERVICE_LIMITS, free_port, start_server, stop_server

from gcmkg.settings import PROJECT_ROOT, Settings, load_settings

ARTEFACTS = PROJECT_ROOT / "build" / "test-artefacts" / "browser"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.server


@pytest.fixture(scope="session")
def browser_settings(request: pytest.FixtureRequest) -> Settings:
    reused = os.environ.get("GCMKG_TEST_SERVICE_BUILD")
    if reused:
        folder, _, port = reused.rpartition(":")
        return load_settings(base_iri=f"http://127.0.0.1:{port}/", build_dir=Path(folder))
    built: Settings = request.getfixturevalue("built")
    return built


@pytest.fixture(scope="session")
def browser_url(browser_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("browser-serve") / "serve.log"
    server = start_server(browser_settings.build_dir, browser_settings.base_iri, free_port(), log, SERVICE_LIMITS)
    yield server.url.rstrip("/")
    stop_server(server)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTEFACTS / f"{_safe(request.node.name)}.png"), full_page=True)
    context.close()


@pytest.fixture
def shoot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``shoot("results")`` keeps a full-page screenshot of the page as it is now; returns its path."""

    def take(name: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{_safe(request.node.name)}-{_safe(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")

"""The /sparql editor in a real browser: Debian's Chromium, headless, driven by Playwright.

An analyst's path: open /sparql, get completion for ``gcm:`` terms, pick an example, run it, see a
table whose links go to resource pages (with labels), share the link and get the same query back,
see a malformed query's error at its line and column — and the browser asks no host but the
service for anything.  Every request the page makes is recorded.

The project's one browser fixture (``browser``, tests/conftest.py), in a context of its own: ``make
browser`` installs Chromium when it is missing (``make test`` depends on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.server

@dataclass
class Tab:
    """A browser page and every URL it has requested."""

    page: Page
    requested: list[str] = field(default_factory=list)

    def open_editor(self, url: str) -> None:
        self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_function("window.gcmkgEditor !== undefined", timeout=20_000)

    def editor_text(self) -> str:
        return str(self.page.evaluate("window.gcmkgEditor.yasqe.getValue()"))

    def hosts(self) -> set[str]:
        return {urlsplit(u).netloc for u in self.requested if not u.startswith(("data:", "blob:", "about:"))}


@pytest.fixture(scope="module")
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()  # a fresh profile for the module
    yield context
    context.close()


@pytest.fixture
def tab(browser_context: BrowserContext) -> Iterator[Tab]:
    opened = Tab(browser_context.new_page())
    opened.page.on("request", lambda request: opened.requested.append(request.url))
    yield opened
    opened.page.close()


def test_an_analyst_picks_an_example_runs_it_and_shares_it(tab: Tab, service_url: str) -> None:
    tab.open_editor(service_url + "sparql")
    p = tab.page
    # completion of gcm: terms, from this endpoint's own classes (no PREFIX line: it is predeclared)
    p.evaluate(
        """() => { const y = window.gcmkgEditor.yasqe; y.setValue("SELECT * WHERE { ?s a gcm:Obj");
                   y.focus(); y.setCursor(y.lineCount() - 1, 1000); y.autocomplete(); }"""
    )
    p.wait_for_selector(".CodeMirror-hints li", timeout=10_000)
    hints = p.locator(".CodeMirror-hints li").all_inner_texts()
    assert any(h.startswith("gcm:Objective") and "Objective" in h.split("—")[-1] for h in hints), hints
    p.keyboard.press("Escape")
    # and of properties, where a property goes
    p.evaluate(
        """() => { const y = window.gcmkgEditor.yasqe; y.setValue("SELECT * WHERE { ?s gcm:numb");
                   y.focus(); y.setCursor(y.lineCount() - 1, 1000); y.autocomplete(); }"""
    )
    p.wait_for_selector(".CodeMirror-hints li", timeout=10_000)
    assert any(h.startswith("gcm:number") for h in p.locator(".CodeMirror-hints li").all_inner_texts())
    p.keyboard.press("Escape")

    # and of resources by their label, after "<"
    p.evaluate(
        """() => { const y = window.gcmkgEditor.yasqe; y.setValue("SELECT * WHERE { <sendai");
                   y.focus(); y.setCursor(y.lineCount() - 1, 1000); y.autocomplete(); }"""
    )
    p.wait_for_selector(".CodeMirror-hints li", timeout=10_000)
    resources = p.locator(".CodeMirror-hints li").all_inner_texts()
    assert resources and all(h.startswith(f"<{service_url}id/") and "sendai" in h.lower() for h in resources), resources
    p.keyboard.press("Escape")

    # pick a saved query as an example and run it
    p.click("a.saved-example[data-name=documents]")
    query = tab.editor_text()
    assert query == httpx.get(service_url + "queries/documents", params={"format": "sparql"}).text
    p.click(".yasqe_queryButton")
    p.wait_for_selector(".yasr table a.iri[href^='/id/']", timeout=20_000)
    rows = p.locator(".yasr table tbody tr").count()
    expected = len(
        httpx.get(service_url + "queries/documents", params={"format": "json"}).json()["results"]["bindings"]
    )
    assert rows == expected > 0
    link = p.locator(".yasr table a.iri[href^='/id/']").first
    resource_page = httpx.get(
        service_url + (link.get_attribute("href") or "").lstrip("/"), headers={"Accept": "text/html"}
    )
    assert resource_page.status_code == 200
    assert p.locator(".yasr table .gcmkg-label").count() >= rows

    # the share link reproduces the query, and says which release it ran on
    share = p.get_attribute("#share-link", "href") or ""
    release = httpx.get(service_url + "health").json()["release"]
    assert f"release={release}" in share
    p.click(".yasqe_share")  # YASGUI's own share button gives the same link
    assert p.input_value(".yasqe_sharePopup input") == service_url.rstrip("/") + share
    p.goto("about:blank")  # a fresh load of the link, not a change of fragment in the same page
    tab.open_editor(service_url + share.lstrip("/"))
    assert tab.editor_text() == query
    assert p.inner_text("#release-note") == ""  # same release: nothing to warn about
    # opened in the same page (only the fragment changes): the page follows it
    tab.open_editor(service_url + share.lstrip("/").replace(f"release={release}", "release=an-older-one"))
    assert "an-older-one" in p.inner_text("#release-note")

    assert tab.hosts() == {urlsplit(service_url).netloc}, sorted(set(tab.requested))


def test_a_malformed_query_is_marked_at_its_line_and_column(tab: Tab, service_url: str) -> None:
    tab.open_editor(service_url + "sparql")
    p = tab.page
    text = "SELECT * WHERE {\n  ?s gcm:number\n}"
    answer = httpx.get(service_url + "sparql", params={"query": text})
    assert answer.status_code == 400 and "error at 3:1" in answer.text
    p.evaluate(f"window.gcmkgEditor.yasqe.setValue({text!r})")
    p.click(".yasqe_queryButton")
    p.wait_for_selector("#query-error", timeout=20_000)
    assert p.get_attribute("#query-error", "data-line") == "3"
    assert p.get_attribute("#query-error", "data-column") == "1"
    marked = p.locator(".CodeMirror-code > div").nth(2).locator(".gcmkg-error-line")
    assert marked.count() == 1
    assert tab.hosts() == {urlsplit(service_url).netloc}

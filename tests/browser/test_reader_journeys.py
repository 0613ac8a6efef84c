"""The reader's journeys in a real browser: search in Arabic and Swedish to the right provision,
an objective's dossier (redline, Swedish text, IMRF paragraphs), and a highlighted citation
followed to its instrument.  A screenshot of each page is kept (see conftest.py).

The provisions expected are those of the hand-checked search sample (``samples/search.toml``),
read from it rather than written again here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from gcmkg.settings import PROJECT_ROOT

SAMPLE = {q["q"]: q for q in tomllib.loads((PROJECT_ROOT / "samples" / "search.toml").read_text())["query"]}
DOSSIER = "/id/a-73-l-66/en/annex/objective/6"


def search_from_the_home_page(page: Page, url: str, words: str) -> None:
    page.goto(url + "/")
    box = page.get_by_role("search").locator("input[name=q]").first
    box.fill(words)
    box.press("Enter")
    page.wait_for_selector("ol.hits li.hit")


@pytest.mark.parametrize("words", ["عمال مهاجرين", "arbetskraftsinvandring"])
def test_a_search_in_the_texts_language_reaches_the_provision_a_reader_expects(
    page: Page, browser_url: str, shoot: Callable[[str], Path], words: str
) -> None:
    expected = SAMPLE[words]["expected"]
    search_from_the_home_page(page, browser_url, words)
    shoot("hits")
    hits = page.locator("ol.hits li.hit > a")
    top = [hits.nth(i).get_attribute("href") or "" for i in range(min(5, hits.count()))]
    wanted = [href for href in top if href.lstrip("/") in expected]
    assert wanted, f"none of {expected} among the first five hits {top}"
    assert page.locator("ol.hits mark").count() >= 1  # the matched words are highlighted in the snippets
    page.locator(f'ol.hits li.hit > a[href="{wanted[0]}"]').click()
    page.wait_for_load_state()
    assert page.url.endswith(wanted[0])
    cite = page.locator("#cite").inner_text()  # the page says how to cite what was found
    assert cite and cite == cite.strip()
    text = page.locator(f'div.text[lang="{SAMPLE[words]["written_in"]}"]').first.inner_text()
    assert text.strip(), "the provision's text is on its page, in its language"


def test_an_objective_dossier_shows_the_redline_the_swedish_text_and_the_imrf_paragraphs(
    page: Page, browser_url: str
) -> None:
    page.goto(browser_url + DOSSIER)
    assert "Facilitate fair and ethical recruitment" in page.locator("h1").inner_text()
    redlines = page.locator("div.redline")
    assert redlines.count() >= 5  # objective 6 has actions (a) to (l), most of them drafted in the Zero Draft Plus
    assert page.locator("div.redline ins").count() >= 1 and page.locator("div.redline del").count() >= 1
    swedish = page.locator('div.text[lang="sv"]')
    assert swedish.count() >= 5 and "rekrytering" in swedish.first.inner_text().lower()
    review = page.locator("#review")
    assert "Progress Declaration" in review.inner_text()
    imrf_links = page.locator('a[href*="/id/imrf-progress-declaration-2022/"]')
    assert imrf_links.count() >= 1


def test_a_highlighted_citation_leads_to_its_instrument(page: Page, browser_url: str) -> None:
    page.goto(browser_url + DOSSIER)
    cited = page.locator("mark.cite a")
    assert cited.count() >= 1, "objective 6 cites ILO instruments and other actors in its text"
    ilo = page.locator("mark.cite a", has_text="ILO").or_(page.locator("mark.cite a", has_text="Labour"))
    link = ilo.first if ilo.count() else cited.first
    name = link.get_attribute("title") or link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert "/id/" in page.url and page.url != browser_url + DOSSIER
    assert name.split()[0].lower() in page.locator("h1").inner_text().lower()

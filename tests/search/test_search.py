"""The search core on the real index: analysers, Arabic normalisation, phrases, filters, paging, bad queries."""

from __future__ import annotations

import html
import re

import pytest

from gcmkg.search import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    SearchError,
    SearchIndex,
    _snippet,
    analyser,
    normalise,
    query_parts,
)
from gcmkg.settings import Settings
from gcmkg.store import GraphStore

FINAL = "a-73-l-66"
SWEDISH = "gcm-agreed-outcome-2018-07-13"
IOM = "iom-contribution-2017-10"


def test_each_language_is_stemmed_by_its_own_analyser() -> None:
    assert analyser("en").analyze("Migrants' working conditions") == ["migrant", "work", "condit"]
    assert analyser("sv").analyze("migranternas arbetskraftsinvandringen") == ["migrant", "arbetskraftsinvandring"]
    assert analyser("ar").analyze(normalise("للعمال المهاجرين")) == ["عمال", "مهاجر"]


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("الهِجْرَة", "الهجرة"),  # diacritics
        ("الهجـــرة", "الهجرة"),  # tatweel
        ("إحتجاز", "احتجاز"),  # alef with hamza below
        ("أطفال", "اطفال"),  # alef with hamza above
        ("آثار", "اثار"),  # alef madda
        ("ٱلهجرة", "الهجرة"),  # alef wasla
        ("على", "علي"),  # alef maqsura
        ("الهجرة", "الهجره"),  # ta marbuta
        ("والهجرة", "الهجرة"),  # the conjunction glued to the article
    ],
)
def test_arabic_variants_are_normalised_alike(typed: str, printed: str) -> None:
    assert normalise(typed) == normalise(printed)


def test_a_word_is_not_cut_at_its_diacritics(index: SearchIndex) -> None:
    plain = index.search("المهاجرين", language="ar", limit=1)
    voweled = index.search("المُهَاجِرِين", language="ar", limit=1)
    assert plain.total == voweled.total > 10


def test_normalisation_leaves_latin_text_alone() -> None:
    text = "Fair and ethical recruitment — “decent work”, ILO’s C189"
    assert normalise(text) == text


def test_the_query_syntax_is_words_and_phrases() -> None:
    assert query_parts('ILO "decent work" AND (x:y)') == [
        ("ILO", False),
        ("decent work", True),
        ("AND", False),
        ("(x:y)", False),
    ]
    assert query_parts('migrant "unbalanced phrase') == [("migrant", False), ("unbalanced", False), ("phrase", False)]
    assert query_parts('""  ') == []


def test_a_phrase_matches_its_words_in_order_only(index: SearchIndex) -> None:
    words = index.search("ethical fair recruitment", document=FINAL, limit=MAX_LIMIT)
    phrase = index.search('"fair and ethical recruitment"', document=FINAL, limit=MAX_LIMIT)
    reversed_phrase = index.search('"recruitment ethical and fair"', document=FINAL, limit=MAX_LIMIT)
    assert 0 < phrase.total < words.total
    assert reversed_phrase.total == 0
    assert {hit.iri for hit in phrase.hits} <= {hit.iri for hit in words.hits}


def test_stemming_finds_other_word_forms(index: SearchIndex) -> None:
    singular = {hit.iri for hit in index.search("remittance", document=FINAL, limit=MAX_LIMIT).hits}
    plural = {hit.iri for hit in index.search("remittances", document=FINAL, limit=MAX_LIMIT).hits}
    assert singular == plural and len(singular) > 5


def test_hits_are_ranked_and_described(index: SearchIndex, built: Settings) -> None:
    found = index.search("arbetskraftsinvandring")
    assert found.total == 1
    hit = found.hits[0]
    assert hit.iri == built.base_iri + f"id/{SWEDISH}/sv/annex/para/2"
    assert (hit.document, hit.number, hit.kind, hit.language) == (SWEDISH, "2", "Paragraph", "sv")
    assert hit.label and hit.symbol and hit.score > 0
    assert "<mark>arbetskraftsinvandring</mark>" in hit.snippet
    scores = [h.score for h in index.search("migrant workers", limit=20).hits]
    assert scores == sorted(scores, reverse=True)


def test_snippets_are_escaped_and_show_the_original_arabic(index: SearchIndex) -> None:
    hit = index.search("إحتجاز الأطفال", limit=1).hits[0]
    assert re.search("<mark>احتجاز</mark> <mark>الأطفال</mark>", hit.snippet), hit.snippet  # the text as printed
    # a snippet is the text, escaped, with only <mark> added (the Swedish text quotes English names)
    quoted = [hit for hit in index.search('"Global Forum"', language="sv", limit=20).hits]
    assert quoted and all("&quot;" in hit.snippet for hit in quoted)
    for hit in quoted:
        unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in unmarked and ">" not in unmarked and '"' not in unmarked
        assert html.escape(html.unescape(unmarked)) == unmarked


def test_a_snippet_maps_marks_back_over_removed_characters() -> None:
    class Range:
        def __init__(self, start: int, end: int) -> None:
            self.start, self.end = start, end

    class Snippet:  # what tantivy returns for a match of the second word of the normalised text
        def __init__(self, normalised: str, word: str) -> None:
            start = normalised.encode().index(word.encode())
            self._fragment, self._marks = normalised, [Range(start, start + len(word.encode()))]

        def fragment(self) -> str:
            return self._fragment

        def fragment_range(self) -> Range:
            return Range(0, len(self._fragment.encode()))

        def highlighted(self) -> list[Range]:
            return self._marks

    original = "حماية المُهَاجِرِين <وأسرهم>"
    shown = _snippet(Snippet(normalise(original), "المهاجرين"), original)  # type: ignore[arg-type]
    assert shown == "حماية <mark>المُهَاجِرِين</mark> &lt;وأسرهم&gt;"


@pytest.mark.parametrize(
    ("name", "value"),
    [("document", FINAL), ("language", "sv"), ("kind", "Action"), ("objective", "6")],
)
def test_each_filter_narrows_the_hits(index: SearchIndex, name: str, value: str) -> None:
    unfiltered = index.search("migrants", limit=MAX_LIMIT)
    filtered = index.search("migrants", limit=MAX_LIMIT, **{name: value})
    assert 0 < filtered.total < unfiltered.total
    assert filtered.filters == {name: value}
    if name != "objective":
        assert {getattr(hit, name) for hit in filtered.hits} == {value}


def test_the_objective_filter_reaches_review_paragraphs_and_iom_recommendations(index: SearchIndex) -> None:
    documents = {hit.document for hit in index.search("migrants", objective="6", limit=MAX_LIMIT).hits}
    documents |= {hit.document for hit in index.search("المهاجرين", objective="6", limit=MAX_LIMIT).hits}
    assert {FINAL, SWEDISH, IOM, "imrf-progress-declaration-2022"} <= documents


def test_paging_walks_the_whole_ranking_once(index: SearchIndex) -> None:
    everything = index.search("remittances", limit=MAX_LIMIT)
    assert 10 < everything.total < MAX_LIMIT
    pages = [index.search("remittances", limit=4, offset=offset) for offset in range(0, everything.total, 4)]
    assert all(page.total == everything.total for page in pages)
    assert [hit.iri for page in pages for hit in page.hits] == [hit.iri for hit in everything.hits]
    assert index.search("remittances", offset=everything.total).hits == ()


@pytest.mark.parametrize("typed", ['"', '" "', "---", "()", "(((", "*", "\\", "  ", "\u064b\u0640"])
def test_a_query_without_words_is_refused_by_name(index: SearchIndex, typed: str) -> None:
    with pytest.raises(SearchError) as refused:
        index.search(typed)
    assert refused.value.parameter == "q"


@pytest.mark.parametrize(
    "typed",
    ['migrant "workers', "AND", "migrants AND OR NOT", "text_en:migrant", "iri:*", "a:b:c", "-x", "x\\"],
)
def test_operators_and_stray_quotes_are_plain_words(index: SearchIndex, typed: str) -> None:
    index.search(typed)  # no exception: at worst nothing matches


def test_filters_and_pages_outside_the_index_are_refused_by_name(index: SearchIndex) -> None:
    for name, value in [("document", "no-such"), ("language", "fr"), ("kind", "Finding"), ("objective", "24")]:
        with pytest.raises(SearchError) as refused:
            index.search("migrants", **{name: value})
        assert refused.value.parameter == name and value in str(refused.value)
    for name, value in [("limit", 0), ("limit", MAX_LIMIT + 1), ("offset", -1)]:
        with pytest.raises(SearchError) as refused:
            index.search("migrants", **{name: value})
        assert refused.value.parameter == name
    with pytest.raises(SearchError):
        index.search("migrants " * MAX_QUERY_CHARS)


def test_every_provision_with_text_is_indexed_once(index: SearchIndex, store: GraphStore, built: Settings) -> None:
    rows = store.select(
        "PREFIX gcm: <" + built.base_iri + "ontology#>\n"
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p gcm:text ?t ; gcm:inDocument ?d . "
        "FILTER NOT EXISTS { ?p gcm:copyOf ?o } }"
    )
    assert index.size == int(rows[0]["n"].value) > 1000

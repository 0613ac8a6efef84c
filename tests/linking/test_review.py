"""Review links: IMRF Progress Declaration provisions → the GCM objectives they review.

Every expectation here was checked by hand against the two texts: the round tables' headings
and footnotes (lines 97–159 of corpus 004_…), and, for each link found from an objective's
title, the paragraph's words beside the objective's heading in A/73/L.66.
"""

from __future__ import annotations

from collections import Counter

import pytest

from gcmkg.corpus import read_manifest
from gcmkg.iris import Iris, sparql_prologue
from gcmkg.linking.review import (
    METHOD_FOOTNOTE,
    METHOD_HEADING,
    METHOD_NUMBER,
    METHOD_SECTION,
    METHOD_TITLE,
    review_alignments,
    title_run,
)
from gcmkg.links import Alignment
from gcmkg.model import Document
from gcmkg.objective_numbers import footnote_objectives, heading_objectives, mentions
from gcmkg.service.saved_query_files import ParameterError, ParamType, SavedQuery, parse
from gcmkg.settings import PROJECT_ROOT
from gcmkg.store import GraphStore
from loaders import final_text, imrf_declaration

BASE = "http://127.0.0.1:8000/"
IMRF = f"{BASE}id/imrf-progress-declaration-2022/en/"
FINAL = f"{BASE}id/a-73-l-66/en/annex/objective/"
ROUND_TABLES = {
    "1": ["2", "5", "6", "12", "18"],
    "2": ["4", "8", "9", "10", "11", "13", "21"],
    "3": ["14", "15", "16", "19", "20", "22"],
    "4": ["1", "3", "7", "17", "23"],
}
ROUND_TABLE_PARAGRAPHS = {"1": range(24, 30), "2": range(30, 37), "3": range(37, 45), "4": range(45, 51)}
# (paragraph, objective) → the words of the paragraph that repeat the objective's title; each read
# by hand beside the title (e.g. paragraph 64 "ensure that all migrants have proof of legal identity
# and adequate documentation" is objective 4's title word for word; paragraph 32 "poor access to
# basic services" in detention is objective 15's subject; paragraph 64 names "facilitating safe and
# dignified return" as one of "the objectives of the Global Compact").
TITLE_LINKS = {
    ("24", "5"): "availability and flexibility of pathways for regular migration",
    ("25", "6"): "fair and ethical recruitment",
    ("28", "18"): "mutual recognition of skills",
    ("30", "8"): "efforts on missing migrants",
    ("32", "4"): "proof of legal identity",
    ("32", "12"): "predictability in migration procedures",
    ("32", "15"): "access to basic services",
    ("34", "11"): "borders in an integrated, secure and coordinated manner",
    ("35", "21"): "Safe and dignified return",
    ("39", "16"): "inclusion and social cohesion",
    ("41", "15"): "access to basic services",
    ("44", "22"): "portability of social security entitlements",
    ("51", "15"): "access to basic services",
    ("54", "17"): "eliminating all forms of discrimination",
    ("58", "2"): "adverse drivers and structural factors",
    ("59", "6"): "fair and ethical recruitment",
    ("60", "10"): "prevent, combat and eradicate trafficking in persons",
    ("62", "21"): "safe and dignified return",
    ("64", "4"): "ensure that all migrants have proof of legal identity and adequate documentation",
    ("64", "21"): "facilitating safe and dignified return",
    ("67", "20"): "faster, safer and cheaper",
}


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    entries = {e.file: e for e in read_manifest(PROJECT_ROOT / "corpus")}
    final_file, imrf_file = "003_4d3bf2ee86e6cb1c.txt", "004_7bae42176274279c.txt"
    return final_text.load(PROJECT_ROOT / "corpus" / final_file, entries[final_file]) + imrf_declaration.load(
        PROJECT_ROOT / "corpus" / imrf_file, entries[imrf_file]
    )


@pytest.fixture(scope="module")
def alignments(documents: list[Document]) -> list[Alignment]:
    return review_alignments(Iris(BASE), documents)


def _pairs(alignments: list[Alignment], method: str) -> set[tuple[str, str]]:
    return {
        (a.source.value.removeprefix(IMRF), a.target.value.removeprefix(FINAL))
        for a in alignments
        if a.method == method
    }


# the printed evidence -------------------------------------------------------------------------


def test_objective_numbers_as_printed() -> None:
    assert heading_objectives("Round table 1 (objectives 2, 5, 6, 12 and 18)") == ROUND_TABLES["1"]
    assert mentions("Member States decided to cover all 23 objectives of the Global Compact") == []
    assert mentions("under objective 23 and objectives 4, 7 and 10") == [
        ("23", "objective 23"),
        ("4", "objectives 4, 7 and 10"),
        ("7", "objectives 4, 7 and 10"),
        ("10", "objectives 4, 7 and 10"),
    ]
    entries = footnote_objectives(
        "Objective 14: Enhance consular protection, assistance and cooperation throughout the migration cycle; "
        "objective 15: Provide access to basic services for migrants."
    )
    assert entries == [
        ("14", "Enhance consular protection, assistance and cooperation throughout the migration cycle"),
        ("15", "Provide access to basic services for migrants"),
    ]


def test_title_runs_ignore_the_compacts_stock_phrases() -> None:
    title = "Strengthen international cooperation and global partnerships for safe, orderly and regular migration"
    run = title_run(title, "to facilitate safe, orderly and regular migration, including through")
    assert run is None or run.length < 4
    run = title_run(
        "Promote faster, safer and cheaper transfer of remittances", "for faster, safer and cheaper remittances"
    )
    assert run is not None and (run.length, run.content) == (4, 3)


# the links ------------------------------------------------------------------------------------


def test_counts_by_method(alignments: list[Alignment]) -> None:
    assert Counter(a.method for a in alignments) == {
        METHOD_HEADING: 23,
        METHOD_FOOTNOTE: 23,
        METHOD_TITLE: 21,
        METHOD_SECTION: 147,  # 157 round-table paragraph pairs, 10 of them found from the title's words instead
    }
    assert METHOD_NUMBER not in {a.method for a in alignments}  # no paragraph names an objective by number
    assert len({(a.source, a.target) for a in alignments}) == len(alignments) == 214


def test_round_tables_review_their_objectives_and_all_23_once(alignments: list[Alignment]) -> None:
    expected = {(f"annex/round-table/{rt}", o) for rt, objectives in ROUND_TABLES.items() for o in objectives}
    assert _pairs(alignments, METHOD_HEADING) == expected
    assert sorted((o for _, o in expected), key=int) == [str(n) for n in range(1, 24)]
    footnotes = {(f"annex/footnote/{int(rt) + 3}", o) for rt, objectives in ROUND_TABLES.items() for o in objectives}
    assert _pairs(alignments, METHOD_FOOTNOTE) == footnotes
    heading_evidence = {a.evidence for a in alignments if a.method == METHOD_HEADING}
    assert heading_evidence == {
        "Round table 1 (objectives 2, 5, 6, 12 and 18)",
        "Round table 2 (objectives 4, 8, 9, 10, 11, 13 and 21)",
        "Round table 3 (objectives 14, 15, 16, 19, 20 and 22)",
        "Round table 4 (objectives 1, 3, 7, 17 and 23)",
    }


def test_footnote_titles_against_the_final_text(alignments: list[Alignment]) -> None:
    """Footnote 5 quotes objective 13 as the list of objectives has it, not as its heading."""
    differences = {
        a.target.value.removeprefix(FINAL): a.difference
        for a in alignments
        if a.method == METHOD_FOOTNOTE and a.difference
    }
    assert differences == {
        "13": "quoted as 'Use migration detention only as a measure of last resort and work towards alternatives'; "
        "the objective's heading in the final text reads 'Use immigration detention only as a measure of last "
        "resort and work towards alternatives' (the quotation follows the final text's list of objectives, entry 13)"
    }
    evidence = {a.evidence for a in alignments if a.source.value == IMRF + "annex/footnote/6"}
    assert (
        "objective 20: Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants"
        in evidence
    )


def test_links_from_the_titles_words_hand_checked(alignments: list[Alignment]) -> None:
    found = {
        (a.source.value.removeprefix(IMRF + "annex/para/"), a.target.value.removeprefix(FINAL)): a
        for a in alignments
        if a.method == METHOD_TITLE
    }
    assert {pair: a.evidence for pair, a in found.items()} == TITLE_LINKS
    assert found[("64", "4")].score == 1.0  # the whole title
    assert found[("34", "11")].score == round(8 / 9, 4)
    assert all(a.score is not None and 0 < a.score <= 1 for a in found.values())


def test_round_table_paragraphs_review_their_round_tables_objectives(alignments: list[Alignment]) -> None:
    by_paragraph: dict[str, set[str]] = {}
    for a in alignments:
        if a.method in (METHOD_SECTION, METHOD_TITLE) and "/annex/para/" in a.source.value:
            by_paragraph.setdefault(a.source.value.rsplit("/", 1)[1], set()).add(a.target.value.removeprefix(FINAL))
    for rt, paragraphs in ROUND_TABLE_PARAGRAPHS.items():
        for number in paragraphs:
            extra = {o for (p, o) in TITLE_LINKS if p == str(number)} - set(ROUND_TABLES[rt])
            assert by_paragraph[str(number)] == set(ROUND_TABLES[rt]) | extra, number
    assert by_paragraph["32"] == set(ROUND_TABLES["2"]) | {"12", "15"}  # 12 and 15 belong to other round tables
    # outside the round tables only the titles' words link a paragraph
    outside = {p for p in by_paragraph if not any(int(p) in r for r in ROUND_TABLE_PARAGRAPHS.values())}
    assert outside == {"51", "54", "58", "59", "60", "62", "64", "67"}


def test_no_links_without_the_final_text(documents: list[Document]) -> None:
    imrf_only = [d for d in documents if d.key == "imrf-progress-declaration-2022"]
    assert review_alignments(Iris(BASE), imrf_only) == []


# the graph and the saved query ------------------------------------------------------------------


def _values(store: GraphStore, query: str, substitutions: dict | None = None) -> list[dict[str, str]]:
    """Rows as plain strings (IRIs and literal values)."""
    rows = store.select(query, substitutions=substitutions)
    return [{name: term.value for name, term in row.items()} for row in rows]  # type: ignore[union-attr]


def test_graph_review_links(store: GraphStore) -> None:
    rows = _values(
        store,
        sparql_prologue()
        + """SELECT ?method (COUNT(?a) AS ?n) WHERE {
               GRAPH ?g { ?a a gcm:ReviewAlignment ; gcm:method ?method ; gcm:alignedFrom ?from ; gcm:alignedTo ?to .
                          ?from gcm:reviews ?to . }
               ?to a gcm:Objective . ?from gcm:inDocument <id/imrf-progress-declaration-2022/en> .
             } GROUP BY ?method""",
    )
    assert {r["method"]: int(r["n"]) for r in rows} == {
        METHOD_HEADING: 23,
        METHOD_FOOTNOTE: 23,
        METHOD_TITLE: 21,
        METHOD_SECTION: 147,
    }


def _short(label: str) -> str:
    """'Paragraph 32: …' → 'Paragraph 32'; 'Round table 3 (objectives …)' → 'Round table 3'."""
    return label.split(":")[0].split(" (")[0]


def _query() -> SavedQuery:
    return parse(PROJECT_ROOT / "queries" / "imrf-on-objective.rq")


def test_saved_query_imrf_on_objective(store: GraphStore) -> None:
    query = _query()
    rows = _values(store, query.text, query.bind({"objective": "15"}, store.base_iri))
    got = [(_short(r["label"]), r["method"], r["evidence"]) for r in rows]
    rt3 = "Round table 3 (objectives 14, 15, 16, 19, 20 and 22)"
    assert got == [
        ("Paragraph 32", METHOD_TITLE, "access to basic services"),
        ("Round table 3", METHOD_HEADING, rt3),
        ("Paragraph 37", METHOD_SECTION, rt3),
        ("Paragraph 38", METHOD_SECTION, rt3),
        ("Paragraph 39", METHOD_SECTION, rt3),
        ("Paragraph 40", METHOD_SECTION, rt3),
        ("Paragraph 41", METHOD_TITLE, "access to basic services"),
        ("Paragraph 42", METHOD_SECTION, rt3),
        ("Paragraph 43", METHOD_SECTION, rt3),
        ("Paragraph 44", METHOD_SECTION, rt3),
        ("Paragraph 51", METHOD_TITLE, "access to basic services"),
        ("Footnote 6", METHOD_FOOTNOTE, "objective 15: Provide access to basic services for migrants"),
    ]
    assert {r["objective_title"] for r in rows} == {"Provide access to basic services for migrants"}
    assert rows[-1]["round_table"] == rt3 and "section" not in rows[-1]
    assert rows[0]["section"] == "Progress, challenges and gaps in the implementation of the Global Compact"
    assert rows[0]["text"].startswith("Progress has been made in issuing migrants, including unaccompanied")
    assert [r["score"] for r in rows if "score" in r] == ["0.5714"] * 3


def test_saved_query_default_and_a_difference(store: GraphStore) -> None:
    """The default (15) answers; objective 13 shows footnote 5's quotation differing from the heading."""
    query = _query()
    assert [p.default for p in query.params] == ["15"]
    rows = _values(store, query.text, query.bind({"objective": "13"}, store.base_iri))
    assert [_short(r["label"]) for r in rows] == ["Round table 2"] + [f"Paragraph {n}" for n in range(30, 37)] + [
        "Footnote 5"
    ]
    assert [r["difference"][:40] for r in rows if "difference" in r] == ["quoted as 'Use migration detention only "]
    with pytest.raises(ParameterError):
        query.bind({"objective": "24"}, store.base_iri)


def test_saved_query_header() -> None:
    query = _query()
    assert query.summary == "What the Progress Declaration says about an objective"
    assert [(p.name, p.type) for p in query.params] == [("objective", ParamType.INTEGER)]

"""Expected results of every saved query, run directly on the built store with bound parameters.

The expectations were checked by hand against the final text (corpus/003_4d3bf2ee86e6cb1c.txt,
A/73/L.66): the 23 objective titles and their commitment paragraphs 17–39, the action letters
under each objective (counted from the "(a) … (l)" lines between two objective headings), the
ten guiding principles of paragraph 15, the paragraphs of each section, the items of
paragraph 43, the three footnotes on paragraph 2.
"""

from __future__ import annotations

import tomllib

import pytest
from gcm_facts import GUIDING_PRINCIPLES, OBJECTIVE_ACTIONS, OBJECTIVE_TITLES, SAVED_QUERY_EXAMPLES

from gcmkg.service.saved_query_files import ParameterError, ParamType, SavedQuery, load_catalog
from gcmkg.settings import PROJECT_ROOT
from gcmkg.store import GraphStore

FINAL = "http://127.0.0.1:8000/id/a-73-l-66/en"

MY_QUERIES = {
    "objectives",
    "objective-actions",
    "objective-overview",
    "provision-text",
    "heading-actions",
    "guiding-principles",
    "section-paragraphs",
    "footnotes",
    "search",
    "documents",
    "findings",
    "provision-sources",
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, SavedQuery]:
    return load_catalog(PROJECT_ROOT / "queries")


def run(store: GraphStore, query: SavedQuery, **values: str) -> list[dict[str, str]]:
    """Rows as plain strings (IRIs and literal values), parameters bound as the service binds them."""
    rows = store.select(query.text, substitutions=query.bind(values, store.base_iri))
    return [{name: term.value for name, term in row.items()} for row in rows]  # type: ignore[union-attr]


# the catalogue ---------------------------------------------------------------------------------


def test_catalogue_has_the_policy_queries(catalog: dict[str, SavedQuery]) -> None:
    assert MY_QUERIES <= set(catalog)
    assert len(catalog) >= 12
    for query in catalog.values():
        assert query.summary, query.name
        assert query.form == "select", query.name


def test_every_saved_query_runs_with_its_defaults(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    """Every file in queries/ runs; these policy queries also answer something with their defaults.

    Only the search has a parameter without a default: a person types what to look for.
    """
    for query in catalog.values():
        for param in query.params:
            assert param.default is not None or not param.required or param.name in SAVED_QUERY_EXAMPLES.get(query.name, {})
    for query in catalog.values():
        rows = run(store, query, **SAVED_QUERY_EXAMPLES.get(query.name, {}))
        assert rows or query.name not in MY_QUERIES, f"{query.name} returned no rows with its default parameters"


def test_every_allowed_iri_value_names_a_resource_of_the_graph(
    store: GraphStore, catalog: dict[str, SavedQuery]
) -> None:
    """An allowed value that names nothing would give a select option that always answers nothing.

    The one exception: a document whose loader is not enabled in corpus/manifest.toml yet.
    """
    manifest = tomllib.loads((PROJECT_ROOT / "corpus" / "manifest.toml").read_text(encoding="utf-8"))
    parsed = {d["status"] for t in manifest["text"] if t.get("loader") for d in t.get("document", [])}
    swedish = {
        "id/gcm-agreed-outcome-2018-07-13/sv",
        "id/cofacilitators-letter-2018-07-17/sv",
        "id/pga-letter-2018-07-20/sv",
    }
    pending = swedish if "translation" not in parsed else set()
    for query in catalog.values():
        for param in query.params:
            if param.type is ParamType.IRI:
                for value in (*param.values, *([param.default] if param.default else [])):
                    if value in pending:
                        continue
                    term = param.to_term(value, store.base_iri)
                    found = store.select("SELECT ?x ?p WHERE { ?x ?p ?o } LIMIT 1", substitutions={"x": term})
                    assert found, f"{query.name}: allowed value {value} of {param.name} is not in the graph"


# the queries -----------------------------------------------------------------------------------


def test_objectives_are_the_23_with_their_commitments(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["objectives"])
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 24)]
    assert [r["title"] for r in rows] == OBJECTIVE_TITLES
    assert [r["paragraph"] for r in rows] == [str(n) for n in range(17, 40)]
    assert [int(r["actions"]) for r in rows] == [len(letters) for _, letters in OBJECTIVE_ACTIONS.values()]
    assert sum(int(r["actions"]) for r in rows) == 187
    assert rows[0]["commitment"] == f"{FINAL}/annex/para/17"
    assert rows[0]["commitment_text"].startswith(
        "We commit to strengthen the global evidence base on international migration by improving and investing"
    )
    assert rows[22]["commitment_text"].startswith("We commit to support each other in the realization of")


def test_objective_actions(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    query = catalog["objective-actions"]
    first = run(store, query, objective="1")
    assert [r["letter"] for r in first] == list("abcdefghijk")
    assert {r["objective"] for r in first} == {"1"}
    assert first[0]["action"] == f"{FINAL}/annex/para/17/a"
    # the source splits "Commissio n" across a stray space; the text is repaired
    assert first[0]["text"] == (
        "Elaborate and implement a comprehensive strategy for improving migration data at the local, national, "
        "regional and global levels, with the participation of all relevant stakeholders, under the guidance of "
        "the Statistical Commission of the United Nations, by harmonizing methodologies for data collection, and "
        "strengthening analysis and dissemination of migration-related data and indicators;"
    )
    assert [r["letter"] for r in run(store, query, objective="22")] == ["a", "b", "c"]
    for number, (_, printed) in OBJECTIVE_ACTIONS.items():
        letters = [r["letter"] for r in run(store, query, objective=str(number))]
        assert letters == list(printed), f"objective {number}"


def test_objective_actions_refuses_a_bad_objective(catalog: dict[str, SavedQuery]) -> None:
    query = catalog["objective-actions"]
    for bad in ("24", "0", "one", "1; DROP ALL"):
        with pytest.raises(ParameterError) as caught:
            query.bind({"objective": bad}, "http://127.0.0.1:8000/")
        assert caught.value.name == "objective"


def test_objective_overview_of_objective_2(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["objective-overview"], objective="2")
    kinds = [r["kind"] for r in rows]
    # the objective, its commitment paragraph 18, actions (a)-(g), the sub-heading, actions (h)-(l)
    assert kinds == ["Objective", "Commitment"] + ["Action"] * 7 + ["ThematicHeading"] + ["Action"] * 5
    assert rows[0]["provision"] == f"{FINAL}/annex/objective/2"
    assert rows[1]["provision"] == f"{FINAL}/annex/para/18"
    assert rows[9]["text"] == (
        "Natural disasters, the adverse effects of climate change, and environmental degradation"
    )
    assert rows[-1]["provision"] == f"{FINAL}/annex/para/18/l"


def test_provision_text_of_paragraph_43(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["provision-text"], provision="id/a-73-l-66/en/annex/para/43")
    tail = [r["part"][len(f"{FINAL}/annex/para/43") :] for r in rows]
    assert tail == [
        "",
        "/a", "/a/i", "/a/ii", "/a/iii", "/a/iv", "/a/v",
        "/b", "/b/i", "/b/ii", "/b/iii",
        "/c", "/c/i", "/c/ii", "/c/iii",
    ]  # fmt: skip
    assert rows[0]["text"].startswith("We decide to establish a capacity-building mechanism in the United Nations")
    assert rows[1]["text"].startswith("A connection hub that facilitates demand-driven, tailor-made and integrated")
    assert rows[-1]["text"].startswith("Building on the Global Forum on Migration and Development Platform")
    # an absolute IRI works the same
    assert run(store, catalog["provision-text"], provision=f"{FINAL}/annex/para/43") == rows


def test_heading_actions(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["heading-actions"])
    assert [r["letter"] for r in rows] == ["h", "i", "j", "k", "l"]
    assert {r["heading"] for r in rows} == {f"{FINAL}/annex/para/18/heading/1"}
    assert {r["objective"] for r in rows} == {f"{FINAL}/annex/objective/2"}
    assert rows[0]["text"].startswith("Strengthen joint analysis and sharing of information to better map")
    only = run(store, catalog["heading-actions"], heading=f"{FINAL}/annex/para/18/heading/1")
    assert only == rows
    with pytest.raises(ParameterError, match="not one of the allowed values"):  # issue 11: the picker's values only
        run(store, catalog["heading-actions"], heading=f"{FINAL}/annex/para/18")
    assert run(store, catalog["heading-actions"], heading="any") == rows  # every sub-heading, as the form says


def test_guiding_principles(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["guiding-principles"])
    assert [r["name"] for r in rows] == GUIDING_PRINCIPLES
    assert [r["letter"] for r in rows] == list("abcdefghij")
    assert rows[0]["text"].startswith("The Global Compact carries a strong human dimension")


def test_section_paragraphs(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    query = catalog["section-paragraphs"]
    expected = {
        "Preamble": range(1, 8),
        "Our vision and guiding principles": range(8, 16),
        "Our cooperative framework": range(16, 17),
        "Objectives and commitments": range(17, 40),
        "Implementation": range(40, 48),
        "Follow-up and review": range(48, 55),
    }
    assert set(query.params[0].values) == set(expected)
    for section, numbers in expected.items():
        rows = run(store, query, section=section)
        assert [r["number"] for r in rows] == [str(n) for n in numbers], section
    with pytest.raises(ParameterError):
        query.bind({"section": "Annex"}, store.base_iri)


def test_footnotes(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["footnotes"], document="id/a-73-l-66/en")
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    assert {r["annotates"] for r in rows} == {f"{FINAL}/annex/para/2"}
    assert rows[0]["text"].startswith("International Convention on the Elimination of All Forms of Racial")
    assert rows[1]["text"] == (
        "Adopted under the United Nations Framework Convention on Climate Change in FCCC/CP/2015/10/Add.1, "
        "decision 1/CP.21."
    )
    assert rows[2]["text"].startswith("Migration for Employment Convention (Revised), 1949 (No. 97)")
    everything = run(store, catalog["footnotes"])
    assert len(everything) > len(rows)
    assert {r["document"] for r in everything} >= {FINAL}


def test_search_is_case_insensitive(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    query = catalog["search"]
    rows = run(store, query, phrase="disaggregated data")
    with pytest.raises(ParameterError, match="required"):
        query.bind({}, store.base_iri)
    final = [r["provision"][len(FINAL) :] for r in rows if r["document"] == FINAL]
    # "disaggregated data" in the final text: the list entry and heading of objective 1, and action 17 (j)
    assert final == ["/annex/objectives-list/1", "/annex/objective/1", "/annex/para/17/j"]
    assert rows[: len(final)] == [r for r in rows if r["document"] == FINAL], "the final text comes first"
    assert run(store, query, phrase="DISAGGREGATED Data") == [dict(r, phrase="DISAGGREGATED Data") for r in rows]
    assert all("disaggregated data" in r["text"].lower() for r in rows)
    assert run(store, query, phrase="no such phrase in any text") == []


def test_documents(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = {r["document"]: r for r in run(store, catalog["documents"])}
    final = rows[FINAL]
    assert final["symbol"] == "A/73/L.66"
    assert final["date"] == "2018-12-12"
    assert final["language"] == "en"
    assert final["status"] == "final"
    assert final["file"] == "corpus/003_4d3bf2ee86e6cb1c.txt"
    # 2 parts, 6 sections, 4 sub-sections (three headed ones and the list of objectives), 1 thematic
    # sub-heading, 1 preambular and 2 operative paragraphs, 33 paragraphs (1–16 and 40–54, plus the two
    # unnumbered openings), 10 guiding principles, 23 list entries, 23 objectives, 23 commitments,
    # 187 actions, 11 items and 11 sub-items (paragraphs 43, 45 …), 3 footnotes
    assert int(final["provisions"]) == 340
    assert {r["status"] for r in rows.values()} >= {"final", "draft", "review", "contribution"}


def test_findings(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["findings"], document="id/a-73-l-66/en")
    assert [r["kind"] for r in rows] == ["HeadingMismatch"]
    assert rows[0]["concerns"] == f"{FINAL}/annex/objective/13"
    assert (rows[0]["line_start"], rows[0]["line_end"]) == ("2359", "2361")
    everything = run(store, catalog["findings"])
    total = store.select("PREFIX gcm: <ontology#> SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a gcm:Finding }")
    assert len({r["finding"] for r in everything}) == int(total[0]["n"].value)  # type: ignore[union-attr]


def test_provision_sources(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    query = catalog["provision-sources"]
    objectives = run(store, query, kind="Objective")
    assert len(objectives) == 23
    assert {r["provision_kind"] for r in objectives} == {"Objective"}
    first = objectives[0]
    assert first["provision"] == f"{FINAL}/annex/objective/1"
    # "  Objective 1: Collect and utilize …" is line 796 of the file, on printed page 7
    assert (first["file"], first["line_start"], first["page_start"]) == ("corpus/003_4d3bf2ee86e6cb1c.txt", "796", "7")
    assert [r["provision"][len(FINAL) :] for r in run(store, query, kind="Footnote")] == [
        "/annex/footnote/1",
        "/annex/footnote/2",
        "/annex/footnote/3",
    ]
    everything = run(store, query)
    assert len(everything) == 340
    assert {r["file"] for r in everything} == {"corpus/003_4d3bf2ee86e6cb1c.txt"}
    with pytest.raises(ParameterError):
        query.bind({"kind": "Finding"}, store.base_iri)


# copies are not originals (issue 15) ------------------------------------------------------------

SWEDISH = "http://127.0.0.1:8000/id/gcm-agreed-outcome-2018-07-13/sv"


def test_a_copied_block_is_not_counted_twice(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    """The Swedish text prints objective 11's heading and paragraph 27 twice, the first time followed by a
    copy of objective 10's actions (c)-(j): "a number-based query for Swedish objective 11 returns fifteen
    actions". The copies stay in the graph (gcm:Copy, gcm:copyOf) and are counted once, as their originals."""
    actions = run(store, catalog["objective-actions"], objective="11", version="translation")
    assert [r["letter"] for r in actions] == list("abcdefg")
    assert {r["action"].rsplit("/annex/", 1)[1] for r in actions} == {f"para/27/{x}" for x in "abcdefg"}
    assert [r["letter"] for r in run(store, catalog["objective-actions"], objective="10", version="translation")] == (
        list("abcdefghij")
    )
    objectives = run(store, catalog["objectives"], version="translation")
    assert [r["number"] for r in objectives] == [str(n) for n in range(1, 24)]  # 11 once
    counted = {r["number"]: int(r["actions"]) for r in objectives}
    assert (counted["1"], counted["10"], counted["11"]) == (4, 10, 7)  # objective 1 stops at (d) in Swedish
    assert sum(counted.values()) == 4 + 176  # before issue 15 a count over the text gave 188 (8 copies)
    overview = run(store, catalog["objective-overview"], objective="11", version="translation")
    assert [r["provision"] for r in overview][:2] == [f"{SWEDISH}/annex/objective/11", f"{SWEDISH}/annex/para/27"]
    assert len(overview) == len({r["provision"] for r in overview}) == 2 + 7
    assert "Copy" not in {r["kind"] for r in overview}
    # the copies themselves are in the graph, each linked to what it repeats
    copies = store.select(
        "PREFIX gcm: <http://127.0.0.1:8000/ontology#> "
        "SELECT ?copy ?original WHERE { ?copy a gcm:Copy ; gcm:copyOf ?original }"
    )
    pairs = {(r["copy"].value.rsplit("/annex/", 1)[1], r["original"].value.rsplit("/annex/", 1)[1]) for r in copies}  # type: ignore[union-attr]
    assert pairs == {("objective/11-dup", "objective/11"), ("para/27-dup", "para/27")} | {
        (f"para/27-dup/{x}", f"para/26/{x}") for x in "cdefghij"
    }


def test_the_final_text_is_still_the_default(store: GraphStore, catalog: dict[str, SavedQuery]) -> None:
    rows = run(store, catalog["objective-actions"], objective="11")
    assert {r["version"] for r in rows} == {"final"} and rows[0]["action"] == f"{FINAL}/annex/para/27/a"

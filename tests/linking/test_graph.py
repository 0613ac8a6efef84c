"""The mentions linker over the real corpus: complete expected sets, hand-checked against the texts.

Every expectation below was verified by reading ``corpus/003_4d3bf2ee86e6cb1c.txt`` (A/73/L.66):
paragraph 2 and its footnotes 1 and 3 (page 2), actions 21 (a), 22 (l), 25 (a), 26 (a), 36 (a)
and 38 (a); the Swedish (``000_…``) and Arabic (``002_…``) texts where noted.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import NamedNode

from gcmkg.iris import normlex, sdg_goal
from gcmkg.settings import PROJECT_ROOT

from .conftest import BASE_IRI, Linked

FINAL = f"{BASE_IRI}id/a-73-l-66/en/"
SV = f"{BASE_IRI}id/gcm-agreed-outcome-2018-07-13/sv/"
PREFIXES = """PREFIX gcm: <ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def short(iri: str) -> str:
    return iri.removeprefix(BASE_IRI).removeprefix("id/instrument/")


def citations(linked: Linked, category: str, document: str = FINAL) -> set[tuple[str, str, str | None]]:
    """(provision path, instrument, footnote number or None) for every mention of a category's instrument."""
    rows = linked.store.select(
        PREFIXES
        + """SELECT ?category ?provision ?instrument ?footnote WHERE {
          ?mention gcm:mentionIn ?provision ; gcm:mentionOf ?instrument .
          OPTIONAL { ?mention gcm:viaFootnote ?footnote }
          ?instrument a/rdfs:subClassOf* ?category .
          ?provision gcm:cites ?instrument .
        }""",
        substitutions={"category": NamedNode(f"{BASE_IRI}ontology#{category}")},
    )
    return {
        (
            row["provision"].value.removeprefix(document),
            short(row["instrument"].value),
            row["footnote"].value.rsplit("/", 1)[-1] if "footnote" in row else None,
        )
        for row in rows
        if row["provision"].value.startswith(document)
    }


def test_ilo_instruments_in_the_final_text(linked: Linked) -> None:
    assert citations(linked, "ILOInstrument") == {
        # paragraph 2: "the International Labour Organization conventions on promoting decent work and labour migration, 3"
        ("annex/para/2", "ilo-conventions-decent-work-labour-migration", None),
        ("annex/para/2", "c097", "3"),
        ("annex/para/2", "c143", "3"),
        ("annex/para/2", "c118", "3"),
        ("annex/para/2", "c189", "3"),
        # footnote 3 lists them
        ("annex/footnote/3", "c097", None),
        ("annex/footnote/3", "c143", None),
        ("annex/footnote/3", "c118", None),
        ("annex/footnote/3", "c189", None),
        # 21 (a) "drawing on relevant International Labour Organization (ILO) standards, guidelines and principles"
        ("annex/para/21/a", "ilo-standards", None),
        # 22 (l) "the ILO General Principles and Operational Guidelines for Fair Recruitment"
        ("annex/para/22/l", "ilo-fair-recruitment", None),
        # 38 (a) "the ILO Social Protection Floors Recommendation, 2012 (No. 202)"
        ("annex/para/38/a", "r202", None),
    }


def test_untoc_and_protocols_in_the_final_text(linked: Linked) -> None:
    expected = {
        ("annex/para/2", "untoc", None),
        ("annex/para/2", "trafficking-protocol", None),
        ("annex/para/2", "smuggling-protocol", None),
        # 25 (a) / 26 (a) name each protocol by its full title, "supplementing the United Nations Convention …":
        # a mention of the protocol and of the Convention it names (issue 15: it was absorbed before)
        ("annex/para/25/a", "smuggling-protocol", None),
        ("annex/para/26/a", "trafficking-protocol", None),
        ("annex/para/25/a", "untoc", None),
        ("annex/para/26/a", "untoc", None),
    }
    assert citations(linked, "UNTOC") | citations(linked, "UNTOCProtocol") == expected
    assert citations(linked, "UNTOC") == {
        ("annex/para/2", "untoc", None),
        ("annex/para/25/a", "untoc", None),
        ("annex/para/26/a", "untoc", None),
    }


def test_sdg_targets_in_the_final_text(linked: Linked) -> None:
    # 36 (a) "… by 2030 in line with target 10.c of the 2030 Agenda for Sustainable Development"
    assert citations(linked, "SDGTarget") == {("annex/para/36/a", "http://metadata.un.org/sdg/10.c", None)}


def test_human_rights_treaties_in_the_final_text(linked: Linked) -> None:
    footnote_1 = {"icerd", "cedaw", "cat", "crc", "icrmw", "cped", "crpd"}
    assert citations(linked, "HumanRightsTreaty") == (
        {("annex/para/2", name, None) for name in ("iccpr", "icescr", "core-human-rights-treaties")}
        | {("annex/para/2", name, "1") for name in footnote_1}
        | {("annex/footnote/1", name, None) for name in footnote_1}
    )


def test_resolutions_recalled_by_the_wrapper(linked: Linked) -> None:
    assert citations(linked, "Resolution") == {
        ("resolution/preamble/1", f"a-res-{symbol}", None) for symbol in ("71-1", "71-280", "72-244", "72-308")
    }


def run_saved(linked: Linked, name: str, **params: str) -> list[dict]:
    query = (PROJECT_ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    substitutions = {key: NamedNode(value if "://" in value else BASE_IRI + value) for key, value in params.items()}
    return linked.store.select(query, substitutions=substitutions)


def test_actions_citing_ilo_returns_exactly_the_right_actions_with_evidence(linked: Linked) -> None:
    rows = run_saved(linked, "actions-citing-ilo-instruments", document="id/a-73-l-66/en")
    assert [
        (r["action"].value.removeprefix(FINAL), short(r["instrument"].value), r["evidence"].value) for r in rows
    ] == [
        (
            "annex/para/21/a",
            "ilo-standards",
            "International Labour Organization (ILO) standards, guidelines and principles",
        ),
        (
            "annex/para/22/l",
            "ilo-fair-recruitment",
            "ILO General Principles and Operational Guidelines for Fair Recruitment",
        ),
        ("annex/para/38/a", "r202", "ILO Social Protection Floors Recommendation, 2012 (No. 202)"),
    ]
    # the Swedish translation cites the same three actions, in its own words
    rows = run_saved(linked, "actions-citing-ilo-instruments", document="id/gcm-agreed-outcome-2018-07-13/sv")
    assert [(r["action"].value.removeprefix(SV), r["evidence"].value) for r in rows] == [
        ("annex/para/21/a", "ILO-standarder, riktlinjer och principer"),
        ("annex/para/22/l", "ILO: s allmänna principer och operativa riktlinjer för rättvis rekrytering"),
        ("annex/para/38/a", "ILO:s rekommendation 202 om socialt grundskydd"),
    ]


def test_category_and_actor_queries(linked: Linked) -> None:
    rows = run_saved(
        linked, "provisions-citing-category", category="ontology#UNTOCProtocol", document="id/a-73-l-66/en"
    )
    assert sorted({(r["provision"].value.removeprefix(FINAL), short(r["instrument"].value)) for r in rows}) == [
        ("annex/para/2", "smuggling-protocol"),
        ("annex/para/2", "trafficking-protocol"),
        ("annex/para/25/a", "smuggling-protocol"),
        ("annex/para/26/a", "trafficking-protocol"),
    ]
    rows = run_saved(linked, "provisions-naming-actor", actor="id/actor/iom")
    final = [
        (r["provision"].value.removeprefix(FINAL), r["evidence"].value)
        for r in rows
        if r["provision"].value.startswith(FINAL)
    ]
    assert final == [
        ("annex/para/17/e", "International Organization for Migration (IOM)"),  # one mention (issue 15)
        ("annex/para/22/l", "IOM"),
        ("annex/para/45/a", "IOM"),
        ("annex/para/52", "IOM"),
    ]
    rows = run_saved(linked, "provisions-citing-instrument", instrument="http://metadata.un.org/sdg/10.c")
    assert {(r["provision"].value.removeprefix(BASE_IRI), r["evidence"].value) for r in rows} == {
        ("id/a-73-l-66/en/annex/para/36/a", "target 10.c"),
        ("id/gcm-agreed-outcome-2018-07-13/sv/annex/para/36/a", "mål 10.c"),
    }


def test_swedish_and_arabic_texts_cite_in_their_own_words(linked: Linked) -> None:
    assert citations(linked, "UNTOCProtocol", SV) == {
        ("annex/para/2", "trafficking-protocol", None),
        ("annex/para/2", "smuggling-protocol", None),
        ("annex/para/25/a", "smuggling-protocol", None),
        ("annex/para/26/a", "trafficking-protocol", None),
    }
    rows = run_saved(linked, "provisions-citing-instrument", instrument="http://metadata.un.org/sdg/4.b")
    assert [(r["document"].value.removeprefix(BASE_IRI), r["evidence"].value) for r in rows] == [
        ("id/iom-contribution-2017-10/ar", "الغاية 4 (ب)")
    ]


def test_every_mention_offset_selects_its_surface_text(linked: Linked) -> None:
    rows = linked.store.select(
        PREFIXES
        + """SELECT ?mention ?text ?surface ?start ?end WHERE {
          ?mention a gcm:Mention ; gcm:mentionIn ?provision ; gcm:surfaceText ?surface ;
                   gcm:startOffset ?start ; gcm:endOffset ?end .
          OPTIONAL { ?mention gcm:viaFootnote ?footnote }
          BIND(COALESCE(?footnote, ?provision) AS ?holder)
          ?holder gcm:text ?text .
        }"""
    )
    assert len(rows) > 800  # fewer since migrants are named as actors only where listed among stakeholders
    wrong = [
        row["mention"].value
        for row in rows
        if row["text"].value[int(row["start"].value) : int(row["end"].value)] != row["surface"].value
    ]
    assert wrong == []


def test_every_sdg_target_carries_its_un_identifier(linked: Linked) -> None:
    rows = linked.store.select(
        PREFIXES + "SELECT ?target ?goal ?notation WHERE { ?target a gcm:SDGTarget ; skos:notation ?notation . "
        "OPTIONAL { ?target gcm:goal ?goal . ?goal a gcm:SDGGoal } }"
    )
    assert {row["target"].value for row in rows} >= {
        "http://metadata.un.org/sdg/10.c",
        "http://metadata.un.org/sdg/4.b",
    }
    for row in rows:
        goal, target = row["notation"].value.split(".")
        assert row["target"].value == f"http://metadata.un.org/sdg/{goal}.{target}"
        assert row["goal"] == sdg_goal(goal)


def test_ilo_conventions_have_code_number_year_and_normlex_page(linked: Linked) -> None:
    rows = linked.store.select(
        PREFIXES + "SELECT ?i ?code ?number ?year ?page WHERE { ?i a/rdfs:subClassOf* gcm:ILOInstrument ; "
        "gcm:code ?code ; gcm:instrumentNumber ?number ; gcm:adoptionYear ?year ; gcm:documentPage ?page }"
    )
    assert {(r["code"].value, r["number"].value, r["year"].value) for r in rows} == {
        ("C097", "97", "1949"),
        ("C143", "143", "1975"),
        ("C118", "118", "1962"),
        ("C189", "189", "2011"),
        ("R202", "202", "2012"),
    }
    for row in rows:
        assert row["page"] == normlex(row["code"].value)


def test_unknown_instrument_findings_are_exactly_the_known_gaps(linked: Linked) -> None:
    rows = linked.store.select(
        PREFIXES + "SELECT ?finding ?about ?surface ?start ?end WHERE { ?finding a gcm:UnknownInstrument ; "
        "gcm:concerns ?about ; gcm:surfaceText ?surface ; gcm:startOffset ?start ; gcm:endOffset ?end }"
    )
    # every instrument-like name in the English texts is catalogued (the recognizer tests show what an
    # unknown one gives); this guards against a catalogue change that loses one.
    assert [(r["about"].value, r["surface"].value) for r in rows] == []


def test_catalogue_file_is_turtle_with_relative_iris() -> None:
    for path in sorted(Path(PROJECT_ROOT / "catalogue").glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        assert "@prefix gcm: <ontology#> ." in text, path
        assert not re.search(r"<http://127\.0\.0\.1", text), path


def test_saved_queries_bind_their_parameters_as_the_service_does(linked: Linked) -> None:
    """Defaults and allowed values go through the service's own catalogue and binding."""
    from gcmkg.service.saved_query_files import load_catalog

    catalog = load_catalog(PROJECT_ROOT / "queries")
    names = {
        "actions-citing-ilo-instruments",
        "provisions-citing-instrument",
        "provisions-citing-category",
        "provisions-naming-actor",
        "instruments-by-category",
    }
    assert names <= set(catalog)
    for name in names:
        query = catalog[name]
        rows = linked.store.select(query.text, substitutions=query.bind({}, linked.store.base_iri))
        assert rows, f"{name} answers nothing with its defaults"
    category = catalog["provisions-citing-category"]
    for value in category.params[0].values:  # every allowed category is an ontology class
        term = category.params[0].to_term(value, BASE_IRI)
        assert linked.store.query(f"ASK {{ <{term.value}> a <http://www.w3.org/2002/07/owl#Class> }}"), value
    rows = linked.store.select(
        category.text,
        substitutions=category.bind({"category": "ontology#SDGTarget", "document": "id/a-73-l-66/en"}, BASE_IRI),
    )
    assert [(r["provision"].value.removeprefix(FINAL), r["evidence"].value) for r in rows] == [
        ("annex/para/36/a", "target 10.c")
    ]
    counts = linked.store.select(catalog["instruments-by-category"].text)
    final = {
        (short(r["instrument"].value), int(r["citing_provisions"].value), int(r["mentions"].value))
        for r in counts
        if "document" in r and r["document"].value == FINAL.rstrip("/")
    }
    # C097: paragraph 2 (through footnote 3) and footnote 3 cite it; its words stand once, in footnote 3
    assert ("c097", 2, 1) in final
    # the smuggling protocol: paragraph 2 and action 25 (a), each naming it once
    assert ("smuggling-protocol", 2, 2) in final


# Issue 15: the questions an analyst asks, and the figures on the hand-checked sample ----------------


def test_which_actions_cite_the_convention_against_transnational_organized_crime(linked: Linked) -> None:
    """The final text's actions that cite the UNTOC, through the Protocols' titles, with the words."""
    rows = run_saved(linked, "provisions-citing-instrument", instrument="id/instrument/untoc")
    final = [
        (r["provision"].value.removeprefix(FINAL), r["evidence"].value, int(r["start"].value))
        for r in rows
        if r["provision"].value.startswith(FINAL)
    ]
    assert [(path, evidence) for path, evidence, _ in final] == [
        ("annex/para/2", "United Nations Convention against Transnational Organized Crime"),
        ("annex/para/25/a", "United Nations Convention against Transnational Organized Crime"),
        ("annex/para/26/a", "United Nations Convention against Transnational Organized Crime"),
    ]
    actions = linked.store.select(PREFIXES + "SELECT ?p WHERE { ?p a gcm:Action ; gcm:cites <id/instrument/untoc> }")
    assert sorted(r["p"].value.removeprefix(FINAL) for r in actions if r["p"].value.startswith(FINAL)) == [
        "annex/para/25/a",
        "annex/para/26/a",
    ]


def test_the_sdg_category_finds_targets_and_generic_references(linked: Linked) -> None:
    rows = run_saved(linked, "provisions-citing-category", category="ontology#SDGReference", document="id/a-73-l-66/en")
    found = [
        (r["provision"].value.removeprefix(FINAL), short(r["instrument"].value), r["evidence"].value) for r in rows
    ]
    assert ("annex/para/36/a", "http://metadata.un.org/sdg/10.c", "target 10.c") in found
    assert ("annex/para/15/e", "sdgs", "goals of the 2030 Agenda for Sustainable Development") in found
    assert ("annex/para/18/a", "sdgs", "Sustainable Development Goals") in found
    assert {r["category"].value.rsplit("#", 1)[-1] for r in rows} == {"SDGReference"}


def test_mentions_meet_their_targets_on_the_hand_checked_sample(linked: Linked) -> None:
    """Precision and recall per category on samples/mentions.toml (issue 15 target: 0.97 each)."""
    import tomllib

    from gcmkg.build import run_linkers
    from gcmkg.linking.catalogue import Catalogue
    from gcmkg.linking.mentions import CATEGORIES, LINKER, TARGET
    from gcmkg.links import CATALOGUE, DOCUMENTS

    settings_root = PROJECT_ROOT
    sample = tomllib.loads((settings_root / "samples" / "mentions.toml").read_text(encoding="utf-8"))
    catalogue = Catalogue.load(linked.iris, settings_root / "catalogue")
    documents = [d for t in linked.texts for d in t.documents]
    links = run_linkers(linked.iris, [LINKER], {DOCUMENTS: documents, CATALOGUE: catalogue})["mentions"]
    assert LINKER.measure is not None and LINKER.sample == "mentions.toml"
    figures = {m.metric: m for m in LINKER.measure(sample, links, linked.iris)}
    assert set(figures) == {f"{kind}:{c}" for c in CATEGORIES for kind in ("precision", "recall")}
    assert all(m.total > 0 for m in figures.values())
    below = {name: f"{m.hits}/{m.total}" for name, m in figures.items() if m.value < TARGET}
    assert below == {}


def test_unknown_entity_findings_are_the_proper_names_the_catalogue_lacks(linked: Linked) -> None:
    """Names of bodies and forums that no catalogued name explains are findings, not silence (issue 15)."""
    rows = linked.store.select(
        PREFIXES + "SELECT ?about ?surface ?label WHERE { ?finding a gcm:UnknownEntity ; gcm:concerns ?about ; "
        "gcm:surfaceText ?surface ; rdfs:label ?label }"
    )
    found = sorted((r["about"].value.removeprefix(BASE_IRI), r["surface"].value) for r in rows)
    draft = "id/com-2018-168-annex/en/annex/"
    assert found == [
        (f"{draft}para/29/a", "State-led Global Consular Forum"),  # the Global Consular Forum: not catalogued
        (f"{draft}para/46/a", "Regional Migration Review Forum"),  # a forum the draft proposed
        (f"{draft}para/46/b", "Regional Migration Review Forum"),
        (f"{draft}para/46/c", "Regional Migration Review Forum"),
    ]
    assert all(r["label"].value.startswith("Unknown entity: ") for r in rows)
    assert not [a for a, _ in found if a.startswith("id/a-73-l-66/")]  # the final text names nothing unknown

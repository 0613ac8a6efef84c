"""The IMRF Progress Declaration (corpus 004_…): every paragraph once, in its section, with its footnotes.

Expectations are read off the source by hand: paragraphs 1–77, three printed section headings,
four round tables covering all 23 objectives between them (paragraph 23 says so), eleven
footnotes, eight Markdown links with an empty target.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.corpus import CorpusEntry, read_manifest
from gcmkg.errors import SourceError
from gcmkg.iris import sparql_prologue
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind
from gcmkg.settings import PROJECT_ROOT
from gcmkg.store import GraphStore
from loaders.imrf_declaration import load

DOC_KEY = "imrf-progress-declaration-2022"  # corpus/manifest.toml

FILE = "004_7bae42176274279c.txt"
GRAPH = f"<http://127.0.0.1:8000/graph/{DOC_KEY}-en>"
ROUND_TABLES = {
    "1": (["2", "5", "6", "12", "18"], range(24, 30), 97, 113),
    "2": (["4", "8", "9", "10", "11", "13", "21"], range(30, 37), 115, 131),
    "3": (["14", "15", "16", "19", "20", "22"], range(37, 45), 133, 153),
    "4": (["1", "3", "7", "17", "23"], range(45, 51), 155, 171),
}
SECTIONS = {
    "introduction": ("Introduction", range(2, 21)),
    "progress-challenges-gaps": (
        "Progress, challenges and gaps in the implementation of the Global Compact",
        range(21, 24),
    ),
    "recommended-actions": (
        "Recommended actions to accelerate the implementation of the Global Compact and to strengthen "
        "international cooperation on international migration",
        range(51, 78),
    ),
}
# footnote number → (path of the provision whose text carries the marker, the words just before the marker)
FOOTNOTE_ANCHORS = {
    "1": (("annex", "para", "1"), "Regular Migration,"),
    "2": (("annex", "para", "1"), "Sustainable Development,"),
    "3": (("annex", "para", "19"), "the Global Compact,"),
    "4": (("annex", "round-table", "1"), "12 and 18)"),
    "5": (("annex", "round-table", "2"), "13 and 21)"),
    "6": (("annex", "round-table", "3"), "20 and 22)"),
    "7": (("annex", "round-table", "4"), "17 and 23)"),
    "8": (("annex", "para", "45"), "African Migration Observatory,"),
    "9": (("annex", "para", "74"), "Financing for Development,"),
    "10": (("annex", "para", "74"), "the Paris Agreement"),
    "11": (("annex", "para", "74"), "Disaster Risk Reduction 2015–2030"),
}
FOOTNOTE_TEXTS = {
    "1": "Resolution 73/195, annex.",
    "2": "Resolution 70/1.",
    "3": "A/76/642.",
    "8": "The African Migration Observatory is an organ of the African Union established pursuant to decision "
    "Assembly/AU/Dec.695 (XXXI) of the Assembly of the African Union.",
    "9": "Resolution 69/313, annex.",
    "10": "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
    "11": "Resolution 69/283, annex II.",
    "5": "Objective 4: Ensure that all migrants have proof of legal identity and adequate documentation; objective "
    "8: Save lives and establish coordinated international efforts on missing migrants; objective 9: Strengthen "
    "the transnational response to smuggling of migrants; objective 10: Prevent, combat and eradicate trafficking "
    "in persons in the context of international migration; objective 11: Manage borders in an integrated, secure "
    "and coordinated manner; objective 13: Use migration detention only as a measure of last resort and work "
    "towards alternatives; objective 21: Cooperate in facilitating safe and dignified return and readmission, as "
    "well as sustainable reintegration.",
}
# Full clean texts, hand-checked against the source lines given.
PARAGRAPHS = {
    # line 37: two footnote markers inside the sentence
    "1": "We, the Heads of State and Government and High Representatives, meeting at United Nations Headquarters in "
    "New York from 17 to 20 May 2022 at the first International Migration Review Forum, convened under the "
    "auspices of the General Assembly, determined to enhance cooperation on international migration in all its "
    "dimensions, to discuss and share progress on the implementation of all aspects of the Global Compact for Safe, "
    "Orderly and Regular Migration, including as it relates to the 2030 Agenda for Sustainable Development, and "
    "with the participation of all relevant stakeholders, have adopted the following Progress Declaration.",
    # line 41: two Markdown links, visible text kept
    "2": "We reaffirm the Global Compact for Safe, Orderly and Regular Migration, also known as the Marrakech Compact "
    "on Migration, and recall General Assembly resolution 73/195 of 19 December 2018, by which it endorsed the "
    "Global Compact, as well as General Assembly resolution 73/326 of 19 July 2019 on the format and "
    "organizational aspects of the international migration review forums.",
    # lines 53–59: footnotes 1 and 2 interrupt the sentence after "pandemic,"
    "8": "We commend the positive role and contributions of millions of migrants in responding to and recovering "
    "from the coronavirus disease (COVID-19) pandemic, including as essential workers, and remain deeply concerned "
    "that the pandemic has had a severe and disproportionate impact on migrants, including through increased "
    "COVID-19 exposure, discrimination, violence, job losses, wage theft, protracted family separation, and "
    "restricted or lack of access to health-care services and other basic services, including vaccines, social "
    "protection, education and child services, and being subjected to unsafe and undignified returns.",
    # lines 77–79: a page break after "and the"
    "17": "We take note with appreciation of the regional reviews of the implementation of the Global Compact and "
    "the reviews of progress at the national level, including, on a voluntary basis, the elaboration and use of "
    "national implementation plans and the mainstreaming of the Global Compact in plans and legislation, drawing "
    "on contributions from and the meaningful participation of all relevant stakeholders, including migrants, as "
    "well as parliaments and local governments, in line with a whole-of-government and whole-of-society approach.",
    "19": "We take note with appreciation of the report of the Secretary-General of 27 December 2021 on the "
    "implementation of the Global Compact, and its guidance for the deliberations during the Forum, including "
    "policy priorities for consideration by the Forum.",
    "23": "We recall that in General Assembly resolution 73/326, Member States decided to cover all 23 objectives "
    "of the Global Compact in four round tables during the Forum.",
    # lines 109–113: footnote 4 (of round table 1) interrupts the sentence after "development,"
    "29": "The lack of access to quality education and economic opportunities, and inadequate investment as well as "
    "underdevelopment are among the key drivers that compel young people to leave their countries of origin in "
    "search of better opportunities. Therefore, it remains crucial to promote sustainable development, generate "
    "employment, bridge the digital divides and empower youth to fully participate in their societies.",
    # lines 139–143: footnote 6 interrupts after "as well as through"
    "39": "Progress was also made in promoting inclusion and social cohesion, including through language training "
    "and improved access to professional training, employment, education, and social inclusion and protection "
    "measures, as well as through community awareness campaigns, based on equality, non-discrimination and ways "
    "to promote mutual respect for the cultures, traditions and customs of communities of destination and of "
    "migrants, including acceptance of diversity.",
    "45": "Progress has been made in improving the collection and use of disaggregated migration data, including "
    "through the establishment of migration data and knowledge centres and observatories, such as the African "
    "Migration Observatory, as well as the promotion of bilateral and regional exchanges and initiatives on "
    "migration data.",
    "52": "Building on the lessons learned during the COVID-19 pandemic and realizing that there is a need to "
    "prepare for future health emergencies, we aim to integrate promising practices, consistent with the Global "
    "Compact and its guiding principles, into migration policies. In this regard, we commit to accelerating "
    "efforts, at all levels, to integrate public health considerations into migration policies and incorporating "
    "the health needs of migrants in national and local health-care services, policies and plans, in ways which "
    "are transparent, equitable, non-discriminatory, people-centred, gender-responsive, child-sensitive and "
    "disability-responsive, and which leave no one behind.",
    "64": "Recognizing the foundational role of proof of legal identity in fulfilling the objectives of the Global "
    "Compact, such as enhancing access to regular pathways, preventing and reducing statelessness and facilitating "
    "safe and dignified return, as well as sustainable reintegration, we commit to accelerating efforts to ensure "
    "that all migrants have proof of legal identity and adequate documentation and that our nationals have "
    "non-discriminatory access to proof of nationality and other relevant documents, including by strengthening "
    "identification procedures and documentation systems, including through digitalization efforts, as well as "
    "consular capacities and cooperation, including through technical assistance and bilateral or regional "
    "agreements.",
    # lines 219–221: a page break inside "the Global / Compact"
    "71": "We commit to continuing to strengthen national capacities, including for data collection, and "
    "international partnerships to realize the vision laid out in the Global Compact, including through the "
    "capacity-building mechanism, and we encourage Member States and stakeholders to submit good practices, "
    "lessons learned and challenges to the Migration Network Hub Repository of Practices, and to consider making "
    "financial contributions to the migration multi-partner trust fund.",
    # line 227: three markers, one glued to a year ("2015–2030¹¹")
    "74": "We commit to further aligning the implementation of relevant commitments and objectives from the Global "
    "Compact with those under the 2030 Agenda, the Addis Ababa Action Agenda of the Third International Conference "
    "on Financing for Development, the Paris Agreement and the Sendai Framework for Disaster Risk Reduction "
    "2015–2030 and relevant internationally agreed instruments and other existing frameworks, as appropriate.",
    "77": "We request the President of the General Assembly to hold a plenary meeting of the General Assembly in the "
    "second half of 2024 in order to consider the next biennial report of the Secretary-General on the "
    "implementation of the Global Compact, as well as the outcomes of the regional reviews, presented by the "
    "Coordinator of the Network, and for Member States and stakeholders to present, on a voluntary basis, progress "
    "in implementing the pledges they have made in the context of the Forum.",
}
LINKS = [
    (("annex", "para", "2"), "73/195"),
    (("annex", "para", "2"), "73/326"),
    (("annex", "footnote", "1"), "73/195"),
    (("annex", "footnote", "2"), "70/1"),
    (("annex", "para", "23"), "73/326"),
    (("annex", "footnote", "3"), "A/76/642"),
    (("annex", "para", "70"), "71/313"),
    (("annex", "footnote", "10"), "FCCC/CP/2015/10/Add.1"),
]


def _select(store: GraphStore, query: str) -> list[dict]:
    return store.select(sparql_prologue() + query)


def _entry() -> CorpusEntry:
    return next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file == FILE)


@pytest.fixture(scope="module")
def document() -> Document:
    (doc,) = load(PROJECT_ROOT / "corpus" / FILE, _entry())
    return doc


def _kind(document: Document, kind: ProvisionKind) -> list[Provision]:
    return [p for p in document.walk() if p.kind is kind]


def _parents(document: Document) -> dict[tuple[str, ...], Provision]:
    return {child.path: p for p in document.walk() for child in p.children}


# the document model -------------------------------------------------------------------------


def test_document_identity(document: Document) -> None:
    assert (document.key, document.language, document.date, document.status, document.symbol) == (
        DOC_KEY,
        "en",
        "2022-05-26",
        "review",
        None,
    )
    assert [p.path for p in document.provisions] == [("resolution",), ("annex",)]
    assert document.provisions[1].heading == "Progress Declaration of the International Migration Review Forum"


def test_paragraphs_one_to_seventy_seven_exactly_once_in_order(document: Document) -> None:
    annex = [p for p in _kind(document, ProvisionKind.PARAGRAPH) if p.path[0] == "annex"]
    assert [p.number for p in annex] == [str(n) for n in range(1, 78)]
    assert all(p.path == ("annex", "para", p.number) for p in annex)


def test_sections_as_printed_with_their_paragraphs(document: Document) -> None:
    sections = _kind(document, ProvisionKind.SECTION)
    assert [(s.path, s.heading) for s in sections] == [(("annex", k), v[0]) for k, v in SECTIONS.items()]
    for section in sections:
        direct = [c.number for c in section.children if c.kind is ProvisionKind.PARAGRAPH]
        assert direct == [str(n) for n in SECTIONS[section.path[-1]][1]]
    annex = document.provisions[1]
    assert [c.number for c in annex.children if c.kind is ProvisionKind.PARAGRAPH] == ["1"]  # before any heading
    assert [c.kind for c in annex.children] == [ProvisionKind.PARAGRAPH] + [ProvisionKind.SECTION] * 3 + [
        ProvisionKind.FOOTNOTE
    ] * 11  # footnotes last, as in the final text


def test_round_tables_their_objectives_and_paragraphs(document: Document) -> None:
    round_tables = _kind(document, ProvisionKind.ROUND_TABLE)
    parents = _parents(document)
    assert [r.number for r in round_tables] == ["1", "2", "3", "4"]
    covered: list[str] = []
    for round_table in round_tables:
        objectives, paragraphs, first, last = ROUND_TABLES[round_table.number or ""]
        expected_heading = (
            f"Round table {round_table.number} (objectives {', '.join(objectives[:-1])} and {objectives[-1]})"
        )
        assert round_table.text == round_table.heading == expected_heading
        assert parents[round_table.path].path == ("annex", "progress-challenges-gaps")
        assert [(c.kind, c.number) for c in round_table.children] == [
            (ProvisionKind.PARAGRAPH, str(n)) for n in paragraphs
        ]
        assert (round_table.span.line_start, round_table.span.line_end) == (first, last)
        (ref,) = round_table.footnote_refs
        footnote = document.by_path()[("annex", "footnote", ref.number)]
        assert footnote.number == str(int(round_table.number or 0) + 3)
        assert [m.split(":")[0].split()[-1] for m in footnote.text.split("; ")] == objectives
        covered += objectives
    assert sorted(covered, key=int) == [str(n) for n in range(1, 24)]  # "all 23 objectives … in four round tables"


def test_footnotes_reattached_where_their_markers_stand(document: Document) -> None:
    footnotes = {f.number: f for f in _kind(document, ProvisionKind.FOOTNOTE)}
    assert sorted(footnotes, key=lambda n: int(n or 0)) == [str(n) for n in range(1, 12)]
    index = document.by_path()
    for number, (path, before) in FOOTNOTE_ANCHORS.items():
        carriers = [p.path for p in document.walk() if any(r.number == number for r in p.footnote_refs)]
        assert carriers == [path]
        refs = [r for r in index[path].footnote_refs if r.number == number]
        assert len(refs) == 1
        assert index[path].text[: refs[0].offset].endswith(before)
    assert sum(len(p.footnote_refs) for p in document.walk()) == 11
    for number, text in FOOTNOTE_TEXTS.items():
        assert footnotes[number].text == text
    assert not any(ch in p.text for p in document.walk() for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹[]()#*" if ch in "⁰¹²³⁴⁵⁶⁷⁸⁹[]#*")


def test_a_dozen_full_paragraphs(document: Document) -> None:
    index = document.by_path()
    for number, text in PARAGRAPHS.items():
        assert index[("annex", "para", number)].text == text, number


def test_interrupted_paragraph_keeps_its_span_and_marker_offsets(document: Document) -> None:
    index = document.by_path()
    para8 = index[("annex", "para", "8")]
    assert (para8.span.line_start, para8.span.line_end) == (53, 59)
    assert para8.footnote_refs == []  # footnotes 1 and 2 stand inside it but belong to paragraph 1
    para29 = index[("annex", "para", "29")]
    assert (para29.span.line_start, para29.span.line_end) == (109, 113)
    para74 = index[("annex", "para", "74")]
    assert [r.number for r in para74.footnote_refs] == ["9", "10", "11"]
    assert para74.text[para74.footnote_refs[1].offset :].startswith(" and the Sendai Framework")


def test_resolution_wrapper(document: Document) -> None:
    resolution = document.provisions[0]
    assert resolution.heading == "Progress Declaration of the International Migration Review Forum"
    assert (resolution.span.line_start, resolution.span.line_end) == (24, 29)
    assert [(c.path, c.kind, c.number, c.text) for c in resolution.children] == [
        (("resolution", "opening"), ProvisionKind.PARAGRAPH, None, "The General Assembly"),
        (
            ("resolution", "operative"),
            ProvisionKind.PARAGRAPH,
            None,
            "Endorses the Progress Declaration of the International Migration Review Forum, adopted by the Forum, "
            "as contained in the annex to the present resolution.",
        ),
    ]


def test_links_are_findings_and_nothing_else_is(document: Document) -> None:
    assert [(f.kind, f.provision, f.message.split("]")[0][len("Markdown link [") :]) for f in document.findings] == [
        (FindingKind.TEXT, path, text) for path, text in LINKS
    ]


def test_every_source_line_is_read(document: Document) -> None:
    """Every non-blank line is in a provision, except the masthead and the line "Annex"."""
    lines = (PROJECT_ROOT / "corpus" / FILE).read_text(encoding="utf-8").split("\n")
    covered: set[int] = set()
    for p in document.walk():
        if p.kind in (ProvisionKind.PARAGRAPH, ProvisionKind.FOOTNOTE):
            covered.update(range(p.span.line_start, p.span.line_end + 1))
        else:  # a heading: its own line
            covered.add(p.span.line_start)
    unread = [n for n, line in enumerate(lines, start=1) if line.strip() and n not in covered]
    assert unread == [5, 7, 8, 10, 12, 14, 16, 17, 18, 20, 22, 33]
    assert lines[32] == "Annex" and lines[4] == "General Assembly" and lines[21].startswith("Draft resolution")


def test_no_pdf_artefacts_to_repair(document: Document) -> None:
    """Nothing for text_repair's split-word and hyphen rules: no line ends in a hyphen, no stray spaces."""
    source = (PROJECT_ROOT / "corpus" / FILE).read_text(encoding="utf-8")
    assert not [line for line in source.split("\n") if line.rstrip().endswith("-")]
    for p in document.walk():
        assert "  " not in p.text and p.text == p.text.strip()
        assert not any(gap in p.text for gap in (" ,", " ;", " :", " .")), p.path


# structural surprises and defects in edited copies --------------------------------------------


def _load_edited(tmp_path: Path, old: str, new: str) -> Document:
    source = (PROJECT_ROOT / "corpus" / FILE).read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / FILE
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    (doc,) = load(path, _entry())
    return doc


def test_unexpected_heading_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as error:
        _load_edited(tmp_path, "\nIntroduction\n", "\nPreamble\n")
    assert error.value.line == 39 and error.value.file.endswith(FILE)
    assert "Preamble" in error.value.message


def test_marker_without_footnote_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as error:
        _load_edited(tmp_path, "\n³ [A/76/642](#).\n", "\n")
    assert error.value.line == 83 and "footnote 3" in error.value.message


def test_skipped_paragraph_number_is_a_finding(tmp_path: Path) -> None:
    doc = _load_edited(tmp_path, "\n6. We reaffirm the importance", "\n7. We reaffirm the importance")
    findings = [(f.kind, f.provision, f.span.line_start) for f in doc.findings if f.kind is not FindingKind.TEXT]
    assert findings == [
        (FindingKind.NUMBERING, ("annex", "para", "7"), 49),  # 7 after 5
        (FindingKind.REPEATED, ("annex", "para", "7-2"), 51),  # and 7 again: both kept
    ]
    assert [p.text[:25] for p in doc.walk() if p.number == "7" and p.kind is ProvisionKind.PARAGRAPH] == [
        "We reaffirm the importanc",
        "We recognize the positive",
    ]


def test_round_table_heading_and_footnote_disagreeing_is_a_finding(tmp_path: Path) -> None:
    doc = _load_edited(
        tmp_path, "Round table 1 (objectives 2, 5, 6, 12 and 18)", "Round table 1 (objectives 2, 5, 6, 12 and 19)"
    )
    headings = [f for f in doc.findings if f.kind is FindingKind.HEADING]
    assert [(f.provision, f.span.line_start) for f in headings] == [(("annex", "round-table", "1"), 111)]


# the graph --------------------------------------------------------------------------------------


def test_graph_counts(store: GraphStore) -> None:
    rows = _select(
        store,
        f"""SELECT ?kind (COUNT(?p) AS ?n) WHERE {{ GRAPH {GRAPH} {{ ?p a ?class ; gcm:inDocument ?d . }}
        BIND(STRAFTER(STR(?class), "#") AS ?kind) }} GROUP BY ?kind ORDER BY ?kind""",
    )
    counts = {row["kind"].value: int(row["n"].value) for row in rows}
    assert counts == {
        "Part": 2,
        "Paragraph": 79,  # 77 numbered, and the resolution's opening words and its one paragraph
        "Section": 3,
        "RoundTable": 4,
        "Footnote": 11,
    }


def test_graph_paragraph_numbers_and_sections(store: GraphStore) -> None:
    rows = _select(
        store,
        f"""SELECT ?number ?where WHERE {{ GRAPH {GRAPH} {{
              ?p a gcm:Paragraph ; gcm:number ?number ; eli:is_part_of ?parent .
              OPTIONAL {{ ?parent gcm:heading ?where }} }} }}""",
    )
    numbers = sorted(int(row["number"].value) for row in rows)
    assert numbers == list(range(1, 78))
    where = {int(row["number"].value): row["where"].value for row in rows}
    assert where[1] == "Progress Declaration of the International Migration Review Forum"
    assert where[20] == "Introduction"
    assert where[24].startswith("Round table 1 (")
    assert where[51].startswith("Recommended actions")


def test_graph_footnote_links_and_text(store: GraphStore) -> None:
    rows = _select(
        store,
        f"""SELECT ?n ?offset ?text WHERE {{ GRAPH {GRAPH} {{
              ?p a gcm:Paragraph ; gcm:number 45 ; gcm:hasFootnote ?f ; gcm:text ?text .
              ?f gcm:annotates ?p ; gcm:number ?n ; gcm:markerOffset ?offset ; gcm:text ?note }} }}""",
    )
    assert [(r["n"].value, int(r["offset"].value)) for r in rows] == [
        ("8", PARAGRAPHS["45"].index(" as well as the promotion"))
    ]
    count = _select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {GRAPH} {{ ?p gcm:hasFootnote ?f }} }}")
    assert int(count[0]["n"].value) == 11
    text = _select(
        store, f"""SELECT ?text WHERE {{ GRAPH {GRAPH} {{ ?p a gcm:Paragraph ; gcm:number 8 ; gcm:text ?text }} }}"""
    )
    assert text[0]["text"].value == PARAGRAPHS["8"] and text[0]["text"].language == "en"


def test_graph_findings_are_the_eight_links(store: GraphStore) -> None:
    rows = _select(
        store,
        f"""SELECT ?about ?comment WHERE {{
              ?finding a gcm:TextDefect ; gcm:inDocument <http://127.0.0.1:8000/id/{DOC_KEY}/en> ;
                       gcm:concerns ?about ; rdfs:comment ?comment }} ORDER BY ?comment""",
    )
    assert len(rows) == len(LINKS) == 8
    assert {r["about"].value.removeprefix(f"http://127.0.0.1:8000/id/{DOC_KEY}/en/") for r in rows} == {
        "/".join(path) for path, _ in LINKS
    }
    total = _select(
        store,
        f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a gcm:Finding ; gcm:inDocument <http://127.0.0.1:8000/id/{DOC_KEY}/en> }}",
    )
    assert int(total[0]["n"].value) == 8

"""The final text of the Global Compact (A/73/L.66) as ``loaders/final_text.py`` reads it.

Every expected value was read off ``corpus/003_4d3bf2ee86e6cb1c.txt`` by hand: titles and texts
are the printed wording with only the documented cleaning (page furniture removed, split words
rejoined, stray spaces before punctuation removed, footnote markers out, whitespace folded).
The tests call the loader directly; the last ones map the document to RDF in a real
in-memory pyoxigraph store and query and validate it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gcm_facts import GUIDING_PRINCIPLES, OBJECTIVE_ACTIONS, OBJECTIVE_TITLES
from pyoxigraph import RdfFormat

from gcmkg.build import ONTOLOGY_FILE, LoadedText, graph_quads, ontology_graph
from gcmkg.corpus import CorpusEntry, read_manifest
from gcmkg.errors import SourceError
from gcmkg.iris import Iris
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind
from gcmkg.settings import PROJECT_ROOT, load_settings
from gcmkg.store import GraphStore
from gcmkg.validate import violations
from loaders.final_text import Parsed, load, parse

KEY = "a-73-l-66"  # corpus/manifest.toml

FILE = "003_4d3bf2ee86e6cb1c.txt"
BASE = "http://127.0.0.1:8000/"
SOURCE = PROJECT_ROOT / "corpus" / FILE

# The 23 objectives as headed in the annex ("Objective N: …").  The list of objectives after
# paragraph 16 says "migration detention" for objective 13; its heading says "immigration".


# Sections and sub-sections with the paragraphs directly under them, in reading order.
SECTIONS = {
    ("annex", "preamble"): ("Preamble", ["1", "2", "3", "4", "5", "6", "7"]),
    ("annex", "vision"): ("Our vision and guiding principles", ["8", "9"]),
    ("annex", "common-understanding"): ("Common understanding", ["10"]),
    ("annex", "shared-responsibilities"): ("Shared responsibilities", ["11", "12"]),
    ("annex", "unity-of-purpose"): ("Unity of purpose", ["13", "14", "15"]),
    ("annex", "cooperative-framework"): ("Our cooperative framework", ["16"]),
    ("annex", "objectives-and-commitments"): ("Objectives and commitments", []),
    ("annex", "implementation"): ("Implementation", [str(n) for n in range(40, 48)]),
    ("annex", "follow-up-and-review"): ("Follow-up and review", [str(n) for n in range(48, 55)]),
}

# Full clean texts, typed from the printed lines (line numbers of the file, printed pages).
TEXTS: dict[tuple[str, ...], str] = {
    # page 1
    ("resolution", "preamble", "1"): (
        "Recalling its resolution 71/1 of 19 September 2016, in which it decided to convene an "
        "intergovernmental conference to adopt a global compact for safe, orderly and regular migration, as "
        "well as its resolutions 71/280 of 6 April 2017, 72/244 of 24 December 2017 and 72/308 of 6 August 2018,"
    ),
    ("resolution", "para", "2"): (
        "Endorses the Global Compact for Safe, Orderly and Regular Migration adopted by the Intergovernmental "
        "Conference as contained in the annex to the present resolution."
    ),
    # page 2: three footnote markers (lines 174, 190, 192)
    ("annex", "para", "2"): (
        "It also rests on the Universal Declaration of Human Rights; the International Covenant on Civil and "
        "Political Rights; the International Covenant on Economic, Social and Cultural Rights; the other core "
        "international human rights treaties; the United Nations Convention against Transnational Organized "
        "Crime, including the Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women "
        "and Children, and the Protocol against the Smuggling of Migrants by Land, Sea and Air; the Slavery "
        "Convention and the Supplementary Convention on the Abolition of Slavery, the Slave Trade, and "
        "Institutions and Practices Similar to Slavery; the United Nations Framework Convention on Climate "
        "Change; the United Nations Convention to Combat Desertification in Those Countries Experiencing "
        "Serious Drought and/or Desertification, Particularly in Africa; the Paris Agreement; and the "
        "International Labour Organization conventions on promoting decent work and labour migration, as well "
        "as on the 2030 Agenda for Sustainable Development; the Addis Ababa Action Agenda of the Third "
        "International Conference on Financing for Development; the Sendai Framework for Disaster Risk "
        "Reduction 2015–2030; and the New Urban Agenda."
    ),
    # page 2: a footnote, double space after "(Revised),"
    ("annex", "footnote", "3"): (
        "Migration for Employment Convention (Revised), 1949 (No. 97), Migrant Workers (Supplementary "
        "Provisions) Convention, 1975 (No. 143), Equality of Treatment (Social Security) Convention, 1962 "
        "(No. 118), and Domestic Workers Convention, 2011 (No. 189)."
    ),
    # page 3: "right s" (line 260), double space (line 266)
    ("annex", "para", "4"): (
        "Refugees and migrants are entitled to the same universal human rights and fundamental freedoms, which "
        "must be respected, protected and fulfilled at all times. However, migrants and refugees are distinct "
        "groups governed by separate legal frameworks. Only refugees are entitled to the specific international "
        "protection defined by international refugee law. This Global Compact refers to migrants and presents "
        "a cooperative framework addressing migration in all its dimensions."
    ),
    # page 5: "follow -\nup" (line 516)
    ("annex", "para", "15", "b"): (
        "The Global Compact is a non-legally binding cooperative framework that recognizes that no State can "
        "address migration on its own because of the inherently transnational nature of the phenomenon. It "
        "requires international, regional and bilateral cooperation and dialogue. Its authority rests on its "
        "consensual nature, credibility, collective ownership, joint implementation, follow-up and review;"
    ),
    # page 6: "a long the" (line 656)
    ("annex", "para", "16"): (
        "With the New York Declaration for Refugees and Migrants, we adopted a political declaration and a set "
        "of commitments. Reaffirming that Declaration in its entirety, we build upon it by laying out the "
        "following cooperative framework, comprising 23 objectives, implementation, as well as follow-up and "
        "review. Each objective contains a commitment, followed by a range of actions considered to be relevant "
        "policy instruments and best practices. To fulfil the 23 objectives, we will draw from these actions "
        "to achieve safe, orderly and regular migration along the migration cycle."
    ),
    # pages 7-8: page furniture mid-sentence (lines 847-852)
    ("annex", "para", "17", "c"): (
        "Develop a global programme to build and enhance national capacities in data collection, analysis and "
        "dissemination to share data, address data gaps and assess key migration trends, that encourages "
        "collaboration between relevant stakeholders at all levels, provides dedicated training, financial "
        "support and technical assistance, leverages new data sources, including big data, and is reviewed by "
        "the Statistical Commission on a regular basis;"
    ),
    # page 10: an action under the thematic heading
    ("annex", "para", "18", "h"): (
        "Strengthen joint analysis and sharing of information to better map, understand, predict and address "
        "migration movements, such as those that may result from sudden-onset and slow-onset natural "
        "disasters, the adverse effects of climate change, environmental degradation, as well as other "
        "precarious situations, while ensuring effective respect for and protection and fulfilment of the "
        "human rights of all migrants;"
    ),
    # page 11: a commitment with "allowin g" and "throu gh" (lines 1251, 1257)
    ("annex", "para", "20"): (
        "We commit to fulfil the right of all individuals to a legal identity by providing all our nationals "
        "with proof of nationality and relevant documentation, allowing national and local authorities to "
        "ascertain a migrant’s legal identity upon entry, during stay and for return, as well as to ensure "
        "effective migration procedures, efficient service provision and improved public safety. We further "
        "commit to ensure, through appropriate measures, that migrants are issued adequate documentation and "
        "civil registry documents, such as birth, marriage and death certificates, at all stages of migration, "
        "as a means to empower migrants to effectively exercise their human rights. To realize this "
        "commitment, we will draw from the following actions:"
    ),
    # page 18: "a s well as" (line 2015)
    ("annex", "para", "25", "f"): (
        "Take measures to prevent the smuggling of migrants along the migration cycle, in partnership with "
        "other States and relevant stakeholders, including by cooperating in the fields of development, public "
        "information, justice, as well as training and technical capacity-building at the national and local "
        "levels, paying special attention to geographical areas from which irregular migration systematically "
        "originates."
    ),
    # page 23: "migrants ’" (line 2553)
    ("annex", "para", "30", "e"): (
        "Provide our nationals abroad with the opportunity to register with the country of origin, in close "
        "cooperation with consular, national and local authorities, as well as relevant migrant organizations, "
        "as a means to facilitate information, services and assistance to migrants in emergency situations and "
        "ensure migrants’ accessibility to relevant and timely information, such as by establishing helplines "
        "and consolidating national digital databases, while upholding the right to privacy and protecting "
        "personal data;"
    ),
    # page 25: "concentrati on" (line 2775), double space (line 2769)
    ("annex", "para", "32", "i"): (
        "Promote school environments that are welcoming and safe, and support the aspirations of migrant "
        "children by enhancing relationships within the school community, incorporating evidence-based "
        "information about migration into education curricula, and dedicating targeted resources to schools "
        "with a high concentration of migrant children for integration activities in order to promote respect "
        "for diversity and inclusion, and to prevent all forms of discrimination, including racism, xenophobia "
        "and intolerance."
    ),
    # page 29: "non -\nbank" (line 3231)
    ("annex", "para", "36", "d"): (
        "Establish conducive policy and regulatory frameworks that promote a competitive and innovative "
        "remittance market, remove unwarranted obstacles to non-bank remittance service providers in accessing "
        "payment system infrastructure, apply tax exemptions or incentives to remittance transfers, promote "
        "market access to diverse service providers, incentivize the private sector to expand remittance "
        "services, and enhance the security and predictability of low-value transactions by bearing in mind "
        "de-risking concerns, and developing a methodology to distinguish remittances from illicit flows, in "
        "consultation with remittance service providers and financial regulators;"
    ),
    # page 32: "whole -of-\ngovernment" (line 3547)
    ("annex", "para", "39", "a"): (
        "Support other States as we collectively implement the Global Compact, including through the provision "
        "of financial and technical assistance, in line with national priorities, policies, action plans and "
        "strategies, through a whole-of-government and whole-of-society approach;"
    ),
    # page 33: a sub-item, "start -up" (line 3695)
    ("annex", "para", "43", "a", "v"): "Identifying funding opportunities, including by initiating the start-up fund;",
    # page 34: "funct ioning" (line 3764)
    ("annex", "para", "46"): (
        "We request the Secretary-General, drawing on the network, to report to the General Assembly on a "
        "biennial basis on the implementation of the Global Compact, the activities of the United Nations "
        "system in this regard, as well as the functioning of the institutional arrangements."
    ),
    # page 34: an item of paragraph 49, with curly quotes
    ("annex", "para", "49", "a"): (
        "The High-level Dialogue on International Migration and Development, currently scheduled to take place "
        "every fourth session of the General Assembly, shall be repurposed and renamed “International Migration "
        "Review Forum”;"
    ),
}

# Every split word found in the file (see tests/loaders/test_text_repair.py), as printed.
SPLIT_WORDS = [
    "right s",
    "internatio nal",
    "migrat ion",
    "tha t",
    "b est",
    "a long the",
    "Commissio n",
    "standar ds",
    "d ata",
    "uphold ing",
    "allowin g",
    "throu gh",
    "ad ministrative",
    "access t o",
    "includ ing",
    "situa tions",
    "facil itate",
    "justice, a s",
    "eme rgency",
    "bor der",
    "recomme ndations",
    "Pro mote",
    "wi th",
    "concentrati on",
    "recogni tion",
    "populat ions",
    "pred ictability",
    "funct ioning",
    "leve ls",
]


@pytest.fixture(scope="module")
def entry() -> CorpusEntry:
    return next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file == FILE)


@pytest.fixture(scope="module")
def parsed(entry: CorpusEntry) -> Parsed:
    return parse(SOURCE, entry)


@pytest.fixture(scope="module")
def document(parsed: Parsed) -> Document:
    return parsed.document


@pytest.fixture(scope="module")
def index(document: Document) -> dict[tuple[str, ...], Provision]:
    return document.by_path()


def of_kind(document: Document, kind: ProvisionKind) -> list[Provision]:
    return [provision for provision in document.walk() if provision.kind is kind]


# ---------------------------------------------------------------------------------------------
# The document


def test_load_returns_one_document_with_the_manifest_metadata(entry: CorpusEntry) -> None:
    documents = load(SOURCE, entry)
    assert len(documents) == 1
    document = documents[0]
    assert (document.key, document.language, document.symbol, document.version_of) == (KEY, "en", "A/73/L.66", "gcm")
    assert (document.date, document.status, document.source_file, document.title) == (
        "2018-12-12",
        "final",
        FILE,
        entry.single_document().title,
    )
    assert [part.path for part in document.provisions] == [("resolution",), ("annex",)]


def test_loading_is_deterministic(entry: CorpusEntry, document: Document) -> None:
    assert load(SOURCE, entry)[0] == document


def test_paths_are_unique(document: Document) -> None:
    assert len(document.by_path()) == sum(1 for _ in document.walk())


# ---------------------------------------------------------------------------------------------
# The resolution wrapper


def test_resolution_wrapper(index: dict[tuple[str, ...], Provision]) -> None:
    resolution = index[("resolution",)]
    assert resolution.kind is ProvisionKind.PART
    assert resolution.heading == resolution.text == "Global Compact for Safe, Orderly and Regular Migration"
    assert [child.path for child in resolution.children] == [
        ("resolution", "opening"),
        ("resolution", "preamble", "1"),
        ("resolution", "para", "1"),
        ("resolution", "para", "2"),
    ]
    assert index[("resolution", "opening")].text == "The General Assembly,"
    assert index[("resolution", "preamble", "1")].kind is ProvisionKind.PREAMBULAR_PARAGRAPH
    first = index[("resolution", "para", "1")]
    assert (first.kind, first.number) == (ProvisionKind.OPERATIVE_PARAGRAPH, "1")
    assert first.text == (
        "Expresses its profound gratitude to the Government and the people of Morocco for hosting the "
        "Intergovernmental Conference to Adopt the Global Compact for Safe, Orderly and Regular Migration, held "
        "in Marrakech on 10 and 11 December 2018, and for providing all the necessary support;"
    )
    assert (resolution.span.line_start, resolution.span.line_end) == (93, 120)
    assert (resolution.span.page_start, resolution.span.page_end) == (1, 1)


def test_annex_opening_paragraph(index: dict[tuple[str, ...], Provision]) -> None:
    annex = index[("annex",)]
    assert annex.heading == "Global Compact for Safe, Orderly and Regular Migration"
    opening = index[("annex", "opening")]
    assert (opening.kind, opening.number, opening.footnote_refs) == (ProvisionKind.PARAGRAPH, None, [])
    assert opening.text == (
        "We, the Heads of State and Government and High Representatives, meeting in Morocco on 10 and 11 "
        "December 2018, reaffirming the New York Declaration for Refugees and Migrants and determined to make "
        "an important contribution to enhanced cooperation on international migration in all its dimensions, "
        "have adopted this Global Compact for Safe, Orderly and Regular Migration:"
    )
    assert (opening.span.line_start, opening.span.line_end, opening.span.page_start) == (147, 155, 2)


# ---------------------------------------------------------------------------------------------
# Paragraphs, sections, sub-sections


def test_paragraphs_1_to_54_each_exactly_once(document: Document) -> None:
    numbered = [p.number for p in document.walk() if p.path[:2] == ("annex", "para") and len(p.path) == 3 and p.number]
    assert numbered == [str(n) for n in range(1, 55)]
    kinds = {p.number: p.kind for p in document.walk() if p.path[:2] == ("annex", "para") and len(p.path) == 3}
    assert {n for n, kind in kinds.items() if kind is ProvisionKind.COMMITMENT} == {str(n) for n in range(17, 40)}
    assert sum(1 for kind in kinds.values() if kind is ProvisionKind.PARAGRAPH) == 54 - 23


def test_sections_and_subsections_hold_their_paragraphs(index: dict[tuple[str, ...], Provision]) -> None:
    annex = index[("annex",)]
    assert [child.heading for child in annex.children if child.kind is ProvisionKind.SECTION] == [
        "Preamble",
        "Our vision and guiding principles",
        "Our cooperative framework",
        "Objectives and commitments",
        "Implementation",
        "Follow-up and review",
    ]
    for path, (heading, paragraphs) in SECTIONS.items():
        section = index[path]
        assert section.heading == section.text == heading
        assert [c.number for c in section.children if c.kind is ProvisionKind.PARAGRAPH] == paragraphs, heading
    vision = index[("annex", "vision")]
    assert [c.heading for c in vision.children if c.kind is ProvisionKind.SUBSECTION] == [
        "Common understanding",
        "Shared responsibilities",
        "Unity of purpose",
    ]
    assert all(index[p].kind is ProvisionKind.SUBSECTION for p in list(SECTIONS)[2:5])
    # the footnotes close the annex
    assert [c.path for c in annex.children[-3:]] == [("annex", "footnote", n) for n in "123"]


def test_spans_lines_and_pages(index: dict[tuple[str, ...], Provision]) -> None:
    expected = {
        ("annex", "para", "10"): (342, 381, 3, 4),  # crosses the page break of lines 370-375
        ("annex", "para", "17", "c"): (839, 860, 7, 8),
        ("annex", "objective", "1"): (796, 954, 7, 8),
        ("annex", "para", "17"): (801, 954, 7, 8),  # with its actions
        ("annex", "preamble"): (161, 302, 2, 3),
        ("annex", "para", "54"): (3902, 3914, 35, 35),
        ("annex", "footnote", "1"): (226, 236, 2, 2),
        ("annex", "objectives-list", "14"): (731, 733, 7, 7),
    }
    for path, (start, end, first_page, last_page) in expected.items():
        span = index[path].span
        assert (span.line_start, span.line_end, span.page_start, span.page_end) == (start, end, first_page, last_page)


# ---------------------------------------------------------------------------------------------
# Guiding principles


def test_ten_guiding_principles_with_their_names(index: dict[tuple[str, ...], Provision]) -> None:
    paragraph = index[("annex", "para", "15")]
    assert paragraph.text == (
        "We agree that this Global Compact is based on a set of cross-cutting and interdependent guiding principles:"
    )
    principles = paragraph.children
    assert [p.kind for p in principles] == [ProvisionKind.GUIDING_PRINCIPLE] * 10
    assert [p.number for p in principles] == list("abcdefghij")
    assert [p.heading for p in principles] == GUIDING_PRINCIPLES
    assert principles[0].text == (
        "The Global Compact carries a strong human dimension, inherent to the migration experience itself. It "
        "promotes the well-being of migrants and the members of communities in countries of origin, transit "
        "and destination. As a result, the Global Compact places individuals at its core;"
    )
    # "b est" (line 596) and a page break (lines 600-605) inside principle (h)
    assert principles[7].text == (
        "The Global Compact promotes existing international legal obligations in relation to the rights of the "
        "child, and upholds the principle of the best interests of the child at all times, as a primary "
        "consideration in all situations concerning children in the context of international migration, "
        "including unaccompanied and separated children;"
    )
    assert (principles[7].span.page_start, principles[7].span.page_end) == (5, 6)


# ---------------------------------------------------------------------------------------------
# Objectives, commitments, actions


def test_the_list_of_23_objectives(index: dict[tuple[str, ...], Provision]) -> None:
    listing = index[("annex", "objectives-list")]
    assert listing.kind is ProvisionKind.SUBSECTION
    assert listing.heading == "Objectives for safe, orderly and regular migration"
    entries = listing.children
    assert [e.kind for e in entries] == [ProvisionKind.OBJECTIVE_LIST_ENTRY] * 23
    assert [(e.number, e.objective_number) for e in entries] == [(str(n), str(n)) for n in range(1, 24)]
    listed = list(OBJECTIVE_TITLES)
    listed[12] = "Use migration detention only as a measure of last resort and work towards alternatives"
    assert [e.text for e in entries] == listed
    assert index[("annex", "cooperative-framework")].children[-1] is listing


def test_23_objectives_in_order_with_their_titles(document: Document) -> None:
    objectives = of_kind(document, ProvisionKind.OBJECTIVE)
    assert [o.number for o in objectives] == [str(n) for n in range(1, 24)]
    assert [o.heading for o in objectives] == OBJECTIVE_TITLES
    assert [o.text for o in objectives] == OBJECTIVE_TITLES
    assert all(o.path == ("annex", "objective", o.number) for o in objectives)


def test_objective_13_heading_mismatch_is_a_finding(document: Document) -> None:
    assert [(f.kind, f.provision) for f in document.findings] == [(FindingKind.HEADING, ("annex", "objective", "13"))]
    assert "immigration detention" in document.findings[0].message
    assert "migration detention" in document.findings[0].message


@pytest.mark.parametrize("objective", range(1, 24))
def test_each_objective_has_its_commitment_and_action_letters(
    index: dict[tuple[str, ...], Provision], objective: int
) -> None:
    paragraph, letters = OBJECTIVE_ACTIONS[objective]
    provision = index[("annex", "objective", str(objective))]
    commitment_path = ("annex", "para", str(paragraph))
    assert provision.commitment == commitment_path
    assert provision.children == [index[commitment_path]]
    commitment = index[commitment_path]
    assert (commitment.kind, commitment.number) == (ProvisionKind.COMMITMENT, str(paragraph))
    assert commitment.text.startswith("We commit to ")
    assert commitment.text.endswith(" To realize this commitment, we will draw from the following actions:")
    actions = [c for c in commitment.children if c.kind is ProvisionKind.ACTION]
    assert "".join(a.number or "" for a in actions) == letters
    assert [a.path for a in actions] == [(*commitment_path, letter) for letter in letters]


def test_187_actions(document: Document) -> None:
    assert (
        len(of_kind(document, ProvisionKind.ACTION))
        == sum(len(letters) for _, letters in OBJECTIVE_ACTIONS.values())
        == 187
    )


def test_the_thematic_heading_of_objective_2(index: dict[tuple[str, ...], Provision], document: Document) -> None:
    headings = of_kind(document, ProvisionKind.HEADING)
    assert [h.path for h in headings] == [("annex", "para", "18", "heading", "1")]
    heading = headings[0]
    assert (
        heading.heading
        == heading.text
        == ("Natural disasters, the adverse effects of climate change, and environmental degradation")
    )
    assert heading.groups == [("annex", "para", "18", letter) for letter in "hijkl"]
    # interleaved in reading order among the actions of paragraph 18
    order = [c.number or "heading" for c in index[("annex", "para", "18")].children]
    assert order == ["a", "b", "c", "d", "e", "f", "g", "heading", "h", "i", "j", "k", "l"]
    assert (heading.span.line_start, heading.span.line_end, heading.span.page_start) == (1095, 1097, 10)


# ---------------------------------------------------------------------------------------------
# Items and sub-items of paragraphs 43, 45, 49


def test_items_and_sub_items(index: dict[tuple[str, ...], Provision]) -> None:
    def shape(number: str) -> list[tuple[str | None, list[str | None]]]:
        return [
            (item.number, [sub.number for sub in item.children]) for item in index[("annex", "para", number)].children
        ]

    assert shape("43") == [("a", ["i", "ii", "iii", "iv", "v"]), ("b", ["i", "ii", "iii"]), ("c", ["i", "ii", "iii"])]
    assert shape("45") == [("a", []), ("b", []), ("c", [])]
    assert shape("49") == [("a", []), ("b", []), ("c", []), ("d", []), ("e", [])]
    assert {c.kind for n in ("43", "45", "49") for c in index[("annex", "para", n)].children} == {ProvisionKind.ITEM}
    assert index[("annex", "para", "43", "b", "ii")].kind is ProvisionKind.SUBITEM
    assert index[("annex", "para", "43", "b", "ii")].text == "Complementing other funding sources;"
    assert index[("annex", "para", "43", "a")].text == (
        "A connection hub that facilitates demand-driven, tailor-made and integrated solutions, by:"
    )
    assert (
        index[("annex", "para", "45", "a")].text == "IOM will serve as the coordinator and secretariat of the network;"
    )
    # no other paragraph has items
    with_items = {p.number for p in index.values() if p.kind is ProvisionKind.PARAGRAPH and p.children}
    assert with_items == {"15", "43", "45", "49"}


# ---------------------------------------------------------------------------------------------
# Footnotes


def test_footnotes_and_their_markers(index: dict[tuple[str, ...], Provision], document: Document) -> None:
    footnotes = of_kind(document, ProvisionKind.FOOTNOTE)
    assert [(f.number, f.path) for f in footnotes] == [(n, ("annex", "footnote", n)) for n in "123"]
    assert footnotes[0].text == (
        "International Convention on the Elimination of All Forms of Racial Discrimination, Convention on the "
        "Elimination of All Forms of Discrimination against Women, Convention against Torture and Other Cruel, "
        "Inhuman or Degrading Treatment or Punishment, Convention on the Rights of the Child, International "
        "Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families, "
        "International Convention for the Protection of All Persons from Enforced Disappearance, and Convention "
        "on the Rights of Persons with Disabilities."
    )
    assert footnotes[1].text == (
        "Adopted under the United Nations Framework Convention on Climate Change in FCCC/CP/2015/10/Add.1, "
        "decision 1/CP.21."
    )
    paragraph = index[("annex", "para", "2")]
    assert [ref.number for ref in paragraph.footnote_refs] == ["1", "2", "3"]
    before = [paragraph.text[: ref.offset] for ref in paragraph.footnote_refs]
    assert before[0].endswith("the other core international human rights treaties;")
    assert before[1].endswith("the Paris Agreement;")
    assert before[2].endswith("decent work and labour migration,")
    carriers = {p.path for p in document.walk() if p.footnote_refs}
    assert carriers == {("annex", "para", "2")}


# ---------------------------------------------------------------------------------------------
# Clean text


@pytest.mark.parametrize("path", list(TEXTS), ids=["/".join(path) for path in TEXTS])
def test_full_clean_text(index: dict[tuple[str, ...], Provision], path: tuple[str, ...]) -> None:
    assert index[path].text == TEXTS[path]


def test_the_hand_checked_texts_come_from_many_pages(index: dict[tuple[str, ...], Provision]) -> None:
    pages = {index[path].span.page_start for path in TEXTS}
    assert len(TEXTS) >= 12 and len(pages) >= 12


def test_no_page_furniture_in_any_text(document: Document) -> None:
    for provision in document.walk():
        for text in (provision.text, provision.heading or ""):
            for furniture in ("18-21786", "/35", "*1821786*", "https://", "__"):
                assert furniture not in text, (provision.path, furniture)
            # the symbol is never cited by the Compact itself
            assert "A/73/L.66" not in text, provision.path


def test_no_split_word_left(document: Document) -> None:
    texts = [p.text for p in document.walk()] + [p.heading for p in document.walk() if p.heading]
    for split in SPLIT_WORDS:
        assert not any(split in text for text in texts), split
    # and the repaired words are there
    everything = " ".join(texts)
    for word in ("Commission of the United Nations", "concentration of migrant", "the functioning of"):
        assert word in everything


def test_no_artefact_spacing_left(document: Document) -> None:
    for provision in document.walk():
        text = provision.text
        assert text == text.strip() and "  " not in text and "\n" not in text, provision.path
        for artefact in (" ,", " ;", " :", " ’", " -based", "follow -", "non -"):
            assert artefact not in text, (provision.path, artefact)


def test_what_the_cleaning_did(parsed: Parsed) -> None:
    assert parsed.repairs.split_words == len(SPLIT_WORDS) == 29
    assert len(parsed.furniture_lines) == 75
    # the first page's masthead: "United Nations A/73/L.66" … "Follow-up to the outcome of the Millennium Summit"
    assert parsed.masthead_lines == [49, 53, 54, 58, 69, 71, 74, 76, 78, 81]
    assert parsed.page_count == 35


# ---------------------------------------------------------------------------------------------
# Bad input: errors that name the file and the line


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / FILE
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


SOURCE_LINES = SOURCE.read_text(encoding="utf-8").split("\n")


def test_a_truncated_copy_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    path = write(tmp_path, SOURCE_LINES[:2000])  # stops inside objective 9, on page 18
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert error.value.file == str(path)
    assert error.value.line == 1999  # the last line of text
    assert f"{path}:1999:" in str(error.value)
    assert "truncated" in str(error.value)


def test_a_copy_cut_on_its_last_page_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    path = write(tmp_path, SOURCE_LINES[:3887])  # paragraphs 53 and 54 missing
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert error.value.line == 3886
    assert "paragraph 52" in str(error.value)


def test_a_copy_cut_mid_sentence_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    path = write(tmp_path, SOURCE_LINES[:3911])  # paragraph 54 stops at "… the overall"
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert error.value.line == 3910
    assert error.value.provision == "annex/para/54"


def test_a_removed_objective_heading_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = list(SOURCE_LINES)
    assert lines[1345].startswith("  Objective 5:")
    del lines[1345]  # line 1346
    path = write(tmp_path, lines)
    with pytest.raises(SourceError) as error:
        load(path, entry)
    # the heading's second line ("regular migration", now line 1347) runs into action 20 (g)
    assert error.value.line == 1347
    assert error.value.provision == "annex/para/20/g"
    assert 'residency. regular migration"' in error.value.message


def test_a_deleted_paragraph_number_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = list(SOURCE_LINES)
    assert lines[271].startswith("5. As a contribution")
    lines[271] = lines[271][len("5. ") :]  # paragraph 5 loses its number and runs into 4
    path = write(tmp_path, lines)
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert error.value.line == 280  # where "6." stands instead of 5
    assert "paragraph 5" in error.value.message and "paragraph 6" in error.value.message


def test_an_action_out_of_sequence_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = list(SOURCE_LINES)
    lines[838] = lines[838].replace(" (c) ", " (d) ", 1)  # objective 1: a, b, d, d …
    path = write(tmp_path, lines)
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert (error.value.line, error.value.provision) == (839, "annex/para/17")
    assert "expected action (c), found (d)" in error.value.message


def test_an_objective_without_commitment_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = list(SOURCE_LINES)
    assert lines[3452].startswith("38.")
    lines[3452:3460] = []  # paragraph 38's lines, up to "To realize this commitment"
    path = write(tmp_path, lines)
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert error.value.provision == "annex/objective/22"
    assert "commitment of objective 22" in error.value.message


def test_a_footnote_without_marker_is_refused(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = list(SOURCE_LINES)
    lines[173] = lines[173].replace("treaties; 1 the", "treaties; the")
    path = write(tmp_path, lines)
    with pytest.raises(SourceError) as error:
        load(path, entry)
    assert (error.value.line, error.value.provision) == (226, "annex/footnote/1")


# ---------------------------------------------------------------------------------------------
# The graph


@pytest.fixture(scope="module")
def graph(entry: CorpusEntry, document: Document) -> GraphStore:
    """A real pyoxigraph store holding the ontology and this document only, mapped by gcmkg.rdf.

    The full build's store also holds the other texts; this one keeps these tests about the
    final text independent of the other loaders.
    """
    settings = load_settings(base_iri=BASE)
    store = GraphStore.in_memory(BASE)
    ontology = settings.ontology_dir / ONTOLOGY_FILE
    store.load(ontology, graph=Iris(BASE).graph("ontology"), rdf_format=RdfFormat.TURTLE)
    store.add(graph_quads(settings, [LoadedText(entry, [document], "loaders/final_text.py")]))
    return store


def test_the_graph_lists_the_objectives_with_commitment_and_action_count(graph: GraphStore) -> None:
    rows = graph.select(
        """
        PREFIX gcm: <ontology#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?number ?title ?paragraph (COUNT(?action) AS ?actions) WHERE {
          ?document gcm:symbol "A/73/L.66" .
          ?objective a gcm:Objective ; gcm:inDocument ?document ; gcm:number ?number ; gcm:heading ?title ;
                     gcm:hasCommitment ?commitment .
          ?commitment gcm:number ?paragraph ; gcm:commitmentOf ?objective .
          ?action a gcm:Action ; eli:is_part_of ?commitment .
        } GROUP BY ?number ?title ?paragraph
        """
    )
    found = sorted(
        (int(r["number"].value), r["title"].value, int(r["paragraph"].value), int(r["actions"].value)) for r in rows
    )
    assert found == [
        (n, OBJECTIVE_TITLES[n - 1], OBJECTIVE_ACTIONS[n][0], len(OBJECTIVE_ACTIONS[n][1])) for n in range(1, 24)
    ]


def test_the_graph_links_footnotes_and_thematic_heading(graph: GraphStore) -> None:
    rows = graph.select(
        """
        PREFIX gcm: <ontology#>
        SELECT ?footnote ?number ?offset WHERE {
          ?paragraph gcm:number 2 ; gcm:hasFootnote ?footnote .
          ?footnote a gcm:Footnote ; gcm:number ?number ; gcm:annotates ?paragraph ; gcm:markerOffset ?offset .
        }
        """
    )
    assert sorted(r["number"].value for r in rows) == ["1", "2", "3"]
    grouped = graph.select(
        """
        PREFIX gcm: <ontology#>
        SELECT ?letter WHERE { ?heading a gcm:ThematicHeading ; gcm:groups ?action . ?action gcm:number ?letter ;
                                         gcm:underHeading ?heading . }
        """
    )
    assert sorted(r["letter"].value for r in grouped) == list("hijkl")


def test_the_document_alone_satisfies_the_shapes(graph: GraphStore) -> None:
    settings = load_settings(base_iri=BASE)
    assert [str(v) for v in violations(graph, settings.shapes_dir, ontology_graph(settings))] == []

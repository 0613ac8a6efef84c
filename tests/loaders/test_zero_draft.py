"""The Zero Draft Plus (COM(2018) 168 annex) as the loader reads it and as the graph holds it.

Every expected value here was read off ``corpus/001_e6f6b74612f5d01e.txt`` by hand: the counts
are what the text's own numbering and lettering show, the texts are the printed wording with
only the documented cleaning (``**`` dropped, page-break blank lines and line-end hyphens
rejoined, whitespace folded).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from gcm_facts import GUIDING_PRINCIPLES
from pyoxigraph import Literal, NamedNode

from gcmkg.build import build
from gcmkg.corpus import CorpusEntry, read_manifest
from gcmkg.errors import SourceError
from gcmkg.iris import sparql_prologue
from gcmkg.model import Document, FindingKind, ProvisionKind
from gcmkg.settings import PROJECT_ROOT, load_settings
from gcmkg.store import GraphStore
from loaders.zero_draft import load

KEY = "com-2018-168-annex"  # corpus/manifest.toml

FILE = "001_e6f6b74612f5d01e.txt"


def value(term: object) -> str:
    """The lexical value of a bound IRI or literal."""
    assert isinstance(term, (NamedNode, Literal)), term
    return term.value


BASE = "http://127.0.0.1:8000/"

# The 22 objectives as headed in the text (identical to the list of objectives).
TITLES = [
    "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
    "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
    "Provide adequate and timely information at all stages of migration",
    "Provide all migrants with proof of legal identity, proper identification and documentation",
    "Enhance availability and flexibility of pathways for regular migration",
    "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
    "Address and reduce vulnerabilities in migration",
    "Save lives and establish coordinated international efforts on missing migrants",
    "Strengthen the transnational response to smuggling of migrants",
    "Prevent and combat trafficking in persons in the context of international migration",
    "Manage borders in an integrated, secure and coordinated manner",
    "Strengthen procedures and mechanisms for status determination",
    "Use migration detention only as a last resort and work towards alternatives",
    "Enhance consular protection, assistance and cooperation throughout the migration cycle",
    "Provide access to basic social services for migrants",
    "Empower migrants and societies to realize full inclusion and social cohesion",
    "Eliminate all forms of discrimination and promote fact-based public discourse to shape perceptions of migration",
    "Invest in skills development and facilitate recognition of skills, qualifications and competences",
    "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries",
    "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants",
    "Cooperate in facilitating dignified and sustainable return, readmission and reintegration",
    "Establish mechanisms for the portability of social security entitlements and earned benefits",
]
# objective number → (commitment paragraph, number of lettered actions), counted in the text
COMMITMENTS = {n: str(15 + n) for n in range(1, 23)}
ACTIONS = {
    1: 8, 2: 12, 3: 6, 4: 7, 5: 8, 6: 11, 7: 8, 8: 5, 9: 5, 10: 8, 11: 7,
    12: 5, 13: 7, 14: 5, 15: 7, 16: 11, 17: 6, 18: 10, 19: 8, 20: 8, 21: 10, 22: 4,
}  # fmt: skip

# (path, kind, number, heading, text, first line, last line)
PROVISIONS = [
    (
        ("annex", "opening"), ProvisionKind.PARAGRAPH, None, None,
        "We, the Heads of State and Government and High Representatives, meeting in Morocco on 10-11 December 2018, "
        "recalling the New York Declaration for Refugees and Migrants and determined to make an important "
        "contribution to enhanced cooperation on international migration in all its dimensions, have adopted this "
        "Global Compact for Safe, Orderly and Regular Migration:",
        28, 28,
    ),
    (
        ("annex", "para", "1"), ProvisionKind.PARAGRAPH, "1", None,
        "This Global Compact rests on the principles espoused in the Charter of the United Nations.",
        32, 32,
    ),
    (
        ("annex", "para", "6"), ProvisionKind.PARAGRAPH, "6", None,
        "This Global Compact presents a non-legally binding, cooperative framework that builds on the commitments "
        "agreed upon by Member States in the New York Declaration for Refugees and Migrants. It upholds the "
        "sovereignty of States and fosters international cooperation among all actors on migration, acknowledging "
        "that no State can address migration alone.",
        37, 37,
    ),
    (
        ("annex", "para", "14", "gender-responsive"), ProvisionKind.GUIDING_PRINCIPLE, None, "Gender-responsive",
        "The Global Compact ensures that the human rights of women, men, girls and boys are "
        "respected at all stages of migration and that they are empowered as agents of change. It mainstreams a "
        "gender perspective, promotes gender equality and the empowerment of all women and girls, recognizing their "
        "leadership in order to move away from addressing female migrants primarily through a lens of victimhood.",
        64, 66,
    ),
    (
        ("annex", "para", "14", "child-sensitive"), ProvisionKind.GUIDING_PRINCIPLE, None, "Child-sensitive",
        "The Global Compact upholds the best interests of the child, at all times, as the primary "
        "consideration in situations concerning girls and boys in the context of international migration, including "
        "unaccompanied and separated children.",
        68, 68,
    ),
    (
        ("annex", "objective", "9"), ProvisionKind.OBJECTIVE, "9",
        "Strengthen the transnational response to smuggling of migrants",
        "Strengthen the transnational response to smuggling of migrants",
        240, 240,
    ),
    (
        ("annex", "para", "16"), ProvisionKind.COMMITMENT, "16", None,
        "We commit to strengthen the global evidence base on international migration by improving and investing in "
        "the collection, analysis and dissemination of accurate, reliable, comparable data, disaggregated by sex, age "
        "and migration status. We further commit to ensure this evidence fosters research, guides well-informed and "
        "coherent policy-making and public discourse, and allows for effective monitoring and evaluation of the "
        "implementation of commitments over time. In this regard, the following actions are instrumental:",
        110, 112,
    ),
    (
        ("annex", "para", "16", "e"), ProvisionKind.ACTION, "e", None,
        "Improve national data collection, analysis and dissemination by integrating migration-relevant questions in "
        "national censuses, starting in the census of the 2020 round, including on country of birth, country of "
        "citizenship, country of residence five years prior to the census, most recent arrival date and reason for "
        "migrating, to ensure timely analysis and dissemination of results with internationally recommended "
        "disaggregation and cross-tabulation",
        119, 119,
    ),
    (
        ("annex", "para", "27", "b"), ProvisionKind.ACTION, "b", None,
        "Develop and conduct intra- and cross-regional specialized human rights-based trainings for first responders "
        "and government officials, including law enforcement, to facilitate and standardize identification and "
        "referral of, as well as appropriate assistance and counselling to victims of trafficking in persons, "
        "migrants at risk, including children, in particular those unaccompanied or separated, and persons affected "
        "by any form of exploitation and abuse related to smuggling of migrants under aggravating circumstances",
        292, 292,
    ),
    (
        ("annex", "para", "35", "d"), ProvisionKind.ACTION, "d", None,
        "Establish conducive policy and regulatory frameworks that promote a competitive and innovative remittance "
        "market, remove obstacles to non-bank remittance service providers in accessing payment system "
        "infrastructure, provide tax exemptions or incentives for remittance transfers, eliminate exclusivity "
        "contracts, incentivize the private sector to expand remittance services, and enhance the security and "
        "predictability of low-value transactions by revising de-risking policies and developing a methodology to "
        "distinguish remittances from illicit flows, in consultation with remittance service providers and financial "
        "regulators",
        419, 423,
    ),
    (
        ("annex", "para", "37", "a"), ProvisionKind.ACTION, "a", None,
        "Establish or maintain non-discriminatory national social protection systems, including social protection "
        "floors for nationals and migrants, in line with the ILO Recommendation 202 on Social Protection Floors",
        456, 456,
    ),
    (
        ("annex", "para", "42", "c"), ProvisionKind.ITEM, "c", None,
        "Strengthen the role of the International Organization for Migration in the United Nations system for the "
        "full and effective implementation of the Global Compact",
        471, 471,
    ),
    (
        ("annex", "para", "45", "a"), ProvisionKind.ITEM, "a", None,
        'The High-level Dialogue on International Migration and Development, currently scheduled to take place every '
        'fourth session of the General Assembly, shall be repurposed and renamed "International Migration Review '
        'Forum"',
        480, 480,
    ),
    (
        ("annex", "para", "47"), ProvisionKind.PARAGRAPH, "47", None,
        "Recognizing the important contributions of State-led initiatives on international migration, we invite "
        "fora, such as the Global Forum on Migration and Development, Regional Consultative Processes, and others to "
        "contribute to the International Migration Review Forum as well as the Regional Migration Review Fora by "
        "providing data, evidence, best practices, innovative approaches and recommendations as they relate to the "
        "implementation of the Global Compact for Safe, Orderly and Regular Migration.",
        489, 491,
    ),
    (
        ("annex", "objectives-list", "14"), ProvisionKind.OBJECTIVE_LIST_ENTRY, "14", None,
        "Enhance consular protection, assistance and cooperation throughout the migration cycle",
        96, 96,
    ),
]  # fmt: skip

# Every defect of the source the loader must report: (kind, provision path, first line).
FINDINGS = {
    # page breaks inside a provision (a blank line, then the sentence goes on)
    (FindingKind.TEXT, "annex/para/14/gender-responsive", 64),
    (FindingKind.TEXT, "annex/para/20/a", 179),
    (FindingKind.TEXT, "annex/para/21/j", 206),
    (FindingKind.TEXT, "annex/para/32/c", 366),
    (FindingKind.TEXT, "annex/para/34/d", 401),
    (FindingKind.TEXT, "annex/para/35/d", 419),
    (FindingKind.TEXT, "annex/para/36/c", 438),
    (FindingKind.TEXT, "annex/para/47", 489),
    # paragraphs 38-42 set as list items
    *((FindingKind.MARKER, f"annex/para/{n}", 426 + n) for n in range(38, 43)),
    # three guiding principles as bold paragraphs, two first items less indented than their siblings
    (FindingKind.MARKER, "annex/para/14/child-sensitive", 68),
    (FindingKind.MARKER, "annex/para/14/whole-of-government-approach", 70),
    (FindingKind.MARKER, "annex/para/14/whole-of-society-approach", 72),
    (FindingKind.MARKER, "annex/para/45/a", 480),
    (FindingKind.MARKER, "annex/para/46/a", 486),
    # heading marks unlike their siblings'
    (FindingKind.MARKER, "annex/unity-of-purpose", 53),
    (FindingKind.MARKER, "annex/objective/1", 108),
    (FindingKind.MARKER, "annex/objective/3", 146),
    (FindingKind.MARKER, "annex/objective/7", 212),
    (FindingKind.MARKER, "annex/objective/9", 240),
    (FindingKind.MARKER, "annex/objective/10", 252),
    (FindingKind.MARKER, "annex/objective/12", 285),
    # objectives 14-22 of the list as a table
    (FindingKind.MARKER, "annex/objectives-list", 94),
}


def entry() -> CorpusEntry:
    return next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file == FILE)


@pytest.fixture(scope="module")
def document() -> Document:
    documents = load(PROJECT_ROOT / "corpus" / FILE, entry())
    assert len(documents) == 1
    return documents[0]


def test_document_metadata(document: Document) -> None:
    assert (document.key, document.language, document.symbol) == (KEY, "en", "COM(2018) 168 final")
    assert (document.date, document.status, document.version_of) == ("2018-03-21", "draft", "gcm")
    annex = document.by_path()[("annex",)]
    # the text date, 5 March 2018, is printed in the annex's title block
    assert (
        annex.text == "ATTACHMENT GLOBAL COMPACT FOR SAFE, ORDERLY AND REGULAR MIGRATION ZERO DRAFT PLUS 5 March 2018"
    )
    assert annex.heading == "GLOBAL COMPACT FOR SAFE, ORDERLY AND REGULAR MIGRATION"


def test_objectives_titles_commitments_and_actions(document: Document) -> None:
    objectives = [p for p in document.walk() if p.kind is ProvisionKind.OBJECTIVE]
    assert [o.number for o in objectives] == [str(n) for n in range(1, 23)]
    assert [o.heading for o in objectives] == TITLES
    for objective in objectives:
        number = int(objective.number or 0)
        [commitment] = objective.children
        assert commitment.kind is ProvisionKind.COMMITMENT
        assert objective.commitment == commitment.path == ("annex", "para", COMMITMENTS[number])
        letters = [a.number for a in commitment.children]
        assert all(a.kind is ProvisionKind.ACTION for a in commitment.children)
        assert letters == [chr(ord("a") + i) for i in range(ACTIONS[number])], objective.number
    assert sum(ACTIONS.values()) == 166 == sum(1 for p in document.walk() if p.kind is ProvisionKind.ACTION)


def test_list_of_objectives(document: Document) -> None:
    entries = [p for p in document.walk() if p.kind is ProvisionKind.OBJECTIVE_LIST_ENTRY]
    assert [(e.number, e.objective_number, e.text) for e in entries] == [
        (str(n), str(n), title) for n, title in enumerate(TITLES, start=1)
    ]


def test_paragraphs_numbered_1_to_47_in_sections(document: Document) -> None:
    numbered = [
        p for p in document.walk() if p.kind in (ProvisionKind.PARAGRAPH, ProvisionKind.COMMITMENT) and p.number
    ]
    assert [p.number for p in numbered] == [str(n) for n in range(1, 48)]
    index = document.by_path()
    section_of = {
        "preamble": range(1, 7),
        "vision": range(7, 9),
        "common-understanding": range(9, 10),
        "shared-responsibilities": range(10, 12),
        "unity-of-purpose": range(12, 15),
        "cooperative-framework": range(15, 16),
        "implementation": range(38, 44),
        "follow-up-and-review": range(44, 48),
    }
    for section, numbers in section_of.items():
        container = index[("annex", *section.split("/"))]
        assert [c.number for c in container.children if c.kind is ProvisionKind.PARAGRAPH] == [str(n) for n in numbers]
    sections = [(p.kind, p.heading) for p in index[("annex",)].children if p.kind is ProvisionKind.SECTION]
    assert [h for _, h in sections] == [
        "PREAMBLE",
        "OUR VISION AND GUIDING PRINCIPLES",
        "OUR COOPERATIVE FRAMEWORK AND OBJECTIVES",
        "ACTIONABLE COMMITMENTS",
        "IMPLEMENTATION",
        "FOLLOW-UP AND REVIEW",
    ]


def test_guiding_principles_and_items(document: Document) -> None:
    index = document.by_path()
    principles = index[("annex", "para", "14")].children
    assert [p.heading for p in principles] == GUIDING_PRINCIPLES
    # as in the final text: the name is the heading, the text what follows "Name: "
    assert all(
        p.kind is ProvisionKind.GUIDING_PRINCIPLE and p.text.startswith("The Global Compact ") for p in principles
    )
    for paragraph, count in (("42", 4), ("45", 5), ("46", 3)):
        items = index[("annex", "para", paragraph)].children
        assert [i.number for i in items] == list("abcde"[:count])
        assert all(i.kind is ProvisionKind.ITEM for i in items)


@pytest.mark.parametrize("expected", PROVISIONS, ids=lambda e: "/".join(e[0]))
def test_full_provision(document: Document, expected: tuple) -> None:
    path, kind, number, heading, text, first, last = expected
    provision = document.by_path()[path]
    assert (provision.kind, provision.number, provision.heading) == (kind, number, heading)
    assert provision.text == text
    assert (provision.span.line_start, provision.span.line_end) == (first, last)
    assert provision.span.page_start is None


def test_no_markup_left(document: Document) -> None:
    for provision in document.walk():
        assert "**" not in provision.text and not provision.text.startswith("#"), provision.path
        assert not re.search(r"\w- (?!and |or )\w", provision.text), provision.path
        assert provision.text == provision.text.strip() and "  " not in provision.text


def test_findings(document: Document) -> None:
    found = {(f.kind, "/".join(f.provision or ()), f.span.line_start) for f in document.findings}
    assert found == FINDINGS
    assert len(document.findings) == len(FINDINGS) == 26


# --- structural surprises stop the loader, naming file and line ------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    source = (PROJECT_ROOT / "corpus" / FILE).read_text(encoding="utf-8")
    assert source.count(old) == 1
    target = tmp_path / FILE
    target.write_text(source.replace(old, new), encoding="utf-8")
    return target


def test_unknown_heading_is_a_source_error(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "## IMPLEMENTATION", "## IMPLEMENTATION AND MEANS")
    with pytest.raises(SourceError) as error:
        load(path, entry())
    assert error.value.file == f"corpus/{FILE}" and error.value.line == 462
    assert "IMPLEMENTATION AND MEANS" in str(error.value)


def test_missing_objective_is_a_source_error(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        "**OBJECTIVE 22: Establish mechanisms for the portability of social security entitlements and earned benefits**",
        "",
    )
    with pytest.raises(SourceError) as error:
        load(path, entry())
    # without its heading, objective 22's paragraph would fall under objective 21
    assert error.value.line == 452 and error.value.provision == "annex/objective/21"
    assert "second paragraph 37" in error.value.message


def test_skipped_action_letter_is_a_finding(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "- (c) Conclude agreements on consular", "- (d) Conclude agreements on consular")
    with pytest.raises(SourceError) as error:
        load(path, entry())  # (d) twice under paragraph 29: the path repeats, a source error naming the line
    assert (error.value.file, error.value.line, error.value.provision) == (f"corpus/{FILE}", 321, "annex/para/29/d")
    path = _broken_copy(tmp_path, "- (e) Provide consular support", "- (f) Provide consular support")
    [document] = load(path, entry())
    numbering = [f for f in document.findings if f.kind is FindingKind.NUMBERING]
    assert [("/".join(f.provision or ()), f.span.line_start) for f in numbering] == [("annex/para/29/f", 322)]


# --- the graph ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """A real build of the corpus with only this loader switched on (independent of the others)."""
    corpus = tmp_path_factory.mktemp("zd") / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    manifest = corpus / "manifest.toml"
    text = re.sub(r'loader = "(?!zero_draft")[a-z_]+"', 'loader = ""', manifest.read_text(encoding="utf-8"))
    manifest.write_text(text, encoding="utf-8")
    settings = load_settings(base_iri=BASE, build_dir=tmp_path_factory.mktemp("zd-build"), corpus_dir=corpus)
    build(settings)
    return GraphStore.open_read_only(settings.store_dir, BASE)


def test_graph_objectives_in_order(graph: GraphStore) -> None:
    rows = graph.select(
        sparql_prologue()
        + """
        SELECT ?number ?title ?para (COUNT(?action) AS ?actions) WHERE {
          ?objective a gcm:Objective ; gcm:inDocument <id/com-2018-168-annex/en> ;
                     gcm:number ?number ; gcm:heading ?title ; gcm:hasCommitment ?c .
          ?c gcm:number ?para . ?action a gcm:Action ; eli:is_part_of ?c .
        } GROUP BY ?number ?title ?para ORDER BY xsd:integer(?number)
        """
    )
    assert [(value(r["number"]), value(r["title"]), value(r["para"]), int(value(r["actions"]))) for r in rows] == [
        (str(n), TITLES[n - 1], COMMITMENTS[n], ACTIONS[n]) for n in range(1, 23)
    ]


def test_graph_document_and_findings(graph: GraphStore) -> None:
    [row] = graph.select(
        sparql_prologue()
        + """
        SELECT ?symbol ?status ?version (COUNT(DISTINCT ?finding) AS ?findings) WHERE {
          <id/com-2018-168-annex/en> gcm:symbol ?symbol ; gcm:status ?status ; eli:realizes ?work .
          ?work gcm:versionOf ?version .
          ?finding a gcm:Finding ; gcm:inDocument <id/com-2018-168-annex/en> .
          FILTER NOT EXISTS { ?finding a gcm:UnknownEntity }  # the mentions linker's, not the loader's
        } GROUP BY ?symbol ?status ?version
        """
    )
    assert value(row["symbol"]) == "COM(2018) 168 final"
    assert value(row["status"]) == BASE + "ontology#status-draft"
    assert value(row["version"]) == BASE + "id/gcm"
    assert int(value(row["findings"])) == len(FINDINGS)

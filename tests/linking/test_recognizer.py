"""The recognizer on real phrases of the five texts (English, Swedish, Arabic) and on its edge cases."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from gcmkg.build import numbered_findings
from gcmkg.iris import Iris
from gcmkg.linking.catalogue import Catalogue
from gcmkg.linking.mentions import MentionLinker, Recognizer
from gcmkg.model import Document, FindingKind, FootnoteRef, Provision, ProvisionKind, SourceSpan
from gcmkg.rdf import finding_quads, links_quads
from gcmkg.settings import PROJECT_ROOT

BASE = "http://127.0.0.1:8000/"
IRIS = Iris(BASE)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(IRIS, PROJECT_ROOT / "catalogue")


@pytest.fixture(scope="module")
def recognizer(catalogue: Catalogue) -> Recognizer:
    return Recognizer(catalogue)


def found(recognizer: Recognizer, text: str, language: str = "en") -> list[tuple[str, str]]:
    mentions, _ = recognizer.analyse(text, language)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.surface
    return [(m.entity.iri.value.removeprefix(BASE), m.surface) for m in mentions]


def test_a_protocol_title_also_mentions_the_convention_it_supplements(recognizer: Recognizer) -> None:
    """Issue 15: the Convention is mentioned wherever a Protocol's title names it (it was absorbed before)."""
    text = (
        "Promote ratification of, accession to and implementation of the Protocol to Prevent, Suppress and "
        "Punish Trafficking in Persons, Especially Women and Children, supplementing the United Nations "
        "Convention against Transnational Organized Crime;"
    )
    assert found(recognizer, text) == [
        (
            "id/instrument/trafficking-protocol",
            text[text.index("Protocol") : -1],
        ),
        ("id/instrument/untoc", "United Nations Convention against Transnational Organized Crime"),
    ]


def test_a_name_followed_by_its_short_form_is_one_mention(recognizer: Recognizer) -> None:
    text = "including the International Organization for Migration (IOM) Global Migration Data Portal and"
    assert found(recognizer, text) == [
        (
            "id/instrument/global-migration-data-portal",
            "International Organization for Migration (IOM) Global Migration Data Portal",
        ),
        ("id/actor/iom", "International Organization for Migration (IOM)"),
    ]
    assert found(recognizer, "the International Labour Organization (ILO) and") == [
        ("id/actor/ilo", "International Labour Organization (ILO)")
    ]


def test_an_acronym_inside_a_document_symbol_is_no_organization(recognizer: Recognizer) -> None:
    text = "Adopted under the United Nations Framework Convention on Climate Change in FCCC/CP/2015/10/Add.1, decision 1/CP.21."
    assert [iri for iri, _ in found(recognizer, text) if "actor" in iri] == []


def test_spelling_variants_of_a_name_are_recognised(recognizer: Recognizer) -> None:
    for text in (
        "we request the Secretary General to:",
        "we request the Secretary-General to:",
        "the Secretary- General",
    ):
        assert [iri for iri, _ in found(recognizer, text)] == ["id/actor/secretary-general"], text


def test_united_nations_as_part_of_a_name_or_a_modifier_is_no_mention(recognizer: Recognizer) -> None:
    assert found(recognizer, "to continue the multilateral dialogue at the United Nations through a review") == [
        ("id/actor/united-nations", "United Nations")
    ]
    for text in (
        "as States Members of the United Nations to address",
        "in line with United Nations standards, including",
        "including a coherent United Nations system.",
    ):
        assert [iri for iri, _ in found(recognizer, text) if iri == "id/actor/united-nations"] == [], text


def test_generic_phrases_are_not_the_named_initiative(recognizer: Recognizer) -> None:
    text = "We invite State-led consultative processes and a follow-up and review mechanism to report."
    assert [iri for iri, _ in found(recognizer, text) if "stakeholder" not in iri] == []


def test_migrants_are_named_as_actors_where_listed_among_stakeholders(recognizer: Recognizer) -> None:
    """The subjects of the Compact (migrants, diasporas) are stakeholders only where the text lists them as such."""
    text = (
        "by including migrants, diasporas, local communities, civil society, academia, the private sector, "
        "parliamentarians, trade unions, national human rights institutions, the media and other relevant stakeholders"
    )
    assert [iri.removeprefix("id/actor/") for iri, _ in found(recognizer, text)] == [
        "migrants",
        "diasporas",
        "local-communities",
        "civil-society",
        "academia",
        "private-sector",
        "parliamentarians",
        "trade-unions",
        "nhris",
        "media",
    ]
    assert found(recognizer, "the contributions of migrants and diasporas to sustainable development") == []


def test_convention_named_on_its_own_is_mentioned(recognizer: Recognizer) -> None:
    text = (
        "the United Nations Convention against Transnational Organized Crime, including the Protocol to Prevent, "
        "Suppress and Punish Trafficking in Persons, Especially Women and Children, and the Protocol against the "
        "Smuggling of Migrants by Land, Sea and Air;"
    )
    assert [iri for iri, _ in found(recognizer, text) if "instrument" in iri] == [
        "id/instrument/untoc",
        "id/instrument/trafficking-protocol",
        "id/instrument/smuggling-protocol",
    ]


def test_ilo_inside_an_instrument_name_also_names_the_organization(recognizer: Recognizer) -> None:
    text = "in line with the ILO Social Protection Floors Recommendation, 2012 (No. 202);"
    assert found(recognizer, text) == [
        ("id/instrument/r202", "ILO Social Protection Floors Recommendation, 2012 (No. 202)"),
        ("id/actor/ilo", "ILO"),
    ]


def test_split_words_and_stray_spaces_do_not_hide_a_mention(recognizer: Recognizer) -> None:
    text = "under the guidance of the Statistical Commissio n of the United Nations, by harmonizing"
    assert found(recognizer, text) == [
        ("id/actor/un-statistical-commission", "Statistical Commissio n of the United Nations")
    ]
    text = "the ILO General Principles and Operational Guidelines  for Fair\nRecruitment, the"
    assert found(recognizer, text)[0] == (
        "id/instrument/ilo-fair-recruitment",
        "ILO General Principles and Operational Guidelines  for Fair\nRecruitment",
    )


def test_abbreviations_are_whole_case_sensitive_words(recognizer: Recognizer) -> None:
    # migrants as the subject of a provision are not named as an actor (issue 15 sample: listed partners only)
    assert found(recognizer, "to respond to the needs of migrants who face situations of vulnerability") == []
    assert found(
        recognizer,
        "the WHO Framework of Priorities and Guiding Principles to Promote the Health of Refugees and Migrants",
    )[0][0] == ("id/instrument/who-health-framework")
    assert found(recognizer, "(a) IOM will serve as the coordinator") == [("id/actor/iom", "IOM")]


def test_sdg_target_and_resolutions_by_pattern(recognizer: Recognizer) -> None:
    text = "by 2030 in line with target 10.c of the 2030 Agenda for Sustainable Development;"
    assert found(recognizer, text) == [
        ("http://metadata.un.org/sdg/10.c", "target 10.c"),
        ("id/instrument/agenda-2030", "2030 Agenda for Sustainable Development"),
    ]
    text = (
        "Recalling its resolution 71/1 of 19 September 2016, in which it decided to convene an intergovernmental "
        "conference, as well as its resolutions 71/280 of 6 April 2017, 72/244 of 24 December 2017 and 72/308 of "
        "6 August 2018,"
    )
    assert [iri for iri, _ in found(recognizer, text)] == [
        "id/instrument/a-res-71-1",
        "id/instrument/a-res-71-280",
        "id/instrument/a-res-72-244",
        "id/instrument/a-res-72-308",
    ]


def test_swedish_spellings(recognizer: Recognizer) -> None:
    text = (
        "A) Främja ratifikation, anslutning och genomförande av protokollet mot smuggling av migranter via land, "
        "hav och luft, kompletterande FN:s konvention mot gränsöverskridande organiserad brottslighet (UNTOC)"
    )
    assert [iri for iri, _ in found(recognizer, text, "sv") if "instrument" in iri] == [
        "id/instrument/smuggling-protocol",
        "id/instrument/untoc",  # named inside the protocol's title, with its short form: one mention
    ]
    text = "som socialt grundskydd för medborgare och migranter i enlighet med ILO:s rekommendation 202 om socialt grundskydd."
    assert ("id/instrument/r202", "ILO:s rekommendation 202 om socialt grundskydd") in found(recognizer, text, "sv")
    text = "eliminera överföringskorridorer med kostnader över 5 procent år 2030 i linje med mål 10.c i 2030-agendan för hållbar utveckling"
    assert found(recognizer, text, "sv") == [
        ("http://metadata.un.org/sdg/10.c", "mål 10.c"),
        ("id/instrument/agenda-2030", "2030-agendan för hållbar utveckling"),
    ]
    text = "liksom Parisavtalet⁴ och Sendai-ramverket för katastrofreducering 2015-2030"
    assert [iri for iri, _ in found(recognizer, text, "sv")] == [
        "id/instrument/paris-agreement",
        "id/instrument/sendai-framework",
    ]


def test_arabic_spellings(recognizer: Recognizer) -> None:
    text = "والبرامج الفنية والهندسية والعلمية بما يتماشى مع الغاية 4 (ب) من أهداف التنمية المستدامة."
    assert found(recognizer, text, "ar") == [
        ("http://metadata.un.org/sdg/4.b", "الغاية 4 (ب)"),
        ("id/instrument/sdgs", "أهداف التنمية المستدامة"),
    ]
    # a proclitic (و، ل) before the name, and ال → لل after the preposition
    text = "وحوار المنظمة الدولية للهجرة بشأن الهجرة (الحوار الدولي)؛ والمنتدى العالمي المعني بالهجرة والتنمية."
    assert ("id/actor/gfmd", "المنتدى العالمي المعني بالهجرة والتنمية") in found(recognizer, text, "ar")
    assert ("id/actor/iom", "المنظمة الدولية للهجرة") in found(recognizer, text, "ar")
    text = "بما يتماشى مع الرؤية الاستراتيجية للمنظمة الدولية للهجرة بشأن الهجرة"
    assert ("id/actor/iom", "للمنظمة الدولية للهجرة") in found(recognizer, text, "ar")
    text = "امتثالاً للمبادئ التوجيهية للتوظيف العادل لمنظمة العمل الدولية، ودعم الشركات"
    assert found(recognizer, text, "ar")[0] == (
        "id/instrument/ilo-fair-recruitment",
        "للمبادئ التوجيهية للتوظيف العادل لمنظمة العمل الدولية",
    )


def test_unknown_instruments_are_reported_not_dropped(recognizer: Recognizer) -> None:
    text = "Promote the Convention on the Rights of Imaginary Persons and resolution 99/999, and target 3.9."
    mentions, unknown = recognizer.analyse(text, "en")
    assert mentions == []
    assert [(u.surface, text[u.start : u.end]) for u in unknown] == [
        ("Convention on the Rights of Imaginary Persons", "Convention on the Rights of Imaginary Persons"),
        ("99/999", "99/999"),
        ("target 3.9", "target 3.9"),
    ]


def test_catalogued_names_raise_no_unknown(recognizer: Recognizer) -> None:
    text = "the ILO Recommendation 202 on Social Protection Floors and the Global Compact for Safe, Orderly and Regular Migration"
    mentions, unknown = recognizer.analyse(text, "en")
    assert unknown == [] and mentions[0].entity.iri.value.endswith("/r202")


def _document() -> Document:
    footnote = Provision(
        ProvisionKind.FOOTNOTE,
        ("annex", "footnote", "3"),
        "Domestic Workers Convention, 2011 (No. 189).",
        SourceSpan(5, 5),
        number="3",
    )
    paragraph = Provision(
        ProvisionKind.PARAGRAPH,
        ("annex", "para", "2"),
        "the International Labour Organization conventions on promoting decent work and labour migration, and the "
        "Convention on Imaginary Things.",
        SourceSpan(1, 3),
        number="2",
        footnote_refs=[FootnoteRef("3", 97)],
    )
    annex = Provision(ProvisionKind.PART, ("annex",), "Annex", SourceSpan(1, 5), children=[paragraph, footnote])
    return Document("test-doc", "en", "Test", "2018-12-12", "final", "test.txt", provisions=[annex])


def test_linker_quads_footnote_citation_and_finding(catalogue: Catalogue) -> None:
    document = _document()
    links = MentionLinker(IRIS, catalogue).links([document])
    quads = list(links_quads(IRIS, links))
    for numbered_document, numbered in numbered_findings([document], [links]):
        quads += finding_quads(IRIS, numbered_document, numbered)
    t = IRIS.term
    para = IRIS.provision("test-doc", "en", ("annex", "para", "2"))
    footnote = IRIS.provision("test-doc", "en", ("annex", "footnote", "3"))
    c189 = NamedNode(BASE + "id/instrument/c189")
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    assert (para, t("cites"), c189) in triples
    assert (footnote, t("cites"), c189) in triples
    assert (para, t("namesActor"), NamedNode(BASE + "id/actor/ilo")) in triples
    via = [q.subject for q in quads if q.predicate == t("viaFootnote")]
    assert via and all((m, t("mentionIn"), para) in triples for m in via)
    findings = [q for q in quads if q.predicate == t("surfaceText") and q.graph_name == IRIS.graph("findings")]
    assert [str(q.object.value) for q in findings if isinstance(q.object, Literal)] == [
        "Convention on Imaginary Things"
    ]
    finding = findings[0].subject
    assert (finding, t("concerns"), para) in triples
    assert isinstance(finding, NamedNode) and finding.value.endswith("/id/test-doc/en/finding/1")


def test_linker_returns_model_objects_not_quads(catalogue: Catalogue) -> None:
    document = _document()
    links = MentionLinker(IRIS, catalogue).links([document])
    para = IRIS.provision("test-doc", "en", ("annex", "para", "2"))
    footnote = IRIS.provision("test-doc", "en", ("annex", "footnote", "3"))
    c189 = NamedNode(BASE + "id/instrument/c189")
    of_c189 = [m for m in links.mentions if m.entity == c189]
    assert {(m.provision, m.via_footnote) for m in of_c189} == {(footnote, None), (para, footnote)}
    assert all(not m.actor and m.label.startswith("Mention of ") for m in of_c189)
    assert links.alignments == [] and links.retentions == []
    [(about, finding)] = links.findings
    assert about is document
    assert finding.kind is FindingKind.UNKNOWN_INSTRUMENT and finding.provision == ("annex", "para", "2")
    assert finding.excerpt is not None and finding.excerpt.text == "Convention on Imaginary Things"
    paragraph = next(p for p in document.walk() if p.path == finding.provision)
    assert paragraph.text[finding.excerpt.start : finding.excerpt.end] == finding.excerpt.text
    assert finding.message.startswith("test.txt:1: ")

"""The IOM contribution (Arabic) as the text shows it, checked by hand against corpus/002_…."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.corpus import CorpusEntry, read_manifest
from gcmkg.errors import SourceError
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind
from gcmkg.settings import PROJECT_ROOT
from loaders.iom_contribution import load

CORPUS = PROJECT_ROOT / "corpus"
FILE = "002_ac90e8012657dbe2.txt"


@pytest.fixture(scope="module")
def entry() -> CorpusEntry:
    return next(e for e in read_manifest(CORPUS) if e.file == FILE)


@pytest.fixture(scope="module")
def document(entry: CorpusEntry) -> Document:
    [doc] = load(CORPUS / FILE, entry)
    return doc


def by_path(document: Document, path: str) -> Provision:
    return document.by_path()[tuple(path.split("/"))]


def test_metadata(document: Document) -> None:
    assert (document.key, document.language, document.date, document.status) == (
        "iom-contribution-2017-10",
        "ar",
        "2017-10",
        "contribution",
    )


def test_clusters_as_printed_with_the_missing_fourth(document: Document) -> None:
    clusters = [p for p in document.walk() if p.kind is ProvisionKind.CLUSTER]
    assert [(c.number, c.span.line_start) for c in clusters] == [("1", 45), ("2", 105), ("3", 123), ("5", 193)]
    assert clusters[0].heading == "مراعاة المعايير الدولية وحماية حقوق المهاجرين"
    assert clusters[3].heading == "تعزيز التعاون الدولي بشأن الهجرة وإدارتها"
    listed = by_path(document, "recommendations/para/1")
    assert [i.number for i in listed.children] == ["1", "2", "3", "4", "5"]
    assert listed.children[3].text == "أبعاد التنقلات المتعلقة بالأزمات؛"
    missing = [f for f in document.findings if f.kind is FindingKind.MISSING]
    assert len(missing) == 1
    assert missing[0].provision == ("recommendations", "para", "1", "item", "4")


# sub-heading (as printed) → number of recommendations directly under it, counted in the text
SUBHEADINGS = {
    "cluster/1/heading/1": ("المعايير الدولية:", 4),
    "cluster/1/heading/2": ("الهوية:", 5),
    "cluster/1/heading/3": ("اعتبارات الحماية الخاصة:", 9),
    "cluster/1/heading/4": ("احتجاز المهاجرين:", 2),
    "cluster/1/heading/5": ("الاتجار بالأشخاص وتهريب المهاجرين", 8),
    "cluster/3/heading/1": ("المسارات القانونية:", 6),
    "cluster/3/heading/2": ("القطاع الخاص:", 2),  # line 164 "■" is not a fourth lettered item (issue 15)
    "cluster/3/heading/3": ("الاندماج الاجتماعي", 8),
    "cluster/3/heading/4": ("تمكين المهاجرين كجهات فاعلة في مجال التنمية:", 7),
    "cluster/5/heading/1": ("المبادئ العامة:", 2),
    "cluster/5/heading/2": ("التعاون بشأن التنقل:", 4),
    "cluster/5/heading/3": ("العودة وإعادة القبول:", 4),
    "cluster/5/heading/4": ("الجهود الإقليمية:", 6),
}


def test_recommendations_per_subheading(document: Document) -> None:
    headings = {"/".join(p.path): p for p in document.walk() if p.kind is ProvisionKind.HEADING}
    assert set(headings) == set(SUBHEADINGS)
    for path, (text, count) in SUBHEADINGS.items():
        heading = headings[path]
        assert heading.text == text
        assert len(heading.children) == count, path
        assert heading.groups == [c.path for c in heading.children]


def test_recommendation_counts(document: Document) -> None:
    recommendations = [p for p in document.walk() if p.kind is ProvisionKind.RECOMMENDATION]
    # 8 in the summary, 43 + 7 + 27 + 16 in clusters 1, 2, 3, 5 (nested included), 14 in the data section
    assert len(recommendations) == 107
    assert len(by_path(document, "summary/para/2").children) == 8
    # its paragraph and eight recommendations: line 117, marked "•" like line 115, is its sibling, not
    # its sub-item (issue 15: the nesting follows the markers; it was 1 + 7)
    assert len(by_path(document, "cluster/2").children) == 1 + 8
    assert by_path(document, "cluster/2/rec/4").children == []
    assert len(by_path(document, "data").children) == 1 + 9
    assert len(by_path(document, "data/rec/9").children) == 5


def test_nested_bullets(document: Document) -> None:
    legal = by_path(document, "cluster/3/heading/1/rec/3")
    assert legal.text.endswith("من أجل ما يلي:")
    assert [c.span.line_start for c in legal.children] == [133, 135, 137, 139, 141]
    lettered = by_path(document, "cluster/3/heading/2/rec/1")
    assert [c.number for c in lettered.children] == ["أ", "ب", "ج"]  # "■" at line 164 is rec/2 (issue 15)
    assert by_path(document, "cluster/3/heading/2/rec/2").span.line_start == 164
    assert [c.span.line_start for c in lettered.children[2].children] == [159, 160]


EXACT = {
    "summary/para/1": (
        "الهيكل والعناصر: اقترحت المنظمة الدولية للهجرة، في تقريرها الذي قدمته في 20 أيلول/سبتمبر، أن يؤكد الاتفاق "
        "العالمي على التركيز على قضايا حقوق الإنسان والناس؛ وعلى أن الهجرة أمر لا مفرّ منه، ومسألة إيجابية إلى حدّ كبير "
        "بالنسبة للمهاجرين والمجتمعات؛ وأنه يجب التصديّ للتمييز والتعصب تجاه المهاجرين. واقترحت المنظمة الدولية للهجرة أن "
        "تتضمّن المبادئ الرئيسية التي يركز عليها الاتفاق العالمي حقّ الدول السيادي في تحديد الأفراد من غير الرعايا الذين "
        "يجوز لهم الدخول إلى أراضيها والإقامة فيها، بما يتماشى مع القانون الدولي؛ وحقّ الأشخاص في العودة إلى بلدانهم؛ وأن "
        "تقبل الدول عودة مواطنيها؛ وأن تعمل الحكومات معاً، ومع الجهات الفاعلة غير الحكومية، على تقاسم المسؤولية عن تحقيق "
        "الفوائد الإيجابية للهجرة والتصدي لتحدياتها بروح من التضامن الحقيقي."
    ),
    "cluster/1/heading/2/rec/3": (
        "وضع تفاهات مشتركة بشأن المعايير الأساسية لوثائق الهوية ونظم إدارة الهوية (مثل نطاق المعلومات المراد إدراجها "
        "والسماوات الأمنية للوثائق والمعلومات البيومترية وغيرها من التكنولوجيات لتأكيد الهوية بطريقة أسرع ودقة أكبر، وما "
        "إلى ذلك) ، مع إيلاء الاهتمام المناسب لمشاغل الخصوصية."
    ),
    "cluster/1/heading/1/rec/2": "بناء القدرة على تنفيذ هذا التشريع.",
    "cluster/1/heading/2/rec/1": "إنشاء نظم وطنية للتسجيل المدني.",
    "cluster/1/heading/3/rec/2": "توفير خدمات حالات الطوارئ وإنقاذ الأرواح في العبور وعند الوصول.",
    "cluster/3/heading/2/rec/1/sub/1": (
        "إقامة شراكات استراتيجية وعملية المنحى مع الشركات التجارية من أجل تحقيق أقصى قدر من التأثير في مكافحة السخرة "
        "والاتجار؛"
    ),
    "cluster/3/heading/2/rec/1/sub/3/sub/2": (
        "توفير التدريب التوجيهي قبل المغادرة وبعد الوصول للعمال المهاجرين، لمساعدة أصحاب العمل على تطوير آليات لتزويد "
        "العمال المحتملين بمعلومات دقيقة عن ظروف المعيشة والعمل، وشروط العقد والوعي بحقوق الإنسان والعمل، من أجل التكيف "
        "بشكل أفضل مع بيئات العمل الجديدة بعيداً عن دريارهم؛"
    ),
    "cluster/3/heading/1/rec/3/sub/5": "استكشاف سبل للهجرة كاستراتيجية للتكيف مع آثار تغير المناخ.",
    "cluster/3/heading/3/rec/3": "إنشاء آليات لإصدار الشهادات والاعتراف المتبادل بالمهارات.",
    "cluster/5/heading/4/rec/6": (
        "إنشاء آليات آليات التشاور الإقليمية إلى جانب آليات التشاور القائمة التي تقودها الدول والمشاركة في خطط تنفيذ "
        "الاتفاق العالمي."
    ),
    "data/rec/7": "تنفيذ توصيات مركز التنمية العالمية بشأن بيانات الهجرة.",
    "data/rec/9/sub/5": (
        "حيثما كان ذلك ممكنا، تصنيف البيانات المتعلقة بالاستثمار وريادة الأعمال حسب وضع الهجرة، ولتحسين مساهمات "
        "المغتربين في التنمية وتيسير وضع السياسات."
    ),
    "recommendations": "توصيات بشأن الالتزامات القابلة للتنفيذ",
}


@pytest.mark.parametrize("path", sorted(EXACT))
def test_exact_text(document: Document, path: str) -> None:
    assert by_path(document, path).text == EXACT[path]


def test_line_spans(document: Document) -> None:
    assert by_path(document, "summary/para/1").span.line_start == 20
    assert by_path(document, "summary/para/1").span.line_end == 22
    assert by_path(document, "cluster/1/heading/2/rec/3").span.line_end == 62
    assert by_path(document, "title").span.line_start == 10


def test_every_provision_once_and_every_line_accounted_for(document: Document) -> None:
    """Each non-blank line from the title on is part of exactly one provision's span."""
    lines = (CORPUS / FILE).read_text(encoding="utf-8").split("\n")
    covered: dict[int, str] = {}
    for provision in document.walk():
        for number in range(provision.span.line_start, provision.span.line_end + 1):
            if lines[number - 1].strip():
                assert number not in covered, f"line {number} in {covered.get(number)} and {provision.path}"
                covered[number] = "/".join(provision.path)
    content = {n for n, line in enumerate(lines, start=1) if line.strip() and n >= 10}
    assert content - set(covered) == set()


def test_marker_and_text_findings(document: Document) -> None:
    markers = sorted(f.span.line_start for f in document.findings if f.kind is FindingKind.MARKER)
    assert markers == [45, 78, 101, 103, 119, 120, 121, 143, 145, 147, 164, 226, 227, 228, 229]
    [repeated] = [f for f in document.findings if f.kind is FindingKind.TEXT]
    assert repeated.provision == ("cluster", "5", "heading", "4", "rec", "6")


def test_items_at_the_level_their_markers_give(document: Document) -> None:
    """Issue 15: two items sat at a nesting level their markers do not give; each oddity is a finding."""
    [misplaced] = [f for f in document.findings if f.kind is FindingKind.MISPLACED]
    assert (misplaced.span.line_start, misplaced.provision) == (117, ("cluster", "2", "rec", "5"))
    assert "the item at line 115 ends with a colon" in misplaced.message
    [stray] = [f for f in document.findings if f.kind is FindingKind.MARKER and f.span.line_start == 164]
    assert stray.provision == ("cluster", "3", "heading", "2", "rec", "2")
    assert stray.message.endswith(
        "a bullet does not continue the lettered list before it, whose last item is (ج) at line 157"
    )


def test_truncated_copy_names_file_and_line(tmp_path: Path, entry: CorpusEntry) -> None:
    lines = (CORPUS / FILE).read_text(encoding="utf-8").split("\n")
    target = tmp_path / FILE
    target.write_text("\n".join(lines[:150]), encoding="utf-8")
    with pytest.raises(SourceError, match=rf"corpus/{FILE}:\d+: .*truncated"):
        load(target, entry)


def test_unexpected_structure_names_file_and_line(tmp_path: Path, entry: CorpusEntry) -> None:
    text = (CORPUS / FILE).read_text(encoding="utf-8")
    target = tmp_path / FILE
    target.write_text(text.replace("3 - تعزيز الرفاه", "7 - تعزيز الرفاه"), encoding="utf-8")
    with pytest.raises(SourceError, match=rf"corpus/{FILE}:193: thematic cluster 5 out of order"):
        load(target, entry)

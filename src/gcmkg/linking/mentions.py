"""Stage ④ linker: mentions of catalogued instruments and actors in every provision.

For each provision text the :class:`Recognizer` finds every catalogue label, SDG target
("target 10.c", "mål 10.c", "الغاية 4 (ب)") and General Assembly resolution symbol
("resolution 71/1", "A/RES/72/244"), then keeps the longest non-overlapping matches.

Decisions (documented in ``catalogue/README.md`` too):

* **Whitespace and typography do not hide a mention.**  Labels of seven or more characters
  are matched on a *squeezed* form of the text (whitespace removed, case folded, dashes,
  apostrophes and quotes unified), so "Commissio n", "Guidelines  for" and a line-end
  "follow -up" still match.  Offsets are mapped back to the clean text, and a match must
  start and end on a word boundary.  Shorter labels (abbreviations such as "ILO", "WHO",
  "IOM", "IRIS") are matched as whole, case-sensitive words, so "who" is never WHO.
* **Longest match wins; nested names the text does name are kept** (:func:`_select`): the
  Convention inside a Protocol's title (the protocol ``gcm:supplements`` it), the 2030 Agenda
  inside "the goals of the 2030 Agenda" (``dcterms:isPartOf``), an organization or mechanism
  inside an instrument's name (its issuer: "ILO" in "ILO Social Protection Floors
  Recommendation").  A full name followed by its short form in brackets is one mention.
  "United Nations" inside a longer name or as a modifier is not the Organization.  Migrants and
  diasporas are named as actors only in a list of stakeholder groups.
* **Footnotes.**  A mention in a footnote is a mention in the footnote (``gcm:mentionIn``
  the footnote) and, through it, of every provision whose text carries the footnote's
  marker: a second mention with ``gcm:mentionIn`` the citing provision and
  ``gcm:viaFootnote`` the footnote.  Offsets index the text of ``gcm:viaFootnote`` when it
  is present, else the text of ``gcm:mentionIn``.  Both provisions get ``gcm:cites`` /
  ``gcm:namesActor``.
* **Unknown instruments and entities.**  In English texts a title-cased phrase that contains an
  instrument word (Convention, Protocol, Agenda, Framework, Guidelines …) and that no
  mention covers becomes a ``gcm:UnknownInstrument`` finding about the provision, with the
  phrase and its offsets; one that names a body (Conference, Forum, Index, Network …) and that no
  catalogued name explains becomes a ``gcm:UnknownEntity`` finding.  An SDG target or resolution
  symbol the catalogue lacks is an unknown instrument too.
* **Measured** against ``samples/mentions.toml`` (:func:`measure`): precision and recall per
  category, target 0.97 each.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from gcmkg.iris import Iris, sdg_target
from gcmkg.linking.catalogue import Catalogue, CatalogueError, Entry
from gcmkg.links import CATALOGUE, DOCUMENTS, Linker, Links, Measure, Mention
from gcmkg.model import Document, Excerpt, Finding, FindingKind, Provision, ProvisionKind

STRICT_MAX = 6  # labels this short (squeezed) are matched as exact, case-sensitive words

DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
FOLD = {
    **DASHES,
    **dict.fromkeys(map(ord, "\u2018\u2019\u02bc`\u00b4"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u00ab\u00bb"), '"'),
}
IGNORED = set("\u00ad\u200b\u200c\u200d\u200e\u200f\u0640")  # soft hyphen, zero-width, tatweel
ARABIC_CLITICS = set("وفبلك")

ARABIC_LETTER_ORDER = "أبجدهوزحطيكلمنسعفصقرشتثخذضظغ"  # abjad order, as Arabic texts letter targets


@dataclass(frozen=True)
class Match:
    """One recognized span in a text; ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    entity: Entry


@dataclass(frozen=True)
class Unknown:
    """An instrument-like phrase (or identifier), or a body's proper name, that the catalogue does not know."""

    start: int
    end: int
    surface: str
    reason: str
    entity: bool = False  # a body, forum, conference … (gcm:UnknownEntity), else an instrument


def _fold_char(char: str) -> str:
    char = char.translate(FOLD)
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace and hyphens, case-folded, with the index of each kept character.

    Hyphens go too, so "Secretary General", "Secretary-General" and "follow -up" meet their label.
    """
    folded = text.translate(FOLD)
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a character whose lower case is longer (e.g. "İ"): fold one by one
        lowered = "".join(_fold_char(char) for char in text)
    positions = [i for i, char in enumerate(lowered) if not (char.isspace() or char in IGNORED or char == "-")]
    return "".join(lowered[i] for i in positions), positions


def _is_word_char(char: str) -> bool:
    """Letters, decimal digits and combining marks; a superscript footnote digit ends a word."""
    category = unicodedata.category(char)
    return category[0] == "L" or category in ("Nd", "Mn")


def _arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def _start_ok(text: str, start: int) -> bool:
    """A match starts a word; in Arabic a proclitic (و ف ب ل ك, up to three) may precede it."""
    if start == 0 or not _is_word_char(text[start - 1]):
        return True
    if not _arabic(text[start]):
        return False
    i = start
    while i > 0 and _is_word_char(text[i - 1]):
        i -= 1
    prefix = text[i:start]
    return len(prefix) <= 3 and all(c in ARABIC_CLITICS for c in prefix)


def _end_ok(text: str, end: int) -> bool:
    return end >= len(text) or not _is_word_char(text[end])


def _label_variants(label: str) -> list[str]:
    """The label, plus for Arabic the form after the preposition ل (ال → لل)."""
    variants = [label]
    if label.startswith("ال"):
        variants.append("لل" + label[2:])
    return variants


class Recognizer:
    """Finds catalogue mentions in a provision text (any language the catalogue labels)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.squeezed: dict[str, list[Entry]] = defaultdict(list)
        strict: dict[str, list[Entry]] = defaultdict(list)
        for entry in catalogue.entries.values():
            for label in entry.labels:
                for variant in _label_variants(label.text.strip()):
                    key, _ = squeeze(variant)
                    if not key:
                        continue
                    if len(key) <= STRICT_MAX or label.kind == "abbreviation":
                        if entry not in strict[variant]:
                            strict[variant].append(entry)
                    elif entry not in self.squeezed[key]:
                        self.squeezed[key].append(entry)
        for key, entries in [*self.squeezed.items(), *strict.items()]:
            if len({e.iri.value for e in entries}) > 1:
                names = ", ".join(sorted(e.iri.value for e in entries))
                raise CatalogueError(f"catalogue: label {key!r} names more than one entry ({names})")
        # exact labels: whole words, case-sensitive, any run of whitespace where the label has a space
        # (its first word, which a text must hold for the pattern to match: a cheap test first)
        self.strict = [
            (
                label.split()[0],
                re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, label.split())) + r"(?!\w)"),
                entries[0],
            )
            for label, entries in sorted(strict.items())
        ]
        # squeezed labels grouped by their first three characters: only groups the text has are searched
        self.keys: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.squeezed, key=lambda k: (-len(k), k)):
            self.keys[key[:3]].append(key)
        self.by_symbol = catalogue.by_symbol()
        self.targets = {e.iri.value: e for e in catalogue.entries.values() if "SDGTarget" in e.classes}

    # ------------------------------------------------------------------------------------
    def candidates(self, text: str) -> tuple[list[Match], list[Unknown]]:
        """Every match of every label and pattern, overlapping ones included."""
        found: list[Match] = []
        unknown: list[Unknown] = []
        squeezed, positions = squeeze(text)
        heads = {squeezed[i : i + 3] for i in range(len(squeezed) - 2)}
        for key in (key for head in sorted(heads & self.keys.keys()) for key in self.keys[head]):
            at = squeezed.find(key)
            while at != -1:
                start, end = positions[at], positions[at + len(key) - 1] + 1
                if _start_ok(text, start) and _end_ok(text, end):
                    found.append(Match(start, end, text[start:end], self.squeezed[key][0]))
                at = squeezed.find(key, at + 1)
        for first_word, pattern, entry in self.strict:
            if first_word not in text:
                continue
            for match in pattern.finditer(text):
                if _start_ok(text, match.start()):
                    found.append(Match(match.start(), match.end(), match.group(0), entry))
        for start, end, iri, reason in _sdg_targets(text):
            target = self.targets.get(iri)
            if target is not None:
                found.append(Match(start, end, text[start:end], target))
            else:
                unknown.append(Unknown(start, end, text[start:end], reason))
        for start, end, symbol in _resolutions(text):
            resolution = self.by_symbol.get(symbol)
            if resolution is not None:
                found.append(Match(start, end, text[start:end], resolution))
            else:
                unknown.append(Unknown(start, end, text[start:end], f"resolution {symbol} is not in the catalogue"))
        return found, unknown

    def analyse(self, text: str, language: str = "en") -> tuple[list[Match], list[Unknown]]:
        """Mentions to keep, and unknown instrument-like phrases (English title-case detection).

        Kept: longest first, no overlaps, except actors named inside instrument names.
        """
        found, unknown = self.candidates(text)
        kept = _select(found, text)
        if language == "en":
            unknown += _unknown_phrases(text, kept, found)
        unknown = [u for u in unknown if not any(m.start <= u.start and u.end <= m.end for m in kept)]
        return kept, sorted(set(unknown), key=lambda u: (u.start, u.end))


def _select(found: list[Match], text: str = "") -> list[Match]:
    """The mentions to keep among the candidates: longest first, then the rules below, in this order.

    * No overlaps, except a name nested in an instrument's name: an organization or mechanism
      inside it (its issuer: "ILO" in "ILO Social Protection Floors Recommendation"), and an
      instrument the outer one supplements or is part of (``Entry.within``: the Convention in
      "Protocol …, supplementing the United Nations Convention against Transnational Organized
      Crime", the 2030 Agenda in "the goals of the 2030 Agenda …").
    * "United Nations" inside a longer name or as a modifier is not the Organization
      (:func:`_not_a_name_of_its_own`), inside an instrument's name too ("Charter of the United
      Nations").
    * A full name followed by its own short form in brackets is one mention
      ("International Organization for Migration (IOM)").
    * The subjects of the texts (migrants, diasporas) are named as actors only where they are
      listed among other stakeholder groups (:func:`_listed_among_stakeholders`).
    """
    ordered = sorted(set(found), key=lambda m: (-(m.end - m.start), m.start, m.entity.iri.value))
    ordered = [m for m in ordered if not _not_a_name_of_its_own(m, text)]
    kept: list[Match] = []
    for mention in ordered:
        if not any(mention.start < k.end and k.start < mention.end for k in kept):
            kept.append(mention)
    nested: list[Match] = []
    for mention in ordered:
        if mention in kept:
            continue
        outer = [k for k in kept if k.start <= mention.start and mention.end <= k.end]
        if not outer:
            continue
        if mention.entity.classes & {"Organization", "Mechanism"}:
            fits = all(k.entity.is_instrument and not k.entity.is_actor for k in outer)
        elif mention.entity.is_instrument and not mention.entity.is_actor:
            fits = all(mention.entity.iri.value in k.entity.within for k in outer)
        else:
            fits = False
        if not fits or any(mention.start < n.end and n.start < mention.end for n in nested):
            continue
        nested.append(mention)
    chosen = sorted(kept + nested, key=lambda m: (m.start, -(m.end - m.start)))
    if text:
        chosen = _with_short_forms(chosen, text)
        chosen = [m for m in chosen if _listed_among_stakeholders(m, chosen, text)]
    return chosen


_SHORT_FORM = re.compile(r"\s*\(\s*[^()]{1,24}?\s*\)")


def _with_short_forms(chosen: list[Match], text: str) -> list[Match]:
    """A name followed by its own short form in brackets becomes one mention, brackets included."""
    dropped: set[int] = set()
    out: list[Match] = []
    for i, mention in enumerate(chosen):
        if i in dropped:
            continue
        bracket = _SHORT_FORM.match(text, mention.end)
        if bracket:
            inner = [
                j
                for j, other in enumerate(chosen)
                if j != i
                and other.entity is mention.entity
                and bracket.start() <= other.start
                and other.end <= bracket.end()
            ]
            if inner:
                dropped.update(inner)
                mention = Match(mention.start, bracket.end(), text[mention.start : bracket.end()], mention.entity)
        out.append(mention)
    return [m for m in out if m not in [chosen[j] for j in dropped]]


# head nouns the name "United Nations" modifies ("the United Nations system", "United Nations standards"):
# only that name is used so in English as an adjective for the whole system; "ICAO standards",
# "International Labour Organization conventions" do name the organization that sets them
_HEAD_NOUNS = frozenset(
    "system systems standards standard development network networks entities entity agencies agency funds fund "
    "programmes programme bodies body regional officials staff country team teams".split()
)
MODIFIER_NAMES = frozenset({"united-nations"})  # catalogue slugs (id/actor/{slug})
_PART_OF_NAME = re.compile(r"[A-Z][\w-]*\s+of\s+the\s+$")


def _not_a_name_of_its_own(mention: Match, text: str) -> bool:
    """A name that English also uses inside longer names and as a modifier (:data:`MODIFIER_NAMES`: the
    United Nations) names the organization only where it stands on its own ("at the United Nations").

    Not where it is part of a longer proper name ("States Members of the United Nations", "United
    Nations Convention …", "United Nations High-level Dialogues") or modifies a noun ("the United
    Nations system", "United Nations standards").  Other organizations' names inside longer names
    are their issuers ("World Bank Global Knowledge Partnership", "ILO Social Protection Floors
    Recommendation") and stay mentions.
    """
    if mention.entity.iri.value.rsplit("/", 1)[-1] not in MODIFIER_NAMES or not text:
        return False
    if mention.surface.isupper():
        return False
    if _PART_OF_NAME.search(text[max(0, mention.start - 40) : mention.start]):
        return True
    after = re.match(r"\s+([A-Za-z][\w-]*)", text[mention.end : mention.end + 40])
    if not after:
        return False
    word = after.group(1)
    return word[0].isupper() or word in _HEAD_NOUNS


# the subjects of the texts: named as actors only where listed among other stakeholder groups
SUBJECT_GROUPS = frozenset({"migrants", "diasporas"})  # catalogue slugs (id/actor/{slug})
_LIST_GAP = re.compile(r"^\s*[,;،]?\s*(?:(?:and|or|as well as|och|samt|eller)\s+|و)?(?:the\s+)?$")


def _is_subject_group(entry: Entry) -> bool:
    return "StakeholderGroup" in entry.classes and entry.iri.value.rsplit("/", 1)[-1] in SUBJECT_GROUPS


def _listed_among_stakeholders(mention: Match, chosen: list[Match], text: str) -> bool:
    """True unless ``mention`` is a subject group that no list joins to another stakeholder group.

    A list is a run of stakeholder-group mentions separated only by commas and "and"/"or"
    ("including migrants, diasporas, local communities, civil society …").
    """
    if not _is_subject_group(mention.entity):
        return True
    groups = sorted((m for m in chosen if "StakeholderGroup" in m.entity.classes), key=lambda m: m.start)
    at = groups.index(mention)
    run = [mention]
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(groups):
            a, b = (groups[i + step], groups[i]) if step < 0 else (groups[i], groups[i + step])
            if not _LIST_GAP.match(text[a.end : b.start]):
                break
            run.append(groups[i + step])
            i += step
    return any(not _is_subject_group(m.entity) for m in run)


# SDG targets ---------------------------------------------------------------------------
_TARGET_EN = re.compile(r"(?<!\w)(?:SDG\s+)?targets?\s+(\d{1,2})\s*\.\s*(\d{1,2}|[a-z])(?!\w)", re.IGNORECASE)
_TARGET_SV = re.compile(r"(?<!\w)(?:del)?mål\s+(\d{1,2})\s*\.\s*(\d{1,2}|[a-z])(?!\w)", re.IGNORECASE)
_TARGET_AR = re.compile(r"الغاية\s+(\d{1,2})\s*(?:\(\s*([\u0621-\u064a])\s*\)|\.\s*(\d{1,2}))")


def _sdg_targets(text: str) -> Iterator[tuple[int, int, str, str]]:
    for pattern in (_TARGET_EN, _TARGET_SV):
        for match in pattern.finditer(text):
            goal, target = match.group(1), match.group(2).lower()
            if 1 <= int(goal) <= 17:
                yield match.start(), match.end(), sdg_target(goal, target).value, f"SDG target {goal}.{target}"
    for match in _TARGET_AR.finditer(text):
        goal = match.group(1)
        if match.group(2):
            letter = match.group(2)
            if letter not in ARABIC_LETTER_ORDER:
                continue
            target = "abcdefghijklmnopqrstuvwxyz"[ARABIC_LETTER_ORDER.index(letter)]
        else:
            target = match.group(3)
        if 1 <= int(goal) <= 17:
            yield match.start(), match.end(), sdg_target(goal, target).value, f"SDG target {goal}.{target}"


# General Assembly resolutions -------------------------------------------------------------
_RESOLUTION_WORD = re.compile(r"(?<!\w)(?:resolutions?|resolutionen|resolution|قرار|القرار)(?!\w)", re.IGNORECASE)
_SYMBOL = re.compile(r"(?<![\w/.])(A/RES/)?(\d{2})/(\d{1,3})(?![\w/])")
_SYMBOL_GAP = 160  # a symbol counts as a resolution if "resolution" stands this close before it


def _resolutions(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _SYMBOL.finditer(text):
        if not match.group(1):
            window = text[max(0, match.start() - _SYMBOL_GAP) : match.start()]
            words = list(_RESOLUTION_WORD.finditer(window))
            if not words or re.search(r"[.;]\s", window[words[-1].end() :]):
                continue
        yield match.start(), match.end(), f"A/RES/{match.group(2)}/{match.group(3)}"


# Unknown instrument-like phrases (English) -------------------------------------------------
_INSTRUMENT_WORDS = (
    "Convention|Conventions|Covenant|Protocol|Agenda|Framework|Declaration|Guidelines|Principles|Initiative|"
    "Platform|Toolkit|Handbook|Agreement|Charter|Recommendation|Treaty|Plan of Action|Programme of Action|"
    "Resolution|Strategy|Compact|Pact|Standards"
)
_CAPITAL = r"(?:[A-Z][\w'’\-]*|\d{4}(?:[–-]\d{4})?|\(No\.\s*\d+\)|\([A-Z]{2,}\))"
_CONNECT = r"(?:of|on|to|for|and|the|in|against|with|by|at|from|into|a|an|all|its|their)"
_PHRASE = re.compile(rf"{_CAPITAL}(?:,?\s+(?:{_CONNECT}\s+)*{_CAPITAL})*")
_KEYWORD = re.compile(rf"\b(?:{_INSTRUMENT_WORDS})\b")
# proper names of bodies, forums, conferences, networks, indexes … (actors the catalogue may lack)
_ENTITY_WORDS = (
    "Conference|Forum|Dialogue|Dialogues|Commission|Council|Committee|Office|Organization|Organisation|Fund|"
    "Programme|Network|Index|Mechanism|Group|Agency|Bank|Union|Assembly|Court|Secretariat|Summit|Observatory|"
    "Centre|Center|Institute|Alliance|Partnership|Panel|Board|Portal|Hub|Coalition|Facility|Process"
)
_ENTITY_KEYWORD = re.compile(rf"\b(?:{_ENTITY_WORDS})\b")
# the texts' own names for themselves are not references to other instruments
_SELF = re.compile(
    r"(?:Marrakech\s+Compact\s+on\s+Migration|Progress\s+Declaration|"
    r"Global\s+Compacts?(?:\s+for\s+Safe,?\s+Orderly\s+and\s+Regular\s+Migration)?)"
)


_INNER_NAME = re.compile(r"^(?:.*\b(?:in|at|to|by|from|with|into|through)\s+the\s+|The\s+)(?=[A-Z])")
_LEADING_VERB = re.compile(r"^[A-Z][a-z]+\s+(?:the|a|an|its|their)\s+(?=[A-Z])")


def _unknown_phrases(text: str, kept: list[Match], candidates: Iterable[Match] = ()) -> Iterator[Unknown]:
    """Title-cased phrases that name an instrument or a body and that no mention explains.

    An instrument-like phrase (an instrument word: Convention, Agenda …) is explained only by an
    instrument mention inside it (an actor's name inside "ILO Recommendation …" does not explain
    it); a body's name (Conference, Forum, Index …) by any catalogued name inside it, kept or
    not ("President of the Economic and Social Council" names a catalogued body).
    """
    candidates = [*kept, *candidates]
    for match in _PHRASE.finditer(text):
        phrase = match.group(0)
        own = _SELF.sub(" ", phrase)
        if len(re.findall(r"(?<!\w)[A-Z]", own)) < 2:
            continue  # "Convention" alone, a sentence starting "Agenda …", "Union, the Global Compact": no name
        overlapping = [m for m in kept if match.start() < m.end and m.start < match.end()]
        if _KEYWORD.search(own):
            if any(m.entity.is_instrument for m in overlapping):
                continue
            entity = False
        elif _ENTITY_KEYWORD.search(own):
            if any(match.start() < m.end and m.start < match.end() for m in candidates):
                continue
            entity = True
        else:
            continue
        start = match.start()
        lead = _LEADING_VERB.match(phrase)  # "Promote the Convention on …": the name starts after "the"
        if lead:
            start, phrase = start + lead.end(), phrase[lead.end() :]
        inner = _INNER_NAME.search(phrase) if entity else None  # "States in the Migrant Integration Policy Index"
        if inner:
            start, phrase = start + inner.end(), phrase[inner.end() :]
        if len(re.findall(r"(?<!\w)[A-Z]", phrase)) < 2:
            continue
        what = "name of a body, forum or conference" if entity else "instrument-like phrase"
        yield Unknown(start, match.end(), phrase, f"{what} not in the catalogue: {phrase!r}", entity)


# The linker ----------------------------------------------------------------------------------
class MentionLinker:
    """Mentions and unknown-instrument findings of loaded documents, from one catalogue."""

    def __init__(self, iris: Iris, catalogue: Catalogue) -> None:
        self.iris = iris
        self.recognizer = Recognizer(catalogue)

    def links(self, documents: Iterable[Document]) -> Links:
        found = Links()
        for document in documents:
            self.add_document(document, found)
        return found

    def add_document(self, document: Document, found: Links) -> None:
        """Add the document's mentions (each footnote's also to its citing provisions) and findings to ``found``."""
        iris = self.iris
        provision_iri = {}
        citing: dict[str, list[Provision]] = defaultdict(list)  # footnote number -> provisions with its marker
        for provision in document.walk():
            provision_iri[provision.path] = iris.provision(document.key, document.language, provision.path)
            for ref in provision.footnote_refs:
                citing[ref.number].append(provision)
        name = f"{document.symbol or document.key} ({document.language})"
        for provision in document.walk():
            kept, unknown = self.recognizer.analyse(provision.text, document.language)
            hosts: list[tuple[Provision, Provision | None]] = [(provision, None)]
            if provision.kind is ProvisionKind.FOOTNOTE and provision.number is not None:
                hosts += [(p, provision) for p in citing.get(provision.number, [])]
            for match in kept:
                for host, footnote in hosts:
                    found.mentions.append(
                        Mention(
                            provision=provision_iri[host.path],
                            entity=match.entity.iri,
                            actor=match.entity.is_actor,
                            surface=match.surface,
                            start=match.start,
                            end=match.end,
                            label=f"Mention of {match.entity.label()} in {name}",
                            via_footnote=provision_iri[footnote.path] if footnote is not None else None,
                        )
                    )
            for phrase in unknown:
                where = f"{document.source_file}:{provision.span.line_start}"
                finding = Finding(
                    FindingKind.UNKNOWN_ENTITY if phrase.entity else FindingKind.UNKNOWN_INSTRUMENT,
                    f"{where}: {phrase.reason}",
                    provision.span,
                    provision.path,
                    Excerpt(phrase.start, phrase.end, phrase.surface),
                )
                found.findings.append((document, finding))


def link(iris: Iris, *, documents: list[Document], catalogue: Catalogue) -> Links:
    """Mentions of catalogued instruments and actors, and unknown-instrument findings."""
    return MentionLinker(iris, catalogue).links(documents)


# Measurement against samples/mentions.toml ---------------------------------------------------
TARGET = 0.97  # issue 15: precision and recall per category, final text
CATEGORIES = ("ilo", "untoc", "sdg", "human-rights", "other-instrument", "organization", "mechanism", "stakeholder")

# catalogue class → category, most specific first (the sample's decision rules, samples/mentions.toml)
_CLASS_CATEGORIES = (
    ("ILOInstrument", "ilo"),
    ("ILOConvention", "ilo"),
    ("ILORecommendation", "ilo"),
    ("ILOGuidance", "ilo"),
    ("UNTOC", "untoc"),
    ("UNTOCProtocol", "untoc"),
    ("SDGReference", "sdg"),
    ("SDGGoal", "sdg"),
    ("SDGTarget", "sdg"),
    ("HumanRightsInstrument", "human-rights"),
    ("HumanRightsTreaty", "human-rights"),
    ("Initiative", "mechanism"),
    ("Mechanism", "mechanism"),
    ("StakeholderGroup", "stakeholder"),
    ("Organization", "organization"),
    ("Actor", "organization"),
)


def category(entry: Entry) -> str:
    """The sample's category of a catalogue entry, from its classes."""
    for cls, name in _CLASS_CATEGORIES:
        if cls in entry.classes:
            return name
    return "other-instrument"


@lru_cache(maxsize=4)
def _catalogue_categories(base: str, folder: Path) -> dict[str, str]:
    catalogue = Catalogue.load(Iris(base), folder)
    return {iri: category(entry) for iri, entry in catalogue.entries.items()}


@dataclass(frozen=True)
class _Item:
    provision: str  # IRI
    entity: str  # IRI, "" for a proper name the catalogue lacks
    start: int
    end: int
    category: str
    optional: bool


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _pairs(found: list[tuple[str, str, int, int]], items: list[_Item]) -> dict[int, int]:
    """Found mention index → sample item index: same provision and entity, overlapping spans, one to one.

    A name the sample found missing from the catalogue (``id = ""``) pairs with an unknown-entity
    finding, or with a mention of an entry the sample does not list (added to the catalogue since).
    """
    listed = {item.entity for item in items if item.entity}
    candidates = sorted(
        (
            (-_overlap((f[2], f[3]), (item.start, item.end)), i, j)
            for i, f in enumerate(found)
            for j, item in enumerate(items)
            if f[0] == item.provision
            and (f[1] == item.entity or (not item.entity and f[1] not in listed))
            and _overlap((f[2], f[3]), (item.start, item.end)) > 0
        )
    )
    paired: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in candidates:
        if i not in paired and j not in used:
            paired[i] = j
            used.add(j)
    return paired


def measure(sample: dict[str, Any], links: Links, iris: Iris) -> list[Measure]:
    """Precision and recall per category on the sampled provisions of the final text (``samples/mentions.toml``).

    A found mention (in a sampled provision, not the copy a footnote gives its citing provision)
    is right when the sample has the same entity in the same provision at overlapping offsets
    (one to one) and the catalogue class of the entity gives the sample's category (so that the
    category queries find it); its category is that of its catalogue class.  A name the
    catalogue lacked (``id = ""``) is found when an unknown-entity finding about the provision
    overlaps it (in the category the sample gives the name), or a mention of an entry the sample
    does not list (one added to the catalogue since), in that category.  ``optional`` items
    (an owner's name inside an instrument's title) are left out of the main figures: a mention
    of one is neither a hit nor an error; the note gives the figure with them.
    """
    from gcmkg.settings import load_settings  # the project's catalogue, for the classes of unlisted entities

    document = str(sample["meta"]["document"])
    sampled: set[str] = set()
    items: list[_Item] = []
    for entry in sample["entry"]:
        provision = iris.provision(document, "en", tuple(entry["path"].split("/"))).value
        sampled.add(provision)
        for name in entry.get("names", []):
            items.append(
                _Item(
                    provision,
                    iris.base + name["id"] if name["id"] else "",
                    int(name["start"]),
                    int(name["end"]),
                    name["category"],
                    bool(name.get("optional", False)),
                )
            )
    by_class = _catalogue_categories(iris.base, load_settings().catalogue_dir)

    found = [
        (m.provision.value, m.entity.value, m.start, m.end)
        for m in links.mentions
        if m.via_footnote is None and m.provision.value in sampled
    ]
    document_iri = iris.document(document, "en").value
    for doc, finding in links.findings:
        if iris.document(doc.key, doc.language).value != document_iri or finding.provision is None:
            continue
        provision = iris.provision(doc.key, doc.language, finding.provision).value
        if provision in sampled and finding.excerpt is not None:
            found.append((provision, "", finding.excerpt.start, finding.excerpt.end))
    paired = _pairs(found, items)

    def found_category(i: int) -> str:
        entity = found[i][1]
        if not entity:  # an unknown-entity finding: the category of the name it finds
            return items[paired[i]].category if i in paired else "unknown-entity"
        return by_class.get(entity, "other-instrument")

    # a pair counts only where the graph puts the entity in the sample's category (the category queries find it)
    paired = {i: j for i, j in paired.items() if found_category(i) == items[j].category}

    measures: list[Measure] = []
    for cat in CATEGORIES:
        mine = [i for i in range(len(found)) if found_category(i) == cat]
        main = [i for i in mine if not (i in paired and items[paired[i]].optional)]
        right = sum(1 for i in main if i in paired)
        right_all = sum(1 for i in mine if i in paired)
        wanted = [j for j, item in enumerate(items) if item.category == cat]
        wanted_main = [j for j in wanted if not items[j].optional]
        got = set(paired.values())
        hit_main = sum(1 for j in wanted_main if j in got)
        hit_all = sum(1 for j in wanted if j in got)
        optional = len(wanted) - len(wanted_main)
        with_optional = f"; with the {optional} optional items: " if optional else ""
        measures.append(
            Measure(
                f"precision:{cat}",
                right,
                len(main),
                TARGET,
                f"mentions of category {cat} in the sampled provisions that the sample confirms"
                + (f"{with_optional}{right_all}/{len(mine)}" if optional else ""),
            )
        )
        measures.append(
            Measure(
                f"recall:{cat}",
                hit_main,
                len(wanted_main),
                TARGET,
                f"the sample's {cat} items (required ones) that the linker found"
                + (f"{with_optional}{hit_all}/{len(wanted)}" if optional else ""),
            )
        )
    return measures


LINKER = Linker("mentions", needs=(DOCUMENTS, CATALOGUE), run=link, sample="mentions.toml", measure=measure)

"""The defects of the Swedish translation, found by comparing its structure with the English text's.

:mod:`loaders.swedish` reads the outcome of 13 July 2018 into an :class:`~loaders.swedish.Outcome`
(its tree, its indexes and the block each provision was printed as); :func:`check` then records
every defect it can see as a finding (on the :class:`loaders.reader.Source` being read), and never
repairs one.  The comparison is with the structure of A/73/L.66 (:data:`ENGLISH_ACTIONS`,
:data:`ENGLISH_ITEMS`, 54 paragraphs, 23 objectives, 10 guiding principles), checked against
the final-text graph by ``tests/loaders/test_swedish.py``; list markers are compared with the
translation's prevailing style (:func:`loaders.reader.marker_style`).  What each kind of
finding means is listed in the docstring of :mod:`loaders.swedish`.

:func:`repeated_actions` runs first, during reading: which copy of an objective printed twice
is the ``-dup`` one depends on it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import TYPE_CHECKING

from gcmkg.model import FindingKind, Provision, ProvisionKind
from loaders.reader import Printed, Source, lines, marker_style
from loaders.text_repair import SUPERSCRIPT_DIGITS

if TYPE_CHECKING:
    from loaders.swedish import Outcome


# The structure of the English text (A/73/L.66, annex): letters of the actions per objective,
# the lettered items and roman sub-items of paragraphs 43, 45 and 49.  The July and December
# texts have the same structure; tests check this table against the final-text graph.
ENGLISH_ACTIONS: dict[int, str] = {
    1: "abcdefghijk", 2: "abcdefghijkl", 3: "abcde", 4: "abcdefg", 5: "abcdefghij", 6: "abcdefghijkl",
    7: "abcdefghijkl", 8: "abcdef", 9: "abcdef", 10: "abcdefghij", 11: "abcdefg", 12: "abcde", 13: "abcdefgh",
    14: "abcdef", 15: "abcdef", 16: "abcdefghi", 17: "abcdefg", 18: "abcdefghijkl", 19: "abcdefghij",
    20: "abcdefghi", 21: "abcdefghi", 22: "abc", 23: "abcde",
}  # fmt: skip
ENGLISH_ITEMS: dict[int, dict[str, int]] = {43: {"a": 5, "b": 3, "c": 3}, 45: {"a": 0, "b": 0, "c": 0},
                                           49: {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0}}  # fmt: skip
ENGLISH_PARAGRAPHS = 54
ENGLISH_PRINCIPLES = 10
FIRST_COMMITMENT = 17  # objective n's commitment is paragraph 16 + n

# How the English text marks each kind of list provision (named in the marker findings).
ENGLISH_STYLE = {"action": "'(a)'", "item": "'(a)'", "sub-item": "'(i)'", "paragraph": "'1.'", "list entry": "'1.'"}

Repeats = dict[int, Provision]  # id of a repeated action → the earlier action it repeats


def repeated_actions(annex: Provision) -> Repeats:
    """Actions whose text is that of an earlier action (equal, or a re-typed copy)."""
    texts: dict[str, Provision] = {}
    repeats: Repeats = {}
    for provision in annex.walk():
        if provision.kind is not ProvisionKind.ACTION:
            continue
        first = texts.get(provision.text) or texts.get(_near(provision.text, texts))
        if first is None:
            texts[provision.text] = provision
        else:
            repeats[id(provision)] = first
    return repeats


def intruder(objective: Provision, repeats: Repeats) -> bool:
    """Whether all of an objective's actions repeat another objective's (a copy standing in the wrong place)."""
    actions = [p for p in objective.walk() if p.kind is ProvisionKind.ACTION]
    return bool(actions) and all(id(a) in repeats for a in actions)


def check(outcome: Outcome, repeats: Repeats, source: Source) -> None:
    """Record every defect of the outcome as a finding on ``source``."""
    Checks(outcome, repeats, source).run()


class Checks:
    """The checks, over one outcome as read (nothing here changes the tree)."""

    def __init__(self, outcome: Outcome, repeats: Repeats, source: Source) -> None:
        self.outcome = outcome
        self.annex = outcome.annex
        self.repeats = repeats
        self.source = source

    def finding(self, kind: FindingKind, message: str, start: int, end: int, provision: Provision | None) -> None:
        self.source.finding(kind, message, lines(start, end), provision)

    def run(self) -> None:
        self.check_objectives()
        self.check_repeats()
        self.check_items()
        self.check_paragraphs()
        self.check_principles()
        self.check_markers()
        self.check_footnotes()
        self.check_list_titles()
        self.check_intros()
        self.check_final_punctuation()

    def check_objectives(self) -> None:
        for objective_number, letters in ENGLISH_ACTIONS.items():
            objective = self.outcome.objectives.get(str(objective_number))
            if objective is None:
                self.finding(
                    FindingKind.MISSING,
                    f"objective {objective_number} is missing",
                    self.outcome.start,
                    self.outcome.end,
                    self.annex,
                )
                continue
            commitment = next((c for c in objective.children if c.kind is ProvisionKind.COMMITMENT), None)
            if commitment is None:  # the text ends, or the next heading follows, before its paragraph
                raise self.source.error(
                    objective.span.line_start, f"objective {objective_number} has no commitment paragraph", objective
                )
            printed = [c.number for c in commitment.children if c.kind is ProvisionKind.ACTION]
            last = commitment.children[-1] if commitment.children else commitment  # where the text stops
            stops = f"stops at ({printed[-1]})" if printed else "prints none of them"
            for letter in letters:
                if letter not in printed:
                    self.finding(
                        FindingKind.MISSING,
                        f"action ({letter}) of objective {objective_number} is missing: the English text has actions "
                        f"({letters[0]})–({letters[-1]}), the translation {stops} (line {last.span.line_end})",
                        last.span.line_end,
                        last.span.line_end,
                        commitment,
                    )
            expected_paragraph = str(FIRST_COMMITMENT + objective_number - 1)
            if commitment.number != expected_paragraph:
                self.finding(
                    FindingKind.NUMBERING,
                    f"objective {objective_number}'s commitment is paragraph {commitment.number}, "
                    f"{expected_paragraph} was expected",
                    commitment.span.line_start,
                    commitment.span.line_start,
                    commitment,
                )

    def check_repeats(self) -> None:
        """Provisions printed twice: the copy that stands where it does not belong is ``-dup``."""
        by_path = {p.path: p for p in self.annex.walk()}
        for provision in self.annex.walk():
            if not provision.path[-1].endswith("-dup"):
                continue
            original = by_path[(*provision.path[:-1], provision.path[-1].removesuffix("-dup"))]
            # the finding goes on the later printing (the repetition in reading order)
            first, again = sorted((provision, original), key=lambda p: p.span.line_start)
            what = "the heading of objective" if provision.kind is ProvisionKind.OBJECTIVE else "paragraph"
            tail = (
                f"; the first copy is followed by actions repeated from another objective (lines "
                f"{first.span.line_start}–{first.span.line_end}), this one by objective {provision.number}'s own"
                if provision.kind is ProvisionKind.OBJECTIVE and intruder(first, self.repeats)
                else ""
            )
            self.finding(
                FindingKind.REPEATED,
                f"{what} {provision.number} is printed again at line {again.span.line_start} "
                f"(first at line {first.span.line_start}){tail}",
                again.span.line_start,
                again.span.line_start if again.kind is ProvisionKind.OBJECTIVE else again.span.line_end,
                again,
            )
        for provision in self.annex.walk():
            repeated = self.repeats.get(id(provision))
            if repeated is None:
                continue
            self.finding(
                FindingKind.REPEATED,
                f"action ({provision.number}) at line {provision.span.line_start} repeats action ({repeated.number}) "
                f"of objective {self.objective_of(repeated)} (line {repeated.span.line_start}) under objective "
                f"{self.objective_of(provision)}",
                provision.span.line_start,
                provision.span.line_end,
                provision,
            )
        for commitment in (p for p in self.annex.walk() if p.kind is ProvisionKind.COMMITMENT):
            repeats = [c for c in commitment.children if id(c) in self.repeats]
            if not repeats:
                continue
            sources = sorted({self.objective_of(self.repeats[id(a)]) for a in repeats})
            here = self.objective_of(commitment)
            self.finding(
                FindingKind.MISPLACED,
                f"actions ({repeats[0].number})–({repeats[-1].number}) of objective {', '.join(sources)} stand under "
                f"objective {here} (lines {repeats[0].span.line_start}–{repeats[-1].span.line_end}), after a copy of "
                f"its commitment paragraph {commitment.number}, where objective {here}'s own actions belong",
                repeats[0].span.line_start,
                repeats[-1].span.line_end,
                commitment,
            )

    def objective_of(self, provision: Provision) -> str:
        for objective in self.annex.walk():
            if objective.kind is ProvisionKind.OBJECTIVE and any(p is provision for p in objective.walk()):
                return objective.number or "?"
        return "?"

    def check_items(self) -> None:
        for paragraph_number, items in ENGLISH_ITEMS.items():
            paragraph = self.outcome.paragraphs.get(str(paragraph_number))
            if paragraph is None:
                continue
            printed = {c.number: c for c in paragraph.children if c.kind is ProvisionKind.ITEM}
            for letter, subitems in items.items():
                item = printed.get(letter)
                if item is None:
                    self.finding(
                        FindingKind.MISSING,
                        f"item ({letter}) of paragraph {paragraph_number} is missing",
                        paragraph.span.line_start,
                        paragraph.span.line_end,
                        paragraph,
                    )
                    continue
                romans = [c.number for c in item.children]
                expected = ["i", "ii", "iii", "iv", "v", "vi"][:subitems]
                if romans != expected:
                    self.finding(
                        FindingKind.NUMBERING,
                        f"paragraph {paragraph_number} ({letter}) has sub-items {romans}, the English text {expected}",
                        item.span.line_start,
                        item.span.line_end,
                        item,
                    )

    def check_paragraphs(self) -> None:
        printed = set(self.outcome.paragraphs)
        for number in range(1, ENGLISH_PARAGRAPHS + 1):
            if str(number) not in printed:
                self.finding(
                    FindingKind.MISSING,
                    f"paragraph {number} is missing",
                    self.outcome.start,
                    self.outcome.end,
                    self.annex,
                )

    def check_principles(self) -> None:
        paragraph = self.outcome.paragraphs.get("15")
        if paragraph is None:
            return
        principles = [c for c in paragraph.children if c.kind is ProvisionKind.GUIDING_PRINCIPLE]
        if len(principles) != ENGLISH_PRINCIPLES:
            self.finding(
                FindingKind.MISSING,
                f"paragraph 15 has {len(principles)} guiding principles, the English text {ENGLISH_PRINCIPLES}",
                paragraph.span.line_start,
                paragraph.span.line_end,
                paragraph,
            )
        if principles:
            self.finding(
                FindingKind.MARKER,
                f"the {len(principles)} guiding principles (lines {principles[0].span.line_start}–"
                f"{principles[-1].span.line_end}) are printed without their list letters (a)–(j) "
                "and with 'Name:' instead of 'Name.'",
                principles[0].span.line_start,
                principles[-1].span.line_end,
                principles[0],
            )

    def check_markers(self) -> None:
        """List markers whose style differs from the translation's prevailing style for their kind.

        A run of consecutive siblings in the same deviant style is one finding, attached to the
        first of them.  Indentation is layout, not marker style, and is not compared.
        """
        by_kind: dict[ProvisionKind, list[Printed]] = {}
        for block in self.outcome.printed:
            if block.marker is not None and block.provision.kind is not ProvisionKind.FOOTNOTE:
                by_kind.setdefault(block.provision.kind, []).append(block)
        groups = {ProvisionKind.ACTION: "action", ProvisionKind.ITEM: "item", ProvisionKind.SUBITEM: "sub-item",
                  ProvisionKind.PARAGRAPH: "paragraph", ProvisionKind.COMMITMENT: "paragraph",
                  ProvisionKind.OBJECTIVE_LIST_ENTRY: "list entry"}  # fmt: skip
        pooled: dict[str, list[Printed]] = {}
        for kind, blocks in by_kind.items():
            pooled.setdefault(groups.get(kind, kind.value), []).extend(blocks)
        for name, blocks in pooled.items():
            blocks.sort(key=lambda b: b.start)
            prevailing = Counter(marker_style(b.marker or "") for b in blocks).most_common(1)[0][0]
            runs: list[list[Printed]] = []
            for block in blocks:
                style = marker_style(block.marker or "")
                if style == prevailing:
                    continue
                parent = self.parent_of(block.provision)
                if (
                    runs
                    and marker_style(runs[-1][0].marker or "") == style
                    and self.parent_of(runs[-1][-1].provision) is parent
                    and self.adjacent(runs[-1][-1].provision, block.provision)
                ):
                    runs[-1].append(block)
                else:
                    runs.append([block])
            for run in runs:
                first, last = run[0], run[-1]
                where = self.where(first.provision)
                label = (
                    f"({first.provision.number})–({last.provision.number})" if len(run) > 1
                    else f"({first.provision.number})" if name != "paragraph" else first.provision.number or ""
                )  # fmt: skip
                described = " ".join(x for x in (f"{name}{'s' if len(run) > 1 else ''}", label, where) if x)
                self.finding(
                    FindingKind.MARKER,
                    f"{described} ({lines_text(sorted({first.start, last.end}))}) "
                    f"marked '{first.marker}' where the translation's {name}s are marked '{prevailing}' "
                    f"(the English text: {ENGLISH_STYLE.get(name, '?')})",
                    first.start,
                    last.end,
                    first.provision,
                )

    def parent_of(self, provision: Provision) -> Provision | None:
        for candidate in self.annex.walk():
            if any(child is provision for child in candidate.children):
                return candidate
        return None

    def adjacent(self, a: Provision, b: Provision) -> bool:
        parent = self.parent_of(a)
        if parent is None:
            return False
        siblings = [c for c in parent.children if c.kind is a.kind]
        ids = [id(c) for c in siblings]
        return id(b) in ids and ids.index(id(b)) == ids.index(id(a)) + 1

    def where(self, provision: Provision) -> str:
        if provision.kind is ProvisionKind.ACTION:
            return f"of objective {self.objective_of(provision)}"
        parent = self.parent_of(provision)
        if provision.kind in (ProvisionKind.ITEM, ProvisionKind.SUBITEM) and parent is not None:
            return (
                f"of paragraph {parent.number}"
                if parent.kind is not ProvisionKind.ITEM
                else (f"of item ({parent.number})")
            )
        return ""

    def check_footnotes(self) -> None:
        footnotes = {p.number: p for p in self.annex.walk() if p.kind is ProvisionKind.FOOTNOTE}
        others = sorted(n for n in footnotes if n)
        for block in self.outcome.printed:
            if block.provision.kind is ProvisionKind.FOOTNOTE and block.marker and block.marker.startswith("("):
                self.finding(
                    FindingKind.MARKER,
                    f"footnote {block.provision.number} (line {block.start}) opens with '(' ('{block.marker}'), "
                    f"unlike footnotes {', '.join(n for n in others if n != block.provision.number)}"
                    ", and the parenthesis is never closed",
                    block.start,
                    block.end,
                    block.provision,
                )
        for provision, number, line, offset in self.outcome.superscripts:
            char = number.translate(str.maketrans("0123456789", SUPERSCRIPT_DIGITS))
            self.finding(
                FindingKind.MARKER,
                f"footnote marker {number} at line {line} is a superscript digit ('{char}'), unlike "
                "markers 1–3, which are plain digits after a space",
                line,
                line,
                provision,
            )
            if number not in footnotes:
                self.finding(
                    FindingKind.MISSING,
                    f"footnote {number}, whose marker stands at line {line}, is missing: the translation "
                    f"prints only footnotes {', '.join(others)}; footnote marker {number} ('{char}') is taken out "
                    f"of the clean text (it stood at character {offset}, after "
                    f"'{provision.text[max(0, offset - 20):offset]}')",
                    line,
                    line,
                    provision,
                )

    def check_list_titles(self) -> None:
        for number, entry in self.outcome.list_entries.items():
            objective = self.outcome.objectives.get(number)
            if objective is None or objective.heading is None or entry.heading is None:
                continue
            if objective.span.line_start == entry.span.line_start or _norm(objective.heading) == _norm(entry.heading):
                continue
            if any(f.provision == objective.path and f.kind is FindingKind.MISSING for f in self.source.findings):
                continue
            self.finding(
                FindingKind.HEADING,
                f"objective {number}'s heading at line {objective.span.line_start} ('{objective.heading}') differs "
                f"from its title in the list of objectives at line {entry.span.line_start} ('{entry.heading}'); "
                "the English text prints the same title in both places",
                objective.span.line_start,
                objective.span.line_start,
                objective,
            )


    def check_intros(self) -> None:
        """The introduction to the actions ("För att förverkliga detta åtagande …:") in several wordings.

        The English text introduces every objective's actions with the same sentence ("To realize
        this commitment, we will draw from the following actions:"); the translation's prevailing
        wording is the norm, each other wording one finding listing where it is printed.
        """
        by_wording: dict[str, list[tuple[Provision, int]]] = {}
        for paragraph, intro in self.outcome.intros:
            if paragraph.copy_of is not None:  # a copy is counted once, as its original
                continue
            by_wording.setdefault(intro.text.strip(), []).append((paragraph, intro.number))
        if len(by_wording) < 2:
            return
        ranked = sorted(by_wording.items(), key=lambda item: (-len(item[1]), item[1][0][1]))
        prevailing, usual = ranked[0]
        for wording, places in ranked[1:]:
            first, line = places[0]
            self.finding(
                FindingKind.TEXT,
                f"the introduction to the actions is worded '{wording}' {plural(len(places), 'time')} "
                f"({lines_text([n for _, n in places])}, paragraph{'s' if len(places) > 1 else ''} "
                f"{', '.join(p.number or '?' for p, _ in places)}), where {len(usual)} commitments print "
                f"'{prevailing}' (the English text has one wording: 'To realize this commitment, we will draw "
                "from the following actions:')",
                line,
                line,
                first,
            )

    def check_final_punctuation(self) -> None:
        """Actions whose text ends otherwise than the translation's prevailing ending ('.', ';' or none).

        A run of consecutive actions of one commitment ending alike is one finding, on the first.
        """
        actions = [p for p in self.annex.walk() if p.kind is ProvisionKind.ACTION and p.copy_of is None]
        if not actions:
            return
        endings = {id(a): ending(a.text) for a in actions}
        counts = Counter(endings.values())
        prevailing = counts.most_common(1)[0][0]
        runs: list[list[Provision]] = []
        for action in actions:
            if endings[id(action)] == prevailing:
                continue
            if runs and endings[id(runs[-1][0])] == endings[id(action)] and self.adjacent(runs[-1][-1], action):
                runs[-1].append(action)
            else:
                runs.append([action])
        for run in runs:
            first, last = run[0], run[-1]
            label = f"({first.number})–({last.number})" if len(run) > 1 else f"({first.number})"
            self.finding(
                FindingKind.TEXT,
                f"action{'s' if len(run) > 1 else ''} {label} of objective {self.objective_of(first)} "
                f"({lines_text(sorted({first.span.line_start, last.span.line_end}))}) "
                f"end{'' if len(run) > 1 else 's'} {described_ending(endings[id(first)])}, where "
                f"{counts[prevailing]} of the translation's {len(actions)} actions end "
                f"{described_ending(prevailing)} (the English text ends each action with ';', the last with '.')",
                first.span.line_start,
                last.span.line_end,
                first,
            )


def ending(text: str) -> str:
    """The final punctuation of a text ('.', ';', ':', ','), or '' for none (closing brackets and quotes aside)."""
    stripped = text.rstrip(")]\"'”’ ")
    return stripped[-1] if stripped and stripped[-1] in ".;:,!?" else ""


def described_ending(mark: str) -> str:
    return f"with '{mark}'" if mark else "without final punctuation"


def plural(count: int, word: str) -> str:
    return "once" if count == 1 else f"{count} {word}s"


def lines_text(numbers: list[int]) -> str:
    return f"line {numbers[0]}" if len(numbers) == 1 else f"lines {numbers[0]}–{numbers[-1]}"


ENGLISH_STYLE = {"action": "'(a)'", "item": "'(a)'", "sub-item": "'(i)'", "paragraph": "'1.'", "list entry": "'1.'"}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _near(text: str, texts: dict[str, Provision]) -> str:
    """An earlier action text that is the same apart from a few characters (a re-typed copy)."""

    for other in texts:
        if abs(len(other) - len(text)) < 20 and other[:60] == text[:60]:
            if difflib.SequenceMatcher(None, other, text, autojunk=False).ratio() > 0.97:
                return other
    return ""

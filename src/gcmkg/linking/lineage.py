"""Lineage: which provision of the Zero Draft Plus each final objective, commitment and action descends from.

The method is deterministic, needs nothing but the two loaded texts, and is measured on the
hand-checked sample ``samples/lineage.toml``.

Words.  A provision's *content words* are its lower-cased words (letters and digits) without a
short list of English function words, plurals folded (``migrants`` → ``migrant``) and cut to their
first :data:`STEM_LENGTH` letters (truncation stemming: ``harmonize``/``harmonizing``,
``statistics``/``statistical``).  The similarity of two provisions is the Dice coefficient of their
content-word sets,
``2|A∩B| / (|A|+|B|)``; the *containment* of A in B is ``|A∩B| / |A|``.

1. Objectives are matched one to one by the similarity of their whole content (title,
   commitment and actions), best pairs first, when it reaches :data:`OBJECTIVE_THRESHOLD`.  A
   matched objective is ``unchanged`` when its title is the same, ``reworded`` otherwise, and
   ``moved`` when its number changed.  A final objective without a match is ``new``.
2. A commitment descends from the commitment of the matched draft objective (``unchanged`` or
   ``reworded`` as in step 6, the closing "…following actions:" sentence aside).
3. Each final action is linked to the most similar action of the matched draft objective when
   the similarity reaches :data:`ACTION_THRESHOLD`; failing that, to the most similar draft action
   of any other objective when it reaches :data:`MOVED_THRESHOLD` (``moved``); a draft action of
   another objective that is more similar still than the local one, and reaches
   :data:`MOVED_THRESHOLD`, is a second source (adaptation to slow-onset disasters, planned
   relocation: from the draft's drivers objective into the final's pathways one).  A draft action
   that no final action chose, whose content words are for the most part
   (:data:`MERGE_CONTAINMENT`) in a final action of the matched objective that already descends
   from another draft action, and similar enough (:data:`ACTION_THRESHOLD`), was ``merged`` into it.
   The kind of change of each action link is settled once all links are known, by the sample's
   precedence: ``merged`` when the final action has several sources, else ``moved`` when its
   source lies in another draft objective than the matched one, else ``split`` when the draft
   action has several destinations, else ``unchanged`` or ``reworded`` (step 6).
4. What is left over on both sides of a matched objective (final actions without a link, draft
   actions nobody chose) is paired one to one, best pairs first, when the similarity reaches
   :data:`LEFTOVER_THRESHOLD` (``reworded``): heavily reworded actions that kept their subject
   ("Sign, ratify or accede to … instruments related to international labour mobility" →
   "Promote signature and ratification of … instruments related to international labour
   migration").  A final action still left over whose most similar draft action across the whole
   draft is one that nobody chose, and which is in turn that draft action's most similar final
   action (each the other's best), is linked to it from :data:`MOVED_LEFTOVER_THRESHOLD`
   (``moved``: regularization options went from the draft's inclusion objective to the final
   objective on vulnerabilities).  A final action still without a link is ``new``.
5. Second sources.  A draft action whose most similar final action in the whole text lies in the
   objective matched to its own, and descends from another draft action, is a second source of
   it from :data:`SECONDARY_THRESHOLD` (birth registration and statelessness, from the draft's
   identity-documents action, in the final statelessness action).
6. Kind of change.  A link between single actions (or commitments) is ``unchanged`` when the
   wording nearly survives: word-sequence similarity (:func:`wording_similarity`) from
   :data:`SAME_THRESHOLD` with no clause (:data:`CLAUSE_WORDS` words) added, dropped or
   rewritten, the sample's "same"; otherwise ``reworded``.

Score and evidence.  The score of a commitment or action link is the word-sequence similarity of
the two wordings (``unchanged`` from 0.85, ``reworded`` below, heavily reworded ones under 0.3;
the content-word Dice that found the link is in the difference note); an objective's is the Dice
of the two whole objectives; a ``new`` provision has no score.  The evidence of a link quotes, on
each side, the stretches of text made of the content words the two share, with their character
offsets (:func:`evidence`).

The thresholds were set by reading both texts; the links are measured against the hand-checked
sample ``samples/lineage.toml`` (:func:`measure`: precision and recall of the final→draft action
links, draft actions wrongly marked not retained, agreement of the kind of change), asserted in
``tests/linking/test_lineage.py``.

The final text is the document of status ``final``, the Zero Draft Plus that of status ``draft``.
A ``new`` provision has no ancestor, so its alignment points to the draft provision it was added
to (the matched draft commitment, or the draft section of objectives) and it gets no
``gcm:descendsFrom`` shortcut (:func:`gcmkg.rdf.alignment_quads`).  Every draft objective,
commitment and action gets ``gcm:retainedInFinal`` true when a final provision descends from
it, false otherwise (a :class:`gcmkg.links.Retention`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links, Measure, Retention
from gcmkg.model import Document, Provision, ProvisionKind, with_status

OBJECTIVE_THRESHOLD = 0.45
ACTION_THRESHOLD = 0.40
MOVED_THRESHOLD = 0.45
LEFTOVER_THRESHOLD = 0.15
MERGE_CONTAINMENT = 0.60
MOVED_LEFTOVER_THRESHOLD = 0.30
SECONDARY_THRESHOLD = 0.30
STEM_LENGTH = 7  # content words are cut to their first 7 letters: registry/registration, harmonize/harmonizing
SAME_THRESHOLD = 0.85  # word-sequence similarity from which a wording counts as unchanged
EVIDENCE_SPANS = 6  # quoted stretches of shared words per side in an alignment's evidence
CLAUSE_WORDS = 7  # ... unless a run of this many words or more was added, dropped or rewritten (a clause)

KIND = "LineageAlignment"
FUNCTION_WORDS = frozenset(
    """a an and are as at be by for from has have in including into is it its of on or our such that the
    their them these they this those through to we which while who will with within""".split()
)
WORD_RE = re.compile(r"[a-z0-9]+")
# the sentence that closes a commitment paragraph and announces its actions
CLOSING_RE = re.compile(r"\s*(?:In this regard|To realize this commitment),[^.:]*following actions[^.:]*:$")

METHOD_OBJECTIVE = (
    "objectives matched one to one by content-word Dice of title, commitment and actions "
    f"(>= {OBJECTIVE_THRESHOLD:.2f}), best pairs first"
)
METHOD_COMMITMENT = "commitment of the matched objective; content-word Dice"
METHOD_ACTION = f"most similar action of the matched objective by content-word Dice (>= {ACTION_THRESHOLD:.2f})"
METHOD_MOVED = (
    f"no action of the matched objective reaches {ACTION_THRESHOLD:.2f}; "
    f"most similar action of another objective (>= {MOVED_THRESHOLD:.2f})"
)
METHOD_ACROSS = (
    "an action of another objective, more similar than any action of the matched objective "
    f"(>= {MOVED_THRESHOLD:.2f}): a second source"
)
METHOD_MERGED = (
    "draft action chosen by no final action, its content words contained "
    f"(>= {MERGE_CONTAINMENT:.2f}) in this final action"
)
METHOD_LEFTOVER = (
    "left over in the matched objective on both sides, paired one to one, best pairs first, by content-word Dice "
    f"(>= {LEFTOVER_THRESHOLD:.2f})"
)
METHOD_MOVED_LEFTOVER = (
    "left over on both sides, in different objectives; each the other's most similar action across the two texts "
    f"by content-word Dice (>= {MOVED_LEFTOVER_THRESHOLD:.2f})"
)
METHOD_SECONDARY = (
    "draft action whose most similar final action, in the objective matched to its own, descends from another "
    f"draft action: a second source (content-word Dice >= {SECONDARY_THRESHOLD:.2f})"
)
METHOD_NEW = "no draft provision reaches the threshold; aligned to the draft provision it was added to"


def _stem(word: str) -> str | None:
    """The content-word form of one lower-cased word, None for a function word."""
    if word in FUNCTION_WORDS:
        return None
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:STEM_LENGTH] if STEM_LENGTH else word


def content_words(text: str) -> frozenset[str]:
    """The words that carry meaning, plurals folded.

    >>> sorted(content_words("Provide all migrants with proof of legal identity"))
    ['all', 'identit', 'legal', 'migrant', 'proof', 'provide']
    """
    return frozenset(stem for word in WORD_RE.findall(text.lower()) if (stem := _stem(word)) is not None)


def shared_spans(text: str, shared: frozenset[str]) -> list[tuple[int, int]]:
    """The stretches of ``text`` made of content words in ``shared`` (function words may join them).

    Each is a ``(start, end)`` character offset pair, in reading order; a stretch starts and ends
    on a shared word and is broken by any content word not shared.

    >>> text = "Harmonize methodologies on collection of data and indicators"
    >>> [text[a:b] for a, b in shared_spans(text, content_words("harmonizing methodologies for data"))]
    ['Harmonize methodologies', 'data']
    """
    spans: list[tuple[int, int]] = []
    start = end = None
    for match in WORD_RE.finditer(text.lower()):
        stem = _stem(match.group())
        if stem is None:
            continue  # a function word neither starts, ends nor breaks a stretch
        if stem in shared:
            if start is None:
                start = match.start()
            end = match.end()
        elif start is not None and end is not None:
            spans.append((start, end))
            start = end = None
    if start is not None and end is not None:
        spans.append((start, end))
    return spans


def evidence(final: str, draft: str, limit: int = EVIDENCE_SPANS) -> str:
    """The words on each side that carry the shared substance, quoted with their offsets.

    The content words the two texts share, as the longest stretches of each text that consist of
    them (at most ``limit`` per side, in reading order), e.g.
    ``final [0:23] "Harmonize methodologies" … | draft [12:35] "harmonizing methodologies" …``.
    """
    shared = content_words(final) & content_words(draft)

    def side(name: str, text: str) -> str:
        spans = shared_spans(text, shared)
        kept = sorted(sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0]))[:limit])
        return f"{name} " + " ".join(f"[{a}:{b}] {text[a:b]!r}" for a, b in kept) if kept else f"{name} (none)"

    return f"{side('final', final)} | {side('draft', draft)}"


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a) if a else 0.0


def same_wording(final: str, draft: str) -> bool:
    """Equal apart from spacing and the closing punctuation a list item takes in the final text.

    >>> same_wording("Establish focal points;", "Establish focal points")
    True
    """
    return " ".join(final.split()).rstrip(";.,") == " ".join(draft.split()).rstrip(";.,")


def wording_similarity(final: str, draft: str) -> float:
    """How much of the wording survived: the similarity ratio of the two texts' word sequences.

    All lower-cased words count, in order (:class:`difflib.SequenceMatcher`, no junk heuristic):
    ``2M / (|A|+|B|)`` for ``M`` words in matching runs.  Unlike the content-word Dice it sees
    reordering and small inserted or dropped phrases.

    >>> round(wording_similarity("Develop migration profiles;", "Develop national migration profiles"), 2)
    0.86
    """
    return _matcher(final, draft).ratio()


def _matcher(final: str, draft: str) -> difflib.SequenceMatcher[str]:
    return difflib.SequenceMatcher(None, WORD_RE.findall(final.lower()), WORD_RE.findall(draft.lower()), autojunk=False)


def longest_change(final: str, draft: str) -> int:
    """The length in words of the longest run added, dropped or rewritten between the two wordings."""
    return max(
        (max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in _matcher(final, draft).get_opcodes() if tag != "equal"),
        default=0,
    )


def unchanged(final: str, draft: str) -> bool:
    """The same wording, or nearly: word-sequence similarity from :data:`SAME_THRESHOLD` and no
    clause (a run of :data:`CLAUSE_WORDS` words or more) added, dropped or rewritten.

    >>> unchanged("Establish mechanisms to monitor the risks of migration",
    ...           "Establish centres to monitor the risks of migration")
    True
    """
    if same_wording(final, draft):
        return True
    return wording_similarity(final, draft) >= SAME_THRESHOLD and longest_change(final, draft) < CLAUSE_WORDS


def commitment_body(text: str) -> str:
    """A commitment paragraph without its closing "…following actions:" sentence."""
    return CLOSING_RE.sub("", text)


@dataclass(frozen=True)
class Link:
    """One computed lineage link, before it becomes an :class:`Alignment` (tests read these)."""

    final: Provision
    draft: Provision
    change: str
    score: float | None
    method: str
    difference: str
    evidence: str | None = None


@dataclass
class Lineage:
    """Every link, and which draft provisions were retained."""

    links: list[Link]
    retained: dict[tuple[str, ...], bool]  # draft objective, commitment and action paths


def _objectives(document: Document) -> list[Provision]:
    return [p for p in document.walk() if p.kind is ProvisionKind.OBJECTIVE]


def _commitment(objective: Provision) -> Provision:
    return next(c for c in objective.children if c.kind is ProvisionKind.COMMITMENT)


def _actions(objective: Provision) -> list[Provision]:
    return [p for p in objective.walk() if p.kind is ProvisionKind.ACTION]


def _whole(objective: Provision) -> frozenset[str]:
    return content_words(" ".join(p.text for p in objective.walk()))


def _label(action: Provision, paragraph: Provision) -> str:
    return f"({action.number}) of paragraph {paragraph.number}"


def _delta(final_words: frozenset[str], draft_words: frozenset[str]) -> str:
    return f"{len(final_words - draft_words)} content words added, {len(draft_words - final_words)} removed"


def match_objectives(final: Document, draft: Document) -> dict[str, tuple[Provision, float]]:
    """Final objective number → (draft objective, similarity), one to one, best pairs first."""
    finals, drafts = _objectives(final), _objectives(draft)
    words = {id(o): _whole(o) for o in finals + drafts}
    pairs = sorted(
        ((dice(words[id(f)], words[id(d)]), i, j) for i, f in enumerate(finals) for j, d in enumerate(drafts)),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    matched: dict[str, tuple[Provision, float]] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if score < OBJECTIVE_THRESHOLD:
            break
        number = finals[i].number or ""
        if number in matched or j in used:
            continue
        matched[number] = (drafts[j], score)
        used.add(j)
    return matched


def compute(final: Document, draft: Document) -> Lineage:
    """The lineage of the final text's objectives, commitments and actions in the draft."""
    links: list[Link] = []
    matched = match_objectives(final, draft)
    draft_objectives = _objectives(draft)
    draft_section = next(
        (p for p in draft.walk() if any(c.kind is ProvisionKind.OBJECTIVE for c in p.children)), draft_objectives[0]
    )
    objective_of: dict[tuple[str, ...], Provision] = {}  # draft action path → its objective
    for objective in draft_objectives:
        for action in _actions(objective):
            objective_of[action.path] = objective
    words: dict[tuple[str, ...], frozenset[str]] = {}

    def w(provision: Provision, doc: str) -> frozenset[str]:
        key = (doc, *provision.path)
        if key not in words:
            words[key] = content_words(provision.text)
        return words[key]

    # 1-2: objectives and commitments
    for objective in _objectives(final):
        commitment = _commitment(objective)
        if objective.number not in matched:
            links.append(
                Link(objective, draft_section, "new", None, METHOD_NEW, "no draft objective is similar enough")
            )
            links.append(Link(commitment, draft_section, "new", None, METHOD_NEW, "its objective is new"))
            continue
        ancestor, score = matched[objective.number or ""]
        if ancestor.number != objective.number:
            change = "moved"
        elif ancestor.heading == objective.heading:
            change = "unchanged"
        else:
            change = "reworded"
        note = f"draft objective {ancestor.number}; title " + (
            "unchanged" if ancestor.heading == objective.heading else f"was {ancestor.heading!r}"
        )
        links.append(Link(objective, ancestor, change, round(score, 4), METHOD_OBJECTIVE, note))
        draft_commitment = _commitment(ancestor)
        final_body, draft_body = commitment_body(commitment.text), commitment_body(draft_commitment.text)
        fw, dw = content_words(final_body), content_words(draft_body)
        links.append(
            Link(
                commitment,
                draft_commitment,
                "unchanged" if unchanged(final_body, draft_body) else "reworded",
                round(dice(fw, dw), 4),
                METHOD_COMMITMENT,
                f"paragraph {draft_commitment.number} → {commitment.number}; {_delta(fw, dw)}",
            )
        )

    # 3: actions, first the best link of each final action
    # (final action, draft action, draft context, score, moved?) and (final action, context, best here, best away)
    primary: list[tuple[Provision, Provision, Provision, float, bool]] = []
    unmatched: list[tuple[Provision, Provision, tuple[Provision, float] | None, tuple[Provision, float] | None]] = []
    across: list[tuple[Provision, Provision, float]] = []  # second sources in another objective
    for objective in _objectives(final):
        draft_objective = _matched_draft(matched, objective)
        context = _commitment(draft_objective) if draft_objective is not None else draft_section
        for action in _actions(objective):
            local = _best(w(action, "f"), _actions(draft_objective) if draft_objective else [], w)
            others = [a for o in draft_objectives if o is not draft_objective for a in _actions(o)]
            away = _best(w(action, "f"), others, w)
            if local is not None and local[1] >= ACTION_THRESHOLD:
                primary.append((action, local[0], context, local[1], False))
                if away is not None and away[1] >= MOVED_THRESHOLD and away[1] > local[1]:
                    across.append((action, away[0], away[1]))
                continue
            if away is not None and away[1] >= MOVED_THRESHOLD:
                primary.append((action, away[0], context, away[1], True))
                continue
            unmatched.append((action, context, local, away))
    chosen: dict[tuple[str, ...], list[Provision]] = {}
    for action, ancestor, _, _, _ in primary:
        chosen.setdefault(ancestor.path, []).append(action)
    for action, ancestor, score in across:
        chosen.setdefault(ancestor.path, []).append(action)
        note = (
            f"draft {_label(ancestor, _parent_of(ancestor, draft))} of objective "
            f"{objective_of[ancestor.path].number}; {_delta(w(action, 'f'), w(ancestor, 'd'))}"
        )
        links.append(Link(action, ancestor, "merged", round(score, 4), METHOD_ACROSS, note))

    # merged: draft actions nobody chose, contained in a final action of the matched objective
    merged_into: dict[tuple[str, ...], list[tuple[Provision, float]]] = {}
    for objective in _objectives(final):
        draft_objective = _matched_draft(matched, objective)
        if draft_objective is None:
            continue
        finals = [a for a in _actions(objective) if any(p[0] is a for p in primary)]
        for draft_action in _actions(draft_objective):
            if draft_action.path in chosen:
                continue
            dw = w(draft_action, "d")
            candidates = [(dice(w(a, "f"), dw), a) for a in finals if containment(dw, w(a, "f")) >= MERGE_CONTAINMENT]
            candidates = [c for c in candidates if c[0] >= ACTION_THRESHOLD]
            if candidates:
                score, into = max(candidates, key=lambda c: (c[0], -_index(c[1], finals)))
                merged_into.setdefault(into.path, []).append((draft_action, score))
                chosen.setdefault(draft_action.path, []).append(into)

    # leftovers: final actions without a link and draft actions nobody chose, in the same matched objective
    leftover: list[tuple[float, int, int, Provision, Provision]] = []
    for i, (action, context, _, _) in enumerate(unmatched):
        if context.kind is not ProvisionKind.COMMITMENT:
            continue
        for j, draft_action in enumerate(context.children):
            if draft_action.kind is ProvisionKind.ACTION and draft_action.path not in chosen:
                score = dice(w(action, "f"), w(draft_action, "d"))
                if score >= LEFTOVER_THRESHOLD:
                    leftover.append((score, i, j, action, draft_action))
    paired: set[tuple[str, ...]] = set()
    for score, _, _, action, draft_action in sorted(leftover, key=lambda x: (-x[0], x[1], x[2])):
        if action.path in paired or draft_action.path in chosen:
            continue
        paired.add(action.path)
        chosen[draft_action.path] = [action]
        fw, dw = w(action, "f"), w(draft_action, "d")
        note = f"draft {_label(draft_action, _parent_of(draft_action, draft))}; {_delta(fw, dw)}"
        links.append(Link(action, draft_action, "reworded", round(score, 4), METHOD_LEFTOVER, note))
    # moved, left over: a final action still without a link and a draft action nobody chose, in any
    # objectives, each the other's most similar action across the two whole texts
    all_finals = [a for o in _objectives(final) for a in _actions(o)]
    all_drafts = [a for o in draft_objectives for a in _actions(o)]
    for action, _, _, _ in unmatched:
        if action.path in paired:
            continue
        best = _best(w(action, "f"), all_drafts, w)
        if best is None or best[1] < MOVED_LEFTOVER_THRESHOLD or best[0].path in chosen:
            continue
        draft_action, score = best
        if _most_similar_final(draft_action, all_finals, w) is not action:
            continue
        paired.add(action.path)
        chosen[draft_action.path] = [action]
        note = (
            f"draft {_label(draft_action, _parent_of(draft_action, draft))} of objective "
            f"{objective_of[draft_action.path].number}; {_delta(w(action, 'f'), w(draft_action, 'd'))}"
        )
        links.append(Link(action, draft_action, "moved", round(score, 4), METHOD_MOVED_LEFTOVER, note))
    for action, context, local, away in unmatched:
        if action.path in paired:
            continue
        best = max((x for x in (local, away) if x is not None), key=lambda x: x[1], default=None)
        note = (
            f"most similar draft action {_label(best[0], _parent_of(best[0], draft))} at {best[1]:.2f}"
            if best
            else "no draft action"
        )
        links.append(Link(action, context, "new", None, METHOD_NEW, note))

    for action, ancestor, _, score, moved in primary:
        paragraph = _parent_of(ancestor, draft)
        fw, dw = w(action, "f"), w(ancestor, "d")
        if action.path in merged_into:
            change, method = "merged", METHOD_ACTION
        elif len(chosen[ancestor.path]) > 1:
            change, method = "split", METHOD_ACTION
        elif moved:
            change, method = "moved", METHOD_MOVED
        else:
            change, method = ("unchanged" if unchanged(action.text, ancestor.text) else "reworded"), METHOD_ACTION
        if moved:
            method = METHOD_MOVED
        links.append(
            Link(
                action,
                ancestor,
                change,
                round(score, 4),
                method,
                f"draft {_label(ancestor, paragraph)}"
                + (f" of objective {objective_of[ancestor.path].number}" if moved else "")
                + f"; {_delta(fw, dw)}",
            )
        )
        for extra, extra_score in merged_into.get(action.path, []):
            links.append(
                Link(
                    action,
                    extra,
                    "merged",
                    round(extra_score, 4),
                    METHOD_MERGED,
                    f"draft {_label(extra, _parent_of(extra, draft))} merged with draft {_label(ancestor, paragraph)}",
                )
            )

    # secondary sources: a draft action whose most similar final action, in the objective matched to
    # its own, descends from another draft action, carries part of it into that action too
    linked = {(x.final.path, x.draft.path) for x in links if x.change != "new"}
    has_ancestor = {x.final.path for x in links if x.change != "new"}
    final_objective_of = {a.path: o for o in _objectives(final) for a in _actions(o)}
    for draft_action in all_drafts:
        target = _most_similar_final(draft_action, all_finals, w)
        if target is None:
            continue
        into = target
        if into.path not in has_ancestor or (into.path, draft_action.path) in linked:
            continue
        if _matched_draft(matched, final_objective_of[into.path]) is not objective_of[draft_action.path]:
            continue
        score = dice(w(into, "f"), w(draft_action, "d"))
        if score < SECONDARY_THRESHOLD:
            continue
        note = (
            f"draft {_label(draft_action, _parent_of(draft_action, draft))}, whose most similar final action this is; "
            f"{_delta(w(into, 'f'), w(draft_action, 'd'))}"
        )
        links.append(Link(into, draft_action, "merged", round(score, 4), METHOD_SECONDARY, note))
        linked.add((into.path, draft_action.path))

    home_of = {path: _matched_draft(matched, objective) for path, objective in final_objective_of.items()}
    links = _settle_kinds(links, home_of, objective_of)
    links = [_with_evidence(item) for item in links]
    retained: dict[tuple[str, ...], bool] = {}
    descended = {link.draft.path for link in links if link.change != "new"}
    for objective in draft_objectives:
        for provision in (objective, _commitment(objective), *_actions(objective)):
            retained[provision.path] = provision.path in descended
    order = {p.path: i for i, p in enumerate(final.walk())}
    links.sort(key=lambda link: (order[link.final.path], link.method == METHOD_MERGED, link.draft.path))
    return Lineage(links, retained)


def _most_similar_final(
    draft_action: Provision, finals: list[Provision], w: Callable[[Provision, str], frozenset[str]]
) -> Provision | None:
    """The final action most similar to a draft action (first in reading order on ties)."""
    words = w(draft_action, "d")
    best: tuple[Provision, float] | None = None
    for candidate in finals:
        score = dice(w(candidate, "f"), words)
        if best is None or score > best[1]:
            best = (candidate, score)
    return best[0] if best else None


def _settle_kinds(
    links: list[Link],
    home_of: dict[tuple[str, ...], Provision | None],
    objective_of: dict[tuple[str, ...], Provision],
) -> list[Link]:
    """The kind of change of every action link, from all the links at once.

    ``merged`` when the final action has several sources; else ``moved`` when its source belongs
    to another draft objective than the one its own objective descends from; else ``split`` when
    the draft action has several destinations; else ``unchanged`` or ``reworded`` by the wording.
    """
    actions = [x for x in links if x.final.kind is ProvisionKind.ACTION and x.change != "new"]
    sources: dict[tuple[str, ...], int] = {}
    destinations: dict[tuple[str, ...], int] = {}
    for x in actions:
        sources[x.final.path] = sources.get(x.final.path, 0) + 1
        destinations[x.draft.path] = destinations.get(x.draft.path, 0) + 1
    settled = []
    for x in links:
        if x.final.kind is ProvisionKind.ACTION and x.change != "new":
            home = home_of[x.final.path]
            if sources[x.final.path] > 1:
                change = "merged"
            elif home is None or objective_of[x.draft.path] is not home:
                change = "moved"
            elif destinations[x.draft.path] > 1:
                change = "split"
            else:
                change = "unchanged" if unchanged(x.final.text, x.draft.text) else "reworded"
            x = replace(x, change=change)
        settled.append(x)
    return settled


def _compared_text(provision: Provision) -> str:
    """What of a provision its lineage compares: an objective's title, a commitment's body, an action's text."""
    if provision.kind is ProvisionKind.OBJECTIVE:
        return provision.heading or provision.text
    if provision.kind is ProvisionKind.COMMITMENT:
        return commitment_body(provision.text)
    return provision.text


def _with_evidence(item: Link) -> Link:
    """The quoted shared words on each side; for a commitment or an action the score becomes the
    word-sequence similarity of the two wordings (the content-word Dice that found the link goes
    into the difference note)."""
    if item.change == "new":
        return item
    final_text, draft_text = _compared_text(item.final), _compared_text(item.draft)
    found = evidence(final_text, draft_text)
    if item.final.kind is ProvisionKind.OBJECTIVE:
        return replace(item, evidence=found)
    similarity = wording_similarity(final_text, draft_text)
    difference = f"wording similarity {similarity:.2f}, content-word Dice {item.score or 0:.2f}; {item.difference}"
    return replace(item, score=round(similarity, 4), difference=difference, evidence=found)


def _best(
    words: frozenset[str], candidates: list[Provision], w: Callable[[Provision, str], frozenset[str]]
) -> tuple[Provision, float] | None:
    """The most similar candidate (first in reading order on ties)."""
    best: tuple[Provision, float] | None = None
    for candidate in candidates:
        score = dice(words, w(candidate, "d"))
        if best is None or score > best[1]:
            best = (candidate, score)
    return best


def _matched_draft(matched: dict[str, tuple[Provision, float]], objective: Provision) -> Provision | None:
    found = matched.get(objective.number or "")
    return found[0] if found else None


def _index(provision: Provision, provisions: list[Provision]) -> int:
    return next(i for i, p in enumerate(provisions) if p is provision)


def _parent_of(provision: Provision, document: Document) -> Provision:
    return document.by_path()[provision.path[:-1]]


def link(iris: Iris, *, documents: list[Document]) -> Links:
    """Lineage alignments from the final text to the draft, and the draft's retention flags."""
    final, draft = with_status(documents, "final"), with_status(documents, "draft")
    if final is None or draft is None:
        return Links()
    return lineage_links(iris, final, draft, compute(final, draft))


def lineage_links(iris: Iris, final: Document, draft: Document, lineage: Lineage) -> Links:
    alignments = [
        Alignment(
            KIND,
            iris.provision(final.key, final.language, item.final.path),
            iris.provision(draft.key, draft.language, item.draft.path),
            item.method,
            item.score,
            item.change,
            item.difference,
            item.evidence,
        )
        for item in lineage.links
    ]
    retentions = [
        Retention(iris.provision(draft.key, draft.language, path), retained)
        for path, retained in sorted(lineage.retained.items())
    ]
    return Links(alignments=alignments, retentions=retentions)


# --- measurement against samples/lineage.toml ---------------------------------------------

PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90
# the sample's word for an unchanged action, and the order in which it resolves several relations
SAMPLE_RELATION = {"unchanged": "same"}
RELATION_PRECEDENCE = ("merged", "moved", "split", "reworded", "same", "new")


def _path_of(node_value: str, iris: Iris, document: str) -> str | None:
    """``annex/para/17/a`` for the IRI of a provision of ``document`` (any language), else None."""
    prefix = f"{iris.base}id/{document}/"
    if not node_value.startswith(prefix):
        return None
    return node_value[len(prefix) :].partition("/")[2] or None


def measure(sample: dict[str, Any], links: Links, iris: Iris) -> list[Measure]:
    """Precision and recall of the final→draft action links, wrong "not retained" flags, relation agreement.

    A link is a (final action, draft provision) pair of a non-``new`` alignment; only the final
    actions the sample lists (``[[entry]]``) are counted.  Retention is checked on every
    ``[[draft]]`` action; the relation of a final action is that of its links (``unchanged`` is
    the sample's ``same``; several links resolve by the sample's precedence, merged first).
    """
    final_doc, draft_doc = sample["meta"]["final_document"], sample["meta"]["draft_document"]
    entries = {entry["final"]: entry for entry in sample["entry"]}
    truth = {(f, s["path"]) for f, entry in entries.items() for s in entry.get("source", [])}
    found: set[tuple[str, str]] = set()
    changes: dict[str, set[str]] = {}
    for a in links.alignments:
        if a.kind != KIND:
            continue
        final = _path_of(a.source.value, iris, final_doc)
        if final is None or final not in entries:
            continue
        change = SAMPLE_RELATION.get(a.change or "", a.change or "")
        changes.setdefault(final, set()).add(change)
        draft = _path_of(a.target.value, iris, draft_doc)
        if change != "new" and draft is not None:
            found.add((final, draft))
    correct = truth & found
    kept = {_path_of(r.provision.value, iris, draft_doc): r.retained for r in links.retentions}
    wrongly_dropped = [d["path"] for d in sample["draft"] if d["retained"] and kept.get(d["path"]) is False]
    wrongly_kept = [d["path"] for d in sample["draft"] if not d["retained"] and kept.get(d["path"]) is True]
    retained_truth = [d for d in sample["draft"] if d["retained"]]

    def relation(final: str) -> str | None:
        return next((r for r in RELATION_PRECEDENCE if r in changes.get(final, set())), None)

    agree = [f for f, entry in entries.items() if relation(f) == entry["relation"]]
    return [
        Measure(
            "precision",
            len(correct),
            len(found),
            PRECISION_TARGET,
            f"(final action, draft provision) links of the {len(entries)} sampled final actions that the sample holds",
        ),
        Measure(
            "recall",
            len(correct),
            len(truth),
            RECALL_TARGET,
            f"links of the sample ({len(truth)} over {len(entries)} final actions) that the linker finds",
        ),
        Measure(
            "retained",
            len(retained_truth) - len(wrongly_dropped),
            len(retained_truth),
            1.0,
            "sampled draft actions retained in the final text that the linker does not mark not retained"
            + (f" (wrongly marked: {', '.join(wrongly_dropped)})" if wrongly_dropped else "")
            + (f"; wrongly kept: {', '.join(wrongly_kept)}" if wrongly_kept else ""),
        ),
        Measure(
            "relation",
            len(agree),
            len(entries),
            0.0,
            "sampled final actions whose change kind (same/reworded/merged/split/moved/new) agrees with the sample; "
            "reported, no target",
        ),
    ]


LINKER = Linker("lineage", needs=(DOCUMENTS,), run=link, sample="lineage.toml", measure=measure)

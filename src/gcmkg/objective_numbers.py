"""Objective numbers as the texts print them: "objectives 2, 5, 6, 12 and 18", "Objective 3: …".

Core, because two wings read them: the IMRF loader checks that a round table's heading and its
footnote list the same objectives, and the review linker links paragraphs to what they name.
"""

from __future__ import annotations

import re

# "objectives 2, 5, 6, 12 and 18", "objective 23" — the number follows the word.
NUMBER_LIST = r"\d{1,2}(?:\s*,\s*\d{1,2})*(?:,?\s+and\s+\d{1,2})?"
MENTION_RE = re.compile(rf"\b[Oo]bjectives?\s+({NUMBER_LIST})\b")
# a footnote entry: "Objective 2: Minimize …; objective 5: Enhance …."
ENTRY_RE = re.compile(r"\b[Oo]bjective\s+(\d{1,2}):\s*([^;]+?)\s*(?:;|\.?$)")


def numbers_in(words: str) -> list[str]:
    """``"2, 5, 6, 12 and 18"`` → ``["2", "5", "6", "12", "18"]``."""
    return re.findall(r"\d{1,2}", words)


def heading_objectives(text: str) -> list[str]:
    """Objective numbers a round table heading names, in printed order.

    >>> heading_objectives("Round table 2 (objectives 4, 8, 9, 10, 11, 13 and 21)")
    ['4', '8', '9', '10', '11', '13', '21']
    """
    match = re.search(r"\(\s*objectives?\s+([^)]*)\)", text)
    return numbers_in(match.group(1)) if match else []


def footnote_objectives(text: str) -> list[tuple[str, str]]:
    """``(number, title)`` of each entry of a round table footnote, in printed order.

    >>> footnote_objectives("Objective 3: Provide accurate and timely information; objective 7: Address it.")
    [('3', 'Provide accurate and timely information'), ('7', 'Address it')]
    """
    return [(m.group(1), m.group(2)) for m in ENTRY_RE.finditer(text)]


def mentions(text: str) -> list[tuple[str, str]]:
    """``(number, words)`` for each objective a text names by number.

    >>> mentions("as set out in objectives 4, 7 and 10, and objective 23")
    [('4', 'objectives 4, 7 and 10'), ('7', 'objectives 4, 7 and 10'), ('10', 'objectives 4, 7 and 10'), \
('23', 'objective 23')]
    >>> mentions("to cover all 23 objectives of the Global Compact")
    []
    """
    return [(number, m.group()) for m in MENTION_RE.finditer(text) for number in numbers_in(m.group(1))]

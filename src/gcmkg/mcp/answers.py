"""The size an MCP answer stays within, and how a shortened answer says so.

An assistant pays for every character it reads, and a client may refuse an answer that is too
large.  So every tool answer is held to :attr:`AnswerLimits.max_chars` characters — measured on
the JSON text the SDK sends as the answer's text content (indented, the larger of its two
forms; the structured content is the same data, compact).  A list that does not fit is cut at a
row boundary, never in the middle of a row: the answer keeps the first rows that fit, says
``truncated: true``, how many rows the whole result has (``row_count``) and the ``offset`` to
ask for next (``next_offset``).  A single value longer than :attr:`AnswerLimits.max_value_chars`
is cut and ends with :data:`CUT`, so that one long text cannot crowd out every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pydantic_core
from pydantic import BaseModel

from gcmkg.errors import SettingsError

CUT = " […]"  # ends a value that was cut to fit
MAX_PAGE_ROWS = 500  # rows one call may ask for (``limit``); the size limit usually stops it sooner


@dataclass(frozen=True)
class AnswerLimits:
    """How large an answer may be (``gcmkg mcp --max-chars``) and how many rows a page has by default."""

    max_chars: int = 24_000  # about 6,000 tokens
    default_rows: int = 25

    def __post_init__(self) -> None:
        if self.max_chars < 2_000 or not 1 <= self.default_rows <= MAX_PAGE_ROWS:
            raise SettingsError(f"answer limits out of range: {self} (max_chars at least 2000)")

    @property
    def max_value_chars(self) -> int:
        """The longest single value an answer carries (longer ones are cut, ending with ``CUT``)."""
        return min(4_000, self.max_chars // 6)


def size(answer: BaseModel) -> int:
    """Characters of ``answer`` as the SDK writes it into the text content (indented JSON)."""
    return len(pydantic_core.to_json(answer, fallback=str, indent=2).decode())


def cut(value: str, limit: int) -> str:
    """``value``, or its first characters followed by :data:`CUT` when it is longer than ``limit``.

    >>> cut("Develop gender-responsive migration policies", 20)
    'Develop gender-r […]'
    >>> cut("short", 20)
    'short'
    """
    return value if len(value) <= limit else value[: limit - len(CUT)] + CUT


Answer = TypeVar("Answer", bound=BaseModel)


def fit(make: Callable[[int], Answer], available: int, max_chars: int) -> Answer:
    """The answer ``make(n)`` with the largest ``n <= available`` whose size is within ``max_chars``.

    ``make(n)`` builds the answer holding the first ``n`` of the rows on offer, with its
    ``truncated`` and ``next_offset`` set for ``n`` (the size depends on them too).  Sizes grow
    with ``n``, so a binary search finds it in a few tries.
    """
    low, high = 0, available  # make(low) fits (or nothing does), the answer is in [low, high]
    best = make(available)
    if size(best) <= max_chars:
        return best
    best = make(0)
    while low < high:
        middle = (low + high + 1) // 2
        candidate = make(middle)
        if size(candidate) <= max_chars:
            low, best = middle, candidate
        else:
            high = middle - 1
    return best


def shortened_note(returned: int, offset: int, row_count: int, max_chars: int, limit: int) -> str:
    """What an answer says about what it left out, and how to get the rest ("" when it is whole).

    >>> shortened_note(10, 0, 40, 24000, 25)
    'rows 1-10 of 40 (cut to fit 24000 characters); call again with offset=10 for the next rows'
    >>> shortened_note(25, 25, 40, 24000, 25)
    'rows 26-40 of 40'
    """
    if offset + returned >= row_count:
        return "" if offset == 0 else f"rows {offset + 1}-{row_count} of {row_count}"
    shown = f"rows {offset + 1}-{offset + returned} of {row_count}" if returned else f"no rows of {row_count}"
    why = f" (cut to fit {max_chars} characters)" if returned < limit else ""
    return f"{shown}{why}; call again with offset={offset + returned} for the next rows"

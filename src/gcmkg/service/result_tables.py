"""How a saved query's result reads as a table for people: column names, names instead of IRIs,
the provision's text, offsets only on request, and pages.

Column names come from one table here (:data:`COLUMN_NAMES`, then a variable's own words:
``via_footnote`` reads "Via footnote"), for the HTML table and the spreadsheet downloads
(:mod:`gcmkg.service.downloads`) alike.  A variable that holds the names of another's IRIs
(``action_label`` beside ``action``, see :func:`names_column_of`) becomes the text of that
column's links instead of a column of its own.  Character offsets (:data:`OFFSET_COLUMNS`, and
the bracketed ones in the evidence the linkers wrote as text, :data:`QUOTED_OFFSETS`) are left
out unless asked for; the words they delimit are highlighted in the provision's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gcmkg.service.pages import Linker

COLUMN_NAMES = {
    "action": "Action",
    "instrument": "Instrument",
    "evidence": "Evidence",
    "document": "Document",
    "provision": "Provision",
    "via_footnote": "Cited through footnote",
    "start": "Start (character)",
    "end": "End (character)",
    "line_start": "First line",
    "line_end": "Last line",
    "page_start": "First page",
    "page_end": "Last page",
    "annotates": "Annotates",
    "concerns": "Concerns",
    "final_provision": "Final text",
    "draft_provision": "Zero Draft Plus",
    "final_text": "Final wording",
    "draft_text": "Draft wording",
    "english_provision": "English",
    "english_text": "English text",
    "swedish_provision": "Swedish",
    "swedish_text": "Swedish text",
    "provision_kind": "Kind",
    "citing_provisions": "Citing provisions",
    "under_its_round_table": "Under its round table",
    "objective_words": "Words of the objective",
    "commitment_text": "Commitment text",
    "heading_text": "Sub-heading",
}
# a variable holding the names of another variable's IRIs, where its name does not say which
NAMES_OF = {
    "annotated_label": "annotates",
    "final_label": "final_provision",
    "draft_label": "draft_provision",
    "english_label": "english_provision",
}
OFFSET_COLUMNS = frozenset({"start", "end"})
# evidence the linkers wrote as text, with the offsets of the quoted words in brackets ([452–472], [3:235])
QUOTED_OFFSETS = re.compile(r" ?\[[0-9]+[–:-][0-9]+\]")
EVIDENCE_COLUMNS = frozenset({"evidence", "quoted", "objective_words", "matched"})
# the IRI column whose provision's text a table shows when the query gives no text of its own
TEXT_OF = ("action", "provision", "concerns", "recommendation")
PAGE_SIZES = (25, 50, 100, 500)
PAGE_SIZE = 50


def column_name(variable: str) -> str:
    """The human name of a result variable.

    >>> column_name("action"), column_name("via_footnote"), column_name("round_table")
    ('Action', 'Cited through footnote', 'Round table')
    """
    return COLUMN_NAMES.get(variable) or variable.replace("_", " ").capitalize()


def names_column_of(variable: str, variables: Sequence[str]) -> str | None:
    """The variable whose IRIs ``variable`` names (``action_label`` → ``action``), if it is projected.

    >>> names_column_of("action_label", ["action", "action_label"]), names_column_of("label", ["label"])
    ('action', None)
    """
    named = NAMES_OF.get(variable) or (variable[: -len("_label")] if variable.endswith("_label") else None)
    return named if named in variables else None


@dataclass
class Table:
    """One page of a result as the template shows it."""

    columns: list[str]  # human names
    rows: list[list[dict[str, Any]]]
    total: int  # rows in the whole result
    page: int
    page_size: int
    hidden_offsets: bool  # offset columns exist and are not shown
    first: int = field(init=False)  # 1-based number of the first row shown
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.page_size))
        self.first = (self.page - 1) * self.page_size + 1


def table(
    results: dict[str, Any],
    *,
    fixed: Sequence[str],
    linker: Callable[[list[str]], Linker],
    texts: Callable[[list[str]], dict[str, tuple[str, str]]],
    offsets: bool,
    page: int,
    page_size: int,
) -> Table:
    """The page ``page`` of ``results`` (SPARQL JSON) as a table.

    ``fixed`` are the parameter variables bound to one value (the form above says it, so their
    column is left out); ``linker`` makes the :class:`~gcmkg.service.pages.Linker` for the IRIs
    of the page (their names looked up); ``texts`` gives the text of provisions by IRI, with its language tag.
    """
    if "boolean" in results:
        cell = {"kind": "literal", "value": "true" if results["boolean"] else "false", "language": ""}
        return Table(["Answer"], [[cell]], 1, 1, page_size, False)
    variables: list[str] = results.get("head", {}).get("vars", [])
    bindings: list[dict[str, Any]] = results.get("results", {}).get("bindings", [])
    names = {named: v for v in variables if (named := names_column_of(v, variables))}
    has_offsets = OFFSET_COLUMNS <= set(variables) or any(
        QUOTED_OFFSETS.search(row[v]["value"]) for row in bindings for v in EVIDENCE_COLUMNS if v in row
    )
    filled = {v for row in bindings for v in row}  # a column no row fills says nothing (an open parameter's own)
    shown = [
        v
        for v in variables
        if v in filled and v not in fixed and v not in names.values() and (offsets or v not in OFFSET_COLUMNS)
    ] or variables
    has_text = any(v == "text" or v.endswith("_text") for v in variables)
    text_column = None if has_text else next((v for v in TEXT_OF if v in shown), None)
    page = min(page, max(1, -(-len(bindings) // page_size)))  # past the last page: the last one
    start = (page - 1) * page_size
    window = bindings[start : start + page_size]
    links = linker(sorted({c["value"] for row in window for c in row.values() if c.get("type") == "uri"}))
    provision_texts = (
        texts(sorted({r[text_column]["value"] for r in window if text_column in r})) if text_column else {}
    )
    columns = [column_name(v) for v in shown]
    if text_column:
        columns.insert(shown.index(text_column) + 1, "Text")
    rows = []
    for row in window:
        cells = []
        for variable in shown:
            cell = _cell(row, variable, names.get(variable), links)
            if not offsets and variable in EVIDENCE_COLUMNS and cell["kind"] == "literal":
                cell["value"] = QUOTED_OFFSETS.sub("", cell["value"])
            cells.append(cell)
            if variable == text_column:
                iri = row.get(variable, {}).get("value", "")
                cells.append(_text_cell(*provision_texts.get(iri, ("", "")), row))
        rows.append(cells)
    return Table(columns, rows, len(bindings), page, page_size, has_offsets and not offsets)


def _cell(row: dict[str, Any], variable: str, names_variable: str | None, linker: Linker) -> dict[str, Any]:
    cell = row.get(variable)
    if cell is None:
        return {"kind": "empty"}
    if cell.get("type") == "uri":
        iri = cell["value"]
        name = row.get(names_variable, {}).get("value") if names_variable else None
        return {
            "kind": "iri",
            "href": linker.href(iri),
            "name": name or linker.name(iri),
            "raw": iri,
            "labelled": bool(name) or iri in linker.labels,
        }
    return {"kind": "literal", "value": cell.get("value", ""), "language": cell.get("xml:lang", "")}


def _text_cell(text: str, language: str, row: dict[str, Any]) -> dict[str, Any]:
    """The provision's text, with the cited words marked where the row's offsets delimit them in it.

    >>> row = {"start": {"value": "4"}, "end": {"value": "7"}, "evidence": {"value": "ILO"}}
    >>> _text_cell("the ILO conventions", "en", row)["parts"]
    [('the ', False), ('ILO', True), (' conventions', False)]
    >>> _text_cell("a footnote's words", "en", row)["parts"]  # offsets into another text: nothing marked
    [("a footnote's words", False)]
    """
    try:
        start, end = int(row["start"]["value"]), int(row["end"]["value"])
    except (KeyError, ValueError):
        return {"kind": "text", "language": language, "parts": [(text, False)]}
    if text[start:end] != row.get("evidence", {}).get("value"):
        return {"kind": "text", "language": language, "parts": [(text, False)]}
    return {
        "kind": "text",
        "language": language,
        "parts": [(text[:start], False), (text[start:end], True), (text[end:], False)],
    }

"""Saved-query results as spreadsheets: CSV with a name beside every IRI (optionally with a UTF-8
byte-order mark) and XLSX.

These are downloads for people, beside the W3C SPARQL CSV and TSV results that
:mod:`gcmkg.service.results` writes for protocol clients (which stay exactly as the W3C formats
say: one column per variable, IRIs bare).  Here every column that holds IRIs is followed by a
column with their names (``Action IRI`` then ``Action``), headers are the human column names of
:mod:`gcmkg.service.result_tables`, and a variable the query already projects as a name
(``action_label`` beside ``action``) is used as that name column instead of being repeated.

A spreadsheet opening a CSV file guesses its encoding; without a byte-order mark Excel reads
UTF-8 as a legacy code page and garbles Swedish and Arabic, hence ``bom``.  XLSX is written with
openpyxl (pure Python, in the thread that answers; every cell is text, as in the CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gcmkg.service.result_tables import column_name, names_column_of

BOM = "\ufeff"


@dataclass(frozen=True)
class Sheet:
    """A result as a plain table of strings: a header row and the rows."""

    header: list[str]
    rows: list[list[str]]


def labelled_sheet(results: dict[str, Any], name_of: Callable[[list[str]], dict[str, str]]) -> Sheet:
    """The SPARQL JSON ``results`` as a table with a name column after each IRI column.

    ``name_of`` gives display names for a list of IRIs; an IRI it has no name for is its own
    name, so that no name cell is empty beside a bound IRI.
    """
    if "boolean" in results:
        return Sheet(["Answer"], [["true" if results["boolean"] else "false"]])
    variables: list[str] = results.get("head", {}).get("vars", [])
    bindings: list[dict[str, Any]] = results.get("results", {}).get("bindings", [])
    iri_columns = {v for v in variables if any(row.get(v, {}).get("type") == "uri" for row in bindings)}
    given = {named: v for v in variables if (named := names_column_of(v, variables)) in iri_columns}
    names = name_of(sorted({row[v]["value"] for row in bindings for v in iri_columns if v in row}))
    header: list[str] = []
    plan: list[tuple[str, bool]] = []  # (variable, whether the cell is the name of its IRI)
    for variable in variables:
        if variable in given.values():
            continue  # it is the name column of its IRI column
        if variable not in iri_columns:
            header.append(column_name(variable))
            plan.append((variable, False))
            continue
        header += [column_name(variable) + " IRI", column_name(variable)]
        plan += [(variable, False), (given[variable], False) if variable in given else (variable, True)]
    rows = []
    for row in bindings:
        out = []
        for variable, as_name in plan:
            value = str(row[variable].get("value", "")) if variable in row else ""
            out.append(names.get(value, value) if as_name else value)
        rows.append(out)
    return Sheet(header, rows)


def csv_bytes(sheet: Sheet, *, bom: bool) -> bytes:
    """The sheet as CSV (RFC 4180, CRLF), UTF-8, with a byte-order mark when ``bom``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    writer.writerows(sheet.rows)
    return ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: Sheet, title: str) -> bytes:
    """The sheet as one XLSX worksheet named ``title`` (cut to Excel's 31 characters), header in bold."""
    from openpyxl import Workbook  # imported when a spreadsheet is asked for: a tenth of a second at start
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_sheet_title(title))
    bold = Font(bold=True)
    header_cells = []
    for text in sheet.header:
        cell = WriteOnlyCell(worksheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in sheet.rows:
        worksheet.append([_text_cell(worksheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with any of ``[]:*?/\\``.

    >>> _sheet_title("actions-citing-ilo-instruments-and-more")
    'actions-citing-ilo-instruments-'
    """
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in title)
    return cleaned[:31] or "results"


def _text_cell(worksheet: Any, value: str) -> Any:
    """A cell holding ``value`` as text, exactly: a value starting with ``=`` stays text, not a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    return cell

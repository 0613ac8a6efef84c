"""A policy officer's journeys through the saved queries, in a real browser (issue 11).

From the home page to "actions citing ILO", then every document instead of the final text;
the spreadsheet downloads opened as a spreadsheet would open them (the byte-order mark, names
beside IRIs, Swedish and Arabic intact; the XLSX read with openpyxl); and a bad value answered
with the form, not with JSON.  What the pages show is compared with the service's own JSON
answer, fetched separately.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.server

ILO = "actions-citing-ilo-instruments"


def rows_shown(page: Page) -> int:
    return page.locator("table tbody tr").count()


def json_rows(base: str, name: str, **params: str) -> list[dict[str, str]]:
    answer = httpx.get(f"{base}/queries/{name}", params={**params, "format": "json"}, timeout=30)
    assert answer.status_code == 200
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def test_actions_citing_ilo_from_the_home_page_then_in_every_document(
    page: Page, browser_url: str, shoot: Callable[[str], Path]
) -> None:
    page.goto(browser_url + "/")
    page.get_by_role("link", name="Saved queries").first.click()
    page.get_by_role("link", name="Actions citing ILO instruments, with the evidence").click()
    form = page.locator(f"form[action='/queries/{ILO}']")
    assert form.locator("select[name=document]").input_value() == "id/a-73-l-66/en"  # the final text by default
    form.get_by_role("button", name="Run").click()
    page.wait_for_url(f"**/queries/{ILO}?*")
    assert page.locator("h2#results").inner_text() == "Results (3 rows)"
    headers = page.locator("table thead th").all_inner_texts()
    assert headers[:3] == ["Action", "Text", "Instrument"] and "Evidence" in headers
    assert not {"start", "end", "action_label", "Start (character)"} & set(headers)  # no offsets unless asked
    first = page.locator("table tbody tr").first
    assert first.get_by_role("link", name="Action 21 (a)").get_attribute("href") == "/id/a-73-l-66/en/annex/para/21/a"
    assert (
        first.locator("mark").inner_text()
        == "International Labour Organization (ILO) standards, guidelines and principles"
    )
    shoot("final-text")

    page.locator("select[name=document]").select_option(label="All documents")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**document=any*")
    expected = json_rows(browser_url, ILO, document="any")
    assert len(expected) == 8
    assert page.locator("h2#results").inner_text() == "Results (8 rows)"
    assert rows_shown(page) == 8
    assert page.locator("select[name=document]").input_value() == "any"  # the form says what was asked
    assert "ILO:s rekommendation 202 om socialt grundskydd" in page.locator("table").inner_text()


def test_spreadsheet_downloads_keep_names_swedish_and_arabic(page: Page, browser_url: str) -> None:
    name = "provisions-citing-category"
    page.goto(f"{browser_url}/queries/{name}?document=any")
    expected = json_rows(browser_url, name, document="any")
    arabic = [row["evidence"] for row in expected if "/ar/" in row["provision"]]
    swedish = [row["evidence"] for row in expected if "/sv/" in row["provision"]]
    assert arabic and swedish

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV for Excel").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{name}.labels.csv"
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so that a spreadsheet reads UTF-8"
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    assert header[:2] == ["Category IRI", "Category"] and "Provision IRI" in header and "Instrument" in header
    assert len(body) == len(expected)
    provision, provision_name = header.index("Provision IRI"), header.index("Provision")
    assert provision_name == provision + 1  # the name beside its IRI
    evidence = header.index("Evidence")
    assert [r[evidence] for r in body] == [row["evidence"] for row in expected]  # Arabic and Swedish as in the graph
    assert all(r[provision_name] and not r[provision_name].startswith("http") for r in body)
    assert {r[provision] for r in body} == {row["provision"] for row in expected}

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    sheet = [[cell if cell is not None else "" for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    assert sheet[0] == header and sheet[1:] == body

    plain = httpx.get(f"{browser_url}/queries/{name}", params={"document": "any", "format": "csv"}).content
    assert not plain.startswith(b"\xef\xbb\xbf")  # the W3C SPARQL CSV is unchanged: no mark, variables as header
    assert (
        plain.split(b"\r\n", 1)[0]
        == b"category,document,provision,provision_label,instrument,instrument_label,evidence,via_footnote"
    )


def test_a_bad_value_shows_the_form_filled_in(page: Page, browser_url: str) -> None:
    response = page.goto(f"{browser_url}/queries/objective-actions?objective=24&version=translation")
    assert response is not None and response.status == 400
    problem = page.get_by_role("alert")
    assert "Objective number (1 to 23)" in problem.inner_text() and "objective" in problem.inner_text()
    assert "It accepts one of 1, 2, 3" in problem.inner_text()
    assert page.locator("select[name=objective]").input_value() == "24"  # as sent, marked
    assert page.locator("select[name=objective] option:checked").inner_text() == "24 (not accepted)"
    assert page.locator("select[name=version]").input_value() == "translation"
    assert page.locator("select[name=objective]").get_attribute("aria-invalid") == "true"

    response = page.goto(f"{browser_url}/queries/provision-text?provision=not%20an%20iri")
    assert response is not None and response.status == 400
    assert page.locator("input[name=provision]").input_value() == "not an iri"
    assert "IRI" in page.get_by_role("alert").inner_text()
    # a program asking for JSON keeps its JSON error
    answer = httpx.get(
        f"{browser_url}/queries/objective-actions", params={"objective": "24"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "objective"]


def test_long_results_are_paged(page: Page, browser_url: str) -> None:
    page.goto(f"{browser_url}/queries/provision-sources")
    assert page.locator("select[name=kind]").input_value() == "any"
    assert page.locator("h2#results").inner_text() == "Results (340 rows; rows 1–50 shown)"
    assert rows_shown(page) == 50
    page.get_by_role("navigation", name="Pages of results").get_by_role("link", name="7").click()
    assert rows_shown(page) == 340 - 6 * 50
    page.get_by_role("link", name="25", exact=True).click()  # a new size starts again at the first page
    assert rows_shown(page) == 25
    assert page.locator("h2#results").inner_text() == "Results (340 rows; rows 1–25 shown)"

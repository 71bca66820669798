"""``escalate subject-access`` and ``escalate retention plan`` at a terminal: the data
protection officer writes a care leaver's records to an HTML file (into a folder made for it)
that reads well and passes the accessibility check in a browser, to a PDF, or prints them as
JSON, and reads when each closed escalation's text falls due; anyone else is refused and nothing
is written."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from tests.support.browser import accessible, kept_page
from tests.support.cli import NOW, RAISE, new_site, run

pytestmark = pytest.mark.slow


def _looks(site: Path) -> int:
    with closing(sqlite3.connect(site / "escalations.db")) as db:
        return int(db.execute("SELECT count(*) FROM access_entry").fetchone()[0])


def test_the_data_protection_officer_exports_a_childs_records_to_read(
    tmp_path: Path, browser: Any
) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, now=NOW).returncode == 0
    assert (
        run(site, "respond", "ESC-2026-0001", "--note", "Allocated.", user="jo", now=NOW).returncode
        == 0
    )
    written = run(
        site, "subject-access", "cla-100234", "-o", "requests/CLA-100234.html", user="dana"
    )
    assert written.returncode == 0, written.stderr
    assert "1 escalation about CLA-100234" in written.stdout
    page_file = site / "requests" / "CLA-100234.html"
    with kept_page(browser, "subject-access-file") as page:
        page.goto(page_file.as_uri())
        assert page.get_by_role("heading", name="Records about CLA-100234").is_visible()
        text = page.inner_text("body")
        assert "No permanence plan" in text
        assert "Allocated." in text
        assert "Jo Bennett" in text
        accessible(page)
    as_json = run(site, "subject-access", "CLA-100234", "--format", "json", "--names", "roles",
                  user="dana")  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    export = json.loads(as_json.stdout)
    assert [step["who"] for step in export["escalations"][0]["timeline"]] == ["IRO", "Team manager"]
    as_pdf = run(site, "subject-access", "CLA-100234", "--format", "pdf", "-o", "CLA-100234.pdf",
                 user="dana")  # fmt: skip
    assert as_pdf.returncode == 0, as_pdf.stderr
    pages = pdfium.PdfDocument((site / "CLA-100234.pdf").read_bytes())
    words = "".join(page.get_textpage().get_text_range() for page in pages)
    assert "Records about CLA-100234" in words
    assert "Allocated." in words


@pytest.mark.parametrize(
    ("user", "args", "named"),
    [
        ("jo", ("CLA-100234",), "data protection officer role"),
        ("dana", ("CLA-999999",), "No escalation is about case CLA-999999"),
        ("dana", ("CLA-100234", "--format", "docx"), "'docx' is not one of html, pdf, json"),
        ("dana", ("CLA-100234", "--names", "nobody"), "people .*or roles"),
    ],
)  # fmt: skip
def test_a_refused_export_says_why_and_writes_nothing(
    tmp_path: Path, user: str, args: tuple[str, ...], named: str
) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, now=NOW).returncode == 0
    before = _looks(site)
    refused = run(site, "subject-access", *args, "-o", "out.html", user=user)
    assert refused.returncode != 0
    assert re.search(named, refused.stderr), refused.stderr
    assert not (site / "out.html").exists()
    assert _looks(site) == before


def test_the_retention_plan_at_a_terminal(tmp_path: Path) -> None:
    site = new_site(tmp_path, "--training")
    config = site / "config.yaml"
    config.write_text(config.read_text() + "retention:\n  years_after_closure: 7\n")
    assert run(site, *RAISE, now=NOW).returncode == 0
    assert run(site, "withdraw", "ESC-2026-0001", "--note", "Resolved.", now=NOW).returncode == 0
    printed = run(site, "retention", "plan", "--csv", user="dana")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines() == [
        "reference,workflow,category,closed_on,years,kept_until,remove_on",
        "ESC-2026-0001,dispute_resolution,drift_and_delay,2026-01-05,7,,2033-01-05",
    ]
    table = run(site, "retention", "plan", user="dana")
    assert "1 closed escalation under the schedule" in table.stdout
    refused = run(site, "retention", "plan", user="jo")
    assert refused.returncode != 0
    assert "may not read the retention plan" in refused.stderr

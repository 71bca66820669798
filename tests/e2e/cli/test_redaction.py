"""``escalate redact`` and ``escalate correct`` at a terminal: the data protection officer
removes a note's text and corrects an alert's summary; the trail still verifies and names the
redaction; the text is gone from the database file; anyone else is refused and nothing is
written."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.cli import NOW, RAISE, new_site, run

pytestmark = pytest.mark.slow

NOTE = "Spoke to Zebedee Quokka's mother"


def _counts(site: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(site / "escalations.db")) as db:
        entries = db.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
        texts = db.execute("SELECT count(*) FROM entry_text").fetchone()[0]
    return int(entries), int(texts)


def _files(site: Path) -> bytes:
    return b"".join(p.read_bytes() for p in site.glob("escalations.db*"))


def test_the_data_protection_officer_redacts_and_corrects_and_the_trail_verifies(
    tmp_path: Path,
) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, now=NOW).returncode == 0
    responded = run(site, "respond", "ESC-2026-0001", "--note", NOTE, user="jo", now=NOW)
    assert responded.returncode == 0, responded.stderr
    export = run(site, "subject-access", "CLA-100234", "--format", "json", user="dana")
    timeline = json.loads(export.stdout)["escalations"][0]["timeline"]
    assert [(step["entry"], step["note"]) for step in timeline][1] == (2, NOTE)
    assert NOTE.encode() in _files(site)

    before = _counts(site)
    refused = run(site, "redact", "ESC-2026-0001", "--entry", "2", "--reason", "x", user="jo")
    assert refused.returncode == 1
    assert "may not redact text in the audit trail" in refused.stderr
    unknown = run(site, "redact", "ESC-2026-0001", "--entry", "9", "--reason", "x", user="dana")
    assert unknown.returncode == 1
    assert "Entry 9 is not in ESC-2026-0001's trail" in unknown.stderr
    assert _counts(site) == before

    redacted = run(site, "redact", "esc-2026-0001", "--entry", "2", "--field", "note",
                   "--reason", "Names a parent", user="dana")  # fmt: skip
    assert redacted.returncode == 0, redacted.stderr
    assert "Redacted the note of entry 2 of ESC-2026-0001 (recorded as entry 3)" in redacted.stdout
    assert NOTE.encode() not in _files(site)
    corrected = run(site, "correct", "ESC-2026-0001", "--entry", "1", "--text",
                    "Permanence plan overdue", "--reason", "Clearer wording", user="dana")  # fmt: skip
    assert corrected.returncode == 0, corrected.stderr

    shown = run(site, "show", "ESC-2026-0001", "--json", user="priya")
    item = json.loads(shown.stdout)
    assert item["summary"] == "Permanence plan overdue"
    said = [(entry["note"], entry["afterwards"]) for entry in item["timeline"]]
    assert said[0] == (
        "No permanence plan",
        ["Note corrected by entry 4 (Clearer wording): Permanence plan overdue"],
    )
    assert said[1] == ("[redacted]", ["Note removed by entry 3: Names a parent"])
    assert NOTE not in shown.stdout

    verified = run(site, "audit", "verify", user="priya")
    assert verified.returncode == 0, verified.stderr
    said = " ".join(verified.stdout.split())
    assert "kept apart from its entry from entry 1 on" in said
    assert "redacted (entry 2, field note, by dana," in said
    assert "why: Names a parent)" in said


def test_the_case_records_dates_are_imported_and_planned(tmp_path: Path) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, now=NOW).returncode == 0
    withdrawn = run(site, "withdraw", "ESC-2026-0001", "--note", "Raised in error.", now=NOW)
    assert withdrawn.returncode == 0, withdrawn.stderr
    dates = tmp_path / "dates.csv"
    dates.write_text("case,keep_until\nCLA-100234,2083-05-17\n", encoding="utf-8")
    refused = run(site, "import", str(dates), "--case-dates", user="priya")
    assert refused.returncode == 1
    assert "may not import the case record's retention dates" in refused.stderr
    imported = run(site, "import", str(dates), "--case-dates", user="dana")
    assert imported.returncode == 0, imported.stderr
    assert "held the case record's date for 1 case" in " ".join(imported.stdout.split())
    planned = run(site, "retention", "plan", "--json", user="dana")
    assert [(d["reference"], d["kept_until"], d["remove_on"])
            for d in json.loads(planned.stdout)["due"]] == [
        ("ESC-2026-0001", "2083-05-17", "2083-05-17")
    ]  # fmt: skip
    as_csv = run(site, "retention", "plan", "--csv", user="dana")
    assert as_csv.stdout.splitlines()[1].endswith(",2083-05-17,2083-05-17")

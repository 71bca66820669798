"""The subject-access PDF: rendered to an image it shows its words on its pages (not a blank
page), names in any alphabet print as written, and each escalation starts a page."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from escalation_engine.reports.subject_access_pdf import document


def _export(escalations: int = 2) -> dict[str, Any]:
    step = {"when": "Mon 05 Jan 2026 09:00", "who": "Łukasz Nowak", "what": "Raised",
            "stage": "Stage 1: team manager", "note": "No permanence plan → four months on.",
            "details": ["Routed: the duty manager"], "told": ["Siobhán Ní Bhriain"]}  # fmt: skip
    one = {"reference": "ESC-2026-0001", "other_children": 1, "category": "Drift and delay",
           "workflow": "Dispute Resolution Protocol, version 1: Practice Alert", "team": "North",
           "raised": "Mon 05 Jan 2026 09:00", "raised_by": "Łukasz Nowak",
           "stage": "Stage 1: team manager", "open": True, "closed": None, "timeline": [step],
           "looks": [{"when": "Tue 06 Jan 2026 10:00", "who": "Jo Bennett",
                      "how": "Opened its page"}]}  # fmt: skip
    return {"case": "CLA-100234", "produced": "Mon 07 Dec 2026 12:00", "produced_by": "Dana",
            "names": "people",
            "escalations": [one | {"reference": f"ESC-2026-000{n + 1}"} for n in range(escalations)]}  # fmt: skip


def _pages(blob: bytes) -> list[tuple[str, float]]:
    """Each page's text, and the share of its pixels that are not white when drawn."""
    pdf = pdfium.PdfDocument(blob)
    found = []
    for page in pdf:
        text = page.get_textpage().get_text_range()
        image = page.render(scale=1).to_pil().convert("L")
        inked = sum(image.histogram()[:200]) / (image.width * image.height)
        found.append((text, inked))
    return found


def test_the_pdf_draws_its_words_one_escalation_to_a_page() -> None:
    pages = _pages(document(_export()))
    assert len(pages) == 3  # what this is, then each escalation
    first, *rest = pages
    assert "Records about CLA-100234" in first[0]
    assert "2 escalations" in first[0]
    for (text, inked), reference in zip(rest, ("ESC-2026-0001", "ESC-2026-0002"), strict=True):
        assert f"Escalation {reference}" in text
        assert "Łukasz Nowak" in text
        assert "Siobhán Ní Bhriain" in text
        assert "→" in text
        assert "also about 1 other child" in text
        assert 0.005 < inked < 0.5  # words on the page, not blank and not a block of ink
    assert first[1] > 0.005


def test_a_long_trail_runs_on_over_pages() -> None:
    export = _export(1)
    step = export["escalations"][0]["timeline"][0]
    export["escalations"][0]["timeline"] = [step | {"note": "A long note. " * 40}] * 30
    pages = _pages(document(export))
    assert len(pages) > 3
    assert "Who looked at it" in pages[-1][0]

"""The report's HTML opens in a real browser with its charts drawn."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Browser

from escalation_engine.domain.periods import financial_year
from escalation_engine.reports.html import page
from tests.support.service_year import ServiceYear
from tests.support.shipped import ROOT

pytestmark = pytest.mark.slow
THIS = financial_year("2025-26")
CHARTS = ("raised_by_category", "previous_beside", "highest_stage", "resolution_time")


def test_the_html_opens_in_chromium_and_shows_its_charts(
    year: ServiceYear, browser: Browser, request: pytest.FixtureRequest
) -> None:
    report = year.service.report("priya", THIS).as_dict()
    path = year.folder / "report.html"
    path.write_text(page(report), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        opened.goto(path.as_uri())
        assert opened.title() == "Escalations 2025-26"
        artefacts = ROOT / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        opened.screenshot(path=str(artefacts / f"{request.node.name}.png"), full_page=True)
        for key in CHARTS:
            image = opened.locator(f"#chart-{key} img")
            drawn = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
            assert drawn[0], key
            assert drawn[1] > 500, (key, drawn)
            assert drawn[2] > 200, (key, drawn)
            assert image.get_attribute("alt")
            shot = Image.open(io.BytesIO(image.screenshot()))
            colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20, f"{key} looks blank"
        shown = opened.locator("#summary + table tbody tr").first.inner_text()
        assert "305" in shown
        assert "140" in shown
        assert opened.locator("script").count() == 0  # pictures, not script: they paste into Word
        # The period at a glance comes before the charts and tables, a page of its own printed.
        glance = opened.locator("section.glance")
        assert glance.locator("li").first.inner_text().startswith("305 escalations were raised")
        first = opened.evaluate(
            "() => [...document.querySelectorAll('section.glance, figure, table')][0].className"
        )
        assert first == "glance"
        opened.emulate_media(media="print")
        assert glance.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    finally:
        context.close()

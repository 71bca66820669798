"""Debian's Chromium, driven by Playwright, which downloads no browser of its own; a page in a
context of its own, whose last screen is kept for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.shipped import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip


@contextmanager
def kept_page(browser: Any, name: str, **options: Any) -> Iterator[Any]:
    """A page in a context of its own (``options`` for the context); a screenshot of where it
    ended is kept as test-artefacts/NAME.png."""
    context = browser.new_context(**options)
    opened = context.new_page()
    try:
        yield opened
        artefacts = ROOT / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        opened.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
    finally:
        context.close()

"""Debian's Chromium, driven by Playwright, which downloads no browser of its own; a page in a
context of its own, whose last screen is kept for a person to look at."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.server import PASSWORD
from tests.support.shipped import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip
AXE = ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
#: A phone's screen, the narrowest the desk is checked at.
PHONE = {"width": 390, "height": 844}


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


def accessible(page: Any) -> None:
    """No serious or critical accessibility problem on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa', 'best-practice']})).violations.map(v => ({id: v.id, impact:"
        " v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)


def open_as(page: Any, url: str, username: str) -> None:
    """Go to ``url``, sign in as ``username`` on the way, and arrive there."""
    page.goto(url)
    sign_in(page, username)
    page.wait_for_url(url)


def sign_in(page: Any, username: str) -> None:
    accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def tab_until(page: Any, selector: str) -> None:
    """Press Tab until the element ``selector`` names has the focus (at most 150 times)."""
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def keyed_sign_in(page: Any, username: str) -> None:
    """Sign in from the keyboard alone: Tab to each box, type, Enter."""
    tab_until(page, "#username")
    page.keyboard.type(username)
    tab_until(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def keyed_choice(page: Any, selector: str, value: str) -> None:
    """Choose ``value`` in the drop-down ``selector`` names from the keyboard: Tab to it, then
    the arrow keys from the first option."""
    values: list[str] = page.locator(f"{selector} option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    tab_until(page, selector)
    page.keyboard.press("Home")
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")


def keyed_follow(page: Any, selector: str) -> None:
    """Tab to the link or button ``selector`` names and press Enter."""
    tab_until(page, selector)
    page.keyboard.press("Enter")


def fits(page: Any) -> bool:
    """Nothing on the page scrolls sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))

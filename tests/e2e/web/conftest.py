"""What the desk's browser tests share: a page in a context of its own, its last screen kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import kept_page


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    # The pages forbid inline scripts; axe is injected as one, so the test's own context lifts
    # the policy (the pages themselves never need it).
    with kept_page(browser, request.node.name, bypass_csp=True) as opened:
        yield opened

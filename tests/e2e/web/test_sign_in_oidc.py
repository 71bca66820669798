"""Signing in with an identity provider: a real OpenID Connect provider (the npm package
``oidc-provider``) on loopback, a real browser (Debian's Chromium under Playwright) for the
authorization code flow with PKCE, and the CLI's device sign-in approved in that browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import kept_page
from tests.support.cli import ESCALATE
from tests.support.databases import database
from tests.support.server import Live, as_client, service_folder, serving
from tests.support.shipped import ROOT

pytestmark = pytest.mark.slow

PROVIDER = ROOT / "tests" / "oidc"
SECRET = "loopback-client-secret"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """``escalate serve`` signing people in with the provider, which knows its redirect URI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    provider = subprocess.Popen(
        ["node", "provider.js"], cwd=PROVIDER, env=env | {"CLIENT_SECRET": SECRET},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert provider.stdin is not None
    assert provider.stdout is not None
    try:
        issuer = provider.stdout.readline().split()[-1]
        path = tmp_path_factory.mktemp("sso")
        extra = (
            f"server:\n  oidc:\n    issuer: {issuer}\n    client_id: escalate\n"
            "    client_secret_env: ESCALATE_OIDC_CLIENT_SECRET\n    name: the council account\n"
        )
        with database("sqlite", path) as url:
            folder = service_folder(path, url, extra)
            with serving(folder, {"ESCALATE_OIDC_CLIENT_SECRET": SECRET}) as running:
                provider.stdin.write(running.url + "/sign-in/callback\n")
                provider.stdin.flush()
                assert provider.stdout.readline().strip() == "ready"
                yield running
    finally:
        provider.terminate()
        provider.communicate(timeout=30)  # closes its pipes


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with kept_page(browser, request.node.name) as opened:
        yield opened


def _sign_in_at_provider(page: Page, login: str) -> None:
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue", exact=True).click()  # consent


def test_a_manager_signs_in_with_the_identity_provider_in_a_browser(live: Live, page: Page) -> None:
    page.goto(live.url + "/sign-in")
    page.get_by_role("link", name="Sign in with the council account").click()
    _sign_in_at_provider(page, "jo.bennett")
    page.wait_for_url(live.url + "/inbox")
    assert "Signed in as Jo Bennett (jo)" in page.inner_text("nav")
    cookie = next(c for c in page.context.cookies() if c["name"] == "escalate_session")
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Lax")
    record = [(r.username, r.ok, r.method) for r in live.service.accounts.sign_ins("amir")]
    assert ("jo", True, "oidc") in record
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live.url + "/sign-in")
    page.goto(live.url + "/inbox")
    page.wait_for_url(live.url + "/sign-in?next=/inbox")  # the session ended with the sign-out


def test_someone_the_service_does_not_list_is_refused_and_it_is_recorded(
    live: Live, page: Page
) -> None:
    page.goto(live.url + "/sign-in/oidc")
    _sign_in_at_provider(page, "stranger")
    page.wait_for_url(re.compile(r".*/sign-in/callback.*"))
    assert "stranger@example.org signed in with the identity provider, but is not listed" in (
        page.inner_text("main")
    )
    assert not any(c["name"] == "escalate_session" for c in page.context.cookies())
    failures = [r.detail for r in live.service.accounts.sign_ins("amir") if not r.ok]
    assert any("stranger@example.org" in detail for detail in failures)


def test_a_callback_that_did_not_start_in_this_browser_is_refused(live: Live, page: Page) -> None:
    page.goto(live.url + "/sign-in/callback?state=forged&code=forged")
    assert "did not start in this browser" in page.inner_text("main")


def test_the_cli_signs_in_with_a_device_code_approved_in_a_browser(
    live: Live, page: Page, tmp_path: Path
) -> None:
    home = live.client(tmp_path / "mark")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    login = subprocess.Popen(
        [str(ESCALATE), "login", "--sso"], cwd=home,
        env=env | {"XDG_CONFIG_HOME": str(home / ".config"), "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert login.stdout is not None
    said = login.stdout.readline()
    found = re.search(r"open (\S+) and enter the code", said)
    assert found is not None, said
    page.goto(found.group(1))
    page.get_by_role("button", name="Continue", exact=True).click()  # confirm the code
    _sign_in_at_provider(page, "mark.ellis")
    out, err = login.communicate(timeout=120)
    assert login.returncode == 0, err
    assert "as Mark Ellis (mark)" in out
    me = json.loads(as_client(home, "whoami", "--json").stdout)
    assert me["username"] == "mark"


def test_a_sign_in_begun_at_one_server_process_is_finished_at_another(
    live: Live, page: Page, tmp_path: Path
) -> None:
    # A second process over the same database and public address, as behind a load balancer:
    # the browser starts there, and the provider sends it back to the first.
    other = tmp_path / "other"
    shutil.copytree(live.folder, other, ignore=shutil.ignore_patterns("escalations.db*"))
    config = other / "config.yaml"
    config.write_text(
        config.read_text().replace("server:\n  oidc:", f"server:\n  url: {live.url}\n  oidc:")
    )
    with serving(other, {"ESCALATE_OIDC_CLIENT_SECRET": SECRET}) as second:
        page.goto(second.url + "/sign-in/oidc")
        _sign_in_at_provider(page, "mark.ellis")
        page.wait_for_url(live.url + "/inbox")
    assert "Signed in as Mark Ellis (mark)" in page.inner_text("nav")

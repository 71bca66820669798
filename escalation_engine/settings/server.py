"""The ``server:`` section of config.yaml: where the service is reached, how long a sign-in lasts,
and the council's identity provider.

A client's config.yaml may hold nothing but ``server: {url: ...}``; the service's own holds the
rest. Secrets are never written here: the identity provider's client secret is read from the
environment variable this section names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from escalation_engine.settings.fields import Fields, web_address

SERVER_KEYS = ("url", "token_hours", "max_request_kb", "threads", "oidc")
OIDC_KEYS = ("issuer", "client_id", "client_secret_env", "claim", "match", "scopes", "name")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcSettings:
    """The council's OpenID Connect provider (Microsoft Entra ID, or any other)."""

    issuer: str
    client_id: str
    #: The environment variable holding the client secret ("" for a public client using PKCE).
    client_secret_env: str = "ESCALATE_OIDC_CLIENT_SECRET"
    #: The ID token claim that names the person, and what it is matched to under people.
    claim: str = "email"
    match: str = "email"
    scopes: str = "openid profile email"
    #: What the sign-in button calls it.
    name: str = "your council account"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSettings:
    #: Where people reach the service (behind its TLS proxy): clients and email links use it.
    url: str | None = None
    #: How long a sign-in lasts before the person must sign in again.
    token_hours: float = 8.0
    #: The largest request body accepted, in KiB.
    max_request_kb: int = 64
    #: How many requests each server process works on at once (the rest wait their turn).
    threads: int = 2
    oidc: OidcSettings | None = None


def server_settings(fields: Fields, raw: Any) -> ServerSettings:
    data = fields.mapping(raw, "server", SERVER_KEYS)
    url = data.get("url")
    return ServerSettings(
        url=web_address(url, f"{fields.path}: server.url", "the address people reach the service at").rstrip("/") if url is not None else None,
        token_hours=fields.number(data.get("token_hours"), "server.token_hours", 8.0, 0.25, 24.0 * 30),
        max_request_kb=fields.whole(data.get("max_request_kb"), "server.max_request_kb", 64, 4, 10_240),
        threads=fields.whole(data.get("threads"), "server.threads", 2, 1, 64),
        oidc=_oidc(fields, data.get("oidc")),
    )  # fmt: skip


def _oidc(fields: Fields, raw: Any) -> OidcSettings | None:
    if raw is None:
        return None
    data = fields.mapping(raw, "server.oidc", OIDC_KEYS)
    for key in ("issuer", "client_id"):
        if key not in data:
            raise fields.fail(f"server.oidc.{key}", "is required to sign in with OpenID Connect")
    secret_env = fields.text(
        data.get("client_secret_env"),
        "server.oidc.client_secret_env",
        "ESCALATE_OIDC_CLIENT_SECRET",
    )
    if not _ENV_NAME.match(secret_env):
        raise fields.fail(
            "server.oidc.client_secret_env",
            f"{secret_env!r} is not an environment variable name (e.g. ESCALATE_OIDC_CLIENT_SECRET);"
            " the secret itself never goes in config.yaml",
        )
    match = fields.text(data.get("match"), "server.oidc.match", "email")
    if match not in ("email", "username"):
        raise fields.fail("server.oidc.match", f"must be email or username, got {match!r}")
    issuer = web_address(
        data["issuer"], f"{fields.path}: server.oidc.issuer", "the identity provider's issuer URL"
    )
    return OidcSettings(
        issuer=issuer.rstrip("/"),
        client_id=fields.text(data["client_id"], "server.oidc.client_id", most=200),
        client_secret_env=secret_env,
        claim=fields.text(data.get("claim"), "server.oidc.claim", "email", most=100),
        match=match,
        scopes=fields.text(data.get("scopes"), "server.oidc.scopes", "openid profile email"),
        name=fields.text(data.get("name"), "server.oidc.name", "your council account", most=100),
    )

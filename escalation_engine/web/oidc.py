"""Signing in with the council's identity provider (OpenID Connect): the authorization code flow
with PKCE for browsers, and device authorization for the CLI.

The provider proves who someone is with a signed ID token; it is checked here (signature from the
provider's published keys, issuer, audience, expiry, and the nonce this service sent) and the
configured claim is matched to one person under ``people``. The client secret comes from the
environment and is never logged or returned.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from escalation_engine.errors import ConfigError, SignInRefused
from escalation_engine.service.pendings import SignInsInProgress
from escalation_engine.settings.config import Settings
from escalation_engine.settings.server import OidcSettings

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Oidc:
    """One identity provider, as config.yaml's ``server.oidc`` names it."""

    def __init__(
        self, settings: Settings, oidc: OidcSettings, browsers: SignInsInProgress,
        devices: SignInsInProgress,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.config = oidc
        self.secret = os.environ.get(oidc.client_secret_env, "")
        # Held in the database, so that the answer may reach any server process.
        self.browsers, self.devices = browsers, devices
        self._discovery: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    def _get(self, key: str) -> str:
        if self._discovery is None:
            where = f"{self.config.issuer}/.well-known/openid-configuration"
            try:
                answer = httpx.get(where, timeout=15)
                answer.raise_for_status()
                found = answer.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ConfigError(
                    f"Cannot read the identity provider's configuration at {where}"
                    f" ({type(exc).__name__}); check server.oidc.issuer."
                ) from None
            if found.get("issuer", "").rstrip("/") != self.config.issuer:
                raise ConfigError(f"{where} names another issuer; check server.oidc.issuer.")
            self._discovery = found
        value = self._discovery.get(key)
        if not isinstance(value, str):
            raise ConfigError(f"The identity provider does not offer {key}.")
        return value

    def _client_auth(self) -> dict[str, Any]:
        if self.secret:
            return {"auth": (self.config.client_id, self.secret)}
        return {"data": {"client_id": self.config.client_id}}

    def _token(self, form: dict[str, str]) -> httpx.Response:
        auth = self._client_auth()
        data = auth.pop("data", {}) | form
        try:
            return httpx.post(self._get("token_endpoint"), data=data, timeout=15, **auth)
        except httpx.HTTPError as exc:
            raise SignInRefused(
                f"The identity provider could not be reached ({type(exc).__name__}); try again."
            ) from None

    def authorize_url(self, redirect_uri: str) -> tuple[str, str]:
        """Where to send the browser, and the state that must come back with it."""
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        state = self.browsers.add(verifier, nonce)
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": redirect_uri, "scope": self.config.scopes, "state": state,
            "nonce": nonce, "code_challenge": _challenge(verifier), "code_challenge_method": "S256",
        })  # fmt: skip
        return f"{self._get('authorization_endpoint')}?{query}", state

    def finish_browser(self, state: str, code: str, redirect_uri: str) -> dict[str, Any]:
        """The ID token's claims for the code the provider sent back with ``state``."""
        pending = self.browsers.take(state)
        answer = self._token({"grant_type": "authorization_code", "code": code,
                              "redirect_uri": redirect_uri, "code_verifier": pending.secret})  # fmt: skip
        if answer.status_code != 200:
            raise SignInRefused("The identity provider did not accept the sign-in; start again.")
        return self.claims(answer.json().get("id_token"), pending.nonce)

    def start_device(self) -> dict[str, Any]:
        """Begin a device sign-in: the code to show the person, and a handle to poll with."""
        auth = self._client_auth()
        data = auth.pop("data", {}) | {"scope": self.config.scopes}
        try:
            answer = httpx.post(
                self._get("device_authorization_endpoint"), data=data, timeout=15, **auth
            )
            answer.raise_for_status()
            found = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused(
                f"The identity provider did not start a device sign-in ({type(exc).__name__})."
            ) from None
        handle = self.devices.add(str(found["device_code"]))
        return {
            "handle": handle, "user_code": found["user_code"],
            "verification_uri": found["verification_uri"],
            "verification_uri_complete": found.get("verification_uri_complete"),
            "interval": int(found.get("interval", 5)), "expires_in": int(found["expires_in"]),
        }  # fmt: skip

    def poll_device(self, handle: str) -> dict[str, Any] | None:
        """The claims once the person has approved the sign-in; ``None`` while it is pending."""
        pending = self.devices.take(handle, keep=True)
        answer = self._token({"grant_type": DEVICE_GRANT, "device_code": pending.secret})
        if answer.status_code == 200:
            self.devices.take(handle)
            return self.claims(answer.json().get("id_token"), None)
        error = answer.json().get("error") if answer.content else None
        if error in ("authorization_pending", "slow_down"):
            return None
        self.devices.take(handle)
        raise SignInRefused(f"The device sign-in ended ({error or answer.status_code}).")

    def claims(self, id_token: Any, nonce: str | None) -> dict[str, Any]:
        if not isinstance(id_token, str) or len(id_token) > 16_384:
            raise SignInRefused("The identity provider sent no ID token.")
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self._get("jwks_uri"), timeout=15)
        try:
            key = self._keys.get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token, key.key, algorithms=ALGORITHMS, audience=self.config.client_id,
                issuer=self._get("issuer"), options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )  # fmt: skip
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"The ID token was not accepted ({type(exc).__name__}).") from None
        if nonce is not None and claims.get("nonce") != nonce:
            raise SignInRefused("The ID token was not made for this sign-in (nonce).")
        return claims

    def person_for(self, claims: dict[str, Any]) -> str:
        """The username under people whom the configured claim names."""
        value = claims.get(self.config.claim)
        if not isinstance(value, str) or not value:
            raise SignInRefused(
                f"The identity provider did not send the {self.config.claim} claim."
            )
        for person in self.settings.people.values():
            mine = person.email if self.config.match == "email" else person.username
            if mine and mine.casefold() == value.casefold():
                return person.username
        raise SignInRefused(
            f"{value} signed in with the identity provider, but is not listed under people in"
            " this service; ask the IRO service's administrator to add them."
        )

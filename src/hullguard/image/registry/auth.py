"""Registry authentication: challenges, Basic, and the Bearer token flow.

The client sends a request; on ``401`` it hands the ``WWW-Authenticate``
header to :class:`Authenticator`, which remembers the challenge for the
registry, gets credentials (lazily, see :mod:`.credentials`) and, for Bearer,
asks the token service (``realm``) for a token for the scopes the request
needs. Tokens are cached per (realm, service, scopes) until they expire.
Later requests send the right ``Authorization`` header up front.

The ``WWW-Authenticate`` parser is hand-written: no maintained library parses
multi-challenge headers with quoted parameters, and it is 30 lines.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from hullguard.errors import AuthError, RegistryError
from hullguard.image.registry.credentials import Credentials
from hullguard.image.registry.options import Endpoint, plain_http_allowed
from hullguard.image.registry.transport import HttpSession, read_limited

_TCHAR = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_SCHEME_RE = re.compile(rf"[\s,]*({_TCHAR})")
_PARAM_RE = re.compile(rf'\s*({_TCHAR})\s*=\s*("(?:[^"\\]|\\.)*"|{_TCHAR})\s*(?:,|$)')
_MAX_TOKEN_RESPONSE = 1024 * 1024
#: the distribution spec's default token lifetime
_DEFAULT_EXPIRES_IN = 60
_MAX_EXPIRES_IN = 3600
_EXPIRY_MARGIN = 5.0


@dataclass(frozen=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: scheme (lower case) and parameters."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str:
        return next((v for k, v in self.params if k == key), "")


def parse_challenges(header: str) -> list[Challenge]:
    """All challenges in a ``WWW-Authenticate`` header (RFC 7235), tolerant of junk."""
    found: list[Challenge] = []
    pos = 0
    while pos < len(header):
        scheme = _SCHEME_RE.match(header, pos)
        if scheme is None:
            break
        pos = scheme.end()
        params: list[tuple[str, str]] = []
        while (param := _PARAM_RE.match(header, pos)) is not None:
            value = param.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params.append((param.group(1).lower(), value))
            pos = param.end()
        found.append(Challenge(scheme.group(1).lower(), tuple(params)))
    return found


def repository_scope(repository: str, actions: str = "pull") -> str:
    """The token scope for ``actions`` (``pull``, ``pull,push``) on a repository."""
    return f"repository:{repository}:{actions}"


@dataclass
class _Token:
    value: str
    expires_at: float


def _basic(creds: Credentials) -> str:
    raw = f"{creds.username}:{creds.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class Authenticator:
    """Holds what one registry asked for and answers with the right header."""

    def __init__(
        self,
        endpoint: Endpoint,
        session: HttpSession,
        credentials: Callable[[], Credentials | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoint = endpoint
        self._session = session
        self._load_credentials = credentials
        self._clock = clock
        self._credentials: Credentials | None = None
        self._loaded = False
        self._challenge: Challenge | None = None
        self._tokens: dict[tuple[str, str, tuple[str, ...]], _Token] = {}
        #: token requests made, for tests and diagnostics
        self.token_requests = 0

    def credentials(self) -> Credentials | None:
        if not self._loaded:
            self._credentials = self._load_credentials()
            self._loaded = True
        return self._credentials

    def authorization(self, scopes: Sequence[str]) -> str | None:
        """The ``Authorization`` value to send with a request needing ``scopes``."""
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            creds = self.credentials()
            return _basic(creds) if creds is not None and creds.has_basic else None
        return "Bearer " + self._token(challenge, scopes)

    def on_unauthorized(self, headers: Sequence[str], scopes: Sequence[str]) -> bool:
        """Learn from a 401. True when retrying with a new ``Authorization`` may succeed."""
        challenges = [c for h in headers for c in parse_challenges(h)]
        chosen = next((c for c in challenges if c.scheme == "bearer"), None)
        chosen = chosen or next((c for c in challenges if c.scheme == "basic"), None)
        if chosen is None:
            return False
        self._challenge = chosen
        if chosen.scheme == "basic":
            creds = self.credentials()
            return creds is not None and creds.has_basic
        self._tokens.pop(self._key(chosen, self._scopes(chosen, scopes)), None)
        return True

    def unauthorized_error(self, repository: str, sent: bool) -> AuthError:
        """The error for a 401 that authentication could not fix."""
        creds = self.credentials()
        registry = self._endpoint.registry
        if creds is None:
            return AuthError(
                f"authentication required by registry {registry}",
                hint=f"run docker login {registry} or pass --username/--password-stdin",
            )
        who = creds.username or "the identity token"
        if sent and self._challenge is not None and self._challenge.scheme == "basic":
            return AuthError(
                f"registry {registry} rejected the credentials of {who} (from {creds.source})",
                hint=f"check the username and password, or run docker login {registry} again",
            )
        return AuthError(
            f"registry {registry} denied {who} access to {repository or 'this resource'}",
            hint="check that the repository exists and the account may read it",
        )

    @staticmethod
    def _scopes(challenge: Challenge, scopes: Sequence[str]) -> tuple[str, ...]:
        if scopes:
            return tuple(sorted(set(scopes)))
        return tuple(sorted(challenge.get("scope").split()))

    @staticmethod
    def _key(challenge: Challenge, scopes: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
        return challenge.get("realm"), challenge.get("service"), scopes

    def _token(self, challenge: Challenge, scopes: Sequence[str]) -> str:
        wanted = self._scopes(challenge, scopes)
        key = self._key(challenge, wanted)
        cached = self._tokens.get(key)
        if cached is not None and cached.expires_at > self._clock():
            return cached.value
        token = self._fetch_token(challenge, wanted)
        self._tokens[key] = token
        return token.value

    def _check_realm(self, realm: str) -> None:
        registry = self._endpoint.registry
        if not realm:
            raise RegistryError(f"registry {registry} sent a Bearer challenge without a realm")
        parts = urlsplit(realm)
        if parts.scheme == "https":
            return
        if parts.scheme == "http" and plain_http_allowed(parts.netloc, self._session.options):
            return
        raise RegistryError(
            f"registry {registry} points to token service {realm[:200]} over plain HTTP; refused",
            hint=f"allow it with --insecure-registry {parts.netloc} only if you trust the network",
        )

    def _fetch_token(self, challenge: Challenge, scopes: tuple[str, ...]) -> _Token:
        realm, service = challenge.get("realm"), challenge.get("service")
        self._check_realm(realm)
        creds = self.credentials()
        self.token_requests += 1
        if creds is not None and creds.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token}
            form |= {"service": service, "client_id": "hullguard", "scope": " ".join(scopes)}
            response = self._session.send(
                "POST",
                realm,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                content=urlencode(form).encode(),
            )
        else:
            params = [("service", service)] if service else []
            params += [("scope", s) for s in scopes]
            headers = {"Authorization": _basic(creds)} if creds and creds.has_basic else {}
            response = self._session.send("GET", realm, headers=headers, params=params)
        if response.status_code in (401, 403):
            response.close()
            raise self._token_refused(creds)
        if response.status_code != 200:
            response.close()
            raise RegistryError(
                f"token service {urlsplit(realm).netloc} of registry "
                f"{self._endpoint.registry} failed with HTTP {response.status_code}",
                hint="retry later",
            )
        body = read_limited(response, _MAX_TOKEN_RESPONSE, "token", self._session.timeout)
        return self._parse_token(body)

    def _token_refused(self, creds: Credentials | None) -> AuthError:
        registry = self._endpoint.registry
        if creds is None:
            return AuthError(
                f"registry {registry} requires authentication (anonymous token refused)",
                hint=f"run docker login {registry} or pass --username/--password-stdin",
            )
        who = creds.username or "the identity token"
        return AuthError(
            f"registry {registry} rejected the credentials of {who} (from {creds.source})",
            hint=f"check the username and password, or run docker login {registry} again",
        )

    def _parse_token(self, body: bytes) -> _Token:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            doc = None
        token = ""
        if isinstance(doc, dict):
            value = doc.get("token") or doc.get("access_token")
            token = value if isinstance(value, str) else ""
        if not token:
            raise RegistryError(
                f"the token service of registry {self._endpoint.registry} returned no token",
                hint="the registry's auth service is misconfigured",
            )
        expires = doc.get("expires_in") if isinstance(doc, dict) else None
        lifetime = expires if isinstance(expires, int) and expires > 0 else _DEFAULT_EXPIRES_IN
        lifetime = min(lifetime, _MAX_EXPIRES_IN)
        return _Token(token, self._clock() + lifetime - _EXPIRY_MARGIN)
